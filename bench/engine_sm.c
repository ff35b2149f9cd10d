/* SPDX-License-Identifier: LGPL-2.1-or-later */
/**
 * @file engine_sm.c
 * @brief The secure-messaging and BAC sections of engine_bench.
 *
 * The terminal side is the project's test terminal
 * (tests/unit/epass_terminal.c, OpenSSL only): it wraps commands and
 * checks and deciphers responses. Its transmit function calls
 * sfc_card_transmit() in process and adds up the time spent inside it, so
 * every figure comes twice: the card's own cost ("card") and the whole
 * exchange with the terminal's cryptography ("e2e").
 *
 * sm: an iso7816 card with the 4 KiB EF; READ BINARY of 128 bytes plain,
 * then the same command protected after sm_start() with fixed 3DES keys
 * (the BAC profile; the AES profile has no terminal here and no protocol
 * to start it until PACE exists), and the cost of sm_start() itself.
 * bac: the ePass card; K times SELECT of the application (plain, which
 * ends the previous session) and a whole BAC (GET CHALLENGE, EXTERNAL
 * AUTHENTICATE, session keys); then protected READ BINARY of DG2.
 */
#include <stdio.h>
#include <string.h>

#include "bench_util.h"
#include "os/sm.h"
#include "engine_bench.h"
#include "epass_terminal.h"

#define SPECIMEN_MRZ "L898902C<3UTO6908061F9406236ZE184226B<<<<<14"

typedef struct eng_tx {
    sfc_card *card;
    double card_us; /**< time spent in sfc_card_transmit() */
} eng_tx;

static int eng_tx_fn(void *ctx, const uint8_t *c, size_t clen, uint8_t *r,
                     size_t cap, size_t *rlen)
{
    eng_tx *tx = ctx;
    const uint8_t *rapdu = NULL;
    size_t n = 0;
    double t0 = bench_now_us();
    sfc_err err = sfc_card_transmit(tx->card, c, clen, &rapdu, &n);
    tx->card_us += bench_now_us() - t0;
    if (err != SFC_OK || n > cap)
        return -1;
    memcpy(r, rapdu, n);
    *rlen = n;
    return 0;
}

/* Protected READ BINARY (P1 P2 as given, 128 bytes) for the budget. */
static int protected_reads(et_term *t, eng_tx *tx, uint8_t p1,
                           const eng_opts *o, double *card_rate,
                           double *e2e_rate)
{
    uint8_t out[256];
    unsigned long n = 0;
    tx->card_us = 0;
    double start = bench_now_us(), now = start;
    while (now - start < o->budget_ms * 1e3) {
        size_t got = 0;
        uint16_t sw = 0;
        if (et_sm_command(t, 0xB0, p1, 0x00, NULL, 0, 128, out, sizeof(out),
                          &got, &sw, false) != 0 || sw != 0x9000 ||
            got != 128) {
            fprintf(stderr, "engine_bench: protected READ BINARY: %s %04X\n",
                    t->err, sw);
            return 1;
        }
        n++;
        now = bench_now_us();
    }
    *card_rate = (double)n / (tx->card_us / 1e6);
    *e2e_rate = (double)n / ((now - start) / 1e6);
    return 0;
}

static const uint8_t kenc[16] = {0x97, 0x9E, 0xC1, 0x3B, 0x1C, 0xBF, 0xE9,
                                 0xDC, 0xD0, 0x1A, 0xB0, 0xFE, 0xD3, 0x07,
                                 0xEA, 0xE5};
static const uint8_t kmac[16] = {0xF1, 0xCB, 0x1F, 0x1F, 0xB5, 0xAD, 0xF2,
                                 0x08, 0x80, 0x6B, 0x89, 0xDC, 0x57, 0x9D,
                                 0xC1, 0xF8};
static const uint8_t ssc0[8] = {0x88, 0x70, 0x22, 0x12, 0x0C, 0x06, 0xC2,
                                0x26};

/* Microseconds per sm_start() (it replaces the running session). */
static double sm_start_us(sfc_card *card, const eng_opts *o)
{
    unsigned long n = 0;
    double start = bench_now_us(), now = start;
    while (now - start < o->budget_ms * 1e3) {
        for (int i = 0; i < 64; i++)
            if (sm_start(card, SM_3DES_RETAIL, kenc, 16, kmac, 16, ssc0, 8) !=
                SFC_OK)
                return -1;
        n += 64;
        now = bench_now_us();
    }
    return (now - start) / (double)n;
}

