/* SPDX-License-Identifier: LGPL-2.1-or-later */
/**
 * @file card.c
 * @brief A card's life: blank, personalised, attached; power events, the
 *        ATR and the transmit entry point.
 *
 * A card comes to life in three steps. sfc_card_blank() gives it the ISO
 * 7816-4 instruction table, an empty MF and its parameters (checked against
 * the type's declaration). sfc_card_personalise() runs the type's create()
 * once, for a fresh card, and then forgets the parameters only creation
 * needed. sfc_card_attach() runs the type's attach(), which binds
 * applications and overrides instructions, on a fresh card and on one
 * loaded from an image alike. This file does not know which card types
 * exist: the registry (lib/cardtypes) does.
 *
 * The card owns two 64 KiB buffers (handler output and the R-APDU), so one
 * transmit never allocates on the hot path.
 */
#include "os/card.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>

#include "os/fs.h"
#include "os/sm.h"
#include "core/errtext.h"
#include "core/atr.h"
#include "core/bytes.h"
#include "core/log.h"
#include "core/rng.h"

const char *sfc_param_get(const sfc_card_options *opts, const char *key)
{
    if (!opts)
        return NULL;
    for (size_t i = 0; i < opts->n_params; i++)
        if (opts->params[i].key && strcmp(opts->params[i].key, key) == 0)
            return opts->params[i].value;
    return NULL;
}

const sfc_param_def *sfc_param_def_of(const sfc_card_type *t,
                                      const char *name)
{
    for (const sfc_param_def *d = t->params; d && d->name; d++)
        if (name && strcmp(d->name, name) == 0)
            return d;
    return NULL;
}

/* Every given parameter must be declared by the type. */
static sfc_err params_check(const sfc_card_type *t,
                            const sfc_card_options *opts, char *err,
                            size_t errlen)
{
    for (size_t i = 0; opts && i < opts->n_params; i++) {
        const char *key = opts->params[i].key ? opts->params[i].key : "";
        if (!sfc_param_def_of(t, key)) {
            sfc_errf(err, errlen, "card type '%s' has no parameter '%s'",
                     t->name, key);
            return SFC_E_INVAL;
        }
    }
    return SFC_OK;
}

static char *copy_text(const char *s)
{
    size_t n = strlen(s) + 1;
    char *c = malloc(n);
    if (c)
        memcpy(c, s, n);
    return c;
}

/* Keep the creation parameters: a card image records them. */
static sfc_err copy_params(sfc_card *card, const sfc_card_options *opts)
{
    if (!opts || opts->n_params == 0)
        return SFC_OK;
    card->params = calloc(opts->n_params, sizeof(*card->params));
    if (!card->params)
        return SFC_E_NOMEM;
    for (size_t i = 0; i < opts->n_params; i++) {
        const sfc_param *p = &opts->params[i];
        card->params[i].key = p->key ? copy_text(p->key) : NULL;
        card->params[i].value = p->value ? copy_text(p->value) : NULL;
        card->n_params = i + 1;
        if ((p->key && !card->params[i].key) ||
            (p->value && !card->params[i].value))
            return SFC_E_NOMEM;
    }
    return SFC_OK;
}

static void free_param(sfc_param *p)
{
    char *k = (char *)p->key;
    char *v = (char *)p->value;
    if (v)
        sfc_wipe(v, strlen(v));
    free(k);
    free(v);
}

static void free_params(sfc_card *card)
{
    for (size_t i = 0; i < card->n_params; i++)
        free_param(&card->params[i]);
    free(card->params);
    card->params = NULL;
    card->n_params = 0;
}

/* After creation only the parameters attach() needs stay with the card. */
static void forget_creation_params(sfc_card *card)
{
    size_t kept = 0;
    for (size_t i = 0; i < card->n_params; i++) {
        sfc_param *p = &card->params[i];
        const sfc_param_def *d = sfc_param_def_of(card->type, p->key);
        if (d && (d->flags & SFC_PARAM_KEEP))
            card->params[kept++] = *p;
        else
            free_param(p);
    }
    card->n_params = kept;
}

static void free_keys(sfc_card *card)
{
    for (size_t i = 0; i < card->n_keys; i++)
        EVP_PKEY_free(card->keys[i].pkey);
    card->n_keys = 0;
}

static void channels_init(sfc_card *card)
{
    for (size_t i = 0; i < SFC_MAX_CHANNELS; i++) {
        buf_init(&card->ch[i].pending);
        buf_init(&card->ch[i].chain);
    }
}

