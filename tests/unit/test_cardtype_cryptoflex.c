/* SPDX-License-Identifier: LGPL-2.1-or-later */
/**
 * @file test_cardtype_cryptoflex.c
 * @brief The cryptoflex card type, command by command, as OpenSC 0.23's
 *        flex driver sends them (card-flex.c, pkcs15-cflex.c): SELECT with
 *        the proprietary answer behind 61xx, READ/UPDATE BINARY (Le 00 is
 *        256 bytes, writes split at 0xFF), CREATE FILE and its malformed
 *        bodies, DELETE FILE, LIST FILES, VERIFY against the CHV files, the
 *        transport key, the stored access conditions, GENERATE RSA KEY and
 *        the RSA operation (1024 bits, and 2048 bits with the 10 88 chain,
 *        also cut short).
 */
#include "cryptoflex_steps.h"

static int setup(void **state)
{
    *state = cf_card();
    return 0;
}

static void test_atr(void **state)
{
    uint8_t atr[SFC_ATR_MAX];
    size_t n = sfc_card_atr(*state, atr);
    tu_assert_hex(atr, n, "3BE2000040204907");

    static const sfc_param p[] = {{"atr", "reference"}};
    sfc_card_options o = {0};
    o.params = p;
    o.n_params = 1;
    sfc_card *ref = ct_card_ex("cryptoflex", &o);
    n = sfc_card_atr(ref, atr);
    tu_assert_hex(atr, n, "3BE2000040204906");
    sfc_card_free(ref);

    static const sfc_param bad[] = {{"atr", "3B00"}};
    o.params = bad;
    sfc_card *none = NULL;
    char err[200] = "";
    assert_int_not_equal(sfc_card_new("cryptoflex", &o, &none, err,
                                      sizeof(err)), SFC_OK);
    assert_non_null(strstr(err, "atr"));
}

/* The factory card: MF, EF 0002 (serial), EF 0011 (transport key). */
static void test_select_and_read(void **state)
{
    static const ct_step steps[] = {
        {"C0A40000023F00", "6110"},
        {"C0C0000010", "0000FFFF3F0038FF0044440103001111 9000"},
        {"C0A40000020002", "6110"},
        {"C0C0000010", "0000000800020 1FF0F0F4401030000 00 9000"},
        {"C0B0000008", "0102030405060708 9000"},
        {"C0B0000404", "05060708 9000"},
        {"C0B0000000", "6C08"}, /* P3 00 is 256 bytes, not "all there is" */
        {"C0B0000010", "6C08"},
        {"C0B0000801", "6B00"},
        {"C0D600000100", "6982"}, /* update: never */
        {"C0A40000020011", "6110"},
        {"C0B0000001", "6982"}, /* the transport key cannot be read */
        {"C0A40000021234", "6A82"},
        {"C0A4040002 3F00", "6A82"},
        {"C0A40000033F0000", "6700"},
        {"C0C0000010", "6985"}, /* nothing pending */
        /* the interindustry class knows only GET RESPONSE and 88 */
        {"00A40000023F00", "6D00"},
        {"00B0000008", "6D00"},
        {"C0A40000023F00", "6110"},
        {"00C0000010", "#16 9000"},
    };
    CT_RUN(*state, steps);
}

static void test_transport_key(void **state)
{
    sfc_card *card = *state;
    ct_expect(card, "C0A40000023F00", "6110");
    cf_create(card, 0x100, 0x5015, 0x38, 0x00, 0x00, "6982");
    ct_expect(card, "F02A0001080000000000000000", "6300");
    ct_expect(card, "F02A0001042C15E526", "6700");
    ct_expect(card, "F02A000208" CF_AAK, "6A88"); /* no key 2 */
    ct_expect(card, "F02A000108" CF_AAK, "9000");
    cf_create(card, 0x100, 0x5015, 0x38, 0x00, 0x00, "9000");
    /* LOGOUT forgets it */
    ct_expect(card, "C0A40000023F00", "6110");
    ct_expect(card, "F022070000", "*9000");
    cf_create(card, 0x100, 0x5016, 0x38, 0x00, 0x00, "6982");
    /* reset forgets it too */
    ct_expect(card, "F02A000108" CF_AAK, "9000");
    sfc_card_power(card, SFC_RESET);
    cf_create(card, 0x100, 0x5016, 0x38, 0x00, 0x00, "6982");
    /* ten wrong keys block it */
    for (int i = 0; i < 9; i++)
        ct_expect(card, "F02A0001080000000000000000", "6300");
    ct_expect(card, "F02A0001080000000000000000", "6983");
    ct_expect(card, "F02A000108" CF_AAK, "6983");
}

