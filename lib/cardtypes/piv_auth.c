/* SPDX-License-Identifier: LGPL-2.1-or-later */
/**
 * @file piv_auth.c
 * @brief GENERAL AUTHENTICATE (87): the management key 9B (3DES, AES-128,
 *        -192, -256) and the asymmetric keys (signature, RSA decryption,
 *        ECDH).
 *
 * The command data are one dynamic authentication template 7C holding
 * 80 witness, 81 challenge, 82 response, 85 exponentiation; P1 is the
 * algorithm, which must be the key's (else 6A80), P2 the key reference.
 *
 * Management key (block cipher in ECB, block b = 8 or 16 bytes):
 *   7C{80 00}            -> 7C{80 E(W)}  the card keeps the witness W
 *   7C{80 W', 81 C}      -> 7C{82 E(C)}  if W' = W: authenticated (mutual)
 *   7C{81 00}            -> 7C{81 C}     the card keeps the challenge C
 *                                        (P1 may be 00 here: OpenSC's
 *                                        GET CHALLENGE)
 *   7C{82 R}             -> 9000         if R = E(C): authenticated (external)
 * A witness or challenge is used once; a mismatch answers 6982. The card
 * never encrypts a value of the client's choosing without a witness proof,
 * so it is no encryption oracle.
 *
 * Asymmetric keys (the key's PIN policy applies: 9E needs no PIN, 9C needs
 * a VERIFY right before each operation, the others a verified PIN):
 *   7C{82 00, 81 data}   RSA: the raw private-key operation on a block of
 *                        the modulus size (the client pads: PKCS#1 v1.5 or
 *                        PSS signing, or decryption); EC: ECDSA over the
 *                        given digest -> 7C{82 DER signature}
 *   7C{82 00, 85 point}  ECDH with an uncompressed point -> 7C{82 x}
 */
#include "cardtypes/piv.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <string.h>

#include "core/sw.h"
#include "core/tlv.h"
#include "crypto/pkey.h"
#include "crypto/sym.h"

typedef struct ga_items {
    const uint8_t *v[6]; /* index: tag - 0x80 (80, 81, 82, 85 used) */
    size_t len[6];
    bool has[6];
} ga_items;

size_t piv_mgm_key_len(uint8_t alg)
{
    switch (alg) {
    case PIV_ALG_3DES: return 24;
    case PIV_ALG_AES128: return 16;
    case PIV_ALG_AES192: return 24;
    case PIV_ALG_AES256: return 32;
    default: return 0;
    }
}

/* 7C{...} covering all of the data, each of 80 81 82 85 at most once. */
static bool parse_ga(const sfc_cmd *cmd, ga_items *it)
{
    ber_tlv t, e;
    ber_iter i;
    sfc_err rv;
    memset(it, 0, sizeof(*it));
    if (ber_decode(cmd->data, cmd->nc, &t) != SFC_OK || t.tag != 0x7C ||
        t.size != cmd->nc)
        return false;
    ber_iter_init(&i, t.value, t.len, false);
    while ((rv = ber_iter_next(&i, &e)) == SFC_OK) {
        size_t k = e.tag - 0x80u;
        if (e.tag < 0x80 || e.tag > 0x85 || e.tag == 0x83 ||
            e.tag == 0x84 || it->has[k])
            return false;
        it->has[k] = true;
        it->v[k] = e.value;
        it->len[k] = e.len;
    }
    return rv == SFC_E_END;
}

static bool put_item(sfc_resp *resp, uint32_t tag, const uint8_t *v,
                     size_t len)
{
    size_t mark = ber_begin(&resp->data, 0x7C);
    ber_put(&resp->data, tag, v, len);
    return ber_end(&resp->data, mark);
}

/* ---- the management key ---------------------------------------------------- */

static sfc_cipher_alg mgm_cipher(const piv_state *st)
{
    return st->mgm_alg == PIV_ALG_3DES ? SFC_CIPHER_DES3 : SFC_CIPHER_AES;
}

