#!/usr/bin/env python3
"""Cuts small fuzz seeds (paragraphs and sentences) out of corpus texts, at run time.

    cut-seeds.py OUT_DIR MAX_BYTES FILE...

The extractor's traps live at the edges of short texts, and libFuzzer runs short inputs hundreds of times
faster than whole articles: each seed is one paragraph or one sentence of at most MAX_BYTES bytes, with one
leading byte that the text targets read as the article date. TimeML files (.tml) have their tags removed.
The pick is deterministic (a fixed seed), so two runs start from the same corpus.
"""
import os
import random
import re
import sys

out, max_bytes, files = sys.argv[1], int(sys.argv[2]), sys.argv[3:]
pieces = set()
for path in files:
    with open(path, "rb") as f:
        text = f.read().decode("utf-8", "replace")
    if path.endswith(".tml"):
        text = re.sub(r"<[^>]*>", "", text)
    for paragraph in re.split(r"\n\s*\n", text):
        paragraph = paragraph.strip()
        if 20 <= len(paragraph.encode()) <= max_bytes - 1:
            pieces.add(paragraph)
        # Sentences: up to a terminator (with its closing quotes and brackets) and the space after it.
        for sentence in re.findall(r"[^.!?]+[.!?]+[\"'\u201d\u2019)\]]*", paragraph):
            sentence = sentence.strip()
            if 10 <= len(sentence.encode()) <= max_bytes - 1:
                pieces.add(sentence)
rng = random.Random(12)
chosen = rng.sample(sorted(pieces), min(len(pieces), 600))
os.makedirs(out, exist_ok=True)
for n, piece in enumerate(chosen):
    with open(os.path.join(out, "piece-%03d" % n), "wb") as f:
        f.write(bytes([rng.randrange(256)]) + piece.encode())
print(len(chosen))
