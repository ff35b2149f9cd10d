/* SPDX-License-Identifier: LGPL-2.1-or-later */
/**
 * @file pin.c
 * @brief VERIFY, CHANGE REFERENCE DATA and RESET RETRY COUNTER.
 *
 * Every PIN has a retry counter that a wrong value decrements and a right
 * value restores; when it reaches zero the PIN is blocked (6983) until a PUK
 * resets it. Beyond the counter a PIN can be suspended (6985: another
 * authentication must resume it first) or deactivated (6984). A PIN is
 * card-wide or belongs to an application (its scope, the application's
 * AID): a reference is looked up among the current application's PINs
 * first, then among the card's, so two applications can each have their
 * own PIN 81. Wrong attempts answer 63Cx with the tries left. An empty VERIFY
 * asks for the state without using a try: 9000 if verified, else 63Cx (or
 * 6983 when blocked). VERIFY with P1 = FF forgets a verification.
 *
 * Comparisons are constant-time over a fixed-size buffer; trailing 00 and FF
 * bytes of a presented value are treated as padding (OpenSC pads PINs that
 * way). The verified state lives in card->sec and is cleared by reset and
 * power-off; the counters are card data and survive both.
 */
#include "core/errtext.h"
#include "os/pin.h"

#include <stdio.h>
#include <string.h>

#include "os/iso.h"
#include "core/bytes.h"
#include "core/sw.h"

static bool same_scope(const sfc_pin *p, const sfc_app_def *app)
{
    size_t n = app ? app->aid_len : 0;
    return p->scope_len == n && (n == 0 || memcmp(p->scope, app->aid, n) == 0);
}

static bool has_ref(const sfc_card *card, const sfc_app_def *app,
                    uint8_t ref)
{
    for (size_t i = 0; i < card->n_pins; i++)
        if (card->pins[i].ref == ref && same_scope(&card->pins[i], app))
            return true;
    return false;
}

static bool counter_ok(uint8_t tries)
{
    return tries >= 1 && tries <= 15;
}

/* Everything about a new PIN that can be wrong, with the reason. */
static sfc_err check_spec(const sfc_card *card, const sfc_app_def *app,
                          const sfc_pin_spec *spec, char *err, size_t errlen)
{
    size_t len = spec->value ? strlen(spec->value) : 0;
    size_t puk_len = spec->puk ? strlen(spec->puk) : 0;
    const char *why = NULL;
    if (card->n_pins >= SFC_MAX_PINS)
        why = "the card holds as many PINs as it can";
    else if (!counter_ok(spec->tries) ||
             (spec->puk && !counter_ok(spec->puk_tries)))
        why = "a retry counter must be 1 to 15";
    else if (app && (app->aid_len == 0 || app->aid_len > SFC_AID_MAX))
        why = "the application's AID must have 1 to 16 bytes";
    else if (has_ref(card, app, spec->ref))
        why = "a PIN with this reference exists in this scope";
    if (why) {
        sfc_errf(err, errlen, "PIN %02X: %s", spec->ref, why);
        return SFC_E_INVAL;
    }
    if (len < spec->min_len || len > spec->max_len || len > SFC_PIN_MAX_LEN) {
        sfc_errf(err, errlen, "PIN must have %u to %u characters",
                 spec->min_len, spec->max_len);
        return SFC_E_RANGE;
    }
    if (spec->puk && (puk_len == 0 || puk_len > SFC_PIN_MAX_LEN)) {
        sfc_errf(err, errlen, "PUK must have 1 to %u characters",
                 SFC_PIN_MAX_LEN);
        return SFC_E_RANGE;
    }
    return SFC_OK;
}

sfc_err sfc_pin_add(sfc_card *card, const sfc_app_def *app,
                    const sfc_pin_spec *spec, char *err, size_t errlen)
{
    sfc_err rv = check_spec(card, app, spec, err, errlen);
    if (rv != SFC_OK)
        return rv;
    size_t len = spec->value ? strlen(spec->value) : 0;
    size_t puk_len = spec->puk ? strlen(spec->puk) : 0;
    sfc_pin *p = &card->pins[card->n_pins];
    memset(p, 0, sizeof(*p));
    p->ref = spec->ref;
    if (app) {
        memcpy(p->scope, app->aid, app->aid_len);
        p->scope_len = (uint8_t)app->aid_len;
    }
    memcpy(p->value, spec->value, len);
    p->len = (uint8_t)len;
    p->min_len = spec->min_len;
    p->max_len = spec->max_len;
    p->max_tries = p->tries_left = spec->tries;
    if (spec->puk) {
        p->has_puk = true;
        memcpy(p->puk, spec->puk, puk_len);
        p->puk_len = (uint8_t)puk_len;
        p->puk_max_tries = p->puk_tries_left = spec->puk_tries;
    }
    card->n_pins++;
    return SFC_OK;
}

