#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# The scio command against a private pcscd: exit codes that say what failed
# (no pcscd 3, no reader 4, no card in time 5, script mismatch 7, script
# syntax 2, interrupted 8), list, wait, atr with its parse, send with and
# without T=0 handling, scripts with expected status words, watch, and the
# direct backend in both vpcd modes; plus the README example program.
. "$(dirname "$0")/lib.sh"
sc_enter_namespaces "$@"
SCIO=${SCIO_BIN:?}
EXAMPLE=${SOFTCARD_BUILD_DIR:?}/scio_example_wait_and_send

# expect_exit CODE WHAT CMD...: run CMD, check its exit status.
expect_exit() {
    local want=$1 what=$2 rc=0
    shift 2
    "$@" >"$SC_TMP/out" 2>&1 || rc=$?
    [ "$rc" = "$want" ] || sc_fail "$what: exit $rc, expected $want: $(cat "$SC_TMP/out")"
    sc_log "ok: $what (exit $rc)"
}

expect_exit 3 "no pcscd" "$SCIO" list
expect_exit 2 "usage error" "$SCIO" frobnicate
expect_exit 2 "bad timeout" "$SCIO" -t soon wait
sc_start_pcscd
expect_exit 0 "list without cards" "$SCIO" list
sc_expect_match "readers listed" "$(cat "$SC_TMP/out")" "^1: Virtual PCD 00 01: no card$"
expect_exit 5 "no card in time" "$SCIO" -t 0.3 wait
expect_exit 4 "unknown reader" "$SCIO" -r "No Such Reader" wait

sc_start_card -vv -t iso7816 -t handler_test
sc_wait_card "Virtual PCD 00 00" present
sc_wait_card "Virtual PCD 00 01" present
out=$("$SCIO" list)
sc_expect_match "list shows the ATR" "$out" \
    "^0: Virtual PCD 00 00: 3B 95 13 81 01 80 73 FF 01 00 0B$"
out=$("$SCIO" -r 1 atr)
sc_expect_match "atr parse: TD1" "$out" "^TD1 = 80 \(T=0\)$"
sc_expect_match "atr parse: protocols" "$out" "^protocols: T=0 T=1 T=15$"
sc_expect_match "atr parse: TCK" "$out" "^TCK = 9E \(correct\)$"
out=$("$SCIO" -r 0 send 00A4000C023F00 00A40000023F00)
sc_expect_match "send: SW" "$out" "^< 90 00 : "
sc_expect_match "send: 61xx as is" "$out" "^< 61 0C : "
out=$("$SCIO" -r "00 00" -T send 00A40000023F00)
sc_expect_match "send -T: GET RESPONSE" "$out" "^< 6F 0A 83 02 3F 00 .* 90 00 : "
expect_exit 2 "send: bad hex" "$SCIO" -r 0 send 00A4ZZ

cat >"$SC_TMP/good.apdu" <<'APDU'
# select the MF, ask for a challenge, select with FCI (T=0 style)
00 A4 00 0C 02 3F 00     = 9000
00 84 00 00 08           = * 9000
reset
00 A4 00 00 02 3F 00     = 61xx
00 C0 00 00 0C           = 6F0A 83023F00 8A0105 82013890 00
exit
00 00 00 00 # not reached
APDU
expect_exit 0 "script with expected responses" "$SCIO" -r 0 script "$SC_TMP/good.apdu"
sc_expect_match "script output" "$(cat "$SC_TMP/out")" "^reset$"
printf '00A4000C023F01 = 9000\n' >"$SC_TMP/bad.apdu"
expect_exit 7 "script: unexpected status word" "$SCIO" -r 0 script "$SC_TMP/bad.apdu"
sc_expect_match "mismatch reported" "$(cat "$SC_TMP/out")" "bad.apdu:1: unexpected response"
printf 'hello\n' >"$SC_TMP/syntax.apdu"
expect_exit 2 "script: syntax error" "$SCIO" -r 0 script "$SC_TMP/syntax.apdu"

"$SCIO" -t inf -n wait >"$SC_TMP/wait.out" 2>&1 &
wait_pid=$!
sleep 0.5
kill -INT "$wait_pid"
rc=0
wait "$wait_pid" || rc=$?
sc_expect_eq "interrupted wait (exit 8)" "$rc" 8

out=$(timeout 10 "$SCIO" watch -c 4)
sc_expect_match "watch: readers" "$out" "^reader \+ Virtual PCD 00 01$"
sc_expect_match "watch: cards" "$out" "^card \+ Virtual PCD 00 00: 3B 95"

out=$(timeout 20 "$EXAMPLE")
sc_expect_eq "README example" "$out" "Virtual PCD 00 00: success, SW 9000"

# Direct backend: scio itself plays vpcd on other ports, both modes.
"$SC_BIN" -vv -P 36001 >>"$SC_TMP/direct.log" 2>&1 &
SC_PIDS+=("$!")
"$SC_BIN" -vv -R -P 36002 -t handler_test >>"$SC_TMP/direct.log" 2>&1 &
SC_PIDS+=("$!")
out=$("$SCIO" -b direct --slot 127.0.0.1:36001 --slot reversed:127.0.0.1:36002 \
    -t 5 -r 0 send 00A4000C023F00)
sc_expect_match "direct backend (card connects)" "$out" "^< 90 00 : "
out=$("$SCIO" -b direct --slot 127.0.0.1:36001 --slot reversed:127.0.0.1:36002 \
    -t 5 -r 1 wait)
sc_expect_match "direct backend (reversed: scio connects)" "$out" \
    "^Virtual PCD 00 01: 3B D6 18 00"
expect_exit 2 "--slot needs -b direct" "$SCIO" --slot 1234 list
