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
    rows = [
        ("tokenizer, tokens/s on one core", stages.get("tokenize", {}).get("tokens_per_cpu_second"), "target: -"),
        ("full extraction, MB/s on one core", stages.get("document+extract", {}).get("mb_per_cpu_second"), "target >= 1"),
        ("full extraction, tokens/s on one core", stages.get("document+extract", {}).get("tokens_per_cpu_second"), ""),
        ("e2e BBC backlog, articles/s (disk)", n.get("backlog_bbc", {}).get("articles_per_second_median"), "target >= 1000"),
        ("e2e BBC backlog, articles/s (tmpfs)", tmpfs.get("backlog_bbc", {}).get("articles_per_second_median"), "CPU-bound ceiling"),
        ("peer BBC backlog, articles/s", p.get("backlog_bbc", {}).get("articles_per_second_median"), ""),
        ("ratio newsinbox/peer articles/s", r.get("backlog_articles_per_second"), "target >= 50"),
        ("p99 close-to-durable at 50 files/s, ms", n.get("steady_50_per_second", {}).get("p99_ms"), "target <= 20"),
        ("start-up to READY=1, ms", n.get("startup", {}).get("median_ms"), "target <= 200"),
        ("RSS peak, MB", n.get("rss_peak_mb"), "target <= 100"),
        ("RSS 10% -> 90% of 100k backlog, MB",
         (lambda b: b and b["rss_mb_at_90_percent"] - b["rss_mb_at_10_percent"])(n.get("backlog_at_startup")), "flat"),
    ]
    print("\n== headline figures (" + args.out + ")")
    for name, value, note in rows:
        shown = "-" if value is None else (f"{value:,.1f}" if isinstance(value, float) else str(value))
        print(f"{name:<42} {shown:>14}  {note}")


if __name__ == "__main__":
    main()
