#!/bin/sh
# Installs the built binaries, units, sysusers.d/tmpfiles.d files, the default config, the man pages
# and the models.
#
#   swift build -c release --static-swift-stdlib --scratch-path .build-release
#   sudo scripts/install.sh                      # PREFIX=/usr/local, config in /etc
#   scripts/install.sh DESTDIR=/tmp/stage PREFIX=/usr
#
# Variables (environment or NAME=value arguments):
#   DESTDIR         staging root prepended to every path (default: empty)
#   PREFIX          /usr/local
#   SYSCONFDIR      /etc
#   UNITDIR         $PREFIX/lib/systemd/system
#   SYSUSERSDIR     $PREFIX/lib/sysusers.d
#   TMPFILESDIR     $PREFIX/lib/tmpfiles.d
#   CATALOGDIR      $PREFIX/lib/systemd/catalog (journald reads /usr/lib and /usr/local/lib)
#   BUILD_DIR       .build-release/release (where the three binaries are)
#   GZIP_MAN        1 to gzip the man pages (Debian does)
#
# Installing does not start anything. On a live system afterwards (as root):
#   systemd-sysusers newsinbox.conf && systemd-tmpfiles --create newsinbox.conf
#   journalctl --update-catalog
#   systemctl daemon-reload && systemctl enable --now newsinboxd.socket newsinboxd.service
set -eu

for arg in "$@"; do
    case "$arg" in
        *=*)
            name=${arg%%=*}
            case "$name" in ''|*[!A-Z_]*) echo "install.sh: bad variable name '$name'" >&2; exit 2 ;; esac
            eval "$name=\${arg#*=}" ;;
        *) echo "install.sh: unexpected argument '$arg' (use NAME=value)" >&2; exit 2 ;;
    esac
done

root=$(cd "$(dirname "$0")/.." && pwd)
DESTDIR=${DESTDIR:-}
PREFIX=${PREFIX:-/usr/local}
SYSCONFDIR=${SYSCONFDIR:-/etc}
UNITDIR=${UNITDIR:-$PREFIX/lib/systemd/system}
SYSUSERSDIR=${SYSUSERSDIR:-$PREFIX/lib/sysusers.d}
TMPFILESDIR=${TMPFILESDIR:-$PREFIX/lib/tmpfiles.d}
CATALOGDIR=${CATALOGDIR:-$PREFIX/lib/systemd/catalog}
BUILD_DIR=${BUILD_DIR:-$root/.build-release/release}
GZIP_MAN=${GZIP_MAN:-0}

for exe in newsinboxd newsinboxctl newsinbox; do
    if [ ! -x "$BUILD_DIR/$exe" ]; then
        echo "install.sh: $BUILD_DIR/$exe not found; build first:" >&2
        echo "  swift build -c release --static-swift-stdlib --scratch-path .build-release" >&2
        exit 1
    fi
done

d=$DESTDIR
install -d "$d$PREFIX/sbin" "$d$PREFIX/bin" "$d$UNITDIR" "$d$SYSUSERSDIR" "$d$TMPFILESDIR" "$d$CATALOGDIR" \
    "$d$SYSCONFDIR/newsinbox" "$d$SYSCONFDIR/newsinbox/newsinboxd.conf.d" "$d$PREFIX/share/man/man5" "$d$PREFIX/share/man/man8" \
    "$d$PREFIX/share/newsinbox/models" "$d$PREFIX/share/doc/newsinbox"

# The daemon in sbin; the control tool in bin so operators who are not root find it on their PATH.
install -m 0755 "$BUILD_DIR/newsinboxd" "$d$PREFIX/sbin/newsinboxd"
install -m 0755 "$BUILD_DIR/newsinboxctl" "$d$PREFIX/bin/newsinboxctl"
install -m 0755 "$BUILD_DIR/newsinbox" "$d$PREFIX/bin/newsinbox"

# The units name /usr/sbin and /etc; point them at where things actually go.
for unit in newsinboxd.service newsinboxd.socket; do
    sed -e "s|/usr/sbin/newsinboxd|$PREFIX/sbin/newsinboxd|g" \
        -e "s|/etc/newsinbox/|$SYSCONFDIR/newsinbox/|g" \
        "$root/deploy/$unit" > "$d$UNITDIR/$unit"
    chmod 0644 "$d$UNITDIR/$unit"
done
install -m 0644 "$root/deploy/newsinbox.sysusers" "$d$SYSUSERSDIR/newsinbox.conf"
install -m 0644 "$root/deploy/newsinbox.tmpfiles" "$d$TMPFILESDIR/newsinbox.conf"
# journalctl -x explains each MESSAGE_ID the daemon sends (compiled by journalctl --update-catalog).
install -m 0644 "$root/deploy/newsinboxd.catalog" "$d$CATALOGDIR/newsinboxd.catalog"

# Never overwrite an operator's edited config.
if [ -e "$d$SYSCONFDIR/newsinbox/newsinboxd.conf" ]; then
    install -m 0644 "$root/config/newsinboxd.conf" "$d$SYSCONFDIR/newsinbox/newsinboxd.conf.dist"
    echo "install.sh: kept $d$SYSCONFDIR/newsinbox/newsinboxd.conf; the new default is newsinboxd.conf.dist"
else
    install -m 0644 "$root/config/newsinboxd.conf" "$d$SYSCONFDIR/newsinbox/newsinboxd.conf"
fi

install -m 0644 "$root/deploy/newsinboxd.8" "$root/deploy/newsinboxctl.8" "$d$PREFIX/share/man/man8/"
install -m 0644 "$root/deploy/newsinboxd.conf.5" "$d$PREFIX/share/man/man5/"
if [ "$GZIP_MAN" = 1 ]; then
    gzip -9nf "$d$PREFIX/share/man/man8/newsinboxd.8" "$d$PREFIX/share/man/man8/newsinboxctl.8" \
        "$d$PREFIX/share/man/man5/newsinboxd.conf.5"
fi

# Models are looked up at <executable dir>/../share/newsinbox/models.
if [ -d "$root/models" ]; then
    cp -R "$root/models/." "$d$PREFIX/share/newsinbox/models/"
    find "$d$PREFIX/share/newsinbox/models" -type d -exec chmod 0755 {} + -o -type f -exec chmod 0644 {} +
fi

for doc in README.md; do
    [ -f "$root/$doc" ] && install -m 0644 "$root/$doc" "$d$PREFIX/share/doc/newsinbox/"
done
echo "install.sh: installed into ${DESTDIR:-/} (PREFIX=$PREFIX)"
