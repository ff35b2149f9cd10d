/* SPDX-License-Identifier: LGPL-2.1-or-later */
/**
 * @file openpgp_ops.c
 * @brief The OpenPGP card's private-key operations and life cycle: PSO
 *        COMPUTE DIGITAL SIGNATURE and DECIPHER, INTERNAL AUTHENTICATE,
 *        GET CHALLENGE, MANAGE SECURITY ENVIRONMENT (key swapping),
 *        SELECT DATA (the certificate), TERMINATE DF and ACTIVATE FILE
 *        (factory reset).
 *
 * PSO CDS (9E9A) needs PW1 81, increments the signature counter and, when
 * C4 byte 1 is 00, forgets PW1 81 after one signature. PSO DECIPHER (8086)
 * and INTERNAL AUTHENTICATE need PW1 82; DECIPHER takes 00 ‖ RSA
 * cryptogram or A6 {7F49 {86 point}} for ECDH. MSE 22 41 B8/A4 with
 * 83 01 02|03 chooses which key (2 or 3) decrypts and authenticates until
 * the next reset. TERMINATE DF needs PW3, or PW1 and PW3 both blocked;
 * ACTIVATE FILE of a terminated application restores the factory defaults
 * (PW1 123456, PW3 12345678, no keys, no data; the serial number stays).
 */
#include "cardtypes/openpgp.h"

#include <string.h>

#include "core/sw.h"
#include "core/tlv.h"

static uint16_t answer(sfc_resp *resp, sfc_buf *b, bool ok)
{
    uint16_t sw = ok && sfc_resp_put(resp, b->data, b->len) ? SW_OK
                                                            : SW_WRONG_DATA;
    buf_free(b);
    return sw;
}

static uint16_t sign_with(const pgp_key *k, const sfc_cmd *cmd,
                          sfc_resp *resp)
{
    if (!k->pkey)
        return SW_REF_NOT_FOUND;
    if (cmd->nc == 0)
        return SW_WRONG_LENGTH;
    sfc_buf b;
    buf_init(&b);
    return answer(resp, &b, pgp_alg_sign(k->pkey, cmd->data, cmd->nc, &b));
}

static uint16_t pso_cds(sfc_card *card, const sfc_cmd *cmd, sfc_resp *resp)
{
    if (!pgp_has(card, cmd, PGP_RIGHT_PW1_81))
        return SW_SECURITY_STATUS;
    pgp_state *st = pgp_st(card, cmd);
    uint16_t sw = sign_with(&st->key[PGP_SIG], cmd, resp);
    if (sw != SW_OK)
        return sw;
    if (st->sig_count < 0xFFFFFFu)
        st->sig_count++;
    if (!st->pw1_multi)
        sfc_right_revoke(card, pgp_app_of(card, cmd), PGP_RIGHT_PW1_81);
    return SW_OK;
}

/* A6 {7F49 {86 point}}: the peer's point (X25519's 40 prefix dropped). */
static bool ecdh_point(const sfc_cmd *cmd, const uint8_t **pt, size_t *len)
{
    static const uint32_t path[] = {0xA6, 0x7F49, 0x86};
    ber_tlv t;
    if (ber_find_path(cmd->data, cmd->nc, path, 3, &t) != SFC_OK)
        return false;
    *pt = t.value;
    *len = t.len;
    if (*len == 33 && (*pt)[0] == 0x40) {
        (*pt)++;
        (*len)--;
    }
    return true;
}

static uint16_t pso_dec(sfc_card *card, const sfc_cmd *cmd, sfc_resp *resp)
{
    if (!pgp_has(card, cmd, PGP_RIGHT_PW1_82))
        return SW_SECURITY_STATUS;
    pgp_state *st = pgp_st(card, cmd);
    const pgp_key *k = &st->key[st->dec_ref - 1];
    if (!k->pkey)
        return SW_REF_NOT_FOUND;
    if (cmd->nc < 2)
        return SW_WRONG_LENGTH;
    sfc_buf b;
    buf_init(&b);
    const uint8_t *pt = NULL;
    size_t n = 0;
    if (cmd->data[0] == 0x00)
        return answer(resp, &b, pgp_alg_decrypt(k->pkey, cmd->data + 1,
                                                cmd->nc - 1, &b));
    if (cmd->data[0] == 0xA6 && ecdh_point(cmd, &pt, &n))
        return answer(resp, &b, pgp_alg_ecdh(k->pkey, pt, n, &b));
    return cmd->data[0] == 0x02 ? SW_FUNC_NOT_SUPPORTED : SW_WRONG_DATA;
}

