#!/usr/bin/env python3
"""The package's size, and the start-up and idle RSS of the daemon it ships, for one or more builds.

    benchmarks/package-size.py [--label NAME=DIR ...] [--startups N] [--out benchmarks/results/package.json]
    benchmarks/package-size.py --render [--out benchmarks/results/package.json] [--readme README.md] [--check]

Each DIR holds a release `newsinbox-multicall` (static Swift stdlib, as scripts/build-deb.sh builds it;
default: .build-release/release, labelled "this commit"). For each build it packages the .deb
(scripts/build-deb.sh with BUILD_DIR) and reads its Installed-Size; then it starts the daemon N times per
build, alternating builds so load changes hit both alike, timing exec to READY=1 (sd_notify, a datagram
socket of its own as NOTIFY_SOCKET) and reading VmRSS once it has been idle for a second.
--render rewrites the README between `<!-- package:begin -->` and `<!-- package:end -->` from the results.
"""
import argparse
import datetime
import json
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BEGIN, END = "<!-- package:begin -->", "<!-- package:end -->"


def package(build_dir):
    """Installed-Size (KiB) and the stripped binary's bytes of the .deb built from build_dir."""
    out = tempfile.mkdtemp(prefix="newsinbox-size-")
    try:
        env = dict(os.environ, BUILD_DIR=build_dir)
        subprocess.run([os.path.join(ROOT, "scripts/build-deb.sh"), out], cwd=ROOT, env=env, check=True,
                       stdout=subprocess.DEVNULL)
        deb = [f for f in os.listdir(out) if f.endswith(".deb")][0]
        path = os.path.join(out, deb)
        installed = int(subprocess.run(["dpkg-deb", "-f", path, "Installed-Size"], capture_output=True, text=True,
                                       check=True).stdout.strip())
        listing = subprocess.run(["dpkg-deb", "-c", path], capture_output=True, text=True, check=True).stdout
        binary = max(int(line.split()[2]) for line in listing.splitlines() if line.split()[5].startswith("./usr/bin/"))
        return installed, binary
    finally:
        shutil.rmtree(out, ignore_errors=True)


def start_once(daemon):
    """Milliseconds from exec to READY=1, and VmRSS (MB) after a second of idling."""
    work = tempfile.mkdtemp(prefix="newsinbox-startup-")
    notify = os.path.join(work, "notify.sock")
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    sock.bind(notify)
    sock.settimeout(0.1)
    for d in ("inbox", "out", "state"):
        os.mkdir(os.path.join(work, d))
    argv = [daemon, "--inbox", f"{work}/inbox", "--output", f"{work}/out", "--state", f"{work}/state",
            "--control-socket", f"{work}/control.sock", "--foreground"]
    env = dict(os.environ, NOTIFY_SOCKET=notify)
    t0 = time.monotonic()
    proc = subprocess.Popen(argv, env=env, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        while True:
            try:
                if b"READY=1" in sock.recv(4096).split(b"\n"):
                    break
            except socket.timeout:
                if proc.poll() is not None:
                    raise RuntimeError(f"{daemon} exited with {proc.returncode} before READY=1")
                if time.monotonic() - t0 > 60:
                    raise RuntimeError(f"{daemon}: no READY=1 within 60 s")
        ready_ms = (time.monotonic() - t0) * 1000
        time.sleep(1)
        rss = None
        with open(f"/proc/{proc.pid}/status") as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    rss = int(line.split()[1]) / 1024
        return ready_ms, rss
    finally:
        proc.terminate()
        proc.wait(timeout=30)
        sock.close()
        shutil.rmtree(work, ignore_errors=True)


def measure(args):
    builds = []
    for item in args.label or [f"this commit={ROOT}/.build-release/release"]:
        name, _, directory = item.partition("=")
        multicall = os.path.join(directory, "newsinbox-multicall")
        if not os.access(multicall, os.X_OK):
            sys.exit(f"package-size: {multicall} is missing (build it as scripts/build-deb.sh does)")
        links = tempfile.mkdtemp(prefix="newsinbox-links-")
        os.symlink(multicall, os.path.join(links, "newsinboxd"))  # the name picks the tool
        commit = subprocess.run(["git", "-C", directory, "rev-parse", "--short", "HEAD"], capture_output=True,
                                text=True).stdout.strip() or None
        installed, binary = package(directory)
        builds.append({"label": name, "directory": directory, "commit": commit, "installed_kib": installed,
                       "binary_bytes_stripped": binary, "daemon": os.path.join(links, "newsinboxd"),
                       "startup_ms_runs": [], "rss_idle_mb_runs": []})
    for _ in range(args.startups):
        for b in builds:
            ready, rss = start_once(b["daemon"])
            b["startup_ms_runs"].append(round(ready, 2))
            b["rss_idle_mb_runs"].append(round(rss, 2))
    for b in builds:
        shutil.rmtree(os.path.dirname(b.pop("daemon")), ignore_errors=True)
        b["startup_ms_median"] = round(statistics.median(b["startup_ms_runs"]), 2)
        b["rss_idle_mb_median"] = round(statistics.median(b["rss_idle_mb_runs"]), 2)
    result = {
        "measured_at": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "commit": subprocess.run(["git", "-C", ROOT, "rev-parse", "--short", "HEAD"], capture_output=True,
                                 text=True).stdout.strip(),
        "load_average_at_end": list(os.getloadavg()),
        "cpus": os.cpu_count(),
        "target_installed_kib": 25600,
        "builds": builds,
    }
    with open(args.out, "w") as f:
        json.dump(result, f, indent=2)
        f.write("\n")
    print(json.dumps(result, indent=2))


def render(args):
    r = json.load(open(args.out))
    load = " / ".join(f"{x:.1f}" for x in r["load_average_at_end"])
    lines = [
        f"Measured {r['measured_at']} at commit {r['commit']} on {r['cpus']} vCPUs, load average {load} at the end "
        f"(start-up is wall clock, so it moves with the load; the builds alternate, so both saw the same). Rendered from "
        f"`benchmarks/results/package.json` by `benchmarks/package-size.py --render`.",
        "",
        "| build | installed (KiB) | binary, stripped (MB) | start-up to READY=1, median (ms) | RSS idle, median (MB) |",
        "|---|---:|---:|---:|---:|",
    ]
    for b in r["builds"]:
        lines.append(f"| {b['label']} ({b['commit'] or '?'}) | {b['installed_kib']:,} | {b['binary_bytes_stripped'] / 1e6:.1f} | "
                     f"{b['startup_ms_median']:.1f} ({len(b['startup_ms_runs'])} runs) | {b['rss_idle_mb_median']:.1f} |")
    block = "\n".join(lines)
    text = open(args.readme).read()
    start, end = text.index(BEGIN) + len(BEGIN), text.index(END)
    rendered = text[:start] + "\n" + block + "\n" + text[end:]
    if args.check:
        sys.exit(0 if rendered == text else "package-size: the README's package figures differ from the results file")
    open(args.readme, "w").write(rendered)


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--label", action="append", help="NAME=DIR of a release build (repeatable)")
    p.add_argument("--startups", type=int, default=15)
    p.add_argument("--out", default=os.path.join(ROOT, "benchmarks/results/package.json"))
    p.add_argument("--render", action="store_true")
    p.add_argument("--readme", default=os.path.join(ROOT, "README.md"))
    p.add_argument("--check", action="store_true")
    args = p.parse_args()
    render(args) if args.render else measure(args)


if __name__ == "__main__":
    main()
