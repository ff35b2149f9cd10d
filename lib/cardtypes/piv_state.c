/* SPDX-License-Identifier: LGPL-2.1-or-later */
/**
 * @file piv_state.c
 * @brief What a PIV card image keeps of the application's state: PIN, PUK
 *        and their counters, the management key, the serial number and the
 *        asymmetric keys with their policies.
 *
 * Format (BER-TLV, written and read here only):
 *   01 PIN (8, FF-padded)  02 PUK (8)  03 PIN tries, PIN max, PUK tries,
 *   PUK max  04 management algorithm || key  05 serial (4)
 *   61 {80 slot, 81 alg || PIN policy || touch policy || origin,
 *       82 private key (DER, as OpenSSL writes it)}   per key
 * load() refuses anything save() would not have written: a missing item,
 * a wrong length, a counter above its maximum, a key that does not parse
 * or does not match its algorithm.
 */
#include "cardtypes/piv.h"

#include <openssl/evp.h>
#include <openssl/x509.h>
#include <stdlib.h>
#include <string.h>

#include "core/errtext.h"
#include "core/tlv.h"

static bool put_slot(sfc_buf *b, const piv_slot *s, uint8_t ref)
{
    uint8_t attrs[4] = {s->alg, s->pin_policy, s->touch_policy, s->origin};
    unsigned char *der = NULL;
    int n = i2d_PrivateKey(s->pkey, &der);
    if (n <= 0)
        return false;
    size_t mark = ber_begin(b, 0x61);
    ber_put_u8(b, 0x80, ref);
    ber_put(b, 0x81, attrs, sizeof(attrs));
    ber_put(b, 0x82, der, (size_t)n);
    OPENSSL_clear_free(der, (size_t)n);
    return ber_end(b, mark);
}

size_t piv_save(const sfc_card *card, const sfc_app *app, uint8_t *out,
                size_t cap)
{
    const piv_state *st = sfc_app_state(app);
    uint8_t counters[4] = {st->pin_tries, st->pin_max, st->puk_tries,
                           st->puk_max};
    uint8_t mgm[33] = {st->mgm_alg};
    sfc_buf b;
    (void)card;
    memcpy(mgm + 1, st->mgm_key, st->mgm_len);
    buf_init_fixed(&b, out, cap);
    bool ok = ber_put(&b, 0x01, st->pin, PIV_PIN_SIZE) &&
              ber_put(&b, 0x02, st->puk, PIV_PIN_SIZE) &&
              ber_put(&b, 0x03, counters, sizeof(counters)) &&
              ber_put(&b, 0x04, mgm, 1u + st->mgm_len) &&
              ber_put(&b, 0x05, st->serial, sizeof(st->serial));
    sfc_wipe(mgm, sizeof(mgm));
    for (size_t i = 0; ok && i < PIV_NSLOTS; i++)
        if (st->slots[i].pkey)
            ok = put_slot(&b, &st->slots[i], piv_slot_ref(i));
    return ok && !b.failed ? b.len : (size_t)-1;
}

/* ---- load ------------------------------------------------------------------ */

static sfc_err bad(char *err, size_t errlen, const char *what)
{
    sfc_errf(err, errlen, "piv state: %s", what);
    return SFC_E_FORMAT;
}

static sfc_err load_slot(piv_state *st, const ber_tlv *t, char *err,
                         size_t errlen)
{
    ber_tlv ref, attrs, key;
    if (ber_find(t->value, t->len, 0x80, &ref) != SFC_OK || ref.len != 1 ||
        ber_find(t->value, t->len, 0x81, &attrs) != SFC_OK ||
        attrs.len != 4 ||
        ber_find(t->value, t->len, 0x82, &key) != SFC_OK)
        return bad(err, errlen, "a key without its slot or attributes");
    piv_slot *slot = piv_slot_of(st, ref.value[0]);
    const unsigned char *p = key.value;
    EVP_PKEY *pkey = slot ? d2i_AutoPrivateKey(NULL, &p, (long)key.len)
                          : NULL;
    if (!pkey || piv_alg_of_pkey(pkey) != attrs.value[0]) {
        EVP_PKEY_free(pkey);
        return bad(err, errlen, "a key that does not parse or fit its slot");
    }
    piv_slot_set(slot, pkey, attrs.value[0], attrs.value[1], attrs.value[2],
                 attrs.value[3]);
    return SFC_OK;
}

static bool counters_ok(const uint8_t c[4])
{
    return c[1] >= 1 && c[1] <= 15 && c[0] <= c[1] && c[3] >= 1 &&
           c[3] <= 15 && c[2] <= c[3];
}

static bool item_ok(const ber_tlv *t)
{
    static const size_t want[] = {0, PIV_PIN_SIZE, PIV_PIN_SIZE, 4, 0, 4};
    if (t->tag < 1 || t->tag > 5)
        return false;
    if (t->tag == 4)
        return t->len >= 1 && piv_mgm_key_len(t->value[0]) == t->len - 1;
    return t->len == want[t->tag] && (t->tag != 3 || counters_ok(t->value));
}

static void apply_item(piv_state *st, const ber_tlv *t)
{
    const uint8_t *v = t->value;
    switch (t->tag) {
    case 1: memcpy(st->pin, v, PIV_PIN_SIZE); break;
    case 2: memcpy(st->puk, v, PIV_PIN_SIZE); break;
    case 3:
        st->pin_tries = v[0], st->pin_max = v[1];
        st->puk_tries = v[2], st->puk_max = v[3];
        break;
    case 4:
        st->mgm_alg = v[0];
        st->mgm_len = (uint8_t)(t->len - 1);
        memcpy(st->mgm_key, v + 1, st->mgm_len);
        break;
    default: memcpy(st->serial, v, 4); break;
    }
}

static sfc_err load_item(piv_state *st, const ber_tlv *t, unsigned *seen,
                         char *err, size_t errlen)
{
    if (t->tag == 0x61)
        return load_slot(st, t, err, errlen);
    if (!item_ok(t))
        return bad(err, errlen, "an unknown item, or one of a wrong length "
                   "or value");
    *seen |= 1u << t->tag;
    apply_item(st, t);
    return SFC_OK;
}

sfc_err piv_load(sfc_card *card, sfc_app *app, const uint8_t *data,
                 size_t len, char *err, size_t errlen)
{
    piv_state *st = sfc_app_state(app);
    ber_iter it;
    ber_tlv t;
    unsigned seen = 0;
    sfc_err rv;
    (void)card;
    ber_iter_init(&it, data, len, false);
    while ((rv = ber_iter_next(&it, &t)) == SFC_OK)
        if ((rv = load_item(st, &t, &seen, err, errlen)) != SFC_OK)
            return rv;
    if (rv != SFC_E_END)
        return bad(err, errlen, "malformed BER-TLV");
    return seen == 0x3E ? SFC_OK : bad(err, errlen, "an item is missing");
}

void piv_state_free(sfc_card *card, sfc_app *app)
{
    piv_state *st = sfc_app_state(app);
    (void)card;
    for (size_t i = 0; i < PIV_NSLOTS; i++)
        piv_slot_clear(&st->slots[i]);
    sfc_wipe(st, sizeof(*st));
}
