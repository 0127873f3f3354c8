#!/usr/bin/env python3
"""Draws the BBC articles for the quote gold: a fixed seed, the same number from every category.

Usage: docs/annotation/quotes-sample.py [CORPUS_DIR]   (default ../shared/corpora/bbc)
Prints one line per article: <split> <category>/<file>. An article qualifies when it is valid UTF-8 and
holds at least one quotation mark. Within each category the drawn articles alternate dev, heldout, dev, ...
in draw order, the alternation running on across categories (dev 23, heldout 22), so both halves hold
every category.
"""
import os
import random
import sys

SEED = 14          # issue 14
PER_CATEGORY = 9
CATEGORIES = ["business", "entertainment", "politics", "sport", "tech"]


def main():
    corpus = sys.argv[1] if len(sys.argv) > 1 else "../shared/corpora/bbc"
    rng = random.Random(SEED)
    drawn = 0
    for category in CATEGORIES:
        eligible = []
        for name in sorted(os.listdir(os.path.join(corpus, category))):
            if not name.endswith(".txt"):
                continue
            try:
                text = open(os.path.join(corpus, category, name), encoding="utf-8").read()
            except UnicodeDecodeError:
                continue
            if '"' in text or "\u201c" in text:
                eligible.append(name)
        for name in rng.sample(eligible, PER_CATEGORY):
            print(("dev" if drawn % 2 == 0 else "heldout"), f"{category}/{name}")
            drawn += 1


if __name__ == "__main__":
    main()
