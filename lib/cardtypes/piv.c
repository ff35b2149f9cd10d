/* SPDX-License-Identifier: LGPL-2.1-or-later */
/**
 * @file piv.c
 * @brief The PIV card type: a NIST SP 800-73-4 PIV application with the
 *        management commands of Yubico's PIV (what yubico-piv-tool sends),
 *        for OpenSC, PKCS#11 applications and yubico-piv-tool.
 *
 * The card: MF { DF DF01 named A0 00 00 03 08 00 00 10 00 01 00 }, the PIV
 * application bound to that DF and selected at power-on; T=1 ATR (extended
 * length announced when the card has it). The card's own table keeps only
 * SELECT by DF name (right-truncated, as the OS does it) and GET RESPONSE:
 * any other SELECT answers 6A82 and changes nothing, so OpenSC's probe of
 * other applications leaves PIV selected.
 *
 * Every command of the application answers its data with 9000 even without
 * Le (SFC_LE_DIRECT, the format hook), as yubico-piv-tool needs; only data
 * beyond one response wait behind 61xx. Command chains are assembled by
 * the OS. This file holds the type, the application, the SELECT answer
 * (application property template) and the saved state; see piv.h for the
 * other files.
 */
#include "cardtypes/piv.h"

#include <openssl/evp.h>
#include <openssl/x509.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cardtypes/cardtypes.h"
#include "core/errtext.h"
#include "core/sw.h"
#include "core/tlv.h"
#include "os/fs.h"
#include "os/iso.h"

static const uint8_t piv_aid[PIV_AID_LEN] = {PIV_AID_BYTES};

/* ---- access to the state ------------------------------------------------- */

sfc_app *piv_app_of(sfc_card *card, const sfc_cmd *cmd)
{
    (void)cmd;
    return sfc_app_find(card, &piv_app_def);
}

piv_state *piv_state_of(sfc_card *card, const sfc_cmd *cmd)
{
    return sfc_app_state(piv_app_of(card, cmd));
}

uint16_t piv_need_mgm(const sfc_card *card, const sfc_cmd *cmd)
{
    (void)cmd;
    const sfc_app *app = sfc_app_find(card, &piv_app_def);
    return sfc_right_has(card, app, PIV_RIGHT_MGM) ? SW_OK
                                                   : SW_SECURITY_STATUS;
}

/* ---- SELECT and formatting ------------------------------------------------ */

/* 61 {4F PIX, 79 {4F RID}, 50 label, AC {80 alg..., 06 00}}. */
static bool put_apt(sfc_buf *b)
{
    static const uint8_t pix[] = {0x00, 0x00, 0x10, 0x00, 0x01, 0x00};
    static const uint8_t algs[] = {PIV_ALG_3DES,    PIV_ALG_AES128,
                                   PIV_ALG_AES192,  PIV_ALG_AES256,
                                   PIV_ALG_RSA2048, PIV_ALG_RSA3072,
                                   PIV_ALG_RSA4096, PIV_ALG_ECCP256,
                                   PIV_ALG_ECCP384};
    static const char label[] = "softcard PIV";
    size_t apt = ber_begin(b, 0x61);
    ber_put(b, 0x4F, pix, sizeof(pix));
    size_t auth = ber_begin(b, 0x79);
    ber_put(b, 0x4F, piv_aid, 5);
    ber_end(b, auth);
    ber_put(b, 0x50, (const uint8_t *)label, sizeof(label) - 1);
    size_t ac = ber_begin(b, 0xAC);
    for (size_t i = 0; i < sizeof(algs); i++)
        ber_put_u8(b, 0x80, algs[i]);
    ber_put(b, 0x06, (const uint8_t *)"", 1);
    ber_end(b, ac);
    return ber_end(b, apt);
}

/* Selecting the application (again) ends what a session proved. */
static uint16_t piv_select(sfc_card *card, sfc_app *app, const sfc_cmd *cmd,
                           sfc_resp *resp)
{
    piv_state *st = sfc_app_state(app);
    sfc_right_revoke(card, app, PIV_RIGHTS_ALL);
    st->witness_len = st->challenge_len = 0;
    if ((cmd->p2 & 0x0C) == 0x0C)
        return SW_OK;
    return put_apt(&resp->data) ? SW_OK : SW_UNKNOWN;
}

static uint16_t piv_format(sfc_card *card, sfc_app *app, const sfc_cmd *cmd,
                           sfc_resp *resp, uint16_t sw)
{
    (void)card;
    (void)app;
    (void)cmd;
    sfc_resp_set_le_mode(resp, SFC_LE_DIRECT);
    return sw;
}

/* Only SELECT by DF name reaches the OS: the MF, EFs and paths are not
 * PIV's, and selecting them would leave the application. */
