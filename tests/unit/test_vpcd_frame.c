/* SPDX-License-Identifier: LGPL-2.1-or-later */
/**
 * @file test_vpcd_frame.c
 * @brief Unit tests of the vpcd frame codec (lib/vpcd/frame.c).
 *
 * The decoder must behave identically however the byte stream is cut: the
 * same stream is fed whole, split at every position, one byte at a time and
 * in random pieces, and must always yield the same frames. Also covered:
 * coalesced control frames, the 65535-byte maximum, zero-length frames,
 * arbitrary garbage, classification and the encoder's refusals.
 */
#include <stdlib.h>
#include <string.h>

#include "testutil.h"
#include "vpcd/frame.h"

#define MAX_FRAMES 64

/* Frames decoded from a stream, as hex strings. */
typedef struct decoded {
    size_t n;
    char *hex[MAX_FRAMES];
} decoded;

static void decoded_free(decoded *out)
{
    for (size_t i = 0; i < out->n; i++)
        free(out->hex[i]);
    out->n = 0;
}

static void record(decoded *out, const uint8_t *frame, size_t len)
{
    assert_true(out->n < MAX_FRAMES);
    out->hex[out->n++] = strdup(tu_tohex(frame, len));
}

/* Feed `len` bytes in one call (repeating for coalesced frames). */
static void feed_all(vpcd_decoder *d, const uint8_t *in, size_t len,
                     decoded *out)
{
    while (len > 0) {
        const uint8_t *frame;
        size_t flen;
        bool complete;
        size_t used = vpcd_decoder_feed(d, in, len, &frame, &flen, &complete);
        assert_true(used <= len);
        assert_true(used > 0 || complete);
        in += used;
        len -= used;
        if (complete)
            record(out, frame, flen);
        else
            assert_int_equal(len, 0);
    }
}

/* Feed the stream cut at the given points. */
static void feed_cut(const uint8_t *in, size_t len, const size_t *cuts,
                     size_t n_cuts, decoded *out)
{
    vpcd_decoder d;
    size_t pos = 0;

    assert_int_equal(vpcd_decoder_init(&d), SFC_OK);
    for (size_t i = 0; i <= n_cuts; i++) {
        size_t end = i < n_cuts ? cuts[i] : len;
        feed_all(&d, in + pos, end - pos, out);
        pos = end;
    }
    assert_true(vpcd_decoder_idle(&d));
    vpcd_decoder_free(&d);
}

static void assert_same(const decoded *a, const decoded *b)
{
    assert_int_equal(a->n, b->n);
    for (size_t i = 0; i < a->n; i++)
        assert_string_equal(a->hex[i], b->hex[i]);
}

/* A stream with all frame kinds: reset, GET ATR, APDU, empty, power off. */
static const char stream_hex[] =
    "0001 02  0001 04  0007 00A4000C023F00  0000  0002 9000  0001 00";
static const char *const stream_frames[] = {"02", "04", "00A4000C023F00", "",
                                            "9000", "00"};

static void test_whole_stream(void **state)
{
    (void)state;
    uint8_t in[64];
    size_t len = tu_hex(stream_hex, in, sizeof(in));
    decoded out = {0};

    feed_cut(in, len, NULL, 0, &out);
    assert_int_equal(out.n, 6);
    for (size_t i = 0; i < out.n; i++)
        assert_string_equal(out.hex[i], stream_frames[i]);
    decoded_free(&out);
}

static void test_split_at_every_position(void **state)
{
    (void)state;
    uint8_t in[64];
    size_t len = tu_hex(stream_hex, in, sizeof(in));
    decoded whole = {0};

    feed_cut(in, len, NULL, 0, &whole);
    for (size_t cut = 0; cut <= len; cut++) {
        decoded out = {0};
        feed_cut(in, len, &cut, 1, &out);
        assert_same(&whole, &out);
        decoded_free(&out);
    }
    decoded_free(&whole);
}

static void test_one_byte_at_a_time(void **state)
{
    (void)state;
    uint8_t in[64];
    size_t len = tu_hex(stream_hex, in, sizeof(in));
    size_t cuts[64];
    decoded whole = {0}, out = {0};

    for (size_t i = 0; i + 1 < len; i++)
        cuts[i] = i + 1;
    feed_cut(in, len, NULL, 0, &whole);
    feed_cut(in, len, cuts, len - 1, &out);
    assert_same(&whole, &out);
    decoded_free(&whole);
    decoded_free(&out);
}

