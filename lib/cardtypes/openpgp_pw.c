/* SPDX-License-Identifier: LGPL-2.1-or-later */
/**
 * @file openpgp_pw.c
 * @brief PW1, PW3 and the resetting code: VERIFY, CHANGE REFERENCE DATA,
 *        RESET RETRY COUNTER (OpenPGP card 3.4 §7.2.2, 7.2.3, 7.2.4).
 *
 * PW1 has one value and one counter and two references: 81 grants one
 * signature (or several if C4 byte 1 is 01), 82 everything else of the
 * user. PW3 (83) grants administration. Each password has 3 tries; a wrong
 * value answers 63Cx with the tries left, a blocked password 6983; a right
 * one restores the counter. VERIFY without data reports the status (9000
 * verified, else 63Cx), P1=FF forgets a verification. Comparisons are
 * constant-time; a value of the wrong length counts as wrong.
 */
#include "cardtypes/openpgp.h"

#include <string.h>

#include "core/sw.h"

static const size_t pw_min[PGP_N_PW] = {6, 8, 8};

bool pgp_pw_set(pgp_pw *pw, const char *value, size_t min)
{
    size_t n = strlen(value);
    if (n < min || n > PGP_PW_MAX)
        return false;
    memset(pw->value, 0, sizeof(pw->value));
    memcpy(pw->value, value, n);
    pw->len = (uint8_t)n;
    pw->tries = PGP_TRIES;
    return true;
}

static bool pw_set_bytes(pgp_pw *pw, const uint8_t *v, size_t n, size_t min)
{
    if (n < min || n > PGP_PW_MAX)
        return false;
    memset(pw->value, 0, sizeof(pw->value));
    memcpy(pw->value, v, n);
    pw->len = (uint8_t)n;
    pw->tries = PGP_TRIES;
    return true;
}

/* Check a presented value: 9000, 63Cx or 6983; counts the try. */
static uint16_t pw_check(pgp_pw *pw, const uint8_t *v, size_t n)
{
    if (pw->len == 0 || pw->tries == 0)
        return SW_AUTH_BLOCKED;
    bool ok = n == pw->len && sfc_ct_equal(v, pw->value, n);
    if (!ok) {
        pw->tries--;
        return pw->tries ? SW_COUNTER(pw->tries) : SW_AUTH_BLOCKED;
    }
    pw->tries = PGP_TRIES;
    return SW_OK;
}

static int pw_of_ref(uint8_t ref)
{
    return ref == 0x81 || ref == 0x82 ? PGP_PW1 : ref == 0x83 ? PGP_PW3 : -1;
}

static uint64_t right_of_ref(uint8_t ref)
{
    return ref == 0x81   ? PGP_RIGHT_PW1_81
           : ref == 0x82 ? PGP_RIGHT_PW1_82
                         : PGP_RIGHT_PW3;
}

static uint16_t verify_status(sfc_card *card, const sfc_cmd *cmd,
                              const pgp_pw *pw)
{
    if (pgp_has(card, cmd, right_of_ref(cmd->p2)))
        return SW_OK;
    return pw->tries ? SW_COUNTER(pw->tries) : SW_AUTH_BLOCKED;
}

uint16_t pgp_verify(sfc_card *card, const sfc_cmd *cmd, sfc_resp *resp)
{
    (void)resp;
    int i = pw_of_ref(cmd->p2);
    if ((cmd->p1 != 0x00 && cmd->p1 != 0xFF) || i < 0)
        return SW_WRONG_P1P2;
    pgp_state *st = pgp_st(card, cmd);
    sfc_app *app = pgp_app_of(card, cmd);
    if (cmd->p1 == 0xFF) {
        if (cmd->nc)
            return SW_WRONG_LENGTH;
        sfc_right_revoke(card, app, right_of_ref(cmd->p2));
        return SW_OK;
    }
    if (cmd->nc == 0)
        return verify_status(card, cmd, &st->pw[i]);
    sfc_right_revoke(card, app, right_of_ref(cmd->p2));
    uint16_t sw = pw_check(&st->pw[i], cmd->data, cmd->nc);
    if (sw == SW_OK)
        sfc_right_grant(card, app, right_of_ref(cmd->p2), 0);
    return sw;
}

uint16_t pgp_change_ref(sfc_card *card, const sfc_cmd *cmd, sfc_resp *resp)
{
    (void)resp;
    if (cmd->p1 != 0x00 || (cmd->p2 != 0x81 && cmd->p2 != 0x83))
        return SW_WRONG_P1P2;
    int i = pw_of_ref(cmd->p2);
    pgp_state *st = pgp_st(card, cmd);
    pgp_pw *pw = &st->pw[i];
    if (pw->tries == 0)
        return SW_AUTH_BLOCKED;
    size_t old = pw->len;
    if (cmd->nc < old)
        return pw_check(pw, cmd->data, cmd->nc);
    uint16_t sw = pw_check(pw, cmd->data, old);
    if (sw != SW_OK)
        return sw;
    if (!pw_set_bytes(pw, cmd->data + old, cmd->nc - old, pw_min[i]))
        return SW_WRONG_LENGTH;
    sfc_right_revoke(card, pgp_app_of(card, cmd),
                     i == PGP_PW1 ? PGP_RIGHT_PW1_81 | PGP_RIGHT_PW1_82
                                  : PGP_RIGHT_PW3);
    return SW_OK;
}

/* P1=00: the resetting code, then the new PW1 (split at the code's
 * length); 9000 with np and nn moved to the new value. */
static uint16_t check_resetting_code(pgp_state *st, const uint8_t **np,
                                     size_t *nn)
{
    pgp_pw *rc = &st->pw[PGP_RC];
    if (rc->len == 0)
        return SW_SECURITY_STATUS;
    if (rc->tries == 0)
        return SW_AUTH_BLOCKED;
    size_t n = *nn < rc->len ? *nn : rc->len;
    uint16_t sw = pw_check(rc, *np, n);
    if (sw != SW_OK)
        return sw;
    *np += n;
    *nn -= n;
    return *nn ? SW_OK : SW_WRONG_LENGTH;
}

/* P1=00 with the resetting code, P1=02 after PW3: a new PW1. */
uint16_t pgp_reset_retry(sfc_card *card, const sfc_cmd *cmd, sfc_resp *resp)
{
    (void)resp;
    if ((cmd->p1 != 0x00 && cmd->p1 != 0x02) || cmd->p2 != 0x81)
        return SW_WRONG_P1P2;
    pgp_state *st = pgp_st(card, cmd);
    const uint8_t *np = cmd->data;
    size_t nn = cmd->nc;
    uint16_t sw = cmd->p1 == 0x02
                      ? (pgp_has(card, cmd, PGP_RIGHT_PW3) ? SW_OK
                                                           : SW_SECURITY_STATUS)
                      : check_resetting_code(st, &np, &nn);
    if (sw != SW_OK)
        return sw;
    return pw_set_bytes(&st->pw[PGP_PW1], np, nn, pw_min[PGP_PW1])
               ? SW_OK
               : SW_WRONG_LENGTH;
}
