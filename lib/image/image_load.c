/* SPDX-License-Identifier: LGPL-2.1-or-later */
/**
 * @file image_load.c
 * @brief A card from image JSON: the top level, PINs, keys, the card
 *        secret and the stored security environments (the file tree is
 *        image_tree.c's).
 *
 * The card is created with sfc_card_new() from the image's type, parameters
 * and extended-length flag, so the card type builds its tables, ATR and
 * defaults exactly as for a fresh card; then every section present in the
 * image replaces what the type created ("pins": [] means no PINs, an absent
 * "pins" keeps the type's). Every value is checked: types, ranges
 * (counters within their maximum), lengths, uniqueness of references, PEM
 * keys of the declared kind. The first problem ends the load with its JSON
 * path and reason; nothing half-loaded is ever returned.
 */
#include "core/errtext.h"
#include "image/image.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/err.h>

#include "os/card.h"
#include "os/keys.h"
#include "os/fs.h"
#include "cardtypes/cardtypes.h"
#include "core/sw.h"
#include "core/bytes.h"
#include "crypto/pkey.h"
#include "image/image_json.h"
#include "image/image_schema.h"

#define MAX_PARAMS 64

static const char *const top_fields[] = {
    "format", "version", "type", "extended_length", "params", "secret",
    "pins", "keys", "security_environments", "applications", "mf", NULL};
static const char *const pin_fields[] = {
    "ref", "value", "value_hex", "min_length", "max_length", "tries",
    "tries_left", "puk", "scope", "state", NULL};
static const char *const app_fields[] = {"aid", "name", "state", NULL};
static const char *const puk_fields[] = {"value", "value_hex", "tries",
                                         "tries_left", NULL};
static const char *const key_fields[] = {"ref", "kind", "use_sc", "value",
                                         "pem", NULL};
static const char *const se_fields[] = {"number", "at", "kat", "ht", "cct",
                                        "dst", "ct", NULL};
static const char *const crt_fields[] = {"alg", "key", "key_private", "iv",
                                         "usage", NULL};

static const char *const key_kinds[] = {
    [SFC_KEY_DES3] = "des3", [SFC_KEY_AES] = "aes", [SFC_KEY_RSA] = "rsa",
    [SFC_KEY_EC] = "ec"};

static const char *const pin_states[] = {
    [SFC_PIN_ACTIVE] = "active", [SFC_PIN_SUSPENDED] = "suspended",
    [SFC_PIN_DEACTIVATED] = "deactivated"};

const char *img_pin_state_name(sfc_pin_state state)
{
    return state <= SFC_PIN_DEACTIVATED ? pin_states[state] : "?";
}

bool img_pin_state_parse(const char *name, sfc_pin_state *out)
{
    for (int k = SFC_PIN_ACTIVE; k <= SFC_PIN_DEACTIVATED; k++) {
        if (strcmp(name, pin_states[k]) == 0) {
            *out = (sfc_pin_state)k;
            return true;
        }
    }
    return false;
}

const char *img_key_kind_name(sfc_key_kind kind)
{
    return kind <= SFC_KEY_EC ? key_kinds[kind] : "?";
}

bool img_key_kind_parse(const char *name, sfc_key_kind *out)
{
    for (int k = SFC_KEY_DES3; k <= SFC_KEY_EC; k++) {
        if (strcmp(name, key_kinds[k]) == 0) {
            *out = (sfc_key_kind)k;
            return true;
        }
    }
    return false;
}

/* Descend into `key` if present and run `fn` on its value. */
typedef sfc_err (*section_fn)(ij_ctx *c, sfc_card *card, json_object *v);

static sfc_err section(ij_ctx *c, sfc_card *card, json_object *root,
                      const char *key, section_fn fn)
{
    json_object *v = NULL;
    if (!ij_get(root, key, &v))
        return SFC_OK;
    size_t mark = ij_key(c, key);
    sfc_err rv = fn(c, card, v);
    ij_back(c, mark);
    return rv;
}

/* ---- PINs ---------------------------------------------------------------- */

