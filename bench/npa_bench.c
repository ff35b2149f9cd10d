/* SPDX-License-Identifier: LGPL-2.1-or-later */
/**
 * @file npa_bench.c
 * @brief Card-side cost of the nPA's PACE, in process: N whole PACE runs
 *        (MSE:Set AT and four GENERAL AUTHENTICATE) with the PIN over ECDH
 *        Generic Mapping (brainpoolP256r1) and over DH (1024-bit MODP),
 *        protected READ BINARY of EF.CardSecurity afterwards, and N runs of
 *        PACE, Terminal Authentication v2 (DV and terminal certificates
 *        verified, EXTERNAL AUTHENTICATE) and Chip Authentication v2 (with
 *        the terminal's read of EF.CardSecurity for the chip's key), each
 *        step's card time on its own.
 *
 * For TA the card is made with --terminal-dir in a temporary directory
 * (its CVCA becomes the trust anchor) and the terminal uses the DV and
 * terminal certificates and key written there.
 *
 * The terminal is the project's nPA test terminal (tests/unit/npa_terminal.c,
 * OpenPACE's terminal side). Its transmit function calls
 * sfc_card_transmit() and adds up the time spent inside it, so every figure
 * is the card's own ("card") next to the whole exchange ("e2e"). A
 * measurement, not a test: nothing is asserted.
 * Usage: npa_bench [N] (default 200)
 */
#define _XOPEN_SOURCE 700 /* nftw */
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

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

static int rm_entry(const char *path, const struct stat *st, int flag,
                    struct FTW *ftw)
{
    (void)st;
    (void)flag;
    (void)ftw;
    return remove(path);
}

/* Remove the temporary terminal directory and what the card wrote. */
static void rm_tree(const char *dir)
{
    if (nftw(dir, rm_entry, 8, FTW_DEPTH | FTW_PHYS) != 0)
        fprintf(stderr, "npa_bench: could not remove %s\n", dir);
}

/* The terminal's files written by --terminal-dir. */
typedef struct ta_files {
    uint8_t dv[1024], at[1024], key[1024];
    size_t dv_len, at_len, key_len;
} ta_files;

static size_t slurp(const char *dir, const char *name, uint8_t *out,
                    size_t cap)
{
    char path[512];
    snprintf(path, sizeof(path), "%s/%s", dir, name);
    FILE *f = fopen(path, "rb");
    size_t n = f ? fread(out, 1, cap, f) : 0;
    if (f)
        fclose(f);
    if (n == 0 || n == cap) {
        fprintf(stderr, "npa_bench: cannot read %s\n", path);
        exit(1);
    }
    return n;
}

static sfc_card *eac_card(char *dir, ta_files *tf)
{
    sfc_param p[] = {{"terminal-dir", dir}};
    sfc_card_options o = {.params = p, .n_params = 1};
    sfc_card *card = NULL;
    char err[300];
    if (sfc_card_new("nPA", &o, &card, err, sizeof(err)) != SFC_OK) {
        fprintf(stderr, "npa_bench: %s\n", err);
        exit(1);
    }
    tf->dv_len = slurp(dir, "dv.cvcert", tf->dv, sizeof(tf->dv));
    tf->at_len = slurp(dir, "at.cvcert", tf->at, sizeof(tf->at));
    tf->key_len = slurp(dir, "at.pkcs8", tf->key, sizeof(tf->key));
    return card;
}

/* Card time of one step; exits if the step does not answer 9000. */
static double step(tx *t, const char *what, uint16_t sw)
{
    if (sw != 0x9000) {
        fprintf(stderr, "npa_bench: %s failed (%04X)\n", what, sw);
        exit(1);
    }
    double us = t->card_us;
    t->card_us = 0;
    return us;
}

static void eac_runs(unsigned n)
{
    char dir[] = "/tmp/npa_bench.XXXXXX";
    if (!mkdtemp(dir)) {
        perror("npa_bench: mkdtemp");
        exit(1);
    }
    static ta_files tf;
    sfc_card *card = eac_card(dir, &tf);
    tx t = {card, 0};
    npa_term term;
    npa_term_init(&term, xfer, &t);
    const uint8_t *certs[] = {tf.dv, tf.at};
    const size_t lens[] = {tf.dv_len, tf.at_len};
    double pace = 0, ta = 0, ca = 0;
    for (unsigned i = 0; i < n; i++) {
        term.sm = false;
        pace += step(&t, "PACE", npa_term_pace(&term, 3, "111111",
                                               NPA_TERM_ECDH_GM));
        ta += step(&t, "TA", npa_term_ta(&term, certs, lens, 2, tf.key,
                                         tf.key_len));
        ca += step(&t, "CA", npa_term_ca(&term));
    }
    printf("| PACE before TA      | %8.3f |        - |\n", pace / n / 1000.0);
    printf("| TA (DV + terminal)  | %8.3f |        - |\n", ta / n / 1000.0);
    printf("| CA                  | %8.3f |        - |\n", ca / n / 1000.0);
    npa_term_free(&term);
    sfc_card_free(card);
    rm_tree(dir);
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
    eac_runs(n);
    return 0;
}
