/* SPDX-License-Identifier: LGPL-2.1-or-later */
/**
 * @file test_core_bytes.c
 * @brief Unit tests for sfc_buf, hex conversion and the secret helpers.
 */
#include "testutil.h"

#include <stdlib.h>
#include <string.h>

#include "core/bytes.h"

/* ---- sfc_buf ----------------------------------------------------------- */

static void test_buf_grows_and_frees(void **state)
{
    (void)state;
    sfc_buf b;
    buf_init(&b);
    assert_null(b.data);
    assert_int_equal(b.len, 0);
    for (unsigned i = 0; i < 1000; i++)
        assert_true(buf_put_u8(&b, (uint8_t)i));
    assert_true(buf_put_u16be(&b, 0xA1B2));
    assert_int_equal(b.len, 1002);
    assert_true(b.cap >= 1002);
    assert_int_equal(b.data[999], (uint8_t)999);
    tu_assert_hex(b.data + 1000, 2, "A1B2");
    assert_false(b.failed);
    buf_free(&b);
    assert_null(b.data);
    assert_int_equal(b.len, 0);
    assert_int_equal(b.cap, 0);
    buf_free(&b); /* freeing twice is harmless */
}

static void test_buf_put_empty_and_null(void **state)
{
    (void)state;
    sfc_buf b;
    buf_init(&b);
    assert_true(buf_put(&b, NULL, 0));
    assert_null(b.data); /* no allocation for nothing */
    assert_false(buf_put(&b, NULL, 3));
    assert_true(b.failed);
    buf_free(&b);
}

static void test_buf_fixed_never_grows_and_failure_is_sticky(void **state)
{
    (void)state;
    uint8_t mem[4];
    sfc_buf b;
    buf_init_fixed(&b, mem, sizeof(mem));
    assert_true(buf_put(&b, "\x01\x02\x03", 3));
    assert_false(buf_put_u16be(&b, 0x0405)); /* one byte too many */
    assert_true(b.failed);
    assert_int_equal(b.len, 3);
    assert_ptr_equal(b.data, mem);
    assert_int_equal(b.cap, 4);
    /* Sticky: a later append that would fit is ignored. */
    assert_false(buf_put_u8(&b, 0x04));
    assert_int_equal(b.len, 3);
    assert_false(buf_reserve(&b, 0));
    assert_false(buf_insert(&b, 0, "x", 1));
    /* Reset clears the flag and keeps the memory. */
    buf_reset(&b);
    assert_false(b.failed);
    assert_int_equal(b.len, 0);
    assert_true(buf_put(&b, "\xAA\xBB\xCC\xDD", 4));
    tu_assert_hex(mem, 4, "AABBCCDD");
    /* buf_free on a fixed buffer leaves the caller's memory alone. */
    buf_free(&b);
    assert_ptr_equal(b.data, mem);
    assert_true(b.fixed);
    assert_int_equal(b.len, 0);
    tu_assert_hex(mem, 4, "AABBCCDD");
}

static void test_buf_reserve_overflow(void **state)
{
    (void)state;
    sfc_buf b;
    buf_init(&b);
    assert_true(buf_put_u8(&b, 1));
    assert_false(buf_reserve(&b, SIZE_MAX));
    assert_true(b.failed);
    assert_false(buf_put_u8(&b, 2));
    tu_assert_hex(b.data, b.len, "01");
    buf_free(&b);

    uint8_t mem[8];
    buf_init_fixed(&b, mem, sizeof(mem));
    assert_true(buf_reserve(&b, 8));
    assert_false(buf_reserve(&b, 9));
    assert_true(b.failed);
}

static void test_buf_insert_and_remove(void **state)
{
    (void)state;
    sfc_buf b;
    buf_init(&b);
    assert_true(buf_put(&b, "\x01\x05", 2));
    assert_true(buf_insert(&b, 1, "\x02\x03\x04", 3));
    tu_assert_hex(b.data, b.len, "0102030405");
    assert_true(buf_insert(&b, 0, "\x00", 1));
    assert_true(buf_insert(&b, b.len, "\x06", 1));
    tu_assert_hex(b.data, b.len, "00010203040506");
    assert_true(buf_insert(&b, 3, NULL, 0));
    assert_int_equal(b.len, 7);

    buf_remove(&b, 1, 2);
    tu_assert_hex(b.data, b.len, "0003040506");
    buf_remove(&b, 3, 100); /* clamped */
    tu_assert_hex(b.data, b.len, "000304");
    buf_remove(&b, 3, 1); /* at the end: nothing */
    buf_remove(&b, 50, 1);
    tu_assert_hex(b.data, b.len, "000304");
    buf_remove(&b, 0, SIZE_MAX);
    assert_int_equal(b.len, 0);

    assert_false(buf_insert(&b, 1, "x", 1)); /* pos past the end */
    assert_true(b.failed);
    buf_free(&b);
}

