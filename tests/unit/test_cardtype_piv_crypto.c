/* SPDX-License-Identifier: LGPL-2.1-or-later */
/**
 * @file test_cardtype_piv_crypto.c
 * @brief PIV private-key operations checked with OpenSSL: keys made by
 *        OpenSSL and imported (IMPORT KEY), RSA signatures on a PKCS#1
 *        v1.5 block the client padded, RSA decryption of what OpenSSL
 *        encrypted, ECDSA P-256 and P-384 over a digest, ECDH against
 *        OpenSSL's derivation; the PIN policies (9C once per VERIFY, 9E
 *        none); GENERATE ASYMMETRIC KEY PAIR (RSA 2048 and 3072, P-256 and
 *        P-384) with the 7F49 reply turned into an OpenSSL key that
 *        verifies the card's signatures; ATTEST verified against the F9
 *        certificate; the application state saved and loaded into another
 *        card; RSA 4096 with extended-length APDUs; and malformed or
 *        refused inputs.
 */
#include "piv_steps.h"

#include <openssl/core_names.h>
#include <openssl/param_build.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "cardtypes/piv.h"

static int setup(void **state)
{
    *state = pv_card();
    pv_mgm_default(*state);
    return 0;
}

static void sha(const EVP_MD *md, const uint8_t *in, size_t len, uint8_t *out)
{
    unsigned n = 0;
    assert_int_equal(EVP_Digest(in, len, out, &n, md, NULL), 1);
}

/* EMSA-PKCS1-v1_5 of a SHA-256 digest: what the client sends the card. */
static void pkcs1_block(const uint8_t dgst[32], uint8_t *block, size_t k)
{
    static const uint8_t info[] = {0x30, 0x31, 0x30, 0x0D, 0x06, 0x09, 0x60,
                                   0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02,
                                   0x01, 0x05, 0x00, 0x04, 0x20};
    size_t t = sizeof(info) + 32;
    block[0] = 0x00, block[1] = 0x01;
    memset(block + 2, 0xFF, k - t - 3);
    block[k - t - 1] = 0x00;
    memcpy(block + k - t, info, sizeof(info));
    memcpy(block + k - 32, dgst, 32);
}

static void verify_sig(EVP_PKEY *pub, const EVP_MD *md, bool pkcs1,
                       const uint8_t *dgst, size_t dlen, const uint8_t *sig,
                       size_t slen)
{
    EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new_from_pkey(NULL, pub, NULL);
    assert_int_equal(EVP_PKEY_verify_init(ctx), 1);
    if (pkcs1) {
        assert_true(EVP_PKEY_CTX_set_rsa_padding(ctx, RSA_PKCS1_PADDING) > 0);
        assert_true(EVP_PKEY_CTX_set_signature_md(ctx, md) > 0);
    }
    assert_int_equal(EVP_PKEY_verify(ctx, sig, slen, dgst, dlen), 1);
    EVP_PKEY_CTX_free(ctx);
}

/* Sign SHA-256("piv") with an RSA key of k bytes in `slot`; verify. */
static void rsa_sign(sfc_card *card, uint8_t alg, uint8_t slot,
                     EVP_PKEY *pub, const char *expect_sw)
{
    uint8_t dgst[32], block[512], sig[PV_MAX];
    size_t k = (size_t)EVP_PKEY_get_size(pub), sl = 0;
    sha(EVP_sha256(), (const uint8_t *)"piv", 3, dgst);
    pkcs1_block(dgst, block, k);
    uint16_t sw = pv_ga(card, alg, slot, 0x81, block, k, sig, &sl);
    assert_int_equal(sw, strtoul(expect_sw, NULL, 16));
    if (sw == 0x9000) {
        assert_int_equal(sl, k);
        verify_sig(pub, EVP_sha256(), true, dgst, 32, sig, sl);
    }
}

