/* SPDX-License-Identifier: LGPL-2.1-or-later */
/**
 * @file atr.h
 * @brief Answer-to-reset parsing and building (ISO/IEC 7816-3 §8.2).
 *
 * An ATR is TS, T0, interface-byte groups i = 1..n (TAi TBi TCi TDi, each
 * optional, TDi announcing group i+1 and a protocol T), up to 15 historical
 * bytes and TCK. TCK is present unless only T=0 is indicated; it makes the XOR
 * of T0..TCK zero.
 */
#ifndef SFC_CORE_ATR_H
#define SFC_CORE_ATR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "softcard.h"

#define ATR_MAX_GROUPS 8

enum { ATR_TA = 1, ATR_TB = 2, ATR_TC = 4, ATR_TD = 8 };

typedef struct atr_group {
    uint8_t present; /**< mask of ATR_TA, ATR_TB, ATR_TC, ATR_TD */
    uint8_t ta, tb, tc;
    uint8_t td;      /**< as on the wire; low nibble = protocol T */
} atr_group;

typedef struct atr_info {
    uint8_t ts;          /**< 3B direct or 3F inverse convention */
    uint8_t t0;          /**< as on the wire (parse); computed by build */
    uint8_t n_groups;    /**< groups i = 1..n_groups in group[0..n-1] */
    atr_group group[ATR_MAX_GROUPS];
    uint8_t hist[15];
    uint8_t hist_len;
    bool has_tck;
    uint8_t tck;
    uint16_t protocols;  /**< bit T set for each protocol T indicated;
                              T=0 when no TD1 is present */
} atr_info;

/**
 * Parse an ATR of `len` bytes (2..33). Errors: SFC_E_FORMAT (bad TS, too
 * short for the announced bytes, trailing garbage, more than ATR_MAX_GROUPS
 * groups), SFC_E_CHECKSUM (TCK present but wrong), SFC_E_RANGE (len > 33).
 */
sfc_err atr_parse(const uint8_t *atr, size_t len, atr_info *out);

/**
 * Build an ATR from `in`: ts, the present masks and values of the groups
 * (TDi's high nibble is computed from the next group's mask; its low nibble
 * is taken from `in`), and the historical bytes. T0 and TCK are computed;
 * TCK is added when any protocol other than T=0 is indicated. `in->t0`,
 * `in->has_tck`, `in->tck` and `in->protocols` are ignored. A group other
 * than the last must have ATR_TD in its mask. SFC_E_RANGE if the result does
 * not fit `cap` or exceeds 33 bytes.
 */
sfc_err atr_build(const atr_info *in, uint8_t *out, size_t cap, size_t *len);

/** Fi and Di from TA1 (defaults 372 and 1 without TA1); 0 if RFU. */
unsigned atr_fi(const atr_info *info);
unsigned atr_di(const atr_info *info);

#endif
