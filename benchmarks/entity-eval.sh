#!/bin/sh
# Scores the entity stage on both halves of our BBC entity gold (docs/annotation/entities.md) and writes
# benchmarks/results/entities-bbc.json (or $1): {"commit", "dev", "heldout"}.
# Usage: benchmarks/entity-eval.sh [OUT.json] [NEWSINBOX]   (from the repository root)
set -eu
out=${1:-benchmarks/results/entities-bbc.json}
tool=${2:-.build/debug/newsinbox}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
for split in dev heldout; do
    "$tool" eval entities docs/annotation/bbc-entities.jsonl --split "$split" --json "$tmp/$split.json"
done
commit=$(git rev-parse --short HEAD)
python3 - "$tmp" "$commit" "$out" <<'PY'
import json, sys
tmp, commit, out = sys.argv[1:]
result = {"commit": commit, "gold": "docs/annotation/bbc-entities.jsonl"}
for split in ("dev", "heldout"):
    result[split] = json.load(open(f"{tmp}/{split}.json"))
json.dump(result, open(out, "w"), indent=2, sort_keys=True)
open(out, "a").write("\n")
PY
echo "wrote $out"