/* "value" (text) or "value_hex": a PIN or PUK of at most 16 bytes. */
static sfc_err read_secret_value(ij_ctx *c, json_object *o, uint8_t *out,
                                uint8_t *len)
{
    json_object *text = NULL, *hex = NULL;
    bool has_text = ij_get(o, "value", &text);
    bool has_hex = ij_get(o, "value_hex", &hex);
    if (has_text == has_hex)
        return ij_fail(c, SFC_E_FORMAT, has_text ? "give value or value_hex, "
                       "not both" : "value (or value_hex) missing");
    uint8_t *buf = NULL;
    size_t n = 0;
    const char *s = NULL;
    sfc_err rv = has_hex ? ij_hex(c, o, "value_hex", true, SFC_PIN_MAX_LEN,
                                 &buf, &n, NULL)
                        : ij_string(c, o, "value", true, &s);
    if (rv == SFC_OK && s) {
        n = (size_t)json_object_get_string_len(text);
        if (n > SFC_PIN_MAX_LEN)
            rv = ij_fail_at(c, "value", SFC_E_RANGE, "%zu characters, more "
                            "than %d", n, SFC_PIN_MAX_LEN);
        else
            memcpy(out, s, n);
    } else if (rv == SFC_OK && n) {
        memcpy(out, buf, n);
    }
    *len = (uint8_t)n;
    if (buf)
        sfc_wipe(buf, n);
    free(buf);
    return rv;
}

static sfc_err read_counter(ij_ctx *c, json_object *o, uint8_t *max,
                           uint8_t *left)
{
    uint64_t tries = 0, tries_left = 0;
    sfc_err rv = ij_uint(c, o, "tries", true, 1, 15, &tries);
    tries_left = tries;
    if (rv == SFC_OK)
        rv = ij_uint(c, o, "tries_left", false, 0, tries, &tries_left);
    *max = (uint8_t)tries;
    *left = (uint8_t)tries_left;
    return rv;
}

static sfc_err read_puk(ij_ctx *c, json_object *o, sfc_pin *p)
{
    sfc_err rv = ij_object(c, o, puk_fields);
    if (rv == SFC_OK)
        rv = read_secret_value(c, o, p->puk, &p->puk_len);
    if (rv == SFC_OK && p->puk_len == 0)
        rv = ij_fail_at(c, "value", SFC_E_RANGE, "a PUK cannot be empty");
    if (rv == SFC_OK)
        rv = read_counter(c, o, &p->puk_max_tries, &p->puk_tries_left);
    p->has_puk = true;
    return rv;
}

static sfc_err read_lengths(ij_ctx *c, json_object *o, sfc_pin *p)
{
    uint64_t min = 1, max = SFC_PIN_MAX_LEN;
    sfc_err rv = ij_uint(c, o, "min_length", false, 0, SFC_PIN_MAX_LEN, &min);
    if (rv == SFC_OK)
        rv = ij_uint(c, o, "max_length", false, min, SFC_PIN_MAX_LEN, &max);
    p->min_len = (uint8_t)min;
    p->max_len = (uint8_t)max;
    if (rv == SFC_OK && (p->len < min || p->len > max))
        rv = ij_fail(c, SFC_E_RANGE, "a %u-character value outside "
                     "min_length..max_length (%u..%u)", p->len, p->min_len,
                     p->max_len);
    return rv;
}

/* "scope": the owning application's AID (absent: card-wide); "state". */
static sfc_err read_scope_state(ij_ctx *c, json_object *o, sfc_pin *p)
{
    uint8_t *aid = NULL;
    size_t n = 0;
    const char *state = NULL;
    bool present = false;
    sfc_err rv = ij_hex(c, o, "scope", false, SFC_AID_MAX, &aid, &n, &present);
    if (rv == SFC_OK && present && n == 0)
        rv = ij_fail_at(c, "scope", SFC_E_FORMAT, "an empty AID");
    if (rv == SFC_OK && n)
        memcpy(p->scope, aid, n);
    p->scope_len = (uint8_t)n;
    free(aid);
    if (rv == SFC_OK)
        rv = ij_string(c, o, "state", false, &state);
    if (rv == SFC_OK && state && !img_pin_state_parse(state, &p->state))
        rv = ij_fail_at(c, "state", SFC_E_FORMAT, "'%s' is not a PIN state "
                        "(active, suspended or deactivated)", state);
    return rv;
}

