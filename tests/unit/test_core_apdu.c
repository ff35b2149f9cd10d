/* SPDX-License-Identifier: LGPL-2.1-or-later */
/**
 * @file test_core_apdu.c
 * @brief Unit tests for command APDU parsing and encoding.
 *
 * One table of small APDUs covers every case and every malformed shape;
 * APDUs with large bodies (boundaries at Nc 255/256, Ne 256/257 and the
 * extended maxima) are generated. A property test checks that every byte
 * string the parser accepts is re-encoded to exactly the same bytes.
 */
#include "testutil.h"

#include <stdlib.h>
#include <string.h>

#include "core/apdu.h"

#define BIG (7 + 65535 + 2)

typedef struct parse_case {
    const char *hex;
    sfc_err err;
    apdu_case kind;
    bool extended;
    size_t nc;
    bool has_le;
    size_t ne;
} parse_case;

#define OK(hex, kind, ext, nc, has_le, ne) \
    {(hex), SFC_OK, (kind), (ext), (nc), (has_le), (ne)}
#define BAD(hex) {(hex), SFC_E_FORMAT, 0, false, 0, false, 0}

static const parse_case parse_cases[] = {
    /* case 1 */
    OK("01020304", APDU_CASE_1, false, 0, false, 0),
    /* case 2S: Le 00 is 256 (the 5-byte form is never extended) */
    OK("01020304 05", APDU_CASE_2, false, 0, true, 5),
    OK("00B00000 00", APDU_CASE_2, false, 0, true, 256),
    OK("00B00000 01", APDU_CASE_2, false, 0, true, 1),
    OK("00B00000 FF", APDU_CASE_2, false, 0, true, 255),
    /* case 3S: the reference's "hallo" vector with CLA 23 */
    OK("23010203 05 68616C6C6F", APDU_CASE_3, false, 5, false, 0),
    OK("00A4000C 02 3F00", APDU_CASE_3, false, 2, false, 0),
    OK("00A4000C 01 3F", APDU_CASE_3, false, 1, false, 0),
    /* case 4S: the reference's vector, Le 00 = 256 */
    OK("01020304 02 0406 00", APDU_CASE_4, false, 2, true, 256),
    OK("00D60000 03 AABBCC 01", APDU_CASE_4, false, 3, true, 1),
    OK("00D60000 01 AA FF", APDU_CASE_4, false, 1, true, 255),
    /* case 2E: the reference's vector, Le 0000 = 65536 */
    OK("00B09C00 000000", APDU_CASE_2, true, 0, true, 65536),
    OK("00B09C00 000001", APDU_CASE_2, true, 0, true, 1),
    OK("00B09C00 000100", APDU_CASE_2, true, 0, true, 256),
    OK("00B09C00 000101", APDU_CASE_2, true, 0, true, 257),
    OK("00B09C00 00FFFF", APDU_CASE_2, true, 0, true, 65535),
    /* case 3E */
    OK("00D60000 000004 AABBCCDD", APDU_CASE_3, true, 4, false, 0),
    OK("00D60000 000001 AA", APDU_CASE_3, true, 1, false, 0),
    /* case 4E with any Le (the reference rejected a non-zero one) */
    OK("00D60000 000004 AABBCCDD 0100", APDU_CASE_4, true, 4, true, 256),
    OK("00D60000 000004 AABBCCDD 0000", APDU_CASE_4, true, 4, true, 65536),
    OK("00D60000 000004 AABBCCDD 0001", APDU_CASE_4, true, 4, true, 1),
    OK("00D60000 000004 AABBCCDD FFFF", APDU_CASE_4, true, 4, true, 65535),

    /* too short */
    BAD(""),
    BAD("00"),
    BAD("00B0"),
    BAD("00B000"),
    /* the reference's malformed vector: short Lc 08, one byte follows */
    BAD("00B00000 08 00"),
    BAD("00B00000 08 0000"),
    /* short Lc 00 */
    BAD("00B00000 00 00"),
    BAD("00B00000 00 01"),
    /* truncated data and trailing bytes, short */
    BAD("00A40000 02 3F"),
    BAD("00A40000 02 3F00 0000"),
    BAD("00A40000 02 3F00 000000"),
    BAD("00A40000 FF 3F00"),
    /* extended Lc 0000 */
    BAD("00D60000 000000 AA"),
    BAD("00D60000 000000 AABB"),
    BAD("00D60000 000000 0000 00"),
    /* truncated data and trailing bytes, extended */
    BAD("00D60000 000004 AABBCC"),
    BAD("00D60000 000004 AABBCCDD 01"),
    BAD("00D60000 000004 AABBCCDD 000000"),
    BAD("00D60000 000002 AABB 000000"), /* the reference's 3-byte Le */
    BAD("00D60000 00FFFF AABB"),
    /* mixed short and extended fields */
    BAD("00D60000 02 AABB 0000"),
    BAD("00D60000 02 AABB 0100"),
    BAD("00D60000 000002 AABB 05"),
    /* case 2E with trailing bytes */
    BAD("00B09C00 000000 00"),
};

