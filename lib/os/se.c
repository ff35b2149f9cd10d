/* SPDX-License-Identifier: LGPL-2.1-or-later */
/**
 * @file se.c
 * @brief MANAGE SECURITY ENVIRONMENT (22): SET a control reference
 *        template, STORE, RESTORE and ERASE environments by number.
 *
 * P1 b4-b1: 1 SET, 2 STORE, 3 RESTORE, 4 ERASE (the upper bits of SET
 * qualify the use and are accepted as given). SET takes P2 = the CRT tag
 * (A4 authentication, A6 key agreement, AA hash, B4 checksum, B6 digital
 * signature, B8 confidentiality) and a data field of primitive DOs: 80
 * mechanism reference, 81/82 file and DF references (kept), 83 secret or
 * public key reference, 84 private key reference, 87 initial value (one
 * block), 95 usage qualifier. A one-byte 83/84 must name an existing key, or
 * for an AT a PIN (6A88 otherwise); longer references (a certificate holder
 * reference, say) are kept for card types that interpret them. Any other DO
 * is 6A80. SET replaces that CRT of the current environment; the current
 * environment is volatile (reset clears it), stored ones are card data.
 */
#include "os/card.h"

#include <string.h>

#include "os/iso.h"
#include "os/keys.h"
#include "os/pin.h"
#include "core/sw.h"
#include "core/tlv.h"

enum { MSE_SET = 1, MSE_STORE = 2, MSE_RESTORE = 3, MSE_ERASE = 4 };

static sfc_crt *crt_for(sfc_se *se, uint8_t tag)
{
    switch (tag) {
    case 0xA4: return &se->at;
    case 0xA6: return &se->kat;
    case 0xAA: return &se->ht;
    case 0xB4: return &se->cct;
    case 0xB6: return &se->dst;
    case 0xB8: return &se->ct;
    default: return NULL;
    }
}

static bool key_ref_known(sfc_card *card, uint8_t crt_tag, uint8_t ref)
{
    if (sfc_key_find(card, ref))
        return true;
    if (crt_tag == 0xA4 && ref != 0 && sfc_pin_index(card, ref) >= 0)
        return true;
    /* 00 in an AT is the card secret of INTERNAL/EXTERNAL AUTHENTICATE */
    return crt_tag == 0xA4 && ref == 0;
}

static uint16_t take_key_ref(sfc_card *card, uint8_t crt_tag,
                             const ber_tlv *t, sfc_crt *crt)
{
    if (t->len == 0 || t->len > sizeof(crt->key_id) || crt->has_key)
        return SW_WRONG_DATA;
    crt->has_key = true;
    crt->key_private = t->tag == 0x84;
    memcpy(crt->key_id, t->value, t->len);
    crt->key_id_len = (uint8_t)t->len;
    crt->key_ref = t->value[0];
    if (t->len == 1 && !key_ref_known(card, crt_tag, crt->key_ref))
        return SW_REF_NOT_FOUND;
    return SW_OK;
}

static uint16_t take_do(sfc_card *card, uint8_t crt_tag, const ber_tlv *t,
                        sfc_crt *crt)
{
    switch (t->tag) {
    case 0x80:
        if (t->len != 1 || crt->has_alg)
            return SW_WRONG_DATA;
        crt->has_alg = true;
        crt->alg = t->value[0];
        return SW_OK;
    case 0x81:
    case 0x82:
        return SW_OK; /* file / DF references: accepted, not used */
    case 0x83:
    case 0x84:
        return take_key_ref(card, crt_tag, t, crt);
    case 0x87:
        if ((t->len != 8 && t->len != 16) || crt->iv_len)
            return SW_WRONG_DATA;
        memcpy(crt->iv, t->value, t->len);
        crt->iv_len = (uint8_t)t->len;
        return SW_OK;
    case 0x95:
        if (t->len != 1 || crt->has_usage)
            return SW_WRONG_DATA;
        crt->has_usage = true;
        crt->usage = t->value[0];
        return SW_OK;
    default:
        return SW_WRONG_DATA;
    }
}

static uint16_t mse_set(sfc_card *card, const sfc_cmd *cmd)
{
    sfc_crt *target = crt_for(&card->se, cmd->p2);
    if (!target)
        return SW_WRONG_P1P2;
    sfc_crt crt;
    memset(&crt, 0, sizeof(crt));
    crt.set = true;
    ber_iter it;
    ber_tlv t;
    ber_iter_init(&it, cmd->data, cmd->nc, false);
    sfc_err rv;
    while ((rv = ber_iter_next(&it, &t)) == SFC_OK) {
        uint16_t sw = take_do(card, cmd->p2, &t, &crt);
        if (sw != SW_OK)
            return sw;
    }
    if (rv != SFC_E_END)
        return SW_WRONG_DATA;
    *target = crt;
    return SW_OK;
}

static uint16_t se_number(const sfc_cmd *cmd, unsigned *n)
{
    if (cmd->nc != 0)
        return SW_WRONG_LENGTH;
    if (cmd->p2 == 0 || cmd->p2 > SFC_MAX_SE)
        return SW_WRONG_P1P2;
    *n = cmd->p2;
    return SW_OK;
}

static uint16_t mse_store(sfc_card *card, const sfc_cmd *cmd)
{
    unsigned n;
    uint16_t sw = se_number(cmd, &n);
    if (sw != SW_OK)
        return sw;
    card->stored_se[n] = card->se;
    card->stored_se_set[n] = true;
    return SW_OK;
}

static uint16_t mse_restore(sfc_card *card, const sfc_cmd *cmd)
{
    if (cmd->p2 == 0 && cmd->nc == 0) {
        memset(&card->se, 0, sizeof(card->se)); /* SE 0: the empty one */
        return SW_OK;
    }
    unsigned n;
    uint16_t sw = se_number(cmd, &n);
    if (sw != SW_OK)
        return sw;
    if (!card->stored_se_set[n])
        return SW_REF_NOT_FOUND;
    card->se = card->stored_se[n];
    return SW_OK;
}

static uint16_t mse_erase(sfc_card *card, const sfc_cmd *cmd)
{
    unsigned n;
    uint16_t sw = se_number(cmd, &n);
    if (sw != SW_OK)
        return sw;
    if (!card->stored_se_set[n])
        return SW_REF_NOT_FOUND;
    memset(&card->stored_se[n], 0, sizeof(sfc_se));
    card->stored_se_set[n] = false;
    return SW_OK;
}

uint16_t iso_manage_security_environment(sfc_card *card, const sfc_cmd *cmd,
                                         sfc_resp *resp)
{
    (void)resp;
    switch (cmd->p1 & 0x0F) {
    case MSE_SET: return mse_set(card, cmd);
    case MSE_STORE: return mse_store(card, cmd);
    case MSE_RESTORE: return mse_restore(card, cmd);
    case MSE_ERASE: return mse_erase(card, cmd);
    default: return SW_WRONG_P1P2;
    }
}