static void ec_sign(sfc_card *card, uint8_t alg, uint8_t slot, EVP_PKEY *pub,
                    const EVP_MD *md, uint16_t expect)
{
    uint8_t dgst[64], sig[PV_MAX];
    size_t dl = (size_t)EVP_MD_get_size(md), sl = 0;
    sha(md, (const uint8_t *)"piv", 3, dgst);
    assert_int_equal(pv_ga(card, alg, slot, 0x81, dgst, dl, sig, &sl),
                     expect);
    if (expect == 0x9000)
        verify_sig(pub, md, false, dgst, dl, sig, sl);
}

static void test_rsa_import_sign_decrypt(void **state)
{
    sfc_card *card = *state;
    EVP_PKEY *k = pv_rsa(2048);
    assert_int_equal(pv_import(card, 0x07, 0x9A, k, 0), 0x9000);
    rsa_sign(card, 0x07, 0x9A, k, "6982");      /* PIN needed */
    pv_pin(card);
    rsa_sign(card, 0x07, 0x9A, k, "9000");
    rsa_sign(card, 0x07, 0x9A, k, "9000");      /* once: stays verified */
    rsa_sign(card, 0x11, 0x9A, k, "6A80");      /* not its algorithm */
    rsa_sign(card, 0x07, 0x9C, k, "6A80");      /* empty slot */
    rsa_sign(card, 0x07, 0x9B + 0x60, k, "6A88"); /* no such slot (FB) */

    /* decryption: OpenSSL encrypts with PKCS#1 v1.5, the card does the raw
     * operation, the message is at the end of the type 2 block */
    uint8_t ct[256], out[PV_MAX];
    size_t cl = sizeof(ct), ol = 0;
    EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new_from_pkey(NULL, k, NULL);
    assert_int_equal(EVP_PKEY_encrypt_init(ctx), 1);
    assert_int_equal(EVP_PKEY_encrypt(ctx, ct, &cl, (const uint8_t *)"secret",
                                      6), 1);
    EVP_PKEY_CTX_free(ctx);
    assert_int_equal(pv_ga(card, 0x07, 0x9A, 0x81, ct, cl, out, &ol), 0x9000);
    assert_int_equal(ol, 256);
    assert_int_equal(out[0], 0x00);
    assert_int_equal(out[1], 0x02);
    assert_int_equal(out[249], 0x00);
    assert_memory_equal(out + 250, "secret", 6);
    assert_int_equal(pv_ga(card, 0x07, 0x9A, 0x81, ct, cl - 1, out, &ol),
                     0x6A80);
    memset(ct, 0xFF, sizeof(ct)); /* above the modulus */
    assert_int_equal(pv_ga(card, 0x07, 0x9A, 0x81, ct, 256, out, &ol),
                     0x6A80);
    EVP_PKEY_free(k);
}

static void test_ec_import_sign_pin_always(void **state)
{
    sfc_card *card = *state;
    EVP_PKEY *p256 = pv_ec("P-256"), *p384 = pv_ec("P-384");
    assert_int_equal(pv_import(card, 0x11, 0x9C, p256, 0), 0x9000);
    assert_int_equal(pv_import(card, 0x14, 0x9E, p384, 0), 0x9000);
    /* 9E: no PIN */
    ec_sign(card, 0x14, 0x9E, p384, EVP_sha384(), 0x9000);
    ec_sign(card, 0x14, 0x9E, p384, EVP_sha256(), 0x9000);
    /* 9C: one signature per VERIFY */
    ec_sign(card, 0x11, 0x9C, p256, EVP_sha256(), 0x6982);
    pv_pin(card);
    ec_sign(card, 0x11, 0x9C, p256, EVP_sha256(), 0x9000);
    ec_sign(card, 0x11, 0x9C, p256, EVP_sha256(), 0x6982);
    ct_expect(card, "00200080", "9000"); /* the PIN itself stays verified */
    pv_pin(card);
    ec_sign(card, 0x11, 0x9C, p256, EVP_sha256(), 0x9000);
    /* a 9C key imported with PIN policy "never" */
    assert_int_equal(pv_import(card, 0x11, 0x9C, p256, PIV_POLICY_NEVER),
                     0x9000);
    ct_expect(card, "0020FF80", "9000");
    ec_sign(card, 0x11, 0x9C, p256, EVP_sha256(), 0x9000);
    /* malformed templates */
    static const ct_step bad[] = {
        {"0087119C067C0482008100", "6A80"},          /* empty digest */
        {"0087119C047C028200", "6A80"},               /* nothing to sign */
        {"0087119C087C06820081008500", "6A80"},       /* 81 and 85 */
        {"0087119C067C0480008100", "6A80"},           /* 80, not 82 */
        {"0087119C077C058201008101AA", "6A80"},       /* 82 not empty */
        {"0087119C057C0382008101", "6A80"},           /* runs past */
    };
    CT_RUN(card, bad);
    EVP_PKEY_free(p256);
    EVP_PKEY_free(p384);
}

