/* SPDX-License-Identifier: LGPL-2.1-or-later */
/**
 * @file openpgp_import.c
 * @brief Private keys from the components of an extended header list
 *        (OpenPGP card 3.4 §4.4.3.12): RSA from e (91), p (92), q (93), the
 *        rest derived with OpenSSL's BIGNUM; ECC from the private scalar
 *        (92), the public point derived with OpenSSL's EC arithmetic;
 *        Ed25519/X25519 from the 32-byte secret.
 *
 * comp[i] holds the value of tag 0x91 + i (91..99); absent ones are empty.
 * Cv25519 secrets come as OpenPGP keeps them, a big-endian MPI: the
 * native (little-endian) X25519 key is their reverse.
 */
#include "cardtypes/openpgp.h"

#include <string.h>

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/objects.h>
#include <openssl/param_build.h>

static BIGNUM *bn_of(const pgp_blob *b)
{
    return b->len ? BN_bin2bn(b->data, (int)b->len, NULL) : NULL;
}

static EVP_PKEY *from_params(const char *type, OSSL_PARAM_BLD *bld)
{
    OSSL_PARAM *params = OSSL_PARAM_BLD_to_param(bld);
    EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new_from_name(NULL, type, NULL);
    EVP_PKEY *k = NULL;
    if (params && ctx && EVP_PKEY_fromdata_init(ctx) == 1)
        EVP_PKEY_fromdata(ctx, &k, EVP_PKEY_KEYPAIR, params);
    OSSL_PARAM_free(params);
    EVP_PKEY_CTX_free(ctx);
    return k;
}

/* n, d, dp, dq, qinv from e, p, q: d = e^-1 mod (p-1)(q-1). */
static bool rsa_derive(BIGNUM *v[8], BN_CTX *bc)
{
    BIGNUM *e = v[0], *p = v[1], *q = v[2];
    BIGNUM *p1 = BN_new(), *q1 = BN_new(), *phi = BN_new();
    bool ok = p1 && q1 && phi && (v[3] = BN_new()) && (v[4] = BN_new()) &&
              (v[5] = BN_new()) && (v[6] = BN_new()) &&
              BN_mul(v[3], p, q, bc) && BN_sub(p1, p, BN_value_one()) &&
              BN_sub(q1, q, BN_value_one()) && BN_mul(phi, p1, q1, bc) &&
              BN_mod_inverse(v[4], e, phi, bc) &&
              BN_mod(v[5], v[4], p1, bc) && BN_mod(v[6], v[4], q1, bc) &&
              (v[7] = BN_mod_inverse(NULL, q, p, bc)) != NULL;
    BN_free(p1);
    BN_free(q1);
    BN_free(phi);
    return ok;
}

static EVP_PKEY *rsa_import(const pgp_blob comp[9], unsigned bits)
{
    /* e p q n d dp dq qinv */
    BIGNUM *v[8] = {bn_of(&comp[0]), bn_of(&comp[1]), bn_of(&comp[2])};
    BN_CTX *bc = BN_CTX_new();
    OSSL_PARAM_BLD *bld = OSSL_PARAM_BLD_new();
    EVP_PKEY *k = NULL;
    static const char *names[8] = {
        OSSL_PKEY_PARAM_RSA_E,         OSSL_PKEY_PARAM_RSA_FACTOR1,
        OSSL_PKEY_PARAM_RSA_FACTOR2,   OSSL_PKEY_PARAM_RSA_N,
        OSSL_PKEY_PARAM_RSA_D,         OSSL_PKEY_PARAM_RSA_EXPONENT1,
        OSSL_PKEY_PARAM_RSA_EXPONENT2, OSSL_PKEY_PARAM_RSA_COEFFICIENT1};
    bool ok = bc && bld && v[0] && v[1] && v[2] && rsa_derive(v, bc) &&
              (unsigned)BN_num_bits(v[3]) == bits;
    for (int i = 0; ok && i < 8; i++)
        ok = OSSL_PARAM_BLD_push_BN(bld, names[i], v[i]) == 1;
    if (ok)
        k = from_params("RSA", bld);
    for (int i = 0; i < 8; i++)
        BN_clear_free(v[i]);
    BN_CTX_free(bc);
    OSSL_PARAM_BLD_free(bld);
    return k;
}

/* The uncompressed public point d*G on `group`. */
static size_t ec_public(const char *group, const BIGNUM *d, uint8_t *out,
                        size_t cap)
{
    EC_GROUP *g = EC_GROUP_new_by_curve_name(OBJ_sn2nid(group));
    EC_POINT *pt = g ? EC_POINT_new(g) : NULL;
    size_t n = 0;
    if (pt && EC_POINT_mul(g, pt, d, NULL, NULL, NULL) == 1)
        n = EC_POINT_point2oct(g, pt, POINT_CONVERSION_UNCOMPRESSED, out,
                               cap, NULL);
    EC_POINT_free(pt);
    EC_GROUP_free(g);
    return n;
}

static EVP_PKEY *ec_import(const pgp_blob *scalar, const char *group)
{
    BIGNUM *d = bn_of(scalar);
    OSSL_PARAM_BLD *bld = OSSL_PARAM_BLD_new();
    uint8_t pub[160];
    size_t n = d ? ec_public(group, d, pub, sizeof(pub)) : 0;
    EVP_PKEY *k = NULL;
    if (bld && n &&
        OSSL_PARAM_BLD_push_utf8_string(bld, OSSL_PKEY_PARAM_GROUP_NAME,
                                        group, 0) == 1 &&
        OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_PRIV_KEY, d) == 1 &&
        OSSL_PARAM_BLD_push_octet_string(bld, OSSL_PKEY_PARAM_PUB_KEY, pub,
                                         n) == 1)
        k = from_params("EC", bld);
    BN_clear_free(d);
    OSSL_PARAM_BLD_free(bld);
    return k;
}

/* A 32-byte secret, left-padded; reversed for X25519 (big-endian MPI). */
static EVP_PKEY *raw_import(const pgp_blob *s, pgp_alg alg)
{
    uint8_t raw[32] = {0};
    if (s->len == 0 || s->len > sizeof(raw))
        return NULL;
    memcpy(raw + sizeof(raw) - s->len, s->data, s->len);
    if (alg == PGP_ALG_X25519)
        for (size_t i = 0; i < 16; i++) {
            uint8_t t = raw[i];
            raw[i] = raw[31 - i];
            raw[31 - i] = t;
        }
    int type = alg == PGP_ALG_X25519 ? EVP_PKEY_X25519 : EVP_PKEY_ED25519;
    EVP_PKEY *k = EVP_PKEY_new_raw_private_key(type, NULL, raw, sizeof(raw));
    sfc_wipe(raw, sizeof(raw));
    return k;
}

EVP_PKEY *pgp_alg_import(const uint8_t *attr, size_t attr_len,
                         const pgp_blob comp[9])
{
    unsigned bits = 0;
    const char *group = NULL;
    pgp_alg alg = pgp_attr_alg(attr, attr_len, &bits, &group);
    switch (alg) {
    case PGP_ALG_RSA:
        return rsa_import(comp, bits);
    case PGP_ALG_ECDSA:
    case PGP_ALG_ECDH:
        return ec_import(&comp[1], group);
    case PGP_ALG_EDDSA:
    case PGP_ALG_X25519:
        return raw_import(&comp[1], alg);
    case PGP_ALG_NONE:
        break;
    }
    return NULL;
}
