/* SPDX-License-Identifier: LGPL-2.1-or-later */
/**
 * @file test_cardtype_openpgp.c
 * @brief The openpgp card type's data objects and passwords, command by
 *        command as scdaemon and OpenSC send them: the ATR, SELECT, GET
 *        DATA of every DO (templates whole, simple DOs as values), PUT
 *        DATA with its access rules and maxima, VERIFY (status, P1=FF,
 *        counters, blocking), CHANGE REFERENCE DATA, RESET RETRY COUNTER
 *        both ways, GET CHALLENGE, TERMINATE DF and ACTIVATE FILE, and the
 *        personalisation parameters.
 */
#include "openpgp_steps.h"

static void test_atr(void **state)
{
    uint8_t atr[SFC_ATR_MAX];
    size_t n = sfc_card_atr(*state, atr);
    const char *hex = tu_tohex(atr, n);
    /* T=1, historical bytes 00 31C5 73C001C0 059000, then TCK. */
    assert_int_equal(strncmp(hex, "3B9A1381010031C573C001C0059000", 30), 0);
    assert_int_equal(n, 16);
}

static void test_select(void **state)
{
    static const ct_step steps[] = {
        {PGP_SELECT "00", "6F128410" PGP_T_AID "9000"},
        {PGP_SELECT, "9000"},
        {"00A4040006D27600012402", "6A82"},
        {"00A4000C023F00", "9000"},
        {"00A4040010" PGP_T_AID "00", "6F128410" PGP_T_AID "9000"},
        {"00A4000C023F00", "9000"},
        {"00A404000A D276000124010304FFFF", "9000"},
        {"00A4040010 D276000124010304FFFF010203050000", "6A82"},
        {"00A4040011 D276000124010304FFFF01020304000000", "6A82"},
        {"00CA004F00", PGP_T_AID "9000"}, /* still selected */
        {"00B0000000", "6D00"},           /* no file system */
    };
    CT_RUN(*state, steps);
}

static void test_simple_dos(void **state)
{
    static const ct_step steps[] = {
        {"00CA00C400", "007F7F7F030003 9000"},
        {"00CA00C000", "7C0000FF080000FE0001 9000"},
        {"00CA5F5200", "0031C573C001C0059000 9000"},
        {"00CA7F6600", "7F6608 02021000 02021000 9000"},
        {"00CA00C100", "010800002000 9000"},
        {"00CA00C200", "010800002000 9000"},
        {"00CA00C300", "010800002000 9000"},
        {"00CA009300", "000000 9000"},
        {"00CA00DE00", "010002000300 9000"},
        {"00CA00CD00", "000000000000000000000000 9000"},
        {"00CA005E00", "9000"},
        {"00CA5F5000", "9000"},
        {"00CA010100", "9000"},
        {"00CA010200", "9000"},
        {"00CA010300", "6982"},
        {"00CA010400", "6982"},
        {"00CA00F900", "6A88"},
        {"00CA7F2100", "9000"},
        {"00CA004F0100", "6700"},
    };
    CT_RUN(*state, steps);
}