static int find_ref(const sfc_card *card, const sfc_app *scope, uint8_t ref)
{
    for (size_t i = 0; i < card->n_pins; i++)
        if (card->pins[i].ref == ref && app_owns_pin(scope, &card->pins[i]))
            return (int)i;
    return -1;
}

static int find_first(const sfc_card *card, const sfc_app *scope)
{
    for (size_t i = 0; i < card->n_pins; i++)
        if (app_owns_pin(scope, &card->pins[i]))
            return (int)i;
    return -1;
}

int sfc_pin_lookup(const sfc_card *card, const sfc_app *app, uint8_t ref)
{
    int i = app ? find_ref(card, app, ref) : -1;
    if (i < 0)
        i = find_ref(card, NULL, ref);
    if (i < 0 && ref == 0x00 && app)
        i = find_first(card, app);
    if (i < 0 && ref == 0x00)
        i = find_first(card, NULL);
    return i;
}

int sfc_pin_index(const sfc_card *card, uint8_t ref)
{
    return sfc_pin_lookup(card, card->cmd_app, ref);
}

int sfc_pin_first(const sfc_card *card)
{
    return sfc_pin_lookup(card, card->cmd_app, 0x00);
}

static size_t unpadded_len(const uint8_t *v, size_t len)
{
    while (len > 0 && (v[len - 1] == 0x00 || v[len - 1] == 0xFF))
        len--;
    return len;
}

/* Constant-time in the content; the lengths are not secret. */
static bool secret_matches(const uint8_t *stored, size_t stored_len,
                           const uint8_t *given, size_t given_len)
{
    uint8_t a[SFC_PIN_MAX_LEN] = {0}, b[SFC_PIN_MAX_LEN] = {0};
    given_len = unpadded_len(given, given_len);
    bool len_ok = given_len == stored_len && given_len <= SFC_PIN_MAX_LEN;
    memcpy(a, stored, stored_len);
    memcpy(b, given, given_len <= SFC_PIN_MAX_LEN ? given_len : 0);
    bool eq = sfc_ct_equal(a, b, sizeof(a));
    sfc_wipe(a, sizeof(a));
    sfc_wipe(b, sizeof(b));
    return eq && len_ok;
}

static uint16_t tries_sw(uint8_t tries_left)
{
    return tries_left == 0 ? SW_COUNTER(0) : SW_COUNTER(tries_left);
}

/* Blocked (no tries), deactivated or suspended: no try is used. */
static uint16_t pin_usable(const sfc_pin *p)
{
    if (p->state == SFC_PIN_DEACTIVATED)
        return SW_REF_DATA_UNUSABLE;
    if (p->tries_left == 0)
        return SW_AUTH_BLOCKED;
    if (p->state == SFC_PIN_SUSPENDED)
        return SW_CONDITIONS;
    return SW_OK;
}

/* Check a presented PIN and keep the counter; 9000, 63Cx, 6983, 6984 or
 * 6985. */
static uint16_t check_pin(sfc_card *card, size_t i, const uint8_t *v,
                          size_t len)
{
    sfc_pin *p = &card->pins[i];
    uint16_t usable = pin_usable(p);
    if (usable != SW_OK)
        return usable;
    if (!secret_matches(p->value, p->len, v, len)) {
        p->tries_left--;
        card->sec.pin_verified[i] = false;
        return tries_sw(p->tries_left);
    }
    p->tries_left = p->max_tries;
    card->sec.pin_verified[i] = true;
    return SW_OK;
}

static uint16_t check_puk(sfc_pin *p, const uint8_t *v, size_t len)
{
    if (!p->has_puk)
        return SW_REF_DATA_UNUSABLE;
    if (p->puk_tries_left == 0)
        return SW_AUTH_BLOCKED;
    if (!secret_matches(p->puk, p->puk_len, v, len)) {
        p->puk_tries_left--;
        return tries_sw(p->puk_tries_left);
    }
    p->puk_tries_left = p->puk_max_tries;
    return SW_OK;
}

static uint16_t set_pin_value(sfc_pin *p, const uint8_t *v, size_t len)
{
    len = unpadded_len(v, len);
    if (len < p->min_len || len > p->max_len || len > SFC_PIN_MAX_LEN)
        return SW_WRONG_DATA;
    sfc_wipe(p->value, sizeof(p->value));
    memcpy(p->value, v, len);
    p->len = (uint8_t)len;
    p->tries_left = p->max_tries;
    return SW_OK;
}

uint16_t iso_verify(sfc_card *card, const sfc_cmd *cmd, sfc_resp *resp)
{
    (void)resp;
    if (cmd->ins != 0x20 || (cmd->p1 != 0x00 && cmd->p1 != 0xFF))
        return SW_WRONG_P1P2;
    int i = sfc_pin_index(card, cmd->p2);
    if (i < 0)
        return SW_REF_NOT_FOUND;
    if (cmd->p1 == 0xFF) {
        if (cmd->nc != 0)
            return SW_WRONG_LENGTH;
        card->sec.pin_verified[i] = false;
        return SW_OK;
    }
    if (cmd->nc == 0) {
        if (card->sec.pin_verified[i])
            return SW_OK;
        uint8_t left = card->pins[i].tries_left;
        return left == 0 ? SW_AUTH_BLOCKED : SW_COUNTER(left);
    }
    return check_pin(card, (size_t)i, cmd->data, cmd->nc);
}

