#!/usr/bin/env bash
# The merchant portal and the e-receipt in a real browser: Debian's Chromium
# driven by playwright-core (npm), against the real gateway process through
# mpos-testbed. Installs what is missing, once: Chromium and the CJK fonts
# from Debian, playwright-core into $MPOS_TOOLS/playwright (default
# ~/.cache/mpos-tools). Rewrites the screenshots in docs/portal/.
# MPOS_BENCH=1 also times each page and writes the portal section of
# docs/benchmarks.md. Last line: `N passed, N failed`.
set -euo pipefail
cd "$(dirname "$0")/.."
export CARGO_BUILD_JOBS="${CARGO_BUILD_JOBS:-2}"
PLAYWRIGHT_VERSION=1.65.1
tools="${MPOS_TOOLS:-$HOME/.cache/mpos-tools}/playwright"

need_apt=()
command -v chromium >/dev/null || need_apt+=(chromium)
command -v npm >/dev/null || need_apt+=(npm)
dpkg -s fonts-noto-cjk >/dev/null 2>&1 || need_apt+=(fonts-noto-cjk)
if [ ${#need_apt[@]} -gt 0 ]; then
  echo "[browser] apt-get install ${need_apt[*]}" >&2
  SUDO=""; [ "$(id -u)" = 0 ] || SUDO=sudo
  $SUDO apt-get update -qq >/dev/null
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${need_apt[@]}" >/dev/null
fi
if [ ! -f "$tools/node_modules/playwright-core/package.json" ] \
  || ! grep -q "\"version\": \"$PLAYWRIGHT_VERSION\"" "$tools/node_modules/playwright-core/package.json"; then
  echo "[browser] npm install playwright-core@$PLAYWRIGHT_VERSION" >&2
  mkdir -p "$tools"
  npm install --silent --no-audit --no-fund --prefix "$tools" "playwright-core@$PLAYWRIGHT_VERSION" >&2
fi

cargo build --locked -q --workspace
NODE_PATH="$tools/node_modules" MPOS_CHROMIUM="$(command -v chromium)" node tests/browser/portal.cjs
