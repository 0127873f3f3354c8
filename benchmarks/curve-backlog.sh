#!/usr/bin/env bash
# Throughput of newsinboxd against workers and backlog size, files on tmpfs (no fsync cost).
#
#   benchmarks/curve-backlog.sh [--workers "1 2"] [--backlogs "2225 20000"] [--bin DIR]
#
# For each workers count and backlog size: a fresh daemon (config `workers = N`), that many BBC
# articles (each made unique by a copy-number line) renamed into the inbox at once, and the time until
# the last source is in done/. Prints articles/s and articles per CPU-second of the daemon (utime +
# stime from /proc), and peak RSS; the per-CPU-second figure is the one to compare on a shared machine.
set -euo pipefail
cd "$(dirname "$0")/.."
workers_list="1 2"
backlogs="2225 20000"
bin=.build/release
while [ $# -gt 0 ]; do
    case "$1" in
        --workers) workers_list="$2"; shift 2 ;;
        --backlogs) backlogs="$2"; shift 2 ;;
        --bin) bin="$2"; shift 2 ;;
        *) echo "usage: benchmarks/curve-backlog.sh [--workers LIST] [--backlogs LIST] [--bin DIR]" >&2; exit 2 ;;
    esac
done
corpus="${NEWSINBOX_CORPORA:-../shared/corpora}/bbc"
mapfile -t articles < <(find "$corpus" -name '*.txt' ! -name 'README*' | sort)
ticks=$(getconf CLK_TCK)
printf '%-8s %-8s %10s %12s %14s %8s\n' workers files seconds articles/s per-cpu-second rss-MB
for workers in $workers_list; do
    for files in $backlogs; do
        ws=$(mktemp -d /dev/shm/newsinbox-curve.XXXXXX)
        mkdir -p "$ws"/{inbox,out,state,stage/batch}
        printf 'workers = %s\n' "$workers" > "$ws/newsinboxd.conf"
        for ((k = 0; k < files; k++)); do
            { cat "${articles[$((k % ${#articles[@]}))]}"; printf '\n\nCopy %d.\n' "$k"; } > "$ws/stage/batch/$k.txt"
        done
        "$bin/newsinboxd" --config "$ws/newsinboxd.conf" --inbox "$ws/inbox" --output "$ws/out" --state "$ws/state" \
            --control-socket "$ws/control.sock" --foreground >"$ws/log" 2>&1 &
        pid=$!
        for _ in $(seq 100); do [ -S "$ws/control.sock" ] && break; sleep 0.1; done
        t0=$(date +%s.%N)
        mv "$ws/stage/batch" "$ws/inbox/batch"
        while [ "$(find "$ws/state/done" -type f 2>/dev/null | wc -l)" -lt "$files" ]; do sleep 0.2; done
        t1=$(date +%s.%N)
        read -r -a stat < "/proc/$pid/stat"
        rss=$(awk '/VmHWM/ {print $2}' "/proc/$pid/status")
        kill -TERM "$pid"; wait "$pid" || true
        cpu=$(echo "(${stat[13]} + ${stat[14]}) / $ticks" | bc -l)
        wall=$(echo "$t1 - $t0" | bc -l)
        printf '%-8s %-8s %10.1f %12.0f %14.0f %8.1f\n' "$workers" "$files" "$wall" "$(echo "$files / $wall" | bc -l)" \
            "$(echo "$files / $cpu" | bc -l)" "$(echo "$rss / 1024" | bc -l)"
        rm -rf "$ws"
    done
done
