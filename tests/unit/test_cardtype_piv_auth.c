/* SPDX-License-Identifier: LGPL-2.1-or-later */
/**
 * @file test_cardtype_piv_auth.c
 * @brief The PIV management key (GENERAL AUTHENTICATE to 9B): known-answer
 *        transcripts of mutual authentication for 3DES and AES-128/192/256
 *        with a scripted random source (the ciphertexts are FIPS 197
 *        appendix C and `openssl enc -des-ede3` values), external
 *        authentication, OpenSC's GET CHALLENGE with P1 00, and what must
 *        fail: a wrong witness, a witness used twice, a wrong response, the
 *        wrong algorithm, malformed templates, no encryption oracle,
 *        selection ending the authentication and a reset ending the
 *        exchange. Also SET MANAGEMENT KEY.
 */
#include "piv_steps.h"

/* create() takes 30 bytes (CHUID, CCC) and 8 (attestation serial); the
 * serial number is a parameter. Then what the test hands out. */
#define PV_CREATE_BYTES 38

static sfc_rng_script script;
static sfc_rng rng;
static uint8_t bytes[PV_CREATE_BYTES + 64];

static sfc_card *scripted(const char *const *kv, const char *hex)
{
    memset(bytes, 0, sizeof(bytes));
    size_t n = tu_hex(hex, bytes + PV_CREATE_BYTES,
                      sizeof(bytes) - PV_CREATE_BYTES);
    rng = sfc_rng_script_make(&script, bytes, PV_CREATE_BYTES + n);
    return pv_card_rng(kv, &rng);
}

static const char *const serial_only[] = {"serial", "00000001", NULL};

static void test_3des_mutual_kat(void **state)
{
    (void)state;
    sfc_card *card = scripted(serial_only, "0011223344556677");
    static const ct_step steps[] = {
        {"00DB3FFF0A5C035FC1095303AABBCC", "6982"},
        {"00879B9B047C028000", "6A80"}, /* not the key's algorithm */
        {"0087039B047C028000", "7C0A8008 26604D88E55BD3E7 9000"},
        {"0087039B167C148008 0011223344556677 8108 5A5A5A5A5A5A5A5A",
         "7C0A8208 E4706E76EC5E6312 9000"},
        {"00DB3FFF0A5C035FC1095303AABBCC", "9000"},
        /* selecting the application again ends it */
        {"00A4040005A000000308", "*9000"},
        {"00DB3FFF0A5C035FC1095303AABBCC", "6982"},
    };
    CT_RUN(card, steps);
    sfc_card_free(card);
}

static void aes_kat(const char *alg, uint8_t p1, const char *key,
                    const char *ct)
{
    const char *const kv[] = {"serial", "00000001", "mgm-key-algorithm", alg,
                              "mgm-key", key, NULL};
    sfc_card *card = scripted(kv, "00112233445566778899AABBCCDDEEFF");
    char apdu[200], want[100];
    ct_expect(card, "0087039B047C028000", "6A80"); /* not 3DES */
    snprintf(apdu, sizeof(apdu), "0087%02X9B047C028000", p1);
    snprintf(want, sizeof(want), "7C128010%s9000", ct);
    ct_expect(card, apdu, want);
    snprintf(apdu, sizeof(apdu),
             "0087%02X9B267C248010 00112233445566778899AABBCCDDEEFF 8110 "
             "00112233445566778899AABBCCDDEEFF", p1);
    snprintf(want, sizeof(want), "7C128210%s9000", ct);
    ct_expect(card, apdu, want);
    ct_expect(card, "00DB3FFF0A5C035FC1095303AABBCC", "9000");
    sfc_card_free(card);
}

static void test_aes_mutual_kat(void **state)
{
    (void)state;
    aes_kat("aes128", 0x08, "000102030405060708090A0B0C0D0E0F",
            "69C4E0D86A7B0430D8CDB78070B4C55A");
    aes_kat("aes192", 0x0A,
            "000102030405060708090A0B0C0D0E0F1011121314151617",
            "DDA97CA4864CDFE06EAF70A0EC0D7191");
    aes_kat("aes256", 0x0C,
            "000102030405060708090A0B0C0D0E0F101112131415161718191A1B1C1D1E1F",
            "8EA2B7CA516745BFEAFC49904B496089");
}

