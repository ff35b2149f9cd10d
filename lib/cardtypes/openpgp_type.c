/* SPDX-License-Identifier: LGPL-2.1-or-later */
/**
 * @file openpgp_type.c
 * @brief The `openpgp` card type: its parameters (headless
 *        personalisation), create(), attach(), the ATR and the SELECT
 *        that also takes the full AID.
 *
 * create() builds the initial application state from the parameters
 * (factory defaults for what is not given, a random serial number unless
 * one is; key files with their creation time and OpenPGP fingerprint) and
 * keeps it serialised as the type state; attach() binds the application
 * and loads that state. A card loaded from an image has no such state:
 * the image's application state is loaded after attach(). The card only
 * keeps SELECT and GET RESPONSE of the ISO command set.
 */
#include "cardtypes/openpgp.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openssl/evp.h>
#include <openssl/pem.h>

#include "cardtypes/cardtypes.h"
#include "core/atr.h"
#include "core/errtext.h"
#include "os/card.h"
#include "os/iso.h"

/* ---- personalisation ------------------------------------------------------- */

static sfc_err pw_param(const sfc_card_options *opts, const char *name,
                        pgp_pw *pw, size_t min, char *err, size_t errlen)
{
    const char *v = sfc_param_get(opts, name);
    if (!v || pgp_pw_set(pw, v, min))
        return SFC_OK;
    sfc_errf(err, errlen, "%s must have %zu to %d characters", name, min,
             PGP_PW_MAX);
    return SFC_E_INVAL;
}

static sfc_err text_param(const sfc_card_options *opts, const char *name,
                          uint8_t *dst, uint8_t *len, size_t max, char *err,
                          size_t errlen)
{
    const char *v = sfc_param_get(opts, name);
    if (!v)
        return SFC_OK;
    if (strlen(v) > max) {
        sfc_errf(err, errlen, "%s has more than %zu characters", name, max);
        return SFC_E_INVAL;
    }
    memcpy(dst, v, strlen(v));
    *len = (uint8_t)strlen(v);
    return SFC_OK;
}

static sfc_err blob_param(const sfc_card_options *opts, const char *name,
                          pgp_blob *b, char *err, size_t errlen)
{
    const char *v = sfc_param_get(opts, name);
    if (!v)
        return SFC_OK;
    if (strlen(v) > PGP_SPECIAL_DO_MAX) {
        sfc_errf(err, errlen, "%s has more than %d characters", name,
                 PGP_SPECIAL_DO_MAX);
        return SFC_E_INVAL;
    }
    return pgp_blob_set(b, (const uint8_t *)v, strlen(v)) ? SFC_OK
                                                          : SFC_E_NOMEM;
}

static sfc_err sex_param(const sfc_card_options *opts, pgp_state *st,
                         char *err, size_t errlen)
{
    const char *v = sfc_param_get(opts, "cardholder-sex");
    if (!v)
        return SFC_OK;
    if (strlen(v) != 1 || !strchr("0129", v[0])) {
        sfc_errf(err, errlen, "cardholder-sex must be 0, 1, 2 or 9 "
                              "(ISO 5218)");
        return SFC_E_INVAL;
    }
    st->sex = (uint8_t)v[0];
    return SFC_OK;
}

static sfc_err serial_param(sfc_card *card, const sfc_card_options *opts,
                            pgp_state *st, char *err, size_t errlen)
{
    const char *hex = sfc_param_get(opts, "serial");
    size_t n = 0;
    if (!hex)
        return sfc_card_random(card, st->serial, 4);
    if (hex_decode(hex, st->serial, 4, &n) != SFC_OK || n != 4) {
        sfc_errf(err, errlen, "serial must be 4 bytes in hex (8 digits)");
        return SFC_E_INVAL;
    }
    return SFC_OK;
}

static EVP_PKEY *read_key(const char *path)
{
    FILE *f = fopen(path, "r");
    if (!f)
        return NULL;
    EVP_PKEY *k = PEM_read_PrivateKey(f, NULL, NULL, NULL);
    fclose(f);
    return k;
}

/* --key-time: the creation time of imported keys (default now). */
static sfc_err key_time(const sfc_card_options *opts, uint32_t *t, char *err,
                        size_t errlen)
{
    const char *v = sfc_param_get(opts, "key-time");
    char *end = NULL;
    unsigned long long n =
        v ? strtoull(v, &end, 10) : (unsigned long long)time(NULL);
    if (v && (!*v || *end || n > 0xFFFFFFFFull)) {
        sfc_errf(err, errlen, "key-time must be seconds since 1970 (decimal)");
        return SFC_E_INVAL;
    }
    *t = (uint32_t)n;
    return SFC_OK;
}

