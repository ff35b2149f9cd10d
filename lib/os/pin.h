/* SPDX-License-Identifier: LGPL-2.1-or-later */
/**
 * @file pin.h
 * @brief Card PINs (reference data) and their retry counters.
 */
#ifndef SFC_OS_PIN_H
#define SFC_OS_PIN_H

#include <stddef.h>
#include <stdint.h>

#include "os/card.h"

/** Parameters of a new PIN; `puk` may be NULL for none. */
typedef struct sfc_pin_spec {
    uint8_t ref;
    const char *value;
    uint8_t min_len, max_len;
    uint8_t tries;
    const char *puk;
    uint8_t puk_tries;
} sfc_pin_spec;

/**
 * Add a PIN to the card. Errors: SFC_E_RANGE (too many PINs, or a value
 * outside min_len..max_len, or longer than SFC_PIN_MAX_LEN), SFC_E_INVAL.
 * `err` receives a one-line reason.
 */
sfc_err sfc_pin_add(sfc_card *card, const sfc_pin_spec *spec, char *err,
                  size_t errlen);

/**
 * The PIN a P2 reference designates: 00 means the card's first PIN,
 * anything else must match a PIN's reference. Returns its index or -1.
 */
int sfc_pin_index(const sfc_card *card, uint8_t p2);

#endif
