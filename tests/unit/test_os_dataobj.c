/* SPDX-License-Identifier: LGPL-2.1-or-later */
/**
 * @file test_os_dataobj.c
 * @brief GET DATA and PUT DATA (even and odd INS), the P1-P2 tag ranges,
 *        tag and header lists, replacing objects, memory accounting,
 *        malformed input, and the sfc_dobj_* API.
 *
 * The tree, built with the fs API:
 *   MF 3F00 (current DF)
 *    +- EF 1001 SFI 1, 8 bytes
 *    +- EF 1002 SFI 2, deactivated
 *    +- DF 1100
 */
#include "cardtest.h"

#include "os/card.h"
#include "os/dataobj.h"
#include "os/fs.h"
#include "core/sw.h"

typedef struct fixture {
    sfc_card *card;
    sfc_file *ef, *df;
} fixture;

static int setup(void **state)
{
    fixture *fx = calloc(1, sizeof(*fx));
    assert_non_null(fx);
    fx->card = ct_card_empty();
    sfc_card_power(fx->card, SFC_POWER_ON);
    sfc_file *mf = fx->card->mf;
    fx->ef = fs_ef_binary_new(0x1001, 8, 1);
    assert_non_null(fx->ef);
    assert_int_equal(fs_link(mf, fx->ef), SW_OK);
    sfc_file *off = fs_ef_binary_new(0x1002, 8, 2);
    assert_non_null(off);
    off->lcs = LCS_DEACTIVATED;
    assert_int_equal(fs_link(mf, off), SW_OK);
    fx->df = fs_df_new(0x1100, NULL, 0);
    assert_non_null(fx->df);
    assert_int_equal(fs_link(mf, fx->df), SW_OK);
    *state = fx;
    return 0;
}

static int teardown(void **state)
{
    fixture *fx = *state;
    sfc_card_free(fx->card);
    free(fx);
    return 0;
}

static sfc_card *card_of(void **state)
{
    return ((fixture *)*state)->card;
}

/* ---- even INS ---------------------------------------------------------------- */

static void test_empty_df(void **state)
{
    static const ct_step steps[] = {
        {"00CA00FF00", "9000"},         /* all of no objects */
        {"00CA02FF00", "9000"},
        {"00CA7F6800", "6A88"},         /* Windows' GIDS probe (#153) */
        {"00CA005E00", "6A88"},
        {"00CA020100", "6A88"},
    };
    CT_RUN(card_of(state), steps);
}

static void test_put_and_get(void **state)
{
    static const ct_step steps[] = {
        {"00DA005E 03 414243", "9000"},
        {"00CA005E00", "5E03414243 9000"},
        {"00DA005E 02 4445", "9000"},               /* replace */
        {"00CA005E00", "5E024445 9000"},
        {"00DA5F2D 02 656E", "9000"},               /* two-byte tag */
        {"00CA5F2D00", "5F2D02656E 9000"},
        {"00CA5F2D02", "5F2D 6103"},                /* the OS chains */
        {"00C0000003", "02656E 9000"},
        {"00DA005E 01 46", "9000"},                 /* keeps its place */
        {"00CA00FF00", "5E0146 5F2D02656E 9000"},
        {"00DA0201 02 AABB", "9000"},               /* SIMPLE-TLV tag 01 */
        {"00CA020100", "0102AABB 9000"},
        {"00CA02FF00", "0102AABB 9000"},
        {"00CA00FF00", "5E0146 5F2D02656E 9000"},   /* BER only */
        {"00DA005E", "9000"},                       /* empty: delete */
        {"00CA005E00", "6A88"},
        {"00DA005E", "9000"},                       /* deleting nothing */
        {"00CA00FF", "6105"},                       /* no Le */
        {"00DA 7F49 04 86020102", "9000"},          /* constructed */
        {"00CA7F4900", "7F4904 86020102 9000"},
        {"00DA 7F49 03 860501", "6A80"},            /* value not BER-TLV */
        {"00DA 7F49 03 000000", "9000"},            /* padding only */
    };
    CT_RUN(card_of(state), steps);
}

