/* SPDX-License-Identifier: LGPL-2.1-or-later */
/**
 * @file test_scio_errcheck.c
 * @brief Status-word checking: every built-in checker swept over all
 *        65536 SW1/SW2 pairs against an independent transcription of
 *        pyscard's expectations, chain order (first objection wins),
 *        class filters (exact, every link, later links still object),
 *        application checkers, and messages.
 */
#include "testutil.h"

#include <string.h>

#include "scio.h"

#define W SCIO_SW_WARNING
#define E SCIO_SW_EXECUTION
#define S SCIO_SW_SECURITY
#define C SCIO_SW_CHECKING
#define END 0x100

/** Expected objections: per SW1, a class and a list of SW2 (END ends it;
 *  an empty list with all = true means every SW2). */
typedef struct expect_row {
    uint8_t sw1;
    scio_sw_class cls;
    bool all;
    int sw2[24];
} expect_row;

static const expect_row iso4[] = {
    {0x62, W, false, {0x00, 0x81, 0x82, 0x83, 0x84, 0xFF, END}},
    {0x63, W, false, {0x00, 0x81, 0xC0, 0xC1, 0xC2, 0xC3, 0xC4, 0xC5, 0xC6,
                      0xC7, 0xC8, 0xC9, 0xCA, 0xCB, 0xCC, 0xCD, 0xCE, 0xCF,
                      END}},
    {0x64, E, false, {0x00, END}},
    {0x67, C, false, {0x00, END}},
    {0x68, C, false, {0x81, 0x82, END}},
    {0x69, C, false, {0x81, 0x82, 0x83, 0x84, 0x85, 0x86, 0x87, 0x88, END}},
    {0x6A, C, false, {0x80, 0x81, 0x82, 0x83, 0x84, 0x85, 0x86, 0x87, 0x88,
                      END}},
    {0x6B, C, false, {0x00, END}},
    {0x6D, C, false, {0x00, END}},
    {0x6E, C, false, {0x00, END}},
    {0x6F, C, false, {0x00, END}},
    {0, 0, false, {END}},
};

static const expect_row iso4_sw1[] = {
    {0x62, W, true, {END}}, {0x63, W, true, {END}}, {0x64, E, true, {END}},
    {0x65, E, true, {END}}, {0x66, S, true, {END}}, {0x67, C, true, {END}},
    {0x68, C, true, {END}}, {0x69, C, true, {END}}, {0x6A, C, true, {END}},
    {0x6B, C, true, {END}}, {0x6C, C, true, {END}}, {0x6D, C, true, {END}},
    {0x6E, C, true, {END}}, {0x6F, C, true, {END}}, {0, 0, false, {END}},
};

static const expect_row iso8[] = {
    {0x63, W, false, {0x00, 0xC0, 0xC1, 0xC2, 0xC3, 0xC4, 0xC5, 0xC6, 0xC7,
                      0xC8, 0xC9, 0xCA, 0xCB, 0xCC, 0xCD, 0xCE, 0xCF, END}},
    {0x65, E, false, {0x81, END}},
    {0x66, S, false, {0x00, 0x87, 0x88, END}},
    {0x67, C, false, {0x00, END}},
    {0x68, C, false, {0x83, 0x84, END}},
    {0x69, C, false, {0x82, 0x83, 0x84, 0x85, END}},
    {0x6A, C, false, {0x81, 0x82, 0x86, 0x88, END}},
    {0, 0, false, {END}},
};

static const expect_row iso9[] = {
    {0x62, W, false, {0x82, END}},
    {0x64, E, false, {0x00, END}},
    {0x69, C, false, {0x82, END}},
    {0x6A, C, false, {0x80, 0x84, 0x89, 0x8A, END}},
    {0, 0, false, {END}},
};

static const expect_row op21[] = {
    {0x62, W, false, {0x83, END}},
    {0x63, W, false, {0x00, END}},
    {0x64, E, false, {0x00, END}},
    {0x65, E, false, {0x81, END}},
    {0x67, C, false, {0x00, END}},
    {0x69, C, false, {0x82, 0x85, END}},
    {0x6A, C, false, {0x80, 0x81, 0x82, 0x84, 0x86, 0x88, END}},
    {0x6D, C, false, {0x00, END}},
    {0x6E, C, false, {0x00, END}},
    {0x94, C, false, {0x84, 0x85, END}},
    {0, 0, false, {END}},
};

