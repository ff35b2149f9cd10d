/**
 * @file keys.c
 * @brief The key store: a small array of keys addressed by reference.
 *
 * Replacing a key (GENERATE ASYMMETRIC KEY PAIR on an existing reference,
 * or loading a card image) frees and wipes the old material first.
 */
#include "card/keys.h"

#include <string.h>

#include "core/bytes.h"
#include "crypto/pkey.h"
#include "crypto/sym.h"

sc_key *sc_key_find(sc_card *card, uint8_t ref)
{
    for (size_t i = 0; i < card->n_keys; i++)
        if (card->keys[i].ref == ref)
            return &card->keys[i];
    return NULL;
}

static void key_clear(sc_key *k)
{
    sc_pkey_free(k->pkey);
    sc_wipe(k, sizeof(*k));
}

/* The slot for `ref`: the existing key (cleared) or a new one. */
static sc_key *slot_for(sc_card *card, uint8_t ref)
{
    sc_key *k = sc_key_find(card, ref);
    if (k) {
        key_clear(k);
    } else {
        if (card->n_keys >= SC_MAX_KEYS)
            return NULL;
        k = &card->keys[card->n_keys++];
        memset(k, 0, sizeof(*k));
    }
    k->ref = ref;
    return k;
}

sc_err sc_key_put_symmetric(sc_card *card, uint8_t ref, sc_key_kind kind,
                            const uint8_t *secret, size_t len, uint8_t use_sc)
{
    sc_cipher_alg alg = kind == SC_KEY_AES ? SC_CIPHER_AES : SC_CIPHER_DES3;
    if ((kind != SC_KEY_AES && kind != SC_KEY_DES3) ||
        !sc_cipher_key_ok(alg, len) || len > SC_SYM_KEY_MAX || len == 8)
        return SC_E_RANGE;
    if (!sc_key_find(card, ref) && card->n_keys >= SC_MAX_KEYS)
        return SC_E_RANGE;
    sc_key *k = slot_for(card, ref);
    k->kind = kind;
    memcpy(k->secret, secret, len);
    k->secret_len = (uint8_t)len;
    k->use_sc = use_sc;
    return SC_OK;
}

sc_err sc_key_put_pkey(sc_card *card, uint8_t ref, struct evp_pkey_st *pkey,
                       uint8_t use_sc)
{
    if (!pkey)
        return SC_E_INVAL;
    if (!sc_key_find(card, ref) && card->n_keys >= SC_MAX_KEYS)
        return SC_E_RANGE;
    sc_key *k = slot_for(card, ref);
    k->kind = sc_pkey_is_rsa(pkey) ? SC_KEY_RSA : SC_KEY_EC;
    k->pkey = pkey;
    k->use_sc = use_sc;
    return SC_OK;
}

bool sc_key_remove(sc_card *card, uint8_t ref)
{
    sc_key *k = sc_key_find(card, ref);
    if (!k)
        return false;
    key_clear(k);
    size_t i = (size_t)(k - card->keys);
    memmove(&card->keys[i], &card->keys[i + 1],
            (card->n_keys - i - 1) * sizeof(sc_key));
    card->n_keys--;
    memset(&card->keys[card->n_keys], 0, sizeof(sc_key));
    return true;
}
