#!/usr/bin/env bash
# Rewrites the README's screenshot (between <!-- screenshot:start --> and
# <!-- screenshot:end -->) with what the release binary draws for the README's demo command in
# a 110x32 tmux at TZ=UTC: tests/readme.rs takes it, and fails while the README differs.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
TRACETUI_UPDATE_README=1 cargo test --release --locked --test readme \
    readme_screenshot_is_what_the_binary_draws
