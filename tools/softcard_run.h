/* SPDX-License-Identifier: LGPL-2.1-or-later */
/**
 * @file softcard_run.h
 * @brief Running the softcard command: logging, cards, links, the loop.
 */
#ifndef SOFTCARD_RUN_H
#define SOFTCARD_RUN_H

#include "softcard_cli.h"
#include "vpcd/link.h"

/** The vpcd_card_ops that bind a link to an sfc_card. */
extern const vpcd_card_ops softcard_card_ops;

/**
 * Log line "2025-01-31 12:00:00.123 [ERROR] message" for `level` and
 * `msg`, written to `out` (at least 64 + strlen(msg) bytes).
 */
void softcard_format_log(char *out, size_t cap, sfc_log_level level,
                         const char *msg);

/**
 * Run the cards described by `o` until stopped. Prints the reversed-mode
 * URLs and QR codes to stdout and one-line errors to stderr. Returns the
 * exit status (0 stopped cleanly, 1 runtime failure, 2 usage error).
 */
int softcard_run(const softcard_opts *o);

#endif
