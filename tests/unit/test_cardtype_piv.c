/* SPDX-License-Identifier: LGPL-2.1-or-later */
/**
 * @file test_cardtype_piv.c
 * @brief The piv card type command by command, as yubico-piv-tool 2.2 and
 *        OpenSC 0.23 send them: SELECT (truncated AID, the APT, unknown AIDs
 *        and the MF leave PIV selected), the T=1 ATR, GET VERSION, GET
 *        SERIAL, GET DATA and PUT DATA with their access rules and malformed
 *        inputs, VERIFY (status without a try, counting down, blocking,
 *        logout), CHANGE REFERENCE DATA, RESET RETRY COUNTER, SET PIN
 *        RETRIES, RESET, personalisation parameters, OpenSC's probe of
 *        other applications, every instruction with broken data, and GET
 *        METADATA of the PIN, PUK and management key.
 */
#include "piv_steps.h"

static int setup(void **state)
{
    static const char *const kv[] = {"serial", "0A0B0C0D", NULL};
    *state = pv_card_rng(kv, NULL);
    return 0;
}

static void test_atr(void **state)
{
    uint8_t atr[SFC_ATR_MAX];
    size_t n = sfc_card_atr(*state, atr);
    /* T=1 announced in TD1 */
    assert_true(n > 4);
    assert_int_equal(atr[0], 0x3B);
    assert_int_equal(atr[3] & 0x0F, 0x01);
}

static void test_select(void **state)
{
    static const ct_step steps[] = {
        /* yubico-piv-tool: 5-byte AID, no Le -> the APT with 9000 */
        {"00A4040005A000000308",
         "613F4F06000010000100 79074F05A000000308 500C736F667463617264"
         "20504956 AC1E800103800108 80010A80010C800107800105800116800111"
         "800114060100 9000"},
        /* OpenSC: 9 bytes with Le */
        {"00A4040009A00000030800001000 00", "*9000"},
        /* unknown AIDs and the MF: 6A82, PIV stays selected */
        {"00A4040007A0000000031010 00", "6A82"},
        {"00A4000C023F00", "6A82"},
        {"00A4040C07627601FF000000", "6A82"},
        {"00FD000000", "0504039000"},
        {"00F8000000", "0A0B0C0D9000"},
        {"00F8000001 00", "6700"},
        {"0001000000", "6D00"},
    };
    CT_RUN(*state, steps);
}

static void test_get_data(void **state)
{
    static const ct_step steps[] = {
        {"00CB3FFF055C035FC102", "#61 9000"}, /* 53 3B + CHUID */
        {"00CB3FFF055C035FC107", "#53 9000"}, /* 53 33 + CCC */
        {"00CB3FFF035C017E",
         "7E124F0BA0000003080000100001005F2F024000 9000"},
        {"00CB3FFF055C035FC105", "6A82"},       /* 9A certificate absent */
        {"00CB3FFF055C035FC10C", "6A82"},       /* key history absent */
        {"00CB3FFF055C035FC1FF", "6A82"},       /* not a PIV object */
        {"00CB3FFE055C035FC102", "6A86"},
        {"00CB3FFF045C035FC1", "6A80"},         /* truncated */
        {"00CB3FFF075C035FC1020000", "6A80"},   /* trailing bytes */
        {"00CB3FFF055D035FC102", "6A80"},       /* not a tag list */
        {"00CB3FFF025C00", "6A80"},
        {"00CB3FFF", "6A80"},
    };
    CT_RUN(*state, steps);
    const char *r = ct_x(*state, "00CB3FFF055C035FC102");
    assert_true(strncmp(r, "533B3019D4E739DA", 16) == 0);
}

static void test_put_data(void **state)
{
    static const ct_step before[] = {
        {"00DB3FFF0A5C035FC1095303AABBCC", "6982"}, /* no management key */
    };
    static const ct_step steps[] = {
        /* printed information: written, then PIN-protected on reading */
        {"00DB3FFF0A5C035FC1095303AABBCC", "9000"},
        {"00CB3FFF055C035FC109", "6982"},
        {"0020008008" PV_PIN, "9000"},
        {"00CB3FFF055C035FC109", "5303AABBCC9000"},
        /* a certificate object written and deleted */
        {"00DB3FFF095C035FC1055302AA55", "9000"},
        {"00CB3FFF055C035FC105", "5302AA559000"},
        {"00DB3FFF075C035FC1055300", "9000"},
        {"00CB3FFF055C035FC105", "6A82"},
        /* malformed and refused */
        {"00DB3FFF095C035FC1055303AA55", "6A80"}, /* 53 runs past the end */
        {"00DB3FFF0A5C035FC1055302AA5500", "6A80"}, /* trailing byte */
        {"00DB3FFF075C035FC1057000", "6A80"}, /* no 53 */
        {"00DB3FFF075C017E53024F00", "6985"}, /* discovery is read-only */
        {"00DB3FFF085C035FC1FF5301AA", "6A82"},
        {"00DB3FFE085C035FC1055301AA", "6A86"},
    };
    CT_RUN(*state, before);
    pv_mgm_default(*state);
    CT_RUN(*state, steps);
}

