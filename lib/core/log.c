/* SPDX-License-Identifier: LGPL-2.1-or-later */
/**
 * @file log.c
 * @brief The process-wide log sink, level filter and hex dumps.
 *
 * The library never writes to stdout or stderr; it hands finished one-line
 * messages (without a trailing newline) to one sink installed by the
 * program. Messages are formatted into a fixed-size buffer and cut off with
 * "..." when too long, so a hostile length (an APDU, a file name from a card
 * image) can neither overflow anything nor make logging allocate without
 * bound. Hex dumps are limited to the first 4096 bytes for the same reason.
 *
 * The sink is global state: install it with sfc_log_set() before starting
 * threads. The sink itself may be called from several threads at once and
 * must be thread-safe if the program uses threads.
 */
#include "core/log.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/bytes.h"

/** Longest message passed to the sink, including the NUL. */
#define SFC_LOG_MSG_MAX 1024u
/** Bytes shown by sfc_log_hex before it cuts off. */
#define SFC_LOG_HEX_MAX 4096u
/** Longest prefix kept by sfc_log_hex. */
#define SFC_LOG_PREFIX_MAX 256u
/** Room for the note after a cut-off dump. */
#define SFC_LOG_NOTE_MAX 80u

static const char truncation_mark[] = "...";

static sfc_log_fn log_sink;
static void *log_user;
static sfc_log_level log_max_level = SFC_LOG_ERROR;

void sfc_log_set(sfc_log_fn fn, void *user, sfc_log_level max_level)
{
    log_sink = fn;
    log_user = user;
    log_max_level = max_level;
}

bool sfc_log_enabled(sfc_log_level level)
{
    return log_sink != NULL && level <= log_max_level;
}

void sfc_log(sfc_log_level level, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    sfc_vlog(level, fmt, ap);
    va_end(ap);
}

/** Replace the end of a full buffer with "..." to show it was cut. */
static void mark_truncated(char *msg, size_t size)
{
    size_t mark_len = sizeof(truncation_mark) - 1;
    memcpy(msg + size - 1 - mark_len, truncation_mark, mark_len + 1);
}

void sfc_vlog(sfc_log_level level, const char *fmt, va_list ap)
{
    if (!sfc_log_enabled(level) || !fmt)
        return;
    char msg[SFC_LOG_MSG_MAX];
    int n = vsnprintf(msg, sizeof(msg), fmt, ap);
    if (n < 0)
        snprintf(msg, sizeof(msg), "(unprintable log message: %s)", fmt);
    else if ((size_t)n >= sizeof(msg))
        mark_truncated(msg, sizeof(msg));
    log_sink(log_user, level, msg);
}

/* ---- hex dumps -------------------------------------------------------- */

/** Copy the prefix (cut to SFC_LOG_PREFIX_MAX) and a separating space. */
static size_t write_prefix(char *out, const char *prefix)
{
    size_t n = prefix ? strnlen(prefix, SFC_LOG_PREFIX_MAX) : 0;
    memcpy(out, prefix ? prefix : "", n);
    if (n > 0 && out[n - 1] != ' ')
        out[n++] = ' ';
    out[n] = '\0';
    return n;
}

void sfc_log_hex(sfc_log_level level, const char *prefix, const uint8_t *data,
                size_t len)
{
    if (!sfc_log_enabled(level))
        return;
    size_t shown = len < SFC_LOG_HEX_MAX ? len : SFC_LOG_HEX_MAX;
    if (!data)
        shown = len = 0;
    size_t size = SFC_LOG_PREFIX_MAX + 1 + 3 * SFC_LOG_HEX_MAX + SFC_LOG_NOTE_MAX;
    char *msg = malloc(size);
    if (!msg) {
        sfc_log(level, "%s(%zu bytes, no memory to dump them)",
               prefix ? prefix : "", len);
        return;
    }
    size_t n = write_prefix(msg, prefix);
    if (len == 0)
        snprintf(msg + n, size - n, "(empty)");
    else
        n += hex_encode(data, shown, HEX_UPPER | HEX_SPACED, msg + n, size - n);
    if (shown < len)
        snprintf(msg + n, size - n, " ... (%zu bytes, first %u shown)", len,
                 SFC_LOG_HEX_MAX);
    log_sink(log_user, level, msg);
    free(msg);
}
