#!/usr/bin/env bash
# ctest debian_package_installs_and_serves: builds the .deb from the already-built binaries
# (tools/package.sh), extracts it with dpkg -x into a temporary root, then checks the unit with
# systemd-analyze (verify, and security exposure <= 2.0), runs the package's postinst against the
# temporary root (DPKG_ROOT; systemd helpers stubbed) to see it make the key-encryption key once,
# and runs the installed server with that key as its systemd credential (as LoadCredential= hands
# it over): --version, a short serve (healthz, info), SIGTERM, exit 0.
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

# The unit hands the server /etc/recruit-ledger/kek as the credential recruit-ledger-kek.
grep -qx 'LoadCredential=recruit-ledger-kek:/etc/recruit-ledger/kek' "$root/lib/systemd/system/recruit-ledgerd.service" ||
    { echo "the unit does not load the KEK credential"; exit 1; }

# postinst configure makes the KEK (32 bytes, 0600, the installing user's) once, never again.
dpkg-deb -e "$deb" "$work/control"
mkdir -p "$work/stubs"
for helper in deb-systemd-helper deb-systemd-invoke systemctl; do
    printf '#!/bin/sh\nexit 0\n' > "$work/stubs/$helper"
    chmod +x "$work/stubs/$helper"
done
run_postinst() {
    DPKG_ROOT=$root PATH="$work/stubs:$root/usr/bin:$PATH" "$work/control/postinst" configure "$@"
}
kek=$root/etc/recruit-ledger/kek
[ ! -e "$kek" ] || { echo "the package ships a KEK"; exit 1; }
run_postinst
[ "$(stat -c '%s %a %u' "$kek")" = "32 600 $(id -u)" ] || { echo "postinst KEK: $(stat -c '%s %a %u' "$kek")"; exit 1; }
before=$(sha256sum < "$kek")
run_postinst 0.0.1
[ "$(sha256sum < "$kek")" = "$before" ] || { echo "an upgrade's postinst replaced the KEK"; exit 1; }
echo "postinst made the KEK once: $(stat -c '%n %s bytes mode %a' "$kek")"
mkdir -p "$work/credentials"
install -m 0400 "$kek" "$work/credentials/recruit-ledger-kek"

# A short serve of the installed binary: it answers, then drains on SIGTERM and exits 0.
CREDENTIALS_DIRECTORY=$work/credentials \
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
grep -q "key-encryption key $work/credentials/recruit-ledger-kek" "$work/server.log" ||
    { echo "the server did not use the credential"; cat "$work/server.log"; exit 1; }
[ ! -e "$work/data.kek" ] || { echo "the server made its own KEK beside the data"; exit 1; }
echo "ok"
