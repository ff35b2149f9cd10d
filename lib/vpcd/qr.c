/* SPDX-License-Identifier: LGPL-2.1-or-later */
/**
 * @file qr.c
 * @brief Terminal rendering of QR codes with libqrencode and half blocks.
 *
 * A terminal cell is about twice as tall as wide, so one character shows
 * two module rows: upper half block, lower half block, full block or space.
 * With VPCD_QR_ANSI the light modules are drawn as white blocks on an
 * explicit black background, which scans whatever the terminal's colour
 * scheme; without it the dark modules are drawn, which suits plain text
 * viewed on a light background. The quiet zone is part of the drawing.
 */
#include "vpcd/qr.h"

#include <errno.h>
#include <qrencode.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "core/bytes.h"

static const char glyph_none[] = " ";
static const char glyph_upper[] = "\xE2\x96\x80"; /* U+2580 ▀ */
static const char glyph_lower[] = "\xE2\x96\x84"; /* U+2584 ▄ */
static const char glyph_full[] = "\xE2\x96\x88";  /* U+2588 █ */
static const char ansi_on[] = "\x1b[40;97m";
static const char ansi_off[] = "\x1b[0m";

/* Dark module at (x, y) of the padded drawing (outside the symbol: light). */
static bool is_dark(const QRcode *qr, int x, int y)
{
    x -= VPCD_QR_QUIET;
    y -= VPCD_QR_QUIET;
    if (x < 0 || y < 0 || x >= qr->width || y >= qr->width)
        return false;
    return qr->data[y * qr->width + x] & 1;
}

/* Whether the module is drawn (foreground) rather than left blank. */
static bool inked(const QRcode *qr, int x, int y, unsigned flags)
{
    int side = qr->width + 2 * VPCD_QR_QUIET;
    if (y >= side) /* the half line below an odd-sized drawing */
        return false;
    bool dark = is_dark(qr, x, y);
    return (flags & VPCD_QR_ANSI) ? !dark : dark;
}

static void render_line(sfc_buf *b, const QRcode *qr, int y, unsigned flags)
{
    int side = qr->width + 2 * VPCD_QR_QUIET;

    if (flags & VPCD_QR_ANSI)
        buf_put(b, ansi_on, sizeof(ansi_on) - 1);
    for (int x = 0; x < side; x++) {
        bool top = inked(qr, x, y, flags), bottom = inked(qr, x, y + 1, flags);
        const char *g = top && bottom ? glyph_full
                        : top         ? glyph_upper
                        : bottom      ? glyph_lower
                                      : glyph_none;
        buf_put(b, g, strlen(g));
    }
    if (flags & VPCD_QR_ANSI)
        buf_put(b, ansi_off, sizeof(ansi_off) - 1);
    buf_put_u8(b, '\n');
}

sfc_err vpcd_qr_render(const char *text, unsigned flags, char **out)
{
    sfc_buf b;
    QRcode *qr;
    int side;

    *out = NULL;
    errno = 0;
    qr = QRcode_encodeString(text, 0, QR_ECLEVEL_L, QR_MODE_8, 1);
    if (!qr)
        return errno == ENOMEM ? SFC_E_NOMEM : SFC_E_RANGE;
    side = qr->width + 2 * VPCD_QR_QUIET;
    buf_init(&b);
    for (int y = 0; y < side; y += 2)
        render_line(&b, qr, y, flags);
    buf_put_u8(&b, '\0');
    QRcode_free(qr);
    if (b.failed) {
        buf_free(&b);
        return SFC_E_NOMEM;
    }
    *out = (char *)b.data; /* ownership passes to the caller */
    return SFC_OK;
}
