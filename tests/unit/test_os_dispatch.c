/* SPDX-License-Identifier: LGPL-2.1-or-later */
/**
 * @file test_os_dispatch.c
 * @brief The card OS dispatcher: the reference's golden traces (with its
 *        defects corrected), class byte, malformed lengths, logical
 *        channels, command chaining, Le rules, GET RESPONSE and power events.
 */
#include "cardtest.h"

#include "core/rng.h"

static int setup(void **state)
{
    *state = ct_card("iso7816");
    return 0;
}

static int teardown(void **state)
{
    sfc_card_free(*state);
    return 0;
}

/* A 16-byte EF 1234 created the way the reference's trace does it. */
#define CREATE_EF_1234 "00E000000E620C8202010183021234800200 10"

static void test_atr(void **state)
{
    uint8_t atr[SFC_ATR_MAX];
    size_t n = sfc_card_atr(*state, atr);
    tu_assert_hex(atr, n, "3B9513810180 73FF01000B");
}

static void test_atr_extended_length(void **state)
{
    (void)state;
    sfc_card_options o = {.extended_length = true};
    sfc_card *card = ct_card_ex("iso7816", &o);
    uint8_t atr[SFC_ATR_MAX];
    size_t n = sfc_card_atr(card, atr);
    tu_assert_hex(atr, n, "3B9513810180 73FF01404B");
    sfc_card_free(card);
}

/* The reference emulator's answers to common commands, corrected where it
 * is wrong (docs/decisions.md). */
static void test_golden_traces(void **state)
{
    static const ct_step steps[] = {
        {"00A4000C023F00", "9000"},
        {"00A40000023F00", "610C"},                 /* no Le: 61xx (KEEP) */
        {"00C000000C", "6F0A83023F008A0105820138 9000"},
        {"00A40000023F0000", "6F0A83023F008A0105820138 9000"},
        {"00A40004023F0000", "620A83023F008A0105820138 9000"},
        {"0084000008", "#8 9000"},
        {"00840000", "6108"},
        {"00C0000008", "#8 9000"},
        {"0084000004", "#4 9000"},                  /* any Le, exactly Le */
        {"002000000431323334", "9000"},
        {CREATE_EF_1234, "9000"},
        {"00D6000004DEADBEEF", "9000"},             /* DCB 01: reference crashed */
        {"00B0000000", "DEADBEEF000000000000000000000000 9000"}, /* no 6282 for Le=00 */
        {"00B00000", "6700"},                       /* case 1 READ BINARY: crashed */
        {"00B000000800", "6700"},                   /* malformed: was 6A80 */
        {"00D60000000004AABBCCDD0100", "9000"},     /* case 4E with Le 0100 */
        {"00B0000004", "AABBCCDD 9000"},
        {"0024000004 31323334", "6700"},            /* crashed the reference */
        {"002A1234020102", "6A86"},                 /* PSO: crashed the reference */
        {"0C84000008", "6988"},                     /* SM without a session */
        {"1084000008", "6884"},                     /* chaining not for GET CHALLENGE */
        {"8084000008", "6E00"},                     /* proprietary class */
        {"0184000008", "6881"},                     /* channel 1 not open */
        {"00A4040105A00000000100", "6A82"},         /* last occurrence: crashed */
        {"00A4000000", "6F0A83023F008A0105820138 9000"}, /* empty data: MF */
        {"00C2000000", "6D00"},
        {"0086000000", "6D00"},
    };
    CT_RUN(*state, steps);
}

/* Every input that crashes or hangs the reference emulator
 * (docs/decisions.md), with the ISO answer softcard gives. */
