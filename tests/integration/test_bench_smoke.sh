#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# The benchmarks still run: bench/run --smoke against this build (every
# benchmark program once, with tiny sizes, in bench/run's own private
# namespaces) prints its tables. Functional only: no number is checked,
# because benchmarks are never timed assertions (see bench/README.md).
set -euo pipefail

SRC=${SOFTCARD_SOURCE_DIR:-$(cd "$(dirname "$0")/../.." && pwd)}
BUILD=${SOFTCARD_BUILD_DIR:?SOFTCARD_BUILD_DIR must point at the build}
log() { printf '[bench_smoke] %s\n' "$*"; }

if [ "$(id -u)" -ne 0 ]; then
    echo "integration tests need root (network and mount namespaces)" >&2
    exit 1
fi
for p in echo_card engine_bench pcsc_bench pcsc_bench_sm scio_bench \
         startup_bench; do
    if [ ! -x "$BUILD/bench/$p" ]; then
        log "SKIPPED: $BUILD/bench/$p was not built"
        exit 0
    fi
done

out=$(mktemp)
err=$(mktemp)
trap 'rm -f "$out" "$err"' EXIT
if ! "$SRC/bench/run" --no-build -B "$BUILD" --smoke \
        -W select-mf,sm-read-128,sm-read-128-aes >"$out" 2>"$err"; then
    cat "$out" "$err"
    log "FAIL: bench/run --smoke failed"
    exit 1
fi

expect() { # PATTERN WHAT
    grep -qF -- "$1" "$out" || {
        cat "$out" "$err"
        log "FAIL: no $2 in the report (\"$1\")"
        exit 1
    }
}
for c in softcard/vpcd echo/vpcd softcard/ifd echo/ifd softcard/direct \
         echo/direct; do
    expect "| select-mf | $c | " "select-mf row for $c"
done
for c in epass/vpcd epass/ifd; do
    expect "| sm-read-128 | $c | " "SM row for $c"
done
for c in npa/vpcd npa/ifd; do
    expect "| sm-read-128-aes | $c | " "AES SM row for $c"
done
expect "| iso7816 | select-mf | " "engine row"
expect "ms per BAC on the card side" "BAC figure"
expect "| softcard/vpcd process, after the round trips | " "RSS row"
expect "| softcard iso7816 / softcard ifd | " "start-up row"
expect "### Targets" "targets table"
expect "| ePass | default | " "image load row"
expect "| ePass | aa-algorithm=rsa | " "image load row with an RSA AA key"
if grep -q "vicc/vpcd was not measured" "$out"; then
    log "note: $(grep "vicc/vpcd was not measured" "$out")"
else
    expect "| select-mf | vicc/vpcd | " "vicc row"
fi
log "ok: bench/run --smoke printed every table"
