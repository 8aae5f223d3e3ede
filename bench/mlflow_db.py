#!/usr/bin/env python3
"""Build an MLflow SQL store of many traces for the first-screen benchmark.

    mlflow_db.py MLFLOW_PYTHON OUT.db [--traces 100000]

The schema and one round of template rows come from the real mlflow (the test fixture
tests/fixtures/mlflow_sql/log_traces.py, run in a scratch folder); the rest are copies of
those rows bulk-inserted with sqlite3, each with a trace id of its own and a start a second
after the previous one, so search order and paging behave as on a busy server.
"""
import base64
import os
import sqlite3
import subprocess
import sys
import tempfile

python, out = sys.argv[1], os.path.abspath(sys.argv[2])
count = int(sys.argv[sys.argv.index("--traces") + 1]) if "--traces" in sys.argv else 100_000
fixture = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tests", "fixtures",
                       "mlflow_sql", "log_traces.py")
if os.path.exists(out):
    os.remove(out)
with tempfile.TemporaryDirectory() as scratch:
    subprocess.run([python, fixture, out, "0"], cwd=scratch, check=True,
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)

db = sqlite3.connect(out)
templates = [r[0] for r in db.execute("SELECT request_id FROM trace_info ORDER BY timestamp_ms")]
base_ms = db.execute("SELECT min(timestamp_ms) FROM trace_info").fetchone()[0]
info_cols = [r[1] for r in db.execute("PRAGMA table_info(trace_info)")]
span_cols = ["trace_id", "experiment_id", "span_id", "parent_span_id", "name", "type", "status",
             "start_time_unix_nano", "end_time_unix_nano", "content"]
rows = {}
for t in templates:
    info = dict(zip(info_cols, db.execute("SELECT * FROM trace_info WHERE request_id = ?", (t,)).fetchone()))
    tags = db.execute("SELECT key, value FROM trace_tags WHERE request_id = ?", (t,)).fetchall()
    meta = db.execute("SELECT key, value FROM trace_request_metadata WHERE request_id = ?", (t,)).fetchall()
    spans = [dict(zip(span_cols, r)) for r in db.execute(
        f"SELECT {', '.join(span_cols)} FROM spans WHERE trace_id = ?", (t,))]
    rows[t] = (info, tags, meta, spans)

db.execute("PRAGMA synchronous = OFF")
db.execute("PRAGMA journal_mode = MEMORY")
for i in range(count):
    t = templates[i % len(templates)]
    info, tags, meta, spans = rows[t]
    hex_id = f"{i + 1:032x}"
    new = "tr-" + hex_id
    shift_ms = i * 1000 + 1000
    row = dict(info, request_id=new, timestamp_ms=base_ms + shift_ms)
    db.execute(f"INSERT INTO trace_info ({', '.join(info_cols)}) VALUES ({', '.join('?' * len(info_cols))})",
               [row[c] for c in info_cols])
    db.executemany("INSERT INTO trace_tags (key, value, request_id) VALUES (?, ?, ?)",
                   [(k, v.replace(t, new) if v else v, new) for k, v in tags])
    db.executemany("INSERT INTO trace_request_metadata (key, value, request_id) VALUES (?, ?, ?)",
                   [(k, v, new) for k, v in meta])
    old_b64 = base64.b64encode(bytes.fromhex(t[3:])).decode()
    new_b64 = base64.b64encode(bytes.fromhex(hex_id)).decode()
    shift_ns = shift_ms * 1_000_000
    for s in spans:
        content = s["content"].replace(old_b64, new_b64).replace(t, new)
        db.execute(f"INSERT INTO spans ({', '.join(span_cols)}) VALUES ({', '.join('?' * len(span_cols))})",
                   [new, s["experiment_id"], s["span_id"], s["parent_span_id"], s["name"], s["type"],
                    s["status"], s["start_time_unix_nano"] + shift_ns,
                    (s["end_time_unix_nano"] or 0) + shift_ns, content])
db.commit()
db.close()
print(f"{out}: {count} traces added to the real mlflow's {len(templates)}", file=sys.stderr)