static void test_reference_crash_inputs(void **state)
{
    static const ct_step steps[] = {
        {"00D6000004DEADBEEF", "6986"},             /* UPDATE without Le, no EF */
        {"00B00000", "6700"},                       /* READ BINARY case 1 */
        {"00DC010404AABBCCDD", "6986"},             /* UPDATE RECORD without Le */
        {"00E000000E620C8202010183021234800200 10", "9000"},
        {"00D6000004DEADBEEF", "9000"},             /* DCB 01 write */
        {"00D0000404DEADBEEF", "9000"},             /* one-time write ... */
        {"00D0000404DEADBEEF", "6985"},             /* ... only once */
        {"00B2010400", "6981"},                     /* record cmd on binary EF */
        {"0024000004 31323334", "6700"},            /* CHANGE REFERENCE DATA */
        {"002A123402 0102", "6A86"},                /* PSO, unknown P1P2 */
        {"00A4040105 A000000001 00", "6A82"},       /* last occurrence */
        {"00A4040305 A000000001 00", "6A82"},       /* previous occurrence */
        {"0022C1A40F800A04007F00070202040202830103", "6A80"}, /* nPA MSE:Set AT */
        {"C0A40000020002", "6E00"},                 /* cryptoflex SELECT EF */
        {"00460000", "6A88"},                       /* GENERATE KEY PAIR */
        {"0088000108 0102030405060708", "6A88"},    /* INTERNAL AUTH, key file */
        {"00DA00FF00", "6700"},                     /* PUT DATA, empty list */
        {"00DA0101 01 41", "6A81"},                 /* PUT DATA proprietary P1 */
        {"00DA5F0101 41", "9000"},                  /* PUT DATA ... */
        {"00DA5F0101 42", "9000"},                  /* ... on an existing object */
        {"00CA5F0100", "5F010142 9000"},
        {"00E4000002 1234", "9000"},
        {"00E0000009 6207 83021000 820138", "9000"},
        {"00E4000002 1000", "9000"},
        {"00E0000010 620E 8302 2000 820138 8405A000000001", "9000"},
        {"00A4000C023F00", "9000"},
        {"00E4000002 2000", "9000"},                /* name must be forgotten */
        {"00E0000010 620E 8302 2000 820138 8405A000000001", "9000"},
        {"00A4000C023F00", "9000"},
    };
    CT_RUN(*state, steps);
}

static void test_class_byte(void **state)
{
    static const ct_step steps[] = {
        {"FFA4000C023F00", "6E00"},
        {"20A4000C023F00", "6E00"},                 /* 001x xxxx reserved */
        {"3FA4000C023F00", "6E00"},
        {"80A4000C023F00", "6E00"},
        {"C0A4000C023F00", "6E00"},
        {"0060000000", "6D00"},                     /* 6X/9X never INS */
        {"0090000000", "6D00"},
        {"00FF0000", "6D00"},
        {"40A4000C023F00", "6881"},                 /* channel 4 not open */
        {"60A4000C023F00", "6881"},                 /* SM on a closed channel */
        {"08A4000C023F00", "6988"},                 /* SM without a session */
        {"04A4000C023F00", "6882"},                 /* proprietary SM */
    };
    CT_RUN(*state, steps);
}

static void test_malformed_lengths(void **state)
{
    static const ct_step steps[] = {
        {"", "6700"},
        {"00", "6700"},
        {"00A4", "6700"},
        {"00A400", "6700"},
        {"00A4000C033F00", "6700"},                 /* Lc 3, 2 bytes */
        {"00A4000C013F00", "6700"},                 /* Lc 1, 2 bytes */
        {"00A4000C023F000000", "6700"},             /* 2 bytes too many */
        {"00A4000C00000002 3F00 00", "6700"},       /* 4E with a 1-byte Le */
        {"00A4000C0000023F", "6700"},               /* 3E truncated */
        {"00A4000C0000003F00", "6700"},             /* extended Lc 0000 */
        {"00A4000C000000", "9000"},                 /* 2E, Le 0000: MF */
        {"00A4000C023F00", "9000"},                 /* still alive */
    };
    CT_RUN(*state, steps);
}

