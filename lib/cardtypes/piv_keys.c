/* SPDX-License-Identifier: LGPL-2.1-or-later */
/**
 * @file piv_keys.c
 * @brief PIV key slots and GENERATE ASYMMETRIC KEY PAIR (47).
 *
 * Slots: 9A (authentication), 9C (signature), 9D (key management), 9E
 * (card authentication), 82..95 (retired key management) and F9 (Yubico's
 * attestation key). Each holds an OpenSSL key, its PIV algorithm, the PIN
 * and touch policies given when it was made and its origin. Algorithms:
 * RSA 2048 (07), 3072 (05), 4096 (16), EC P-256 (11), P-384 (14); RSA 1024
 * is refused (6A80).
 *
 *   00 47 00 slot AC{80 alg [AA pin policy] [AB touch policy]}
 *     -> 7F49{81 n, 82 e} or 7F49{86 04||X||Y}
 * Needs the management key (6982). The attestation slot F9 is only
 * imported or made at personalisation (6A86 here).
 */
#include "cardtypes/piv.h"

#include <openssl/evp.h>
#include <string.h>

#include "core/sw.h"
#include "core/tlv.h"
#include "crypto/pkey.h"

uint8_t piv_slot_ref(size_t index)
{
    static const uint8_t fixed[] = {0x9A, 0x9C, 0x9D, 0x9E};
    if (index < 4)
        return fixed[index];
    return index < PIV_NSLOTS - 1 ? (uint8_t)(0x82 + index - 4)
                                  : PIV_KEY_ATTEST;
}

piv_slot *piv_slot_of(piv_state *st, uint8_t ref)
{
    for (size_t i = 0; i < PIV_NSLOTS; i++)
        if (piv_slot_ref(i) == ref)
            return &st->slots[i];
    return NULL;
}

uint8_t piv_alg_of_pkey(const EVP_PKEY *pkey)
{
    if (sfc_pkey_is_rsa(pkey)) {
        switch (sfc_pkey_bits(pkey)) {
        case 2048: return PIV_ALG_RSA2048;
        case 3072: return PIV_ALG_RSA3072;
        case 4096: return PIV_ALG_RSA4096;
        default: return 0;
        }
    }
    switch (sfc_pkey_curve(pkey)) {
    case SFC_CURVE_P256: return PIV_ALG_ECCP256;
    case SFC_CURVE_P384: return PIV_ALG_ECCP384;
    default: return 0;
    }
}

uint8_t piv_effective_policy(const piv_slot *s, uint8_t ref)
{
    if (s->pin_policy != PIV_POLICY_DEFAULT)
        return s->pin_policy;
    if (ref == PIV_KEY_CARDAUTH || ref == PIV_KEY_ATTEST)
        return PIV_POLICY_NEVER;
    return ref == PIV_KEY_SIGN ? PIV_POLICY_ALWAYS : PIV_POLICY_ONCE;
}

void piv_slot_clear(piv_slot *slot)
{
    EVP_PKEY_free(slot->pkey);
    memset(slot, 0, sizeof(*slot));
}

void piv_slot_set(piv_slot *slot, EVP_PKEY *pkey, uint8_t alg,
                  uint8_t pin_policy, uint8_t touch_policy, uint8_t origin)
{
    piv_slot_clear(slot);
    *slot = (piv_slot){pkey, alg, pin_policy, touch_policy, origin};
}

static sfc_err generate(uint8_t alg, EVP_PKEY **out)
{
    switch (alg) {
    case PIV_ALG_RSA2048: return sfc_pkey_generate_rsa(2048, out);
    case PIV_ALG_RSA3072: return sfc_pkey_generate_rsa(3072, out);
    case PIV_ALG_RSA4096: return sfc_pkey_generate_rsa(4096, out);
    case PIV_ALG_ECCP256: return sfc_pkey_generate_ec(SFC_CURVE_P256, out);
    case PIV_ALG_ECCP384: return sfc_pkey_generate_ec(SFC_CURVE_P384, out);
    default: return SFC_E_UNSUPPORTED;
    }
}

/* A one-byte policy object (AA or AB) if present: 00..03. */
static bool policy_of(const uint8_t *p, size_t len, uint32_t tag,
                      uint8_t *out)
{
    ber_tlv t;
    sfc_err rv = ber_find(p, len, tag, &t);
    *out = 0;
    if (rv == SFC_E_NOT_FOUND)
        return true;
    if (rv != SFC_OK || t.len != 1 || t.value[0] > 3)
        return false;
    *out = t.value[0];
    return true;
}

/* AC{80 alg, [AA], [AB]} as the whole of the data. */
static bool parse_template(const sfc_cmd *cmd, uint8_t *alg, uint8_t *pin,
                           uint8_t *touch)
{
    ber_tlv ac, a;
    if (ber_decode(cmd->data, cmd->nc, &ac) != SFC_OK || ac.tag != 0xAC ||
        ac.size != cmd->nc ||
        ber_validate(ac.value, ac.len, false, 1) != SFC_OK ||
        ber_find(ac.value, ac.len, 0x80, &a) != SFC_OK || a.len != 1)
        return false;
    *alg = a.value[0];
    return policy_of(ac.value, ac.len, 0xAA, pin) &&
           policy_of(ac.value, ac.len, 0xAB, touch);
}

uint16_t piv_generate(sfc_card *card, const sfc_cmd *cmd, sfc_resp *resp)
{
    uint8_t alg = 0, pin = 0, touch = 0;
    EVP_PKEY *pkey = NULL;
    piv_slot *slot = piv_slot_of(piv_state_of(card, cmd), cmd->p2);
    if (cmd->p1 != 0x00 || !slot || cmd->p2 == PIV_KEY_ATTEST)
        return SW_WRONG_P1P2;
    uint16_t sw = piv_need_mgm(card, cmd);
    if (sw != SW_OK)
        return sw;
    if (!parse_template(cmd, &alg, &pin, &touch))
        return SW_WRONG_DATA;
    if (generate(alg, &pkey) != SFC_OK)
        return SW_WRONG_DATA;
    if (!sfc_pkey_put_7f49(pkey, &resp->data)) {
        EVP_PKEY_free(pkey);
        return SW_UNKNOWN;
    }
    piv_slot_set(slot, pkey, alg, pin, touch, PIV_ORIGIN_GENERATED);
    return SW_OK;
}
