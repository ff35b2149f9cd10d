/* SPDX-License-Identifier: LGPL-2.1-or-later */
/**
 * @file frame.c
 * @brief The vpcd frame codec: a byte-stream decoder and a one-buffer encoder.
 *
 * The decoder is a two-phase state machine (2 header bytes, then the
 * announced number of payload bytes) that accepts input in pieces of any
 * size. It never reports a partial frame and stops after each completed
 * frame so that the caller can act on it before feeding the rest, which is
 * how coalesced frames such as `00 01 02 00 01 04` are handled. The encoder
 * writes the length and payload into one buffer so that a frame leaves in
 * one write (docs/protocol.md, "Socket rules", says why that matters).
 */
#include "vpcd/frame.h"

#include <stdlib.h>
#include <string.h>

vpcd_msg_kind vpcd_classify(const uint8_t *payload, size_t len)
{
    if (len == 0 || payload == NULL)
        return VPCD_MSG_EMPTY;
    if (len >= 2)
        return VPCD_MSG_APDU;
    switch (payload[0]) {
    case VPCD_CTRL_OFF: return VPCD_MSG_POWER_OFF;
    case VPCD_CTRL_ON: return VPCD_MSG_POWER_ON;
    case VPCD_CTRL_RESET: return VPCD_MSG_RESET;
    case VPCD_CTRL_ATR: return VPCD_MSG_GET_ATR;
    default: return VPCD_MSG_UNKNOWN_CTRL;
    }
}

sfc_err vpcd_decoder_init(vpcd_decoder *d)
{
    memset(d, 0, sizeof(*d));
    d->payload = malloc(VPCD_MAX_PAYLOAD);
    return d->payload ? SFC_OK : SFC_E_NOMEM;
}

void vpcd_decoder_free(vpcd_decoder *d)
{
    free(d->payload);
    memset(d, 0, sizeof(*d));
}

void vpcd_decoder_reset(vpcd_decoder *d)
{
    d->header_got = 0;
    d->need = 0;
    d->got = 0;
}

bool vpcd_decoder_idle(const vpcd_decoder *d)
{
    return d->header_got == 0 && d->got == 0;
}

/* Take header bytes; returns how many were used. */
static size_t take_header(vpcd_decoder *d, const uint8_t *in, size_t len)
{
    size_t n = VPCD_HEADER_SIZE - d->header_got;
    if (n > len)
        n = len;
    memcpy(d->header + d->header_got, in, n);
    d->header_got = (uint8_t)(d->header_got + n);
    if (d->header_got == VPCD_HEADER_SIZE) {
        d->need = ((size_t)d->header[0] << 8) | d->header[1];
        d->got = 0;
    }
    return n;
}

/* Take payload bytes; returns how many were used. */
static size_t take_payload(vpcd_decoder *d, const uint8_t *in, size_t len)
{
    size_t n = d->need - d->got;
    if (n > len)
        n = len;
    memcpy(d->payload + d->got, in, n);
    d->got += n;
    return n;
}

size_t vpcd_decoder_feed(vpcd_decoder *d, const uint8_t *in, size_t len,
                         const uint8_t **frame, size_t *frame_len,
                         bool *complete)
{
    size_t used = 0;

    *complete = false;
    *frame = NULL;
    *frame_len = 0;
    if (d->payload == NULL)
        return 0;
    if (d->header_got < VPCD_HEADER_SIZE)
        used += take_header(d, in, len);
    if (d->header_got == VPCD_HEADER_SIZE)
        used += take_payload(d, in + used, len - used);
    if (d->header_got == VPCD_HEADER_SIZE && d->got == d->need) {
        *complete = true;
        *frame = d->payload;
        *frame_len = d->need;
        vpcd_decoder_reset(d);
    }
    return used;
}

sfc_err vpcd_frame_encode(const uint8_t *payload, size_t len, uint8_t *out,
                         size_t cap, size_t *out_len)
{
    if (len == 0 || len > VPCD_MAX_PAYLOAD || payload == NULL || out == NULL)
        return SFC_E_INVAL;
    if (cap < len + VPCD_HEADER_SIZE)
        return SFC_E_RANGE;
    out[0] = (uint8_t)(len >> 8);
    out[1] = (uint8_t)len;
    memmove(out + VPCD_HEADER_SIZE, payload, len);
    if (out_len)
        *out_len = len + VPCD_HEADER_SIZE;
    return SFC_OK;
}