static void test_le_and_get_response(void **state)
{
    static const ct_step steps[] = {
        {"00A40000023F0005", "6F0A83023F 6107"},    /* Le shorter than FCI */
        {"00C0000003", "008A01 6104"},
        {"00C0000000", "05820138 9000"},
        {"00C0000000", "6985"},                     /* nothing pending */
        {"00A40000023F00", "610C"},
        {"00C0010000", "6A86"},                     /* P1P2 must be 0000 */
        {"00C0000000", "6F0A83023F008A0105820138 9000"}, /* still pending */
        {"00A40000023F00", "610C"},
        {"00A4000C023F00", "9000"},                 /* another command ... */
        {"00C0000000", "6985"},                     /* ... discards it */
        {"00A40000023F00", "610C"},
        {"00C0000005", "6F0A83023F 6107"},          /* GET RESPONSE chains too */
        {"00C0", "6700"},
        {"00C00000", "6107"},                       /* no Le: announce again */
        {"00C0000007", "008A0105820138 9000"},
    };
    CT_RUN(*state, steps);
}

static void test_get_response_keeps_error_status(void **state)
{
    /* 62xx warnings travel with their data through GET RESPONSE. */
    static const ct_step steps[] = {
        {"00E000000C620A83022000820138 8A0104", "9000"}, /* deactivated DF */
        {"00A40000022000", "610C"},
        {"00C000000C", "6F0A830220008A0104820138 6283"},
    };
    CT_RUN(*state, steps);
}

static void test_extended_lengths(void **state)
{
    sfc_card *card = *state;
    /* GET CHALLENGE with extended Le 0100 and 0000 (65536): the frame
     * carries at most 65533 data bytes, so 0000 yields 65533 bytes. */
    ct_expect(card, "008400000001 00", "#256 9000");
    ct_expect(card, "00840000000000", "#65533 9000");
    /* A 4E UPDATE BINARY of 300 bytes with a non-zero Le. */
    static char apdu[2 * 400];
    strcpy(apdu, "00E000000E620C82020101830202018002012C"); /* 300-byte EF */
    ct_expect(card, apdu, "9000");
    strcpy(apdu, "00D60000 00012C");
    for (int i = 0; i < 300; i++)
        sprintf(apdu + strlen(apdu), "%02X", i & 0xFF);
    strcat(apdu, "0100");
    ct_expect(card, apdu, "9000");
    const char *r = ct_x(card, "00B0000000012C");
    assert_int_equal(strlen(r), 2 * 302);
    assert_string_equal(r + 600, "9000");
    assert_memory_equal(r, "000102", 6);
}

static void test_logical_channels(void **state)
{
    static const ct_step steps[] = {
        {"0070000001", "01 9000"},                  /* card assigns 1 */
        {"0070000001", "02 9000"},
        {"00700000", "6101"},                       /* no Le: via GET RESPONSE */
        {"00C0000001", "03 9000"},
        {"00700005", "9000"},                       /* open channel 5 explicitly */
        {"00700005", "6A86"},                       /* already open */
        {"00700014", "6A86"},                       /* 20: out of range */
        {"41A4000C023F00", "9000"},                 /* channel 5 = 4 + 1 */
        /* channel 0 creates DF 1000 and an EF in it; channel 1 stays at MF */
        {"00E0000009620783021000820138", "9000"},
        {CREATE_EF_1234, "9000"},
        {"01A4020C021234", "6A82"},
        {"00A4020C021234", "9000"},
        {"01A4000C021000", "9000"},
        {"01A4020C021234", "9000"},
        {"00D6000002CAFE", "9000"},                 /* channel 0 current EF */
        {"01B0000002", "CAFE 9000"},
        {"0070800100", "9000"},                     /* close 1 */
        {"01A4000C023F00", "6881"},
        {"0070800000", "6A86"},                     /* basic channel stays */
        {"0070800600", "6881"},                     /* 6 is not open */
        {"00708000", "6A86"},                       /* P2 0 from channel 0 */
        {"02708000", "9000"},                       /* close the CLA's channel */
        {"02A4000C023F00", "6881"},
        {"0070010000", "6A86"},                     /* bad P1 */
        {"00700000010000", "6700"},                 /* no data allowed */
    };
    CT_RUN(*state, steps);
}

