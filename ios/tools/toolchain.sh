# Sourced by ios/test.sh: installs, once, Swift for Linux (Debian trixie's
# swiftlang, with XCTest and Foundation) into a chroot cached outside the
# repository ($MPOS_TOOLS/swift-trixie, default ~/.cache/mpos-tools), from
# Debian's packages only, through the mirror this machine's apt uses.
# Rebuilt when missing or unfinished.
#
# Exports: SWIFT_ROOT (the chroot), and defines `chroot_mount` /
# `chroot_unmount` for the test run (proc, and directories bound read-only).

set -euo pipefail
SWIFT_ROOT="${MPOS_TOOLS:-$HOME/.cache/mpos-tools}/swift-trixie"
SWIFT_PACKAGES=(swiftlang libc6-dev)

log() { echo "[toolchain] $*" >&2; }

SUDO=""; [ "$(id -u)" = 0 ] || SUDO=sudo

# The Debian mirror apt already uses here (deb822 `URIs:` or one-line `deb`),
# so the chroot comes from the same place as the machine's own packages.
debian_mirror() {
  local uri
  uri="$(cat /etc/apt/sources.list /etc/apt/sources.list.d/*.list /etc/apt/sources.list.d/*.sources 2>/dev/null \
    | sed -nE 's#^(URIs:|deb)[[:space:]]+(\[[^]]*\][[:space:]]+)?(https?://[^[:space:]]+/debian)/?([[:space:]].*)?$#\3#p' \
    | head -1)"
  echo "${uri:-http://deb.debian.org/debian}"
}

# What is mounted under the chroot now, deepest first.
mounts_under_root() {
  awk -v root="$SWIFT_ROOT" '$2 == root || index($2, root "/") == 1 { print $2 }' /proc/mounts | sort -r
}

# Mounts proc (swiftc cannot load libswiftCore without it) and binds each
# SOURCE=TARGET pair read-only at TARGET inside the chroot.
chroot_mount() {
  $SUDO mount -t proc proc "$SWIFT_ROOT/proc"
  local pair source target
  for pair in "$@"; do
    source="${pair%%=*}" target="$SWIFT_ROOT${pair#*=}"
    mkdir -p "$target"
    $SUDO mount --bind "$source" "$target"
    $SUDO mount -o remount,bind,ro "$target"
  done
}

# Unmounts everything under the chroot (safe to call twice). Nothing may
# stay mounted: a later rebuild deletes the chroot, and a directory still
# bound into it would be deleted with it.
chroot_unmount() {
  local mounted
  for mounted in $(mounts_under_root); do
    $SUDO umount "$mounted" 2>/dev/null || $SUDO umount -l "$mounted" 2>/dev/null || true
  done
}

if [ ! -f "$SWIFT_ROOT/.mpos-ready" ]; then
  if ! command -v debootstrap >/dev/null; then
    log "apt-get install debootstrap"
    $SUDO apt-get update -qq >/dev/null
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends debootstrap >/dev/null
  fi
  mirror="$(debian_mirror)"
  log "debootstrap trixie (minbase) from $mirror into $SWIFT_ROOT"
  # A root left half-built by an interrupted run starts over, once nothing is mounted in it.
  chroot_unmount
  if [ -n "$(mounts_under_root)" ]; then
    echo "ios/tools/toolchain.sh: still mounted under $SWIFT_ROOT, not deleting it:" >&2
    mounts_under_root >&2
    exit 1
  fi
  $SUDO rm -rf --one-file-system "$SWIFT_ROOT"
  mkdir -p "$(dirname "$SWIFT_ROOT")"
  $SUDO debootstrap --variant=minbase trixie "$SWIFT_ROOT" "$mirror" >/dev/null
  log "swiftlang in the chroot"
  $SUDO mount -t proc proc "$SWIFT_ROOT/proc"
  trap '$SUDO umount "$SWIFT_ROOT/proc" 2>/dev/null || true' EXIT
  # (apt's "Can not write log (Is /dev/pts mounted?)" is harmless here.)
  apt_log="$(dirname "$SWIFT_ROOT")/swift-trixie-apt.log"
  if ! $SUDO chroot "$SWIFT_ROOT" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
    "${SWIFT_PACKAGES[@]}" > "$apt_log" 2>&1; then
    cat "$apt_log" >&2
    exit 1
  fi
  $SUDO umount "$SWIFT_ROOT/proc"
  trap - EXIT
  touch "$SWIFT_ROOT/.mpos-ready"
fi
export SWIFT_ROOT
log "swift ready in $SWIFT_ROOT"
