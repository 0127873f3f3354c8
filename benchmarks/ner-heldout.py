#!/usr/bin/env python3
"""The entity tagger on the held-out protocol: CoNLL-2003 dev split by document, odd documents (1st, 3rd, ...
in file order) to tune on, even documents held out. Every feature and epoch is chosen on the odd half only.

    benchmarks/ner-heldout.py run [--binary .build-release/release/newsinbox] [--models models]
                                  [--label NAME] [--benchmark 5] [--out benchmarks/results/ner-heldout.json]
        tags both halves, prints the table, writes the results file (with --benchmark, tokens/s too)
    benchmarks/ner-heldout.py render [--results ...] [--check]
        rewrites the <!-- ner-heldout:begin --> ... <!-- ner-heldout:end --> sections of README.md and
        models/README.md from the results file, and models/README.md's <!-- ner-steps:begin --> ... end
        section from benchmarks/results/ner-steps/*.json (one `run --out` per step tried; --check: fail if
        they differ)
"""
import glob
import argparse
import importlib.util
import json
import os
import re
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
DEV = os.path.join(ROOT, "..", "shared", "corpora", "conll2003", "dev.txt")
BEGIN, END = "<!-- ner-heldout:begin -->", "<!-- ner-heldout:end -->"
STEPS_BEGIN, STEPS_END = "<!-- ner-steps:begin -->", "<!-- ner-steps:end -->"
STEPS = os.path.join(HERE, "results", "ner-steps")
LINE = re.compile(r"^\s*(\S+)\s*: precision:\s*([\d.]+)%; recall:\s*([\d.]+)%; FB1:\s*([\d.]+)")
OVERALL = re.compile(r"precision:\s*([\d.]+)%; recall:\s*([\d.]+)%; FB1:\s*([\d.]+)")
SPEED = re.compile(r"CPU on one thread \((\d+) tokens/s\)")


def evaluate(binary, models, half, benchmark=0):
    command = [binary, "eval", "conll", DEV, "--documents", half, "--models", models]
    if benchmark:
        command += ["--benchmark", str(benchmark)]
    out = subprocess.run(command, check=True, capture_output=True, text=True).stdout
    scores = {}
    for line in out.splitlines():
        m = LINE.match(line)
        if m and m.group(1) in ("PER", "ORG", "LOC", "MISC"):
            scores[m.group(1)] = {"p": float(m.group(2)), "r": float(m.group(3)), "f1": float(m.group(4))}
        elif line.startswith("accuracy:"):
            m = OVERALL.search(line)
            scores["overall"] = {"p": float(m.group(1)), "r": float(m.group(2)), "f1": float(m.group(3))}
    speed = SPEED.search(out)
    return scores, int(speed.group(1)) if speed else None


def table(results):
    rows = ["| | tuning half (odd documents) | held-out half (even documents) |", "|---|---|---|"]
    for key in ("overall", "PER", "ORG", "LOC", "MISC"):
        t, h = results["odd"][key], results["even"][key]
        name = "**F1**" if key == "overall" else key
        rows.append(f"| {name} | {t['f1']:.2f} (P {t['p']:.2f}, R {t['r']:.2f}) | {h['f1']:.2f} (P {h['p']:.2f}, R {h['r']:.2f}) |")
    return "\n".join(rows)


def render_section(r):
    out = [f"CoNLL-2003 dev split by document (`benchmarks/ner-heldout.py`; model `{r['label']}`): features and epoch "
           "chosen on the odd documents only, the even documents held out.", "", table(r)]
    if r.get("tokens_per_second"):
        out += ["", f"Tagging speed: {r['tokens_per_second']:,} tokens/s of one thread's CPU time (release build, "
                "`newsinbox eval conll ../shared/corpora/conll2003/dev.txt --benchmark N`)."]
    out += ["", "    newsinbox eval conll ../shared/corpora/conll2003/dev.txt --documents odd    # tuning half",
            "    newsinbox eval conll ../shared/corpora/conll2003/dev.txt --documents even   # held-out half"]
    return "\n".join(out)


def render_steps():
    rows = ["| step | tuning half F1 | held-out half F1 | ORG tuning / held out | MISC tuning / held out | ner.model |",
            "|---|---|---|---|---|---|"]
    for path in sorted(glob.glob(os.path.join(STEPS, "*.json"))):
        with open(path) as f:
            r = json.load(f)
        size = f"{r['model_bytes'] / 1e6:.1f} MB" if r.get("model_bytes") else "?"
        rows.append(f"| {r['label']} | {r['odd']['overall']['f1']:.2f} | {r['even']['overall']['f1']:.2f} | "
                    f"{r['odd']['ORG']['f1']:.2f} / {r['even']['ORG']['f1']:.2f} | "
                    f"{r['odd']['MISC']['f1']:.2f} / {r['even']['MISC']['f1']:.2f} | {size} |")
    return "\n".join(rows)


def replace_section(text, body, name, begin=BEGIN, end=END):
    """render-readme.py's section splice, shared rather than written twice."""
    spec = importlib.util.spec_from_file_location("render_readme", os.path.join(HERE, "render-readme.py"))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.replace_section(text, begin, end, body, name)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("command", choices=["run", "render"])
    parser.add_argument("--binary", default=os.path.join(ROOT, ".build-release", "release", "newsinbox"))
    parser.add_argument("--models", default=os.path.join(ROOT, "models"))
    parser.add_argument("--label", default="models/ner.model")
    parser.add_argument("--benchmark", type=int, default=0)
    parser.add_argument("--results", "--out", dest="results", default=os.path.join(HERE, "results", "ner-heldout.json"))
    parser.add_argument("--check", action="store_true")
    args = parser.parse_args()
    if args.command == "run":
        results = {"label": args.label}
        model = os.path.join(args.models, "ner.model")
        if os.path.exists(model):
            results["model_bytes"] = os.path.getsize(model)
        for half in ("odd", "even"):
            results[half], _ = evaluate(args.binary, args.models, half)
        if args.benchmark:
            _, results["tokens_per_second"] = evaluate(args.binary, args.models, "all", args.benchmark)
        print(table(results))
        if results.get("tokens_per_second"):
            print(f"\ntokens/s (one thread's CPU time): {results['tokens_per_second']:,}")
        with open(args.results, "w") as f:
            json.dump(results, f, indent=1, sort_keys=True)
            f.write("\n")
        return
    with open(args.results) as f:
        results = json.load(f)
    body = render_section(results)
    for name in ("README.md", os.path.join("models", "README.md")):
        path = os.path.join(ROOT, name)
        with open(path) as f:
            text = f.read()
        new = replace_section(text, body, name)
        if name.startswith("models"):
            new = replace_section(new, render_steps(), name, STEPS_BEGIN, STEPS_END)
        if args.check:
            if new != text:
                sys.exit(f"ner-heldout: {name} differs from what {args.results} renders")
        else:
            with open(path, "w") as f:
                f.write(new)


if __name__ == "__main__":
    main()
