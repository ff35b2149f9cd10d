/* SPDX-License-Identifier: LGPL-2.1-or-later */
/**
 * @file test_cardtype_openpgp_keys.c
 * @brief The openpgp card type's keys: GENERATE ASYMMETRIC KEY PAIR for
 *        RSA, ECDSA, ECDH, EdDSA and X25519; PSO COMPUTE DIGITAL SIGNATURE
 *        with the signature counter and the one-signature rule; PSO
 *        DECIPHER (RSA extended and chained, ECDH, X25519); INTERNAL
 *        AUTHENTICATE; key import through the extended header list, and
 *        malformed lists; MSE key swapping; the saved state (images) and
 *        malformed saved states. Every result is checked with OpenSSL.
 */
#include "openpgp_steps.h"

#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/param_build.h>
#include <openssl/pem.h>
#include <openssl/rsa.h>

/* An APDU with extended Lc and Le (0000), or short if data fit. */
static uint16_t xcmd(sfc_card *card, uint8_t cla, uint8_t ins, uint8_t p1,
                     uint8_t p2, const uint8_t *data, size_t len,
                     uint8_t *out, size_t *outlen)
{
    static uint8_t apdu[70000];
    size_t n = 0;
    apdu[n++] = cla;
    apdu[n++] = ins;
    apdu[n++] = p1;
    apdu[n++] = p2;
    apdu[n++] = 0x00;
    if (len) {
        apdu[n++] = (uint8_t)(len >> 8);
        apdu[n++] = (uint8_t)len;
        memcpy(apdu + n, data, len);
        n += len;
    }
    apdu[n++] = 0x00;
    apdu[n++] = 0x00;
    const uint8_t *r = NULL;
    size_t rl = 0;
    assert_int_equal(sfc_card_transmit(card, apdu, n, &r, &rl), SFC_OK);
    memcpy(out, r, rl - 2);
    *outlen = rl - 2;
    return (uint16_t)(r[rl - 2] << 8 | r[rl - 1]);
}

/* ---- public keys from 7F49 ------------------------------------------------ */

static EVP_PKEY *from_params(const char *type, OSSL_PARAM_BLD *bld)
{
    OSSL_PARAM *params = OSSL_PARAM_BLD_to_param(bld);
    EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new_from_name(NULL, type, NULL);
    EVP_PKEY *k = NULL;
    assert_int_equal(EVP_PKEY_fromdata_init(ctx), 1);
    assert_int_equal(EVP_PKEY_fromdata(ctx, &k, EVP_PKEY_PUBLIC_KEY, params),
                     1);
    OSSL_PARAM_free(params);
    EVP_PKEY_CTX_free(ctx);
    OSSL_PARAM_BLD_free(bld);
    return k;
}

static EVP_PKEY *rsa_public(const uint8_t *r, size_t n)
{
    ber_tlv m, e;
    static const uint32_t pm[] = {0x7F49, 0x81}, pe[] = {0x7F49, 0x82};
    assert_int_equal(ber_find_path(r, n, pm, 2, &m), SFC_OK);
    assert_int_equal(ber_find_path(r, n, pe, 2, &e), SFC_OK);
    OSSL_PARAM_BLD *bld = OSSL_PARAM_BLD_new();
    BIGNUM *bn = BN_bin2bn(m.value, (int)m.len, NULL);
    BIGNUM *be = BN_bin2bn(e.value, (int)e.len, NULL);
    OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_N, bn);
    OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_E, be);
    EVP_PKEY *k = from_params("RSA", bld);
    BN_free(bn);
    BN_free(be);
    return k;
}

static ber_tlv point_of(const uint8_t *r, size_t n)
{
    ber_tlv p;
    static const uint32_t pp[] = {0x7F49, 0x86};
    assert_int_equal(ber_find_path(r, n, pp, 2, &p), SFC_OK);
    return p;
}

static EVP_PKEY *ec_public(const char *group, const uint8_t *r, size_t n)
{
    ber_tlv p = point_of(r, n);
    if (strcmp(group, "ED25519") == 0 || strcmp(group, "X25519") == 0)
        return EVP_PKEY_new_raw_public_key(
            group[0] == 'E' ? EVP_PKEY_ED25519 : EVP_PKEY_X25519, NULL,
            p.value, p.len);
    OSSL_PARAM_BLD *bld = OSSL_PARAM_BLD_new();
    OSSL_PARAM_BLD_push_utf8_string(bld, OSSL_PKEY_PARAM_GROUP_NAME, group, 0);
    OSSL_PARAM_BLD_push_octet_string(bld, OSSL_PKEY_PARAM_PUB_KEY, p.value,
                                     p.len);
    return from_params("EC", bld);
}

