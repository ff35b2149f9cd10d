/* SPDX-License-Identifier: LGPL-2.1-or-later */
/**
 * @file test_cardtype_handler_test.c
 * @brief The handler_test card type: the exchanges HandlerTest performs
 *        (cases 1 to 4, APDU and TPDU style, GET RESPONSE), the applet's
 *        checks, and nothing else answered.
 */
#include "cardtest.h"

static int setup(void **state)
{
    *state = ct_card("handler_test");
    return 0;
}

static int teardown(void **state)
{
    sfc_card_free(*state);
    return 0;
}

static void test_atr(void **state)
{
    uint8_t atr[SFC_ATR_MAX];
    size_t n = sfc_card_atr(*state, atr);
    tu_assert_hex(atr, n, "3BD6180080B1806D1F038051006110309E");
}

/* prefix, then n bytes 00 01 02 ..., then suffix (two rotating buffers) */
static char *counting(const char *prefix, size_t n, const char *suffix)
{
    static char bufs[2][2 * 70000];
    static int next;
    char *s = bufs[next];
    next ^= 1;
    strcpy(s, prefix);
    for (size_t i = 0; i < n; i++)
        sprintf(s + strlen(s), "%02X", (unsigned)(i & 0xFF));
    strcat(s, suffix);
    return s;
}

static void test_handler_test_sequence(void **state)
{
    sfc_card *card = *state;
    ct_expect(card, "00A4040006A000000018FF", "9000");
    ct_expect(card, "00A4040006A00000001850", "9000");
    ct_expect(card, "00A4040006A00000001851", "6A82");
    ct_expect(card, "80380002", "9000");                  /* time request */
    ct_expect(card, "80300000", "9000");                  /* case 1 APDU */
    ct_expect(card, "8030000000", "9000");                /* case 1 TPDU */
    ct_expect(card, counting("803200 00FF", 255, ""), "9000"); /* case 3 */
    ct_expect(card, "8034 00FF FF", counting("", 255, "9000")); /* case 2 */
    /* case 4 TPDU: data in, 61xx, GET RESPONSE */
    ct_expect(card, counting("803600 01 FF", 255, ""), "6101");
    ct_expect(card, "80C0000001", "00 9000");
    /* case 4 APDU: data in and Le */
    ct_expect(card, counting("803600 01 FF", 255, "01"), "00 9000");
    ct_expect(card, counting("803600 FF 01", 1, "FF"), counting("", 255, "9000"));
    /* 256 bytes out: 61 00 then GET RESPONSE with Le 00 */
    ct_expect(card, "8036 0100 01 00", "6100");
    ct_expect(card, "80C0000000", counting("", 256, "9000"));
}

static void test_applet_checks(void **state)
{
    static const ct_step steps[] = {
        {"8030000001 00", "6700"},                 /* case 1 with data */
        {"8032000003 000102", "9000"},
        {"8032000003 000199", "6A02"},             /* index of the bad byte */
        {"80320000", "6700"},
        {"8034000510", "6700"},                    /* Le must equal P1P2 */
        {"80340005", "6700"},
        {"803C000510", "0001020304 9000"},         /* unbound: any Le */
        {"803E000200", "0001 9000"},               /* unbound: no data needed */
        {"8020000004 31323334", "9000"},
        {"8040000000", "8020000004 31323334 9000"},
        {"8020000002 3132", "9000"},
        {"8020000002 3133", "6A01"},
        {"8040000000", "8020000002 3133 9000"},
        {"8050000000", "6D00"},
        {"00B0000000", "6D00"},                    /* no ISO file system */
        {"0084000008", "6D00"},
        {"80C0000000", "6985"},
    };
    CT_RUN(*state, steps);
}

static void test_extended_case2(void **state)
{
    sfc_card *card = *state;
    /* 0x1234 bytes with an extended Le of the same value */
    ct_expect(card, "8034 1234 00 1234", counting("", 0x1234, "9000"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_atr, setup, teardown),
        cmocka_unit_test_setup_teardown(test_handler_test_sequence, setup, teardown),
        cmocka_unit_test_setup_teardown(test_applet_checks, setup, teardown),
        cmocka_unit_test_setup_teardown(test_extended_case2, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
