/* SPDX-License-Identifier: LGPL-2.1-or-later */
/**
 * @file mycard.c
 * @brief "mycard", the card type that docs/writing-a-card-type.md builds
 *        step by step: a plugin for `softcard -t ./mycard.so`.
 *
 * An ISO/IEC 7816-4 card with one application, AID F0 53 4F 46 54 43 41 52
 * 44 (F0 "SOFT" is a proprietary RID, "CARD" the PIX). create() gives it a
 * DF named by the AID (FID DF01) holding a transparent EF 0001 (SFI 1) with
 * a greeting; attach() binds the application to that DF and sets the ATR.
 * While the application is current:
 *   80 01 00 00 Le     GET GREETING: the contents of EF 0001, read under
 *                      the file's access rules (sfc_access)
 *   80 02 00 00 [01 n] INCREMENT: add 1 (or n) to a 32-bit counter and
 *                      answer its new value, 4 bytes big-endian; the
 *                      counter is the application's saved state, so a card
 *                      image keeps it
 *   anything else      the card's ISO 7816-4 command set
 * and the data of a command sent without Le come at once with the status
 * word, not behind 61xx: the application's format hook asks for
 * SFC_LE_DIRECT.
 *
 * Parameter: greeting (1 to 200 characters; default "Hello from mycard!").
 * Built against the installed softcard-cardtype.h only; every sfc_*
 * function comes from the softcard program that loads the plugin.
 */
#include <softcard-cardtype.h>

#include <stdint.h>
#include <stdio.h>
#include <string.h>

/* F0 'S' 'O' 'F' 'T' (a proprietary RID: its first digit is F), then the
 * PIX 'C' 'A' 'R' 'D'. */
static const uint8_t my_aid[] = {0xF0, 0x53, 0x4F, 0x46, 0x54,
                                 0x43, 0x41, 0x52, 0x44};
#define MY_DF_FID 0xDF01
#define MY_EF_FID 0x0001
#define MY_EF_SFI 1
#define MY_GREETING "Hello from mycard!"
#define MY_GREETING_MAX 200

/* ---- the application's state --------------------------------------------- */

/* One per card: zeroed when attach() binds the application, then filled
 * by my_load() if the card comes from a card image. */
typedef struct my_state {
    uint32_t counter;
} my_state;

static void put_be32(uint8_t out[4], uint32_t v)
{
    out[0] = (uint8_t)(v >> 24);
    out[1] = (uint8_t)(v >> 16);
    out[2] = (uint8_t)(v >> 8);
    out[3] = (uint8_t)v;
}

static uint32_t get_be32(const uint8_t in[4])
{
    return (uint32_t)in[0] << 24 | (uint32_t)in[1] << 16 |
           (uint32_t)in[2] << 8 | in[3];
}

/* What the card image keeps: the counter, 4 bytes big-endian. */
static size_t my_save(const sfc_card *card, const sfc_app *app,
                      uint8_t *out, size_t cap)
{
    const my_state *st = sfc_app_state(app);
    (void)card;
    if (cap < 4)
        return (size_t)-1;
    put_be32(out, st->counter);
    return 4;
}

static sfc_err my_load(sfc_card *card, sfc_app *app, const uint8_t *data,
                       size_t len, char *err, size_t errlen)
{
    my_state *st = sfc_app_state(app);
    (void)card;
    if (len != 4) {
        snprintf(err, errlen, "mycard: the counter has 4 bytes, not %zu",
                 len);
        return SFC_E_FORMAT;
    }
    st->counter = get_be32(data);
    return SFC_OK;
}

/* ---- the instructions ---------------------------------------------------- */

/* The greeting EF in the application's DF (NULL if someone deleted it). */
static sfc_file *greeting_ef(sfc_card *card, const sfc_cmd *cmd)
{
    sfc_file *df = sfc_app_df(sfc_app_current(card, cmd));
    return df ? sfc_file_child(df, MY_EF_FID) : NULL;
}

/* 80 01 00 00 Le: the greeting, under the EF's access rules. */
static uint16_t get_greeting(sfc_card *card, const sfc_cmd *cmd,
                             sfc_resp *resp)
{
    sfc_file *ef = greeting_ef(card, cmd);
    size_t len = 0;
    if (cmd->nc != 0)
        return SFC_SW_WRONG_LENGTH;
    if (!ef)
        return SFC_SW_FILE_NOT_FOUND;
    uint16_t sw = sfc_access(card, ef, SFC_AC_READ);
    if (sw != SFC_SW_OK)
        return sw;
    if (!sfc_file_is_transparent(ef))
        return SFC_SW_FILE_INCOMPATIBLE;
    const uint8_t *text = sfc_file_data(ef, &len);
    return sfc_resp_put(resp, text, len) ? SFC_SW_OK : SFC_SW_UNKNOWN;
}

