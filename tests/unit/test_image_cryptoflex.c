/* SPDX-License-Identifier: LGPL-2.1-or-later */
/**
 * @file test_image_cryptoflex.c
 * @brief A personalised Cryptoflex survives its card image: the file
 *        headers with their access conditions, the CHV files with their
 *        counters, the transport key and the generated RSA key (the
 *        signature of the loaded card equals the original's), and not the
 *        volatile verification state.
 */
#include "cryptoflex_steps.h"
#include "image/image.h"

static sfc_card *round_trip(const sfc_card *card)
{
    char err[SFC_IMAGE_ERR_MAX] = "";
    char *text = NULL;
    size_t len = 0;
    assert_int_equal(sfc_image_save_text(card, &text, &len, err, sizeof(err)),
                     SFC_OK);
    sfc_card *loaded = NULL;
    sfc_err rv = sfc_image_load_text(text, len, NULL, &loaded, err,
                                     sizeof(err));
    sfc_image_text_free(text, len);
    if (rv != SFC_OK)
        fail_msg("load: %s", err);
    return loaded;
}

static void test_keys_and_files_survive(void **state)
{
    (void)state;
    sfc_card *card = cf_card();
    cf_key_dir(card, 1024);
    BIGNUM *n = cf_modulus(card, 1024);
    uint8_t block[128], rev[128], sig[128];
    cf_block(sizeof(block), block, rev);
    cf_select(card, 0x3000);
    cf_sign_1024(card, rev, sig);
    cf_check_signature(n, sig, block, sizeof(block));
    /* a wrong PIN: the counter is in the image */
    ct_expect(card, "C0200001 08 3939393900000000", "6300");

    sfc_card *loaded = round_trip(card);
    sfc_card_free(card);
    uint8_t atr[SFC_ATR_MAX];
    size_t alen = sfc_card_atr(loaded, atr);
    tu_assert_hex(atr, alen, "3BE2000040204907");
    /* the serial, the headers (the access conditions) */
    cf_select(loaded, 0x0002);
    ct_expect(loaded, "C0C0000010", "0000000800020 1FF0F0F4401030000 00 9000");
    ct_expect(loaded, "C0B0000008", "0102030405060708 9000");
    /* nothing verified after loading: no signature, no creation */
    cf_select(loaded, 0x3000);
    char apdu[2 * 128 + 16];
    snprintf(apdu, sizeof(apdu), "C088000080%s", tu_tohex(rev, 128));
    ct_expect(loaded, apdu, "6982");
    cf_select(loaded, 0x3F00);
    cf_create(loaded, 8, 0x4444, 0x01, 0x00, 0x00, "6982");
    /* the transport key */
    ct_expect(loaded, "F02A000108" CF_AAK, "9000");
    cf_create(loaded, 8, 0x4444, 0x01, 0x00, 0x00, "9000");
    /* CHV1 with one try used: two wrong ones block it */
    cf_select(loaded, 0x3000);
    ct_expect(loaded, "C0200001 08 3939393900000000", "6300");
    ct_expect(loaded, "C0200001 08 3939393900000000", "6983");

    sfc_card_free(loaded);
    BN_free(n);
}

static void test_signature_after_load(void **state)
{
    (void)state;
    sfc_card *card = cf_card();
    cf_key_dir(card, 1024);
    BIGNUM *n = cf_modulus(card, 1024);
    uint8_t block[128], rev[128], sig[128], sig2[128];
    cf_block(sizeof(block), block, rev);
    cf_select(card, 0x3000);
    cf_sign_1024(card, rev, sig);

    sfc_card *loaded = round_trip(card);
    sfc_card_free(card);
    cf_select(loaded, 0x3000);
    ct_expect(loaded, "C0200001 08" CF_PIN, "9000");
    cf_sign_1024(loaded, rev, sig2);
    assert_memory_equal(sig, sig2, sizeof(sig));
    cf_check_signature(n, sig2, block, sizeof(block));
    /* the public key file reads the same */
    BIGNUM *n2 = cf_modulus(loaded, 1024);
    assert_int_equal(BN_cmp(n, n2), 0);
    BN_free(n);
    BN_free(n2);
    sfc_card_free(loaded);
}

static void test_reference_atr_kept(void **state)
{
    (void)state;
    static const sfc_param p[] = {{"atr", "reference"}};
    sfc_card_options o = {0};
    o.params = p;
    o.n_params = 1;
    sfc_card *card = ct_card_ex("cryptoflex", &o);
    sfc_card *loaded = round_trip(card);
    sfc_card_free(card);
    uint8_t atr[SFC_ATR_MAX];
    size_t n = sfc_card_atr(loaded, atr);
    tu_assert_hex(atr, n, "3BE2000040204906");
    sfc_card_free(loaded);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_keys_and_files_survive),
        cmocka_unit_test(test_signature_after_load),
        cmocka_unit_test(test_reference_atr_kept),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
