/* SPDX-License-Identifier: LGPL-2.1-or-later */
/**
 * @file pcsc_bench_sm.c
 * @brief Protected READ BINARY through PC/SC under either secure messaging
 *        profile: an ePass after BAC (3DES, retail MAC) or an nPA after
 *        PACE (AES, CMAC), timed like pcsc_bench.
 *
 * ePass (--card epass, the default): SELECT of the LDS1 application, Basic
 * Access Control with the MRZ and SELECT of an EF under SM, with the
 * project's eMRTD test terminal (tests/unit/epass_terminal.c, OpenSSL
 * only); each timed command reads --len bytes at offset 0 of that EF.
 * nPA (--card npa): PACE with the PIN over ECDH Generic Mapping
 * (brainpoolP256r1) with the project's nPA test terminal
 * (tests/unit/npa_terminal.c, OpenPACE); each timed command is
 * READ BINARY 00 B0 9D 00 LEN (EF.CardSecurity by SFI). Neither terminal
 * shares code with the card.
 *
 * Two figures per APDU, after a warm-up:
 *  - path: the time spent inside SCardTransmit() only (the transmit
 *    callback adds it up): the card, pcscd, the driver and the sockets,
 *    none of the terminal's cryptography. Reported as apdu_per_s,
 *    median_us, p99_us... in pcsc_bench's format (apdu=sm-B0-LEN), so that
 *    it compares with the echo card's floor;
 *  - end to end: wrapping (DO87/DO97, DO8E), transmitting, checking the
 *    MAC and DO99 and deciphering, as an inspection system sees it:
 *    e2e_per_s, e2e_median_us, e2e_p99_us (names that contain neither
 *    "apdu_per_s" nor " median_us").
 * c_bytes and r_bytes are the lengths of the last protected command and
 * response APDU (status word included): the size the floor must move.
 *
 * --floor READER --floor-apdu HEX measures a floor card (bench/echo_card)
 * in the same run, interleaved APDU by APDU with the protected reads (who
 * goes first alternates), as pcsc_bench interleaves several readers: its
 * APDU must answer 90 00; its line follows, in pcsc_bench's format. Both
 * see the same machine at the same moments, so their ratio does not move
 * with the machine's load. Any failure stops it with exit status 1.
 *
 *   pcsc_bench_sm -r READER [--card epass|npa] [--mrz MRZ] [--pin PIN]
 *                 [--fid FID] [--len N] [-n N] [-w N] [--wait SECONDS]
 *                 [--floor READER --floor-apdu HEX]
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench_pcsc.h"
#include "bench_util.h"
#include "epass_terminal.h"
#include "npa_terminal.h"

#define NAME "pcsc_bench_sm"
/* Line 2 of the ICAO specimen's MRZ, softcard's default ePass. */
#define DEFAULT_MRZ "L898902C<3UTO6908061F9406236ZE184226B<<<<<14"
/* softcard's default nPA PIN. */
#define DEFAULT_PIN "111111"
/* EF.CardSecurity's short file identifier. */
#define NPA_SFI_CARDSECURITY 0x1D

typedef enum sm_card { SM_EPASS, SM_NPA } sm_card;

typedef struct sm_opts {
    const char *reader;
    const char *floor;      /**< reader of the interleaved floor, or NULL */
    const char *floor_hex;  /**< its command APDU, as given */
    uint8_t floor_apdu[BENCH_MAX_APDU];
    size_t floor_len;
    const char *mrz;
    const char *pin;
    sm_card card;
    unsigned fid;
    unsigned len;
    unsigned n, warmup, wait_s;
} sm_opts;

/* The transmit callback's state: the reader and the time spent in it. */
typedef struct timed_tx {
    bench_pcsc *p;
    double us;       /**< time inside SCardTransmit() since last reset */
    size_t c_bytes;  /**< length of the last command APDU */
    size_t r_bytes;  /**< length of the last response APDU */
} timed_tx;

/* One terminal of either kind over a timed reader, and the floor's reader
 * when one is measured alongside. */
typedef struct sm_session {
    sm_card card;
    timed_tx tx;
    et_term et;
    npa_term npa;
    bench_pcsc *floor;
    uint8_t *resp; /**< BENCH_RESP_MAX bytes for the floor's answers */
} sm_session;

