/* SPDX-License-Identifier: LGPL-2.1-or-later */
/**
 * @file bytes.h
 * @brief Byte buffers, hex conversion and secret-safe helpers.
 *
 * sfc_buf is the one growable byte buffer of the project. Appending never
 * fails loudly: on allocation failure (or overflow of a fixed buffer) the
 * buffer sets `failed` and ignores further appends, so encoders can append a
 * whole structure and check once at the end.
 */
#ifndef SFC_CORE_BYTES_H
#define SFC_CORE_BYTES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "softcard.h"

typedef struct sfc_buf {
    uint8_t *data;
    size_t len;
    size_t cap;
    bool fixed;  /**< memory is borrowed: never grown or freed */
    bool failed; /**< an append did not fit; contents are incomplete */
} sfc_buf;

/** An empty growable buffer (no allocation until the first append). */
void buf_init(sfc_buf *b);
/** A buffer over caller memory of `cap` bytes; it never grows. */
void buf_init_fixed(sfc_buf *b, uint8_t *mem, size_t cap);
/** Free owned memory (wiped first) and return to the empty state. */
void buf_free(sfc_buf *b);
/** Set the length to 0 and clear `failed`; keeps the memory. */
void buf_reset(sfc_buf *b);
/** Make room for `extra` more bytes; false (and `failed`) if impossible. */
bool buf_reserve(sfc_buf *b, size_t extra);
bool buf_put(sfc_buf *b, const void *data, size_t len);
bool buf_put_u8(sfc_buf *b, uint8_t v);
bool buf_put_u16be(sfc_buf *b, uint16_t v);
/** Insert `len` bytes at `pos` (pos <= b->len), moving the tail. */
bool buf_insert(sfc_buf *b, size_t pos, const void *data, size_t len);
/** Remove `len` bytes at `pos` (clamped to the buffer). */
void buf_remove(sfc_buf *b, size_t pos, size_t len);

/**
 * Decode hex text to bytes. Accepts upper and lower case; pairs may be
 * separated by single spaces, tabs, colons or nothing ("3B95", "3b 95",
 * "3B:95"); a separator inside a pair or an odd digit count is an error.
 * Returns SFC_E_FORMAT for bad text, SFC_E_RANGE if `cap` is too small.
 */
sfc_err hex_decode(const char *text, uint8_t *out, size_t cap, size_t *out_len);

/** Flags for hex_encode. */
enum { HEX_UPPER = 1, HEX_SPACED = 2 };

/**
 * Encode bytes as hex, NUL-terminated. Returns the number of characters
 * written (without NUL), or 0 and an empty string if `cap` is too small
 * (cap needs 2*len+1, or 3*len with HEX_SPACED, plus 1).
 */
size_t hex_encode(const uint8_t *data, size_t len, unsigned flags, char *out,
                  size_t cap);

/** Constant-time equality of two equal-length byte strings. */
bool sfc_ct_equal(const void *a, const void *b, size_t len);

/** Wipe memory that held secrets (not optimised away). */
void sfc_wipe(void *p, size_t len);

static inline uint16_t sfc_get_u16be(const uint8_t *p)
{
    return (uint16_t)((p[0] << 8) | p[1]);
}

static inline void sfc_put_u16be(uint8_t *p, uint16_t v)
{
    p[0] = (uint8_t)(v >> 8);
    p[1] = (uint8_t)v;
}

#endif