static uint16_t piv_card_select(sfc_card *card, const sfc_cmd *cmd,
                                sfc_resp *resp)
{
    if (cmd->p1 != 0x04)
        return SW_FILE_NOT_FOUND;
    return iso_select(card, cmd, resp);
}

/* ---- the application ------------------------------------------------------ */

#define MUT SFC_INS_MUTATES
static const sfc_ins_def piv_ins[] = {
    {0xCB, piv_get_data, 0, "GET DATA"},
    {0xDB, piv_put_data, MUT, "PUT DATA"},
    {0x20, piv_verify, MUT | SFC_INS_SECRET_DATA, "VERIFY"},
    {0x24, piv_change_ref, MUT | SFC_INS_SECRET_DATA,
     "CHANGE REFERENCE DATA"},
    {0x2C, piv_reset_retry, MUT | SFC_INS_SECRET_DATA,
     "RESET RETRY COUNTER"},
    {0x87, piv_general_auth, MUT, "GENERAL AUTHENTICATE"},
    {0x47, piv_generate, MUT, "GENERATE ASYMMETRIC KEY PAIR"},
    {0xFD, piv_get_version, 0, "GET VERSION"},
    {0xF8, piv_get_serial, 0, "GET SERIAL"},
    {0xFF, piv_set_mgm, MUT | SFC_INS_SECRET_DATA, "SET MANAGEMENT KEY"},
    {0xFE, piv_import_key, MUT | SFC_INS_SECRET_DATA, "IMPORT KEY"},
    {0xFA, piv_set_pin_retries, MUT, "SET PIN RETRIES"},
    {0xFB, piv_reset, MUT, "RESET"},
    {0xF9, piv_attest, 0, "ATTEST"},
    {0xF7, piv_get_metadata, 0, "GET METADATA"},
};
#undef MUT

const sfc_app_def piv_app_def = {
    .name = "PIV",
    .aid = piv_aid,
    .aid_len = sizeof(piv_aid),
    .ins = piv_ins,
    .n_ins = sizeof(piv_ins) / sizeof(piv_ins[0]),
    .flags = SFC_APP_DEFAULT,
    .select = piv_select,
    .format = piv_format,
    .state_size = sizeof(piv_state),
    .state_free = piv_state_free,
    .save = piv_save,
    .load = piv_load,
};

/* ---- the card type --------------------------------------------------------- */

/* Personalisation: the DF, the application bound at once (so that its
 * state can be filled), PINs, keys and objects. */
static sfc_err piv_create(sfc_card *card, const sfc_card_options *opts,
                          char *err, size_t errlen)
{
    sfc_file *df = NULL;
    sfc_app *app = NULL;
    sfc_err rv = sfc_df_add(card, sfc_card_mf(card), PIV_DF_FID, piv_aid,
                            sizeof(piv_aid), &df);
    if (rv != SFC_OK) {
        sfc_errf(err, errlen, "piv: cannot create the application's DF");
        return rv;
    }
    rv = sfc_app_attach(card, &piv_app_def, &app, err, errlen);
    return rv == SFC_OK ? piv_personalise(card, app, opts, err, errlen) : rv;
}

static sfc_err piv_attach(sfc_card *card, const sfc_card_options *opts,
                          char *err, size_t errlen)
{
    static const uint8_t keep[] = {0xA4, 0xC0};
    static const sfc_ins_def select = {0xA4, piv_card_select, 0, "SELECT"};
    (void)opts;
    if (!sfc_app_find(card, &piv_app_def)) {
        sfc_err rv = sfc_app_attach(card, &piv_app_def, NULL, err, errlen);
        if (rv != SFC_OK)
            return rv;
    }
    sfc_card_keep_ins(card, keep, sizeof(keep));
    sfc_card_set_ins(card, &select);
    /* first SFT: selection by full and partial DF name; second: data
     * coding byte 21 */
    return sfc_card_set_iso_atr(card, 0xC0, 0x21);
}

/* Reset and power-off end a management-key exchange in progress (the
 * rights are the OS's to clear). */
static void piv_on_power(sfc_card *card, sfc_power_event ev)
{
    sfc_app *app = sfc_app_find(card, &piv_app_def);
    piv_state *st = app ? sfc_app_state(app) : NULL;
    (void)ev;
    if (st)
        st->witness_len = st->challenge_len = 0;
}

const sfc_card_type sfc_type_piv = {
    .abi = SFC_CARD_TYPE_ABI,
    .name = "piv",
    .description = "PIV card (NIST SP 800-73-4) with Yubico's management "
                   "commands, for OpenSC, PKCS#11 and yubico-piv-tool",
    .params = piv_params,
    .create = piv_create,
    .attach = piv_attach,
    .on_power = piv_on_power,
};
