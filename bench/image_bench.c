/* SPDX-License-Identifier: LGPL-2.1-or-later */
/**
 * @file image_bench.c
 * @brief Card images in process: the time to load a card from image text
 *        (sfc_image_load_text) and to save one (sfc_image_save_text), per
 *        card type.
 *
 * For each case a card is created once with sfc_card_new() (default
 * options, as `softcard --init TYPE` does) and serialised; then, after one
 * untimed warm-up load, N loads of that text are timed one by one, and N
 * saves of the created card. Parsing and checking the image are in the
 * figure, and so is whatever the load does to build the card: today it
 * creates the card afresh with sfc_card_new() from the image's type and
 * parameters, i.e. for ePass it generates a CSCA key, a Document Signer
 * key, an Active Authentication key and signs EF.SOD before replacing them
 * with the image's.
 *
 * Output: one line per case,
 *   image case=NAME type=TYPE params=K=V|- bytes=B n=N create_ms=...
 *   load_median_ms=... load_p90_ms=... load_min_ms=... load_max_ms=...
 *   save_median_ms=... save_p90_ms=... roundtrip=same|differs
 * (one line; wrapped here). roundtrip tells whether a loaded card saves
 * to the very text it was loaded from; it is information, not a check.
 * Median and p90 are nearest-rank (bench_percentile).
 *
 *   image_bench [N] [--case LIST]
 *     N            timed loads and saves per case (default 20)
 *     --case LIST  only the cases whose name contains one of these
 *                  (comma-separated), e.g. --case ePass
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench_util.h"
#include "image/image.h"
#include "softcard.h"

typedef struct img_case {
    const char *name, *type;
    sfc_param param; /* key NULL: none */
} img_case;

static const img_case cases[] = {
    {"iso7816", "iso7816", {NULL, NULL}},
    {"ePass", "ePass", {NULL, NULL}},
    {"ePass-aa-rsa", "ePass", {"aa-algorithm", "rsa"}},
    {"handler_test", "handler_test", {NULL, NULL}},
};
#define N_CASES (sizeof(cases) / sizeof(cases[0]))

/* NAME contains one of the comma-separated patterns of LIST (NULL: all). */
static bool selected(const char *name, const char *list)
{
    if (!list)
        return true;
    char buf[256];
    snprintf(buf, sizeof(buf), "%s", list);
    for (char *save = NULL, *p = strtok_r(buf, ",", &save); p;
         p = strtok_r(NULL, ",", &save))
        if (*p && strstr(name, p))
            return true;
    return false;
}

static bool save_text(const sfc_card *card, const char *what, char **text,
                      size_t *len)
{
    char err[SFC_IMAGE_ERR_MAX] = "";
    if (sfc_image_save_text(card, text, len, err, sizeof(err)) != SFC_OK) {
        fprintf(stderr, "image_bench: %s: save: %s\n", what, err);
        return false;
    }
    return true;
}

/* One load of `text`, timed; the card in *out (the caller frees it). */
static bool load_timed(const img_case *c, const char *text, size_t len,
                       sfc_card **out, double *ms)
{
    char err[SFC_IMAGE_ERR_MAX] = "";
    double t0 = bench_now_us();
    sfc_err rv = sfc_image_load_text(text, len, NULL, out, err, sizeof(err));
    *ms = (bench_now_us() - t0) / 1e3;
    if (rv != SFC_OK) {
        fprintf(stderr, "image_bench: %s: load: %s\n", c->name, err);
        return false;
    }
    return true;
}

/* Does a card loaded from `text` save to the same text? */
static const char *roundtrip(const img_case *c, sfc_card *loaded,
                             const char *text, size_t len)
{
    char *again = NULL;
    size_t alen = 0;
    if (!save_text(loaded, c->name, &again, &alen))
        return "error";
    bool same = alen == len && memcmp(again, text, len) == 0;
    sfc_image_text_free(again, alen);
    return same ? "same" : "differs";
}

