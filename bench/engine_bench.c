/* SPDX-License-Identifier: LGPL-2.1-or-later */
/**
 * @file engine_bench.c
 * @brief In-process engine benchmarks: APDUs per second per card type with
 *        no transport, secure messaging and BAC costs (engine_sm.c), and
 *        the memory of a process holding many cards.
 *
 * Sections (all by default; --only picks some):
 *   create  time to create one card of each type (ePass: keys, EF.SOD)
 *   plain   one card per type, each workload run for --ms milliseconds
 *           through sfc_card_transmit(): APDUs/s and ns per APDU
 *   sm      plain vs protected READ BINARY (engine_sm.c)
 *   bac     ms per whole BAC, card side and with the terminal (engine_sm.c)
 *   hold    --hold N cards with their vpcd links (reversed mode, listening
 *           on ephemeral ports of 127.0.0.1, as `softcard -R -P 0` holds
 *           them), each having answered a few APDUs; peak RSS (VmHWM)
 *
 * Output: one line per figure, "engine section=... key=value ...".
 */
#include "engine_bench.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench_util.h"
#include "vpcd/link.h"

#define BATCH 256

typedef struct eng_work {
    const char *type, *name, *apdu;
} eng_work;

/* Every workload answers 9000. */
static const eng_work plain_work[] = {
    {"iso7816", "select-mf", "00A4000C023F00"},
    {"iso7816", "get-challenge-8", "0084000008"},
    {"iso7816", "read-128", "00B0820080"},
    {"iso7816", "read-1k", "00B08200000400"},
    {"iso7816", "read-4k", "00B08200001000"},
    {"iso7816", "verify", "002000010431323334"},
    {"handler_test", "select-applet", "00A4040C06A00000001850"},
    {"handler_test", "case1", "80300000"},
    {"handler_test", "case2-16", "8034001010"},
    {"ePass", "select-app", "00A4040C07A0000002471001"},
    {"ePass", "select-ef-com", "00A4020C02011E"},
};

static const char *const card_types[] = {"iso7816", "handler_test", "ePass"};
#define N_TYPES (sizeof(card_types) / sizeof(card_types[0]))

sfc_card *eng_card_new(const char *type)
{
    sfc_card_options opts = {.extended_length = true};
    sfc_card *card = NULL;
    char err[256] = "";
    if (sfc_card_new(type, &opts, &card, err, sizeof(err)) != SFC_OK) {
        fprintf(stderr, "engine_bench: card %s: %s\n", type, err);
        return NULL;
    }
    return card;
}

unsigned eng_send_hex(sfc_card *card, const char *hex)
{
    uint8_t cmd[BENCH_MAX_APDU];
    size_t len = 0, rlen = 0;
    const uint8_t *r = NULL;
    if (!bench_parse_hex(hex, cmd, sizeof(cmd), &len) ||
        sfc_card_transmit(card, cmd, len, &r, &rlen) != SFC_OK)
        return 0;
    return bench_sw(r, rlen);
}

bool eng_create_ef(sfc_card *card)
{
    char hex[2 * BENCH_MAX_APDU + 1];
    bool ok = eng_send_hex(card, "00A4000C023F00") == 0x9000 &&
              eng_send_hex(card, "00E000100E620C83020B01820201018002"
                                 "1000") == 0x9000 &&
              eng_send_hex(card, "00A4020C020B01") == 0x9000;
    for (unsigned off = 0; ok && off < 4096; off += 128) {
        int n = snprintf(hex, sizeof(hex), "00D6%04X80", off);
        for (unsigned i = 0; i < 128; i++)
            n += snprintf(hex + n, sizeof(hex) - (size_t)n, "%02X",
                          (off + i) & 0xFF);
        ok = eng_send_hex(card, hex) == 0x9000;
    }
    if (!ok)
        fprintf(stderr, "engine_bench: cannot create the 4 KiB EF\n");
    return ok;
}

double eng_rate(sfc_card *card, const uint8_t *apdu, size_t len, unsigned sw,
                double budget_ms)
{
    const uint8_t *r = NULL;
    size_t rlen = 0;
    unsigned long n = 0;
    double start = bench_now_us(), now = start;
    while (now - start < budget_ms * 1e3) {
        for (unsigned i = 0; i < BATCH; i++)
            if (sfc_card_transmit(card, apdu, len, &r, &rlen) != SFC_OK ||
                bench_sw(r, rlen) != sw)
                return -1;
        n += BATCH;
        now = bench_now_us();
    }
    return (double)n / ((now - start) / 1e6);
}

/* ---- sections ------------------------------------------------------------ */

static bool wanted(const eng_opts *o, const char *section)
{
    if (!o->only)
        return true;
    size_t len = strlen(section);
    for (const char *p = o->only; (p = strstr(p, section)) != NULL; p++)
        if ((p == o->only || p[-1] == ',') && (p[len] == ',' || !p[len]))
            return true;
    return false;
}

static int section_create(void)
{
    for (size_t i = 0; i < N_TYPES; i++) {
        double t0 = bench_now_us();
        sfc_card *card = eng_card_new(card_types[i]);
        double ms = (bench_now_us() - t0) / 1e3;
        if (!card)
            return 1;
        printf("engine section=create type=%s ms=%.3f\n", card_types[i], ms);
        sfc_card_free(card);
    }
    return 0;
}

static int plain_one(sfc_card *card, const eng_work *w, const eng_opts *o)
{
    uint8_t cmd[BENCH_MAX_APDU];
    size_t len = 0;
    bench_parse_hex(w->apdu, cmd, sizeof(cmd), &len);
    double rate = eng_rate(card, cmd, len, 0x9000, o->budget_ms);
    if (rate < 0) {
        fprintf(stderr, "engine_bench: %s %s: unexpected status word\n",
                w->type, w->name);
        return 1;
    }
    printf("engine section=plain type=%s workload=%s apdu=%s apdu_per_s=%.0f "
           "ns_per_apdu=%.0f\n", w->type, w->name, w->apdu, rate, 1e9 / rate);
    return 0;
}

