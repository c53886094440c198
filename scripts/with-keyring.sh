#!/usr/bin/env bash
# Runs a command with a private, unlocked GNOME Keyring (a real Secret Service) on the current
# D-Bus session. Call it inside `dbus-run-session`. The keyring lives in a throwaway directory;
# the daemon is stopped and the directory removed when the command ends, however it ends.
set -euo pipefail
keyring_home="$(mktemp -d)"
# Keyring prompts need a desktop; tests must get an error instead of a dialog that waits forever.
dbus-update-activation-environment DISPLAY= WAYLAND_DISPLAY= 2>/dev/null || true
printf "flightdeck-test-keyring" | XDG_DATA_HOME="$keyring_home" gnome-keyring-daemon --unlock --components=secrets >/dev/null
# The daemon just started is the newest one (its process name is cut to 15 characters).
daemon="$(pgrep -n -x gnome-keyring-d || true)"
stop() {
  if [ -n "$daemon" ]; then
    kill "$daemon" 2>/dev/null || true
    for _ in $(seq 50); do kill -0 "$daemon" 2>/dev/null || break; sleep 0.1; done
  fi
  rm -rf "$keyring_home"
}
trap stop EXIT
"$@"