static bool mgm_crypt(const piv_state *st, bool enc, const uint8_t *in,
                      uint8_t *out)
{
    return sfc_cipher(mgm_cipher(st), SFC_MODE_ECB, enc, st->mgm_key,
                      st->mgm_len, NULL, in,
                      sfc_cipher_block(mgm_cipher(st)), out) == SFC_OK;
}

/* 7C{80 00} or 7C{81 00}: a fresh witness (sent encrypted) or challenge. */
static uint16_t mgm_fresh(sfc_card *card, piv_state *st, bool witness,
                          size_t bs, sfc_resp *resp)
{
    uint8_t *mem = witness ? st->witness : st->challenge;
    uint8_t out[16];
    st->witness_len = st->challenge_len = 0;
    if (sfc_card_random(card, mem, bs) != SFC_OK)
        return SW_UNKNOWN;
    if (witness && !mgm_crypt(st, true, mem, out))
        return SW_UNKNOWN;
    *(witness ? &st->witness_len : &st->challenge_len) = (uint8_t)bs;
    return put_item(resp, witness ? 0x80 : 0x81, witness ? out : mem, bs)
               ? SW_OK
               : SW_UNKNOWN;
}

/* 7C{80 W', 81 C}: mutual authentication. */
static uint16_t mgm_mutual(sfc_card *card, sfc_app *app, piv_state *st,
                           const ga_items *it, sfc_resp *resp)
{
    uint8_t out[16];
    size_t bs = it->len[0];
    bool ok = st->witness_len == bs &&
              CRYPTO_memcmp(st->witness, it->v[0], bs) == 0;
    st->witness_len = 0;
    if (!ok)
        return SW_SECURITY_STATUS;
    if (!mgm_crypt(st, true, it->v[1], out))
        return SW_UNKNOWN;
    sfc_right_grant(card, app, PIV_RIGHT_MGM, 0);
    return put_item(resp, 0x82, out, bs) ? SW_OK : SW_UNKNOWN;
}

/* 7C{82 R}: external authentication against the kept challenge. */
static uint16_t mgm_external(sfc_card *card, sfc_app *app, piv_state *st,
                             const ga_items *it)
{
    uint8_t want[16];
    size_t bs = it->len[2];
    bool ok = st->challenge_len == bs && mgm_crypt(st, true, st->challenge,
                                                   want) &&
              CRYPTO_memcmp(want, it->v[2], bs) == 0;
    st->challenge_len = 0;
    if (!ok)
        return SW_SECURITY_STATUS;
    sfc_right_grant(card, app, PIV_RIGHT_MGM, 0);
    return SW_OK;
}

static uint16_t ga_mgm(sfc_card *card, const sfc_cmd *cmd, sfc_resp *resp,
                       const ga_items *it)
{
    sfc_app *app = piv_app_of(card, cmd);
    piv_state *st = sfc_app_state(app);
    size_t bs = sfc_cipher_block(mgm_cipher(st));
    bool w = it->has[0], c = it->has[1], r = it->has[2];
    /* a challenge is random data: OpenSC asks for it with P1 = 00 as its
     * GET CHALLENGE */
    if (!w && c && !r && it->len[1] == 0 &&
        (cmd->p1 == st->mgm_alg || cmd->p1 == 0x00))
        return mgm_fresh(card, st, false, bs, resp);
    if (cmd->p1 != st->mgm_alg)
        return SW_WRONG_DATA;
    if (w && !c && !r && it->len[0] == 0)
        return mgm_fresh(card, st, true, bs, resp);
    if (w && c && !r && it->len[0] == bs && it->len[1] == bs)
        return mgm_mutual(card, app, st, it, resp);
    if (!w && !c && r && it->len[2] == bs)
        return mgm_external(card, app, st, it);
    return SW_WRONG_DATA;
}

/* ---- asymmetric keys ------------------------------------------------------ */

