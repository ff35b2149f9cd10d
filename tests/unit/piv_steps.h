/* SPDX-License-Identifier: LGPL-2.1-or-later */
/**
 * @file piv_steps.h
 * @brief Shared steps of the PIV tests (header-only, as cardtest.h): a
 *        card with parameters and an optional scripted random source,
 *        commands with any amount of data (chained with CLA 10 beyond 255
 *        bytes, 61xx followed with GET RESPONSE as a client does), the
 *        management-key authentication done by the test with OpenSSL, PIN
 *        verification, and IMPORT KEY of an OpenSSL key.
 */
#ifndef SFC_PIV_STEPS_H
#define SFC_PIV_STEPS_H

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/evp.h>

#include "cardtest.h"
#include "core/bytes.h"
#include "core/rng.h"
#include "core/tlv.h"

#define PV_MGM_3DES "010203040506070801020304050607080102030405060708"
#define PV_PIN "313233343536FFFF" /* 123456, FF-padded */
#define PV_MAX 8192

/* A card of type piv with parameters (NULL-terminated key, value pairs)
 * and, when `rng` is given, that random source. */
static inline sfc_card *pv_card_rng(const char *const *kv, const sfc_rng *rng)
{
    static sfc_param p[16];
    sfc_card_options o = {0};
    size_t n = 0;
    for (; kv && kv[2 * n]; n++)
        p[n] = (sfc_param){kv[2 * n], kv[2 * n + 1]};
    o.params = p;
    o.n_params = n;
    o.rng = rng;
    return ct_card_ex("piv", &o);
}

static inline sfc_card *pv_card(void)
{
    return pv_card_rng(NULL, NULL);
}

/* One command, chained if it must be; 61xx answers are collected with
 * GET RESPONSE. Returns the final status word; data in out/outlen. */
static inline uint16_t pv_cmd(sfc_card *card, uint8_t ins, uint8_t p1,
                              uint8_t p2, const uint8_t *data, size_t len,
                              uint8_t *out, size_t *outlen)
{
    uint8_t apdu[300];
    const uint8_t *r = NULL;
    size_t rl = 0, got = 0, off = 0;
    do {
        size_t n = len - off > 255 ? 255 : len - off;
        bool last = off + n == len;
        apdu[0] = last ? 0x00 : 0x10;
        apdu[1] = ins, apdu[2] = p1, apdu[3] = p2;
        size_t al = 4;
        if (n) {
            apdu[4] = (uint8_t)n;
            memcpy(apdu + 5, data + off, n);
            al = 5 + n;
        }
        assert_int_equal(sfc_card_transmit(card, apdu, al, &r, &rl), SFC_OK);
        off += n;
    } while (off < len);
    for (;;) {
        assert_true(rl >= 2);
        if (out && got + rl - 2 <= PV_MAX)
            memcpy(out + got, r, rl - 2);
        got += rl - 2;
        if (r[rl - 2] != 0x61)
            break;
        uint8_t gr[5] = {0x00, 0xC0, 0x00, 0x00, r[rl - 1]};
        assert_int_equal(sfc_card_transmit(card, gr, 5, &r, &rl), SFC_OK);
    }
    if (outlen)
        *outlen = got;
    return (uint16_t)(r[rl - 2] << 8 | r[rl - 1]);
}

/* ECB with OpenSSL directly (not the card's code): the test's side. */
static inline void pv_ecb(bool enc, const uint8_t *key, size_t klen,
                          const uint8_t *in, size_t len, uint8_t *out)
{
    const EVP_CIPHER *c = klen == 16   ? EVP_aes_128_ecb()
                          : klen == 32 ? EVP_aes_256_ecb()
                          : len == 8   ? EVP_des_ede3_ecb()
                                       : EVP_aes_192_ecb();
    EVP_CIPHER_CTX *ctx = EVP_CIPHER_CTX_new();
    int n = 0;
    assert_int_equal(EVP_CipherInit_ex(ctx, c, NULL, key, NULL, enc), 1);
    EVP_CIPHER_CTX_set_padding(ctx, 0);
    assert_int_equal(EVP_CipherUpdate(ctx, out, &n, in, (int)len), 1);
    assert_int_equal((size_t)n, len);
    EVP_CIPHER_CTX_free(ctx);
}

/* Mutual authentication with the management key as yubico-piv-tool does
 * it; returns the status word of the second step. */