static void usage(FILE *out)
{
    fprintf(out,
            "usage: pcsc_bench_sm -r READER [OPTION]...\n"
            "  -r, --reader NAME   the PC/SC reader (exact name)\n"
            "      --card KIND     epass (BAC, 3DES; default) or npa\n"
            "                      (PACE with the PIN, AES)\n"
            "      --mrz MRZ       ePass: MRZ, its line 2, or the MRZ\n"
            "                      information (default: the ICAO specimen)\n"
            "      --pin PIN       nPA: the PIN (default 111111)\n"
            "      --fid FID       ePass: EF to read (hex, default 0102: DG2);\n"
            "                      the nPA reads EF.CardSecurity (SFI 1D)\n"
            "      --len N         bytes per READ BINARY (default 128)\n"
            "  -n, --count N       timed APDUs (default 2000)\n"
            "  -w, --warmup N      untimed APDUs first (default 200)\n"
            "      --wait SECONDS  wait for a card this long (default 10)\n"
            "      --floor NAME    a floor card's reader, measured interleaved\n"
            "      --floor-apdu HEX  the floor's command APDU (answers 9000)\n");
}

static bool parse_fid(const char *text, unsigned *fid)
{
    char *end = NULL;
    unsigned long v = strtoul(text, &end, 16);
    if (!end || *end != '\0' || end == text || v > 0xFFFF)
        return false;
    *fid = (unsigned)v;
    return true;
}

static bool parse_card(const char *text, sm_card *card)
{
    if (strcmp(text, "epass") == 0)
        *card = SM_EPASS;
    else if (strcmp(text, "npa") == 0)
        *card = SM_NPA;
    else
        return false;
    return true;
}

static bool parse_opt(int c, sm_opts *o)
{
    switch (c) {
    case 'r': o->reader = optarg; return true;
    case 'c': return parse_card(optarg, &o->card);
    case 'm': o->mrz = optarg; return true;
    case 'p': o->pin = optarg; return true;
    case 'f': return parse_fid(optarg, &o->fid);
    case 'l': return bench_parse_uint(optarg, &o->len);
    case 'n': return bench_parse_uint(optarg, &o->n) && o->n;
    case 'w': return bench_parse_uint(optarg, &o->warmup);
    case 'W': return bench_parse_uint(optarg, &o->wait_s);
    case 'F': o->floor = optarg; return true;
    case 'A':
        o->floor_hex = optarg;
        return bench_parse_hex(optarg, o->floor_apdu, sizeof(o->floor_apdu),
                               &o->floor_len);
    case 'h': usage(stdout); exit(0);
    default: return false;
    }
}

static int parse_args(int argc, char **argv, sm_opts *o)
{
    static const struct option longs[] = {
        {"reader", required_argument, NULL, 'r'},
        {"card", required_argument, NULL, 'c'},
        {"mrz", required_argument, NULL, 'm'},
        {"pin", required_argument, NULL, 'p'},
        {"fid", required_argument, NULL, 'f'},
        {"len", required_argument, NULL, 'l'},
        {"count", required_argument, NULL, 'n'},
        {"warmup", required_argument, NULL, 'w'},
        {"wait", required_argument, NULL, 'W'},
        {"floor", required_argument, NULL, 'F'},
        {"floor-apdu", required_argument, NULL, 'A'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0}};
    int c;
    bool ok = true;
    while ((c = getopt_long(argc, argv, "r:n:w:h", longs, NULL)) != -1)
        ok = parse_opt(c, o) && ok;
    if (!ok || !o->reader || o->len == 0 || o->len > 256 || optind != argc ||
        !o->floor != !o->floor_hex) {
        usage(stderr);
        return 2;
    }
    return 0;
}

/* ---- the timed transmit callbacks ---------------------------------------- */

/* et_transmit_fn: SCardTransmit(), its time added to tx->us. */
static int et_xfer(void *ctx, const uint8_t *c, size_t clen, uint8_t *r,
                   size_t cap, size_t *rlen)
{
    timed_tx *tx = ctx;
    double t0 = bench_now_us();
    int rv = bench_pcsc_tx(tx->p, c, clen, r, cap, rlen);
    tx->us += bench_now_us() - t0;
    tx->c_bytes = clen;
    tx->r_bytes = rv == 0 ? *rlen : 0;
    return rv == 0 ? 0 : -1;
}

