/* SPDX-License-Identifier: LGPL-2.1-or-later */
/**
 * @file bench_util.c
 * @brief Clock, parsing, statistics and the report line of the benchmark
 *        programs.
 *
 * Latencies are kept one per APDU and sorted once at the end; the median
 * and the 99th percentile are read off the sorted array (nearest rank).
 * Throughput is the number of timed APDUs divided by the sum of their
 * latencies (which also holds when several cards are measured
 * interleaved).
 */
#include "bench_util.h"

#include "core/bytes.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

double bench_now_us(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e6 + (double)ts.tv_nsec / 1e3;
}

/* Non-empty hex through the project's decoder (lib/core/bytes.h). */
bool bench_parse_hex(const char *hex, uint8_t *out, size_t cap, size_t *len)
{
    return hex[0] != '\0' && hex_decode(hex, out, cap, len) == SFC_OK &&
           *len > 0;
}

bool bench_parse_uint(const char *text, unsigned *out)
{
    char *end = NULL;
    unsigned long v = strtoul(text, &end, 0);
    if (!end || *end != '\0' || end == text || v > 100000000ul)
        return false;
    *out = (unsigned)v;
    return true;
}

bool bench_parse_sw(const char *text, unsigned *out)
{
    uint8_t sw[2];
    size_t len = 0;
    if (!bench_parse_hex(text, sw, sizeof(sw), &len) || len != 2)
        return false;
    *out = (unsigned)(sw[0] << 8 | sw[1]);
    return true;
}

unsigned bench_sw(const uint8_t *resp, size_t len)
{
    return len >= 2 ? (unsigned)(resp[len - 2] << 8 | resp[len - 1]) : 0;
}

bool bench_run_init(bench_run *r, unsigned n)
{
    r->n = n;
    r->total_us = 0;
    r->lat_us = malloc(sizeof(double) * (n ? n : 1));
    return r->lat_us != NULL;
}

void bench_run_free(bench_run *r)
{
    free(r->lat_us);
    r->lat_us = NULL;
}

static int compare_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

void bench_sort(double *v, unsigned n)
{
    qsort(v, n, sizeof(v[0]), compare_double);
}

double bench_percentile(const double *sorted, unsigned n, double p)
{
    size_t i = (size_t)(p * (n - 1) + 0.5);
    return sorted[i < n ? i : n - 1];
}

void bench_report(FILE *out, const char *prefix, const char *apdu_hex,
                  bench_run *r)
{
    bench_sort(r->lat_us, r->n);
    fprintf(out, "%sapdu=%s n=%u seconds=%.6f apdu_per_s=%.1f "
            "median_us=%.1f p99_us=%.1f min_us=%.1f max_us=%.1f\n",
            prefix, apdu_hex, r->n, r->total_us / 1e6,
            r->n / (r->total_us / 1e6),
            bench_percentile(r->lat_us, r->n, 0.5),
            bench_percentile(r->lat_us, r->n, 0.99), r->lat_us[0],
            r->lat_us[r->n - 1]);
}

long bench_status_kb(int pid, const char *key)
{
    char path[64], line[256];
    size_t klen = strlen(key);
    long kb = -1;
    if (pid > 0)
        snprintf(path, sizeof(path), "/proc/%d/status", pid);
    else
        snprintf(path, sizeof(path), "/proc/self/status");
    FILE *f = fopen(path, "r");
    if (!f)
        return -1;
    while (fgets(line, sizeof(line), f))
        if (strncmp(line, key, klen) == 0 && line[klen] == ':')
            kb = strtol(line + klen + 1, NULL, 10);
    fclose(f);
    return kb;
}