static sfc_err read_pin(ij_ctx *c, json_object *o, sfc_pin *p)
{
    json_object *puk = NULL;
    sfc_err rv = ij_object(c, o, pin_fields);
    if (rv == SFC_OK)
        rv = ij_byte(c, o, "ref", true, &p->ref, NULL);
    if (rv == SFC_OK)
        rv = read_secret_value(c, o, p->value, &p->len);
    if (rv == SFC_OK)
        rv = read_lengths(c, o, p);
    if (rv == SFC_OK)
        rv = read_counter(c, o, &p->max_tries, &p->tries_left);
    if (rv == SFC_OK)
        rv = read_scope_state(c, o, p);
    if (rv == SFC_OK && ij_get(o, "puk", &puk)) {
        size_t mark = ij_key(c, "puk");
        rv = read_puk(c, puk, p);
        ij_back(c, mark);
    }
    return rv;
}

static sfc_err add_pin(ij_ctx *c, json_object *o, void *user)
{
    sfc_card *card = user;
    sfc_pin p;
    memset(&p, 0, sizeof(p));
    sfc_err rv = read_pin(c, o, &p);
    for (size_t i = 0; rv == SFC_OK && i < card->n_pins; i++)
        if (card->pins[i].ref == p.ref &&
            card->pins[i].scope_len == p.scope_len &&
            memcmp(card->pins[i].scope, p.scope, p.scope_len) == 0)
            rv = ij_fail_at(c, "ref", SFC_E_FORMAT, "a second PIN with "
                            "reference %02X in the same scope", p.ref);
    if (rv == SFC_OK)
        card->pins[card->n_pins++] = p;
    sfc_wipe(&p, sizeof(p));
    return rv;
}

static sfc_err load_pins(ij_ctx *c, sfc_card *card, json_object *v)
{
    sfc_wipe(card->pins, sizeof(card->pins));
    card->n_pins = 0;
    return ij_each(c, v, SFC_MAX_PINS, "PINs", add_pin, card);
}

/* ---- keys ---------------------------------------------------------------- */

static sfc_err add_symmetric(ij_ctx *c, sfc_card *card, json_object *o,
                            uint8_t ref, sfc_key_kind kind, uint8_t use_sc)
{
    uint8_t *v = NULL;
    size_t n = 0;
    sfc_err rv = ij_hex(c, o, "value", true, SFC_SYM_KEY_MAX, &v, &n, NULL);
    if (rv == SFC_OK && json_object_object_get_ex(o, "pem", NULL))
        rv = ij_fail_at(c, "pem", SFC_E_FORMAT, "only rsa and ec keys are PEM");
    if (rv == SFC_OK &&
        sfc_key_put_symmetric(card, ref, kind, v, n, use_sc) != SFC_OK)
        rv = ij_fail_at(c, "value", SFC_E_RANGE, "%zu bytes is not a %s key "
                        "length", n, img_key_kind_name(kind));
    if (v)
        sfc_wipe(v, n);
    free(v);
    return rv;
}

static sfc_err parse_pem(ij_ctx *c, json_object *o, sfc_pkey **k)
{
    const char *pem = NULL;
    sfc_err rv = ij_string(c, o, "pem", true, &pem);
    if (rv != SFC_OK)
        return rv;
    if (strstr(pem, "ENCRYPTED"))
        return ij_fail_at(c, "pem", SFC_E_FORMAT, "an encrypted PEM key "
                          "(store it unencrypted; encrypt the whole image)");
    rv = sfc_pkey_from_pem(pem, strlen(pem), k);
    if (rv != SFC_OK)
        ERR_clear_error(); /* leave no stale OpenSSL errors behind */
    if (rv == SFC_E_UNSUPPORTED)
        return ij_fail_at(c, "pem", rv, "an algorithm, curve or RSA size the "
                          "card does not support");
    if (rv != SFC_OK)
        return ij_fail_at(c, "pem", SFC_E_FORMAT, "not a PEM private or "
                          "public key");
    return SFC_OK;
}