/* A certificate object of 1500 bytes through chaining and GET RESPONSE. */
static void test_put_data_chained(void **state)
{
    uint8_t obj[1600], out[PV_MAX];
    size_t n = 0, ol = 0;
    sfc_buf b;
    buf_init_fixed(&b, obj, sizeof(obj));
    uint8_t tag[] = {0x5F, 0xC1, 0x0A}, cert[1500];
    for (size_t i = 0; i < sizeof(cert); i++)
        cert[i] = (uint8_t)i;
    ber_put(&b, 0x5C, tag, 3);
    ber_put(&b, 0x53, cert, sizeof(cert));
    n = b.len;
    pv_mgm_default(*state);
    assert_int_equal(pv_cmd(*state, 0xDB, 0x3F, 0xFF, obj, n, NULL, NULL),
                     0x9000);
    uint8_t get[] = {0x5C, 0x03, 0x5F, 0xC1, 0x0A};
    assert_int_equal(pv_cmd(*state, 0xCB, 0x3F, 0xFF, get, 5, out, &ol),
                     0x9000);
    assert_int_equal(ol, 4 + sizeof(cert));
    assert_memory_equal(out + 4, cert, sizeof(cert));
}

static void test_verify(void **state)
{
    static const ct_step steps[] = {
        {"0020008000", "63C3"},           /* status: Lc=0 as case 2 */
        {"00200080", "63C3"},
        {"0020008008313131313131FFFF", "63C2"},
        {"0020008000", "63C2"},           /* the status costs no try */
        {"0020008008" PV_PIN, "9000"},
        {"00200080", "9000"},
        {"0020FF80", "9000"},             /* logout */
        {"00200080", "63C3"},
        {"0020000008" PV_PIN, "9000"},    /* global PIN 00 is the PIN */
        {"0020008006313233343536", "6A80"},
        {"0020008208" PV_PIN, "6A86"},
        {"0020018008" PV_PIN, "6A86"},
        {"0020FF8008" PV_PIN, "6700"},
        {"0020008108313233343536FFFF", "63C2"}, /* the PUK counts too */
        {"00200081", "63C2"},
        {"00200081083132333435363738", "9000"},
        {"00200081", "63C3"},
        /* blocked after three wrong PINs */
        {"0020008008313131313131FFFF", "63C2"},
        {"0020008008313131313131FFFF", "63C1"},
        {"0020008008313131313131FFFF", "6983"},
        {"0020008008" PV_PIN, "6983"},
        {"00200080", "6983"},
    };
    CT_RUN(*state, steps);
}

static void test_change_and_unblock(void **state)
{
    static const ct_step steps[] = {
        /* change the PIN to 87654321 */
        {"0024008010" PV_PIN "3837363534333231", "9000"},
        {"0020008008" PV_PIN, "63C2"},
        {"00200080083837363534333231", "9000"},
        {"0024008010" PV_PIN "3837363534333231", "63C2"},
        {"00240080083837363534333231", "6A80"},   /* no new value */
        {"00240080103837363534333231 3132FFFFFFFFFFFF", "6A80"}, /* short */
        {"00240080103837363534333231 31FF323334353637", "6A80"}, /* gap */
        {"0024018010" PV_PIN "3837363534333231", "6A86"},
        /* change the PUK to 11223344 */
        {"00240081103132333435363738 3131323233333434", "9000"},
        /* block the PIN, unblock it with the PUK */
        {"0020008008" PV_PIN, "63C1"},
        {"0020008008" PV_PIN, "6983"},
        {"0020008008" PV_PIN, "6983"},
        {"002C0080103132333435363738" PV_PIN, "63C2"}, /* old PUK */
        {"002C0080103131323233333434" PV_PIN, "9000"},
        {"00200080", "63C3"},
        {"0020008008" PV_PIN, "9000"},
        {"002C0081103131323233333434" PV_PIN, "6A86"},
        {"002C008008" PV_PIN, "6A80"},
    };
    CT_RUN(*state, steps);
}

