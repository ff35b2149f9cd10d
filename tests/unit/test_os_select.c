/* SPDX-License-Identifier: LGPL-2.1-or-later */
/**
 * @file test_os_select.c
 * @brief SELECT: every addressing method, occurrences, answers (FCI, FCP,
 *        FMD, none), life-cycle warnings and failure cases.
 *
 * The tree used throughout (created with CREATE FILE):
 *   MF 3F00
 *    +- DF 1000 "A0 00 00 00 01 01"
 *    |   +- EF 1001 (16 bytes, SFI 1 by default)
 *    |   +- DF 1100 "A0 00 00 00 02"
 *    |       +- EF 1101 (8 bytes, SFI 3 from tag 88)
 *    +- DF 2000 "A0 00 00 00 01 02"
 *    +- EF 3000 (linear fixed, 2 records of 4 bytes)
 */
#include "cardtest.h"

static int setup(void **state)
{
    sfc_card *card = ct_card("iso7816");
    static const ct_step tree[] = {
        {"00E00000 11 620F 8302 1000 820138 8406A00000000101", "9000"},
        {"00E00000 0E 620C 8302 1001 82020101 80020010", "9000"},
        {"00A4000C 02 1000", "9000"},
        {"00E00000 10 620E 8302 1100 820138 8405A000000002", "9000"},
        {"00E00000 11 620F 8302 1101 82020101 80020008 880118", "9000"},
        {"00A4000C 02 3F00", "9000"},
        {"00E00000 11 620F 8302 2000 820138 8406A00000000102", "9000"},
        {"00A4000C 02 3F00", "9000"},
        {"00E00000 0D 620B 8302 3000 82050201000402", "9000"},
        {"00A4000C 02 3F00", "9000"},
    };
    CT_RUN(card, tree);
    *state = card;
    return 0;
}

static int teardown(void **state)
{
    sfc_card_free(*state);
    return 0;
}

static void test_by_fid(void **state)
{
    static const ct_step steps[] = {
        {"00A4000C021000", "9000"},
        {"00A4000C021001", "9000"},                 /* child of the current DF */
        {"00A4000C021100", "9000"},                 /* sibling of the current EF */
        {"00A4000C022000", "6A82"},                 /* not near DF 1100 */
        {"00A4000C021000", "9000"},                 /* parent of the current DF */
        {"00A4000C022000", "9000"},                 /* sibling of DF 1000 */
        {"00A4000C023F00", "9000"},
        {"00A4000C022000", "9000"},
        {"00A4000C021000", "9000"},                 /* sibling of the current DF */
        {"00A4000C02FFFF", "6A82"},
        {"00A4000C0110", "6700"},                   /* odd length */
        {"00A4000C 06 3F00 1000 1001", "9000"},     /* absolute path in P1=00 */
        {"00A4000C 02 3F00", "9000"},
        {"00A4000C 04 1100 1101", "6A82"},          /* relative to the MF ... */
        {"00A4000C 02 1000", "9000"},
        {"00A4000C 04 1100 1101", "9000"},          /* ... and to DF 1000 */
    };
    CT_RUN(*state, steps);
}

static void test_child_and_parent(void **state)
{
    static const ct_step steps[] = {
        {"00A4010C021000", "9000"},                 /* child DF */
        {"00A4010C021001", "6A82"},                 /* 1001 is an EF */
        {"00A4020C021001", "9000"},                 /* child EF */
        {"00A4020C021100", "6A82"},                 /* 1100 is a DF */
        {"00A4030C", "9000"},                       /* parent of DF 1000 = MF */
        {"00A4030C", "6A82"},                       /* the MF has no parent */
        {"00A4030C021000", "6700"},                 /* no data with P1=03 */
        {"00A4010C0110", "6700"},
        {"00A4080C 04 1000 1100", "9000"},
        {"00A4020C021101", "9000"},
        {"00A4030C", "9000"},                       /* parent of DF 1100 */
        {"00A4020C021001", "9000"},                 /* so DF 1000 is current */
    };
    CT_RUN(*state, steps);
}

static void test_by_path(void **state)
{
    static const ct_step steps[] = {
        {"00A4080C 04 1000 1001", "9000"},
        {"00A4080C 06 3F00 1000 1001", "9000"},     /* leading MF tolerated */
        {"00A4080C 06 1000 1001 1234", "6A82"},     /* through an EF */
        {"00A4080C 06 1000 1100 1101", "9000"},
        {"00A4080C 00", "*9000"},                   /* empty: MF */
        {"00A4080C", "9000"},
        {"00A4080C 03 100011", "6700"},
        {"00A4000C 02 1000", "9000"},
        {"00A4090C 04 1100 1101", "9000"},          /* from the current DF */
        {"00A4090C 02 1000", "6A82"},
        {"00A4090C", "6700"},
        {"00A4090C 04 3FFF 1101", "9000"},          /* 3FFF = current DF */
    };
    CT_RUN(*state, steps);
}

