"""Copies the artifacts of a Coursier fetch list into a folder, the way
Gradle would pick them: for a Kotlin-multiplatform module whose -android or
-jvm variant is also listed, only the variant (and -android over -jvm).
Usage: pick_variants.py LIST OUT_DIR [group:artifact ...] (those are skipped)."""

import shutil
import sys


def main(listing, out, skipped):
    paths = [line.strip() for line in open(listing) if line.strip()]
    info = []
    for path in paths:
        parts = path.split("/maven2/")[1].split("/")
        info.append((".".join(parts[:-3]), parts[-3], parts[-1], path))
    names = {(group, artifact) for group, artifact, _, _ in info}
    for group, artifact, file, path in info:
        if (group, artifact + "-android") in names or (group, artifact + "-jvm") in names:
            continue
        if artifact.endswith("-jvm") and (group, artifact[:-4] + "-android") in names:
            continue
        if f"{group}:{artifact}" in skipped:
            continue
        shutil.copy(path, f"{out}/{group}.{file}")


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2], set(sys.argv[3:]))
