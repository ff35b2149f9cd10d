/* SPDX-License-Identifier: LGPL-2.1-or-later */
/**
 * @file test_core_errtext.c
 * @brief Unit tests for the one-line error texts: formatting, callers that
 *        want no text, cutting with "...", control characters, prefixing
 *        wrappers and errno texts.
 */
#include "testutil.h"

#include <errno.h>
#include <string.h>
#include <wchar.h>

#include "core/errtext.h"

static void test_formats(void **state)
{
    (void)state;
    char err[64];
    sfc_errf(err, sizeof(err), "port %u with %u slots goes past %s", 65535u,
             2u, "65535");
    assert_string_equal(err, "port 65535 with 2 slots goes past 65535");
    sfc_errf(err, sizeof(err), "%s", "");
    assert_string_equal(err, "");
}

static void test_no_buffer(void **state)
{
    (void)state;
    char err[8] = "keep";
    sfc_errf(NULL, 0, "nobody reads %s", "this");
    sfc_errf(NULL, 16, "nor %s", "this");
    sfc_errf(err, 0, "nor %s", "this");
    assert_string_equal(err, "keep");
}

static void test_cut_with_mark(void **state)
{
    (void)state;
    char err[16];
    sfc_errf(err, sizeof(err), "%s", "exactly 15 char");
    assert_string_equal(err, "exactly 15 char");
    sfc_errf(err, sizeof(err), "%s", "sixteen chars ab");
    assert_string_equal(err, "sixteen char...");
    sfc_errf(err, 4, "abcd");
    assert_string_equal(err, "...");
    sfc_errf(err, 4, "abc");
    assert_string_equal(err, "abc");
}

static void test_tiny_buffers(void **state)
{
    (void)state;
    char err[4] = "xyz";
    sfc_errf(err, 1, "abc");
    assert_string_equal(err, "");
    sfc_errf(err, 2, "abc");
    assert_string_equal(err, "a");
    sfc_errf(err, 3, "abc");
    assert_string_equal(err, "ab");
}

static void test_one_line(void **state)
{
    (void)state;
    char err[64];
    sfc_errf(err, sizeof(err), "cannot read %s: %s", "a\nb\r\tc\x1b[2J\x7f",
             "gone");
    assert_string_equal(err, "cannot read a?b??c?[2J?: gone");
    sfc_errf(err, sizeof(err), "caf\xc3\xa9 %s", "\xe2\x82\xac");
    assert_string_equal(err, "caf\xc3\xa9 \xe2\x82\xac");
}

/* In the C locale a wide character beyond ASCII cannot be printed. */
static void test_unprintable(void **state)
{
    (void)state;
    char err[64];
    sfc_errf(err, sizeof(err), "name %ls", L"caf\u00e9");
    assert_string_equal(err, "(unprintable error message)");
    sfc_errf(err, 8, "name %ls", L"caf\u00e9");
    assert_string_equal(err, "(unp...");
}

/* The shape of a caller's prefixing wrapper. */
static void prefixed(char *err, size_t errlen, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void prefixed(char *err, size_t errlen, const char *fmt, ...)
{
    char msg[32];
    va_list ap;
    va_start(ap, fmt);
    sfc_verrf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    sfc_errf(err, errlen, "tool: %s", msg);
}

static void test_wrapper(void **state)
{
    (void)state;
    char err[64];
    prefixed(err, sizeof(err), "option -%c: '%s' is not a number", 't', "x");
    assert_string_equal(err, "tool: option -t: 'x' is not a number");
    prefixed(err, 12, "option -%c", 't');
    assert_string_equal(err, "tool: op...");
    prefixed(NULL, 0, "option -%c", 't');
}

static void test_errno_text(void **state)
{
    (void)state;
    char buf[64];
    assert_ptr_equal(sfc_errno_text(ECONNREFUSED, buf, sizeof(buf)), buf);
    assert_string_equal(buf, "connection refused");
    assert_string_equal(sfc_errno_text(ENOENT, buf, sizeof(buf)),
                        "no such file or directory");
    assert_true(strlen(sfc_errno_text(123456, buf, sizeof(buf))) > 0);
    assert_string_equal(sfc_errno_text(ECONNREFUSED, buf, 8), "conn...");
    assert_string_equal(sfc_errno_text(ENOENT, NULL, 0), "");
    assert_string_equal(sfc_errno_text(ENOENT, buf, 0), "");
    assert_string_equal(buf, "conn...");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_formats),
        cmocka_unit_test(test_no_buffer),
        cmocka_unit_test(test_cut_with_mark),
        cmocka_unit_test(test_tiny_buffers),
        cmocka_unit_test(test_one_line),
        cmocka_unit_test(test_unprintable),
        cmocka_unit_test(test_wrapper),
        cmocka_unit_test(test_errno_text),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
