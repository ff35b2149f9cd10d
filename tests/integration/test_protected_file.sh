#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# The default iso7816 card's EF 0101 is protected by the PIN: independent
# clients (opensc-tool, pyscard) cannot read it before VERIFY and can after;
# a wrong PIN does not open it; a reset closes it again.
. "$(dirname "$0")/lib.sh"
sc_enter_namespaces "$@"
sc_start_pcscd
sc_start_card -vv
sc_wait_card "Virtual PCD 00 00" present

out=$(opensc-tool -r 0 -s 00A4000C020101 -s 00B0000000 -s 002000010439393939 \
      -s 00B0000000 -s 002000010431323334 -s 00B0000000 2>&1)
printf '%s\n' "$out" >"$SC_TMP/opensc.log"
sws=$(printf '%s\n' "$out" | sed -n 's/.*SW1=0x\(..\), SW2=0x\(..\).*/\1\2/p' | tr a-f A-F | tr '\n' ' ')
sc_expect_eq "opensc-tool: select, read, wrong PIN, read, PIN, read" "$sws" \
    "9000 6982 63C2 6982 9000 9000 "
sc_expect_match "opensc-tool reads the protected text after VERIFY" "$out" \
    "54 68 69 73 20 66 69 6C 65 20 69 73 20 70 72 6F"

"$SC_PY" - <<'PY' || sc_fail "pyscard checks"
from smartcard.System import readers
from smartcard.scard import SCARD_RESET_CARD
c = readers()[0].createConnection()
c.connect()
# opensc-tool left the card powered with the PIN verified (it disconnects
# with LEAVE, as PC/SC allows): start from a reset
c.reconnect(disposition=SCARD_RESET_CARD)
def tx(h):
    d, a, b = c.transmit(list(bytes.fromhex(h)))
    return bytes(d), "%02X%02X" % (a, b)
assert tx("00A4000C020101") == (b"", "9000")
assert tx("00B0000000") == (b"", "6982"), "readable before VERIFY"
assert tx("0020000104 31323334".replace(" ", "")) == (b"", "9000")
data, sw = tx("00B0000000")
assert sw == "9000" and data == b"This file is protected by the PIN.", (data, sw)
c.reconnect(disposition=SCARD_RESET_CARD)
assert tx("00A4000C020101") == (b"", "9000")
assert tx("00B0000000") == (b"", "6982"), "still readable after a reset"
print("pyscard: protected before VERIFY, readable after, protected after reset")
PY
sc_log "ok: pyscard sees the same protection"