/* The expected class for SW1 SW2, 0 if no objection. */
static unsigned expected(const expect_row *rows, unsigned sw1, unsigned sw2)
{
    for (const expect_row *r = rows; r->cls; r++) {
        if (r->sw1 != sw1)
            continue;
        if (r->all)
            return r->cls;
        for (size_t i = 0; r->sw2[i] != END; i++)
            if ((unsigned)r->sw2[i] == sw2)
                return r->cls;
    }
    return 0;
}

static void sweep(const scio_sw_checker *ck, const expect_row *rows,
                  const char *name)
{
    unsigned objections = 0;
    assert_string_equal(scio_sw_checker_name(ck), name);
    for (unsigned sw1 = 0; sw1 < 256; sw1++)
        for (unsigned sw2 = 0; sw2 < 256; sw2++) {
            scio_sw_error e = {0};
            bool got = scio_sw_checker_test(ck, (uint8_t)sw1, (uint8_t)sw2, &e);
            unsigned want = expected(rows, sw1, sw2);
            if (got != (want != 0) || (got && e.cls != want))
                fail_msg("%s: %02X%02X: objects %d class %d, expected %u",
                         name, sw1, sw2, got, e.cls, want);
            if (got) {
                assert_int_equal(e.sw1, sw1);
                assert_int_equal(e.sw2, sw2);
                assert_non_null(e.message);
                assert_string_equal(e.checker, name);
                objections++;
            }
        }
    assert_true(objections > 0);
    assert_false(scio_sw_checker_test(ck, 0x90, 0x00, NULL));
}

static void test_sweeps(void **state)
{
    (void)state;
    sweep(scio_checker_iso7816_4(), iso4, "ISO7816-4");
    sweep(scio_checker_iso7816_4_sw1(), iso4_sw1, "ISO7816-4 SW1");
    sweep(scio_checker_iso7816_8(), iso8, "ISO7816-8");
    sweep(scio_checker_iso7816_9(), iso9, "ISO7816-9");
    sweep(scio_checker_op21(), op21, "OP 2.1");
    assert_false(scio_sw_checker_test(scio_checker_iso7816_4(), 0x61, 0x10, NULL));
    assert_false(scio_sw_checker_test(scio_checker_iso7816_4(), 0x6C, 0x08, NULL));
    assert_true(scio_sw_checker_test(scio_checker_iso7816_4_sw1(), 0x6C, 0x08, NULL));
}

static void test_messages(void **state)
{
    scio_sw_error e;
    (void)state;
    assert_true(scio_sw_checker_test(scio_checker_iso7816_4(), 0x69, 0x85, &e));
    assert_string_equal(e.message, "Conditions of use not satisfied");
    assert_true(scio_sw_checker_test(scio_checker_iso7816_4(), 0x6B, 0x00, &e));
    assert_string_equal(e.message, "Incorrect parameters P1-P2");
    assert_true(scio_sw_checker_test(scio_checker_op21(), 0x62, 0x83, &e));
    assert_non_null(strstr(e.message, "CARD_LOCKED"));
    assert_true(scio_sw_checker_test(scio_checker_iso7816_4(), 0x62, 0x83, &e));
    assert_non_null(strstr(e.message, "invalidated")); /* same SW, other text */
}

/* An application checker objecting to 56 55 and any 63xx. */
static bool custom(const uint8_t *data, size_t len, uint8_t sw1, uint8_t sw2,
                   scio_sw_error *err, void *user)
{
    (void)data;
    (void)len;
    (*(int *)user)++;
    if ((sw1 == 0x56 && sw2 == 0x55) || sw1 == 0x63) {
        err->message = "custom objection";
        return true;
    }
    return false;
}