static void check_parse_case(size_t i, const parse_case *c)
{
    uint8_t raw[64];
    size_t len = tu_hex(c->hex, raw, sizeof(raw));
    apdu a;
    memset(&a, 0xA5, sizeof(a));
    sfc_err err = apdu_parse(raw, len, &a);
    if (err != c->err)
        fail_msg("case %zu (%s): got %d, want %d", i, c->hex, err, c->err);
    if (err != SFC_OK) {
        assert_null(a.data);
        assert_int_equal(a.nc, 0);
        assert_int_equal(a.ne, 0);
        assert_false(a.has_le);
        return;
    }
    assert_int_equal(a.cla, raw[0]);
    assert_int_equal(a.ins, raw[1]);
    assert_int_equal(a.p1, raw[2]);
    assert_int_equal(a.p2, raw[3]);
    if (a.kind != c->kind || a.extended != c->extended || a.nc != c->nc ||
        a.has_le != c->has_le || a.ne != c->ne)
        fail_msg("case %zu (%s): case %d ext %d nc %zu le %d ne %zu", i,
                 c->hex, a.kind, a.extended, a.nc, a.has_le, a.ne);
    if (a.nc > 0)
        assert_memory_equal(a.data, raw + (a.extended ? 7 : 5), a.nc);
    else
        assert_null(a.data);
}

static void test_parse_table(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof(parse_cases) / sizeof(parse_cases[0]); i++)
        check_parse_case(i, &parse_cases[i]);
}

static void test_parse_failure_keeps_header(void **state)
{
    (void)state;
    uint8_t raw[6];
    size_t len = tu_hex("00B00000 0800", raw, sizeof(raw));
    apdu a;
    assert_int_equal(apdu_parse(raw, len, &a), SFC_E_FORMAT);
    assert_int_equal(a.ins, 0xB0);
    assert_int_equal(apdu_parse(raw, 3, &a), SFC_E_FORMAT);
    assert_int_equal(a.ins, 0);
    assert_int_equal(apdu_parse(NULL, 0, &a), SFC_E_FORMAT);
    assert_int_equal(apdu_parse(NULL, 4, &a), SFC_E_INVAL);
    assert_int_equal(apdu_parse(raw, len, NULL), SFC_E_INVAL);
}

/* ---- large APDUs ------------------------------------------------------ */

/** Write header, Lc field, nc bytes of pattern and an Le field of le_len. */
static size_t build_raw(uint8_t *raw, bool ext_lc, size_t nc, size_t le_len,
                        unsigned le)
{
    size_t n = 0;
    raw[n++] = 0x00;
    raw[n++] = 0xD6;
    raw[n++] = 0x00;
    raw[n++] = 0x00;
    if (nc > 0) {
        if (ext_lc) {
            raw[n++] = 0;
            raw[n++] = (uint8_t)(nc >> 8);
        }
        raw[n++] = (uint8_t)nc;
        for (size_t i = 0; i < nc; i++)
            raw[n++] = (uint8_t)(i * 7 + 1);
    }
    for (size_t i = 0; i < le_len; i++)
        raw[n++] = (uint8_t)(le >> (8 * (le_len - 1 - i)));
    return n;
}

static void expect_parse(const uint8_t *raw, size_t len, apdu_case kind,
                         bool ext, size_t nc, size_t ne)
{
    apdu a;
    assert_int_equal(apdu_parse(raw, len, &a), SFC_OK);
    assert_int_equal(a.kind, kind);
    assert_int_equal(a.extended, ext);
    assert_int_equal(a.nc, nc);
    assert_int_equal(a.ne, ne);
    assert_int_equal(a.has_le, ne > 0);
}

