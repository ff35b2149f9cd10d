/* SPDX-License-Identifier: LGPL-2.1-or-later */
/**
 * @file image_save.c
 * @brief A card's persistent state as image JSON (schema in
 *        docs/card-image.md).
 *
 * The writer is the exact inverse of image_load.c and image_tree.c: every
 * section is always written, so loading what was saved gives the same
 * card. Byte strings are uppercase hex, identifiers and single bytes are
 * hex too ("fid": "3F00", "lcs": "05"), counters and sizes are integers.
 * PIN values are written as text when they are printable ASCII and as hex
 * ("value_hex") otherwise. Nothing volatile is written: verification state,
 * the current security environment, the SM session and the challenge end
 * with the power.
 */
#include "core/errtext.h"
#include "image/image.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "os/card.h"
#include "os/fs.h"
#include "core/bytes.h"
#include "core/tlv.h"
#include "crypto/pkey.h"
#include "image/image_json.h"
#include "image/image_schema.h"

/* ---- files ----------------------------------------------------------------- */

static bool save_dobjs(json_object *obj, const sfc_file *f)
{
    if (!f->dobjs)
        return true;
    json_object *arr = json_object_new_array();
    if (!ij_add(obj, "data_objects", arr))
        return false;
    for (const sfc_dobj *d = f->dobjs; d; d = d->next) {
        json_object *o = json_object_new_object();
        uint8_t tag[3];
        size_t n = d->simple ? 1 : ber_tag_size(d->tag);
        for (size_t i = 0; i < n && i < sizeof(tag); i++)
            tag[i] = (uint8_t)(d->tag >> (8 * (n - 1 - i)));
        if (!ij_append(arr, o) || !ij_add_hex(o, "tag", tag, n) ||
            (d->simple && !ij_add_bool(o, "simple", true)) ||
            !ij_add_hex(o, "value", d->value, d->len))
            return false;
    }
    return true;
}

static bool save_binary(json_object *obj, const sfc_file *f)
{
    return ij_add_int(obj, "size", (int64_t)f->size) &&
           ij_add_hex(obj, "data", f->data, f->size) &&
           (!f->written ||
            ij_add_hex(obj, "written", f->written, (f->size + 7) / 8));
}

static bool save_records(json_object *obj, const sfc_file *f)
{
    json_object *arr = json_object_new_array();
    if (!ij_add_int(obj, "rec_size", (int64_t)f->rec_size) ||
        !ij_add_int(obj, "max_records", (int64_t)f->max_records) ||
        !ij_add(obj, "records", arr))
        return false;
    for (size_t i = 0; i < f->n_records; i++) {
        const sfc_record *r = &f->records[i];
        char *hex = malloc(2 * r->len + 1);
        if (!hex)
            return false;
        hex[0] = '\0';
        if (r->len)
            hex_encode(r->data, r->len, HEX_UPPER, hex, 2 * r->len + 1);
        bool ok = ij_append(arr, json_object_new_string(hex));
        sfc_wipe(hex, 2 * r->len + 1);
        free(hex);
        if (!ok)
            return false;
    }
    return true;
}

static bool save_header(json_object *obj, const sfc_file *f)
{
    bool ok = ij_add_u16(obj, "fid", f->fid) &&
              ij_add_string(obj, "kind", img_kind_name(f->kind)) &&
              ij_add_byte(obj, "fdb", f->fdb);
    if (ok && fs_is_ef(f))
        ok = ij_add_byte(obj, "dcb", f->dcb) &&
             ij_add_int(obj, "sfi", f->sfi);
    ok = ok && ij_add_byte(obj, "lcs", f->lcs);
    if (ok && f->name_len)
        ok = ij_add_hex(obj, "name", f->name, f->name_len);
    if (ok && f->sec_attr_len)
        ok = ij_add_hex(obj, "security", f->sec_attr, f->sec_attr_len);
    if (ok && f->prop_len)
        ok = ij_add_hex(obj, "proprietary", f->prop, f->prop_len);
    return ok;
}

static json_object *save_file(const sfc_file *f, unsigned depth)
{
    json_object *obj = json_object_new_object();
    bool ok = obj && depth <= SFC_MAX_DEPTH && save_header(obj, f);
    if (ok && f->kind == SFC_FILE_EF_BINARY)
        ok = save_binary(obj, f);
    else if (ok && f->kind == SFC_FILE_EF_RECORD)
        ok = save_records(obj, f);
    ok = ok && save_dobjs(obj, f);
    if (ok && fs_is_df(f)) {
        json_object *arr = json_object_new_array();
        ok = ij_add(obj, "children", arr);
        for (const sfc_file *c = f->children; ok && c; c = c->next)
            ok = ij_append(arr, save_file(c, depth + 1));
    }
    if (!ok) {
        ij_put_wiped(obj);
        return NULL;
    }
    return obj;
}

