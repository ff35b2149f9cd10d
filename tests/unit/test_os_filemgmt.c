/* SPDX-License-Identifier: LGPL-2.1-or-later */
/**
 * @file test_os_filemgmt.c
 * @brief CREATE FILE, DELETE FILE, ACTIVATE, DEACTIVATE, TERMINATE: FCP
 *        parsing, uniqueness rules, memory limits, subtree deletion and the
 *        life cycle.
 */
#include "cardtest.h"

static int setup(void **state)
{
    *state = ct_card_empty();
    return 0;
}

static int teardown(void **state)
{
    sfc_card_free(*state);
    return 0;
}

#define DF(fid) "00E0000009 6207 8302" fid "820138"
#define EF16(fid) "00E000000E 620C 8302" fid "82020101 80020010"

static void test_create_rules(void **state)
{
    static const ct_step steps[] = {
        {DF("1000"), "9000"},
        {"00A4000C023F00", "9000"},
        {DF("1000"), "6A89"},                        /* FID exists */
        {DF("3FFF"), "6A80"},                        /* reserved FIDs */
        {DF("3F00"), "6A80"},
        {DF("FFFF"), "6A80"},
        {"00E0000010 620E 8302 2000 820138 8405A000000001", "9000"},
        {"00A4000C023F00", "9000"},
        {"00E0000010 620E 8302 2001 820138 8405A000000001", "6A8A"}, /* name */
        {"00E0000010 620E 8302 2002 820101 8405A000000002", "6A80"}, /* EF name */
        {"00E0000007 6205 820138 8A01", "6A80"},     /* truncated template */
        {"00E0000005 6203 820138", "6A80"},          /* no FID */
        {"00E0000009 6F07 8302 2100 820138", "9000"},/* 6F also accepted */
        {"00A4000C023F00", "9000"},
        {"00E0000009 6307 8302 2200 820138", "6A80"},/* wrong template tag */
        {"00E000000B 6207 8302 2200 820138 9000", "6A80"}, /* trailing bytes */
        {"00E000000D 620B 8302 2200 820138 8302 2201", "6A80"}, /* duplicate 83 */
        {"00E000000C 620A 8302 2200 820138 8A0102", "6A80"}, /* bad LCS */
        {"00E0000000", "6700"},
        {"00E00001 09 6207 8302 2200 820138", "6A86"},
        {"00E00000", "6700"},
        /* record EF, linear fixed without a record size */
        {"00E0000009 6207 8302 2300 820102", "6A80"},
        /* EF without 82: FDB from P1 */
        {"00E001000A 6208 8302 2400 80020004", "9000"},
        {"00B0000004", "00000000 9000"},
        /* SFI: 88 given, P2 given, default from the FID, or none on collision */
        {"00A4000C023F00", "9000"},
        {"00E000000E 620C 8302 5001 82020101 80020002", "9000"},
        {"00A40004 02 5001 00", "*9000"},
        {"00E000000E 620C 8302 6001 82020101 80020002", "9000"},
        {"00A4000C023F00", "9000"},
        {"00B0810002", "0000 9000"},                 /* SFI 1 is 5001 */
        {"00A4000C023F00", "9000"},
        {"00E00010 0E 620C 8302 6002 82020101 80020002", "9000"}, /* P2: SFI 2 */
        {"00A4000C023F00", "9000"},
        {"00D6820002 ABCD", "9000"},
        {"00A4000C026002", "9000"},
        {"00B0000002", "ABCD 9000"},
        {"00A4000C023F00", "9000"},
        {"00E0000011 620F 8302 6003 82020101 80020002 880100", "6A80"}, /* 88 01 00 */
        {"00E0000011 620F 8302 6003 82020101 80020002 8801F8", "6A80"}, /* SFI 31 */
        {"00E0000010 620E 8302 6003 82020101 80020002 8800", "9000"},
    };
    CT_RUN(*state, steps);
}

static void test_created_file_is_current_and_fcp_roundtrip(void **state)
{
    static const ct_step steps[] = {
        /* security attributes and proprietary data are kept and echoed */
        {"00E0000016 6214 8302 1234 82020101 80020008 8C03030000 A50101",
         "9000"},
        {"00A40004 02 1234 00",
         "621E 83021234 8A0105 A50101 8801A0 80020008 81020008 82020101"
         " 8C03030000 9000"},
        {"00D6000002 0102", "9000"},                 /* current after create */
        {"00B0000002", "0102 9000"},
        /* linear fixed with 3 records of 5 bytes: records exist */
        {"00A4000C023F00", "9000"},
        {"00E000000D 620B 8302 1300 82050201000503", "9000"},
        {"00A40004 02 1300 00",
         "6219 83021300 8A0105 8800 8002000F 8102000F 8206020100050003 9000"},
    };
    CT_RUN(*state, steps);
}

static void test_delete(void **state)
{
    static const ct_step steps[] = {
        {DF("1000"), "9000"},
        {EF16("1001"), "9000"},
        {DF("1100"), "*9000"},                       /* DF in DF 1000 */
        {EF16("1101"), "9000"},
        {"0070000001", "01 9000"},
        {"01A4080C 06 1000 1100 1101", "9000"},      /* channel 1 deep inside */
        {"00A4000C 02 3F00", "9000"},
        {"00E4000002 1000", "9000"},                 /* delete the subtree */
        {"00A4000C 02 1000", "6A82"},
        {"01B0000001", "6986"},                      /* channel 1 lost its EF */
        {"01A4030C", "6A82"},                        /* and sits at the MF */
        {DF("1000"), "9000"},                        /* FID free again */
        {"00E4000000", "9000"},                      /* empty: current file */
        {"00A4000C 02 1000", "6A82"},
        {"00E4000000", "6985"},                      /* never the MF */
        {"00E4000002 9999", "6A82"},
        {"00E4000102 9999", "6A86"},
        {"00E4000001 99", "6700"},
        /* DF names are forgotten with their DF (the reference leaked them) */
        {"00E0000010 620E 8302 2000 820138 8405A000000001", "9000"},
        {"00A4000C023F00", "9000"},
        {"00E4000002 2000", "9000"},
        {"00E0000010 620E 8302 2001 820138 8405A000000001", "9000"},
    };
    CT_RUN(*state, steps);
}

