#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# pcsc_scan (pcsc-tools) sees the card inserted with its ATR, removed when the
# card is taken out (SIGUSR1) and inserted again (SIGUSR2).
. "$(dirname "$0")/lib.sh"
sc_enter_namespaces "$@"
sc_start_pcscd
stdbuf -oL pcsc_scan -n -t 60 >"$SC_TMP/scan.log" 2>&1 &
SC_PIDS+=($!)
SCAN_PID=$!
sc_start_card -vv
sc_wait_card "Virtual PCD 00 00" present
sleep 1
kill -USR1 "$SC_CARD_PID"
sc_wait_card "Virtual PCD 00 00" absent
sleep 1
kill -USR2 "$SC_CARD_PID"
sc_wait_card "Virtual PCD 00 00" present
sleep 1
kill "$SCAN_PID"
wait "$SCAN_PID" 2>/dev/null || true
log=$(sed 's/\x1b\[[0-9;]*m//g' "$SC_TMP/scan.log")
sc_expect_match "reader listed" "$log" "Virtual PCD 00 00"
sc_expect_match "ATR shown" "$log" "3B 95 13 81 01 80 73 FF 01 00 0B"
inserted=$(printf '%s\n' "$log" | grep -c "Card inserted" || true)
removed=$(printf '%s\n' "$log" | grep -c "Card removed" || true)
[ "$inserted" -ge 2 ] || sc_fail "expected two insertions, saw $inserted"
[ "$removed" -ge 1 ] || sc_fail "expected a removal, saw $removed"
sc_log "ok: insertion, removal and re-insertion seen"
