/* SPDX-License-Identifier: LGPL-2.1-or-later */
/**
 * @file test_core_tlv.c
 * @brief Unit tests for BER-TLV, SIMPLE-TLV and COMPACT-TLV.
 */
#include "testutil.h"

#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "core/tlv.h"

/* ---- BER-TLV: decoding table ------------------------------------------ */

typedef struct ber_case {
    const char *hex;
    sfc_err err;
    uint32_t tag;
    size_t tag_len;
    bool constructed;
    size_t len;  /* value length */
    size_t size; /* whole object */
} ber_case;

#define OK(hex, tag, tag_len, cons, len, size) \
    {(hex), SFC_OK, (tag), (tag_len), (cons), (len), (size)}
#define BAD(hex) {(hex), SFC_E_FORMAT, 0, 0, false, 0, 0}

static const ber_case ber_cases[] = {
    OK("8400", 0x84, 1, false, 0, 2),
    OK("840102", 0x84, 1, false, 1, 3),
    OK("840102 FFFF", 0x84, 1, false, 1, 3), /* what follows is not ours */
    OK("A5 03 800105", 0xA5, 1, true, 3, 5),
    OK("5F1F 01 00", 0x5F1F, 2, false, 1, 4),
    OK("5F2E 00", 0x5F2E, 2, false, 0, 3),
    OK("7F49 03 860100", 0x7F49, 2, true, 3, 6),
    OK("1F1F 00", 0x1F1F, 2, false, 0, 3),
    OK("9F7F 00", 0x9F7F, 2, false, 0, 3),
    OK("DF8101 00", 0xDF8101, 3, false, 0, 4),
    BAD("FF817F 00"),  /* FF never starts a tag */
    OK("BFFF7F 01 AA", 0xBFFF7F, 3, true, 1, 5),
    /* non-minimal long-form lengths are accepted */
    OK("53 8105 0102030405", 0x53, 1, false, 5, 8),
    OK("53 820003 010203", 0x53, 1, false, 3, 7),
    OK("53 83000001 AA", 0x53, 1, false, 1, 6),
    OK("53 8400000001 AA", 0x53, 1, false, 1, 7),
    OK("53 8100", 0x53, 1, false, 0, 3),

    BAD(""),
    BAD("00 00"),      /* padding is not a tag */
    BAD("FF 00"),
    BAD("1F"),         /* truncated tag */
    BAD("5F"),
    BAD("DF81"),
    BAD("5F80 00"),    /* non-minimal: leading zero in the tag number */
    BAD("5F8001 00"),
    BAD("5F00 00"),    /* tag number zero */
    BAD("DF818101 00"), /* four tag bytes */
    BAD("84"),         /* truncated length */
    BAD("5F1F"),
    BAD("84 81"),
    BAD("84 820100"),
    BAD("84 84000000"),
    BAD("84 80 0000"), /* indefinite */
    BAD("84 85 0000000001 AA"), /* five length bytes */
    BAD("84 88 0000000000000001 AA"),
    BAD("84 FF"),
    BAD("84 02 01"),   /* length past the end */
    BAD("84 81FF 00"),
    BAD("84 820100 00"),
    BAD("84 84FFFFFFFF 00"),
    BAD("84 8480000000"),
};

static void test_ber_decode_table(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof(ber_cases) / sizeof(ber_cases[0]); i++) {
        const ber_case *c = &ber_cases[i];
        uint8_t raw[64];
        size_t n = tu_hex(c->hex, raw, sizeof(raw));
        ber_tlv t;
        sfc_err err = ber_decode(raw, n, &t);
        if (err != c->err)
            fail_msg("case %zu (%s): got %d, want %d", i, c->hex, err, c->err);
        if (err != SFC_OK)
            continue;
        if (t.tag != c->tag || t.tag_len != c->tag_len ||
            t.constructed != c->constructed || t.len != c->len ||
            t.size != c->size)
            fail_msg("case %zu (%s): tag %X/%u cons %d len %zu size %zu", i,
                     c->hex, t.tag, t.tag_len, t.constructed, t.len, t.size);
        assert_ptr_equal(t.value, raw + t.size - t.len);
    }
}

