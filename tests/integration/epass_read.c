/* SPDX-License-Identifier: LGPL-2.1-or-later */
/**
 * @file epass_read.c
 * @brief epass_read: the project's BAC reader over PC/SC, for the ePass
 *        integration tests and the passport demo.
 *
 * It drives a passport in a PC/SC reader (pcscd, e.g. softcard's ePass
 * through vpcd) with the test terminal of tests/unit/epass_terminal*.c
 * (OpenSSL only, independent of the card code): optionally checks that
 * plain reads are refused before BAC, performs BAC with the MRZ, reads
 * EF.COM, every data group it lists and EF.SOD (by FID or by SFI, short or
 * extended APDUs), verifies EF.SOD against a CSCA certificate and runs
 * Active Authentication, printing what it found and the MRZ of DG1.
 *
 *   epass_read [-r READER] --mrz MRZ [--csca FILE] [--sfi] [--extended]
 *              [--chunk N] [--aa] [--check-plain]
 *
 * Exit status 0 if every requested step succeeded, 1 otherwise, 2 for a
 * usage error.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <PCSC/winscard.h>
#include <PCSC/wintypes.h>

#include "epass_terminal.h"

#define MAX_FILES 18

typedef struct pcsc {
    SCARDCONTEXT ctx;
    SCARDHANDLE card;
    DWORD proto;
} pcsc;

typedef struct args {
    const char *reader, *mrz, *csca;
    bool sfi, extended, aa, check_plain;
    size_t chunk;
} args;

static int pcsc_tx(void *ctx, const uint8_t *c, size_t clen, uint8_t *r,
                   size_t cap, size_t *rlen)
{
    pcsc *p = ctx;
    DWORD n = (DWORD)cap;
    const SCARD_IO_REQUEST *pci = p->proto == SCARD_PROTOCOL_T0
                                      ? SCARD_PCI_T0 : SCARD_PCI_T1;
    LONG rv = SCardTransmit(p->card, pci, c, (DWORD)clen, NULL, r, &n);
    if (rv != SCARD_S_SUCCESS) {
        fprintf(stderr, "epass_read: SCardTransmit: %s\n",
                pcsc_stringify_error(rv));
        return -1;
    }
    *rlen = n;
    return 0;
}

/* Connect to the first reader whose name contains `want` (any if NULL). */
static int pcsc_open(pcsc *p, const char *want)
{
    char names[4096];
    DWORD len = sizeof(names);
    LONG rv = SCardEstablishContext(SCARD_SCOPE_SYSTEM, NULL, NULL, &p->ctx);
    if (rv == SCARD_S_SUCCESS)
        rv = SCardListReaders(p->ctx, NULL, names, &len);
    if (rv != SCARD_S_SUCCESS) {
        fprintf(stderr, "epass_read: PC/SC: %s\n", pcsc_stringify_error(rv));
        return -1;
    }
    for (const char *n = names; *n; n += strlen(n) + 1) {
        if (want && !strstr(n, want))
            continue;
        rv = SCardConnect(p->ctx, n, SCARD_SHARE_SHARED,
                          SCARD_PROTOCOL_T0 | SCARD_PROTOCOL_T1, &p->card,
                          &p->proto);
        if (rv == SCARD_S_SUCCESS) {
            printf("reader: %s\n", n);
            return 0;
        }
        fprintf(stderr, "epass_read: %s: %s\n", n, pcsc_stringify_error(rv));
    }
    fprintf(stderr, "epass_read: no card in a reader matching '%s'\n",
            want ? want : "");
    return -1;
}

static void usage(FILE *f)
{
    fprintf(f, "usage: epass_read [-r READER] --mrz MRZ [--csca FILE] [--sfi] "
               "[--extended]\n                  [--chunk N] [--aa] "
               "[--check-plain]\n");
}

static int parse(int argc, char **argv, args *a)
{
    static const struct option opts[] = {
        {"reader", required_argument, NULL, 'r'},
        {"mrz", required_argument, NULL, 'm'},
        {"csca", required_argument, NULL, 'c'},
        {"sfi", no_argument, NULL, 's'},
        {"extended", no_argument, NULL, 'e'},
        {"chunk", required_argument, NULL, 'n'},
        {"aa", no_argument, NULL, 'a'},
        {"check-plain", no_argument, NULL, 'p'},
        {NULL, 0, NULL, 0}};
    int c;
    memset(a, 0, sizeof(*a));
    while ((c = getopt_long(argc, argv, "r:", opts, NULL)) != -1) {
        switch (c) {
        case 'r': a->reader = optarg; break;
        case 'm': a->mrz = optarg; break;
        case 'c': a->csca = optarg; break;
        case 's': a->sfi = true; break;
        case 'e': a->extended = true; break;
        case 'n': a->chunk = strtoul(optarg, NULL, 0); break;
        case 'a': a->aa = true; break;
        case 'p': a->check_plain = true; break;
        default: return -1;
        }
    }
    return a->mrz && optind == argc ? 0 : -1;
}