static void test_templates(void **state)
{
    static const ct_step steps[] = {
        {"00CA006500", "6509 5B00 5F2D00 5F350139 9000"},
        {"00CA007A00", "7A05 9303000000 9000"},
    };
    CT_RUN(*state, steps);
    uint8_t r[1024];
    size_t n = 0;
    assert_int_equal(pgp_x(*state, "00CA006E00", r, sizeof(r), &n), 0x9000);
    ber_tlv t;
    assert_int_equal(ber_decode(r, n, &t), SFC_OK);
    assert_int_equal(t.tag, 0x6E);
    assert_int_equal(t.size, n);
    static const uint32_t aid[] = {0x6E, 0x4F};
    assert_int_equal(ber_find_path(r, n, aid, 2, &t), SFC_OK);
    tu_assert_hex(t.value, t.len, PGP_T_AID);
    static const uint32_t c4[] = {0x6E, 0x73, 0xC4};
    assert_int_equal(ber_find_path(r, n, c4, 3, &t), SFC_OK);
    tu_assert_hex(t.value, t.len, "007F7F7F030003");
    static const uint32_t c5[] = {0x6E, 0x73, 0xC5};
    assert_int_equal(ber_find_path(r, n, c5, 3, &t), SFC_OK);
    assert_int_equal(t.len, 60);
    static const uint32_t hist[] = {0x6E, 0x5F52};
    assert_int_equal(ber_find_path(r, n, hist, 2, &t), SFC_OK);
    tu_assert_hex(t.value, t.len, "0031C573C001C0059000");
    static const uint32_t c0[] = {0x6E, 0x73, 0xC0};
    assert_int_equal(ber_find_path(r, n, c0, 3, &t), SFC_OK);
    assert_int_equal(t.len, 10);
}

static void test_verify(void **state)
{
    static const ct_step steps[] = {
        {"00200081", "63C3"}, /* status: not verified, 3 tries */
        {"002000810431323334", "63C2"},
        {"00200082", "63C2"},
        {"00CA00C400", "007F7F7F020003 9000"},
        {PGP_VERIFY_PW1_81, "9000"},
        {"00CA00C400", "007F7F7F030003 9000"},
        {"00200081", "9000"},
        {"00200082", "63C3"}, /* 82 is its own verification */
        {"0020FF81", "9000"},
        {"00200081", "63C3"},
        {PGP_VERIFY_PW3, "9000"},
        {"00200083", "9000"},
        {"00200084", "6A86"},
        {"00200181", "6A86"},
        /* blocking */
        {"00200081083132333435363738", "63C2"},
        {"002000820131", "63C1"},
        {"00200081 06 313233343537", "6983"},
        {PGP_VERIFY_PW1_81, "6983"},
        {"00200081", "6983"},
        {"00CA00C400", "007F7F7F000003 9000"},
    };
    CT_RUN(*state, steps);
}

static void test_change_reference(void **state)
{
    static const ct_step steps[] = {
        {"002400810C 313233343536 363534333231", "9000"},
        {PGP_VERIFY_PW1_82, "63C2"},
        {"0020008206 363534333231", "9000"},
        {"002400810C 313233343536 363534333231", "63C2"}, /* old is wrong */
        {"002400810B 363534333231 3132333435", "6700"},   /* new too short */
        {"0024008103 363534", "63C2"}, /* the 6700 above had the right old value */
        {"002400810C 363534333231 313233343536", "9000"},
        {"002400830F 3132333435363738 31323334353637", "6700"},
        {"0024008310 3132333435363738 3837363534333231", "9000"},
        {"00200083083837363534333231", "9000"},
        {"002400820C 313233343536 363534333231", "6A86"},
        {"002401810C 313233343536 363534333231", "6A86"},
    };
    CT_RUN(*state, steps);
}

static void block_pw1(sfc_card *card)
{
    ct_expect(card, "002000820131", "63C2");
    ct_expect(card, "002000820131", "63C1");
    ct_expect(card, "002000820131", "6983");
}

static void test_reset_retry_with_code(void **state)
{
    block_pw1(*state);
    static const ct_step steps[] = {
        {"002C00810E 3837363534333231 313131313131", "6982"}, /* no code */
        {PGP_VERIFY_PW3, "9000"},
        {"00DA00D307 31323334353637", "6700"},
        {"00DA00D308 3837363534333231", "9000"},
        {"00CA00C400", "007F7F7F000303 9000"},
        {"002C00810E 3837363534333232 313131313131", "63C2"},
        {"002C008108 3837363534333231", "6700"}, /* no new PW1 */
        {"002C00810D 3837363534333231 3131313131", "6700"},
        {"002C00810E 3837363534333231 313131313131", "9000"},
        {"0020008206 313131313131", "9000"},
        {"00CA00C400", "007F7F7F030303 9000"},
        {"002C00820E 3837363534333231 313131313131", "6A86"},
    };
    CT_RUN(*state, steps);
}

