/* SPDX-License-Identifier: LGPL-2.1-or-later */
/**
 * @file dataunit.c
 * @brief Data coding byte semantics, odd-INS file references and odd-INS
 *        data fields, shared by binary.c, record.c and dataobj.c.
 *
 * The data coding byte (ISO/IEC 7816-4 table "data coding byte") fixes two
 * things for an EF: bits 7-6 say what WRITE does (one-time write, OR, AND,
 * or "proprietary", which this card defines as XOR, as the reference
 * emulator does), bits 4-1 give the data unit size. The erased state
 * follows from the write behaviour: an AND file must erase to FF, or no
 * later write could ever set a bit; every other file erases to 00.
 *
 * Odd-INS data fields are decoded strictly: a data field that is not
 * exactly a sequence of 54 and 53/73 objects (with optional 00/FF padding,
 * which ISO/IEC 7816-4 allows between BER-TLV objects) is 6A80, never
 * partially used.
 */
#include "os/dataunit.h"

#include <string.h>

#include "core/sw.h"
#include "core/tlv.h"

#define OFFSET_MAX_BYTES 4u
#define FID_CURRENT_DF 0x3FFFu
#define SFI_MAX 30u

static bool decode_offset(const ber_tlv *o, uint32_t *out)
{
    if (o->len == 0 || o->len > OFFSET_MAX_BYTES)
        return false;
    uint32_t v = 0;
    for (size_t i = 0; i < o->len; i++)
        v = v << 8 | o->value[i];
    *out = v;
    return true;
}

static bool is_data_tag(uint32_t tag)
{
    return tag == DU_TAG_DATA || tag == DU_TAG_DATA_CONSTRUCTED;
}

/* One decoded object into the fields; false if it does not belong there. */
static bool take_object(const ber_tlv *o, du_fields *out)
{
    if (o->tag == DU_TAG_OFFSET) {
        if (out->n_offsets == DU_MAX_OFFSETS)
            return false;
        return decode_offset(o, &out->offset[out->n_offsets++]);
    }
    if (is_data_tag(o->tag) && !out->has_data) {
        out->has_data = true;
        out->data = o->value;
        out->data_len = o->len;
        return true;
    }
    return false;
}

uint16_t du_parse_fields(const uint8_t *p, size_t len, du_fields *out)
{
    memset(out, 0, sizeof(*out));
    ber_iter it;
    ber_tlv o;
    sfc_err err;
    ber_iter_init(&it, p, len, true);
    while ((err = ber_iter_next(&it, &o)) == SFC_OK) {
        if (!take_object(&o, out))
            return SW_WRONG_DATA;
    }
    return err == SFC_E_END ? SW_OK : SW_WRONG_DATA;
}

static uint16_t resolve_fid(sfc_channel *ch, uint16_t fid, sfc_file **out)
{
    sfc_file *f = fs_child_by_fid(ch->cur_df, fid);
    if (!f)
        return SW_FILE_NOT_FOUND;
    if (fs_is_ef(f) && ch->cur_ef != f)
        sfc_make_current(ch, f);
    *out = f;
    return SW_OK;
}

uint16_t du_resolve_odd_file(sfc_card *card, sfc_channel *ch, uint8_t p1,
                             uint8_t p2, sfc_file **out)
{
    uint16_t ref = (uint16_t)(p1 << 8 | p2);
    if (ref == 0)
        return sfc_resolve_ef(card, ch, 0, out);
    if (p1 == 0 && p2 <= SFI_MAX)
        return sfc_resolve_ef(card, ch, p2, out);
    if (ref == FID_CURRENT_DF) {
        *out = ch->cur_df;
        return SW_OK;
    }
    return resolve_fid(ch, ref, out);
}

size_t du_unit_size(const sfc_file *f)
{
    unsigned n = f->dcb & 0x0Fu;
    return n <= 1 ? 1u : (size_t)1 << (n - 1);
}

uint8_t du_write_mode(const sfc_file *f)
{
    return f->dcb & DCB_WRITE_MASK;
}

uint8_t du_erased_byte(const sfc_file *f)
{
    return du_write_mode(f) == DCB_WRITE_AND ? 0xFF : 0x00;
}

bool du_is_erased(const sfc_file *f, const uint8_t *p, size_t n)
{
    uint8_t e = du_erased_byte(f);
    for (size_t i = 0; i < n; i++)
        if (p[i] != e)
            return false;
    return true;
}

void du_combine(uint8_t mode, uint8_t *dst, const uint8_t *src, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        switch (mode) {
        case DCB_WRITE_XOR:
            dst[i] ^= src[i];
            break;
        case DCB_WRITE_OR:
            dst[i] |= src[i];
            break;
        case DCB_WRITE_AND:
            dst[i] &= src[i];
            break;
        default:
            dst[i] = src[i];
            break;
        }
    }
}

bool du_put_offset(sfc_buf *b, uint64_t value)
{
    uint8_t be[8];
    size_t n = 0;
    do {
        be[sizeof(be) - 1 - n] = (uint8_t)value;
        value >>= 8;
        n++;
    } while (value && n < sizeof(be));
    return buf_put(b, be + sizeof(be) - n, n);
}