uint16_t iso_change_reference_data(sfc_card *card, const sfc_cmd *cmd,
                                   sfc_resp *resp)
{
    (void)resp;
    int i = sfc_pin_index(card, cmd->p2);
    if (cmd->p1 != 0x00 && cmd->p1 != 0x01)
        return SW_WRONG_P1P2;
    if (i < 0)
        return SW_REF_NOT_FOUND;
    sfc_pin *p = &card->pins[i];
    if (cmd->nc == 0)
        return SW_WRONG_LENGTH;
    if (cmd->p1 == 0x01) {
        /* New value only: allowed once the PIN has been verified. */
        if (!card->sec.pin_verified[i])
            return SW_SECURITY_STATUS;
        return set_pin_value(p, cmd->data, cmd->nc);
    }
    /* Old value followed by the new one; the old one has the stored length. */
    if (cmd->nc <= p->len)
        return SW_WRONG_LENGTH;
    uint16_t sw = check_pin(card, (size_t)i, cmd->data, p->len);
    if (sw != SW_OK)
        return sw;
    return set_pin_value(p, cmd->data + p->len, cmd->nc - p->len);
}

uint16_t iso_reset_retry_counter(sfc_card *card, const sfc_cmd *cmd,
                                 sfc_resp *resp)
{
    (void)resp;
    int i = sfc_pin_index(card, cmd->p2);
    if (cmd->p1 > 0x03)
        return SW_WRONG_P1P2;
    if (i < 0)
        return SW_REF_NOT_FOUND;
    sfc_pin *p = &card->pins[i];
    if (cmd->p1 >= 0x02)
        return SW_SECURITY_STATUS; /* no security state can authorise it yet */
    if (cmd->p1 == 0x01 && cmd->nc == 0)
        return SW_WRONG_LENGTH;
    size_t puk_part = cmd->p1 == 0x00 ? p->puk_len : cmd->nc;
    if (!p->has_puk)
        return SW_REF_DATA_UNUSABLE;
    if (cmd->p1 == 0x00 && cmd->nc <= puk_part)
        return SW_WRONG_LENGTH;
    uint16_t sw = check_puk(p, cmd->data, puk_part);
    if (sw != SW_OK)
        return sw;
    if (cmd->p1 == 0x01) {
        p->tries_left = p->max_tries;
        return SW_OK;
    }
    return set_pin_value(p, cmd->data + puk_part, cmd->nc - puk_part);
}

/* ---- the PIN interface of card types (softcard-cardtype.h) ---------------- */

uint16_t sfc_pin_verify(sfc_card *card, const sfc_app *app, uint8_t ref,
                        const uint8_t *value, size_t len)
{
    int i = sfc_pin_lookup(card, app, ref);
    if (i < 0)
        return SW_REF_NOT_FOUND;
    uint16_t sw = check_pin(card, (size_t)i, value, len);
    sfc_mark_dirty(card); /* the counter changed, or was restored */
    return sw;
}

bool sfc_pin_verified(const sfc_card *card, const sfc_app *app, uint8_t ref)
{
    int i = sfc_pin_lookup(card, app, ref);
    return i >= 0 && card->sec.pin_verified[i];
}

void sfc_pin_unverify(sfc_card *card, const sfc_app *app, uint8_t ref)
{
    int i = sfc_pin_lookup(card, app, ref);
    if (i >= 0)
        card->sec.pin_verified[i] = false;
}

int sfc_pin_tries_left(const sfc_card *card, const sfc_app *app, uint8_t ref)
{
    int i = sfc_pin_lookup(card, app, ref);
    return i < 0 ? -1 : card->pins[i].tries_left;
}

sfc_err sfc_pin_set_state(sfc_card *card, const sfc_app *app, uint8_t ref,
                          sfc_pin_state state)
{
    int i = sfc_pin_lookup(card, app, ref);
    if (i < 0)
        return SFC_E_NOT_FOUND;
    if (state > SFC_PIN_DEACTIVATED)
        return SFC_E_INVAL;
    card->pins[i].state = state;
    if (state != SFC_PIN_ACTIVE)
        card->sec.pin_verified[i] = false;
    sfc_mark_dirty(card);
    return SFC_OK;
}

sfc_pin_state sfc_pin_get_state(const sfc_card *card, const sfc_app *app,
                                uint8_t ref)
{
    int i = sfc_pin_lookup(card, app, ref);
    return i < 0 ? SFC_PIN_DEACTIVATED : card->pins[i].state;
}