/* The key's fingerprint and creation time, as keytocard would write them. */
static bool describe_key(pgp_key *k, int slot, uint32_t t)
{
    k->time[0] = (uint8_t)(t >> 24);
    k->time[1] = (uint8_t)(t >> 16);
    k->time[2] = (uint8_t)(t >> 8);
    k->time[3] = (uint8_t)t;
    return pgp_fingerprint(k->pkey, slot, t, k->fpr);
}

static sfc_err key_param(const sfc_card_options *opts, const char *name,
                         pgp_state *st, int slot, char *err, size_t errlen)
{
    const char *path = sfc_param_get(opts, name);
    uint32_t t = 0;
    if (!path)
        return SFC_OK;
    sfc_err rv = key_time(opts, &t, err, errlen);
    if (rv != SFC_OK)
        return rv;
    EVP_PKEY *k = read_key(path);
    if (k && pgp_key_install(st, slot, k, 0x02) &&
        describe_key(&st->key[slot], slot, t))
        return SFC_OK;
    if (st->key[slot].pkey == k)
        k = NULL; /* installed: the state frees it */
    EVP_PKEY_free(k);
    sfc_errf(err, errlen, "%s: cannot use %s (an unencrypted PEM private key "
             "of RSA 2048..4096, a NIST or brainpool curve, Ed25519 or "
             "X25519 is needed)", name, path);
    return SFC_E_INVAL;
}

static sfc_err personalise(sfc_card *card, const sfc_card_options *opts,
                           pgp_state *st, char *err, size_t errlen)
{
    sfc_err rv = serial_param(card, opts, st, err, errlen);
#define TRY(x) if (rv == SFC_OK) rv = (x)
    TRY(pw_param(opts, "pw1", &st->pw[PGP_PW1], 6, err, errlen));
    TRY(pw_param(opts, "pw3", &st->pw[PGP_PW3], 8, err, errlen));
    TRY(pw_param(opts, "resetting-code", &st->pw[PGP_RC], 8, err, errlen));
    TRY(text_param(opts, "cardholder-name", st->name, &st->name_len,
                   PGP_NAME_MAX, err, errlen));
    TRY(text_param(opts, "cardholder-lang", st->lang, &st->lang_len,
                   PGP_LANG_MAX, err, errlen));
    TRY(sex_param(opts, st, err, errlen));
    TRY(blob_param(opts, "url", &st->url, err, errlen));
    TRY(blob_param(opts, "login-data", &st->login, err, errlen));
    TRY(key_param(opts, "sig-key", st, PGP_SIG, err, errlen));
    TRY(key_param(opts, "dec-key", st, PGP_DEC, err, errlen));
    TRY(key_param(opts, "aut-key", st, PGP_AUT, err, errlen));
#undef TRY
    return rv;
}

/* The state created, serialised for attach() (the type state). */
typedef struct pgp_pending {
    sfc_buf state;
} pgp_pending;

static sfc_err keep_pending(sfc_card *card, const pgp_state *st)
{
    pgp_pending *p = calloc(1, sizeof(*p));
    if (!p)
        return SFC_E_NOMEM;
    buf_init(&p->state);
    if (pgp_state_serialise(st, &p->state) == (size_t)-1) {
        buf_free(&p->state);
        free(p);
        return SFC_E_NOMEM;
    }
    sfc_card_set_type_state(card, p);
    return SFC_OK;
}

static sfc_err pgp_create(sfc_card *card, const sfc_card_options *opts,
                          char *err, size_t errlen)
{
    pgp_state st;
    memset(&st, 0, sizeof(st));
    pgp_defaults(&st);
    sfc_err rv = personalise(card, opts, &st, err, errlen);
    if (rv == SFC_OK &&
        (rv = sfc_df_add(card, sfc_card_mf(card), 0x2401, pgp_rid,
                         sizeof(pgp_rid), NULL)) != SFC_OK)
        sfc_errf(err, errlen, "cannot create the OpenPGP application's DF");
    if (rv == SFC_OK && (rv = keep_pending(card, &st)) != SFC_OK)
        sfc_errf(err, errlen, "out of memory");
    pgp_state_clear(&st);
    sfc_wipe(&st, sizeof(st));
    return rv;
}

/* ---- attach ---------------------------------------------------------------- */

/* T=1; historical bytes as 5F52: category 00, card service data 31 C5,
 * card capabilities 73 C0 01 C0 (chaining, extended Lc/Le), status
 * 05 90 00. */
static const uint8_t pgp_hist[] = {0x00, 0x31, 0xC5, 0x73, 0xC0,
                                   0x01, 0xC0, 0x05, 0x90, 0x00};

const uint8_t *pgp_historical(size_t *len)
{
    *len = sizeof(pgp_hist);
    return pgp_hist;
}

