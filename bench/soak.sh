#!/usr/bin/env bash
# Soak: the release binary in a pseudo-terminal (read through pyte) tails a JSON Lines file
# that bench/pml_writer.py appends 2,000 PML events/s to, follow mode on, for 10 minutes;
# `?` is pressed every half second. Prints per minute: the CPU tracetui used and key press
# to redrawn frame p50/p95/max. Local only (a temporary file and a child process); it stops
# by itself. Not part of CI.
#
#   bash bench/soak.sh [--minutes 10] [--rate 2000] [--shape executions|one] [--bin PATH]
set -euo pipefail
cd "$(dirname "$0")/.."

minutes=10
rate=2000
shape=executions
bin=""
while [ $# -gt 0 ]; do
    case "$1" in
        --minutes) minutes="$2"; shift 2 ;;
        --rate) rate="$2"; shift 2 ;;
        --shape) shape="$2"; shift 2 ;;
        --bin) bin="$2"; shift 2 ;;
        *) echo "unknown option $1" >&2; exit 2 ;;
    esac
done

target="${CARGO_TARGET_DIR:-target}"
if [ -z "$bin" ]; then
    echo "== building" >&2
    cargo build --release --quiet --bin tracetui
    bin="$target/release/tracetui"
fi

# Python with pyte (a terminal emulator), as bench/run.sh sets it up.
venv="$target/bench-venv"
if [ ! -x "$venv/bin/python" ]; then
    python3 -m venv "$venv" >&2
    "$venv/bin/pip" install -q pyte >&2
fi

echo "Machine: $(nproc) CPU cores ($(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs))."
"$venv/bin/python" bench/soak.py "$bin" --minutes "$minutes" --rate "$rate" --shape "$shape"
