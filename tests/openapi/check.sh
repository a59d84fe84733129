#!/bin/sh
# ctest openapi_document_is_valid: the document `recruit-ledger openapi` prints passes
# @apidevtools/swagger-parser (pinned in package-lock.json; CI runs `npm ci` here first).
# usage: check.sh RECRUIT_LEDGER OUT_FILE. Exit 77 (skipped) without node or the validator.
set -eu
here=$(dirname "$0")
if ! command -v node >/dev/null 2>&1; then
    echo "SKIP: node is not installed (tools/install-deps.sh installs nodejs)"
    exit 77
fi
if [ ! -d "$here/node_modules/@apidevtools/swagger-parser" ]; then
    echo "SKIP: run 'npm ci --prefix tests/openapi' to install the pinned validator"
    exit 77
fi
"$1" openapi > "$2"
exec node "$here/validate.mjs" "$2"
