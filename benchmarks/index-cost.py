#!/usr/bin/env python3
"""The index's cost and query latency, written to benchmarks/results/index.{json,txt}.

    benchmarks/index-cost.py [--articles 100000] [--queries 100] [--runs 3] [--pairs 0] [--files 2000]

1. `newsinbox bench e2e` with the index on, `--runs` times: over a BBC backlog, the daemon's CPU (the
   whole process) and the index's own CPU, both as the daemon counts them (`newsinboxctl stats`:
   `cpu_seconds`; the index's part is the thread CPU of each piece of its work, on the workers and
   the writer), so the share is measured inside one run.
2. Optionally (`--pairs N`), `--daemon-config` with `index = on` and `index = off` alternated in
   pairs: the daemon's CPU per article from /proc with and without the index. On this shared machine
   one build's runs differ by more than the index costs, so this is kept as a cross-check only.
3. `newsinbox bench index --articles N`: the index's write CPU per article beside extraction's, and each
   query's wall time and thread CPU time on the generated index.

Release binaries (`swift build -c release --scratch-path .build-release`). The machine is shared: the
load average before and after each step is recorded beside its figures, and CPU time is the headline.
"""
import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time


def git(*args):
    return subprocess.run(["git", *args], capture_output=True, text=True).stdout.strip()


def load():
    return [round(x, 2) for x in os.getloadavg()]


def run(cmd, log):
    print("+", " ".join(cmd), flush=True)
    log.append("$ " + " ".join(cmd))
    out = subprocess.run(cmd, capture_output=True, text=True)
    log.append(out.stdout.rstrip())
    if out.returncode != 0:
        sys.exit(f"index-cost: {cmd[0]} failed ({out.returncode}):\n{out.stdout[-2000:]}\n{out.stderr[-2000:]}")
    return out.stdout


def e2e_once(args, index, work, log):
    config = os.path.join(work, f"index-{index}.conf")
    with open(config, "w") as f:
        f.write(f"index = {index}\n")
    result = os.path.join(work, f"e2e-{index}-{time.time_ns()}.json")
    before = load()
    run([args.tool, "bench", "e2e", "--daemon", args.daemon, "--daemon-config", config, "--seed-drops", "0",
         "--steady-seconds", "0", "--startups", "1", "--repeats", "1", "--backlog-files", str(args.files),
         "--workdir", work, "--json", result], log)
    with open(result) as f:
        daemon = json.load(f)["e2e"]["newsinbox"]
    backlog = daemon["backlog_bbc"]["runs"][0]
    result = {"index": index, "files": backlog["files"], "cpu_seconds": backlog["cpu_seconds"], "rss_peak_mb": daemon.get("rss_peak_mb"),
           "cpu_ms_per_article": 1000 * backlog["cpu_seconds"] / backlog["files"],
           "articles_per_second": backlog["articles_per_second"], "finished_all": backlog["finished_all"],
           "load_before": before, "load_after": load()}
    # What the daemon counted itself over the backlog (absent from builds before the counter).
    for key in ("daemon_cpu_seconds_self_reported", "index_cpu_seconds", "index_share_of_cpu", "index_cpu_seconds_by_part"):
        if key in backlog:
            result[key] = backlog[key]
    return result


