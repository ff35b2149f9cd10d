#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# Reversed mode: the driver connects to cards that listen (softcard -R).
# Two reader.conf entries at once: 127.0.0.1:36000 (slots on 36000 and
# 36001, two iso7816 cards) and the IPv6 literal [::1]:36100 with one slot
# (a handler_test card). The cards are found while pcscd runs, removed when
# the card process stops, and found again when it comes back (the driver
# retries with back-off and never blocks pcscd meanwhile).
. "$(dirname "$0")/driver_lib.sh"
sc_enter_namespaces "$@"
drv_require
drv_conf vpcd 127.0.0.1:36000
drv_conf vpcd-v6 '"[::1]:36100,slots=1"'
drv_start_pcscd
sc_start_card -R -P 36000 -n 2 -vv
v4_pid=$SC_CARD_PID
sc_start_card -R --bind ::1 -P 36100 -t handler_test -vv
drv_find "$DRV_HT_ATR" 1
v6=${DRV_FOUND[0]}
drv_find "$DRV_ISO_ATR" 2
v4=("${DRV_FOUND[@]}")
sc_expect_match "IPv6 entry has one slot" "$v6" " 0[01] 00$"
sc_expect_match "IPv4 entry has two slots" "${v4[*]}" \
    "^Virtual PCD (0[01]) 00 Virtual PCD \1 01$"
drv_check basics "${v4[0]}"
drv_check apdu "${v4[1]}" 0084000008 9000
drv_check apdu "$v6" 00A4040006A000000018FF 9000

# the card process goes away: both of its readers empty; it comes back
drv_kill "$v4_pid"
sc_wait_card "${v4[0]}" absent 5
sc_wait_card "${v4[1]}" absent 5
drv_check apdu "$v6" 00A4040006A000000018FF 9000
sc_start_card -R -P 36000 -n 2 -vv
sc_wait_card "${v4[0]}" present 5
sc_wait_card "${v4[1]}" present 5
drv_check apdu "${v4[0]}" 00A4000C023F00 9000
drv_check_pcscd_log
