#!/usr/bin/env bash
# Reproduce the README's benchmark table: generate the large trace sets, time `dump` against
# the floors (cat of the same files; a bare serde_json pass over the same lines), time the
# UI in a pseudo-terminal (first frame, load, key latency, memory, live tailing), the OTLP
# receiver under an SDK's load (JSON and protobuf, recorded and in memory), the live
# latency bench, and (with --criterion) the criterion benches.
#
#   bash bench/run.sh [--runs 5] [--criterion] [--keep DIR]
set -euo pipefail
cd "$(dirname "$0")/.."

runs=5
criterion=0
keep=""
while [ $# -gt 0 ]; do
    case "$1" in
        --runs) runs="$2"; shift 2 ;;
        --criterion) criterion=1; shift ;;
        --keep) keep="$2"; shift 2 ;;
        *) echo "unknown option $1" >&2; exit 2 ;;
    esac
done

work="${keep:-$(mktemp -d)}"
mkdir -p "$work"
[ -n "$keep" ] || trap 'rm -rf "$work"' EXIT

echo "== building" >&2
cargo build --release --quiet --bin tracetui --example gen_traces --example jsonl_baseline
bin=target/release/tracetui

if [ ! -e "$work/events.jsonl" ]; then
    echo "== generating data in $work" >&2
    target/release/examples/gen_traces pml "$work/events.jsonl" --events 1000000 >&2
    target/release/examples/gen_traces poml "$work/pomlruns" --sessions 20 --calls 500 >&2
fi
if [ ! -e "$work/otlp.jsonl" ]; then
    target/release/examples/gen_traces otlp "$work/otlp.jsonl" --spans 100000 >&2
fi
if [ ! -e "$work/otlp200k.jsonl" ]; then
    target/release/examples/gen_traces otlp "$work/otlp200k.jsonl" --spans 200000 >&2
fi

# Python with pyte (a terminal emulator) for the UI timings.
venv="target/bench-venv"
if [ ! -x "$venv/bin/python" ]; then
    python3 -m venv "$venv" >&2
    "$venv/bin/pip" install -q pyte >&2
fi
# The receive bench encodes protobuf requests with the OTLP messages.
"$venv/bin/python" -c "import opentelemetry.proto" 2>/dev/null ||
    "$venv/bin/pip" install -q opentelemetry-proto==1.45.2 >&2

seconds() { # run a command, print its wall time in seconds
    local start end
    start=$(date +%s.%N)
    "$@" > /dev/null
    end=$(date +%s.%N)
    echo "$end - $start" | bc -l
}
median() { sort -g | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }

cat_poml() { find "$work/pomlruns" -type f -print0 | xargs -0 cat; }

echo "== timing dump against its floors ($runs runs each, interleaved)" >&2
: > "$work/times"
cat_poml > /dev/null # warm the page cache
for _ in $(seq "$runs"); do
    echo "cat $(seconds cat_poml)" >> "$work/times"
    echo "dump_poml $(seconds "$bin" dump --format json "$work/pomlruns")" >> "$work/times"
    echo "baseline $(seconds target/release/examples/jsonl_baseline "$work/events.jsonl")" >> "$work/times"
    echo "dump_pml $(seconds "$bin" dump --format json "$work/events.jsonl")" >> "$work/times"
    echo "otlp_base $(seconds target/release/examples/jsonl_baseline "$work/otlp.jsonl")" >> "$work/times"
    echo "dump_otlp $(seconds "$bin" dump --format json "$work/otlp.jsonl")" >> "$work/times"
done
m() { grep "^$1 " "$work/times" | cut -d' ' -f2 | median; }
cat_s=$(m cat); dump_poml=$(m dump_poml); base_s=$(m baseline); dump_pml=$(m dump_pml)
otlp_base=$(m otlp_base); dump_otlp=$(m dump_otlp)

echo "== UI in a pseudo-terminal" >&2
ui_poml=$("$venv/bin/python" bench/ui_timing.py "$bin" "$work/pomlruns" --keys 40)
cp "$work/events.jsonl" "$work/live.jsonl"
ui_pml=$("$venv/bin/python" bench/ui_timing.py "$bin" "$work/live.jsonl" --keys 40 \
    --append "$work/live.jsonl" 10000 10)

echo "== MLflow: 100k traces, first screen, the database and a tracking server serving it" >&2
mlflow_python="${TRACETUI_MLFLOW_PYTHON:-target/tmp/mlflow-venv/bin/python}"
if [ -x "$mlflow_python" ]; then
    [ -e "$work/mlflow/mlflow.db" ] || { mkdir -p "$work/mlflow" &&
        "$mlflow_python" bench/mlflow_db.py "$mlflow_python" "$work/mlflow/mlflow.db" --traces 100000; }
    mlflow_ui=$("$venv/bin/python" bench/mlflow_first_screen.py "$bin" "$mlflow_python" \
        "$work/mlflow/mlflow.db" --runs 3)
else
    echo "   (skipped: no mlflow; set TRACETUI_MLFLOW_PYTHON or run the tests once)" >&2
    mlflow_ui='null'
fi

echo "== the receiver: 200k GenAI spans sent as JSON and protobuf, against the file opened" >&2
receive=$("$venv/bin/python" bench/receive.py "$bin" "$work/otlp200k.jsonl" --runs "$runs")