static sfc_err add_pkey(ij_ctx *c, sfc_card *card, json_object *o, uint8_t ref,
                       sfc_key_kind kind, uint8_t use_sc)
{
    sfc_pkey *k = NULL;
    sfc_err rv = SFC_OK;
    if (json_object_object_get_ex(o, "value", NULL))
        rv = ij_fail_at(c, "value", SFC_E_FORMAT, "rsa and ec keys are given "
                        "as pem");
    if (rv == SFC_OK)
        rv = parse_pem(c, o, &k);
    if (rv == SFC_OK && sfc_pkey_is_rsa(k) != (kind == SFC_KEY_RSA))
        rv = ij_fail_at(c, "pem", SFC_E_FORMAT, "not an %s key",
                        kind == SFC_KEY_RSA ? "RSA" : "EC");
    if (rv == SFC_OK && sfc_key_put_pkey(card, ref, k, use_sc) != SFC_OK)
        rv = ij_fail(c, SFC_E_RANGE, "the card's key store is full");
    else if (rv == SFC_OK)
        k = NULL; /* the card owns it */
    sfc_pkey_free(k);
    return rv;
}

static sfc_err add_key(ij_ctx *c, json_object *o, void *user)
{
    sfc_card *card = user;
    uint8_t ref = 0, use_sc = 0;
    const char *kind_name = NULL;
    sfc_key_kind kind = SFC_KEY_AES;
    sfc_err rv = ij_object(c, o, key_fields);
    if (rv == SFC_OK)
        rv = ij_byte(c, o, "ref", true, &ref, NULL);
    if (rv == SFC_OK)
        rv = ij_string(c, o, "kind", true, &kind_name);
    if (rv == SFC_OK && !img_key_kind_parse(kind_name, &kind))
        rv = ij_fail_at(c, "kind", SFC_E_FORMAT, "'%s' is not a key kind "
                        "(des3, aes, rsa or ec)", kind_name);
    if (rv == SFC_OK)
        rv = ij_byte(c, o, "use_sc", false, &use_sc, NULL);
    if (rv == SFC_OK && sfc_key_find(card, ref))
        rv = ij_fail_at(c, "ref", SFC_E_FORMAT, "a second key with reference "
                        "%02X", ref);
    if (rv != SFC_OK)
        return rv;
    if (kind == SFC_KEY_DES3 || kind == SFC_KEY_AES)
        return add_symmetric(c, card, o, ref, kind, use_sc);
    return add_pkey(c, card, o, ref, kind, use_sc);
}

static sfc_err load_keys(ij_ctx *c, sfc_card *card, json_object *v)
{
    while (card->n_keys)
        sfc_key_remove(card, card->keys[0].ref);
    return ij_each(c, v, SFC_MAX_KEYS, "keys", add_key, card);
}

/* ---- security environments ---------------------------------------------- */

static sfc_err read_crt_key(ij_ctx *c, json_object *o, sfc_crt *crt)
{
    uint8_t *id = NULL;
    size_t n = 0;
    bool present = false;
    sfc_err rv = ij_hex(c, o, "key", false, sizeof(crt->key_id), &id, &n,
                       &present);
    if (rv == SFC_OK && present && n == 0)
        rv = ij_fail_at(c, "key", SFC_E_FORMAT, "an empty key reference");
    if (rv == SFC_OK && present) {
        crt->has_key = true;
        memcpy(crt->key_id, id, n);
        crt->key_id_len = (uint8_t)n;
        crt->key_ref = id[0];
        rv = ij_bool(c, o, "key_private", &crt->key_private);
    } else if (rv == SFC_OK && json_object_object_get_ex(o, "key_private",
                                                        NULL)) {
        rv = ij_fail_at(c, "key_private", SFC_E_FORMAT, "without a key");
    }
    free(id);
    return rv;
}

static sfc_err read_crt(ij_ctx *c, json_object *o, sfc_crt *crt)
{
    uint8_t *iv = NULL;
    size_t n = 0;
    memset(crt, 0, sizeof(*crt));
    sfc_err rv = ij_object(c, o, crt_fields);
    if (rv == SFC_OK)
        rv = ij_byte(c, o, "alg", false, &crt->alg, &crt->has_alg);
    if (rv == SFC_OK)
        rv = read_crt_key(c, o, crt);
    if (rv == SFC_OK)
        rv = ij_hex(c, o, "iv", false, sizeof(crt->iv), &iv, &n, NULL);
    if (rv == SFC_OK && n)
        memcpy(crt->iv, iv, n);
    crt->iv_len = (uint8_t)n;
    if (rv == SFC_OK)
        rv = ij_byte(c, o, "usage", false, &crt->usage, &crt->has_usage);
    crt->set = true;
    free(iv);
    return rv;
}

