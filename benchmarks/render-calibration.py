#!/usr/bin/env python3
"""Rewrites the entity-confidence figures in the READMEs from a results file, so they cannot drift from it.

    benchmarks/render-calibration.py [benchmarks/results/calibration.json] [--readme README.md ...] [--check]

The results file is written by
    newsinbox eval calibration ../shared/corpora/conll2003/dev.txt --results benchmarks/results/calibration.json
(or by `newsinbox train calibration ... --results`). Everything between `<!-- calibration:begin -->` and
`<!-- calibration:end -->` in each README (default: README.md and models/README.md) is replaced. --check exits 1
when a README is not what the results file renders.
"""
import argparse
import json
import sys

BEGIN, END = "<!-- calibration:begin -->", "<!-- calibration:end -->"


def render(r):
    out = []
    out.append(
        f"Measured by `{r['command']} --results benchmarks/results/calibration.json`; split: {r['split']}. "
        f"Calibration: lattice temperature {r['temperature']:.4g}, mention Platt a {r['mention_platt']['a']:.3f} "
        f"b {r['mention_platt']['b']:.3f}, entity Platt a {r['entity_platt']['a']:.3f} b {r['entity_platt']['b']:.3f}. "
        "Rendered by `benchmarks/render-calibration.py`.")
    out.append("")
    out.append("| level | half | documents | n | right | mean confidence | ECE (10 bins) | Brier |")
    out.append("|---|---|---|---|---|---|---|---|")
    for level, what in (("mentions", "mentions (exact span and type)"), ("entities", "entities (name and type)")):
        for half, name in (("calibration_half", "fitted on (odd)"), ("held_out_half", "**held out** (even)")):
            h = r[half]
            m = h[level]
            out.append(f"| {what} | {name} | {h['documents']} | {m['count']:,} | {m['accuracy']:.3f} | "
                       f"{m['mean_confidence']:.3f} | **{m['ece']:.4f}** | {m['brier']:.4f} |")
    out.append("")
    out.append("Reliability on the held-out half (bins of confidence; n, mean confidence, share right):")
    out.append("")
    out.append("| bin | mentions n | confidence | right | entities n | confidence | right |")
    out.append("|---|---|---|---|---|---|---|")
    mb, eb = r["held_out_half"]["mentions"]["bins"], r["held_out_half"]["entities"]["bins"]
    for m, e in zip(mb, eb):
        if m["count"] == 0 and e["count"] == 0:
            continue

        def cells(b):
            return f"{b['count']:,} | {b['mean_confidence']:.3f} | {b['accuracy']:.3f}" if b["count"] else "0 | - | -"
        out.append(f"| {m['lower']:.1f}-{m['upper']:.1f} | {cells(m)} | {cells(e)} |")
    return "\n".join(out)


def main():
    p = argparse.ArgumentParser()
    p.add_argument("results", nargs="?", default="benchmarks/results/calibration.json")
    p.add_argument("--readme", action="append")
    p.add_argument("--check", action="store_true")
    a = p.parse_args()
    with open(a.results) as f:
        body = render(json.load(f))
    stale = False
    for path in a.readme or ["README.md", "models/README.md"]:
        with open(path) as f:
            text = f.read()
        if BEGIN not in text or END not in text:
            sys.exit(f"{path}: no {BEGIN} ... {END} block")
        head, rest = text.split(BEGIN, 1)
        _, tail = rest.split(END, 1)
        new = head + BEGIN + "\n" + body + "\n" + END + tail
        if a.check:
            if new != text:
                print(f"{path}: not what {a.results} renders", file=sys.stderr)
                stale = True
        elif new != text:
            with open(path, "w") as f:
                f.write(new)
            print(f"rewrote {path}")
    sys.exit(1 if stale else 0)


if __name__ == "__main__":
    main()
