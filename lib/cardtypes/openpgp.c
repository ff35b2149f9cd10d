/* SPDX-License-Identifier: LGPL-2.1-or-later */
/**
 * @file openpgp.c
 * @brief The OpenPGP card type (OpenPGP smart card specification 3.4) as
 *        GnuPG's scdaemon and OpenSC's openpgp driver use it
 *        (docs/openpgp.md): the application, its instruction table, the
 *        ATR, the application state and its defaults.
 *
 * The application is a DF under the MF named D2 76 00 01 24 01 (RID and
 * application), the prefix every client selects; its full AID
 * D2 76 00 01 24 01 03 04 FF FF <serial 4> 00 00 (version 3.4,
 * manufacturer FFFF: a test card) is DO 4F and the FCI's DF name (84),
 * so one definition serves cards of any serial number (openpgp_type.c
 * lets a SELECT of the full AID reach it too). It is the card's default
 * application and has no file system: everything is data objects in its
 * state (openpgp.h). The card announces command chaining and extended
 * Lc/Le in the historical bytes, which 5F52 repeats, so RSA-2048 and
 * larger cryptograms reach PSO DECIPHER in one command.
 */
#include "cardtypes/openpgp.h"

#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>

#include "core/sw.h"

const uint8_t pgp_rid[6] = {0xD2, 0x76, 0x00, 0x01, 0x24, 0x01};

/* The full AID: RID, application, version, manufacturer, serial, RFU. */
void pgp_aid(const pgp_state *st, uint8_t aid[16])
{
    memcpy(aid, pgp_rid, sizeof(pgp_rid));
    aid[6] = 0x03; /* version 3.4 */
    aid[7] = 0x04;
    aid[8] = 0xFF; /* manufacturer FFFF: test card */
    aid[9] = 0xFF;
    memcpy(aid + 10, st->serial, 4);
    aid[14] = aid[15] = 0x00;
}

/* ---- state ---------------------------------------------------------------- */

sfc_app *pgp_app_of(sfc_card *card, const sfc_cmd *cmd)
{
    (void)cmd;
    return sfc_app_find(card, &pgp_app);
}

pgp_state *pgp_st(sfc_card *card, const sfc_cmd *cmd)
{
    return sfc_app_state(pgp_app_of(card, cmd));
}

bool pgp_has(sfc_card *card, const sfc_cmd *cmd, uint64_t right)
{
    return sfc_right_has(card, pgp_app_of(card, cmd), right);
}

bool pgp_blob_set(pgp_blob *b, const uint8_t *data, size_t len)
{
    uint8_t *p = NULL;
    if (len) {
        p = malloc(len);
        if (!p)
            return false;
        memcpy(p, data, len);
    }
    if (b->data)
        sfc_wipe(b->data, b->len);
    free(b->data);
    b->data = p;
    b->len = len;
    return true;
}

static void keys_clear(pgp_state *st)
{
    for (int i = 0; i < PGP_N_KEYS; i++) {
        EVP_PKEY_free(st->key[i].pkey);
        memset(&st->key[i], 0, sizeof(st->key[i]));
        pgp_attr_default(&st->key[i]);
    }
}

void pgp_state_clear(pgp_state *st)
{
    pgp_blob *blobs[] = {&st->url, &st->login, &st->priv[0], &st->priv[1],
                         &st->priv[2], &st->priv[3], &st->cert[0],
                         &st->cert[1], &st->cert[2]};
    for (size_t i = 0; i < sizeof(blobs) / sizeof(blobs[0]); i++)
        pgp_blob_set(blobs[i], NULL, 0);
    keys_clear(st);
}

void pgp_defaults(pgp_state *st)
{
    uint8_t serial[4];
    memcpy(serial, st->serial, 4);
    pgp_state_clear(st);
    memset(st, 0, sizeof(*st));
    memcpy(st->serial, serial, 4);
    pgp_pw_set(&st->pw[PGP_PW1], "123456", 6);
    pgp_pw_set(&st->pw[PGP_PW3], "12345678", 8);
    for (int i = 0; i < PGP_N_KEYS; i++)
        pgp_attr_default(&st->key[i]);
    st->dec_ref = 2;
    st->aut_ref = 3;
}

static void pgp_state_free(sfc_card *card, sfc_app *app)
{
    (void)card;
    pgp_state *st = sfc_app_state(app);
    pgp_state_clear(st);
    sfc_wipe(st, sizeof(*st));
}

