#!/usr/bin/env bash
# Builds Flightdeck's installers with the Tauri bundler into target/release/bundle/: a .deb and
# an .rpm, and an AppImage where GitHub is reachable (the bundler downloads its AppImage tools
# from there). Each package holds the app and, beside it, the `flightdeck` command
# (/usr/bin/flightdeck). The Windows (.msi, NSIS) and macOS (.app, .dmg) settings are in
# tauri.conf.json; those installers build only on their own systems.
#
#   bash scripts/package.sh                 build the packages
#   bash scripts/package.sh --install-test  then install the .deb with apt-get, run
#                                           `flightdeck --version` from PATH and the GUI test on
#                                           the installed app (needs root or sudo)
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
export PATH="$HOME/.cargo/bin:$PATH"

say() { printf '\033[1;34m[package]\033[0m %s\n' "$*"; }

bundles=deb,rpm
if curl -fsS -o /dev/null --max-time 10 https://github.com; then
  bundles=$bundles,appimage
else
  say "github.com is unreachable: no AppImage (the bundler downloads linuxdeploy from there)"
fi

# `tauri build` builds the workspace's default members in release: the app and the flightdeck
# command that the packages carry beside it.
say "building the app, the flightdeck command and the packages: $bundles"
ui/node_modules/.bin/tauri build --ci --bundles "$bundles"

say "packages:"
find target/release/bundle -maxdepth 2 -type f \( -name '*.deb' -o -name '*.rpm' -o -name '*.AppImage' \) \
  -exec ls -l {} \;

[ "${1:-}" = "--install-test" ] || exit 0

SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO="sudo"
deb=$(ls target/release/bundle/deb/*.deb)
say "installing $deb"
$SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --reinstall "./$deb" >/dev/null
say "from PATH: $(command -v flightdeck): $(flightdeck --version)"
app=$(dpkg -L flightdeck | grep -x '/usr/bin/flightdeck-app')
say "the GUI test on the installed app, $app"
FLIGHTDECK_APP_BINARY="$app" xvfb-run -a -s "-screen 0 1280x800x24" \
  dbus-run-session -- bash scripts/with-keyring.sh \
  cargo test -p flightdeck-app --test gui -- --ignored --exact the_installed_app_shows_the_demo_runbook
