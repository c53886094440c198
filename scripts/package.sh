#!/usr/bin/env bash
# Builds Flightdeck's installers into target/release/bundle/: a .deb and an .rpm with the Tauri
# bundler, and an AppImage made from the .deb by scripts/appimage.sh (the bundler's AppImage
# tools come only from GitHub). Each package holds the app and, beside it, the `flightdeck`
# command (/usr/bin/flightdeck). The Windows (.msi, NSIS) and macOS (.app, .dmg) settings are in
# tauri.conf.json; those installers build only on their own systems.
#
#   bash scripts/package.sh                 build the packages
#
# Signed updates: with the release's update key in TAURI_SIGNING_PRIVATE_KEY (and its password,
# if it has one, in TAURI_SIGNING_PRIVATE_KEY_PASSWORD), the key's public half in
# FLIGHTDECK_UPDATE_PUBKEY and the https address the update manifest is published at in
# FLIGHTDECK_UPDATE_ENDPOINT, the app is built to check that address and to trust only that key,
# each package is signed (<package>.sig) and target/release/bundle/latest.json announces them,
# to publish beside the packages (an S3 bucket behind https will do). Without the key, the app is
# built without updates. `tauri signer generate` makes a key pair; keep the private half out of
# the repository.
#   bash scripts/package.sh --install-test  then install the .deb with apt-get, run
#                                           `flightdeck --version` from PATH, check the .rpm, and
#                                           run the GUI tests on the installed app and on the
#                                           AppImage: each shows the demo runbook, and updates
#                                           itself to the next version's package, built first
#                                           into target/update-test/ (needs root or sudo)
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
export PATH="$HOME/.cargo/bin:$PATH"

say() { printf '\033[1;34m[package]\033[0m %s\n' "$*"; }

install_test=false
[ "${1:-}" = "--install-test" ] && install_test=true
SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO="sudo"

# The workspace's version, which the app, the command and the packages carry.
version=$(sed -n 's/^version = "\(.*\)"$/\1/p' Cargo.toml | head -n 1)

