/* SPDX-License-Identifier: LGPL-2.1-or-later */
/**
 * @file npa_esign.c
 * @brief The nPA's eSign application: the QES PIN and PSO:COMPUTE DIGITAL
 *        SIGNATURE with the signature key made at personalisation.
 *
 * DF.eSign (A0 00 00 01 67 45 53 49 47 4E) holds the holder certificate
 * (EF C001) and the CA certificate (EF C000), DER, and the card keeps the
 * EC signature key as NPA_KEY_ESIGN (npa_pki.c). A signature needs, in
 * this order: PACE, Terminal Authentication with a signature terminal's
 * certificate whose effective CHAT grants "generate qualified electronic
 * signature" (TR-03110-4 C.4.3), DF.eSign selected, and the QES PIN
 * (reference 81, an application PIN of DF.eSign, 3 tries) verified.
 * Otherwise VERIFY and the signature answer 6982. One verification of the
 * QES PIN allows one signature (it is forgotten after signing); leaving
 * DF.eSign or secure messaging also forgets it (the card OS's rules).
 *
 * MSE:Set DST 41 B6 {84 84 [80 OID]} may name the key; PSO:COMPUTE DIGITAL
 * SIGNATURE 00 2A 9E 9A {hash} takes a SHA-1/224/256/384/512 hash (by its
 * length) and answers ECDSA as plain r || s (BSI TR-03111).
 */
#include "cardtypes/npa.h"

#include "core/sw.h"
#include "core/tlv.h"
#include "crypto/pkey.h"

/* DF.eSign is current and TA granted the QES right. */
static uint16_t esign_ready(sfc_card *card, const sfc_cmd *cmd, sfc_app **app)
{
    *app = sfc_app_current(card, cmd);
    if (!*app || sfc_app_definition(*app) != &npa_esign_app ||
        !npa_pace_done(card) || !sfc_right_has(card, NULL, NPA_RIGHT_ST_QES))
        return SW_SECURITY_STATUS;
    return SW_OK;
}

uint16_t npa_verify_qes(sfc_card *card, const sfc_cmd *cmd)
{
    sfc_app *app = NULL;
    uint16_t sw = esign_ready(card, cmd, &app);
    if (sw != SW_OK)
        return sw;
    if (cmd->nc == 0) {
        int left = sfc_pin_tries_left(card, app, NPA_PWD_QES);
        if (left < 0)
            return SW_REF_NOT_FOUND;
        if (sfc_pin_verified(card, app, NPA_PWD_QES))
            return SW_OK;
        return left ? SW_COUNTER(left) : SW_AUTH_BLOCKED;
    }
    return sfc_pin_verify(card, app, NPA_PWD_QES, cmd->data, cmd->nc);
}

uint16_t npa_mse_set_dst_sign(sfc_card *card, const sfc_cmd *cmd)
{
    ber_tlv kid;
    if (!npa_pace_done(card))
        return SW_SECURITY_STATUS;
    if (ber_validate(cmd->data, cmd->nc, false, 2) != SFC_OK ||
        ber_find(cmd->data, cmd->nc, 0x84, &kid) != SFC_OK || kid.len != 1)
        return SW_WRONG_DATA;
    return kid.value[0] == NPA_KEY_ESIGN ? SW_OK : SW_REF_NOT_FOUND;
}

static bool hash_of_len(size_t n, sfc_hash_alg *h)
{
    switch (n) {
    case 20: *h = SFC_HASH_SHA1; return true;
    case 28: *h = SFC_HASH_SHA224; return true;
    case 32: *h = SFC_HASH_SHA256; return true;
    case 48: *h = SFC_HASH_SHA384; return true;
    case 64: *h = SFC_HASH_SHA512; return true;
    default: return false;
    }
}

uint16_t npa_compute_signature(sfc_card *card, const sfc_cmd *cmd,
                               sfc_resp *resp)
{
    sfc_app *app = NULL;
    sfc_hash_alg h;
    uint16_t sw = esign_ready(card, cmd, &app);
    if (sw != SW_OK)
        return sw;
    if (!sfc_pin_verified(card, app, NPA_PWD_QES))
        return SW_SECURITY_STATUS;
    if (!hash_of_len(cmd->nc, &h))
        return SW_WRONG_DATA;
    sfc_pkey *k = sfc_key_pkey(sfc_key_find(card, NPA_KEY_ESIGN));
    if (!k)
        return SW_REF_NOT_FOUND;
    sfc_pin_unverify(card, app, NPA_PWD_QES); /* one signature per PIN */
    if (sfc_pkey_sign(k, SFC_SIG_ECDSA, h, cmd->data, cmd->nc, &resp->data) !=
        SFC_OK) {
        buf_reset(&resp->data);
        return SW_UNKNOWN;
    }
    return SW_OK;
}
