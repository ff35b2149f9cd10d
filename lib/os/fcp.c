/* SPDX-License-Identifier: LGPL-2.1-or-later */
/**
 * @file fcp.c
 * @brief File control parameters: FCP/FCI/FMD encoding and the CREATE FILE
 *        template parser.
 *
 * Encoding follows the reference layout documented in fcp.h so that clients
 * written against vsmartcard keep working; sizes are always written with at
 * least two bytes, as the reference and most cards do. Parsing is strict:
 * one 62 or 6F template, no duplicate tags, every known tag with a valid
 * length, nothing after the template.
 */
#include "os/fcp.h"

#include <string.h>

#include "core/sw.h"
#include "core/tlv.h"

static bool put_size(sfc_buf *b, uint32_t tag, size_t size)
{
    uint8_t v[4];
    size_t n = size > 0xFFFFFFu ? 4 : size > 0xFFFFu ? 3 : 2;
    for (size_t i = 0; i < n; i++)
        v[i] = (uint8_t)(size >> (8 * (n - 1 - i)));
    return ber_put(b, tag, v, n);
}

static size_t record_bytes(const sfc_file *f)
{
    size_t total = 0;
    for (size_t i = 0; i < f->n_records; i++)
        total += f->records[i].len;
    return total;
}

static void put_ef_params(const sfc_file *f, sfc_buf *b)
{
    uint8_t sfi = (uint8_t)(f->sfi << 3);
    ber_put(b, 0x88, &sfi, f->sfi ? 1 : 0);
    if (f->kind == SFC_FILE_EF_BINARY) {
        put_size(b, 0x80, f->size);
        put_size(b, 0x81, f->size);
        uint8_t d[2] = {f->fdb, f->dcb};
        ber_put(b, 0x82, d, sizeof(d));
        return;
    }
    put_size(b, 0x80, record_bytes(f));
    put_size(b, 0x81, f->max_records * f->rec_size);
    size_t rs = f->rec_size > 0xFFFF ? 0xFFFF : f->rec_size;
    size_t nr = f->n_records > 0xFFFF ? 0xFFFF : f->n_records;
    uint8_t d[6] = {f->fdb, f->dcb, (uint8_t)(rs >> 8), (uint8_t)rs,
                    (uint8_t)(nr >> 8), (uint8_t)nr};
    ber_put(b, 0x82, d, sizeof(d));
}

/* The objects shared by FCP and FCI, in the reference order. */
static void put_fcp_body(const sfc_file *f, sfc_buf *b)
{
    ber_put_u16(b, 0x83, f->fid);
    ber_put_u8(b, 0x8A, f->lcs);
    buf_put(b, f->prop, f->prop_len);
    if (fs_is_ef(f)) {
        put_ef_params(f, b);
    } else {
        ber_put_u8(b, 0x82, f->fdb);
        if (f->name_len)
            ber_put(b, 0x84, f->name, f->name_len);
    }
    buf_put(b, f->sec_attr, f->sec_attr_len);
}

bool fcp_encode(const sfc_file *f, sfc_buf *out)
{
    size_t mark = ber_begin(out, 0x62);
    put_fcp_body(f, out);
    return ber_end(out, mark);
}

bool fci_encode(const sfc_file *f, sfc_buf *out)
{
    size_t mark = ber_begin(out, 0x6F);
    put_fcp_body(f, out);
    return ber_end(out, mark);
}

bool fmd_encode(const sfc_file *f, sfc_buf *out)
{
    (void)f;
    return ber_put(out, 0x64, NULL, 0);
}

/* ---- parsing ------------------------------------------------------------ */

static bool is_security_tag(uint32_t tag)
{
    return tag == 0x86 || tag == 0x8B || tag == 0x8C || tag == 0x8D ||
           tag == 0xA0 || tag == 0xA1 || tag == 0xAB;
}

static bool is_proprietary_tag(uint32_t tag)
{
    return tag == 0x85 || tag == 0xA5;
}

static bool read_uint(const ber_tlv *t, size_t max_len, size_t *out)
{
    if (t->len == 0 || t->len > max_len)
        return false;
    size_t v = 0;
    for (size_t i = 0; i < t->len; i++)
        v = v << 8 | t->value[i];
    *out = v;
    return true;
}