static void test_ber_decode_args(void **state)
{
    (void)state;
    ber_tlv t;
    assert_int_equal(ber_decode(NULL, 0, &t), SFC_E_FORMAT);
    assert_int_equal(ber_decode(NULL, 3, &t), SFC_E_INVAL);
    assert_int_equal(ber_decode((const uint8_t *)"\x84\x00", 2, NULL),
                     SFC_E_INVAL);
}

/** Every truncation of a valid object is rejected, never over-read. */
static void test_ber_decode_every_truncation(void **state)
{
    (void)state;
    uint8_t raw[64];
    size_t n = tu_hex("BFFF7F 8400000005 0102030405", raw, sizeof(raw));
    ber_tlv t;
    assert_int_equal(ber_decode(raw, n, &t), SFC_OK);
    for (size_t len = 0; len < n; len++) {
        uint8_t *copy = malloc(len ? len : 1); /* exact size for valgrind */
        assert_non_null(copy);
        memcpy(copy, raw, len);
        assert_int_equal(ber_decode(copy, len, &t), SFC_E_FORMAT);
        free(copy);
    }
}

/* ---- tags and lengths ------------------------------------------------- */

static void test_ber_tags(void **state)
{
    (void)state;
    static const struct {
        uint32_t tag;
        size_t size; /* 0 = invalid */
        bool constructed;
    } tags[] = {
        {0x84, 1, false},     {0xA5, 1, true},      {0x01, 1, false},
        {0x7E, 1, true},      {0x00, 0, false},     {0xFF, 0, true},
        {0x1F, 0, false},     {0x3F, 0, true},      {0x5F1F, 2, false},
        {0x7F49, 2, true},    {0x1F1F, 2, false},   {0x5F2E, 2, false},
        {0x5F1E, 2, false},   {0x5F80, 0, false},   {0x5F81, 0, false},
        {0x9F02, 2, false},   {0x5F01, 2, false},   {0x5F00, 0, false},
        {0x4F1F, 0, false},   {0xFF1F, 0, true},
        {0xDF8101, 3, false}, {0xDFFF7F, 3, false}, {0xDF8001, 0, false},
        {0xDF8181, 0, false}, {0xDF1F01, 0, false}, {0x8F8101, 0, false},
        {0x01000000, 0, false}, {0xFFFFFFFF, 0, true},
    };
    for (size_t i = 0; i < sizeof(tags) / sizeof(tags[0]); i++) {
        if (ber_tag_size(tags[i].tag) != tags[i].size ||
            ber_tag_valid(tags[i].tag) != (tags[i].size > 0))
            fail_msg("tag %X: size %zu", tags[i].tag,
                     ber_tag_size(tags[i].tag));
        if (tags[i].size > 0 || tags[i].tag <= 0xFFFFFF)
            assert_int_equal(ber_tag_constructed(tags[i].tag),
                             tags[i].constructed);
    }
}

/** Every valid tag of up to three bytes encodes and decodes to itself. */
static void test_ber_tag_round_trip_exhaustive(void **state)
{
    (void)state;
    size_t valid = 0;
    sfc_buf b;
    buf_init(&b);
    for (uint32_t tag = 0; tag <= 0xFFFFFF; tag++) {
        if (!ber_tag_valid(tag))
            continue;
        valid++;
        buf_reset(&b);
        assert_true(ber_put(&b, tag, NULL, 0));
        ber_tlv t;
        assert_int_equal(ber_decode(b.data, b.len, &t), SFC_OK);
        assert_int_equal(t.tag, tag);
        assert_int_equal(t.tag_len, ber_tag_size(tag));
    }
    buf_free(&b);
    /* 1-byte: 256 minus 00 and the 8 values with low bits 1F (FF among
     * them) = 247. 2-byte: 7 first bytes (1F 3F .. DF; FF is padding) x 127
     * second bytes (01..7F; ICAO and EMV use 01..1E). 3-byte: 7 x 127
     * (81..FF) x 128 (00..7F). */
    assert_int_equal(valid, 247 + 7 * 127 + 7 * 127 * 128);
}

typedef struct len_case {
    size_t len;
    size_t size;
    const char *hex;
} len_case;

