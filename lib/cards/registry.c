/**
 * @file registry.c
 * @brief The list of card types, including the reference's types that are
 *        not implemented yet (they are listed so that --help and error
 *        messages can say so, and sc_card_new() refuses them clearly).
 */
#include "card/card.h"
#include "cards/cards.h"

static const sc_card_type type_cryptoflex = {
    "cryptoflex", "Schlumberger Cryptoflex (not implemented yet)",
    NULL, NULL, NULL, NULL};
static const sc_card_type type_npa = {
    "nPA", "German eID card with PACE, TA and CA (not implemented yet)",
    NULL, NULL, NULL, NULL};

const sc_card_type *const sc_card_types[] = {
    &sc_type_iso7816,
    &type_cryptoflex,
    &sc_type_epass,
    &type_npa,
    &sc_type_relay,
    &sc_type_handler_test,
    NULL,
};
