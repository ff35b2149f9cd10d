/* SPDX-License-Identifier: LGPL-2.1-or-later */
/**
 * @file scio_itest.h
 * @brief The libscio integration-test driver: shared helpers.
 *
 * scio_itest runs one scenario against live cards (softcard processes
 * started by the calling test script) through pcscd or the direct
 * backend, printing "ok: ..." per check and exiting 1 at the first
 * failure with "FAIL: ...". The same scenario code runs against both
 * backends: only the context options differ.
 */
#ifndef SCIO_ITEST_H
#define SCIO_ITEST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "scio.h"

#define R0 "Virtual PCD 00 00"
#define R1 "Virtual PCD 00 01"

/** Command-line settings of the driver. */
typedef struct itest {
    scio_context *ctx;
    scio_backend backend;
    const char *card_log;  /**< log of the softcard process (-vv) */
    const char *control;   /**< its control socket */
    const char *flag_dir;  /**< directory for go/ready files */
} itest;

void it_fail(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));
void it_ok(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/** Check a status; fails with the status text. */
void it_status(scio_status got, scio_status want, const char *what);
#define IT_OK(call, what) it_status((call), SCIO_OK, (what))

uint64_t it_now_ms(void);
void it_sleep_ms(unsigned ms);

/** Send "LINE" to the softcard control socket; fails unless "ok". */
void it_control(const itest *t, const char *line);

/** Lines of the card log containing `text`. */
unsigned it_log_count(const itest *t, const char *text);

/** Wait up to `ms` until it_log_count(text) >= `n`; fails otherwise. */
void it_log_wait(const itest *t, const char *text, unsigned n, unsigned ms);

/** Wait until `reader` holds a card (present) or not, up to `ms`. */
void it_wait_presence(const itest *t, const char *reader, bool present,
                      unsigned ms);

/** Connect to `reader` SHARED, T=0|T=1, LEAVE. */
scio_connection *it_connect(const itest *t, const char *reader);

/** Transmit hex; check the status word; returns the data length. */
size_t it_apdu(scio_connection *c, const char *hex, uint16_t want_sw,
               uint8_t *data, size_t cap);

/* ---- scenarios (return 0 on success) ---------------------------------- */

int it_connection(itest *t);
int it_t0(itest *t);
int it_dispositions(itest *t);
int it_timeouts(itest *t);
int it_new_card(itest *t);
int it_cancel(itest *t);
int it_events(itest *t);
int it_monitors(itest *t);
int it_restart(itest *t);

#endif
