/* SPDX-License-Identifier: LGPL-2.1-or-later */
/**
 * @file pcsc_bench.c
 * @brief APDU round trips through PC/SC: throughput and latency of one
 *        reader, as seen by an application.
 *
 * Connects to one reader through libpcsclite (pcscd, the reader driver and
 * the card are whatever the caller set up), sends the --setup commands,
 * a warm-up run of APDUs, then times N more one by one with
 * CLOCK_MONOTONIC. With several -r, the readers are measured together,
 * their APDUs interleaved one by one (bench_client.h), which makes their
 * ratio immune to what else the machine does meanwhile. It prints one
 * line of key=value pairs per reader that scripts can parse (bench/run
 * does):
 *
 *     reader="Virtual PCD 00 00" apdu=0084000008 n=2000 seconds=0.123
 *     apdu_per_s=16260.2 median_us=59.1 p99_us=88.0 min_us=50.3 max_us=310.9
 *
 * Every response must end with the expected status word (90 00 unless
 * --sw says otherwise); any PC/SC error or other status word stops the run
 * with exit status 1, so a broken contender never yields a number.
 */
#include <stdio.h>
#include <stdlib.h>

#include "bench_client.h"
#include "bench_pcsc.h"

#define NAME "pcsc_bench"

static void usage(FILE *out)
{
    fprintf(out, "usage: pcsc_bench -r READER [-r READER]... [OPTION]...\n"
                 "  -r, --reader NAME   a PC/SC reader (exact name); several:\n"
                 "                      measured together, interleaved\n%s",
            bench_common_usage);
}

typedef struct readers {
    const char *name[BENCH_MAX_TARGETS];
    size_t n;
} readers;

static int parse_args(int argc, char **argv, bench_opts *o, readers *r)
{
    static const struct option longs[] = {
        {"reader", required_argument, NULL, 'r'},
        {"help", no_argument, NULL, 'h'},
        BENCH_COMMON_LONGOPTS,
        {NULL, 0, NULL, 0}};
    int c;
    bool ok = true;
    while ((c = getopt_long(argc, argv, "r:h" BENCH_COMMON_SHORTOPTS, longs,
                            NULL)) != -1) {
        int taken = bench_opts_handle(o, c, optarg);
        if (taken != 0) {
            ok = ok && taken > 0;
            continue;
        }
        switch (c) {
        case 'r':
            ok = ok && r->n < BENCH_MAX_TARGETS;
            if (ok)
                r->name[r->n++] = optarg;
            break;
        case 'h': usage(stdout); exit(0);
        default: ok = false;
        }
    }
    if (!ok || r->n == 0 || optind != argc) {
        usage(stderr);
        return 2;
    }
    return 0;
}

int main(int argc, char **argv)
{
    bench_opts o;
    readers r = {.n = 0};
    bench_opts_default(&o);
    int rc = parse_args(argc, argv, &o, &r);
    if (rc != 0)
        return rc;
    bench_pcsc p[BENCH_MAX_TARGETS] = {{0}};
    bench_target t[BENCH_MAX_TARGETS];
    for (size_t k = 0; rc == 0 && k < r.n; k++) {
        rc = bench_pcsc_open(&p[k], NAME, r.name[k], o.wait_s);
        t[k] = (bench_target){.tx = bench_pcsc_tx, .ctx = &p[k]};
        snprintf(t[k].prefix, sizeof(t[k].prefix), "reader=\"%s\" ",
                 r.name[k]);
    }
    if (rc == 0)
        rc = bench_client_run(NAME, &o, t, r.n);
    for (size_t k = 0; k < r.n; k++)
        bench_pcsc_close(&p[k]);
    return rc;
}
