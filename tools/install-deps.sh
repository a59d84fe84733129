#!/usr/bin/env bash
# Installs every Debian 12 package Recruitment Ledger needs to build, test and benchmark.
# The README's quick-start commands and .ci/run both call this script, so the list lives here only.
set -euo pipefail

packages=(
    # toolchain
    g++ cmake make ccache pkg-config git
    # libraries (SPEC "Fixed choices")
    libboost1.81-dev libboost-json1.81-dev libboost-url1.81-dev
    liblmdb-dev libcereal-dev libspdlog-dev libssl-dev
    # the log's values are compressed with zstd and a dictionary (docs/storage.md)
    libzstd-dev
    catch2
    # libFuzzer harnesses (tests/fuzz): clang 14 and its sanitizer runtimes
    clang libclang-rt-14-dev
    # end-to-end tests and benchmarks talk HTTP from the outside
    curl wrk
    # mdb_stat: run-all.sh reports how much of a served data.mdb the read models take
    lmdb-utils
    # packaging (tools/package.sh): sd_notify, man pages, package checks, unit checks
    libsystemd-dev help2man lintian dpkg-dev fakeroot file systemd
    # the dashboard's browser test (tests/browser/): headless Chromium driven by Selenium;
    # the page's npm files are vendored (docs/dashboard.md), so building needs no node or npm
    chromium chromium-driver python3-selenium
    # replication (docs/replication.md): the JetStream C client, and nats-server for its tests
    nats-server libnats-dev
    # the audit tests check signatures with a third-party Ed25519 implementation
    python3-cryptography
    # a test case that hangs prints every thread's stack before ctest's timeout
    # (tests/support/hang_watchdog.cpp)
    gdb
)

if [ "$(id -u)" -ne 0 ]; then
    sudo=sudo
else
    sudo=
fi

export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -q
# node runs the pinned OpenAPI validator (npm ci --prefix tests/openapi). Debian's nodejs and npm
# come only where no npm is installed yet: a machine with another node build (e.g. one that
# bundles npm) would refuse Debian's npm as a conflict, and any node 18+ with npm will do.
if ! command -v npm >/dev/null; then
    packages+=(nodejs npm)
fi
$sudo apt-get install -y -q --no-install-recommends "${packages[@]}"