static void test_reset_retry_with_pw3(void **state)
{
    block_pw1(*state);
    static const ct_step steps[] = {
        {"002C028106 313131313131", "6982"},
        {PGP_VERIFY_PW3, "9000"},
        {"002C028105 3131313131", "6700"},
        {"002C028106 313131313131", "9000"},
        {"0020008106 313131313131", "9000"},
        {"002C038106 313131313131", "6A86"},
    };
    CT_RUN(*state, steps);
}

static void test_put_data(void **state)
{
    static const ct_step steps[] = {
        {"00DA005B08 446F653C3C4A6F65", "6982"},
        {PGP_VERIFY_PW3, "9000"},
        {"00DA005B08 446F653C3C4A6F65", "9000"},
        {"00DA5F2D04 656E6465", "9000"},
        {"00DA5F350132", "9000"},
        {"00DA5F3502 3232", "6700"},
        {"00CA006500", "6515 5B08446F653C3C4A6F65 5F2D04656E6465 5F350132 9000"},
        /* no data (case 1) clears it: the handler's memcpy of Nc = 0
         * bytes once took a NULL pointer (fuzz_card finding) */
        {"00DA5F2D", "9000"},
        {"00CA006500", "6511 5B08446F653C3C4A6F65 5F2D00 5F350132 9000"},
        {"00DA5F5003 7A7A7A", "9000"},
        {"00CA5F5000", "7A7A7A 9000"},
        {"00DA005E02 6A64", "9000"},
        {"00CA005E00", "6A64 9000"},
        {"00DA010202 0102", "9000"},
        {"00DA010402 0104", "9000"},
        {"00CA010400", "0104 9000"},
        {"00DA010102 0101", "6982"}, /* needs PW1 (82) */
        {PGP_VERIFY_PW1_82, "9000"},
        {"00DA010102 0101", "9000"},
        {"00DA010302 0103", "9000"},
        {"00CA010300", "0103 9000"},
        {"00DA00C40101", "9000"},
        {"00CA00C400", "017F7F7F030003 9000"},
        {"00DA00C40102", "6A80"},
        {"00DA00C400", "6700"},
        {"00DA00C7 14 0102030405060708090A0B0C0D0E0F1011121314", "9000"},
        {"00DA00C8 13 0102030405060708090A0B0C0D0E0F10111213", "6700"},
        {"00DA00CA 14 AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", "9000"},
        {"00DA00CE 04 5F000001", "9000"},
        {"00DA00D0 03 5F0000", "6700"},
        {"00CA00CD00", "5F0000010000000000000000 9000"},
        {"00DA00C1 03 990102", "6A80"},
        {"00DA00C5 00", "6A88"},
        {"00DA00F9 00", "6A88"},
        {"00DA004F 00", "6A88"},
    };
    CT_RUN(*state, steps);
    uint8_t r[1024];
    size_t n = 0;
    assert_int_equal(pgp_x(*state, "00CA00C500", r, sizeof(r), &n), 0x9000);
    tu_assert_hex(r, 20, "0102030405060708090A0B0C0D0E0F1011121314");
    assert_int_equal(pgp_x(*state, "00CA00C600", r, sizeof(r), &n), 0x9000);
    tu_assert_hex(r, 20, "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA");
}

/* Send PUT DATA of `len` bytes of 41 to `tag` (extended Lc). */
static uint16_t put_long(sfc_card *card, uint16_t tag, size_t len)
{
    static uint8_t apdu[8 + 4096];
    apdu[0] = 0x00;
    apdu[1] = 0xDA;
    apdu[2] = (uint8_t)(tag >> 8);
    apdu[3] = (uint8_t)tag;
    apdu[4] = 0x00;
    apdu[5] = (uint8_t)(len >> 8);
    apdu[6] = (uint8_t)len;
    memset(apdu + 7, 0x41, len);
    return ct_raw(card, apdu, 7 + len, NULL);
}

