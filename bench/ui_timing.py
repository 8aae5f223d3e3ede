#!/usr/bin/env python3
"""Black-box UI timings of the real binary in a pseudo-terminal, read through a terminal
emulator (pyte), as a person would see the screen.

    ui_timing.py BINARY PATH [--keys N] [--append FILE RATE SECONDS]

Prints JSON: time to the first frame, to the end of the first load (LIVE in the status
bar), key press to redrawn frame (p50/p95/max of N presses of j/k once loaded, to the first bytes of the new frame), resident
memory once loaded. With --append, a writer appends PML events to FILE at RATE per second
for SECONDS; meanwhile `?` is pressed and timed until the help overlay's title is written;
the report adds how long after the writer stopped the span count on screen was complete.
"""
import fcntl
import json
import os
import pty
import re
import select
import struct
import sys
import termios
import threading
import time

import pyte

COLS, ROWS = 120, 40


def rss_kb(pid, field="VmRSS"):
    """Resident memory in kB (`field="VmHWM"`: its peak so far)."""
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith(field + ":"):
                return int(line.split()[1])
    return 0


class Pane:
    def __init__(self, argv):
        pid, fd = pty.fork()
        if pid == 0:
            os.environ["TERM"] = "xterm-256color"
            os.environ["TZ"] = "UTC"
            os.execv(argv[0], argv)
        fcntl.ioctl(fd, termios.TIOCSWINSZ, struct.pack("HHHH", ROWS, COLS, 0, 0))
        self.pid, self.fd = pid, fd
        self.screen = pyte.Screen(COLS, ROWS)
        self.stream = pyte.ByteStream(self.screen)
        # Bytes not yet given to the emulator: it is slow, so it reads only when asked.
        self.pending = b""
        self.received = 0

    def read(self, timeout):
        """Take what arrives within `timeout` seconds; answer cursor queries."""
        ready, _, _ = select.select([self.fd], [], [], timeout)
        if not ready:
            return b""
        try:
            data = os.read(self.fd, 1 << 20)
        except OSError:
            return b""
        if b"\x1b[6n" in data:
            os.write(self.fd, b"\x1b[1;1R")
        self.pending += data
        self.received += len(data)
        return data

    def text(self):
        if self.pending:
            self.stream.feed(self.pending)
            self.pending = b""
        return "\n".join(self.screen.display)

    def until(self, done, limit):
        """Seconds until `done(screen text)` holds (None after `limit`)."""
        start = time.monotonic()
        while not done(self.text()):
            if time.monotonic() - start > limit:
                return None
            self.read(0.005)
        return time.monotonic() - start

    def quiet(self, seconds, limit=5.0):
        start = time.monotonic()
        while self.read(seconds) and time.monotonic() - start < limit:
            pass

    def key(self, key, done, limit=5.0):
        os.write(self.fd, key)
        return self.until(done, limit)

    def raw_latency(self, key, needle=None, limit=5.0):
        """Seconds from sending `key` to the first output after it (or to `needle` in the
        bytes written after it), timed on the raw bytes."""
        while self.read(0):
            pass  # whatever was already on its way is not the answer
        os.write(self.fd, key)
        sent = time.monotonic()
        seen = b""
        while time.monotonic() - sent < limit:
            data = self.read(0.002)
            seen += data
            if data and (needle is None or needle in seen):
                return time.monotonic() - sent
        return None

    def spans(self):
        self.text()
        found = re.search(r"sessions? · (\d+) spans?", self.screen.display[0])
        return int(found.group(1)) if found else None

    def quit(self):
        os.write(self.fd, b"q")
        os.waitpid(self.pid, 0)


def percentile(values, p):
    values = sorted(values)
    rank = max(1, -(-len(values) * p // 100))
    return values[int(rank) - 1]


def summary(ms):
    return {"p50": round(percentile(ms, 50), 1), "p95": round(percentile(ms, 95), 1),
            "max": round(max(ms), 1), "n": len(ms)}


def appender(path, rate, seconds, stop):
    """Append documented PML events at `rate` per second; returns how many."""
    n = 0
    t0 = time.time()
    with open(path, "a") as f:
        while time.time() - t0 < seconds and not stop.is_set():
            due = int((time.time() - t0) * rate)
            lines = []
            while n < due:
                ts = int(time.time() * 1000)
                lines.append(
                    '{"id":"live_%d","type":"tool_call","timestamp":%d,"duration_ms":3,'
                    '"parent_id":"live_root","root_id":"live_root","tool":"bench:append",'
                    '"status":"success"}\n' % (n, ts)
                )
                n += 1
            f.write("".join(lines))
            f.flush()
            time.sleep(0.005)
    return n


def main():
    args = sys.argv[1:]
    binary, path = args[0], args[1]
    keys = int(args[args.index("--keys") + 1]) if "--keys" in args else 40
    start = time.monotonic()
    pane = Pane([binary, path])
    seen = b""
    while "┏".encode() not in seen and time.monotonic() - start < 10:
        seen += pane.read(0.001)  # the first pane border, on the raw bytes
    first = time.monotonic() - start
    pane.until(lambda s: " LIVE " in s.splitlines()[-1], 600)
    loaded = time.monotonic() - start
    pane.quiet(0.3)
    report = {"first_frame_ms": round(first * 1000, 1), "loaded_s": round(loaded, 2),
              "rss_mb": round(rss_kb(pane.pid) / 1024, 1)}
    # j/k move the selection; the frame is redrawn when the prompt title changes.
    lat = []
    for i in range(keys):
        pane.quiet(0.05, 1.0)
        pane.text()
        took = pane.raw_latency(b"j" if i % 2 == 0 else b"k")
        if took is not None:
            lat.append(took * 1000)
    report["key_ms"] = summary(lat) if lat else None
    if "--append" in args:
        i = args.index("--append")
        target, rate, seconds = args[i + 1], int(args[i + 2]), float(args[i + 3])
        before = pane.spans()
        stop = threading.Event()
        result = {}
        writer = threading.Thread(target=lambda: result.update(n=appender(target, rate, seconds, stop)))
        writer.start()
        lat = []
        t_end = time.monotonic() + seconds
        while time.monotonic() < t_end:
            shown = pane.raw_latency(b"?", b"tracetui keys")
            if shown is not None:
                lat.append(shown * 1000)
            pane.raw_latency(b"\x1b")
            pane.text()  # keep the emulator current, so the catch-up below is the app's
            time.sleep(0.05)
        writer.join()
        written = result["n"]
        caught = pane.until(lambda s: before is not None and pane.spans() == before + written, 60)
        report["append"] = {"events": written, "rate": rate,
                            "help_key_ms": summary(lat) if lat else None,
                            "catch_up_ms": None if caught is None else round(caught * 1000, 1),
                            "rss_mb": round(rss_kb(pane.pid) / 1024, 1)}
    pane.quit()
    print(json.dumps(report))


if __name__ == "__main__":
    main()
