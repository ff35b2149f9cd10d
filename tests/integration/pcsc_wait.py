#!/usr/bin/python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""Wait until a PC/SC reader holds a card (or none).

usage: pcsc_wait.py READER present|absent TIMEOUT_SECONDS

READER is a reader name or a unique substring of one. Polls pcscd through
pyscard's raw binding every 50 ms; exits 0 when the state is reached, 1 on
timeout.
"""
import sys
import time

from smartcard import scard


def reader_state(name):
    rv, ctx = scard.SCardEstablishContext(scard.SCARD_SCOPE_USER)
    if rv != scard.SCARD_S_SUCCESS:
        return None
    try:
        rv, readers = scard.SCardListReaders(ctx, [])
        if rv != scard.SCARD_S_SUCCESS:
            return None
        matches = [r for r in readers if name in r]
        if len(matches) != 1:
            return None
        rv, states = scard.SCardGetStatusChange(
            ctx, 0, [(matches[0], scard.SCARD_STATE_UNAWARE)])
        if rv != scard.SCARD_S_SUCCESS:
            return None
        return bool(states[0][1] & scard.SCARD_STATE_PRESENT)
    finally:
        scard.SCardReleaseContext(ctx)


def main():
    name, want, timeout = sys.argv[1], sys.argv[2] == "present", float(sys.argv[3])
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if reader_state(name) is want:
            return 0
        time.sleep(0.05)
    return 1


if __name__ == "__main__":
    sys.exit(main())
