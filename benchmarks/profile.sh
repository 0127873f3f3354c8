#!/usr/bin/env bash
# Instruction profile of extraction: callgrind over `newsinbox bench extract` on a batch of BBC articles.
#
#   benchmarks/profile.sh [ARTICLES]     (default 40) -> benchmarks/results/profile-extract.txt
#
# valgrind 3.19 (Debian 12) cannot read the DWARF 5 that Swift 6.3 emits, so the profiled copy has its debug
# info stripped: functions are named from the symbol table, which is what the report needs.
set -euo pipefail
cd "$(dirname "$0")/.."
articles="${1:-40}"
export NEWSINBOX_CORPORA="${NEWSINBOX_CORPORA:-../shared/corpora}"
swift build -c release --scratch-path .build-release -Xswiftc -g --product newsinbox >/dev/null
tmp="$(mktemp -d /tmp/newsinbox-profile.XXXXXX)"
trap 'rm -rf "$tmp"' EXIT
objcopy --strip-debug .build-release/release/newsinbox "$tmp/newsinbox"
valgrind --tool=callgrind --callgrind-out-file="$tmp/callgrind.out" "$tmp/newsinbox" bench extract \
    --corpus "$NEWSINBOX_CORPORA/bbc" --limit "$articles" --repeats 1 --model-dir models >/dev/null 2>"$tmp/valgrind.log"
out=benchmarks/results/profile-extract.txt
{
    echo "# callgrind: newsinbox bench extract --limit $articles --repeats 1 (extract runs twice per article; model load included)"
    echo "# commit $(git rev-parse --short HEAD), $(date -u +%Y-%m-%dT%H:%MZ)"
    echo "## inclusive, functions of the newsinbox binary"
    callgrind_annotate --inclusive=yes "$tmp/callgrind.out" | swift demangle --simplified | grep -F "$tmp/newsinbox]" \
        | grep -v "Profiled target" | sed "s| \[$tmp/newsinbox\]||; s|???:||" | head -45
    echo
    echo "## self, all objects"
    callgrind_annotate "$tmp/callgrind.out" | swift demangle --simplified | sed -n '/file:function/,$p' | sed -n 3,32p \
        | sed "s|???:||; s| \[/opt/swift/usr/lib/swift/linux/| [|; s| \[$tmp/newsinbox\]| [newsinbox]|" | cut -c1-190
} >"$out"
echo "profile: $out"
sed -n 1,25p "$out"
