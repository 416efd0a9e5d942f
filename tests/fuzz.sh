#!/usr/bin/env bash
# Runs every cargo-fuzz target for a while: 20 s each by default (CI),
# longer by hand, e.g. `bash tests/fuzz.sh 3600` for an hour per target.
#
# cargo-fuzz is installed from crates.io into a cache outside the repo
# (MPOS_TOOLS, default ~/.cache/mpos-tools) and rebuilt when missing. The
# targets build on the stable toolchain: RUSTC_BOOTSTRAP lets it take the
# coverage flags cargo-fuzz passes, and the address sanitizer is off (-s
# none) because its runtime ships with nightly only; Rust's own bounds and
# overflow checks (debug assertions are on) catch what the targets look for.
set -euo pipefail
cd "$(dirname "$0")/.."
seconds="${1:-20}"
tools="${MPOS_TOOLS:-$HOME/.cache/mpos-tools}"
export PATH="$tools/cargo-fuzz/bin:$PATH"
export CARGO_BUILD_JOBS="${CARGO_BUILD_JOBS:-2}"
if ! command -v cargo-fuzz >/dev/null; then
  cargo install cargo-fuzz --version 0.13.2 --locked --root "$tools/cargo-fuzz"
fi
fuzz_dir=crates/mpos-fuzz
for target in $(RUSTC_BOOTSTRAP=1 cargo fuzz list --fuzz-dir "$fuzz_dir"); do
  echo "fuzzing $target for ${seconds}s"
  log="$(mktemp)"
  if ! RUSTC_BOOTSTRAP=1 cargo fuzz run --fuzz-dir "$fuzz_dir" -s none --debug-assertions "$target" -- \
      -max_total_time="$seconds" -print_final_stats=1 >"$log" 2>&1; then
    tail -n 60 "$log" >&2
    echo "fuzz target $target failed: see $fuzz_dir/artifacts/$target" >&2
    exit 1
  fi
  grep -E "^Done [0-9]+ runs" "$log" || true
done
