/* SPDX-License-Identifier: LGPL-2.1-or-later */
/**
 * @file errtext.h
 * @brief One-line error texts written into a caller's buffer.
 *
 * A function that can fail for a reason worth telling a person takes a
 * `(char *err, size_t errlen)` pair and fills it with one line: a cause
 * and, where it helps, a hint in parentheses; no program name, no trailing
 * newline. Such buffers are written with these helpers only, so that every
 * one of them follows the same rules:
 *
 *  - `err` may be NULL and `errlen` 0: the caller does not want the text,
 *    and nothing is written;
 *  - the text is always NUL-terminated, and cut with "..." when it does not
 *    fit (buffers of fewer than 4 bytes are cut without the mark);
 *  - control characters (a newline in a file name, an escape sequence from
 *    a card image) become '?', so the text stays one line on a terminal or
 *    in a log. Bytes from 0x80 up are kept (UTF-8).
 *
 * A caller that adds a prefix ("softcard: ", a file name) wraps sfc_verrf()
 * in a thin function of its own.
 */
#ifndef SFC_CORE_ERRTEXT_H
#define SFC_CORE_ERRTEXT_H

#include <stdarg.h>
#include <stddef.h>

/** Format a one-line error into `err` (see the rules above). */
void sfc_errf(char *err, size_t errlen, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/** sfc_errf() with a va_list, for wrappers. */
void sfc_verrf(char *err, size_t errlen, const char *fmt, va_list ap)
    __attribute__((format(printf, 3, 0)));

/**
 * The text of an errno value for the middle of a sentence ("connection
 * refused"), written into `buf` under the same rules, thread-safe (no
 * static buffer). Returns `buf`, or "" when `buf` is NULL or `cap` 0.
 */
const char *sfc_errno_text(int errnum, char *buf, size_t cap);

#endif
