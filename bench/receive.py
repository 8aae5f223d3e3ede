#!/usr/bin/env python3
"""The receiver under an SDK's load, against opening the same spans from a file.

    receive.py BINARY OTLP_FILE [--batch 512] [--only json|protobuf] [--runs 3]

OTLP_FILE holds OTLP/JSON lines (bench/run.sh makes 200k GenAI spans with gen_traces).
Their spans are regrouped into requests of --batch spans (an SDK batch exporter's default
size) and sent as JSON and as protobuf over one keep-alive connection, retrying after 50 ms
on 503 (the receiver's "behind, retry"), to the real binary in a pseudo-terminal: with the
default recording, and with --no-record (memory only, the default of earlier versions).
For each: seconds from the first request until the UI's header counts every span, the
spans it shows, the spans kept without bodies, retries, and peak RSS (VmHWM). The same
file opened (`tracetui FILE`) gives the floor: seconds to loaded and peak RSS. Runs are
interleaved; each configuration reports its median run. Prints JSON.
"""
import base64
import http.client
import json
import os
import re
import shutil
import socket
import sys
import tempfile
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from ui_timing import Pane, rss_kb  # noqa: E402


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def requests(path, batch):
    """The file's resourceSpans regrouped into requests of about `batch` spans."""
    pending, count = [], 0
    with open(path) as f:
        for line in f:
            for rs in json.loads(line).get("resourceSpans", []):
                pending.append(rs)
                count += sum(len(ss.get("spans", [])) for ss in rs.get("scopeSpans", []))
            if count >= batch:
                yield {"resourceSpans": pending}, count
                pending, count = [], 0
    if pending:
        yield {"resourceSpans": pending}, count


def hex_ids_to_base64(request):
    """OTLP/JSON spells ids in hex; protobuf's JSON mapping, which ParseDict reads, in base64."""
    for rs in request["resourceSpans"]:
        for ss in rs.get("scopeSpans", []):
            for span in ss.get("spans", []):
                for key in ("traceId", "spanId", "parentSpanId"):
                    if key in span:
                        span[key] = base64.b64encode(bytes.fromhex(span[key])).decode()
    return request


def bodies(path, batch, encoding):
    out, total = [], 0
    if encoding == "protobuf":
        from google.protobuf.json_format import ParseDict
        from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import (
            ExportTraceServiceRequest,
        )
    for request, count in requests(path, batch):
        total += count
        if encoding == "json":
            out.append(json.dumps(request, separators=(",", ":")).encode())
        else:
            message = ParseDict(hex_ids_to_base64(request), ExportTraceServiceRequest())
            out.append(message.SerializeToString())
    return out, total


def send(port, payloads, content_type, result):
    """Every request on one keep-alive connection (a new one only if the server closed it),
    each retried after 50 ms while the answer is 503."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    retries = 0
    for body in payloads:
        while True:
            try:
                conn.request("POST", "/v1/traces", body, {"Content-Type": content_type})
                response = conn.getresponse()
                response.read()
            except (http.client.HTTPException, OSError):
                conn.close()
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
                retries += 1
                continue
            if response.status == 200:
                break
            if response.status == 503:
                retries += 1
                time.sleep(0.05)
                continue
            raise SystemExit(f"answer {response.status} to a request")
    conn.close()
    result["retries"] = retries


def without_bodies(text):
    found = re.search(r"(\d+) without bodies", text)
    return int(found.group(1)) if found else 0


def wait_for_spans(pane, total, limit):
    """Seconds until the header counts `total` spans. The pty is drained all the while (a
    full one would stall the UI), but the slow emulator reads the screen only every 50 ms,
    so it takes little of the CPU the receiver is measured on."""
    start = last = time.monotonic()
    while time.monotonic() - start < limit:
        pane.read(0.01)
        now = time.monotonic()
        if now - last >= 0.05:
            last = now
            if pane.spans() == total:
                return now - start
    return None


def receive(binary, payloads, total, content_type, flags):
    port = free_port()
    pane = Pane([binary, "--listen", f"127.0.0.1:{port}", "--listen-grpc", "off", *flags])
    if pane.until(lambda s: f"127.0.0.1:{port} 0 spans" in s, 20) is None:
        raise SystemExit("the receiver did not start")
    result = {}
    sender = threading.Thread(target=send, args=(port, payloads, content_type, result))
    sender.start()
    took = wait_for_spans(pane, total, 600)
    sender.join()
    pane.quiet(0.3)
    report = {
        "seconds": None if took is None else round(took, 2),
        "spans_shown": pane.spans(),
        "without_bodies": without_bodies(pane.text()),
        "retries": result.get("retries"),
        "peak_rss_mb": round(rss_kb(pane.pid, "VmHWM") / 1024, 1),
    }
    pane.quit()
    # Each run's recording (130 MB) goes once measured.
    shutil.rmtree(os.path.join(os.environ["XDG_STATE_HOME"], "tracetui"), ignore_errors=True)
    return report


def opened(binary, path):
    start = time.monotonic()
    pane = Pane([binary, path])
    took = pane.until(lambda s: " LIVE " in s.splitlines()[-1], 600)
    pane.quiet(0.3)
    report = {
        "seconds": None if took is None else round(time.monotonic() - start, 2),
        "spans_shown": pane.spans(),
        "peak_rss_mb": round(rss_kb(pane.pid, "VmHWM") / 1024, 1),
    }
    pane.quit()
    return report


def main():
    args = sys.argv[1:]
    binary, path = args[0], args[1]
    batch = int(args[args.index("--batch") + 1]) if "--batch" in args else 512
    only = args[args.index("--only") + 1] if "--only" in args else None
    runs = int(args[args.index("--runs") + 1]) if "--runs" in args else 3
    state = tempfile.mkdtemp(prefix="tracetui-receive-bench-")
    # The default recording goes here, not into the user's state folder.
    os.environ["XDG_STATE_HOME"] = state
    try:
        measure(binary, path, batch, only, runs)
    finally:
        shutil.rmtree(state, ignore_errors=True)


def measure(binary, path, batch, only, runs):
    report = {"file": opened(binary, path), "batch": batch, "runs": runs}
    encodings = [(e, t) for e, t in [("json", "application/json"),
                                     ("protobuf", "application/x-protobuf")]
                 if not only or e == only]
    prepared = {}
    for encoding, _ in encodings:
        prepared[encoding], report["spans"] = bodies(path, batch, encoding)
    # Interleaved, so a noisy minute on the machine falls on every configuration alike.
    results = {}
    for _ in range(runs):
        for encoding, content_type in encodings:
            for name, flags in [("recorded", []), ("memory", ["--no-record"])]:
                r = receive(binary, prepared[encoding], report["spans"], content_type, flags)
                results.setdefault(f"{encoding}_{name}", []).append(r)
    for key, rs in results.items():
        # The run with the median time, whole; every run's seconds beside it.
        timed = sorted(rs, key=lambda r: float("inf") if r["seconds"] is None else r["seconds"])
        report[key] = dict(timed[(len(timed) - 1) // 2], all_seconds=[r["seconds"] for r in rs])
    print(json.dumps(report))


if __name__ == "__main__":
    main()
