/* SPDX-License-Identifier: LGPL-2.1-or-later */
/**
 * @file test_core_atr.c
 * @brief Unit tests for ATR parsing and building.
 *
 * The card types' ATRs are parsed, their fields checked against a reading
 * by hand, and rebuilt byte for byte; malformed ATRs are rejected with the
 * documented error.
 */
#include "testutil.h"

#include <string.h>

#include "core/atr.h"

#define T(n) (1u << (n))

/** One interface-byte group as expected after parsing. */
typedef struct group_want {
    uint8_t present, ta, tb, tc, td;
} group_want;

typedef struct atr_vector {
    const char *name;
    const char *hex;
    uint8_t t0;
    uint8_t n_groups;
    group_want groups[4];
    const char *hist;
    bool has_tck;
    uint8_t tck;
    uint16_t protocols;
    unsigned fi, di;
} atr_vector;

static const atr_vector vectors[] = {
    {"iso7816", "3B 95 13 81 01 80 73 FF 01 00 0B", 0x95, 2,
     {{ATR_TA | ATR_TD, 0x13, 0, 0, 0x81}, {ATR_TD, 0, 0, 0, 0x01}},
     "8073FF0100", true, 0x0B, T(1), 372, 4},
    /* T0 = E2: Y1 = E announces TB1, TC1, TD1; K = 2. TD1 = 40 announces
     * TC2 and says T=0, so there is no TCK. */
    {"cryptoflex", "3B E2 00 00 40 20 49 06", 0xE2, 2,
     {{ATR_TB | ATR_TC | ATR_TD, 0, 0x00, 0x00, 0x40}, {ATR_TC, 0, 0, 0x20, 0}},
     "4906", false, 0, T(0), 372, 1},
    {"nPA", "3B 8A 80 01 80 31 F8 73 F7 41 E0 82 90 00 75", 0x8A, 2,
     {{ATR_TD, 0, 0, 0, 0x80}, {ATR_TD, 0, 0, 0, 0x01}},
     "8031F873F741E0829000", true, 0x75, T(0) | T(1), 372, 1},
    /* TD1 = 80 (T=0), TD2 = B1 (T=1; TA3 TB3 TD3), TD3 = 1F (T=15; TA4) */
    {"handler_test", "3B D6 18 00 80 B1 80 6D 1F 03 80 51 00 61 10 30 9E",
     0xD6, 4,
     {{ATR_TA | ATR_TC | ATR_TD, 0x18, 0, 0x00, 0x80},
      {ATR_TD, 0, 0, 0, 0xB1},
      {ATR_TA | ATR_TB | ATR_TD, 0x80, 0x6D, 0, 0x1F},
      {ATR_TA, 0x03, 0, 0, 0}},
     "805100611030", true, 0x9E, T(0) | T(1) | T(15), 372, 12},
    /* the iso7816 ATR advertising extended Lc/Le, TCK recomputed */
    {"iso7816 extended", "3B 95 13 81 01 80 73 FF 01 40 4B", 0x95, 2,
     {{ATR_TA | ATR_TD, 0x13, 0, 0, 0x81}, {ATR_TD, 0, 0, 0, 0x01}},
     "8073FF0140", true, 0x4B, T(1), 372, 4},
    /* nPA alternatives found in the reference */
    {"nPA alt 1", "3B 8A 80 01 80 31 B8 73 84 01 E0 82 90 00 06", 0x8A, 2,
     {{ATR_TD, 0, 0, 0, 0x80}, {ATR_TD, 0, 0, 0, 0x01}},
     "8031B8738401E0829000", true, 0x06, T(0) | T(1), 372, 1},
    {"nPA alt 2", "3B 88 80 01 00 00 00 00 00 00 00 00 09", 0x88, 2,
     {{ATR_TD, 0, 0, 0, 0x80}, {ATR_TD, 0, 0, 0, 0x01}},
     "0000000000000000", true, 0x09, T(0) | T(1), 372, 1},
    {"nPA alt 3", "3B 87 80 01 80 31 B8 73 84 01 E0 19", 0x87, 2,
     {{ATR_TD, 0, 0, 0, 0x80}, {ATR_TD, 0, 0, 0, 0x01}},
     "8031B8738401E0", true, 0x19, T(0) | T(1), 372, 1},
    /* no interface bytes at all: T=0 by default */
    {"minimal", "3B 00", 0x00, 0, {{0}}, "", false, 0, T(0), 372, 1},
    {"inverse", "3F 00", 0x00, 0, {{0}}, "", false, 0, T(0), 372, 1},
};

