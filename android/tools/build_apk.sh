#!/usr/bin/env bash
# Assembles and signs the APK without Gradle, from the same sources as the
# Gradle build: aapt2 (resources and manifest), kotlinc with the Compose
# plugin, D8, apksig. Needs the toolchain (source tools/toolchain.sh) and
# the generated Kotlin bindings in $1. Prints the APK's path and size.
#
# The Rust core's Android library (lib/<abi>/libmpos_ffi.so) needs the
# Android NDK, which no registry here serves: the APK holds everything
# else (a `cargo ndk` build adds the library; docs/mobile.md says how).
set -euo pipefail
BINDINGS="$1"
# shellcheck source=toolchain.sh
source "$(dirname "$0")/toolchain.sh"
OUT="$ANDROID_DIR/build/apk"
rm -rf "$OUT"; mkdir -p "$OUT"/{deps,aar,jars,flat,gen,classes,dex,native}
cd "$OUT"

# The AndroidX libraries, variants as Gradle picks them.
python3 "$ANDROID_DIR/tools/pick_variants.py" "$ANDROID_APP_LIST" deps
cp "$JNA_AAR" deps/
: > packages.txt
for f in deps/*; do
  n=$(basename "$f")
  case $n in
    *.jar) cp "$f" jars/ ;;
    *.aar)
      d="aar/${n%.aar}"; mkdir -p "$d"; unzip -q -o "$f" -d "$d"
      [ -f "$d/classes.jar" ] && cp "$d/classes.jar" "jars/${n%.aar}.jar"
      for l in "$d"/libs/*.jar; do [ -e "$l" ] && cp "$l" "jars/${n%.aar}-$(basename "$l")"; done
      if [ -d "$d/res" ] && [ -n "$(ls -A "$d/res")" ]; then "$AAPT2" compile --dir "$d/res" -o "flat/${n%.aar}.zip"; fi
      if [ -d "$d/jni" ]; then cp -r "$d/jni/." native/; fi
      sed -n 's/.*package="\([^"]*\)".*/\1/p' "$d/AndroidManifest.xml" | head -1 >> packages.txt ;;
  esac
done
sort -u -o packages.txt packages.txt
MIN_SDK=$(version minSdk); TARGET_SDK=$(version targetSdk)
"$AAPT2" compile --dir "$ANDROID_DIR/app/src/main/res" -o app-res.zip
# Gradle takes the package from `namespace`; aapt2 wants it in the manifest.
sed 's|<manifest |<manifest package="tw.mpos.app" |' "$ANDROID_DIR/app/src/main/AndroidManifest.xml" > AndroidManifest.xml
"$AAPT2" link -o resources.apk -I "$ANDROID_JAR" --manifest AndroidManifest.xml --java gen --auto-add-overlay --non-final-ids \
  --extra-packages "$(paste -sd: packages.txt)" --min-sdk-version "$MIN_SDK" --target-sdk-version "$TARGET_SDK" \
  --version-code 1 --version-name 0.1.0 -A "$ANDROID_DIR/app/src/main/assets" \
  $(for f in flat/*.zip; do echo -R "$f"; done) app-res.zip
javac --release 11 -nowarn -cp "$ANDROID_JAR" -d classes $(find gen -name R.java)
CP="$ANDROID_JAR:classes:$(ls jars/*.jar | grep -v kotlin-stdlib | paste -sd:)"
"$K/bin/kotlinc" -jvm-target 11 -nowarn -Xplugin="$K/lib/compose-compiler-plugin.jar" -cp "$CP" \
  "$BINDINGS" "$ANDROID_DIR/core/src/main/kotlin" "$ANDROID_DIR/ui/src/main/kotlin" "$ANDROID_DIR/app/src/main/kotlin" \
  -d classes 2>&1 | grep -v '^warning' || true
test -f classes/tw/mpos/app/MainActivity.class
java -Xmx3g -cp "$R8_JAR" com.android.tools.r8.D8 --release --min-api "$MIN_SDK" --lib "$ANDROID_JAR" --output dex \
  $(find classes -name '*.class') jars/*.jar
cp resources.apk app-unsigned.apk
python3 - <<'PY'
import glob, os, zipfile
apk = zipfile.ZipFile('app-unsigned.apk', 'a', zipfile.ZIP_DEFLATED)
for dex in sorted(glob.glob('dex/classes*.dex')):
    apk.write(dex, os.path.basename(dex))
for so in sorted(glob.glob('native/*/*.so')):
    abi = so.split('/')[1]
    if abi in ('arm64-v8a', 'armeabi-v7a', 'x86_64'):
        # Native libraries stay uncompressed so Android maps them in place.
        apk.write(so, 'lib/%s/%s' % (abi, os.path.basename(so)), compress_type=zipfile.ZIP_STORED)
apk.close()
PY
# A debug key, made once in the cache (never in the repository).
KEYSTORE="$T/debug.p12"
if [ ! -f "$KEYSTORE" ]; then
  keytool -genkeypair -keystore "$KEYSTORE" -storetype PKCS12 -storepass android -alias debug \
    -keyalg RSA -keysize 2048 -validity 10000 -dname "CN=mpos debug,O=mpos,C=TW" >/dev/null 2>&1
fi
mkdir -p signer
"$K/bin/kotlinc" -nowarn -cp "$APKSIG_JAR" "$ANDROID_DIR/tools/SignApk.kt" -d signer 2>&1 | grep -v '^warning' || true
java -cp "signer:$APKSIG_JAR:$K/lib/kotlin-stdlib.jar" SignApkKt "$KEYSTORE" android debug app-unsigned.apk mpos.apk "$MIN_SDK"
"$AAPT2" dump badging mpos.apk > badging.txt
head -3 badging.txt
echo "APK: $OUT/mpos.apk $(stat -c %s mpos.apk) bytes (without libmpos_ffi.so: building it needs the Android NDK, which is not available here)"
