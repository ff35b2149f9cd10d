/* SPDX-License-Identifier: LGPL-2.1-or-later */
/**
 * @file test_vpcd_qr.c
 * @brief Unit tests of the terminal QR renderer (lib/vpcd/qr.c) and the
 *        address helpers (lib/vpcd/addr.c).
 *
 * The rendered text is parsed back into a module matrix and compared with
 * libqrencode's symbol, so the test checks the drawing (half blocks, quiet
 * zone, colours) rather than the encoder.
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <qrencode.h>
#include <stdlib.h>
#include <string.h>

#include "testutil.h"
#include "vpcd/addr.h"
#include "vpcd/qr.h"

#define SIDE_MAX 200

/* Decode one glyph at *p into top/bottom ink; advances *p. */
static void glyph(const char **p, bool *top, bool *bottom)
{
    static const struct {
        const char *g;
        bool top, bottom;
    } glyphs[] = {{"\xE2\x96\x88", true, true},
                  {"\xE2\x96\x80", true, false},
                  {"\xE2\x96\x84", false, true},
                  {" ", false, false}};
    for (size_t i = 0; i < 4; i++) {
        size_t n = strlen(glyphs[i].g);
        if (strncmp(*p, glyphs[i].g, n) == 0) {
            *p += n;
            *top = glyphs[i].top;
            *bottom = glyphs[i].bottom;
            return;
        }
    }
    fail_msg("unexpected character in QR drawing: %02X", (unsigned char)**p);
}

/* Parse the drawing into ink[y][x]; returns the width in modules. */
static int parse(const char *text, bool ansi, bool ink[SIDE_MAX][SIDE_MAX],
                 int *rows)
{
    int width = -1, y = 0;
    const char *p = text;

    while (*p) {
        int x = 0;
        if (ansi) {
            assert_true(strncmp(p, "\x1b[40;97m", 8) == 0);
            p += 8;
        }
        while (*p && *p != '\n' && *p != '\x1b') {
            assert_true(x < SIDE_MAX && y + 1 < SIDE_MAX);
            glyph(&p, &ink[y][x], &ink[y + 1][x]);
            x++;
        }
        if (ansi) {
            assert_true(strncmp(p, "\x1b[0m", 4) == 0);
            p += 4;
        }
        assert_int_equal(*p, '\n');
        p++;
        assert_true(width < 0 || width == x);
        width = x;
        y += 2;
    }
    *rows = y;
    return width;
}

static void check_render(const char *url, unsigned flags)
{
    static bool ink[SIDE_MAX][SIDE_MAX];
    char *text = NULL;
    int rows;
    QRcode *qr = QRcode_encodeString(url, 0, QR_ECLEVEL_L, QR_MODE_8, 1);

    assert_non_null(qr);
    memset(ink, 0, sizeof(ink));
    assert_int_equal(vpcd_qr_render(url, flags, &text), SFC_OK);
    int side = parse(text, flags & VPCD_QR_ANSI, ink, &rows);
    assert_int_equal(side, qr->width + 2 * VPCD_QR_QUIET);
    assert_int_equal(rows, (side + 1) / 2 * 2);
    for (int y = 0; y < side; y++) {
        for (int x = 0; x < side; x++) {
            int mx = x - VPCD_QR_QUIET, my = y - VPCD_QR_QUIET;
            bool dark = mx >= 0 && my >= 0 && mx < qr->width &&
                        my < qr->width && (qr->data[my * qr->width + mx] & 1);
            /* ANSI: light modules drawn (white on black); plain: dark */
            bool want = (flags & VPCD_QR_ANSI) ? !dark : dark;
            assert_int_equal(ink[y][x], want);
        }
    }
    QRcode_free(qr);
    free(text);
}

static void test_qr_plain(void **state)
{
    (void)state;
    check_render("vicc://127.0.0.1:35963", 0);
    check_render("vicc://[fd00:1234:5678::abcd]:35963", 0);
}

static void test_qr_ansi(void **state)
{
    (void)state;
    check_render("vicc://192.168.100.200:35964", VPCD_QR_ANSI);
}

static void test_qr_too_long(void **state)
{
    (void)state;
    char *big = malloc(8000), *text = (char *)1;
    memset(big, 'x', 7999);
    big[7999] = '\0';
    assert_int_equal(vpcd_qr_render(big, 0, &text), SFC_E_RANGE);
    assert_null(text);
    free(big);
}

static void test_url_and_hostport(void **state)
{
    (void)state;
    char out[80];

    assert_int_equal(vpcd_url("vicc", "10.0.0.5", 35963, out, sizeof(out)),
                     SFC_OK);
    assert_string_equal(out, "vicc://10.0.0.5:35963");
    assert_int_equal(vpcd_url("vicc", "::1", 1, out, sizeof(out)), SFC_OK);
    assert_string_equal(out, "vicc://[::1]:1");
    assert_int_equal(vpcd_url("vicc", "10.0.0.5", 35963, out, 10),
                     SFC_E_RANGE);
    vpcd_hostport("localhost", 35964, out, sizeof(out));
    assert_string_equal(out, "localhost:35964");
}

static void test_addr_format_and_wildcard(void **state)
{
    (void)state;
    struct sockaddr_in v4 = {.sin_family = AF_INET, .sin_port = htons(80)};
    struct sockaddr_in6 v6 = {.sin6_family = AF_INET6,
                              .sin6_port = htons(443)};
    char out[VPCD_ADDR_TEXT_MAX];

    assert_true(vpcd_addr_is_wildcard((struct sockaddr *)&v4));
    assert_true(vpcd_addr_is_wildcard((struct sockaddr *)&v6));
    vpcd_addr_format((struct sockaddr *)&v6, out, sizeof(out));
    assert_string_equal(out, "[::]:443");
    v4.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    v6.sin6_addr = in6addr_loopback;
    assert_false(vpcd_addr_is_wildcard((struct sockaddr *)&v4));
    assert_false(vpcd_addr_is_wildcard((struct sockaddr *)&v6));
    vpcd_addr_format((struct sockaddr *)&v4, out, sizeof(out));
    assert_string_equal(out, "127.0.0.1:80");
    assert_int_equal(vpcd_addr_port((struct sockaddr *)&v6), 443);
}

static void test_local_address(void **state)
{
    (void)state;
    char out[VPCD_ADDR_TEXT_MAX];
    struct in6_addr a6;
    struct in_addr a4;

    vpcd_local_address(out, sizeof(out));
    assert_true(inet_pton(AF_INET, out, &a4) == 1 ||
                inet_pton(AF_INET6, out, &a6) == 1);
    assert_true(strcmp(out, "::1") != 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_qr_plain),
        cmocka_unit_test(test_qr_ansi),
        cmocka_unit_test(test_qr_too_long),
        cmocka_unit_test(test_url_and_hostport),
        cmocka_unit_test(test_addr_format_and_wildcard),
        cmocka_unit_test(test_local_address),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
