#!/usr/bin/env python3
"""Scores the time tagger on the dev and held-out parts of TimeBank + AQUAINT, side by side.

    benchmarks/timeml-split.py [--newsinbox PATH] [--corpus DIR] [--record NAME] [--results FILE]
    benchmarks/timeml-split.py --render [--results FILE] [--readme README.md] [--check]

The split is fixed (`newsinbox eval timeml --split dev|heldout`: a hash of the document name, see
TimeMLSplit in Sources/ExtractionTraining/TimeML.swift). Rules are chosen on dev; held-out is scored once a
change is done. --record NAME stores the run in the results file (default benchmarks/results/timeml.json)
under NAME ("baseline" for the code before the held-out work, "current" for the code of the commit).
--render rewrites the README between `<!-- eval-timeml:begin -->` and `<!-- eval-timeml:end -->` from the
results file; --check exits 1 when the README differs from what the results file renders.
"""
import argparse
import datetime
import json
import os
import re
import subprocess
import sys

BEGIN, END = "<!-- eval-timeml:begin -->", "<!-- eval-timeml:end -->"
ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
COMMAND = "newsinbox eval timeml ../shared/corpora/timeml --split dev|heldout"


def parse(output):
    r = {}
    patterns = {
        "documents": r"documents (\d+)", "gold": r"gold (\d+)", "found": r"found (\d+)",
        "strict_f1": r"strict\s+F1 ([\d.]+)", "relaxed_f1": r"relaxed F1 ([\d.]+)",
        "relaxed_p": r"relaxed F1 [\d.]+\s+\(P ([\d.]+)", "relaxed_r": r"relaxed F1 [\d.]+\s+\(P [\d.]+ R ([\d.]+)",
        "value_accuracy": r"value accuracy ([\d.]+)", "value_f1": r"value F1 ([\d.]+)",
        "type_accuracy": r"type accuracy ([\d.]+)",
        "mb_per_cpu_second": r"speed ([\d.]+) MB/s of CPU time",
    }
    for key, pattern in patterns.items():
        m = re.search(pattern, output)
        if not m:
            sys.exit(f"timeml-split: no '{key}' in the output of newsinbox eval timeml:\n{output}")
        r[key] = float(m.group(1)) if "." in m.group(1) else int(m.group(1))
    return r


def run(binary, corpus, split):
    out = subprocess.run([binary, "eval", "timeml", corpus, "--split", split], check=True,
                         capture_output=True, text=True).stdout
    return parse(out)


ROWS = [("documents", "documents"), ("gold", "gold expressions"), ("found", "found"),
        ("relaxed_f1", "relaxed F1"), ("relaxed_p", "relaxed P"), ("relaxed_r", "relaxed R"),
        ("strict_f1", "strict F1"), ("value_f1", "value F1"), ("value_accuracy", "value accuracy"),
        ("type_accuracy", "type accuracy")]


def side_by_side(parts):
    lines = [f"{'':18} {'dev':>8} {'held out':>9}"]
    for key, label in ROWS:
        lines.append(f"{label:18} {parts['dev'][key]:>8} {parts['heldout'][key]:>9}")
    return "\n".join(lines)


def render(results):
    runs = results.get("runs", {})
    out = [f"Time expressions on the fixed split of TimeBank + AQUAINT (`{COMMAND}`; rendered from "
           "`benchmarks/results/timeml.json` by `benchmarks/timeml-split.py --render`). The rules are chosen on "
           "dev; the held-out part is scored once a change is done (docs/time.md: the split, the error classes). The "
           "baseline's rules had been tuned on both halves, so its held-out column is not a held-out score.", ""]
    names = [n for n in ("baseline", "current") if n in runs]
    header = "| | " + " | ".join(f"{n} ({runs[n]['commit']}) dev | held out" for n in names) + " |"
    out.append(header)
    out.append("|---|" + "---:|---:|" * len(names))
    for key, label in [("documents", "documents"), ("gold", "expressions"), ("relaxed_f1", "relaxed F1"),
                       ("strict_f1", "strict F1"), ("value_f1", "value F1"), ("value_accuracy", "value accuracy")]:
        cells = []
        for n in names:
            for part in ("dev", "heldout"):
                v = runs[n][part][key]
                cells.append(f"**{v}**" if key in ("relaxed_f1", "value_f1") and part == "heldout" else str(v))
        out.append(f"| {label} | " + " | ".join(cells) + " |")
    return "\n".join(out)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--newsinbox", default=os.path.join(ROOT, ".build/debug/newsinbox"))
    ap.add_argument("--corpus", default=os.path.join(ROOT, "../shared/corpora/timeml"))
    ap.add_argument("--results", default=os.path.join(ROOT, "benchmarks/results/timeml.json"))
    ap.add_argument("--record", help="store this run in the results file under this name")
    ap.add_argument("--render", action="store_true")
    ap.add_argument("--readme", default=os.path.join(ROOT, "README.md"))
    ap.add_argument("--check", action="store_true")
    a = ap.parse_args()

    if a.render:
        with open(a.results) as f:
            block = render(json.load(f))
        with open(a.readme) as f:
            readme = f.read()
        start, end = readme.find(BEGIN), readme.find(END)
        if start < 0 or end < start:
            sys.exit(f"timeml-split: no {BEGIN} ... {END} in {a.readme}")
        updated = readme[:start + len(BEGIN)] + "\n" + block + "\n" + readme[end:]
        if a.check:
            sys.exit(0 if updated == readme else 1)
        with open(a.readme, "w") as f:
            f.write(updated)
        return

    parts = {split: run(a.newsinbox, a.corpus, split) for split in ("dev", "heldout")}
    print(side_by_side(parts))
    if a.record:
        commit = subprocess.run(["git", "-C", ROOT, "rev-parse", "--short", "HEAD"], capture_output=True,
                                text=True).stdout.strip()
        results = {"runs": {}}
        if os.path.exists(a.results):
            with open(a.results) as f:
                results = json.load(f)
        results["runs"][a.record] = {"commit": commit, "measured_at": datetime.datetime.now(datetime.timezone.utc)
                                     .strftime("%Y-%m-%dT%H:%MZ"), **parts}
        with open(a.results, "w") as f:
            json.dump(results, f, indent=1, sort_keys=True)
            f.write("\n")


if __name__ == "__main__":
    main()