/* npa_term_xfer: the same, *rn being the room on entry. */
static int npa_xfer(void *user, const uint8_t *c, size_t n, uint8_t *r,
                    size_t *rn)
{
    size_t len = 0;
    if (et_xfer(user, c, n, r, *rn, &len) != 0)
        return -1;
    *rn = len;
    return 0;
}

/* ---- the sessions --------------------------------------------------------- */

static int fail(const char *what, const char *why, unsigned sw)
{
    fprintf(stderr, NAME ": %s failed: %s (SW %04X)\n", what,
            why && why[0] ? why : "-", sw);
    return 1;
}

/* ePass: SELECT the application, BAC, SELECT the EF under SM. */
static int epass_start(et_term *t, const sm_opts *o)
{
    char info[64];
    uint16_t sw = 0;
    if (et_mrz_info(o->mrz, info, sizeof(info)) != 0)
        return fail("MRZ", "unusable MRZ", 0);
    if (et_select_app(t, &sw) != 0)
        return fail("SELECT application", t->err, sw);
    if (et_bac(t, info, NULL, NULL) != 0)
        return fail("BAC", t->err, 0);
    if (et_select_ef(t, (uint16_t)o->fid, &sw) != 0 || sw != 0x9000)
        return fail("SELECT EF under SM", t->err, sw);
    return 0;
}

/* nPA: PACE with the PIN over ECDH GM (the terminal reads EF.CardAccess). */
static int npa_start(npa_term *t, const sm_opts *o)
{
    uint16_t sw = npa_term_pace(t, 3, o->pin, NPA_TERM_ECDH_GM);
    return sw == 0x9000 ? 0 : fail("PACE with the PIN", NULL, sw);
}

static int session_start(sm_session *s, bench_pcsc *p, const sm_opts *o)
{
    s->card = o->card;
    s->tx = (timed_tx){.p = p};
    if (s->card == SM_EPASS) {
        et_init(&s->et, et_xfer, &s->tx);
        return epass_start(&s->et, o);
    }
    npa_term_init(&s->npa, npa_xfer, &s->tx);
    return npa_start(&s->npa, o);
}

static void session_end(sm_session *s)
{
    if (s->card == SM_NPA)
        npa_term_free(&s->npa);
}

/* One protected READ BINARY of o->len bytes; the data go to out (256). */
static int session_read(sm_session *s, const sm_opts *o, uint8_t *out)
{
    size_t n = 0;
    uint16_t sw = 0;
    if (s->card == SM_EPASS) {
        if (et_sm_command(&s->et, 0xB0, 0x00, 0x00, NULL, 0, o->len, out,
                          256, &n, &sw, false) != 0)
            return fail("protected READ BINARY", s->et.err, sw);
    } else {
        const uint8_t rb[5] = {0x00, 0xB0, 0x80 | NPA_SFI_CARDSECURITY, 0x00,
                               (uint8_t)o->len};
        n = 256;
        sw = npa_term_send(&s->npa, rb, sizeof(rb), out, &n);
    }
    if (sw != 0x9000 || n != o->len)
        return fail("protected READ BINARY", "wrong status or length", sw);
    return 0;
}

/* ---- measuring ------------------------------------------------------------- */

/* The e2e figures and the exchange's sizes, as the report line's prefix. */
static void e2e_prefix(char *out, size_t cap, const sm_opts *o,
                       const sm_session *s, bench_run *e)
{
    bench_sort(e->lat_us, e->n);
    snprintf(out, cap,
             "reader=\"%s\" sm=%s c_bytes=%zu r_bytes=%zu e2e_per_s=%.1f "
             "e2e_median_us=%.1f e2e_p99_us=%.1f ",
             o->reader, o->card == SM_EPASS ? "bac-3des" : "pace-aes",
             s->tx.c_bytes, s->tx.r_bytes, e->n / (e->total_us / 1e6),
             bench_percentile(e->lat_us, e->n, 0.5),
             bench_percentile(e->lat_us, e->n, 0.99));
}

/* The timed runs: protected reads (inside SCardTransmit(), end to end)
 * and the floor's APDUs. */
typedef struct sm_runs {
    bench_run path, e2e, floor;
} sm_runs;

/* One APDU to the floor card, timed; it must answer 90 00. */
static int floor_once(sm_session *s, const sm_opts *o, double *us)
{
    size_t len = 0;
    double t0 = bench_now_us();
    if (bench_pcsc_tx(s->floor, o->floor_apdu, o->floor_len, s->resp,
                      BENCH_RESP_MAX, &len) != 0)
        return 1;
    *us = bench_now_us() - t0;
    unsigned sw = bench_sw(s->resp, len);
    return sw == 0x9000 ? 0 : fail("floor APDU", "status word", sw);
}