static void test_coalesced_controls(void **state)
{
    (void)state;
    uint8_t in[8];
    size_t len = tu_hex("00 01 02 00 01 04", in, sizeof(in));
    vpcd_decoder d;
    const uint8_t *frame;
    size_t flen;
    bool complete;

    assert_int_equal(vpcd_decoder_init(&d), SFC_OK);
    /* the first call stops right after the reset frame */
    assert_int_equal(vpcd_decoder_feed(&d, in, len, &frame, &flen, &complete),
                     3);
    assert_true(complete);
    assert_int_equal(vpcd_classify(frame, flen), VPCD_MSG_RESET);
    assert_int_equal(
        vpcd_decoder_feed(&d, in + 3, len - 3, &frame, &flen, &complete), 3);
    assert_true(complete);
    assert_int_equal(vpcd_classify(frame, flen), VPCD_MSG_GET_ATR);
    assert_true(vpcd_decoder_idle(&d));
    vpcd_decoder_free(&d);
}

static void test_partial_never_reported(void **state)
{
    (void)state;
    uint8_t in[16];
    size_t len = tu_hex("0007 00A4000C023F00", in, sizeof(in));
    vpcd_decoder d;
    const uint8_t *frame;
    size_t flen;
    bool complete;

    assert_int_equal(vpcd_decoder_init(&d), SFC_OK);
    for (size_t i = 0; i + 1 < len; i++) {
        assert_int_equal(
            vpcd_decoder_feed(&d, in + i, 1, &frame, &flen, &complete), 1);
        assert_false(complete);
        assert_null(frame);
        assert_false(vpcd_decoder_idle(&d));
    }
    vpcd_decoder_feed(&d, in + len - 1, 1, &frame, &flen, &complete);
    assert_true(complete);
    tu_assert_hex(frame, flen, "00A4000C023F00");
    vpcd_decoder_free(&d);
}

static void test_max_payload(void **state)
{
    (void)state;
    size_t len = VPCD_MAX_PAYLOAD + VPCD_HEADER_SIZE;
    uint8_t *payload = malloc(VPCD_MAX_PAYLOAD);
    uint8_t *wire = malloc(len + 3);
    size_t out_len = 0, cuts[2] = {1, 40000};
    decoded out = {0};

    for (size_t i = 0; i < VPCD_MAX_PAYLOAD; i++)
        payload[i] = (uint8_t)(i * 7 + 1);
    assert_int_equal(
        vpcd_frame_encode(payload, VPCD_MAX_PAYLOAD, wire, len, &out_len),
        SFC_OK);
    assert_int_equal(out_len, len);
    tu_assert_hex(wire, 2, "FFFF");
    memcpy(wire + len, "\x00\x01\x04", 3); /* a GET ATR right behind it */
    feed_cut(wire, len + 3, cuts, 2, &out);
    assert_int_equal(out.n, 2);
    assert_string_equal(out.hex[0], tu_tohex(payload, VPCD_MAX_PAYLOAD));
    assert_string_equal(out.hex[1], "04");
    decoded_free(&out);
    free(payload);
    free(wire);
}

static void test_zero_length_frame(void **state)
{
    (void)state;
    uint8_t in[4] = {0x00, 0x00, 0x00, 0x00};
    vpcd_decoder d;
    const uint8_t *frame;
    size_t flen = 99;
    bool complete;

    assert_int_equal(vpcd_decoder_init(&d), SFC_OK);
    assert_int_equal(vpcd_decoder_feed(&d, in, 4, &frame, &flen, &complete),
                     2);
    assert_true(complete);
    assert_int_equal(flen, 0);
    assert_int_equal(vpcd_classify(frame, flen), VPCD_MSG_EMPTY);
    assert_int_equal(
        vpcd_decoder_feed(&d, in + 2, 2, &frame, &flen, &complete), 2);
    assert_true(complete);
    assert_int_equal(flen, 0);
    vpcd_decoder_free(&d);
}