static sfc_err set_atr(sfc_card *card)
{
    atr_info info;
    memset(&info, 0, sizeof(info));
    info.ts = 0x3B;
    info.n_groups = 2;
    info.group[0].present = ATR_TA | ATR_TD;
    info.group[0].ta = 0x13;
    info.group[0].td = 0x01;
    info.group[1].present = ATR_TD;
    info.group[1].td = 0x01;
    memcpy(info.hist, pgp_hist, sizeof(pgp_hist));
    info.hist_len = sizeof(pgp_hist);
    uint8_t atr[SFC_ATR_MAX];
    size_t len = 0;
    sfc_err rv = atr_build(&info, atr, sizeof(atr), &len);
    return rv == SFC_OK ? sfc_card_set_atr(card, atr, len) : rv;
}

static void drop_pending(sfc_card *card)
{
    pgp_pending *p = sfc_card_type_state(card);
    if (p) {
        buf_free(&p->state);
        free(p);
    }
    sfc_card_set_type_state(card, NULL);
}

/* SELECT by the full AID, or any prefix of it longer than the DF name,
 * selects the application as its 6-byte DF name does. */
static uint16_t pgp_select_aid(sfc_card *card, const sfc_cmd *cmd,
                               sfc_resp *resp)
{
    sfc_app *app = sfc_app_find(card, &pgp_app);
    uint8_t aid[16];
    if (app)
        pgp_aid(sfc_app_state(app), aid);
    if (!app || cmd->p1 != 0x04 || cmd->nc <= sizeof(pgp_rid) ||
        cmd->nc > sizeof(aid) || memcmp(cmd->data, aid, cmd->nc) != 0)
        return iso_select(card, cmd, resp);
    sfc_cmd prefix = *cmd;
    prefix.nc = sizeof(pgp_rid);
    return iso_select(card, &prefix, resp);
}

static sfc_err pgp_attach(sfc_card *card, const sfc_card_options *opts,
                          char *err, size_t errlen)
{
    (void)opts;
    sfc_app *app = NULL;
    sfc_err rv = sfc_app_attach(card, &pgp_app, &app, err, errlen);
    if (rv != SFC_OK)
        return rv;
    pgp_defaults(sfc_app_state(app));
    pgp_pending *p = sfc_card_type_state(card);
    if (p)
        rv = pgp_load(card, app, p->state.data, p->state.len, err, errlen);
    drop_pending(card);
    if (rv != SFC_OK)
        return rv;
    card->extended_length = true; /* announced in the historical bytes */
    static const uint8_t keep[] = {0xA4, 0xC0}; /* SELECT, GET RESPONSE */
    sfc_card_keep_ins(card, keep, sizeof(keep));
    static const sfc_ins_def select = {0xA4, pgp_select_aid, 0, "SELECT"};
    sfc_card_set_ins(card, &select);
    return set_atr(card);
}

/* The key swap of MSE and SELECT DATA last until the next reset. */
static void pgp_on_power(sfc_card *card, sfc_power_event ev)
{
    (void)ev;
    sfc_app *app = sfc_app_find(card, &pgp_app);
    pgp_state *st = app ? sfc_app_state(app) : NULL;
    if (st) {
        st->dec_ref = 2;
        st->aut_ref = 3;
        st->cert_sel = 0;
    }
}

static const sfc_param_def pgp_params[] = {
    {"pw1", "PIN", "PW1, the user PIN, 6..127 characters (default 123456)",
     SFC_PARAM_SECRET},
    {"pw3", "PIN",
     "PW3, the admin PIN, 8..127 characters (default 12345678)",
     SFC_PARAM_SECRET},
    {"resetting-code", "CODE",
     "the resetting code, 8..127 characters (default: none set)",
     SFC_PARAM_SECRET},
    {"cardholder-name", "NAME",
     "the cardholder's name as OpenPGP writes it, e.g. Doe<<John", 0},
    {"cardholder-lang", "LANG", "language preferences, e.g. ende", 0},
    {"cardholder-sex", "0|1|2|9", "ISO 5218: 1 male, 2 female, 9 n/a", 0},
    {"url", "URL", "where the public key can be fetched (5F50)", 0},
    {"login-data", "TEXT", "the login data (5E)", 0},
    {"sig-key", "FILE", "PEM private key for the signature slot", 0},
    {"dec-key", "FILE", "PEM private key for the decryption slot", 0},
    {"aut-key", "FILE", "PEM private key for the authentication slot", 0},
    {"key-time", "SECONDS",
     "creation time of the key files for their OpenPGP fingerprints, "
     "Unix time (default now)", 0},
    {"serial", "HEX",
     "the 4-byte serial number in the AID (default random)", 0},
    {NULL, NULL, NULL, 0}};

const sfc_card_type sfc_type_openpgp = {
    .abi = SFC_CARD_TYPE_ABI,
    .name = "openpgp",
    .description = "OpenPGP card 3.4 as GnuPG's scdaemon and OpenSC's "
                   "openpgp driver use it",
    .params = pgp_params,
    .create = pgp_create,
    .attach = pgp_attach,
    .detach = drop_pending,
    .on_power = pgp_on_power,
};
