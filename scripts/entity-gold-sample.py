#!/usr/bin/env python3
"""Prints the BBC articles of the entity gold and their split (docs/annotation/entities.md, "The articles").

Run from the repository root with ../shared/corpora beside it; --check compares the list with
docs/annotation/bbc-entities.txt.
"""
import os
import random
import sys

CATEGORIES = ["business", "entertainment", "politics", "sport", "tech"]
USED_ELSEWHERE = {"sport/199.txt", "tech/363.txt"}  # other tests in the repository read these


def sample(root="../shared/corpora/bbc", seed=14, per_category=8):
    rng = random.Random(seed)
    chosen = []
    for category in CATEGORIES:
        files = sorted(f for f in os.listdir(os.path.join(root, category)) if f.endswith(".txt"))
        picked = [f"{category}/{f}" for f in rng.sample(files, 12)]
        picked = [p for p in picked if p not in USED_ELSEWHERE][:per_category]
        chosen += [(p, "dev" if i % 2 == 0 else "heldout") for i, p in enumerate(picked)]
    return chosen


def main():
    chosen = sample()
    if "--check" in sys.argv[1:]:
        annotated = [tuple(line[2:].split()) for line in open("docs/annotation/bbc-entities.txt", encoding="utf-8")
                     if line.startswith("# ") and line.split()[1].endswith(".txt")]
        if sorted(annotated) != sorted(chosen):
            sys.exit("docs/annotation/bbc-entities.txt does not annotate the sampled articles")
        return
    for path, split in chosen:
        print(path, split)


if __name__ == "__main__":
    main()
