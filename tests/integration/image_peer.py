#!/usr/bin/python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""Drive softcard cards that run from an image, as vpcd would, and check the
image on disk after kills and restarts. No pcscd is involved: softcard runs
in reversed mode (-R) and this script connects to it as the vpcd peer.

usage: image_peer.py crash SOFTCARD IMAGE PORT ROUNDS LOG
       image_peer.py pins  SOFTCARD IMAGE PORT LOG

crash: each round starts the card, checks that it serves what the image
       holds, then writes an increasing counter into EF 0102 with UPDATE
       BINARY, recording every acknowledged value, while a timer kills the
       card with SIGKILL at a random moment. After each kill the image must
       parse (Python's json module), be mode 0600, and hold a counter at least
       the last acknowledged one and at most the last one sent.
pins:  wrong VERIFYs, kills and restarts: a restart never restores tries.

Exits 0 when every check passes; prints what failed otherwise. Only the
processes this script starts are stopped, by PID.
"""
import json
import os
import random
import signal
import socket
import stat
import struct
import subprocess
import sys
import threading
import time

EF = "0102"
CREATE_EF = "00E000000C620A8201018302" + EF + "800108"


def frame(payload):
    return struct.pack(">H", len(payload)) + payload


class Card:
    """One softcard process in reversed mode and a vpcd connection to it."""

    def __init__(self, softcard, image, port, log):
        self.proc = subprocess.Popen(
            [softcard, "-R", "-P", str(port), "-f", image],
            stdout=log, stderr=log)
        self.sock = self._connect(port)
        self.sock.sendall(frame(b"\x01"))  # power on

    def _connect(self, port):
        deadline = time.monotonic() + 10
        while True:
            if self.proc.poll() is not None:
                raise RuntimeError("softcard exited with %d" % self.proc.returncode)
            try:
                return socket.create_connection(("127.0.0.1", port), timeout=5)
            except OSError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.01)

    def _recv_exact(self, n):
        b = b""
        while len(b) < n:
            c = self.sock.recv(n - len(b))
            if not c:
                raise EOFError("card closed the connection")
            b += c
        return b

    def xfer(self, apdu_hex):
        self.sock.sendall(frame(bytes.fromhex(apdu_hex)))
        (n,) = struct.unpack(">H", self._recv_exact(2))
        return self._recv_exact(n).hex().upper()

    def kill(self, sig=signal.SIGKILL):
        if self.proc.poll() is None:
            os.kill(self.proc.pid, sig)
        self.proc.wait(timeout=10)
        self.sock.close()


def fail(msg):
    print("FAIL " + msg)
    sys.exit(1)


def expect(what, got, want):
    if got != want:
        fail("%s: got %s, expected %s" % (what, got, want))


def load_image(path):
    mode = stat.S_IMODE(os.stat(path).st_mode)
    if mode != 0o600:
        fail("%s has mode %o, expected 600" % (path, mode))
    with open(path) as f:
        return json.load(f)  # raises on a broken image


def find_file(image, fid):
    for child in image["mf"].get("children", []):
        if child["fid"] == fid:
            return child
    return None


def disk_counter(path):
    ef = find_file(load_image(path), EF)
    return None if ef is None else int(ef["data"], 16)


# ---- crash test ---------------------------------------------------------------

def select_or_create(card):
    sw = card.xfer("00A4020C02" + EF)
    if sw == "6A82":
        expect("CREATE FILE", card.xfer(CREATE_EF), "9000")
    else:
        expect("SELECT EF", sw, "9000")


def write_until_killed(card, first):
    """Write first, first+1, ... until the card dies; returns (acked, sent)."""
    acked, sent, value = first - 1, first - 1, first
    while True:
        sent = value
        try:
            r = card.xfer("00D6000008" + "%016X" % value)
        except (OSError, EOFError):
            return acked, sent
        if r != "9000":
            fail("UPDATE BINARY %d: %s" % (value, r))
        acked = value
        value += 1


def crash_round(args, rnd, acked_before):
    softcard, image, port, log = args
    card = Card(softcard, image, port, log)
    try:
        select_or_create(card)
        r = card.xfer("00B0000008")
        expect("READ BINARY status", r[-4:], "9000")
        served = int(r[:-4], 16)
        if served < acked_before:
            fail("round %d: the card serves %d, %d was acknowledged"
                 % (rnd, served, acked_before))
        delay = random.uniform(0.0, 0.12)
        timer = threading.Timer(delay, os.kill, (card.proc.pid, signal.SIGKILL))
        timer.start()
        acked, sent = write_until_killed(card, served + 1)
        timer.join()
    finally:
        card.kill()
    on_disk = disk_counter(image)
    if on_disk is None or not max(acked, served) <= on_disk <= sent:
        fail("round %d: image holds %s, acknowledged %d, sent %d"
             % (rnd, on_disk, acked, sent))
    return max(acked, served), acked - served


def crash(softcard, image, port, rounds, log):
    acked, writes = 0, 0
    for rnd in range(rounds):
        acked, n = crash_round((softcard, image, port, log), rnd, acked)
        writes += n
    print("ok: %d kills, %d acknowledged writes, last %d on disk"
          % (rounds, writes, acked))


# ---- PIN counters --------------------------------------------------------------

def tries_on_disk(image, want):
    """Check the counter in a plain image (encrypted ones are opaque here)."""
    doc = load_image(image)
    if doc["format"] == "softcard-card-image":
        expect("tries on disk", doc["pins"][0]["tries_left"], want)


def pins(softcard, image, port, log):
    start = lambda: Card(softcard, image, port, log)  # noqa: E731
    c = start()
    expect("wrong PIN", c.xfer("002000010439393939"), "63C2")
    c.kill()  # SIGKILL right after the answer
    tries_on_disk(image, 2)
    c = start()
    expect("after restart", c.xfer("0020000100"), "63C2")
    expect("wrong PIN again", c.xfer("002000010439393939"), "63C1")
    c.kill(signal.SIGTERM)
    c = start()
    expect("after clean stop", c.xfer("0020000100"), "63C1")
    expect("right PIN", c.xfer("002000010431323334"), "9000")
    c.kill()
    c = start()
    expect("not verified after restart", c.xfer("0020000100"), "63C3")
    for left in ("63C2", "63C1", "63C0"):
        expect("wrong PIN", c.xfer("002000010439393939"), left)
    c.kill()
    c = start()
    expect("blocked after restart", c.xfer("002000010431323334"), "6983")
    tries_on_disk(image, 0)
    expect("RESET RETRY COUNTER", c.xfer("002C0101083132333435363738"), "9000")
    c.kill()
    c = start()
    expect("unblocked after restart", c.xfer("002000010431323334"), "9000")
    c.kill()
    print("ok: PIN try counters survive kills and restarts")


def main():
    mode, softcard, image, port = sys.argv[1:5]
    if mode == "crash":
        rounds, logpath = int(sys.argv[5]), sys.argv[6]
        with open(logpath, "ab") as log:
            crash(softcard, image, int(port), rounds, log)
    elif mode == "pins":
        with open(sys.argv[5], "ab") as log:
            pins(softcard, image, int(port), log)
    else:
        fail("unknown mode " + mode)
    return 0


if __name__ == "__main__":
    sys.exit(main())