static void test_ecdh(void **state)
{
    sfc_card *card = *state;
    const char *curves[] = {"P-256", "P-384"};
    const uint8_t algs[] = {0x11, 0x14};
    for (int i = 0; i < 2; i++) {
        EVP_PKEY *k = pv_ec(curves[i]), *peer = pv_ec(curves[i]);
        ct_expect(card, "0020FF80", "9000");
        assert_int_equal(pv_import(card, algs[i], 0x9D, k, 0), 0x9000);
        uint8_t point[100], got[PV_MAX], want[64];
        size_t pl = 0, gl = 0, wl = sizeof(want);
        assert_int_equal(EVP_PKEY_get_octet_string_param(
                             peer, OSSL_PKEY_PARAM_PUB_KEY, point,
                             sizeof(point), &pl), 1);
        assert_int_equal(pv_ga(card, algs[i], 0x9D, 0x85, point, pl, got,
                               &gl), 0x6982);
        pv_pin(card);
        assert_int_equal(pv_ga(card, algs[i], 0x9D, 0x85, point, pl, got,
                               &gl), 0x9000);
        EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new_from_pkey(NULL, peer, NULL);
        assert_int_equal(EVP_PKEY_derive_init(ctx), 1);
        assert_int_equal(EVP_PKEY_derive_set_peer(ctx, k), 1);
        assert_int_equal(EVP_PKEY_derive(ctx, want, &wl), 1);
        EVP_PKEY_CTX_free(ctx);
        assert_int_equal(gl, wl);
        assert_memory_equal(got, want, wl);
        point[pl - 1] ^= 1; /* not on the curve */
        assert_int_equal(pv_ga(card, algs[i], 0x9D, 0x85, point, pl, got,
                               &gl), 0x6A80);
        EVP_PKEY_free(k);
        EVP_PKEY_free(peer);
    }
}

/* An OpenSSL public key from a 7F49 reply. */
static EVP_PKEY *from_7f49(const uint8_t *r, size_t rl, const char *group)
{
    ber_tlv t, a, b;
    OSSL_PARAM_BLD *bld = OSSL_PARAM_BLD_new();
    BIGNUM *n = NULL, *e = NULL;
    assert_int_equal(ber_decode(r, rl, &t), SFC_OK);
    assert_int_equal(t.tag, 0x7F49);
    assert_int_equal(t.size, rl);
    if (!group) {
        assert_int_equal(ber_find(t.value, t.len, 0x81, &a), SFC_OK);
        assert_int_equal(ber_find(t.value, t.len, 0x82, &b), SFC_OK);
        n = BN_bin2bn(a.value, (int)a.len, NULL);
        e = BN_bin2bn(b.value, (int)b.len, NULL);
        OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_N, n);
        OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_E, e);
    } else {
        assert_int_equal(ber_find(t.value, t.len, 0x86, &a), SFC_OK);
        OSSL_PARAM_BLD_push_utf8_string(bld, OSSL_PKEY_PARAM_GROUP_NAME,
                                        group, 0);
        OSSL_PARAM_BLD_push_octet_string(bld, OSSL_PKEY_PARAM_PUB_KEY,
                                         a.value, a.len);
    }
    OSSL_PARAM *params = OSSL_PARAM_BLD_to_param(bld);
    EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new_from_name(NULL, group ? "EC" : "RSA",
                                                   NULL);
    EVP_PKEY *pub = NULL;
    assert_int_equal(EVP_PKEY_fromdata_init(ctx), 1);
    assert_int_equal(EVP_PKEY_fromdata(ctx, &pub, EVP_PKEY_PUBLIC_KEY, params),
                     1);
    EVP_PKEY_CTX_free(ctx);
    OSSL_PARAM_free(params);
    OSSL_PARAM_BLD_free(bld);
    BN_free(n);
    BN_free(e);
    return pub;
}