static void test_p1p2_ranges(void **state)
{
    static const ct_step steps[] = {
        {"00CA000000", "6A81"},  /* dump a file: not offered */
        {"00CA000100", "6A86"},
        {"00CA003F00", "6A86"},
        {"00CA005F00", "6A86"},  /* first byte of a longer tag */
        {"00CA007F00", "6A86"},
        {"00CA010000", "6A81"},  /* proprietary */
        {"00CA01FF00", "6A81"},
        {"00CA020000", "6A86"},  /* SIMPLE-TLV tag 00 */
        {"00CA030000", "6A86"},
        {"00CA3FFF00", "6A86"},
        {"00CA1F2000", "6A86"},  /* a tag, but below 4000 */
        {"00CA400000", "6A86"},  /* not a two-byte tag */
        {"00CA5F8000", "6A86"},  /* leading zero in the tag number */
        {"00CA5F1E00", "6A88"},  /* valid (ICAO-style) tag, no such object */
        {"00CA5F8100", "6A86"},  /* needs a third byte */
        {"00CAFF0100", "6A86"},
        {"00CA9F3600", "6A88"},  /* valid, absent */
        {"00DA000001AA", "6A81"},
        {"00DA003F01AA", "6A86"},
        {"00DA020001AA", "6A86"},
        {"00DA5F8101AA", "6A86"},
        {"00CA005E 01 00 00", "6700"},  /* data with a single tag */
        {"00CA02FF 02 5C00 00", "6700"},
    };
    CT_RUN(card_of(state), steps);
}

static void test_put_objects(void **state)
{
    static const ct_step steps[] = {
        {"00DA00FF 0A 5E03414243 5F2D02656E", "9000"},
        {"00CA00FF00", "5E03414243 5F2D02656E 9000"},
        {"00DA00FF 05 00 5E0144 FF", "9000"},       /* padding allowed */
        {"00CA005E00", "5E0144 9000"},
        {"00DA00FF 06 5E0145 5F2D00", "9000"},      /* 5F2D deleted */
        {"00CA00FF00", "5E0145 9000"},
        {"00DA00FF 04 5E034142", "6A80"},           /* truncated */
        {"00DA00FF 06 5E0141 5E0142", "6A80"},      /* same tag twice */
        {"00DA00FF 05 5F2D0141 5E", "6A80"},        /* nothing stored */
        {"00CA00FF00", "5E0145 9000"},
        {"00DA00FF 04 7F490186", "6A80"},           /* bad constructed */
        {"00DA00FF 02 1F1E", "6A80"},               /* invalid tag */
        {"00DA00FF 03 5E8101", "6A80"},             /* length runs past */
        {"00DA00FF 06 5E84FFFFFFFF", "6A80"},
        {"00DA00FF", "6700"},
        {"00DA02FF 06 0101AA 0201BB", "9000"},      /* SIMPLE-TLV objects */
        {"00CA02FF00", "0101AA 0201BB 9000"},
        {"00DA02FF 03 0102AA", "6A80"},
        {"00DA02FF 04 00 0101AA", "6A80"},          /* no padding in SIMPLE */
        {"00DA02FF 04 FF0101AA", "6A80"},
        {"00DA02FF 04 01FF0001", "6A80"},
        {"00CA00FF 05 5C035E5F2D 00", "6A88"},      /* list on CA 00FF */
        {"00CA00FF 03 5C015E 00", "5E0145 9000"},
    };
    CT_RUN(card_of(state), steps);
}

/* ---- odd INS -------------------------------------------------------------------- */

