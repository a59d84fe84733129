#!/usr/bin/env bash
# Issue 21's hostile-reader scenarios against an existing build, with the numbers they produce:
#   1. /healthz latency while four min_position waits, two as-of replays and two filtered log
#      scans of a rare type are in flight (20,000-event demo ledger, loopback, no tokens);
#   2. out of descriptors: a server with a descriptor limit of 256 and 300 idle connections —
#      its CPU seconds and log lines over 3 s, and whether it serves once they close;
#   3. with tokens, 60 connections that each declare a 4 MB body without a token: how long
#      until each has its 401 (nothing of the body is sent before it).
#
#   tools/bench/hostile-readers.sh [--build DIR]
# Needs curl and bash's /dev/tcp. Prints one line per measurement.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
build=$root/build
if [ "${1:-}" = --build ]; then build=$(cd "$2" && pwd); fi
ledgerd=$build/src/http/recruit-ledgerd
ledger=$build/tools/recruit-ledger
work=$(mktemp -d "${TMPDIR:-/tmp}/ledger-hostile.XXXXXX")
server_pid=
cleanup() {
    if [ -n "$server_pid" ]; then kill "$server_pid" 2>/dev/null || true; fi
    rm -rf "$work"
}
trap cleanup EXIT

# Starts recruit-ledgerd with "$@" in the background; sets server_pid and port.
start_server() {
    rm -f "$work/port"
    "$ledgerd" --listen 127.0.0.1:0 --port-file "$work/port" "$@" 2>>"$work/server.log" &
    server_pid=$!
    for _ in $(seq 1 200); do [ -s "$work/port" ] && break; sleep 0.05; done
    port=$(cat "$work/port")
}
stop_server() { kill "$server_pid"; wait "$server_pid" 2>/dev/null || true; server_pid=; }
url() { echo "http://127.0.0.1:$port$1"; }

"$ledger" demo --data "$work/demo" --events 20000 >/dev/null 2>&1
start_server --data "$work/demo"
max=18446744073709551615
slow=()
for _ in 1 2 3 4; do curl -s -o /dev/null "$(url "/v1/projections/funnel?min_position=$max")" & slow+=($!); done
for _ in 1 2; do curl -s -o /dev/null "$(url "/v1/projections/funnel?as_of_position=19000")" & slow+=($!); done
for _ in 1 2; do curl -s -o /dev/null "$(url "/v1/events?type=SubjectErased")" & slow+=($!); done
sleep 0.3
health=$(curl -s -o /dev/null -w '%{time_total}' "$(url /healthz)")
read=$(curl -s -o /dev/null -w '%{time_total}' "$(url "/v1/events?limit=10")")
echo "healthz_seconds_during_slow_reads	$health"
echo "log_page_seconds_during_slow_reads	$read"
wait "${slow[@]}"
stop_server

: >"$work/server.log"
rm -f "$work/port"
(
    ulimit -n 256
    exec "$ledgerd" --data "$work/fd" --listen 127.0.0.1:0 --port-file "$work/port" 2>>"$work/server.log"
) &
server_pid=$!
for _ in $(seq 1 200); do [ -s "$work/port" ] && break; sleep 0.05; done
port=$(cat "$work/port")
ulimit -n 4096
fds=()
for _ in $(seq 1 300); do exec {fd}<>"/dev/tcp/127.0.0.1/$port"; fds+=("$fd"); done
ticks() { sed 's/.*) //' "/proc/$server_pid/stat" | awk '{print $12 + $13}'; }
before=$(ticks)
sleep 3
after=$(ticks)
echo "cpu_seconds_in_3s_out_of_descriptors	$(awk -v t=$((after - before)) -v hz="$(getconf CLK_TCK)" 'BEGIN{printf "%.2f", t / hz}')"
echo "log_lines_in_3s_out_of_descriptors	$(wc -l <"$work/server.log")"
for fd in "${fds[@]}"; do exec {fd}>&-; done
recovered=000
for _ in $(seq 1 50); do
    recovered=$(curl -s -o /dev/null -m 2 -w '%{http_code}' "$(url /healthz)" || true)
    [ "$recovered" = 200 ] && break
    sleep 0.1
done
echo "healthz_after_connections_closed	$recovered"
stop_server

"$ledger" token add --tokens "$work/tokens" reader-1 reader >/dev/null
start_server --data "$work/auth" --tokens "$work/tokens"
started=$(date +%s.%N)
answers=()
for i in $(seq 1 60); do
    (
        exec {c}<>"/dev/tcp/127.0.0.1/$port"
        printf 'POST /v1/streams/campaign-x/events HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: 4000000\r\n\r\n' >&$c
        head -c 12 <&$c
    ) >"$work/answer.$i" &
    answers+=($!)
done
wait "${answers[@]}"
elapsed=$(awk -v a="$started" -v b="$(date +%s.%N)" 'BEGIN{printf "%.2f", b - a}')
echo "unauthenticated_4MB_bodies_answered_401	$(cat "$work"/answer.* | grep -o '401' | wc -l)/60 in ${elapsed}s"
stop_server