echo "== the edit-and-look loop (R): a save of the prompt file to the new diff on screen" >&2
poml_cli="$(dirname "${TRACETUI_POML_PYTHON:-target/tmp/poml-venv/bin/python}")/poml-cli"
if [ -x "$poml_cli" ] && command -v tmux >/dev/null; then
    render_loop=$("$venv/bin/python" bench/render_loop.py "$bin" "$poml_cli" \
        tests/fixtures/corpus-public.tar.gz --saves 12)
else
    echo "   (skipped: no poml-cli or tmux; run the tests once)" >&2
    render_loop='null'
fi

echo "== live latency" >&2
live=$(cargo bench --quiet --bench live_latency 2>/dev/null | tail -3)

python3 - "$cat_s" "$dump_poml" "$base_s" "$dump_pml" "$ui_poml" "$ui_pml" "$live" "$(nproc)" \
    "$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)" "$otlp_base" "$dump_otlp" \
    "$mlflow_ui" "$receive" "$render_loop" <<'PY'
import json, sys
cat, dump_poml, base, dump_pml = map(float, sys.argv[1:5])
poml, pml = json.loads(sys.argv[5]), json.loads(sys.argv[6])
live, cores, cpu = sys.argv[7], sys.argv[8], sys.argv[9]
otlp_base, dump_otlp = map(float, sys.argv[10:12])
a = pml["append"]
print(f"Machine: {cores} CPU cores ({cpu}). Medians of interleaved runs.\n")
print("| what | measured | floor / target | ratio |")
print("|---|---|---|---|")
print(f"| `dump --format json`, 1M PML events (331 MB) | {dump_pml:.2f} s | bare serde_json pass {base:.2f} s | {dump_pml/base:.2f}x (target 1.3x) |")
print(f"| `dump --format json`, 100k OTLP spans (63 MB) | {dump_otlp:.2f} s | bare serde_json pass {otlp_base:.2f} s | {dump_otlp/otlp_base:.2f}x |")
print(f"| `dump --format json`, POML root 20 x 500 calls (55k files, 187 MB) | {dump_poml:.2f} s | `cat` of every file {cat:.2f} s | {dump_poml/cat:.2f}x (target 1.5x) |")
for name, r in [("1M PML events", pml), ("POML root", poml)]:
    k = r["key_ms"]
    print(f"| UI first frame, {name} | {r['first_frame_ms']:.0f} ms | 200 ms | |")
    print(f"| UI fully loaded, {name} | {r['loaded_s']:.2f} s | (fills in as it loads) | |")
    print(f"| key press to redrawn frame, {name} | p50 {k['p50']} ms, p95 {k['p95']} ms | 16 ms | |")
    print(f"| resident memory, {name} | {r['rss_mb']:.0f} MB | |" + (" |" if name != "1M PML events" else f" {r['rss_mb']/331:.2f}x the file |"))
h = a["help_key_ms"]
print(f"| tailing {a['rate']} events/s for 10 s: `?` to overlay | p50 {h['p50']} ms, p95 {h['p95']} ms | responsive | |")
print(f"| tailing: view complete after the writer stops | {a['catch_up_ms']} ms | current | |")
mlf = json.loads(sys.argv[12])
if mlf:
    for name, key in [("`mlflow.db`", "db"), ("`mlflow server` on it", "server")]:
        r = mlf[key]
        print(f"| MLflow {mlf['traces']:,} traces, {name}: UI first screen with traces | {r['first_screen_s']:.2f} s | 2 s | |")
        print(f"| MLflow {mlf['traces']:,} traces, {name}: every trace listed | {r['all_listed_s']} s | (fills in behind) | |")
rcv = json.loads(sys.argv[13])
f = rcv["file"]
print(f"| {rcv['spans']:,} OTLP GenAI spans opened from a file: loaded, peak memory | {f['seconds']:.2f} s, {f['peak_rss_mb']:.0f} MB | (the floor below) | |")
for enc in ["json", "protobuf"]:
    for mode, what in [("recorded", "recorded (default)"), ("memory", "`--no-record`")]:
        r = rcv[f"{enc}_{mode}"]
        secs = "did not finish" if r["seconds"] is None else f"{r['seconds']:.2f} s"
        print(f"| received as {enc} in batches of {rcv['batch']}, {what}: all shown, peak memory | {secs}, {r['peak_rss_mb']:.0f} MB; {r['spans_shown']:,} shown, {r['without_bodies']:,} without bodies | 1.5x the file's memory | {r['peak_rss_mb']/f['peak_rss_mb']:.2f}x |")
pj, pp = rcv["json_recorded"]["seconds"], rcv["protobuf_recorded"]["seconds"]
if pj and pp:
    print(f"| protobuf against JSON, received and recorded | {pp:.2f} s vs {pj:.2f} s | 1.25x | {pp/pj:.2f}x |")
loop = json.loads(sys.argv[14])
if loop:
    w, c = loop["compile_cache"], loop["no_compile_cache"]
    print(f"| `R`: a save of the prompt file to the new diff on screen ({loop['saves']} saves) | p50 {w['p50']:.0f} ms, p95 {w['p95']:.0f} ms (without node's compile cache: p50 {c['p50']:.0f}, p95 {c['p95']:.0f}) | within 1 s | |")
print()
print("Live latency (`cargo bench --bench live_latency`):")
print("```")
print(live)
print("```")
PY

if [ "$criterion" = 1 ]; then
    echo "== criterion" >&2
    cargo bench --bench core 2>&1 | grep -E "^[a-z].*|time:|thrpt:"
fi
