/* SPDX-License-Identifier: LGPL-2.1-or-later */
/**
 * @file log.h
 * @brief Process-wide logging through one replaceable sink.
 *
 * Library code logs through these functions and never prints by itself; the
 * default sink discards everything. The softcard command installs a sink that
 * writes to stderr or a log file. Levels follow the command line: -v warnings,
 * -vv info (connections, power events), -vvv APDUs, -vvvv debug (frames).
 * Secret data (PINs, keys) is never passed to the logger unmasked.
 */
#ifndef SFC_CORE_LOG_H
#define SFC_CORE_LOG_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "softcard.h"


typedef void (*sfc_log_fn)(void *user, sfc_log_level level, const char *msg);

/** Install a sink and the highest level it receives (NULL fn = discard). */
void sfc_log_set(sfc_log_fn fn, void *user, sfc_log_level max_level);

/** True if a message at `level` would reach the sink. */
bool sfc_log_enabled(sfc_log_level level);

void sfc_log(sfc_log_level level, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
void sfc_vlog(sfc_log_level level, const char *fmt, va_list ap)
    __attribute__((format(printf, 2, 0)));

/**
 * Log `prefix` followed by the bytes in hex (truncated after 4096 bytes).
 * The hex is uppercase and spaced; a space is added after a non-empty
 * prefix that does not end in one ("C-APDU" -> "C-APDU 00 A4 ...").
 */
void sfc_log_hex(sfc_log_level level, const char *prefix, const uint8_t *data,
                size_t len);

#endif
