#!/bin/bash
# Lints deploy/: the units with systemd-analyze verify (any output is a failure: systemd 252 warns
# about unknown keys but still exits 0), their offline security exposure (must stay <= 2.0), that
# every man page they name exists, and the man pages themselves with man --warnings.
# Needs no build and no PID 1: the units are checked in a scratch root with stand-in executables.
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
units=(newsinboxd.service newsinboxd.socket newsinboxd-metrics.socket)
failures=0
problem() { echo "lint-units: $*" >&2; failures=$((failures + 1)); }

command -v systemd-analyze >/dev/null || { echo "lint-units: systemd-analyze not found (apt-get install systemd)" >&2; exit 1; }

scratch=$(mktemp -d "${TMPDIR:-/tmp}/lint-units.XXXXXX")
trap 'rm -rf "$scratch"' EXIT
unitdir=$scratch/usr/lib/systemd/system
mkdir -p "$unitdir"
# The targets the units' default dependencies pull in.
cp /lib/systemd/system/*.target "$unitdir/"
for unit in "${units[@]}"; do cp "$root/deploy/$unit" "$unitdir/"; done
# Stand-ins for every absolute executable the units run, so verify checks the paths they name.
for exe in $(sed -n 's/^Exec[A-Za-z]*=[-@:+!]*\(\/[^ ]*\).*/\1/p' "$root"/deploy/*.service | sort -u); do
    mkdir -p "$scratch$(dirname "$exe")"
    printf '#!/bin/sh\n' > "$scratch$exe"
    chmod +x "$scratch$exe"
done

output=$(cd "$scratch" && systemd-analyze verify --root="$scratch" --man=no "${units[@]}" 2>&1) || problem "systemd-analyze verify failed"
[ -z "$output" ] || problem "systemd-analyze verify reported:
$output"

exposure=$(systemd-analyze security --offline=true --root="$scratch" newsinboxd.service 2>/dev/null \
    | sed -n 's/.*Overall exposure level for newsinboxd.service: \([0-9.]*\).*/\1/p')
if [ -z "$exposure" ]; then
    problem "systemd-analyze security gave no exposure level"
elif ! awk -v e="$exposure" 'BEGIN { exit !(e <= 2.0) }'; then
    problem "newsinboxd.service exposure $exposure is above 2.0"
fi

for page in $(sed -n 's/^Documentation=//p' "$root"/deploy/*.service "$root"/deploy/*.socket | tr ' ' '\n' | sed -n 's/^man:\(.*\)(\([0-9]\))$/\1.\2/p' | sort -u); do
    if [ ! -f "$root/deploy/$page" ]; then
        problem "Documentation= names man:$page but deploy/$page does not exist"
    elif command -v man >/dev/null; then
        warnings=$(LC_ALL=C.UTF-8 MANWIDTH=80 man --warnings -l "$root/deploy/$page" 2>&1 >/dev/null) || true
        [ -z "$warnings" ] || problem "man --warnings deploy/$page:
$warnings"
    fi
done

# The maintainer scripts (changelog and copyright are not shell).
for f in "$root"/deploy/debian/{preinst,postinst,prerm,postrm}; do [ -e "$f" ] || continue; sh -n "$f" || problem "sh -n $f failed"; done

if [ "$failures" -gt 0 ]; then
    echo "lint-units: FAIL ($failures problems)" >&2
    exit 1
fi
echo "lint-units: OK (${units[*]}; offline exposure $exposure)"
