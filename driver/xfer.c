/* SPDX-License-Identifier: LGPL-2.1-or-later */
/**
 * @file xfer.c
 * @brief Exchanges with a connected card: control bytes, GET ATR, APDUs.
 *
 * Each request is one frame written with one send(); each reply is read
 * through the shared frame decoder with a deadline (atr_timeout for ATRs,
 * timeout for APDUs). Anything that leaves the byte stream in an unknown
 * state ejects the card: a timeout (a late reply would be taken for the
 * answer to the next command), an empty reply (vpcd's "card removed"), a
 * second reply, a 1-byte response, a frame sent unasked (found waiting
 * before a request is written), or a socket error. A response that does
 * not fit the caller's buffer is refused without ejecting, since the stream
 * is still in step.
 */
#include <stdio.h>
#include <string.h>

#include "presence.h"
#include "core/errtext.h"
#include "drvlog.h"
#include "net.h"

/*
 * Before a request the stream must be quiet: a byte waiting now is a frame
 * the card sent unasked, and the reply read after the request would be it
 * instead of the answer. Eject such a card (docs/driver.md).
 */
static sfc_err check_quiet(drv_slot *s)
{
    switch (net_peer_state(s->conn_fd)) {
    case NET_PEER_IDLE:
        return SFC_OK;
    case NET_PEER_DATA:
        drv_eject(s, SFC_LOG_WARN, "the card sent data nobody asked for "
                  "(protocol error)");
        return SFC_E_FORMAT;
    case NET_PEER_CLOSED:
        break;
    }
    drv_eject(s, SFC_LOG_INFO, "the card closed the connection");
    return SFC_E_REMOVED;
}

static sfc_err send_payload(drv_slot *s, const uint8_t *payload, size_t len,
                           unsigned timeout_ms)
{
    size_t n = 0;
    int e = 0;
    char text[96], why[160];
    sfc_err err = vpcd_frame_encode(payload, len, s->io, DRV_IO_SIZE, &n);
    if (err != SFC_OK)
        return SFC_E_INVAL;
    err = check_quiet(s);
    if (err != SFC_OK)
        return err;
    err = net_send(s->conn_fd, s->io, n, net_now_ms() + timeout_ms, &e);
    if (err == SFC_OK)
        return SFC_OK;
    if (err == SFC_E_AGAIN) {
        drv_eject(s, SFC_LOG_ERROR, "the card stopped reading (send timeout)");
        return SFC_E_AGAIN;
    }
    snprintf(why, sizeof(why), "cannot send: %s",
             sfc_errno_text(e, text, sizeof(text)));
    drv_eject(s, SFC_LOG_INFO, why);
    return SFC_E_REMOVED;
}

static sfc_err reply_failed(drv_slot *s, sfc_err err, int e, const char *what,
                           unsigned timeout_ms)
{
    char text[96], why[200];
    switch (err) {
    case SFC_E_AGAIN:
        snprintf(why, sizeof(why), "no %s within %u ms (silent card)", what,
                 timeout_ms);
        drv_eject(s, SFC_LOG_ERROR, why);
        return SFC_E_AGAIN;
    case SFC_E_CLOSED:
        snprintf(why, sizeof(why), "the card closed the connection instead "
                 "of sending its %s", what);
        drv_eject(s, SFC_LOG_INFO, why);
        return SFC_E_REMOVED;
    case SFC_E_FORMAT:
        snprintf(why, sizeof(why), "more than one frame in reply to one "
                 "request (%s; protocol error)", what);
        drv_eject(s, SFC_LOG_WARN, why);
        return SFC_E_FORMAT;
    default:
        snprintf(why, sizeof(why), "socket error while waiting for %s: %s",
                 what, sfc_errno_text(e, text, sizeof(text)));
        drv_eject(s, SFC_LOG_INFO, why);
        return SFC_E_REMOVED;
    }
}

/* Read one reply frame; an empty one is a protocol error (vpcd reads it
 * as "card removed" and Debian's 0.8 hangs on it). */
