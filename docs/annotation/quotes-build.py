#!/usr/bin/env python3
"""Builds docs/annotation/quotes-gold.jsonl from the hand-written docs/annotation/quotes-annotations.txt.

Usage: docs/annotation/quotes-build.py [CORPUS_DIR]   (default ../shared/corpora/bbc)

The annotation file is written by hand, one block per article (see docs/annotation/quotes.md):

    @ politics/144.txt
    Q <first words of the quote> | <speaker, canonical> | person|org | <speaker as written or -> | <cue or -> [| cont] [| alt=Name;Name] [| nomark]
    O <first words> | <speaker or ->        a short (one or two word) attributed phrase: optional
    N <first words> | scare|title|nickname|word|other   quotation marks that do not hold a quote

The quoted text starts where the given first words start (which must follow a quotation mark) and runs to
the next double quotation mark, or to the end of its paragraph when none closes it. This script only turns
the first words into offsets ("nomark": the writer left out the opening mark); every judgement is in the annotation file. It checks that every double
quotation mark of the article is accounted for (each opening mark starts an annotated span) and stops on
any that is not, so no quoted span is silently left out.
Offsets count Unicode scalars of the file's text, as the extractor does; `end` excludes the closing mark.
"""
import json
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
MARKS = '"\u201c\u201d'


def paragraph_end(text, i):
    j = text.find("\n\n", i)
    end = len(text) if j < 0 else j
    while end > i and text[end - 1].isspace():
        end -= 1
    return end


def span_from(text, start):
    end = start
    stop = paragraph_end(text, start)
    while end < stop and text[end] not in MARKS:
        end += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return end


def main():
    corpus = sys.argv[1] if len(sys.argv) > 1 else os.path.join(HERE, "../../../shared/corpora/bbc")
    splits = {}
    for line in open(os.path.join(HERE, "quotes-sample.txt")):
        split, path = line.split()
        splits[path] = split
    articles = []
    current = None
    errors = []
    for number, raw in enumerate(open(os.path.join(HERE, "quotes-annotations.txt")), 1):
        line = raw.rstrip("\n")
        if not line.strip() or line.startswith("#"):
            continue
        if line.startswith("@ "):
            path = line[2:].strip()
            text = open(os.path.join(corpus, path), encoding="utf-8").read()
            current = {"article": path, "split": splits[path], "quotes": [], "optional": [], "non_quotes": [],
                       "_text": text, "_cursor": 0}
            articles.append(current)
            continue
        tag, rest = line[0], line[2:]
        fields = [f.strip() for f in rest.split("|")]
        text = current["_text"]
        start = text.find(fields[0], current["_cursor"])
        if start < 0:
            errors.append(f"line {number}: {fields[0]!r} not found in {current['article']} after offset {current['_cursor']}")
            continue
        if (start == 0 or text[start - 1] not in MARKS + "'\u2018") and "nomark" not in fields:
            errors.append(f"line {number}: {fields[0]!r} does not follow a quotation mark")
        end = span_from(text, start)
        current["_cursor"] = end
        record = {"start": start, "end": end, "text": text[start:end]}
        if tag == "Q":
            record.update(speaker=fields[1], speaker_type=fields[2],
                          surface=None if fields[3] == "-" else fields[3], cue=None if fields[4] == "-" else fields[4],
                          continuation="cont" in fields[5:])
            alt = [f[4:] for f in fields[5:] if f.startswith("alt=")]
            if alt:
                record["alternatives"] = alt[0].split(";")
            current["quotes"].append(record)
        elif tag == "O":
            record["speaker"] = None if len(fields) < 2 or fields[1] == "-" else fields[1]
            current["optional"].append(record)
        elif tag == "N":
            record["reason"] = fields[1]
            current["non_quotes"].append(record)
        else:
            errors.append(f"line {number}: unknown tag {tag!r}")
    # Every opening double mark must start an annotated span.
    for article in articles:
        text = article["_text"]
        starts = {r["start"] for key in ("quotes", "optional", "non_quotes") for r in article[key]}
        covered = [(r["start"], r["end"]) for key in ("quotes", "optional", "non_quotes") for r in article[key]]
        for i, c in enumerate(text):
            if c not in MARKS or any(a <= i <= b for a, b in covered):
                continue
            if i + 1 < len(text) and not text[i + 1].isspace() and (i + 1) not in starts:
                errors.append(f"{article['article']}: mark at {i} not annotated: {text[i:i + 50]!r}")
    if errors:
        sys.exit("\n".join(errors))
    missing = sorted(set(splits) - {a["article"] for a in articles})
    with open(os.path.join(HERE, "quotes-gold.jsonl"), "w") as out:
        for article in sorted(articles, key=lambda a: a["article"]):
            del article["_text"], article["_cursor"]
            out.write(json.dumps(article, ensure_ascii=False) + "\n")
    n = sum(len(a["quotes"]) for a in articles)
    print(f"{len(articles)} articles, {n} quotes" + (f"; not yet annotated: {len(missing)}" if missing else ""))


if __name__ == "__main__":
    main()