static sfc_err read_se(ij_ctx *c, json_object *o, sfc_se *se)
{
    static const char *const names[] = {"at", "kat", "ht", "cct", "dst",
                                        "ct"};
    sfc_crt *crts[] = {&se->at, &se->kat, &se->ht, &se->cct, &se->dst,
                      &se->ct};
    sfc_err rv = SFC_OK;
    for (size_t i = 0; rv == SFC_OK && i < 6; i++) {
        json_object *v = NULL;
        if (!ij_get(o, names[i], &v))
            continue;
        size_t mark = ij_key(c, names[i]);
        rv = read_crt(c, v, crts[i]);
        ij_back(c, mark);
    }
    return rv;
}

static sfc_err add_se(ij_ctx *c, json_object *o, void *user)
{
    sfc_card *card = user;
    uint64_t n = 0;
    sfc_se se;
    memset(&se, 0, sizeof(se));
    sfc_err rv = ij_object(c, o, se_fields);
    if (rv == SFC_OK)
        rv = ij_uint(c, o, "number", true, 0, SFC_MAX_SE, &n);
    if (rv == SFC_OK && card->stored_se_set[n])
        rv = ij_fail_at(c, "number", SFC_E_FORMAT, "a second security "
                        "environment %llu", (unsigned long long)n);
    if (rv == SFC_OK)
        rv = read_se(c, o, &se);
    if (rv == SFC_OK) {
        card->stored_se[n] = se;
        card->stored_se_set[n] = true;
    }
    return rv;
}

static sfc_err load_ses(ij_ctx *c, sfc_card *card, json_object *v)
{
    memset(card->stored_se, 0, sizeof(card->stored_se));
    memset(card->stored_se_set, 0, sizeof(card->stored_se_set));
    return ij_each(c, v, SFC_MAX_SE + 1, "security environments", add_se,
                   card);
}

/* ---- the card ------------------------------------------------------------ */

static sfc_err load_mf(ij_ctx *c, sfc_card *card, json_object *v)
{
    return img_load_tree(c, card, v);
}

typedef struct param_list {
    sfc_param *params;
    size_t n;
} param_list;

static const char *put_card_param(void *user, const char *key,
                                  const char *value)
{
    param_list *l = user;
    if (l->n == MAX_PARAMS)
        return "more than 64 parameters";
    l->params[l->n++] = (sfc_param){key, value};
    return NULL;
}

/* A v2 image holds only parameters that attach() needs (SFC_PARAM_KEEP). */
static sfc_err check_kept_params(ij_ctx *c, const sfc_card_type *t,
                                 const param_list *l)
{
    for (size_t i = 0; i < l->n; i++) {
        const sfc_param_def *d = sfc_param_def_of(t, l->params[i].key);
        if (d && !(d->flags & SFC_PARAM_KEEP)) {
            size_t mark = ij_key(c, "params");
            sfc_err rv = ij_fail_at(c, l->params[i].key, SFC_E_FORMAT,
                                    "only used when a card is created; the "
                                    "image holds what it made");
            ij_back(c, mark);
            return rv;
        }
    }
    return SFC_OK;
}

/* The card's type, its kept parameters and a blank card of that type. */
static sfc_err blank_card(ij_ctx *c, json_object *root, unsigned version,
                          const sfc_card_options *base, sfc_card **card)
{
    sfc_param params[MAX_PARAMS];
    param_list list = {params, 0};
    sfc_card_options o = {0};
    const char *type = NULL;
    char why[256] = "";
    sfc_err rv = ij_string(c, root, "type", true, &type);
    const sfc_card_type *t = rv == SFC_OK ? sfc_card_type_find(type) : NULL;
    if (rv == SFC_OK && !t)
        return ij_fail_at(c, "type", SFC_E_NOT_FOUND, "unknown card type "
                          "'%s' (a plugin's type needs --plugin)", type);
    if (rv == SFC_OK)
        rv = ij_bool(c, root, "extended_length", &o.extended_length);
    if (rv == SFC_OK)
        rv = ij_params(c, root, put_card_param, &list);
    if (rv == SFC_OK && version >= 2)
        rv = check_kept_params(c, t, &list);
    if (rv != SFC_OK)
        return rv;
    o.params = params;
    o.n_params = list.n;
    o.rng = base ? base->rng : NULL;
    o.label = base ? base->label : NULL;
    rv = sfc_card_blank(t, &o, card, why, sizeof(why));
    if (rv == SFC_E_UNSUPPORTED)
        return ij_fail_at(c, "type", rv, "%s", why);
    if (rv != SFC_OK)
        return ij_fail_at(c, "params", rv, "%s", why[0] ? why :
                          sfc_strerror(rv));
    return SFC_OK;
}

