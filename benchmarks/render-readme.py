#!/usr/bin/env python3
"""Rewrites the README's benchmark figures from a results file, so they cannot drift from it.

    benchmarks/render-readme.py [benchmarks/results/latest.json] [--index benchmarks/results/index.json]
                                [--readme README.md] [--check]

Everything between `<!-- bench:begin -->` and `<!-- bench:end -->` is replaced from the results file,
and everything between `<!-- bench-index:begin -->` and `<!-- bench-index:end -->` from the index's
(`benchmarks/index-cost.py`). Every figure comes from a results file, and the text says which run it is
(date, commit, machine, load). --check exits 1 when the README is not what the results files render (CI
or a reviewer can run it).
"""
import argparse
import json
import sys

BEGIN, END = "<!-- bench:begin -->", "<!-- bench:end -->"
INDEX_BEGIN, INDEX_END = "<!-- bench-index:begin -->", "<!-- bench-index:end -->"


def num(x, digits=0):
    if x is None:
        return "-"
    return f"{x:,.{digits}f}"


def ms(x):
    if x is None:
        return "-"
    return f"{x:,.1f} ms" if x < 1000 else f"{x / 1000:,.1f} s"


def ratio(x):
    return "-" if x is None else (f"{x:,.0f}x" if x >= 10 else f"{x:,.1f}x")


def get(d, *path):
    for key in path:
        if not isinstance(d, dict) or key not in d:
            return None
        d = d[key]
    return d


