#!/usr/bin/python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""A misbehaving vpcd card, for the driver's integration tests only.

usage: driver_fake_card.py MODE PORT [--listen | --repeat] [--host HOST]

Speaks the vpcd wire protocol (2-byte big-endian length + payload; 00 off,
01 on, 02 reset, 04 GET ATR, anything longer is an APDU) and misbehaves on
purpose, one way per MODE:

  silent        connects and never sends a byte, not even the ATR
  mute          answers GET ATR, never answers an APDU
  die           answers GET ATR and APDUs with 9000, but SIGKILLs itself
                when it receives an APDU with INS EE (a card process
                killed in the middle of a transmission)
  empty         answers GET ATR, answers every APDU with a zero-length frame
  long-atr      answers GET ATR with a 34-byte ATR
  echo          a well-behaved card: ATR, and APDUs answered with their
                own bytes followed by 9000

By default it connects to HOST:PORT (normal mode, retrying until the driver
listens) and exits when the connection ends, or connects again with
--repeat; with --listen it listens there instead (reversed mode) and serves
one driver connection after another. It prints "ready" once connected or
listening.
"""
import argparse
import os
import signal
import socket
import struct
import sys
import time

ATR = bytes.fromhex("3B9513810180" "73FF01000B")
LONG_ATR = bytes.fromhex("3B" + "00" * 33)


def read_exact(sock, n):
    data = b""
    while len(data) < n:
        chunk = sock.recv(n - len(data))
        if not chunk:
            raise EOFError
        data += chunk
    return data


def send_frame(sock, payload):
    sock.sendall(struct.pack("!H", len(payload)) + payload)


def answer(mode, sock, payload):
    if len(payload) == 1:
        if payload[0] == 0x04 and mode != "silent":
            send_frame(sock, LONG_ATR if mode == "long-atr" else ATR)
        return
    if mode in ("silent", "mute"):
        return
    if mode == "empty":
        sock.sendall(b"\x00\x00")
    elif mode == "die" and payload[1] == 0xEE:
        os.kill(os.getpid(), signal.SIGKILL)
    elif mode == "echo":
        send_frame(sock, payload + b"\x90\x00")
    else:
        send_frame(sock, b"\x90\x00")


def serve(mode, sock):
    try:
        while True:
            (size,) = struct.unpack("!H", read_exact(sock, 2))
            answer(mode, sock, read_exact(sock, size) if size else b"")
    except (EOFError, OSError):
        pass
    finally:
        sock.close()


def connect(host, port):
    while True:
        try:
            return socket.create_connection((host, port))
        except OSError:
            time.sleep(0.05)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("mode", choices=["silent", "mute", "die", "empty",
                                     "long-atr", "echo"])
    ap.add_argument("port", type=int)
    ap.add_argument("--listen", action="store_true")
    ap.add_argument("--repeat", action="store_true")
    ap.add_argument("--host", default="127.0.0.1")
    args = ap.parse_args()
    if not args.listen:
        while True:
            sock = connect(args.host, args.port)
            print("ready", flush=True)
            serve(args.mode, sock)
            if not args.repeat:
                return 0
    server = socket.create_server((args.host, args.port))
    print("ready", flush=True)
    while True:
        conn, _ = server.accept()
        serve(args.mode, conn)


if __name__ == "__main__":
    sys.exit(main())