static void check_fields(const atr_vector *v, const atr_info *info)
{
    assert_int_equal(info->t0, v->t0);
    assert_int_equal(info->n_groups, v->n_groups);
    for (size_t i = 0; i < v->n_groups; i++) {
        const group_want *w = &v->groups[i];
        const atr_group *g = &info->group[i];
        if (g->present != w->present || g->ta != w->ta || g->tb != w->tb ||
            g->tc != w->tc || g->td != w->td)
            fail_msg("%s group %zu: present %X ta %02X tb %02X tc %02X "
                     "td %02X", v->name, i + 1, g->present, g->ta, g->tb,
                     g->tc, g->td);
    }
    tu_assert_hex(info->hist, info->hist_len, v->hist);
    assert_int_equal(info->has_tck, v->has_tck);
    if (v->has_tck)
        assert_int_equal(info->tck, v->tck);
    assert_int_equal(info->protocols, v->protocols);
    assert_int_equal(atr_fi(info), v->fi);
    assert_int_equal(atr_di(info), v->di);
}

static void test_parse_and_rebuild_vectors(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof(vectors) / sizeof(vectors[0]); i++) {
        const atr_vector *v = &vectors[i];
        uint8_t raw[SFC_ATR_MAX];
        size_t n = tu_hex(v->hex, raw, sizeof(raw));
        atr_info info;
        sfc_err err = atr_parse(raw, n, &info);
        if (err != SFC_OK)
            fail_msg("%s: parse error %d", v->name, err);
        assert_int_equal(info.ts, raw[0]);
        check_fields(v, &info);

        uint8_t built[SFC_ATR_MAX];
        size_t len = 0;
        assert_int_equal(atr_build(&info, built, sizeof(built), &len), SFC_OK);
        tu_assert_hex(built, len, v->hex);
        /* exactly enough room is enough */
        assert_int_equal(atr_build(&info, built, n, &len), SFC_OK);
        assert_int_equal(atr_build(&info, built, n - 1, &len), SFC_E_RANGE);
        assert_int_equal(len, 0);
    }
}

/** A card type describes its ATR; build computes T0, the Y nibbles, TCK. */
static void test_build_from_description(void **state)
{
    (void)state;
    atr_info in;
    memset(&in, 0, sizeof(in));
    in.ts = 0x3B;
    in.n_groups = 2;
    in.group[0].present = ATR_TA | ATR_TD;
    in.group[0].ta = 0x13;
    in.group[0].td = 0x01; /* high nibble computed */
    in.group[1].present = ATR_TD;
    in.group[1].td = 0xF1; /* high nibble ignored */
    const uint8_t hist[] = {0x80, 0x73, 0xFF, 0x01, 0x00};
    memcpy(in.hist, hist, sizeof(hist));
    in.hist_len = sizeof(hist);
    in.t0 = 0x42; /* ignored, like has_tck, tck and protocols */
    in.has_tck = false;
    in.tck = 0x99;
    uint8_t out[SFC_ATR_MAX];
    size_t n;
    assert_int_equal(atr_build(&in, out, sizeof(out), &n), SFC_OK);
    tu_assert_hex(out, n, "3B 95 13 81 01 80 73 FF 01 00 0B");

    /* only T=0: no TCK */
    memset(&in, 0, sizeof(in));
    in.ts = 0x3B;
    in.n_groups = 2;
    in.group[0].present = ATR_TB | ATR_TC | ATR_TD;
    in.group[0].td = 0x00;
    in.group[1].present = ATR_TC;
    in.group[1].tc = 0x20;
    in.hist[0] = 0x49;
    in.hist[1] = 0x06;
    in.hist_len = 2;
    assert_int_equal(atr_build(&in, out, sizeof(out), &n), SFC_OK);
    tu_assert_hex(out, n, "3B E2 00 00 40 20 49 06");

    /* an empty last group simply vanishes */
    memset(&in, 0, sizeof(in));
    in.ts = 0x3F;
    in.n_groups = 2;
    in.group[0].present = ATR_TD;
    in.group[0].td = 0x01;
    assert_int_equal(atr_build(&in, out, sizeof(out), &n), SFC_OK);
    tu_assert_hex(out, n, "3F 80 01 81");
    atr_info back;
    assert_int_equal(atr_parse(out, n, &back), SFC_OK);
    assert_int_equal(back.n_groups, 1);
}

