#!/usr/bin/env python3
"""Rewrites the quotes row of the README's held-out table from the quote-gold results files.

    benchmarks/render-quotes.py [--readme README.md] [--check]

Reads benchmarks/results/quotes-{dev,heldout}.json (written by `newsinbox eval quotes
docs/annotation/quotes-gold.jsonl --split dev|heldout --json FILE`) and quotes-{dev,heldout}-before.json
(the same on main before the quote work), and replaces the table row that starts with `| quotes |` after
the `| part | development (above) | held out |` header. --check exits 1 when the README differs.
"""
import argparse
import json
import sys

HEADER = "| part | development (above) | held out |"


def load(name):
    with open(f"benchmarks/results/{name}.json") as f:
        return json.load(f)


def figures(r):
    return (f"detection F1 {r['detection']['f1']:.3f}, attribution {r['attribution']:.3f}, "
            f"end to end **{r['end_to_end']['f1']:.3f}**")


def row():
    dev, held = load("quotes-dev"), load("quotes-heldout")
    dev0, held0 = load("quotes-dev-before"), load("quotes-heldout-before")
    scare = sum(v for k, v in held["false_positives"].items() if k != "none")
    return (f"| quotes | own BBC quote gold, dev half ({dev['articles']} articles, {dev['gold']} quotes): {figures(dev)} "
            f"(before the quote work: end to end {dev0['end_to_end']['f1']:.3f}) "
            f"| own gold, held-out half ({held['articles']} articles, {held['gold']} quotes): {figures(held)}; "
            f"continuation quotes end to end recall {held['continuation']['end_to_end_recall']:.3f}, "
            f"organisation speakers {held['organisation']['end_to_end_recall']:.3f} ({held['organisation']['gold']} quotes), "
            f"{scare} scare quotes or titles taken (before: end to end {held0['end_to_end']['f1']:.3f}, detection F1 "
            f"{held0['detection']['f1']:.3f}); `newsinbox eval quotes docs/annotation/quotes-gold.jsonl --split heldout`, "
            f"guidelines in `docs/annotation/quotes.md`. Outside measurement of 6d5d075 (24 articles): end to end 0.60 |")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--readme", default="README.md")
    parser.add_argument("--check", action="store_true")
    args = parser.parse_args()
    lines = open(args.readme).read().split("\n")
    try:
        start = lines.index(HEADER)
    except ValueError:
        sys.exit(f"no held-out table header in {args.readme}")
    for i in range(start + 1, len(lines)):
        if not lines[i].startswith("|"):
            sys.exit("no '| quotes |' row in the held-out table")
        if lines[i].startswith("| quotes |"):
            new = row()
            if args.check:
                sys.exit(0 if lines[i] == new else f"README quotes row differs from the results:\n{new}")
            lines[i] = new
            open(args.readme, "w").write("\n".join(lines))
            return


if __name__ == "__main__":
    main()
