/* SPDX-License-Identifier: LGPL-2.1-or-later */
/**
 * @file bench_client.c
 * @brief Options, set-up commands, warm-up and the timed loop shared by the
 *        APDU clients.
 *
 * The timed loop reads the clock before and after every transmit and keeps
 * every latency; the response buffer is allocated once. The expected
 * status word is checked after every APDU, timed or not. With several
 * targets the APDUs alternate between them one by one.
 */
#include "bench_client.h"

#include <stdio.h>
#include <stdlib.h>

#define SW_FILE_EXISTS 0x6A89

const char bench_common_usage[] =
    "  -a, --apdu HEX      the command APDU (default 0084000008,\n"
    "                      GET CHALLENGE of 8 bytes)\n"
    "  -n, --count N       timed APDUs (default 2000)\n"
    "  -w, --warmup N      untimed APDUs first (default 200)\n"
    "      --sw SW         expected status word (default 9000)\n"
    "      --setup HEX     a command sent once first (repeatable); it must\n"
    "                      answer 9000 or 6A89 (file exists)\n"
    "      --wait SECONDS  wait for a card this long (default 10)\n";

void bench_opts_default(bench_opts *o)
{
    *o = (bench_opts){.n = 2000, .warmup = 200, .sw = 0x9000, .wait_s = 10,
                      .apdu_hex = "0084000008"};
    bench_parse_hex(o->apdu_hex, o->apdu, sizeof(o->apdu), &o->apdu_len);
}

static int add_setup(bench_opts *o, const char *arg)
{
    uint8_t tmp[BENCH_MAX_APDU];
    size_t len;
    if (o->n_setup == BENCH_MAX_SETUP ||
        !bench_parse_hex(arg, tmp, sizeof(tmp), &len))
        return -1;
    o->setup[o->n_setup++] = arg;
    return 1;
}

int bench_opts_handle(bench_opts *o, int c, const char *arg)
{
    switch (c) {
    case 'a':
        o->apdu_hex = arg;
        return bench_parse_hex(arg, o->apdu, sizeof(o->apdu), &o->apdu_len)
                   ? 1 : -1;
    case 'n':
        return bench_parse_uint(arg, &o->n) && o->n > 0 ? 1 : -1;
    case 'w':
        return bench_parse_uint(arg, &o->warmup) ? 1 : -1;
    case 1001:
        return bench_parse_sw(arg, &o->sw) ? 1 : -1;
    case 1002:
        return add_setup(o, arg);
    case 1003:
        return bench_parse_uint(arg, &o->wait_s) ? 1 : -1;
    default:
        return 0;
    }
}

static int send_setup(const char *name, const bench_opts *o, bench_tx_fn tx,
                      void *ctx, uint8_t *resp)
{
    for (size_t i = 0; i < o->n_setup; i++) {
        uint8_t cmd[BENCH_MAX_APDU];
        size_t clen = 0, rlen = 0;
        bench_parse_hex(o->setup[i], cmd, sizeof(cmd), &clen);
        if (tx(ctx, cmd, clen, resp, BENCH_RESP_MAX, &rlen) != 0)
            return 1;
        unsigned sw = bench_sw(resp, rlen);
        if (sw != 0x9000 && sw != SW_FILE_EXISTS) {
            fprintf(stderr, "%s: set-up command %s: status word %04X\n",
                    name, o->setup[i], sw);
            return 1;
        }
    }
    return 0;
}

/* One APDU; 0 when it worked and ended with the expected status word. */
static int one_apdu(const char *name, const bench_opts *o, bench_tx_fn tx,
                    void *ctx, uint8_t *resp)
{
    size_t rlen = 0;
    if (tx(ctx, o->apdu, o->apdu_len, resp, BENCH_RESP_MAX, &rlen) != 0)
        return 1;
    unsigned sw = bench_sw(resp, rlen);
    if (sw != o->sw) {
        fprintf(stderr, "%s: status word %04X, expected %04X\n", name, sw,
                o->sw);
        return 1;
    }
    return 0;
}

/* Warm-up and timed run, the targets interleaved APDU by APDU; who goes
 * first rotates. `r` holds one run per target. */
static int interleaved(const char *name, const bench_opts *o,
                       const bench_target *t, size_t n, uint8_t *resp,
                       bench_run *r)
{
    for (unsigned i = 0; i < o->warmup; i++)
        for (size_t j = 0; j < n; j++)
            if (one_apdu(name, o, t[(i + j) % n].tx, t[(i + j) % n].ctx,
                         resp) != 0)
                return 1;
    for (unsigned i = 0; i < o->n; i++) {
        for (size_t j = 0; j < n; j++) {
            size_t k = (i + j) % n;
            double t0 = bench_now_us();
            if (one_apdu(name, o, t[k].tx, t[k].ctx, resp) != 0)
                return 1;
            r[k].lat_us[i] = bench_now_us() - t0;
            r[k].total_us += r[k].lat_us[i];
        }
    }
    return 0;
}

int bench_client_run(const char *name, const bench_opts *o,
                     const bench_target *t, size_t n_targets)
{
    uint8_t *resp = malloc(BENCH_RESP_MAX);
    bench_run r[BENCH_MAX_TARGETS] = {{0}};
    int rc = resp && n_targets >= 1 && n_targets <= BENCH_MAX_TARGETS ? 0
                                                                        : 1;
    for (size_t k = 0; rc == 0 && k < n_targets; k++)
        rc = bench_run_init(&r[k], o->n) ? 0 : 1;
    for (size_t k = 0; rc == 0 && k < n_targets; k++)
        rc = send_setup(name, o, t[k].tx, t[k].ctx, resp);
    if (rc == 0)
        rc = interleaved(name, o, t, n_targets, resp, r);
    for (size_t k = 0; rc == 0 && k < n_targets; k++)
        bench_report(stdout, t[k].prefix, o->apdu_hex, &r[k]);
    for (size_t k = 0; k < n_targets; k++)
        bench_run_free(&r[k]);
    free(resp);
    return rc;
}