/* One protected read: its whole time and the time inside SCardTransmit(). */
static int sm_once(sm_session *s, const sm_opts *o, double *e2e, double *path)
{
    uint8_t out[256];
    s->tx.us = 0;
    double t0 = bench_now_us();
    if (session_read(s, o, out) != 0)
        return 1;
    *e2e = bench_now_us() - t0;
    *path = s->tx.us;
    return 0;
}

static void add(bench_run *r, unsigned i, double us)
{
    r->lat_us[i] = us;
    r->total_us += us;
}

/* Step i: the protected read and, with a floor, the floor's APDU, who goes
 * first alternating; recorded in `r` unless it is NULL (warm-up). */
static int step(sm_session *s, const sm_opts *o, unsigned i, sm_runs *r)
{
    double e = 0, p = 0, f = 0;
    bool floor_first = s->floor && i % 2;
    int rc = floor_first ? floor_once(s, o, &f) : 0;
    if (rc == 0)
        rc = sm_once(s, o, &e, &p);
    if (rc == 0 && s->floor && !floor_first)
        rc = floor_once(s, o, &f);
    if (rc != 0 || !r)
        return rc;
    add(&r->e2e, i, e);
    add(&r->path, i, p);
    if (s->floor)
        add(&r->floor, i, f);
    return 0;
}

static bool runs_init(sm_runs *r, unsigned n, bool floor)
{
    *r = (sm_runs){0};
    return bench_run_init(&r->path, n) && bench_run_init(&r->e2e, n) &&
           (!floor || bench_run_init(&r->floor, n));
}

static void runs_free(sm_runs *r)
{
    bench_run_free(&r->path);
    bench_run_free(&r->e2e);
    bench_run_free(&r->floor);
}

static void report(const sm_session *s, const sm_opts *o, sm_runs *r)
{
    char prefix[512], apdu[32];
    e2e_prefix(prefix, sizeof(prefix), o, s, &r->e2e);
    snprintf(apdu, sizeof(apdu), "sm-B0-%u", o->len);
    bench_report(stdout, prefix, apdu, &r->path);
    if (s->floor) {
        snprintf(prefix, sizeof(prefix), "reader=\"%s\" ", o->floor);
        bench_report(stdout, prefix, o->floor_hex, &r->floor);
    }
}

static int measure(sm_session *s, const sm_opts *o)
{
    sm_runs r;
    int rc = runs_init(&r, o->n, s->floor != NULL) ? 0 : 1;
    for (unsigned i = 0; rc == 0 && i < o->warmup; i++)
        rc = step(s, o, i, NULL);
    for (unsigned i = 0; rc == 0 && i < o->n; i++)
        rc = step(s, o, i, &r);
    if (rc == 0)
        report(s, o, &r);
    runs_free(&r);
    return rc;
}

/* The floor's reader, connected, and room for its answers. */
static int open_floor(sm_session *s, bench_pcsc *fp, const sm_opts *o)
{
    if (!o->floor)
        return 0;
    s->resp = malloc(BENCH_RESP_MAX);
    if (!s->resp)
        return fail("floor", "out of memory", 0);
    s->floor = fp;
    return bench_pcsc_open(fp, NAME, o->floor, o->wait_s);
}

int main(int argc, char **argv)
{
    sm_opts o = {.mrz = DEFAULT_MRZ, .pin = DEFAULT_PIN, .card = SM_EPASS,
                 .fid = 0x0102, .len = 128, .n = 2000, .warmup = 200,
                 .wait_s = 10};
    int rc = parse_args(argc, argv, &o);
    if (rc != 0)
        return rc;
    bench_pcsc p = {0}, fp = {0};
    sm_session s = {0};
    bool started = false;
    rc = bench_pcsc_open(&p, NAME, o.reader, o.wait_s);
    if (rc == 0) {
        started = true;
        rc = session_start(&s, &p, &o);
    }
    if (rc == 0)
        rc = open_floor(&s, &fp, &o);
    if (rc == 0)
        rc = measure(&s, &o);
    if (started)
        session_end(&s);
    bench_pcsc_close(&fp);
    bench_pcsc_close(&p);
    free(s.resp);
    return rc;
}