/* GENERATE (P1=80) for a CRT after PW3; the public key. */
static EVP_PKEY *generate(sfc_card *card, const char *crt, const char *group)
{
    static uint8_t r[2048];
    size_t n = 0;
    uint8_t c[2];
    tu_hex(crt, c, 2);
    assert_int_equal(xcmd(card, 0x00, 0x47, 0x80, 0x00, c, 2, r, &n), 0x9000);
    return group ? ec_public(group, r, n) : rsa_public(r, n);
}

/* ---- checks with OpenSSL ---------------------------------------------------- */

/* SHA-256 DigestInfo of "abc". */
#define DI_ABC                                                           \
    "3031300D060960864801650304020105000420"                            \
    "BA7816BF8F01CFEA414140DE5DAE2223B00361A396177A9CB410FF61F20015AD"
#define HASH_ABC \
    "BA7816BF8F01CFEA414140DE5DAE2223B00361A396177A9CB410FF61F20015AD"

static void rsa_verify(EVP_PKEY *k, const uint8_t *sig, size_t n)
{
    uint8_t di[51];
    tu_hex(DI_ABC, di, sizeof(di));
    EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new_from_pkey(NULL, k, NULL);
    assert_int_equal(EVP_PKEY_verify_init(ctx), 1);
    assert_int_equal(EVP_PKEY_CTX_set_rsa_padding(ctx, RSA_PKCS1_PADDING), 1);
    assert_int_equal(EVP_PKEY_verify(ctx, sig, n, di, sizeof(di)), 1);
    EVP_PKEY_CTX_free(ctx);
}

static void ecdsa_verify(EVP_PKEY *k, const uint8_t *sig, size_t n)
{
    uint8_t h[32];
    tu_hex(HASH_ABC, h, sizeof(h));
    ECDSA_SIG *s = ECDSA_SIG_new();
    ECDSA_SIG_set0(s, BN_bin2bn(sig, (int)n / 2, NULL),
                   BN_bin2bn(sig + n / 2, (int)n / 2, NULL));
    uint8_t *der = NULL;
    int dl = i2d_ECDSA_SIG(s, &der);
    EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new_from_pkey(NULL, k, NULL);
    assert_int_equal(EVP_PKEY_verify_init(ctx), 1);
    assert_int_equal(EVP_PKEY_verify(ctx, der, (size_t)dl, h, sizeof(h)), 1);
    EVP_PKEY_CTX_free(ctx);
    OPENSSL_free(der);
    ECDSA_SIG_free(s);
}

static void ed25519_verify(EVP_PKEY *k, const uint8_t *sig, size_t n)
{
    uint8_t h[32];
    tu_hex(HASH_ABC, h, sizeof(h));
    EVP_MD_CTX *md = EVP_MD_CTX_new();
    assert_int_equal(EVP_DigestVerifyInit(md, NULL, NULL, NULL, k), 1);
    assert_int_equal(EVP_DigestVerify(md, sig, n, h, sizeof(h)), 1);
    EVP_MD_CTX_free(md);
}

static uint16_t sign(sfc_card *card, const char *data_hex, uint8_t *sig,
                     size_t *n)
{
    uint8_t d[64];
    size_t dl = tu_hex(data_hex, d, sizeof(d));
    return xcmd(card, 0x00, 0x2A, 0x9E, 0x9A, d, dl, sig, n);
}

/* ---- RSA -------------------------------------------------------------------- */

static void test_generate_needs_pw3(void **state)
{
    static const ct_step steps[] = {
        {"0047800002B600", "6982"},
        {"0047810002B600", "6A88"}, /* no key yet */
        {PGP_VERIFY_PW3, "9000"},
        {"0047800002B700", "6A80"},
        {"0047800000", "6700"},
        {"0047820002B600", "6A86"},
        {"002A9E9A0401020304", "6982"},
        {PGP_VERIFY_PW1_81, "9000"},
        {"002A9E9A0401020304", "6A88"}, /* no signature key */
    };
    CT_RUN(*state, steps);
}

