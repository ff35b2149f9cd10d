/* SPDX-License-Identifier: LGPL-2.1-or-later */
/**
 * @file bench_util.h
 * @brief What every benchmark program shares: a monotonic clock, hex and
 *        number parsing, latency statistics and the one-line report.
 *
 * Every timed client in bench/ (pcsc_bench, pcsc_bench_sm, scio_bench)
 * prints its result as one line of key=value pairs in the same format, so
 * that bench/run parses them all the same way:
 *
 *     apdu=00A4000C023F00 n=2000 seconds=0.123 apdu_per_s=16260.2
 *     median_us=59.1 p99_us=88.0 min_us=50.3 max_us=310.9
 *
 * (preceded by whatever identifies the contender, e.g. reader="...").
 */
#ifndef BENCH_UTIL_H
#define BENCH_UTIL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

/** Longest command APDU the clients accept on the command line. */
#define BENCH_MAX_APDU 300
/** Room for the longest response APDU (65535 bytes) and then some. */
#define BENCH_RESP_MAX 65538
/** Most --setup APDUs a client accepts. */
#define BENCH_MAX_SETUP 64

/** Monotonic time in microseconds. */
double bench_now_us(void);

/** Decode hex (even length, no spaces); false if malformed or too long. */
bool bench_parse_hex(const char *hex, uint8_t *out, size_t cap, size_t *len);

/** A decimal or 0x number up to 100,000,000; false if malformed. */
bool bench_parse_uint(const char *text, unsigned *out);

/** A status word given as four hex digits ("9000"). */
bool bench_parse_sw(const char *text, unsigned *out);

/** The status word at the end of a response (0 if shorter than 2). */
unsigned bench_sw(const uint8_t *resp, size_t len);

/** Sort `n` doubles in place, ascending. */
void bench_sort(double *v, unsigned n);

/** The p-th quantile (0..1) of `n` >= 1 sorted values, by nearest rank
 *  (index p * (n - 1), rounded). */
double bench_percentile(const double *sorted, unsigned n, double p);

/** Latencies of one timed run. */
typedef struct bench_run {
    double *lat_us;  /**< one per APDU, malloc'd */
    unsigned n;      /**< timed APDUs */
    double total_us; /**< sum of the latencies */
} bench_run;

/** Allocate room for `n` latencies; false when out of memory. */
bool bench_run_init(bench_run *r, unsigned n);
void bench_run_free(bench_run *r);

/**
 * Print the statistics of `r` as key=value pairs after `prefix` (which
 * names the contender and ends with a space, or is empty), then a newline.
 * Sorts the latencies.
 */
void bench_report(FILE *out, const char *prefix, const char *apdu_hex,
                  bench_run *r);

/** A kB figure of /proc/PID/status (`key` e.g. "VmHWM", "RssAnon") of
 *  process `pid` (0: this one), or -1 when it cannot be read. */
long bench_status_kb(int pid, const char *key);

#endif
