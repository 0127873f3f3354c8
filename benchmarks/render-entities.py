#!/usr/bin/env python3
"""Prints the entity scores on our BBC gold, dev and held-out side by side, and renders the README's
"entities per article" row of the held-out table from them.

    benchmarks/render-entities.py [benchmarks/results/entities-bbc.json] [--before benchmarks/results/entities-bbc-baseline.json]
    benchmarks/render-entities.py --readme README.md [--check]

The results come from benchmarks/entity-eval.sh; the baseline is the same run on the commit before the
resolution work (docs/annotation/entities.md).
"""
import argparse
import json
import sys

ROW = "| entities per article |"


def line(s):
    o, t = s["overall"], s["by_type"]
    return (f"F1 {o['f1']:.3f} (P {o['precision']:.3f}, R {o['recall']:.3f}); PERSON {t['PERSON']['f1']:.3f}, "
            f"ORG {t['ORG']['f1']:.3f} (P {t['ORG']['precision']:.3f}), PLACE {t['PLACE']['f1']:.3f}; "
            f"{s['splits']} splits, {s['over_merges']} over-merges, {s['wrongly_typed']} wrongly typed")


def table(runs):
    names = list(runs)
    rows = [("articles", lambda s: str(s["articles"])),
            ("gold entities", lambda s: str(s["overall"]["tp"] + s["overall"]["fn"]))]
    rows.append(("F1", lambda s: f"{s['overall']['f1']:.3f}"))
    rows.append(("P / R", lambda s: f"{s['overall']['precision']:.3f} / {s['overall']['recall']:.3f}"))
    for t in ("PERSON", "ORG", "PLACE"):
        rows.append((f"{t} F1 (P)", lambda s, t=t: f"{s['by_type'][t]['f1']:.3f} ({s['by_type'][t]['precision']:.3f})"))
    for key, label in (("splits", "splits"), ("over_merges", "over-merges"), ("wrongly_typed", "wrongly typed")):
        rows.append((label, lambda s, key=key: str(s[key])))
    header = ["", *[f"{n} {split}" for n in names for split in ("dev", "heldout")]]
    out = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    for label, f in rows:
        out.append("| " + " | ".join([label, *[f(runs[n][split]) for n in names for split in ("dev", "heldout")]]) + " |")
    return "\n".join(out)


def readme_row(r):
    return (f"{ROW} our BBC gold, dev half ({r['dev']['articles']} articles): {line(r['dev'])} | "
            f"held-out half ({r['heldout']['articles']} articles, `benchmarks/entity-eval.sh`): {line(r['heldout'])} |")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("results", nargs="?", default="benchmarks/results/entities-bbc.json")
    parser.add_argument("--before")
    parser.add_argument("--readme")
    parser.add_argument("--check", action="store_true")
    args = parser.parse_args()
    after = json.load(open(args.results))
    if args.readme:
        text = open(args.readme).read()
        lines = text.split("\n")
        hits = [i for i, l in enumerate(lines) if l.startswith(ROW)]
        if len(hits) != 1:
            sys.exit(f"render-entities: {args.readme} has {len(hits)} '{ROW}' rows, not 1")
        lines[hits[0]] = readme_row(after)
        new = "\n".join(lines)
        if args.check:
            if new != text:
                sys.exit(f"render-entities: {args.readme} differs from what {args.results} renders")
            return
        open(args.readme, "w").write(new)
        return
    runs = {}
    if args.before:
        before = json.load(open(args.before))
        runs[f"before ({before['commit']})"] = before
    runs[f"after ({after['commit']})"] = after
    print(table(runs))


if __name__ == "__main__":
    main()