static void test_rsa_sign_and_counter(void **state)
{
    sfc_card *card = *state;
    ct_expect(card, PGP_VERIFY_PW3, "9000");
    EVP_PKEY *k = generate(card, "B600", NULL);
    assert_int_equal(EVP_PKEY_get_bits(k), 2048);
    ct_expect(card, "00CA00DE00", "010102000300 9000");
    uint8_t sig[600];
    size_t n = 0;
    assert_int_equal(sign(card, DI_ABC, sig, &n), 0x6982);
    ct_expect(card, PGP_VERIFY_PW1_81, "9000");
    assert_int_equal(sign(card, DI_ABC, sig, &n), 0x9000);
    assert_int_equal(n, 256);
    rsa_verify(k, sig, n);
    ct_expect(card, "00CA009300", "000001 9000");
    /* one signature per verification unless C4 byte 1 says several */
    assert_int_equal(sign(card, DI_ABC, sig, &n), 0x6982);
    ct_expect(card, "00DA00C40101", "9000");
    ct_expect(card, PGP_VERIFY_PW1_81, "9000");
    assert_int_equal(sign(card, DI_ABC, sig, &n), 0x9000);
    assert_int_equal(sign(card, DI_ABC, sig, &n), 0x9000);
    rsa_verify(k, sig, n);
    ct_expect(card, "00CA007A00", "7A05 9303000003 9000");
    /* 81 reads the same public key; a new key resets the counter */
    uint8_t r[600];
    assert_int_equal(xcmd(card, 0, 0x47, 0x81, 0, (const uint8_t *)"\xB6\x00",
                          2, r, &n), 0x9000);
    EVP_PKEY *again = rsa_public(r, n);
    assert_int_equal(EVP_PKEY_eq(k, again), 1);
    EVP_PKEY_free(again);
    EVP_PKEY_free(generate(card, "B600", NULL));
    ct_expect(card, "00CA009300", "000000 9000");
    EVP_PKEY_free(k);
}

static size_t rsa_encrypt(EVP_PKEY *k, uint8_t *out)
{
    EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new_from_pkey(NULL, k, NULL);
    size_t n = 512;
    out[0] = 0x00; /* padding indicator */
    assert_int_equal(EVP_PKEY_encrypt_init(ctx), 1);
    assert_int_equal(EVP_PKEY_CTX_set_rsa_padding(ctx, RSA_PKCS1_PADDING), 1);
    assert_int_equal(EVP_PKEY_encrypt(ctx, out + 1, &n,
                                      (const uint8_t *)"session key", 11), 1);
    EVP_PKEY_CTX_free(ctx);
    return n + 1;
}

static void test_rsa_decipher(void **state)
{
    sfc_card *card = *state;
    ct_expect(card, PGP_VERIFY_PW3, "9000");
    EVP_PKEY *k = generate(card, "B800", NULL);
    uint8_t ct[600], r[600];
    size_t n = rsa_encrypt(k, ct), rn = 0;
    assert_int_equal(xcmd(card, 0, 0x2A, 0x80, 0x86, ct, n, r, &rn), 0x6982);
    ct_expect(card, PGP_VERIFY_PW1_82, "9000");
    assert_int_equal(xcmd(card, 0, 0x2A, 0x80, 0x86, ct, n, r, &rn), 0x9000);
    tu_assert_hex(r, rn, "73657373696F6E206B6579");
    /* as scdaemon chains it: 254 bytes, then the rest */
    uint8_t apdu[300];
    memcpy(apdu, "\x10\x2A\x80\x86\xFE", 5);
    memcpy(apdu + 5, ct, 254);
    assert_int_equal(ct_raw(card, apdu, 5 + 254, NULL), 0x9000);
    memcpy(apdu, "\x00\x2A\x80\x86", 4);
    apdu[4] = (uint8_t)(n - 254);
    memcpy(apdu + 5, ct + 254, n - 254);
    apdu[5 + n - 254] = 0x00;
    size_t dl = 0;
    assert_int_equal(ct_raw(card, apdu, 6 + n - 254, &dl), 0x9000);
    assert_int_equal(dl, 11);
    /* a broken cryptogram, and AES (not supported) */
    ct[100] ^= 0x55;
    assert_int_equal(xcmd(card, 0, 0x2A, 0x80, 0x86, ct, n, r, &rn), 0x6A80);
    ct_expect(card, "002A808603020102", "6A81");
    ct_expect(card, "002A80860100", "6700");
    ct_expect(card, "002A808102000000", "6A86");
    EVP_PKEY_free(k);
}

/* RSA-4096: a 513-byte PSO DECIPHER (extended), and the 7F49 read with
 * short APDUs through GET RESPONSE, as scdaemon does in chaining mode. */
static void test_rsa_4096(void **state)
{
    sfc_card *card = *state;
    ct_expect(card, PGP_VERIFY_PW3, "9000");
    ct_expect(card, "00DA00C206 011000002000", "9000");
    ct_expect(card, "00DA00C206 011100002000", "6A80"); /* 4352 bits */
    ct_expect(card, "00DA00C206 010400002000", "6A80"); /* 1024 bits */
    EVP_PKEY *k = generate(card, "B800", NULL);
    assert_int_equal(EVP_PKEY_get_bits(k), 4096);
    uint8_t ct[600], r[600];
    size_t n = rsa_encrypt(k, ct), rn = 0;
    assert_int_equal(n, 513);
    ct_expect(card, PGP_VERIFY_PW1_82, "9000");
    assert_int_equal(xcmd(card, 0, 0x2A, 0x80, 0x86, ct, n, r, &rn), 0x9000);
    tu_assert_hex(r, rn, "73657373696F6E206B6579");
    /* short: 256 bytes and 61xx, GET RESPONSE for the rest */
    uint8_t all[1024];
    size_t got = 0;
    uint16_t sw = pgp_x(card, "0047810002B80000", all, sizeof(all), &got);
    while ((sw & 0xFF00) == 0x6100) {
        size_t more = 0;
        sw = pgp_x(card, "00C0000000", all + got, sizeof(all) - got, &more);
        got += more;
    }
    assert_int_equal(sw, 0x9000);
    EVP_PKEY *again = rsa_public(all, got);
    assert_int_equal(EVP_PKEY_eq(k, again), 1);
    EVP_PKEY_free(again);
    EVP_PKEY_free(k);
}

