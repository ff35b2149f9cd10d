#!/usr/bin/python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""A hostile vpcd peer, for the fault campaigns of tests/stress/.

usage: hostile_peer.py MODE PORT [--listen] [--seconds S]

Plays either side of the vpcd wire (2-byte big-endian length + payload)
and misbehaves in one way per MODE, over and over (reconnecting whenever
the other side hangs up) until S seconds have passed (default: for ever):

  oversized   every frame it sends claims 65535 bytes (an ATR, an answer)
  zero        every frame it sends is empty (length 0000)
  truncated   sends the header of an 11-byte frame and 3 bytes, then stays
              silent with the connection open
  slow        sends a valid ATR frame (or APDU) one byte a second
  flood       sends 64 KiB frames back to back and never reads
  flood-apdu  sends extended GET CHALLENGE frames (Le 0000) back to back and
              never reads (against softcard -R: answers pile up unread)
  close       sends one valid ATR frame (or APDU) and closes at once
  many        opens 64 connections at once, each sends an ATR frame and
              holds; all close after 2 s, and again

By default it connects to 127.0.0.1:PORT, as a card connects to the driver
in normal mode (or as vpcd connects to softcard -R: then its frames are
APDUs). With --listen it listens there and serves every connection in its
own thread, as a card in reversed mode (the driver dials it). Prints
"ready" once started and, at the end, how many connections it made.
"""
import argparse
import socket
import struct
import threading
import time

ATR = bytes.fromhex("3B9513810180" "73FF01000B")
APDU = bytes.fromhex("0084000008")


def frame(payload):
    return struct.pack(">H", len(payload)) + payload


def send(sock, data):
    try:
        sock.sendall(data)
        return True
    except OSError:
        return False


def wait_closed(sock, stop, seconds=None):
    """Hold the connection (reading and dropping) until it ends."""
    end = None if seconds is None else time.monotonic() + seconds
    sock.settimeout(0.2)
    while not stop.is_set() and (end is None or time.monotonic() < end):
        try:
            if not sock.recv(65536):
                return
        except socket.timeout:
            continue
        except OSError:
            return


def serve(mode, sock, stop, as_card):
    first = frame(ATR if as_card else APDU)
    if mode == "oversized":
        send(sock, b"\xff\xff" + b"\x3b" * 65535)
    elif mode == "zero":
        send(sock, b"\x00\x00" * 8)
    elif mode == "truncated":
        send(sock, b"\x00\x0b" + ATR[:3])
    elif mode == "slow":
        for b in first:
            if stop.is_set() or not send(sock, bytes([b])):
                return
            time.sleep(1.0)
    elif mode == "flood":
        big = b"\xff\xff" + bytes(65535)
        while not stop.is_set() and send(sock, big):
            pass
        return
    elif mode == "flood-apdu":
        burst = frame(bytes.fromhex("00840000000000")) * 1024
        while not stop.is_set() and send(sock, burst):
            pass
        return
    elif mode == "close":
        send(sock, first)
        return
    wait_closed(sock, stop)


def connect(port):
    try:
        return socket.create_connection(("127.0.0.1", port), timeout=2)
    except OSError:
        return None


def many_round(port, stop):
    """64 connections at once (non-blocking: the driver serves one card per
    slot and the rest wait in its listen backlog), each sending an ATR."""
    socks = []
    for _ in range(64):
        s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        s.setblocking(False)
        s.connect_ex(("127.0.0.1", port))
        socks.append(s)
    stop.wait(0.2)
    for s in socks:
        try:
            s.send(frame(ATR))
        except OSError:
            pass
    stop.wait(1.8)
    for s in socks:
        s.close()
    return len(socks)


def run_connecting(mode, port, stop):
    count = 0
    while not stop.is_set():
        if mode == "many":
            count += many_round(port, stop)
            continue
        s = connect(port)
        if s is None:
            stop.wait(0.05)
            continue
        count += 1
        try:
            serve(mode, s, stop, as_card=True)
        finally:
            s.close()
    return count


def run_listening(mode, port, stop):
    srv = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    srv.bind(("127.0.0.1", port))
    srv.listen(64)
    srv.settimeout(0.2)
    count = 0
    while not stop.is_set():
        try:
            s, _ = srv.accept()
        except socket.timeout:
            continue
        count += 1

        def one(sock=s):
            try:
                serve(mode if mode != "many" else "truncated", sock, stop,
                      as_card=True)
            finally:
                sock.close()
        threading.Thread(target=one, daemon=True).start()
    srv.close()
    return count


def main():
    p = argparse.ArgumentParser()
    p.add_argument("mode", choices=["oversized", "zero", "truncated", "slow",
                                    "flood", "flood-apdu", "close", "many"])
    p.add_argument("port", type=int)
    p.add_argument("--listen", action="store_true")
    p.add_argument("--seconds", type=float, default=None)
    a = p.parse_args()
    stop = threading.Event()
    if a.seconds is not None:
        threading.Timer(a.seconds, stop.set).start()
    print("ready", flush=True)
    run = run_listening if a.listen else run_connecting
    n = run(a.mode, a.port, stop)
    print("%s: %d connections" % (a.mode, n), flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