static void test_pin_retries_and_reset(void **state)
{
    static const ct_step steps[] = {
        {"00FA0505", "6982"},                       /* needs mgm + PIN */
        {"00FB0000", "6985"},                       /* PIN not blocked */
    };
    CT_RUN(*state, steps);
    pv_mgm_default(*state);
    ct_expect(*state, "00FA0505", "6982");          /* PIN still needed */
    pv_pin(*state);
    ct_expect(*state, "00FA1005", "6A86");
    ct_expect(*state, "00FA0505", "9000");
    ct_expect(*state, "00A4040005A000000308", "*9000");
    ct_expect(*state, "00200080", "63C5");
    /* block PIN and PUK, then reset */
    static const char *const left[] = {"63C4", "63C3", "63C2", "63C1",
                                       "6983"};
    for (int i = 0; i < 5; i++)
        ct_expect(*state, "0020008008313131313131FFFF", left[i]);
    ct_expect(*state, "00FB0000", "6985");          /* the PUK still works */
    for (int i = 0; i < 5; i++)
        ct_expect(*state, "002C008010313131313131FFFF" PV_PIN, left[i]);
    ct_expect(*state, "00FB000001AA", "6700");
    ct_expect(*state, "00FB0000", "9000");
    ct_expect(*state, "00200080", "63C3");
    ct_expect(*state, "00CB3FFF055C035FC109", "6A82");
    uint8_t get[] = {0x5C, 0x03, 0x5F, 0xFF, 0x01}; /* attestation stays */
    assert_int_equal(pv_cmd(*state, 0xCB, 0x3F, 0xFF, get, 5, NULL, NULL),
                     0x9000);
    pv_mgm_default(*state);
}

static void test_params(void **state)
{
    (void)state;
    static const char *const good[] = {
        "pin", "87654321", "puk", "abcdefgh", "pin-retries", "5",
        "mgm-key-algorithm", "aes256", "mgm-key",
        "000102030405060708090A0B0C0D0E0F101112131415161718191A1B1C1D1E1F",
        NULL};
    sfc_card *card = pv_card_rng(good, NULL);
    ct_expect(card, "00200080", "63C5");
    ct_expect(card, "00200080083837363534333231", "9000");
    assert_int_equal(pv_mgm(card, 0x03, PV_MGM_3DES), 0x6A80);
    assert_int_equal(pv_mgm(card, 0x0C, good[9]), 0x9000);
    sfc_card_free(card);

    static const char *const bad[][5] = {
        {"pin", "12345", NULL},
        {"puk", "123456789", NULL},
        {"pin-retries", "16", NULL},
        {"mgm-key-algorithm", "aes128", "needed with an AES"},
        {"mgm-key-algorithm", "des", NULL},
        {"mgm-key", "0102", NULL},
        {"serial", "010203", NULL},
        {"key-9a", "/nonexistent.pem", NULL},
        {"cert-9c", "/nonexistent.pem", NULL},
    };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        sfc_param p = {bad[i][0], bad[i][1]};
        sfc_card_options o = {0};
        o.params = &p;
        o.n_params = 1;
        sfc_card *none = NULL;
        char err[200] = "";
        assert_int_not_equal(sfc_card_new("piv", &o, &none, err, sizeof(err)),
                             SFC_OK);
        const char *want = bad[i][2] ? bad[i][2] : bad[i][0];
        if (!strstr(err, want))
            fail_msg("%s: %s", bad[i][0], err);
    }
}

/* OpenSC 0.23's probe of other applications (`opensc-tool -n`, as in
 * docs/piv.md): no side effect, PIV stays selected and working. */
static void test_opensc_probe(void **state)
{
    static const char *const probe[] = {
        "00A4040007627601FF000000", "00A4040006A00000000101",
        "00A404000BE82B0601040181C31F020100",
        "00A4040C0FD23300000045737445494420763335", "00CADF3005",
        "00A4040C07A000000116DB0000", "00A4040007A0000000790100",
        "00A4040007A0000000790F00", "00A404000CF276A288BCFBA69D34F31001",
        "00A4040009A0000003974254465900", "00A4040006D2760001240100",
        "00A4040C0AD392F000260100000001", "00A4000C023F00",
        "00A4040007A0000000790100",
    };
    ct_expect(*state, "0020008008" PV_PIN, "9000");
    for (size_t i = 0; i < sizeof(probe) / sizeof(probe[0]); i++) {
        const char *r = ct_x(*state, probe[i]);
        assert_true(strcmp(r, "6A82") == 0 || strcmp(r, "6D00") == 0);
    }
    ct_expect(*state, "00200080", "9000"); /* still verified */
    ct_expect(*state, "00FD000000", "0504039000");
    ct_expect(*state, "00CB3FFF035C017E00",
              "7E124F0BA0000003080000100001005F2F024000 9000");
}

