# Sourced by android/test.sh: installs, once, everything the Gradle-less
# build and the tests need, into a cache outside the repository
# ($MPOS_TOOLS/android, default ~/.cache/mpos-tools/android), from npm,
# Maven Central and Debian only, at the versions of
# android/gradle/libs.versions.toml. Rebuilt when missing.
#
# Exports: T (the cache), K (the Kotlin compiler's home), JAVA_HOME-free
# `java`/`javac` on PATH, and classpath files in $T/classpaths/.

set -euo pipefail
ANDROID_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
T="${MPOS_TOOLS:-$HOME/.cache/mpos-tools}/android"
mkdir -p "$T/classpaths"

# One version from the catalog.
version() {
  python3 -c 'import sys,tomllib; print(tomllib.load(open(sys.argv[1],"rb"))["versions"][sys.argv[2]])' \
    "$ANDROID_DIR/gradle/libs.versions.toml" "$1"
}

log() { echo "[toolchain] $*" >&2; }

# --- JDK and fonts (Debian) ---------------------------------------------------
need_apt=()
command -v javac >/dev/null || need_apt+=(openjdk-17-jdk-headless)
command -v mvn >/dev/null || need_apt+=(maven)
command -v unzip >/dev/null || need_apt+=(unzip)
command -v npm >/dev/null || need_apt+=(npm)
dpkg -s fonts-noto-cjk >/dev/null 2>&1 || need_apt+=(fonts-noto-cjk fontconfig)
if [ ${#need_apt[@]} -gt 0 ]; then
  log "apt-get install ${need_apt[*]}"
  SUDO=""; [ "$(id -u)" = 0 ] || SUDO=sudo
  $SUDO apt-get update -qq >/dev/null
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${need_apt[@]}" >/dev/null
fi

# Robolectric's SDK 36 sandbox needs Java 21 or newer (the machine kind has
# a Temurin 25 beside Debian's 17).
JAVA_ROBOLECTRIC=""
for home in /usr/lib/jvm/temurin-25-jdk-amd64 /usr/lib/jvm/temurin-21-jdk-amd64 /usr/lib/jvm/java-21-openjdk-amd64 /usr/lib/jvm/*; do
  if [ -x "$home/bin/java" ] && "$home/bin/java" -version 2>&1 | grep -qE 'version "(2[1-9]|[3-9][0-9])'; then
    JAVA_ROBOLECTRIC="$home/bin/java"; break
  fi
done

# --- Kotlin compiler (npm) ----------------------------------------------------
KOTLIN="$(version kotlin)"
K="$T/kotlinc-$KOTLIN/package"
if [ ! -x "$K/bin/kotlinc" ]; then
  log "kotlin-compiler $KOTLIN from npm"
  mkdir -p "$T/kotlinc-$KOTLIN"
  (cd "$T/kotlinc-$KOTLIN" && npm pack --silent "kotlin-compiler@$KOTLIN" >/dev/null && tar xzf "kotlin-compiler-$KOTLIN.tgz" && rm -f "kotlin-compiler-$KOTLIN.tgz")
  chmod +x "$K/bin/"*
fi
export K

# --- Coursier (Maven Central, through Maven) ---------------------------------
COURSIER="$(version coursier)"
if [ ! -f "$T/coursier-$COURSIER/done" ]; then
  log "coursier $COURSIER"
  mkdir -p "$T/coursier-$COURSIER"
  cat > "$T/coursier-$COURSIER/pom.xml" <<POM
<project><modelVersion>4.0.0</modelVersion><groupId>local</groupId><artifactId>cs</artifactId><version>1</version>
<dependencies><dependency><groupId>io.get-coursier</groupId><artifactId>coursier-cli_2.13</artifactId><version>$COURSIER</version></dependency></dependencies></project>
POM
  mvn -B -q -f "$T/coursier-$COURSIER/pom.xml" -Dmaven.repo.local="$T/m2" \
    org.apache.maven.plugins:maven-dependency-plugin:3.8.1:copy-dependencies -DoutputDirectory="$T/coursier-$COURSIER/lib"
  touch "$T/coursier-$COURSIER/done"
fi
CS() { java -cp "$T/coursier-$COURSIER/lib/*" coursier.cli.Coursier "$@"; }

# Fetches artifacts into the cache and writes their paths, one per line, to $1.
fetch() {
  local out="$1"; shift
  if [ ! -s "$out" ]; then
    log "resolving $(basename "$out")"
    CS fetch --cache "$T/cscache" "$@" > "$out.tmp"
    mv "$out.tmp" "$out"
  fi
}

# --- The JVM suite: JNA and JUnit ---------------------------------------------
fetch "$T/classpaths/jvm-test-$(version jna)-$(version kotlinxCoroutines).txt" \
  "net.java.dev.jna:jna:$(version jna)" "junit:junit:$(version junit)" \
  "org.jetbrains.kotlinx:kotlinx-coroutines-core-jvm:$(version kotlinxCoroutines)"
JVM_TEST_CP="$T/classpaths/jvm-test-$(version jna)-$(version kotlinxCoroutines).txt"

# --- Compose for the desktop JVM (screens to PNG, desktop UI tests) ----------
CMP="$(version composeMultiplatform)"
fetch "$T/classpaths/compose-desktop-$CMP.txt" \
  "org.jetbrains.compose.ui:ui-desktop:$CMP" \
  "org.jetbrains.compose.foundation:foundation-desktop:$CMP" \
  "org.jetbrains.compose.material3:material3-desktop:$(version composeMaterial3Desktop)" \
  "org.jetbrains.compose.runtime:runtime-desktop:$CMP" \
  "org.jetbrains.compose.ui:ui-test-junit4-desktop:$CMP" \
  "org.jetbrains.skiko:skiko-awt-runtime-linux-x64:$(version skiko)" \
  "org.jetbrains.kotlin:kotlin-stdlib:$KOTLIN"
COMPOSE_DESKTOP_CP="$T/classpaths/compose-desktop-$CMP.txt"

# --- The Android framework as a jar (compile classpath, Robolectric) ---------
android_all() {
  local v="$1" artifact="${2:-android-all}"
  local jar="$T/android/$artifact-$v.jar"
  if [ ! -f "$jar" ]; then
    log "org.robolectric:$artifact:$v"
    mvn -B -q -Dmaven.repo.local="$T/m2" org.apache.maven.plugins:maven-dependency-plugin:3.8.1:copy \
      -Dartifact="org.robolectric:$artifact:$v" -DoutputDirectory="$T/android" >/dev/null
  fi
  echo "$jar"
}
ANDROID_JAR="$(android_all "$(version androidAll)")"
# JNA for Android: its classes and its libjnidispatch.so per ABI.
JNA_AAR="$T/android/jna-$(version jna).aar"
if [ ! -f "$JNA_AAR" ]; then
  log "net.java.dev.jna:jna:$(version jna):aar"
  mvn -B -q -Dmaven.repo.local="$T/m2" org.apache.maven.plugins:maven-dependency-plugin:3.8.1:copy \
    -Dartifact="net.java.dev.jna:jna:$(version jna):aar" -DoutputDirectory="$T/android" >/dev/null
fi
# Robolectric runs the activity on SDK 36 (on SDK 34, Robolectric 4.17 cannot create an AudioTrack).
ROBO_JARS="$T/android"
android_all "$(version robolectricSdkInstrumented)" android-all-instrumented >/dev/null

# --- Robolectric ---------------------------------------------------------------
fetch "$T/classpaths/robolectric-$(version robolectric).txt" -A jar,aar,bundle \
  "org.robolectric:robolectric:$(version robolectric)" "junit:junit:$(version junit)"
ROBO_CP="$T/classpaths/robolectric-$(version robolectric).txt"

# --- Jetpack Compose for Android (AARs), aligned like Gradle would ----------
# Pass 1 relaxes AndroidX's exact version ranges; pass 2 forces every
# module of an aligned AndroidX group to that group's highest version.
ANDROID_ROOTS=(
  "androidx.activity:activity-compose:$(version androidxActivity)"
  "androidx.compose.foundation:foundation-android:$(version androidxCompose)"
  "androidx.compose.material3:material3-android:$(version androidxComposeMaterial3)"
  "org.jetbrains.kotlin:kotlin-stdlib:$KOTLIN"
)
ANDROID_TEST_ROOTS=(
  "androidx.compose.ui:ui-test-junit4-android:$(version androidxCompose)"
  "androidx.compose.ui:ui-test-manifest:$(version androidxCompose)"
)
aligned_fetch() {
  local out="$1"; shift
  if [ ! -s "$out" ]; then
    log "resolving $(basename "$out") (2 passes)"
    CS fetch --cache "$T/cscache" -A jar,aar,bundle --reconciliation '*:*:relaxed' "$@" > "$out.pass1"
    # shellcheck disable=SC2046
    CS fetch --cache "$T/cscache" -A jar,aar,bundle --reconciliation '*:*:relaxed' \
      $(python3 "$ANDROID_DIR/tools/align_androidx.py" "$out.pass1") "$@" > "$out.tmp"
    mv "$out.tmp" "$out"; rm -f "$out.pass1"
  fi
}
aligned_fetch "$T/classpaths/android-app-$(version androidxCompose).txt" "${ANDROID_ROOTS[@]}"
aligned_fetch "$T/classpaths/android-test-$(version androidxCompose).txt" "${ANDROID_ROOTS[@]}" "${ANDROID_TEST_ROOTS[@]}"
ANDROID_APP_LIST="$T/classpaths/android-app-$(version androidxCompose).txt"
ANDROID_TEST_LIST="$T/classpaths/android-test-$(version androidxCompose).txt"

# --- Android build tools: aapt2, D8 (r8), apksig ------------------------------
build_tool() {
  local coordinates="$1" name="$2"
  if [ ! -f "$T/build-tools/$name" ]; then
    log "$coordinates"
    mkdir -p "$T/build-tools"
    mvn -B -q -Dmaven.repo.local="$T/m2" org.apache.maven.plugins:maven-dependency-plugin:3.8.1:copy \
      -Dartifact="$coordinates" -DoutputDirectory="$T/build-tools" >/dev/null
  fi
  echo "$T/build-tools/$name"
}
AAPT2_JAR="$(build_tool "com.android.tools.build:aapt2:$(version aapt2):jar:linux" "aapt2-$(version aapt2)-linux.jar")"
if [ ! -x "$T/build-tools/aapt2" ]; then
  unzip -o -q "$AAPT2_JAR" aapt2 -d "$T/build-tools" && chmod +x "$T/build-tools/aapt2"
fi
AAPT2="$T/build-tools/aapt2"
R8_JAR="$(build_tool "com.android.tools:r8:$(version r8)" "r8-$(version r8).jar")"
APKSIG_JAR="$(build_tool "com.android.tools.build:apksig:$(version apksig)" "apksig-$(version apksig).jar")"

export T K ANDROID_JAR JNA_AAR JAVA_ROBOLECTRIC ROBO_JARS JVM_TEST_CP COMPOSE_DESKTOP_CP ROBO_CP \
  ANDROID_APP_LIST ANDROID_TEST_LIST AAPT2 R8_JAR APKSIG_JAR
log "ready in $T"
