/* SPDX-License-Identifier: LGPL-2.1-or-later */
/**
 * @file cryptoflex_steps.h
 * @brief Shared steps of the Cryptoflex tests: a factory card, files made
 *        with the Cryptoflex CREATE FILE body, a key directory with a
 *        generated key, and the RSA operation checked against the public
 *        key read back from EF 1012 (header-only, as cardtest.h).
 */
#ifndef SFC_CRYPTOFLEX_STEPS_H
#define SFC_CRYPTOFLEX_STEPS_H

#include <openssl/bn.h>

#include "cardtest.h"

/* The data bytes of a hex response that ends in 9000. */
static inline void cf_data(const char *r, uint8_t *out, size_t n)
{
    char hex[2 * 256 + 1];
    assert_true(2 * n < sizeof(hex));
    memcpy(hex, r, 2 * n);
    hex[2 * n] = '\0';
    assert_int_equal(tu_hex(hex, out, n), n);
}

#define CF_AAK "2C15E526E93E8A19"
#define CF_PIN "3132333400000000" /* 1234, padded as OpenSC pads it */

static inline sfc_card *cf_card(void)
{
    static const sfc_param p[] = {{"serial", "0102030405060708"}};
    sfc_card_options o = {0};
    o.params = p;
    o.n_params = 1;
    return ct_card_ex("cryptoflex", &o);
}

/* F0 E0 with the 16-byte body: size, FID, type, the three AC bytes. */
static inline void cf_create(sfc_card *card, unsigned size, unsigned fid,
                             unsigned type, unsigned ac0, unsigned ac1,
                             const char *expect)
{
    char apdu[80];
    snprintf(apdu, sizeof(apdu),
             "F0E0000010FFFF%04X%04X%02XFF%02X%02X0001030000 00", size, fid,
             type, ac0, ac1);
    ct_expect(card, apdu, expect);
}

static inline void cf_select(sfc_card *card, unsigned fid)
{
    char apdu[32];
    snprintf(apdu, sizeof(apdu), "C0A4000002%04X", fid);
    ct_expect(card, apdu, "6110");
}

/* A CHV file (EF 0000 or 0100) in the current DF, update under `update`,
 * holding PIN 1234 with 3 tries and PUK 5678 with 10. */
static inline void cf_chv_file(sfc_card *card, unsigned fid, unsigned update)
{
    cf_create(card, 23, fid, 0x01, 0xF0 | update, 0xF0 | update, "9000");
    ct_expect(card, "C0D6000017 FFFFFF " CF_PIN " 0303 3536373800000000 0A0A",
              "9000");
}

/* In the MF after AUT1: DF 3000 with CHV1, EF 0012 (private, update CHV1)
 * and EF 1012 (public, read always) for `bits`; CHV1 verified, the key
 * generated. */
static inline void cf_key_dir(sfc_card *card, unsigned bits)
{
    unsigned base = bits / 16, p2 = bits == 2048 ? 0 : bits / 8;
    char apdu[40];
    cf_select(card, 0x3F00);
    ct_expect(card, "F02A000108" CF_AAK, "9000");
    cf_create(card, 3000, 0x3000, 0x38, 0x00, 0x00, "9000");
    cf_chv_file(card, 0x0000, 0x0);
    cf_select(card, 0x3000);
    cf_create(card, 5 * base + 6, 0x0012, 0x01, 0xF1, 0xF1, "9000");
    cf_create(card, 5 * base + 10, 0x1012, 0x01, 0x01, 0x01, "9000");
    snprintf(apdu, sizeof(apdu), "F04600%02X0401000100", p2);
    ct_expect(card, apdu, "6982"); /* EF 0012 is updated under CHV1 */
    ct_expect(card, "C0200001 08" CF_PIN, "9000");
    ct_expect(card, apdu, "9000");
}

/* The modulus from EF 1012 (little-endian at offset 3), big-endian. */
static inline BIGNUM *cf_modulus(sfc_card *card, unsigned bits)
{
    size_t n = bits / 8;
    char apdu[32];
    uint8_t raw[256], be[256];
    cf_select(card, 0x1012);
    snprintf(apdu, sizeof(apdu), "C0B00003%02X", (unsigned)(n & 0xFF));
    const char *r = ct_x(card, apdu);
    assert_int_equal(strlen(r), 2 * n + 4);
    assert_string_equal(r + 2 * n, "9000");
    cf_data(r, raw, n);
    for (size_t i = 0; i < n; i++)
        be[i] = raw[n - 1 - i];
    return BN_bin2bn(be, (int)n, NULL);
}

/* A PKCS#1 type-1 block of `n` bytes (big-endian), reversed into `rev`. */
static inline void cf_block(size_t n, uint8_t *block, uint8_t *rev)
{
    block[0] = 0x00;
    block[1] = 0x01;
    memset(block + 2, 0xFF, n - 3 - 20);
    block[n - 21] = 0x00;
    for (size_t i = 0; i < 20; i++)
        block[n - 20 + i] = (uint8_t)(0xA0 + i);
    for (size_t i = 0; i < n; i++)
        rev[i] = block[n - 1 - i];
}

/* sig (little-endian, as the card answers) ^ 65537 mod n == block. */
static inline void cf_check_signature(const BIGNUM *n, const uint8_t *sig_le,
                                      const uint8_t *block, size_t len)
{
    uint8_t be[256], out[256];
    for (size_t i = 0; i < len; i++)
        be[i] = sig_le[len - 1 - i];
    BN_CTX *ctx = BN_CTX_new();
    BIGNUM *s = BN_bin2bn(be, (int)len, NULL), *e = BN_new(), *m = BN_new();
    assert_true(ctx && s && e && m && BN_set_word(e, 65537));
    assert_int_equal(BN_mod_exp(m, s, e, n, ctx), 1);
    assert_int_equal(BN_bn2binpad(m, out, (int)len), (int)len);
    assert_memory_equal(out, block, len);
    BN_free(s);
    BN_free(e);
    BN_free(m);
    BN_CTX_free(ctx);
}

/* Sign a 1024-bit block with C0 88 (the key of the current DF), fetch the
 * result with GET RESPONSE; `sig` receives it little-endian. */
static inline void cf_sign_1024(sfc_card *card, const uint8_t *rev,
                                uint8_t *sig)
{
    char apdu[2 * 128 + 16];
    strcpy(apdu, "C088000080");
    strcat(apdu, tu_tohex(rev, 128));
    ct_expect(card, apdu, "6180");
    const char *r = ct_x(card, "C0C0000080");
    assert_int_equal(strlen(r), 2 * 128 + 4);
    assert_string_equal(r + 256, "9000");
    cf_data(r, sig, 128);
}

#endif
