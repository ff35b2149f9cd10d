#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# Cards that offer PACE with Integrated Mapping only (--pace-mapping im,
# id-PACE-DH-IM-AES-CBC-CMAC-128) or Chip Authentication Mapping only
# (--pace-mapping cam, id-PACE-ECDH-CAM-AES-CBC-CMAC-128) and npa-tool:
# npa-tool cannot run either, and this test pins why, as docs/npa.md says.
# OpenSC's perform_pace (src/sm/sm-eac.c) parses EF.CardAccess with
# OpenPACE's EAC_CTX_init_ef_cardaccess in its default TR-03110 v2.02 mode
# before it applies npa-tool's --tr-03110v201: OpenPACE refuses an IM
# PACEInfo in that mode (pace_lib.c, PACE_CTX_set_protocol) and skips a CAM
# PACEInfo, whose OID it does not know, so no PACE context is left; either
# way npa-tool stops with "Could not parse EF.CardAccess" and sends no
# MSE:Set AT, with and without that option. The cards run IM and CAM with
# the project's OpenPACE terminal (unit.cardtype_npa_terminal); with the
# default GM the same npa-tool runs PACE (integration.npa_tool). Should
# npa-tool learn IM or CAM, this test fails and a PACE step belongs here.
. "$(dirname "$0")/driver_lib.sh"

drv_npa_tool
sc_enter_namespaces "$@"
drv_require

drv_conf vpcd /dev/null:0x8C7B
drv_start_pcscd
for mapping in im cam; do
    sc_start_card -t nPA -vv --pace-mapping "$mapping"
    sc_wait_card "Virtual PCD 00 00" present
    for opt in "" --tr-03110v201; do
        LOG=$SC_TMP/npa-$mapping${opt}.log
        # shellcheck disable=SC2086 # an optional option
        if timeout 60 "$NPA_TOOL" -r 0 -vvv --pin=111111 $opt >"$LOG" 2>&1; then
            sc_fail "npa-tool $opt ran PACE with $mapping: add a step (${LOG##*/})"
        fi
        grep -q "Could not parse EF.CardAccess" "$LOG" ||
            sc_fail "npa-tool $opt failed for another reason (${LOG##*/})"
        ! grep -q "00 22 C1 A4" "$LOG" ||
            sc_fail "npa-tool $opt sent MSE:Set AT (${LOG##*/})"
        sc_log "ok: npa-tool $opt refuses the $mapping-only EF.CardAccess"
    done
    kill "$SC_CARD_PID"
    wait "$SC_CARD_PID" 2>/dev/null || true
    sc_wait_card "Virtual PCD 00 00" absent
done
