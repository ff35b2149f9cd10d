#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# The relay card type: a softcard card (slot 0) that forwards to another
# virtual card (slot 1) through pcscd and libscio. The near reader shows
# the far card's ATR, APDUs go through (with a MITM plugin that rewrites a
# command, answers one itself and rewrites a response), power events reach
# the far card (unpower, warm reset), and when the far card goes away the
# relay card is removed instead of the process dying.
. "$(dirname "$0")/lib.sh"
sc_enter_namespaces "$@"
SCIO=${SCIO_BIN:?}
PLUGIN=${SOFTCARD_BUILD_DIR:?}/scio_mitm_rewrite.so
sc_start_pcscd
"$SC_BIN" -vv -P 35964 >>"$SC_TMP/far.log" 2>&1 &
far_pid=$!
SC_PIDS+=("$far_pid")
sc_wait_card "Virtual PCD 00 01" present

out=$("$SC_BIN" -t relay --reader "No Such Reader" 2>&1) && sc_fail "bad reader accepted"
sc_expect_match "unknown far reader refused" "$out" "relay: no reader 'No Such Reader'"
out=$("$SC_BIN" -t relay --reader 1 --mitm /nonexistent.so 2>&1) &&
    sc_fail "bad plugin accepted"
sc_expect_match "missing plugin refused" "$out" "cannot load MITM plugin"

sc_start_card -vv -t relay --reader 1 --mitm "$PLUGIN" --control "$SC_TMP/ctl"
sc_wait_card "Virtual PCD 00 00" present
out=$("$SCIO" -r 0 -t 5 wait)
sc_expect_eq "near reader shows the far card's ATR" "$out" \
    "Virtual PCD 00 00: 3B 95 13 81 01 80 73 FF 01 00 0B"

out=$("$SCIO" -r 0 send 00A4000C023F00 0084000004 0084000008 00EE000000 \
    00CA010200)
sc_expect_match "APDU relayed" "$out" "^> 00 A4 00 0C 02 3F 00$"
sc_expect_match "response relayed" "$out" "^< 90 00"
[ "$(printf '%s\n' "$out" | grep -cE '^< ([0-9A-F]{2} ){4}90 00')" = 2 ] ||
    sc_fail "GET CHALLENGE 8 was not rewritten into 4: $out"
sc_log "ok: plugin rewrote GET CHALLENGE 8 into 4"
sc_expect_match "plugin answered INS EE itself" "$out" "^< CA FE 90 00"
sc_expect_match "plugin rewrote the GET DATA response" "$out" "^< BE EF 90 00"

# far_count TEXT: lines of the far card's log with TEXT.
far_count() { grep -c "$1" "$SC_TMP/far.log" || true; }
# forwarded DISPOSITION TEXT: a near disconnect with DISPOSITION must make
# the far card log TEXT once more.
forwarded() {
    local before
    before=$(far_count "$2")
    "$SCIO" -r 0 -d "$1" send 00A4000C023F00 >/dev/null
    for _ in $(seq 60); do
        [ "$(far_count "$2")" -gt "$before" ] && return 0
        sleep 0.05
    done
    sc_fail "near $1 did not reach the far card as '$2'"
}
forwarded unpower "card 0 (iso7816): power off"
sc_log "ok: power off forwarded"
forwarded reset "card 0 (iso7816): reset"
sc_log "ok: warm reset forwarded"

kill -USR1 "$far_pid" # the far card leaves its reader
sc_wait_card "Virtual PCD 00 01" absent
"$SCIO" -r 0 -t 2 send 00A4000C023F00 >/dev/null 2>&1 || true
sc_wait_card "Virtual PCD 00 00" absent
kill -0 "$SC_CARD_PID" || sc_fail "the relay process died with its far card"
sc_log "ok: far card gone: relay card removed, process alive"
kill -USR2 "$far_pid"
sc_wait_card "Virtual PCD 00 01" present
sc_expect_eq "relay card inserted again" \
    "$("$SCIO" -r 0 -t 0 list >/dev/null; echo ok)" "ok"
