/**
 * @file pin.h
 * @brief Card PINs (reference data) and their retry counters.
 */
#ifndef SC_CARD_PIN_H
#define SC_CARD_PIN_H

#include <stddef.h>
#include <stdint.h>

#include "card/card.h"

/** Parameters of a new PIN; `puk` may be NULL for none. */
typedef struct sc_pin_spec {
    uint8_t ref;
    const char *value;
    uint8_t min_len, max_len;
    uint8_t tries;
    const char *puk;
    uint8_t puk_tries;
} sc_pin_spec;

/**
 * Add a PIN to the card. Errors: SC_E_RANGE (too many PINs, or a value
 * outside min_len..max_len, or longer than SC_PIN_MAX_LEN), SC_E_INVAL.
 * `err` receives a one-line reason.
 */
sc_err sc_pin_add(sc_card *card, const sc_pin_spec *spec, char *err,
                  size_t errlen);

/**
 * The PIN a P2 reference designates: 00 means the card's first PIN,
 * anything else must match a PIN's reference. Returns its index or -1.
 */
int sc_pin_index(const sc_card *card, uint8_t p2);

#endif
