/* SPDX-License-Identifier: LGPL-2.1-or-later */
/**
 * @file errtext.c
 * @brief One-line error texts in a caller's buffer (see errtext.h).
 *
 * The text is formatted straight into the caller's buffer with vsnprintf,
 * then cleaned in place: a cut is marked with "...", control characters
 * become '?'. Nothing is allocated and nothing is logged.
 *
 * sfc_errno_text() uses the XSI strerror_r(), which the build selects with
 * _POSIX_C_SOURCE=200809L and no _GNU_SOURCE; strerror() may share one
 * buffer between threads, and the driver and libscio have threads.
 */
#include "core/errtext.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>

static const char cut_mark[] = "...";
static const char unprintable[] = "(unprintable error message)";
/** Longer than any strerror() text of glibc or musl. */
#define ERRNO_TEXT_MAX 256u

/* Replace the end of a full buffer with "..." when there is room for it. */
static void mark_cut(char *err, size_t errlen)
{
    size_t mark_len = sizeof(cut_mark) - 1;
    if (errlen > mark_len)
        memcpy(err + errlen - 1 - mark_len, cut_mark, mark_len + 1);
}

/* Control characters (C0 and DEL) become '?'; UTF-8 bytes stay. */
static void make_one_line(char *text)
{
    for (unsigned char *p = (unsigned char *)text; *p; p++) {
        if (*p < 0x20 || *p == 0x7F)
            *p = '?';
    }
}

void sfc_verrf(char *err, size_t errlen, const char *fmt, va_list ap)
{
    if (!err || errlen == 0)
        return;
    int n = fmt ? vsnprintf(err, errlen, fmt, ap) : -1;
    if (n < 0)
        n = snprintf(err, errlen, "%s", unprintable);
    if (n >= 0 && (size_t)n >= errlen)
        mark_cut(err, errlen);
    make_one_line(err);
}

void sfc_errf(char *err, size_t errlen, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    sfc_verrf(err, errlen, fmt, ap);
    va_end(ap);
}

const char *sfc_errno_text(int errnum, char *buf, size_t cap)
{
    char text[ERRNO_TEXT_MAX];
    if (!buf || cap == 0)
        return "";
    if (strerror_r(errnum, text, sizeof(text)) != 0)
        snprintf(text, sizeof(text), "error %d", errnum);
    if (text[0] && !(text[1] && isupper((unsigned char)text[1])))
        text[0] = (char)tolower((unsigned char)text[0]);
    sfc_errf(buf, cap, "%s", text);
    return buf;
}
