#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# Fault campaign: pcscd restarts with cards in normal mode. Two iso7816
# cards connect to pcscd's softcard driver (slots 00 00 and 00 01); pcscd
# is stopped and started again ROUNDS times (restart_peer.py) and the time
# from each start until each card answers a SELECT MF through PC/SC is
# measured: median and maximum are printed. Every card must come back (the
# test fails if one does not answer within 10 s of a start; the figures,
# not the exit status, say how fast). Quick version (./check, label
# stress): 5 restarts. Full version by hand (docs/reliability.md):
#     SOFTCARD_BIN=build/check/softcard \
#     SOFTCARD_DRIVER=build/check/driver/libifdsoftcard.so \
#         tests/stress/test_pcscd_restart.sh 100
. "$(dirname "$0")/../integration/driver_lib.sh"
sc_enter_namespaces "$@"
drv_require
rounds=${1:-5}
drv_conf vpcd '"/dev/null:0x8C7B"'
sc_start_card -P 35963
sc_start_card -P 35964
asan=$(ldd "$DRV_LIB" 2>/dev/null | awk '/libasan/ {print $3; exit}')
out=$("$SC_PY" "$SC_SRC/tests/stress/restart_peer.py" "$rounds" \
      "$SC_TMP/reader.conf.d" "$SC_TMP/pcscd.log" ${asan:+--preload "$asan"} \
      "Virtual PCD 00 00" "Virtual PCD 00 01") ||
    sc_fail "pcscd restarts: $out"
while IFS= read -r line; do sc_log "$line"; done <<<"$out"
for pid in "${SC_PIDS[@]}"; do
    kill -0 "$pid" 2>/dev/null || sc_fail "a card exited"
done
if grep -Eq "ERROR: AddressSanitizer|runtime error:" "$SC_TMP/pcscd.log" \
        "$SC_TMP/softcard.log"; then
    sc_fail "sanitizer report"
fi
