/* SPDX-License-Identifier: LGPL-2.1-or-later */
/**
 * @file apdu.c
 * @brief Command APDU parsing and encoding (ISO/IEC 7816-4 §5.1).
 *
 * A command APDU is a 4-byte header followed by one of seven body layouts
 * (cases 1, 2S, 3S, 4S, 2E, 3E, 4E). The parser decides the case from the
 * byte count and the first body byte alone, exactly as the standard
 * describes, and rejects everything else: a short Lc of 00, an extended Lc of
 * 0000, mixed short/extended fields, truncated data and trailing bytes. The
 * card OS relies on this: once apdu_parse() succeeds, nc, ne and data are
 * consistent and no handler has to look at length bytes again.
 *
 * A case 4E command may carry any 2-byte Le, and the encoder writes an
 * extended (2-byte) Lc whenever Nc > 255. The 5-byte form CLA INS P1 P2 00
 * is case 2S with Ne = 256, never the start of an extended encoding. (Where
 * the reference emulator differs: docs/decisions.md.)
 */
#include "core/apdu.h"

#include <string.h>

#include "core/bytes.h"

#define APDU_HEADER_SIZE 4u
/** Short Le 00 means 256, extended Le 0000 means 65536. */
#define APDU_SHORT_NE_MAX 256u
#define APDU_SHORT_NC_MAX 255u

/* ---- parsing ---------------------------------------------------------- */

static size_t short_le_to_ne(uint8_t le)
{
    return le == 0 ? APDU_SHORT_NE_MAX : le;
}

static size_t extended_le_to_ne(const uint8_t *le)
{
    uint16_t v = sfc_get_u16be(le);
    return v == 0 ? APDU_MAX_NE : v;
}

static void set_case(apdu *out, apdu_case kind, bool extended)
{
    out->kind = kind;
    out->extended = extended;
}

/** Body starting with a non-zero byte: short Lc, data, optional short Le. */
static sfc_err parse_short_body(const uint8_t *body, size_t body_len, apdu *out)
{
    size_t nc = body[0];
    size_t after_lc = body_len - 1;
    if (after_lc != nc && after_lc != nc + 1)
        return SFC_E_FORMAT;
    out->nc = nc;
    out->data = body + 1;
    if (after_lc == nc) {
        set_case(out, APDU_CASE_3, false);
        return SFC_OK;
    }
    out->has_le = true;
    out->ne = short_le_to_ne(body[body_len - 1]);
    set_case(out, APDU_CASE_4, false);
    return SFC_OK;
}

/**
 * Body starting with 00 and at least 3 bytes long: extended Le alone (case
 * 2E) or extended Lc, data and an optional 2-byte Le (cases 3E, 4E).
 */
static sfc_err parse_extended_body(const uint8_t *body, size_t body_len,
                                  apdu *out)
{
    if (body_len == 3) {
        out->has_le = true;
        out->ne = extended_le_to_ne(body + 1);
        set_case(out, APDU_CASE_2, true);
        return SFC_OK;
    }
    size_t nc = sfc_get_u16be(body + 1);
    size_t after_lc = body_len - 3;
    if (nc == 0 || (after_lc != nc && after_lc != nc + 2))
        return SFC_E_FORMAT;
    out->nc = nc;
    out->data = body + 3;
    if (after_lc == nc) {
        set_case(out, APDU_CASE_3, true);
        return SFC_OK;
    }
    out->has_le = true;
    out->ne = extended_le_to_ne(body + body_len - 2);
    set_case(out, APDU_CASE_4, true);
    return SFC_OK;
}

/**
 * Forget what a failed parse may have half-filled. The header bytes stay:
 * the card OS logs them with the 6700 it answers.
 */
static void clear_body(apdu *out)
{
    apdu header = {.cla = out->cla, .ins = out->ins, .p1 = out->p1,
                   .p2 = out->p2};
    *out = header;
}

