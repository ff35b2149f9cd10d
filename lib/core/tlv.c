/* SPDX-License-Identifier: LGPL-2.1-or-later */
/**
 * @file tlv.c
 * @brief BER-TLV, SIMPLE-TLV and COMPACT-TLV decoding and encoding.
 *
 * Almost every command data field and response of an ISO 7816 card is
 * TLV-coded, and most of it comes from the outside world, so every decoder
 * here is written against hostile input: each byte read is bounds-checked,
 * a length can never make an object reach past its enclosing buffer, and
 * nesting is walked without recursion (ber_validate keeps an explicit stack
 * bounded by both the depth limit and the input size), so a depth bomb
 * cannot exhaust the C stack.
 *
 * Decoding follows ISO/IEC 7816-4 §6.3: tags of one to three bytes, where
 * 00 and FF never start a tag and a second tag byte of 00 or 80 is invalid;
 * second bytes 01..1E, which ISO reserves, are accepted (see decode_tag and
 * docs/decisions.md). Long-form lengths with leading zeros (81 05) are
 * accepted because real cards send them; encoding is always canonical.
 * Tags are kept as the integer of their bytes, so a tag never needs
 * decoding into class and number to be compared.
 */
#include "core/tlv.h"

#include <stdlib.h>
#include <string.h>

_Static_assert(SIZE_MAX >= UINT32_MAX, "a 4-byte BER length must fit size_t");

/** Nesting depth ber_validate handles without allocating. */
#define BER_VALIDATE_LOCAL_DEPTH 32u
/** Longest long-form length: 84 followed by four bytes. */
#define BER_MAX_LENGTH_BYTES 4u
#define BER_MAX_TAG_BYTES 3u

static bool is_padding(uint8_t b)
{
    return b == 0x00 || b == 0xFF;
}

/* ---- BER-TLV: tags ---------------------------------------------------- */

static bool tag_continues_after_first_byte(uint8_t first)
{
    return (first & 0x1F) == 0x1F;
}

static bool tag_continues_after(uint8_t subsequent)
{
    return (subsequent & 0x80) != 0;
}

/**
 * Decode the tag at `p`. A second byte of 80 would be a leading zero in the
 * tag number and 00 a tag number of zero; both are invalid. ISO/IEC 7816-4
 * also calls 01..1E invalid there (those numbers have a one-byte form), but
 * ICAO 9303 uses 5F01 and 5F36 in EF.COM and EMV uses 9F02 and friends, so
 * they are accepted, as ASN.1 BER allows.
 */
static sfc_err decode_tag(const uint8_t *p, size_t len, uint32_t *tag,
                         size_t *tag_len)
{
    if (len == 0 || is_padding(p[0]))
        return SFC_E_FORMAT;
    if (!tag_continues_after_first_byte(p[0])) {
        *tag = p[0];
        *tag_len = 1;
        return SFC_OK;
    }
    if (len < 2 || p[1] == 0x00 || p[1] == 0x80)
        return SFC_E_FORMAT;
    if (!tag_continues_after(p[1])) {
        *tag = (uint32_t)p[0] << 8 | p[1];
        *tag_len = 2;
        return SFC_OK;
    }
    if (len < 3 || tag_continues_after(p[2]))
        return SFC_E_FORMAT; /* truncated, or longer than three bytes */
    *tag = (uint32_t)p[0] << 16 | (uint32_t)p[1] << 8 | p[2];
    *tag_len = 3;
    return SFC_OK;
}

/** The tag's bytes, most significant first; 0 if it has more than three. */
static size_t tag_to_bytes(uint32_t tag, uint8_t out[BER_MAX_TAG_BYTES])
{
    size_t n = tag > 0xFFFF ? 3 : tag > 0xFF ? 2 : 1;
    if (tag == 0 || tag > 0xFFFFFF)
        return 0;
    for (size_t i = 0; i < n; i++)
        out[i] = (uint8_t)(tag >> (8 * (n - 1 - i)));
    return n;
}

/** A tag is valid exactly when its bytes decode back to the whole tag. */
bool ber_tag_valid(uint32_t tag)
{
    uint8_t bytes[BER_MAX_TAG_BYTES];
    size_t n = tag_to_bytes(tag, bytes);
    uint32_t decoded;
    size_t decoded_len;
    return n > 0 && decode_tag(bytes, n, &decoded, &decoded_len) == SFC_OK &&
           decoded_len == n;
}

