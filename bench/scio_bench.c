/* SPDX-License-Identifier: LGPL-2.1-or-later */
/**
 * @file scio_bench.c
 * @brief APDU round trips through libscio's direct backend: the card's
 *        cost with no pcscd and no reader driver in the way.
 *
 * Opens a direct context (include/scio.h, SCIO_BACKEND_DIRECT) with one
 * slot per -P, waits for each slot's card, connects and measures exactly
 * like pcsc_bench (bench_client.h: set-up commands, warm-up, N timed APDUs
 * with scio_transmit_raw, one report line per slot; several slots are
 * measured together, interleaved). A slot either listens on HOST:PORT for
 * a card in normal mode (`softcard -P PORT`, `echo_card -P PORT`) or, with
 * -R, connects to a card that listens there (`softcard -R -P PORT`,
 * `echo_card -R -P PORT`), retrying while it is absent.
 *
 *   scio_bench [-H HOST] -P PORT [-P PORT]... [-R] [OPTION]...
 */
#include <stdio.h>
#include <stdlib.h>

#include <scio.h>

#include "bench_client.h"

#define NAME "scio_bench"

typedef struct scio_opts {
    const char *host;
    unsigned port[BENCH_MAX_TARGETS];
    size_t n_ports;
    bool reversed;
} scio_opts;

static void usage(FILE *out)
{
    fprintf(out, "usage: scio_bench -P PORT [-P PORT]... [-H HOST] [-R] "
                 "[OPTION]...\n"
                 "  -P, --port PORT     a slot's port; several: measured\n"
                 "                      together, interleaved\n"
                 "  -H, --host HOST     listen address, or the card's host "
                 "with -R (127.0.0.1)\n"
                 "  -R, --reversed      connect to a card that listens\n%s",
            bench_common_usage);
}

static int parse_args(int argc, char **argv, bench_opts *o, scio_opts *s)
{
    static const struct option longs[] = {
        {"port", required_argument, NULL, 'P'},
        {"host", required_argument, NULL, 'H'},
        {"reversed", no_argument, NULL, 'R'},
        {"help", no_argument, NULL, 'h'},
        BENCH_COMMON_LONGOPTS,
        {NULL, 0, NULL, 0}};
    int c;
    bool ok = true;
    while ((c = getopt_long(argc, argv, "P:H:Rh" BENCH_COMMON_SHORTOPTS,
                            longs, NULL)) != -1) {
        int taken = bench_opts_handle(o, c, optarg);
        if (taken != 0) {
            ok = ok && taken > 0;
            continue;
        }
        switch (c) {
        case 'P':
            ok = ok && s->n_ports < BENCH_MAX_TARGETS &&
                 bench_parse_uint(optarg, &s->port[s->n_ports]) &&
                 s->port[s->n_ports] > 0 && s->port[s->n_ports++] <= 65535;
            break;
        case 'H': s->host = optarg; break;
        case 'R': s->reversed = true; break;
        case 'h': usage(stdout); exit(0);
        default: ok = false;
        }
    }
    if (!ok || s->n_ports == 0 || optind != argc) {
        usage(stderr);
        return 2;
    }
    return 0;
}

static int scio_fail(const char *what, scio_status st)
{
    fprintf(stderr, NAME ": %s: %s\n", what, scio_strerror(st));
    return 1;
}

static int scio_tx(void *ctx, const uint8_t *c, size_t clen, uint8_t *r,
                   size_t cap, size_t *rlen)
{
    size_t len = cap;
    scio_status st = scio_transmit_raw(ctx, c, clen, r, &len);
    if (st != SCIO_OK)
        return scio_fail("scio_transmit_raw", st);
    *rlen = len;
    return 0;
}

/* Wait for the card in slot `slot` ("Virtual PCD 00 ii") and connect. */
static int connect_card(scio_context *ctx, size_t slot, unsigned wait_s,
                        scio_connection **conn, scio_card *card)
{
    char name[64];
    const char *names[1] = {name};
    snprintf(name, sizeof(name), "Virtual PCD 00 %02zX", slot);
    scio_card_request_opts ro = {.readers = names, .n_readers = 1};
    scio_card_request *req = NULL;
    scio_status st = scio_card_request_new(ctx, &ro, &req);
    if (st == SCIO_OK)
        st = scio_card_request_wait_card(req, (int)wait_s * 1000, card);
    scio_card_request_free(req);
    if (st != SCIO_OK)
        return scio_fail("waiting for the card", st);
    st = scio_card_connect(ctx, card, SCIO_PROTO_ANY, SCIO_SHARE_SHARED,
                           SCIO_LEAVE, conn);
    return st == SCIO_OK ? 0 : scio_fail("scio_card_connect", st);
}

static scio_status open_context(const scio_opts *s, scio_context **ctx)
{
    scio_direct_slot slots[BENCH_MAX_TARGETS];
    for (size_t k = 0; k < s->n_ports; k++)
        slots[k] = (scio_direct_slot){.reversed = s->reversed,
                                      .host = s->host,
                                      .port = (uint16_t)s->port[k]};
    scio_context_opts copts = {.backend = SCIO_BACKEND_DIRECT,
                               .slots = slots, .n_slots = s->n_ports};
    return scio_context_new(&copts, ctx);
}

int main(int argc, char **argv)
{
    bench_opts o;
    scio_opts s = {.host = "127.0.0.1"};
    bench_opts_default(&o);
    int rc = parse_args(argc, argv, &o, &s);
    if (rc != 0)
        return rc;
    scio_context *ctx = NULL;
    scio_connection *conn[BENCH_MAX_TARGETS] = {NULL};
    bench_target t[BENCH_MAX_TARGETS];
    scio_status st = open_context(&s, &ctx);
    if (st != SCIO_OK)
        return scio_fail("scio_context_new", st);
    for (size_t k = 0; rc == 0 && k < s.n_ports; k++) {
        scio_card card = {0};
        rc = connect_card(ctx, k, o.wait_s, &conn[k], &card);
        t[k] = (bench_target){.tx = scio_tx, .ctx = conn[k]};
        snprintf(t[k].prefix, sizeof(t[k].prefix),
                 "reader=\"%s\" backend=direct port=%u ", card.reader,
                 s.port[k]);
    }
    if (rc == 0)
        rc = bench_client_run(NAME, &o, t, s.n_ports);
    for (size_t k = 0; k < s.n_ports; k++)
        scio_connection_free(conn[k]);
    scio_context_free(ctx);
    return rc;
}