sfc_err sfc_card_blank(const sfc_card_type *t, const sfc_card_options *opts,
                       sfc_card **out, char *err, size_t errlen)
{
    *out = NULL;
    if (!t->attach) {
        sfc_errf(err, errlen, "card type '%s' is not implemented yet",
                 t->name);
        return SFC_E_UNSUPPORTED;
    }
    sfc_err rv = params_check(t, opts, err, errlen);
    if (rv != SFC_OK)
        return rv;
    sfc_card *card = calloc(1, sizeof(*card));
    if (!card) {
        sfc_errf(err, errlen, "%s", "out of memory");
        return SFC_E_NOMEM;
    }
    card->type = t;
    snprintf(card->label, sizeof(card->label), "%s",
             opts && opts->label ? opts->label : t->name);
    card->rng = (opts && opts->rng) ? *opts->rng : *sfc_rng_system();
    card->extended_length = opts && opts->extended_length;
    card->mem_limit = SFC_DEFAULT_MEMORY;
    channels_init(card);
    os_iso_table(card->iso);
    card->mf = fs_df_new(FID_MF, NULL, 0);
    if (!card->mf || copy_params(card, opts) != SFC_OK) {
        sfc_card_free(card);
        sfc_errf(err, errlen, "%s", "out of memory");
        return SFC_E_NOMEM;
    }
    sfc_mem_charge(card, (long)fs_footprint(card->mf));
    *out = card;
    return SFC_OK;
}

void sfc_card_options_of(const sfc_card *card, sfc_card_options *out)
{
    memset(out, 0, sizeof(*out));
    out->rng = &card->rng;
    out->extended_length = card->extended_length;
    out->params = card->params;
    out->n_params = card->n_params;
    out->label = card->label;
}

sfc_err sfc_card_personalise(sfc_card *card, char *err, size_t errlen)
{
    /* No card leaves the factory with a guessable secret. From the system's
     * generator, not the card's: a scripted source replays protocols, and
     * create() may still set the secret from it. */
    if (sfc_rng_fill(sfc_rng_system(), card->secret, sizeof(card->secret)) !=
        SFC_OK) {
        sfc_errf(err, errlen, "%s", "random generator failed");
        return SFC_E_RNG;
    }
    if (card->type->create) {
        sfc_card_options opts;
        sfc_card_options_of(card, &opts);
        sfc_err rv = card->type->create(card, &opts, err, errlen);
        if (rv != SFC_OK)
            return rv;
    }
    forget_creation_params(card);
    return SFC_OK;
}

sfc_err sfc_card_attach(sfc_card *card, char *err, size_t errlen)
{
    sfc_card_options opts;
    sfc_card_options_of(card, &opts);
    sfc_err rv = card->type->attach(card, &opts, err, errlen);
    card->attached = true; /* detach() frees a partial attach too */
    if (rv != SFC_OK)
        return rv;
    os_reset(card);
    return SFC_OK;
}

sfc_err sfc_card_create(const sfc_card_type *t, const sfc_card_options *opts,
                        sfc_card **out, char *err, size_t errlen)
{
    if (!t || !out)
        return SFC_E_INVAL;
    sfc_card *card = NULL;
    sfc_err rv = sfc_card_blank(t, opts, &card, err, errlen);
    if (rv == SFC_OK)
        rv = sfc_card_personalise(card, err, errlen);
    if (rv == SFC_OK)
        rv = sfc_card_attach(card, err, errlen);
    if (rv != SFC_OK) {
        sfc_card_free(card);
        return rv;
    }
    *out = card;
    return SFC_OK;
}

void sfc_card_free(sfc_card *card)
{
    if (!card)
        return;
    sm_end(card); /* wipes the session keys; before detach, for its hooks */
    /* Also for a card that never attached but holds what create() left for
     * attach() (a version 1 image whose load failed after create()). */
    if ((card->attached || card->type_state) && card->type->detach)
        card->type->detach(card);
    app_free_all(card);
    fs_free(card->mf);
    free_keys(card);
    free_params(card);
    for (size_t i = 0; i < SFC_MAX_CHANNELS; i++) {
        buf_free(&card->ch[i].pending);
        buf_free(&card->ch[i].chain);
    }
    sfc_wipe(card, sizeof(*card));
    free(card);
}

const char *sfc_card_get_type(const sfc_card *card)
{
    return card->type->name;
}

const char *sfc_card_label(const sfc_card *card)
{
    return card->label;
}

sfc_err sfc_card_random(sfc_card *card, uint8_t *out, size_t len)
{
    return sfc_rng_fill(&card->rng, out, len);
}

bool sfc_card_extended_length(const sfc_card *card)
{
    return card->extended_length;
}

void *sfc_card_type_state(const sfc_card *card)
{
    return card->type_state;
}

void sfc_card_set_type_state(sfc_card *card, void *state)
{
    card->type_state = state;
}

sfc_err sfc_card_set_secret(sfc_card *card, const uint8_t *secret,
                            size_t len)
{
    if (len != sizeof(card->secret))
        return SFC_E_RANGE;
    memcpy(card->secret, secret, len);
    sfc_mark_dirty(card);
    return SFC_OK;
}

