#!/usr/bin/env python3
"""Merges the bench subcommands' JSON into one results file and prints the headline figures."""
import argparse
import json
import os
import platform
import subprocess
import time


def machine():
    info = {"kernel": platform.release(), "cpus": os.cpu_count()}
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    info["cpu"] = line.split(":", 1)[1].strip()
                    break
        with open("/proc/meminfo") as f:
            info["memory_gb"] = round(int(f.readline().split()[1]) / 1024 / 1024, 1)
        info["load_average_at_end"] = os.getloadavg()
    except OSError:
        pass
    try:
        info["swift"] = subprocess.run(["swift", "--version"], capture_output=True, text=True).stdout.split("\n")[0]
        info["commit"] = subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True).stdout.strip()
    except OSError:
        pass
    return info


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("parts", nargs="+")
    parser.add_argument("--tmpfs")
    parser.add_argument("--mode", default="full")
    parser.add_argument("--out", required=True)
    args = parser.parse_args()
    merged = {"measured_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()), "mode": args.mode, "machine": machine()}
    for part in args.parts:
        with open(part) as f:
            merged.update(json.load(f))
    if args.tmpfs and os.path.exists(args.tmpfs):
        with open(args.tmpfs) as f:
            merged["e2e_tmpfs"] = json.load(f)["e2e"]
    with open(args.out, "w") as f:
        json.dump(merged, f, indent=2)
        f.write("\n")

    stages = {s["name"]: s for s in merged.get("extract", {}).get("stages", [])}
    e2e = merged.get("e2e", {})
    n, p, r = e2e.get("newsinbox", {}), e2e.get("peer", {}), e2e.get("ratios", {})
    tmpfs = merged.get("e2e_tmpfs", {}).get("newsinbox", {})
    durability = merged.get("durability", {})
    big = tmpfs.get("backlog_at_startup") or n.get("backlog_at_startup")
    rows = [
        ("tokenizer, tokens/s on one core", stages.get("tokenize", {}).get("tokens_per_cpu_second"), ""),
        ("entity tagger, tokens/s on one core", stages.get("tagger", {}).get("tokens_per_cpu_second"), "target >= 250,000"),
        ("full extraction, MB/s on one core", stages.get("document+extract", {}).get("mb_per_cpu_second"), "target >= 1"),
        ("full extraction, tokens/s on one core", stages.get("document+extract", {}).get("tokens_per_cpu_second"), ""),
        ("e2e BBC backlog, articles/s (disk)", n.get("backlog_bbc", {}).get("articles_per_second_median"), "target >= 1,000"),
        ("e2e BBC backlog, articles/s (tmpfs)", tmpfs.get("backlog_bbc", {}).get("articles_per_second_median"), "no fsync cost"),
        ("e2e 20k backlog, articles/s (tmpfs)", tmpfs.get("backlog_scale", {}).get("articles_per_second"), ""),
        ("peer backlog, articles/s (disk)", p.get("backlog_bbc", {}).get("articles_per_second_median"), ""),
        ("ratio newsinbox/peer articles/s (disk)", r.get("backlog_articles_per_second"), "target >= 50"),
        ("ratio newsinbox/peer articles per CPU-second", r.get("backlog_articles_per_cpu_second"), "robust to load"),
        ("ratio newsinbox(tmpfs)/peer articles/s",
         (lambda a, b: a / b if a and b else None)(tmpfs.get("backlog_bbc", {}).get("articles_per_second_median"),
                                                   p.get("backlog_bbc", {}).get("articles_per_second_median")), ""),
        ("p99 close-to-durable at 50 files/s, ms", n.get("steady_50_per_second", {}).get("p99_ms"), "target <= 20"),
        ("peer p99 at 50 files/s, ms", p.get("steady_50_per_second", {}).get("p99_ms"), ""),
        ("seed one at a time p50 / p99, ms",
         (lambda j: j and f"{j['p50_ms']:.1f} / {j['p99_ms']:.1f}")(n.get("seed_one_at_a_time")), ""),
        ("start-up to READY=1, ms", n.get("startup", {}).get("median_ms"), "target <= 200"),
        ("peer start-up to READY=1, ms", p.get("startup", {}).get("median_ms"), ""),
        ("RSS peak under load, MB", max([x for x in (n.get("rss_peak_mb"), tmpfs.get("rss_peak_mb")) if x] or [0]) or None, "target <= 100"),
        ("peer RSS peak, MB", p.get("rss_peak_mb"), ""),
        ("100k waiting: RSS at 10% / 90% / peak, MB",
         big and f"{big['rss_mb_at_10_percent']:.1f} / {big['rss_mb_at_90_percent']:.1f} / {big['rss_peak_mb']:.1f}", "flat"),
        ("durability: fsync per article, articles/s", durability.get("per_article_articles_per_second"), ""),
        ("durability: group of 32 + syncfs, articles/s", durability.get("group_32_syncfs_articles_per_second"), ""),
    ]
    print("\n== headline figures (" + args.out + ")")
    for name, value, note in rows:
        shown = "-" if value is None else (f"{value:,.1f}" if isinstance(value, float) else str(value))
        print(f"{name:<42} {shown:>14}  {note}")


if __name__ == "__main__":
    main()
