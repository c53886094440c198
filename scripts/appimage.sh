#!/usr/bin/env bash
# Makes Flightdeck's AppImage from its .deb, which `tauri build` made:
#
#   bash scripts/appimage.sh DEB OUT_DIR     writes OUT_DIR/<the .deb's name>.AppImage
#
# The Tauri bundler makes AppImages with linuxdeploy, which comes only from GitHub. This script
# uses the AppImage runtime (AppImageKit's type-2 runtime, which mounts the image with FUSE or,
# with APPIMAGE_EXTRACT_AND_RUN=1, unpacks it first) that the `appimage` crate ships on
# crates.io, checked against the checksum below, and squashfs-tools' mksquashfs from Debian.
# The image holds the .deb's files (the app, the flightdeck command, the desktop entry and the
# icons) and, like the .deb and the .rpm, uses the system's WebKitGTK 4.1 and GTK 3: it runs
# where libwebkit2gtk-4.1-0 is installed.
set -euo pipefail
[ $# -eq 2 ] || { echo "usage: $0 DEB OUT_DIR" >&2; exit 1; }
deb=$(realpath "$1")
out_dir=$(realpath -m "$2")
cd "$(dirname "$0")/.."
say() { printf '\033[1;34m[appimage]\033[0m %s\n' "$*"; }

runtime_crate=appimage-0.4.0
runtime_crate_sha256=567a4da6b94a2ac20a27620933c80fc14cf475b5fe7d7b137d20eb237d6b1920
runtime_sha256=328e0d745c5c6817048c27bc3e8314871703f8f47ffa81a37cb06cd95a94b323

if ! command -v mksquashfs >/dev/null; then
  say "installing squashfs-tools (mksquashfs)"
  SUDO=""
  [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  $SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq squashfs-tools >/dev/null
fi

work=target/appimage
mkdir -p "$work"
runtime=$work/runtime-x86_64
if ! echo "$runtime_sha256  $runtime" | sha256sum --check --status 2>/dev/null; then
  say "fetching the AppImage runtime from crates.io ($runtime_crate)"
  crate=$work/$runtime_crate.crate
  curl -fsSL --retry 3 -o "$crate" \
    "https://static.crates.io/crates/${runtime_crate%-*}/$runtime_crate.crate"
  echo "$runtime_crate_sha256  $crate" | sha256sum --check --status ||
    { say "$crate is not the published $runtime_crate: its SHA-256 differs"; exit 1; }
  tar -xzf "$crate" -C "$work" --strip-components=2 "$runtime_crate/assets/runtime-x86_64"
  echo "$runtime_sha256  $runtime" | sha256sum --check --status ||
    { say "the runtime in $crate is not the expected one: its SHA-256 differs"; exit 1; }
fi

name=$(basename "$deb" .deb)
version=$(dpkg-deb -f "$deb" Version)
appdir=$work/$name.AppDir
rm -rf "$appdir" && mkdir -p "$appdir"
dpkg-deb -x "$deb" "$appdir"

# The bundler marks the app it packs with the kind of package (tauri_utils::platform::
# bundle_type): the updater installs an update the way that kind is installed. This copy is
# marked as an AppImage's, which the updater replaces with the next version's AppImage.
app=$appdir/usr/bin/flightdeck-app
python3 - "$app" <<'PY'
import sys
path = sys.argv[1]
with open(path, "rb") as f:
    binary = f.read()
marks = [m for m in (b"DEB", b"RPM", b"UNK") if b"__TAURI_BUNDLE_TYPE_VAR_" + m in binary]
if len(marks) != 1 or binary.count(b"__TAURI_BUNDLE_TYPE_VAR_" + marks[0]) != 1:
    sys.exit(f"{path} does not carry exactly one package-kind mark: {marks}")
with open(path, "wb") as f:
    f.write(binary.replace(b"__TAURI_BUNDLE_TYPE_VAR_" + marks[0], b"__TAURI_BUNDLE_TYPE_VAR_APP"))
PY

# What the runtime and desktop integration tools look for at the image's root: the program to
# start, one desktop entry (with the version, as appimagetool writes it) and the icon.
ln -s usr/bin/flightdeck-app "$appdir/AppRun"
desktop=$(find "$appdir/usr/share/applications" -name '*.desktop')
icon_name=$(sed -n 's/^Icon=//p' "$desktop")
{ cat "$desktop"; echo "X-AppImage-Version=$version"; } > "$appdir/$(basename "$desktop")"
cp "$appdir/usr/share/icons/hicolor/128x128/apps/$icon_name.png" "$appdir/$icon_name.png"
ln -s "$icon_name.png" "$appdir/.DirIcon"

# The runtime reads gzip (zlib) and xz images. The app's binary is stored uncompressed: each start
# mounts the image afresh, and inflating the binary's pages as the app touches them added about
# 200 ms to every start (xz: 1.5 s); the rest is gzip-compressed.
image=$work/$name.squashfs
mksquashfs "$appdir" "$image" -root-owned -noappend -quiet -no-progress -comp gzip \
  -action "uncompressed@name(flightdeck-app)"
mkdir -p "$out_dir"
appimage=$out_dir/$name.AppImage
cat "$runtime" "$image" > "$appimage"
chmod 755 "$appimage"
rm -rf "$appdir" "$image"
say "$appimage"
