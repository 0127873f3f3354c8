#!/usr/bin/env python3
"""Writes docs/annotation/bbc-entities.jsonl from docs/annotation/bbc-entities.txt (the file annotators edit).

One JSON object per article: {"article": "bbc/<category>/<n>.txt", "split": "dev"|"heldout",
"entities": [{"name", "type", "forms", "optional"}]}; forms start with the canonical name.
Run from the repository root; --check exits 1 when the JSONL is not what the text file gives.
"""
import json
import sys

TYPES = {"PERSON", "ORG", "PLACE", "NORP", "EVENT", "MISC"}


def parse(path):
    articles = []
    for number, raw in enumerate(open(path, encoding="utf-8"), 1):
        line = raw.rstrip("\n")
        if not line.strip():
            continue
        if line.startswith("# "):
            parts = line[2:].split()
            if len(parts) == 2 and parts[0].endswith(".txt"):
                if parts[1] not in ("dev", "heldout"):
                    sys.exit(f"{path}:{number}: split must be dev or heldout")
                articles.append({"article": "bbc/" + parts[0], "split": parts[1], "entities": []})
            continue
        if not articles:
            sys.exit(f"{path}:{number}: entity before the first article")
        kind, _, rest = line.partition(" ")
        optional = kind.startswith("?")
        kind = kind.lstrip("?")
        if kind not in TYPES:
            sys.exit(f"{path}:{number}: unknown type {kind}")
        forms = [f.strip() for f in rest.split("|") if f.strip()]
        if not forms:
            sys.exit(f"{path}:{number}: no name")
        articles[-1]["entities"].append({"name": forms[0], "type": kind, "forms": forms, "optional": optional})
    return articles


def main():
    source, target = "docs/annotation/bbc-entities.txt", "docs/annotation/bbc-entities.jsonl"
    text = "".join(json.dumps(a, ensure_ascii=False) + "\n" for a in parse(source))
    if "--check" in sys.argv[1:]:
        if open(target, encoding="utf-8").read() != text:
            sys.exit(f"{target} is out of date: run scripts/entity-gold-jsonl.py")
        return
    open(target, "w", encoding="utf-8").write(text)


if __name__ == "__main__":
    main()
