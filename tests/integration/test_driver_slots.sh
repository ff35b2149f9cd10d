#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# softcard's reader driver in pcscd, normal mode. With the stock
# DEVICENAME (/dev/null:0x8C7B): readers "Virtual PCD 00 00" and "00 01" on
# ports 35963/35964, listening on 127.0.0.1 only; pyscard's checks on an
# iso7816 and a handler_test card; the ATR attribute, the part 10 features
# with dwMaxAPDUDataSize, an extended APDU and a reset; and no GET ATR on
# the wire while the cards sit idle (presence is event-driven; Debian's
# vpcd sends one per slot every 400 ms). Then slots=3 gives a third reader
# on port 35965.
. "$(dirname "$0")/driver_lib.sh"
sc_enter_namespaces "$@"
drv_require
drv_conf vpcd /dev/null:0x8C7B
drv_start_pcscd
sc_start_card -t iso7816 -t handler_test -vvvv
sc_wait_card "Virtual PCD 00 00" present
sc_wait_card "Virtual PCD 00 01" present

listening=$(ss -ltn)
sc_expect_match "slot 1 listens on port 35964" "$listening" "127\.0\.0\.1:35964"
if printf '%s\n' "$listening" | grep -Eq '(0\.0\.0\.0|\*|\[::\]):3596[34]'; then
    sc_fail "the driver listens on every interface"
fi
sc_log "ok: bound to 127.0.0.1 only"

"$SC_PY" "$SC_HERE/pyscard_checks.py" || sc_fail "pyscard checks"
sc_log "ok: pyscard checks"
drv_check basics "Virtual PCD 00 00"

# idle (after the disconnects above, which interrupt the event waits): in
# 1.5 s no GET ATR reaches the cards and pcscd uses next to no CPU
cpu_ticks() { awk '{print $14 + $15}' "/proc/$SC_PCSCD_PID/stat"; }
sleep 0.3
before=$(grep -c "frame in: 04" "$SC_TMP/softcard.log" || true)
[ "$before" -gt 0 ] || sc_fail "softcard does not log frames (-vvvv)"
ticks=$(cpu_ticks)
sleep 1.5
after=$(grep -c "frame in: 04" "$SC_TMP/softcard.log" || true)
sc_expect_eq "GET ATR frames while idle" "$((after - before))" 0
ticks=$(($(cpu_ticks) - ticks))
[ "$ticks" -le 15 ] || sc_fail "pcscd used $ticks clock ticks in 1.5 s idle"
sc_log "ok: pcscd idle ($ticks clock ticks in 1.5 s)"
drv_check_pcscd_log

# three slots
sc_stop_pcscd
drv_kill "$SC_CARD_PID"
drv_conf vpcd '"/dev/null:0x8C7B,slots=3"'
drv_start_pcscd
sc_start_card -n 3 -vv
sc_wait_card "Virtual PCD 00 02" present
drv_check list "Virtual PCD 00 00" "Virtual PCD 00 01" "Virtual PCD 00 02"
drv_check apdu "Virtual PCD 00 02" 0084000008 9000
drv_check apdu "Virtual PCD 00 00" 00A4000C023F00 9000
drv_check_pcscd_log