static void test_internal_authenticate_and_mse(void **state)
{
    sfc_card *card = *state;
    ct_expect(card, PGP_VERIFY_PW3, "9000");
    EVP_PKEY *aut = generate(card, "A400", NULL);
    uint8_t di[64], r[600];
    size_t dl = tu_hex(DI_ABC, di, sizeof(di)), n = 0;
    assert_int_equal(xcmd(card, 0, 0x88, 0, 0, di, dl, r, &n), 0x6982);
    ct_expect(card, PGP_VERIFY_PW1_82, "9000");
    assert_int_equal(xcmd(card, 0, 0x88, 0, 0, di, dl, r, &n), 0x9000);
    rsa_verify(aut, r, n);
    assert_int_equal(xcmd(card, 0, 0x88, 1, 0, di, dl, r, &n), 0x6A86);
    /* MSE: the authentication key decrypts */
    uint8_t ct[600];
    size_t cn = rsa_encrypt(aut, ct);
    assert_int_equal(xcmd(card, 0, 0x2A, 0x80, 0x86, ct, cn, r, &n), 0x6A88);
    ct_expect(card, "002241B803830103", "9000");
    assert_int_equal(xcmd(card, 0, 0x2A, 0x80, 0x86, ct, cn, r, &n), 0x9000);
    ct_expect(card, "002241B803830104", "6A80");
    ct_expect(card, "002241B603830103", "6A86");
    ct_expect(card, "002241A403830102", "9000");
    assert_int_equal(xcmd(card, 0, 0x88, 0, 0, di, dl, r, &n), 0x6A88);
    /* a reset restores the references */
    sfc_card_power(card, SFC_RESET);
    ct_expect(card, PGP_SELECT, "9000");
    ct_expect(card, PGP_VERIFY_PW1_82, "9000");
    assert_int_equal(xcmd(card, 0, 0x88, 0, 0, di, dl, r, &n), 0x9000);
    EVP_PKEY_free(aut);
}

/* ---- ECC -------------------------------------------------------------------- */

static void test_ecdsa_p256_and_brainpool(void **state)
{
    sfc_card *card = *state;
    static const ct_step steps[] = {
        {PGP_VERIFY_PW3, "9000"},
        {"00DA00C109 132A8648CE3D030107", "9000"},
        {"00CA00C100", "132A8648CE3D030107 9000"},
        {"00DA00C309 122A8648CE3D030107", "6A80"}, /* ECDH cannot sign */
        {"00DA00C20A 132B2403030208010107", "6A80"}, /* ECDSA cannot decrypt */
        {"00DA00C30A 132B2403030208010107", "9000"},
    };
    CT_RUN(card, steps);
    EVP_PKEY *k = generate(card, "B600", "prime256v1");
    EVP_PKEY *a = generate(card, "A400", "brainpoolP256r1");
    uint8_t sig[200];
    size_t n = 0;
    ct_expect(card, PGP_VERIFY_PW1_81, "9000");
    assert_int_equal(sign(card, HASH_ABC, sig, &n), 0x9000);
    assert_int_equal(n, 64);
    ecdsa_verify(k, sig, n);
    ct_expect(card, PGP_VERIFY_PW1_82, "9000");
    uint8_t h[32];
    tu_hex(HASH_ABC, h, sizeof(h));
    assert_int_equal(xcmd(card, 0, 0x88, 0, 0, h, 32, sig, &n), 0x9000);
    ecdsa_verify(a, sig, n);
    EVP_PKEY_free(k);
    EVP_PKEY_free(a);
}

static void test_eddsa(void **state)
{
    sfc_card *card = *state;
    ct_expect(card, PGP_VERIFY_PW3, "9000");
    ct_expect(card, "00DA00C10A 162B06010401DA470F01", "9000");
    EVP_PKEY *k = generate(card, "B600", "ED25519");
    uint8_t sig[100];
    size_t n = 0;
    ct_expect(card, PGP_VERIFY_PW1_81, "9000");
    assert_int_equal(sign(card, HASH_ABC, sig, &n), 0x9000);
    assert_int_equal(n, 64);
    ed25519_verify(k, sig, n);
    EVP_PKEY_free(k);
}

