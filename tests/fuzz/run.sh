#!/usr/bin/env bash
# Builds the libFuzzer harnesses with clang (ASan+UBSan) in their own build tree and runs each
# for SECONDS (default 60) on its corpus in tests/fuzz/corpus/<harness>/. New interesting inputs
# go to a scratch directory, not the checked-in corpus; a crash stops the run with status 1 and
# leaves the input in the build tree (add it to the corpus once fixed).
#   usage: tests/fuzz/run.sh [SECONDS]      LEDGER_FUZZ_BUILD_DIR=DIR (default build-fuzz/)
set -euo pipefail
seconds=${1:-60}
root=$(cd "$(dirname "$0")/../.." && pwd)
build=${LEDGER_FUZZ_BUILD_DIR:-$root/build-fuzz}
export CCACHE_DIR=${CCACHE_DIR:-$HOME/.cache/recruitment-ledger-ccache}

CC=clang-14 CXX=clang++-14 cmake -S "$root" -B "$build" -DCMAKE_BUILD_TYPE=RelWithDebInfo \
    -DLEDGER_FUZZ=ON -DLEDGER_BUILD_TESTS=OFF -DLEDGER_WERROR=ON
cmake --build "$build" -j"$(nproc)" --target fuzz_http_handler fuzz_event_codec

export LSAN_OPTIONS="suppressions=$root/tests/fuzz/lsan.supp${LSAN_OPTIONS:+:$LSAN_OPTIONS}"
for harness in http_handler event_codec; do
    scratch="$build/corpus-$harness"
    mkdir -p "$scratch"
    echo "fuzz: $harness for ${seconds}s"
    if ! (cd "$build" && "./tests/fuzz/fuzz_$harness" -max_total_time="$seconds" -max_len=65536 \
        -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 \
        "$scratch" "$root/tests/fuzz/corpus/$harness"); then
        # LEDGER_FUZZ_REPORT_ONLY=1 (CI): a *new* finding of this random exploration is reported
        # loudly but does not fail the run; known inputs are a hard gate through the test
        # suite's corpus replay. Otherwise a finding fails the script.
        echo "fuzz: NEW FINDING in $harness: crash-* input in $build; add it to tests/fuzz/corpus/$harness and fix it"
        if [ "${LEDGER_FUZZ_REPORT_ONLY:-0}" != 1 ]; then exit 1; fi
    fi
done