static int run_case(const img_case *c, unsigned n)
{
    sfc_card_options opts = {0};
    sfc_card *card = NULL, *loaded = NULL;
    char err[256] = "", *text = NULL;
    size_t len = 0;
    double *load_ms = calloc(n, sizeof(double));
    double *save_ms = calloc(n, sizeof(double));
    double ms = 0, t0 = 0, create_ms = 0;
    const char *rt = "error";
    int rc = 1;
    if (c->param.key) {
        opts.params = &c->param;
        opts.n_params = 1;
    }
    if (!load_ms || !save_ms)
        goto out;
    t0 = bench_now_us();
    if (sfc_card_new(c->type, &opts, &card, err, sizeof(err)) != SFC_OK) {
        fprintf(stderr, "image_bench: %s: card: %s\n", c->name, err);
        goto out;
    }
    create_ms = (bench_now_us() - t0) / 1e3;
    if (!save_text(card, c->name, &text, &len))
        goto out;
    /* Warm-up, and the round-trip comparison (untimed). */
    if (!load_timed(c, text, len, &loaded, &ms))
        goto out;
    rt = roundtrip(c, loaded, text, len);
    sfc_card_free(loaded);
    loaded = NULL;
    for (unsigned i = 0; i < n; i++) {
        if (!load_timed(c, text, len, &loaded, &load_ms[i]))
            goto out;
        sfc_card_free(loaded);
        loaded = NULL;
    }
    for (unsigned i = 0; i < n; i++) {
        char *t = NULL;
        size_t tl = 0;
        t0 = bench_now_us();
        if (!save_text(card, c->name, &t, &tl))
            goto out;
        save_ms[i] = (bench_now_us() - t0) / 1e3;
        sfc_image_text_free(t, tl);
    }
    bench_sort(load_ms, n);
    bench_sort(save_ms, n);
    printf("image case=%s type=%s params=%s%s%s bytes=%zu n=%u "
           "create_ms=%.3f load_median_ms=%.3f load_p90_ms=%.3f "
           "load_min_ms=%.3f load_max_ms=%.3f save_median_ms=%.3f "
           "save_p90_ms=%.3f roundtrip=%s\n",
           c->name, c->type, c->param.key ? c->param.key : "-",
           c->param.key ? "=" : "", c->param.key ? c->param.value : "", len,
           n, create_ms, bench_percentile(load_ms, n, 0.5),
           bench_percentile(load_ms, n, 0.9), load_ms[0], load_ms[n - 1],
           bench_percentile(save_ms, n, 0.5),
           bench_percentile(save_ms, n, 0.9), rt);
    fflush(stdout);
    rc = 0;
out:
    sfc_card_free(loaded);
    sfc_card_free(card);
    sfc_image_text_free(text, len);
    free(load_ms);
    free(save_ms);
    return rc;
}

static void usage(FILE *out)
{
    fprintf(out, "usage: image_bench [N] [--case LIST]\n"
                 "  N            timed loads and saves per case (default "
                 "20)\n"
                 "  --case LIST  only cases whose name contains one of "
                 "these (comma-separated):\n"
                 "               iso7816, ePass, ePass-aa-rsa, "
                 "handler_test\n");
}

int main(int argc, char **argv)
{
    static const struct option longs[] = {
        {"case", required_argument, NULL, 'c'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0}};
    const char *only = NULL;
    unsigned n = 20;
    bool ok = true;
    int c;
    while ((c = getopt_long(argc, argv, "h", longs, NULL)) != -1) {
        switch (c) {
        case 'c': only = optarg; break;
        case 'h': usage(stdout); return 0;
        default: ok = false;
        }
    }
    if (ok && optind < argc)
        ok = bench_parse_uint(argv[optind++], &n) && n > 0;
    if (!ok || optind != argc) {
        usage(stderr);
        return 2;
    }
    int rc = 0, ran = 0;
    for (size_t i = 0; rc == 0 && i < N_CASES; i++) {
        if (!selected(cases[i].name, only))
            continue;
        rc = run_case(&cases[i], n);
        ran++;
    }
    if (rc == 0 && ran == 0) {
        fprintf(stderr, "image_bench: no case matches '%s'\n", only);
        return 2;
    }
    return rc;
}
