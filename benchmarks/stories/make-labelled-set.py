#!/usr/bin/env python3
"""Generates the labelled story set from the BBC corpus (see GUIDELINES.md), reproducibly.

    benchmarks/stories/make-labelled-set.py [--corpus ../shared/corpora/bbc] [--per-category 80] OUT.jsonl

One JSON object per line, in arrival order: {"doc", "story", "half", "kind", "category", "feed", "name", "text"}.
"text" is a file in the daemon's plain-text format (a "date" line, the headline, a blank line, paragraphs).
The corpus text is not copied into the repository: the set is generated where it is used.
"""
import argparse
import datetime
import json
import os
import random
import re
import sys

SEED = 16
CATEGORIES = ["business", "entertainment", "politics", "sport", "tech"]
FEEDS = ["bbc", "wire-a", "wire-b", "agency"]
WEEKDAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]


def read_article(path):
    with open(path, encoding="utf-8", errors="replace") as f:
        raw = f.read().replace("\r\n", "\n")
    lines = raw.split("\n")
    headline = lines[0].strip()
    body = "\n".join(lines[1:])
    paragraphs = [re.sub(r"\s+", " ", p).strip() for p in re.split(r"\n\s*\n", body)]
    return headline, [p for p in paragraphs if p]


def shingles(paragraphs, n=5):
    out = set()
    for p in paragraphs:
        words = re.findall(r"\w+", p.lower())
        for i in range(max(1, len(words) - n + 1)):
            out.add(" ".join(words[i:i + n]))
    return out


def names(paragraphs):
    """Capitalised words not at a sentence start: a rough stand-in for the entities two articles share."""
    found = set()
    for p in paragraphs:
        for m in re.finditer(r"(?<=[a-z,;] )([A-Z][a-z]{2,})", p):
            found.add(m.group(1))
    return found


def render(date, headline, paragraphs):
    return "date %s\n%s\n\n%s\n" % (date.isoformat(), headline, "\n\n".join(paragraphs))


# --- The ways agencies re-file a story --------------------------------------------------------------

def new_top(rng, headline, paragraphs, date):
    lead = "%s, it emerged on %s, as %s." % (
        rng.choice(["Fresh details were reported", "The story developed further", "New reaction came in", "Officials gave more details"]),
        WEEKDAYS[date.weekday()], headline[0].lower() + headline[1:] if headline else "the story unfolded")
    return headline, [lead] + paragraphs


def trimmed_end(rng, headline, paragraphs, date):
    keep = max(2, int(len(paragraphs) * rng.uniform(0.55, 0.8)))
    return headline, paragraphs[:keep]


def corrected_figure(rng, headline, paragraphs, date):
    out = list(paragraphs)
    for i, p in enumerate(out):
        m = re.search(r"\d+", p)
        if m:
            fixed = str(int(m.group(0)) + rng.randint(1, 9))
            out[i] = p[:m.start()] + fixed + p[m.end():]
            out.append("(Corrects figure in paragraph %d.)" % (i + 1))
            return headline, out
    return headline, out + ["(Corrects spelling.)"]


def new_headline(rng, headline, paragraphs, date):
    words = headline.split()
    return rng.choice(["UPDATE 1-", "UPDATE 2-", "REFILE-", "WRAPUP-"]) + " ".join(words[:max(2, len(words) - 1)]), paragraphs


def reordered(rng, headline, paragraphs, date):
    if len(paragraphs) < 3:
        return headline, paragraphs
    rest = paragraphs[1:]
    rng.shuffle(rest)
    return headline, [paragraphs[0]] + rest


def other_feed_copy(rng, headline, paragraphs, date):
    city = rng.choice(["LONDON", "MANCHESTER", "EDINBURGH", "CARDIFF", "BELFAST"])
    first = "%s, %s (%s) - %s" % (city, date.strftime("%b %d").upper(), rng.choice(["Agency", "Wire"]), paragraphs[0])
    keep = max(2, len(paragraphs) - rng.randint(0, 2))
    return headline, [first] + paragraphs[1:keep]