static inline uint16_t pv_mgm(sfc_card *card, uint8_t alg, const char *hex)
{
    uint8_t key[32], r[64], cmd[40], w[16];
    size_t klen = tu_hex(hex, key, sizeof(key)), rl = 0;
    size_t bs = alg == 0x03 ? 8 : 16;
    static const uint8_t ask[] = {0x7C, 0x02, 0x80, 0x00};
    uint16_t sw = pv_cmd(card, 0x87, alg, 0x9B, ask, 4, r, &rl);
    if (sw != 0x9000)
        return sw;
    assert_int_equal(rl, 4 + bs);
    pv_ecb(false, key, klen, r + 4, bs, w);
    cmd[0] = 0x7C, cmd[1] = (uint8_t)(4 + 2 * bs);
    cmd[2] = 0x80, cmd[3] = (uint8_t)bs;
    memcpy(cmd + 4, w, bs);
    cmd[4 + bs] = 0x81, cmd[5 + bs] = (uint8_t)bs;
    memset(cmd + 6 + bs, 0x5A, bs);
    sw = pv_cmd(card, 0x87, alg, 0x9B, cmd, 6 + 2 * bs, r, &rl);
    if (sw == 0x9000) { /* the card proves it knows the key too */
        uint8_t want[16];
        pv_ecb(true, key, klen, cmd + 6 + bs, bs, want);
        assert_int_equal(rl, 4 + bs);
        assert_memory_equal(r + 4, want, bs);
    }
    return sw;
}

static inline void pv_mgm_default(sfc_card *card)
{
    assert_int_equal(pv_mgm(card, 0x03, PV_MGM_3DES), 0x9000);
}

static inline void pv_pin(sfc_card *card)
{
    ct_expect(card, "0020008008" PV_PIN, "9000");
}

static inline bool pv_put_bn(sfc_buf *b, uint32_t tag, const EVP_PKEY *k,
                             const char *name, size_t pad)
{
    BIGNUM *bn = NULL;
    uint8_t v[512];
    assert_int_equal(EVP_PKEY_get_bn_param(k, name, &bn), 1);
    int n = BN_bn2binpad(bn, v, (int)pad);
    BN_free(bn);
    return n > 0 && ber_put(b, tag, v, (size_t)n);
}

/* IMPORT KEY (FE) of an OpenSSL key, as yubico-piv-tool encodes it. */
static inline uint16_t pv_import(sfc_card *card, uint8_t alg, uint8_t slot,
                                 const EVP_PKEY *k, uint8_t pin_policy)
{
    sfc_buf b;
    buf_init(&b);
    if (EVP_PKEY_is_a(k, "RSA")) {
        size_t half = (size_t)EVP_PKEY_get_bits(k) / 16;
        assert_true(pv_put_bn(&b, 1, k, OSSL_PKEY_PARAM_RSA_FACTOR1, half) &&
                    pv_put_bn(&b, 2, k, OSSL_PKEY_PARAM_RSA_FACTOR2, half) &&
                    pv_put_bn(&b, 3, k, OSSL_PKEY_PARAM_RSA_EXPONENT1, half) &&
                    pv_put_bn(&b, 4, k, OSSL_PKEY_PARAM_RSA_EXPONENT2, half) &&
                    pv_put_bn(&b, 5, k, OSSL_PKEY_PARAM_RSA_COEFFICIENT1,
                              half));
    } else {
        size_t fb = (size_t)(EVP_PKEY_get_bits(k) + 7) / 8;
        assert_true(pv_put_bn(&b, 6, k, OSSL_PKEY_PARAM_PRIV_KEY, fb));
    }
    if (pin_policy)
        ber_put_u8(&b, 0xAA, pin_policy);
    uint16_t sw = pv_cmd(card, 0xFE, alg, slot, b.data, b.len, NULL, NULL);
    buf_free(&b);
    return sw;
}

static inline EVP_PKEY *pv_rsa(unsigned bits)
{
    EVP_PKEY *k = EVP_PKEY_Q_keygen(NULL, NULL, "RSA", (size_t)bits);
    assert_non_null(k);
    return k;
}

static inline EVP_PKEY *pv_ec(const char *curve)
{
    EVP_PKEY *k = EVP_PKEY_Q_keygen(NULL, NULL, "EC", curve);
    assert_non_null(k);
    return k;
}

/* GENERAL AUTHENTICATE 7C{82 00, <tag> data}; the 82 value in out. */
static inline uint16_t pv_ga(sfc_card *card, uint8_t alg, uint8_t slot,
                             uint8_t tag, const uint8_t *data, size_t len,
                             uint8_t *out, size_t *outlen)
{
    sfc_buf b, in;
    uint8_t r[PV_MAX];
    size_t rl = 0;
    buf_init(&b);
    buf_init(&in);
    ber_put(&in, 0x82, NULL, 0);
    ber_put(&in, tag, data, len);
    ber_put(&b, 0x7C, in.data, in.len);
    uint16_t sw = pv_cmd(card, 0x87, alg, slot, b.data, b.len, r, &rl);
    buf_free(&b);
    buf_free(&in);
    if (sw == 0x9000) {
        ber_tlv t, v;
        assert_int_equal(ber_decode(r, rl, &t), SFC_OK);
        assert_int_equal(t.tag, 0x7C);
        assert_int_equal(ber_find(t.value, t.len, 0x82, &v), SFC_OK);
        memcpy(out, v.value, v.len);
        *outlen = v.len;
    }
    return sw;
}

#endif
