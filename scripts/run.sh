#!/usr/bin/env bash
# Sets up what is missing, starts the local AWS world (moto, seeded like the sample runbook, as
# the DEMO environment), then opens Flightdeck on the embedded demo runbook.
# FLIGHTDECK_DATA_DIR picks another data directory (default: ~/.local/share/dev.flightdeck.cockpit).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
export PATH="$HOME/.cargo/bin:$PATH"
cargo build --bin flightdeck-app --bin flightdeck

if [ -n "${DISPLAY:-}${WAYLAND_DISPLAY:-}" ] && [ -n "${DBUS_SESSION_BUS_ADDRESS:-}" ]; then
  exec bash scripts/demo-app.sh
fi
echo "[run] no desktop session found; using a virtual display (Xvfb) and a private keyring"
exec xvfb-run -a -s "-screen 0 1280x800x24" dbus-run-session -- bash scripts/with-keyring.sh bash scripts/demo-app.sh
