#!/usr/bin/env bash
# ctest server_logs_json_lines: `recruit-ledgerd --log-format json` writes one JSON object a
# line (time, level, logger, message) from start to a SIGTERM shutdown, a message with quotes
# included. usage: check_json_log.sh RECRUIT_LEDGERD. Exit 77 (skipped) without node.
set -euo pipefail
command -v node >/dev/null || { echo "SKIP: node parses the lines and is not installed"; exit 77; }
work=$(mktemp -d)
server=
cleanup() {
    if [ -n "$server" ]; then kill "$server" 2>/dev/null || true; fi
    rm -rf "$work"
}
trap cleanup EXIT
"$1" --data "$work/data \"quoted\"" --listen 127.0.0.1:0 --port-file "$work/port" --log-format json \
    2> "$work/log" &
server=$!
for _ in $(seq 1 100); do
    [ -s "$work/port" ] && break
    kill -0 "$server" 2>/dev/null || { cat "$work/log"; exit 1; }
    sleep 0.1
done
kill -TERM "$server"
wait "$server"
server=
cat "$work/log"
node -e '
const lines = require("fs").readFileSync(process.argv[1], "utf8").split("\n").filter(l => l.length);
if (lines.length < 3) throw new Error(`only ${lines.length} lines`);
for (const line of lines) {
    const entry = JSON.parse(line);
    for (const key of ["time", "level", "logger", "message"]) {
        if (typeof entry[key] !== "string") throw new Error(`no ${key} in ${line}`);
    }
}
if (!lines.some(l => JSON.parse(l).message.includes("\"quoted\""))) throw new Error("the quoted path is missing");
console.log(`${lines.length} JSON lines`);
' "$work/log"