static size_t derive(EVP_PKEY *mine, EVP_PKEY *peer, uint8_t *out)
{
    EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new_from_pkey(NULL, mine, NULL);
    size_t n = 100;
    assert_int_equal(EVP_PKEY_derive_init(ctx), 1);
    assert_int_equal(EVP_PKEY_derive_set_peer(ctx, peer), 1);
    assert_int_equal(EVP_PKEY_derive(ctx, out, &n), 1);
    EVP_PKEY_CTX_free(ctx);
    return n;
}

/* A6 {7F49 {86 point}} of an ephemeral key, and the expected secret. */
static size_t ecdh_template(EVP_PKEY *card_pub, EVP_PKEY *eph, uint8_t *tpl,
                            uint8_t *secret, size_t *slen)
{
    uint8_t pt[200];
    size_t pn = sizeof(pt);
    if (EVP_PKEY_is_a(eph, "X25519"))
        assert_int_equal(EVP_PKEY_get_raw_public_key(eph, pt, &pn), 1);
    else
        assert_int_equal(EVP_PKEY_get_octet_string_param(
                             eph, OSSL_PKEY_PARAM_PUB_KEY, pt, pn, &pn), 1);
    *slen = derive(eph, card_pub, secret);
    size_t n = 0;
    tpl[n++] = 0xA6;
    tpl[n++] = (uint8_t)(pn + 5);
    tpl[n++] = 0x7F;
    tpl[n++] = 0x49;
    tpl[n++] = (uint8_t)(pn + 2);
    tpl[n++] = 0x86;
    tpl[n++] = (uint8_t)pn;
    memcpy(tpl + n, pt, pn);
    return n + pn;
}

static void ecdh_check(sfc_card *card, const char *attr, const char *group)
{
    char put[100];
    snprintf(put, sizeof(put), "00DA00C2%02zX%s", strlen(attr) / 2, attr);
    ct_expect(card, put, "9000");
    EVP_PKEY *k = generate(card, "B800", group);
    EVP_PKEY *eph = strcmp(group, "X25519") == 0
                        ? EVP_PKEY_Q_keygen(NULL, NULL, "X25519")
                        : EVP_PKEY_Q_keygen(NULL, NULL, "EC", group);
    uint8_t tpl[200], secret[100], r[200];
    size_t sn = 0, rn = 0;
    size_t tn = ecdh_template(k, eph, tpl, secret, &sn);
    assert_int_equal(xcmd(card, 0, 0x2A, 0x80, 0x86, tpl, tn, r, &rn), 0x9000);
    assert_int_equal(rn, sn);
    assert_memory_equal(r, secret, sn);
    tpl[3] = 0x48; /* not 7F49 */
    assert_int_equal(xcmd(card, 0, 0x2A, 0x80, 0x86, tpl, tn, r, &rn), 0x6A80);
    EVP_PKEY_free(eph);
    EVP_PKEY_free(k);
}

static void test_ecdh(void **state)
{
    sfc_card *card = *state;
    ct_expect(card, PGP_VERIFY_PW3, "9000");
    ct_expect(card, PGP_VERIFY_PW1_82, "9000");
    ecdh_check(card, "122B81040022", "secp384r1");
    ecdh_check(card, "122B060104019755010501", "X25519");
    ecdh_check(card, "122B2403030208010107", "brainpoolP256r1");
}

/* Every attribute FA lists is accepted for its slot, and every ECC one
 * generates a key whose public part the card answers. */
static void test_algorithm_information(void **state)
{
    sfc_card *card = *state;
    ct_expect(card, PGP_VERIFY_PW3, "9000");
    static uint8_t fa[2048];
    size_t n = 0;
    assert_int_equal(pgp_x(card, "00CA00FA000000", fa, sizeof(fa), &n), 0x9000);
    ber_tlv t, a;
    assert_int_equal(ber_decode(fa, n, &t), SFC_OK);
    assert_int_equal(t.tag, 0xFA);
    ber_iter it;
    ber_iter_init(&it, t.value, t.len, false);
    int count[3] = {0};
    while (ber_iter_next(&it, &a) == SFC_OK) {
        assert_true(a.tag >= 0xC1 && a.tag <= 0xC3);
        count[a.tag - 0xC1]++;
        uint8_t put[32] = {0x00, 0xDA, 0x00, (uint8_t)a.tag, (uint8_t)a.len};
        memcpy(put + 5, a.value, a.len);
        assert_int_equal(ct_raw(card, put, 5 + a.len, NULL), 0x9000);
        if (a.value[0] == 0x01)
            continue; /* RSA generation is tested above */
        static const char *crt[] = {"B600", "B800", "A400"};
        uint8_t c[2], r[300];
        size_t rn = 0;
        tu_hex(crt[a.tag - 0xC1], c, 2);
        assert_int_equal(xcmd(card, 0, 0x47, 0x80, 0, c, 2, r, &rn), 0x9000);
        ber_tlv p = point_of(r, rn);
        assert_true(p.len == 32 || p.value[0] == 0x04);
    }
    /* 3 RSA sizes and 7 curves per slot (no X25519 for signing, no
     * Ed25519 for decryption) */
    assert_int_equal(count[0], 10);
    assert_int_equal(count[1], 10);
    assert_int_equal(count[2], 10);
}

