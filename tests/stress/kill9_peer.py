#!/usr/bin/python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""kill -9 of a card at random moments while it writes its image.

usage: kill9_peer.py SOFTCARD IMAGE PORT ROUNDS LOG

Each round starts softcard in reversed mode on an iso7816 image and plays
the vpcd peer (tests/integration/image_peer.py's Card): it checks what the
restarted card serves, then sends a random mix of UPDATE BINARY of an
increasing counter (EF 0102) and wrong VERIFYs of PIN 1 (a right VERIFY
when one try is left, so the PIN never blocks), recording every
acknowledged answer, while a timer kills the card with SIGKILL at a random
moment (0..120 ms). After every kill:

  - `softcard --check-image` must load the image (0 unloadable images);
  - the image must hold at least the last acknowledged counter and at most
    the last one sent (0 acknowledged writes lost);
  - the restarted card must report at most the tries left that the last
    acknowledged VERIFY reported (a PIN counter is never restored), unless
    a right VERIFY was in flight when the card died.

Prints one line of figures ("ok: N kills, W acknowledged writes, V wrong
VERIFYs acknowledged, 0 lost, 0 unloadable, 0 restored") and exits 0, or
prints FAIL and exits 1. Only the processes it starts are stopped, by PID.
"""
import os
import random
import signal
import subprocess
import sys
import threading

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                "..", "integration"))
import image_peer  # noqa: E402
from image_peer import Card, disk_counter, expect, fail  # noqa: E402

WRONG = "002000010439393939"
RIGHT = "002000010431323334"
TRIES = 3


def tries_left(card):
    sw = card.xfer("0020000100")
    if sw == "9000":  # verified in this session (cannot be: fresh start)
        fail("PIN verified right after a restart")
    if not sw.startswith("63C"):
        fail("VERIFY status: " + sw)
    return int(sw[3], 16)


class State:
    """What the peer knows for certain about the card."""

    def __init__(self):
        self.acked = 0         # last acknowledged counter value
        self.tries = TRIES     # tries left per the last acknowledged VERIFY
        self.right_in_flight = False
        self.sent = 0          # last counter value sent
        self.writes = 0
        self.wrongs = 0


def one_command(card, st, value):
    """Send one command; returns the next counter value. Raises on death."""
    if random.random() < 0.7:
        st.sent = value
        r = card.xfer("00D6000008" + "%016X" % value)
        if r != "9000":
            fail("UPDATE BINARY %d: %s" % (value, r))
        st.acked = value
        st.writes += 1
        return value + 1
    if st.tries <= 1:
        st.right_in_flight = True
        expect("right VERIFY", card.xfer(RIGHT), "9000")
        st.right_in_flight = False
        st.tries = TRIES
        return value
    sw = card.xfer(WRONG)
    expect("wrong VERIFY", sw, "63C%X" % (st.tries - 1))
    st.tries -= 1
    st.wrongs += 1
    return value


def run_until_killed(card, st):
    """Commands until the card dies; returns the last counter value sent."""
    value = st.acked + 1
    st.sent = st.acked
    while True:
        try:
            value = one_command(card, st, value)
        except (OSError, EOFError):
            return st.sent


def check_restart(card, st, rnd):
    image_peer.select_or_create(card)
    r = card.xfer("00B0000008")
    expect("READ BINARY status", r[-4:], "9000")
    served = int(r[:-4], 16)
    if served < st.acked:
        fail("round %d: the card serves %d, %d was acknowledged"
             % (rnd, served, st.acked))
    st.acked = served
    left = tries_left(card)
    if left > st.tries and not st.right_in_flight:
        fail("round %d: PIN tries restored: %d left, %d acknowledged"
             % (rnd, left, st.tries))
    st.tries, st.right_in_flight = left, False


def check_image(softcard, image, log, rnd):
    r = subprocess.run([softcard, "--check-image", "-f", image],
                       stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                       check=False)
    log.write(r.stdout)
    if r.returncode != 0:
        fail("round %d: the image does not load: %s"
             % (rnd, r.stdout.decode(errors="replace").strip()))


def crash_round(args, st, rnd):
    softcard, image, port, log = args
    card = Card(softcard, image, port, log)
    try:
        check_restart(card, st, rnd)
        delay = random.uniform(0.0, 0.12)
        timer = threading.Timer(delay, os.kill, (card.proc.pid,
                                                 signal.SIGKILL))
        timer.start()
        sent = run_until_killed(card, st)
        timer.join()
    finally:
        card.kill()
    check_image(softcard, image, log, rnd)
    on_disk = disk_counter(image)
    if on_disk is None or not st.acked <= on_disk <= sent:
        fail("round %d: image holds %s, acknowledged %d, sent %d"
             % (rnd, on_disk, st.acked, sent))


def main():
    softcard, image, port, rounds, logpath = sys.argv[1:6]
    st = State()
    with open(logpath, "ab") as log:
        for rnd in range(int(rounds)):
            crash_round((softcard, image, int(port), log), st, rnd)
    print("ok: %s kills, %d acknowledged writes, %d wrong VERIFYs "
          "acknowledged, 0 acknowledged writes lost, 0 unloadable images, "
          "0 PIN counters restored" % (rounds, st.writes, st.wrongs))
    return 0


if __name__ == "__main__":
    sys.exit(main())
