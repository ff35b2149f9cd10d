/**
 * @file pcsc_bench.c
 * @brief APDU round trips through PC/SC: throughput and latency of one
 *        reader, as seen by an application.
 *
 * Connects to one reader through libpcsclite (pcscd, the reader driver and
 * the card are whatever the caller set up), sends a warm-up run of APDUs,
 * then times N more one by one with CLOCK_MONOTONIC. It prints one line of
 * key=value pairs that scripts can parse (bench/run does):
 *
 *     reader="Virtual PCD 00 00" apdu=0084000008 n=2000 seconds=0.123
 *     apdu_per_s=16260.2 median_us=59.1 p99_us=88.0 min_us=50.3 max_us=310.9
 *
 * Every response must end with the expected status word (90 00 unless
 * --sw says otherwise); any PC/SC error or other status word stops the run
 * with exit status 1, so a broken contender never yields a number.
 */
#include <getopt.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <winscard.h>

#define MAX_APDU 300
#define RESP_MAX 65538

typedef struct bench_opts {
    const char *reader;
    unsigned char apdu[MAX_APDU];
    size_t apdu_len;
    const char *apdu_hex;
    unsigned n;
    unsigned warmup;
    unsigned sw;            /**< expected status word */
    unsigned wait_s;        /**< wait this long for a card first */
} bench_opts;

typedef struct bench_conn {
    SCARDCONTEXT ctx;
    SCARDHANDLE card;
    const SCARD_IO_REQUEST *pci;
    unsigned char *resp;
} bench_conn;

static void usage(FILE *out)
{
    fprintf(out,
            "usage: pcsc_bench -r READER [-a APDU] [-n N] [-w WARMUP] "
            "[--sw SW] [--wait SECONDS]\n"
            "  -r, --reader NAME   the PC/SC reader (exact name)\n"
            "  -a, --apdu HEX      the command APDU (default 0084000008,\n"
            "                      GET CHALLENGE of 8 bytes)\n"
            "  -n, --count N       timed APDUs (default 2000)\n"
            "  -w, --warmup N      untimed APDUs first (default 200)\n"
            "      --sw SW         expected status word (default 9000)\n"
            "      --wait SECONDS  wait for a card in the reader first\n");
}

static double now_us(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e6 + (double)ts.tv_nsec / 1e3;
}

static bool parse_hex(const char *hex, unsigned char *out, size_t cap,
                      size_t *len)
{
    size_t n = strlen(hex);
    if (n == 0 || n % 2 != 0 || n / 2 > cap)
        return false;
    for (size_t i = 0; i < n / 2; i++) {
        unsigned v;
        if (sscanf(hex + 2 * i, "%2x", &v) != 1)
            return false;
        out[i] = (unsigned char)v;
    }
    *len = n / 2;
    return true;
}

static bool parse_uint(const char *text, unsigned *out)
{
    char *end = NULL;
    unsigned long v = strtoul(text, &end, 0);
    if (!end || *end != '\0' || end == text || v > 100000000ul)
        return false;
    *out = (unsigned)v;
    return true;
}

static bool parse_sw(const char *text, unsigned *out)
{
    unsigned char sw[2];
    size_t len = 0;
    if (!parse_hex(text, sw, sizeof(sw), &len) || len != 2)
        return false;
    *out = (unsigned)(sw[0] << 8 | sw[1]);
    return true;
}

static int parse_args(int argc, char **argv, bench_opts *o)
{
    static const struct option longs[] = {
        {"reader", required_argument, NULL, 'r'},
        {"apdu", required_argument, NULL, 'a'},
        {"count", required_argument, NULL, 'n'},
        {"warmup", required_argument, NULL, 'w'},
        {"sw", required_argument, NULL, 's'},
        {"wait", required_argument, NULL, 'W'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0}};
    int c;
    bool ok = true;
    while ((c = getopt_long(argc, argv, "r:a:n:w:h", longs, NULL)) != -1) {
        switch (c) {
        case 'r': o->reader = optarg; break;
        case 'a':
            o->apdu_hex = optarg;
            ok = ok && parse_hex(optarg, o->apdu, sizeof(o->apdu),
                                 &o->apdu_len);
            break;
        case 'n': ok = ok && parse_uint(optarg, &o->n) && o->n > 0; break;
        case 'w': ok = ok && parse_uint(optarg, &o->warmup); break;
        case 's': ok = ok && parse_sw(optarg, &o->sw); break;
        case 'W': ok = ok && parse_uint(optarg, &o->wait_s); break;
        case 'h': usage(stdout); exit(0);
        default: ok = false;
        }
    }
    if (!ok || !o->reader || optind != argc) {
        usage(stderr);
        return 2;
    }
    return 0;
}

static int pcsc_fail(const char *what, LONG rv)
{
    fprintf(stderr, "pcsc_bench: %s: %s (0x%08lX)\n", what,
            pcsc_stringify_error(rv), (unsigned long)rv);
    return 1;
}

