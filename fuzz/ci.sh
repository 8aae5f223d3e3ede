#!/usr/bin/env bash
# Run every fuzz target for N seconds (default 20; the first argument overrides) over its
# seed corpus in tests/fixtures/fuzz/<target>/, on whatever toolchain is active:
# RUSTC_BOOTSTRAP=1 lets a stable compiler take the sanitizer flags cargo-fuzz passes.
# Installs cargo-fuzz if it is missing. Exits non-zero if any target crashes, times out or
# runs out of memory; the input that did it is left in fuzz/artifacts/<target>/.
set -euo pipefail

secs="${1:-20}"
cd "$(dirname "$0")"

if ! cargo fuzz --version >/dev/null 2>&1; then
    cargo install cargo-fuzz --locked
fi
export RUSTC_BOOTSTRAP=1

# -a: debug assertions and overflow checks, as in local runs.
cargo fuzz build -a
failed=()
for target in $(cargo fuzz list); do
    echo "== fuzz $target for ${secs}s"
    # New inputs go to corpus/<target> (ignored by git); the committed seeds are only read.
    mkdir -p "corpus/$target"
    if ! cargo fuzz run -a "$target" "corpus/$target" "../tests/fixtures/fuzz/$target" -- \
        -max_total_time="$secs" -print_final_stats=1; then
        failed+=("$target")
    fi
done

if ((${#failed[@]})); then
    echo "fuzz: FAILED: ${failed[*]} (reproducers in fuzz/artifacts/)" >&2
    exit 1
fi
echo "fuzz: all targets ran ${secs}s without a crash"
