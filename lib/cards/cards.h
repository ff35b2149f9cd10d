/**
 * @file cards.h
 * @brief The implemented card types (one file each in lib/cards/).
 */
#ifndef SC_CARDS_CARDS_H
#define SC_CARDS_CARDS_H

#include "card/card.h"

extern const sc_card_type sc_type_iso7816;
extern const sc_card_type sc_type_handler_test;
/** epass.c: ICAO 9303 eMRTD with BAC, secure messaging and AA. */
extern const sc_card_type sc_type_epass;
/** relay.c: forwards to a card in another reader through libscio. */
extern const sc_card_type sc_type_relay;

#endif