/* ---- import ----------------------------------------------------------------- */

static void put_bn(uint8_t *hdr, size_t *hn, uint8_t *val, size_t *vn,
                   uint8_t tag, const EVP_PKEY *k, const char *name)
{
    BIGNUM *b = NULL;
    assert_int_equal(EVP_PKEY_get_bn_param(k, name, &b), 1);
    int n = BN_bn2bin(b, val + *vn);
    hdr[(*hn)++] = tag;
    hdr[(*hn)++] = 0x81;
    hdr[(*hn)++] = (uint8_t)n;
    *vn += (size_t)n;
    BN_free(b);
}

/* 4D {crt, 7F48 {91 e, 92 p, 93 q}, 5F48 {e p q}} of an RSA key. */
static size_t rsa_list(const EVP_PKEY *k, uint8_t crt, uint8_t *out)
{
    uint8_t hdr[32], val[1024];
    size_t hn = 0, vn = 0, n = 0;
    put_bn(hdr, &hn, val, &vn, 0x91, k, OSSL_PKEY_PARAM_RSA_E);
    put_bn(hdr, &hn, val, &vn, 0x92, k, OSSL_PKEY_PARAM_RSA_FACTOR1);
    put_bn(hdr, &hn, val, &vn, 0x93, k, OSSL_PKEY_PARAM_RSA_FACTOR2);
    size_t inner = 2 + 2 + 1 + hn + 2 + 3 + vn;
    out[n++] = 0x4D;
    out[n++] = 0x82;
    out[n++] = (uint8_t)(inner >> 8);
    out[n++] = (uint8_t)inner;
    out[n++] = crt;
    out[n++] = 0x00;
    out[n++] = 0x7F;
    out[n++] = 0x48;
    out[n++] = (uint8_t)hn;
    memcpy(out + n, hdr, hn);
    n += hn;
    out[n++] = 0x5F;
    out[n++] = 0x48;
    out[n++] = 0x82;
    out[n++] = (uint8_t)(vn >> 8);
    out[n++] = (uint8_t)vn;
    memcpy(out + n, val, vn);
    return n + vn;
}

static void test_import_rsa(void **state)
{
    sfc_card *card = *state;
    EVP_PKEY *k = EVP_PKEY_Q_keygen(NULL, NULL, "RSA", (size_t)2048);
    uint8_t list[1200], r[600];
    size_t n = rsa_list(k, 0xB6, list), rn = 0;
    assert_int_equal(xcmd(card, 0, 0xDB, 0x3F, 0xFF, list, n, r, &rn), 0x6982);
    ct_expect(card, PGP_VERIFY_PW3, "9000");
    assert_int_equal(xcmd(card, 0, 0xDB, 0x3F, 0xFE, list, n, r, &rn), 0x6A86);
    assert_int_equal(xcmd(card, 0, 0xDB, 0x3F, 0xFF, list, n, r, &rn), 0x9000);
    ct_expect(card, "00CA00DE00", "010202000300 9000");
    assert_int_equal(xcmd(card, 0, 0x47, 0x81, 0, (const uint8_t *)"\xB6\x00",
                          2, r, &rn), 0x9000);
    EVP_PKEY *pub = rsa_public(r, rn);
    assert_int_equal(EVP_PKEY_eq(k, pub), 1);
    ct_expect(card, PGP_VERIFY_PW1_81, "9000");
    assert_int_equal(sign(card, DI_ABC, r, &rn), 0x9000);
    rsa_verify(k, r, rn);
    EVP_PKEY_free(pub);
    EVP_PKEY_free(k);
}