static const len_case len_cases[] = {
    {0, 1, "00"},
    {1, 1, "01"},
    {127, 1, "7F"},
    {128, 2, "8180"},
    {255, 2, "81FF"},
    {256, 3, "820100"},
    {65535, 3, "82FFFF"},
    {65536, 4, "83010000"},
    {0xFFFFFF, 4, "83FFFFFF"},
    {0x1000000, 5, "8401000000"},
    {0xFFFFFFFF, 5, "84FFFFFFFF"},
};

static void test_ber_length_encoding(void **state)
{
    (void)state;
    sfc_buf b;
    buf_init(&b);
    for (size_t i = 0; i < sizeof(len_cases) / sizeof(len_cases[0]); i++) {
        buf_reset(&b);
        assert_int_equal(ber_len_size(len_cases[i].len), len_cases[i].size);
        assert_true(ber_put_len(&b, len_cases[i].len));
        tu_assert_hex(b.data, b.len, len_cases[i].hex);
    }
#if SIZE_MAX > UINT32_MAX
    size_t too_long = (size_t)UINT32_MAX + 1;
    assert_int_equal(ber_len_size(too_long), 0);
    buf_reset(&b);
    assert_false(ber_put_len(&b, too_long));
    assert_true(b.failed);
#endif
    buf_free(&b);
}

/** Objects at the canonical length boundaries encode and decode back. */
static void test_ber_put_length_boundaries(void **state)
{
    (void)state;
    static const size_t lens[] = {0, 127, 128, 255, 256, 65535, 65536};
    static const char *const headers[] = {"5300", "537F", "538180", "5381FF",
                                          "53820100", "5382FFFF",
                                          "5383010000"};
    uint8_t *value = malloc(65536);
    assert_non_null(value);
    for (size_t i = 0; i < 65536; i++)
        value[i] = (uint8_t)(i * 13);
    sfc_buf b;
    buf_init(&b);
    for (size_t i = 0; i < sizeof(lens) / sizeof(lens[0]); i++) {
        buf_reset(&b);
        assert_true(ber_put(&b, 0x53, value, lens[i]));
        size_t header = strlen(headers[i]) / 2;
        tu_assert_hex(b.data, header, headers[i]);
        assert_int_equal(b.len, header + lens[i]);
        ber_tlv t;
        assert_int_equal(ber_decode(b.data, b.len, &t), SFC_OK);
        assert_int_equal(t.len, lens[i]);
        assert_int_equal(t.size, b.len);
        assert_memory_equal(t.value, value, lens[i]);
    }
    buf_free(&b);
    free(value);
}

static void test_ber_put_helpers(void **state)
{
    (void)state;
    sfc_buf b;
    buf_init(&b);
    assert_true(ber_put_u8(&b, 0x80, 0x05));
    assert_true(ber_put_u16(&b, 0x83, 0x3F00));
    assert_true(ber_put(&b, 0x5F1F, (const uint8_t *)"\xAA", 1));
    assert_true(ber_put_tag(&b, 0xDF8101));
    tu_assert_hex(b.data, b.len, "800105 83023F00 5F1F01AA DF8101");
    assert_true(ber_put_tag(&b, 0x9F02));       /* EMV-style tag */
    assert_false(ber_put_tag(&b, 0x5F80));
    assert_true(b.failed);
    buf_reset(&b);
    assert_false(ber_put(&b, 0x84, NULL, 1));
    assert_true(b.failed);
    buf_free(&b);
}

/* ---- ber_begin / ber_end ---------------------------------------------- */

static void test_ber_begin_end_nested(void **state)
{
    (void)state;
    sfc_buf b;
    buf_init(&b);
    size_t fcp = ber_begin(&b, 0x62);
    ber_put_u8(&b, 0x82, 0x01);
    ber_put_u16(&b, 0x83, 0x3F00);
    size_t prop = ber_begin(&b, 0xA5);
    ber_put_u8(&b, 0x80, 0x05);
    assert_true(ber_end(&b, prop));
    size_t empty = ber_begin(&b, 0x7F49);
    assert_true(ber_end(&b, empty));
    assert_true(ber_end(&b, fcp));
    tu_assert_hex(b.data, b.len, "62 0F 820101 83023F00 A503800105 7F4900");
    buf_free(&b);
}

