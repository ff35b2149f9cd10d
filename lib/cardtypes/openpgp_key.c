/* SPDX-License-Identifier: LGPL-2.1-or-later */
/**
 * @file openpgp_key.c
 * @brief The OpenPGP card's three key slots: algorithm attributes (C1..C3),
 *        GENERATE ASYMMETRIC KEY PAIR (§7.2.14) and key import through an
 *        extended header list (§4.4.3.12).
 *
 * A slot is chosen by a control reference template: B6 signature, B8
 * decryption, A4 authentication. Generation (P1=80) needs PW3, replaces
 * the key, clears its fingerprint and time (the host writes them) and, for
 * the signature key, the signature counter; P1=81 reads the public key.
 * Both answer 7F49. Import: 4D { CRT, 7F48 (the components' tags 91..99
 * and lengths), 5F48 (their values, concatenated) } for the slot's
 * algorithm attributes. Changing a slot's attributes removes its key.
 */
#include "cardtypes/openpgp.h"

#include <string.h>

#include <openssl/evp.h>

#include "core/sw.h"
#include "core/tlv.h"

void pgp_attr_default(pgp_key *k)
{
    static const uint8_t rsa2048[6] = {0x01, 0x08, 0x00, 0x00, 0x20, 0x00};
    memcpy(k->attr, rsa2048, sizeof(rsa2048));
    k->attr_len = sizeof(rsa2048);
}

static bool alg_fits_slot(pgp_alg a, int slot)
{
    switch (a) {
    case PGP_ALG_RSA:
        return true;
    case PGP_ALG_ECDSA:
    case PGP_ALG_EDDSA:
        return slot != PGP_DEC;
    case PGP_ALG_ECDH:
    case PGP_ALG_X25519:
        return slot == PGP_DEC;
    case PGP_ALG_NONE:
        break;
    }
    return false;
}

static void drop_key(pgp_key *k)
{
    EVP_PKEY_free(k->pkey);
    k->pkey = NULL;
    k->origin = 0;
}

uint16_t pgp_set_attr(pgp_state *st, int slot, const uint8_t *p, size_t len)
{
    if (len < 2 || len > PGP_ATTR_MAX)
        return len ? SW_WRONG_DATA : SW_WRONG_LENGTH;
    if (!alg_fits_slot(pgp_attr_alg(p, len, NULL, NULL), slot))
        return SW_WRONG_DATA;
    pgp_key *k = &st->key[slot];
    if (k->attr_len != len || memcmp(k->attr, p, len) != 0)
        drop_key(k);
    memcpy(k->attr, p, len);
    k->attr_len = (uint8_t)len;
    return SW_OK;
}

bool pgp_key_install(pgp_state *st, int slot, EVP_PKEY *pkey, uint8_t origin)
{
    uint8_t attr[PGP_ATTR_MAX];
    size_t n = pgp_alg_attr_of(pkey, slot, attr);
    if (!n || !alg_fits_slot(pgp_attr_alg(attr, n, NULL, NULL), slot))
        return false;
    pgp_key *k = &st->key[slot];
    drop_key(k);
    memcpy(k->attr, attr, n);
    k->attr_len = (uint8_t)n;
    k->pkey = pkey;
    k->origin = origin;
    if (slot == PGP_SIG)
        st->sig_count = 0;
    return true;
}

/* The slot a CRT (B6/B8/A4, possibly with content) names, or -1. */
static int slot_of_crt(const uint8_t *p, size_t len)
{
    ber_tlv t;
    if (ber_decode(p, len, &t) != SFC_OK)
        return -1;
    return t.tag == 0xB6 ? PGP_SIG : t.tag == 0xB8 ? PGP_DEC
                                    : t.tag == 0xA4 ? PGP_AUT : -1;
}

static uint16_t answer_public(const pgp_key *k, sfc_resp *resp)
{
    sfc_buf b;
    buf_init(&b);
    uint16_t sw = pgp_alg_put_public(k->pkey, &b) &&
                          sfc_resp_put(resp, b.data, b.len)
                      ? SW_OK
                      : SW_UNKNOWN;
    buf_free(&b);
    return sw;
}

static uint16_t generate_into(pgp_state *st, int slot)
{
    pgp_key *k = &st->key[slot];
    EVP_PKEY *pk = pgp_alg_generate(k->attr, k->attr_len);
    if (!pk)
        return SW_UNKNOWN;
    drop_key(k);
    k->pkey = pk;
    k->origin = 0x01;
    memset(k->fpr, 0, 20);
    memset(k->time, 0, 4);
    if (slot == PGP_SIG)
        st->sig_count = 0;
    return SW_OK;
}