/* The PIN the slot's policy asks for; a "PIN always" right is used up. */
static uint16_t pin_gate(sfc_card *card, sfc_app *app, const piv_slot *s,
                         uint8_t ref)
{
    switch (piv_effective_policy(s, ref)) {
    case PIV_POLICY_NEVER: return SW_OK;
    case PIV_POLICY_ALWAYS:
        if (!sfc_right_has(card, app, PIV_RIGHT_PIN_ONCE))
            return SW_SECURITY_STATUS;
        sfc_right_revoke(card, app, PIV_RIGHT_PIN_ONCE);
        return SW_OK;
    default:
        return sfc_right_has(card, app, PIV_RIGHT_PIN) ? SW_OK
                                                       : SW_SECURITY_STATUS;
    }
}

/* ECDSA over a digest, DER output (what PIV answers). */
static bool ecdsa_der(EVP_PKEY *k, const uint8_t *dgst, size_t len,
                      sfc_buf *out)
{
    EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new_from_pkey(NULL, k, NULL);
    size_t n = 0;
    bool ok = ctx && EVP_PKEY_sign_init(ctx) == 1 &&
              EVP_PKEY_sign(ctx, NULL, &n, dgst, len) == 1 &&
              buf_reserve(out, n) &&
              EVP_PKEY_sign(ctx, out->data + out->len, &n, dgst, len) == 1;
    if (ok)
        out->len += n;
    EVP_PKEY_CTX_free(ctx);
    return ok;
}

static uint16_t private_op(EVP_PKEY *k, const ga_items *it, sfc_buf *out)
{
    if (it->has[5]) { /* 85: ECDH */
        if (sfc_pkey_is_rsa(k))
            return SW_WRONG_DATA;
        return sfc_pkey_ecdh(k, it->v[5], it->len[5], out) == SFC_OK
                   ? SW_OK
                   : SW_WRONG_DATA;
    }
    if (sfc_pkey_is_rsa(k)) {
        if (it->len[1] != sfc_pkey_bits(k) / 8)
            return SW_WRONG_DATA;
        return sfc_pkey_decrypt(k, SFC_DEC_RSA_RAW, SFC_HASH_SHA256,
                                it->v[1], it->len[1], out) == SFC_OK
                   ? SW_OK
                   : SW_WRONG_DATA;
    }
    if (it->len[1] == 0 || it->len[1] > SFC_HASH_MAX)
        return SW_WRONG_DATA;
    return ecdsa_der(k, it->v[1], it->len[1], out) ? SW_OK : SW_WRONG_DATA;
}

static uint16_t ga_private(sfc_card *card, const sfc_cmd *cmd,
                           sfc_resp *resp, const ga_items *it)
{
    sfc_app *app = piv_app_of(card, cmd);
    piv_slot *s = piv_slot_of(sfc_app_state(app), cmd->p2);
    if (!s || cmd->p2 == PIV_KEY_ATTEST)
        return SW_REF_NOT_FOUND;
    if (!it->has[2] || it->len[2] != 0 || it->has[0] ||
        it->has[1] == it->has[5])
        return SW_WRONG_DATA;
    if (!s->pkey || cmd->p1 != s->alg)
        return SW_WRONG_DATA;
    uint16_t sw = pin_gate(card, app, s, cmd->p2);
    sfc_buf out;
    buf_init(&out);
    if (sw == SW_OK)
        sw = private_op(s->pkey, it, &out);
    if (sw == SW_OK && !put_item(resp, 0x82, out.data, out.len))
        sw = SW_UNKNOWN;
    sfc_wipe(out.data, out.len);
    buf_free(&out);
    return sw;
}

uint16_t piv_general_auth(sfc_card *card, const sfc_cmd *cmd,
                          sfc_resp *resp)
{
    ga_items it;
    if (!parse_ga(cmd, &it))
        return SW_WRONG_DATA;
    if (cmd->p2 == PIV_KEY_MGM)
        return ga_mgm(card, cmd, resp, &it);
    return ga_private(card, cmd, resp, &it);
}
