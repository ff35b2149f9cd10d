/* SPDX-License-Identifier: LGPL-2.1-or-later */
/**
 * @file test_os_pin.c
 * @brief VERIFY, CHANGE REFERENCE DATA and RESET RETRY COUNTER: retry
 *        counters (63Cx), the status query, blocking, PUK, padding and
 *        references.
 */
#include "cardtest.h"

static int setup(void **state)
{
    *state = ct_card("iso7816");
    return 0;
}

static int teardown(void **state)
{
    sfc_card_free(*state);
    return 0;
}

#define PIN_1234 "0020000104 31323334"
#define PIN_WRONG "0020000104 39393939"

static void test_verify_counter_and_query(void **state)
{
    static const ct_step steps[] = {
        {"00200001", "63C3"},                       /* query: no try used */
        {PIN_WRONG, "63C2"},
        {"00200001", "63C2"},
        {PIN_1234, "9000"},
        {"00200001", "9000"},                       /* verified */
        {"0020FF01", "9000"},                       /* forget it */
        {"00200001", "63C3"},                       /* counter was restored */
        {"0020000004 31323334", "9000"},            /* P2 00: the default PIN */
        {"0020000204 31323334", "6A88"},            /* no PIN 02 */
        {"0020008104 31323334", "6A88"},
        {"0020010104 31323334", "6A86"},
        {"0020FF0104 31323334", "6700"},            /* P1 FF takes no data */
        {"0020000108 31323334FFFFFFFF", "9000"},    /* FF padding */
        {"0020000108 3132333400000000", "9000"},    /* 00 padding */
        {"0020000103 313233", "63C2"},              /* too short is wrong */
        {"0020000111 3132333435363738393031323334353637", "63C1"},
    };
    CT_RUN(*state, steps);
}

static void test_blocking(void **state)
{
    static const ct_step steps[] = {
        {PIN_WRONG, "63C2"},
        {PIN_WRONG, "63C1"},
        {PIN_WRONG, "63C0"},
        {PIN_1234, "6983"},                         /* blocked, even when right */
        {"00200001", "6983"},
        {"002C010108 3132333435363730", "63C9"},    /* wrong PUK */
        {"002C010108 3132333435363738", "9000"},    /* PUK only: counter reset */
        {"00200001", "63C3"},
        {PIN_1234, "9000"},
    };
    CT_RUN(*state, steps);
}

static void test_reset_retry_counter(void **state)
{
    static const ct_step steps[] = {
        {PIN_WRONG, "63C2"},
        {"002C00010C 3132333435363738 35363738", "9000"}, /* PUK + new PIN */
        {"00200001", "63C3"},
        {PIN_1234, "63C2"},
        {"0020000104 35363738", "9000"},
        {"002C000108 3132333435363738", "6700"},    /* PUK without new PIN */
        {"002C00010A 3132333435363738 3536", "6A80"}, /* new PIN too short */
        {"002C020104 31323334", "6982"},            /* nothing authorises it */
        {"002C0301", "6982"},
        {"002C040100", "6A86"},
        {"002C000904 31323334", "6A88"},
        {"002C0101", "6700"},
    };
    CT_RUN(*state, steps);
}

static void test_puk_blocks(void **state)
{
    sfc_card *card = *state;
    for (int left = 9; left >= 0; left--) {
        char want[8];
        snprintf(want, sizeof(want), "63C%X", left);
        ct_expect(card, "002C010108 3030303030303030", want);
    }
    ct_expect(card, "002C010108 3132333435363738", "6983");
}

static void test_change_reference_data(void **state)
{
    static const ct_step steps[] = {
        {"0024000108 31323334 39393939", "9000"},   /* old + new */
        {PIN_1234, "63C2"},
        {"0020000104 39393939", "9000"},
        {"0024000108 31323334 35353535", "63C2"},   /* wrong old PIN */
        {"0024000104 31323334", "6700"},            /* nothing new */
        {"0024010104 37373737", "6982"},            /* the wrong try unverified */
        {"0020000104 39393939", "9000"},
        {"0024010104 37373737", "9000"},            /* verified: new only */
        {"0020FF01", "9000"},
        {"0024010104 38383838", "6982"},            /* not verified */
        {"0024000106 37373737 3838", "6A80"},       /* new PIN too short */
        {"0020000104 37373737", "9000"},
        {"0024020104 31323334", "6A86"},
        {"0024000704 31323334", "6A88"},
    };
    CT_RUN(*state, steps);
}

static void test_custom_pin_and_puk(void **state)
{
    (void)state;
    sfc_param p[] = {{"pin", "246810"}, {"puk", "0000"}};
    sfc_card_options o = {.params = p, .n_params = 2};
    sfc_card *card = ct_card_ex("iso7816", &o);
    ct_expect(card, PIN_1234, "63C2");
    ct_expect(card, "0020000106 323436383130", "9000");
    ct_expect(card, "002C010104 30303030", "9000");
    sfc_card_free(card);
    sfc_param bad = {"pin", "12"};
    o.params = &bad;
    o.n_params = 1;
    char err[100] = "";
    assert_int_equal(sfc_card_new("iso7816", &o, &card, err, sizeof(err)),
                     SFC_E_RANGE);
    assert_string_equal(err, "PIN must have 4 to 16 characters");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_verify_counter_and_query, setup, teardown),
        cmocka_unit_test_setup_teardown(test_blocking, setup, teardown),
        cmocka_unit_test_setup_teardown(test_reset_retry_counter, setup, teardown),
        cmocka_unit_test_setup_teardown(test_puk_blocks, setup, teardown),
        cmocka_unit_test_setup_teardown(test_change_reference_data, setup, teardown),
        cmocka_unit_test(test_custom_pin_and_puk),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
