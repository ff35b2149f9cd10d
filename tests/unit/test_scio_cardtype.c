/* SPDX-License-Identifier: LGPL-2.1-or-later */
/**
 * @file test_scio_cardtype.c
 * @brief Card types: any card, ATR with and without mask (mask length
 *        checked at creation, other ATR lengths never match), callbacks
 *        with their user data freed; card values compared.
 */
#include "testutil.h"

#include <string.h>

#include "scio.h"

static const uint8_t iso[] = {0x3B, 0x95, 0x13, 0x81, 0x01, 0x80,
                              0x73, 0xFF, 0x01, 0x00, 0x0B};

static void test_any(void **state)
{
    scio_card_type *t = NULL;
    (void)state;
    assert_int_equal(scio_card_type_any(&t), SCIO_OK);
    assert_true(scio_card_type_matches(t, iso, sizeof(iso), "r"));
    assert_true(scio_card_type_matches(t, NULL, 0, NULL));
    assert_true(scio_card_type_matches(NULL, iso, 2, "r")); /* NULL = any */
    scio_card_type_free(t);
    assert_int_equal(scio_card_type_any(NULL), SCIO_E_INVALID_ARG);
}

static void test_atr(void **state)
{
    scio_card_type *t = NULL;
    uint8_t other[sizeof(iso)];
    (void)state;
    assert_int_equal(scio_card_type_atr(iso, sizeof(iso), NULL, 0, &t), SCIO_OK);
    assert_true(scio_card_type_matches(t, iso, sizeof(iso), "r"));
    memcpy(other, iso, sizeof(iso));
    other[7] = 0xFE;
    assert_false(scio_card_type_matches(t, other, sizeof(other), "r"));
    assert_false(scio_card_type_matches(t, iso, sizeof(iso) - 1, "r"));
    scio_card_type_free(t);
}

static void test_mask(void **state)
{
    scio_card_type *t = NULL;
    uint8_t mask[sizeof(iso)], other[sizeof(iso) + 1];
    (void)state;
    memset(mask, 0xFF, sizeof(mask));
    mask[7] = 0x00; /* any historical byte here */
    mask[10] = 0xF0;
    assert_int_equal(scio_card_type_atr(iso, sizeof(iso), mask, sizeof(mask), &t),
                     SCIO_OK);
    memcpy(other, iso, sizeof(iso));
    other[7] = 0x12;
    other[10] = 0x0F;
    assert_true(scio_card_type_matches(t, other, sizeof(iso), "r"));
    other[10] = 0x1B;
    assert_false(scio_card_type_matches(t, other, sizeof(iso), "r"));
    other[10] = 0x0B;
    other[sizeof(iso)] = 0x00; /* same prefix, longer: never matches */
    assert_false(scio_card_type_matches(t, other, sizeof(other), "r"));
    scio_card_type_free(t);
    assert_int_equal(scio_card_type_atr(iso, sizeof(iso), mask, sizeof(mask) - 1,
                                        &t), SCIO_E_INVALID_ARG);
    assert_null(t);
    assert_int_equal(scio_card_type_atr(iso, 0, NULL, 0, &t), SCIO_E_INVALID_ARG);
    uint8_t big[34] = {0x3B};
    assert_int_equal(scio_card_type_atr(big, sizeof(big), NULL, 0, &t),
                     SCIO_E_INVALID_ARG);
}

static bool reader_one(const uint8_t *atr, size_t len, const char *reader,
                       void *user)
{
    (void)atr;
    (void)len;
    (*(int *)user)++;
    return reader && strstr(reader, " 01") != NULL;
}

static void free_counter(void *user)
{
    *(int *)user += 100;
}

static void test_custom(void **state)
{
    scio_card_type *t = NULL;
    int n = 0;
    (void)state;
    assert_int_equal(scio_card_type_custom(reader_one, &n, free_counter, &t),
                     SCIO_OK);
    assert_true(scio_card_type_matches(t, iso, sizeof(iso), "Virtual PCD 00 01"));
    assert_false(scio_card_type_matches(t, iso, sizeof(iso), "Virtual PCD 00 00"));
    assert_int_equal(n, 2);
    scio_card_type_free(t);
    assert_int_equal(n, 102);
    assert_int_equal(scio_card_type_custom(NULL, NULL, NULL, &t),
                     SCIO_E_INVALID_ARG);
}

static void test_card_equal(void **state)
{
    scio_card a = {0}, b = {0};
    (void)state;
    strcpy(a.reader, "R 00 00");
    memcpy(a.atr, iso, sizeof(iso));
    a.atr_len = sizeof(iso);
    b = a;
    assert_true(scio_card_equal(&a, &b));
    b.atr[1] ^= 1;
    assert_false(scio_card_equal(&a, &b));
    b = a;
    strcpy(b.reader, "R 00 01");
    assert_false(scio_card_equal(&a, &b));
    assert_false(scio_card_equal(&a, NULL));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_any),
        cmocka_unit_test(test_atr),
        cmocka_unit_test(test_mask),
        cmocka_unit_test(test_custom),
        cmocka_unit_test(test_card_equal),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
