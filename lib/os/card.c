/* SPDX-License-Identifier: LGPL-2.1-or-later */
/**
 * @file card.c
 * @brief The public card API (softcard.h): creating a card from its type,
 *        power events, the ATR and the transmit entry point.
 *
 * sfc_card_new() gives every card the ISO 7816-4 instruction table and an
 * empty MF, then hands it to the card type's init() to specialise. The card
 * owns two 64 KiB buffers (handler output and the R-APDU), so one transmit
 * never allocates on the hot path.
 */
#include "os/card.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>

#include "os/fs.h"
#include "os/sm.h"
#include "core/atr.h"
#include "core/bytes.h"
#include "core/log.h"
#include "core/rng.h"

const char *const *sfc_card_type_names(void)
{
    static const char *names[32];
    if (!names[0]) {
        size_t n = 0;
        for (size_t i = 0; sfc_card_types[i] && n + 1 < 32; i++)
            names[n++] = sfc_card_types[i]->name;
        names[n] = NULL;
    }
    return names;
}

static const sfc_card_type *type_by_name(const char *name)
{
    for (size_t i = 0; name && sfc_card_types[i]; i++)
        if (strcmp(sfc_card_types[i]->name, name) == 0)
            return sfc_card_types[i];
    return NULL;
}

const char *sfc_card_type_description(const char *type)
{
    const sfc_card_type *t = type_by_name(type);
    return t ? t->description : NULL;
}

const char *sfc_param_get(const sfc_card_options *opts, const char *key)
{
    if (!opts)
        return NULL;
    for (size_t i = 0; i < opts->n_params; i++)
        if (opts->params[i].key && strcmp(opts->params[i].key, key) == 0)
            return opts->params[i].value;
    return NULL;
}

sfc_err sfc_params_check(const sfc_card_options *opts, const char *type,
                       const char *const *allowed, char *err, size_t errlen)
{
    if (!opts)
        return SFC_OK;
    for (size_t i = 0; i < opts->n_params; i++) {
        const char *key = opts->params[i].key ? opts->params[i].key : "";
        bool known = false;
        for (size_t j = 0; allowed && allowed[j]; j++)
            known = known || strcmp(allowed[j], key) == 0;
        if (!known) {
            if (err && errlen)
                snprintf(err, errlen, "card type '%s' has no parameter '%s'",
                         type, key);
            return SFC_E_INVAL;
        }
    }
    return SFC_OK;
}

static void set_error(char *err, size_t errlen, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void set_error(char *err, size_t errlen, const char *fmt, ...)
{
    if (!err || !errlen)
        return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err, errlen, fmt, ap);
    va_end(ap);
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

static void free_params(sfc_card *card)
{
    for (size_t i = 0; i < card->n_params; i++) {
        char *k = (char *)card->params[i].key;
        char *v = (char *)card->params[i].value;
        if (v)
            sfc_wipe(v, strlen(v));
        free(k);
        free(v);
    }
    free(card->params);
    card->params = NULL;
    card->n_params = 0;
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

sfc_err sfc_card_new(const char *type, const sfc_card_options *opts,
                   sfc_card **out, char *errbuf, size_t errlen)
{
    if (!out)
        return SFC_E_INVAL;
    *out = NULL;
    const sfc_card_type *t = type_by_name(type);
    if (!t) {
        set_error(errbuf, errlen, "unknown card type '%s'", type ? type : "");
        return SFC_E_NOT_FOUND;
    }
    if (!t->init) {
        set_error(errbuf, errlen, "card type '%s' is not implemented yet",
                  t->name);
        return SFC_E_UNSUPPORTED;
    }
    sfc_card *card = calloc(1, sizeof(*card));
    if (!card) {
        set_error(errbuf, errlen, "%s", "out of memory");
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
        set_error(errbuf, errlen, "%s", "out of memory");
        return SFC_E_NOMEM;
    }
    sfc_mem_charge(card, (long)fs_footprint(card->mf));
    sfc_err rv = t->init(card, opts, errbuf, errlen);
    if (rv != SFC_OK) {
        sfc_card_free(card);
        return rv;
    }
    os_reset(card);
    *out = card;
    return SFC_OK;
}

void sfc_card_free(sfc_card *card)
{
    if (!card)
        return;
    sm_end(card); /* wipes the session keys; before fini, for its hooks */
    if (card->type && card->type->fini)
        card->type->fini(card);
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
    if (card->type->on_power)
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