/* ---- PINs ------------------------------------------------------------------ */

static bool printable(const uint8_t *p, size_t len)
{
    for (size_t i = 0; i < len; i++)
        if (p[i] < 0x20 || p[i] > 0x7E)
            return false;
    return true;
}

static bool save_secret_value(json_object *obj, const uint8_t *v, size_t len)
{
    if (!printable(v, len))
        return ij_add_hex(obj, "value_hex", v, len);
    char text[SFC_PIN_MAX_LEN + 1];
    memcpy(text, v, len);
    text[len] = '\0';
    bool ok = ij_add_string(obj, "value", text);
    sfc_wipe(text, sizeof(text));
    return ok;
}

static json_object *save_pin(const sfc_pin *p)
{
    json_object *o = json_object_new_object();
    bool ok = o && ij_add_byte(o, "ref", p->ref) &&
              save_secret_value(o, p->value, p->len) &&
              ij_add_int(o, "min_length", p->min_len) &&
              ij_add_int(o, "max_length", p->max_len) &&
              ij_add_int(o, "tries", p->max_tries) &&
              ij_add_int(o, "tries_left", p->tries_left);
    if (ok && p->scope_len)
        ok = ij_add_hex(o, "scope", p->scope, p->scope_len);
    if (ok && p->state != SFC_PIN_ACTIVE)
        ok = ij_add_string(o, "state", img_pin_state_name(p->state));
    if (ok && p->has_puk) {
        json_object *puk = json_object_new_object();
        ok = ij_add(o, "puk", puk) &&
             save_secret_value(puk, p->puk, p->puk_len) &&
             ij_add_int(puk, "tries", p->puk_max_tries) &&
             ij_add_int(puk, "tries_left", p->puk_tries_left);
    }
    if (!ok) {
        ij_put_wiped(o);
        return NULL;
    }
    return o;
}

/* ---- keys ------------------------------------------------------------------ */

static bool save_pem(json_object *o, const sfc_key *k)
{
    char *pem = NULL;
    if (!k->pkey || sfc_pkey_to_pem(k->pkey, true, &pem) != SFC_OK)
        return false;
    bool ok = ij_add_string(o, "pem", pem);
    sfc_wipe(pem, strlen(pem));
    free(pem);
    return ok;
}

static json_object *save_key(const sfc_key *k)
{
    json_object *o = json_object_new_object();
    bool sym = k->kind == SFC_KEY_DES3 || k->kind == SFC_KEY_AES;
    bool ok = o && ij_add_byte(o, "ref", k->ref) &&
              ij_add_string(o, "kind", img_key_kind_name(k->kind)) &&
              ij_add_byte(o, "use_sc", k->use_sc) &&
              (sym ? ij_add_hex(o, "value", k->secret, k->secret_len)
                   : save_pem(o, k));
    if (!ok) {
        ij_put_wiped(o);
        return NULL;
    }
    return o;
}

/* ---- security environments ------------------------------------------------- */

static bool save_crt(json_object *se, const char *name, const sfc_crt *crt)
{
    if (!crt->set)
        return true;
    json_object *o = json_object_new_object();
    bool ok = ij_add(se, name, o);
    if (ok && crt->has_alg)
        ok = ij_add_byte(o, "alg", crt->alg);
    if (ok && crt->has_key)
        ok = (crt->key_id_len
                  ? ij_add_hex(o, "key", crt->key_id, crt->key_id_len)
                  : ij_add_byte(o, "key", crt->key_ref)) &&
             ij_add_bool(o, "key_private", crt->key_private);
    if (ok && crt->iv_len)
        ok = ij_add_hex(o, "iv", crt->iv, crt->iv_len);
    if (ok && crt->has_usage)
        ok = ij_add_byte(o, "usage", crt->usage);
    return ok;
}

static json_object *save_se(unsigned number, const sfc_se *se)
{
    json_object *o = json_object_new_object();
    bool ok = o && ij_add_int(o, "number", number) &&
              save_crt(o, "at", &se->at) && save_crt(o, "kat", &se->kat) &&
              save_crt(o, "ht", &se->ht) && save_crt(o, "cct", &se->cct) &&
              save_crt(o, "dst", &se->dst) && save_crt(o, "ct", &se->ct);
    if (!ok) {
        json_object_put(o);
        return NULL;
    }
    return o;
}

