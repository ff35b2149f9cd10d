#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# The card reconnects by itself when pcscd goes away and comes back (the
# reference emulator exits instead), and works again afterwards.
. "$(dirname "$0")/lib.sh"
sc_enter_namespaces "$@"
sc_start_pcscd
sc_start_card -vv
sc_wait_card "Virtual PCD 00 00" present
out=$(opensc-tool -r 0 -s 00A4000C023F00 2>&1)
sc_expect_match "APDU before restart" "$out" "SW1=0x90, SW2=0x00"
for round in 1 2; do
    sc_stop_pcscd
    sleep 0.5
    kill -0 "$SC_CARD_PID" || sc_fail "softcard exited when pcscd stopped"
    sc_start_pcscd
    sc_wait_card "Virtual PCD 00 00" present 15
    out=$(opensc-tool -r 0 -s 0084000008 2>&1)
    sc_expect_match "APDU after restart $round" "$out" "SW1=0x90, SW2=0x00"
done
kill -0 "$SC_CARD_PID" || sc_fail "softcard is gone"