/** Content crossing 127/128 and 255/256: the length grows, content moves. */
static void test_ber_end_length_growth(void **state)
{
    (void)state;
    static const size_t inner_lens[] = {0, 121, 122, 123, 124, 125, 126, 127,
                                        128, 250, 251, 252, 253, 254, 255,
                                        256, 1000, 65535, 65536};
    uint8_t *value = calloc(65536, 1);
    assert_non_null(value);
    for (size_t i = 0; i < sizeof(inner_lens) / sizeof(inner_lens[0]); i++) {
        size_t n = inner_lens[i];
        sfc_buf built, expected, inner;
        buf_init(&built);
        buf_init(&expected);
        buf_init(&inner);
        size_t outer = ber_begin(&built, 0x7F21);
        size_t mid = ber_begin(&built, 0x7F4E);
        ber_put(&built, 0x5F29, value, n);
        assert_true(ber_end(&built, mid));
        assert_true(ber_end(&built, outer));

        ber_put(&inner, 0x5F29, value, n);
        sfc_buf mid_obj;
        buf_init(&mid_obj);
        ber_put(&mid_obj, 0x7F4E, inner.data, inner.len);
        ber_put(&expected, 0x7F21, mid_obj.data, mid_obj.len);
        assert_false(expected.failed);
        assert_int_equal(built.len, expected.len);
        assert_memory_equal(built.data, expected.data, built.len);
        assert_int_equal(ber_validate(built.data, built.len, false, 3),
                         SFC_OK);

        buf_free(&built);
        buf_free(&expected);
        buf_free(&inner);
        buf_free(&mid_obj);
    }
    free(value);
}

static void test_ber_begin_end_failures(void **state)
{
    (void)state;
    uint8_t mem[4];
    sfc_buf b;
    buf_init_fixed(&b, mem, sizeof(mem));
    size_t mark = ber_begin(&b, 0x62);
    ber_put_u8(&b, 0x80, 1);       /* 3 bytes: fits exactly */
    assert_false(ber_end(&b, mark)); /* no room for the length */
    assert_true(b.failed);

    buf_init_fixed(&b, mem, sizeof(mem));
    mark = ber_begin(&b, 0x5F80); /* invalid tag */
    assert_true(b.failed);
    assert_false(ber_end(&b, mark));

    buf_init_fixed(&b, mem, sizeof(mem));
    assert_false(ber_end(&b, 3)); /* mark beyond the content */
    buf_init_fixed(&b, mem, sizeof(mem));
    assert_false(ber_end(&b, 0));
}

/* ---- iteration, search and validation --------------------------------- */

static void test_ber_iter_padding(void **state)
{
    (void)state;
    uint8_t raw[32];
    size_t n = tu_hex("00 8401AA FFFF 5F1F00 00", raw, sizeof(raw));
    ber_iter it;
    ber_tlv t;
    ber_iter_init(&it, raw, n, true);
    assert_int_equal(ber_iter_next(&it, &t), SFC_OK);
    assert_int_equal(t.tag, 0x84);
    assert_int_equal(ber_iter_next(&it, &t), SFC_OK);
    assert_int_equal(t.tag, 0x5F1F);
    assert_int_equal(ber_iter_next(&it, &t), SFC_E_END);
    assert_int_equal(ber_iter_next(&it, &t), SFC_E_END);

    ber_iter_init(&it, raw, n, false);
    assert_int_equal(ber_iter_next(&it, &t), SFC_E_FORMAT);
    ber_iter_init(&it, raw + 1, n - 1, false);
    assert_int_equal(ber_iter_next(&it, &t), SFC_OK);
    assert_int_equal(ber_iter_next(&it, &t), SFC_E_FORMAT);
    assert_int_equal(ber_iter_next(&it, &t), SFC_E_FORMAT); /* stays */

    ber_iter_init(&it, NULL, 5, true);
    assert_int_equal(ber_iter_next(&it, &t), SFC_E_END);
}

