/* SPDX-License-Identifier: LGPL-2.1-or-later */
/**
 * @file openpgp_put.c
 * @brief PUT DATA (DA) of the OpenPGP card's writable data objects and
 *        PUT DATA (DB 3FFF) with an extended header list (key import).
 *
 * Access: 0101 and 0103 after PW1 (82), everything else after PW3.
 * Lengths: 5B up to 39, 5F2D up to 8, 5F35 one byte, 5F50, 5E and the
 * private DOs up to 254 (C0), 7F21 up to 2048 (C0), C4 1 to 4 bytes (only
 * the first, 00 or 01, is writable), C7..CC 20 bytes, CE..D0 4 bytes, D3
 * empty (no resetting code) or 8..127; C1..C3 valid attributes. Beyond a
 * maximum: 6700; a malformed value: 6A80; an unknown tag: 6A88.
 */
#include "cardtypes/openpgp.h"

#include <string.h>

#include <openssl/evp.h>

#include "core/sw.h"

static bool pw3_needed(uint16_t tag)
{
    return tag != 0x0101 && tag != 0x0103;
}

static uint16_t put_blob(pgp_blob *b, size_t max, const sfc_cmd *cmd)
{
    if (cmd->nc > max)
        return SW_WRONG_LENGTH;
    return pgp_blob_set(b, cmd->data, cmd->nc) ? SW_OK : SW_MEMORY_FAILURE;
}

static uint16_t put_text(uint8_t *dst, uint8_t *len, size_t max,
                         const sfc_cmd *cmd)
{
    if (cmd->nc > max)
        return SW_WRONG_LENGTH;
    memcpy(dst, cmd->data, cmd->nc);
    *len = (uint8_t)cmd->nc;
    return SW_OK;
}

static uint16_t put_fixed(uint8_t *dst, size_t len, const sfc_cmd *cmd)
{
    if (cmd->nc != len)
        return SW_WRONG_LENGTH;
    memcpy(dst, cmd->data, len);
    return SW_OK;
}

static uint16_t put_pw_status(pgp_state *st, const sfc_cmd *cmd)
{
    if (cmd->nc < 1 || cmd->nc > 4)
        return SW_WRONG_LENGTH;
    if (cmd->data[0] > 0x01)
        return SW_WRONG_DATA;
    st->pw1_multi = cmd->data[0];
    return SW_OK;
}

static uint16_t put_sex(pgp_state *st, const sfc_cmd *cmd)
{
    if (cmd->nc != 1)
        return SW_WRONG_LENGTH;
    st->sex = cmd->data[0];
    return SW_OK;
}

/* D3: the resetting code; empty deletes it. */
static uint16_t put_rc(pgp_state *st, const sfc_cmd *cmd)
{
    pgp_pw *rc = &st->pw[PGP_RC];
    if (cmd->nc == 0) {
        memset(rc, 0, sizeof(*rc));
        return SW_OK;
    }
    if (cmd->nc < 8 || cmd->nc > PGP_PW_MAX)
        return SW_WRONG_LENGTH;
    memset(rc->value, 0, sizeof(rc->value));
    memcpy(rc->value, cmd->data, cmd->nc);
    rc->len = (uint8_t)cmd->nc;
    rc->tries = PGP_TRIES;
    return SW_OK;
}

static uint16_t put_key_field(pgp_state *st, uint16_t tag, const sfc_cmd *cmd)
{
    if (tag >= 0xC7 && tag <= 0xC9)
        return put_fixed(st->key[tag - 0xC7].fpr, 20, cmd);
    if (tag >= 0xCA && tag <= 0xCC)
        return put_fixed(st->key[tag - 0xCA].ca_fpr, 20, cmd);
    if (tag >= 0xCE && tag <= 0xD0)
        return put_fixed(st->key[tag - 0xCE].time, 4, cmd);
    return pgp_set_attr(st, tag - 0xC1, cmd->data, cmd->nc);
}

static uint16_t put_do(pgp_state *st, uint16_t tag, const sfc_cmd *cmd)
{
    if (tag >= 0x0101 && tag <= 0x0104)
        return put_blob(&st->priv[tag - 0x0101], PGP_SPECIAL_DO_MAX, cmd);
    if (tag >= 0xC1 && tag <= 0xD0 && tag != 0xC4 && tag != 0xC5 &&
        tag != 0xC6 && tag != 0xCD)
        return put_key_field(st, tag, cmd);
    switch (tag) {
    case 0x5B:
        return put_text(st->name, &st->name_len, PGP_NAME_MAX, cmd);
    case 0x5F2D:
        return put_text(st->lang, &st->lang_len, PGP_LANG_MAX, cmd);
    case 0x5F35:
        return put_sex(st, cmd);
    case 0x5F50:
        return put_blob(&st->url, PGP_SPECIAL_DO_MAX, cmd);
    case 0x5E:
        return put_blob(&st->login, PGP_SPECIAL_DO_MAX, cmd);
    case 0x7F21:
        return put_blob(&st->cert[st->cert_sel], PGP_CERT_MAX, cmd);
    case 0xC4:
        return put_pw_status(st, cmd);
    case 0xD3:
        return put_rc(st, cmd);
    }
    return SW_REF_NOT_FOUND;
}

static bool writable(uint16_t tag)
{
    return (tag >= 0x0101 && tag <= 0x0104) ||
           (tag >= 0xC1 && tag <= 0xD0 && tag != 0xC5 && tag != 0xC6 &&
            tag != 0xCD) ||
           tag == 0x5B || tag == 0x5F2D || tag == 0x5F35 || tag == 0x5F50 ||
           tag == 0x5E || tag == 0x7F21 || tag == 0xD3;
}

uint16_t pgp_put_data(sfc_card *card, const sfc_cmd *cmd, sfc_resp *resp)
{
    (void)resp;
    uint16_t tag = (uint16_t)(cmd->p1 << 8 | cmd->p2);
    if (!writable(tag))
        return SW_REF_NOT_FOUND;
    uint64_t need = pw3_needed(tag) ? PGP_RIGHT_PW3 : PGP_RIGHT_PW1_82;
    if (!pgp_has(card, cmd, need))
        return SW_SECURITY_STATUS;
    return put_do(pgp_st(card, cmd), tag, cmd);
}

uint16_t pgp_put_data_odd(sfc_card *card, const sfc_cmd *cmd, sfc_resp *resp)
{
    (void)resp;
    if (cmd->p1 != 0x3F || cmd->p2 != 0xFF)
        return SW_WRONG_P1P2;
    if (!pgp_has(card, cmd, PGP_RIGHT_PW3))
        return SW_SECURITY_STATUS;
    return pgp_import(card, cmd, cmd->data, cmd->nc);
}