static void test_import_malformed(void **state)
{
    sfc_card *card = *state;
    ct_expect(card, PGP_VERIFY_PW3, "9000");
    EVP_PKEY *k = EVP_PKEY_Q_keygen(NULL, NULL, "RSA", (size_t)2048);
    uint8_t list[1200], bad[1200], r[100];
    size_t n = rsa_list(k, 0xB8, list), rn = 0;
    /* each: 6A80 and no key */
    memcpy(bad, list, n);
    bad[0] = 0x4E;
    assert_int_equal(xcmd(card, 0, 0xDB, 0x3F, 0xFF, bad, n, r, &rn), 0x6A80);
    memcpy(bad, list, n); /* an unknown CRT */
    bad[4] = 0xB7;
    assert_int_equal(xcmd(card, 0, 0xDB, 0x3F, 0xFF, bad, n, r, &rn), 0x6A80);
    memcpy(bad, list, n); /* a component tag 90 */
    bad[9] = 0x90;
    assert_int_equal(xcmd(card, 0, 0xDB, 0x3F, 0xFF, bad, n, r, &rn), 0x6A80);
    memcpy(bad, list, n); /* lengths that do not add up */
    bad[14]++;
    assert_int_equal(xcmd(card, 0, 0xDB, 0x3F, 0xFF, bad, n, r, &rn), 0x6A80);
    /* truncated: the outer length runs past the data */
    assert_int_equal(xcmd(card, 0, 0xDB, 0x3F, 0xFF, list, n - 1, r, &rn),
                     0x6A80);
    ct_expect(card, "00DB3FFF03 4D0100", "6A80");
    ct_expect(card, "00DB3FFF00", "6A80");
    EVP_PKEY_free(k);
}

static void test_import_ec(void **state)
{
    sfc_card *card = *state;
    ct_expect(card, PGP_VERIFY_PW3, "9000");
    ct_expect(card, "00DA00C109 132A8648CE3D030107", "9000");
    EVP_PKEY *k = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "prime256v1");
    BIGNUM *d = NULL;
    assert_int_equal(EVP_PKEY_get_bn_param(k, OSSL_PKEY_PARAM_PRIV_KEY, &d), 1);
    uint8_t list[100] = {0x4D, 0x2A, 0xB6, 0x00, 0x7F, 0x48, 0x02, 0x92, 0x20,
                         0x5F, 0x48, 0x20};
    assert_int_equal(BN_bn2binpad(d, list + 12, 32), 32);
    uint8_t r[200];
    size_t rn = 0;
    assert_int_equal(xcmd(card, 0, 0xDB, 0x3F, 0xFF, list, 44, r, &rn), 0x9000);
    assert_int_equal(xcmd(card, 0, 0x47, 0x81, 0, (const uint8_t *)"\xB6\x00",
                          2, r, &rn), 0x9000);
    EVP_PKEY *pub = ec_public("prime256v1", r, rn);
    assert_int_equal(EVP_PKEY_eq(k, pub), 1);
    BN_free(d);
    EVP_PKEY_free(pub);
    EVP_PKEY_free(k);
}

/* ---- personalisation with key files ---------------------------------------- */

/* Write a key as PEM (PKCS#8, unencrypted) to a new temporary file. */
static char *pem_file(EVP_PKEY *k)
{
    static char paths[3][64];
    static int next;
    char *path = paths[next++ % 3];
    snprintf(path, 64, "/tmp/test_openpgp_keyXXXXXX");
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    FILE *f = fdopen(fd, "w");
    assert_non_null(f);
    assert_int_equal(PEM_write_PrivateKey(f, k, NULL, NULL, 0, NULL, NULL), 1);
    fclose(f);
    return path;
}

static void test_key_files(void **state)
{
    (void)state;
    EVP_PKEY *sig = EVP_PKEY_Q_keygen(NULL, NULL, "ED25519");
    EVP_PKEY *dec = EVP_PKEY_Q_keygen(NULL, NULL, "X25519");
    EVP_PKEY *aut = EVP_PKEY_Q_keygen(NULL, NULL, "RSA", (size_t)3072);
    char *ps = pem_file(sig), *pd = pem_file(dec), *pa = pem_file(aut);
    sfc_param p[] = {{"sig-key", ps},
                     {"dec-key", pd},
                     {"aut-key", pa},
                     {"key-time", "1700000000"}};
    sfc_card *card = pgp_card_with(p, 4);
    /* the creation time, and fingerprints (their values: the
     * integration test compares them with GnuPG's) */
    ct_expect(card, "00CA00CD00", "6553F1006553F1006553F100 9000");
    uint8_t f[100];
    size_t fl = 0;
    static const uint8_t zero[20];
    assert_int_equal(pgp_x(card, "00CA00C500", f, sizeof(f), &fl), 0x9000);
    assert_int_equal(fl, 60);
    for (int i = 0; i < 3; i++)
        assert_memory_not_equal(f + 20 * i, zero, 20);
    ct_expect(card, "00CA00C100", "162B06010401DA470F01 9000");
    ct_expect(card, "00CA00C200", "122B060104019755010501 9000");
    ct_expect(card, "00CA00C300", "010C00002000 9000");
    ct_expect(card, "00CA00DE00", "010202020302 9000");
    uint8_t r[600];
    size_t n = 0;
    assert_int_equal(xcmd(card, 0, 0x47, 0x81, 0, (const uint8_t *)"\xB6\x00",
                          2, r, &n), 0x9000);
    EVP_PKEY *pub = ec_public("ED25519", r, n);
    assert_int_equal(EVP_PKEY_eq(sig, pub), 1);
    EVP_PKEY_free(pub);
    ct_expect(card, PGP_VERIFY_PW1_81, "9000");
    assert_int_equal(sign(card, HASH_ABC, r, &n), 0x9000);
    ed25519_verify(sig, r, n);
    ct_expect(card, PGP_VERIFY_PW1_82, "9000");
    uint8_t di[64];
    size_t dl = tu_hex(DI_ABC, di, sizeof(di));
    assert_int_equal(xcmd(card, 0, 0x88, 0, 0, di, dl, r, &n), 0x9000);
    assert_int_equal(n, 384);
    rsa_verify(aut, r, n);
    sfc_card_free(card);
    /* a key of the wrong kind for its slot is refused */
    sfc_param bad[] = {{"sig-key", pd}};
    sfc_card_options o = {0};
    o.params = bad;
    o.n_params = 1;
    sfc_card *none = NULL;
    char err[300] = "";
    assert_int_not_equal(sfc_card_new("openpgp", &o, &none, err, sizeof(err)),
                         SFC_OK);
    assert_non_null(strstr(err, "sig-key"));
    sfc_param bad_time[] = {{"sig-key", ps}, {"key-time", "12x"}};
    o.params = bad_time;
    o.n_params = 2;
    assert_int_not_equal(sfc_card_new("openpgp", &o, &none, err, sizeof(err)),
                         SFC_OK);
    assert_non_null(strstr(err, "key-time"));
    unlink(ps);
    unlink(pd);
    unlink(pa);
    EVP_PKEY_free(sig);
    EVP_PKEY_free(dec);
    EVP_PKEY_free(aut);
}

