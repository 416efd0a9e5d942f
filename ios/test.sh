#!/usr/bin/env bash
# The iOS shell, verified on a machine without Xcode (docs/mobile.md):
#
#   0. the shell's rules, read off its sources;
#   1. builds the Rust libraries for this machine (unstripped) and the test
#      world, and generates the Swift bindings from them, in library mode,
#      into ios/build/generated;
#   2. installs Swift for Linux (Debian trixie's swiftlang in a chroot cached
#      outside the repository, ios/tools/toolchain.sh);
#   3. builds the Swift package in the chroot: the bindings, MposKit (every
#      decision of the shell), the SwiftUI and iOS files (compiled empty
#      there: they sit behind `#if canImport(SwiftUI)` / `#if os(iOS)`);
#   4. runs `swift test` in the chroot: the merchant's day, the error paths
#      and the audio path through the bindings, against the real gateway
#      process (mpos-testbed) over TLS, with the virtual reader over audio.
#
# The last line sums it all: `N passed, N failed`. A build that fails, or
# a test run that dies, counts as failed, never as nothing run.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT="$PWD"
export CARGO_BUILD_JOBS="${CARGO_BUILD_JOBS:-2}"
BUILD="$ROOT/ios/build"
TARGET="${CARGO_TARGET_DIR:-$ROOT/target}/debug"
passed=0
failed=0
mkdir -p "$BUILD"

# Ends the run early: what could not be built or installed counts as one failure.
give_up() {
  echo "ios/test.sh: $1" >&2
  echo "$passed passed, $((failed + 1)) failed"
  exit 1
}

echo "== 0. the shell's rules, read off its sources"
# The Swift sources, without what is generated.
swift_sources() {
  find ios -name '*.swift' -not -path 'ios/build/*' -not -path 'ios/.build/*' "$@"
}
rule() { # NAME, then a command that finds breaches (prints them; none: the rule holds)
  local name="$1"; shift
  local found
  found="$("$@" || true)"
  if [ -z "$found" ]; then echo "ok   $name"; passed=$((passed + 1)); else echo "FAIL $name:"; echo "$found"; failed=$((failed + 1)); fi
}
# Files importing a module Linux lacks whose code does not start with a platform guard.
unguarded_platform_imports() {
  local file
  for file in $(swift_sources); do
    grep -qE '^\s*import (SwiftUI|UIKit|AVFoundation|AVFAudio|Combine|CoreGraphics)\b' "$file" || continue
    awk '/^[[:space:]]*$/ || /^[[:space:]]*\/\// { next } { if ($0 !~ /^#if (canImport|os)\(/) print FILENAME ": code before the platform guard: " $0; exit }' "$file"
  done
}
# Public declarations with no `///` comment on the lines above them (attributes aside).
undocumented_public_items() {
  local file
  for file in $(swift_sources); do
    awk '/^[[:space:]]*(@|#)/ { next }
         /^[[:space:]]*(public|open) / && prev !~ /^[[:space:]]*\/\/\// { print FILENAME ":" FNR ": " $0 }
         { prev = $0 }' "$file"
  done
}
rule "no Chinese text in Swift: every word comes from the core" \
  grep -rlP '[\x{4e00}-\x{9fff}]' --include=*.swift ios --exclude-dir=build --exclude-dir=.build
rule "MposKit imports nothing Linux lacks (every decision is tested here)" \
  grep -rnE '^\s*import (SwiftUI|UIKit|AVFoundation|AVFAudio|Combine|CoreGraphics)\b' ios/Sources/MposKit
rule "SwiftUI, UIKit and AVFoundation files sit behind #if canImport / #if os" unguarded_platform_imports
rule "every public item has a one-line doc comment" undocumented_public_items
rule "no Swift type named like a Foundation type" \
  grep -rnE '^\s*(public |open |final |private |fileprivate |internal )*(class|struct|enum|protocol|actor) (Data|Date|Locale|Progress|URL|Notification|Operation|Thread|Timer|Bundle|Process|Host)\b' \
    --include=*.swift ios --exclude-dir=build --exclude-dir=.build

echo "== 1. the Rust libraries for this machine, and their Swift bindings"
# The whole workspace, as tests/run.sh builds it: after it, nothing to build.
cargo build --locked --workspace || give_up "the Rust libraries and the test world did not build"
bash ios/tools/bindings.sh "$TARGET/uniffi-bindgen" "$TARGET/libmpos_ffi.so" "$TARGET/libmpos_ffi_testing.so" \
  || give_up "the Swift bindings were not generated"