static void test_create_bad_bodies(void **state)
{
    sfc_card *card = *state;
    static const ct_step steps[] = {
        {"F02A000108" CF_AAK, "9000"},
        /* 15 bytes */
        {"F0E000000FFFFF00105015 38FF 0000 00 01 03 0000", "6700"},
        /* no body */
        {"F0E00000", "6700"},
        /* bytes 0-1 not FF FF */
        {"F0E0000010 0000 0010 5015 38FF 0000 00 01 03 000000", "6A80"},
        /* unknown file type */
        {"F0E0000010 FFFF 0010 5015 05FF 0000 00 01 03 000000", "6A80"},
        /* record EFs are not emulated */
        {"F0E0000010 FFFF 0010 5015 02FF 0000 00 01 03 000000", "6A81"},
        {"F0E0000011 FFFF 0010 5015 02FF 0000 00 01 04 000000 10", "6A81"},
        /* length byte 12 other than 03 */
        {"F0E0000010 FFFF 0010 5015 38FF 0000 00 01 05 000000", "6A80"},
        /* reserved FIDs */
        {"F0E0000010 FFFF 0010 3F00 38FF 0000 00 01 03 000000", "6A80"},
        {"F0E0000010 FFFF 0010 3FFF 01FF 0000 00 01 03 000000", "6A80"},
        {"F0E0000010 FFFF 0010 FFFF 01FF 0000 00 01 03 000000", "6A80"},
        /* P1 P2 */
        {"F0E0010010 FFFF 0010 5015 38FF 0000 00 01 03 000000", "6A86"},
        /* an existing FID */
        {"F0E0000010 FFFF 0010 0002 01FF 0000 00 01 03 000000", "6A89"},
        /* the largest EF the 16-bit size allows */
        {"C0A40000023F00", "6110"},
        {"F0E0000010 FFFF FFFF 4444 01FF 0000 00 01 03 000000", "9000"},
        {"C0B0FFFE01", "00 9000"},
        {"C0B0FFFE02", "6C01"},
    };
    CT_RUN(card, steps);
}

static void test_update_split_at_ff(void **state)
{
    sfc_card *card = *state;
    char apdu[2 * 300 + 32], want[2 * 300 + 8];
    uint8_t data[384];
    for (size_t i = 0; i < sizeof(data); i++)
        data[i] = (uint8_t)(i * 7 + 1);
    ct_expect(card, "F02A000108" CF_AAK, "9000");
    cf_create(card, sizeof(data), 0x4401, 0x01, 0x00, 0x00, "9000");
    /* as OpenSC writes 384 bytes: 255 at 0, 129 at 00 FF */
    snprintf(apdu, sizeof(apdu), "C0D60000FF%s", tu_tohex(data, 255));
    ct_expect(card, apdu, "9000");
    snprintf(apdu, sizeof(apdu), "C0D600FF81%s", tu_tohex(data + 255, 129));
    ct_expect(card, apdu, "9000");
    /* beyond the end */
    ct_expect(card, "C0D6017F0200 00", "6B00");
    ct_expect(card, "C0D60180 01 00", "6B00");
    ct_expect(card, "C0D60000", "6700");
    snprintf(want, sizeof(want), "%s9000", tu_tohex(data, 256));
    ct_expect(card, "C0B0000000", want);
    snprintf(want, sizeof(want), "%s9000", tu_tohex(data + 256, 128));
    ct_expect(card, "C0B0010080", want);
    ct_expect(card, "C0B0010000", "6C80");
    /* no current EF */
    ct_expect(card, "C0A40000023F00", "6110");
    ct_expect(card, "C0B0000001", "6986");
    ct_expect(card, "C0D600000100", "6986");
}

static void test_list_and_delete(void **state)
{
    sfc_card *card = *state;
    static const ct_step steps[] = {
        {"F0A8000004", "00010002 9000"},
        {"F0A8000004", "00010011 9000"},
        {"F0A8000004", "6A82"},
        {"C0A40000023F00", "6110"}, /* SELECT starts the list again */
        {"F0A8000004", "00010002 9000"},
        /* deleting needs the DELETE condition of the MF: AUT1 */
        {"C0A40000023F00", "6110"},
        {"F0E40000020002", "6982"},
        {"F02A000108" CF_AAK, "9000"},
        {"F0E40000024B01", "6A82"},
        {"F0E400000100", "6700"},
        {"F0E40000020002", "9000"},
        {"C0A40000020002", "6A82"},
        {"F0A8000004", "00010011 9000"},
        {"F0A8000004", "6A82"},
    };
    CT_RUN(card, steps);
    /* a DF that lists under CHV1 and lets anyone delete its files */
    cf_create(card, 0x200, 0x4B01, 0x38, 0x10, 0x00, "9000");
    ct_expect(card, "F0A8000004", "6982");
    cf_chv_file(card, 0x0000, 0x0);
    cf_select(card, 0x4B01);
    ct_expect(card, "C0200001 08" CF_PIN, "9000");
    ct_expect(card, "F0A8000004", "00010000 9000");
    ct_expect(card, "F022070000", "9000");
    ct_expect(card, "F0E40000020000", "9000");
    /* the DF and its subtree go with it */
    cf_select(card, 0x3F00);
    ct_expect(card, "F02A000108" CF_AAK, "9000");
    ct_expect(card, "F0E40000024B01", "9000");
    ct_expect(card, "C0A40000024B01", "6A82");
}