static void test_channel_inherits_current_df(void **state)
{
    static const ct_step steps[] = {
        {"00E0000009620783021000820138", "9000"},   /* channel 0 in DF 1000 */
        {"0070000001", "01 9000"},                  /* from 0: starts at MF */
        {"01E0000009620783021100820138", "9000"},   /* DF 1100 under MF */
        {"00A4080C021100", "9000"},
        {"0170000001", "02 9000"},                  /* from 1: inherits DF 1100 */
        {"02E0000009620783021200820138", "9000"},   /* so 1200 lands in 1100 */
        {"00A4080C0411001200", "9000"},
    };
    CT_RUN(*state, steps);
}

static void test_command_chaining(void **state)
{
    static const ct_step steps[] = {
        {CREATE_EF_1234, "9000"},
        {"10D6000002AABB", "9000"},
        {"10D6000002CCDD", "9000"},
        {"00D6000002EEFF", "9000"},                 /* last: 6 bytes at 0 */
        {"00B0000006", "AABBCCDDEEFF 9000"},
        {"10D6000002AABB", "9000"},
        {"00B0000002", "6883"},                     /* different command */
        {"00D6000002EEFF", "9000"},                 /* chain was dropped */
        {"00B0000002", "EEFF 9000"},
        {"10D6000002AABB", "9000"},
        {"00D6000102EEFF", "6883"},                 /* other P2 ends the chain */
        {"10C0000000", "6884"},                     /* GET RESPONSE never chains */
        {"10700000", "6884"},
        {"11D6000002AABB", "6881"},                 /* chained on closed channel */
    };
    CT_RUN(*state, steps);
}

static void test_chain_limit(void **state)
{
    sfc_card *card = *state;
    static uint8_t apdu[7 + 65535];
    apdu[0] = 0x10, apdu[1] = 0xD6, apdu[2] = 0, apdu[3] = 0;
    apdu[4] = 0, apdu[5] = 0xFF, apdu[6] = 0xFF;
    assert_int_equal(ct_raw(card, apdu, sizeof(apdu), NULL), 0x9000);
    apdu[6] = 0x01;
    assert_int_equal(ct_raw(card, apdu, 7 + 0xFF01, NULL), 0x6700);
    ct_expect(card, "00A4000C023F00", "9000");
}

static void test_power_clears_volatile_state(void **state)
{
    sfc_card *card = *state;
    ct_expect(card, "002000000431323334", "9000");
    ct_expect(card, "0070000001", "01 9000");
    ct_expect(card, "00E0000009620783021000820138", "9000");
    ct_expect(card, "00A40000021000", "610C");
    sfc_card_power(card, SFC_RESET);
    ct_expect(card, "0020000000", "63C3");        /* not verified any more */
    ct_expect(card, "01A4000C023F00", "6881");    /* channel closed */
    ct_expect(card, "00C0000000", "6985");        /* pending data gone */
    ct_expect(card, "00A4010C021000", "9000");    /* MF is current again */
    ct_expect(card, "00200000023131", "63C2");
    sfc_card_power(card, SFC_POWER_OFF);
    sfc_card_power(card, SFC_POWER_ON);
    ct_expect(card, "0020000000", "63C2");        /* counters persist */
}

static void test_unknown_types(void **state)
{
    (void)state;
    sfc_card *card = NULL;
    char err[128] = "";
    assert_int_equal(sfc_card_new("nope", NULL, &card, err, sizeof(err)),
                     SFC_E_NOT_FOUND);
    assert_string_equal(err, "unknown card type 'nope'");
    sfc_param p = {"colour", "blue"};
    sfc_card_options o = {.params = &p, .n_params = 1};
    assert_int_equal(sfc_card_new("iso7816", &o, &card, err, sizeof(err)),
                     SFC_E_INVAL);
    assert_string_equal(err, "card type 'iso7816' has no parameter 'colour'");
    assert_null(card);
    const char *const *names = sfc_card_type_names();
    assert_string_equal(names[0], "iso7816");
    assert_non_null(sfc_card_type_description("handler_test"));
    assert_null(sfc_card_type_description("nope"));
}