static void test_maximum_lengths(void **state)
{
    sfc_card *card = *state;
    ct_expect(card, PGP_VERIFY_PW3, "9000");
    ct_expect(card, PGP_VERIFY_PW1_82, "9000");
    static const struct {
        uint16_t tag;
        size_t max;
    } dos[] = {{0x5B, 39},    {0x5F2D, 8},   {0x5F50, 254}, {0x5E, 254},
               {0x0101, 254}, {0x0102, 254}, {0x0103, 254}, {0x0104, 254},
               {0x7F21, 2048}};
    for (size_t i = 0; i < sizeof(dos) / sizeof(dos[0]); i++) {
        assert_int_equal(put_long(card, dos[i].tag, dos[i].max), 0x9000);
        assert_int_equal(put_long(card, dos[i].tag, dos[i].max + 1), 0x6700);
    }
    uint8_t r[4096];
    size_t n = 0;
    assert_int_equal(pgp_x(card, "00CA7F21000000", r, sizeof(r), &n), 0x9000);
    assert_int_equal(n, 2048);
    /* The D3 resetting code too long */
    assert_int_equal(put_long(card, 0xD3, 128), 0x6700);
}

static void test_get_challenge(void **state)
{
    uint8_t r[300];
    size_t n = 0;
    assert_int_equal(pgp_x(*state, "0084000008", r, sizeof(r), &n), 0x9000);
    assert_int_equal(n, 8);
    assert_int_equal(pgp_x(*state, "00840000FF", r, sizeof(r), &n), 0x9000);
    assert_int_equal(n, 255);
    ct_expect(*state, "00840000", "6700");
    ct_expect(*state, "0084010008", "6A86");
}

/* Three certificates (7F21 occurrences 0 AUT, 1 DEC, 2 SIG) reached
 * through SELECT DATA; a reset goes back to occurrence 0. */
static void test_select_data(void **state)
{
    static const ct_step steps[] = {
        {PGP_VERIFY_PW3, "9000"},
        {"00DA7F2103 300100", "9000"},
        {"00A5010406 60045C027F21", "9000"},
        {"00CA7F2100", "9000"},
        {"00DA7F2103 300101", "9000"},
        {"00A5020404 5C027F21", "9000"},
        {"00DA7F2103 300102", "9000"},
        {"00CA7F2100", "300102 9000"},
        {"00A5000406 60045C027F21", "9000"},
        {"00CA7F2100", "300100 9000"},
        {"00A5010406 60045C027F21", "9000"},
        {"00CA7F2100", "300101 9000"},
        {"00A5030406 60045C027F21", "6A86"},
        {"00A5000306 60045C027F21", "6A86"},
        {"00A5000406 60045C027F22", "6A80"},
        {"00A50004", "6700"},
    };
    CT_RUN(*state, steps);
    sfc_card_power(*state, SFC_RESET);
    ct_expect(*state, PGP_SELECT, "9000");
    ct_expect(*state, "00CA7F2100", "300100 9000");
    /* GET NEXT DATA walks the occurrences */
    static const ct_step next[] = {
        {"00CC7F2100", "300101 9000"},
        {"00CA7F2100", "300101 9000"},
        {"00CC7F2100", "300102 9000"},
        {"00CC7F2100", "6A88"},
        {"00CC006E00", "6A88"},
    };
    CT_RUN(*state, next);
}

