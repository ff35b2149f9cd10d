/* SPDX-License-Identifier: LGPL-2.1-or-later */
/**
 * @file openpgp_state.c
 * @brief The OpenPGP application's persistent state as card images keep
 *        it (the save/load hooks), and as create() hands a fresh card's
 *        personalisation to attach().
 *
 * Format: a sequence of BER-TLV objects with tags of this file's own
 * choosing (not the card's DO tags): 81..83 a password (tries left, then
 * the value), 84 PW1 validity, 85 serial, 86 terminated, 87 the MSE key
 * references, 93 signature counter (3 bytes), 5B/5F2D/5F35/5F50/5E the
 * cardholder data, URL and login, D1..D4 private DOs, C7..C9 the
 * certificates (7F21 occurrences 0..2), and per key slot A0..A2 {C1 attributes, C5 fingerprint,
 * C6 CA fingerprint, CD time, DE origin, 04 the private key, DER PKCS#8}.
 * Unknown tags are refused; load starts from factory defaults.
 */
#include "cardtypes/openpgp.h"

#include <string.h>

#include <openssl/evp.h>
#include <openssl/x509.h>

#include "core/errtext.h"
#include "core/tlv.h"

/* ---- save ------------------------------------------------------------------ */

static bool put_key_der(sfc_buf *b, const EVP_PKEY *k)
{
    uint8_t *der = NULL;
    int n = i2d_PrivateKey(k, &der);
    bool ok = n > 0 && ber_put(b, 0x04, der, (size_t)n);
    if (n > 0)
        OPENSSL_clear_free(der, (size_t)n);
    return ok;
}

static bool put_key(sfc_buf *b, const pgp_key *k, int slot)
{
    size_t m = ber_begin(b, 0xA0u + (uint32_t)slot);
    bool ok = ber_put(b, 0xC1, k->attr, k->attr_len) &&
              ber_put(b, 0xC5, k->fpr, 20) && ber_put(b, 0xC6, k->ca_fpr, 20) &&
              ber_put(b, 0xCD, k->time, 4) && ber_put_u8(b, 0xDE, k->origin);
    if (ok && k->pkey)
        ok = put_key_der(b, k->pkey);
    return ok && ber_end(b, m);
}

static bool put_pw(sfc_buf *b, const pgp_pw *pw, uint32_t tag)
{
    size_t m = ber_begin(b, tag);
    return buf_put_u8(b, pw->tries) && buf_put(b, pw->value, pw->len) &&
           ber_end(b, m);
}

static bool put_blobs(sfc_buf *b, const pgp_state *st)
{
    bool ok = ber_put(b, 0x5F50, st->url.data, st->url.len) &&
              ber_put(b, 0x5E, st->login.data, st->login.len);
    for (uint32_t i = 0; ok && i < 3; i++)
        ok = ber_put(b, 0xC7 + i, st->cert[i].data, st->cert[i].len);
    for (uint32_t i = 0; ok && i < 4; i++)
        ok = ber_put(b, 0xD1 + i, st->priv[i].data, st->priv[i].len);
    return ok;
}

static bool put_state(sfc_buf *b, const pgp_state *st)
{
    uint8_t cnt[3] = {(uint8_t)(st->sig_count >> 16),
                      (uint8_t)(st->sig_count >> 8), (uint8_t)st->sig_count};
    uint8_t refs[2] = {st->dec_ref, st->aut_ref};
    bool ok = true;
    for (uint32_t i = 0; ok && i < PGP_N_PW; i++)
        ok = put_pw(b, &st->pw[i], 0x81 + i);
    ok = ok && ber_put_u8(b, 0x84, st->pw1_multi) &&
         ber_put(b, 0x85, st->serial, 4) &&
         ber_put_u8(b, 0x86, st->terminated) && ber_put(b, 0x87, refs, 2) &&
         ber_put(b, 0x93, cnt, 3) && ber_put(b, 0x5B, st->name, st->name_len) &&
         ber_put(b, 0x5F2D, st->lang, st->lang_len) &&
         ber_put_u8(b, 0x5F35, st->sex) && put_blobs(b, st);
    for (int i = 0; ok && i < PGP_N_KEYS; i++)
        ok = put_key(b, &st->key[i], i);
    return ok;
}

size_t pgp_state_serialise(const pgp_state *st, sfc_buf *b)
{
    return put_state(b, st) && !b->failed ? b->len : (size_t)-1;
}

size_t pgp_save(const sfc_card *card, const sfc_app *app, uint8_t *out,
                size_t cap)
{
    (void)card;
    sfc_buf b;
    buf_init_fixed(&b, out, cap);
    return pgp_state_serialise(sfc_app_state(app), &b);
}

/* ---- load ------------------------------------------------------------------ */

static bool fixed(uint8_t *dst, size_t want, const ber_tlv *t)
{
    if (t->len != want)
        return false;
    memcpy(dst, t->value, want);
    return true;
}

static bool var(uint8_t *dst, uint8_t *len, size_t max, const ber_tlv *t)
{
    if (t->len > max)
        return false;
    memcpy(dst, t->value, t->len);
    *len = (uint8_t)t->len;
    return true;
}