def render(r):
    m = r.get("machine", {})
    load = m.get("load_average_at_end")
    n, p, q = get(r, "e2e", "newsinbox") or {}, get(r, "e2e", "peer") or {}, get(r, "e2e", "ratios") or {}
    t = get(r, "e2e_tmpfs", "newsinbox") or {}
    stages = {s["name"]: s for s in get(r, "extract", "stages") or []}
    out = []
    out.append(
        f"Figures of the run of {r.get('measured_at', '?')} ({r.get('mode', '?')} suite), commit "
        f"{m.get('commit', '?')}: {m.get('cpus', '?')} vCPUs ({m.get('cpu', '?')}), {m.get('memory_gb', '?')} GiB, "
        f"kernel {m.get('kernel', '?')}, {m.get('swift', '?')}; load average at the end "
        f"{' / '.join(f'{x:.1f}' for x in load) if load else '?'} (the machine is shared with other builds, so "
        "absolute rates are what the process got; the ratios, measured side by side in the same run, are the "
        "headline). Rendered from `benchmarks/results/latest.json` by `benchmarks/render-readme.py`.")
    out.append("")
    out.append("**End to end, newsinboxd and the spaCy peer in the same run** (`newsinbox bench e2e`; BBC files with "
               "a `date` line renamed into the inbox; done = source in done/ after the output is durable and, for "
               "newsinboxd, the journal entry sent)")
    out.append("")
    out.append("| measure | newsinboxd | spaCy peer | ratio |")
    out.append("|---|---:|---:|---:|")
    out.append(f"| BBC backlog, articles/s (peer: {get(p, 'backlog_bbc', 'files') or '-'} files) | "
               f"{num(get(n, 'backlog_bbc', 'articles_per_second_median'))} | "
               f"{num(get(p, 'backlog_bbc', 'articles_per_second_median'), 1)} | {ratio(q.get('backlog_articles_per_second'))} |")
    out.append(f"| BBC backlog, articles per CPU-second | {num(get(n, 'backlog_bbc', 'articles_per_cpu_second_median'))} | "
               f"{num(get(p, 'backlog_bbc', 'articles_per_cpu_second_median'), 1)} | {ratio(q.get('backlog_articles_per_cpu_second'))} |")
    out.append(f"| start-up, exec to READY=1 | {ms(get(n, 'startup', 'median_ms'))} | {ms(get(p, 'startup', 'median_ms'))} | "
               f"{ratio(q.get('startup'))} |")
    s1n, s1p = n.get("seed_one_at_a_time") or {}, p.get("seed_one_at_a_time") or {}
    out.append(f"| seed article one at a time, close-to-durable p50 / p99 | {ms(s1n.get('p50_ms'))} / {ms(s1n.get('p99_ms'))} | "
               f"{ms(s1p.get('p50_ms'))} / {ms(s1p.get('p99_ms'))} | {ratio(q.get('seed_latency_p50'))} (p50) |")
    s50n, s50p = n.get("steady_50_per_second") or {}, p.get("steady_50_per_second") or {}
    behind = "" if s50p.get("kept_up", True) else " (falls behind)"
    out.append(f"| steady 50 files/s: p50 / p99 / max | {ms(s50n.get('p50_ms'))} / {ms(s50n.get('p99_ms'))} / {ms(s50n.get('max_ms'))} | "
               f"{ms(s50p.get('p50_ms'))} / {ms(s50p.get('p99_ms'))} / {ms(s50p.get('max_ms'))}{behind} | "
               f"{ratio(q.get('steady50_latency_p99'))} (p99) |")
    s80n = n.get("steady_80_percent_of_max") or {}
    out.append(f"| steady at 80% of the backlog rate: files/s, p50 / p99 | {num(s80n.get('completion_rate'))}, "
               f"{ms(s80n.get('p50_ms'))} / {ms(s80n.get('p99_ms'))} | - | {ratio(q.get('sustained_rate'))} (rate) |")
    out.append(f"| RSS idle / peak | {num(n.get('rss_idle_mb'))} / {num(n.get('rss_peak_mb'))} MB | "
               f"{num(p.get('rss_idle_mb'))} / {num(p.get('rss_peak_mb'))} MB | {ratio(q.get('rss_idle'))} / {ratio(q.get('rss_peak'))} |")
    out.append("")
    if t:
        big = t.get("backlog_at_startup") or {}
        scale = t.get("backlog_scale") or {}
        out.append(f"**newsinboxd alone, files on tmpfs** (no fsync cost): BBC backlog "
                   f"{num(get(t, 'backlog_bbc', 'articles_per_second_median'))} articles/s "
                   f"({num(get(t, 'backlog_bbc', 'articles_per_cpu_second_median'))} per CPU-second); "
                   f"{num(scale.get('files'))}-file backlog {num(scale.get('articles_per_second'))} articles/s; "
                   f"at 50 files/s p50 / p99 {ms(get(t, 'steady_50_per_second', 'p50_ms'))} / {ms(get(t, 'steady_50_per_second', 'p99_ms'))}; "
                   f"with {num(big.get('files'))} files waiting at start-up, READY=1 after {ms(big.get('startup_ms_with_backlog'))} "
                   f"and RSS {num(big.get('rss_mb_at_10_percent'), 1)} MB after 10%, {num(big.get('rss_peak_mb'), 1)} MB at the peak.")
        out.append("")
    full = stages.get("document+extract") or {}
    out.append(f"**Extraction alone, one core** (`newsinbox bench extract`: {num(get(r, 'extract', 'articles'))} BBC articles, per "
               f"CPU-second of the thread): tokenizer {num(get(stages, 'tokenize', 'tokens_per_cpu_second'))} tokens/s; "
               f"entity tagger {num(get(stages, 'tagger', 'tokens_per_cpu_second'))} tokens/s; full extraction "
               f"{num(full.get('tokens_per_cpu_second'))} tokens/s, {num(full.get('mb_per_cpu_second'), 2)} MB/s, "
               f"{num(full.get('articles_per_cpu_second'))} articles/s.")
    points = get(r, "scaling", "points") or []
    if points:
        out.append("")
        out.append("**One article as it grows** (`newsinbox bench scaling`: BBC bodies joined into one article; CPU "
                   "seconds per MB should stay flat): " + "; ".join(
                       f"{p_['bytes'] / 1000:,.0f} KB {p_['cpu_seconds']:.2f} s ({p_['cpu_seconds_per_mb']:.2f} s/MB)" for p_ in points) + ".")
    out.append("")
    targets = [
        ("BBC backlog on disk, articles/s", get(n, "backlog_bbc", "articles_per_second_median"), 1000, ">="),
        ("BBC backlog on tmpfs, articles/s", get(t, "backlog_bbc", "articles_per_second_median"), 1300, ">="),
        ("p50 at 50 files/s, ms", s50n.get("p50_ms"), 10, "<="),
        ("p99 at 50 files/s, ms", s50n.get("p99_ms"), 20, "<="),
        ("RSS peak, MB", max([x for x in (n.get("rss_peak_mb"), t.get("rss_peak_mb")) if x] or [0]) or None, 100, "<="),
        ("start-up to READY=1, ms", get(n, "startup", "median_ms"), 100, "<="),
        ("full extraction, MB/s per core", full.get("mb_per_cpu_second"), 1.5, ">="),
        ("entity tagger, tokens/s", get(stages, "tagger", "tokens_per_cpu_second"), 400000, ">="),
    ]
    out.append("| target (issue 15) | goal | this run | |")
    out.append("|---|---:|---:|---|")
    for name, value, goal, op in targets:
        met = value is not None and (value >= goal if op == ">=" else value <= goal)
        shown = "-" if value is None else (f"{value:,.2f}" if value < 10 else f"{value:,.0f}")
        out.append(f"| {name} | {op} {goal:,} | {shown} | {'met' if met else 'not met'} |")
    return "\n".join(out)