if $install_test; then
  # The same code one patch version on, for the installed app to update itself to. Built first,
  # so that the release build and the packages left in target/ are this version's.
  next=$(python3 -c 'import sys; v = sys.argv[1].split("."); v[-1] = str(int(v[-1]) + 1); print(".".join(v))' "$version")
  say "building $next's .deb and AppImage for the update tests"
  ui/node_modules/.bin/tauri build --ci --bundles deb --config "{\"version\": \"$next\"}"
  rm -rf target/update-test && mkdir -p target/update-test
  mv target/release/bundle/deb/*_"${next}"_*.deb target/update-test/
  bash scripts/appimage.sh target/update-test/*_"${next}"_*.deb target/update-test
fi

bundles=deb,rpm

config=()
if [ -n "${TAURI_SIGNING_PRIVATE_KEY:-}" ]; then
  : "${FLIGHTDECK_UPDATE_PUBKEY:?is the public half of TAURI_SIGNING_PRIVATE_KEY}"
  : "${FLIGHTDECK_UPDATE_ENDPOINT:?is the https address the update manifest is published at}"
  config=(--config "$(python3 -c 'import json, os; print(json.dumps({"plugins": {"updater": {
      "pubkey": os.environ["FLIGHTDECK_UPDATE_PUBKEY"],
      "endpoints": [os.environ["FLIGHTDECK_UPDATE_ENDPOINT"]]}}}))')")
  say "updates: signed, announced at $FLIGHTDECK_UPDATE_ENDPOINT"
else
  say "updates: none (no TAURI_SIGNING_PRIVATE_KEY)"
fi

# `tauri build` builds the workspace's default members in release: the app and the flightdeck
# command that the packages carry beside it.
say "building the app, the flightdeck command and the packages: $bundles"
ui/node_modules/.bin/tauri build --ci --bundles "$bundles" "${config[@]}"
rm -rf target/release/bundle/appimage
bash scripts/appimage.sh target/release/bundle/deb/*_"${version}"_*.deb target/release/bundle/appimage
packages=$(find target/release/bundle -maxdepth 2 -type f \( -name '*.deb' -o -name '*.rpm' -o -name '*.AppImage' \))

if [ -n "${TAURI_SIGNING_PRIVATE_KEY:-}" ]; then
  for package in $packages; do
    # The signature names the version it is for: the app requires that it match the manifest's.
    ui/node_modules/.bin/tauri signer sign --app-version "$version" \
      -p "${TAURI_SIGNING_PRIVATE_KEY_PASSWORD:-}" "$package" > /dev/null
  done
  # The manifest the updater reads: each package under its installer's target
  # (linux-x86_64-deb, -rpm, -appimage), at the manifest's address with the package's name.
  python3 - "$FLIGHTDECK_UPDATE_ENDPOINT" "$version" $packages <<'PY'
import datetime, json, os, sys
endpoint, version, packages = sys.argv[1], sys.argv[2], sys.argv[3:]
base = endpoint.rsplit("/", 1)[0]
kinds = {".deb": "deb", ".rpm": "rpm", ".AppImage": "appimage"}
platforms = {}
for package in packages:
    kind = next(k for ext, k in kinds.items() if package.endswith(ext))
    with open(package + ".sig") as sig:
        platforms[f"linux-x86_64-{kind}"] = {
            "signature": sig.read(),
            "url": f"{base}/{os.path.basename(package)}",
        }
notes = os.environ.get("FLIGHTDECK_RELEASE_NOTES", f"Flightdeck {version}")
manifest = {
    "version": version,
    "notes": notes,
    "pub_date": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"),
    "platforms": platforms,
}
with open("target/release/bundle/latest.json", "w") as out:
    json.dump(manifest, out, indent=2)
PY
  say "update manifest: target/release/bundle/latest.json"
fi

say "packages:"
# shellcheck disable=SC2086 # one path per word
ls -l $packages

$install_test || exit 0

deb=$(ls target/release/bundle/deb/*.deb)
install_built() {
  $SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --reinstall --allow-downgrades \
    "./$deb" >/dev/null
}
say "installing $deb"
install_built
# The update test upgrades the package: this version is put back however the tests end, and the
# scratch root the .rpm is installed into below is removed.
rpm_root=$(mktemp -d)
trap 'rm -rf "$rpm_root"; say "putting $deb back"; install_built' EXIT
say "from PATH: $(command -v flightdeck): $(flightdeck --version)"
if ! command -v pkexec >/dev/null && ! command -v sudo >/dev/null; then
  say "installing sudo: the updater installs a .deb through pkexec or sudo"
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq sudo >/dev/null
fi
# The .rpm, on this Debian machine: installed with rpm into a scratch root (rpm's database here
# knows none of the libraries it requires), it holds the app and its desktop entry, requires
# WebKitGTK 4.1, and its flightdeck command runs.
rpm_package=$(ls target/release/bundle/rpm/*.rpm)
if ! command -v rpm >/dev/null; then
  say "installing rpm, to check the .rpm"
  $SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq rpm >/dev/null
fi
rpm --root "$rpm_root" --initdb
rpm --root "$rpm_root" --install --nodeps --noscripts "$rpm_package"
for file in /usr/bin/flightdeck-app /usr/share/applications/Flightdeck.desktop; do
  [ -f "$rpm_root$file" ] || { say "$rpm_package holds no $file"; exit 1; }
done
rpm -qp --requires "$rpm_package" | grep -q '^libwebkit2gtk-4.1.so.0' ||
  { say "$rpm_package does not require WebKitGTK 4.1"; exit 1; }
say "from the .rpm: $("$rpm_root/usr/bin/flightdeck" --version)"
# The AppImage's runtime mounts it with FUSE 2 (libfuse2, and fusermount from fuse).
if ! command -v fusermount >/dev/null || ! /sbin/ldconfig -p | grep 'libfuse\.so\.2 ' >/dev/null; then
  say "installing FUSE 2, which AppImages mount themselves with"
  $SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq fuse libfuse2 >/dev/null
fi
app=$(dpkg -L flightdeck | grep -x '/usr/bin/flightdeck-app')
next_deb=$(ls target/update-test/*.deb)
appimage=$(ls target/release/bundle/appimage/*.AppImage)
next_appimage=$(ls target/update-test/*.AppImage)
say "the GUI tests on the installed app, $app, and its update to $next_deb;"
say "on the AppImage, $appimage, and its update to $next_appimage"
FLIGHTDECK_APP_BINARY="$app" FLIGHTDECK_NEXT_PACKAGE="$PWD/$next_deb" \
  FLIGHTDECK_APPIMAGE="$PWD/$appimage" FLIGHTDECK_NEXT_APPIMAGE="$PWD/$next_appimage" \
  xvfb-run -a -s "-screen 0 1280x800x24" dbus-run-session -- bash scripts/with-keyring.sh \
  cargo test -p flightdeck-app --test gui -- --ignored installed::
