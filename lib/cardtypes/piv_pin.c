/* SPDX-License-Identifier: LGPL-2.1-or-later */
/**
 * @file piv_pin.c
 * @brief The PIV PIN (80, also reachable as the global PIN 00) and PUK
 *        (81): VERIFY, CHANGE REFERENCE DATA, RESET RETRY COUNTER, and
 *        Yubico's SET PIN RETRIES (FA) and RESET (FB).
 *
 * PINs travel as 8 bytes padded with FF (SP 800-73-4 part 2 §3.2.1); a
 * value is 6 to 8 bytes, padding only at the end, and is compared whole in
 * constant time (CRYPTO_memcmp). A wrong value costs one try and answers
 * 63Cx; no tries left answers 6983 without a comparison. VERIFY without
 * data asks for the status and costs nothing: 9000 if verified, else 63Cx.
 * VERIFY P1=FF forgets the verification. A correct PIN grants the rights
 * PIV_RIGHT_PIN and PIV_RIGHT_PIN_ONCE (the latter is used up by one
 * operation of a "PIN always" key). Counters are saved in the card image
 * (the instructions carry SFC_INS_MUTATES).
 */
#include "cardtypes/piv.h"

#include <openssl/crypto.h>
#include <string.h>

#include "core/bytes.h"
#include "core/sw.h"
#include "os/dataobj.h"

bool piv_set_secret(uint8_t dst[PIV_PIN_SIZE], const uint8_t *v, size_t len)
{
    size_t n = 0;
    while (n < len && v[n] != 0xFF)
        n++;
    for (size_t i = n; i < len; i++)
        if (v[i] != 0xFF)
            return false;
    if (n < 6 || n > PIV_PIN_SIZE || len > PIV_PIN_SIZE)
        return false;
    memset(dst, 0xFF, PIV_PIN_SIZE);
    memcpy(dst, v, n);
    return true;
}

void piv_factory_secrets(piv_state *st)
{
    static const uint8_t mgm[24] = {1, 2, 3, 4, 5, 6, 7, 8, 1, 2, 3, 4,
                                    5, 6, 7, 8, 1, 2, 3, 4, 5, 6, 7, 8};
    piv_set_secret(st->pin, (const uint8_t *)PIV_DEFAULT_PIN, 6);
    piv_set_secret(st->puk, (const uint8_t *)PIV_DEFAULT_PUK, 8);
    st->pin_tries = st->pin_max = PIV_DEFAULT_TRIES;
    st->puk_tries = st->puk_max = PIV_DEFAULT_TRIES;
    st->mgm_alg = PIV_ALG_3DES;
    st->mgm_len = sizeof(mgm);
    memcpy(st->mgm_key, mgm, sizeof(mgm));
}

static uint16_t tries_sw(uint8_t left)
{
    return left == 0 ? SW_AUTH_BLOCKED : SW_COUNTER(left);
}

/* Compare an 8-byte presented value with a stored one, keeping the
 * counter: 9000, 63Cx or 6983. */
static uint16_t check(const uint8_t stored[PIV_PIN_SIZE], uint8_t *tries,
                      uint8_t max, const uint8_t *given)
{
    if (*tries == 0)
        return SW_AUTH_BLOCKED;
    if (CRYPTO_memcmp(stored, given, PIV_PIN_SIZE) != 0) {
        (*tries)--;
        return tries_sw(*tries);
    }
    *tries = max;
    return SW_OK;
}

static bool is_pin_ref(uint8_t p2)
{
    return p2 == PIV_PIN_APP || p2 == PIV_PIN_GLOBAL;
}

static uint16_t check_ref(piv_state *st, uint8_t p2, const uint8_t *v)
{
    if (is_pin_ref(p2))
        return check(st->pin, &st->pin_tries, st->pin_max, v);
    return check(st->puk, &st->puk_tries, st->puk_max, v);
}

static uint16_t pin_status(sfc_card *card, sfc_app *app, piv_state *st,
                           uint8_t p2)
{
    if (is_pin_ref(p2))
        return sfc_right_has(card, app, PIV_RIGHT_PIN) ? SW_OK
                                                       : tries_sw(st->pin_tries);
    return tries_sw(st->puk_tries);
}

/* No data: the status (no try used); P1 = FF: forget the verification. */
static uint16_t verify_empty(sfc_card *card, sfc_app *app, piv_state *st,
                             const sfc_cmd *cmd)
{
    if (cmd->p1 != 0xFF)
        return pin_status(card, app, st, cmd->p2);
    if (cmd->nc != 0)
        return SW_WRONG_LENGTH;
    if (is_pin_ref(cmd->p2))
        sfc_right_revoke(card, app, PIV_RIGHT_PIN | PIV_RIGHT_PIN_ONCE);
    return SW_OK;
}

uint16_t piv_verify(sfc_card *card, const sfc_cmd *cmd, sfc_resp *resp)
{
    sfc_app *app = piv_app_of(card, cmd);
    piv_state *st = sfc_app_state(app);
    (void)resp;
    if ((cmd->p1 != 0x00 && cmd->p1 != 0xFF) ||
        (!is_pin_ref(cmd->p2) && cmd->p2 != PIV_PIN_PUK))
        return SW_WRONG_P1P2;
    if (cmd->p1 == 0xFF || cmd->nc == 0)
        return verify_empty(card, app, st, cmd);
    if (cmd->nc != PIV_PIN_SIZE)
        return SW_WRONG_DATA;
    uint16_t sw = check_ref(st, cmd->p2, cmd->data);
    if (is_pin_ref(cmd->p2) && sw == SW_OK)
        sfc_right_grant(card, app, PIV_RIGHT_PIN | PIV_RIGHT_PIN_ONCE, 0);
    else if (is_pin_ref(cmd->p2))
        sfc_right_revoke(card, app, PIV_RIGHT_PIN | PIV_RIGHT_PIN_ONCE);
    return sw;
}