uint16_t pgp_pso(sfc_card *card, const sfc_cmd *cmd, sfc_resp *resp)
{
    if (cmd->p1 == 0x9E && cmd->p2 == 0x9A)
        return pso_cds(card, cmd, resp);
    if (cmd->p1 == 0x80 && cmd->p2 == 0x86)
        return pso_dec(card, cmd, resp);
    return SW_WRONG_P1P2;
}

uint16_t pgp_internal_auth(sfc_card *card, const sfc_cmd *cmd, sfc_resp *resp)
{
    if (cmd->p1 != 0x00 || cmd->p2 != 0x00)
        return SW_WRONG_P1P2;
    if (!pgp_has(card, cmd, PGP_RIGHT_PW1_82))
        return SW_SECURITY_STATUS;
    pgp_state *st = pgp_st(card, cmd);
    return sign_with(&st->key[st->aut_ref - 1], cmd, resp);
}

uint16_t pgp_get_challenge(sfc_card *card, const sfc_cmd *cmd, sfc_resp *resp)
{
    if (cmd->p1 != 0x00 || cmd->p2 != 0x00)
        return SW_WRONG_P1P2;
    if (cmd->nc || !cmd->has_le || cmd->ne > PGP_CHALLENGE_MAX)
        return SW_WRONG_LENGTH;
    uint8_t r[PGP_CHALLENGE_MAX];
    if (sfc_card_random(card, r, cmd->ne) != SFC_OK)
        return SW_UNKNOWN;
    return sfc_resp_put(resp, r, cmd->ne) ? SW_OK : SW_UNKNOWN;
}

uint16_t pgp_mse(sfc_card *card, const sfc_cmd *cmd, sfc_resp *resp)
{
    (void)resp;
    if (cmd->p1 != 0x41 || (cmd->p2 != 0xA4 && cmd->p2 != 0xB8))
        return SW_WRONG_P1P2;
    ber_tlv t;
    if (ber_find(cmd->data, cmd->nc, 0x83, &t) != SFC_OK || t.len != 1 ||
        (t.value[0] != 2 && t.value[0] != 3))
        return SW_WRONG_DATA;
    pgp_state *st = pgp_st(card, cmd);
    if (cmd->p2 == 0xA4)
        st->aut_ref = t.value[0];
    else
        st->dec_ref = t.value[0];
    return SW_OK;
}

uint16_t pgp_terminate(sfc_card *card, const sfc_cmd *cmd, sfc_resp *resp)
{
    (void)resp;
    if (cmd->p1 != 0x00 || cmd->p2 != 0x00)
        return SW_WRONG_P1P2;
    pgp_state *st = pgp_st(card, cmd);
    bool blocked = st->pw[PGP_PW1].tries == 0 && st->pw[PGP_PW3].tries == 0;
    if (!blocked && !pgp_has(card, cmd, PGP_RIGHT_PW3))
        return SW_SECURITY_STATUS;
    st->terminated = true;
    sfc_right_revoke(card, pgp_app_of(card, cmd),
                     PGP_RIGHT_PW1_81 | PGP_RIGHT_PW1_82 | PGP_RIGHT_PW3);
    return SW_OK;
}

uint16_t pgp_activate(sfc_card *card, const sfc_cmd *cmd, sfc_resp *resp)
{
    (void)resp;
    if (cmd->p1 != 0x00 || cmd->p2 != 0x00)
        return SW_WRONG_P1P2;
    pgp_state *st = pgp_st(card, cmd);
    if (st->terminated)
        pgp_defaults(st);
    return SW_OK;
}

/* SELECT DATA (§7.2.5): P1 the occurrence of 7F21 (0 AUT, 1 DEC, 2 SIG)
 * that GET DATA and PUT DATA 7F21 reach next; P2=04; the data name the
 * tag, 60 {5C 02 7F 21} (or 5C 02 7F 21 as some hosts send it). */
uint16_t pgp_select_data(sfc_card *card, const sfc_cmd *cmd, sfc_resp *resp)
{
    (void)resp;
    static const uint8_t full[] = {0x60, 0x04, 0x5C, 0x02, 0x7F, 0x21};
    if (cmd->p1 > 2 || cmd->p2 != 0x04)
        return SW_WRONG_P1P2;
    bool ok = (cmd->nc == sizeof(full) &&
               memcmp(cmd->data, full, sizeof(full)) == 0) ||
              (cmd->nc == sizeof(full) - 2 &&
               memcmp(cmd->data, full + 2, sizeof(full) - 2) == 0);
    if (!ok)
        return cmd->nc ? SW_WRONG_DATA : SW_WRONG_LENGTH;
    pgp_st(card, cmd)->cert_sel = cmd->p1;
    return SW_OK;
}
