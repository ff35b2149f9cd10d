/* SPDX-License-Identifier: LGPL-2.1-or-later */
/**
 * @file mac.c
 * @brief Message authentication codes: ISO/IEC 9797-1 MAC algorithm 3 with
 *        DES ("retail MAC", ICAO BAC secure messaging) and AES-CMAC
 *        (NIST SP 800-38B, PACE/EAC secure messaging), through OpenSSL 3.
 *
 * OpenSSL has no retail MAC, so it is composed from EVP ciphers, never from
 * a hand-written DES: single-DES CBC with K1 over every block but the last
 * (DES-EDE3 with K1 K1 K1 is single DES), then the output transformation
 * E_K1(D_K2(E_K1(H xor last block))), which is exactly one two-key 3DES
 * (K1 K2 K1) encryption of that block. AES-CMAC is OpenSSL's EVP_MAC "CMAC".
 */
#include "crypto/sym.h"

#include <stdlib.h>
#include <string.h>

#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/params.h>

#include "core/bytes.h"

/* Bytes enciphered per EVP call while chaining over long messages. */
#define MAC_CHUNK 512u

/* H = last block of single-DES CBC (IV 0) over `len` bytes (multiple of 8). */
static sfc_err des_cbc_chain(const uint8_t k1[8], const uint8_t *data,
                            size_t len, uint8_t h[8])
{
    uint8_t key[24], tmp[MAC_CHUNK];
    for (int i = 0; i < 3; i++)
        memcpy(key + 8 * i, k1, 8);
    memset(h, 0, 8);
    sfc_err rv = SFC_OK;
    for (size_t off = 0; off < len && rv == SFC_OK; off += MAC_CHUNK) {
        size_t n = len - off < MAC_CHUNK ? len - off : MAC_CHUNK;
        /* Each chunk continues the chain: its IV is the previous H. */
        rv = sfc_cipher(SFC_CIPHER_DES3, SFC_MODE_CBC, true, key, sizeof(key), h,
                       data + off, n, tmp);
        if (rv == SFC_OK)
            memcpy(h, tmp + n - 8, 8);
    }
    sfc_wipe(key, sizeof(key));
    sfc_wipe(tmp, sizeof(tmp));
    return rv;
}

sfc_err sfc_mac_retail(const uint8_t key[16], const uint8_t *data, size_t len,
                     uint8_t out[8])
{
    if (!key || (len && !data) || !out)
        return SFC_E_INVAL;
    if (len == 0 || len % 8)
        return SFC_E_RANGE;
    uint8_t h[8];
    sfc_err rv = des_cbc_chain(key, data, len - 8, h);
    if (rv == SFC_OK) {
        for (int i = 0; i < 8; i++)
            h[i] ^= data[len - 8 + i];
        rv = sfc_cipher(SFC_CIPHER_DES3, SFC_MODE_ECB, true, key, 16, NULL, h, 8,
                       out);
    }
    sfc_wipe(h, sizeof(h));
    return rv;
}

static const char *cmac_cipher_name(size_t keylen)
{
    switch (keylen) {
    case 16:
        return "AES-128-CBC";
    case 24:
        return "AES-192-CBC";
    case 32:
        return "AES-256-CBC";
    default:
        return NULL;
    }
}

sfc_err sfc_mac_cmac_aes(const uint8_t *key, size_t keylen, const uint8_t *data,
                       size_t len, uint8_t out[16])
{
    const char *cipher = cmac_cipher_name(keylen);
    if (!key || !cipher || (len && !data) || !out)
        return SFC_E_INVAL;
    EVP_MAC *mac = EVP_MAC_fetch(NULL, "CMAC", NULL);
    EVP_MAC_CTX *ctx = mac ? EVP_MAC_CTX_new(mac) : NULL;
    OSSL_PARAM params[] = {
        OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_CIPHER,
                                         (char *)cipher, 0),
        OSSL_PARAM_construct_end(),
    };
    size_t outl = 0;
    bool ok = ctx && EVP_MAC_init(ctx, key, keylen, params) == 1 &&
              EVP_MAC_update(ctx, data ? data : (const uint8_t *)"", len) == 1 &&
              EVP_MAC_final(ctx, out, &outl, 16) == 1 && outl == 16;
    EVP_MAC_CTX_free(ctx);
    EVP_MAC_free(mac);
    return ok ? SFC_OK : SFC_E_IO;
}

