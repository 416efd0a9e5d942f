#!/usr/bin/env bash
# The project's test command (README, second command; .ci/run calls it).
# Lints first (warnings are errors), then builds the binaries the
# cross-process tests start, then every test of the workspace.
set -euo pipefail
cd "$(dirname "$0")/.."
export CARGO_BUILD_JOBS="${CARGO_BUILD_JOBS:-2}"
export CARGO_TERM_COLOR="${CARGO_TERM_COLOR:-never}"

cargo fmt --all --check
cargo clippy --workspace --all-targets --locked -- -D warnings
# tests/e2e starts these as real processes.
cargo build --locked -p mpos-gateway -p mpos-cli --bins
cargo test --workspace --locked
