/* SPDX-License-Identifier: LGPL-2.1-or-later */
/**
 * @file openpgp_do.c
 * @brief GET DATA and PUT DATA: the data objects of the OpenPGP card 3.4
 *        (§4.4) and their access rules.
 *
 * Read: 4F AID, 5E login, 5F50 URL, 5F52 historical bytes, 65 cardholder
 * data {5B, 5F2D, 5F35}, 6E application related data {4F, 5F52, 7F66,
 * 73 {C0, C1, C2, C3, C4, C5, C6, CD, DE}}, 7A {93}, 7F21, 7F66, the
 * private DOs (0101 and 0102 always, 0103 after PW1 82, 0104 after PW3),
 * FA (algorithm information), the simple DOs of the templates one by one,
 * and GET NEXT DATA of 7F21's next occurrence. Write (PUT DATA DA):
 * everything writable after PW3, but 0101 and 0103 after PW1 (82); the
 * lengths are checked against the maxima C0 announces (6700 beyond).
 * PUT DATA DB 3FFF takes an extended header list (key import).
 */
#include "cardtypes/openpgp.h"

#include <string.h>

#include <openssl/evp.h>

#include "core/sw.h"
#include "core/tlv.h"

/* C0: GET CHALLENGE, key import, PW status changeable, private DOs,
 * algorithm attributes changeable; no SM, no AES, no KDF; maxima:
 * challenge, certificate, special DOs; no PIN block 2; MSE supported. */
static const uint8_t ext_caps[10] = {
    0x7C, 0x00, 0x00, PGP_CHALLENGE_MAX, PGP_CERT_MAX >> 8,
    PGP_CERT_MAX & 0xFF, 0x00, PGP_SPECIAL_DO_MAX, 0x00, 0x01};

/* 7F66: most command and response bytes (extended length). */
static const uint8_t ext_len_info[8] = {0x02, 0x02, 0x10, 0x00,
                                        0x02, 0x02, 0x10, 0x00};

/* ---- building the objects --------------------------------------------------- */

static bool put_pw_status(const pgp_state *st, sfc_buf *b)
{
    uint8_t v[7] = {st->pw1_multi, PGP_PW_MAX, PGP_PW_MAX, PGP_PW_MAX,
                    st->pw[PGP_PW1].tries,
                    st->pw[PGP_RC].len ? st->pw[PGP_RC].tries : 0,
                    st->pw[PGP_PW3].tries};
    return ber_put(b, 0xC4, v, sizeof(v));
}

static bool put_keys_field(const pgp_state *st, uint32_t tag, sfc_buf *b)
{
    size_t m = ber_begin(b, tag);
    for (int i = 0; i < PGP_N_KEYS; i++) {
        const pgp_key *k = &st->key[i];
        if (tag == 0xC5)
            buf_put(b, k->fpr, 20);
        else if (tag == 0xC6)
            buf_put(b, k->ca_fpr, 20);
        else if (tag == 0xCD)
            buf_put(b, k->time, 4);
        else {
            buf_put_u8(b, (uint8_t)(i + 1));
            buf_put_u8(b, k->origin);
        }
    }
    return ber_end(b, m);
}

static bool put_discretionary(const pgp_state *st, sfc_buf *b)
{
    size_t m = ber_begin(b, 0x73);
    bool ok = ber_put(b, 0xC0, ext_caps, sizeof(ext_caps));
    for (int i = 0; ok && i < PGP_N_KEYS; i++)
        ok = ber_put(b, 0xC1u + (uint32_t)i, st->key[i].attr,
                     st->key[i].attr_len);
    return ok && put_pw_status(st, b) && put_keys_field(st, 0xC5, b) &&
           put_keys_field(st, 0xC6, b) && put_keys_field(st, 0xCD, b) &&
           put_keys_field(st, 0xDE, b) && ber_end(b, m);
}

static bool put_app_related(const pgp_state *st, sfc_buf *b)
{
    uint8_t aid[16];
    size_t hl = 0;
    const uint8_t *hist = pgp_historical(&hl);
    pgp_aid(st, aid);
    size_t m = ber_begin(b, 0x6E);
    return ber_put(b, 0x4F, aid, 16) && ber_put(b, 0x5F52, hist, hl) &&
           ber_put(b, 0x7F66, ext_len_info, sizeof(ext_len_info)) &&
           put_discretionary(st, b) && ber_end(b, m);
}

static bool put_cardholder(const pgp_state *st, sfc_buf *b)
{
    size_t m = ber_begin(b, 0x65);
    return ber_put(b, 0x5B, st->name, st->name_len) &&
           ber_put(b, 0x5F2D, st->lang, st->lang_len) &&
           ber_put_u8(b, 0x5F35, st->sex ? st->sex : 0x39) && ber_end(b, m);
}

static bool put_counter(const pgp_state *st, sfc_buf *b)
{
    uint8_t c[3] = {(uint8_t)(st->sig_count >> 16),
                    (uint8_t)(st->sig_count >> 8), (uint8_t)st->sig_count};
    return ber_put(b, 0x93, c, 3);
}

static bool put_security_template(const pgp_state *st, sfc_buf *b)
{
    size_t m = ber_begin(b, 0x7A);
    return put_counter(st, b) && ber_end(b, m);
}

