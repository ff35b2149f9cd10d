/* SPDX-License-Identifier: LGPL-2.1-or-later */
/**
 * @file piv_meta.c
 * @brief Yubico's GET METADATA (F7), which yubico-piv-tool 2.3 and later
 *        and ykman ask a version 5.3+ card about its PINs and keys.
 *
 *   00 F7 00 ref  ->  PIN 80 / PUK 81: 01 FF, 05 default?, 06 max || left
 *                     management key 9B: 01 alg, 02 00 || touch, 05 default?
 *                     key slot: 01 alg, 02 PIN || touch policy, 03 origin,
 *                     04 {81 n, 82 e | 86 point}
 * The policies reported are the effective ones (9C "always", 9E "never",
 * the others "once" unless given). An empty slot answers 6A88, anything
 * else than these references 6A86. Reading metadata needs no
 * authentication and costs no try.
 */
#include "cardtypes/piv.h"

#include <openssl/crypto.h>
#include <string.h>

#include "core/sw.h"
#include "core/tlv.h"
#include "crypto/pkey.h"

static bool is_default(const uint8_t *v, const char *text)
{
    uint8_t want[PIV_PIN_SIZE];
    piv_set_secret(want, (const uint8_t *)text, strlen(text));
    return CRYPTO_memcmp(v, want, PIV_PIN_SIZE) == 0;
}

static bool put_pin(sfc_buf *b, const uint8_t *v, const char *def,
                    uint8_t max, uint8_t left)
{
    uint8_t retries[2] = {max, left};
    return ber_put_u8(b, 0x01, 0xFF) &&
           ber_put_u8(b, 0x05, is_default(v, def) ? 1 : 0) &&
           ber_put(b, 0x06, retries, sizeof(retries));
}

static bool put_mgm(sfc_buf *b, const piv_state *st)
{
    static const uint8_t def[24] = {1, 2, 3, 4, 5, 6, 7, 8, 1, 2, 3, 4,
                                    5, 6, 7, 8, 1, 2, 3, 4, 5, 6, 7, 8};
    uint8_t policy[2] = {0x00, 0x01};
    bool dflt = st->mgm_alg == PIV_ALG_3DES && st->mgm_len == sizeof(def) &&
                CRYPTO_memcmp(st->mgm_key, def, sizeof(def)) == 0;
    return ber_put_u8(b, 0x01, st->mgm_alg) &&
           ber_put(b, 0x02, policy, sizeof(policy)) &&
           ber_put_u8(b, 0x05, dflt ? 1 : 0);
}

/* The public key as 04 {81, 82 | 86}: the 7F49 template's contents. */
static bool put_key(sfc_buf *b, const piv_slot *s, uint8_t ref)
{
    uint8_t policy[2] = {piv_effective_policy(s, ref),
                         s->touch_policy ? s->touch_policy : 0x01};
    sfc_buf t;
    ber_tlv tmpl;
    buf_init(&t);
    bool ok = sfc_pkey_put_7f49(s->pkey, &t) &&
              ber_decode(t.data, t.len, &tmpl) == SFC_OK &&
              ber_put_u8(b, 0x01, s->alg) &&
              ber_put(b, 0x02, policy, sizeof(policy)) &&
              ber_put_u8(b, 0x03, s->origin) &&
              ber_put(b, 0x04, tmpl.value, tmpl.len);
    buf_free(&t);
    return ok;
}

uint16_t piv_get_metadata(sfc_card *card, const sfc_cmd *cmd,
                          sfc_resp *resp)
{
    piv_state *st = piv_state_of(card, cmd);
    const piv_slot *s = piv_slot_of(st, cmd->p2);
    bool ok;
    if (cmd->p1 != 0x00)
        return SW_WRONG_P1P2;
    if (cmd->nc != 0)
        return SW_WRONG_LENGTH;
    if (cmd->p2 == PIV_PIN_APP)
        ok = put_pin(&resp->data, st->pin, PIV_DEFAULT_PIN, st->pin_max,
                     st->pin_tries);
    else if (cmd->p2 == PIV_PIN_PUK)
        ok = put_pin(&resp->data, st->puk, PIV_DEFAULT_PUK, st->puk_max,
                     st->puk_tries);
    else if (cmd->p2 == PIV_KEY_MGM)
        ok = put_mgm(&resp->data, st);
    else if (!s)
        return SW_WRONG_P1P2;
    else if (!s->pkey)
        return SW_REF_NOT_FOUND;
    else
        ok = put_key(&resp->data, s, cmd->p2);
    return ok ? SW_OK : SW_UNKNOWN;
}