uint16_t pgp_generate(sfc_card *card, const sfc_cmd *cmd, sfc_resp *resp)
{
    if ((cmd->p1 != 0x80 && cmd->p1 != 0x81) || cmd->p2 != 0x00)
        return SW_WRONG_P1P2;
    int slot = slot_of_crt(cmd->data, cmd->nc);
    if (slot < 0)
        return cmd->nc ? SW_WRONG_DATA : SW_WRONG_LENGTH;
    pgp_state *st = pgp_st(card, cmd);
    if (cmd->p1 == 0x80) {
        if (!pgp_has(card, cmd, PGP_RIGHT_PW3))
            return SW_SECURITY_STATUS;
        uint16_t sw = generate_into(st, slot);
        if (sw != SW_OK)
            return sw;
        sfc_mark_dirty(card);
    } else if (!st->key[slot].pkey) {
        return SW_REF_NOT_FOUND;
    }
    return answer_public(&st->key[slot], resp);
}

/* ---- import --------------------------------------------------------------- */

/* One BER length (1..3 bytes) at p; 0 if malformed. */
static size_t read_len(const uint8_t *p, size_t left, size_t *len)
{
    if (left >= 1 && p[0] < 0x80) {
        *len = p[0];
        return 1;
    }
    if (left >= 2 && p[0] == 0x81) {
        *len = p[1];
        return 2;
    }
    if (left >= 3 && p[0] == 0x82) {
        *len = (size_t)p[1] << 8 | p[2];
        return 3;
    }
    return 0;
}

/* 7F48: tags 91..99 each with a length (no values); the values follow in
 * 5F48 in the same order. */
static bool split_components(const ber_tlv *hdr, const ber_tlv *data,
                             pgp_blob comp[9])
{
    size_t i = 0, off = 0;
    while (i < hdr->len) {
        uint8_t tag = hdr->value[i++];
        size_t len = 0, n = read_len(hdr->value + i, hdr->len - i, &len);
        if (tag < 0x91 || tag > 0x99 || n == 0 || comp[tag - 0x91].data ||
            len > data->len - off)
            return false;
        i += n;
        comp[tag - 0x91].data = (uint8_t *)(data->value + off);
        comp[tag - 0x91].len = len;
        off += len;
    }
    return off == data->len;
}

static uint16_t import_parts(const uint8_t *p, size_t len, int *slot,
                             pgp_blob comp[9])
{
    ber_tlv list, crt, hdr, data;
    if (ber_decode(p, len, &list) != SFC_OK || list.tag != 0x4D ||
        list.size != len)
        return SW_WRONG_DATA;
    ber_iter it;
    ber_iter_init(&it, list.value, list.len, false);
    if (ber_iter_next(&it, &crt) != SFC_OK ||
        ber_iter_next(&it, &hdr) != SFC_OK || hdr.tag != 0x7F48 ||
        ber_iter_next(&it, &data) != SFC_OK || data.tag != 0x5F48 ||
        ber_iter_next(&it, &list) != SFC_E_END)
        return SW_WRONG_DATA;
    *slot = slot_of_crt(crt.value - (crt.size - crt.len), crt.size);
    if (*slot < 0 || !split_components(&hdr, &data, comp))
        return SW_WRONG_DATA;
    return SW_OK;
}

uint16_t pgp_import(sfc_card *card, const sfc_cmd *cmd, const uint8_t *p,
                    size_t len)
{
    pgp_blob comp[9];
    memset(comp, 0, sizeof(comp));
    int slot = -1;
    uint16_t sw = import_parts(p, len, &slot, comp);
    if (sw != SW_OK)
        return sw;
    pgp_state *st = pgp_st(card, cmd);
    pgp_key *k = &st->key[slot];
    EVP_PKEY *pk = pgp_alg_import(k->attr, k->attr_len, comp);
    if (!pk)
        return SW_WRONG_DATA;
    uint8_t attr[PGP_ATTR_MAX];
    memcpy(attr, k->attr, k->attr_len);
    size_t attr_len = k->attr_len;
    if (!pgp_key_install(st, slot, pk, 0x02)) {
        EVP_PKEY_free(pk);
        return SW_WRONG_DATA;
    }
    /* Keep the host's attributes (its import format byte). */
    memcpy(k->attr, attr, attr_len);
    k->attr_len = (uint8_t)attr_len;
    return SW_OK;
}