static bool load_pkey(pgp_key *k, const ber_tlv *t)
{
    const uint8_t *p = t->value;
    EVP_PKEY *pk = d2i_AutoPrivateKey(NULL, &p, (long)t->len);
    if (!pk)
        return false;
    EVP_PKEY_free(k->pkey);
    k->pkey = pk;
    return true;
}

static bool key_item(pgp_key *k, const ber_tlv *t)
{
    switch (t->tag) {
    case 0xC1:
        return var(k->attr, &k->attr_len, PGP_ATTR_MAX, t);
    case 0xC5:
        return fixed(k->fpr, 20, t);
    case 0xC6:
        return fixed(k->ca_fpr, 20, t);
    case 0xCD:
        return fixed(k->time, 4, t);
    case 0xDE:
        return fixed(&k->origin, 1, t);
    case 0x04:
        return load_pkey(k, t);
    }
    return false;
}

static bool load_key(pgp_key *k, const ber_tlv *outer)
{
    ber_iter it;
    ber_tlv t;
    sfc_err rv;
    ber_iter_init(&it, outer->value, outer->len, false);
    while ((rv = ber_iter_next(&it, &t)) == SFC_OK)
        if (!key_item(k, &t))
            return false;
    return rv == SFC_E_END;
}

static bool load_pw(pgp_pw *pw, const ber_tlv *t)
{
    if (t->len < 1 || t->len > 1 + PGP_PW_MAX || t->value[0] > PGP_TRIES)
        return false;
    pw->tries = t->value[0];
    pw->len = (uint8_t)(t->len - 1);
    memcpy(pw->value, t->value + 1, pw->len);
    return true;
}

static bool load_counter(pgp_state *st, const ber_tlv *t)
{
    if (t->len != 3)
        return false;
    st->sig_count = (uint32_t)t->value[0] << 16 |
                    (uint32_t)t->value[1] << 8 | t->value[2];
    return true;
}

static bool load_refs(pgp_state *st, const ber_tlv *t)
{
    if (t->len != 2 || (t->value[0] != 2 && t->value[0] != 3) ||
        (t->value[1] != 2 && t->value[1] != 3))
        return false;
    st->dec_ref = t->value[0];
    st->aut_ref = t->value[1];
    return true;
}

static bool blob_item(pgp_blob *b, size_t max, const ber_tlv *t)
{
    return t->len <= max && pgp_blob_set(b, t->value, t->len);
}

static bool flag_item(bool *flag, const ber_tlv *t)
{
    if (t->len != 1 || t->value[0] > 1)
        return false;
    *flag = t->value[0] != 0;
    return true;
}

static bool state_item(pgp_state *st, const ber_tlv *t)
{
    if (t->tag >= 0x81 && t->tag <= 0x83)
        return load_pw(&st->pw[t->tag - 0x81], t);
    if (t->tag >= 0xA0 && t->tag <= 0xA2)
        return load_key(&st->key[t->tag - 0xA0], t);
    if (t->tag >= 0xC7 && t->tag <= 0xC9)
        return blob_item(&st->cert[t->tag - 0xC7], PGP_CERT_MAX, t);
    if (t->tag >= 0xD1 && t->tag <= 0xD4)
        return blob_item(&st->priv[t->tag - 0xD1], PGP_SPECIAL_DO_MAX, t);
    switch (t->tag) {
    case 0x84:
        return fixed(&st->pw1_multi, 1, t) && st->pw1_multi <= 1;
    case 0x85:
        return fixed(st->serial, 4, t);
    case 0x86:
        return flag_item(&st->terminated, t);
    case 0x87:
        return load_refs(st, t);
    case 0x93:
        return load_counter(st, t);
    case 0x5B:
        return var(st->name, &st->name_len, PGP_NAME_MAX, t);
    case 0x5F2D:
        return var(st->lang, &st->lang_len, PGP_LANG_MAX, t);
    case 0x5F35:
        return fixed(&st->sex, 1, t);
    case 0x5F50:
        return blob_item(&st->url, PGP_SPECIAL_DO_MAX, t);
    case 0x5E:
        return blob_item(&st->login, PGP_SPECIAL_DO_MAX, t);
    }
    return false;
}

sfc_err pgp_load(sfc_card *card, sfc_app *app, const uint8_t *data,
                 size_t len, char *err, size_t errlen)
{
    (void)card;
    pgp_state *st = sfc_app_state(app);
    pgp_defaults(st);
    ber_iter it;
    ber_tlv t;
    sfc_err rv;
    ber_iter_init(&it, data, len, false);
    while ((rv = ber_iter_next(&it, &t)) == SFC_OK)
        if (!state_item(st, &t)) {
            sfc_errf(err, errlen, "OpenPGP state: bad object %X", t.tag);
            return SFC_E_FORMAT;
        }
    if (rv != SFC_E_END) {
        sfc_errf(err, errlen, "OpenPGP state: malformed");
        return SFC_E_FORMAT;
    }
    return SFC_OK;
}
