/* SPDX-License-Identifier: LGPL-2.1-or-later */
/**
 * @file registry.c
 * @brief The list of card types, including the reference's types that are
 *        not implemented yet (they are listed so that --help and error
 *        messages can say so, and sfc_card_new() refuses them clearly).
 */
#include "os/card.h"
#include "cardtypes/cards.h"

static const sfc_card_type type_cryptoflex = {
    "cryptoflex", "Schlumberger Cryptoflex (not implemented yet)",
    NULL, NULL, NULL, NULL};
static const sfc_card_type type_npa = {
    "nPA", "German eID card with PACE, TA and CA (not implemented yet)",
    NULL, NULL, NULL, NULL};

const sfc_card_type *const sfc_card_types[] = {
    &sfc_type_iso7816,
    &type_cryptoflex,
    &sfc_type_epass,
    &type_npa,
    &sfc_type_relay,
    &sfc_type_handler_test,
    NULL,
};
