#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# Fault campaign: hostile card peers (hostile_peer.py) against softcard's
# pcscd driver, and against softcard's reversed mode. pcscd loads the
# driver with two readers: reader 00 (normal mode, slot 00 00 hostile,
# slot 00 01 a working iso7816 card) and reader 01 (reversed mode: the
# driver dials a hostile peer that listens). Each peer mode in turn
# (oversized and zero lengths, a truncated frame then silence, a byte a
# second, a flood of 64 KiB frames, a close right after the ATR, 64
# connections at once) runs for SECONDS against slot 00 00 and then
# against reader 01, while probe_reader.py keeps checking the working card:
# every round (connect, GET CHALLENGE, disconnect) must succeed within
# 2000 ms. Afterwards pcscd must be alive with no sanitizer report and
# slot 00 00 must take a working card. Then the same peers (as the vpcd
# side) and one that floods extended GET CHALLENGEs without reading connect
# to `softcard -R`, which must stay alive and serve a working client after
# each (its RSS must stay within 32 MiB of its size after the first peer). Quick version (./check, label stress): 1 s per
# mode and target. Full version by hand (docs/reliability.md):
#     SOFTCARD_BIN=... SOFTCARD_DRIVER=... tests/stress/test_hostile_peers.sh 30
. "$(dirname "$0")/../integration/driver_lib.sh"
sc_enter_namespaces "$@"
drv_require
secs=${1:-1}
MODES="oversized zero truncated slow flood close many"
PEER="$SC_SRC/tests/stress/hostile_peer.py"
drv_conf vpcd '"/dev/null:0x8C7B,timeout=1500,atr_timeout=400"'
drv_conf vpcd-reversed '"127.0.0.1:35970,slots=1,timeout=1500,atr_timeout=400"'
SOFTCARD_DRIVER_LOG=error drv_start_pcscd
sc_start_card -P 35964
sc_wait_card "Virtual PCD 00 01" present

# hostile MODE PORT [--listen]: run a peer for $secs s while probing.
hostile() {
    local mode=$1 port=$2 listen=${3:-} out
    "$SC_PY" "$PEER" "$mode" "$port" ${listen:+"$listen"} --seconds "$secs" \
        >>"$SC_TMP/hostile.log" 2>&1 &
    local pid=$!
    SC_PIDS+=("$pid")
    out=$("$SC_PY" "$SC_SRC/tests/stress/probe_reader.py" \
          "Virtual PCD 00 01" "$secs" 2000) ||
        sc_fail "$mode ${listen:-normal}: $out"
    wait "$pid" || sc_fail "hostile peer $mode failed"
    kill -0 "$SC_PCSCD_PID" 2>/dev/null || sc_fail "pcscd died ($mode)"
    sc_log "[${SECONDS}s] driver, $mode${listen:+ (reversed)}: the other reader: $out"
}
for mode in $MODES; do
    hostile "$mode" 35963
    hostile "$mode" 35970 --listen
done
drv_check_pcscd_log
sc_start_card -P 35963
sc_wait_card "Virtual PCD 00 00" present
drv_check apdu "Virtual PCD 00 00" 0084000008 9000
sc_log "ok: pcscd alive, slot 00 00 takes a working card after the peers"

# softcard -R: the peers connect to it as a hostile vpcd.
rev=35980
sc_start_card -R -P "$rev"
card=$SC_CARD_PID
for mode in $MODES flood-apdu; do
    t=$secs # flood-apdu: 1 s (before the output high-water mark it grew
            # softcard to 125 MB in 1 s and the memory stayed)
    [ "$mode" = flood-apdu ] && t=1
    "$SC_PY" "$PEER" "$mode" "$rev" --seconds "$t" \
        >>"$SC_TMP/hostile.log" 2>&1 || sc_fail "hostile peer $mode"
    kill -0 "$card" 2>/dev/null || sc_fail "softcard -R died ($mode)"
    rss=$(awk '/^VmRSS/ {print $2}' "/proc/$card/status")
    base=${base:-$rss}
    # a peer that writes and never reads must not make answers queue: RSS
    # stays within 32 MiB of what it was after the first peer
    [ "$rss" -le $((base + 32768)) ] ||
        sc_fail "softcard -R grew to $rss KiB after $mode (from $base KiB)"
    out=$("$SC_PY" - "$rev" <<'PY'
import socket, struct, sys, time
end = time.monotonic() + 10
while True:
    try:
        s = socket.create_connection(("127.0.0.1", int(sys.argv[1])), timeout=5)
        break
    except OSError:
        if time.monotonic() > end:
            raise
        time.sleep(0.05)
s.sendall(b"\x00\x01\x01" + b"\x00\x05\x00\x84\x00\x00\x08")
b = b""
while len(b) < 2 or len(b) < 2 + struct.unpack(">H", b[:2])[0]:
    c = s.recv(4096)
    if not c:
        sys.exit("closed")
    b += c
print(b[2:].hex()[-4:].upper())
PY
    ) || sc_fail "softcard -R does not serve after $mode: $out"
    [ "$out" = 9000 ] || sc_fail "softcard -R after $mode: SW $out"
    sc_log "[${SECONDS}s] softcard -R, $mode: alive, serves the next client (RSS $rss KiB)"
done
grep -Eq "ERROR: AddressSanitizer|runtime error:" "$SC_TMP/softcard.log" &&
    sc_fail "sanitizer report in the softcard log"
sc_log "ok: hostile peers"