/** The largest ATR: 15 interface bytes, 15 historical bytes, TCK. */
static void test_build_and_parse_33_bytes(void **state)
{
    (void)state;
    atr_info in;
    memset(&in, 0, sizeof(in));
    in.ts = 0x3B;
    in.n_groups = 4;
    for (size_t i = 0; i < 3; i++) {
        in.group[i].present = ATR_TA | ATR_TB | ATR_TC | ATR_TD;
        in.group[i].ta = (uint8_t)(0x10 + i);
        in.group[i].tb = (uint8_t)(0x20 + i);
        in.group[i].tc = (uint8_t)(0x30 + i);
        in.group[i].td = 0x01;
    }
    in.group[3].present = ATR_TA | ATR_TB | ATR_TC;
    in.hist_len = 15;
    for (size_t i = 0; i < 15; i++)
        in.hist[i] = (uint8_t)(0xA0 + i);
    uint8_t out[40];
    size_t n;
    assert_int_equal(atr_build(&in, out, sizeof(out), &n), SFC_OK);
    assert_int_equal(n, 33);
    atr_info back;
    assert_int_equal(atr_parse(out, n, &back), SFC_OK);
    assert_int_equal(back.n_groups, 4);
    assert_int_equal(back.hist_len, 15);
    assert_true(back.has_tck);

    in.group[3].present |= ATR_TD; /* one byte more: 34 */
    assert_int_equal(atr_build(&in, out, sizeof(out), &n), SFC_E_RANGE);
}

static void test_build_rejects_bad_descriptions(void **state)
{
    (void)state;
    atr_info in;
    uint8_t out[SFC_ATR_MAX];
    size_t n;
    memset(&in, 0, sizeof(in));
    in.ts = 0x3C;
    assert_int_equal(atr_build(&in, out, sizeof(out), &n), SFC_E_INVAL);
    in.ts = 0x3B;
    in.hist_len = 16;
    assert_int_equal(atr_build(&in, out, sizeof(out), &n), SFC_E_INVAL);
    in.hist_len = 0;
    in.n_groups = 2;
    in.group[0].present = ATR_TA; /* not last, but no TD */
    assert_int_equal(atr_build(&in, out, sizeof(out), &n), SFC_E_INVAL);
    in.group[0].present = ATR_TD | 0x10;
    assert_int_equal(atr_build(&in, out, sizeof(out), &n), SFC_E_INVAL);
    in.n_groups = ATR_MAX_GROUPS + 1;
    assert_int_equal(atr_build(&in, out, sizeof(out), &n), SFC_E_INVAL);
    assert_int_equal(atr_build(NULL, out, sizeof(out), &n), SFC_E_INVAL);
    in.n_groups = 0;
    assert_int_equal(atr_build(&in, NULL, 0, &n), SFC_E_RANGE);
}

/* ---- malformed -------------------------------------------------------- */

typedef struct bad_atr {
    const char *hex;
    sfc_err err;
} bad_atr;

static const bad_atr bad_atrs[] = {
    {"3B 95 13 81 01 80 73 FF 01 00 0C", SFC_E_CHECKSUM},
    {"3B 8A 80 01 80 31 F8 73 F7 41 E0 82 90 00 74", SFC_E_CHECKSUM},
    {"3C 95 13 81 01 80 73 FF 01 00 0B", SFC_E_FORMAT}, /* bad TS */
    {"00 00", SFC_E_FORMAT},
    {"3B", SFC_E_FORMAT},
    {"", SFC_E_FORMAT},
    {"3B 95 13 81 01 80 73 FF 01 00 0B 00", SFC_E_FORMAT}, /* trailing */
    {"3B E2 00 00 40 20 49 06 00", SFC_E_FORMAT},
    {"3B 00 00", SFC_E_FORMAT},
    {"3B 95 13 81 01 80 73 FF 01 00", SFC_E_FORMAT}, /* TCK missing */
    {"3B 80 80 80 80 80 80 80 80 80 00", SFC_E_FORMAT}, /* nine groups */
    {"3B F0 11 22 33", SFC_E_FORMAT}, /* TD1 missing */
    {"3B 0F 01 02", SFC_E_FORMAT},   /* historical bytes missing */
};

