#!/usr/bin/env python3
"""First screen of a large MLflow store, read directly and through a tracking server.

    mlflow_first_screen.py BINARY MLFLOW_PYTHON DB [--runs 3]

The real binary in a pseudo-terminal (bench/ui_timing.py's Pane, read through pyte), opened
on DB and then on `mlflow server` (the real one, serving DB on 127.0.0.1): seconds from
start to the first frame that shows traces (the tree's title counts sessions), and to the
whole store listed (every trace counted). Prints JSON; medians over --runs starts.
"""
import json
import os
import re
import signal
import socket
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from ui_timing import Pane  # noqa: E402


def sessions(text):
    found = re.search(r"· ([\d,]+) sessions? ·", text.splitlines()[0])
    return int(found.group(1).replace(",", "")) if found else 0


def time_it(binary, target, total, whole):
    start = time.monotonic()
    pane = Pane([binary, target])
    first = pane.until(lambda s: sessions(s) > 0, 600)
    first = None if first is None else time.monotonic() - start
    listed = None
    if whole:
        if pane.until(lambda s: sessions(s) >= total, 900) is not None:
            listed = time.monotonic() - start
    pane.quit()
    return first, listed


def measure(binary, target, total, runs):
    firsts, listed = [], None
    for i in range(runs):
        first, whole = time_it(binary, target, total, i == 0)
        firsts.append(first)
        listed = whole if i == 0 else listed
    return {"first_screen_s": round(statistics.median(firsts), 2),
            "all_listed_s": None if listed is None else round(listed, 1)}


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def main():
    binary, python, db = sys.argv[1], sys.argv[2], os.path.abspath(sys.argv[3])
    runs = int(sys.argv[sys.argv.index("--runs") + 1]) if "--runs" in sys.argv else 3
    total = sqlite3.connect(db).execute("SELECT count(*) FROM trace_info").fetchone()[0]
    report = {"traces": total, "db": measure(binary, db, total, runs)}
    port = free_port()
    mlflow = os.path.join(os.path.dirname(python), "mlflow")
    with tempfile.TemporaryDirectory() as scratch:
        server = subprocess.Popen(
            [mlflow, "server", "--backend-store-uri", "sqlite:///" + db, "--host", "127.0.0.1",
             "--port", str(port)], cwd=scratch, stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL, start_new_session=True)
        try:
            url = f"http://127.0.0.1:{port}"
            deadline = time.monotonic() + 180
            while True:
                try:
                    urllib.request.urlopen(url + "/health", timeout=5)
                    break
                except OSError:
                    if time.monotonic() > deadline:
                        raise
                    time.sleep(0.5)
            report["server"] = measure(binary, url, total, runs)
        finally:
            os.killpg(server.pid, signal.SIGTERM)
            server.wait()
    print(json.dumps(report))


if __name__ == "__main__":
    main()
