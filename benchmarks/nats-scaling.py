#!/usr/bin/env python3
"""What the NATS JetStream streams cost, and what three daemons on one input stream do together.

    benchmarks/nats-scaling.py [--articles N] [--repeat R] [--bin DIR] [--out FILE]

Runs, one after the other, on the BBC corpus (../shared/corpora/bbc), with a real nats-server on a
free loopback port and the release build of newsinboxd:

  local     one daemon, no NATS: N files renamed into its inbox, timed until all are in done/
  results   the same with nats_url set: every result acknowledged by the results stream first
  3 daemons N articles published to the input stream (newsinbox.inbox.<category>), three daemons with
            separate spools sharing the durable consumer, timed until the results stream holds N

The local and results runs alternate R times (default 3) and are reported by their medians. Prints
one JSON object (and writes it to --out): articles/s for each, the daemon's (and nats-server's) CPU
milliseconds per article between the first rename and the last source in done/, and the cost of the
results stream against the local-only daemon in wall clock and in CPU: on a shared machine the wall
clock moves with the others' load, the CPU per article much less. Only the standard library: the NATS text protocol is spoken
directly over a socket (CONNECT, PUB, SUB, PING), which is all a benchmark driver needs.
"""
import argparse, base64, glob, json, os, shutil, signal, socket, subprocess, sys, tempfile, time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
CORPUS = os.path.join(ROOT, "..", "shared", "corpora", "bbc")


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


class Nats:
    """A minimal NATS text-protocol client: publish, and request/reply for the JetStream API."""

    def __init__(self, port):
        self.sock = socket.create_connection(("127.0.0.1", port))
        self.buf = b""
        self.read_line()  # INFO
        self.sock.sendall(b'CONNECT {"verbose":false,"pedantic":false,"headers":true}\r\nSUB _INBOX.bench 1\r\n')
        self.ping()

    def read_line(self):
        while b"\r\n" not in self.buf:
            chunk = self.sock.recv(65536)
            if not chunk:
                raise RuntimeError("nats-server closed the connection")
            self.buf += chunk
        line, self.buf = self.buf.split(b"\r\n", 1)
        return line

    def read_exact(self, n):
        while len(self.buf) < n + 2:
            self.buf += self.sock.recv(65536)
        data, self.buf = self.buf[:n], self.buf[n + 2:]
        return data

    def ping(self):
        self.sock.sendall(b"PING\r\n")
        while True:
            line = self.read_line()
            if line == b"PONG":
                return
            if line.startswith(b"MSG "):
                self.read_exact(int(line.split()[-1]))

    def publish(self, subject, data):
        self.sock.sendall(b"PUB %s %d\r\n%s\r\n" % (subject.encode(), len(data), data))

    def request(self, subject, payload):
        body = json.dumps(payload).encode()
        self.sock.sendall(b"PUB %s _INBOX.bench %d\r\n%s\r\n" % (subject.encode(), len(body), body))
        while True:
            line = self.read_line()
            if line.startswith(b"MSG "):
                return json.loads(self.read_exact(int(line.split()[-1])))
            if line == b"PING":
                self.sock.sendall(b"PONG\r\n")

    def stream_messages(self, stream):
        info = self.request("$JS.API.STREAM.INFO." + stream, {})
        return info.get("state", {}).get("messages", 0) if "error" not in info else 0