static EVP_PKEY *generate(sfc_card *card, uint8_t slot, uint8_t alg,
                          const char *group)
{
    uint8_t tmpl[] = {0xAC, 0x03, 0x80, 0x01, alg}, r[PV_MAX];
    size_t rl = 0;
    assert_int_equal(pv_cmd(card, 0x47, 0x00, slot, tmpl, 5, r, &rl), 0x9000);
    return from_7f49(r, rl, group);
}

static void test_generate(void **state)
{
    sfc_card *card = *state;
    EVP_PKEY *r2 = generate(card, 0x82, 0x07, NULL);
    EVP_PKEY *r3 = generate(card, 0x83, 0x05, NULL);
    EVP_PKEY *e2 = generate(card, 0x84, 0x11, "prime256v1");
    EVP_PKEY *e3 = generate(card, 0x85, 0x14, "secp384r1");
    assert_int_equal(EVP_PKEY_get_bits(r2), 2048);
    assert_int_equal(EVP_PKEY_get_bits(r3), 3072);
    pv_pin(card);
    rsa_sign(card, 0x07, 0x82, r2, "9000");
    rsa_sign(card, 0x05, 0x83, r3, "9000");
    ec_sign(card, 0x11, 0x84, e2, EVP_sha256(), 0x9000);
    ec_sign(card, 0x14, 0x85, e3, EVP_sha384(), 0x9000);
    /* GET METADATA of a generated P-256 key: algorithm, policies (once,
     * touch never), origin generated, the public point */
    uint8_t meta[PV_MAX], point[80];
    size_t ml = 0, pl = 0;
    assert_int_equal(pv_cmd(card, 0xF7, 0x00, 0x84, NULL, 0, meta, &ml),
                     0x9000);
    assert_int_equal(ml, 3 + 4 + 3 + 2 + 67);
    tu_assert_hex(meta, 14, "010111 02020201 030101 0443 8641");
    assert_int_equal(EVP_PKEY_get_octet_string_param(
                         e2, OSSL_PKEY_PARAM_PUB_KEY, point, sizeof(point),
                         &pl), 1);
    assert_memory_equal(meta + 14, point, pl);
    static const ct_step bad[] = {
        {"0047009A05AC03800106", "6A80"},           /* RSA 1024 */
        {"0047009A05AC03800103", "6A80"},           /* 3DES */
        {"004700F905AC03800111", "6A86"},           /* attestation slot */
        {"0047009B05AC03800111", "6A86"},
        {"0047019A05AC03800111", "6A86"},
        {"0047009A05AD03800111", "6A80"},           /* not AC */
        {"0047009A04AC038001", "6A80"},             /* truncated */
        {"0047009A08AC06800111AA0105", "6A80"},     /* PIN policy 05 */
        {"0047009A06AC0380011100", "6A80"},         /* trailing byte */
        {"0047009A02AC00", "6A80"},                 /* no algorithm */
    };
    CT_RUN(card, bad);
    ct_expect(card, "00A4040005A000000308", "*9000");
    ct_expect(card, "0047009A05AC03800111", "6982"); /* no management key */
    EVP_PKEY_free(r2);
    EVP_PKEY_free(r3);
    EVP_PKEY_free(e2);
    EVP_PKEY_free(e3);
}