def rss(runs):
    """The daemon's peak RSS with and without the index, when the run recorded it."""
    peak = lambda index: max((x.get("rss_peak_mb") or 0 for x in runs if x.get("index") == index), default=0)
    return f"; peak RSS {peak('on'):.0f} MB on, {peak('off'):.0f} MB off (bound 100 MB)" if peak("on") else ""


def render_index(r, stories):
    """The index's cost and query latency (benchmarks/index-cost.py) and story clustering (bench stories),
    each figure with its run."""
    run, b, e = r.get("run", {}), r.get("bench_index") or {}, r.get("e2e_on_off") or {}
    loads = lambda xs: " / ".join(f"{x:.1f}" for x in xs) if xs else "?"
    out = [f"Figures of `{run.get('command', '?')}`, {run.get('started', '?')} to {run.get('finished', '?')}, release build, "
           f"commit {run.get('commit', '?')}{' with uncommitted changes' if run.get('dirty') else ''}, "
           f"{run.get('cpus', '?')} CPUs shared with other builds (load average {loads(run.get('load_at_start'))} at the start, "
           f"{loads(run.get('load_at_end'))} at the end): wall times are what the process got, CPU times what the work costs. "
           "Rendered from `benchmarks/results/index.json` by `benchmarks/render-readme.py`.", ""]
    c = r.get("e2e_index_cpu") or {}
    if c:
        share, top = c.get("index_share_of_cpu_median"), c.get("index_share_of_cpu_max")
        parts = c.get("index_cpu_ms_per_article_by_part_median") or {}
        out.append(f"**The index's share of the daemon's CPU, as the daemon counts it** ({len(c.get('runs', []))} backlogs of "
                   f"{num(c.get('files'))} BBC files with the index on; `newsinboxctl stats` reports the process's CPU and the thread "
                   f"CPU of each piece of the index's work, read before and after each backlog): the daemon spent "
                   f"{c.get('daemon_cpu_ms_per_article_median', 0):.2f} ms CPU per article, the index "
                   f"{c.get('index_cpu_ms_per_article_median', 0):.2f} ms of it ("
                   + ", ".join(f"{p} {parts[p]:.2f}" for p in ("row", "story", "reencode", "commit") if p in parts)
                   + f" ms): {100 * share:.1f}% of the work (median; runs "
                   + ", ".join(f"{100 * x.get('index_share_of_cpu', 0):.1f}%" for x in c.get("runs", []))
                   + f"; target <= 10%: {'met' if top is not None and top <= 0.10 else 'not met' if share > 0.10 else 'met by the median, not by every run'}); "
                   f"articles/s {num(c.get('articles_per_second_median'))}; peak RSS {c.get('rss_peak_mb_max', 0):.0f} MB (bound 100 MB).")
        out.append("")
    if e:
        share = e.get("index_share_of_cpu")
        out.append(f"**End to end, index on and off** ({len(e.get('runs', []))} backlogs of {num(e.get('files'))} BBC files, "
                   f"alternated): the daemon's CPU per article is {e.get('cpu_ms_per_article_on_median', 0):.2f} ms with the index and "
                   f"{e.get('cpu_ms_per_article_off_median', 0):.2f} ms without (medians), so the index costs "
                   f"{e.get('index_cpu_ms_per_article', 0):.2f} ms, {100 * share:.1f}% of the work (target <= 10%: "
                   f"{'met' if share is not None and share <= 0.10 else 'not met'}); articles/s "
                   f"{num(e.get('articles_per_second_on_median'))} on, {num(e.get('articles_per_second_off_median'))} off"
                   + rss(e.get("runs", [])) + ".")
        out.append("")
    if b:
        out.append(f"**`newsinbox bench index`** on a generated index of {num(b.get('articles'))} articles (the BBC set repeated, "
                   f"load average {loads(b.get('load_before'))} before, {loads(b.get('load_average_at_end'))} after): "
                   f"{num(b.get('bytes_per_article'))} bytes per article; the index's write CPU "
                   f"{b.get('index_write_cpu_ms_per_article_mean', 0):.2f} ms per article (extraction "
                   f"{b.get('extract_cpu_ms_per_article_mean', 0):.2f} ms in the same run); the story decision p50 "
                   f"{num(b.get('story_decision_p50_us'))} µs, p99 {num(b.get('story_decision_p99_us'))} µs. The write CPU grows "
                   "with the index (each end-to-end backlog above starts from an empty one): " + "; ".join(
                       f"{num(int(size))} articles indexed {g[size + '.write_ms_per_article']:.2f} ms"
                       for g in [b.get("growth") or {}] for size in ("1000", "10000", "100000", "1000000")
                       if size + ".write_ms_per_article" in g) + " per article.")
        out.append("")
        out.append("| query | wall p50 / p99 | thread CPU p50 / p99 | CPU p99 <= 50 ms |")
        out.append("|---|---:|---:|---|")
        wall, cpu = b.get("query_latency_ms") or {}, b.get("query_cpu_ms") or {}
        for name, w in wall.items():
            c = cpu.get(name) or {}
            p99 = c.get("p99_ms")
            out.append(f"| {name} | {ms(w.get('p50_ms'))} / {ms(w.get('p99_ms'))} | {ms(c.get('p50_ms'))} / {ms(p99)} | "
                       f"{'-' if p99 is None else ('met' if p99 <= 50 else 'not met')} |")
    f = stories.get("figures") or {}
    if f:
        if out[-1] != "":
            out.append("")
        half = lambda h: (f"precision {f.get(h + '.precision', 0):.3f}, recall {f.get(h + '.recall', 0):.3f} "
                          f"({num(f.get(h + '.same_story_pairs'))} same-story pairs, {num(f.get(h + '.false_merges'))} merged wrongly, "
                          f"{num(f.get(h + '.missed_pairs'))} missed)")
        out.append(f"**Stories** (`newsinbox bench stories` on the labelled set of `benchmarks/stories/`, run of "
                   f"{stories.get('date', '?')}, {stories.get('build', '?')}; rendered from `benchmarks/results/stories.json`): "
                   f"held-out half {half('test')}; tuning half {half('dev')}; target >= 0.95 each.")
    return "\n".join(out)