static void test_verify(void **state)
{
    sfc_card *card = *state;
    ct_expect(card, "F02A000108" CF_AAK, "9000");
    /* a DF holding EF 0000 (CHV1) */
    cf_create(card, 0x200, 0x4B01, 0x38, 0x00, 0x00, "9000");
    cf_chv_file(card, 0x0000, 0x0);
    cf_select(card, 0x4B01);
    static const ct_step steps[] = {
        {"C020000104 31323334", "6700"}, /* the CHV is always 8 bytes */
        {"C020000109 313233340000000000", "6700"},
        {"C0200003 08" CF_PIN, "6A86"},
        {"C0200101 08" CF_PIN, "6A86"},
        {"C0200002 08" CF_PIN, "6A88"}, /* no EF 0100 up to the MF */
        {"C0200001 08 3132333500000000", "6300"},
        {"C0200001 08" CF_PIN, "9000"}, /* counter back to 3 */
        {"C0200001 08 3132333500000000", "6300"},
        {"C0200001 08 3132333500000000", "6300"},
        {"C0200001 08" CF_PIN, "9000"},
        {"C0200001 08 3132333500000000", "6300"},
        {"C0200001 08 3132333500000000", "6300"},
        {"C0200001 08 3132333500000000", "6983"},
        {"C0200001 08" CF_PIN, "6983"},
    };
    CT_RUN(card, steps);
    /* a CHV file that is too short is unusable */
    cf_select(card, 0x3F00);
    cf_create(card, 8, 0x0100, 0x01, 0x00, 0x00, "9000");
    ct_expect(card, "C0200002 08" CF_PIN, "6984");
}

/* EF access conditions: READ and UPDATE nibbles, CHV1 found above. */
static void test_access_conditions(void **state)
{
    sfc_card *card = *state;
    ct_expect(card, "F02A000108" CF_AAK, "9000");
    cf_chv_file(card, 0x0000, 0x0);         /* CHV1 in the MF */
    cf_create(card, 0x40, 0x3000, 0x38, 0x00, 0x01, "9000");
    /* creating in DF 3000 needs CHV1 */
    cf_create(card, 8, 0x4500, 0x01, 0x12, 0x00, "6982");
    ct_expect(card, "C0200001 08" CF_PIN, "9000");
    cf_create(card, 8, 0x4500, 0x01, 0x12, 0x00, "9000");
    /* read CHV1 (held), update CHV2 (no such CHV) */
    ct_expect(card, "C0B0000008", "0000000000000000 9000");
    ct_expect(card, "C0D6000001AA", "6982");
    /* CHV1 and AUT1 (8), CHV2 and AUT1 (9), SM (3), never (F) */
    cf_select(card, 0x3000);
    cf_create(card, 4, 0x4501, 0x01, 0x89, 0x00, "9000");
    ct_expect(card, "C0B0000004", "00000000 9000");
    ct_expect(card, "C0D6000001AA", "6982");
    cf_select(card, 0x3000);
    cf_create(card, 4, 0x4502, 0x01, 0x3F, 0x00, "9000");
    ct_expect(card, "C0B0000004", "6982");
    ct_expect(card, "C0D6000001AA", "6982");
    /* without AUT1, nibble 8 fails although CHV1 holds */
    ct_expect(card, "F02A0001080000000000000000", "6300");
    cf_select(card, 0x3000);
    cf_select(card, 0x4501);
    ct_expect(card, "C0B0000004", "6982");
}

