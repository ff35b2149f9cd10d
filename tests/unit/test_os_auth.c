/* SPDX-License-Identifier: LGPL-2.1-or-later */
/**
 * @file test_os_auth.c
 * @brief GET CHALLENGE, INTERNAL and EXTERNAL AUTHENTICATE with the card
 *        secret. Expected cryptograms were computed independently with the
 *        openssl command (enc -des-ede-ecb / -des-ede-cbc / -aes-128-ecb /
 *        -des-ecb -nopad) for key 0123456789ABCDEF FEDCBA9876543210 and the
 *        ISO-padded challenge 0102030405060708 80 00 00 00 00 00 00 00.
 */
#include "cardtest.h"

#include "core/rng.h"

static const uint8_t challenge[] = {1, 2, 3, 4, 5, 6, 7, 8,
                                    1, 2, 3, 4, 5, 6, 7, 8,
                                    1, 2, 3, 4, 5, 6, 7, 8,
                                    1, 2, 3, 4, 5, 6, 7, 8};
static sfc_rng_script script;
static sfc_rng rng;

static int setup(void **state)
{
    rng = sfc_rng_script_make(&script, challenge, sizeof(challenge));
    static const sfc_param p = {"secret", "0123456789ABCDEFFEDCBA9876543210"};
    sfc_card_options o = {.rng = &rng, .params = &p, .n_params = 1};
    *state = ct_card_ex("iso7816", &o);
    return 0;
}

static int teardown(void **state)
{
    sfc_card_free(*state);
    return 0;
}

#define PADDED "0102030405060708 8000000000000000"

static void test_internal_authenticate_known_answers(void **state)
{
    static const ct_step steps[] = {
        {"0088000010" PADDED "00", "A85CEB8CDADFF808F1FBCF2A56D19BA7 9000"},
        {"0088010010" PADDED "00", "A85CEB8CDADFF808F1FBCF2A56D19BA7 9000"},
        {"0088020010" PADDED "00", "A85CEB8CDADFF808D2D375B3BFBD8FC1 9000"},
        {"0088050010" PADDED "00", "82A0D4697FF36AA0E1648D7A6D9178F9 9000"},
        {"0088030010" PADDED "00", "E68F791BAB16D4E6CAEE534C523E1E79 9000"},
        {"0088000007 01020304050607 00", "6700"},  /* not block-aligned */
        {"00880000", "6700"},
        {"0088070008 0102030405060708 00", "6A86"}, /* unknown algorithm */
        {"0088000108 0102030405060708 00", "6A88"}, /* unknown key */
        {"0088000010" PADDED, "6110"},             /* no Le: 61xx */
    };
    CT_RUN(*state, steps);
}

static void test_external_authenticate(void **state)
{
    static const ct_step steps[] = {
        {"0082000010 A85CEB8CDADFF808F1FBCF2A56D19BA7", "6985"}, /* no challenge */
        {"0084000008", "0102030405060708 9000"},
        {"0082000010 A85CEB8CDADFF808F1FBCF2A56D19BA7", "9000"},
        {"0082000010 A85CEB8CDADFF808F1FBCF2A56D19BA7", "6985"}, /* no replay */
        {"0084000008", "0102030405060708 9000"},
        {"0082000010 A85CEB8CDADFF808F1FBCF2A56D19BA8", "6300"}, /* wrong */
        {"0082000010 A85CEB8CDADFF808F1FBCF2A56D19BA7", "6985"}, /* used up */
        {"0084000008", "0102030405060708 9000"},
        {"0082020010 A85CEB8CDADFF808D2D375B3BFBD8FC1", "9000"}, /* 3DES-CBC */
        {"0084000008", "0102030405060708 9000"},
        {"0082000008 A85CEB8CDADFF808", "6300"},  /* truncated cryptogram */
    };
    CT_RUN(*state, steps);
}

static void test_get_challenge_parameters(void **state)
{
    static const ct_step steps[] = {
        {"0084010008", "6A86"},
        {"0084000108", "6A86"},
        {"0084000001 00 08", "6700"},             /* no data allowed */
        {"0084000004", "01020304 9000"},
    };
    CT_RUN(*state, steps);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_internal_authenticate_known_answers, setup, teardown),
        cmocka_unit_test_setup_teardown(test_external_authenticate, setup, teardown),
        cmocka_unit_test_setup_teardown(test_get_challenge_parameters, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
