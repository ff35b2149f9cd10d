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

/**
 * The PIN a reference designates as seen from application `app` (NULL:
 * none): the application's own PIN with that reference, else the card's;
 * 00 without such a PIN means the first PIN in that order. Returns its
 * index in card->pins or -1.
 */
int sfc_pin_lookup(const sfc_card *card, const sfc_app *app, uint8_t ref);

/** sfc_pin_lookup() in the context of the command being handled. */
int sfc_pin_index(const sfc_card *card, uint8_t ref);

/** The first PIN seen from the command being handled, or -1. */
int sfc_pin_first(const sfc_card *card);

#endif
