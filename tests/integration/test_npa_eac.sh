#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# The full EAC run of npa-tool against softcard's nPA through a private
# pcscd and softcard's own reader driver: PACE with the PIN, Terminal
# Authentication with a test PKI made here (scripts/npa-test-pki.sh, with
# OpenPACE's cvc-create), Chip Authentication, then DG1-DG21 read and
# DG17-DG20 written (and read back) under the CA keys. A second run with a terminal that
# may read DG1 only must read DG1 and be refused DG4 (6982).
#
# npa-tool exits 0 even when reads fail, so its -vvv log is read: "Read
# DGn" lines and the data it prints, and the status words of refusals.
# --disable-ca-checks: npa-tool would otherwise verify EF.CardSecurity's
# signature against a CSCA it does not have.
. "$(dirname "$0")/driver_lib.sh"

drv_npa_tool
sc_enter_namespaces "$@"
drv_require

PKI=$SC_TMP/pki
"$SC_SRC/scripts/npa-test-pki.sh" "$PKI" || sc_fail "cannot make the test PKI"
"$SC_SRC/scripts/npa-test-pki.sh" "$SC_TMP/pki1" --read-dg1 ||
    sc_fail "cannot make the DG1-only test PKI"
# both terminals must chain to one CVCA: re-issue the DG1-only one from PKI
cvc-create --role=terminal --chr=ZZSOFTTERM00002 --expires="$(date -d +365days +%y%m%d)" \
    --sign-with="$PKI/dv.pkcs8" --sign-as="$PKI/dv.cvcert" --scheme=ECDSA_SHA_256 \
    --read-dg1 --out-cert="$SC_TMP/pki1/at.cvcert" --out-key="$SC_TMP/pki1/at.pkcs8" \
    >/dev/null || sc_fail "cannot issue the DG1-only terminal"

drv_conf vpcd /dev/null:0x8C7B
drv_start_pcscd
sc_start_card -t nPA -vv --cvca "$PKI/cvca.cvcert"
sc_wait_card "Virtual PCD 00 00" present

READS=()
for n in $(seq 1 21); do READS+=("--read-dg$n"); done
LOG=$SC_TMP/npa-eac.log
timeout 120 "$NPA_TOOL" -r 0 -vvv --pin=111111 --private-key="$PKI/at.pkcs8" \
    --cv-certificate="$PKI/dv.cvcert,$PKI/at.cvcert" --cvc-dir="$PKI/cvc" \
    --disable-ca-checks "${READS[@]}" \
    --write-dg17=0107 --write-dg18=7209040702760503150000 --write-dg19=0109 --write-dg20=0200 \
    --write-dg21=0201 >"$LOG" 2>&1 || sc_fail "npa-tool failed (see npa-eac.log)"
grep -q "Performed Terminal Authentication" "$LOG" ||
    sc_fail "no Terminal Authentication (see npa-eac.log)"
sc_log "ok: Terminal Authentication"
grep -q "Performed Chip Authentication" "$LOG" ||
    sc_fail "no Chip Authentication (see npa-eac.log)"
sc_log "ok: Chip Authentication"
# npa-tool prints "Read <hex dump>" or "Could not read DG nn"; it prints
# "Wrote DG nn" whatever the card answers, so the writes are checked by
# reading the groups again in a second run.
for n in 01 02 03 04 05 06 07 08 09 10 11 13 17 18 19 20; do
    if grep -q "Could not read DG $n" "$LOG"; then
        sc_fail "DG$n not read (npa-eac.log)"
    fi
done
grep -q "^Read 64 07 0C 05 45 52 49 4B 41" "$LOG" || sc_fail "DG4 (ERIKA) not read"
sc_log "ok: DG4 read: ERIKA"
for n in 12 14 15 16 21; do
    grep -q "Could not read DG $n" "$LOG" || sc_fail "absent DG$n was read"
done
sc_log "ok: DG1-DG11, DG13, DG17-DG20 read, the absent groups refused"
LOG2=$SC_TMP/npa-eac2.log
timeout 120 "$NPA_TOOL" -r 0 -vvv --pin=111111 --private-key="$PKI/at.pkcs8" \
    --cv-certificate="$PKI/dv.cvcert,$PKI/at.cvcert" --cvc-dir="$PKI/cvc" \
    --disable-ca-checks --read-dg17 --read-dg18 --read-dg19 --read-dg20 \
    >"$LOG2" 2>&1 || sc_fail "npa-tool (read back) failed (see npa-eac2.log)"