static void test_ber_iter_stops_at_bad_object(void **state)
{
    (void)state;
    uint8_t raw[16];
    size_t n = tu_hex("8401AA 8405AABB", raw, sizeof(raw));
    ber_iter it;
    ber_tlv t;
    ber_iter_init(&it, raw, n, true);
    assert_int_equal(ber_iter_next(&it, &t), SFC_OK);
    assert_int_equal(ber_iter_next(&it, &t), SFC_E_FORMAT);
    assert_int_equal(ber_iter_next(&it, &t), SFC_E_FORMAT);
}

static const char fcp_hex[] =
    "6F 1D"
    "  84 05 A000000001"
    "  A5 14"
    "    7F49 0B"
    "      06 03 2B2403"
    "      86 04 04AABBCC"
    "    5F2E 01 07"
    "    00 00";

static void test_ber_find_and_path(void **state)
{
    (void)state;
    uint8_t raw[64];
    size_t n = tu_hex(fcp_hex, raw, sizeof(raw));
    ber_tlv t;
    assert_int_equal(ber_find(raw, n, 0x6F, &t), SFC_OK);
    assert_int_equal(t.len, 0x1D);
    assert_int_equal(ber_find(raw, n, 0x84, &t), SFC_E_NOT_FOUND);

    const uint32_t path[] = {0x6F, 0xA5, 0x7F49, 0x86};
    assert_int_equal(ber_find_path(raw, n, path, 4, &t), SFC_OK);
    tu_assert_hex(t.value, t.len, "04AABBCC");
    assert_int_equal(ber_find_path(raw, n, path, 2, &t), SFC_OK);
    assert_int_equal(t.tag, 0xA5);

    const uint32_t aid[] = {0x6F, 0x84};
    assert_int_equal(ber_find_path(raw, n, aid, 2, &t), SFC_OK);
    tu_assert_hex(t.value, t.len, "A000000001");
    const uint32_t through_primitive[] = {0x6F, 0x84, 0x01};
    assert_int_equal(ber_find_path(raw, n, through_primitive, 3, &t),
                     SFC_E_NOT_FOUND);
    const uint32_t missing[] = {0x6F, 0xA5, 0x5F2F};
    assert_int_equal(ber_find_path(raw, n, missing, 3, &t), SFC_E_NOT_FOUND);
    assert_int_equal(ber_find_path(raw, n, path, 0, &t), SFC_E_INVAL);
    assert_int_equal(ber_find_path(raw, n, NULL, 1, &t), SFC_E_INVAL);

    assert_int_equal(ber_validate(raw, n, true, 4), SFC_OK);
    assert_int_equal(ber_validate(raw, n, true, 3), SFC_E_FORMAT);
    assert_int_equal(ber_validate(raw, n, false, 4), SFC_E_FORMAT); /* pad */
}

static void test_ber_find_malformed(void **state)
{
    (void)state;
    uint8_t raw[16];
    size_t n = tu_hex("8401AA 8406AABB 5F1F00", raw, sizeof(raw));
    ber_tlv t;
    assert_int_equal(ber_find(raw, n, 0x84, &t), SFC_OK);
    /* 5F1F lies behind the malformed object */
    assert_int_equal(ber_find(raw, n, 0x5F1F, &t), SFC_E_FORMAT);
    /* malformed content of a constructed object on the path */
    n = tu_hex("A5 03 8405AA", raw, sizeof(raw));
    const uint32_t path[] = {0xA5, 0x84};
    assert_int_equal(ber_find_path(raw, n, path, 2, &t), SFC_E_FORMAT);
}

typedef struct validate_case {
    const char *hex;
    bool skip_padding;
    unsigned max_depth;
    sfc_err err;
} validate_case;

