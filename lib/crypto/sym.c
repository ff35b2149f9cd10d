/* SPDX-License-Identifier: LGPL-2.1-or-later */
/**
 * @file sym.c
 * @brief Block ciphers (3DES and AES in ECB and CBC) and ISO/IEC 9797-1
 *        padding method 2, through OpenSSL 3 EVP.
 *
 * Every DES form runs as OpenSSL's three-key DES-EDE3: a 16-byte key becomes
 * K1 K2 K1 and an 8-byte key K1 K1 K1, which is single DES. This keeps the
 * code on the default provider (OpenSSL 3 moved plain DES to the legacy
 * provider, which a distribution may not ship or load). AES picks
 * AES-128/192/256 from the key length.
 *
 * Ciphers never pad: protocols differ in whether and how they pad, so they
 * call sfc_pad_iso()/sfc_unpad_iso() themselves. Unpadding is not constant
 * time; every caller in the card authenticates the cryptogram (MAC) before
 * it decrypts, so there is no padding oracle to protect.
 */
#include "crypto/sym.h"

#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>

#include "core/bytes.h"

#define DES_KEY 8u
#define DES3_KEY_MAX 24u

size_t sfc_cipher_block(sfc_cipher_alg alg)
{
    return alg == SFC_CIPHER_AES ? 16 : 8;
}

bool sfc_cipher_key_ok(sfc_cipher_alg alg, size_t keylen)
{
    switch (alg) {
    case SFC_CIPHER_DES3:
        return keylen == 8 || keylen == 16 || keylen == 24;
    case SFC_CIPHER_AES:
        return keylen == 16 || keylen == 24 || keylen == 32;
    default:
        return false;
    }
}

/* The key in the form EVP wants: DES keys expanded to K1 K2 K3. */
static size_t evp_key(sfc_cipher_alg alg, const uint8_t *key, size_t keylen,
                      uint8_t out[32])
{
    if (alg == SFC_CIPHER_AES) {
        memcpy(out, key, keylen);
        return keylen;
    }
    for (size_t i = 0; i < 3; i++) {
        size_t from = keylen == DES3_KEY_MAX ? i : (keylen == 16 ? i % 2 : 0);
        memcpy(out + DES_KEY * i, key + DES_KEY * from, DES_KEY);
    }
    return DES3_KEY_MAX;
}

static const EVP_CIPHER *evp_cipher(sfc_cipher_alg alg, sfc_cipher_mode mode,
                                    size_t keylen)
{
    bool cbc = mode == SFC_MODE_CBC;
    if (alg == SFC_CIPHER_DES3)
        return cbc ? EVP_des_ede3_cbc() : EVP_des_ede3_ecb();
    switch (keylen) {
    case 16:
        return cbc ? EVP_aes_128_cbc() : EVP_aes_128_ecb();
    case 24:
        return cbc ? EVP_aes_192_cbc() : EVP_aes_192_ecb();
    default:
        return cbc ? EVP_aes_256_cbc() : EVP_aes_256_ecb();
    }
}

sfc_err sfc_cipher(sfc_cipher_alg alg, sfc_cipher_mode mode, bool encrypt,
                 const uint8_t *key, size_t keylen, const uint8_t *iv,
                 const uint8_t *in, size_t len, uint8_t *out)
{
    if (!key || !sfc_cipher_key_ok(alg, keylen) ||
        (mode != SFC_MODE_ECB && mode != SFC_MODE_CBC))
        return SFC_E_INVAL;
    size_t bs = sfc_cipher_block(alg);
    if (len % bs || len > INT_MAX)
        return SFC_E_RANGE;
    if (len == 0)
        return SFC_OK;
    uint8_t k[32], zero_iv[16] = {0};
    evp_key(alg, key, keylen, k);
    EVP_CIPHER_CTX *ctx = EVP_CIPHER_CTX_new();
    int n = 0, fin = 0;
    bool ok = ctx &&
              EVP_CipherInit_ex(ctx, evp_cipher(alg, mode, keylen), NULL, k,
                                mode == SFC_MODE_CBC ? (iv ? iv : zero_iv) : NULL,
                                encrypt ? 1 : 0) == 1 &&
              EVP_CIPHER_CTX_set_padding(ctx, 0) == 1 &&
              EVP_CipherUpdate(ctx, out, &n, in, (int)len) == 1 &&
              EVP_CipherFinal_ex(ctx, out + n, &fin) == 1 &&
              (size_t)n + (size_t)fin == len;
    EVP_CIPHER_CTX_free(ctx);
    sfc_wipe(k, sizeof(k));
    return ok ? SFC_OK : SFC_E_IO;
}

