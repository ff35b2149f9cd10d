#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# npa-tool's full EAC run over DH: the card lists PACE with DH Generic
# Mapping (1024-bit MODP, parameter ID 0) first in EF.CardAccess
# (--pace-dh-first), npa-tool takes the first PACEInfo, so PACE, the TA
# signature over the compressed DH key and CA (ECDH, key 0x41) run after a
# DH PACE. The terminal PKI is the card's own (--terminal-dir). npa-tool's
# -vvv log is read: the PACE OID it used, TA, CA, the data groups.
. "$(dirname "$0")/driver_lib.sh"

drv_npa_tool
sc_enter_namespaces "$@"
drv_require

T=$SC_TMP/terminal
drv_conf vpcd /dev/null:0x8C7B
drv_start_pcscd
sc_start_card -t nPA -vv --pace-dh-first --terminal-dir "$T"
sc_wait_card "Virtual PCD 00 00" present

LOG=$SC_TMP/npa-dh.log
# shellcheck disable=SC2046 # the file holds npa-tool's options
timeout 120 "$NPA_TOOL" -r 0 -vvv $(cat "$T/npa-tool.args") \
    --write-dg17=0107 >"$LOG" 2>&1 || sc_fail "npa-tool failed (see npa-dh.log)"
grep -Eq "Established PACE channel" "$LOG" || sc_fail "no PACE (npa-dh.log)"
# MSE:Set AT of PACE names id-PACE-DH-GM-AES-CBC-CMAC-128 (npa-tool's hex
# dump: 00 22 C1 A4 .. 80 0A 04 00 7F 00 07 02 02 04 01 02)
grep -q "00 22 C1 A4 .. 80 0A 04 00 7F 00 07 02 02 04 01" "$LOG" ||
    sc_fail "PACE did not use DH (npa-dh.log)"
sc_log "ok: PACE with DH Generic Mapping"
grep -q "Performed Terminal Authentication" "$LOG" || sc_fail "no TA (npa-dh.log)"
grep -q "Performed Chip Authentication" "$LOG" || sc_fail "no CA (npa-dh.log)"
sc_log "ok: TA and CA after DH PACE"
grep -q "^Read 64 07 0C 05 45 52 49 4B 41" "$LOG" || sc_fail "DG4 (ERIKA) not read"
for n in 01 02 03 04 05 06 07 08 09 10 11 13 17 18 19 20; do
    if grep -q "Could not read DG $n" "$LOG"; then
        sc_fail "DG$n not read (npa-dh.log)"
    fi
done
sc_log "ok: DG1-DG11, DG13, DG17-DG20 read over DH"
