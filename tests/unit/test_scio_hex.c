/* SPDX-License-Identifier: LGPL-2.1-or-later */
/**
 * @file test_scio_hex.c
 * @brief libscio's hex utilities: decoding with any whitespace between
 *        pairs (scripts, command lines), strict refusal of everything else
 *        (odd digits, split pairs, stray characters, values that do not
 *        fit), and encoding with each flag combination.
 */
#include "testutil.h"

#include <string.h>

#include "scio.h"

static void test_decode_forms(void **state)
{
    static const char *const good[] = {
        "00A4000C023F00", "00 A4 00 0C 02 3F 00", "00a4000c023f00",
        "  00 A4\t00 0C\n02 3F 00  ", "00:A4:00:0C:02:3F:00",
        "00A4 000C 023F00", "00\r\nA4 00 0C 02 3F 00\n",
    };
    uint8_t out[16];
    size_t len;
    (void)state;
    for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
        len = 0;
        if (scio_hex_decode(good[i], out, sizeof(out), &len) != SCIO_OK)
            fail_msg("'%s' refused", good[i]);
        tu_assert_hex(out, len, "00A4000C023F00");
    }
    assert_int_equal(scio_hex_decode("", out, sizeof(out), &len), SCIO_OK);
    assert_int_equal(len, 0);
    assert_int_equal(scio_hex_decode("   ", out, sizeof(out), &len), SCIO_OK);
    assert_int_equal(len, 0);
}

static void test_decode_errors(void **state)
{
    static const char *const bad[] = {
        "0", "00A", "0 0", "00 A 4", "0x00", "00-A4", "zz", "00::A4",
        ":00", "00:", "00 : A4", "100", "-1",
    };
    uint8_t out[16] = {0};
    size_t len = 99;
    (void)state;
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
        if (scio_hex_decode(bad[i], out, sizeof(out), &len) !=
            SCIO_E_INVALID_ARG)
            fail_msg("'%s' accepted", bad[i]);
    assert_int_equal(len, 99); /* untouched on failure */
    assert_int_equal(scio_hex_decode("00 11 22", out, 2, &len),
                     SCIO_E_BUFFER_TOO_SMALL);
    assert_int_equal(out[0], 0);
    assert_int_equal(scio_hex_decode(NULL, out, 2, &len), SCIO_E_INVALID_ARG);
    assert_int_equal(scio_hex_decode("00", NULL, 2, &len), SCIO_E_INVALID_ARG);
}

static void test_encode(void **state)
{
    const uint8_t b[] = {0x3B, 0x9a, 0x00};
    char out[16];
    (void)state;
    assert_int_equal(scio_hex_encode(b, 3, 0, out, sizeof(out)), 6);
    assert_string_equal(out, "3b9a00");
    assert_int_equal(scio_hex_encode(b, 3, SCIO_HEX_UPPER, out, sizeof(out)), 6);
    assert_string_equal(out, "3B9A00");
    assert_int_equal(scio_hex_encode(b, 3, SCIO_HEX_SPACED, out, sizeof(out)), 8);
    assert_string_equal(out, "3b 9a 00");
    assert_int_equal(scio_hex_encode(b, 3, SCIO_HEX_UPPER | SCIO_HEX_SPACED,
                                     out, sizeof(out)), 8);
    assert_string_equal(out, "3B 9A 00");
    assert_int_equal(scio_hex_encode(b, 0, 0, out, sizeof(out)), 0);
    assert_string_equal(out, "");
    assert_int_equal(scio_hex_encode(b, 3, 0, out, 6), 0); /* needs 7 */
    assert_string_equal(out, "");
    assert_int_equal(scio_hex_encode(b, 3, 0, NULL, 0), 0);
}

static void test_round_trip(void **state)
{
    uint8_t all[256], back[256];
    char text[3 * 256 + 1];
    size_t len = 0;
    (void)state;
    for (size_t i = 0; i < 256; i++)
        all[i] = (uint8_t)i;
    assert_int_equal(scio_hex_encode(all, 256, SCIO_HEX_SPACED, text,
                                     sizeof(text)), 3 * 256 - 1);
    assert_int_equal(scio_hex_decode(text, back, sizeof(back), &len), SCIO_OK);
    assert_int_equal(len, 256);
    assert_memory_equal(all, back, 256);
}

static void test_sw_text(void **state)
{
    (void)state;
    assert_non_null(strstr(scio_sw_text(0x6A82), "not found"));
    assert_non_null(strstr(scio_sw_text(0x610C), "12"));
    assert_non_null(scio_sw_text(0x1234));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_decode_forms),
        cmocka_unit_test(test_decode_errors),
        cmocka_unit_test(test_encode),
        cmocka_unit_test(test_round_trip),
        cmocka_unit_test(test_sw_text),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
