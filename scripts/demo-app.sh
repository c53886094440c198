#!/usr/bin/env bash
# Starts the local AWS world (DEMO environment), opens Flightdeck, and stops the world on exit.
# Called by scripts/run.sh once everything is built.
set -euo pipefail
cd "$(dirname "$0")/.."
target/debug/flightdeck demo up
trap 'target/debug/flightdeck demo down' EXIT
target/debug/flightdeck-app