static void start_terminal(et_term *t, eng_tx *tx)
{
    et_init(t, eng_tx_fn, tx);
    memcpy(t->ksenc, kenc, 16);
    memcpy(t->ksmac, kmac, 16);
    memcpy(t->ssc, ssc0, 8);
    t->sm = true;
}

int eng_section_sm(const eng_opts *o)
{
    static const uint8_t plain[] = {0x00, 0xB0, 0x82, 0x00, 0x80};
    eng_tx tx = {.card = eng_card_new("iso7816")};
    et_term t;
    double card_rate = 0, e2e_rate = 0;
    int rc = tx.card && eng_create_ef(tx.card) ? 0 : 1;
    double plain_rate = rc ? -1 : eng_rate(tx.card, plain, sizeof(plain),
                                           0x9000, o->budget_ms);
    double start_us = rc ? -1 : sm_start_us(tx.card, o);
    if (plain_rate < 0 || start_us < 0 ||
        sm_start(tx.card, SM_3DES_RETAIL, kenc, 16, kmac, 16, ssc0, 8) !=
            SFC_OK)
        rc = 1;
    if (rc == 0) {
        start_terminal(&t, &tx);
        rc = protected_reads(&t, &tx, 0x82, o, &card_rate, &e2e_rate);
    }
    if (rc == 0)
        printf("engine section=sm profile=3des-retail workload=read-128 "
               "plain_per_s=%.0f sm_card_per_s=%.0f sm_e2e_per_s=%.0f "
               "plain_us=%.2f sm_card_us=%.2f sm_start_us=%.2f\n",
               plain_rate, card_rate, e2e_rate, 1e6 / plain_rate,
               1e6 / card_rate, start_us);
    if (rc == 0)
        printf("engine section=sm profile=aes-cmac status=not-measured "
               "reason=no-aes-terminal-until-pace\n");
    sfc_card_free(tx.card);
    return rc;
}

/* ---- BAC ------------------------------------------------------------------- */

/* K whole BACs; milliseconds per BAC on the card and in all. */
static int time_bacs(et_term *t, eng_tx *tx, const eng_opts *o,
                     double *card_ms, double *total_ms)
{
    char info[64];
    double card_us = 0, total_us = 0;
    et_mrz_info(SPECIMEN_MRZ, info, sizeof(info));
    for (unsigned i = 0; i < o->bacs; i++) {
        uint16_t sw = 0;
        if (et_select_app(t, &sw) != 0)
            return 1;
        tx->card_us = 0;
        double t0 = bench_now_us();
        if (et_bac(t, info, NULL, NULL) != 0) {
            fprintf(stderr, "engine_bench: BAC: %s\n", t->err);
            return 1;
        }
        total_us += bench_now_us() - t0;
        card_us += tx->card_us;
    }
    *card_ms = card_us / 1e3 / o->bacs;
    *total_ms = total_us / 1e3 / o->bacs;
    return 0;
}

int eng_section_bac(const eng_opts *o)
{
    eng_tx tx = {.card = eng_card_new("ePass")};
    et_term t;
    double card_ms = 0, total_ms = 0, card_rate = 0, e2e_rate = 0;
    uint16_t sw = 0;
    int rc = tx.card && o->bacs > 0 ? 0 : 1;
    if (rc == 0) {
        et_init(&t, eng_tx_fn, &tx);
        rc = time_bacs(&t, &tx, o, &card_ms, &total_ms);
    }
    if (rc == 0)
        printf("engine section=bac type=ePass bacs=%u card_ms=%.3f "
               "total_ms=%.3f\n", o->bacs, card_ms, total_ms);
    if (rc == 0 && (et_select_ef(&t, 0x0102, &sw) != 0 || sw != 0x9000))
        rc = 1;
    if (rc == 0)
        rc = protected_reads(&t, &tx, 0x00, o, &card_rate, &e2e_rate);
    if (rc == 0)
        printf("engine section=sm profile=3des-retail workload=epass-read-128 "
               "sm_card_per_s=%.0f sm_e2e_per_s=%.0f sm_card_us=%.2f\n",
               card_rate, e2e_rate, 1e6 / card_rate);
    sfc_card_free(tx.card);
    return rc;
}
