#!/usr/bin/env bash
# ctest debian_package_installs_and_serves: builds the .deb from the already-built binaries
# (tools/package.sh), extracts it with dpkg -x into a temporary root, then checks the unit with
# systemd-analyze (verify, and security exposure <= 2.0) and runs the installed server:
# --version, a short serve (healthz, info), SIGTERM, exit 0.
# usage: check.sh SOURCE_DIR BUILD_DIR. Exit 77 (skipped) without dpkg-deb or cpack.
set -euo pipefail
source_dir=$1
build=$2
for tool in dpkg-deb cpack curl; do
    command -v "$tool" >/dev/null || { echo "SKIP: $tool is not installed"; exit 77; }
done
work=$(mktemp -d)
server=
cleanup() {
    if [ -n "$server" ]; then kill "$server" 2>/dev/null || true; fi
    rm -rf "$work"
}
trap cleanup EXIT

deb=$("$source_dir/tools/package.sh" "$build" "$work/out" | tail -n 1)
echo "package: $(basename "$deb") ($(du -h "$deb" | cut -f1))"
case $(basename "$deb") in
    recruit-ledger_*_amd64.deb) ;;
    *) echo "unexpected package name $deb"; exit 1 ;;
esac
dpkg-deb -I "$deb" | grep -E "Depends|Version"
root=$work/root
dpkg -x "$deb" "$root"
for path in usr/bin/recruit-ledgerd usr/bin/recruit-ledger lib/systemd/system/recruit-ledgerd.service \
            etc/recruit-ledger/recruit-ledgerd.conf usr/share/man/man8/recruit-ledgerd.8.gz \
            usr/share/man/man1/recruit-ledger.1.gz usr/share/doc/recruit-ledger/copyright; do
    [ -e "$root/$path" ] || { echo "missing from the package: /$path"; exit 1; }
done

"$root/usr/bin/recruit-ledgerd" --version | grep -E '^recruit-ledgerd [0-9]+\.[0-9]+\.[0-9]+ \(commit '
"$root/usr/bin/recruit-ledger" --version | grep -E '^recruit-ledger [0-9]'

if command -v systemd-analyze >/dev/null; then
    "$source_dir/tests/package/check_unit.sh" "$root/lib/systemd/system/recruit-ledgerd.service" "$root/usr/bin/recruit-ledgerd"
else
    echo "systemd-analyze not installed: unit not checked"
fi

# A short serve of the installed binary: it answers, then drains on SIGTERM and exits 0.
"$root/usr/bin/recruit-ledgerd" --data "$work/data" --listen 127.0.0.1:0 --port-file "$work/port" \
    2> "$work/server.log" &
server=$!
for _ in $(seq 1 100); do
    [ -s "$work/port" ] && break
    kill -0 "$server" 2>/dev/null || { cat "$work/server.log"; exit 1; }
    sleep 0.1
done
port=$(cat "$work/port")
curl -fsS "http://127.0.0.1:$port/healthz"; echo
curl -fsS "http://127.0.0.1:$port/v1/info" | tee "$work/info.json"; echo
grep -q '"format_version"' "$work/info.json"
kill -TERM "$server"
status=0
wait "$server" || status=$?
server=
[ "$status" -eq 0 ] || { echo "server exited $status after SIGTERM"; cat "$work/server.log"; exit 1; }
echo "ok"
