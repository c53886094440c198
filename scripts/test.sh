#!/usr/bin/env bash
# Sets up what is missing, then runs every test: formatting and lints, the Rust tests (unit,
# store durability, importer property tests, CLI, keyring, AWS against moto), the UI's type check
# and unit tests, and the end-to-end GUI tests in the real window under Xvfb.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
export PATH="$HOME/.cargo/bin:$PATH"

step() { printf '\n\033[1;34m[test]\033[0m %s\n' "$*"; }

step "UI type check and unit tests"
npm --prefix ui run check --silent
npm --prefix ui test --silent

step "cargo fmt and clippy"
cargo fmt --all --check
if [ -n "${CI:-}" ]; then
  # On a cold CI machine lints build into their own directory, removed before the tests build:
  # the disk never holds both builds at once.
  lints="${CARGO_TARGET_DIR:-target}/clippy"
  cargo clippy --workspace --all-targets --quiet --target-dir "$lints" -- -D warnings
  rm -rf "$lints"
else
  cargo clippy --workspace --all-targets --quiet -- -D warnings
fi

# The servers the tests start (moto, MariaDB, tauri-driver, the keyring daemon), as running now.
# A zombie (state Z) has exited and runs nothing; it only waits for its parent to reap it.
servers() {
  ps -eo pid=,stat=,args= |
    awk '$2 !~ /^Z/ && /moto_server|mariadbd|tauri-driver|WebKitWebDriver|gnome-keyring-daemon/ && !/awk/ { printf "%s ", $1 }'
}
servers_before=" $(servers) "

step "Rust tests: GUI (Xvfb, tauri-driver), OS keyring (gnome-keyring on a private D-Bus session), AWS (moto)"
xvfb-run -a -s "-screen 0 1280x800x24" dbus-run-session -- bash scripts/with-keyring.sh cargo test --workspace

step "IPC types generated from Rust match the committed ones"
if [ -n "$(git status --porcelain -- ui/src/bindings)" ]; then
  git status --short -- ui/src/bindings
  echo "ui/src/bindings is stale: commit the files ts-rs regenerated" >&2
  exit 1
fi

if [ "${FLIGHTDECK_PACKAGE:-}" = 1 ]; then
  step "Packages: build the .deb, .rpm and AppImage, install the .deb, test the installed app and the AppImage"
  bash scripts/package.sh --install-test
fi

step "The tests left no server running"
# A server stopped as its test ended may take a moment to exit.
for _ in $(seq 50); do
  left=""
  for pid in $(servers); do
    case "$servers_before" in *" $pid "*) ;; *) left="$left $pid" ;; esac
  done
  [ -z "$left" ] && break
  sleep 0.1
done
left=""
for pid in $(servers); do
  case "$servers_before" in *" $pid "*) ;; *) left="$left $pid" ;; esac
done
if [ -n "$left" ]; then
  ps -o pid,args -p "$(echo $left | tr " " ",")" >&2 || true
  echo "the tests left these servers running" >&2
  exit 1
fi
