#!/usr/bin/env bash
# The phone library's size, a tracked number (issue 7): cross-builds mpos-ffi
# with the `phone` profile for aarch64-unknown-linux-gnu (Debian's cross
# linker; a stand-in for the phone, which needs the NDK or Xcode), strips a
# copy as the Android Gradle plugin and Xcode do, and fails above the limit.
# MPOS_BENCH=1 also writes the "size" section of docs/benchmarks.md: the
# sections, each large dependency's share (from the symbols), and what
# `panic = "abort"` would save, measured in the same run.
set -euo pipefail
cd "$(dirname "$0")/.."
export CARGO_BUILD_JOBS="${CARGO_BUILD_JOBS:-2}"

LIMIT_BYTES=4000000
TARGET=aarch64-unknown-linux-gnu
ROOT="$(pwd)"
TARGET_DIR="${CARGO_TARGET_DIR:-$ROOT/target}"
OUT="$TARGET_DIR/phone-size"
mkdir -p "$OUT"

# --- the cross toolchain (rustup's target, Debian's linker) -----------------
rustup target list --installed | grep -qx "$TARGET" || rustup target add "$TARGET"
if ! command -v aarch64-linux-gnu-gcc >/dev/null; then
  echo "phone_size: installing Debian's aarch64 cross linker" >&2
  SUDO=""; [ "$(id -u)" = 0 ] || SUDO=sudo
  $SUDO apt-get update -qq >/dev/null
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends \
    gcc-aarch64-linux-gnu libc6-dev-arm64-cross binutils-aarch64-linux-gnu >/dev/null
fi
export CARGO_TARGET_AARCH64_UNKNOWN_LINUX_GNU_LINKER=aarch64-linux-gnu-gcc
export CC_aarch64_unknown_linux_gnu=aarch64-linux-gnu-gcc
export AR_aarch64_unknown_linux_gnu=aarch64-linux-gnu-ar

# Builds the phone library (extra cargo arguments in "$@") and leaves an
# unstripped and a stripped copy under $OUT with the given name.
build_phone_library() {
  local name="$1" target_dir="$2"
  shift 2
  cargo build --locked -q --profile phone -p mpos-ffi --target "$TARGET" --target-dir "$target_dir" "$@"
  cp "$target_dir/$TARGET/phone/libmpos_ffi.so" "$OUT/$name.so"
  aarch64-linux-gnu-strip --strip-all -o "$OUT/$name.stripped.so" "$OUT/$name.so"
}

build_phone_library phone "$TARGET_DIR"

# What the phone must never carry (docs/ARCHITECTURE.md, the crate graph's
# rules), read off the linked library's symbols: key derivation and
# decryption, the stripe decoder (clear track data stays in the reader),
# gateway code, SQLite. mpos-crypto's DUKPT counter arithmetic may be there.
forbidden='mpos_crypto::(dukpt::[a-z0-9_]+::(ipek|initial_key|derivation_key|working_key|host_working_key|transaction_key|pin_key|mac_key|data_key|tdes_cbc_decrypt|encrypt_block)|envelope|emv|pin_block|mac)|mpos_magstripe|mpos_gateway|sqlite3_'
if aarch64-linux-gnu-nm -C "$OUT/phone.so" | grep -E "$forbidden" | head -5 | grep .; then
  echo "phone_size: the phone library links code it must never carry (above)" >&2
  exit 1
fi
echo "phone library carries no key derivation, stripe decoder, gateway code or SQLite"
size_bytes=$(stat -c %s "$OUT/phone.stripped.so")
printf 'phone library (%s, phone profile, stripped): %d B of at most %d B\n' "$TARGET" "$size_bytes" "$LIMIT_BYTES"

if [ "${MPOS_BENCH:-0}" = 1 ]; then
  # The same build with panics aborting, in its own target folder (every
  # crate is built again), for the figure the profile's comment cites.
  CARGO_PROFILE_PHONE_PANIC=abort build_phone_library phone-abort "$TARGET_DIR/phone-abort"
  python3 tests/phone_size_report.py "$OUT/phone.so" "$OUT/phone.stripped.so" "$OUT/phone-abort.stripped.so" "$LIMIT_BYTES" \
    | tee "$OUT/size.md"
  cargo run --locked -q -p mpos-testkit --bin benchmark-section -- size docs/benchmarks.md < "$OUT/size.md"
fi

if [ "$size_bytes" -gt "$LIMIT_BYTES" ]; then
  echo "phone_size: the phone library grew past its limit; see which crates grew with MPOS_BENCH=1 bash tests/phone_size.sh" >&2
  exit 1
fi
