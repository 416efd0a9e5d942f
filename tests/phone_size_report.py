#!/usr/bin/env python3
"""Prints the "size" section of docs/benchmarks.md for tests/phone_size.sh.

Arguments: the unstripped library, its stripped copy, the stripped copy of
the same build with `panic = "abort"`, and the limit in bytes. Each crate's
share is the sum of its symbols' sizes (GNU nm, demangled), the way
cargo-bloat counts, without another tool to install: code and tables that
carry no symbol (unwind tables, relocations) are listed by section instead.
"""

import os
import re
import subprocess
import sys
from collections import defaultdict

STD_CRATES = {"core", "alloc", "std", "std_detect", "panic_unwind", "rustc_demangle",
              "gimli", "addr2line", "object", "miniz_oxide", "adler2", "hashbrown", "memchr"}
CRATE_PATH = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*(?=::)")
TOP_CRATES = 16
# std's backtrace printer, linked in because panics unwind and print.
BACKTRACE = re.compile(r"backtrace|gimli|addr2line|rustc_demangle|miniz_oxide")


def crate_of(symbol: str) -> str:
    """The crate a demangled symbol belongs to (the first path's crate)."""
    name = symbol.lstrip("<&*_ ")
    name = re.sub(r"^(dyn |impl |mut |const )+", "", name)
    # `<T as core::convert::TryInto<U>>::try_into`: a bare type parameter or
    # primitive belongs to the trait's crate.
    name = re.sub(r"^[A-Za-z0-9_]+(<[^ ]*>)? as ", "", name)
    match = CRATE_PATH.match(name)
    if match:
        crate = match.group(0)
        return "std (core, alloc, std)" if crate in STD_CRATES else crate
    # extern "C" symbols: the C and assembly ring bundles, UniFFI's scaffolding.
    if symbol.startswith(("ring_core_", "ecp_nistz256", "p256_", "x25519_", "aes_", "gcm_",
                          "ChaCha20", "chacha20", "poly1305", "bn_", "sha256_", "sha512_", "LIMBS_",
                          "LIMB_", "CRYPTO_", "OPENSSL_")):
        return "ring (C and assembly)"
    if symbol.startswith(("uniffi_mpos_ffi", "ffi_mpos_ffi", "mpos_audio_jack")):
        return "mpos_ffi"
    return "(other: C runtime, compiler builtins)"


def run(*command: str) -> str:
    return subprocess.run(command, check=True, capture_output=True, text=True).stdout


def kib(size: int) -> str:
    return f"{size / 1024:,.1f} KiB"


def main() -> None:
    unstripped, stripped, aborting, limit = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
    stripped_size = os.path.getsize(stripped)
    aborting_size = os.path.getsize(aborting)

    sections = []
    for line in run("aarch64-linux-gnu-size", "-A", stripped).splitlines():
        parts = line.split()
        if len(parts) == 3 and parts[0].startswith(".") and parts[1].isdigit():
            sections.append((parts[0], int(parts[1])))
    sections.sort(key=lambda section: -section[1])

    by_crate = defaultdict(int)
    backtrace = 0
    for line in run("aarch64-linux-gnu-nm", "--defined-only", "-S", "-C", unstripped).splitlines():
        parts = line.split(" ", 3)
        if len(parts) == 4 and parts[2] in "tTrRdDbBwWvV":
            by_crate[crate_of(parts[3])] += int(parts[1], 16)
            if BACKTRACE.search(parts[3]):
                backtrace += int(parts[1], 16)
    crates = sorted(by_crate.items(), key=lambda item: -item[1])
    attributed = sum(by_crate.values())

    out = []
    out.append("## The phone library's size")
    out.append("")
    out.append(
        "Measured by `MPOS_BENCH=1 bash tests/phone_size.sh` (CI runs it without `MPOS_BENCH` and fails "
        "above the limit): `mpos-ffi` built with the `phone` profile (opt-level \"z\", fat LTO, one codegen "
        "unit, panics unwind) for `aarch64-unknown-linux-gnu` with Debian's cross linker, standing in for "
        "the phone's `arm64-v8a` and `arm64` builds, then stripped as the Android Gradle plugin and Xcode do."
    )
    out.append("")
    out.append("| Build | Stripped size | Limit | Of the limit |")
    out.append("|---|---:|---:|---:|")
    out.append(f"| `phone` profile (shipped) | {stripped_size:,} B ({stripped_size / 1e6:.2f} MB) | "
               f"{limit:,} B | {100 * stripped_size / limit:.0f} % |")
    out.append(f"| same with `panic = \"abort\"` (not shipped) | {aborting_size:,} B "
               f"({aborting_size / 1e6:.2f} MB) | {limit:,} B | {100 * aborting_size / limit:.0f} % |")
    out.append("")
    out.append(
        f"Aborting would save {stripped_size - aborting_size:,} B "
        f"({100 * (stripped_size - aborting_size) / stripped_size:.0f} %), mostly unwind tables; the "
        "profile keeps unwinding so a panic becomes an error the shell shows, not a dead app mid-payment."
    )
    out.append("")
    out.append("Largest sections of the stripped library:")
    out.append("")
    out.append("| Section | Size |")
    out.append("|---|---:|")
    for name, size in sections[:8]:
        out.append(f"| `{name}` | {kib(size)} |")
    out.append("")
    out.append(
        f"Each crate's share of the {kib(attributed)} that carry a symbol (code, constant tables); "
        "generic code counts for the crate that defines it, so a `Vec` of ours counts as std:"
    )
    out.append("")
    out.append("| Crate | Size | Share |")
    out.append("|---|---:|---:|")
    for crate, size in crates[:TOP_CRATES]:
        out.append(f"| {crate} | {kib(size)} | {100 * size / attributed:.1f} % |")
    rest = crates[TOP_CRATES:]
    if rest:
        rest_size = sum(size for _, size in rest)
        out.append(f"| {len(rest)} others | {kib(rest_size)} | {100 * rest_size / attributed:.1f} % |")
    out.append("")
    out.append(
        f"Of std's share, {kib(backtrace)} is its backtrace printer (gimli, addr2line, rustc-demangle, "
        "miniz_oxide); with ring's tables and rustls it is where the next cut would come from."
    )
    out.append("")
    print("\n".join(out))


if __name__ == "__main__":
    main()
