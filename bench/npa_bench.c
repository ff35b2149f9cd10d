/* SPDX-License-Identifier: LGPL-2.1-or-later */
/**
 * @file npa_bench.c
 * @brief Card-side cost of the nPA's PACE, in process: N whole PACE runs
 *        (MSE:Set AT and four GENERAL AUTHENTICATE) with the PIN over ECDH
 *        Generic Mapping (brainpoolP256r1) and over DH (1024-bit MODP),
 *        and protected READ BINARY of EF.CardSecurity afterwards.
 *
 * The terminal is the project's nPA test terminal (tests/unit/npa_terminal.c,
 * OpenPACE's terminal side). Its transmit function calls
 * sfc_card_transmit() and adds up the time spent inside it, so every figure
 * is the card's own ("card") next to the whole exchange ("e2e"). A
 * measurement, not a test: nothing is asserted.
 * Usage: npa_bench [N] (default 200)
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench_util.h"
#include "npa_terminal.h"
#include "softcard.h"

typedef struct tx {
    sfc_card *card;
    double card_us;
} tx;

static int xfer(void *user, const uint8_t *c, size_t n, uint8_t *r, size_t *rn)
{
    tx *t = user;
    const uint8_t *out = NULL;
    size_t len = 0;
    double t0 = bench_now_us();
    sfc_err rv = sfc_card_transmit(t->card, c, n, &out, &len);
    t->card_us += bench_now_us() - t0;
    if (rv != SFC_OK || len > *rn)
        return -1;
    memcpy(r, out, len);
    *rn = len;
    return 0;
}

/* One protected READ BINARY of 128 bytes (one APDU, AES SM): the per-APDU
 * cost of the AES + CMAC profile, card side and with the terminal. */
static void read_128(npa_term *term, tx *t, npa_term_mapping m, unsigned n)
{
    static const uint8_t rb[5] = {0x00, 0xB0, 0x9D, 0x00, 0x80};
    uint8_t out[256];
    t->card_us = 0;
    double t0 = bench_now_us();
    for (unsigned i = 0; i < n; i++) {
        size_t len = sizeof(out);
        if (npa_term_send(term, rb, sizeof(rb), out, &len) != 0x9000) {
            fprintf(stderr, "npa_bench: protected READ BINARY failed\n");
            exit(1);
        }
    }
    double e2e = bench_now_us() - t0;
    printf("| SM read-128 %-7s | %8.4f | %8.4f |\n",
           m == NPA_TERM_DH_GM ? "DH" : "EC", t->card_us / n / 1000.0,
           e2e / n / 1000.0);
}

static void pace_runs(const char *name, npa_term_mapping m, unsigned n)
{
    sfc_card *card = NULL;
    char err[200];
    if (sfc_card_new("nPA", NULL, &card, err, sizeof(err)) != SFC_OK) {
        fprintf(stderr, "npa_bench: %s\n", err);
        exit(1);
    }
    tx t = {card, 0};
    npa_term term;
    npa_term_init(&term, xfer, &t);
    double t0 = bench_now_us();
    for (unsigned i = 0; i < n; i++) {
        term.sm = false;
        if (npa_term_pace(&term, 3, "111111", m) != 0x9000) {
            fprintf(stderr, "npa_bench: PACE failed\n");
            exit(1);
        }
    }
    double e2e = bench_now_us() - t0;
    printf("| PACE %-14s | %8.3f | %8.3f |\n", name, t.card_us / n / 1000.0,
           e2e / n / 1000.0);
    static uint8_t cs[4096];
    t.card_us = 0;
    t0 = bench_now_us();
    for (unsigned i = 0; i < n; i++) {
        size_t len = sizeof(cs);
        npa_term_read_sfi(&term, 0x1D, cs, &len);
    }
    e2e = bench_now_us() - t0;
    printf("| EF.CardSecurity %-3s | %8.3f | %8.3f |\n",
           m == NPA_TERM_DH_GM ? "DH" : "EC", t.card_us / n / 1000.0,
           e2e / n / 1000.0);
    read_128(&term, &t, m, n * 10);
    npa_term_free(&term);
    sfc_card_free(card);
}

int main(int argc, char **argv)
{
    unsigned n = argc > 1 ? (unsigned)strtoul(argv[1], NULL, 10) : 200;
    if (n == 0)
        n = 1;
    printf("nPA in process, %u runs each, milliseconds per run\n\n", n);
    printf("| operation           | card ms  | e2e ms   |\n");
    printf("|---------------------|----------|----------|\n");
    pace_runs("ECDH GM (PIN)", NPA_TERM_ECDH_GM, n);
    pace_runs("DH GM (PIN)", NPA_TERM_DH_GM, n);
    return 0;
}
