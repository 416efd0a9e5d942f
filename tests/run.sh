#!/usr/bin/env bash
# The project's test command (README, second command; .ci/run calls it).
# Lints first (warnings are errors), then builds the binaries the
# cross-process tests start, then every test of the workspace (the store
# tests on SQLite and on a PostgreSQL server started here), the gateway's
# suite once more on PostgreSQL, schemathesis
# against the running gateway, the phone library's size, then the Android
# and iOS shells' suites (android/test.sh, ios/test.sh), the merchant portal
# in a real browser (tests/browser.sh); the last line sums those three.
set -euo pipefail
cd "$(dirname "$0")/.."
export CARGO_BUILD_JOBS="${CARGO_BUILD_JOBS:-2}"
export CARGO_TERM_COLOR="${CARGO_TERM_COLOR:-never}"

cargo fmt --all --check
cargo clippy --workspace --all-targets --locked -- -D warnings
# Every package and binary (tests/e2e starts these as real processes), with
# the features of the whole workspace: schemathesis, the shells and the
# browser suite build the same way, so they build nothing again.
cargo build --locked --workspace
# A real PostgreSQL server on loopback (tests/postgres.sh), stopped on exit.
source tests/postgres.sh
android_log="$(mktemp)"; ios_log="$(mktemp)"; browser_log="$(mktemp)"
trap 'stop_postgres; rm -f "$android_log" "$ios_log" "$browser_log"' EXIT
# The journal fault suite runs once, below, where its figures are shown.
cargo test --workspace --locked -- --skip journal_faults::
# The gateway's suite again, every gateway on its own PostgreSQL database:
# its test targets by name with the whole workspace selected, so with the
# features of the run above and nothing compiled again (`-p mpos-gateway`
# resolved other features and rebuilt 33 crates, about 270 s).
gateway_tests=()
for test in crates/mpos-gateway/tests/*.rs; do gateway_tests+=(--test "$(basename "$test" .rs)"); done
MPOS_TEST_DATABASE=postgres cargo test --locked --workspace "${gateway_tests[@]}"
# The fault suites' figures (the load suite's cases ran above too): each case
# prints faults injected, charges lost, charges doubled; a case with any lost
# or doubled fails.
cargo test --locked --workspace --test faults -- --show-output | grep -E '^fault case|^test result'
cargo test --locked --workspace --test e2e -- journal_faults:: --show-output | grep -E '^fault case|^test result'
# A client we did not write: schemathesis from docs/openapi.json against the gateway.
bash tests/api/schemathesis.sh
# The phone library cross-built for aarch64 and stripped: at most 4 MB.
bash tests/phone_size.sh
# The shells, each installing its toolchain into a cache outside the repo.
# Android: the JVM suite through the bindings, the screens drawn, the APK,
# Robolectric. iOS: swift test through the bindings in a Debian chroot.
# Each ends with `N passed, N failed`; the last line sums both.
status=0
bash android/test.sh | tee "$android_log" || status=1
bash ios/test.sh | tee "$ios_log" || status=1
# The merchant portal and the e-receipt in Chromium (playwright-core).
bash tests/browser.sh | tee "$browser_log" || status=1
# A suite that printed no summary died on the way: one failure.
summary() { grep -E '^[0-9]+ passed, [0-9]+ failed$' "$1" | tail -1 || echo "0 passed, 1 failed"; }
android_summary="$(summary "$android_log")"; ios_summary="$(summary "$ios_log")"; browser_summary="$(summary "$browser_log")"
passed=$(( ${android_summary%% *} + ${ios_summary%% *} + ${browser_summary%% *} ))
failed=$(( $(cut -d' ' -f3 <<<"$android_summary") + $(cut -d' ' -f3 <<<"$ios_summary") + $(cut -d' ' -f3 <<<"$browser_summary") ))
echo "suites: Android $android_summary; iOS $ios_summary; browser $browser_summary"
echo "$passed passed, $failed failed"
[ "$status" -eq 0 ] && [ "$failed" -eq 0 ]