static void test_memory_limit(void **state)
{
    sfc_card *card = *state;
    char apdu[64];
    int created = 0;
    for (int i = 0; i < 40; i++) {
        ct_expect(card, "00A4000C023F00", "9000");
        snprintf(apdu, sizeof(apdu), "00E000000E 620C 8302 %04X 82020101 8002FFFF",
                 0x1000 + i);
        const char *r = ct_x(card, apdu);
        if (strcmp(r, "6A84") == 0)
            break;
        assert_string_equal(r, "9000");
        created++;
    }
    assert_true(created >= 8 && created < 40);     /* about 1 MiB */
    ct_expect(card, "00A4000C023F00", "9000");
    snprintf(apdu, sizeof(apdu), "00E4000002 %04X", 0x1000);
    ct_expect(card, apdu, "9000");                 /* deleting frees memory */
    ct_expect(card, "00A4000C023F00", "9000");
    ct_expect(card, "00E000000E 620C 8302 7000 82020101 8002FFFF", "9000");
    /* Lc 0E leaves 80 03 one byte short (the last byte is Le): bad FCP */
    ct_expect(card, "00E000000E 620C 8302 7001 82020101 80030100 00", "6A80");
    ct_expect(card, "00E000000F 620D 8302 7001 82020101 8003010000", "6A84");
}

static void test_depth_limit(void **state)
{
    sfc_card *card = *state;
    char apdu[64];
    int depth = 0;
    for (int i = 0; i < 20; i++) {
        snprintf(apdu, sizeof(apdu), DF("%04X"), 0x1000 + i);
        const char *r = ct_x(card, apdu);
        if (strcmp(r, "9000") != 0) {
            assert_string_equal(r, "6A84");
            break;
        }
        depth++;
    }
    assert_int_equal(depth, 16);
}

static void test_lifecycle(void **state)
{
    static const ct_step steps[] = {
        {DF("1000"), "9000"},
        {EF16("1001"), "9000"},
        {"00A4000C 02 1000", "9000"},
        {"0004000002 1001", "9000"},                 /* deactivate by FID */
        {"00B0000001", "6985"},                      /* it became current */
        {"0004000002 1001", "9000"},                 /* idempotent */
        {"0044000002 1001", "9000"},
        {"00B0000001", "00 9000"},
        {"00A4000C 02 3F00", "9000"},
        {"0004000002 1000", "9000"},                 /* deactivate the DF */
        {"00A4080C 04 1000 1001", "9000"},           /* the EF itself is active */
        {"00B0000001", "6985"},                      /* but its DF is not */
        {"00A4000C 02 1000", "6283"},
        {"00E000000E 620C 8302 1002 82020101 80020002", "6985"}, /* no create */
        {"0044000002 1000", "9000"},
        {"00A4000C 02 1001", "9000"},
        {"00B0000001", "00 9000"},
        {"00E6000002 1001", "6981"},                 /* TERMINATE DF on an EF */
        {"00A4000C 02 1000", "9000"},
        {"00E8000002 1000", "6981"},                 /* TERMINATE EF on a DF */
        {"0004000001 10", "6700"},
        {"00440100", "6700"},                        /* P1=01 needs a FID */
    };
    CT_RUN(*state, steps);
}

static void test_terminate(void **state)
{
    static const ct_step steps[] = {
        {DF("1000"), "9000"},
        {EF16("1001"), "9000"},
        {"00E8000000", "9000"},                      /* TERMINATE EF: current EF */
        {"00A4000C 02 1001", "6285"},
        {"00D6000001 01", "6985"},
        {"0044000000", "6985"},                      /* no way back */
        {"0004000000", "6985"},
        {"00E4000000", "9000"},                      /* but it can be deleted */
        {"00A4000C 02 1001", "6A82"},
        {EF16("1002"), "9000"},
        {"00A4000C 02 1000", "9000"},
        {"00E80000", "6986"},                        /* no current EF */
        {"00E60000", "9000"},                        /* TERMINATE DF: current DF */
        {"00A4000C 02 1000", "6285"},
        {"00A4000C 02 1002", "9000"},                /* EF below it selectable */
        {"00B0000001", "6985"},                      /* but not usable */
        {"00E6000002 1002", "6981"},                 /* an EF is not a DF */
        {"00A4000C 02 3F00", "9000"},
        {"00E8000002 1000", "6981"},                 /* a DF is not an EF */
        {"00E60001", "6A86"},
    };
    CT_RUN(*state, steps);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_create_rules, setup, teardown),
        cmocka_unit_test_setup_teardown(test_created_file_is_current_and_fcp_roundtrip, setup, teardown),
        cmocka_unit_test_setup_teardown(test_delete, setup, teardown),
        cmocka_unit_test_setup_teardown(test_memory_limit, setup, teardown),
        cmocka_unit_test_setup_teardown(test_depth_limit, setup, teardown),
        cmocka_unit_test_setup_teardown(test_lifecycle, setup, teardown),
        cmocka_unit_test_setup_teardown(test_terminate, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
