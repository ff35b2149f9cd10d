/* SPDX-License-Identifier: LGPL-2.1-or-later */
/**
 * @file atr.c
 * @brief Answer-to-reset parsing and building (ISO/IEC 7816-3 §8.2).
 *
 * The card types describe their ATR as data (an atr_info) and atr_build()
 * turns it into bytes, computing the parts that are easy to get wrong by
 * hand: T0's Y1 and K nibbles, the Y nibble of each TDi and TCK. atr_parse()
 * is the exact inverse, used by the relay card, the tests and the client
 * tools; parse then build reproduces any valid ATR byte for byte.
 *
 * An interface-byte group exists only when some byte announces it: a TDi
 * whose high nibble is 0 ends the list, so no empty groups are produced.
 * TCK follows ISO 7816-3 §8.2.5: absent when only T=0 is indicated (TD1
 * absent, or every TDi says T=0), present otherwise, including when T=15
 * (global interface bytes) is announced.
 */
#include "core/atr.h"

#include <string.h>

#define ATR_TS_DIRECT 0x3B
#define ATR_TS_INVERSE 0x3F
#define ATR_MAX_HIST 15u
/** TS, T0, all groups full, all historical bytes and TCK. */
#define ATR_BUILD_SPACE (2u + 4u * ATR_MAX_GROUPS + ATR_MAX_HIST + 1u)

static const uint8_t atr_kinds[4] = {ATR_TA, ATR_TB, ATR_TC, ATR_TD};

static bool ts_valid(uint8_t ts)
{
    return ts == ATR_TS_DIRECT || ts == ATR_TS_INVERSE;
}

/** TCK is needed unless the protocol set is exactly {T=0}. */
static bool tck_needed(uint16_t protocols)
{
    return protocols != (1u << 0);
}

static uint8_t xor_of(const uint8_t *p, size_t len)
{
    uint8_t x = 0;
    for (size_t i = 0; i < len; i++)
        x ^= p[i];
    return x;
}

static uint8_t *group_byte(atr_group *g, uint8_t kind)
{
    switch (kind) {
    case ATR_TA: return &g->ta;
    case ATR_TB: return &g->tb;
    case ATR_TC: return &g->tc;
    default: return &g->td;
    }
}

static uint8_t group_value(const atr_group *g, uint8_t kind)
{
    switch (kind) {
    case ATR_TA: return g->ta;
    case ATR_TB: return g->tb;
    case ATR_TC: return g->tc;
    default: return g->td;
    }
}

/* ---- parsing ---------------------------------------------------------- */

/**
 * Read the interface bytes announced by `y` (a Y nibble) into `g`.
 * Returns the new position, or 0 if the ATR ends too early.
 */
static size_t read_group(const uint8_t *atr, size_t len, size_t pos,
                         uint8_t y, atr_group *g)
{
    memset(g, 0, sizeof(*g));
    for (size_t k = 0; k < 4; k++) {
        if (!(y & atr_kinds[k]))
            continue;
        if (pos >= len)
            return 0;
        *group_byte(g, atr_kinds[k]) = atr[pos++];
        g->present |= atr_kinds[k];
    }
    return pos;
}

/** Read all groups starting after T0; returns the position after them. */
static sfc_err read_groups(const uint8_t *atr, size_t len, atr_info *out,
                          size_t *pos)
{
    uint8_t y = out->t0 >> 4;
    size_t at = 2;
    while (y != 0) {
        if (out->n_groups == ATR_MAX_GROUPS)
            return SFC_E_FORMAT;
        atr_group *g = &out->group[out->n_groups++];
        at = read_group(atr, len, at, y, g);
        if (at == 0)
            return SFC_E_FORMAT;
        if (!(g->present & ATR_TD))
            break;
        out->protocols |= (uint16_t)(1u << (g->td & 0x0F));
        y = g->td >> 4;
    }
    if (out->protocols == 0)
        out->protocols = 1u << 0; /* no TD1: T=0 by default */
    *pos = at;
    return SFC_OK;
}

