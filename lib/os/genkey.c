/* SPDX-License-Identifier: LGPL-2.1-or-later */
/**
 * @file genkey.c
 * @brief GENERATE ASYMMETRIC KEY PAIR (46, ISO/IEC 7816-8): a new RSA or EC
 *        key pair whose private part never leaves the card.
 *
 * P1 = 00 generates and returns the public key; P1 = 80 only returns the
 * public key of an existing pair. P2 is the key reference; with P2 = 00 the
 * reference comes from DO 84 (or 83) of a CRT in the data field (B6, B8, A4
 * or A6), else from the current DST. The CRT's DO 80 picks the key
 * (algref.h: ALG_GEN_RSA2048 .. ALG_GEN_EC_BP384; default RSA 2048). The
 * answer is the public-key template 7F49 (RSA: 81 modulus, 82 exponent; EC:
 * 86 uncompressed point), long enough that without an extended Le it comes
 * through 61xx and GET RESPONSE.
 *
 * Who may generate: replacing an existing key needs that key's use
 * condition; a new key needs user authentication with the card's first PIN.
 * New keys get that same condition for their use (SC byte 10).
 */
#include "os/card.h"

#include "os/access.h"
#include "os/algref.h"
#include "os/iso.h"
#include "os/keys.h"
#include "core/sw.h"
#include "core/tlv.h"
#include "crypto/pkey.h"

#define NEW_KEY_USE_SC 0x10 /* user authentication, the card's first PIN */

typedef struct gen_request {
    uint8_t ref;
    uint8_t alg;
} gen_request;

static uint16_t parse_crt(const uint8_t *data, size_t len, gen_request *g)
{
    ber_tlv crt, t;
    if (ber_decode(data, len, &crt) != SFC_OK || crt.size != len ||
        (crt.tag != 0xB6 && crt.tag != 0xB8 && crt.tag != 0xA4 &&
         crt.tag != 0xA6))
        return SW_WRONG_DATA;
    if (ber_validate(crt.value, crt.len, false, 1) != SFC_OK)
        return SW_WRONG_DATA;
    if (ber_find(crt.value, crt.len, 0x80, &t) == SFC_OK) {
        if (t.len != 1)
            return SW_WRONG_DATA;
        g->alg = t.value[0];
    }
    if (ber_find(crt.value, crt.len, 0x84, &t) == SFC_OK ||
        ber_find(crt.value, crt.len, 0x83, &t) == SFC_OK) {
        if (t.len != 1)
            return SW_WRONG_DATA;
        if (g->ref == 0)
            g->ref = t.value[0];
    }
    return SW_OK;
}

static uint16_t parse_request(const sfc_card *card, const sfc_cmd *cmd,
                              gen_request *g)
{
    g->ref = cmd->p2;
    g->alg = ALG_GEN_RSA2048;
    if (cmd->nc) {
        uint16_t sw = parse_crt(cmd->data, cmd->nc, g);
        if (sw != SW_OK)
            return sw;
    }
    if (g->ref == 0 && card->se.dst.set && card->se.dst.has_key &&
        card->se.dst.key_id_len == 1)
        g->ref = card->se.dst.key_ref;
    return g->ref ? SW_OK : SW_REF_NOT_FOUND;
}

static sfc_err generate(uint8_t alg, sfc_pkey **out)
{
    switch (alg) {
    case ALG_GEN_RSA2048: return sfc_pkey_generate_rsa(2048, out);
    case ALG_GEN_RSA3072: return sfc_pkey_generate_rsa(3072, out);
    case ALG_GEN_RSA4096: return sfc_pkey_generate_rsa(4096, out);
    case ALG_GEN_EC_P256: return sfc_pkey_generate_ec(SFC_CURVE_P256, out);
    case ALG_GEN_EC_P384: return sfc_pkey_generate_ec(SFC_CURVE_P384, out);
    case ALG_GEN_EC_BP256: return sfc_pkey_generate_ec(SFC_CURVE_BP256R1, out);
    case ALG_GEN_EC_BP384: return sfc_pkey_generate_ec(SFC_CURVE_BP384R1, out);
    default: return SFC_E_UNSUPPORTED;
    }
}

static uint16_t read_public(sfc_card *card, uint8_t ref, sfc_resp *resp)
{
    sfc_key *k = sfc_key_find(card, ref);
    if (!k || !k->pkey)
        return SW_REF_NOT_FOUND;
    return sfc_pkey_put_7f49(k->pkey, &resp->data) ? SW_OK : SW_UNKNOWN;
}

uint16_t iso_generate_key_pair(sfc_card *card, const sfc_cmd *cmd,
                               sfc_resp *resp)
{
    if (cmd->p1 != 0x00 && cmd->p1 != 0x80)
        return SW_WRONG_P1P2;
    gen_request g;
    uint16_t sw = parse_request(card, cmd, &g);
    if (sw != SW_OK)
        return sw;
    if (cmd->p1 == 0x80)
        return read_public(card, g.ref, resp);
    sfc_key *old = sfc_key_find(card, g.ref);
    sw = old ? sfc_access_key(card, old)
             : sfc_access_condition(card, NEW_KEY_USE_SC);
    if (sw != SW_OK)
        return sw;
    sfc_pkey *pkey = NULL;
    sfc_err rv = generate(g.alg, &pkey);
    if (rv == SFC_E_UNSUPPORTED)
        return SW_WRONG_DATA;
    if (rv != SFC_OK)
        return SW_UNKNOWN;
    uint8_t use_sc = old ? old->use_sc : NEW_KEY_USE_SC;
    if (sfc_key_put_pkey(card, g.ref, pkey, use_sc) != SFC_OK) {
        sfc_pkey_free(pkey);
        return SW_NOT_ENOUGH_MEMORY;
    }
    return read_public(card, g.ref, resp);
}
