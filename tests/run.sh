#!/usr/bin/env bash
# The project's test command (README, second command; .ci/run calls it).
# Lints first (warnings are errors), then builds the binaries the
# cross-process tests start, then every test of the workspace, the phone
# library's size, then the Android shell's suites (android/test.sh; its
# last line sums them).
set -euo pipefail
cd "$(dirname "$0")/.."
export CARGO_BUILD_JOBS="${CARGO_BUILD_JOBS:-2}"
export CARGO_TERM_COLOR="${CARGO_TERM_COLOR:-never}"

cargo fmt --all --check
cargo clippy --workspace --all-targets --locked -- -D warnings
# tests/e2e starts these as real processes.
cargo build --locked -p mpos-gateway -p mpos-cli --bins
cargo test --workspace --locked
# The phone library cross-built for aarch64 and stripped: at most 4 MB.
bash tests/phone_size.sh
# The Android shell: the JVM suite through the bindings, the screens drawn,
# the APK, Robolectric (installs its toolchain into a cache outside the repo).
bash android/test.sh
