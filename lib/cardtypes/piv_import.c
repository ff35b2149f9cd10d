/* SPDX-License-Identifier: LGPL-2.1-or-later */
/**
 * @file piv_import.c
 * @brief Yubico's IMPORT KEY (FE): a private key into a slot.
 *
 *   00 FE alg slot  RSA: 01 p, 02 q, 03 dP, 04 dQ, 05 qInv
 *                   EC:  06 private scalar
 *                   then [AA pin policy] [AB touch policy]
 * (one-byte tags with BER lengths, as yubico-piv-tool writes them). The
 * public exponent is 65537, as on a YubiKey. The key is assembled with
 * OpenSSL (EVP_PKEY_fromdata) and checked (EVP_PKEY_check); a key that
 * does not check, or whose size or curve is not the algorithm's, answers
 * 6A80. Needs the management key.
 */
#include "cardtypes/piv.h"

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/obj_mac.h>
#include <openssl/param_build.h>
#include <string.h>

#include "core/sw.h"
#include "core/tlv.h"

typedef struct imp_items {
    ber_tlv t[7]; /* 01..06 */
    bool has[7];
    uint8_t pin, touch;
} imp_items;

static bool parse_items(const sfc_cmd *cmd, imp_items *it)
{
    ber_iter i;
    ber_tlv e;
    sfc_err rv;
    memset(it, 0, sizeof(*it));
    ber_iter_init(&i, cmd->data, cmd->nc, false);
    while ((rv = ber_iter_next(&i, &e)) == SFC_OK) {
        if ((e.tag == 0xAA || e.tag == 0xAB) && e.len == 1 &&
            e.value[0] <= 3) {
            *(e.tag == 0xAA ? &it->pin : &it->touch) = e.value[0];
            continue;
        }
        if (e.tag < 1 || e.tag > 6 || it->has[e.tag])
            return false;
        it->has[e.tag] = true;
        it->t[e.tag] = e;
    }
    return rv == SFC_E_END;
}

static EVP_PKEY *from_params(const char *type, OSSL_PARAM_BLD *bld)
{
    OSSL_PARAM *params = OSSL_PARAM_BLD_to_param(bld);
    EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new_from_name(NULL, type, NULL);
    EVP_PKEY *pkey = NULL;
    if (!params || !ctx || EVP_PKEY_fromdata_init(ctx) != 1 ||
        EVP_PKEY_fromdata(ctx, &pkey, EVP_PKEY_KEYPAIR, params) != 1)
        pkey = NULL;
    EVP_PKEY_CTX_free(ctx);
    OSSL_PARAM_free(params);
    if (pkey) {
        EVP_PKEY_CTX *chk = EVP_PKEY_CTX_new_from_pkey(NULL, pkey, NULL);
        if (!chk || EVP_PKEY_check(chk) != 1) {
            EVP_PKEY_free(pkey);
            pkey = NULL;
        }
        EVP_PKEY_CTX_free(chk);
    }
    return pkey;
}

static BIGNUM *bn_of(const ber_tlv *t, BN_CTX *bc)
{
    BIGNUM *b = BN_CTX_get(bc);
    return b && BN_bin2bn(t->value, (int)t->len, b) ? b : NULL;
}

/* n = pq, d = e^-1 mod (p-1)(q-1); the CRT values as given. */
static bool rsa_params(OSSL_PARAM_BLD *bld, const imp_items *it, BN_CTX *bc)
{
    BIGNUM *p = bn_of(&it->t[1], bc), *q = bn_of(&it->t[2], bc);
    BIGNUM *dp = bn_of(&it->t[3], bc), *dq = bn_of(&it->t[4], bc);
    BIGNUM *qi = bn_of(&it->t[5], bc), *n = BN_CTX_get(bc);
    BIGNUM *e = BN_CTX_get(bc), *d = BN_CTX_get(bc), *phi = BN_CTX_get(bc);
    BIGNUM *p1 = BN_CTX_get(bc), *q1 = BN_CTX_get(bc);
    return p && q && dp && dq && qi && q1 && BN_set_word(e, 65537) &&
           BN_mul(n, p, q, bc) && BN_sub(p1, p, BN_value_one()) &&
           BN_sub(q1, q, BN_value_one()) && BN_mul(phi, p1, q1, bc) &&
           BN_mod_inverse(d, e, phi, bc) &&
           OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_N, n) &&
           OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_E, e) &&
           OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_D, d) &&
           OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_FACTOR1, p) &&
           OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_FACTOR2, q) &&
           OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_EXPONENT1, dp) &&
           OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_EXPONENT2, dq) &&
           OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_COEFFICIENT1, qi);
}