static bool lcs_valid(uint8_t lcs)
{
    return lcs == LCS_CREATION || lcs == LCS_INITIALISATION ||
           (lcs >= 0x04 && lcs <= 0x07) || (lcs >= 0x0C && lcs <= 0x0F);
}

static bool parse_descriptor(const ber_tlv *t, fcp_info *info)
{
    const uint8_t *v = t->value;
    if (t->len < 1 || t->len == 3 || t->len > 6)
        return false;
    info->has_fdb = true;
    info->fdb = v[0];
    if (t->len >= 2) {
        info->has_dcb = true;
        info->dcb = v[1];
    }
    if (t->len >= 4) {
        info->has_rec_size = true;
        info->rec_size = (size_t)v[2] << 8 | v[3];
    }
    if (t->len == 5) {
        info->has_n_records = true;
        info->n_records = v[4];
    } else if (t->len == 6) {
        info->has_n_records = true;
        info->n_records = (size_t)v[4] << 8 | v[5];
    }
    return true;
}

static bool parse_sfi(const ber_tlv *t, fcp_info *info)
{
    info->has_sfi = true;
    if (t->len == 0) {
        info->sfi = 0;
        return true;
    }
    if (t->len != 1 || (t->value[0] & 0x07) != 0)
        return false;
    info->sfi = t->value[0] >> 3;
    return info->sfi >= 1 && info->sfi <= 30;
}

/* One object of the template; false means "malformed". */
static bool parse_one(const ber_tlv *t, fcp_info *info, size_t *size81,
                      bool *has81, sfc_buf *sec, sfc_buf *prop)
{
    switch (t->tag) {
    case 0x80:
        info->has_size = true;
        return read_uint(t, 4, &info->size);
    case 0x81:
        *has81 = true;
        return read_uint(t, 4, size81);
    case 0x82:
        return parse_descriptor(t, info);
    case 0x83:
        if (t->len != 2)
            return false;
        info->has_fid = true;
        info->fid = (uint16_t)(t->value[0] << 8 | t->value[1]);
        return true;
    case 0x84:
        if (t->len == 0 || t->len > SFC_DF_NAME_MAX)
            return false;
        info->has_name = true;
        info->name = t->value;
        info->name_len = t->len;
        return true;
    case 0x88:
        return parse_sfi(t, info);
    case 0x8A:
        if (t->len != 1 || !lcs_valid(t->value[0]))
            return false;
        info->has_lcs = true;
        info->lcs = t->value[0];
        return true;
    default:
        if (is_security_tag(t->tag))
            return ber_put(sec, t->tag, t->value, t->len);
        if (is_proprietary_tag(t->tag))
            return ber_put(prop, t->tag, t->value, t->len);
        return true; /* other objects (87, 8D, C6, ...) carry nothing we use */
    }
}

static bool seen_before(uint32_t *seen, size_t *n_seen, uint32_t tag)
{
    for (size_t i = 0; i < *n_seen; i++)
        if (seen[i] == tag)
            return true;
    if (*n_seen < 32)
        seen[(*n_seen)++] = tag;
    return false;
}

uint16_t fcp_parse(const uint8_t *data, size_t len, fcp_info *info,
                   sfc_buf *sec_buf, sfc_buf *prop_buf)
{
    memset(info, 0, sizeof(*info));
    ber_tlv tmpl;
    if (ber_decode(data, len, &tmpl) != SFC_OK || tmpl.size != len ||
        (tmpl.tag != 0x62 && tmpl.tag != 0x6F))
        return SW_WRONG_DATA;
    ber_iter it;
    ber_iter_init(&it, tmpl.value, tmpl.len, false);
    ber_tlv t;
    sfc_err rv;
    size_t size81 = 0;
    bool has81 = false;
    uint32_t seen[32];
    size_t n_seen = 0;
    while ((rv = ber_iter_next(&it, &t)) == SFC_OK) {
        if (seen_before(seen, &n_seen, t.tag) ||
            !parse_one(&t, info, &size81, &has81, sec_buf, prop_buf))
            return SW_WRONG_DATA;
    }
    if (rv != SFC_E_END || sec_buf->failed || prop_buf->failed)
        return SW_WRONG_DATA;
    if (!info->has_size && has81) {
        info->has_size = true;
        info->size = size81;
    }
    info->sec_attr = sec_buf->data;
    info->sec_attr_len = sec_buf->len;
    info->prop = prop_buf->data;
    info->prop_len = prop_buf->len;
    return SW_OK;
}