void sfc_mark_dirty(sfc_card *card)
{
    card->dirty = true;
}

sfc_file *sfc_card_mf(sfc_card *card)
{
    return card->mf;
}

void sfc_card_set_ins(sfc_card *card, const sfc_ins_def *def)
{
    if (os_ins_put(card->iso, card->prop, def))
        card->accept_proprietary = true;
}

void sfc_card_code_prop_cla_as_iso(sfc_card *card)
{
    card->prop_cla_iso = true;
}

void sfc_card_keep_ins(sfc_card *card, const uint8_t *ins, size_t n)
{
    sfc_ins_entry kept[256];
    memcpy(kept, card->iso, sizeof(kept));
    memset(card->iso, 0, sizeof(card->iso));
    for (size_t i = 0; i < n; i++)
        card->iso[ins[i]] = kept[ins[i]];
}

size_t sfc_card_atr(const sfc_card *card, uint8_t out[SFC_ATR_MAX])
{
    memcpy(out, card->atr, card->atr_len);
    return card->atr_len;
}

void sfc_card_power(sfc_card *card, sfc_power_event ev)
{
    switch (ev) {
    case SFC_POWER_OFF:
        sfc_log(SFC_LOG_INFO, "%s: power off", card->label);
        os_reset(card);
        card->powered = false;
        break;
    case SFC_POWER_ON:
        sfc_log(SFC_LOG_INFO, "%s: power on", card->label);
        os_reset(card);
        card->powered = true;
        break;
    case SFC_RESET:
        sfc_log(SFC_LOG_INFO, "%s: reset", card->label);
        os_reset(card);
        card->powered = true;
        break;
    default:
        return;
    }
    if (card->attached && card->type->on_power)
        card->type->on_power(card, ev);
}

/*
 * Persist a state change before the response leaves the card. If the commit
 * fails the command is not acknowledged: the answer becomes 6581 (memory
 * failure) and the card stays dirty, so the next command tries again.
 */
static void commit_before_answering(sfc_card *card, const uint8_t **rapdu,
                                    size_t *rlen)
{
    if (card->commit(card, card->commit_user) == SFC_OK) {
        card->dirty = false;
        return;
    }
    sfc_log(SFC_LOG_ERROR, "%s: cannot save the card image; answering 6581",
           card->label);
    card->rapdu[0] = 0x65;
    card->rapdu[1] = 0x81;
    *rapdu = card->rapdu;
    *rlen = 2;
}

sfc_err sfc_card_transmit(sfc_card *card, const uint8_t *capdu, size_t len,
                        const uint8_t **rapdu, size_t *rlen)
{
    if (!card || !rapdu || !rlen || (len && !capdu))
        return SFC_E_INVAL;
    sfc_err rv = SFC_OK;
    if (card->type->transmit) {
        rv = card->type->transmit(card, capdu, len, rapdu, rlen);
    } else {
        if (!card->powered)
            sfc_card_power(card, SFC_POWER_ON);
        *rlen = os_process(card, capdu, len);
        *rapdu = card->rapdu;
    }
    if (rv == SFC_OK && card->dirty && card->commit)
        commit_before_answering(card, rapdu, rlen);
    return rv;
}

sfc_err sfc_card_set_atr(sfc_card *card, const uint8_t *atr, size_t len)
{
    if (len == 0 || len > SFC_ATR_MAX)
        return SFC_E_RANGE;
    memcpy(card->atr, atr, len);
    card->atr_len = len;
    return SFC_OK;
}

/* Third software function table bits (ISO/IEC 7816-4 table 119). */
#define SFT3_EXTENDED_LC_LE 0x40u

sfc_err sfc_card_set_iso_atr(sfc_card *card, uint8_t first_sft,
                           uint8_t second_sft)
{
    atr_info info;
    memset(&info, 0, sizeof(info));
    info.ts = 0x3B;
    info.n_groups = 2;
    info.group[0].present = ATR_TA | ATR_TD;
    info.group[0].ta = 0x13; /* Fi 372, Di 4 */
    info.group[0].td = 0x01; /* T=1 */
    info.group[1].present = ATR_TD;
    info.group[1].td = 0x01; /* T=1 */
    const uint8_t hist[] = {
        0x80,                 /* category: COMPACT-TLV objects follow */
        0x73,                 /* card capabilities, 3 bytes */
        first_sft, second_sft,
        card->extended_length ? SFT3_EXTENDED_LC_LE : 0x00,
    };
    memcpy(info.hist, hist, sizeof(hist));
    info.hist_len = sizeof(hist);
    uint8_t atr[SFC_ATR_MAX];
    size_t len = 0;
    sfc_err rv = atr_build(&info, atr, sizeof(atr), &len);
    if (rv != SFC_OK)
        return rv;
    return sfc_card_set_atr(card, atr, len);
}
