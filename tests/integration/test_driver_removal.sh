#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# Card removal through softcard's reader driver. A card process killed in
# the middle of a transmission (a fake card that SIGKILLs itself when it
# receives INS EE): the client's transmission fails with "no smart card",
# its next one with SCARD_W_REMOVED_CARD, the reader empties, and the next
# card on that port is accepted and works. Removal and insertion are
# event-driven: a card leaving or arriving shows within a second.
. "$(dirname "$0")/driver_lib.sh"
sc_enter_namespaces "$@"
drv_require
drv_conf vpcd /dev/null:0x8C7B
drv_start_pcscd
sc_start_card -P 35963 -vv
drv_fake die 35964
sc_wait_card "Virtual PCD 00 00" present
sc_wait_card "Virtual PCD 00 01" present
drv_check killed "Virtual PCD 00 01"
sc_wait_card "Virtual PCD 00 01" absent 2
drv_check apdu "Virtual PCD 00 00" 00A4000C023F00 9000
sc_start_card -P 35964 -t handler_test -vv
sc_wait_card "Virtual PCD 00 01" present
drv_check apdu "Virtual PCD 00 01" 00A4040006A000000018FF 9000

# softcard takes its cards out (SIGUSR1) and puts them back (SIGUSR2)
kill -USR1 "$SC_CARD_PID"
sc_wait_card "Virtual PCD 00 01" absent 1
kill -USR2 "$SC_CARD_PID"
sc_wait_card "Virtual PCD 00 01" present 1
sc_log "ok: removal and insertion seen within a second"
drv_check apdu "Virtual PCD 00 01" 00A4040006A000000018FF 9000
drv_check_pcscd_log