static void test_import_refused(void **state)
{
    sfc_card *card = *state;
    EVP_PKEY *rsa = pv_rsa(2048), *ec = pv_ec("P-256");
    assert_int_equal(pv_import(card, 0x05, 0x9A, rsa, 0), 0x6A80); /* size */
    assert_int_equal(pv_import(card, 0x14, 0x9A, ec, 0), 0x6A80);
    assert_int_equal(pv_import(card, 0x07, 0x9A, ec, 0), 0x6A80);
    assert_int_equal(pv_import(card, 0x11, 0x9B, ec, 0), 0x6A86);
    static const ct_step bad[] = {
        {"00FE119A030601AA", "6A80"},               /* short scalar */
        {"00FE119A0106", "6A80"},                   /* truncated */
        {"00FE079A0601020304 0203", "6A80"},        /* RSA parts missing */
    };
    CT_RUN(card, bad);
    uint8_t zero[34] = {0x06, 0x20}; /* the scalar 0 */
    assert_int_equal(pv_cmd(card, 0xFE, 0x11, 0x9A, zero, sizeof(zero), NULL,
                            NULL), 0x6A80);
    ct_expect(card, "00A4040005A000000308", "*9000");
    assert_int_equal(pv_import(card, 0x11, 0x9A, ec, 0), 0x6982);
    EVP_PKEY_free(rsa);
    EVP_PKEY_free(ec);
}

static X509 *read_attestation_ca(sfc_card *card)
{
    uint8_t get[] = {0x5C, 0x03, 0x5F, 0xFF, 0x01}, r[PV_MAX];
    size_t rl = 0;
    ber_tlv t, c;
    assert_int_equal(pv_cmd(card, 0xCB, 0x3F, 0xFF, get, 5, r, &rl), 0x9000);
    assert_int_equal(ber_decode(r, rl, &t), SFC_OK);
    assert_int_equal(ber_find(t.value, t.len, 0x70, &c), SFC_OK);
    const uint8_t *p = c.value;
    X509 *x = d2i_X509(NULL, &p, (long)c.len);
    assert_non_null(x);
    return x;
}

static void test_attest(void **state)
{
    sfc_card *card = *state;
    EVP_PKEY *pub = generate(card, 0x9A, 0x11, "prime256v1");
    EVP_PKEY *imported = pv_ec("P-256");
    uint8_t r[PV_MAX];
    size_t rl = 0;
    assert_int_equal(pv_cmd(card, 0xF9, 0x9A, 0x00, NULL, 0, r, &rl), 0x9000);
    const uint8_t *p = r;
    X509 *att = d2i_X509(NULL, &p, (long)rl);
    X509 *ca = read_attestation_ca(card);
    assert_non_null(att);
    assert_int_equal(X509_verify(att, X509_get0_pubkey(ca)), 1);
    assert_int_equal(X509_check_issued(ca, att), X509_V_OK);
    assert_int_equal(EVP_PKEY_eq(X509_get0_pubkey(att), pub), 1);
    ASN1_OBJECT *version = OBJ_txt2obj("1.3.6.1.4.1.41482.3.3", 1);
    assert_true(X509_get_ext_by_OBJ(att, version, -1) >= 0);
    ASN1_OBJECT_free(version);
    assert_int_equal(pv_import(card, 0x11, 0x9C, imported, 0), 0x9000);
    static const ct_step bad[] = {
        {"00F99C00", "6A80"},   /* imported: no attestation */
        {"00F99D00", "6A80"},   /* empty */
        {"00F9F900", "6A86"},
        {"00F99A01", "6A86"},
        {"00F99A0001AA", "6700"},
    };
    CT_RUN(card, bad);
    X509_free(att);
    X509_free(ca);
    EVP_PKEY_free(pub);
    EVP_PKEY_free(imported);
}