static void test_parse_large_bodies(void **state)
{
    (void)state;
    uint8_t *raw = malloc(BIG + 1);
    assert_non_null(raw);
    /* Nc 255, the largest short Lc */
    size_t n = build_raw(raw, false, 255, 0, 0);
    expect_parse(raw, n, APDU_CASE_3, false, 255, 0);
    n = build_raw(raw, false, 255, 1, 0x00);
    expect_parse(raw, n, APDU_CASE_4, false, 255, 256);
    /* Nc 256 needs an extended Lc */
    n = build_raw(raw, true, 256, 0, 0);
    expect_parse(raw, n, APDU_CASE_3, true, 256, 0);
    n = build_raw(raw, true, 256, 2, 0x0101);
    expect_parse(raw, n, APDU_CASE_4, true, 256, 257);
    /* Nc 65535, the largest */
    n = build_raw(raw, true, 65535, 0, 0);
    assert_int_equal(n, 7 + 65535);
    expect_parse(raw, n, APDU_CASE_3, true, 65535, 0);
    n = build_raw(raw, true, 65535, 2, 0x0000);
    assert_int_equal(n, BIG);
    expect_parse(raw, n, APDU_CASE_4, true, 65535, 65536);
    n = build_raw(raw, true, 65535, 2, 0xFFFF);
    expect_parse(raw, n, APDU_CASE_4, true, 65535, 65535);
    /* one byte more or less than announced */
    raw[n] = 0;
    apdu a;
    assert_int_equal(apdu_parse(raw, n + 1, &a), SFC_E_FORMAT);
    assert_int_equal(apdu_parse(raw, n - 1, &a), SFC_E_FORMAT);
    assert_int_equal(apdu_parse(raw, n - 3, &a), SFC_E_FORMAT);
    free(raw);
}

/** The reference's 0x151-byte extended case-4 secure messaging APDU. */
static void test_parse_reference_sm_apdu(void **state)
{
    (void)state;
    uint8_t raw[7 + 0x151 + 2];
    const uint8_t head[] = {0x0C, 0x2A, 0x00, 0xBE, 0x00, 0x01, 0x51};
    memcpy(raw, head, sizeof(head));
    for (size_t i = 0; i < 0x151; i++)
        raw[7 + i] = (uint8_t)(0x87 + i);
    raw[7 + 0x151] = 0x00;
    raw[8 + 0x151] = 0x00;
    apdu a;
    assert_int_equal(apdu_parse(raw, sizeof(raw), &a), SFC_OK);
    assert_int_equal(a.cla, 0x0C);
    assert_int_equal(a.ins, 0x2A);
    assert_int_equal(a.p1, 0x00);
    assert_int_equal(a.p2, 0xBE);
    assert_int_equal(a.kind, APDU_CASE_4);
    assert_true(a.extended);
    assert_int_equal(a.nc, 0x151);
    assert_ptr_equal(a.data, raw + 7);
    assert_int_equal(a.ne, 65536);

    uint8_t again[sizeof(raw)];
    size_t n;
    assert_int_equal(apdu_encode(&a, again, sizeof(again), &n), SFC_OK);
    assert_int_equal(n, sizeof(raw));
    assert_memory_equal(again, raw, n);
}

/* ---- encoding --------------------------------------------------------- */

typedef struct encode_case {
    size_t nc;
    bool has_le;
    size_t ne;
    bool force_ext;
    const char *hex; /* expected; "..." data is 01 02 03 ... */
} encode_case;

static const encode_case encode_cases[] = {
    {0, false, 0, false, "80CA9F7F"},
    {0, false, 0, true, "80CA9F7F"}, /* case 1 has no extended form */
    {0, true, 1, false, "80CA9F7F 01"},
    {0, true, 256, false, "80CA9F7F 00"},
    {0, true, 257, false, "80CA9F7F 000101"},
    {0, true, 256, true, "80CA9F7F 000100"},
    {0, true, 65535, false, "80CA9F7F 00FFFF"},
    {0, true, 65536, false, "80CA9F7F 000000"},
    {2, false, 0, false, "80CA9F7F 02 0102"},
    {2, false, 0, true, "80CA9F7F 000002 0102"},
    {2, true, 256, false, "80CA9F7F 02 0102 00"},
    {2, true, 5, true, "80CA9F7F 000002 0102 0005"},
    {2, true, 257, false, "80CA9F7F 000002 0102 0101"},
    {2, true, 65536, false, "80CA9F7F 000002 0102 0000"},
};

