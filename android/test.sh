#!/usr/bin/env bash
# The Android shell, verified on a machine without the Android SDK, NDK or
# Gradle (docs/mobile.md). Installs its toolchain into a cache outside the
# repository (android/tools/toolchain.sh), then:
#
#   1. builds the Rust core for this machine (unstripped) and generates the
#      Kotlin bindings from it, in library mode, into android/build;
#   2. runs the JVM suite through the bindings: the merchant's day and the
#      error paths against the real gateway with the virtual reader over audio;
#   3. compiles the Compose screens for the desktop JVM and draws every
#      screen, in both languages, from a real day, into docs/screens/;
#   4. assembles and signs the APK without Gradle (aapt2, D8, apksig) and
#      reports its size (the Rust library for Android needs the NDK);
#   5. runs the Robolectric tests of the real activity with the Rust core.
#
# The last line sums the suites: `N passed, N failed`.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT="$PWD"
export CARGO_BUILD_JOBS="${CARGO_BUILD_JOBS:-2}"
# shellcheck source=tools/toolchain.sh
source android/tools/toolchain.sh
BUILD="$ROOT/android/build"
TARGET="${CARGO_TARGET_DIR:-$ROOT/target}/debug"
passed=0
failed=0

# Adds a suite's "N passed, M failed" line to the totals.
tally() {
  local line
  line=$(grep -E '^[0-9]+ passed, [0-9]+ failed$' "$1" | tail -1 || true)
  if [ -z "$line" ]; then
    echo "android/test.sh: $2 printed no summary" >&2
    failed=$((failed + 1))
    return
  fi
  passed=$((passed + $(echo "$line" | cut -d' ' -f1)))
  failed=$((failed + $(echo "$line" | cut -d' ' -f3)))
}

echo "== 0. the shell's rules, read off its sources"
rule() { # NAME, then a command that finds breaches (prints them; none: the rule holds)
  local name="$1"; shift
  local found
  found="$("$@" || true)"
  if [ -z "$found" ]; then echo "ok   $name"; passed=$((passed + 1)); else echo "FAIL $name:"; echo "$found"; failed=$((failed + 1)); fi
}
rule "the Compose screens touch no android.* API (they compile for the desktop JVM)" \
  grep -rn --include=*.kt -E '^import android\.' android/ui/src
rule "no Chinese text in Kotlin: every word comes from the core" \
  grep -rlP --include=*.kt '[\x{4e00}-\x{9fff}]' android --exclude-dir=build
rule "the Gradle files take every version from gradle/libs.versions.toml" \
  grep -nE '"[A-Za-z0-9_.-]+:[A-Za-z0-9_.-]+:[0-9]' android/build.gradle.kts android/settings.gradle.kts \
    android/core/build.gradle.kts android/ui/build.gradle.kts android/app/build.gradle.kts android/desktop/build.gradle.kts

echo "== 1. the Rust core for this machine, and its Kotlin bindings"
# The whole workspace, as tests/run.sh builds it: after it, nothing to build.
cargo build --locked --workspace
rm -rf "$BUILD/generated"
"$TARGET/uniffi-bindgen" generate "$TARGET/libmpos_ffi.so" --language kotlin --no-format \
  --out-dir "$BUILD/generated/main" >/dev/null
# Only the testing crate's own bindings: built with the workspace's features
# the library holds mpos-core's UniFFI types too (through mpos-sim), and
# those bindings are the app library's.
"$TARGET/uniffi-bindgen" generate "$TARGET/libmpos_ffi_testing.so" --language kotlin --no-format \
  --crate mpos_ffi_testing --out-dir "$BUILD/generated/testing" >/dev/null
MAIN_BINDINGS="$BUILD/generated/main"
TEST_BINDINGS="$BUILD/generated/testing"
RUN=(-Djna.library.path="$TARGET" -Dmpos.testbed="$TARGET/mpos-testbed")