/* ---- SELECT and the terminated state -------------------------------------- */

/* FCI with the full AID in 84 when asked (OpenSC reads it); scdaemon
 * selects without Le and gets 9000 alone. A terminated application
 * answers 6285 and accepts only ACTIVATE FILE. */
static uint16_t pgp_select(sfc_card *card, sfc_app *app, const sfc_cmd *cmd,
                           sfc_resp *resp)
{
    (void)card;
    pgp_state *st = sfc_app_state(app);
    if (st->terminated)
        return SW_WARN_TERMINATED;
    if (!cmd->has_le || (cmd->p2 & 0x0C) == 0x0C)
        return SW_OK;
    uint8_t fci[20] = {0x6F, 0x12, 0x84, 0x10};
    pgp_aid(st, fci + 4);
    sfc_resp_put(resp, fci, sizeof(fci));
    return SW_OK;
}

/* ---- the application -------------------------------------------------------- */

/* The handlers by instruction; while the application is terminated only
 * ACTIVATE FILE runs, everything else answers 6285. */
typedef struct pgp_handler {
    uint8_t ins;
    sfc_ins_fn fn;
} pgp_handler;

static const pgp_handler handlers[] = {
    {0xCA, pgp_get_data},      {0xDA, pgp_put_data},
    {0xDB, pgp_put_data_odd},  {0x20, pgp_verify},
    {0x24, pgp_change_ref},    {0x2C, pgp_reset_retry},
    {0x47, pgp_generate},      {0x2A, pgp_pso},
    {0x88, pgp_internal_auth}, {0x84, pgp_get_challenge},
    {0x22, pgp_mse},           {0xE6, pgp_terminate},
    {0x44, pgp_activate},      {0xA5, pgp_select_data},
    {0xCC, pgp_get_next_data},
};

static uint16_t pgp_run(sfc_card *card, const sfc_cmd *cmd, sfc_resp *resp)
{
    pgp_state *st = pgp_st(card, cmd);
    if (st->terminated && cmd->ins != 0x44)
        return SW_WARN_TERMINATED;
    for (size_t i = 0; i < sizeof(handlers) / sizeof(handlers[0]); i++)
        if (handlers[i].ins == cmd->ins)
            return handlers[i].fn(card, cmd, resp);
    return SW_INS_NOT_SUPPORTED;
}

#define MUT SFC_INS_MUTATES
#define SEC SFC_INS_SECRET_DATA

static const sfc_ins_def pgp_ins[] = {
    {0xCA, pgp_run, 0, "GET DATA"},
    {0xCC, pgp_run, 0, "GET NEXT DATA"},
    {0xDA, pgp_run, MUT | SEC, "PUT DATA"},
    {0xDB, pgp_run, MUT | SEC, "PUT DATA (odd)"},
    {0x20, pgp_run, MUT | SEC, "VERIFY"},
    {0x24, pgp_run, MUT | SEC, "CHANGE REFERENCE DATA"},
    {0x2C, pgp_run, MUT | SEC, "RESET RETRY COUNTER"},
    {0x47, pgp_run, MUT, "GENERATE ASYMMETRIC KEY PAIR"},
    {0x2A, pgp_run, MUT | SEC, "PERFORM SECURITY OPERATION"},
    {0x88, pgp_run, SEC, "INTERNAL AUTHENTICATE"},
    {0x84, pgp_run, 0, "GET CHALLENGE"},
    {0x22, pgp_run, MUT, "MANAGE SECURITY ENVIRONMENT"},
    {0xA5, pgp_run, 0, "SELECT DATA"},
    {0xE6, pgp_run, MUT, "TERMINATE DF"},
    {0x44, pgp_run, MUT, "ACTIVATE FILE"},
};

const sfc_app_def pgp_app = {
    .name = "OpenPGP",
    .aid = pgp_rid,
    .aid_len = sizeof(pgp_rid),
    .ins = pgp_ins,
    .n_ins = sizeof(pgp_ins) / sizeof(pgp_ins[0]),
    .flags = SFC_APP_DEFAULT,
    .select = pgp_select,
    .state_size = sizeof(pgp_state),
    .state_free = pgp_state_free,
    .save = pgp_save,
    .load = pgp_load,
};
