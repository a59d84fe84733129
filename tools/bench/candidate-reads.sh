#!/usr/bin/env bash
# The two issue-20 rows of tools/bench/run-all.sh (http_candidate_reads, http_candidate_reads_redacted)
# run alone, as run-all.sh runs them (20,000-event demo ledger, 256 candidate streams, wrk -t2
# -c64, 1 s warm-up + 10 s, server and wrk sharing CPUs 0,1, 2 I/O threads), alternated over
# ROUNDS (3) rounds, plus the same comparison with an admin token on the reader's server (both
# paths then pay the token check). Prints one line per round with the load average.
# usage: tools/bench/candidate-reads.sh [BUILD_DIR]
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
B=${1:-$root/build}; W=$root/tools/bench/wrk
rounds=${ROUNDS:-3}
work=$(mktemp -d "${TMPDIR:-/tmp}/candidate-reads.XXXXXX")
server_pid=
cleanup() { if [ -n "$server_pid" ]; then kill "$server_pid" 2>/dev/null || true; fi; rm -rf "$work"; }
trap cleanup EXIT
start() {
  rm -f "$work/port"
  taskset -c 0,1 "$B/src/http/recruit-ledgerd" --data "$work/demo" --listen 127.0.0.1:0 --threads 2 --port-file "$work/port" "$@" 2>>"$work/server.log" &
  server_pid=$!
  for _ in $(seq 1 200); do [ -s "$work/port" ] && break; sleep 0.05; done
  port=$(cat "$work/port")
}
stop() { kill "$server_pid"; wait "$server_pid" 2>/dev/null || true; server_pid=; }
run() {
  taskset -c 0,1 wrk -t2 -c64 -d1s -s "$W/candidate_reads.lua" "http://127.0.0.1:$port" >/dev/null
  taskset -c 0,1 wrk -t2 -c64 -d10s -s "$W/candidate_reads.lua" "http://127.0.0.1:$port" | grep '^wrk-result' | tr '\t' '\n' | sed -n 's/^requests_per_s=//p;s/^non2xx=/non2xx=/p' | paste -sd' '
}
"$B/tools/recruit-ledger" demo --data "$work/demo" 2>/dev/null
export BENCH_CANDIDATE_STREAMS BENCH_TOKEN=
start
BENCH_CANDIDATE_STREAMS=$(curl -sf "http://127.0.0.1:$port/v1/events?type=CandidateRegistered&limit=256" | jq -r '[.events[].stream] | join(",")')
stop
reader=$("$B/tools/recruit-ledger" token add --tokens "$work/tokens" bench-reader reader)
admin=$("$B/tools/recruit-ledger" token add --tokens "$work/tokens" bench-admin admin)
echo "streams: $(tr ',' '\n' <<<"$BENCH_CANDIDATE_STREAMS" | wc -l); load before: $(cut -d' ' -f1-3 /proc/loadavg)"
for r in $(seq 1 "$rounds"); do
  start; BENCH_TOKEN=; a=$(run); stop
  start --tokens "$work/tokens"; BENCH_TOKEN=$reader; b=$(run); BENCH_TOKEN=$admin; c=$(run); BENCH_TOKEN=$reader; d=$(run); stop
  echo "round $r | http_candidate_reads (local admin, decrypted) $a | http_candidate_reads_redacted (reader token) $b | admin token (decrypted) $c | reader token again $d | load $(cut -d' ' -f1-3 /proc/loadavg)"
done
rm -rf "$work"