static void test_chain_order(void **state)
{
    scio_error_chain *a = NULL, *b = NULL;
    scio_sw_error e;
    int calls = 0;
    (void)state;
    assert_int_equal(scio_error_chain_new(&a), SCIO_OK);
    assert_int_equal(scio_error_chain_new(&b), SCIO_OK);
    assert_int_equal(scio_error_chain_append(a, scio_checker_iso7816_4()), SCIO_OK);
    assert_int_equal(scio_error_chain_append_fn(a, custom, &calls, "test"), SCIO_OK);
    assert_int_equal(scio_error_chain_append_fn(b, custom, &calls, "test"), SCIO_OK);
    assert_int_equal(scio_error_chain_append(b, scio_checker_iso7816_4()), SCIO_OK);
    assert_int_equal(scio_error_chain_length(a), 2);
    for (unsigned sw2 = 0; sw2 < 256; sw2++) {
        unsigned want = expected(iso4, 0x63, sw2);
        bool got = scio_error_chain_check(a, NULL, 0, 0x63, (uint8_t)sw2, &e);
        assert_true(got);
        assert_string_equal(e.checker, want ? "ISO7816-4" : "test");
        got = scio_error_chain_check(b, NULL, 0, 0x63, (uint8_t)sw2, &e);
        assert_true(got);
        assert_string_equal(e.checker, "test");
        assert_int_equal(e.cls, SCIO_SW_CUSTOM);
    }
    assert_true(scio_error_chain_check(a, NULL, 0, 0x56, 0x55, &e));
    assert_string_equal(e.message, "custom objection");
    assert_false(scio_error_chain_check(a, NULL, 0, 0x90, 0x00, NULL));
    assert_true(calls > 0);
    assert_false(scio_error_chain_check(NULL, NULL, 0, 0x6A, 0x82, NULL));
    scio_error_chain_free(a);
    scio_error_chain_free(b);
}

static void test_chain_filters(void **state)
{
    scio_error_chain *c = NULL;
    scio_sw_error e;
    (void)state;
    assert_int_equal(scio_error_chain_new(&c), SCIO_OK);
    scio_error_chain_append(c, scio_checker_iso7816_8());
    scio_error_chain_append(c, scio_checker_iso7816_4());
    scio_error_chain_append(c, scio_checker_iso7816_4_sw1());
    scio_error_chain_filter(c, SCIO_SW_WARNING);
    for (unsigned sw2 = 0; sw2 < 256; sw2++) {
        assert_false(scio_error_chain_check(c, NULL, 0, 0x62, (uint8_t)sw2, NULL));
        assert_false(scio_error_chain_check(c, NULL, 0, 0x63, (uint8_t)sw2, NULL));
        assert_true(scio_error_chain_check(c, NULL, 0, 0x64, (uint8_t)sw2, &e));
        assert_int_equal(e.cls, SCIO_SW_EXECUTION);
    }
    /* 6A83: ISO 7816-8 has no objection, ISO 7816-4 does (first wins) */
    assert_true(scio_error_chain_check(c, NULL, 0, 0x6A, 0x83, &e));
    assert_string_equal(e.checker, "ISO7816-4");
    /* 6A82 is ISO 7816-8's own */
    assert_true(scio_error_chain_check(c, NULL, 0, 0x6A, 0x82, &e));
    assert_string_equal(e.checker, "ISO7816-8");
    scio_error_chain_filter(c, SCIO_SW_CHECKING | SCIO_SW_EXECUTION);
    assert_false(scio_error_chain_check(c, NULL, 0, 0x6A, 0x82, NULL));
    assert_true(scio_error_chain_check(c, NULL, 0, 0x66, 0x00, &e));
    assert_int_equal(e.cls, SCIO_SW_SECURITY);
    scio_error_chain_free(c);
}

static void test_chain_args(void **state)
{
    scio_error_chain *c = NULL;
    (void)state;
    assert_int_equal(scio_error_chain_new(NULL), SCIO_E_INVALID_ARG);
    assert_int_equal(scio_error_chain_new(&c), SCIO_OK);
    assert_int_equal(scio_error_chain_append(c, NULL), SCIO_E_INVALID_ARG);
    assert_int_equal(scio_error_chain_append_fn(c, NULL, NULL, NULL),
                     SCIO_E_INVALID_ARG);
    for (int i = 0; i < 20; i++)
        assert_int_equal(scio_error_chain_append(c, scio_checker_op21()), SCIO_OK);
    assert_int_equal(scio_error_chain_length(c), 20);
    scio_error_chain_free(c);
    scio_error_chain_free(NULL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_sweeps),
        cmocka_unit_test(test_messages),
        cmocka_unit_test(test_chain_order),
        cmocka_unit_test(test_chain_filters),
        cmocka_unit_test(test_chain_args),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