/* Before BAC: selecting EF.COM works, reading it must answer 6982. */
static int check_plain(et_term *t)
{
    static const uint8_t sel[] = {0x00, 0xA4, 0x02, 0x0C, 0x02, 0x01, 0x1E};
    static const uint8_t rd[] = {0x00, 0xB0, 0x00, 0x00, 0x04};
    static const uint8_t sfi[] = {0x00, 0xB0, 0x81, 0x00, 0x00};
    uint8_t r[300];
    size_t n;
    uint16_t sw[3];
    const uint8_t *cmds[3] = {sel, rd, sfi};
    if (et_select_app(t, &sw[0]) != 0)
        return -1;
    size_t lens[3] = {sizeof(sel), sizeof(rd), sizeof(sfi)};
    for (int i = 0; i < 3; i++) {
        if (t->tx(t->ctx, cmds[i], lens[i], r, sizeof(r), &n) != 0 || n < 2)
            return -1;
        sw[i] = (uint16_t)(r[n - 2] << 8 | r[n - 1]);
    }
    printf("before BAC: SELECT EF.COM %04X, READ BINARY %04X, READ DG1 by SFI "
           "%04X\n", sw[0], sw[1], sw[2]);
    return sw[0] == 0x9000 && sw[1] == 0x6982 && sw[2] == 0x6982 ? 0 : -1;
}

static char *read_text(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    char *buf = f ? malloc(65536) : NULL;
    *len = buf ? fread(buf, 1, 65535, f) : 0;
    if (f)
        fclose(f);
    if (buf)
        buf[*len] = '\0';
    return buf;
}

static void print_files(const et_file *f, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        unsigned fid = f[i].fid;
        if (fid == 0x011E)
            printf("EF.COM  011E: %zu bytes\n", f[i].len);
        else if (fid == 0x011D)
            printf("EF.SOD  011D: %zu bytes\n", f[i].len);
        else
            printf("EF.DG%-2u %04X: %zu bytes\n", fid - 0x100u, fid, f[i].len);
    }
}

static void print_mrz(const et_file *f, size_t n)
{
    char mrz[128];
    if (et_dg1_mrz(et_find(f, n, 0x0101), mrz, sizeof(mrz)) != 0) {
        printf("MRZ: (DG1 unreadable)\n");
        return;
    }
    size_t len = strlen(mrz), line = len == 90 ? 30 : len == 72 ? 36 : 44;
    printf("MRZ (DG1):\n");
    for (size_t i = 0; i < len; i += line)
        printf("  %.*s\n", (int)line, mrz + i);
}

static int verify_sod(const et_file *f, size_t n, const char *csca)
{
    size_t len = 0;
    char err[256], *pem = read_text(csca, &len);
    int rv = pem ? et_verify_sod(f, n, pem, len, err, sizeof(err)) : -1;
    if (rv == 0)
        printf("EF.SOD: signature, certificate chain and %s hashes verified "
               "against %s\n", "data-group", csca);
    else
        printf("EF.SOD: NOT verified: %s\n", pem ? err : "cannot read CSCA");
    free(pem);
    return rv;
}

static int run(et_term *t, const args *a)
{
    char info[64];
    uint16_t sw = 0;
    et_file f[MAX_FILES];
    size_t n = 0;
    int rv = 0;
    if (a->check_plain && check_plain(t) != 0)
        return fprintf(stderr, "epass_read: plain access was not refused\n"), 1;
    if (et_mrz_info(a->mrz, info, sizeof(info)) != 0 ||
        et_select_app(t, &sw) != 0 || et_bac(t, info, NULL, NULL) != 0)
        return fprintf(stderr, "epass_read: BAC failed: %s\n", t->err), 1;
    printf("BAC: mutual authentication done, 3DES secure messaging on\n");
    t->extended = a->extended;
    if (a->chunk)
        t->chunk = a->chunk;
    if (et_read_all(t, a->sfi, f, MAX_FILES, &n) != 0) {
        fprintf(stderr, "epass_read: reading failed: %s\n", t->err);
        rv = 1;
    }
    print_files(f, n);
    print_mrz(f, n);
    if (rv == 0 && a->csca && verify_sod(f, n, a->csca) != 0)
        rv = 1;
    if (rv == 0 && a->aa) {
        bool ok = et_active_auth(t, f, n) == 0;
        printf("Active Authentication: %s%s\n", ok ? "verified" : "FAILED: ",
               ok ? "" : t->err);
        rv = ok ? 0 : 1;
    }
    printf("%u APDUs (%s lengths, %s)\n", t->apdus,
           a->extended ? "extended" : "short", a->sfi ? "by SFI" : "by FID");
    et_files_free(f, n);
    return rv;
}

int main(int argc, char **argv)
{
    args a;
    pcsc p = {0};
    et_term t;
    if (parse(argc, argv, &a) != 0) {
        usage(stderr);
        return 2;
    }
    if (pcsc_open(&p, a.reader) != 0)
        return 1;
    et_init(&t, pcsc_tx, &p);
    int rv = run(&t, &a);
    SCardDisconnect(p.card, SCARD_RESET_CARD);
    SCardReleaseContext(p.ctx);
    return rv;
}
