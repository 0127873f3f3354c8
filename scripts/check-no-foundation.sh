#!/usr/bin/env bash
# The shipped modules import FoundationEssentials, never Foundation: on Linux, Foundation brings ICU and
# its 30 MB of data into the static binary (README, Deployment). Tests may import Foundation.
set -euo pipefail
cd "$(dirname "$0")/.."
found=$(grep -rnE '^\s*(@[A-Za-z_]+(\([^)]*\))?\s+)*((public|package|internal|private|fileprivate)\s+)?import\s+(Foundation|FoundationInternationalization|FoundationNetworking|FoundationXML)\s*$' Sources || true)
if [ -n "$found" ]; then
    echo "check-no-foundation: these shipped sources import Foundation (use FoundationEssentials, the standard library or libc):" >&2
    echo "$found" >&2
    exit 1
fi
echo "check-no-foundation: ok (no shipped module imports Foundation)"