/* ---- keyed contexts -------------------------------------------------------- */

struct sfc_cipher_key {
    sfc_cipher_alg alg;
    EVP_CIPHER_CTX *cbc_enc, *cbc_dec, *ecb_enc;
};

static EVP_CIPHER_CTX *keyed_ctx(const EVP_CIPHER *c, const uint8_t *k,
                                 bool encrypt)
{
    uint8_t zero_iv[16] = {0};
    EVP_CIPHER_CTX *ctx = EVP_CIPHER_CTX_new();
    if (ctx && EVP_CipherInit_ex(ctx, c, NULL, k, zero_iv, encrypt ? 1 : 0) == 1 &&
        EVP_CIPHER_CTX_set_padding(ctx, 0) == 1)
        return ctx;
    EVP_CIPHER_CTX_free(ctx);
    return NULL;
}

sfc_cipher_key *sfc_cipher_key_new(sfc_cipher_alg alg, const uint8_t *key,
                                   size_t keylen)
{
    if (!key || !sfc_cipher_key_ok(alg, keylen))
        return NULL;
    sfc_cipher_key *ck = calloc(1, sizeof(*ck));
    if (!ck)
        return NULL;
    uint8_t k[32];
    evp_key(alg, key, keylen, k);
    ck->alg = alg;
    ck->cbc_enc = keyed_ctx(evp_cipher(alg, SFC_MODE_CBC, keylen), k, true);
    ck->cbc_dec = keyed_ctx(evp_cipher(alg, SFC_MODE_CBC, keylen), k, false);
    ck->ecb_enc = keyed_ctx(evp_cipher(alg, SFC_MODE_ECB, keylen), k, true);
    sfc_wipe(k, sizeof(k));
    if (ck->cbc_enc && ck->cbc_dec && ck->ecb_enc)
        return ck;
    sfc_cipher_key_free(ck);
    return NULL;
}

void sfc_cipher_key_free(sfc_cipher_key *ck)
{
    if (!ck)
        return;
    EVP_CIPHER_CTX_free(ck->cbc_enc);
    EVP_CIPHER_CTX_free(ck->cbc_dec);
    EVP_CIPHER_CTX_free(ck->ecb_enc);
    free(ck);
}

sfc_err sfc_cipher_keyed(sfc_cipher_key *ck, sfc_cipher_mode mode, bool encrypt,
                         const uint8_t *iv, const uint8_t *in, size_t len,
                         uint8_t *out)
{
    bool cbc = mode == SFC_MODE_CBC;
    if (!ck || (!cbc && (mode != SFC_MODE_ECB || !encrypt)))
        return SFC_E_INVAL;
    if (len % sfc_cipher_block(ck->alg) || len > INT_MAX)
        return SFC_E_RANGE;
    if (len == 0)
        return SFC_OK;
    static const uint8_t zero_iv[16];
    EVP_CIPHER_CTX *ctx = !cbc ? ck->ecb_enc : encrypt ? ck->cbc_enc : ck->cbc_dec;
    int n = 0, fin = 0;
    /* Same cipher and key: only the IV (and the chaining state) restart. */
    bool ok = EVP_CipherInit_ex(ctx, NULL, NULL, NULL,
                                cbc ? (iv ? iv : zero_iv) : NULL, -1) == 1 &&
              EVP_CipherUpdate(ctx, out, &n, in, (int)len) == 1 &&
              EVP_CipherFinal_ex(ctx, out + n, &fin) == 1 &&
              (size_t)n + (size_t)fin == len;
    return ok ? SFC_OK : SFC_E_IO;
}

/* ---- ISO/IEC 9797-1 padding method 2 ------------------------------------ */

size_t sfc_pad_iso(const uint8_t *in, size_t len, size_t block, uint8_t *out)
{
    if (block == 0)
        block = 1;
    if (out != in)
        memmove(out, in, len);
    out[len++] = 0x80;
    while (len % block)
        out[len++] = 0x00;
    return len;
}

size_t sfc_unpad_iso(const uint8_t *in, size_t len, size_t block)
{
    if (block == 0 || len == 0 || len % block)
        return SIZE_MAX;
    /* Method 2 adds at most one block: the 80 marker must be in the last. */
    for (size_t i = len; i > len - block; i--) {
        if (in[i - 1] == 0x80)
            return i - 1;
        if (in[i - 1] != 0x00)
            return SIZE_MAX;
    }
    return SIZE_MAX;
}