static void test_buf_self_append_and_insert(void **state)
{
    (void)state;
    sfc_buf b;
    buf_init(&b);
    assert_true(buf_put(&b, "\x11\x22\x33", 3));
    /* Appending a piece of itself many times forces several moves. */
    for (int i = 0; i < 8; i++)
        assert_true(buf_put(&b, b.data, b.len));
    assert_int_equal(b.len, 3u << 8);
    for (size_t i = 0; i < b.len; i++)
        assert_int_equal(b.data[i], (uint8_t)(0x11 * (i % 3 + 1)));
    buf_reset(&b);
    assert_true(buf_put(&b, "\x01\x02\x03\x04", 4));
    assert_true(buf_insert(&b, 1, b.data + 2, 2));
    tu_assert_hex(b.data, b.len, "010304020304");
    buf_free(&b);
}

/* ---- hex -------------------------------------------------------------- */

typedef struct hex_case {
    const char *text;
    sfc_err err;
    const char *bytes; /* expected, as normalised hex */
} hex_case;

static const hex_case hex_cases[] = {
    {"", SFC_OK, ""},
    {"3B95", SFC_OK, "3B95"},
    {"3b 95", SFC_OK, "3B95"},
    {"3B:95:13", SFC_OK, "3B9513"},
    {"3B\t95", SFC_OK, "3B95"},
    {"aBcDeF", SFC_OK, "ABCDEF"},
    {"00 ff:7f\t80", SFC_OK, "00FF7F80"},
    {"3B9", SFC_E_FORMAT, NULL},      /* odd digit count */
    {"3 B", SFC_E_FORMAT, NULL},      /* separator inside a pair */
    {"3B  95", SFC_E_FORMAT, NULL},   /* double separator */
    {" 3B", SFC_E_FORMAT, NULL},      /* leading separator */
    {"3B ", SFC_E_FORMAT, NULL},      /* trailing separator */
    {":", SFC_E_FORMAT, NULL},
    {"3G", SFC_E_FORMAT, NULL},
    {"0x3B", SFC_E_FORMAT, NULL},
    {"3B\n95", SFC_E_FORMAT, NULL},   /* newline is not a separator */
    {"3B-95", SFC_E_FORMAT, NULL},
};

static void test_hex_decode_table(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof(hex_cases) / sizeof(hex_cases[0]); i++) {
        const hex_case *c = &hex_cases[i];
        uint8_t out[16];
        size_t n = 99;
        sfc_err err = hex_decode(c->text, out, sizeof(out), &n);
        if (err != c->err)
            fail_msg("case %zu \"%s\": got %d, want %d", i, c->text, err,
                     c->err);
        if (c->bytes)
            tu_assert_hex(out, n, c->bytes);
        else
            assert_int_equal(n, 0);
    }
}

static void test_hex_decode_range_and_args(void **state)
{
    (void)state;
    uint8_t out[2] = {0xEE, 0xEE};
    size_t n = 99;
    assert_int_equal(hex_decode("010203", out, 2, &n), SFC_E_RANGE);
    assert_int_equal(n, 0);
    tu_assert_hex(out, 2, "EEEE"); /* nothing written on error */
    assert_int_equal(hex_decode("0102", out, 2, &n), SFC_OK);
    assert_int_equal(n, 2);
    /* Format errors are reported before range errors. */
    assert_int_equal(hex_decode("01020", out, 2, &n), SFC_E_FORMAT);
    assert_int_equal(hex_decode(NULL, out, 2, &n), SFC_E_INVAL);
    assert_int_equal(hex_decode("", NULL, 0, &n), SFC_OK);
    assert_int_equal(hex_decode("01", NULL, 0, NULL), SFC_E_RANGE);
}

