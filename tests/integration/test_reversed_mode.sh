#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# Reversed mode end to end with the real binary: softcard listens (on
# 127.0.0.1 by default), prints the vicc:// URL and a QR code, and a vpcd
# peer (a small Python client speaking the wire protocol) connects, reads the
# ATR, powers the card and exchanges APDUs, including split and coalesced
# frames. No pcscd is involved.
. "$(dirname "$0")/lib.sh"
sc_enter_namespaces "$@"
sc_start_card -R -P 35990 -vv
for i in $(seq 100); do
    grep -q "vicc://" "$SC_TMP/softcard.log" 2>/dev/null && break
    sleep 0.05
done
log=$(cat "$SC_TMP/softcard.log")
sc_expect_match "URL printed" "$log" "vicc://127\.0\.0\.1:35990"
ss -ltn | grep -q "127.0.0.1:35990" || sc_fail "not listening on 127.0.0.1:35990"
ss -ltn | grep -q "0.0.0.0:35990" && sc_fail "listening on every interface"
sc_log "ok: bound to loopback only"
"$SC_PY" "$SC_HERE/vpcd_peer.py" 127.0.0.1 35990 || sc_fail "vpcd peer checks"
sc_log "ok: vpcd peer exchange"
# and again: the card accepts the next vpcd connection
"$SC_PY" "$SC_HERE/vpcd_peer.py" 127.0.0.1 35990 || sc_fail "second connection"
sc_log "ok: second vpcd connection"