/*
 * Version 1 images were loaded over a freshly created card: the type's
 * create() ran and the image's sections replaced what it made. Loading one
 * still does that (and so still generates what the type generates); the
 * next save writes version 2, which loads without create().
 */
static sfc_err migrate_v1(ij_ctx *c, sfc_card *card)
{
    char why[256] = "";
    sfc_err rv = sfc_card_personalise(card, why, sizeof(why));
    if (rv != SFC_OK)
        return ij_fail_at(c, "params", rv, "%s", why[0] ? why :
                          sfc_strerror(rv));
    return SFC_OK;
}
static sfc_err check_format(ij_ctx *c, json_object *root, unsigned *out)
{
    const char *format = NULL;
    uint64_t version = 0;
    sfc_err rv = ij_object(c, root, top_fields);
    if (rv == SFC_OK)
        rv = ij_string(c, root, "format", true, &format);
    if (rv == SFC_OK && strcmp(format, SFC_IMAGE_ENC_FORMAT) == 0)
        return ij_fail_at(c, "format", SFC_E_STATE, "an encrypted image (it "
                          "needs its passphrase)");
    if (rv == SFC_OK && strcmp(format, SFC_IMAGE_FORMAT) != 0)
        return ij_fail_at(c, "format", SFC_E_FORMAT, "'%s' is not \"%s\"",
                          format, SFC_IMAGE_FORMAT);
    if (rv == SFC_OK)
        rv = ij_uint(c, root, "version", true, 0, UINT32_MAX, &version);
    if (rv == SFC_OK && (version < 1 || version > SFC_IMAGE_VERSION))
        return ij_fail_at(c, "version", SFC_E_UNSUPPORTED, "version %llu is "
                          "not supported (this softcard reads versions 1 to "
                          "%d)", (unsigned long long)version,
                          SFC_IMAGE_VERSION);
    if (rv == SFC_OK && version == 1 &&
        json_object_object_get_ex(root, "applications", NULL))
        return ij_fail_at(c, "applications", SFC_E_FORMAT, "not in a version "
                          "1 image");
    *out = (unsigned)version;
    return rv;
}

/* ---- applications --------------------------------------------------------- */

static sfc_err load_app_state(ij_ctx *c, sfc_card *card, sfc_app *app,
                              json_object *o)
{
    uint8_t *data = NULL;
    size_t n = 0;
    char why[256] = "";
    sfc_err rv = ij_hex(c, o, "state", true, SFC_APP_STATE_MAX, &data, &n,
                        NULL);
    if (rv == SFC_OK && !app->def->load)
        rv = ij_fail_at(c, "state", SFC_E_FORMAT, "application '%s' keeps "
                        "no state", app->def->name);
    else if (rv == SFC_OK &&
             app->def->load(card, app, data, n, why, sizeof(why)) != SFC_OK)
        rv = ij_fail_at(c, "state", SFC_E_FORMAT, "%s", why[0] ? why :
                        "refused by the application");
    if (data)
        sfc_wipe(data, n);
    free(data);
    return rv;
}

static sfc_err add_app_state(ij_ctx *c, json_object *o, void *user)
{
    sfc_card *card = user;
    uint8_t *aid = NULL;
    size_t n = 0;
    sfc_app *app = NULL;
    sfc_err rv = ij_object(c, o, app_fields);
    if (rv == SFC_OK)
        rv = ij_hex(c, o, "aid", true, SFC_AID_MAX, &aid, &n, NULL);
    for (size_t i = 0; rv == SFC_OK && !app && i < card->n_apps; i++)
        if (card->apps[i]->def->aid_len == n &&
            memcmp(card->apps[i]->def->aid, aid, n) == 0)
            app = card->apps[i];
    free(aid);
    if (rv == SFC_OK && !app)
        return ij_fail_at(c, "aid", SFC_E_NOT_FOUND, "the card type binds no "
                          "application with this AID");
    return rv == SFC_OK ? load_app_state(c, card, app, o) : rv;
}

