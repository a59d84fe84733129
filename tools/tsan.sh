#!/usr/bin/env bash
# Builds the test program under ThreadSanitizer in its own tree and runs the tests whose code
# runs on several threads (the runner, the as-of pipeline, the checkpoints, the release
# thread) a few times over, each test case as its own process as ctest runs it, so that the
# exit path (static destruction while threads live) is exercised too. Not part of .ci/run:
# the TSan build alone takes longer than CI's budget leaves (docs/reliability.md).
#   tools/tsan.sh [ROUNDS] [TEST-SPEC...]   default: 3 rounds of [runner],[checkpoints],[pipeline]
#   LEDGER_TSAN_DIR=DIR                      build tree (default: build-tsan/ in the checkout)
# Any data race, lock-order inversion or failed assertion stops the run with a non-zero status.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build=${LEDGER_TSAN_DIR:-$root/build-tsan}
rounds=${1:-3}
shift || true
specs=("$@")
[ ${#specs[@]} -gt 0 ] || specs=("[runner],[checkpoints],[pipeline]")

# -Wno-error=tsan: GCC warns that the fences in Boost.Asio's handlers are not instrumented
# (TSan may then report races inside Asio; the tests below do not run the HTTP server).
export CCACHE_DIR=${CCACHE_DIR:-$HOME/.cache/recruitment-ledger-ccache}
export CCACHE_BASEDIR=$root CCACHE_NOHASHDIR=1
cmake -S "$root" -B "$build" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DLEDGER_WERROR=ON -DLEDGER_BUILD_TESTS=ON \
    -DLEDGER_BUILD_BENCH=OFF "-DCMAKE_CXX_FLAGS=-fsanitize=thread -fno-omit-frame-pointer -Wno-error=tsan" \
    -DCMAKE_EXE_LINKER_FLAGS=-fsanitize=thread -DCMAKE_SHARED_LINKER_FLAGS=-fsanitize=thread >/dev/null
cmake --build "$build" -j"$(nproc)" --target ledger_tests

tests=$build/tests/ledger_tests
# detect_deadlocks=0: TSan reports the keeper's mutex taken around read transactions while the
# writer, inside its write transaction, takes that mutex in the hook: both hold the map's resize
# lock shared, which is no deadlock (docs/reliability.md); it would stop every runner test.
export TSAN_OPTIONS="halt_on_error=1 detect_deadlocks=0 ${TSAN_OPTIONS:-}"
names=()
for spec in "${specs[@]}"; do
    while IFS= read -r name; do names+=("$name"); done < <("$tests" "$spec" --list-test-names-only | sed '/^$/d')
done
for ((round = 1; round <= rounds; ++round)); do
    for name in "${names[@]}"; do
        # Catch2 reads ',' and '[' in a name as syntax: escape them as catch_discover_tests does.
        escaped=${name//\\/\\\\}
        escaped=${escaped//,/\\,}
        escaped=${escaped//[/\\[}
        if ! "$tests" "$escaped" >/dev/null 2>"$build/tsan-last.log"; then
            echo "tsan: round $round: FAILED: $name (see $build/tsan-last.log)" >&2
            tail -n 60 "$build/tsan-last.log" >&2
            exit 1
        fi
    done
    echo "tsan: round $round: ${#names[@]} test cases passed"
done
