#!/usr/bin/python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""Keep checking that a PC/SC reader serves its card.

usage: probe_reader.py READER SECONDS LIMIT_MS

For SECONDS, every 50 ms: a fresh PC/SC context, SCardConnect, GET
CHALLENGE (must answer 9000), disconnect, release; each such round must
finish within LIMIT_MS. Prints "N rounds, median M ms, max X ms" and exits
0, or prints FAIL and exits 1 at the first failure.
"""
import statistics
import sys
import time

from smartcard import scard


def one(reader):
    rv, ctx = scard.SCardEstablishContext(scard.SCARD_SCOPE_USER)
    if rv != scard.SCARD_S_SUCCESS:
        return "establish: " + scard.SCardGetErrorMessage(rv)
    try:
        rv, card, proto = scard.SCardConnect(
            ctx, reader, scard.SCARD_SHARE_SHARED,
            scard.SCARD_PROTOCOL_T0 | scard.SCARD_PROTOCOL_T1)
        if rv != scard.SCARD_S_SUCCESS:
            return "connect: " + scard.SCardGetErrorMessage(rv)
        rv, resp = scard.SCardTransmit(card, proto,
                                       [0x00, 0x84, 0x00, 0x00, 0x08])
        scard.SCardDisconnect(card, scard.SCARD_LEAVE_CARD)
        if rv != scard.SCARD_S_SUCCESS:
            return "transmit: " + scard.SCardGetErrorMessage(rv)
        if resp[-2:] != [0x90, 0x00]:
            return "SW %02X%02X" % tuple(resp[-2:])
        return None
    finally:
        scard.SCardReleaseContext(ctx)


def main():
    reader, seconds, limit = sys.argv[1], float(sys.argv[2]), int(sys.argv[3])
    end = time.monotonic() + seconds
    times = []
    while time.monotonic() < end:
        t0 = time.monotonic()
        err = one(reader)
        ms = (time.monotonic() - t0) * 1000
        if err:
            print("FAIL %s: %s" % (reader, err))
            return 1
        if ms > limit:
            print("FAIL %s: a round took %.0f ms (limit %d)" % (reader, ms,
                                                                limit))
            return 1
        times.append(ms)
        time.sleep(0.05)
    print("%d rounds, median %.1f ms, max %.1f ms" % (
        len(times), statistics.median(times), max(times)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
