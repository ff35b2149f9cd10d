#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# A silent or hung card never blocks pcscd. Slot 0 gets a card that
# connects and never says a word (reconnecting whenever the driver gives up
# on it), then a card that gives its ATR but never answers an APDU; slot 1
# holds a working card throughout. The silent card never shows as inserted;
# the hung transmission fails after the configured timeout (1.5 s) and the
# card is dropped; meanwhile pcscd keeps answering and slot 1 keeps working
# at full speed; afterwards slot 0 takes the next card.
. "$(dirname "$0")/driver_lib.sh"
sc_enter_namespaces "$@"
drv_require
drv_conf vpcd '"/dev/null:0x8C7B,timeout=1500,atr_timeout=400"'
drv_start_pcscd
sc_start_card -P 35964 -vv
sc_wait_card "Virtual PCD 00 01" present

ms() { date +%s%3N; }
# each check through pcscd must finish within $1 ms
quick() {
    local limit=$1 t0 took
    shift
    t0=$(ms)
    drv_check "$@"
    took=$(($(ms) - t0))
    [ "$took" -lt "$limit" ] || sc_fail "$1 took $took ms (limit $limit)"
}

drv_fake silent 35963 --repeat
silent_pid=$DRV_FAKE_PID
t_end=$(($(ms) + 1500))
while [ "$(ms)" -lt "$t_end" ]; do
    quick 1000 apdu "Virtual PCD 00 01" 0084000008 9000
    quick 1000 list "Virtual PCD 00 00" "Virtual PCD 00 01"
done
sc_wait_card "Virtual PCD 00 00" absent 0.1
grep -q "card refused: no ATR within 400 ms" "$SC_TMP/pcscd.log" ||
    sc_fail "the driver did not refuse the silent card"
sc_log "ok: the silent card was refused, pcscd stayed responsive"
drv_kill "$silent_pid"

drv_fake mute 35963
sc_wait_card "Virtual PCD 00 00" present
"$SC_PY" "$SC_HERE/driver_client.py" slow "Virtual PCD 00 00" 3 \
    >"$SC_TMP/slow.log" 2>&1 &
slow_pid=$!
sleep 0.3
quick 1000 apdu "Virtual PCD 00 01" 0084000008 9000
quick 1000 list "Virtual PCD 00 00" "Virtual PCD 00 01"
wait "$slow_pid" || { cat "$SC_TMP/slow.log"; sc_fail "hung transmission"; }
cat "$SC_TMP/slow.log"
sc_log "ok: the hung transmission failed in time"
sc_wait_card "Virtual PCD 00 00" absent 2

sc_start_card -P 35963 -vv
sc_wait_card "Virtual PCD 00 00" present
drv_check apdu "Virtual PCD 00 00" 00A4000C023F00 9000
drv_check_pcscd_log
