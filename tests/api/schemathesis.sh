#!/usr/bin/env bash
# Schemathesis (PyPI), a client we did not write, against the running
# gateway and docs/openapi.json, for a short, bounded run: two passes (the
# phone app's operations with a ready session, the administrator's with
# the admin token), about 90 s each. Installs schemathesis into a virtual
# environment in the tool cache (outside the repository) when missing.
# Ends with `N passed, N failed` (passes).
set -euo pipefail
cd "$(dirname "$0")/../.."
VERSION=4.32.5
TOOLS="${MPOS_TOOLS:-$HOME/.cache/mpos-tools}"
VENV="$TOOLS/schemathesis-$VERSION"
if [ ! -x "$VENV/bin/st" ]; then
  echo "[schemathesis] installing $VERSION into $VENV"
  rm -rf "$VENV"
  python3 -m venv "$VENV"
  "$VENV/bin/pip" install --quiet --disable-pip-version-check "schemathesis==$VERSION"
fi
export CARGO_BUILD_JOBS="${CARGO_BUILD_JOBS:-2}"
cargo build --locked --quiet --workspace
export MPOS_SCHEMATHESIS_SECONDS="${MPOS_SCHEMATHESIS_SECONDS:-90}"
python3 tests/api/schemathesis.py "$VENV/bin/st" target/debug/mpos-testbed
