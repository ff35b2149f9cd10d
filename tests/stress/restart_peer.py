#!/usr/bin/python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""pcscd restarts with cards in normal mode: time until each card answers.

usage: restart_peer.py ROUNDS CONFDIR LOG [--preload LIB] READER...

Each round starts pcscd (foreground, with the reader.conf directory
CONFDIR, its output appended to LOG; with LIB preloaded if given, for a
sanitizer-built driver), then for every READER polls with fresh PC/SC
contexts (pyscard's raw binding) until a SELECT MF through that reader is
answered, and records the time from pcscd's start. Then it stops pcscd
with SIGTERM and waits for it; the cards (softcard in normal mode) must
notice and connect to the next pcscd by themselves.

Prints the median and the maximum per reader and over all, and how many
answers took longer than 1 s; exits 1 if a card did not answer within
10 s of a start (the figures are for docs/reliability.md, the exit status
only says that every card came back). Stops only the pcscd it started.
"""
import os
import signal
import statistics
import subprocess
import sys
import time

from smartcard import scard

SELECT_MF = [0x00, 0xA4, 0x00, 0x0C, 0x02, 0x3F, 0x00]
GIVE_UP = 10.0


def answers(reader):
    """True if one SELECT MF through `reader` gets a status word."""
    rv, ctx = scard.SCardEstablishContext(scard.SCARD_SCOPE_USER)
    if rv != scard.SCARD_S_SUCCESS:
        return False
    try:
        rv, card, proto = scard.SCardConnect(
            ctx, reader, scard.SCARD_SHARE_SHARED,
            scard.SCARD_PROTOCOL_T0 | scard.SCARD_PROTOCOL_T1)
        if rv != scard.SCARD_S_SUCCESS:
            return False
        rv, resp = scard.SCardTransmit(card, proto, SELECT_MF)
        scard.SCardDisconnect(card, scard.SCARD_LEAVE_CARD)
        return rv == scard.SCARD_S_SUCCESS and len(resp) >= 2
    finally:
        scard.SCardReleaseContext(ctx)


def start_pcscd(confdir, log, preload):
    env = dict(os.environ)
    if preload:
        env["LD_PRELOAD"] = preload
        env["ASAN_OPTIONS"] = "detect_leaks=0:abort_on_error=1"
    try:
        os.unlink("/run/pcscd/pcscd.comm")
    except FileNotFoundError:
        pass
    return subprocess.Popen(["pcscd", "-f", "-a", "-c", confdir],
                            stdout=log, stderr=log, env=env)


def one_round(rnd, confdir, log, preload, readers):
    proc = start_pcscd(confdir, log, preload)
    t0 = time.monotonic()
    times = {}
    try:
        pending = list(readers)
        while pending:
            if proc.poll() is not None:
                print("FAIL round %d: pcscd exited with %d"
                      % (rnd, proc.returncode))
                sys.exit(1)
            now = time.monotonic() - t0
            if now > GIVE_UP:
                print("FAIL round %d: %s did not answer within %.0f s"
                      % (rnd, ", ".join(pending), GIVE_UP))
                sys.exit(1)
            for r in list(pending):
                if answers(r):
                    times[r] = time.monotonic() - t0
                    pending.remove(r)
            time.sleep(0.005)
    finally:
        if proc.poll() is None:
            proc.send_signal(signal.SIGTERM)
        proc.wait(timeout=20)
    return times


def main():
    args = sys.argv[1:]
    rounds, confdir, logpath = int(args[0]), args[1], args[2]
    args = args[3:]
    preload = None
    if args[:1] == ["--preload"]:
        preload, args = args[1], args[2:]
    readers = args
    per = {r: [] for r in readers}
    with open(logpath, "ab") as log:
        for rnd in range(rounds):
            for r, t in one_round(rnd, confdir, log, preload,
                                  readers).items():
                per[r].append(t)
    every = [t for ts in per.values() for t in ts]
    for r, ts in per.items():
        print("%s: median %.0f ms, max %.0f ms" % (
            r, 1000 * statistics.median(ts), 1000 * max(ts)))
    print("ok: %d restarts, %d cards: median %.0f ms, max %.0f ms, "
          "%d answers later than 1 s" % (
              rounds, len(readers), 1000 * statistics.median(every),
              1000 * max(every), sum(1 for t in every if t > 1.0)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