/* Every instruction with every kind of broken data, authenticated so that
 * the deep paths run: an error status word, never a crash (ASan). */
static void test_malformed_everything(void **state)
{
    static const uint8_t ins[] = {0xCB, 0xDB, 0x20, 0x24, 0x2C, 0x87, 0x47,
                                  0xFD, 0xF8, 0xFF, 0xFE, 0xFA, 0xF9,
                                  0xF7};
    static const uint8_t p1p2[][2] = {{0x00, 0x00}, {0x3F, 0xFF},
                                      {0x03, 0x9B}, {0x07, 0x9A},
                                      {0x11, 0x9C}, {0x00, 0x80},
                                      {0x9A, 0x00}, {0xFF, 0xFF},
                                      {0x16, 0x9D}, {0x14, 0xF9}};
    static const char *const data[] = {
        "00", "7C", "7C05", "7C0380", "7C0482008100",
        "7C068200810100", "7C0482008500", "5C", "5C035FC1", "5C0100",
        "5C035FC1055382FFFF", "AC0380", "AC03800111AA", "AC00",
        "0101FF0201FF", "06", "0681", "0684FFFFFFFF", "039B", "039B18",
        "7C8480000000", "7C82FFFF80",
    };
    uint8_t apdu[5 + 300];
    pv_mgm_default(*state);
    for (size_t i = 0; i < sizeof(ins); i++)
        for (size_t j = 0; j < sizeof(p1p2) / sizeof(p1p2[0]); j++)
            for (size_t k = 0; k < sizeof(data) / sizeof(data[0]); k++) {
                size_t n = tu_hex(data[k], apdu + 5, 300), rl = 0;
                apdu[0] = 0x00, apdu[1] = ins[i];
                apdu[2] = p1p2[j][0], apdu[3] = p1p2[j][1];
                apdu[4] = (uint8_t)n;
                uint16_t sw = ct_raw(*state, apdu, 5 + n, &rl);
                if (sw == 0x9000 || (sw >> 8) == 0x61)
                    fail_msg("%02X %02X%02X %s -> %04X", ins[i], p1p2[j][0],
                             p1p2[j][1], data[k], sw);
                if ((j + k) % 7 == 0)
                    pv_mgm_default(*state);
            }
}

/* GET METADATA (F7) of the PIN, the PUK and the management key. */
static void test_metadata(void **state)
{
    static const ct_step steps[] = {
        {"00F70080", "0101FF 050101 06020303 9000"},
        {"0020008008313131313131FFFF", "63C2"},
        {"00F70080", "0101FF 050101 06020302 9000"},
        {"0020008008" PV_PIN, "9000"},
        {"0024008010" PV_PIN "3837363534333231", "9000"},
        {"00F70080", "0101FF 050100 06020303 9000"},
        {"00F70081", "0101FF 050101 06020303 9000"},
        {"00F7009B", "010103 02020001 050101 9000"},
        {"00F7009A", "6A88"},                 /* empty slot */
        {"00F700F9", "#79 9000"},             /* the attestation key */
        {"00F70099", "6A86"},
        {"00F70180", "6A86"},
        {"00F7008001AA", "6700"},
    };
    CT_RUN(*state, steps);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_atr, setup, ct_teardown),
        cmocka_unit_test_setup_teardown(test_select, setup, ct_teardown),
        cmocka_unit_test_setup_teardown(test_get_data, setup, ct_teardown),
        cmocka_unit_test_setup_teardown(test_put_data, setup, ct_teardown),
        cmocka_unit_test_setup_teardown(test_put_data_chained, setup,
                                        ct_teardown),
        cmocka_unit_test_setup_teardown(test_verify, setup, ct_teardown),
        cmocka_unit_test_setup_teardown(test_change_and_unblock, setup,
                                        ct_teardown),
        cmocka_unit_test_setup_teardown(test_pin_retries_and_reset, setup,
                                        ct_teardown),
        cmocka_unit_test(test_params),
        cmocka_unit_test_setup_teardown(test_opensc_probe, setup,
                                        ct_teardown),
        cmocka_unit_test_setup_teardown(test_malformed_everything, setup,
                                        ct_teardown),
        cmocka_unit_test_setup_teardown(test_metadata, setup, ct_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
