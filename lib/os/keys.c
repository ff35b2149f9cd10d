/* SPDX-License-Identifier: LGPL-2.1-or-later */
/**
 * @file keys.c
 * @brief The key store: a small array of keys addressed by reference.
 *
 * Replacing a key (GENERATE ASYMMETRIC KEY PAIR on an existing reference,
 * or loading a card image) frees and wipes the old material first.
 */
#include "os/keys.h"

#include <string.h>

#include "core/bytes.h"
#include "crypto/pkey.h"
#include "crypto/sym.h"

sfc_key *sfc_key_find(sfc_card *card, uint8_t ref)
{
    for (size_t i = 0; i < card->n_keys; i++)
        if (card->keys[i].ref == ref)
            return &card->keys[i];
    return NULL;
}

static void key_clear(sfc_key *k)
{
    sfc_pkey_free(k->pkey);
    sfc_wipe(k, sizeof(*k));
}

/* The slot for `ref`: the existing key (cleared) or a new one. */
static sfc_key *slot_for(sfc_card *card, uint8_t ref)
{
    sfc_key *k = sfc_key_find(card, ref);
    if (k) {
        key_clear(k);
    } else {
        if (card->n_keys >= SFC_MAX_KEYS)
            return NULL;
        k = &card->keys[card->n_keys++];
        memset(k, 0, sizeof(*k));
    }
    k->ref = ref;
    return k;
}

sfc_err sfc_key_put_symmetric(sfc_card *card, uint8_t ref, sfc_key_kind kind,
                            const uint8_t *secret, size_t len, uint8_t use_sc)
{
    sfc_cipher_alg alg = kind == SFC_KEY_AES ? SFC_CIPHER_AES : SFC_CIPHER_DES3;
    if ((kind != SFC_KEY_AES && kind != SFC_KEY_DES3) ||
        !sfc_cipher_key_ok(alg, len) || len > SFC_SYM_KEY_MAX || len == 8)
        return SFC_E_RANGE;
    if (!sfc_key_find(card, ref) && card->n_keys >= SFC_MAX_KEYS)
        return SFC_E_RANGE;
    sfc_key *k = slot_for(card, ref);
    k->kind = kind;
    memcpy(k->secret, secret, len);
    k->secret_len = (uint8_t)len;
    k->use_sc = use_sc;
    return SFC_OK;
}

sfc_err sfc_key_put_pkey(sfc_card *card, uint8_t ref, struct evp_pkey_st *pkey,
                       uint8_t use_sc)
{
    if (!pkey)
        return SFC_E_INVAL;
    if (!sfc_key_find(card, ref) && card->n_keys >= SFC_MAX_KEYS)
        return SFC_E_RANGE;
    sfc_key *k = slot_for(card, ref);
    k->kind = sfc_pkey_is_rsa(pkey) ? SFC_KEY_RSA : SFC_KEY_EC;
    k->pkey = pkey;
    k->use_sc = use_sc;
    return SFC_OK;
}

bool sfc_key_remove(sfc_card *card, uint8_t ref)
{
    sfc_key *k = sfc_key_find(card, ref);
    if (!k)
        return false;
    key_clear(k);
    size_t i = (size_t)(k - card->keys);
    memmove(&card->keys[i], &card->keys[i + 1],
            (card->n_keys - i - 1) * sizeof(sfc_key));
    card->n_keys--;
    memset(&card->keys[card->n_keys], 0, sizeof(sfc_key));
    return true;
}

struct evp_pkey_st *sfc_key_pkey(const sfc_key *key)
{
    return key ? key->pkey : NULL;
}
