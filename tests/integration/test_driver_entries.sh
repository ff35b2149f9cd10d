#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# Three reader.conf entries load the driver at once, each with its own
# readers and slots (the reference driver kept one context per slot number,
# so a second entry took over the first one's slots): /dev/null:0x8C7B with
# two iso7816 cards, /dev/null:36200 with two handler_test cards, and
# /dev/null:36300 bound to ::1 with one iso7816 card connecting over IPv6.
# pcscd numbers the entries in the order it reads them, so readers are
# found by their cards' ATRs.
. "$(dirname "$0")/driver_lib.sh"
sc_enter_namespaces "$@"
drv_require
drv_conf vpcd /dev/null:0x8C7B
drv_conf vpcd-b /dev/null:36200
drv_conf vpcd-c '"/dev/null:36300,bind=::1,slots=1"'
drv_start_pcscd
sc_start_card -n 2 -vv
sc_start_card -P 36200 -t handler_test -t handler_test -vv
sc_start_card -H ::1 -P 36300 -vv
v6_pid=$SC_CARD_PID

listening=$(ss -ltn)
sc_expect_match "entry c listens on [::1]:36300" "$listening" "\[::1\]:36300"
if printf '%s\n' "$listening" | grep -q "127.0.0.1:36300"; then
    sc_fail "entry c listens on IPv4 too"
fi

drv_find "$DRV_HT_ATR" 2
ht=("${DRV_FOUND[@]}")
sc_expect_match "entry b: two slots of one reader" "${ht[*]}" \
    "^Virtual PCD (0[0-2]) 00 Virtual PCD \1 01$"
drv_find "$DRV_ISO_ATR" 3
iso=("${DRV_FOUND[@]}")
all=$("$SC_PY" "$SC_HERE/driver_client.py" find "$DRV_ISO_ATR"; \
      "$SC_PY" "$SC_HERE/driver_client.py" find "$DRV_HT_ATR")
sc_expect_eq "five readers" "$(printf '%s\n' "$all" | sort -u | wc -l)" 5
for r in "${iso[@]}"; do
    drv_check apdu "$r" 00A4000C023F00 9000
done
for r in "${ht[@]}"; do
    drv_check apdu "$r" 00A4040006A000000018FF 9000
done

# the IPv6 card leaves: entry a's two readers remain, on one reader index
drv_kill "$v6_pid"
drv_find "$DRV_ISO_ATR" 2
sc_expect_match "entry a: two slots of one reader" "${DRV_FOUND[*]}" \
    "^Virtual PCD (0[0-2]) 00 Virtual PCD \1 01$"
drv_check apdu "${DRV_FOUND[1]}" 0084000008 9000
drv_check_pcscd_log
