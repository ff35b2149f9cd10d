/* SPDX-License-Identifier: LGPL-2.1-or-later */
/**
 * @file softcard_image.c
 * @brief Card images in the softcard command: the headless generator, the
 *        image check, opening the images of running cards, passphrases.
 *
 * The generator replaces the reference's interactive CardGenerator: it
 * makes a fresh card of a type with sfc_card_new() (the type's defaults,
 * the card type's parameters and --extended-length, or a JSON configuration
 * file) and saves
 * it as a new image, refusing to replace an existing one without --force.
 * Running cards lock their image and save every change before answering
 * (lib/image). A passphrase comes from a file or the environment, never
 * from the command line where other users could see it; it is wiped after
 * use. Errors are one line "softcard: <image>: <path>: <reason>".
 */
#include "softcard_image.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cardtypes/cardtypes.h"
#include "core/errtext.h"
#include "os/card.h"
#include "os/fs.h"
#include "core/bytes.h"

#define PASS_MAX 4096
#define ERR_MAX (2 * SFC_IMAGE_ERR_MAX)

static int say(char *err, size_t errlen, int status, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static int say(char *err, size_t errlen, int status, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    sfc_verrf(err, errlen, fmt, ap);
    va_end(ap);
    return status;
}

/* ---- passphrase ------------------------------------------------------------ */

static void warn_if_readable(const char *path)
{
    struct stat st;
    if (stat(path, &st) == 0 && (st.st_mode & 077))
        fprintf(stderr, "softcard: warning: passphrase file %s can be read by "
                "other users (chmod 600 it)\n", path);
}

static int read_pass_file(const char *path, softcard_pass *p, char *err,
                          size_t errlen)
{
    char why[SFC_IMAGE_ERR_MAX];
    if (sfc_image_read_file(path, &p->text, &p->len, why, sizeof(why)) !=
        SFC_OK)
        return say(err, errlen, SOFTCARD_EXIT_FAILURE, "passphrase file %s",
                   why);
    size_t full = p->len;
    if (p->len && p->text[p->len - 1] == '\n')
        p->len--;
    if (p->len && p->text[p->len - 1] == '\r')
        p->len--;
    sfc_wipe(p->text + p->len, full - p->len);
    if (p->len == 0 || p->len > PASS_MAX) {
        const char *why_not = p->len ? "longer than 4096 bytes" : "empty";
        softcard_pass_free(p);
        return say(err, errlen, SOFTCARD_EXIT_FAILURE, "passphrase file %s: "
                   "%s", path, why_not);
    }
    warn_if_readable(path);
    return SOFTCARD_EXIT_OK;
}

int softcard_pass_read(const softcard_opts *o, softcard_pass *p, char *err,
                       size_t errlen)
{
    memset(p, 0, sizeof(*p));
    if (o->passphrase_file)
        return read_pass_file(o->passphrase_file, p, err, errlen);
    const char *env = getenv(SOFTCARD_PASSPHRASE_ENV);
    if (!env || !env[0])
        return SOFTCARD_EXIT_OK;
    p->len = strlen(env);
    if (p->len > PASS_MAX || !(p->text = strdup(env))) {
        p->len = 0;
        return say(err, errlen, SOFTCARD_EXIT_FAILURE, "%s: longer than 4096 "
                   "bytes or out of memory", SOFTCARD_PASSPHRASE_ENV);
    }
    return SOFTCARD_EXIT_OK;
}

void softcard_pass_free(softcard_pass *p)
{
    if (p->text)
        sfc_wipe(p->text, p->len);
    free(p->text);
    p->text = NULL;
    p->len = 0;
}

/* ---- the generator --------------------------------------------------------- */

static int make_config(const softcard_opts *o, sfc_image_config *cfg,
                       char *err, size_t errlen)
{
    memset(cfg, 0, sizeof(*cfg));
    if (o->init_config &&
        sfc_image_config_load(o->init_config, cfg, err, errlen) != SFC_OK)
        return SOFTCARD_EXIT_USAGE;
    if (!o->init_config && !(cfg->type = strdup(o->init_type)))
        return say(err, errlen, SOFTCARD_EXIT_FAILURE, "out of memory");
    cfg->extended_length |= o->extended_length;
    for (size_t i = 0; i < o->n_params; i++) /* --param, --mrz, ... */
        if (sfc_image_config_set(cfg, o->params[i].key, o->params[i].value) !=
            SFC_OK)
            return say(err, errlen, SOFTCARD_EXIT_FAILURE, "out of memory");
    return SOFTCARD_EXIT_OK;
}

static int make_card(const sfc_image_config *cfg, sfc_card **card, char *err,
                     size_t errlen)
{
    char why[256] = "";
    sfc_card_options copts = {.extended_length = cfg->extended_length,
                             .params = cfg->params,
                             .n_params = cfg->n_params};
    sfc_err rv = sfc_card_new(cfg->type, &copts, card, why, sizeof(why));
    if (rv == SFC_E_NOMEM)
        return say(err, errlen, SOFTCARD_EXIT_FAILURE, "out of memory");
    if (rv != SFC_OK && sfc_card_type_is_plugin(sfc_card_type_find(cfg->type)))
        return say(err, errlen, SOFTCARD_EXIT_FAILURE, "%s",
                   why[0] ? why : sfc_strerror(rv)); /* the plugin failed */
    if (rv != SFC_OK)
        return say(err, errlen, SOFTCARD_EXIT_USAGE, "%s (softcard --help "
                   "lists the card types; docs/card-image.md the parameters)",
                   why[0] ? why : sfc_strerror(rv));
    return SOFTCARD_EXIT_OK;
}

static int save_new(const softcard_opts *o, const sfc_card *card,
                    const softcard_pass *pass, char *err, size_t errlen)
{
    sfc_image_store *s = NULL;
    sfc_image_key *key = NULL;
    sfc_err rv = sfc_image_store_open(o->files[0], &s, err, errlen);
    if (rv == SFC_OK && pass->text)
        rv = sfc_image_key_new((const uint8_t *)pass->text, pass->len, NULL,
                              &key, err, errlen);
    if (rv == SFC_OK) {
        sfc_image_store_set_key(s, key);
        rv = sfc_image_store_create(s, card, o->force, err, errlen);
        if (rv == SFC_E_STATE) {
            size_t n = strlen(err);
            snprintf(err + n, errlen - n, " (use --force to replace it)");
        }
    }
    sfc_image_store_free(s);
    return rv == SFC_OK ? SOFTCARD_EXIT_OK : SOFTCARD_EXIT_FAILURE;
}

int softcard_image_init(const softcard_opts *o)
{
    char err[ERR_MAX] = "";
    sfc_image_config cfg;
    sfc_card *card = NULL;
    softcard_pass pass = {0};
    int status = make_config(o, &cfg, err, sizeof(err));
    if (status == SOFTCARD_EXIT_OK)
        status = make_card(&cfg, &card, err, sizeof(err));
    if (status == SOFTCARD_EXIT_OK)
        status = softcard_pass_read(o, &pass, err, sizeof(err));
    if (status == SOFTCARD_EXIT_OK)
        status = save_new(o, card, &pass, err, sizeof(err));
    if (status == SOFTCARD_EXIT_OK)
        printf("%s: new %s card image%s\n", o->files[0], cfg.type,
               pass.text ? " (encrypted)" : "");
    else
        fprintf(stderr, "softcard: %s\n", err);
    softcard_pass_free(&pass);
    sfc_card_free(card);
    sfc_image_config_free(&cfg);
    return status;
}

/* "encrypted image: a passphrase is needed" gets the ways to give one. */
static void pass_hint(sfc_err rv, const softcard_pass *pass, char *err,
                      size_t errlen)
{
    size_t n = strlen(err);
    if (rv == SFC_E_STATE && !pass->text && strstr(err, "passphrase"))
        snprintf(err + n, errlen - n, " (give --passphrase-file FILE or set "
                 "%s)", SOFTCARD_PASSPHRASE_ENV);
}

/* ---- checking --------------------------------------------------------------- */

static bool count_file(sfc_file *f, void *user)
{
    (void)f;
    (*(size_t *)user)++;
    return true;
}

static void describe(const char *path, sfc_card *card)
{
    size_t files = 0;
    fs_walk(card->mf, count_file, &files);
    printf("%s: ok: %s card, %zu file(s) using %zu bytes, %zu PIN(s), "
           "%zu key(s)\n", path, sfc_card_get_type(card), files, card->mem_used,
           card->n_pins, card->n_keys);
}

int softcard_image_check(const softcard_opts *o)
{
    char err[ERR_MAX] = "";
    softcard_pass pass = {0};
    int status = softcard_pass_read(o, &pass, err, sizeof(err));
    if (status != SOFTCARD_EXIT_OK)
        fprintf(stderr, "softcard: %s\n", err);
    for (size_t i = 0; status == SOFTCARD_EXIT_OK && i < o->n_files; i++) {
        sfc_card *card = NULL;
        sfc_err rv = sfc_image_load_file(o->files[i], (const uint8_t *)pass.text,
                                       pass.len, NULL, &card, err,
                                       sizeof(err));
        if (rv == SFC_OK) {
            describe(o->files[i], card);
        } else {
            pass_hint(rv, &pass, err, sizeof(err));
            fprintf(stderr, "softcard: %s\n", err);
            status = SOFTCARD_EXIT_FAILURE;
        }
        sfc_card_free(card);
    }
    softcard_pass_free(&pass);
    return status;
}

/* ---- running ------------------------------------------------------------------ */

static int load_one(const softcard_opts *o, size_t i, sfc_image_store *s,
                    const softcard_pass *pass, sfc_card **card, char *err,
                    size_t errlen)
{
    char label[48];
    snprintf(label, sizeof(label), "card %zu", i);
    sfc_card_options base = {.label = label};
    sfc_err rv = sfc_image_store_load(s, (const uint8_t *)pass->text, pass->len,
                                    &base, card, err, errlen);
    pass_hint(rv, pass, err, errlen);
    if (rv != SFC_OK)
        return SOFTCARD_EXIT_FAILURE;
    const char *type = sfc_card_get_type(*card);
    if (o->n_types && strcmp(softcard_type_of_card(o, i), type) != 0)
        return say(err, errlen, SOFTCARD_EXIT_USAGE, "%s: holds a %s card, "
                   "not %s (leave out -t, or give the image's type)",
                   o->files[i], type, softcard_type_of_card(o, i));
    if (pass->text && !sfc_image_store_encrypted(s))
        fprintf(stderr, "softcard: warning: %s is not encrypted; the "
                "passphrase is not used for it\n", o->files[i]);
    snprintf((*card)->label, sizeof((*card)->label), "card %zu (%s)", i,
             type);
    return SOFTCARD_EXIT_OK;
}

int softcard_image_open_all(const softcard_opts *o, sfc_card **cards,
                            sfc_image_store **stores, char *err,
                            size_t errlen)
{
    softcard_pass pass;
    int status = softcard_pass_read(o, &pass, err, errlen);
    for (size_t i = 0; status == SOFTCARD_EXIT_OK && i < o->n_files; i++) {
        if (sfc_image_store_open(o->files[i], &stores[i], err, errlen) !=
            SFC_OK) {
            status = SOFTCARD_EXIT_FAILURE;
            break;
        }
        status = load_one(o, i, stores[i], &pass, &cards[i], err, errlen);
        if (status == SOFTCARD_EXIT_OK)
            sfc_image_attach(cards[i], stores[i]);
    }
    softcard_pass_free(&pass);
    return status;
}