static void test_scripted_rng(void **state)
{
    (void)state;
    static const uint8_t bytes[] = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10};
    sfc_rng_script script;
    sfc_rng rng = sfc_rng_script_make(&script, bytes, sizeof(bytes));
    sfc_param p = {"secret", "00112233445566778899AABBCCDDEEFF"};
    sfc_card_options o = {.rng = &rng, .params = &p, .n_params = 1};
    sfc_card *card = ct_card_ex("iso7816", &o);
    ct_expect(card, "0084000008", "0102030405060708 9000");
    ct_expect(card, "0084000002", "090A 9000");
    ct_expect(card, "0084000001", "6F00");        /* exhausted: no fake bytes */
    sfc_card_free(card);
}

/* Thousands of random and mutated APDUs: every answer is a well-formed
 * R-APDU and the card keeps working (run under ASan/valgrind in CI). */
static void test_random_apdus_never_break_the_card(void **state)
{
    sfc_card *card = *state;
    static const char *seeds[] = {
        CREATE_EF_1234, "00A40000023F0000", "00B0000000", "00D6000004DEADBEEF",
        "0070000001", "10D6000002AABB", "00E4000002 1234", "00C0000000",
        "00E0000009620783021000820138", "00A404000100", "0022F30100",
        "00B2010400", "00E2000003 010203", "00CA00FF00", "00DA01010101",
        "0020000000", "002C000008 3132333435363738", "00CB3FFF025C00",
    };
    uint32_t x = 12345;
    uint8_t buf[600];
    for (int round = 0; round < 60000; round++) {
        size_t n;
        x = x * 1103515245u + 12345u;
        if (x % 3 == 0) {
            n = (x >> 8) % sizeof(buf);
            for (size_t i = 0; i < n; i++) {
                x = x * 1103515245u + 12345u;
                buf[i] = (uint8_t)(x >> 16);
            }
        } else {
            n = tu_hex(seeds[(x >> 4) % (sizeof(seeds) / sizeof(seeds[0]))],
                       buf, sizeof(buf));
            x = x * 1103515245u + 12345u;
            if (n)
                buf[(x >> 8) % n] ^= (uint8_t)(x >> 20);
            if (x & 0x100)
                n = (x >> 12) % (n + 1);
        }
        if (round % 997 == 0)
            sfc_card_power(card, (x >> 5) % 2 ? SFC_RESET : SFC_POWER_ON);
        ct_raw(card, buf, n, NULL);
    }
    /* The storm may legitimately have deactivated or terminated the MF. */
    sfc_card_power(card, SFC_RESET);
    const char *sw = ct_x(card, "00A4000C023F00");
    assert_true(strcmp(sw, "9000") == 0 || strcmp(sw, "6283") == 0 ||
                strcmp(sw, "6285") == 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_atr, setup, teardown),
        cmocka_unit_test(test_atr_extended_length),
        cmocka_unit_test_setup_teardown(test_golden_traces, setup, teardown),
        cmocka_unit_test_setup_teardown(test_reference_crash_inputs, setup, teardown),
        cmocka_unit_test_setup_teardown(test_class_byte, setup, teardown),
        cmocka_unit_test_setup_teardown(test_malformed_lengths, setup, teardown),
        cmocka_unit_test_setup_teardown(test_le_and_get_response, setup, teardown),
        cmocka_unit_test_setup_teardown(test_get_response_keeps_error_status, setup, teardown),
        cmocka_unit_test_setup_teardown(test_extended_lengths, setup, teardown),
        cmocka_unit_test_setup_teardown(test_logical_channels, setup, teardown),
        cmocka_unit_test_setup_teardown(test_channel_inherits_current_df, setup, teardown),
        cmocka_unit_test_setup_teardown(test_command_chaining, setup, teardown),
        cmocka_unit_test_setup_teardown(test_chain_limit, setup, teardown),
        cmocka_unit_test_setup_teardown(test_power_clears_volatile_state, setup, teardown),
        cmocka_unit_test(test_unknown_types),
        cmocka_unit_test(test_scripted_rng),
        cmocka_unit_test_setup_teardown(test_random_apdus_never_break_the_card, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
