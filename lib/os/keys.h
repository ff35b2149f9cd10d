/* SPDX-License-Identifier: LGPL-2.1-or-later */
/**
 * @file keys.h
 * @brief The card's key store: keys addressed by reference, symmetric
 *        (3DES, AES) or asymmetric (RSA, EC as OpenSSL keys).
 */
#ifndef SFC_OS_KEYS_H
#define SFC_OS_KEYS_H

#include <stddef.h>
#include <stdint.h>

#include "os/card.h"

/** The key with reference `ref`, or NULL. */
sfc_key *sfc_key_find(sfc_card *card, uint8_t ref);

/**
 * Add or replace a symmetric key (3DES: 16 or 24 bytes, AES: 16/24/32).
 * SFC_E_RANGE for a bad length or a full key store.
 */
sfc_err sfc_key_put_symmetric(sfc_card *card, uint8_t ref, sfc_key_kind kind,
                            const uint8_t *secret, size_t len, uint8_t use_sc);

/**
 * Add or replace an asymmetric key; the card takes ownership of `pkey` on
 * success (on failure the caller keeps it).
 */
sfc_err sfc_key_put_pkey(sfc_card *card, uint8_t ref, struct evp_pkey_st *pkey,
                       uint8_t use_sc);

/** Remove a key (wiping it); false if there was none. */
bool sfc_key_remove(sfc_card *card, uint8_t ref);

#endif
