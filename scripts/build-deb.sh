#!/bin/bash
# Builds the Debian package newsinbox_<version>_<arch>.deb with dpkg-deb.
#
#   scripts/build-deb.sh [OUTPUT_DIR]        (default: .build-release/deb)
#
# The binaries are a release build with the Swift standard library and Foundation linked in
# statically (--static-swift-stdlib), in their own scratch path .build-release, so the package
# needs no /opt/swift. The shared libraries that remain (libsystemd, libxml2, zlib, libsqlite3 ...) become
# Depends:, found with readelf, ldd and dpkg -S. SKIP_BUILD=1 packages what .build-release already
# holds; BUILD_DIR=DIR packages the three binaries in DIR instead.
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
out=${1:-$root/.build-release/deb}
swift=${SWIFT:-$(command -v swift || echo /opt/swift/usr/bin/swift)}
cd "$root"

if [ -n "${BUILD_DIR:-}" ]; then
    bin=$BUILD_DIR   # binaries built elsewhere (e.g. to try another branch's newsinboxctl)
else
    if [ "${SKIP_BUILD:-0}" != 1 ]; then
        "$swift" build -c release --static-swift-stdlib --scratch-path .build-release
    fi
    bin=$root/.build-release/release
fi

version=$(sed -n 's/.*static let string = "\(.*\)".*/\1/p' Sources/NewsInbox/Version.swift)
[ -n "$version" ] || { echo "build-deb.sh: cannot read the version from Sources/NewsInbox/Version.swift" >&2; exit 1; }
arch=$(dpkg --print-architecture)

stage=$(mktemp -d "${TMPDIR:-/tmp}/newsinbox-deb.XXXXXX")
trap 'rm -rf "$stage"' EXIT
pkg=$stage/newsinbox

# Debian bookworm keeps units in /lib/systemd/system (deb-systemd-helper looks there).
"$root/scripts/install.sh" DESTDIR="$pkg" PREFIX=/usr SYSCONFDIR=/etc UNITDIR=/lib/systemd/system \
    SYSUSERSDIR=/usr/lib/sysusers.d TMPFILESDIR=/usr/lib/tmpfiles.d BUILD_DIR="$bin" GZIP_MAN=1 >/dev/null
strip --strip-unneeded "$pkg/usr/sbin/newsinboxd" "$pkg/usr/bin/newsinboxctl" "$pkg/usr/bin/newsinbox"

# Depends: the package of each shared library the binaries still load, at least the installed version.
depends_of() {
    local lib path owner version
    # Direct NEEDED entries only (libicu comes with libxml2), resolved to paths by ldd.
    for exe in "$pkg/usr/sbin/newsinboxd" "$pkg/usr/bin/newsinboxctl" "$pkg/usr/bin/newsinbox"; do
        readelf -d "$exe" | sed -n 's/.*(NEEDED).*\[\(.*\)\]/\1/p' | while read -r lib; do
            ldd "$exe" | awk -v lib="$lib" '$1 == lib && $2 == "=>" { print $3 }'
        done
    done | sort -u | while read -r path; do
        # usrmerge: dpkg knows a library under one of /lib and /usr/lib.
        owner=$(dpkg -S "$path" 2>/dev/null || dpkg -S "/usr$path" 2>/dev/null || dpkg -S "${path#/usr}" 2>/dev/null) || {
            echo "build-deb.sh: no package owns $path" >&2; exit 1; }
        owner=${owner%%:*}
        version=$(dpkg-query -W -f='${Version}' "$owner")
        echo "$owner (>= ${version%%-*})"
    done | sort -u
}
libdeps=$(depends_of | paste -sd, | sed 's/,/, /g')
[ -n "$libdeps" ] || { echo "build-deb.sh: found no shared library dependencies; ldd failed?" >&2; exit 1; }
# systemd: sysusers, tmpfiles and the units; procps: /bin/kill for ExecReload.
depends="$libdeps, systemd, procps"

install -d "$pkg/DEBIAN"
cat > "$pkg/DEBIAN/control" <<EOF
Package: newsinbox
Version: $version
Architecture: $arch
Maintainer: NewsInbox developers <newsinbox@localhost>
Section: news
Priority: optional
Installed-Size: $(du -sk --exclude=DEBIAN "$pkg" | cut -f1)
Depends: $depends
Description: news inbox daemon: dropped articles become structured JSON
 newsinboxd watches an inbox directory, claims each file dropped there, extracts
 the article (date, headline, paragraphs, entities ...) and writes one JSON file
 per article plus one structured systemd journal entry. newsinboxctl controls
 the running daemon; newsinbox runs the same extraction on single files.
EOF
echo /etc/newsinbox/newsinboxd.conf > "$pkg/DEBIAN/conffiles"
for script in postinst prerm postrm; do
    install -m 0755 "$root/deploy/debian/$script" "$pkg/DEBIAN/$script"
done

mkdir -p "$out"
deb=$out/newsinbox_${version}_${arch}.deb
# DEB_COMPRESSION: dpkg-deb options; the e2e test uses -Znone (compressing ~150 MB of binaries is
# most of the packaging time on a busy machine).
dpkg-deb --root-owner-group ${DEB_COMPRESSION:--Zgzip -z9} --build "$pkg" "$deb" >/dev/null
echo "$deb"
echo "build-deb.sh: Depends: $depends" >&2
