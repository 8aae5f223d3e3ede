#!/usr/bin/env python3
"""Soak: the real binary in a pseudo-terminal (read through pyte, as `ui_timing.py` does)
watches a JSON Lines file that `pml_writer.py` appends to at a steady rate, with follow mode
on (the default), for a set time. Every half second `?` is pressed and timed to the first
bytes of the frame that shows the help overlay, then Esc closes it (neither moves the
selection, so follow stays on). Each minute it prints the CPU the tracetui process used
(all its threads, from /proc/PID/stat), key-to-frame p50/p95/max, and what was loaded.

    soak.py BINARY [--minutes 10] [--rate 2000] [--shape executions|one] [--key-every 0.5]

Everything is local: a temporary file, a child process, and it stops by itself.
"""
import json
import os
import sys
import tempfile
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from pml_writer import Writer  # noqa: E402
from ui_timing import Pane, percentile, rss_kb  # noqa: E402

TICK = os.sysconf("SC_CLK_TCK")


def cpu_seconds(pid):
    """User plus system time of every thread of `pid` so far."""
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    # Fields 14 and 15 of proc(5), counted after the command name (which may hold spaces).
    return (int(fields[11]) + int(fields[12])) / TICK


def main():
    args = sys.argv[1:]
    opt = lambda name, default: args[args.index(name) + 1] if name in args else default
    binary = args[0]
    minutes = float(opt("--minutes", 10))
    rate = int(opt("--rate", 2000))
    shape = opt("--shape", "executions")
    key_every = float(opt("--key-every", 0.5))

    work = tempfile.mkdtemp(prefix="tracetui-soak-")
    path = os.path.join(work, "live.jsonl")
    open(path, "w").close()
    pane = Pane([binary, path])
    pane.until(lambda s: " LIVE " in s.splitlines()[-1], 30)
    pane.quiet(0.3)

    writer = Writer(path, rate, shape)
    stop = threading.Event()
    thread = threading.Thread(target=writer.run, args=(minutes * 60, stop))
    print(f"soak: {rate} PML events/s ({shape}) for {minutes:g} min, follow on, "
          f"`?` every {key_every} s; {binary}", file=sys.stderr)
    rows = []
    start = time.monotonic()
    thread.start()
    minute_start, cpu_start, own_start = start, cpu_seconds(pane.pid), sum(os.times()[:2])
    lat, missed = [], 0
    try:
        while thread.is_alive() or lat:
            took = pane.raw_latency(b"?", b"tracetui keys", limit=2.0)
            if took is None:
                missed += 1
            else:
                lat.append(took * 1000)
            pane.raw_latency(b"\x1b", limit=1.0)
            pane.text()  # keep the emulator current (and the pty drained)
            now = time.monotonic()
            if now - minute_start >= 60 or not thread.is_alive():
                cpu = cpu_seconds(pane.pid)
                own = sum(os.times()[:2])
                span = now - minute_start
                row = {
                    "minute": len(rows) + 1,
                    "events": writer.written,
                    "cpu_pct": round(100 * (cpu - cpu_start) / span, 1),
                    "bench_cpu_pct": round(100 * (own - own_start) / span, 1),
                    "p50_ms": round(percentile(lat, 50), 1) if lat else None,
                    "p95_ms": round(percentile(lat, 95), 1) if lat else None,
                    "max_ms": round(max(lat), 1) if lat else None,
                    "keys": len(lat),
                    "missed": missed,
                    "rss_mb": round(rss_kb(pane.pid) / 1024, 1),
                }
                rows.append(row)
                print(json.dumps(row), file=sys.stderr, flush=True)
                minute_start, cpu_start, own_start = now, cpu, own
                lat, missed = [], 0
                if not thread.is_alive():
                    break
            time.sleep(max(0.0, key_every - (time.monotonic() - now)))
        thread.join()
        # The app kept up if the count on screen reaches what was written soon after.
        caught = pane.until(lambda s: pane.spans() == writer.spans, 60)
    finally:
        stop.set()
        try:
            pane.quit()
        except OSError:
            pass
        os.remove(path)
        os.rmdir(work)

    print(f"| minute | events written | tracetui CPU | key-to-frame p50 | p95 | max | keys |")
    print("|---|---|---|---|---|---|---|")
    for r in rows:
        print(f"| {r['minute']} | {r['events']:,} | {r['cpu_pct']}% | {r['p50_ms']} ms | "
              f"{r['p95_ms']} ms | {r['max_ms']} ms | {r['keys']}"
              + (f" ({r['missed']} unanswered)" if r["missed"] else "") + " |")
    print(f"\nrate {rate}/s, shape {shape}; bench process CPU "
          f"{max(r['bench_cpu_pct'] for r in rows)}% at most; RSS at the end "
          f"{rows[-1]['rss_mb']} MB; view complete "
          + ("after the writer stopped: " + f"{caught * 1000:.0f} ms" if caught is not None
             else "not within 60 s of the writer stopping"))


if __name__ == "__main__":
    main()