static void test_encode_table(void **state)
{
    (void)state;
    const uint8_t data[] = {1, 2};
    for (size_t i = 0; i < sizeof(encode_cases) / sizeof(encode_cases[0]);
         i++) {
        const encode_case *c = &encode_cases[i];
        apdu a = {.cla = 0x80, .ins = 0xCA, .p1 = 0x9F, .p2 = 0x7F,
                  .data = c->nc ? data : NULL, .nc = c->nc,
                  .has_le = c->has_le, .ne = c->ne,
                  .extended = c->force_ext};
        uint8_t out[32];
        size_t n = 0;
        assert_int_equal(apdu_encode(&a, out, sizeof(out), &n), SFC_OK);
        tu_assert_hex(out, n, c->hex);
        assert_int_equal(apdu_encoded_size(&a), n);
    }
}

static void test_encode_reference_vectors(void **state)
{
    (void)state;
    uint8_t out[16];
    size_t n;
    apdu hallo = {.cla = 0x23, .ins = 1, .p1 = 2, .p2 = 3,
                  .data = (const uint8_t *)"hallo", .nc = 5};
    assert_int_equal(apdu_encode(&hallo, out, sizeof(out), &n), SFC_OK);
    tu_assert_hex(out, n, "23010203 05 68616C6C6F");

    const uint8_t d[] = {4, 6};
    apdu case4 = {.cla = 1, .ins = 2, .p1 = 3, .p2 = 4, .data = d, .nc = 2,
                  .has_le = true, .ne = 256};
    assert_int_equal(apdu_encode(&case4, out, sizeof(out), &n), SFC_OK);
    tu_assert_hex(out, n, "01020304 02 0406 00");

    apdu case2e = {.cla = 0, .ins = 0xB0, .p1 = 0x9C, .p2 = 0,
                   .has_le = true, .ne = 65536};
    assert_int_equal(apdu_encode(&case2e, out, sizeof(out), &n), SFC_OK);
    tu_assert_hex(out, n, "00B09C00 000000");
}

static void test_encode_errors(void **state)
{
    (void)state;
    static uint8_t data[65536];
    uint8_t out[16];
    size_t n = 99;
    apdu a = {.ins = 0xB0, .has_le = true, .ne = 0};
    assert_int_equal(apdu_encode(&a, out, sizeof(out), &n), SFC_E_INVAL);
    assert_int_equal(n, 0);
    assert_int_equal(apdu_encoded_size(&a), 0);
    a.ne = 65537;
    assert_int_equal(apdu_encode(&a, out, sizeof(out), &n), SFC_E_INVAL);
    assert_int_equal(apdu_encoded_size(&a), 0);

    apdu big = {.ins = 0xD6, .data = data, .nc = 65536};
    assert_int_equal(apdu_encode(&big, out, sizeof(out), &n), SFC_E_RANGE);
    assert_int_equal(apdu_encoded_size(&big), 0);

    apdu nodata = {.ins = 0xD6, .data = NULL, .nc = 3};
    assert_int_equal(apdu_encode(&nodata, out, sizeof(out), &n), SFC_E_INVAL);

    /* cap one byte short, then exact */
    apdu ok = {.ins = 0xD6, .data = data, .nc = 4, .has_le = true, .ne = 1};
    assert_int_equal(apdu_encoded_size(&ok), 10);
    assert_int_equal(apdu_encode(&ok, out, 9, &n), SFC_E_RANGE);
    assert_int_equal(apdu_encode(&ok, out, 10, &n), SFC_OK);
    assert_int_equal(n, 10);
    assert_int_equal(apdu_encode(&ok, NULL, 0, &n), SFC_E_RANGE);
    assert_int_equal(apdu_encode(NULL, out, sizeof(out), &n), SFC_E_INVAL);
    assert_int_equal(apdu_encoded_size(NULL), 0);
}

/* ---- round trips ------------------------------------------------------ */

