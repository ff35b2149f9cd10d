/* SPDX-License-Identifier: LGPL-2.1-or-later */
/**
 * @file test_core_sw.c
 * @brief Unit tests for status word texts and classification.
 */
#include "testutil.h"

#include <string.h>

#include "core/sw.h"

static const char unknown[] = "unknown status word";

static void test_every_sw_has_a_text(void **state)
{
    (void)state;
    size_t known = 0;
    for (unsigned sw = 0; sw <= 0xFFFF; sw++) {
        const char *text = sw_text((uint16_t)sw);
        assert_non_null(text);
        assert_true(text[0] != '\0');
        if (strcmp(text, unknown) != 0)
            known++;
    }
    /* 9000; 256 each of 61xx, 6Cxx and 66xx; 16 x 63Cx; 127 each of
     * 6202..6280 and 6402..6480; 46 single values from 6200 to 6F00. */
    assert_int_equal(known, 1 + 3 * 256 + 16 + 2 * 127 + 46);
}

typedef struct sw_case {
    uint16_t sw;
    const char *text;
} sw_case;

static const sw_case exact_texts[] = {
    {0x9000, "success"},
    {0x6100, "256 or more bytes still available"},
    {0x6101, "1 byte still available"},
    {0x6C01, "wrong Le field: 1 byte available"},
    {0x610A, "10 bytes still available"},
    {0x61FF, "255 bytes still available"},
    {0x63C0, "warning: counter is 0 (e.g. tries left)"},
    {0x63C3, "warning: counter is 3 (e.g. tries left)"},
    {0x63CF, "warning: counter is 15 (e.g. tries left)"},
    {0x6C00, "wrong Le field: 256 bytes available"},
    {0x6C10, "wrong Le field: 16 bytes available"},
    {0x6282, "warning: end of file or record reached before reading Ne bytes"},
    {0x6581, "execution error: memory failure"},
    {0x6700, "wrong length"},
    {0x6982, "security status not satisfied"},
    {0x6983, "authentication method blocked"},
    {0x6A82, "file or application not found"},
    {0x6A86, "incorrect parameters P1-P2"},
    {0x6B00, "wrong parameters P1-P2 (e.g. offset outside the EF)"},
    {0x6D00, "instruction code not supported or invalid"},
    {0x6E00, "class not supported"},
    {0x6F00, "no precise diagnosis"},
    {0x6210, "warning: triggering by the card (memory unchanged)"},
    {0x6480, "execution error: triggering by the card"},
    {0x66AB, "execution error: security-related issue"},
};

static void test_spot_texts(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof(exact_texts) / sizeof(exact_texts[0]); i++)
        assert_string_equal(sw_text(exact_texts[i].sw), exact_texts[i].text);
}

/** Every status word the header names, and every ISO value listed. */
static const uint16_t named[] = {
    SW_OK, SW_BYTES_REMAINING(0), SW_BYTES_REMAINING(0x20), SW_WARN_NO_INFO,
    SW_WARN_CORRUPTED, SW_WARN_EOF, SW_WARN_DEACTIVATED, SW_WARN_FCI_FORMAT,
    SW_WARN_TERMINATED, 0x6286, SW_WARN_CHANGED, SW_COUNTER(0), SW_COUNTER(9),
    SW_EXEC_ERROR, SW_MEMORY_FAILURE, SW_WRONG_LENGTH,
    SW_CLA_FUNCTION_NOT_SUPPORTED, SW_CHANNEL_NOT_SUPPORTED,
    SW_SM_NOT_SUPPORTED, SW_LAST_COMMAND_EXPECTED, SW_CHAINING_NOT_SUPPORTED,
    SW_COMMAND_NOT_ALLOWED, SW_INCOMPATIBLE_FILE, SW_SECURITY_STATUS,
    SW_AUTH_BLOCKED, SW_REF_DATA_UNUSABLE, SW_CONDITIONS, SW_NO_CURRENT_EF,
    SW_SM_MISSING, SW_SM_INCORRECT, SW_WRONG_DATA, SW_FUNC_NOT_SUPPORTED,
    SW_FILE_NOT_FOUND, SW_RECORD_NOT_FOUND, SW_NOT_ENOUGH_MEMORY,
    SW_NC_P1P2_INCONSISTENT, SW_WRONG_P1P2, SW_NC_INCONSISTENT,
    SW_REF_NOT_FOUND, SW_FILE_EXISTS, SW_DF_NAME_EXISTS, SW_WRONG_P1P2_OFFSET,
    SW_WRONG_LE(0), SW_WRONG_LE(0x80), SW_INS_NOT_SUPPORTED,
    SW_CLA_NOT_SUPPORTED, SW_UNKNOWN, 0x6287, 0x6340, 0x6381, 0x6401, 0x6500,
    0x6A00,
};

static void test_named_sws_are_known(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof(named) / sizeof(named[0]); i++) {
        if (strcmp(sw_text(named[i]), unknown) == 0)
            fail_msg("%04X has no text", named[i]);
    }
    /* each of 6981..6988 and 6A80..6A8A has its own text */
    for (uint16_t sw = 0x6981; sw < 0x6988; sw++)
        assert_string_not_equal(sw_text(sw), sw_text((uint16_t)(sw + 1)));
    for (uint16_t sw = 0x6A80; sw < 0x6A8A; sw++)
        assert_string_not_equal(sw_text(sw), sw_text((uint16_t)(sw + 1)));
}

static void test_unknown_sws(void **state)
{
    (void)state;
    static const uint16_t unknowns[] = {0x0000, 0x9001, 0x6201, 0x6288,
                                        0x6301, 0x63B0, 0x6481, 0x6582,
                                        0x6701, 0x6885, 0x6989, 0x6A8B,
                                        0x6B01, 0x6D01, 0x6E01, 0x6F01,
                                        0x9100, 0xFFFF};
    for (size_t i = 0; i < sizeof(unknowns) / sizeof(unknowns[0]); i++)
        assert_string_equal(sw_text(unknowns[i]), unknown);
}

static void test_numbered_texts_are_stable(void **state)
{
    (void)state;
    const char *a = sw_text(0x6105);
    const char *b = sw_text(0x6106);
    assert_ptr_equal(a, sw_text(0x6105));
    assert_string_equal(a, "5 bytes still available");
    assert_string_equal(b, "6 bytes still available");
}

static void test_classification(void **state)
{
    (void)state;
    size_t success = 0, warning = 0;
    for (unsigned sw = 0; sw <= 0xFFFF; sw++) {
        bool s = sw_is_success((uint16_t)sw), w = sw_is_warning((uint16_t)sw);
        assert_false(s && w);
        success += s;
        warning += w;
    }
    assert_int_equal(success, 1 + 256);
    assert_int_equal(warning, 512);
    assert_true(sw_is_success(SW_OK));
    assert_true(sw_is_success(SW_BYTES_REMAINING(0x10)));
    assert_true(sw_is_warning(SW_COUNTER(2)));
    assert_true(sw_is_warning(SW_WARN_EOF));
    assert_false(sw_is_success(SW_WRONG_LE(4)));
    assert_false(sw_is_warning(SW_EXEC_ERROR));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_every_sw_has_a_text),
        cmocka_unit_test(test_spot_texts),
        cmocka_unit_test(test_named_sws_are_known),
        cmocka_unit_test(test_unknown_sws),
        cmocka_unit_test(test_numbered_texts_are_stable),
        cmocka_unit_test(test_classification),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
