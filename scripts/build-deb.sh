#!/bin/bash
# Builds the Debian package newsinbox_<version>_<arch>.deb with dpkg-deb.
#
#   scripts/build-deb.sh [OUTPUT_DIR]        (default: .build-release/deb)
#
# The binary is a release build of newsinbox-multicall (newsinboxd, newsinboxctl and newsinbox in one,
# chosen by the name it runs as) with the Swift standard library and Foundation linked in
# statically (--static-swift-stdlib), in its own scratch path .build-release, so the package
# needs no /opt/swift. The shared libraries that remain (libsystemd, libxml2, zlib, libsqlite3 ...) become
# Depends:, found by dpkg-shlibdeps. SKIP_BUILD=1 packages what .build-release already
# holds; BUILD_DIR=DIR packages the binaries in DIR instead (newsinbox-multicall, or the three).
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
out=${1:-$root/.build-release/deb}
swift=${SWIFT:-$(command -v swift || echo /opt/swift/usr/bin/swift)}
cd "$root"

if [ -n "${BUILD_DIR:-}" ]; then
    bin=$BUILD_DIR   # binaries built elsewhere (e.g. to try another branch's newsinboxctl)
else
    if [ "${SKIP_BUILD:-0}" != 1 ]; then
        "$swift" build -c release --static-swift-stdlib --scratch-path .build-release --product newsinbox-multicall
    fi
    bin=$root/.build-release/release
fi

# The version the binaries report (`NewsInboxVersion.string`) is the package's.
version_file=$(grep -l 'enum NewsInboxVersion' Sources/*/Version.swift | head -1)
version=$(sed -n 's/.*static let string = "\(.*\)".*/\1/p' "${version_file:-/dev/null}")
[ -n "$version" ] || { echo "build-deb.sh: cannot read the version from Sources/*/Version.swift (enum NewsInboxVersion)" >&2; exit 1; }
arch=$(dpkg --print-architecture)

stage=$(mktemp -d "${TMPDIR:-/tmp}/newsinbox-deb.XXXXXX")
trap 'rm -rf "$stage"' EXIT
pkg=$stage/newsinbox

# Debian bookworm keeps units in /lib/systemd/system (deb-systemd-helper looks there).
"$root/scripts/install.sh" DESTDIR="$pkg" PREFIX=/usr SYSCONFDIR=/etc UNITDIR=/lib/systemd/system \
    SYSUSERSDIR=/usr/lib/sysusers.d TMPFILESDIR=/usr/lib/tmpfiles.d BUILD_DIR="$bin" GZIP_MAN=1 >/dev/null
# Strip the binaries, not the links to the multi-call one.
find "$pkg/usr/sbin" "$pkg/usr/bin" -type f -exec strip --strip-unneeded {} +

# The Debian files that are not the program's own: copyright (with the origin of the model data) and
# the changelog (a native package: changelog.gz).
install -m 0644 "$root/deploy/debian/copyright" "$pkg/usr/share/doc/newsinbox/copyright"
gzip -9nc "$root/deploy/debian/changelog" > "$pkg/usr/share/doc/newsinbox/changelog.gz"
chmod 0644 "$pkg/usr/share/doc/newsinbox/changelog.gz"

# Depends: what dpkg-shlibdeps derives from the shared libraries the binaries load (the versions the
# symbols need, from each library's symbols file, not the build host's versions). It wants a
# debian/control to read; a stub one is enough.
mkdir -p "$stage/src/debian"
printf 'Source: newsinbox\n\nPackage: newsinbox\nArchitecture: any\n' > "$stage/src/debian/control"
libdeps=$(cd "$stage/src" && dpkg-shlibdeps -O \
    $(find "$pkg/usr/sbin" "$pkg/usr/bin" -type f -printf ' -e%p') 2>"$stage/shlibdeps.log" \
    | sed -n 's/^shlibs:Depends=//p') || { cat "$stage/shlibdeps.log" >&2; exit 1; }
[ -n "$libdeps" ] || { cat "$stage/shlibdeps.log" >&2; echo "build-deb.sh: dpkg-shlibdeps found no dependencies" >&2; exit 1; }
# systemd: sysusers, tmpfiles and the units; procps: /bin/kill for ExecReload.
depends="$libdeps, systemd, procps"

install -d "$pkg/DEBIAN"
cat > "$pkg/DEBIAN/control" <<EOF
Package: newsinbox
Version: $version
Architecture: $arch
Maintainer: NewsInbox maintainers <maintainers@users.noreply.r-seed-1bdadbd9.example>
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
(cd "$pkg" && find . -path ./DEBIAN -prune -o -type f -printf '%P\0' | LC_ALL=C sort -z | xargs -0 md5sum) > "$pkg/DEBIAN/md5sums"
chmod 0644 "$pkg/DEBIAN/md5sums"
for script in postinst prerm postrm; do
    install -m 0755 "$root/deploy/debian/$script" "$pkg/DEBIAN/$script"
done

mkdir -p "$out"
deb=$out/newsinbox_${version}_${arch}.deb
# DEB_COMPRESSION: dpkg-deb options (the e2e test uses a fast gzip level).
dpkg-deb --root-owner-group ${DEB_COMPRESSION:--Zgzip -z9} --build "$pkg" "$deb" >/dev/null
echo "$deb"
echo "build-deb.sh: Depends: $depends" >&2