static void test_generate_and_sign_1024(void **state)
{
    sfc_card *card = *state;
    cf_key_dir(card, 1024);
    BIGNUM *n = cf_modulus(card, 1024);
    assert_int_equal(BN_num_bits(n), 1024);
    /* the exponent, little-endian at 3 + 5 * 64 */
    ct_expect(card, "C0B0014304", "01000100 9000");
    uint8_t block[128], rev[128], sig[128];
    cf_block(sizeof(block), block, rev);
    /* the key of the current DF: select it again */
    cf_select(card, 0x3000);
    cf_sign_1024(card, rev, sig);
    cf_check_signature(n, sig, block, sizeof(block));
    BN_free(n);
    /* wrong length, wrong key number, P1 */
    char apdu[2 * 128 + 16];
    snprintf(apdu, sizeof(apdu), "C08800007F%s", tu_tohex(rev, 127));
    ct_expect(card, apdu, "6700");
    snprintf(apdu, sizeof(apdu), "C088000180%s", tu_tohex(rev, 128));
    ct_expect(card, apdu, "6A88");
    snprintf(apdu, sizeof(apdu), "C088010080%s", tu_tohex(rev, 128));
    ct_expect(card, apdu, "6A86");
    /* a value not below the modulus */
    memset(rev, 0xFF, sizeof(rev));
    snprintf(apdu, sizeof(apdu), "C088000080%s", tu_tohex(rev, 128));
    ct_expect(card, apdu, "6A80");
    /* without CHV1, no signature */
    ct_expect(card, "F022070000", "9000");
    cf_block(sizeof(block), block, rev);
    snprintf(apdu, sizeof(apdu), "C088000080%s", tu_tohex(rev, 128));
    ct_expect(card, apdu, "6982");
    /* elsewhere there is no key */
    cf_select(card, 0x3F00);
    ct_expect(card, apdu, "6A82");
}

static void test_generate_bad_input(void **state)
{
    sfc_card *card = *state;
    cf_key_dir(card, 512);
    cf_select(card, 0x3000);
    static const ct_step steps[] = {
        {"F046008004 01000100", "6A84"}, /* files too small for 1024 bits */
        {"F046001004 01000100", "6A86"},
        {"F046004003 010001", "6700"},
        {"F046004004 02000000", "6A80"}, /* even exponent */
    };
    CT_RUN(card, steps);
    cf_select(card, 0x3F00);
    ct_expect(card, "F046004004 01000100", "6A82"); /* no key files */
}

static void test_sign_2048_chain(void **state)
{
    sfc_card *card = *state;
    cf_key_dir(card, 2048);
    BIGNUM *n = cf_modulus(card, 2048);
    assert_int_equal(BN_num_bits(n), 2048);
    uint8_t block[256], rev[256], sig[256];
    cf_block(sizeof(block), block, rev);
    cf_select(card, 0x3000);
    /* card-flex.c: 10 88 with 10 bytes, then 00 88 with 246 */
    char first[64], last[2 * 246 + 16];
    snprintf(first, sizeof(first), "108800000A%s", tu_tohex(rev, 10));
    snprintf(last, sizeof(last), "00880000F6%s", tu_tohex(rev + 10, 246));
    ct_expect(card, first, "9000");
    ct_expect(card, last, "6100");
    const char *r = ct_x(card, "C0C0000000");
    assert_int_equal(strlen(r), 2 * 256 + 4);
    assert_string_equal(r + 512, "9000");
    cf_data(r, sig, 256);
    cf_check_signature(n, sig, block, sizeof(block));
    BN_free(n);
    /* the chain cut short: another command between the pieces */
    ct_expect(card, first, "9000");
    cf_select(card, 0x3000);
    ct_expect(card, last, "6700");
    /* the first piece alone, then a piece of another instruction */
    ct_expect(card, first, "9000");
    ct_expect(card, "00C0000010", "6883"); /* the OS: last command expected */
    ct_expect(card, last, "6700");
    /* 256 bytes never fit a proprietary short command */
    snprintf(last, sizeof(last), "C0880000F6%s", tu_tohex(rev + 10, 246));
    ct_expect(card, last, "6700");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_atr, setup, ct_teardown),
        cmocka_unit_test_setup_teardown(test_select_and_read, setup,
                                        ct_teardown),
        cmocka_unit_test_setup_teardown(test_transport_key, setup,
                                        ct_teardown),
        cmocka_unit_test_setup_teardown(test_create_bad_bodies, setup,
                                        ct_teardown),
        cmocka_unit_test_setup_teardown(test_update_split_at_ff, setup,
                                        ct_teardown),
        cmocka_unit_test_setup_teardown(test_list_and_delete, setup,
                                        ct_teardown),
        cmocka_unit_test_setup_teardown(test_verify, setup, ct_teardown),
        cmocka_unit_test_setup_teardown(test_access_conditions, setup,
                                        ct_teardown),
        cmocka_unit_test_setup_teardown(test_generate_and_sign_1024, setup,
                                        ct_teardown),
        cmocka_unit_test_setup_teardown(test_generate_bad_input, setup,
                                        ct_teardown),
        cmocka_unit_test_setup_teardown(test_sign_2048_chain, setup,
                                        ct_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
