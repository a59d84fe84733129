#!/usr/bin/env bash
# Installs the Debian packages, builds, loads a demo ledger (once) and runs the server on the
# embedded LMDB at http://127.0.0.1:8080. This is the README's first quick-start command.
#   LEDGER_SKIP_INSTALL=1   skip apt (dependencies already installed)
#   LEDGER_DATA=DIR         data directory (default: data/ in the checkout)
#   LEDGER_DEMO_EVENTS=N    size of the demo ledger (default 20000)
#   LEDGER_LISTEN=HOST:PORT where to listen (default 127.0.0.1:8080)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build=${LEDGER_BUILD_DIR:-$root/build}
data=${LEDGER_DATA:-$root/data}

if [ "${LEDGER_SKIP_INSTALL:-0}" != 1 ]; then
    "$root/tools/install-deps.sh"
fi
export CCACHE_DIR=${CCACHE_DIR:-$HOME/.cache/recruitment-ledger-ccache}
cmake -S "$root" -B "$build" -DCMAKE_BUILD_TYPE=RelWithDebInfo
cmake --build "$build" -j"$(nproc)" --target recruit-ledgerd recruit-ledger

if [ ! -e "$data/data.mdb" ]; then
    echo "Loading a demo ledger of ${LEDGER_DEMO_EVENTS:-20000} events into $data ..."
    "$build/tools/recruit-ledger" demo --data "$data" --events "${LEDGER_DEMO_EVENTS:-20000}" --seed 42
fi
echo "Serving $data: open the dashboard at http://${LEDGER_LISTEN:-127.0.0.1:8080}/ (Ctrl-C stops it)"
exec "$build/src/http/recruit-ledgerd" --data "$data" --listen "${LEDGER_LISTEN:-127.0.0.1:8080}"
