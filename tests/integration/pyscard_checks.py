#!/usr/bin/python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""pyscard against two softcard cards (iso7816 on slot 0, handler_test on
slot 1). pyscard does no GET RESPONSE by itself, so 61xx is visible here."""
import sys

from smartcard.System import readers
from smartcard.scard import SCARD_UNPOWER_CARD

failures = []


def check(what, got, want):
    if got != want:
        failures.append("%s: got %s, expected %s" % (what, got, want))
    else:
        print("ok:", what)


def tx(conn, hexapdu):
    data, sw1, sw2 = conn.transmit(list(bytes.fromhex(hexapdu)))
    return bytes(data).hex().upper(), "%02X%02X" % (sw1, sw2)


def iso_card(reader):
    conn = reader.createConnection()
    conn.connect(disposition=SCARD_UNPOWER_CARD)
    check("ATR", bytes(conn.getATR()).hex().upper(), "3B9513810180" "73FF01000B")
    check("SELECT MF", tx(conn, "00A4000C023F00"), ("", "9000"))
    check("FCI without Le is 61xx", tx(conn, "00A40000023F00"), ("", "610C"))
    check("GET RESPONSE", tx(conn, "00C000000C"),
          ("6F0A83023F008A0105820138", "9000"))
    data, sw = tx(conn, "0084000010")
    check("GET CHALLENGE 16", (len(data), sw), (32, "9000"))
    # extended Le: 1024 random bytes in one response
    data, sw = tx(conn, "00840000000400")
    check("extended GET CHALLENGE", (len(data) // 2, sw), (1024, "9000"))
    # a malformed length encoding (the reference answered 6A80) and a case
    # 4E APDU with a non-zero two-byte Le (the reference rejected it)
    check("malformed APDU", tx(conn, "00B000000800"), ("", "6700"))
    check("create EF", tx(conn, "00E000000E620C820201018302123480020010"), ("", "9000"))
    check("case 4E", tx(conn, "00D60000000004AABBCCDD0100"), ("", "9000"))
    check("read back", tx(conn, "00B0000004"), ("AABBCCDD", "9000"))
    check("VERIFY wrong", tx(conn, "002000010439393939"), ("", "63C2"))
    check("VERIFY right", tx(conn, "002000010431323334"), ("", "9000"))
    conn.disconnect()


def handler_test_card(reader):
    conn = reader.createConnection()
    conn.connect()
    check("handler_test ATR", bytes(conn.getATR()).hex().upper(),
          "3BD6180080B1806D1F038051006110309E")
    check("select applet", tx(conn, "00A4040006A000000018FF"), ("", "9000"))
    counting = bytes(range(255)).hex().upper()
    check("case 3", tx(conn, "80320000FF" + counting), ("", "9000"))
    check("case 2", tx(conn, "803400FFFF"), (counting, "9000"))
    check("case 4 TPDU", tx(conn, "80360001FF" + counting), ("", "6101"))
    check("GET RESPONSE", tx(conn, "80C0000001"), ("00", "9000"))
    check("case 4 APDU", tx(conn, "80360001FF" + counting + "01"), ("00", "9000"))
    conn.disconnect()


def main():
    rs = readers()
    names = [str(r) for r in rs]
    check("two readers", names, ["Virtual PCD 00 00", "Virtual PCD 00 01"])
    iso_card(rs[0])
    handler_test_card(rs[1])
    for f in failures:
        print("FAIL:", f)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
