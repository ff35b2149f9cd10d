/* SPDX-License-Identifier: LGPL-2.1-or-later */
/**
 * @file bytes.c
 * @brief The growable byte buffer, hex text conversion and secret helpers.
 *
 * Every encoder in the project writes into an sfc_buf, so the buffer is built
 * to make encoders simple: appends never need individual checks because a
 * failure (no memory, a fixed buffer full, a size that would overflow) sets
 * the sticky `failed` flag and turns every later append into a no-op. The
 * encoder checks once at the end.
 *
 * Buffers may hold key material and PINs, so owned memory is wiped before it
 * is released, including the old block when the buffer grows (which is why
 * growth uses malloc + copy + wipe instead of realloc). Memory supplied by
 * the caller (fixed buffers) belongs to the caller and is never wiped here.
 *
 * The hex helpers are used by the command line, by card images and by the
 * tests; hex_decode is deliberately strict so that a typo in a card image is
 * reported rather than silently producing different bytes.
 */
#include "core/bytes.h"

#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>

/** Smallest allocation of a growable buffer; avoids many tiny reallocs. */
#define BUF_MIN_CAPACITY 64u

/* ---- sfc_buf ----------------------------------------------------------- */

void buf_init(sfc_buf *b)
{
    memset(b, 0, sizeof(*b));
}

void buf_init_fixed(sfc_buf *b, uint8_t *mem, size_t cap)
{
    memset(b, 0, sizeof(*b));
    b->data = mem;
    b->cap = mem ? cap : 0;
    b->fixed = true;
}

void buf_free(sfc_buf *b)
{
    if (b->fixed) {
        /* Borrowed memory stays attached: the buffer is empty again but
         * still a fixed buffer over the caller's memory. */
        b->len = 0;
        b->failed = false;
        return;
    }
    if (b->data) {
        sfc_wipe(b->data, b->cap);
        free(b->data);
    }
    buf_init(b);
}

void buf_reset(sfc_buf *b)
{
    b->len = 0;
    b->failed = false;
}

static bool buf_fail(sfc_buf *b)
{
    b->failed = true;
    return false;
}

/**
 * The capacity to grow to for `needed` bytes: doubling keeps appends
 * amortised O(1); when doubling would overflow, exactly `needed` is used.
 */
static size_t buf_grown_capacity(size_t cap, size_t needed)
{
    size_t grown = cap < BUF_MIN_CAPACITY ? BUF_MIN_CAPACITY : cap;
    while (grown < needed) {
        if (grown > SIZE_MAX / 2)
            return needed;
        grown *= 2;
    }
    return grown;
}

/** Move the contents to a new block of `new_cap` bytes, wiping the old. */
static bool buf_move_to_new_block(sfc_buf *b, size_t new_cap)
{
    uint8_t *mem = malloc(new_cap);
    if (!mem)
        return buf_fail(b);
    if (b->data) {
        memcpy(mem, b->data, b->len);
        sfc_wipe(b->data, b->cap);
        free(b->data);
    }
    b->data = mem;
    b->cap = new_cap;
    return true;
}

bool buf_reserve(sfc_buf *b, size_t extra)
{
    if (b->failed)
        return false;
    if (extra > SIZE_MAX - b->len)
        return buf_fail(b);
    size_t needed = b->len + extra;
    if (needed <= b->cap)
        return true;
    if (b->fixed)
        return buf_fail(b);
    return buf_move_to_new_block(b, buf_grown_capacity(b->cap, needed));
}

/** True if `p` points into the buffer's current memory block. */
static bool buf_contains(const sfc_buf *b, const void *p)
{
    uintptr_t start = (uintptr_t)b->data;
    uintptr_t at = (uintptr_t)p;
    return b->data && at >= start && at - start < b->cap;
}

bool buf_put(sfc_buf *b, const void *data, size_t len)
{
    if (b->failed)
        return false;
    if (len == 0)
        return true;
    if (!data)
        return buf_fail(b);
    /* Appending a piece of the buffer to itself must survive a move of the
     * memory block, so remember the source as an offset. */
    bool self = buf_contains(b, data);
    size_t offset = self ? (size_t)((const uint8_t *)data - b->data) : 0;
    if (!buf_reserve(b, len))
        return false;
    const uint8_t *src = self ? b->data + offset : data;
    memmove(b->data + b->len, src, len);
    b->len += len;
    return true;
}

bool buf_put_u8(sfc_buf *b, uint8_t v)
{
    return buf_put(b, &v, 1);
}

bool buf_put_u16be(sfc_buf *b, uint16_t v)
{
    uint8_t be[2];
    sfc_put_u16be(be, v);
    return buf_put(b, be, sizeof(be));
}