def extended(rng, headline, paragraphs, date):
    extra = rng.choice([
        "Further details are expected to be announced later in the week.",
        "A spokesperson declined to comment further when contacted on %s." % WEEKDAYS[date.weekday()],
        "The matter is expected to be discussed again at a meeting next month.",
    ])
    return headline, paragraphs + [extra]


EDITS = [new_top, trimmed_end, corrected_figure, new_headline, reordered, other_feed_copy, extended]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--corpus", default=os.environ.get("NEWSINBOX_CORPORA", "../shared/corpora") + "/bbc")
    ap.add_argument("--per-category", type=int, default=80)
    ap.add_argument("out")
    args = ap.parse_args()
    rng = random.Random(SEED)

    # 1. Originals: the first articles of each category, leaving out the corpus's own near-duplicates
    # (it holds some articles twice), which no label could call two stories.
    originals = []
    kept_shingles = []
    for category in CATEGORIES:
        files = sorted(f for f in os.listdir(os.path.join(args.corpus, category)) if f.endswith(".txt"))
        taken = 0
        for name in files:
            if taken >= args.per_category:
                break
            headline, paragraphs = read_article(os.path.join(args.corpus, category, name))
            if len(paragraphs) < 3:
                continue
            s = shingles(paragraphs)
            if any(len(s & k) / max(1, min(len(s), len(k))) > 0.2 for k in kept_shingles):
                continue
            kept_shingles.append(s)
            number = int(name[:-4])
            originals.append({"category": category, "name": name, "headline": headline, "paragraphs": paragraphs,
                              "names": names(paragraphs), "half": "dev" if number % 2 else "test"})
            taken += 1

    # 2. Each story: the original and 1-3 re-filings, each made by 1-3 edits, dated the same day or the next.
    docs = []
    start = datetime.date(2005, 1, 3)
    for number, o in enumerate(originals):
        story = "s%04d" % number
        # Same-topic articles are dated close together, so that date agreement alone cannot keep them apart.
        date = start + datetime.timedelta(days=(number % 40))
        docs.append({"story": story, "kind": "original", "feed": "bbc", "date": date, "headline": o["headline"],
                     "paragraphs": o["paragraphs"], "o": o})
        for v in range(rng.randint(1, 3)):
            headline, paragraphs = o["headline"], list(o["paragraphs"])
            kinds = []
            for edit in rng.sample(EDITS, rng.randint(1, 3)):
                headline, paragraphs = edit(rng, headline, paragraphs, date)
                kinds.append(edit.__name__)
            docs.append({"story": story, "kind": "+".join(kinds), "feed": rng.choice(FEEDS[1:]),
                         "date": date + datetime.timedelta(days=rng.randint(0, 1)), "headline": headline,
                         "paragraphs": paragraphs, "o": o})

    # 3. Arrival order: by date, shuffled within a day (a re-filing may even come before the original).
    rng.shuffle(docs)
    docs.sort(key=lambda d: d["date"])
    with open(args.out, "w", encoding="utf-8") as f:
        for i, d in enumerate(docs):
            o = d["o"]
            f.write(json.dumps({
                "doc": "d%05d" % i, "story": d["story"], "half": o["half"], "kind": d["kind"], "category": o["category"],
                "feed": d["feed"], "name": "%s/%s-%05d.txt" % (d["feed"], o["category"], i),
                "text": render(d["date"], d["headline"], d["paragraphs"]),
            }, ensure_ascii=False) + "\n")
    stories = len(originals)
    halves = {h: sum(1 for o in originals if o["half"] == h) for h in ("dev", "test")}
    print("labelled set: %d documents, %d stories (dev %d, test %d) -> %s" % (len(docs), stories, halves["dev"], halves["test"], args.out),
          file=sys.stderr)


if __name__ == "__main__":
    main()