static const validate_case validate_cases[] = {
    {"", false, 0, SFC_OK},
    {"8400", false, 0, SFC_E_FORMAT},
    {"8400", false, 1, SFC_OK},
    {"A000", false, 1, SFC_OK},
    {"A0028400", false, 1, SFC_E_FORMAT},
    {"A0028400", false, 2, SFC_OK},
    {"A003 840101", false, 2, SFC_OK},
    {"A003 840201", false, 2, SFC_E_FORMAT}, /* inner length past parent */
    {"A002 840101", false, 2, SFC_E_FORMAT}, /* parent shorter than inner */
    {"A003 8400 00", false, 2, SFC_E_FORMAT},
    {"A003 8400 00", true, 2, SFC_OK},
    {"A004 8400 00", true, 2, SFC_E_FORMAT},
    {"A005 8400 FF 00", true, 2, SFC_E_FORMAT}, /* parent runs past end */
    {"A080 8400 0000", false, 8, SFC_E_FORMAT}, /* indefinite */
    {"A0 85 0000000002 8400", false, 8, SFC_E_FORMAT},
    {"A002 5F", false, 8, SFC_E_FORMAT},
    {"A001 84", false, 8, SFC_E_FORMAT},
    {"8400 A0", false, 8, SFC_E_FORMAT},
    /* the primitive's value looks like TLV but is not entered */
    {"8402 8405", false, 1, SFC_OK},
};

static void test_ber_validate_table(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof(validate_cases) / sizeof(validate_cases[0]);
         i++) {
        const validate_case *c = &validate_cases[i];
        uint8_t raw[32];
        size_t n = tu_hex(c->hex, raw, sizeof(raw));
        sfc_err err = ber_validate(raw, n, c->skip_padding, c->max_depth);
        if (err != c->err)
            fail_msg("case %zu (%s): got %d, want %d", i, c->hex, err, c->err);
    }
}

/** `depth` constructed objects nested in each other, built with ber_begin. */
static void build_depth_bomb(sfc_buf *b, size_t depth)
{
    size_t *marks = calloc(depth, sizeof(*marks));
    assert_non_null(marks);
    for (size_t i = 0; i < depth; i++)
        marks[i] = ber_begin(b, i % 2 ? 0x7F49 : 0xA0);
    ber_put_u8(b, 0x80, 0x42);
    for (size_t i = depth; i-- > 0;)
        assert_true(ber_end(b, marks[i]));
    free(marks);
}

static void test_ber_depth_bomb(void **state)
{
    (void)state;
    sfc_buf b;
    buf_init(&b);
    build_depth_bomb(&b, 3000);
    /* 3000 containers plus the primitive inside */
    assert_int_equal(ber_validate(b.data, b.len, false, 3001), SFC_OK);
    assert_int_equal(ber_validate(b.data, b.len, false, UINT_MAX), SFC_OK);
    assert_int_equal(ber_validate(b.data, b.len, false, 3000), SFC_E_FORMAT);
    assert_int_equal(ber_validate(b.data, b.len, false, 16), SFC_E_FORMAT);
    /* cut anywhere: malformed, never a crash */
    for (size_t cut = 1; cut < b.len; cut += 997)
        assert_int_equal(ber_validate(b.data, b.len - cut, false, UINT_MAX),
                         SFC_E_FORMAT);
    buf_free(&b);

    /* 65534 bytes of "A0 80": indefinite lengths all the way down */
    size_t n = 65534;
    uint8_t *raw = malloc(n);
    assert_non_null(raw);
    for (size_t i = 0; i < n; i += 2) {
        raw[i] = 0xA0;
        raw[i + 1] = 0x80;
    }
    assert_int_equal(ber_validate(raw, n, true, UINT_MAX), SFC_E_FORMAT);
    /* "A0 82 hi lo" each containing everything that follows: a valid
     * object 16384 levels deep */
    n = 65536;
    raw = realloc(raw, n);
    assert_non_null(raw);
    for (size_t i = 0; i < n; i += 4) {
        size_t rest = n - i - 4;
        raw[i] = 0xA0;
        raw[i + 1] = 0x82;
        raw[i + 2] = (uint8_t)(rest >> 8);
        raw[i + 3] = (uint8_t)rest;
    }
    assert_int_equal(ber_validate(raw, n, false, UINT_MAX), SFC_OK);
    assert_int_equal(ber_validate(raw, n, false, 16384), SFC_OK);
    assert_int_equal(ber_validate(raw, n, false, 16383), SFC_E_FORMAT);
    assert_int_equal(ber_validate(raw, n, false, 32), SFC_E_FORMAT);
    raw[n - 1] = 1; /* the innermost object claims a byte that is not there */
    assert_int_equal(ber_validate(raw, n, false, UINT_MAX), SFC_E_FORMAT);
    free(raw);
}