/* What save() writes, load() restores in another card. */
static void test_save_load(void **state)
{
    sfc_card *card = *state;
    EVP_PKEY *k = pv_rsa(2048);
    assert_int_equal(pv_import(card, 0x07, 0x9E, k, 0), 0x9000);
    ct_expect(card, "0020008008313131313131FFFF", "63C2");
    sfc_app *app = ct_app(card, &piv_app_def);
    static uint8_t saved[SFC_APP_STATE_MAX];
    size_t n = piv_app_def.save(card, app, saved, sizeof(saved));
    assert_true(n > 0 && n < sizeof(saved));
    uint8_t small[100];
    assert_int_equal(piv_app_def.save(card, app, small, sizeof(small)),
                     (size_t)-1);

    sfc_card *other = pv_card();
    sfc_app *oapp = ct_app(other, &piv_app_def);
    char err[200] = "";
    piv_state_free(other, oapp);
    if (piv_app_def.load(other, oapp, saved, n, err, sizeof(err)) != SFC_OK)
        fail_msg("load: %s", err);
    ct_expect(other, "00200080", "63C2");
    rsa_sign(other, 0x07, 0x9E, k, "9000");
    /* what load() refuses */
    assert_int_not_equal(piv_app_def.load(other, oapp, saved, n - 1, err,
                                          sizeof(err)), SFC_OK);
    assert_int_not_equal(piv_app_def.load(other, oapp, saved, 10, err,
                                          sizeof(err)), SFC_OK);
    saved[2 * 10 + 2] = 0x20; /* PIN counter 20 in item 03 */
    assert_int_not_equal(piv_app_def.load(other, oapp, saved, n, err,
                                          sizeof(err)), SFC_OK);
    sfc_card_free(other);
    EVP_PKEY_free(k);
}

/* RSA 4096 with extended length: imported (chained), then one extended
 * GENERAL AUTHENTICATE with the whole block and the whole signature; and
 * generated on the card. */
static void test_rsa4096_extended(void **state)
{
    (void)state;
    sfc_card_options o = {0};
    o.extended_length = true;
    sfc_card *card = ct_card_ex("piv", &o);
    sfc_card *plain = pv_card();
    uint8_t atr[SFC_ATR_MAX], atr2[SFC_ATR_MAX];
    size_t an = sfc_card_atr(card, atr), an2 = sfc_card_atr(plain, atr2);
    assert_true(an != an2 || memcmp(atr, atr2, an) != 0);
    sfc_card_free(plain);
    pv_mgm_default(card);
    pv_pin(card);
    EVP_PKEY *k = pv_rsa(4096);
    assert_int_equal(pv_import(card, 0x16, 0x9A, k, 0), 0x9000);

    uint8_t dgst[32], apdu[600], *p = apdu;
    sha(EVP_sha256(), (const uint8_t *)"piv", 3, dgst);
    memcpy(p, "\x00\x87\x16\x9A\x00\x02\x0A\x7C\x82\x02\x06\x82\x00"
              "\x81\x82\x02\x00", 17);
    p += 17;
    pkcs1_block(dgst, p, 512);
    p += 512;
    *p++ = 0x00, *p++ = 0x00;
    size_t rl = 0;
    assert_int_equal(ct_raw(card, apdu, (size_t)(p - apdu), &rl), 0x9000);
    assert_int_equal(rl, 4 + 4 + 512);
    const uint8_t *r = NULL;
    size_t n = 0;
    assert_int_equal(sfc_card_transmit(card, apdu, (size_t)(p - apdu), &r,
                                       &n), SFC_OK);
    verify_sig(k, EVP_sha256(), true, dgst, 32, r + 8, 512);
    EVP_PKEY *g = generate(card, 0x9C, 0x16, NULL);
    assert_int_equal(EVP_PKEY_get_bits(g), 4096);
    EVP_PKEY_free(g);
    EVP_PKEY_free(k);
    sfc_card_free(card);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_rsa_import_sign_decrypt, setup,
                                        ct_teardown),
        cmocka_unit_test_setup_teardown(test_ec_import_sign_pin_always, setup,
                                        ct_teardown),
        cmocka_unit_test_setup_teardown(test_ecdh, setup, ct_teardown),
        cmocka_unit_test_setup_teardown(test_generate, setup, ct_teardown),
        cmocka_unit_test_setup_teardown(test_import_refused, setup,
                                        ct_teardown),
        cmocka_unit_test_setup_teardown(test_attest, setup, ct_teardown),
        cmocka_unit_test_setup_teardown(test_save_load, setup, ct_teardown),
        cmocka_unit_test(test_rsa4096_extended),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