static sfc_err load_apps(ij_ctx *c, sfc_card *card, json_object *v)
{
    return ij_each(c, v, SFC_MAX_APPS, "applications", add_app_state, card);
}

/* Attach the type's behaviour, then give the applications their state. */
static sfc_err attach(ij_ctx *c, json_object *root, sfc_card *card)
{
    char why[256] = "";
    sfc_err rv = sfc_card_attach(card, why, sizeof(why));
    if (rv != SFC_OK)
        return ij_fail_at(c, "mf", rv, "%s", why[0] ? why : sfc_strerror(rv));
    rv = section(c, card, root, "applications", load_apps);
    card->dirty = false;
    return rv;
}

/* Put a DF kept from the created tree back under the MF, unless the
 * image's tree has it (or a file with its FID); then it is dropped. */
static void restore_df(sfc_card *card, sfc_file *df)
{
    if (!fs_df_by_name(card->mf, df->name, df->name_len) &&
        fs_link(card->mf, df) == SW_OK)
        return;
    sfc_mem_charge(card, -(long)fs_tree_footprint(df));
    fs_free(df);
}

/*
 * Version 1 trees may lack the DFs that card types bind applications to
 * since version 2 (handler_test's applet): named DFs right under the
 * freshly created MF that the image's tree lacks are kept.
 */
static sfc_err load_mf_v1(ij_ctx *c, sfc_card *card, json_object *v)
{
    sfc_file *kept[SFC_MAX_APPS];
    size_t n = 0;
    for (sfc_file *f = card->mf->children, *next; f; f = next) {
        next = f->next;
        if (fs_is_df(f) && f->name_len && n < SFC_MAX_APPS) {
            fs_unlink(f);
            kept[n++] = f;
        }
    }
    sfc_err rv = img_load_tree(c, card, v);
    for (size_t i = 0; i < n; i++) {
        if (rv == SFC_OK) {
            restore_df(card, kept[i]);
        } else {
            fs_free(kept[i]);
        }
    }
    return rv;
}

static sfc_err apply_state(ij_ctx *c, json_object *root, sfc_card *card,
                           unsigned version)
{
    sfc_err rv = section(c, card, root, "mf",
                         version == 1 ? load_mf_v1 : load_mf);
    if (rv == SFC_OK)
        rv = section(c, card, root, "pins", load_pins);
    if (rv == SFC_OK)
        rv = ij_hex_fixed(c, root, "secret", false, card->secret,
                          sizeof(card->secret), NULL);
    if (rv == SFC_OK)
        rv = section(c, card, root, "keys", load_keys);
    if (rv == SFC_OK)
        rv = section(c, card, root, "security_environments", load_ses);
    os_reset(card);
    card->dirty = false;
    return rv;
}

sfc_err sfc_image_load_text(const char *text, size_t len,
                          const sfc_card_options *base, sfc_card **out,
                          char *err, size_t errlen)
{
    json_object *root = NULL;
    sfc_card *card = NULL;
    ij_ctx c;
    *out = NULL;
    if (base && (base->n_params || base->extended_length)) {
        if (err && errlen)
            sfc_errf(err, errlen, "parameters come from the image");
        return SFC_E_INVAL;
    }
    sfc_err rv = ij_parse(text, len, &root, err, errlen);
    if (rv != SFC_OK)
        return rv;
    ij_init(&c, err, errlen);
    unsigned version = 0;
    rv = check_format(&c, root, &version);
    if (rv == SFC_OK)
        rv = blank_card(&c, root, version, base, &card);
    if (rv == SFC_OK && version == 1)
        rv = migrate_v1(&c, card);
    if (rv == SFC_OK)
        rv = apply_state(&c, root, card, version);
    if (rv == SFC_OK)
        rv = attach(&c, root, card);
    ij_put_wiped(root);
    if (rv != SFC_OK) {
        sfc_card_free(card);
        return rv;
    }
    *out = card;
    return SFC_OK;
}