echo "== 2. Swift for Linux (a Debian trixie chroot, cached outside the repository)"
# Installed in a child shell first, so a failure is counted rather than fatal.
bash -c 'source ios/tools/toolchain.sh' || give_up "Swift for Linux was not installed"
# shellcheck source=tools/toolchain.sh
source ios/tools/toolchain.sh

# Inside the chroot: the package read-only at /mpos/ios (the generated
# bindings with it), the libraries and the test world's binaries copied to
# /mpos/lib and /mpos/bin; SwiftPM builds into /mpos/build, kept for the next run.
STAGE="$SWIFT_ROOT/mpos"
mkdir -p "$STAGE/lib" "$STAGE/bin" "$STAGE/build"
# Copies FILE into DIR unless the same file is there (an unchanged library keeps its date: no relink).
stage() {
  local file="$1" dir="$2"
  cmp -s "$file" "$dir/$(basename "$file")" || cp -p "$file" "$dir/"
}
stage "$TARGET/libmpos_ffi.so" "$STAGE/lib"
stage "$TARGET/libmpos_ffi_testing.so" "$STAGE/lib"
stage "$TARGET/mpos-testbed" "$STAGE/bin"
stage "$TARGET/mpos-gateway" "$STAGE/bin"
trap chroot_unmount EXIT
chroot_unmount
chroot_mount "$ROOT/ios=/mpos/ios"

# Runs a command in the package's folder inside the chroot.
in_swift() {
  $SUDO chroot "$SWIFT_ROOT" /usr/bin/env -i PATH=/usr/bin:/bin HOME=/root LANG=C.UTF-8 \
    MPOS_RUST_LIB_DIR=/mpos/lib MPOS_TESTBED=/mpos/bin/mpos-testbed MPOS_TESTBED_LOG=/mpos/build/testbed.log \
    /bin/bash -c 'cd /mpos/ios && "$@"' bash "$@"
}
SWIFT_FLAGS=(--scratch-path /mpos/build -Xswiftc -warnings-as-errors)

echo "== 3. the Swift package, built in the chroot"
in_swift swift build --build-tests "${SWIFT_FLAGS[@]}" 2>&1 | tee "$BUILD/swift-build.log" \
  || give_up "the Swift package did not build (ios/build/swift-build.log)"

echo "== 4. swift test: the merchant's day, the error paths, the audio path"
in_swift swift test list --skip-build "${SWIFT_FLAGS[@]}" > "$BUILD/swift-tests.txt" 2>/dev/null || true
# XCTest's names: "Module.Class/method" listed, "Class.method" reported.
sed -E 's#^[^.]+\.([^/]+)/(.+)$#\1.\2#' "$BUILD/swift-tests.txt" | sort -u > "$BUILD/swift-tests-expected.txt"
status=0
# A hung test ends the run after 30 minutes; what did not pass by then failed.
in_swift timeout 1800 swift test --skip-build --disable-swift-testing "${SWIFT_FLAGS[@]}" 2>&1 | tee "$BUILD/swift-test.log" || status=$?
# The tests that reported OUTCOME (passed, skipped), one name a line.
reported() {
  { grep -E "^Test Case '[^']+' $1" "$BUILD/swift-test.log" || true; } | sed -E "s/^Test Case '([^']+)'.*/\1/" | sort -u
}
reported passed > "$BUILD/swift-tests-passed.txt"
reported skipped > "$BUILD/swift-tests-skipped.txt"
expected=$(wc -l < "$BUILD/swift-tests-expected.txt")
suite_passed=$(wc -l < "$BUILD/swift-tests-passed.txt")
suite_skipped=$(wc -l < "$BUILD/swift-tests-skipped.txt")
# Every listed test that did not pass or skip failed: an assertion, a crash, a hang.
suite_failed=$(( expected - suite_passed - suite_skipped ))
if [ "$expected" -eq 0 ]; then
  echo "ios/test.sh: swift test listed no test" >&2
  suite_failed=1
elif [ "$status" -ne 0 ] && [ "$suite_failed" -le 0 ]; then
  echo "ios/test.sh: swift test exited with $status" >&2
  suite_failed=1
fi
comm -23 "$BUILD/swift-tests-expected.txt" <(sort -u "$BUILD/swift-tests-passed.txt" "$BUILD/swift-tests-skipped.txt") \
  | sed 's/^/FAILED /'
passed=$((passed + suite_passed))
failed=$((failed + suite_failed))

if [ "$suite_skipped" -gt 0 ]; then
  echo "$passed passed, $failed failed, $suite_skipped skipped"
else
  echo "$passed passed, $failed failed"
fi
[ "$failed" -eq 0 ]