/** Open a gap of `len` bytes at `pos`; the gap's contents are undefined. */
static bool buf_open_gap(sfc_buf *b, size_t pos, size_t len)
{
    if (!buf_reserve(b, len))
        return false;
    memmove(b->data + pos + len, b->data + pos, b->len - pos);
    b->len += len;
    return true;
}

bool buf_insert(sfc_buf *b, size_t pos, const void *data, size_t len)
{
    if (b->failed)
        return false;
    if (pos > b->len || (len > 0 && !data))
        return buf_fail(b);
    if (len == 0)
        return true;
    if (!buf_contains(b, data)) {
        if (!buf_open_gap(b, pos, len))
            return false;
        memcpy(b->data + pos, data, len);
        return true;
    }
    /* Inserting a piece of the buffer into itself: the source moves when the
     * gap opens, so copy it out first (wiped, it may be secret). */
    uint8_t *copy = malloc(len);
    if (!copy)
        return buf_fail(b);
    memcpy(copy, data, len);
    bool ok = buf_open_gap(b, pos, len);
    if (ok)
        memcpy(b->data + pos, copy, len);
    sfc_wipe(copy, len);
    free(copy);
    return ok;
}

void buf_remove(sfc_buf *b, size_t pos, size_t len)
{
    if (pos >= b->len)
        return;
    if (len > b->len - pos)
        len = b->len - pos;
    memmove(b->data + pos, b->data + pos + len, b->len - pos - len);
    b->len -= len;
}

/* ---- hex -------------------------------------------------------------- */

/** Value of a hex digit, or -1. */
static int hex_digit_value(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

static bool is_hex_separator(char c)
{
    return c == ' ' || c == '\t' || c == ':';
}

/**
 * Walk the text once to check its shape and count the bytes, so that
 * hex_decode can report SFC_E_FORMAT before SFC_E_RANGE and never writes
 * partial output. A separator is allowed only between two pairs: not
 * leading, not trailing, not doubled, not inside a pair.
 */
static sfc_err hex_count_bytes(const char *text, size_t *count)
{
    size_t n = 0;
    const char *s = text;
    while (*s) {
        if (n > 0 && is_hex_separator(*s))
            s++;
        if (hex_digit_value(s[0]) < 0 || hex_digit_value(s[1]) < 0)
            return SFC_E_FORMAT;
        s += 2;
        n++;
    }
    *count = n;
    return SFC_OK;
}

sfc_err hex_decode(const char *text, uint8_t *out, size_t cap, size_t *out_len)
{
    size_t n = 0;
    if (out_len)
        *out_len = 0;
    if (!text || (!out && cap > 0))
        return SFC_E_INVAL;
    sfc_err err = hex_count_bytes(text, &n);
    if (err != SFC_OK)
        return err;
    if (n > cap)
        return SFC_E_RANGE;
    const char *s = text;
    for (size_t i = 0; i < n; i++) {
        if (is_hex_separator(*s))
            s++;
        out[i] = (uint8_t)(hex_digit_value(s[0]) << 4 | hex_digit_value(s[1]));
        s += 2;
    }
    if (out_len)
        *out_len = n;
    return SFC_OK;
}

/** Characters hex_encode needs including the NUL; 0 on overflow. */
static size_t hex_encoded_capacity(size_t len, unsigned flags)
{
    size_t per_byte = (flags & HEX_SPACED) ? 3 : 2;
    if (len > (SIZE_MAX - 1) / per_byte)
        return 0;
    if (len == 0)
        return 1;
    /* Spaced output has no trailing space: "3B 95" is 3*len-1 characters. */
    return per_byte * len + ((flags & HEX_SPACED) ? 0 : 1);
}

size_t hex_encode(const uint8_t *data, size_t len, unsigned flags, char *out,
                  size_t cap)
{
    static const char upper[] = "0123456789ABCDEF";
    static const char lower[] = "0123456789abcdef";
    const char *digits = (flags & HEX_UPPER) ? upper : lower;
    size_t needed = hex_encoded_capacity(len, flags);
    if (!out || cap == 0)
        return 0;
    out[0] = '\0';
    if (needed == 0 || needed > cap || (len > 0 && !data))
        return 0;
    size_t n = 0;
    for (size_t i = 0; i < len; i++) {
        if (i > 0 && (flags & HEX_SPACED))
            out[n++] = ' ';
        out[n++] = digits[data[i] >> 4];
        out[n++] = digits[data[i] & 0x0F];
    }
    out[n] = '\0';
    return n;
}

/* ---- secrets ---------------------------------------------------------- */

bool sfc_ct_equal(const void *a, const void *b, size_t len)
{
    if (len == 0)
        return true;
    return CRYPTO_memcmp(a, b, len) == 0;
}

void sfc_wipe(void *p, size_t len)
{
    if (p && len > 0)
        OPENSSL_cleanse(p, len);
}
