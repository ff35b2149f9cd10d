/* SPDX-License-Identifier: LGPL-2.1-or-later */
/**
 * @file tlv.h
 * @brief BER-TLV, SIMPLE-TLV and COMPACT-TLV (ISO/IEC 7816-4 §5.2, §6.3).
 *
 * Decoding is strict about bounds: a length running past the input, a
 * truncated tag, an indefinite length (80) or a length of more than four
 * bytes is SFC_E_FORMAT. Non-minimal length encodings (e.g. 81 05) are
 * accepted on input, because real cards send them; output is always
 * canonical (short form for 0..127, then 81 xx, 82 xxxx, ...).
 *
 * Tags are handled as the integer formed by their bytes, big-endian: 0x84,
 * 0x5F1F, 0x7F49, 0x5F2E. Tags of up to three bytes are supported (ISO/IEC
 * 7816-4 allows no more). Second tag bytes 01..1E are accepted (ICAO's
 * 5F01, EMV's 9F02) although ISO/IEC 7816-4 reserves them; 00 and 80 are
 * not. Bytes 00 and FF are not tags; between objects they are padding that
 * iterators may skip.
 */
#ifndef SFC_CORE_TLV_H
#define SFC_CORE_TLV_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/bytes.h"

/* ---- BER-TLV ---------------------------------------------------------- */

typedef struct ber_tlv {
    uint32_t tag;         /**< tag bytes as a big-endian integer */
    uint8_t tag_len;      /**< 1..3 */
    bool constructed;     /**< bit 6 of the first tag byte */
    const uint8_t *value; /**< points into the decoded input */
    size_t len;           /**< value length */
    size_t size;          /**< whole object: tag + length + value */
} ber_tlv;

/** Decode the object at the start of `p` (no padding skipped). */
sfc_err ber_decode(const uint8_t *p, size_t len, ber_tlv *out);

/** Iterator over consecutive objects in a buffer. */
typedef struct ber_iter {
    const uint8_t *p;
    size_t left;
    bool skip_padding; /**< skip 00 and FF bytes between objects */
} ber_iter;

void ber_iter_init(ber_iter *it, const uint8_t *p, size_t len,
                   bool skip_padding);
/** SFC_OK with the next object, SFC_E_END at the end, SFC_E_FORMAT if bad. */
sfc_err ber_iter_next(ber_iter *it, ber_tlv *out);

/**
 * Find the first object with `tag` among the top-level objects of a buffer
 * (padding skipped). SFC_E_NOT_FOUND if absent; SFC_E_FORMAT if the buffer is
 * malformed before the tag is found.
 */
sfc_err ber_find(const uint8_t *p, size_t len, uint32_t tag, ber_tlv *out);

/**
 * Follow a path of tags into nested constructed objects, e.g.
 * {0x7F49, 0x86}. Each element but the last must be constructed.
 */
sfc_err ber_find_path(const uint8_t *p, size_t len, const uint32_t *path,
                     size_t depth, ber_tlv *out);

/**
 * Check that a buffer is a well-formed sequence of objects, recursing into
 * constructed ones down to `max_depth` levels (deeper nesting is an error).
 */
sfc_err ber_validate(const uint8_t *p, size_t len, bool skip_padding,
                    unsigned max_depth);

/** True if `tag` is a well-formed tag number of 1..3 bytes. */
bool ber_tag_valid(uint32_t tag);
/** True if the tag's first byte says "constructed". */
bool ber_tag_constructed(uint32_t tag);
/** Bytes needed to encode the tag (1..3; 0 if invalid). */
size_t ber_tag_size(uint32_t tag);
/** Bytes needed to encode a length canonically (1..5; 0 above 0xFFFFFFFF). */
size_t ber_len_size(size_t len);

bool ber_put_tag(sfc_buf *b, uint32_t tag);
bool ber_put_len(sfc_buf *b, size_t len);
/** Append tag, canonical length and value. */
bool ber_put(sfc_buf *b, uint32_t tag, const uint8_t *value, size_t len);
/** Append a one-byte or two-byte big-endian unsigned value object. */
bool ber_put_u8(sfc_buf *b, uint32_t tag, uint8_t v);
bool ber_put_u16(sfc_buf *b, uint32_t tag, uint16_t v);

/**
 * Open a constructed object: ber_begin() appends the tag and returns a mark;
 * append the contents; ber_end() inserts the canonical length. Objects may
 * nest. Returns false if the buffer failed.
 */
size_t ber_begin(sfc_buf *b, uint32_t tag);
bool ber_end(sfc_buf *b, size_t mark);

/* ---- SIMPLE-TLV ------------------------------------------------------- */

/** Tag 01..FE; length one byte 00..FE, or FF followed by two bytes. */
typedef struct simple_tlv {
    uint8_t tag;
    const uint8_t *value;
    size_t len;
    size_t size; /**< whole object */
} simple_tlv;

sfc_err simple_tlv_decode(const uint8_t *p, size_t len, simple_tlv *out);
/** Iterate: decodes at *offset and advances it; SFC_E_END at the end. */
sfc_err simple_tlv_next(const uint8_t *p, size_t len, size_t *offset,
                       simple_tlv *out);
/** Append one object (canonical: FF form only for lengths >= 255). */
bool simple_tlv_put(sfc_buf *b, uint8_t tag, const uint8_t *value, size_t len);

/* ---- COMPACT-TLV (historical bytes) ----------------------------------- */

/** One byte: tag in the high nibble, length 0..15 in the low nibble. */
typedef struct compact_tlv {
    uint8_t tag; /**< 0..15 */
    const uint8_t *value;
    size_t len;
    size_t size;
} compact_tlv;

sfc_err compact_tlv_decode(const uint8_t *p, size_t len, compact_tlv *out);
sfc_err compact_tlv_next(const uint8_t *p, size_t len, size_t *offset,
                        compact_tlv *out);
/** Append; tag 0..15 and len 0..15, else false and buffer marked failed. */
bool compact_tlv_put(sfc_buf *b, uint8_t tag, const uint8_t *value, size_t len);

#endif
