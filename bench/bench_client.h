/* SPDX-License-Identifier: LGPL-2.1-or-later */
/**
 * @file bench_client.h
 * @brief The measuring loop shared by the APDU clients (pcsc_bench through
 *        pcscd, scio_bench through libscio's direct backend): options,
 *        set-up commands, warm-up, timed run and report.
 *
 * A client supplies a transmit function and its own way of reaching the
 * card; everything else is common, so that the numbers of different paths
 * are taken the same way.
 *
 * Several cards ("targets") can be measured at once: their APDUs are then
 * interleaved one by one (target 0, 1, 0, 1, ... with the first one
 * rotating), so that every target sees the same machine at the same time
 * and their ratio does not depend on what else the machine did during the
 * run. Each target's APDU/s is N divided by the sum of its own latencies.
 * Options understood by every client:
 *
 *   -a, --apdu HEX      the command APDU (default 0084000008)
 *   -n, --count N       timed APDUs (default 2000)
 *   -w, --warmup N      untimed APDUs first (default 200)
 *       --sw SW         expected status word (default 9000)
 *       --setup HEX     a command sent once before the warm-up
 *                       (repeatable, in order); it must answer 9000, or
 *                       6A89 (file already exists) so that creating a file
 *                       is idempotent
 *       --wait SECONDS  wait this long for a card (default 10)
 */
#ifndef BENCH_CLIENT_H
#define BENCH_CLIENT_H

#include <getopt.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "bench_util.h"

/** Send one command, receive the response (data + SW) into `r`. 0 or -1
 *  (the transmit function prints why). */
typedef int (*bench_tx_fn)(void *ctx, const uint8_t *c, size_t clen,
                           uint8_t *r, size_t cap, size_t *rlen);

/** Most targets one client measures at once. */
#define BENCH_MAX_TARGETS 8

/** One card to measure: how to reach it and what its report line starts
 *  with (e.g. reader="..." and a space). */
typedef struct bench_target {
    bench_tx_fn tx;
    void *ctx;
    char prefix[320];
} bench_target;

typedef struct bench_opts {
    uint8_t apdu[BENCH_MAX_APDU];
    size_t apdu_len;
    const char *apdu_hex;
    unsigned n;
    unsigned warmup;
    unsigned sw;       /**< expected status word */
    unsigned wait_s;   /**< wait this long for a card first */
    const char *setup[BENCH_MAX_SETUP];
    size_t n_setup;
} bench_opts;

/** getopt_long entries of the common options (short letters a, n, w). */
#define BENCH_COMMON_SHORTOPTS "a:n:w:"
#define BENCH_COMMON_LONGOPTS                                              \
    {"apdu", required_argument, NULL, 'a'},                                \
    {"count", required_argument, NULL, 'n'},                               \
    {"warmup", required_argument, NULL, 'w'},                              \
    {"sw", required_argument, NULL, 1001},                                 \
    {"setup", required_argument, NULL, 1002},                              \
    {"wait", required_argument, NULL, 1003}

/** The usage lines of the common options. */
extern const char bench_common_usage[];

/** Defaults: GET CHALLENGE of 8 bytes, 2000 + 200, 9000, 10 s. */
void bench_opts_default(bench_opts *o);

/**
 * Handle option `c` (from getopt_long) if it is a common one: 1 if taken,
 * 0 if not a common option, -1 if its value is bad.
 */
int bench_opts_handle(bench_opts *o, int c, const char *arg);

/**
 * Send the --setup commands to every target, then measure: warm-up, N
 * timed APDUs per target (interleaved), one report line per target on
 * stdout, in the order of `t`. Any transport failure or unexpected status
 * word stops with 1 and a message on stderr, so a broken contender never
 * yields a number. `name` prefixes messages.
 */
int bench_client_run(const char *name, const bench_opts *o,
                     const bench_target *t, size_t n_targets);

#endif
