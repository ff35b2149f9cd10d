#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# opensc-tool (OpenSC) lists the reader with a card, prints the ATR and
# exchanges APDUs, including every input that crashes the reference emulator
# (DCB 01 writes, case-1 READ BINARY, CHANGE REFERENCE DATA, PSO, SELECT last
# occurrence, ...; docs/decisions.md has the corrections); the card answers
# each with its ISO status word and keeps working. (opensc-tool refuses to send
# malformed and extended APDUs itself; test_pyscard covers those.)
. "$(dirname "$0")/lib.sh"
sc_enter_namespaces "$@"
sc_start_pcscd
sc_start_card -vvv
sc_wait_card "Virtual PCD 00 00" present

sc_expect_match "reader with card" "$(opensc-tool -l 2>&1)" "0 +Yes +Virtual PCD 00 00"
sc_expect_eq "ATR" "$(opensc-tool -r 0 -a 2>&1)" "3b:95:13:81:01:80:73:ff:01:00:0b"

# session APDU EXPECTED APDU EXPECTED ...: one session, each answer checked
session() {
    local cmds=() wants=() i=0 line
    while [ $# -ge 2 ]; do cmds+=("$1"); wants+=("$2"); shift 2; done
    while IFS= read -r line; do
        sc_expect_eq "${cmds[$i]} -> ${wants[$i]}" "$line" "${wants[$i]}"
        i=$((i + 1))
    done < <(sc_apdus "${cmds[@]}")
    [ "$i" -eq "${#cmds[@]}" ] || sc_fail "only $i of ${#cmds[@]} answers"
}

session 00A4000C023F00 "9000 " \
        00A40000023F0000 "9000 6F0A83023F008A0105820138" \
        00A40004023F0000 "9000 620A83023F008A0105820138" \
        00200001 "63C3 " \
        002000010439393939 "63C2 " \
        002000010431323334 "9000 "
sc_expect_match "GET CHALLENGE" "$(sc_apdus 0084000008)" "^9000 [0-9A-F]{16}$"
# inputs that crash or mislead the reference, in one session
session 00E000000E620C820201018302123480020010 "9000 " \
        00D6000004DEADBEEF "9000 " \
        00B0000000 "9000 DEADBEEF000000000000000000000000" \
        00B00000 "6700 " \
        00D6000004AABBCCDD "9000 " \
        00B0000004 "9000 AABBCCDD" \
        002400010431323334 "6700 " \
        002A1234020102 "6A86 " \
        00A4040105A00000000100 "6A82 " \
        0070000001 "9000 01" \
        1084000008 "6884 " \
        8084000008 "6E00 " \
        00A4000C023F00 "9000 "
kill -0 "$SC_CARD_PID" || sc_fail "softcard died"
# the APDU log masks PIN data
grep -q "31 32 33 34" "$SC_TMP/softcard.log" && sc_fail "PIN visible in the log"
sc_expect_match "PIN masked in the log" "$(cat "$SC_TMP/softcard.log")" "VERIFY.*masked"
