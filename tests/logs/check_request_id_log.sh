#!/usr/bin/env bash
# ctest server_logs_request_ids: at --log-level debug the access log line of a request names its
# request id, in the text format (`request_id=…` in the message) and in --log-format json (the
# message, and a "request_id" member of the line's object); a refused request's line too.
# usage: check_request_id_log.sh RECRUIT_LEDGERD. Exit 77 (skipped) without curl or node.
set -euo pipefail
for tool in curl node; do
    command -v "$tool" >/dev/null || { echo "SKIP: $tool is not installed"; exit 77; }
done
work=$(mktemp -d)
server=
cleanup() {
    if [ -n "$server" ]; then kill "$server" 2>/dev/null || true; fi
    rm -rf "$work"
}
trap cleanup EXIT

# Serves with log format $1 into $work/$1.log, makes one answered and one refused request, stops.
run() {
    rm -f "$work/port"
    "$server_binary" --data "$work/data-$1" --listen 127.0.0.1:0 --port-file "$work/port" \
        --log-format "$1" --log-level debug 2> "$work/$1.log" &
    server=$!
    for _ in $(seq 1 100); do
        [ -s "$work/port" ] && break
        kill -0 "$server" 2>/dev/null || { cat "$work/$1.log"; exit 1; }
        sleep 0.1
    done
    local port; port=$(cat "$work/port")
    curl -s -H "X-Request-Id: probe-$1" "http://127.0.0.1:$port/v1/streams/campaign-nowhere" > "$work/$1.body"
    curl -s -H "X-Request-Id: refused-$1" -H 'Host: evil.example' "http://127.0.0.1:$port/v1/projections" > /dev/null
    kill -TERM "$server"
    wait "$server"
    server=
    grep -q "\"request_id\":\"probe-$1\"" "$work/$1.body" || { echo "no request id in the error body"; cat "$work/$1.body"; exit 1; }
}
server_binary=$1
run text
grep -E "access method=GET path=/v1/streams/campaign-nowhere status=404 .*request_id=probe-text$" "$work/text.log"
grep -E "access refused status=[0-9]+ request_id=refused-text$" "$work/text.log"
run json
node -e '
const lines = require("fs").readFileSync(process.argv[1], "utf8").split("\n").filter(l => l.length);
const entries = lines.map(l => JSON.parse(l));
for (const id of ["probe-json", "refused-json"]) {
    const line = entries.find(e => e.request_id === id);
    if (!line) throw new Error(`no line with request_id ${id}`);
    if (!line.message.startsWith("access ") || !line.message.endsWith(`request_id=${id}`)) {
        throw new Error(`not an access line: ${JSON.stringify(line)}`);
    }
    console.log(JSON.stringify(line));
}
if (entries.some(e => e.message.startsWith("listening") && "request_id" in e)) throw new Error("a request id outside a request");
' "$work/json.log"
echo "ok"
