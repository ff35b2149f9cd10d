/* SPDX-License-Identifier: LGPL-2.1-or-later */
/**
 * @file cards.h
 * @brief The implemented card types (one file each in lib/cards/).
 */
#ifndef SFC_CARDTYPES_CARDS_H
#define SFC_CARDTYPES_CARDS_H

#include "os/card.h"

extern const sfc_card_type sfc_type_iso7816;
extern const sfc_card_type sfc_type_handler_test;
/** epass.c: ICAO 9303 eMRTD with BAC, secure messaging and AA. */
extern const sfc_card_type sfc_type_epass;
/** relay.c: forwards to a card in another reader through libscio. */
extern const sfc_card_type sfc_type_relay;

#endif