static void test_malformed(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof(bad_atrs) / sizeof(bad_atrs[0]); i++) {
        uint8_t raw[SFC_ATR_MAX];
        size_t n = tu_hex(bad_atrs[i].hex, raw, sizeof(raw));
        atr_info info;
        sfc_err err = atr_parse(raw, n, &info);
        if (err != bad_atrs[i].err)
            fail_msg("%s: got %d, want %d", bad_atrs[i].hex, err,
                     bad_atrs[i].err);
    }
    /* eight groups is the limit */
    uint8_t raw[SFC_ATR_MAX];
    size_t n = tu_hex("3B 80 80 80 80 80 80 80 80 00", raw, sizeof(raw));
    atr_info info;
    assert_int_equal(atr_parse(raw, n, &info), SFC_OK);
    assert_int_equal(info.n_groups, 8);
    assert_false(info.has_tck);
}

static void test_too_long(void **state)
{
    (void)state;
    uint8_t raw[34] = {0x3B, 0x0F};
    atr_info info;
    assert_int_equal(atr_parse(raw, sizeof(raw), &info), SFC_E_RANGE);
    assert_int_equal(atr_parse(raw, 500, &info), SFC_E_RANGE);
    assert_int_equal(atr_parse(NULL, 5, &info), SFC_E_INVAL);
    assert_int_equal(atr_parse(raw, 17, NULL), SFC_E_INVAL);
}

/** Every strict prefix of every vector is rejected as malformed. */
static void test_every_truncation(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof(vectors) / sizeof(vectors[0]); i++) {
        uint8_t raw[SFC_ATR_MAX];
        size_t n = tu_hex(vectors[i].hex, raw, sizeof(raw));
        for (size_t len = 0; len < n; len++) {
            atr_info info;
            sfc_err err = atr_parse(raw, len, &info);
            if (err != SFC_E_FORMAT)
                fail_msg("%s cut to %zu: got %d", vectors[i].name, len, err);
        }
    }
}

/** Any single-byte change is caught, by structure or by TCK. */
static void test_single_byte_corruption_with_tck(void **state)
{
    (void)state;
    uint8_t raw[SFC_ATR_MAX];
    size_t n = tu_hex("3B D6 18 00 80 B1 80 6D 1F 03 80 51 00 61 10 30 9E",
                      raw, sizeof(raw));
    for (size_t pos = 1; pos < n; pos++) {
        for (unsigned bit = 0; bit < 8; bit++) {
            raw[pos] ^= (uint8_t)(1u << bit);
            atr_info info;
            assert_int_not_equal(atr_parse(raw, n, &info), SFC_OK);
            raw[pos] ^= (uint8_t)(1u << bit);
        }
    }
}

static void test_fi_di(void **state)
{
    (void)state;
    static const struct {
        uint8_t ta1;
        unsigned fi, di;
    } cases[] = {{0x11, 372, 1},  {0x13, 372, 4},   {0x18, 372, 12},
                 {0x96, 512, 32}, {0xD9, 2048, 20}, {0x25, 558, 16},
                 {0x70, 0, 0},    {0xEA, 0, 0},     {0x0F, 372, 0}};
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        atr_info info;
        memset(&info, 0, sizeof(info));
        info.n_groups = 1;
        info.group[0].present = ATR_TA;
        info.group[0].ta = cases[i].ta1;
        assert_int_equal(atr_fi(&info), cases[i].fi);
        assert_int_equal(atr_di(&info), cases[i].di);
    }
    assert_int_equal(atr_fi(NULL), 0);
    assert_int_equal(atr_di(NULL), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_parse_and_rebuild_vectors),
        cmocka_unit_test(test_build_from_description),
        cmocka_unit_test(test_build_and_parse_33_bytes),
        cmocka_unit_test(test_build_rejects_bad_descriptions),
        cmocka_unit_test(test_malformed),
        cmocka_unit_test(test_too_long),
        cmocka_unit_test(test_every_truncation),
        cmocka_unit_test(test_single_byte_corruption_with_tck),
        cmocka_unit_test(test_fi_di),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