/* ---- SIMPLE-TLV ------------------------------------------------------- */

typedef struct simple_case {
    const char *hex;
    sfc_err err;
    uint8_t tag;
    size_t len;
    size_t size;
} simple_case;

static const simple_case simple_cases[] = {
    {"01 02 AABB", SFC_OK, 0x01, 2, 4},
    {"FE 00", SFC_OK, 0xFE, 0, 2},
    {"80 FE", SFC_E_FORMAT, 0, 0, 0},
    {"01 FF 0003 AABBCC", SFC_OK, 0x01, 3, 7},
    {"01 FF 0000", SFC_OK, 0x01, 0, 4},
    {"01 02 AABB CC", SFC_OK, 0x01, 2, 4},
    {"00 01 AA", SFC_E_FORMAT, 0, 0, 0},
    {"FF 01 AA", SFC_E_FORMAT, 0, 0, 0},
    {"01", SFC_E_FORMAT, 0, 0, 0},
    {"", SFC_E_FORMAT, 0, 0, 0},
    {"01 FF", SFC_E_FORMAT, 0, 0, 0},
    {"01 FF 00", SFC_E_FORMAT, 0, 0, 0},
    {"01 03 AABB", SFC_E_FORMAT, 0, 0, 0},
    {"01 FF 0100 AA", SFC_E_FORMAT, 0, 0, 0},
};

static void test_simple_tlv_decode_table(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof(simple_cases) / sizeof(simple_cases[0]);
         i++) {
        const simple_case *c = &simple_cases[i];
        uint8_t raw[32];
        size_t n = tu_hex(c->hex, raw, sizeof(raw));
        simple_tlv t;
        sfc_err err = simple_tlv_decode(raw, n, &t);
        if (err != c->err)
            fail_msg("case %zu (%s): got %d, want %d", i, c->hex, err, c->err);
        if (err != SFC_OK)
            continue;
        assert_int_equal(t.tag, c->tag);
        assert_int_equal(t.len, c->len);
        assert_int_equal(t.size, c->size);
        assert_ptr_equal(t.value, raw + t.size - t.len);
    }
}

static void test_simple_tlv_iterate(void **state)
{
    (void)state;
    uint8_t raw[32];
    size_t n = tu_hex("01 01 AA 02 FF 0002 BBCC 03 00", raw, sizeof(raw));
    size_t off = 0;
    simple_tlv t;
    assert_int_equal(simple_tlv_next(raw, n, &off, &t), SFC_OK);
    assert_int_equal(t.tag, 1);
    assert_int_equal(simple_tlv_next(raw, n, &off, &t), SFC_OK);
    assert_int_equal(t.tag, 2);
    tu_assert_hex(t.value, t.len, "BBCC");
    assert_int_equal(simple_tlv_next(raw, n, &off, &t), SFC_OK);
    assert_int_equal(t.tag, 3);
    assert_int_equal(off, n);
    assert_int_equal(simple_tlv_next(raw, n, &off, &t), SFC_E_END);
    off = n + 1;
    assert_int_equal(simple_tlv_next(raw, n, &off, &t), SFC_E_INVAL);
    off = 0;
    assert_int_equal(simple_tlv_next(raw, 2, &off, &t), SFC_E_FORMAT);
    assert_int_equal(off, 0);
}

static void test_simple_tlv_put(void **state)
{
    (void)state;
    static uint8_t value[65536];
    static const struct {
        size_t len;
        const char *header;
    } cases[] = {{0, "0700"},       {1, "0701"},         {254, "07FE"},
                 {255, "07FF00FF"}, {256, "07FF0100"}, {65535, "07FFFFFF"}};
    sfc_buf b;
    buf_init(&b);
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        buf_reset(&b);
        assert_true(simple_tlv_put(&b, 0x07, value, cases[i].len));
        size_t header = strlen(cases[i].header) / 2;
        tu_assert_hex(b.data, header, cases[i].header);
        simple_tlv t;
        assert_int_equal(simple_tlv_decode(b.data, b.len, &t), SFC_OK);
        assert_int_equal(t.len, cases[i].len);
        assert_int_equal(t.size, b.len);
    }
    buf_reset(&b);
    assert_false(simple_tlv_put(&b, 0x07, value, 65536));
    assert_true(b.failed);
    buf_reset(&b);
    assert_false(simple_tlv_put(&b, 0x00, value, 1));
    buf_reset(&b);
    assert_false(simple_tlv_put(&b, 0xFF, value, 1));
    buf_free(&b);
}

