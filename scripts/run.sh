#!/usr/bin/env bash
# Sets up what is missing, then opens Flightdeck on the embedded demo runbook.
# FLIGHTDECK_DATA_DIR picks another data directory (default: ~/.local/share/dev.flightdeck.app).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
export PATH="$HOME/.cargo/bin:$PATH"
cargo build --bin flightdeck-app
if [ -z "${DISPLAY:-}${WAYLAND_DISPLAY:-}" ]; then
  echo "[run] no display found; starting Flightdeck on a virtual one (Xvfb)"
  exec xvfb-run -a -s "-screen 0 1280x800x24" dbus-run-session -- target/debug/flightdeck-app
fi
exec target/debug/flightdeck-app
