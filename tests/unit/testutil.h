/* SPDX-License-Identifier: LGPL-2.1-or-later */
/**
 * @file testutil.h
 * @brief Small helpers shared by the cmocka unit tests.
 *
 * Tests describe bytes as hex text (spaces allowed) and compare hex strings,
 * so that a failing assertion prints both sides readably.
 */
#ifndef SFC_TESTUTIL_H
#define SFC_TESTUTIL_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

/** Decode hex text (fails the test on bad hex); returns the length. */
size_t tu_hex(const char *text, uint8_t *out, size_t cap);

/** Uppercase, unspaced hex of bytes in a static rotating buffer (8 slots). */
const char *tu_tohex(const uint8_t *data, size_t len);

/** Assert that `data` equals the hex text (whitespace in `hex` ignored). */
#define tu_assert_hex(data, len, hex) \
    assert_string_equal(tu_tohex((data), (len)), tu_normhex(hex))

/** The hex text uppercased with whitespace removed (static rotating). */
const char *tu_normhex(const char *hex);

/** Read DIR/NAME into `out` (fails the test unless it has 1 to cap - 1
 *  bytes); returns its length. */
size_t tu_read_file(const char *dir, const char *name, uint8_t *out,
                    size_t cap);

#endif