static void test_odd_lists(void **state)
{
    static const ct_step steps[] = {
        {"00DB3FFF 0D 5E03414243 5F2D02656E 4201AA", "9000"},
        {"00CB3FFF 04 5C025F2D 00", "5F2D02656E 9000"},
        {"00CB3FFF 06 5C04425E5F2D 00", "4201AA 5E03414243 5F2D02656E 9000"},
        {"00CB3FFF 04 5C02425F 00", "6A80"},        /* truncated tag */
        {"00CB3FFF 05 5C035E4343 00", "6A88"},      /* 43 absent */
        {"00CB3FFF 02 5C00 00", "9000"},            /* nothing asked */
        {"00CB3FFF 00", "5E03414243 5F2D02656E 4201AA 9000"},
        {"00CB3FFF 04 5D025E01 00", "5E0141 9000"}, /* header list: cut */
        {"00CB3FFF 04 5D025E00 00", "5E00 9000"},
        {"00CB3FFF 05 5D035E8105 00", "5E03414243 9000"},
        {"00CB3FFF 07 5D055E015F2D01 00", "5E0141 5F2D0165 9000"},
        {"00CB3FFF 03 5D015E 00", "6A80"},          /* no length */
        {"00CB3FFF 05 5D035E8301 00", "6A80"},
        {"00CB3FFF 04 4D025E01 00", "6A81"},        /* extended header list */
        {"00CB3FFF 04 51021001 00", "6A81"},        /* file reference DO */
        {"00CB3FFF 03 5E0141 00", "6A80"},          /* not a list */
        {"00CB3FFF 06 5C015E 5C015E 00", "6A80"},   /* two lists */
        {"00CB3FFF 02 5C05 00", "6A80"},
        {"00CB3FFF 06 5C045F818181 00", "6A80"},    /* four-byte tag */
        {"00CB3FFF 06 005C015EFF 00", "6105"},      /* no Le: trailing 00 pads */
        {"00CB3FFF 05 005C015EFF 00", "5E03414243 9000"},
    };
    CT_RUN(card_of(state), steps);
}

static void test_odd_files(void **state)
{
    fixture *fx = *state;
    static const ct_step steps[] = {
        {"00CB0000 03 5C015E 00", "6986"},          /* no current EF */
        {"00DB0001 05 5E03414243", "9000"},         /* SFI 1 */
        {"00CB0000 03 5C015E 00", "5E03414243 9000"}, /* now current */
        {"00CB1001 03 5C015E 00", "5E03414243 9000"},
        {"00CA005E00", "6A88"},                     /* not on the MF */
        {"00DB1100 05 5E03444546", "9000"},         /* a DF by FID */
        {"00CB1100 03 5C015E 00", "5E03444546 9000"},
        {"00CA005E00", "6A88"},                     /* current DF unchanged */
        {"00CB1234 03 5C015E 00", "6A82"},
        {"00CB001E 03 5C015E 00", "6A82"},          /* SFI 30 */
        {"00DB0002 03 5E0141", "6985"},             /* deactivated */
        {"00CB0002 03 5C015E 00", "6985"},
        {"00CA005E00", "6A88"},
        {"00DB3FFF", "6700"},
        {"00DB3FFF 03 7F4901", "6A80"},
        {"00DB3FFF 05 7F4902 8600", "9000"},
        {"00CA7F4900", "7F49028600 9000"},
    };
    CT_RUN(fx->card, steps);
    assert_non_null(sfc_dobj_find(fx->ef, 0x5E, false));
    assert_non_null(sfc_dobj_find(fx->df, 0x5E, false));
    assert_null(sfc_dobj_find(fx->card->mf, 0x5E, false));
}

/* ---- memory ----------------------------------------------------------------------- */

static void test_memory(void **state)
{
    fixture *fx = *state;
    sfc_card *card = fx->card;
    sfc_file *mf = card->mf;
    size_t used = card->mem_used, foot = fs_footprint(mf);
    ct_expect(card, "00DA005E 03 414243", "9000");
    assert_int_equal(card->mem_used - used, fs_footprint(mf) - foot);
    assert_int_equal(card->mem_used - used, sizeof(sfc_dobj) + 3);
    ct_expect(card, "00DA005E 01 41", "9000");
    assert_int_equal(card->mem_used - used, sizeof(sfc_dobj) + 1);
    ct_expect(card, "00DA005E", "9000");
    assert_int_equal(card->mem_used, used);

    /* a full card: growth is refused, nothing half-stored */
    static uint8_t apdu[5 + 100];
    memcpy(apdu, "\x00\xDA\x00\x5E\x64", 5);
    memset(apdu + 5, 0xAB, 100);
    ct_expect(card, "00DA5F2D 01 41", "9000");
    card->mem_limit = card->mem_used + 10;
    assert_int_equal(ct_raw(card, apdu, sizeof(apdu), NULL), SW_NOT_ENOUGH_MEMORY);
    ct_expect(card, "00DA5F2D 0C 000102030405060708090A0B", "6A84");
    ct_expect(card, "00DA00FF 08 5F2D0141 5E024142", "6A84");
    ct_expect(card, "00CA00FF00", "5F2D0141 9000");
    ct_expect(card, "00DA5F2D 08 0001020304050607", "9000"); /* +7 fits */

    /* a batch that frees first and grows after fits exactly */
    card->mem_limit = card->mem_used;
    ct_expect(card, "00DA00FF 06 5E0141 5F2D00", "9000");
    ct_expect(card, "00CA00FF00", "5E0141 9000");
    assert_int_equal(card->mem_used + 7, card->mem_limit); /* 40 freed, 33 used */
}