/* ---- keyed MACs -------------------------------------------------------------- */

struct sfc_mac_key {
    sfc_cipher_key *k1;   /**< retail: single DES with K1, for the chain */
    sfc_cipher_key *k12;  /**< retail: 3DES K1 K2 K1, the output transform */
    EVP_MAC_CTX *cmac;    /**< AES-CMAC, keyed once */
};

sfc_mac_key *sfc_mac_key_retail(const uint8_t key[16])
{
    sfc_mac_key *m = key ? calloc(1, sizeof(*m)) : NULL;
    if (!m)
        return NULL;
    m->k1 = sfc_cipher_key_new(SFC_CIPHER_DES3, key, 8);
    m->k12 = sfc_cipher_key_new(SFC_CIPHER_DES3, key, 16);
    if (m->k1 && m->k12)
        return m;
    sfc_mac_key_free(m);
    return NULL;
}

sfc_mac_key *sfc_mac_key_cmac_aes(const uint8_t *key, size_t keylen)
{
    const char *cipher = cmac_cipher_name(keylen);
    sfc_mac_key *m = key && cipher ? calloc(1, sizeof(*m)) : NULL;
    if (!m)
        return NULL;
    EVP_MAC *mac = EVP_MAC_fetch(NULL, "CMAC", NULL);
    m->cmac = mac ? EVP_MAC_CTX_new(mac) : NULL;
    EVP_MAC_free(mac);
    OSSL_PARAM params[] = {
        OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_CIPHER,
                                         (char *)cipher, 0),
        OSSL_PARAM_construct_end(),
    };
    if (m->cmac && EVP_MAC_init(m->cmac, key, keylen, params) == 1)
        return m;
    sfc_mac_key_free(m);
    return NULL;
}

void sfc_mac_key_free(sfc_mac_key *m)
{
    if (!m)
        return;
    sfc_cipher_key_free(m->k1);
    sfc_cipher_key_free(m->k12);
    EVP_MAC_CTX_free(m->cmac);
    free(m);
}

static sfc_err keyed_retail(sfc_mac_key *m, const uint8_t *data, size_t len,
                            uint8_t out[8])
{
    if (len == 0 || len % 8)
        return SFC_E_RANGE;
    uint8_t h[8] = {0}, tmp[MAC_CHUNK];
    size_t used = 0; /* bytes of tmp written: only those are wiped */
    sfc_err rv = SFC_OK;
    for (size_t off = 0; off < len - 8 && rv == SFC_OK; off += MAC_CHUNK) {
        size_t n = len - 8 - off < MAC_CHUNK ? len - 8 - off : MAC_CHUNK;
        rv = sfc_cipher_keyed(m->k1, SFC_MODE_CBC, true, h, data + off, n, tmp);
        used = n > used ? n : used;
        if (rv == SFC_OK)
            memcpy(h, tmp + n - 8, 8);
    }
    for (int i = 0; i < 8; i++)
        h[i] ^= data[len - 8 + i];
    if (rv == SFC_OK)
        rv = sfc_cipher_keyed(m->k12, SFC_MODE_ECB, true, NULL, h, 8, out);
    sfc_wipe(h, sizeof(h));
    sfc_wipe(tmp, used);
    return rv;
}

static sfc_err keyed_cmac(sfc_mac_key *m, const uint8_t *data, size_t len,
                          uint8_t out[16])
{
    size_t outl = 0;
    /* EVP_MAC_init without a key restarts with the key already set. */
    bool ok = EVP_MAC_init(m->cmac, NULL, 0, NULL) == 1 &&
              EVP_MAC_update(m->cmac, data ? data : (const uint8_t *)"", len) == 1 &&
              EVP_MAC_final(m->cmac, out, &outl, 16) == 1 && outl == 16;
    return ok ? SFC_OK : SFC_E_IO;
}

sfc_err sfc_mac_keyed(sfc_mac_key *m, const uint8_t *data, size_t len,
                      uint8_t *out, size_t outlen)
{
    if (!m || (len && !data) || !out || outlen > (m->cmac ? 16u : 8u))
        return SFC_E_INVAL;
    uint8_t full[16];
    sfc_err rv = m->cmac ? keyed_cmac(m, data, len, full)
                         : keyed_retail(m, data, len, full);
    if (rv == SFC_OK)
        memcpy(out, full, outlen);
    sfc_wipe(full, sizeof(full));
    return rv;
}
