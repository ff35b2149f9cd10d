/* SPDX-License-Identifier: LGPL-2.1-or-later */
/**
 * @file bench_pcsc.h
 * @brief PC/SC plumbing of the benchmark clients: connect to one reader
 *        after waiting for its card, transmit, wait for presence or
 *        absence with pcscd's events.
 *
 * Waits use SCardGetStatusChange with a timeout: pcscd wakes the client as
 * soon as it has noticed the change, so the time a wait ends is the time
 * pcscd learnt about the card (plus one local IPC message).
 */
#ifndef BENCH_PCSC_H
#define BENCH_PCSC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <winscard.h>

typedef struct bench_pcsc {
    SCARDCONTEXT ctx;
    SCARDHANDLE card;
    const SCARD_IO_REQUEST *pci;
    bool connected;
    const char *name; /**< program name, for messages */
} bench_pcsc;

/** Print a PC/SC failure; returns 1. */
int bench_pcsc_fail(const char *name, const char *what, LONG rv);

/**
 * Wait until `reader` holds a card (`present`) or is empty, at most
 * `timeout_ms`. 0 when it does, 1 on timeout or error (printed).
 */
int bench_pcsc_wait(const char *name, SCARDCONTEXT ctx, const char *reader,
                    bool present, unsigned timeout_ms);

/** Establish a context, wait up to `wait_s` for a card, connect shared
 *  with T=0 or T=1. 0 or 1 (printed). */
int bench_pcsc_open(bench_pcsc *p, const char *name, const char *reader,
                    unsigned wait_s);

void bench_pcsc_close(bench_pcsc *p);

/** bench_tx_fn over an open bench_pcsc (ctx). */
int bench_pcsc_tx(void *ctx, const uint8_t *c, size_t clen, uint8_t *r,
                  size_t cap, size_t *rlen);

#endif