/* ---- the card -------------------------------------------------------------- */

/* Only the parameters attach() needs are kept with a card (card.c). */
static bool save_params(json_object *root, const sfc_card *card)
{
    json_object *o = json_object_new_object();
    if (!ij_add(root, "params", o))
        return false;
    for (size_t i = 0; i < card->n_params; i++) {
        const sfc_param *p = &card->params[i];
        if (p->key && p->value && !ij_add_string(o, p->key, p->value))
            return false;
    }
    return true;
}

static bool save_pins(json_object *root, const sfc_card *card)
{
    json_object *arr = json_object_new_array();
    bool ok = ij_add(root, "pins", arr);
    for (size_t i = 0; ok && i < card->n_pins; i++)
        ok = ij_append(arr, save_pin(&card->pins[i]));
    return ok;
}

static bool save_keys(json_object *root, const sfc_card *card)
{
    json_object *arr = json_object_new_array();
    bool ok = ij_add(root, "keys", arr);
    for (size_t i = 0; ok && i < card->n_keys; i++)
        ok = ij_append(arr, save_key(&card->keys[i]));
    return ok;
}

static bool save_ses(json_object *root, const sfc_card *card)
{
    json_object *arr = json_object_new_array();
    bool ok = ij_add(root, "security_environments", arr);
    for (unsigned n = 0; ok && n <= SFC_MAX_SE; n++)
        if (card->stored_se_set[n])
            ok = ij_append(arr, save_se(n, &card->stored_se[n]));
    return ok;
}

/* {"aid", "name", "state"} for an application whose state persists. */
static json_object *save_app(const sfc_card *card, const sfc_app *app,
                             uint8_t *buf)
{
    size_t n = app->def->save(card, app, buf, SFC_APP_STATE_MAX);
    json_object *o = n <= SFC_APP_STATE_MAX ? json_object_new_object() : NULL;
    bool ok = o && ij_add_hex(o, "aid", app->def->aid, app->def->aid_len) &&
              ij_add_string(o, "name", app->def->name) &&
              ij_add_hex(o, "state", buf, n);
    sfc_wipe(buf, n <= SFC_APP_STATE_MAX ? n : 0);
    if (!ok) {
        ij_put_wiped(o);
        return NULL;
    }
    return o;
}

static bool save_apps(json_object *root, const sfc_card *card)
{
    json_object *arr = json_object_new_array();
    if (!ij_add(root, "applications", arr))
        return false;
    uint8_t *buf = malloc(SFC_APP_STATE_MAX);
    bool ok = buf != NULL;
    for (size_t i = 0; ok && i < card->n_apps; i++)
        if (card->apps[i]->def->save)
            ok = ij_append(arr, save_app(card, card->apps[i], buf));
    free(buf);
    return ok;
}

static json_object *save_card(const sfc_card *card)
{
    json_object *root = json_object_new_object();
    bool ok = root && ij_add_string(root, "format", SFC_IMAGE_FORMAT) &&
              ij_add_int(root, "version", SFC_IMAGE_VERSION) &&
              ij_add_string(root, "type", card->type->name) &&
              ij_add_bool(root, "extended_length", card->extended_length) &&
              save_params(root, card) &&
              ij_add_hex(root, "secret", card->secret, sizeof(card->secret)) &&
              save_pins(root, card) && save_keys(root, card) &&
              save_ses(root, card) && save_apps(root, card) &&
              ij_add(root, "mf", save_file(card->mf, 0));
    if (!ok) {
        ij_put_wiped(root);
        return NULL;
    }
    return root;
}

sfc_err sfc_image_save_text(const sfc_card *card, char **text, size_t *len,
                          char *err, size_t errlen)
{
    *text = NULL;
    *len = 0;
    json_object *root = card && card->mf ? save_card(card) : NULL;
    sfc_err rv = root ? ij_to_text(root, true, text, len) : SFC_E_NOMEM;
    ij_put_wiped(root);
    if (rv != SFC_OK && err && errlen)
        sfc_errf(err, errlen, "cannot serialise the card (out of memory, or "
                 "a key that cannot be exported)");
    return rv;
}

void sfc_image_text_free(char *text, size_t len)
{
    if (!text)
        return;
    sfc_wipe(text, len);
    free(text);
}
