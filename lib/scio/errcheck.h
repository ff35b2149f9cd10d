/* SPDX-License-Identifier: LGPL-2.1-or-later */
/**
 * @file errcheck.h
 * @brief Status-word checker tables (sw_tables.c) and chains (errcheck.c).
 */
#ifndef SCIO_ERRCHECK_H
#define SCIO_ERRCHECK_H

#include <stddef.h>
#include <stdint.h>

#include "scio.h"

/** One row: SW1, an inclusive SW2 range, the class and the text. */
typedef struct sw_rule {
    uint8_t sw1, sw2_lo, sw2_hi;
    scio_sw_class cls;
    const char *message;
} sw_rule;

struct scio_sw_checker {
    const char *name;
    const sw_rule *rules;
    size_t n;
};

#endif
