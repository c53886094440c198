#!/usr/bin/env bash
# Installs whatever Flightdeck needs that is missing, and nothing else: Debian/Ubuntu packages,
# the Rust toolchain check, tauri-driver, the UI's npm packages, and the Python venv for the test
# services. MariaDB is installed for the tests, which start private servers on temp datadirs; the
# system service is not needed. Safe to run again; fast when everything is there.
set -euo pipefail
cd "$(dirname "$0")/.."

say() { printf '\033[1;34m[setup]\033[0m %s\n' "$*"; }

APT_PACKAGES=(
  libwebkit2gtk-4.1-dev libgtk-3-dev librsvg2-dev libayatana-appindicator3-dev libsoup-3.0-dev
  libjavascriptcoregtk-4.1-dev build-essential pkg-config libssl-dev xvfb xauth webkit2gtk-driver
  dbus-x11 at-spi2-core curl ca-certificates gnome-keyring libdbus-1-dev
  libfontconfig1-dev fonts-dejavu-core
  mariadb-server mariadb-client mydumper zstd gzip openssl
)

missing=()
for pkg in "${APT_PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
done
SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO="sudo"
if ((${#missing[@]})); then
  say "installing system packages: ${missing[*]}"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  $SUDO apt-get clean # the downloaded .deb files: disk the Rust build needs more
fi

if ! command -v node >/dev/null || ! command -v npm >/dev/null; then
  say "installing Node.js and npm"
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq nodejs npm >/dev/null
fi

if ! command -v cargo >/dev/null; then
  [ -x "$HOME/.cargo/bin/cargo" ] && export PATH="$HOME/.cargo/bin:$PATH"
fi
command -v cargo >/dev/null || { echo "Rust is required: install it with rustup (https://rustup.rs)" >&2; exit 1; }
export PATH="$HOME/.cargo/bin:$PATH"

if ! command -v tauri-driver >/dev/null; then
  say "installing tauri-driver (once, a few minutes)"
  cargo install tauri-driver --locked --quiet
fi

if [ ! -d ui/node_modules ] || [ ui/package-lock.json -nt ui/node_modules/.package-lock.json ]; then
  say "installing the UI's npm packages"
  npm --prefix ui install --no-fund --no-audit --loglevel=error
fi

if [ ! -x .venv/bin/moto_server ]; then
  say "creating the Python venv for the local AWS emulator (.venv, moto[server])"
  if ! python3 -m venv --help >/dev/null 2>&1; then
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq python3-venv >/dev/null
  fi
  python3 -m venv .venv
  .venv/bin/pip install --quiet --disable-pip-version-check "moto[server]>=5,<6"
fi

say "building the UI"
npm --prefix ui run build --silent >/dev/null