for v in "01 07" "72 09 04 07 02 76 05 03 15 00 00" "01 09" "02 00"; do
    grep -q "^Read $v" "$LOG2" || sc_fail "written value $v not read back"
done
sc_log "ok: DG17-DG20 written (0107, community ID 0276050315, 0109, 0200 read back)"

# a terminal with the right to read DG1 only
LOG1=$SC_TMP/npa-dg1.log
timeout 120 "$NPA_TOOL" -r 0 -vvv --pin=111111 --private-key="$SC_TMP/pki1/at.pkcs8" \
    --cv-certificate="$PKI/dv.cvcert,$SC_TMP/pki1/at.cvcert" --cvc-dir="$PKI/cvc" \
    --disable-ca-checks --read-dg1 --read-dg4 >"$LOG1" 2>&1 ||
    sc_fail "npa-tool (DG1 only) failed"
grep -q "Performed Chip Authentication" "$LOG1" || sc_fail "no CA in npa-dg1.log"
grep -q "^Read 61 04 13 02 49 44" "$LOG1" ||
    sc_fail "the DG1-only terminal could not read DG1"
grep -q "Could not read DG 04" "$LOG1" ||
    sc_fail "the DG1-only terminal read DG4"
grep -Eq "69 82|Security status not satisfied" "$LOG1" ||
    sc_fail "reading DG4 without the right was not refused with 6982"
sc_log "ok: DG4 refused (6982) to a terminal that may read DG1 only"

# auxiliary data: scripts/build-npa-tool.sh patches npa-tool to send the
# 67 object once, as Terminal Authentication signs it; the card checks the
# signature over the 67 object it received, so TA succeeds only if the
# object arrived unwrapped (upstream npa-tool 0.26.1 sends 67 {67 {73 ..}}
# and the card refuses its signature). npa-tool then sends VERIFY with CLA
# 8C (TR-03110's proprietary class under SM) and prints "Verified ..."
# whatever the card answers: the card's status words are the inner ones
# its -vvv log shows after each 8C 20 ("Decrypted APDU sw1=.. sw2=..").
aux_sws() {
    awk '/CLA:8C, INS:20/ { want = 1 }
         want && /Decrypted APDU sw1=/ {
             match($0, /sw1=[0-9A-F]+ sw2=[0-9A-F]+/)
             printf "%s;", substr($0, RSTART, RLENGTH); want = 0 }' "$1"
}
aux_run() { # LOG then npa-tool's auxiliary data options
    log=$1
    shift
    timeout 120 "$NPA_TOOL" -r 0 -vvv --pin=111111 \
        --private-key="$PKI/at.pkcs8" \
        --cv-certificate="$PKI/dv.cvcert,$PKI/at.cvcert" --cvc-dir="$PKI/cvc" \
        --disable-ca-checks "$@" --read-dg1 >"$log" 2>&1 ||
        sc_fail "npa-tool (auxiliary data $*) failed (see $(basename "$log"))"
    grep -q "Performed Terminal Authentication" "$log" ||
        sc_fail "TA with auxiliary data failed ($(basename "$log")): wrapped twice?"
    grep -q "Performed Chip Authentication" "$log" ||
        sc_fail "no CA after TA with auxiliary data ($(basename "$log"))"
}
# Erika Mustermann: born 1964-08-12, card valid until 2020-10-31; the
# community ID DG18 got above (TR-03127: 72 {04 ID}) starts with 02 76.
LOGA=$SC_TMP/npa-aux.log
aux_run "$LOGA" --older-than=19991231 --verify-validity=20201020 \
    --verify-community=0276
got=$(aux_sws "$LOGA")
[ "$got" = "sw1=90 sw2=00;sw1=90 sw2=00;sw1=90 sw2=00;" ] ||
    sc_fail "auxiliary data that hold: card answered '$got', wanted 9000 x3"
sc_log "ok: npa-tool's VERIFY (CLA 8C) of age, validity, community: 9000 each"
LOGB=$SC_TMP/npa-aux-fail.log
aux_run "$LOGB" --older-than=19600101 --verify-validity=20991231 \
    --verify-community=0277
got=$(aux_sws "$LOGB")
[ "$got" = "sw1=63 sw2=00;sw1=63 sw2=00;sw1=63 sw2=00;" ] ||
    sc_fail "auxiliary data that fail: card answered '$got', wanted 6300 x3"
sc_log "ok: npa-tool's VERIFY of age, validity, community that fail: 6300 each"