/* 9000 if the private DO `tag` may be read now. */
static uint16_t priv_read_ok(sfc_card *card, const sfc_cmd *cmd, uint16_t tag)
{
    if (tag == 0x0103 && !pgp_has(card, cmd, PGP_RIGHT_PW1_82))
        return SW_SECURITY_STATUS;
    if (tag == 0x0104 && !pgp_has(card, cmd, PGP_RIGHT_PW3))
        return SW_SECURITY_STATUS;
    return SW_OK;
}

static const pgp_blob *blob_of(pgp_state *st, uint16_t tag)
{
    switch (tag) {
    case 0x5E:
        return &st->login;
    case 0x5F50:
        return &st->url;
    case 0x7F21:
        return &st->cert[st->cert_sel];
    case 0x0101:
    case 0x0102:
    case 0x0103:
    case 0x0104:
        return &st->priv[tag - 0x0101];
    }
    return NULL;
}

/* The DOs that are one piece of a template. */
static bool put_simple(const pgp_state *st, uint16_t tag, sfc_buf *b)
{
    uint8_t aid[16];
    size_t hl = 0;
    const uint8_t *hist;
    switch (tag) {
    case 0x4F:
        pgp_aid(st, aid);
        return ber_put(b, tag, aid, 16);
    case 0x5F52:
        hist = pgp_historical(&hl);
        return ber_put(b, tag, hist, hl);
    case 0x7F66:
        return ber_put(b, tag, ext_len_info, sizeof(ext_len_info));
    case 0xC0:
        return ber_put(b, tag, ext_caps, sizeof(ext_caps));
    case 0xC1:
    case 0xC2:
    case 0xC3:
        return ber_put(b, tag, st->key[tag - 0xC1].attr,
                       st->key[tag - 0xC1].attr_len);
    case 0xC4:
        return put_pw_status(st, b);
    case 0xC5:
    case 0xC6:
    case 0xCD:
    case 0xDE:
        return put_keys_field(st, tag, b);
    case 0x5B:
        return ber_put(b, tag, st->name, st->name_len);
    case 0x5F2D:
        return ber_put(b, tag, st->lang, st->lang_len);
    case 0x5F35:
        return ber_put_u8(b, tag, st->sex ? st->sex : 0x39);
    case 0x93:
        return put_counter(st, b);
    }
    b->failed = true;
    return false;
}

static bool put_template(const pgp_state *st, uint16_t tag, sfc_buf *b)
{
    switch (tag) {
    case 0x6E:
        return put_app_related(st, b);
    case 0x65:
        return put_cardholder(st, b);
    case 0x7A:
        return put_security_template(st, b);
    case 0x73:
        return put_discretionary(st, b);
    case 0xFA:
        return pgp_alg_put_info(b);
    }
    return put_simple(st, tag, b);
}

uint16_t pgp_do_put(sfc_card *card, const sfc_cmd *cmd, uint16_t tag,
                    bool tlv, sfc_buf *b)
{
    pgp_state *st = pgp_st(card, cmd);
    const pgp_blob *blob = blob_of(st, tag);
    if (blob) {
        uint16_t sw = priv_read_ok(card, cmd, tag);
        if (sw != SW_OK)
            return sw;
        return buf_put(b, blob->data, blob->len) ? SW_OK : SW_UNKNOWN;
    }
    sfc_buf t;
    buf_init(&t);
    ber_tlv d;
    uint16_t sw = SW_REF_NOT_FOUND;
    if (put_template(st, tag, &t))
        sw = ber_decode(t.data, t.len, &d) != SFC_OK ? SW_UNKNOWN
             : tlv ? (buf_put(b, t.data, t.len) ? SW_OK : SW_UNKNOWN)
                   : (buf_put(b, d.value, d.len) ? SW_OK : SW_UNKNOWN);
    buf_free(&t);
    return sw;
}

uint16_t pgp_get_data(sfc_card *card, const sfc_cmd *cmd, sfc_resp *resp)
{
    if (cmd->nc)
        return SW_WRONG_LENGTH;
    uint16_t tag = (uint16_t)(cmd->p1 << 8 | cmd->p2);
    sfc_buf b;
    buf_init(&b);
    /* Templates come whole, tag included, as the specification shows
     * them; simple DOs as their value. */
    bool tlv = tag == 0x6E || tag == 0x65 || tag == 0x73 || tag == 0x7A ||
               tag == 0x7F66 || tag == 0xFA;
    uint16_t sw = pgp_do_put(card, cmd, tag, tlv, &b);
    if (sw == SW_OK && !sfc_resp_put(resp, b.data, b.len))
        sw = SW_UNKNOWN;
    buf_free(&b);
    return sw;
}

/* GET NEXT DATA (CC 7F21): the next certificate occurrence, which stays
 * selected for GET DATA and PUT DATA. */
uint16_t pgp_get_next_data(sfc_card *card, const sfc_cmd *cmd,
                           sfc_resp *resp)
{
    if (cmd->p1 != 0x7F || cmd->p2 != 0x21)
        return SW_REF_NOT_FOUND;
    pgp_state *st = pgp_st(card, cmd);
    if (st->cert_sel >= 2)
        return SW_REF_NOT_FOUND;
    st->cert_sel++;
    return pgp_get_data(card, cmd, resp);
}
