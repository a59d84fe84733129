#!/usr/bin/env bash
# Builds the Debian package recruit-ledger_<version>_amd64.deb (SPEC §15) with CPack and checks
# it with lintian (no errors allowed).
# usage: tools/package.sh [BUILD_DIR] [OUT_DIR]
#   BUILD_DIR  a configured build tree (default: build; configured here, Release, if missing)
#   OUT_DIR    where the .deb goes (default: BUILD_DIR)
# Prints the .deb's path on its last line. Exit 0 ok, 1 failure.
set -euo pipefail
source_dir=$(cd "$(dirname "$0")/.." && pwd)
build=${1:-build}
out=${2:-$build}
if [ ! -f "$build/CMakeCache.txt" ]; then
    cmake -S "$source_dir" -B "$build" -DCMAKE_BUILD_TYPE=Release -DLEDGER_BUILD_TESTS=OFF
fi
cmake --build "$build" -j2 --target recruit-ledgerd recruit-ledger man_pages debian_changelog
mkdir -p "$out"
out=$(cd "$out" && pwd)
(cd "$build" && cpack -G DEB -B "$out" >&2)
deb=$(ls "$out"/recruit-ledger_*_amd64.deb)
rm -rf "$out/_CPack_Packages"
if command -v lintian >/dev/null; then
    # Errors fail; warnings are listed for the reader. Running as root is fine for a check.
    lintian --fail-on error --allow-root --suppress-tags-from-file /dev/null "$deb" >&2
else
    echo "lintian not installed: package not checked (tools/install-deps.sh installs it)" >&2
fi
echo "$deb"
