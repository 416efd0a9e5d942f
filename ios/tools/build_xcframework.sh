#!/usr/bin/env bash
# On a Mac with Xcode and rustup: builds the app's Rust library for iOS
# devices and simulators and packs it as ios/build/MposRust.xcframework,
# and generates the Swift bindings into ios/build/generated (from the
# host's unstripped debug build, in library mode, as Android does). The
# Swift package links the xcframework once it exists (see Package.swift);
# App/project.yml runs this before generating the project and before each
# build. Nothing here runs on Linux: ios/test.sh covers that side.
#
#   ios/tools/build_xcframework.sh            # the phone profile (small, as shipped)
#   MPOS_PROFILE=dev ios/tools/build_xcframework.sh   # a debug build, faster to make
set -euo pipefail
if [ "$(uname)" != Darwin ]; then
  echo "build_xcframework.sh needs macOS with Xcode (on Linux, run ios/test.sh)" >&2
  exit 1
fi
# From an Xcode build phase: start again without Xcode's environment (its
# SDKROOT and deployment targets would misdirect the host's build scripts).
if [ -n "${XCODE_VERSION_ACTUAL:-}" ] && [ -z "${MPOS_CLEAN_ENV:-}" ]; then
  exec env -i MPOS_CLEAN_ENV=1 HOME="$HOME" MPOS_PROFILE="${MPOS_PROFILE:-phone}" \
    PATH="$HOME/.cargo/bin:/opt/homebrew/bin:/usr/local/bin:/usr/bin:/bin:/usr/sbin:/sbin" "$0" "$@"
fi
cd "$(dirname "$0")/../.."
ROOT="$PWD"
PROFILE="${MPOS_PROFILE:-phone}"
TARGET_DIR="${CARGO_TARGET_DIR:-$ROOT/target}"
OUT="$ROOT/ios/build"
DEVICE=aarch64-apple-ios
SIMULATORS=(aarch64-apple-ios-sim x86_64-apple-ios)
export IPHONEOS_DEPLOYMENT_TARGET=16.0
export CARGO_BUILD_JOBS="${CARGO_BUILD_JOBS:-4}"

# The profile's folder under target/<triple>/ (cargo names "dev" "debug").
profile_dir() { if [ "$PROFILE" = dev ]; then echo debug; else echo "$PROFILE"; fi; }

installed="$(rustup target list --installed)"
for target in "$DEVICE" "${SIMULATORS[@]}"; do
  grep -qx "$target" <<<"$installed" || rustup target add "$target"
done

# The static library for each target (the crate's own types are cdylib and lib).
for target in "$DEVICE" "${SIMULATORS[@]}"; do
  cargo rustc --locked -p mpos-ffi --lib --profile "$PROFILE" --target "$target" --crate-type staticlib
done

# The bindings, from the host's unstripped library (the virtual reader's too, for `swift test`).
cargo build --locked -p mpos-ffi -p mpos-ffi-testing -p mpos-uniffi-bindgen
bash ios/tools/bindings.sh "$TARGET_DIR/debug/uniffi-bindgen" \
  "$TARGET_DIR/debug/libmpos_ffi.dylib" "$TARGET_DIR/debug/libmpos_ffi_testing.dylib"

# One library per platform: the device's, and both simulators' in one fat file.
mkdir -p "$OUT/simulator"
simulator_libraries=()
for target in "${SIMULATORS[@]}"; do
  simulator_libraries+=("$TARGET_DIR/$target/$(profile_dir)/libmpos_ffi.a")
done
lipo -create -output "$OUT/simulator/libmpos_ffi.a" "${simulator_libraries[@]}"
rm -rf "$OUT/MposRust.xcframework"
xcodebuild -create-xcframework \
  -library "$TARGET_DIR/$DEVICE/$(profile_dir)/libmpos_ffi.a" \
  -library "$OUT/simulator/libmpos_ffi.a" \
  -output "$OUT/MposRust.xcframework" >/dev/null
echo "ios/build/MposRust.xcframework ($PROFILE): $(du -sh "$OUT/MposRust.xcframework" | cut -f1)"