static void test_terminate_activate(void **state)
{
    static const ct_step steps[] = {
        {"00E60000", "6982"},
        {PGP_VERIFY_PW3, "9000"},
        {"00DA005B03 414243", "9000"},
        {"002400810C 313233343536 363534333231", "9000"},
        {"00E60000", "9000"},
        {"00CA006500", "6285"},
        {PGP_VERIFY_PW3, "6285"},
        {PGP_SELECT, "6285"},
        {"00440000", "9000"},
        {PGP_SELECT "00", "6F128410" PGP_T_AID "9000"},
        {"00CA006500", "6509 5B00 5F2D00 5F350139 9000"},
        {PGP_VERIFY_PW1_81, "9000"}, /* back to 123456 */
        {"00CA00C400", "007F7F7F030003 9000"},
        {"00440000", "9000"}, /* not terminated: nothing happens */
    };
    CT_RUN(*state, steps);
}

/* PW1 and PW3 both blocked: TERMINATE DF without a verification. */
static void test_terminate_when_blocked(void **state)
{
    sfc_card *card = *state;
    block_pw1(card);
    ct_expect(card, "00E60000", "6982");
    ct_expect(card, "002000830131", "63C2");
    ct_expect(card, "002000830131", "63C1");
    ct_expect(card, "002000830131", "6983");
    ct_expect(card, "00E60000", "9000");
    ct_expect(card, "00440000", "9000");
    ct_expect(card, PGP_VERIFY_PW3, "9000");
}

static void test_personalisation(void **state)
{
    (void)state;
    static const sfc_param p[] = {
        {"pw1", "654321"},          {"pw3", "87654321"},
        {"resetting-code", "11223344"}, {"cardholder-name", "Doe<<Jo"},
        {"cardholder-lang", "de"},  {"cardholder-sex", "9"},
        {"url", "http://x"},        {"login-data", "jo"}};
    sfc_card *card = pgp_card_with(p, sizeof(p) / sizeof(p[0]));
    static const ct_step steps[] = {
        {"00CA006500", "6512 5B07446F653C3C4A6F 5F2D026465 5F350139 9000"},
        {"00CA5F5000", "687474703A2F2F78 9000"},
        {"00CA005E00", "6A6F 9000"},
        {"00CA00C400", "007F7F7F030303 9000"},
        {PGP_VERIFY_PW1_81, "63C2"},
        {"0020008106 363534333231", "9000"},
        {PGP_VERIFY_PW3, "63C2"},
        {"00200083083837363534333231", "9000"},
    };
    CT_RUN(card, steps);
    sfc_card_free(card);
}

static void refused(const char *key, const char *value, const char *why)
{
    sfc_param p[] = {{key, value}};
    sfc_card_options o = {0};
    o.params = p;
    o.n_params = 1;
    sfc_card *card = NULL;
    char err[300] = "";
    assert_int_not_equal(sfc_card_new("openpgp", &o, &card, err, sizeof(err)),
                         SFC_OK);
    assert_non_null(strstr(err, why));
}

static void test_bad_parameters(void **state)
{
    (void)state;
    refused("pw1", "12345", "pw1");
    refused("pw3", "1234567", "pw3");
    refused("resetting-code", "1234", "resetting-code");
    refused("serial", "0102", "serial");
    refused("cardholder-sex", "x", "cardholder-sex");
    refused("cardholder-name", "0123456789012345678901234567890123456789",
            "cardholder-name");
    refused("sig-key", "/nonexistent.pem", "sig-key");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
#define T(f) cmocka_unit_test_setup_teardown(f, pgp_setup, ct_teardown)
        T(test_atr),
        T(test_select),
        T(test_simple_dos),
        T(test_templates),
        T(test_verify),
        T(test_change_reference),
        T(test_reset_retry_with_code),
        T(test_reset_retry_with_pw3),
        T(test_put_data),
        T(test_maximum_lengths),
        T(test_get_challenge),
        T(test_select_data),
        T(test_terminate_activate),
        T(test_terminate_when_blocked),
        cmocka_unit_test(test_personalisation),
        cmocka_unit_test(test_bad_parameters),
#undef T
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