bool ber_tag_constructed(uint32_t tag)
{
    uint8_t bytes[BER_MAX_TAG_BYTES];
    return tag_to_bytes(tag, bytes) > 0 && (bytes[0] & 0x20) != 0;
}

size_t ber_tag_size(uint32_t tag)
{
    uint8_t bytes[BER_MAX_TAG_BYTES];
    return ber_tag_valid(tag) ? tag_to_bytes(tag, bytes) : 0;
}

/* ---- BER-TLV: lengths ------------------------------------------------- */

/** Decode a length field: short form, or 81..84 and 1..4 bytes. */
static sfc_err decode_length(const uint8_t *p, size_t len, size_t *value,
                            size_t *len_len)
{
    if (len == 0)
        return SFC_E_FORMAT;
    if (p[0] < 0x80) {
        *value = p[0];
        *len_len = 1;
        return SFC_OK;
    }
    size_t n = p[0] & 0x7Fu;
    if (n == 0 || n > BER_MAX_LENGTH_BYTES || n > len - 1)
        return SFC_E_FORMAT; /* indefinite, too long, or truncated */
    uint32_t v = 0;
    for (size_t i = 1; i <= n; i++)
        v = v << 8 | p[i];
    *value = v;
    *len_len = 1 + n;
    return SFC_OK;
}

size_t ber_len_size(size_t len)
{
    if (len < 0x80)
        return 1;
    if (len <= 0xFF)
        return 2;
    if (len <= 0xFFFF)
        return 3;
    if (len <= 0xFFFFFF)
        return 4;
    if ((uint64_t)len <= UINT32_MAX)
        return 5;
    return 0;
}

/** Canonical length bytes; 0 if the length has no BER encoding. */
static size_t length_to_bytes(size_t len, uint8_t out[1 + BER_MAX_LENGTH_BYTES])
{
    size_t n = ber_len_size(len);
    if (n == 0)
        return 0;
    if (n == 1) {
        out[0] = (uint8_t)len;
        return 1;
    }
    out[0] = (uint8_t)(0x80 | (n - 1));
    for (size_t i = 1; i < n; i++)
        out[i] = (uint8_t)(len >> (8 * (n - 1 - i)));
    return n;
}

/* ---- BER-TLV: decoding ------------------------------------------------ */

sfc_err ber_decode(const uint8_t *p, size_t len, ber_tlv *out)
{
    if (!out || (!p && len > 0))
        return SFC_E_INVAL;
    memset(out, 0, sizeof(*out));
    uint32_t tag;
    size_t tag_len, value_len, len_len;
    if (decode_tag(p, len, &tag, &tag_len) != SFC_OK ||
        decode_length(p + tag_len, len - tag_len, &value_len, &len_len) != SFC_OK)
        return SFC_E_FORMAT;
    size_t header = tag_len + len_len;
    if (value_len > len - header)
        return SFC_E_FORMAT;
    out->tag = tag;
    out->tag_len = (uint8_t)tag_len;
    out->constructed = (p[0] & 0x20) != 0;
    out->value = p + header;
    out->len = value_len;
    out->size = header + value_len;
    return SFC_OK;
}

void ber_iter_init(ber_iter *it, const uint8_t *p, size_t len,
                   bool skip_padding)
{
    it->p = p;
    it->left = p ? len : 0;
    it->skip_padding = skip_padding;
}

/**
 * On SFC_E_FORMAT the iterator stays on the bad object, so every later call
 * reports the same error instead of a misleading SFC_E_END.
 */
sfc_err ber_iter_next(ber_iter *it, ber_tlv *out)
{
    if (!it || !out)
        return SFC_E_INVAL;
    while (it->skip_padding && it->left > 0 && is_padding(it->p[0])) {
        it->p++;
        it->left--;
    }
    if (it->left == 0)
        return SFC_E_END;
    sfc_err err = ber_decode(it->p, it->left, out);
    if (err != SFC_OK)
        return err;
    it->p += out->size;
    it->left -= out->size;
    return SFC_OK;
}