static sfc_err recv_reply(drv_slot *s, const char *what, unsigned timeout_ms,
                         const uint8_t **frame, size_t *len)
{
    int e = 0;
    sfc_err err = net_recv_frame(s->conn_fd, &s->dec, s->io, DRV_IO_SIZE,
                                net_now_ms() + timeout_ms, frame, len, &e);
    if (err != SFC_OK)
        return reply_failed(s, err, e, what, timeout_ms);
    if (*len == 0) {
        char why[160];
        snprintf(why, sizeof(why), "zero-length frame instead of its %s "
                 "(protocol error)", what);
        drv_eject(s, SFC_LOG_WARN, why);
        return SFC_E_FORMAT;
    }
    return SFC_OK;
}

sfc_err drv_fetch_atr(drv_slot *s)
{
    const uint8_t get_atr = VPCD_CTRL_ATR;
    const uint8_t *atr = NULL;
    size_t len = 0;
    sfc_err err = send_payload(s, &get_atr, 1, s->cfg.atr_timeout_ms);
    if (err == SFC_OK)
        err = recv_reply(s, "ATR", s->cfg.atr_timeout_ms, &atr, &len);
    if (err != SFC_OK)
        return err;
    if (len > SFC_ATR_MAX) {
        char why[120];
        snprintf(why, sizeof(why), "its ATR has %zu bytes, more than the %u "
                 "that PC/SC allows", len, SFC_ATR_MAX);
        drv_eject(s, SFC_LOG_ERROR, why);
        return SFC_E_FORMAT;
    }
    memcpy(s->atr, atr, len);
    s->atr_len = len;
    return SFC_OK;
}

sfc_err drv_power(drv_slot *s, uint8_t ctrl)
{
    if (s->conn_fd < 0)
        return SFC_E_STATE;
    sfc_log(SFC_LOG_DEBUG, "%s: power %s", s->name,
           ctrl == VPCD_CTRL_OFF ? "off" : ctrl == VPCD_CTRL_ON ? "on"
                                                                : "reset");
    s->protocol = 0;
    sfc_err err = send_payload(s, &ctrl, 1, s->cfg.atr_timeout_ms);
    if (err != SFC_OK || ctrl == VPCD_CTRL_OFF)
        return err;
    return drv_fetch_atr(s);
}

static sfc_err check_command(const drv_slot *s, size_t clen)
{
    if (clen >= 2 && clen <= VPCD_MAX_PAYLOAD)
        return SFC_OK;
    if (clen < 2)
        sfc_log(SFC_LOG_WARN, "%s: refused a %zu-byte command: an APDU has "
               "at least 4 bytes, and a 1-byte frame would be read as a "
               "control byte", s->name, clen);
    else
        sfc_log(SFC_LOG_WARN, "%s: refused a %zu-byte command: a vpcd frame "
               "carries at most %u bytes", s->name, clen, VPCD_MAX_PAYLOAD);
    return SFC_E_INVAL;
}

sfc_err drv_transmit(drv_slot *s, const uint8_t *capdu, size_t clen,
                    uint8_t *rapdu, size_t *rlen)
{
    const uint8_t *resp = NULL;
    size_t len = 0;
    if (check_command(s, clen) != SFC_OK)
        return SFC_E_INVAL;
    if (s->conn_fd < 0)
        return SFC_E_STATE;
    drv_log_command(s->name, capdu, clen);
    sfc_err err = send_payload(s, capdu, clen, s->cfg.apdu_timeout_ms);
    if (err == SFC_OK)
        err = recv_reply(s, "response APDU", s->cfg.apdu_timeout_ms, &resp,
                         &len);
    if (err != SFC_OK)
        return err;
    if (len < 2) {
        drv_eject(s, SFC_LOG_WARN, "a 1-byte response (a response APDU ends "
                  "with SW1 SW2; protocol error)");
        return SFC_E_FORMAT;
    }
    drv_log_response(s->name, resp, len);
    if (len > *rlen) {
        sfc_log(SFC_LOG_WARN, "%s: the %zu-byte response does not fit the "
               "caller's %zu-byte buffer", s->name, len, *rlen);
        return SFC_E_RANGE;
    }
    memcpy(rapdu, resp, len);
    *rlen = len;
    return SFC_OK;
}
