"""Gradle aligns the modules of each AndroidX group to one version (its
module metadata says so); Coursier does not. Given a Coursier fetch list,
prints `-V group:artifact:version` flags forcing every module of an aligned
group to the highest version seen in that group."""

import re
import sys

ALIGNED = [
    "androidx.lifecycle",
    "androidx.activity",
    "androidx.savedstate",
    "androidx.navigationevent",
    "androidx.compose.runtime",
    "androidx.compose.ui",
    "androidx.compose.foundation",
    "androidx.compose.animation",
]


def key(version):
    return [int(part) if part.isdigit() else -1 for part in re.split(r"[.\-]", version)]


def main(path):
    by_group = {}
    for line in open(path):
        line = line.strip()
        if "/maven2/" not in line:
            continue
        parts = line.split("/maven2/")[1].split("/")
        group, artifact, version = ".".join(parts[:-3]), parts[-3], parts[-2]
        by_group.setdefault(group, {}).setdefault(artifact, set()).add(version)
    flags = []
    for group in ALIGNED:
        if group not in by_group:
            continue
        top = max((v for versions in by_group[group].values() for v in versions), key=key)
        flags += [f"-V {group}:{artifact}:{top}" for artifact in sorted(by_group[group])]
    print(" ".join(flags))


if __name__ == "__main__":
    main(sys.argv[1])
