/* SPDX-License-Identifier: LGPL-2.1-or-later */
/**
 * @file testutil.c
 * @brief Hex helpers for the unit tests (see testutil.h).
 */
#include "testutil.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include "core/bytes.h"

#define TU_SLOTS 8
#define TU_SLOT_SIZE (2 * 70000 + 1)

static char tu_slots[TU_SLOTS][TU_SLOT_SIZE];
static unsigned tu_next;

static char *tu_slot(void)
{
    char *s = tu_slots[tu_next];
    tu_next = (tu_next + 1) % TU_SLOTS;
    return s;
}

size_t tu_hex(const char *text, uint8_t *out, size_t cap)
{
    size_t n = 0;
    const char *norm = tu_normhex(text);
    assert_int_equal(hex_decode(norm, out, cap, &n), SFC_OK);
    return n;
}

const char *tu_tohex(const uint8_t *data, size_t len)
{
    char *s = tu_slot();
    assert_true(2 * len + 1 <= TU_SLOT_SIZE);
    if (len == 0) {
        s[0] = '\0';
        return s;
    }
    assert_true(hex_encode(data, len, HEX_UPPER, s, TU_SLOT_SIZE) == 2 * len);
    return s;
}

const char *tu_normhex(const char *hex)
{
    char *s = tu_slot();
    size_t n = 0;
    for (; *hex && n + 1 < TU_SLOT_SIZE; hex++) {
        if (isspace((unsigned char)*hex))
            continue;
        s[n++] = (char)toupper((unsigned char)*hex);
    }
    s[n] = '\0';
    return s;
}

size_t tu_read_file(const char *dir, const char *name, uint8_t *out,
                    size_t cap)
{
    char path[512];
    assert_true(snprintf(path, sizeof(path), "%s/%s", dir, name) <
                (int)sizeof(path));
    FILE *f = fopen(path, "rb");
    assert_non_null(f);
    size_t n = fread(out, 1, cap, f);
    fclose(f);
    assert_true(n > 0 && n < cap);
    return n;
}