static int section_plain(const eng_opts *o)
{
    int rc = 0;
    for (size_t t = 0; rc == 0 && t < N_TYPES; t++) {
        sfc_card *card = eng_card_new(card_types[t]);
        if (!card || (t == 0 && !eng_create_ef(card))) {
            sfc_card_free(card);
            return 1;
        }
        for (size_t i = 0; rc == 0 && i < sizeof(plain_work) /
                                          sizeof(plain_work[0]); i++)
            if (strcmp(plain_work[i].type, card_types[t]) == 0)
                rc = plain_one(card, &plain_work[i], o);
        sfc_card_free(card);
    }
    return rc;
}

/* ---- hold: many cards with their links, as softcard holds them ----------- */

static size_t hold_atr(void *card, uint8_t *atr, size_t cap)
{
    uint8_t buf[SFC_ATR_MAX];
    size_t n = sfc_card_atr(card, buf);
    n = n < cap ? n : cap;
    memcpy(atr, buf, n);
    return n;
}

static void hold_power(void *card, int ctrl)
{
    sfc_card_power(card, (sfc_power_event)ctrl);
}

static sfc_err hold_transmit(void *card, const uint8_t *c, size_t len,
                            const uint8_t **r, size_t *rlen)
{
    return sfc_card_transmit(card, c, len, r, rlen);
}

static const vpcd_card_ops hold_ops = {hold_atr, hold_power, hold_transmit};

/* One card that has answered a few APDUs, and its listening link. */
static int hold_one(sfc_card **card, vpcd_link **link)
{
    vpcd_link_config cfg = {.mode = VPCD_LINK_REVERSED, .host = "127.0.0.1",
                            .port = 0};
    *card = eng_card_new("iso7816");
    if (!*card || eng_send_hex(*card, "00A4000C023F00") != 0x9000 ||
        eng_send_hex(*card, "0084000008") != 0x9000 ||
        eng_send_hex(*card, "002000010431323334") != 0x9000)
        return 1;
    if (vpcd_link_new(&cfg, &hold_ops, *card, link) != SFC_OK ||
        vpcd_link_insert(*link) != SFC_OK) {
        fprintf(stderr, "engine_bench: cannot listen for card\n");
        return 1;
    }
    return 0;
}

static int section_hold(const eng_opts *o)
{
    sfc_card **cards = calloc(o->hold, sizeof(*cards));
    vpcd_link **links = calloc(o->hold, sizeof(*links));
    long before = bench_status_kb(0, "VmHWM");
    int rc = cards && links ? 0 : 1;
    for (unsigned i = 0; rc == 0 && i < o->hold; i++)
        rc = hold_one(&cards[i], &links[i]);
    if (rc == 0)
        printf("engine section=hold type=iso7816 cards=%u vmhwm_kb=%ld "
               "rssanon_kb=%ld before_kb=%ld\n", o->hold,
               bench_status_kb(0, "VmHWM"), bench_status_kb(0, "RssAnon"),
               before);
    for (unsigned i = 0; links && cards && i < o->hold; i++) {
        vpcd_link_free(links[i]);
        sfc_card_free(cards[i]);
    }
    free(cards);
    free(links);
    return rc;
}

/* ---- main ------------------------------------------------------------------ */

static void usage(FILE *out)
{
    fprintf(out,
            "usage: engine_bench [--ms MS] [--bacs K] [--hold N] "
            "[--only LIST]\n"
            "  --ms MS      time per measured figure (default 300)\n"
            "  --bacs K     BACs to time (default 200)\n"
            "  --hold N     cards to hold for the RSS figure (default 100)\n"
            "  --only LIST  sections, comma-separated: create, plain, sm, "
            "bac, hold\n"
            "(PACE and the AES profile: npa_bench)\n");
}

static int parse_args(int argc, char **argv, eng_opts *o)
{
    static const struct option longs[] = {
        {"ms", required_argument, NULL, 'm'},
        {"bacs", required_argument, NULL, 'b'},
        {"hold", required_argument, NULL, 'H'},
        {"only", required_argument, NULL, 'o'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0}};
    unsigned ms = 300;
    int c;
    bool ok = true;
    while ((c = getopt_long(argc, argv, "h", longs, NULL)) != -1) {
        switch (c) {
        case 'm': ok = ok && bench_parse_uint(optarg, &ms) && ms; break;
        case 'b': ok = ok && bench_parse_uint(optarg, &o->bacs); break;
        case 'H': ok = ok && bench_parse_uint(optarg, &o->hold); break;
        case 'o': o->only = optarg; break;
        case 'h': usage(stdout); exit(0);
        default: ok = false;
        }
    }
    o->budget_ms = ms;
    if (!ok || optind != argc) {
        usage(stderr);
        return 2;
    }
    return 0;
}

int main(int argc, char **argv)
{
    eng_opts o = {.bacs = 200, .hold = 100};
    int rc = parse_args(argc, argv, &o);
    if (rc == 0 && wanted(&o, "create"))
        rc = section_create();
    if (rc == 0 && wanted(&o, "plain"))
        rc = section_plain(&o);
    if (rc == 0 && wanted(&o, "sm"))
        rc = eng_section_sm(&o);
    if (rc == 0 && wanted(&o, "bac"))
        rc = eng_section_bac(&o);
    if (rc == 0 && wanted(&o, "hold") && o.hold > 0)
        rc = section_hold(&o);
    return rc;
}
