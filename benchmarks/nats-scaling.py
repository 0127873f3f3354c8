#!/usr/bin/env python3
"""What the NATS JetStream streams cost, and what three daemons on one input stream do together.

    benchmarks/nats-scaling.py [--articles N] [--bin DIR] [--out FILE]

Runs, one after the other, on the BBC corpus (../shared/corpora/bbc), with a real nats-server on a
free loopback port and the release build of newsinboxd:

  local     one daemon, no NATS: N files renamed into its inbox, timed until all are in done/
  results   the same with nats_url set: every result acknowledged by the results stream first
  3 daemons N articles published to the input stream (newsinbox.inbox.<category>), three daemons with
            separate spools sharing the durable consumer, timed until the results stream holds N

Prints one JSON object (and writes it to --out): articles/s for each and the cost of the results
stream against the local-only daemon. Only the standard library: the NATS text protocol is spoken
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
    deadline = time.time() + 60
    while not os.path.exists(sock) and time.time() < deadline:
        time.sleep(0.02)
    return proc


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


def run_local(bin_dir, work, items, conf):
    base = tempfile.mkdtemp(dir=work)
    proc = start_daemon(bin_dir, base, conf)
    staging = os.path.join(base, "staging")
    for feed, name, data in items:
        os.makedirs(os.path.join(staging, feed), exist_ok=True)
        with open(os.path.join(staging, feed, name), "wb") as f:
            f.write(data)
    t0 = time.time()
    for feed, name, _ in items:
        os.makedirs(os.path.join(base, "inbox", feed), exist_ok=True)
        os.rename(os.path.join(staging, feed, name), os.path.join(base, "inbox", feed, name))
    wait("all sources are in done/", lambda: count_files(os.path.join(base, "state", "done")) >= len(items))
    seconds = time.time() - t0
    proc.send_signal(signal.SIGTERM)
    proc.wait(timeout=60)
    return seconds


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--articles", type=int, default=1500)
    ap.add_argument("--bin", default=os.path.join(ROOT, ".build", "release"))
    ap.add_argument("--out", default=os.path.join(ROOT, "benchmarks", "results", "nats-scaling.json"))
    args = ap.parse_args()
    items = articles(args.articles)
    work = tempfile.mkdtemp(prefix="nats-scaling-")
    port = free_port()
    server, client = start_server(port, os.path.join(work, "store"))
    url = f"nats://127.0.0.1:{port}"
    try:
        local = run_local(args.bin, work, items, "")
        results = run_local(args.bin, work, items, f"nats_url = {url}\n")

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
            "local_only": {"seconds": round(local, 2), "articles_per_second": round(len(items) / local, 1)},
            "with_results_stream": {"seconds": round(results, 2), "articles_per_second": round(len(items) / results, 1)},
            "results_stream_cost_percent": round(100 * (results - local) / local, 1),
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