static void test_object_limit(void **state)
{
    fixture *fx = *state;
    sfc_card *card = fx->card;
    for (uint32_t i = 0; i < SFC_DOBJ_MAX_PER_FILE; i++) {
        uint32_t tag = 0xDF0000u | (0x81u + i / 128) << 8 | (i % 128);
        uint8_t v = (uint8_t)i;
        assert_int_equal(sfc_dobj_put(card, fx->df, tag, false, &v, 1), SW_OK);
    }
    uint8_t v = 1;
    assert_int_equal(sfc_dobj_put(card, fx->df, 0x5E, false, &v, 1),
                     SW_NOT_ENOUGH_MEMORY);
    assert_int_equal(sfc_dobj_put(card, fx->df, 0xDF8100, false, &v, 1), SW_OK);
    assert_int_equal(sfc_dobj_put(card, fx->df, 0xDF8100, false, NULL, 0), SW_OK);
    assert_int_equal(sfc_dobj_put(card, fx->df, 0x5E, false, &v, 1), SW_OK);
    assert_null(sfc_dobj_find(fx->df, 0xDF8100, false));
}

static void test_api(void **state)
{
    fixture *fx = *state;
    sfc_card *card = fx->card;
    const uint8_t v[] = {1, 2, 3};
    assert_int_equal(sfc_dobj_put(card, fx->ef, 0x5F, false, v, 3), SW_WRONG_DATA);
    assert_int_equal(sfc_dobj_put(card, fx->ef, 0x5F80, false, v, 3), SW_WRONG_DATA);
    assert_int_equal(sfc_dobj_put(card, fx->ef, 0x00, true, v, 3), SW_WRONG_DATA);
    assert_int_equal(sfc_dobj_put(card, fx->ef, 0xFF, true, v, 3), SW_WRONG_DATA);
    assert_int_equal(sfc_dobj_put(card, fx->ef, 0x100, true, v, 3), SW_WRONG_DATA);
    assert_int_equal(sfc_dobj_put(card, fx->ef, 0x7F49, false, v, 3), SW_WRONG_DATA);
    assert_int_equal(sfc_dobj_put(card, fx->ef, 0x5E, false, NULL, 3), SW_WRONG_DATA);
    assert_int_equal(sfc_dobj_put(card, fx->ef, 0x01, true, v, 3), SW_OK);
    assert_int_equal(sfc_dobj_put(card, fx->ef, 0x01, false, v, 2), SW_OK);
    const sfc_dobj *s = sfc_dobj_find(fx->ef, 0x01, true);
    const sfc_dobj *b = sfc_dobj_find(fx->ef, 0x01, false);
    assert_non_null(s);
    assert_non_null(b);
    assert_int_equal(s->len, 3);
    assert_int_equal(b->len, 2);
    uint8_t mem[16];
    sfc_buf out;
    buf_init_fixed(&out, mem, sizeof(mem));
    assert_true(sfc_dobj_encode(s, &out));
    assert_true(sfc_dobj_encode(b, &out));
    tu_assert_hex(out.data, out.len, "0103010203 01020102");
    assert_null(sfc_dobj_find(fx->ef, 0x02, true));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_empty_df, setup, teardown),
        cmocka_unit_test_setup_teardown(test_put_and_get, setup, teardown),
        cmocka_unit_test_setup_teardown(test_p1p2_ranges, setup, teardown),
        cmocka_unit_test_setup_teardown(test_put_objects, setup, teardown),
        cmocka_unit_test_setup_teardown(test_odd_lists, setup, teardown),
        cmocka_unit_test_setup_teardown(test_odd_files, setup, teardown),
        cmocka_unit_test_setup_teardown(test_memory, setup, teardown),
        cmocka_unit_test_setup_teardown(test_object_limit, setup, teardown),
        cmocka_unit_test_setup_teardown(test_api, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
