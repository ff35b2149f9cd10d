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
#ifndef SC_CORE_LOG_H
#define SC_CORE_LOG_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef enum sc_log_level {
    SC_LOG_ERROR = 0,
    SC_LOG_WARN = 1,
    SC_LOG_INFO = 2,
    SC_LOG_APDU = 3,
    SC_LOG_DEBUG = 4
} sc_log_level;

typedef void (*sc_log_fn)(void *user, sc_log_level level, const char *msg);

/** Install a sink and the highest level it receives (NULL fn = discard). */
void sc_log_set(sc_log_fn fn, void *user, sc_log_level max_level);

/** True if a message at `level` would reach the sink. */
bool sc_log_enabled(sc_log_level level);

void sc_log(sc_log_level level, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
void sc_vlog(sc_log_level level, const char *fmt, va_list ap)
    __attribute__((format(printf, 2, 0)));

/**
 * Log `prefix` followed by the bytes in hex (truncated after 4096 bytes).
 * The hex is uppercase and spaced; a space is added after a non-empty
 * prefix that does not end in one ("C-APDU" -> "C-APDU 00 A4 ...").
 */
void sc_log_hex(sc_log_level level, const char *prefix, const uint8_t *data,
                size_t len);

#endif
