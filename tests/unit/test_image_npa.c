/* SPDX-License-Identifier: LGPL-2.1-or-later */
/**
 * @file test_image_npa.c
 * @brief An nPA in a card image: the PIN life cycle (a suspended PIN stays
 *        suspended, a changed PIN stays changed), the PUK's remaining
 *        uses, the MRZ and the chip's keys survive save and load, and the
 *        loaded card still runs PACE and secure messaging (and PACE with
 *        Integrated Mapping when it was made with --pace-mapping im).
 */
#include "test_image_util.h"

#include "cardtypes/npa.h"
#include "npa_fixture.h"

static uint16_t pace(sfc_card *card, uint8_t pwd, const char *secret,
                     uint16_t *mse_sw)
{
    npa_term t;
    npa_term_init(&t, npa_card_xfer, card);
    uint16_t sw = npa_term_pace(&t, pwd, secret, NPA_TERM_ECDH_GM);
    if (mse_sw)
        *mse_sw = t.mse_sw;
    npa_term_free(&t);
    return sw;
}

/* Save and load again; the old card is freed. */
static sfc_card *reload(sfc_card *card)
{
    char *text = it_save(card);
    sfc_card_free(card);
    sfc_card *loaded = it_load(text);
    free(text);
    return loaded;
}

static void test_suspended_pin_persists(void **state)
{
    (void)state;
    uint16_t mse = 0;
    sfc_card *card = ct_card("nPA");
    assert_int_equal(pace(card, 3, "000000", NULL), 0x6300);
    assert_int_equal(pace(card, 3, "000000", NULL), 0x6300);
    card = reload(card);
    assert_int_equal(pace(card, 3, "111111", &mse), 0x6985);
    assert_int_equal(mse, 0x63C1);
    assert_int_equal(pace(card, 2, "222222", NULL), 0x9000);
    card = reload(card);
    assert_int_equal(pace(card, 3, "111111", &mse), 0x9000);
    assert_int_equal(mse, 0x63C1);
    sfc_card_free(card);
}

static void test_puk_and_mrz_persist(void **state)
{
    (void)state;
    uint16_t mse = 0;
    sfc_param p[] = {{"puk", "1234567890"}};
    sfc_card_options o = {.params = p, .n_params = 1};
    sfc_card *card = ct_card_ex("nPA", &o);
    for (int i = 0; i < 9; i++)
        assert_int_equal(pace(card, 4, "1234567890", NULL), 0x9000);
    card = reload(card);
    assert_int_equal(pace(card, 4, "1234567890", &mse), 0x9000);
    assert_int_equal(pace(card, 4, "1234567890", &mse), 0x6983);
    assert_int_equal(mse, 0x63C0);
    assert_int_equal(pace(card, 1,
                          "IDD<<T220001293<<<<<<<<<<<<<<<6408125<2010315D"
                          "<<<<<<<<<<<<<4MUSTERMANN<<ERIKA<<<<<<<<<<<<<",
                          NULL),
                     0x9000);
    assert_non_null(sfc_key_find(card, NPA_KEY_CA));
    assert_non_null(sfc_key_find(card, NPA_KEY_RI));
    sfc_card_free(card);
}

/* --pace-mapping im lives in EF.CardAccess: a loaded card still offers
 * DH Integrated Mapping only, and runs it. */
static void test_im_persists(void **state)
{
    (void)state;
    sfc_param p[] = {{"pace-mapping", "im"}};
    sfc_card_options o = {.params = p, .n_params = 1};
    sfc_card *card = reload(ct_card_ex("nPA", &o));
    npa_term t;
    npa_term_init(&t, npa_card_xfer, card);
    assert_int_equal(npa_term_pace(&t, 3, "111111", NPA_TERM_DH_IM), 0x9000);
    t.sm = false;
    assert_int_equal(npa_term_pace(&t, 3, "111111", NPA_TERM_ECDH_GM), 0);
    npa_term_free(&t);
    sfc_card_free(card);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_suspended_pin_persists),
        cmocka_unit_test(test_puk_and_mrz_persist),
        cmocka_unit_test(test_im_persists),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
