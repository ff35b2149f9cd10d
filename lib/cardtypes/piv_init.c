/* SPDX-License-Identifier: LGPL-2.1-or-later */
/**
 * @file piv_init.c
 * @brief Personalisation of a PIV card from parameters (command line,
 *        --param, or an --init-config file): PIN, PUK, retry counters,
 *        management key and its algorithm, serial number, and keys and
 *        certificates of slots 9A, 9C, 9D, 9E from PEM files.
 *
 * Runs once per card (create()); nothing here is kept as a parameter: what
 * it made is in the application's state and data objects, which card
 * images save. A fresh card also gets a CHUID, a CCC, the discovery object
 * and an attestation key (F9) with its certificate. Every refusal names
 * the parameter.
 */
#include "cardtypes/piv.h"

#include <openssl/bio.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/bytes.h"
#include "core/errtext.h"
#include "core/sw.h"
#include "core/tlv.h"

const sfc_param_def piv_params[] = {
    {"pin", "PIN", "PIV PIN, 6 to 8 characters (default 123456)",
     SFC_PARAM_SECRET},
    {"puk", "PUK", "PIV PUK, 6 to 8 characters (default 12345678)",
     SFC_PARAM_SECRET},
    {"pin-retries", "N", "PIN and PUK tries, 1 to 15 (default 3)", 0},
    {"mgm-key", "HEX", "management key (default 0102030405060708 three "
     "times, 3DES)", SFC_PARAM_SECRET},
    {"mgm-key-algorithm", "3des|aes128|aes192|aes256",
     "algorithm of the management key (default 3des)", 0},
    {"serial", "HEX", "serial number: piv 4 bytes (default random)", 0},
    {"key-9a", "FILE", "PEM private key for slot 9A (PIV authentication)",
     SFC_PARAM_SECRET},
    {"cert-9a", "FILE", "PEM certificate for slot 9A", 0},
    {"key-9c", "FILE", "PEM private key for slot 9C (digital signature)",
     SFC_PARAM_SECRET},
    {"cert-9c", "FILE", "PEM certificate for slot 9C", 0},
    {"key-9d", "FILE", "PEM private key for slot 9D (key management)",
     SFC_PARAM_SECRET},
    {"cert-9d", "FILE", "PEM certificate for slot 9D", 0},
    {"key-9e", "FILE", "PEM private key for slot 9E (card authentication)",
     SFC_PARAM_SECRET},
    {"cert-9e", "FILE", "PEM certificate for slot 9E", 0},
    {NULL, NULL, NULL, 0}};

typedef struct piv_build {
    sfc_card *card;
    sfc_file *df;
    piv_state *st;
    const sfc_card_options *opts;
    char *err;
    size_t errlen;
} piv_build;

static sfc_err refuse(piv_build *b, const char *param, const char *why)
{
    sfc_errf(b->err, b->errlen, "piv: --%s: %s", param, why);
    return SFC_E_INVAL;
}

static sfc_err set_secret(piv_build *b, const char *param, uint8_t *dst)
{
    const char *v = sfc_param_get(b->opts, param);
    if (v && !piv_set_secret(dst, (const uint8_t *)v, strlen(v)))
        return refuse(b, param, "needs 6 to 8 characters");
    return SFC_OK;
}

static sfc_err set_retries(piv_build *b)
{
    const char *v = sfc_param_get(b->opts, "pin-retries");
    char *end = NULL;
    if (!v)
        return SFC_OK;
    long n = strtol(v, &end, 10);
    if (!*v || *end || n < 1 || n > 15)
        return refuse(b, "pin-retries", "needs a number from 1 to 15");
    b->st->pin_tries = b->st->pin_max = (uint8_t)n;
    b->st->puk_tries = b->st->puk_max = (uint8_t)n;
    return SFC_OK;
}

static uint8_t mgm_alg_named(const char *name)
{
    static const struct { const char *name; uint8_t alg; } algs[] = {
        {"3des", PIV_ALG_3DES}, {"aes128", PIV_ALG_AES128},
        {"aes192", PIV_ALG_AES192}, {"aes256", PIV_ALG_AES256}};
    for (size_t i = 0; i < sizeof(algs) / sizeof(algs[0]); i++)
        if (strcmp(name, algs[i].name) == 0)
            return algs[i].alg;
    return 0;
}

static sfc_err set_mgm(piv_build *b)
{
    const char *name = sfc_param_get(b->opts, "mgm-key-algorithm");
    const char *hex = sfc_param_get(b->opts, "mgm-key");
    uint8_t alg = name ? mgm_alg_named(name) : PIV_ALG_3DES;
    size_t len = 0;
    if (!alg)
        return refuse(b, "mgm-key-algorithm", "3des, aes128, aes192 or aes256");
    if (alg != PIV_ALG_3DES && !hex)
        return refuse(b, "mgm-key", "needed with an AES algorithm");
    if (hex && (hex_decode(hex, b->st->mgm_key, sizeof(b->st->mgm_key),
                           &len) != SFC_OK ||
                len != piv_mgm_key_len(alg)))
        return refuse(b, "mgm-key", "wrong length for its algorithm (3des "
                      "and aes192: 24 bytes, aes128: 16, aes256: 32)");
    b->st->mgm_alg = alg;
    if (hex)
        b->st->mgm_len = (uint8_t)len;
    return SFC_OK;
}

