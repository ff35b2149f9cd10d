#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# By hand, not in ./check: the hostile peers of test_hostile_peers.sh
# against libscio's direct backend. `scio -b direct` plays the vpcd reader
# with two slots (35963, 35964) and runs an APDU script (GET CHALLENGE,
# 9000 expected, SECONDS x 1000 times) on the working card in slot 00 01,
# while each hostile peer mode in turn connects to slot 00 00 for SECONDS.
# Prints, per mode, how long the script took and whether it passed: no mode
# should stand out (a silent or slow card's ATR no longer holds the
# backend's I/O thread); figures in docs/reliability.md.
#     SOFTCARD_BIN=build/rel/softcard SCIO_BIN=build/rel/lib/scio/scio \
#         tests/stress/scio_hostile.sh 5
. "$(dirname "$0")/../integration/lib.sh"
sc_enter_namespaces "$@"
secs=${1:-5}
SCIO=${SCIO_BIN:?SCIO_BIN must point at the scio command}
[ -x "$SCIO" ] || sc_fail "no scio command at $SCIO"
PEER="$SC_SRC/tests/stress/hostile_peer.py"
script="$SC_TMP/apdus"
for _ in $(seq $((secs * 1000))); do echo "0084000008 = * 9000"; done >"$script"
status=0
for mode in oversized zero truncated slow flood close many; do
    rm -f "$SC_TMP/ready"
    "$SC_PY" "$PEER" "$mode" 35963 --seconds "$secs" \
        >>"$SC_TMP/hostile.log" 2>&1 &
    peer=$!
    SC_PIDS+=("$peer")
    sc_start_card -P 35964
    t0=$(date +%s%3N)
    if "$SCIO" -b direct --slot 35963 --slot 35964 -r "00 01" -t 10 \
            script "$script" >>"$SC_TMP/scio.log" 2>&1; then
        res=ok
    else
        res="FAILED (exit $?)"
        status=1
    fi
    sc_log "scio direct, $mode on slot 00 00: $((secs * 1000)) APDUs on" \
           "slot 00 01 in $(($(date +%s%3N) - t0)) ms: $res"
    kill "$SC_CARD_PID" 2>/dev/null || true
    wait "$SC_CARD_PID" 2>/dev/null || true
    wait "$peer" 2>/dev/null || true
done
exit "$status"
