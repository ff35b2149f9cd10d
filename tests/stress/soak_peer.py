#!/usr/bin/python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""Soak through pcscd at full speed, sampling the RSS of the processes.

usage: soak_peer.py SECONDS ISO_READER EPASS_READER EPASS_READ MRZ
                    [--flat] NAME=PID...

For SECONDS, one PC/SC connection to ISO_READER (an iso7816 card) sends a
mix of commands back to back: SELECT, GET CHALLENGE, READ BINARY, wrong
and right VERIFY, and failing ones (unknown INS 6D00, wrong length, missing
file, a short APDU); every transmit must succeed at the PC/SC level. In
parallel, EPASS_READ (tests/integration/epass_read.c) reads the ePass in
EPASS_READER again and again: BAC, then every file under secure messaging.
Once a second the RSS (VmRSS) of every NAME=PID is sampled.

Prints the number of APDUs (and per status word class), of ePass reads,
and per process the RSS at the end of the warm-up (the first quarter), the
maximum after it and at the end. With --flat, fails if a process grew after
the warm-up by more than 10 % or 2 MiB, whichever is larger (for the full
run without sanitizers; ASan's quarantine grows on its own). Exits 1 if a
transmit or an ePass read failed or a process disappeared.
"""
import collections
import subprocess
import sys
import threading
import time

from smartcard import scard

MIX = [
    ("00A4000C023F00", "select MF"),
    ("0084000008", "get challenge"),
    ("00B0000000", "read binary, no EF"),
    ("0020000104" + "39393939", "wrong VERIFY"),
    ("0020000104" + "31323334", "right VERIFY"),
    ("00FF000000", "unknown INS"),
    ("00A4000C033F00", "wrong Lc"),
    ("00A4000C02DEAD", "missing file"),
    ("00A4", "short APDU"),
    ("0084000000", "get challenge Le 256"),
]


def rss_kib(pid):
    try:
        with open("/proc/%d/status" % pid) as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1])
    except OSError:
        return None
    return None


class Soak:
    def __init__(self, seconds):
        self.end = time.monotonic() + seconds
        self.sws = collections.Counter()
        self.apdus = 0
        self.reads = 0
        self.failures = []

    def iso_loop(self, reader):
        rv, ctx = scard.SCardEstablishContext(scard.SCARD_SCOPE_USER)
        rv, card, proto = scard.SCardConnect(
            ctx, reader, scard.SCARD_SHARE_SHARED,
            scard.SCARD_PROTOCOL_T0 | scard.SCARD_PROTOCOL_T1)
        if rv != scard.SCARD_S_SUCCESS:
            self.failures.append("connect %s: %s" % (
                reader, scard.SCardGetErrorMessage(rv)))
            return
        cmds = [list(bytes.fromhex(h)) for h, _ in MIX]
        i = 0
        while time.monotonic() < self.end:
            rv, resp = scard.SCardTransmit(card, proto, cmds[i % len(cmds)])
            if rv != scard.SCARD_S_SUCCESS or len(resp) < 2:
                self.failures.append("transmit %s: %s" % (
                    MIX[i % len(MIX)][1], scard.SCardGetErrorMessage(rv)))
                return
            self.sws["%02X" % resp[-2]] += 1
            self.apdus += 1
            i += 1
        scard.SCardDisconnect(card, scard.SCARD_LEAVE_CARD)
        scard.SCardReleaseContext(ctx)

    def epass_loop(self, reader, tool, mrz):
        while time.monotonic() < self.end:
            r = subprocess.run([tool, "-r", reader, "--mrz", mrz],
                               stdout=subprocess.PIPE,
                               stderr=subprocess.STDOUT, check=False)
            if r.returncode != 0:
                self.failures.append("epass_read: " + r.stdout.decode(
                    errors="replace").strip()[-300:])
                return
            self.reads += 1


def sample(soak, pids, warm_end):
    series = {name: [] for name in pids}
    while time.monotonic() < soak.end:
        now = time.monotonic()
        for name, pid in pids.items():
            kib = rss_kib(pid)
            if kib is None:
                soak.failures.append("%s (pid %d) is gone" % (name, pid))
                return series
            series[name].append((now >= warm_end, kib))
        time.sleep(1.0)
    return series


def report(series, flat):
    bad = []
    for name, pts in series.items():
        warm = [k for after, k in pts if not after]
        after = [k for a, k in pts if a]
        base = warm[-1] if warm else pts[0][1]
        top = max(after) if after else base
        print("RSS %s: %d KiB after warm-up, max %d KiB after, %d KiB at "
              "the end (%+d KiB)" % (name, base, top, pts[-1][1],
                                     top - base))
        if flat and top - base > max(2048, base // 10):
            bad.append(name)
    return bad


def main():
    args = sys.argv[1:]
    seconds = float(args[0])
    iso_reader, epass_reader, tool, mrz = args[1:5]
    rest = args[5:]
    flat = "--flat" in rest
    pids = dict(a.split("=", 1) for a in rest if "=" in a)
    pids = {k: int(v) for k, v in pids.items()}
    soak = Soak(seconds)
    warm_end = time.monotonic() + seconds / 4
    threads = [threading.Thread(target=soak.iso_loop, args=(iso_reader,)),
               threading.Thread(target=soak.epass_loop,
                                args=(epass_reader, tool, mrz))]
    for t in threads:
        t.start()
    series = sample(soak, pids, warm_end)
    for t in threads:
        t.join()
    print("%d APDUs in %.0f s (%.0f/s), SW1: %s; %d ePass reads (BAC + SM)"
          % (soak.apdus, seconds, soak.apdus / seconds,
             " ".join("%s=%d" % kv for kv in sorted(soak.sws.items())),
             soak.reads))
    bad = report(series, flat)
    for f in soak.failures:
        print("FAIL " + f)
    if bad:
        print("FAIL RSS not flat after warm-up: " + ", ".join(bad))
    return 1 if soak.failures or bad else 0


if __name__ == "__main__":
    sys.exit(main())