/* 80 02 00 00 [01 n]: add 1 (no data) or n to the counter. */
static uint16_t increment(sfc_card *card, const sfc_cmd *cmd, sfc_resp *resp)
{
    my_state *st = sfc_app_state(sfc_app_current(card, cmd));
    uint8_t value[4];
    if (cmd->nc > 1)
        return SFC_SW_WRONG_LENGTH;
    uint32_t step = cmd->nc == 1 ? cmd->data[0] : 1;
    if (st->counter > UINT32_MAX - step)
        return SFC_SW_CONDITIONS;
    st->counter += step;
    put_be32(value, st->counter);
    return sfc_resp_put(resp, value, sizeof(value)) ? SFC_SW_OK
                                                    : SFC_SW_UNKNOWN;
}

/* ---- how results are formatted ------------------------------------------- */

/* Every command after which the application is current passes here (the
 * SELECT that chose it too). Without Le, its data go out at once with the
 * status word, not behind 61xx for a GET RESPONSE. With Le, the handler's
 * choice stays. */
static uint16_t my_format(sfc_card *card, sfc_app *app, const sfc_cmd *cmd,
                          sfc_resp *resp, uint16_t sw)
{
    (void)card;
    (void)app;
    if (!cmd->has_le)
        sfc_resp_set_le_mode(resp, SFC_LE_DIRECT);
    return sw;
}

/* ---- the application ----------------------------------------------------- */

static const sfc_ins_def my_ins[] = {
    {0x01, get_greeting, SFC_INS_PROPRIETARY, "GET GREETING"},
    {0x02, increment, SFC_INS_PROPRIETARY | SFC_INS_MUTATES, "INCREMENT"},
};

static const sfc_app_def my_app = {
    .name = "mycard",
    .aid = my_aid,
    .aid_len = sizeof(my_aid),
    .ins = my_ins,
    .n_ins = sizeof(my_ins) / sizeof(my_ins[0]),
    .flags = SFC_APP_ISO_FALLBACK,
    .format = my_format,
    .state_size = sizeof(my_state),
    .save = my_save,
    .load = my_load,
};

/* ---- the card type ------------------------------------------------------- */

static const char *greeting_param(const sfc_card_options *opts)
{
    const char *text = sfc_param_get(opts, "greeting");
    return text ? text : MY_GREETING;
}

/* Personalisation, once per card: the application's DF and the EF. */
static sfc_err my_create(sfc_card *card, const sfc_card_options *opts,
                         char *err, size_t errlen)
{
    const char *text = greeting_param(opts);
    size_t len = strlen(text);
    sfc_file *df = NULL;
    if (len == 0 || len > MY_GREETING_MAX) {
        snprintf(err, errlen, "mycard: the greeting must have 1 to %d "
                 "characters", MY_GREETING_MAX);
        return SFC_E_INVAL;
    }
    sfc_err rv = sfc_df_add(card, sfc_card_mf(card), MY_DF_FID, my_aid,
                            sizeof(my_aid), &df);
    if (rv == SFC_OK)
        rv = sfc_ef_add(card, df, MY_EF_FID, MY_EF_SFI,
                        (const uint8_t *)text, len, NULL);
    if (rv != SFC_OK)
        snprintf(err, errlen, "mycard: cannot create its files: %s",
                 sfc_strerror(rv));
    return rv;
}

/* 3B, T0 = 86 (TD1, 6 historical bytes), TD1 = 80, TD2 = 01 (T=1), the
 * historical bytes "mycard", TCK. */
static const uint8_t my_atr[] = {0x3B, 0x86, 0x80, 0x01, 'm', 'y',
                                 'c',  'a',  'r',  'd',  0x07};

/* Behaviour, every time a card comes to life (fresh or from an image). */
static sfc_err my_attach(sfc_card *card, const sfc_card_options *opts,
                         char *err, size_t errlen)
{
    (void)opts;
    sfc_err rv = sfc_app_attach(card, &my_app, NULL, err, errlen);
    if (rv == SFC_OK)
        rv = sfc_card_set_atr(card, my_atr, sizeof(my_atr));
    return rv;
}

static const sfc_param_def my_params[] = {
    {"greeting", "TEXT", "the text of EF 0001 (default \"" MY_GREETING "\")",
     0},
    {NULL, NULL, NULL, 0},
};

/* The one symbol softcard looks for in the plugin (SFC_PLUGIN_EXPORT keeps
 * it visible even under -fvisibility=hidden). */
SFC_PLUGIN_EXPORT const sfc_card_type softcard_card_type = {
    .abi = SFC_CARD_TYPE_ABI,
    .name = "mycard",
    .description = "the tutorial's card: a greeting and a counter",
    .params = my_params,
    .create = my_create,
    .attach = my_attach,
};