static sfc_err set_serial(piv_build *b)
{
    const char *hex = sfc_param_get(b->opts, "serial");
    size_t len = 0;
    if (!hex) {
        if (sfc_card_random(b->card, b->st->serial, 4) != SFC_OK)
            return SFC_E_RNG;
        b->st->serial[0] &= 0x7F; /* a positive number */
        return SFC_OK;
    }
    if (hex_decode(hex, b->st->serial, 4, &len) != SFC_OK || len != 4)
        return refuse(b, "serial", "needs 4 bytes in hex for piv");
    return SFC_OK;
}

/* ---- keys and certificates from PEM files -------------------------------- */

static EVP_PKEY *read_key(const char *path)
{
    BIO *bio = BIO_new_file(path, "r");
    EVP_PKEY *k = bio ? PEM_read_bio_PrivateKey(bio, NULL, NULL, NULL) : NULL;
    BIO_free(bio);
    return k;
}

static X509 *read_cert(const char *path)
{
    BIO *bio = BIO_new_file(path, "r");
    X509 *x = bio ? PEM_read_bio_X509(bio, NULL, NULL, NULL) : NULL;
    BIO_free(bio);
    return x;
}

static sfc_err import_key(piv_build *b, uint8_t ref, const char *param,
                          const char *path)
{
    EVP_PKEY *k = read_key(path);
    uint8_t alg = k ? piv_alg_of_pkey(k) : 0;
    if (!alg) {
        EVP_PKEY_free(k);
        return refuse(b, param, k ? "not RSA 2048/3072/4096 or EC P-256/"
                                    "P-384" : "no PEM private key there");
    }
    piv_slot_set(piv_slot_of(b->st, ref), k, alg, PIV_POLICY_DEFAULT,
                 PIV_POLICY_DEFAULT, PIV_ORIGIN_IMPORTED);
    return SFC_OK;
}

/* The certificate object {70 DER, 71 00, FE}; its key must be the slot's. */
static sfc_err import_cert(piv_build *b, uint8_t ref, const char *param,
                           const char *path)
{
    X509 *x = read_cert(path);
    const piv_slot *s = piv_slot_of(b->st, ref);
    unsigned char *der = NULL;
    int n = x ? i2d_X509(x, &der) : -1;
    bool match = x && (!s->pkey || X509_check_private_key(x, s->pkey) == 1);
    X509_free(x);
    sfc_buf obj;
    buf_init(&obj);
    bool ok = n > 0 && match && ber_put(&obj, 0x70, der, (size_t)n) &&
              ber_put_u8(&obj, 0x71, 0) && ber_put(&obj, 0xFE, NULL, 0) &&
              piv_object_put(b->card, b->df, piv_cert_tag(ref), obj.data,
                             obj.len) == SW_OK;
    OPENSSL_free(der);
    buf_free(&obj);
    if (ok)
        return SFC_OK;
    return refuse(b, param, n <= 0 ? "no PEM certificate there"
                  : match ? "cannot store it"
                          : "its public key is not the slot's key");
}

static sfc_err import_slot(piv_build *b, uint8_t ref)
{
    char kp[16], cp[16];
    snprintf(kp, sizeof(kp), "key-%02x", ref);
    snprintf(cp, sizeof(cp), "cert-%02x", ref);
    const char *key = sfc_param_get(b->opts, kp);
    const char *cert = sfc_param_get(b->opts, cp);
    sfc_err rv = key ? import_key(b, ref, kp, key) : SFC_OK;
    if (rv == SFC_OK && cert)
        rv = import_cert(b, ref, cp, cert);
    return rv;
}

static sfc_err set_pin(piv_build *b)
{
    return set_secret(b, "pin", b->st->pin);
}

static sfc_err set_puk(piv_build *b)
{
    return set_secret(b, "puk", b->st->puk);
}

/* CHUID, CCC, discovery object and the attestation key. */
static sfc_err make_objects(piv_build *b)
{
    if (piv_default_objects(b->card, b->df) == SFC_OK &&
        piv_make_attestation(b->card, b->st, b->df) == SFC_OK)
        return SFC_OK;
    sfc_errf(b->err, b->errlen, "piv: cannot write the CHUID, CCC and "
             "attestation key");
    return SFC_E_IO;
}

static sfc_err import_slots(piv_build *b)
{
    static const uint8_t slots[] = {0x9A, 0x9C, 0x9D, 0x9E};
    sfc_err rv = SFC_OK;
    for (size_t i = 0; rv == SFC_OK && i < sizeof(slots); i++)
        rv = import_slot(b, slots[i]);
    return rv;
}

sfc_err piv_personalise(sfc_card *card, sfc_app *app,
                        const sfc_card_options *opts, char *err,
                        size_t errlen)
{
    static sfc_err (*const steps[])(piv_build *) = {
        set_pin, set_puk, set_retries, set_mgm, set_serial, make_objects,
        import_slots};
    piv_build b = {card, sfc_app_df(app), sfc_app_state(app), opts, err,
                   errlen};
    sfc_err rv = SFC_OK;
    piv_factory_secrets(b.st);
    for (size_t i = 0; rv == SFC_OK && i < sizeof(steps) / sizeof(steps[0]);
         i++)
        rv = steps[i](&b);
    return rv;
}