/* ---- COMPACT-TLV ------------------------------------------------------ */

static void test_compact_tlv_historical_bytes(void **state)
{
    (void)state;
    /* nPA historical bytes after the category indicator 80 */
    uint8_t raw[16];
    size_t n = tu_hex("31F8 73F741E0 829000", raw, sizeof(raw));
    static const struct {
        uint8_t tag;
        const char *value;
    } want[] = {{3, "F8"}, {7, "F741E0"}, {8, "9000"}};
    size_t off = 0;
    compact_tlv t;
    for (size_t i = 0; i < 3; i++) {
        assert_int_equal(compact_tlv_next(raw, n, &off, &t), SFC_OK);
        assert_int_equal(t.tag, want[i].tag);
        tu_assert_hex(t.value, t.len, want[i].value);
    }
    assert_int_equal(compact_tlv_next(raw, n, &off, &t), SFC_E_END);

    assert_int_equal(compact_tlv_decode(raw, 0, &t), SFC_E_FORMAT);
    assert_int_equal(compact_tlv_decode((const uint8_t *)"\x73\xFF\x01", 3,
                                        &t),
                     SFC_E_FORMAT);
    assert_int_equal(compact_tlv_decode((const uint8_t *)"\x50", 1, &t),
                     SFC_OK);
    assert_int_equal(t.tag, 5);
    assert_int_equal(t.len, 0);
    off = 0;
    assert_int_equal(compact_tlv_next(raw, 3, &off, &t), SFC_OK);
    assert_int_equal(compact_tlv_next(raw, 3, &off, &t), SFC_E_FORMAT);
}

static void test_compact_tlv_put(void **state)
{
    (void)state;
    sfc_buf b;
    buf_init(&b);
    assert_true(compact_tlv_put(&b, 7, (const uint8_t *)"\xFF\x01\x00", 3));
    assert_true(compact_tlv_put(&b, 0xF, NULL, 0));
    tu_assert_hex(b.data, b.len, "73FF0100 F0");
    assert_false(compact_tlv_put(&b, 16, NULL, 0));
    assert_true(b.failed);
    buf_reset(&b);
    static const uint8_t sixteen[16];
    assert_true(compact_tlv_put(&b, 1, sixteen, 15));
    assert_false(compact_tlv_put(&b, 1, sixteen, 16));
    buf_free(&b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_ber_decode_table),
        cmocka_unit_test(test_ber_decode_args),
        cmocka_unit_test(test_ber_decode_every_truncation),
        cmocka_unit_test(test_ber_tags),
        cmocka_unit_test(test_ber_tag_round_trip_exhaustive),
        cmocka_unit_test(test_ber_length_encoding),
        cmocka_unit_test(test_ber_put_length_boundaries),
        cmocka_unit_test(test_ber_put_helpers),
        cmocka_unit_test(test_ber_begin_end_nested),
        cmocka_unit_test(test_ber_end_length_growth),
        cmocka_unit_test(test_ber_begin_end_failures),
        cmocka_unit_test(test_ber_iter_padding),
        cmocka_unit_test(test_ber_iter_stops_at_bad_object),
        cmocka_unit_test(test_ber_find_and_path),
        cmocka_unit_test(test_ber_find_malformed),
        cmocka_unit_test(test_ber_validate_table),
        cmocka_unit_test(test_ber_depth_bomb),
        cmocka_unit_test(test_simple_tlv_decode_table),
        cmocka_unit_test(test_simple_tlv_iterate),
        cmocka_unit_test(test_simple_tlv_put),
        cmocka_unit_test(test_compact_tlv_historical_bytes),
        cmocka_unit_test(test_compact_tlv_put),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