/* Wait until the reader holds a card (or the time is up). */
static int wait_card(SCARDCONTEXT ctx, const char *reader, unsigned secs)
{
    SCARD_READERSTATE st = {.szReader = reader,
                            .dwCurrentState = SCARD_STATE_UNAWARE};
    double end = now_us() + secs * 1e6;
    for (;;) {
        LONG rv = SCardGetStatusChange(ctx, 0, &st, 1);
        if (rv == SCARD_S_SUCCESS && (st.dwEventState & SCARD_STATE_PRESENT))
            return 0;
        if (now_us() >= end) {
            fprintf(stderr, "pcsc_bench: no card in \"%s\" after %u s\n",
                    reader, secs);
            return 1;
        }
        struct timespec ts = {0, 50 * 1000 * 1000};
        nanosleep(&ts, NULL);
    }
}

static int open_conn(const bench_opts *o, bench_conn *c)
{
    DWORD proto = 0;
    LONG rv = SCardEstablishContext(SCARD_SCOPE_USER, NULL, NULL, &c->ctx);
    if (rv != SCARD_S_SUCCESS)
        return pcsc_fail("SCardEstablishContext", rv);
    if (o->wait_s > 0 && wait_card(c->ctx, o->reader, o->wait_s) != 0)
        return 1;
    rv = SCardConnect(c->ctx, o->reader, SCARD_SHARE_SHARED,
                      SCARD_PROTOCOL_T0 | SCARD_PROTOCOL_T1, &c->card,
                      &proto);
    if (rv != SCARD_S_SUCCESS)
        return pcsc_fail("SCardConnect", rv);
    c->pci = proto == SCARD_PROTOCOL_T0 ? SCARD_PCI_T0 : SCARD_PCI_T1;
    c->resp = malloc(RESP_MAX);
    return c->resp ? 0 : 1;
}

static void close_conn(bench_conn *c)
{
    SCardDisconnect(c->card, SCARD_LEAVE_CARD);
    SCardReleaseContext(c->ctx);
    free(c->resp);
}

/* One APDU; 0 when it worked and ended with the expected status word. */
static int one_apdu(const bench_opts *o, bench_conn *c)
{
    DWORD len = RESP_MAX;
    LONG rv = SCardTransmit(c->card, c->pci, o->apdu, (DWORD)o->apdu_len,
                            NULL, c->resp, &len);
    if (rv != SCARD_S_SUCCESS)
        return pcsc_fail("SCardTransmit", rv);
    unsigned sw = 0;
    if (len >= 2)
        sw = (unsigned)(c->resp[len - 2] << 8 | c->resp[len - 1]);
    if (sw != o->sw) {
        fprintf(stderr, "pcsc_bench: status word %04X, expected %04X\n", sw,
                o->sw);
        return 1;
    }
    return 0;
}

static int compare_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static double percentile(const double *sorted, unsigned n, double p)
{
    size_t i = (size_t)(p * (n - 1) + 0.5);
    return sorted[i < n ? i : n - 1];
}

static void report(const bench_opts *o, double *lat, double total_us)
{
    qsort(lat, o->n, sizeof(lat[0]), compare_double);
    printf("reader=\"%s\" apdu=%s n=%u seconds=%.6f apdu_per_s=%.1f "
           "median_us=%.1f p99_us=%.1f min_us=%.1f max_us=%.1f\n",
           o->reader, o->apdu_hex, o->n, total_us / 1e6,
           o->n / (total_us / 1e6), percentile(lat, o->n, 0.5),
           percentile(lat, o->n, 0.99), lat[0], lat[o->n - 1]);
}

static int run(const bench_opts *o, bench_conn *c)
{
    for (unsigned i = 0; i < o->warmup; i++)
        if (one_apdu(o, c) != 0)
            return 1;
    double *lat = malloc(sizeof(double) * o->n);
    if (!lat)
        return 1;
    double start = now_us();
    for (unsigned i = 0; i < o->n; i++) {
        double t0 = now_us();
        if (one_apdu(o, c) != 0) {
            free(lat);
            return 1;
        }
        lat[i] = now_us() - t0;
    }
    report(o, lat, now_us() - start);
    free(lat);
    return 0;
}

int main(int argc, char **argv)
{
    bench_opts o = {.n = 2000, .warmup = 200, .sw = 0x9000,
                    .apdu_hex = "0084000008"};
    parse_hex(o.apdu_hex, o.apdu, sizeof(o.apdu), &o.apdu_len);
    int rc = parse_args(argc, argv, &o);
    if (rc != 0)
        return rc;
    bench_conn c = {0};
    rc = open_conn(&o, &c);
    if (rc == 0)
        rc = run(&o, &c);
    if (c.resp)
        close_conn(&c);
    return rc;
}
