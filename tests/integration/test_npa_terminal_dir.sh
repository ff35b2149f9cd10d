#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# The two commands docs/npa.md promises: personalise an nPA image with
# --terminal-dir (the card makes its own CVCA, DV and authentication
# terminal with OpenPACE and writes them with npa-tool's options), run it,
# and let npa-tool do the full EAC run (PACE, TA, CA, DG1-DG21 read) with
# nothing but the generated files: no scripts/npa-test-pki.sh, no
# cvc-create. npa-tool's -vvv log is read (it exits 0 when reads fail).
. "$(dirname "$0")/driver_lib.sh"

drv_npa_tool
sc_enter_namespaces "$@"
drv_require

T=$SC_TMP/card.json.terminal
"$SC_BIN" --init nPA -f "$SC_TMP/card.json" --terminal-dir "$T" \
    >>"$SC_TMP/softcard.log" 2>&1 || sc_fail "--init nPA --terminal-dir"
for f in cvca.cvcert dv.cvcert at.cvcert at.pkcs8 cvc/ZZSOFTCVCA00001 \
    npa-tool.args README.txt; do
    [ -s "$T/$f" ] || sc_fail "$f not written"
done
grep -q "npa-tool" "$T/README.txt" || sc_fail "README.txt has no npa-tool line"
sc_log "ok: the terminal's files were written next to the image"

drv_conf vpcd /dev/null:0x8C7B
drv_start_pcscd
sc_start_card -f "$SC_TMP/card.json" -vv
sc_wait_card "Virtual PCD 00 00" present

LOG=$SC_TMP/npa-tdir.log
# shellcheck disable=SC2046 # the file holds npa-tool's options
timeout 120 "$NPA_TOOL" -r 0 -vvv $(cat "$T/npa-tool.args") >"$LOG" 2>&1 ||
    sc_fail "npa-tool failed (see npa-tdir.log)"
grep -q "Performed Terminal Authentication" "$LOG" ||
    sc_fail "no Terminal Authentication (see npa-tdir.log)"
grep -q "Performed Chip Authentication" "$LOG" ||
    sc_fail "no Chip Authentication (see npa-tdir.log)"
sc_log "ok: TA with the generated PKI, CA"
grep -q "^Read 64 07 0C 05 45 52 49 4B 41" "$LOG" || sc_fail "DG4 (ERIKA) not read"
for n in 01 02 03 04 05 06 07 08 09 10 11 13 17 18 19 20; do
    if grep -q "Could not read DG $n" "$LOG"; then
        sc_fail "DG$n not read (npa-tdir.log)"
    fi
done
sc_log "ok: DG1-DG11, DG13, DG17-DG20 read with the generated terminal"
