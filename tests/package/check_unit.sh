#!/usr/bin/env bash
# Checks a recruit-ledgerd unit file with systemd-analyze: `verify` reports nothing, and
# `security --offline=true` rates its exposure at most 2.0 ("OK").
# usage: check_unit.sh UNIT_FILE [SERVER_BINARY]. Exit 77 (skipped) without systemd-analyze.
# With SERVER_BINARY, ExecStart is pointed at it (verify checks that the program exists).
set -euo pipefail
command -v systemd-analyze >/dev/null || { echo "SKIP: systemd-analyze is not installed"; exit 77; }
unit=$1
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
copy=$work/recruit-ledgerd.service
if [ $# -ge 2 ]; then
    sed "s|^ExecStart=/usr/bin/recruit-ledgerd|ExecStart=$2|" "$unit" > "$copy"
else
    cp "$unit" "$copy"
fi
# --man=no: the man page is installed by the package, not on this machine.
if ! out=$(systemd-analyze verify --man=no "$copy" 2>&1) || [ -n "$out" ]; then
    echo "systemd-analyze verify complained:"; echo "$out"; exit 1
fi
echo "systemd-analyze verify: clean"
exposure=$(systemd-analyze security --offline=true --no-pager "$copy" 2>&1 |
           sed -n 's/.*Overall exposure level for [^:]*: \([0-9.]*\).*/\1/p')
echo "systemd-analyze security exposure: ${exposure:-unknown}"
[ -n "$exposure" ] || exit 1
awk -v e="$exposure" 'BEGIN { exit !(e <= 2.0) }' || { echo "exposure $exposure is above 2.0"; exit 1; }
