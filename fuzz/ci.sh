#!/usr/bin/env bash
# Run every fuzz target over its seeds in tests/fixtures/fuzz/<target>/.
#
#   fuzz/ci.sh                 CI's short run: 2000 inputs per target from a fixed seed
#   fuzz/ci.sh --runs N        N inputs per target, same fixed seed
#   fuzz/ci.sh --seconds S     S seconds per target, random seed (a scheduled or local run)
#
# The short run is bounded and starts from the commit alone: a fixed count, a fixed libFuzzer
# seed and a fresh, empty corpus folder, nothing kept from earlier runs. (Not bit-for-bit
# repeatable: hash-map order and scratch file names vary, so coverage differs a little from
# run to run.)
#
# Works on whatever toolchain is active: RUSTC_BOOTSTRAP=1 lets a stable compiler take the
# sanitizer flags cargo-fuzz passes. Installs cargo-fuzz if it is missing. Exits non-zero,
# naming the targets, if any crashed, hung or ran out of memory; the inputs that did it are
# left in fuzz/artifacts/<target>/.
set -euo pipefail

limit=(-runs=2000 -seed=1)
case "${1:-}" in
    "") ;;
    --runs) limit=(-runs="${2:?--runs needs a count}" -seed=1) ;;
    --seconds) limit=(-max_total_time="${2:?--seconds needs a count}") ;;
    *)
        echo "usage: fuzz/ci.sh [--runs N | --seconds S]" >&2
        exit 2
        ;;
esac

cd "$(dirname "$0")"

if ! cargo fuzz --version >/dev/null 2>&1; then
    cargo install cargo-fuzz --locked
fi
export RUSTC_BOOTSTRAP=1

# -a: debug assertions and overflow checks, as in local runs.
cargo fuzz build -a
scratch="$(mktemp -d)"
trap 'rm -rf "$scratch"' EXIT

failed=()
for target in $(cargo fuzz list); do
    echo "== fuzz $target (${limit[*]})"
    mkdir -p "$scratch/$target"
    # New inputs go to the scratch folder; the committed seeds are only read. A single input
    # that takes 30 s is a hang here (libFuzzer's default allows 20 minutes).
    if ! cargo fuzz run -a "$target" "$scratch/$target" "../tests/fixtures/fuzz/$target" -- \
        "${limit[@]}" -timeout=30 -print_final_stats=1 2>"$scratch/$target.log"; then
        tail -n 60 "$scratch/$target.log" >&2
        failed+=("$target")
    else
        grep -E '^(stat::number_of_executed_units|Done )' "$scratch/$target.log" || true
    fi
done

if ((${#failed[@]})); then
    echo "fuzz: FAILED: ${failed[*]} (reproducers in fuzz/artifacts/)" >&2
    exit 1
fi
echo "fuzz: every target ran clean (${limit[*]})"