/* ---- the saved state -------------------------------------------------------- */

static void test_state_round_trip(void **state)
{
    sfc_card *card = *state;
    ct_expect(card, PGP_VERIFY_PW3, "9000");
    ct_expect(card, "00DA005B03 414243", "9000");
    ct_expect(card, "00DA00D308 3837363534333231", "9000");
    EVP_PKEY *k = generate(card, "B600", NULL);
    uint8_t sig[300];
    size_t n = 0;
    ct_expect(card, PGP_VERIFY_PW1_81, "9000");
    assert_int_equal(sign(card, DI_ABC, sig, &n), 0x9000);
    ct_expect(card, "002000820131", "63C2");
    static uint8_t saved[SFC_APP_STATE_MAX];
    size_t len = pgp_save(card, ct_app(card, &pgp_app), saved, sizeof(saved));
    assert_true(len > 0 && len < sizeof(saved));

    sfc_card *other = pgp_card();
    char err[200] = "";
    assert_int_equal(pgp_load(other, ct_app(other, &pgp_app), saved, len,
                              err, sizeof(err)), SFC_OK);
    ct_expect(other, "00CA00C400", "007F7F7F020303 9000");
    ct_expect(other, "00CA009300", "000001 9000");
    ct_expect(other, "00CA005B00", "414243 9000");
    ct_expect(other, PGP_VERIFY_PW1_81, "9000");
    assert_int_equal(sign(other, DI_ABC, sig, &n), 0x9000);
    rsa_verify(k, sig, n);
    /* malformed saved states are refused */
    assert_int_not_equal(pgp_load(other, ct_app(other, &pgp_app), saved,
                                  len - 1, err, sizeof(err)), SFC_OK);
    static const uint8_t unknown[] = {0x99, 0x01, 0x00};
    assert_int_not_equal(pgp_load(other, ct_app(other, &pgp_app), unknown,
                                  sizeof(unknown), err, sizeof(err)), SFC_OK);
    static const uint8_t bad_pw[] = {0x81, 0x02, 0x09, 0x31};
    assert_int_not_equal(pgp_load(other, ct_app(other, &pgp_app), bad_pw,
                                  sizeof(bad_pw), err, sizeof(err)), SFC_OK);
    sfc_card_free(other);
    EVP_PKEY_free(k);
    /* a tiny buffer fails cleanly */
    assert_int_equal(pgp_save(card, ct_app(card, &pgp_app), saved, 10),
                     (size_t)-1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
#define T(f) cmocka_unit_test_setup_teardown(f, pgp_setup, ct_teardown)
        T(test_generate_needs_pw3),
        T(test_rsa_sign_and_counter),
        T(test_rsa_decipher),
        T(test_rsa_4096),
        T(test_internal_authenticate_and_mse),
        T(test_ecdsa_p256_and_brainpool),
        T(test_eddsa),
        T(test_ecdh),
        T(test_algorithm_information),
        T(test_import_rsa),
        T(test_import_malformed),
        T(test_import_ec),
        T(test_state_round_trip),
        cmocka_unit_test(test_key_files),
#undef T
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
