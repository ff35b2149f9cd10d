/* SPDX-License-Identifier: LGPL-2.1-or-later */
/**
 * @file apdu.h
 * @brief Command APDU parsing and encoding (ISO/IEC 7816-4 §5.1).
 *
 * Cases 1, 2S, 3S, 4S, 2E, 3E and 4E. Ne follows the standard: a short Le of
 * 00 means 256, an extended Le of 0000 means 65536; an absent Le means Ne = 0
 * and `has_le` false. Any byte string that is not exactly one of the seven
 * encodings is rejected (the card answers 6700).
 */
#ifndef SFC_CORE_APDU_H
#define SFC_CORE_APDU_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "softcard.h"

/** Largest Nc (extended Lc) and Ne (extended Le 0000). */
#define APDU_MAX_NC 65535u
#define APDU_MAX_NE 65536u

typedef enum apdu_case {
    APDU_CASE_1 = 1, /**< header only */
    APDU_CASE_2,     /**< Le only */
    APDU_CASE_3,     /**< Lc and data */
    APDU_CASE_4      /**< Lc, data and Le */
} apdu_case;

typedef struct apdu {
    uint8_t cla, ins, p1, p2;
    const uint8_t *data; /**< command data (Nc bytes); points into the input */
    size_t nc;           /**< number of data bytes (0 if none) */
    size_t ne;           /**< expected response length: 0 if no Le, 1..65536 */
    bool has_le;         /**< an Le field was present */
    bool extended;       /**< extended length encoding was used */
    apdu_case kind;
} apdu;

/**
 * Parse `len` bytes as a command APDU. Returns SFC_OK, or SFC_E_FORMAT when the
 * length fields are inconsistent with the byte count (including len < 4,
 * a short Lc of 00, an extended Lc of 0000). `out->data` borrows `raw`.
 * On failure `out` is zeroed except cla, ins, p1, p2 (filled when len >= 4,
 * so that the caller can log the rejected command).
 */
sfc_err apdu_parse(const uint8_t *raw, size_t len, apdu *out);

/**
 * Encode a command APDU, choosing short encoding when Nc <= 255 and
 * Ne <= 256, extended otherwise (`a->extended` forces extended). `a->kind` is
 * ignored: the case follows from nc and has_le/ne. Returns SFC_E_RANGE if
 * `cap` is too small or a length exceeds its maximum, SFC_E_INVAL if has_le
 * is set with ne == 0 or ne > 65536.
 */
sfc_err apdu_encode(const apdu *a, uint8_t *out, size_t cap, size_t *out_len);

/** Number of bytes apdu_encode() would produce (0 if not encodable). */
size_t apdu_encoded_size(const apdu *a);

#endif