def replace_section(text, begin, end, body, name):
    if begin not in text or end not in text:
        sys.exit(f"render-readme: {name} has no {begin} ... {end} section")
    head, rest = text.split(begin, 1)
    _, tail = rest.split(end, 1)
    return head + begin + "\n" + body + "\n" + end + tail


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("results", nargs="?", default="benchmarks/results/latest.json")
    parser.add_argument("--index", default="benchmarks/results/index.json")
    parser.add_argument("--stories", default="benchmarks/results/stories.json")
    parser.add_argument("--readme", default="README.md")
    parser.add_argument("--check", action="store_true")
    args = parser.parse_args()
    with open(args.results) as f:
        results = json.load(f)
    with open(args.index) as f:
        index = json.load(f)
    with open(args.stories) as f:
        stories = json.load(f)
    with open(args.readme) as f:
        readme = f.read()
    new = replace_section(readme, BEGIN, END, render(results), args.readme)
    new = replace_section(new, INDEX_BEGIN, INDEX_END, render_index(index, stories), args.readme)
    if args.check:
        if new != readme:
            sys.exit(f"render-readme: {args.readme} differs from what {args.results}, {args.index} and {args.stories} render")
        return
    with open(args.readme, "w") as f:
        f.write(new)


if __name__ == "__main__":
    main()
