/**
 * @file keys.h
 * @brief The card's key store: keys addressed by reference, symmetric
 *        (3DES, AES) or asymmetric (RSA, EC as OpenSSL keys).
 */
#ifndef SC_CARD_KEYS_H
#define SC_CARD_KEYS_H

#include <stddef.h>
#include <stdint.h>

#include "card/card.h"

/** The key with reference `ref`, or NULL. */
sc_key *sc_key_find(sc_card *card, uint8_t ref);

/**
 * Add or replace a symmetric key (3DES: 16 or 24 bytes, AES: 16/24/32).
 * SC_E_RANGE for a bad length or a full key store.
 */
sc_err sc_key_put_symmetric(sc_card *card, uint8_t ref, sc_key_kind kind,
                            const uint8_t *secret, size_t len, uint8_t use_sc);

/**
 * Add or replace an asymmetric key; the card takes ownership of `pkey` on
 * success (on failure the caller keeps it).
 */
sc_err sc_key_put_pkey(sc_card *card, uint8_t ref, struct evp_pkey_st *pkey,
                       uint8_t use_sc);

/** Remove a key (wiping it); false if there was none. */
bool sc_key_remove(sc_card *card, uint8_t ref);

#endif
