#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# A card that offers PACE with Integrated Mapping only (--pace-mapping im,
# id-PACE-DH-IM-AES-CBC-CMAC-128) and npa-tool: npa-tool cannot run it, and
# this test pins why, as docs/npa.md says. OpenSC's perform_pace
# (src/sm/sm-eac.c) parses EF.CardAccess with EAC_CTX_init_ef_cardaccess in
# OpenPACE's default TR-03110 v2.02 mode, in which OpenPACE refuses an IM
# PACEInfo (pace_lib.c: PACE_CTX_set_protocol), before it applies
# npa-tool's --tr-03110v201; so npa-tool stops with "Could not parse
# EF.CardAccess" without sending MSE:Set AT, with and without that option.
# The card itself runs IM with the project's OpenPACE terminal
# (unit.cardtype_npa_terminal); with the default GM the same npa-tool runs
# PACE (integration.npa_tool). Should npa-tool learn IM, this test fails
# and an IM step belongs here instead.
. "$(dirname "$0")/driver_lib.sh"

if [ -z "${SC_IN_NAMESPACE:-}" ]; then
    NPA_TOOL=$("$SC_SRC/scripts/build-npa-tool.sh") ||
        { echo "[test_npa_im] FAIL: npa-tool could not be built" >&2; exit 1; }
    export NPA_TOOL
fi
sc_enter_namespaces "$@"
drv_require

drv_conf vpcd /dev/null:0x8C7B
drv_start_pcscd
sc_start_card -t nPA -vv --pace-mapping im
sc_wait_card "Virtual PCD 00 00" present

for opt in "" --tr-03110v201; do
    LOG=$SC_TMP/npa-im${opt}.log
    # shellcheck disable=SC2086 # an optional option
    if timeout 60 "$NPA_TOOL" -r 0 -vvv --pin=111111 $opt >"$LOG" 2>&1; then
        sc_fail "npa-tool $opt ran PACE with IM: add an IM step (${LOG##*/})"
    fi
    grep -q "Could not parse EF.CardAccess" "$LOG" ||
        sc_fail "npa-tool $opt failed for another reason (${LOG##*/})"
    ! grep -q "00 22 C1 A4" "$LOG" ||
        sc_fail "npa-tool $opt sent MSE:Set AT (${LOG##*/})"
    sc_log "ok: npa-tool $opt refuses the IM-only EF.CardAccess"
done
