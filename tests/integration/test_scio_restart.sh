#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# Recovery after pcscd restarts: a card monitor reports the loss and the
# recovery through its error callback and keeps reporting changes; the
# old context lists readers again; `scio watch` (reader and card monitors)
# reports readers that vanished or appeared across the restart.
. "$(dirname "$0")/lib.sh"
sc_enter_namespaces "$@"
IT=${SOFTCARD_BUILD_DIR:?}/scio_itest
SCIO=${SCIO_BIN:?}
sc_start_pcscd
sc_start_card -vv -n 2 --control "$SC_TMP/ctl"
sc_wait_card "Virtual PCD 00 00" present
sc_wait_card "Virtual PCD 00 01" present

mkdir -p "$SC_TMP/flags"
"$IT" --control "$SC_TMP/ctl" --flags "$SC_TMP/flags" restart \
    >>"$SC_TMP/itest.log" 2>&1 &
it_pid=$!
SC_PIDS+=("$it_pid")
for _ in $(seq 100); do
    [ -e "$SC_TMP/flags/ready" ] && break
    sleep 0.05
done
[ -e "$SC_TMP/flags/ready" ] || sc_fail "scio_itest did not start"
sc_stop_pcscd
sleep 0.5
sc_start_pcscd
wait "$it_pid" || sc_fail "scenario restart"
sc_log "ok: monitor and context recovered"

# Reader names change across a restart: the watch reports both sides.
"$SCIO" watch >"$SC_TMP/watch.out" 2>>"$SC_TMP/watch.log" &
watch_pid=$!
SC_PIDS+=("$watch_pid")
for _ in $(seq 100); do
    grep -q "card + Virtual PCD 00 01" "$SC_TMP/watch.out" && break
    sleep 0.05
done
sc_stop_pcscd
cat > "$SC_TMP/reader.conf.d/vpcd" <<CONF
FRIENDLYNAME "Other PCD"
DEVICENAME   /dev/null:0x8C7B
LIBPATH      $SC_VPCD_LIB
CONF
sc_start_pcscd
for _ in $(seq 300); do
    grep -q "card + Other PCD 00 01" "$SC_TMP/watch.out" && break
    sleep 0.05
done
kill "$watch_pid"
wait "$watch_pid" || sc_fail "scio watch did not stop cleanly"
out=$(cat "$SC_TMP/watch.out")
sc_expect_match "watch: service loss reported" "$out" "^error: "
sc_expect_match "watch: service back" "$out" "^service back$"
sc_expect_match "watch: old reader gone" "$out" "^reader - Virtual PCD 00 00$"
sc_expect_match "watch: new reader" "$out" "^reader \+ Other PCD 00 00$"
sc_expect_match "watch: card in the new reader" "$out" \
    "^card \+ Other PCD 00 01: 3B 95 13 81 01 80 73 FF 01 00 0B$"
[ "$(grep -c "^reader + Other PCD 00 00$" "$SC_TMP/watch.out")" = 1 ] ||
    sc_fail "new reader reported more than once"
sc_log "ok: each reader change reported once"