/* Random bytes: the decoder agrees with a direct reading of the stream. */
static void test_garbage(void **state)
{
    (void)state;
    uint8_t in[8192];
    decoded got = {0};
    size_t pos = 0, n_expected = 0, cuts[16];

    srand(12345);
    /* small lengths first (many frames), then anything */
    for (size_t i = 0; i < sizeof(in); i++)
        in[i] = (uint8_t)(i < 4000 ? rand() & 0x03 : rand());
    while (pos + 2 <= sizeof(in)) { /* whole frames only */
        size_t flen = ((size_t)in[pos] << 8) | in[pos + 1];
        if (pos + 2 + flen > sizeof(in))
            break;
        pos += 2 + flen;
        n_expected++;
    }
    assert_true(n_expected > 10);
    for (size_t i = 0; i < 16; i++)
        cuts[i] = i * (pos / 16) + (size_t)(rand() % 7);
    feed_cut(in, pos, cuts, 16, &got);
    assert_int_equal(got.n, n_expected);
    pos = 0;
    for (size_t i = 0; i < got.n; i++) {
        size_t flen = ((size_t)in[pos] << 8) | in[pos + 1];
        assert_string_equal(got.hex[i], tu_tohex(in + pos + 2, flen));
        pos += 2 + flen;
    }
    decoded_free(&got);
}

typedef struct classify_case {
    const char *hex;
    vpcd_msg_kind kind;
} classify_case;

static void test_classify(void **state)
{
    (void)state;
    static const classify_case cases[] = {
        {"", VPCD_MSG_EMPTY},          {"00", VPCD_MSG_POWER_OFF},
        {"01", VPCD_MSG_POWER_ON},     {"02", VPCD_MSG_RESET},
        {"04", VPCD_MSG_GET_ATR},      {"03", VPCD_MSG_UNKNOWN_CTRL},
        {"FF", VPCD_MSG_UNKNOWN_CTRL}, {"0004", VPCD_MSG_APDU},
        {"00A4", VPCD_MSG_APDU},       {"00B0000000", VPCD_MSG_APDU},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        uint8_t buf[8];
        size_t len = tu_hex(cases[i].hex, buf, sizeof(buf));
        assert_int_equal(vpcd_classify(buf, len), cases[i].kind);
    }
}

static void test_encode(void **state)
{
    (void)state;
    uint8_t out[8], payload[2] = {0x90, 0x00};
    size_t n = 0;

    assert_int_equal(vpcd_frame_encode(payload, 2, out, sizeof(out), &n),
                     SFC_OK);
    tu_assert_hex(out, n, "00029000");
    assert_int_equal(vpcd_frame_encode(payload, 0, out, sizeof(out), &n),
                     SFC_E_INVAL);
    assert_int_equal(vpcd_frame_encode(payload, 2, out, 3, &n), SFC_E_RANGE);
    assert_int_equal(vpcd_frame_encode(payload, VPCD_MAX_PAYLOAD + 1, out,
                                       sizeof(out), &n),
                     SFC_E_INVAL);
}

static void test_reset_forgets_partial(void **state)
{
    (void)state;
    uint8_t in[8];
    size_t len = tu_hex("0005 0102", in, sizeof(in));
    vpcd_decoder d;
    decoded out = {0};

    assert_int_equal(vpcd_decoder_init(&d), SFC_OK);
    feed_all(&d, in, len, &out);
    assert_int_equal(out.n, 0);
    assert_false(vpcd_decoder_idle(&d));
    vpcd_decoder_reset(&d);
    assert_true(vpcd_decoder_idle(&d));
    len = tu_hex("0001 04", in, sizeof(in));
    feed_all(&d, in, len, &out);
    assert_int_equal(out.n, 1);
    assert_string_equal(out.hex[0], "04");
    decoded_free(&out);
    vpcd_decoder_free(&d);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_whole_stream),
        cmocka_unit_test(test_split_at_every_position),
        cmocka_unit_test(test_one_byte_at_a_time),
        cmocka_unit_test(test_coalesced_controls),
        cmocka_unit_test(test_partial_never_reported),
        cmocka_unit_test(test_max_payload),
        cmocka_unit_test(test_zero_length_frame),
        cmocka_unit_test(test_garbage),
        cmocka_unit_test(test_classify),
        cmocka_unit_test(test_encode),
        cmocka_unit_test(test_reset_forgets_partial),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