static void test_hex_encode(void **state)
{
    (void)state;
    const uint8_t data[] = {0x3B, 0x95, 0x0A};
    char out[16];
    assert_int_equal(hex_encode(data, 3, 0, out, sizeof(out)), 6);
    assert_string_equal(out, "3b950a");
    assert_int_equal(hex_encode(data, 3, HEX_UPPER, out, sizeof(out)), 6);
    assert_string_equal(out, "3B950A");
    assert_int_equal(hex_encode(data, 3, HEX_UPPER | HEX_SPACED, out, 9), 8);
    assert_string_equal(out, "3B 95 0A");
    assert_int_equal(hex_encode(data, 1, HEX_SPACED, out, 3), 2);
    assert_string_equal(out, "3b");
    assert_int_equal(hex_encode(data, 0, 0, out, 1), 0);
    assert_string_equal(out, "");
}

static void test_hex_encode_too_small(void **state)
{
    (void)state;
    const uint8_t data[] = {0x3B, 0x95, 0x0A};
    char out[16];
    memset(out, 'x', sizeof(out));
    assert_int_equal(hex_encode(data, 3, 0, out, 6), 0);
    assert_string_equal(out, "");
    memset(out, 'x', sizeof(out));
    assert_int_equal(hex_encode(data, 3, HEX_SPACED, out, 8), 0);
    assert_string_equal(out, "");
    assert_int_equal(hex_encode(data, 3, 0, NULL, 0), 0);
    assert_int_equal(hex_encode(data, SIZE_MAX, 0, out, sizeof(out)), 0);
    assert_int_equal(hex_encode(data, SIZE_MAX / 2, HEX_SPACED, out,
                                sizeof(out)), 0);
}

static void test_hex_round_trip_all_bytes(void **state)
{
    (void)state;
    uint8_t all[256], back[256];
    char text[3 * 256];
    size_t n;
    for (int i = 0; i < 256; i++)
        all[i] = (uint8_t)i;
    for (unsigned flags = 0; flags < 4; flags++) {
        size_t chars = hex_encode(all, 256, flags, text, sizeof(text));
        assert_int_equal(chars, (flags & HEX_SPACED) ? 767 : 512);
        assert_int_equal(hex_decode(text, back, sizeof(back), &n), SFC_OK);
        assert_int_equal(n, 256);
        assert_memory_equal(all, back, 256);
    }
}

/* ---- secrets and big-endian helpers ----------------------------------- */

static void test_ct_equal_and_wipe(void **state)
{
    (void)state;
    uint8_t a[] = {1, 2, 3, 4}, b[] = {1, 2, 3, 4}, c[] = {1, 2, 3, 5};
    assert_true(sfc_ct_equal(a, b, 4));
    assert_false(sfc_ct_equal(a, c, 4));
    assert_true(sfc_ct_equal(a, c, 3));
    assert_true(sfc_ct_equal(NULL, NULL, 0));
    sfc_wipe(a, sizeof(a));
    tu_assert_hex(a, 4, "00000000");
    sfc_wipe(NULL, 0);
    sfc_wipe(NULL, 5);
}

static void test_u16be(void **state)
{
    (void)state;
    uint8_t p[2];
    sfc_put_u16be(p, 0xBEEF);
    tu_assert_hex(p, 2, "BEEF");
    assert_int_equal(sfc_get_u16be(p), 0xBEEF);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_buf_grows_and_frees),
        cmocka_unit_test(test_buf_put_empty_and_null),
        cmocka_unit_test(test_buf_fixed_never_grows_and_failure_is_sticky),
        cmocka_unit_test(test_buf_reserve_overflow),
        cmocka_unit_test(test_buf_insert_and_remove),
        cmocka_unit_test(test_buf_self_append_and_insert),
        cmocka_unit_test(test_hex_decode_table),
        cmocka_unit_test(test_hex_decode_range_and_args),
        cmocka_unit_test(test_hex_encode),
        cmocka_unit_test(test_hex_encode_too_small),
        cmocka_unit_test(test_hex_round_trip_all_bytes),
        cmocka_unit_test(test_ct_equal_and_wipe),
        cmocka_unit_test(test_u16be),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
