#!/usr/bin/env python3
"""HTML body extraction on the article-extraction pages, development and held-out halves side by side.

    benchmarks/html-split.py record LABEL [--binary .build/debug/newsinbox] [--corpus ../shared/corpora/article-html]
                                         [--results benchmarks/results/html-split.json]
    benchmarks/html-split.py table [--results benchmarks/results/html-split.json]

`record` runs `newsinbox eval html CORPUS --verbose` once, splits the per-page scores the way
`newsinbox eval html --split` does (the page ids are SHA-256 hex digests; an even first hex digit is the
development half, 30 pages, an odd one the held-out half, 31) and stores precision, recall and F1 of each
half under LABEL with the commit and the date. It reads the per-page lines rather than running the two
splits, so a build from before `--split` existed (a baseline) is measured the same way. `table` prints the
stored runs as a Markdown table, in the order they were recorded.

Rules are chosen on the development half only; the held-out half is reported, never tuned on.
"""
import argparse
import datetime
import json
import os
import re
import subprocess
import sys

LINE = re.compile(r"^([0-9a-f]{12})  P (\S+)  R (\S+)  F1 (\S+)")


def split_of(page_id):
    return "dev" if int(page_id[0], 16) % 2 == 0 else "heldout"


def record(args):
    out = subprocess.run([args.binary, "eval", "html", args.corpus, "--verbose"], capture_output=True, text=True, check=True).stdout
    halves = {"dev": [], "heldout": []}
    rate = None
    for line in out.splitlines():
        m = LINE.match(line)
        if m:
            halves[split_of(m.group(1))].append(tuple(float(x) for x in m.group(2, 3, 4)))
        elif line.startswith("pages/s"):
            rate = int(line.split()[1])
    if not halves["dev"] or not halves["heldout"]:
        sys.exit("html-split: no per-page lines in the output of eval html")
    commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True,
                            cwd=os.path.dirname(os.path.abspath(args.binary))).stdout.strip()
    entry = {"label": args.label, "commit": commit or "?", "binary": args.binary,
             "measured_at": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
             "pages_per_cpu_second": rate}
    for name, scores in halves.items():
        n = len(scores)
        entry[name] = {"pages": n, "precision": round(sum(s[0] for s in scores) / n, 4),
                       "recall": round(sum(s[1] for s in scores) / n, 4), "f1": round(sum(s[2] for s in scores) / n, 4)}
    runs = load(args.results)
    runs = [r for r in runs if r["label"] != args.label] + [entry]
    with open(args.results, "w") as f:
        json.dump(runs, f, indent=2)
        f.write("\n")
    print_table(runs)


def load(path):
    if not os.path.exists(path):
        return []
    with open(path) as f:
        return json.load(f)


def print_table(runs):
    print("| run | commit | dev P | dev R | **dev F1** | held-out P | held-out R | **held-out F1** |")
    print("|---|---|---|---|---|---|---|---|")
    for r in runs:
        d, h = r["dev"], r["heldout"]
        print(f"| {r['label']} | {r['commit']} | {d['precision']:.4f} | {d['recall']:.4f} | **{d['f1']:.4f}** "
              f"| {h['precision']:.4f} | {h['recall']:.4f} | **{h['f1']:.4f}** |")
    print(f"\n(dev {runs[0]['dev']['pages']} pages, held-out {runs[0]['heldout']['pages']} pages; "
          "`newsinbox eval html ../shared/corpora/article-html --split dev|heldout`)" if runs else "no runs recorded")


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="command", required=True)
    rec = sub.add_parser("record")
    rec.add_argument("label")
    rec.add_argument("--binary", default=".build/debug/newsinbox")
    rec.add_argument("--corpus", default="../shared/corpora/article-html")
    rec.add_argument("--results", default="benchmarks/results/html-split.json")
    tab = sub.add_parser("table")
    tab.add_argument("--results", default="benchmarks/results/html-split.json")
    args = parser.parse_args()
    if args.command == "record":
        record(args)
    else:
        print_table(load(args.results))


if __name__ == "__main__":
    main()