static void check_round_trip(const uint8_t *data, size_t nc, bool has_le,
                             size_t ne, bool ext, uint8_t *buf, size_t cap)
{
    apdu a = {.cla = 0x0C, .ins = 0x2A, .p1 = 0x9E, .p2 = 0x9A,
              .data = nc ? data : NULL, .nc = nc, .has_le = has_le,
              .ne = has_le ? ne : 0, .extended = ext};
    size_t n;
    assert_int_equal(apdu_encode(&a, buf, cap, &n), SFC_OK);
    assert_int_equal(n, apdu_encoded_size(&a));
    apdu b;
    assert_int_equal(apdu_parse(buf, n, &b), SFC_OK);
    bool want_ext = (ext || nc > 255 || ne > 256) && (nc > 0 || has_le);
    assert_int_equal(b.cla, a.cla);
    assert_int_equal(b.ins, a.ins);
    assert_int_equal(b.p1, a.p1);
    assert_int_equal(b.p2, a.p2);
    assert_int_equal(b.nc, nc);
    assert_int_equal(b.has_le, has_le);
    assert_int_equal(b.ne, a.ne);
    assert_int_equal(b.extended, want_ext);
    apdu_case kind = nc > 0 ? (has_le ? APDU_CASE_4 : APDU_CASE_3)
                            : (has_le ? APDU_CASE_2 : APDU_CASE_1);
    assert_int_equal(b.kind, kind);
    if (nc > 0)
        assert_memory_equal(b.data, data, nc);
}

static void test_round_trip_boundaries(void **state)
{
    (void)state;
    static const size_t ncs[] = {0, 1, 254, 255, 256, 257, 4096, 65534, 65535};
    static const size_t nes[] = {0, 1, 255, 256, 257, 65535, 65536};
    uint8_t *data = malloc(65535);
    uint8_t *buf = malloc(BIG);
    assert_non_null(data);
    assert_non_null(buf);
    for (size_t i = 0; i < 65535; i++)
        data[i] = (uint8_t)(i ^ (i >> 8));
    for (size_t i = 0; i < sizeof(ncs) / sizeof(ncs[0]); i++)
        for (size_t j = 0; j < sizeof(nes) / sizeof(nes[0]); j++)
            for (int ext = 0; ext < 2; ext++)
                check_round_trip(data, ncs[i], nes[j] > 0, nes[j], ext, buf,
                                 BIG);
    free(data);
    free(buf);
}

/**
 * Every byte string the parser accepts is re-encoded to itself: the header
 * followed by every body of up to five bytes drawn from values that matter
 * to the length logic.
 */
static void test_parse_encode_identity_small(void **state)
{
    (void)state;
    static const uint8_t alphabet[] = {0x00, 0x01, 0x02, 0x03, 0xFF};
    const size_t k = sizeof(alphabet);
    size_t accepted = 0;
    for (size_t body_len = 0; body_len <= 5; body_len++) {
        size_t combos = 1;
        for (size_t i = 0; i < body_len; i++)
            combos *= k;
        for (size_t c = 0; c < combos; c++) {
            uint8_t raw[9] = {0x00, 0xB0, 0x00, 0x00};
            size_t v = c;
            for (size_t i = 0; i < body_len; i++, v /= k)
                raw[4 + i] = alphabet[v % k];
            apdu a;
            if (apdu_parse(raw, 4 + body_len, &a) != SFC_OK)
                continue;
            accepted++;
            uint8_t out[16];
            size_t n;
            assert_int_equal(apdu_encode(&a, out, sizeof(out), &n), SFC_OK);
            tu_assert_hex(out, n, tu_tohex(raw, 4 + body_len));
        }
    }
    /* A floor, to show the alphabet reaches every case: 1 + 5 (2S) +
     * 4 (3S) + 25 (2E) + 20 (4S) + ... */
    assert_true(accepted > 55);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_parse_table),
        cmocka_unit_test(test_parse_failure_keeps_header),
        cmocka_unit_test(test_parse_large_bodies),
        cmocka_unit_test(test_parse_reference_sm_apdu),
        cmocka_unit_test(test_encode_table),
        cmocka_unit_test(test_encode_reference_vectors),
        cmocka_unit_test(test_encode_errors),
        cmocka_unit_test(test_round_trip_boundaries),
        cmocka_unit_test(test_parse_encode_identity_small),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