sfc_err ber_find(const uint8_t *p, size_t len, uint32_t tag, ber_tlv *out)
{
    if (!out || (!p && len > 0))
        return SFC_E_INVAL;
    ber_iter it;
    ber_tlv obj;
    sfc_err err;
    ber_iter_init(&it, p, len, true);
    while ((err = ber_iter_next(&it, &obj)) == SFC_OK) {
        if (obj.tag == tag) {
            *out = obj;
            return SFC_OK;
        }
    }
    return err == SFC_E_END ? SFC_E_NOT_FOUND : err;
}

/** A primitive object on the way down has no children: the path is absent. */
sfc_err ber_find_path(const uint8_t *p, size_t len, const uint32_t *path,
                     size_t depth, ber_tlv *out)
{
    if (!out || !path || depth == 0 || (!p && len > 0))
        return SFC_E_INVAL;
    ber_tlv obj;
    for (size_t i = 0; i < depth; i++) {
        sfc_err err = ber_find(p, len, path[i], &obj);
        if (err != SFC_OK)
            return err;
        bool last = i + 1 == depth;
        if (!last && !obj.constructed)
            return SFC_E_NOT_FOUND;
        p = obj.value;
        len = obj.len;
    }
    *out = obj;
    return SFC_OK;
}

/**
 * Walk all objects depth-first. `ends` holds the end offsets of the open
 * constructed objects (at most `min(max_depth, len / 2)` of them: each open
 * object has a header of at least two bytes of its own).
 */
static sfc_err validate_nested(const uint8_t *p, size_t len, bool skip_padding,
                              unsigned max_depth, size_t *ends)
{
    size_t pos = 0, open = 0;
    for (;;) {
        size_t end = open > 0 ? ends[open - 1] : len;
        if (pos == end) {
            if (open == 0)
                return SFC_OK;
            open--;
            continue;
        }
        if (skip_padding && is_padding(p[pos])) {
            pos++;
            continue;
        }
        if (open >= max_depth)
            return SFC_E_FORMAT; /* this object would be one level too deep */
        ber_tlv obj;
        if (ber_decode(p + pos, end - pos, &obj) != SFC_OK)
            return SFC_E_FORMAT;
        if (obj.constructed) {
            ends[open++] = pos + obj.size;
            pos += obj.size - obj.len;
        } else {
            pos += obj.size;
        }
    }
}

sfc_err ber_validate(const uint8_t *p, size_t len, bool skip_padding,
                    unsigned max_depth)
{
    if (!p && len > 0)
        return SFC_E_INVAL;
    size_t most_open = len / 2 < max_depth ? len / 2 : max_depth;
    size_t local[BER_VALIDATE_LOCAL_DEPTH];
    size_t *ends = local;
    if (most_open > BER_VALIDATE_LOCAL_DEPTH) {
        ends = calloc(most_open, sizeof(*ends));
        if (!ends)
            return SFC_E_NOMEM;
    }
    sfc_err err = validate_nested(p, len, skip_padding, max_depth, ends);
    if (ends != local)
        free(ends);
    return err;
}

/* ---- BER-TLV: encoding ------------------------------------------------ */

static bool mark_failed(sfc_buf *b)
{
    b->failed = true;
    return false;
}

bool ber_put_tag(sfc_buf *b, uint32_t tag)
{
    uint8_t bytes[BER_MAX_TAG_BYTES];
    if (!ber_tag_valid(tag))
        return mark_failed(b);
    return buf_put(b, bytes, tag_to_bytes(tag, bytes));
}

bool ber_put_len(sfc_buf *b, size_t len)
{
    uint8_t bytes[1 + BER_MAX_LENGTH_BYTES];
    size_t n = length_to_bytes(len, bytes);
    if (n == 0)
        return mark_failed(b);
    return buf_put(b, bytes, n);
}

bool ber_put(sfc_buf *b, uint32_t tag, const uint8_t *value, size_t len)
{
    if (!value && len > 0)
        return mark_failed(b);
    ber_put_tag(b, tag);
    ber_put_len(b, len);
    return buf_put(b, value, len);
}

bool ber_put_u8(sfc_buf *b, uint32_t tag, uint8_t v)
{
    return ber_put(b, tag, &v, 1);
}

bool ber_put_u16(sfc_buf *b, uint32_t tag, uint16_t v)
{
    uint8_t be[2];
    sfc_put_u16be(be, v);
    return ber_put(b, tag, be, sizeof(be));
}

