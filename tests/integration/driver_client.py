#!/usr/bin/python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""PC/SC checks of the softcard reader driver, through pcscd (pyscard's raw
binding, so that every return code is visible).

usage: driver_client.py CHECK READER [ARGS...]

  apdu READER HEX SW            one APDU; the status word must be SW
  basics READER                 ATR attribute, part 10 features, protocol,
                                an extended APDU, SCardReconnect
  killed READER                 an APDU with INS EE kills the fake card:
                                the transmission fails with "no smart card"
                                or "removed", and once pcscd has seen the
                                reader empty the next one gives
                                SCARD_W_REMOVED_CARD
  slow READER SECONDS           an APDU to a mute card fails within SECONDS
  list NAME...                  the reader list is exactly NAME...
  find ATR                      print the readers holding a card with this
                                ATR (hex), one per line, sorted

Exits 0 when every check passed; prints "ok: ..." or "FAIL: ..." per check.
"""
import sys
import time

from smartcard import scard

failures = []
ISO_ATR = bytes.fromhex("3B9513810180" "73FF01000B")
GET_FEATURE_REQUEST = scard.SCARD_CTL_CODE(3400)
GET_TLV_PROPERTIES = 0x42330012


def check(what, got, want):
    if got == want:
        print("ok:", what)
    else:
        failures.append("%s: got %r, expected %r" % (what, got, want))
        print("FAIL:", failures[-1])


def err(rv):
    return scard.SCardGetErrorMessage(rv) + " (0x%08X)" % (rv & 0xFFFFFFFF)


def context():
    rv, ctx = scard.SCardEstablishContext(scard.SCARD_SCOPE_USER)
    if rv != scard.SCARD_S_SUCCESS:
        sys.exit("SCardEstablishContext: " + err(rv))
    return ctx


def connect(ctx, reader, share=scard.SCARD_SHARE_SHARED,
            protocols=scard.SCARD_PROTOCOL_T0 | scard.SCARD_PROTOCOL_T1):
    rv, card, proto = scard.SCardConnect(ctx, reader, share, protocols)
    if rv != scard.SCARD_S_SUCCESS:
        sys.exit("SCardConnect(%s): %s" % (reader, err(rv)))
    return card, proto


def transmit(card, proto, apdu_hex):
    rv, resp = scard.SCardTransmit(card, proto, list(bytes.fromhex(apdu_hex)))
    return rv, bytes(resp)


def sw_of(resp):
    return resp[-2:].hex().upper()


def check_apdu(reader, apdu_hex, sw):
    ctx = context()
    card, proto = connect(ctx, reader)
    rv, resp = transmit(card, proto, apdu_hex)
    check("%s answers %s" % (apdu_hex, sw), (err(rv), sw_of(resp)),
          (err(scard.SCARD_S_SUCCESS), sw))
    scard.SCardDisconnect(card, scard.SCARD_LEAVE_CARD)


def check_features(card):
    rv, feat = scard.SCardControl(card, GET_FEATURE_REQUEST, [])
    check("feature list", (err(rv), bytes(feat).hex()),
          (err(0), "120442330012"))
    rv, props = scard.SCardControl(card, GET_TLV_PROPERTIES, [])
    # dwMaxAPDUDataSize = 65526 = 0x0000FFF6, little-endian
    check("dwMaxAPDUDataSize", (err(rv), bytes(props).hex()),
          (err(0), "0a04f6ff0000"))
    rv, _ = scard.SCardControl(card, scard.SCARD_CTL_CODE(1), [])
    check("unknown control code", err(rv), err(scard.SCARD_E_UNSUPPORTED_FEATURE))


def check_basics(reader):
    ctx = context()
    card, proto = connect(ctx, reader)
    check("negotiated T=1 (the ATR offers T=1 only)", proto,
          scard.SCARD_PROTOCOL_T1)
    rv, atr = scard.SCardGetAttrib(card, scard.SCARD_ATTR_ATR_STRING)
    check("SCARD_ATTR_ATR_STRING", (err(rv), bytes(atr)), (err(0), ISO_ATR))
    check_features(card)
    rv, resp = transmit(card, proto, "00A4000C023F00")
    check("SELECT MF", (err(rv), resp.hex()), (err(0), "9000"))
    rv, resp = transmit(card, proto, "00840000000400")  # extended Le 1024
    check("extended GET CHALLENGE", (err(rv), len(resp), sw_of(resp)),
          (err(0), 1026, "9000"))
    rv, resp = transmit(card, scard.SCARD_PROTOCOL_T0, "00A4000C023F00")
    check("T=0 PCI on a T=1 card", err(rv), err(scard.SCARD_E_PROTO_MISMATCH))
    rv, proto = scard.SCardReconnect(card, scard.SCARD_SHARE_SHARED,
                                     scard.SCARD_PROTOCOL_T1,
                                     scard.SCARD_RESET_CARD)
    check("SCardReconnect with reset", err(rv), err(0))
    rv, resp = transmit(card, proto, "00A4000C023F00")
    check("SELECT MF after reset", (err(rv), resp.hex()), (err(0), "9000"))
    rv, _, _, _, atr = scard.SCardStatus(card)
    check("SCardStatus ATR", (err(rv), bytes(atr)), (err(0), ISO_ATR))
    scard.SCardDisconnect(card, scard.SCARD_UNPOWER_CARD)


def event_state(ctx, reader):
    rv, states = scard.SCardGetStatusChange(
        ctx, 0, [(reader, scard.SCARD_STATE_UNAWARE)])
    return states[0][1] if rv == scard.SCARD_S_SUCCESS else 0


def wait_removal_seen(ctx, reader, counter, seconds):
    """Wait until pcscd's event thread has handled a removal: the reader's
    event counter (high 16 bits of the state) moved on and it is empty.
    SCardTransmit itself already marks the reader empty when the driver
    says the card is gone; the handles get SCARD_W_REMOVED_CARD only once
    the event thread has run."""
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        state = event_state(ctx, reader)
        if (state >> 16) != counter and state & scard.SCARD_STATE_EMPTY:
            return True
        time.sleep(0.01)
    return False


def check_killed(reader):
    ctx = context()
    card, proto = connect(ctx, reader)
    rv, resp = transmit(card, proto, "00A4000C023F00")
    check("the fake card answers", (err(rv), resp.hex()), (err(0), "9000"))
    counter = event_state(ctx, reader) >> 16
    rv, _ = transmit(card, proto, "00EE000000")
    gone = (scard.SCARD_W_REMOVED_CARD, scard.SCARD_E_NO_SMARTCARD)
    print("transmission to the killed card:", err(rv))
    check("the interrupted transmission reports the card gone",
          (rv & 0xFFFFFFFF) in [g & 0xFFFFFFFF for g in gone], True)
    check("pcscd sees the removal", wait_removal_seen(ctx, reader, counter,
                                                      2.0), True)
    rv, _ = transmit(card, proto, "00A4000C023F00")
    check("the next transmission", err(rv), err(scard.SCARD_W_REMOVED_CARD))
    scard.SCardDisconnect(card, scard.SCARD_LEAVE_CARD)


def check_slow(reader, seconds):
    ctx = context()
    card, proto = connect(ctx, reader)
    start = time.monotonic()
    rv, _ = transmit(card, proto, "00A4000C023F00")
    took = time.monotonic() - start
    print("mute card: %s after %.2f s" % (err(rv), took))
    check("APDU to a mute card fails", rv != scard.SCARD_S_SUCCESS, True)
    check("within %s s" % seconds, took < float(seconds), True)
    scard.SCardDisconnect(card, scard.SCARD_LEAVE_CARD)


def check_list(names):
    ctx = context()
    rv, readers = scard.SCardListReaders(ctx, [])
    check("reader list", (err(rv), sorted(readers)), (err(0), sorted(names)))


def find_atr(atr_hex):
    ctx = context()
    rv, readers = scard.SCardListReaders(ctx, [])
    if rv != scard.SCARD_S_SUCCESS:
        sys.exit("SCardListReaders: " + err(rv))
    rv, states = scard.SCardGetStatusChange(
        ctx, 0, [(r, scard.SCARD_STATE_UNAWARE) for r in readers])
    if rv != scard.SCARD_S_SUCCESS:
        sys.exit("SCardGetStatusChange: " + err(rv))
    want = bytes.fromhex(atr_hex)
    for name, _, atr in sorted(states):
        if bytes(atr) == want:
            print(name)


def main():
    check_name, args = sys.argv[1], sys.argv[2:]
    if check_name == "apdu":
        check_apdu(*args)
    elif check_name == "basics":
        check_basics(*args)
    elif check_name == "killed":
        check_killed(*args)
    elif check_name == "slow":
        check_slow(*args)
    elif check_name == "list":
        check_list(args)
    elif check_name == "find":
        find_atr(*args)
    else:
        sys.exit("unknown check " + check_name)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