def save(args, result, log):
    result["run"]["finished"] = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
    result["run"]["load_at_end"] = load()
    with open(args.out + ".json", "w") as f:
        json.dump(result, f, indent=2)
        f.write("\n")
    with open(args.out + ".txt", "w") as f:
        r = result["run"]
        f.write(f"# {r['command']} (release, commit {r['commit']}{' + uncommitted changes' if r['dirty'] else ''}), "
                f"{r['started']} to {r['finished']}, {r['cpus']} CPUs, load average {r['load_at_start']} at the start, "
                f"{r['load_at_end']} at the end (a shared machine)\n")
        f.write("\n".join(log) + "\n")
        if "e2e_index_cpu" in result:
            e = result["e2e_index_cpu"]
            shares = ", ".join(f"{100 * x['index_share_of_cpu']:.1f}%" for x in e["runs"])
            f.write(f"\nend to end, index on, as the daemon counts its CPU ({len(e['runs'])} backlogs): the index's share "
                    f"{shares}; median {100 * e['index_share_of_cpu_median']:.1f}%\n")
        if "e2e_on_off" in result:
            e = result["e2e_on_off"]
            f.write(f"\nend to end, daemon CPU per article (medians of {len(e['runs']) // 2} runs each): index on "
                    f"{e['cpu_ms_per_article_on_median']} ms, off {e['cpu_ms_per_article_off_median']} ms: the index "
                    f"{e['index_cpu_ms_per_article']} ms, {100 * e['index_share_of_cpu']:.1f}% of the work\n")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--articles", type=int, default=100000, help="articles in the generated index")
    parser.add_argument("--queries", type=int, default=100, help="queries of each kind")
    parser.add_argument("--runs", type=int, default=3, help="end-to-end backlogs with the index on, its CPU counted by the daemon")
    parser.add_argument("--pairs", type=int, default=0, help="on/off pairs of the end-to-end backlog (a cross-check)")
    parser.add_argument("--files", type=int, default=2000, help="BBC files per end-to-end backlog")
    parser.add_argument("--tool", default=".build-release/release/newsinbox")
    parser.add_argument("--daemon", default=".build-release/release/newsinboxd")
    parser.add_argument("--skip-index-bench", action="store_true", help="only the end-to-end pairs")
    parser.add_argument("--out", default="benchmarks/results/index")
    args = parser.parse_args()

    log = []
    result = {"run": {"command": " ".join(["benchmarks/index-cost.py", *sys.argv[1:]]),
                      "started": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
                      "commit": git("rev-parse", "--short", "HEAD"), "dirty": bool(git("status", "--porcelain", "--untracked-files=no")),
                      "cpus": os.cpu_count(), "load_at_start": load(), "build": "release (.build-release)"}}
    with tempfile.TemporaryDirectory(prefix="newsinbox-index-cost-") as work:
        # The end-to-end runs first: the shorter step, saved before the long one starts.
        counted = [e2e_once(args, "on", work, log) for _ in range(args.runs)]
        counted = [r for r in counted if "index_share_of_cpu" in r]
        if counted:
            per_article = lambda key: statistics.median(1000 * r[key] / r["files"] for r in counted)
            parts = sorted({p for r in counted for p in r["index_cpu_seconds_by_part"]})
            result["e2e_index_cpu"] = {
                "runs": counted, "files": args.files,
                "index_share_of_cpu_median": round(statistics.median(r["index_share_of_cpu"] for r in counted), 4),
                "index_share_of_cpu_max": round(max(r["index_share_of_cpu"] for r in counted), 4),
                "daemon_cpu_ms_per_article_median": round(per_article("daemon_cpu_seconds_self_reported"), 3),
                "index_cpu_ms_per_article_median": round(per_article("index_cpu_seconds"), 3),
                "index_cpu_ms_per_article_by_part_median": {
                    p: round(statistics.median(1000 * r["index_cpu_seconds_by_part"].get(p, 0) / r["files"] for r in counted), 3) for p in parts},
                "articles_per_second_median": round(statistics.median(r["articles_per_second"] for r in counted), 1),
                "rss_peak_mb_max": max((r.get("rss_peak_mb") or 0) for r in counted),
            }
            save(args, result, log)
        runs = []
        for pair in range(args.pairs):
            for index in (["on", "off"] if pair % 2 == 0 else ["off", "on"]):
                runs.append(e2e_once(args, index, work, log))
        if runs:
            on = statistics.median(r["cpu_ms_per_article"] for r in runs if r["index"] == "on")
            off = statistics.median(r["cpu_ms_per_article"] for r in runs if r["index"] == "off")
            result["e2e_on_off"] = {
                "runs": runs, "files": args.files,
                "cpu_ms_per_article_on_median": round(on, 3), "cpu_ms_per_article_off_median": round(off, 3),
                "index_cpu_ms_per_article": round(on - off, 3),
                # The index's share of the work of an article with the index on.
                "index_share_of_cpu": round((on - off) / on, 4),
                "articles_per_second_on_median": round(statistics.median(r["articles_per_second"] for r in runs if r["index"] == "on"), 1),
                "articles_per_second_off_median": round(statistics.median(r["articles_per_second"] for r in runs if r["index"] == "off"), 1),
            }
            save(args, result, log)
        if not args.skip_index_bench:
            bench = os.path.join(work, "bench-index.json")
            before = load()
            run([args.tool, "bench", "index", "--articles", str(args.articles), "--queries", str(args.queries),
                 "--workdir", work, "--json", bench], log)
            with open(bench) as f:
                result["bench_index"] = json.load(f)
            result["bench_index"]["load_before"] = before
            save(args, result, log)
    print(open(args.out + ".txt").read().split("\n", 1)[0])


if __name__ == "__main__":
    main()