/* The public point d*G, uncompressed, into `pub` (at most 97 bytes). */
static size_t ec_public(int nid, const BIGNUM *d, uint8_t *pub, size_t cap,
                        BN_CTX *bc)
{
    EC_GROUP *g = EC_GROUP_new_by_curve_name(nid);
    EC_POINT *pt = g ? EC_POINT_new(g) : NULL;
    size_t n = 0;
    if (pt && EC_POINT_mul(g, pt, d, NULL, NULL, bc) == 1)
        n = EC_POINT_point2oct(g, pt, POINT_CONVERSION_UNCOMPRESSED, pub,
                               cap, bc);
    EC_POINT_free(pt);
    EC_GROUP_free(g);
    return n;
}

static bool ec_params(OSSL_PARAM_BLD *bld, const imp_items *it, uint8_t alg,
                      BN_CTX *bc, uint8_t *pub, size_t cap)
{
    bool p256 = alg == PIV_ALG_ECCP256;
    BIGNUM *d = bn_of(&it->t[6], bc);
    size_t n = d ? ec_public(p256 ? NID_X9_62_prime256v1 : NID_secp384r1, d,
                             pub, cap, bc)
                 : 0;
    return n && OSSL_PARAM_BLD_push_utf8_string(
                    bld, OSSL_PKEY_PARAM_GROUP_NAME,
                    p256 ? "prime256v1" : "secp384r1", 0) &&
           OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_PRIV_KEY, d) &&
           OSSL_PARAM_BLD_push_octet_string(bld, OSSL_PKEY_PARAM_PUB_KEY,
                                            pub, n);
}

/* The items the algorithm needs, of the algorithm's sizes. */
static bool items_fit(uint8_t alg, const imp_items *it)
{
    size_t half = alg == PIV_ALG_RSA2048   ? 128
                  : alg == PIV_ALG_RSA3072 ? 192
                  : alg == PIV_ALG_RSA4096 ? 256
                                           : 0;
    if (half) {
        for (int k = 1; k <= 5; k++)
            if (!it->has[k] || it->t[k].len == 0 || it->t[k].len > half)
                return false;
        return !it->has[6];
    }
    size_t fb = alg == PIV_ALG_ECCP256 ? 32 : alg == PIV_ALG_ECCP384 ? 48 : 0;
    for (int k = 1; k <= 5; k++)
        if (it->has[k])
            return false;
    return fb && it->has[6] && it->t[6].len == fb;
}

static EVP_PKEY *build_key(uint8_t alg, const imp_items *it)
{
    OSSL_PARAM_BLD *bld = OSSL_PARAM_BLD_new();
    BN_CTX *bc = BN_CTX_secure_new();
    uint8_t pub[100];
    EVP_PKEY *pkey = NULL;
    bool rsa = !it->has[6];
    if (bld && bc) {
        BN_CTX_start(bc);
        bool ok = rsa ? rsa_params(bld, it, bc)
                      : ec_params(bld, it, alg, bc, pub, sizeof(pub));
        pkey = ok ? from_params(rsa ? "RSA" : "EC", bld) : NULL;
        BN_CTX_end(bc);
    }
    BN_CTX_free(bc);
    OSSL_PARAM_BLD_free(bld);
    return pkey;
}

uint16_t piv_import_key(sfc_card *card, const sfc_cmd *cmd, sfc_resp *resp)
{
    imp_items it;
    piv_slot *slot = piv_slot_of(piv_state_of(card, cmd), cmd->p2);
    (void)resp;
    if (!slot)
        return SW_WRONG_P1P2;
    uint16_t sw = piv_need_mgm(card, cmd);
    if (sw != SW_OK)
        return sw;
    if (!parse_items(cmd, &it) || !items_fit(cmd->p1, &it))
        return SW_WRONG_DATA;
    EVP_PKEY *pkey = build_key(cmd->p1, &it);
    if (!pkey || piv_alg_of_pkey(pkey) != cmd->p1) {
        EVP_PKEY_free(pkey);
        return SW_WRONG_DATA;
    }
    piv_slot_set(slot, pkey, cmd->p1, it.pin, it.touch, PIV_ORIGIN_IMPORTED);
    return SW_OK;
}
