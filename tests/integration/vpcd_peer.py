#!/usr/bin/python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""Play vpcd against a card listening in reversed mode and check its answers.

usage: vpcd_peer.py HOST PORT
Exits 0 when every check passes; prints what failed otherwise.
"""
import socket
import struct
import sys
import time


def frame(payload):
    return struct.pack(">H", len(payload)) + payload


class Peer:
    def __init__(self, host, port):
        self.s = socket.create_connection((host, port), timeout=5)

    def recv_exact(self, n):
        b = b""
        while len(b) < n:
            c = self.s.recv(n - len(b))
            if not c:
                raise EOFError("card closed the connection")
            b += c
        return b

    def recv_frame(self):
        (n,) = struct.unpack(">H", self.recv_exact(2))
        return self.recv_exact(n)

    def xfer(self, apdu_hex):
        self.s.sendall(frame(bytes.fromhex(apdu_hex)))
        return self.recv_frame().hex().upper()


def expect(what, got, want):
    if got != want:
        print("FAIL %s: got %s, expected %s" % (what, got, want))
        sys.exit(1)


def main():
    p = Peer(sys.argv[1], int(sys.argv[2]))
    p.s.sendall(frame(b"\x04"))
    expect("ATR", p.recv_frame().hex().upper(), "3B9513810180 73FF01000B".replace(" ", ""))
    # power on, reset, GET ATR coalesced in one segment; only the ATR answers
    p.s.sendall(frame(b"\x01") + frame(b"\x02") + frame(b"\x04"))
    expect("ATR after reset", p.recv_frame().hex().upper()[:4], "3B95")
    expect("SELECT MF", p.xfer("00A4000C023F00"), "9000")
    # a frame split in two writes with a pause must not be executed early
    raw = frame(bytes.fromhex("00A40000023F0000"))
    p.s.sendall(raw[:3])
    time.sleep(0.3)
    p.s.sendall(raw[3:])
    expect("split frame", p.recv_frame().hex().upper(), "6F0A83023F008A01058201389000")
    # two APDUs in one segment give two answers in order
    p.s.sendall(frame(bytes.fromhex("00A4000C023F00")) + frame(bytes.fromhex("0084000002")))
    expect("coalesced 1", p.recv_frame().hex().upper(), "9000")
    expect("coalesced 2 length", len(p.recv_frame()), 4)
    # an unknown control byte and an empty frame get no answer
    p.s.sendall(frame(b"\x07") + struct.pack(">H", 0) + frame(bytes.fromhex("00A4000C023F00")))
    expect("after junk", p.recv_frame().hex().upper(), "9000")
    # a 2-byte and a 3-byte APDU are answered with 6700
    expect("2-byte APDU", p.xfer("00A4"), "6700")
    expect("3-byte APDU", p.xfer("00A400"), "6700")
    # a large extended APDU
    big = "00D6000000FFF0" + "00" * 0xFFF0
    r = p.xfer(big)
    if r not in ("6986", "9000"):
        expect("big APDU", r, "6986")
    p.s.sendall(frame(b"\x00"))
    p.s.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
