#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# The Unix-domain socket transport ("unix:PATH", docs/driver.md,
# "Transports"): softcard connecting to the project's driver in pcscd
# (DEVICENAME unix:PATH, slot n on PATH.n) and to scio's direct backend;
# softcard listening on a socket (reversed mode) for scio and for the driver
# (mode=connect); socket files of mode 0660, created before listen(), and a
# stale socket file replaced.
. "$(dirname "$0")/driver_lib.sh"
drv_require
sc_enter_namespaces "$@"
SCIO=${SCIO_BIN:?SCIO_BIN must point at the scio binary}

dir=$SC_TMP/run
mkdir -m 0750 "$dir"

# ---- the driver listens, softcard connects ------------------------------
drv_conf softcard "\"unix:$dir/ifd,slots=2\""
drv_start_pcscd
for i in $(seq 100); do [ -S "$dir/ifd.1" ] && break; sleep 0.05; done
sc_expect_eq "driver socket mode" "$(stat -c %a "$dir/ifd.0")" 660
sc_start_card -vv -H "unix:$dir/ifd" -n 2 -t iso7816 -t handler_test
sc_wait_card "Virtual PCD 00 00" present
sc_wait_card "Virtual PCD 00 01" present
out=$(sc_apdus 00A4000C023F00)
sc_expect_match "APDU through pcscd over a Unix socket" "$out" "^9000"
kill "$SC_CARD_PID"
wait "$SC_CARD_PID" 2>/dev/null || true
sc_wait_card "Virtual PCD 00 00" absent

# ---- scio's direct backend listens, softcard connects --------------------
python3 -c 'import socket,sys; s=socket.socket(socket.AF_UNIX); s.bind(sys.argv[1])' \
    "$dir/scio.0" # a stale socket nobody listens on
"$SC_BIN" -vv -H "unix:$dir/scio" >>"$SC_TMP/direct.log" 2>&1 &
SC_PIDS+=("$!")
out=$("$SCIO" -b direct --slot "unix:$dir/scio.0" -t 10 -r 0 send 00A4000C023F00)
sc_expect_match "direct backend over a Unix socket (card connects)" "$out" \
    "^< 90 00 : "

# ---- softcard listens (reversed), scio and the driver connect -------------
"$SC_BIN" -vv -R --bind "unix:$dir/card" -n 2 -t handler_test \
    >>"$SC_TMP/reversed.log" 2>&1 &
SC_PIDS+=("$!")
for i in $(seq 100); do [ -S "$dir/card.1" ] && break; sleep 0.05; done
sc_expect_eq "card socket mode" "$(stat -c %a "$dir/card.0")" 660
out=$("$SCIO" -b direct --slot "reversed:unix:$dir/card.0" -t 10 -r 0 wait)
sc_expect_match "direct backend over a Unix socket (scio connects)" "$out" \
    "^Virtual PCD 00 00: 3B D6 18 00"
sc_stop_pcscd
rm -f "$SC_TMP/reader.conf.d/softcard"
drv_conf softcard "\"unix:$dir/card,slots=2,mode=connect\""
drv_start_pcscd
sc_wait_card "Virtual PCD 00 01" present
sc_log "ok: the driver connects to a card listening on a Unix socket"