sfc_err atr_parse(const uint8_t *atr, size_t len, atr_info *out)
{
    if (!out || (!atr && len > 0))
        return SFC_E_INVAL;
    memset(out, 0, sizeof(*out));
    if (len > SFC_ATR_MAX)
        return SFC_E_RANGE;
    if (len < 2 || !ts_valid(atr[0]))
        return SFC_E_FORMAT;
    out->ts = atr[0];
    out->t0 = atr[1];

    size_t pos;
    sfc_err err = read_groups(atr, len, out, &pos);
    if (err != SFC_OK)
        return err;
    out->hist_len = out->t0 & 0x0F;
    if (out->hist_len > len - pos)
        return SFC_E_FORMAT;
    memcpy(out->hist, atr + pos, out->hist_len);
    pos += out->hist_len;

    out->has_tck = tck_needed(out->protocols);
    if (out->has_tck) {
        if (pos >= len)
            return SFC_E_FORMAT;
        out->tck = atr[pos++];
    }
    if (pos != len)
        return SFC_E_FORMAT; /* trailing bytes */
    if (out->has_tck && xor_of(atr + 1, len - 1) != 0)
        return SFC_E_CHECKSUM;
    return SFC_OK;
}

/* ---- building --------------------------------------------------------- */

static sfc_err check_buildable(const atr_info *in)
{
    if (!ts_valid(in->ts) || in->hist_len > ATR_MAX_HIST ||
        in->n_groups > ATR_MAX_GROUPS)
        return SFC_E_INVAL;
    for (size_t i = 0; i < in->n_groups; i++) {
        bool last = i + 1 == in->n_groups;
        if (in->group[i].present & ~(ATR_TA | ATR_TB | ATR_TC | ATR_TD))
            return SFC_E_INVAL;
        if (!last && !(in->group[i].present & ATR_TD))
            return SFC_E_INVAL;
    }
    return SFC_OK;
}

/** The Y nibble announcing group `i` (0-based); 0 past the last group. */
static uint8_t y_of_group(const atr_info *in, size_t i)
{
    return i < in->n_groups ? in->group[i].present : 0;
}

/** Write group `i`; TD's high nibble announces the next group. */
static size_t write_group(const atr_info *in, size_t i, uint8_t *p,
                          uint16_t *protocols)
{
    const atr_group *g = &in->group[i];
    size_t n = 0;
    for (size_t k = 0; k < 4; k++) {
        uint8_t kind = atr_kinds[k];
        if (!(g->present & kind))
            continue;
        uint8_t v = group_value(g, kind);
        if (kind == ATR_TD) {
            v = (uint8_t)(y_of_group(in, i + 1) << 4 | (v & 0x0F));
            *protocols |= (uint16_t)(1u << (v & 0x0F));
        }
        p[n++] = v;
    }
    return n;
}

sfc_err atr_build(const atr_info *in, uint8_t *out, size_t cap, size_t *len)
{
    if (len)
        *len = 0;
    if (!in || (!out && cap > 0))
        return SFC_E_INVAL;
    sfc_err err = check_buildable(in);
    if (err != SFC_OK)
        return err;

    uint8_t atr[ATR_BUILD_SPACE];
    uint16_t protocols = 0;
    size_t n = 0;
    atr[n++] = in->ts;
    atr[n++] = (uint8_t)(y_of_group(in, 0) << 4 | in->hist_len);
    for (size_t i = 0; i < in->n_groups; i++)
        n += write_group(in, i, atr + n, &protocols);
    memcpy(atr + n, in->hist, in->hist_len);
    n += in->hist_len;
    if (protocols == 0)
        protocols = 1u << 0;
    if (tck_needed(protocols)) {
        atr[n] = xor_of(atr + 1, n - 1);
        n++;
    }
    if (n > SFC_ATR_MAX || n > cap)
        return SFC_E_RANGE;
    memcpy(out, atr, n);
    if (len)
        *len = n;
    return SFC_OK;
}

/* ---- transmission parameters from TA1 --------------------------------- */

/* ISO/IEC 7816-3 tables 7 and 8; 0 marks RFU values. */
static const uint16_t fi_table[16] = {372, 372, 558, 744, 1116, 1488, 1860, 0,
                                      0,   512, 768, 1024, 1536, 2048, 0, 0};
static const uint8_t di_table[16] = {0, 1, 2, 4, 8, 16, 32, 64,
                                     12, 20, 0, 0, 0, 0, 0, 0};

/** TA1 if present; 0x11 (Fi 372, Di 1, the defaults) otherwise. */
static uint8_t ta1_or_default(const atr_info *info)
{
    if (info->n_groups > 0 && (info->group[0].present & ATR_TA))
        return info->group[0].ta;
    return 0x11;
}

unsigned atr_fi(const atr_info *info)
{
    return info ? fi_table[ta1_or_default(info) >> 4] : 0;
}

unsigned atr_di(const atr_info *info)
{
    return info ? di_table[ta1_or_default(info) & 0x0F] : 0;
}