static void test_by_name_occurrences(void **state)
{
    static const ct_step steps[] = {
        /* prefix A0 00 00 00 01 matches DF 1000 then DF 2000 (tree order) */
        {"00A4040C 05 A000000001", "9000"},
        {"00A4000C 02 1001", "9000"},               /* proves DF 1000 */
        {"00A4040E 05 A000000001", "9000"},         /* next: DF 2000 */
        {"00A4000C 02 1001", "6A82"},
        {"00A4040E 05 A000000001", "6A82"},         /* no further one */
        {"00A4040F 05 A000000001", "9000"},         /* previous: DF 1000 */
        {"00A4000C 02 1001", "9000"},
        {"00A4040F 05 A000000001", "6A82"},
        {"00A4040D 05 A000000001", "9000"},         /* last: DF 2000 */
        {"00A4000C 02 1001", "6A82"},
        {"00A4040C 06 A00000000101", "9000"},       /* full name */
        {"00A4040C 07 A0000000010101", "6A82"},     /* longer than any name */
        {"00A4040C 05 A000000002", "9000"},         /* DF 1100, deep in the tree */
        {"00A4000C 02 1101", "9000"},
        {"00A4040C 11 A0000000010101010101010101010101 01", "6A82"},
        {"00A4040C", "9000"},                       /* empty prefix: first named DF */
        {"00A4000C 02 1001", "9000"},
        {"00A4020D 02 1001", "6A86"},               /* occurrence only with P1=04 */
    };
    CT_RUN(*state, steps);
}

static void test_answers(void **state)
{
    static const ct_step steps[] = {
        {"00A40000 02 3F00 00", "6F0A83023F008A0105820138 9000"},
        {"00A40004 02 3F00 00", "620A83023F008A0105820138 9000"},
        {"00A40008 02 3F00 00", "6400 9000"},
        {"00A4000C 02 3F00 00", "9000"},
        {"00A40010 02 3F00 00", "6A86"},
        {"00A40080 02 3F00 00", "6A86"},
        /* DF with name */
        {"00A40004 02 1000 00", "6212 83021000 8A0105 820138 8406A00000000101 9000"},
        /* transparent EF, SFI 1 from its FID, sizes in two bytes */
        {"00A40004 02 1001 00",
         "6216 83021001 8A0105 880108 80020010 81020010 82020101 9000"},
        /* record EF: 80 data bytes, 81 capacity, 82 FDB DCB size count */
        {"00A40004 02 3000 00",
         "6219 83023000 8A0105 8800 80020008 81020008 8206020100040002 9000"},
        {"00A40004 06 3F00 1000 1100 00", "*9000"},
        {"00A40004 02 1101 00",
         "6216 83021101 8A0105 880118 80020008 81020008 82020101 9000"},
    };
    CT_RUN(*state, steps);
}

static void test_failed_select_keeps_selection(void **state)
{
    static const ct_step steps[] = {
        {"00A4000C021000", "9000"},
        {"00A4000C021001", "9000"},
        {"00A4000C029999", "6A82"},
        {"00B0000002", "0000 9000"},                /* EF 1001 still current */
    };
    CT_RUN(*state, steps);
}

static void test_lifecycle_warnings(void **state)
{
    static const ct_step steps[] = {
        {"00A4000C021000", "9000"},
        {"00A4000C021001", "9000"},
        {"0004000000", "9000"},                     /* deactivate current EF */
        {"00A40004021001 00", "*6283"},
        {"00A4000C021001", "6283"},
        {"00B0000002", "6985"},
        {"00440000", "9000"},                       /* activate it again */
        {"00B0000002", "0000 9000"},
        {"00E80000", "9000"},                       /* terminate EF */
        {"00A4000C021001", "6285"},
        {"00B0000002", "6985"},
        {"00440000", "6985"},                       /* terminated for good */
    };
    CT_RUN(*state, steps);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_by_fid, setup, teardown),
        cmocka_unit_test_setup_teardown(test_child_and_parent, setup, teardown),
        cmocka_unit_test_setup_teardown(test_by_path, setup, teardown),
        cmocka_unit_test_setup_teardown(test_by_name_occurrences, setup, teardown),
        cmocka_unit_test_setup_teardown(test_answers, setup, teardown),
        cmocka_unit_test_setup_teardown(test_failed_select_keeps_selection, setup, teardown),
        cmocka_unit_test_setup_teardown(test_lifecycle_warnings, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