def start_server(port, store):
    proc = subprocess.Popen(["nats-server", "-js", "-sd", store, "-a", "127.0.0.1", "-p", str(port)],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.time() + 30
    while time.time() < deadline:
        try:
            return proc, Nats(port)
        except OSError:
            time.sleep(0.05)
    raise RuntimeError("nats-server did not start")


def start_daemon(bin_dir, base, conf):
    for d in ("inbox", "out", "state"):
        os.makedirs(os.path.join(base, d), exist_ok=True)
    with open(os.path.join(base, "newsinboxd.conf"), "w") as f:
        f.write(conf + "journal = off\nlog_level = warning\n")
    sock = os.path.join(base, "control.sock")
    proc = subprocess.Popen([os.path.join(bin_dir, "newsinboxd"), "--config", os.path.join(base, "newsinboxd.conf"),
                             "--inbox", os.path.join(base, "inbox"), "--output", os.path.join(base, "out"),
                             "--state", os.path.join(base, "state"), "--control-socket", sock, "--foreground"],
                            stdout=subprocess.DEVNULL, stderr=open(os.path.join(base, "daemon.log"), "w"))
    # Started once the control socket answers a ping: the daemon accepts connections only after its
    # start-up (models loaded, start-up scan queued), so the CPU counted below is the articles' alone.
    deadline = time.time() + 60
    while time.time() < deadline:
        try:
            with socket.socket(socket.AF_UNIX) as c:
                c.connect(sock)
                c.sendall(b'{"version":1,"command":"ping","args":{}}\n')
                if c.makefile("rb").readline():
                    return proc
        except OSError:
            pass
        time.sleep(0.02)
    raise RuntimeError("newsinboxd did not answer on " + sock)


def count_files(path):
    return sum(len(files) for _, _, files in os.walk(path))


def wait(what, condition, timeout=1800):
    deadline = time.time() + timeout
    while time.time() < deadline:
        if condition():
            return
        time.sleep(0.05)
    raise RuntimeError("timed out waiting until " + what)


def articles(n):
    files = sorted(glob.glob(os.path.join(CORPUS, "*", "*.txt")))
    # Distinct contents only (the corpus repeats a few stories): one article, one result.
    seen, out = set(), []
    for f in files:
        data = open(f, "rb").read()
        if data not in seen:
            seen.add(data)
            out.append((os.path.basename(os.path.dirname(f)), os.path.basename(f), data))
        if len(out) == n:
            return out
    sys.exit(f"nats-scaling: need {n} distinct BBC articles in {CORPUS}, found {len(out)}")


def cpu_seconds(pid):
    """User + system CPU seconds a process has used so far (/proc/PID/stat fields 14 and 15)."""
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def run_local(bin_dir, work, items, conf, server_pid):
    """One daemon over a backlog: wall seconds, and the CPU seconds the daemon and nats-server spent
    between the first rename and the last source in done/ (start-up and shutdown left out)."""
    base = tempfile.mkdtemp(dir=work)
    proc = start_daemon(bin_dir, base, conf)
    staging = os.path.join(base, "staging")
    for feed, name, data in items:
        os.makedirs(os.path.join(staging, feed), exist_ok=True)
        with open(os.path.join(staging, feed, name), "wb") as f:
            f.write(data)
    daemon_cpu0, server_cpu0 = cpu_seconds(proc.pid), cpu_seconds(server_pid)
    t0 = time.time()
    for feed, name, _ in items:
        os.makedirs(os.path.join(base, "inbox", feed), exist_ok=True)
        os.rename(os.path.join(staging, feed, name), os.path.join(base, "inbox", feed, name))
    wait("all sources are in done/", lambda: count_files(os.path.join(base, "state", "done")) >= len(items))
    seconds = time.time() - t0
    daemon_cpu, server_cpu = cpu_seconds(proc.pid) - daemon_cpu0, cpu_seconds(server_pid) - server_cpu0
    proc.send_signal(signal.SIGTERM)
    proc.wait(timeout=60)
    return {"seconds": round(seconds, 2), "articles_per_second": round(len(items) / seconds, 1),
            "daemon_cpu_ms_per_article": round(1000 * daemon_cpu / len(items), 3),
            "server_cpu_ms_per_article": round(1000 * server_cpu / len(items), 3)}


def median(values):
    values = sorted(values)
    mid = len(values) // 2
    return values[mid] if len(values) % 2 else (values[mid - 1] + values[mid]) / 2


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--articles", type=int, default=1500)
    ap.add_argument("--bin", default=os.path.join(ROOT, ".build", "release"))
    ap.add_argument("--out", default=os.path.join(ROOT, "benchmarks", "results", "nats-scaling.json"))
    # Local-only and stream runs alternate, so a change in the machine's load falls on both alike.
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args()
    items = articles(args.articles)
    load_before = os.getloadavg()[0]
    work = tempfile.mkdtemp(prefix="nats-scaling-")
    port = free_port()
    server, client = start_server(port, os.path.join(work, "store"))
    url = f"nats://127.0.0.1:{port}"
    try:
        local_runs, stream_runs = [], []
        for k in range(args.repeat):
            local_runs.append(run_local(args.bin, work, items, "", server.pid))
            # A results stream per run: the stream's de-duplication would take a repeat for free.
            stream_runs.append(run_local(args.bin, work, items,
                                         f"nats_url = {url}\nnats_results_stream = NEWSINBOX_RESULTS_R{k}\n"
                                         f"nats_results_subject = newsinbox.results-r{k}\n", server.pid))
        local = median([r["seconds"] for r in local_runs])
        results = median([r["seconds"] for r in stream_runs])
        local_cpu = median([r["daemon_cpu_ms_per_article"] for r in local_runs])
        stream_cpu = median([r["daemon_cpu_ms_per_article"] for r in stream_runs])
        stream_server_cpu = median([r["server_cpu_ms_per_article"] for r in stream_runs])

        # The input stream, made as the daemons make it, then filled before any daemon starts.
        client.request("$JS.API.STREAM.CREATE.NEWSINBOX_INBOX",
                       {"name": "NEWSINBOX_INBOX", "subjects": ["newsinbox.inbox.>"], "retention": "workqueue",
                        "storage": "file", "duplicate_window": 120_000_000_000})
        for feed, _, data in items:
            client.publish("newsinbox.inbox." + feed, data)
        client.ping()
        wait("the input stream holds every article", lambda: client.stream_messages("NEWSINBOX_INBOX") >= len(items), 120)
        # A results stream of its own: the one above already holds these ids.
        conf = (f"nats_url = {url}\nnats_input_stream = NEWSINBOX_INBOX\n"
                "nats_results_stream = NEWSINBOX_RESULTS3\nnats_results_subject = newsinbox.results3\n")
        t0 = time.time()
        daemons = [start_daemon(args.bin, tempfile.mkdtemp(dir=work), conf) for _ in range(3)]
        wait("the results stream holds every article", lambda: client.stream_messages("NEWSINBOX_RESULTS3") >= len(items))
        three = time.time() - t0
        for d in daemons:
            d.send_signal(signal.SIGTERM)
        for d in daemons:
            d.wait(timeout=60)
        report = {
            "articles": len(items),
            "cpus": os.cpu_count(),
            "nats_server": subprocess.run(["nats-server", "--version"], capture_output=True, text=True).stdout.strip(),
            "load_average_before": round(load_before, 2),
            "load_average_after": round(os.getloadavg()[0], 2),
            "local_only": {"median_seconds": round(local, 2), "articles_per_second": round(len(items) / local, 1),
                           "daemon_cpu_ms_per_article": local_cpu, "runs": local_runs},
            "with_results_stream": {"median_seconds": round(results, 2),
                                    "articles_per_second": round(len(items) / results, 1),
                                    "daemon_cpu_ms_per_article": stream_cpu,
                                    "server_cpu_ms_per_article": stream_server_cpu, "runs": stream_runs},
            # Wall clock on a shared machine moves with its load; CPU per article does much less.
            "results_stream_cost_percent": round(100 * (results - local) / local, 1),
            "results_stream_daemon_cpu_cost_percent": round(100 * (stream_cpu - local_cpu) / local_cpu, 1),
            "results_stream_cpu_cost_percent_with_server": round(
                100 * (stream_cpu + stream_server_cpu - local_cpu) / local_cpu, 1),
            "three_daemons_on_the_input_stream": {"seconds": round(three, 2),
                                                  "aggregate_articles_per_second": round(len(items) / three, 1)},
            "time": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        }
        print(json.dumps(report, indent=2))
        os.makedirs(os.path.dirname(args.out), exist_ok=True)
        with open(args.out, "w") as f:
            json.dump(report, f, indent=2)
            f.write("\n")
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=30)
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
