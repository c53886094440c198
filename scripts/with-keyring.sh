#!/usr/bin/env bash
# Runs a command with a private, unlocked GNOME Keyring (a real Secret Service) on the current
# D-Bus session. Call it inside `dbus-run-session`. The keyring lives in a throwaway directory.
set -euo pipefail
keyring_home="$(mktemp -d)"
# Keyring prompts need a desktop; tests must get an error instead of a dialog that waits forever.
dbus-update-activation-environment DISPLAY= WAYLAND_DISPLAY= 2>/dev/null || true
printf "flightdeck-test-keyring" | XDG_DATA_HOME="$keyring_home" gnome-keyring-daemon --unlock --components=secrets >/dev/null
exec "$@"
