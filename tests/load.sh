#!/usr/bin/env bash
# The gateway's load benchmark (not part of the test command: it takes the
# whole machine for a few minutes). Builds the release gateway and mpos-load,
# then measures SQLite and PostgreSQL, one and two instances, a bare fsync'd
# commit loop and a million-capture settlement, and writes the `load`
# section of docs/benchmarks.md. PostgreSQL must be installed (tests/postgres.sh
# installs it from Debian).
set -euo pipefail
cd "$(dirname "$0")/.."
export CARGO_BUILD_JOBS="${CARGO_BUILD_JOBS:-2}"
cargo build --release --locked -p mpos-gateway -p mpos-load
target/release/mpos-load --report docs/benchmarks.md "$@"
