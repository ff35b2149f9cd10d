/* SPDX-License-Identifier: LGPL-2.1-or-later */
/**
 * @file test_scio_atr.c
 * @brief libscio's ATR parser (scio_atr_parse, scio_atr_describe): real
 *        ATRs parsed field by field, a wrong TCK reported but not fatal,
 *        malformed ATRs (bad TS, too short, truncated interface or
 *        historical bytes, trailing bytes, too long) refused.
 */
#include "testutil.h"

#include <string.h>

#include "scio.h"

#define T(n) (1u << (n))

typedef struct vec {
    const char *hex;
    size_t n_groups;
    const char *hist;
    bool has_tck;
    unsigned protocols, fi, di;
    const char *groups; /* "TA1=13 TD1=81 ..." as describe prints them */
} vec;

static const vec vectors[] = {
    {"3B 95 13 81 01 80 73 FF 01 00 0B", 2, "8073FF0100", true, T(1), 372, 4,
     "TA1 = 13 (Fi = 372, Di = 4)\nTD1 = 81 (T=1)\nTD2 = 01 (T=1)\n"},
    {"3B D6 18 00 80 B1 80 6D 1F 03 80 51 00 61 10 30 9E", 4, "805100611030",
     true, T(0) | T(1) | T(15), 372, 12,
     "TA1 = 18 (Fi = 372, Di = 12)\nTC1 = 00\nTD1 = 80 (T=0)\nTD2 = B1 (T=1)\n"
     "TA3 = 80\nTB3 = 6D\nTD3 = 1F (T=15)\nTA4 = 03\n"},
    {"3B 16 94 7C 03 01 00 00 0D", 1, "7C030100000D", false, T(0), 512, 8,
     "TA1 = 94 (Fi = 512, Di = 8)\n"},
    {"3B 65 00 00 9C 11 01 01 03", 1, "9C11010103", false, T(0), 372, 1,
     "TB1 = 00\nTC1 = 00\n"},
    {"3B E3 00 FF 81 31 52 45 A1 A2 A3 1B", 3, "A1A2A3", true, T(1), 372, 1,
     "TB1 = 00\nTC1 = FF\nTD1 = 81 (T=1)\nTD2 = 31 (T=1)\nTA3 = 52\nTB3 = 45\n"},
    {"3B 9E 95 80 1F C3 80 31 A0 73 BE 21 13 67 29 02 01 01 81 CD B9", 3,
     "8031A073BE21136729020101 81CD", true, T(0) | T(15), 512, 16,
     "TA1 = 95 (Fi = 512, Di = 16)\nTD1 = 80 (T=0)\nTD2 = 1F (T=15)\n"
     "TA3 = C3\n"},
    {"3B 8F 80 01 80 4F 0C A0 00 00 03 06 03 00 01 00 00 00 00 6A", 2,
     "804F0CA0000003060300010000 0000", true, T(0) | T(1), 372, 1,
     "TD1 = 80 (T=0)\nTD2 = 01 (T=1)\n"},
    {"3F 65 25 00 2C 09 69 90 00", 1, "2C09699000", false, T(0), 372, 1,
     "TB1 = 25\nTC1 = 00\n"},
    {"3B 00", 0, "", false, T(0), 372, 1, ""},
};

static void test_vectors(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof(vectors) / sizeof(vectors[0]); i++) {
        const vec *v = &vectors[i];
        uint8_t raw[40];
        char text[2048];
        scio_atr a;
        size_t len = tu_hex(v->hex, raw, sizeof(raw));
        assert_int_equal(scio_atr_parse(raw, len, &a), SCIO_OK);
        assert_int_equal(a.ts, raw[0]);
        assert_int_equal(a.t0, raw[1]);
        assert_int_equal(a.n_groups, v->n_groups);
        tu_assert_hex(a.hist, a.hist_len, v->hist);
        assert_int_equal(a.has_tck, v->has_tck);
        assert_int_equal(a.tck_ok, v->has_tck);
        if (v->has_tck)
            assert_int_equal(a.tck, raw[len - 1]);
        assert_int_equal(a.protocols, v->protocols);
        assert_int_equal(a.fi, v->fi);
        assert_int_equal(a.di, v->di);
        scio_atr_describe(&a, text, sizeof(text));
        if (!strstr(text, v->groups))
            fail_msg("%s: describe gave\n%s", v->hex, text);
    }
}

static void test_describe(void **state)
{
    uint8_t raw[] = {0x3F, 0x65, 0x25, 0x00, 0x2C, 0x09, 0x69, 0x90, 0x00};
    char text[512], small[16];
    scio_atr a;
    (void)state;
    assert_int_equal(scio_atr_parse(raw, sizeof(raw), &a), SCIO_OK);
    size_t n = scio_atr_describe(&a, text, sizeof(text));
    assert_int_equal(n, strlen(text));
    assert_non_null(strstr(text, "TS = 3F (inverse convention)\n"));
    assert_non_null(strstr(text, "historical bytes: 2C 09 69 90 00\n"));
    assert_non_null(strstr(text, "protocols: T=0\n"));
    assert_null(strstr(text, "TCK"));
    n = scio_atr_describe(&a, small, sizeof(small));
    assert_int_equal(n, sizeof(small) - 1);
    assert_int_equal(strlen(small), sizeof(small) - 1);
}

static void test_wrong_tck(void **state)
{
    uint8_t raw[] = {0x3B, 0x95, 0x13, 0x81, 0x01, 0x80, 0x73, 0xFF, 0x01,
                     0x00, 0x0C};
    char text[512];
    scio_atr a;
    (void)state;
    assert_int_equal(scio_atr_parse(raw, sizeof(raw), &a), SCIO_OK);
    assert_true(a.has_tck);
    assert_false(a.tck_ok);
    assert_int_equal(a.tck, 0x0C);
    scio_atr_describe(&a, text, sizeof(text));
    assert_non_null(strstr(text, "TCK = 0C (WRONG)"));
}

static void test_malformed(void **state)
{
    static const char *const bad[] = {
        "3B",                               /* shorter than TS T0 */
        "42 00", "AA 00", "00 00",          /* TS */
        "3B 95 13",                         /* TD1 announced, missing */
        "3B 95 13 81 01 80 73",             /* historical bytes missing */
        "3B 95 13 81 01 80 73 FF 01 00",    /* TCK missing */
        "3B 00 00",                         /* trailing byte */
        "3B 05 01",                         /* K = 5, one byte */
        "3B 80 80 80 80 80 80 80 80 80 80", /* groups beyond 8 / missing */
    };
    uint8_t raw[64];
    scio_atr a;
    (void)state;
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        size_t len = tu_hex(bad[i], raw, sizeof(raw));
        if (scio_atr_parse(raw, len, &a) != SCIO_E_INVALID_ATR)
            fail_msg("'%s' accepted", bad[i]);
    }
    memset(raw, 0, sizeof(raw));
    raw[0] = 0x3B;
    raw[1] = 0x0F;
    assert_int_equal(scio_atr_parse(raw, 34, &a), SCIO_E_INVALID_ATR);
    assert_int_equal(scio_atr_parse(NULL, 0, &a), SCIO_E_INVALID_ATR);
    assert_int_equal(scio_atr_parse(raw, 2, NULL), SCIO_E_INVALID_ARG);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_vectors),
        cmocka_unit_test(test_describe),
        cmocka_unit_test(test_wrong_tck),
        cmocka_unit_test(test_malformed),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