static void test_external_kat(void **state)
{
    (void)state;
    sfc_card *card = scripted(serial_only,
                              "5A5A5A5A5A5A5A5A 0102030405060708 "
                              "5A5A5A5A5A5A5A5A");
    static const ct_step steps[] = {
        /* OpenSC's GET CHALLENGE: P1 00 */
        {"0087009B047C028100", "7C0A8108 5A5A5A5A5A5A5A5A 9000"},
        {"0087039B0C7C0A8208 E4706E76EC5E6312", "9000"},
        {"00DB3FFF0A5C035FC1095303AABBCC", "9000"},
        {"00A4040005A000000308", "*9000"},
        /* a wrong response, and the challenge is gone after it */
        {"0087039B047C028100", "7C0A8108 0102030405060708 9000"},
        {"0087039B0C7C0A8208 E4706E76EC5E6312", "6982"},
        {"0087039B0C7C0A8208 E4706E76EC5E6312", "6982"},
        {"00DB3FFF0A5C035FC1095303AABBCC", "6982"},
        /* a response without a challenge */
        {"0087039B0C7C0A8208 0000000000000000", "6982"},
        /* no oracle: the card encrypts nothing of the client's choosing */
        {"0087039B0E7C0C8108 5A5A5A5A5A5A5A5A 8200", "6A80"},
    };
    CT_RUN(card, steps);
    sfc_card_free(card);
}

static void test_witness_failures(void **state)
{
    (void)state;
    sfc_card *card = scripted(serial_only,
                              "0011223344556677 0011223344556677 "
                              "0011223344556677");
    static const ct_step steps[] = {
        /* a wrong decrypted witness */
        {"0087039B047C028000", "7C0A8008 26604D88E55BD3E7 9000"},
        {"0087039B167C148008 0011223344556678 8108 5A5A5A5A5A5A5A5A",
         "6982"},
        /* the witness was used up: the right value is refused now */
        {"0087039B167C148008 0011223344556677 8108 5A5A5A5A5A5A5A5A",
         "6982"},
        {"00DB3FFF0A5C035FC1095303AABBCC", "6982"},
        /* malformed templates */
        {"0087039B037C0180", "6A80"},
        {"0087039B047C038000", "6A80"},
        {"0087039B048002 8000", "6A80"},
        {"0087039B067C0480008000", "6A80"},     /* 80 twice */
        {"0087039B047C028300", "6A80"},         /* unknown tag */
        {"0087039B057C02800000", "6A80"},       /* trailing byte */
        {"0087039B0E7C0C8006 001122334455 8102 0011", "6A80"}, /* sizes */
        {"0087039B", "6A80"},
        /* a fresh witness still works */
        {"0087039B047C028000", "7C0A8008 26604D88E55BD3E7 9000"},
        {"0087039B167C148008 0011223344556677 8108 5A5A5A5A5A5A5A5A",
         "7C0A8208 E4706E76EC5E6312 9000"},
        /* a witness does not survive a reset */
        {"0087039B047C028000", "7C0A8008 26604D88E55BD3E7 9000"},
    };
    CT_RUN(card, steps);
    sfc_card_power(card, SFC_RESET);
    ct_expect(card, "0087039B167C148008 0011223344556677 8108 "
              "5A5A5A5A5A5A5A5A", "6982");
    sfc_card_free(card);
}

static void test_set_management_key(void **state)
{
    (void)state;
    sfc_card *card = pv_card();
    static const char aes[] = "00112233445566778899AABBCCDDEEFF";
    ct_expect(card, "00FFFFFF1308 9B10 00112233445566778899AABBCCDDEEFF",
              "6982");
    pv_mgm_default(card);
    static const ct_step bad[] = {
        {"00FFFFFF1308 9B18 00112233445566778899AABBCCDDEEFF", "6A80"},
        {"00FFFFFF1309 9B10 00112233445566778899AABBCCDDEEFF", "6A80"},
        {"00FFFFFF1308 9A10 00112233445566778899AABBCCDDEEFF", "6A80"},
        {"00FFFFFF0208 9B", "6A80"},
        {"00FFFF001308 9B10 00112233445566778899AABBCCDDEEFF", "6A86"},
        {"00FFFFFF1308 9B10 00112233445566778899AABBCCDDEEFF", "9000"},
    };
    CT_RUN(card, bad);
    ct_expect(card, "00A4040005A000000308", "*9000");
    assert_int_equal(pv_mgm(card, 0x03, PV_MGM_3DES), 0x6A80);
    assert_int_equal(pv_mgm(card, 0x08, "FF112233445566778899AABBCCDDEEFF"),
                     0x6982);
    assert_int_equal(pv_mgm(card, 0x08, aes), 0x9000);
    sfc_card_free(card);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_3des_mutual_kat),
        cmocka_unit_test(test_aes_mutual_kat),
        cmocka_unit_test(test_external_kat),
        cmocka_unit_test(test_witness_failures),
        cmocka_unit_test(test_set_management_key),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
