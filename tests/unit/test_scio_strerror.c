/* SPDX-License-Identifier: LGPL-2.1-or-later */
/**
 * @file test_scio_strerror.c
 * @brief libscio's one error space: a distinct text for every status,
 *        pcsc-lite's texts and names for PC/SC codes (including unknown
 *        ones), and which status each PC/SC code maps to.
 */
#include "testutil.h"

#include <string.h>

#include "scio.h"

static void test_status_texts(void **state)
{
    (void)state;
    for (int a = SCIO_OK; a <= SCIO_E_PCSC; a++) {
        const char *ta = scio_strerror((scio_status)a);
        assert_non_null(ta);
        assert_true(strlen(ta) > 3);
        assert_string_not_equal(ta, "unknown status");
        for (int b = SCIO_OK; b < a; b++)
            if (!strcmp(ta, scio_strerror((scio_status)b)))
                fail_msg("statuses %d and %d share '%s'", a, b, ta);
    }
    assert_string_equal(scio_strerror((scio_status)999), "unknown status");
    assert_string_equal(scio_strerror(SCIO_E_TIMEOUT), "timed out");
}

static void test_pcsc_texts(void **state)
{
    (void)state;
    assert_string_equal(scio_pcsc_strerror(0), "Command successful.");
    assert_string_equal(scio_pcsc_strerror(0x80100001u), "Internal error.");
    assert_string_equal(scio_pcsc_strerror(0x8010000Au), "Command timeout.");
    assert_string_equal(scio_pcsc_strerror(0x80100068u), "Card was reset.");
    assert_string_equal(scio_pcsc_strerror(0x8010002Eu),
                        "Cannot find a smart card reader.");
    assert_string_equal(scio_pcsc_strerror(0x8010001Fu),
                        "Feature not supported.");
    assert_string_equal(scio_pcsc_strerror(0x42u), "Unknown error.");
    assert_string_equal(scio_pcsc_code_name(0x8010001Du), "SCARD_E_NO_SERVICE");
    assert_string_equal(scio_pcsc_code_name(0x80100069u), "SCARD_W_REMOVED_CARD");
    assert_null(scio_pcsc_code_name(0x42u));
}

static void test_mapping(void **state)
{
    static const struct {
        uint32_t code;
        scio_status st;
    } map[] = {
        {0x00000000u, SCIO_OK},
        {0x80100002u, SCIO_E_CANCELLED},
        {0x80100008u, SCIO_E_BUFFER_TOO_SMALL},
        {0x80100009u, SCIO_E_UNKNOWN_READER},
        {0x8010000Au, SCIO_E_TIMEOUT},
        {0x8010000Bu, SCIO_E_SHARING_VIOLATION},
        {0x8010000Cu, SCIO_E_NO_CARD},
        {0x8010000Fu, SCIO_E_PROTO_MISMATCH},
        {0x80100013u, SCIO_E_NO_SERVICE},
        {0x8010001Du, SCIO_E_NO_SERVICE},
        {0x8010001Eu, SCIO_E_NO_SERVICE},
        {0x8010001Fu, SCIO_E_UNSUPPORTED},
        {0x8010002Eu, SCIO_E_NO_READERS},
        {0x80100068u, SCIO_E_CARD_RESET},
        {0x80100069u, SCIO_E_CARD_REMOVED},
        {0x8010006Au, SCIO_E_ACCESS_DENIED},
        {0x80100016u, SCIO_E_PCSC},
        {0x12345678u, SCIO_E_PCSC},
    };
    (void)state;
    for (size_t i = 0; i < sizeof(map) / sizeof(map[0]); i++)
        if (scio_status_from_pcsc(map[i].code) != map[i].st)
            fail_msg("%08X maps to %s", (unsigned)map[i].code,
                     scio_strerror(scio_status_from_pcsc(map[i].code)));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_status_texts),
        cmocka_unit_test(test_pcsc_texts),
        cmocka_unit_test(test_mapping),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