/**
 * The mark is the offset where the length goes. The length is unknown until
 * ber_end(), which then moves the content up by the length's size; nested
 * objects work because an inner ber_end only moves bytes after the outer
 * mark.
 */
size_t ber_begin(sfc_buf *b, uint32_t tag)
{
    ber_put_tag(b, tag);
    return b->len;
}

bool ber_end(sfc_buf *b, size_t mark)
{
    if (b->failed)
        return false;
    if (mark == 0 || mark > b->len)
        return mark_failed(b); /* not a mark from ber_begin on this buffer */
    uint8_t bytes[1 + BER_MAX_LENGTH_BYTES];
    size_t n = length_to_bytes(b->len - mark, bytes);
    if (n == 0)
        return mark_failed(b);
    return buf_insert(b, mark, bytes, n);
}

/* ---- SIMPLE-TLV ------------------------------------------------------- */

#define SIMPLE_TLV_LONG_LENGTH 0xFFu
#define SIMPLE_TLV_MAX_LEN 0xFFFFu

sfc_err simple_tlv_decode(const uint8_t *p, size_t len, simple_tlv *out)
{
    if (!out || (!p && len > 0))
        return SFC_E_INVAL;
    memset(out, 0, sizeof(*out));
    if (len < 2 || is_padding(p[0]))
        return SFC_E_FORMAT;
    size_t header = 2, value_len = p[1];
    if (p[1] == SIMPLE_TLV_LONG_LENGTH) {
        if (len < 4)
            return SFC_E_FORMAT;
        header = 4;
        value_len = sfc_get_u16be(p + 2);
    }
    if (value_len > len - header)
        return SFC_E_FORMAT;
    out->tag = p[0];
    out->value = p + header;
    out->len = value_len;
    out->size = header + value_len;
    return SFC_OK;
}

sfc_err simple_tlv_next(const uint8_t *p, size_t len, size_t *offset,
                       simple_tlv *out)
{
    if (!offset || !out || *offset > len || (!p && len > 0))
        return SFC_E_INVAL;
    if (*offset == len)
        return SFC_E_END;
    sfc_err err = simple_tlv_decode(p + *offset, len - *offset, out);
    if (err == SFC_OK)
        *offset += out->size;
    return err;
}

bool simple_tlv_put(sfc_buf *b, uint8_t tag, const uint8_t *value, size_t len)
{
    if (is_padding(tag) || len > SIMPLE_TLV_MAX_LEN || (!value && len > 0))
        return mark_failed(b);
    buf_put_u8(b, tag);
    if (len < SIMPLE_TLV_LONG_LENGTH) {
        buf_put_u8(b, (uint8_t)len);
    } else {
        buf_put_u8(b, SIMPLE_TLV_LONG_LENGTH);
        buf_put_u16be(b, (uint16_t)len);
    }
    return buf_put(b, value, len);
}

/* ---- COMPACT-TLV ------------------------------------------------------ */

sfc_err compact_tlv_decode(const uint8_t *p, size_t len, compact_tlv *out)
{
    if (!out || (!p && len > 0))
        return SFC_E_INVAL;
    memset(out, 0, sizeof(*out));
    if (len == 0)
        return SFC_E_FORMAT;
    size_t value_len = p[0] & 0x0Fu;
    if (value_len > len - 1)
        return SFC_E_FORMAT;
    out->tag = p[0] >> 4;
    out->value = p + 1;
    out->len = value_len;
    out->size = 1 + value_len;
    return SFC_OK;
}

sfc_err compact_tlv_next(const uint8_t *p, size_t len, size_t *offset,
                        compact_tlv *out)
{
    if (!offset || !out || *offset > len || (!p && len > 0))
        return SFC_E_INVAL;
    if (*offset == len)
        return SFC_E_END;
    sfc_err err = compact_tlv_decode(p + *offset, len - *offset, out);
    if (err == SFC_OK)
        *offset += out->size;
    return err;
}

bool compact_tlv_put(sfc_buf *b, uint8_t tag, const uint8_t *value, size_t len)
{
    if (tag > 0x0F || len > 0x0F || (!value && len > 0))
        return mark_failed(b);
    buf_put_u8(b, (uint8_t)(tag << 4 | len));
    return buf_put(b, value, len);
}