/** Everything after the header decides the case (ISO/IEC 7816-4 §5.1). */
static sfc_err parse_body(const uint8_t *body, size_t body_len, apdu *out)
{
    if (body_len == 0) {
        set_case(out, APDU_CASE_1, false);
        return SFC_OK;
    }
    if (body_len == 1) { /* case 2S, also for Le 00: never extended */
        out->has_le = true;
        out->ne = short_le_to_ne(body[0]);
        set_case(out, APDU_CASE_2, false);
        return SFC_OK;
    }
    if (body[0] != 0)
        return parse_short_body(body, body_len, out);
    if (body_len >= 3)
        return parse_extended_body(body, body_len, out);
    return SFC_E_FORMAT; /* 00 xx: neither a short Lc nor extended */
}

sfc_err apdu_parse(const uint8_t *raw, size_t len, apdu *out)
{
    if (!out || (!raw && len > 0))
        return SFC_E_INVAL;
    memset(out, 0, sizeof(*out));
    if (len < APDU_HEADER_SIZE)
        return SFC_E_FORMAT;
    out->cla = raw[0];
    out->ins = raw[1];
    out->p1 = raw[2];
    out->p2 = raw[3];
    sfc_err err = parse_body(raw + APDU_HEADER_SIZE, len - APDU_HEADER_SIZE,
                            out);
    if (err != SFC_OK)
        clear_body(out);
    return err;
}

/* ---- encoding --------------------------------------------------------- */

/** Check the fields; SFC_OK if the APDU can be encoded at all. */
static sfc_err check_encodable(const apdu *a)
{
    if (a->nc > APDU_MAX_NC)
        return SFC_E_RANGE;
    if (a->nc > 0 && !a->data)
        return SFC_E_INVAL;
    if (a->has_le && (a->ne == 0 || a->ne > APDU_MAX_NE))
        return SFC_E_INVAL;
    return SFC_OK;
}

/** Extended when asked for, or when a length does not fit a short field. */
static bool needs_extended(const apdu *a)
{
    return a->extended || a->nc > APDU_SHORT_NC_MAX ||
           (a->has_le && a->ne > APDU_SHORT_NE_MAX);
}

/**
 * Size of the encoding of a valid APDU. Case 1 has no extended form, so a
 * forced extended encoding without Lc and Le is just the header.
 */
static size_t encoded_size_of_valid(const apdu *a)
{
    bool ext = needs_extended(a);
    size_t size = APDU_HEADER_SIZE;
    if (a->nc > 0)
        size += (ext ? 3 : 1) + a->nc;
    if (a->has_le) {
        if (ext)
            size += a->nc > 0 ? 2 : 3; /* 2E carries the 00 marker itself */
        else
            size += 1;
    }
    return size;
}

size_t apdu_encoded_size(const apdu *a)
{
    if (!a || check_encodable(a) != SFC_OK)
        return 0;
    return encoded_size_of_valid(a);
}

static void write_le(uint8_t *p, size_t ne, bool ext)
{
    if (ext)
        sfc_put_u16be(p, (uint16_t)(ne == APDU_MAX_NE ? 0 : ne));
    else
        p[0] = (uint8_t)(ne == APDU_SHORT_NE_MAX ? 0 : ne);
}

sfc_err apdu_encode(const apdu *a, uint8_t *out, size_t cap, size_t *out_len)
{
    if (out_len)
        *out_len = 0;
    if (!a || (!out && cap > 0))
        return SFC_E_INVAL;
    sfc_err err = check_encodable(a);
    if (err != SFC_OK)
        return err;
    size_t size = encoded_size_of_valid(a);
    if (size > cap)
        return SFC_E_RANGE;

    bool ext = needs_extended(a);
    uint8_t *p = out;
    *p++ = a->cla;
    *p++ = a->ins;
    *p++ = a->p1;
    *p++ = a->p2;
    if (a->nc > 0) {
        if (ext) {
            *p++ = 0;
            sfc_put_u16be(p, (uint16_t)a->nc);
            p += 2;
        } else {
            *p++ = (uint8_t)a->nc;
        }
        memcpy(p, a->data, a->nc);
        p += a->nc;
    }
    if (a->has_le) {
        if (ext && a->nc == 0)
            *p++ = 0; /* case 2E: the 00 marker that precedes the 2-byte Le */
        write_le(p, a->ne, ext);
        p += ext ? 2 : 1;
    }
    if (out_len)
        *out_len = (size_t)(p - out);
    return SFC_OK;
}
