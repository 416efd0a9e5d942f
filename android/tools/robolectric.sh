#!/usr/bin/env bash
# Runs the Robolectric tests of the real Activity (app/src/test) against
# the host-built Rust core. Needs: the toolchain, the APK build's output in
# android/build/apk (classes, resources.apk, AndroidManifest.xml), the
# generated bindings ($1 app, $2 testing), and the Rust target dir ($3)
# holding libmpos_ffi.so, libmpos_ffi_testing.so and mpos-testbed.
set -euo pipefail
BINDINGS="$1"; TESTING="$2"; TARGET="$3"
# shellcheck source=toolchain.sh
source "$(dirname "$0")/toolchain.sh"
APK="$ANDROID_DIR/build/apk"
OUT="$ANDROID_DIR/build/robolectric"
rm -rf "$OUT"; mkdir -p "$OUT"/{deps,jars,classes,res/com/android/tools}
cd "$OUT"

# The test libraries (Compose UI test, AndroidX Test), variants as Gradle picks them;
# Robolectric's own AndroidX Test monitor and idling resource win over older ones.
python3 "$ANDROID_DIR/tools/pick_variants.py" "$ANDROID_TEST_LIST" deps \
  androidx.test:monitor androidx.test.espresso:espresso-idling-resource junit:junit
for f in deps/*; do
  n=$(basename "$f")
  case $n in
    *.jar) cp "$f" jars/ ;;
    *.aar) unzip -p "$f" classes.jar > "jars/${n%.aar}.jar" 2>/dev/null || rm -f "jars/${n%.aar}.jar" ;;
  esac
done
# Robolectric's own list: its AARs (AndroidX Test monitor...) as their classes.
mkdir -p robo
while read -r path; do
  case $path in
    *.aar) unzip -p "$path" classes.jar > "robo/$(basename "${path%.aar}").jar" ;;
    *.jar) cp "$path" robo/ ;;
  esac
done < "$ROBO_CP"
ROBO="$(ls robo/*.jar | paste -sd:)"
JNA_JAR="$(grep '/jna-' "$JVM_TEST_CP")"
TEST_JARS="$(ls jars/*.jar | grep -v kotlin-stdlib | paste -sd:)"
"$K/bin/kotlinc" -jvm-target 11 -nowarn -Xplugin="$K/lib/compose-compiler-plugin.jar" \
  -cp "$ANDROID_JAR:$APK/classes:$TEST_JARS:$ROBO:$JNA_JAR" \
  "$TESTING" "$ANDROID_DIR/core/src/testFixtures/kotlin" "$ANDROID_DIR/app/src/test/kotlin" \
  "$ANDROID_DIR/core/src/test/kotlin/tw/mpos/core/RunTests.kt" -d classes 2>&1 | grep -v '^warning' || true
test -f classes/tw/mpos/app/MainActivityTest.class
printf 'android_merged_manifest=%s\nandroid_resource_apk=%s\nandroid_custom_package=tw.mpos.app\n' \
  "$APK/AndroidManifest.xml" "$APK/resources.apk" > res/com/android/tools/test_config.properties
# The app's own JNA classes are in the APK's jars; the JVM needs the desktop JNA instead.
APP_JARS="$(ls "$APK"/jars/*.jar | grep -v -e kotlin-stdlib -e 'jna-' | paste -sd:)"
if [ -z "$JAVA_ROBOLECTRIC" ]; then
  echo "robolectric: no Java 21 or newer on this machine (SDK 36 needs it)" >&2
  exit 1
fi
"$JAVA_ROBOLECTRIC" -Xmx2g --add-exports=java.base/jdk.internal.access=ALL-UNNAMED \
  --add-opens=java.base/jdk.internal.access=ALL-UNNAMED --add-opens=java.base/java.io=ALL-UNNAMED \
  --add-opens=java.base/java.lang=ALL-UNNAMED -Drobolectric.offline=true -Drobolectric.dependency.dir="$ROBO_JARS" \
  -Djna.library.path="$TARGET" -Dmpos.testbed="$TARGET/mpos-testbed" -Dmpos.testbed.log="$OUT/testbed.log" \
  -cp "classes:res:$APK/classes:$TEST_JARS:$APP_JARS:$JNA_JAR:$K/lib/kotlin-stdlib.jar:$ROBO:$ANDROID_JAR" \
  tw.mpos.core.RunTestsKt tw.mpos.app.MainActivityTest
