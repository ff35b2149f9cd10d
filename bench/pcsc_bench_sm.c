/* SPDX-License-Identifier: LGPL-2.1-or-later */
/**
 * @file pcsc_bench_sm.c
 * @brief Protected READ BINARY through PC/SC: an ePass card after BAC,
 *        with 3DES secure messaging, timed like pcsc_bench.
 *
 * Connects to the reader, selects the LDS1 application, performs Basic
 * Access Control with the MRZ and selects an EF under secure messaging,
 * all with the project's test terminal (tests/unit/epass_terminal.c,
 * OpenSSL only, independent of the card code). Then it times N protected
 * READ BINARY commands of --len bytes at offset 0 after a warm-up: each
 * one is wrapped (DO97, DO8E), sent, and its response checked (MAC, DO99)
 * and deciphered, so the figures are what an inspection system sees,
 * terminal-side cryptography included. The report line has the format of
 * pcsc_bench's, with apdu=sm-B0-LEN.
 *
 *   pcsc_bench_sm -r READER [--mrz MRZ] [--fid FID] [--len N] [-n N] [-w N]
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>

#include "bench_pcsc.h"
#include "bench_util.h"
#include "epass_terminal.h"

#define NAME "pcsc_bench_sm"
/* Line 2 of the ICAO specimen's MRZ, softcard's default ePass. */
#define DEFAULT_MRZ "L898902C<3UTO6908061F9406236ZE184226B<<<<<14"

typedef struct sm_opts {
    const char *reader;
    const char *mrz;
    unsigned fid;
    unsigned len;
    unsigned n, warmup, wait_s;
} sm_opts;

static void usage(FILE *out)
{
    fprintf(out,
            "usage: pcsc_bench_sm -r READER [OPTION]...\n"
            "  -r, --reader NAME   the PC/SC reader (exact name)\n"
            "      --mrz MRZ       MRZ, its line 2, or the MRZ information\n"
            "                      (default: the ICAO specimen)\n"
            "      --fid FID       EF to read (hex, default 0102: DG2)\n"
            "      --len N         bytes per READ BINARY (default 128)\n"
            "  -n, --count N       timed APDUs (default 2000)\n"
            "  -w, --warmup N      untimed APDUs first (default 200)\n"
            "      --wait SECONDS  wait for a card this long (default 10)\n");
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

static int parse_args(int argc, char **argv, sm_opts *o)
{
    static const struct option longs[] = {
        {"reader", required_argument, NULL, 'r'},
        {"mrz", required_argument, NULL, 'm'},
        {"fid", required_argument, NULL, 'f'},
        {"len", required_argument, NULL, 'l'},
        {"count", required_argument, NULL, 'n'},
        {"warmup", required_argument, NULL, 'w'},
        {"wait", required_argument, NULL, 'W'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0}};
    int c;
    bool ok = true;
    while ((c = getopt_long(argc, argv, "r:n:w:h", longs, NULL)) != -1) {
        switch (c) {
        case 'r': o->reader = optarg; break;
        case 'm': o->mrz = optarg; break;
        case 'f': ok = ok && parse_fid(optarg, &o->fid); break;
        case 'l': ok = ok && bench_parse_uint(optarg, &o->len); break;
        case 'n': ok = ok && bench_parse_uint(optarg, &o->n) && o->n; break;
        case 'w': ok = ok && bench_parse_uint(optarg, &o->warmup); break;
        case 'W': ok = ok && bench_parse_uint(optarg, &o->wait_s); break;
        case 'h': usage(stdout); exit(0);
        default: ok = false;
        }
    }
    if (!ok || !o->reader || o->len == 0 || o->len > 256 || optind != argc) {
        usage(stderr);
        return 2;
    }
    return 0;
}

static int term_fail(const et_term *t, const char *what, uint16_t sw)
{
    fprintf(stderr, NAME ": %s failed: %s (SW %04X)\n", what,
            t->err[0] ? t->err : "-", sw);
    return 1;
}

/* SELECT the application, BAC, SELECT the EF under SM. */
static int start_session(et_term *t, const sm_opts *o)
{
    char info[64];
    uint16_t sw = 0;
    if (et_mrz_info(o->mrz, info, sizeof(info)) != 0) {
        fprintf(stderr, NAME ": unusable MRZ\n");
        return 1;
    }
    if (et_select_app(t, &sw) != 0)
        return term_fail(t, "SELECT application", sw);
    if (et_bac(t, info, NULL, NULL) != 0)
        return term_fail(t, "BAC", 0);
    if (et_select_ef(t, (uint16_t)o->fid, &sw) != 0 || sw != 0x9000)
        return term_fail(t, "SELECT EF under SM", sw);
    return 0;
}

/* One protected READ BINARY of o->len bytes at offset 0. */
static int one_read(et_term *t, const sm_opts *o, uint8_t *out)
{
    size_t n = 0;
    uint16_t sw = 0;
    if (et_sm_command(t, 0xB0, 0x00, 0x00, NULL, 0, o->len, out, 256, &n,
                      &sw, false) != 0 || sw != 0x9000 || n != o->len)
        return term_fail(t, "protected READ BINARY", sw);
    return 0;
}

static int measure(et_term *t, const sm_opts *o)
{
    uint8_t out[256];
    bench_run r;
    if (!bench_run_init(&r, o->n))
        return 1;
    int rc = 0;
    for (unsigned i = 0; rc == 0 && i < o->warmup; i++)
        rc = one_read(t, o, out);
    for (unsigned i = 0; rc == 0 && i < o->n; i++) {
        double t0 = bench_now_us();
        rc = one_read(t, o, out);
        r.lat_us[i] = bench_now_us() - t0;
        r.total_us += r.lat_us[i];
    }
    if (rc == 0) {
        char prefix[256], apdu[32];
        snprintf(prefix, sizeof(prefix), "reader=\"%s\" sm=bac-3des ",
                 o->reader);
        snprintf(apdu, sizeof(apdu), "sm-B0-%u", o->len);
        bench_report(stdout, prefix, apdu, &r);
    }
    bench_run_free(&r);
    return rc;
}

int main(int argc, char **argv)
{
    sm_opts o = {.mrz = DEFAULT_MRZ, .fid = 0x0102, .len = 128, .n = 2000,
                 .warmup = 200, .wait_s = 10};
    int rc = parse_args(argc, argv, &o);
    if (rc != 0)
        return rc;
    bench_pcsc p = {0};
    et_term t;
    rc = bench_pcsc_open(&p, NAME, o.reader, o.wait_s);
    if (rc == 0) {
        et_init(&t, bench_pcsc_tx, &p);
        rc = start_session(&t, &o);
    }
    if (rc == 0)
        rc = measure(&t, &o);
    bench_pcsc_close(&p);
    return rc;
}
