#!/usr/bin/env bash
# Installs the Debian packages, builds everything with warnings as errors and runs the whole
# test suite. This is the README's test command and what .ci/run runs.
#   LEDGER_SKIP_INSTALL=1   skip apt (dependencies already installed)
#   LEDGER_BUILD_DIR=DIR    build tree (default: build/ in the checkout)
#   LEDGER_CMAKE_ARGS=...   extra CMake arguments, e.g. -DLEDGER_SANITIZE=ON
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build=${LEDGER_BUILD_DIR:-$root/build}

if [ "${LEDGER_SKIP_INSTALL:-0}" != 1 ]; then
    "$root/tools/install-deps.sh"
fi
# ccache keeps its cache outside the checkout, and hashes paths relative to it, so a fresh
# clone anywhere (as CI makes) still hits it.
export CCACHE_DIR=${CCACHE_DIR:-$HOME/.cache/recruitment-ledger-ccache}
export CCACHE_BASEDIR=$root CCACHE_NOHASHDIR=1

# shellcheck disable=SC2086 # LEDGER_CMAKE_ARGS is a list of arguments
cmake -S "$root" -B "$build" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DLEDGER_WERROR=ON -DLEDGER_BUILD_TESTS=ON ${LEDGER_CMAKE_ARGS:-}
cmake --build "$build" -j"$(nproc)"
# The OpenAPI validator, pinned by tests/openapi/package-lock.json (its test skips without it).
if command -v npm >/dev/null; then
    npm ci --prefix "$root/tests/openapi" --no-audit --no-fund --loglevel=error
fi
ctest --test-dir "$build" --output-on-failure --no-tests=error -j"$(nproc)" --timeout 900