echo "== 2. the JVM suite through the bindings"
JVM_CP="$(grep -v kotlin-stdlib "$JVM_TEST_CP" | paste -sd:)"
rm -rf "$BUILD/jvm"; mkdir -p "$BUILD/jvm"
"$K/bin/kotlinc" -jvm-target 17 -nowarn -cp "$JVM_CP" "$MAIN_BINDINGS" "$TEST_BINDINGS" \
  android/core/src/main/kotlin android/core/src/testFixtures/kotlin android/core/src/test/kotlin \
  -d "$BUILD/jvm/classes" 2>&1 | grep -v '^warning' || true
java "${RUN[@]}" -Dmpos.testbed.log="$BUILD/jvm/testbed.log" -cp "$BUILD/jvm/classes:$JVM_CP:$K/lib/kotlin-stdlib.jar" \
  tw.mpos.core.RunTestsKt tw.mpos.core.MerchantDayTest tw.mpos.core.ErrorPathsTest tw.mpos.core.SelfCheckTest tw.mpos.core.AudioPathTest | tee "$BUILD/jvm/result.txt" || true
tally "$BUILD/jvm/result.txt" "the JVM suite"

echo "== 3. the Compose screens on the desktop JVM, drawn into docs/screens"
DESKTOP_CP="$(paste -sd: "$COMPOSE_DESKTOP_CP")"
DESKTOP_COMPILE="$(tr ':' '\n' <<<"$DESKTOP_CP" | grep -v kotlin-stdlib | paste -sd:)"
JNA_JAR="$(grep '/jna-' "$JVM_TEST_CP")"
rm -rf "$BUILD/desktop"; mkdir -p "$BUILD/desktop"
"$K/bin/kotlinc" -jvm-target 17 -nowarn -Xplugin="$K/lib/compose-compiler-plugin.jar" -cp "$DESKTOP_COMPILE:$JNA_JAR" \
  "$MAIN_BINDINGS" "$TEST_BINDINGS" android/core/src/main/kotlin android/core/src/testFixtures/kotlin \
  android/ui/src/main/kotlin android/desktop/src/main/kotlin -d "$BUILD/desktop/classes" 2>&1 | grep -v '^warning' || true
if java -Djava.awt.headless=true "${RUN[@]}" -Dmpos.testbed.log="$BUILD/desktop/testbed.log" \
  -cp "$BUILD/desktop/classes:$DESKTOP_CP:$JNA_JAR" tw.mpos.desktop.RenderScreensKt docs/screens | tee "$BUILD/desktop/result.txt"; then
  echo "1 passed, 0 failed" >> "$BUILD/desktop/result.txt"
else
  echo "0 passed, 1 failed" >> "$BUILD/desktop/result.txt"
fi
tally "$BUILD/desktop/result.txt" "the screen drawing"

echo "== 4. the APK, without Gradle"
if bash android/tools/build_apk.sh "$MAIN_BINDINGS" | tee "$BUILD/apk-result.txt"; then
  echo "1 passed, 0 failed" >> "$BUILD/apk-result.txt"
else
  echo "0 passed, 1 failed" >> "$BUILD/apk-result.txt"
fi
tally "$BUILD/apk-result.txt" "the APK build"

echo "== 5. Robolectric: the real activity with the Rust core"
bash android/tools/robolectric.sh "$MAIN_BINDINGS" "$TEST_BINDINGS" "$TARGET" | tee "$BUILD/robolectric-result.txt" || true
tally "$BUILD/robolectric-result.txt" "the Robolectric suite"

if [ "${MPOS_BENCH:-0}" = 1 ]; then
  echo "== 6. the audio path's cost on the JVM (release library), into docs/benchmarks.md"
  cargo build --locked --release -p mpos-ffi
  java -Djna.library.path="${CARGO_TARGET_DIR:-$ROOT/target}/release" -cp "$BUILD/jvm/classes:$JVM_CP:$K/lib/kotlin-stdlib.jar" \
    tw.mpos.core.AudioPathBenchmarkKt | tee "$BUILD/audio-jvm.md"
  cargo run --locked -q -p mpos-testkit --bin benchmark-section -- audio-jvm docs/benchmarks.md < "$BUILD/audio-jvm.md"
fi

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