/* The checks shared by 24 and 2C: P1 00, 16 bytes, a valid new value. */
static uint16_t check_pair(const sfc_cmd *cmd, uint8_t fresh[PIV_PIN_SIZE])
{
    if (cmd->p1 != 0x00)
        return SW_WRONG_P1P2;
    if (cmd->nc != 2 * PIV_PIN_SIZE)
        return SW_WRONG_DATA;
    return piv_set_secret(fresh, cmd->data + PIV_PIN_SIZE, PIV_PIN_SIZE)
               ? SW_OK
               : SW_WRONG_DATA;
}

uint16_t piv_change_ref(sfc_card *card, const sfc_cmd *cmd, sfc_resp *resp)
{
    piv_state *st = piv_state_of(card, cmd);
    uint8_t fresh[PIV_PIN_SIZE];
    (void)resp;
    if (!is_pin_ref(cmd->p2) && cmd->p2 != PIV_PIN_PUK)
        return SW_WRONG_P1P2;
    uint16_t sw = check_pair(cmd, fresh);
    if (sw == SW_OK)
        sw = check_ref(st, cmd->p2, cmd->data);
    if (sw == SW_OK)
        memcpy(is_pin_ref(cmd->p2) ? st->pin : st->puk, fresh, sizeof(fresh));
    sfc_wipe(fresh, sizeof(fresh));
    return sw;
}

uint16_t piv_reset_retry(sfc_card *card, const sfc_cmd *cmd, sfc_resp *resp)
{
    piv_state *st = piv_state_of(card, cmd);
    uint8_t fresh[PIV_PIN_SIZE];
    (void)resp;
    if (cmd->p2 != PIV_PIN_APP)
        return SW_WRONG_P1P2;
    uint16_t sw = check_pair(cmd, fresh);
    if (sw == SW_OK)
        sw = check(st->puk, &st->puk_tries, st->puk_max, cmd->data);
    if (sw == SW_OK) {
        memcpy(st->pin, fresh, sizeof(fresh));
        st->pin_tries = st->pin_max;
    }
    sfc_wipe(fresh, sizeof(fresh));
    return sw;
}

/* 00 FA <PIN tries> <PUK tries>: management key and PIN needed; the PIN
 * and PUK return to their defaults, as on a YubiKey. */
uint16_t piv_set_pin_retries(sfc_card *card, const sfc_cmd *cmd,
                             sfc_resp *resp)
{
    sfc_app *app = piv_app_of(card, cmd);
    piv_state *st = sfc_app_state(app);
    (void)resp;
    if (cmd->nc != 0)
        return SW_WRONG_LENGTH;
    if (piv_need_mgm(card, cmd) != SW_OK ||
        !sfc_right_has(card, app, PIV_RIGHT_PIN))
        return SW_SECURITY_STATUS;
    if (cmd->p1 < 1 || cmd->p1 > 15 || cmd->p2 < 1 || cmd->p2 > 15)
        return SW_WRONG_P1P2;
    piv_set_secret(st->pin, (const uint8_t *)PIV_DEFAULT_PIN, 6);
    piv_set_secret(st->puk, (const uint8_t *)PIV_DEFAULT_PUK, 8);
    st->pin_tries = st->pin_max = cmd->p1;
    st->puk_tries = st->puk_max = cmd->p2;
    return SW_OK;
}

/* Objects and keys go, but the attestation key and certificate stay. */
static uint16_t factory_reset(sfc_card *card, sfc_app *app, piv_state *st)
{
    sfc_file *df = sfc_app_df(app);
    sfc_buf cert;
    buf_init(&cert);
    const sfc_dobj *d = sfc_dobj_find(df, PIV_TAG_ATTEST_CERT, false);
    if (d && !buf_put(&cert, d->value, d->len))
        return SW_MEMORY_FAILURE;
    for (size_t i = 0; i < PIV_NSLOTS; i++)
        if (piv_slot_ref(i) != PIV_KEY_ATTEST)
            piv_slot_clear(&st->slots[i]);
    piv_factory_secrets(st);
    piv_clear_objects(card, df);
    bool ok = piv_default_objects(card, df) == SFC_OK &&
              (!cert.len || piv_object_put(card, df, PIV_TAG_ATTEST_CERT,
                                           cert.data, cert.len) == SW_OK);
    buf_free(&cert);
    sfc_right_revoke(card, app, PIV_RIGHTS_ALL);
    return ok ? SW_OK : SW_MEMORY_FAILURE;
}

uint16_t piv_reset(sfc_card *card, const sfc_cmd *cmd, sfc_resp *resp)
{
    sfc_app *app = piv_app_of(card, cmd);
    piv_state *st = sfc_app_state(app);
    (void)resp;
    if (cmd->p1 != 0 || cmd->p2 != 0)
        return SW_WRONG_P1P2;
    if (cmd->nc != 0)
        return SW_WRONG_LENGTH;
    if (st->pin_tries != 0 || st->puk_tries != 0)
        return SW_CONDITIONS;
    return factory_reset(card, app, st);
}
