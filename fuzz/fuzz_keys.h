/* SPDX-License-Identifier: LGPL-2.1-or-later */
/**
 * @file fuzz_keys.h
 * @brief A key source for the fuzz targets (crypto/pkey.h): keys are made
 *        once per kind and handed out as copies.
 *
 * RSA key generation took three quarters of the card target's time (every
 * mutation of an input with a GENERATE ASYMMETRIC KEY PAIR made a new
 * 2048..4096-bit key). With this source each kind of key (type, curve,
 * size, exponent) has a pool of FUZZ_KEY_POOL keys made by OpenSSL on first
 * use; requests take them in turn, so a card that makes several keys of one
 * kind at once (the nPA's CVCA, DV and terminal keys) still gets distinct
 * keys. What the card does with a key is unchanged; only where it comes
 * from. A pooled key is kept as its parameters (EVP_PKEY_todata) and each
 * request builds a new key from them (EVP_PKEY_dup of a brainpoolP256r1
 * key answered its public key compressed and without an encoded form,
 * which the nPA's EF.CardSecurity needs; decoding DER took a tenth of the
 * card target's time). The pools live for the whole process
 * (reachable, not a leak).
 */
#ifndef SFC_FUZZ_KEYS_H
#define SFC_FUZZ_KEYS_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>

#include "crypto/pkey.h"

#define FUZZ_KEY_POOL 4
#define FUZZ_KEY_KINDS 32

typedef struct fuzz_key_kind {
    char type[16], group[32];
    unsigned bits;
    unsigned long rsa_e;
    OSSL_PARAM *params[FUZZ_KEY_POOL];
    EVP_PKEY_CTX *ctx;
    unsigned next;
} fuzz_key_kind;

static fuzz_key_kind fuzz_key_kinds[FUZZ_KEY_KINDS];

static inline bool fuzz_key_kind_is(const fuzz_key_kind *k,
                                    const sfc_keyspec *s)
{
    return strcmp(k->type, s->type) == 0 &&
           strcmp(k->group, s->group ? s->group : "") == 0 &&
           k->bits == s->bits && k->rsa_e == s->rsa_e;
}

/* The pool of `s`'s kind, made empty on first sight; NULL when the table is
 * full or the names do not fit (then the caller generates afresh). */
static inline fuzz_key_kind *fuzz_key_kind_of(const sfc_keyspec *s)
{
    for (size_t i = 0; i < FUZZ_KEY_KINDS; i++) {
        fuzz_key_kind *k = &fuzz_key_kinds[i];
        if (k->type[0] && fuzz_key_kind_is(k, s))
            return k;
        if (!k->type[0]) {
            const char *g = s->group ? s->group : "";
            if (strlen(s->type) >= sizeof(k->type) ||
                strlen(g) >= sizeof(k->group))
                return NULL;
            snprintf(k->type, sizeof(k->type), "%s", s->type);
            snprintf(k->group, sizeof(k->group), "%s", g);
            k->bits = s->bits;
            k->rsa_e = s->rsa_e;
            return k;
        }
    }
    return NULL;
}

static inline sfc_pkey *fuzz_key_source(const sfc_keyspec *s, void *ctx)
{
    fuzz_key_kind *k = fuzz_key_kind_of(s);
    if (!k)
        return sfc_pkey_generate_openssl(s, ctx);
    unsigned i = k->next++ % FUZZ_KEY_POOL;
    if (!k->params[i]) {
        EVP_PKEY *made = sfc_pkey_generate_openssl(s, ctx);
        bool ok = made &&
                  EVP_PKEY_todata(made, EVP_PKEY_KEYPAIR, &k->params[i]) == 1;
        EVP_PKEY_free(made);
        if (!ok)
            return NULL;
    }
    if (!k->ctx && (!(k->ctx = EVP_PKEY_CTX_new_from_name(NULL, s->type, NULL)) ||
                    EVP_PKEY_fromdata_init(k->ctx) != 1))
        return NULL;
    EVP_PKEY *key = NULL;
    EVP_PKEY_fromdata(k->ctx, &key, EVP_PKEY_KEYPAIR, k->params[i]);
    return key;
}

/** Install the pooled source (idempotent). */
static inline void fuzz_keys_install(void)
{
    sfc_pkey_set_source(fuzz_key_source, NULL);
}

#endif
