/* SPDX-License-Identifier: LGPL-2.1-or-later */
/**
 * @file openpgp_alg.c
 * @brief The algorithms of the OpenPGP card through OpenSSL 3 EVP: RSA
 *        2048..4096, ECDSA/ECDH on NIST P-256/P-384/P-521 and brainpool
 *        P256r1/P384r1/P512r1, EdDSA Ed25519 and ECDH X25519 (Cv25519).
 *
 * Algorithm attributes (OpenPGP card 3.4 §4.4.3.10): RSA is 01, the modulus
 * bits (2 bytes), the exponent bits (2 bytes, 0020), the import format;
 * ECC is the algorithm (12 ECDH, 13 ECDSA, 16 EdDSA), the curve's OID
 * without tag and length, optionally an import-format byte (FF: public key
 * included). Signatures are PKCS#1 v1.5 of the DigestInfo the host sends,
 * ECDSA r||s of the hash, EdDSA of the data; decryption is PKCS#1 v1.5 or
 * ECDH returning the shared secret (x-coordinate, or X25519's 32 bytes).
 */
#include "cardtypes/openpgp.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/obj_mac.h>
#include <openssl/param_build.h>
#include <openssl/rsa.h>

#include "core/tlv.h"
#include "crypto/pkey.h"

typedef struct pgp_curve {
    const char *group;  /* OpenSSL's name */
    const uint8_t *oid;
    uint8_t oid_len;
} pgp_curve;

static const uint8_t oid_p256[] = {0x2A, 0x86, 0x48, 0xCE, 0x3D, 0x03, 0x01,
                                   0x07};
static const uint8_t oid_p384[] = {0x2B, 0x81, 0x04, 0x00, 0x22};
static const uint8_t oid_p521[] = {0x2B, 0x81, 0x04, 0x00, 0x23};
static const uint8_t oid_bp256[] = {0x2B, 0x24, 0x03, 0x03, 0x02,
                                    0x08, 0x01, 0x01, 0x07};
static const uint8_t oid_bp384[] = {0x2B, 0x24, 0x03, 0x03, 0x02,
                                    0x08, 0x01, 0x01, 0x0B};
static const uint8_t oid_bp512[] = {0x2B, 0x24, 0x03, 0x03, 0x02,
                                    0x08, 0x01, 0x01, 0x0D};
static const uint8_t oid_ed25519[] = {0x2B, 0x06, 0x01, 0x04, 0x01,
                                      0xDA, 0x47, 0x0F, 0x01};
static const uint8_t oid_cv25519[] = {0x2B, 0x06, 0x01, 0x04, 0x01,
                                      0x97, 0x55, 0x01, 0x05, 0x01};

#define CURVE(g, o) {g, o, sizeof(o)}
static const pgp_curve curves[] = {
    CURVE("prime256v1", oid_p256),     CURVE("secp384r1", oid_p384),
    CURVE("secp521r1", oid_p521),      CURVE("brainpoolP256r1", oid_bp256),
    CURVE("brainpoolP384r1", oid_bp384), CURVE("brainpoolP512r1", oid_bp512),
    CURVE("ED25519", oid_ed25519),     CURVE("X25519", oid_cv25519),
};
#define N_CURVES (sizeof(curves) / sizeof(curves[0]))

static const pgp_curve *curve_by_oid(const uint8_t *oid, size_t len)
{
    for (size_t i = 0; i < N_CURVES; i++) {
        size_t n = curves[i].oid_len;
        /* The OID, optionally followed by the import-format byte. */
        if ((len == n || (len == n + 1 && (oid[n] == 0x00 || oid[n] == 0xFF))) &&
            memcmp(oid, curves[i].oid, n) == 0)
            return &curves[i];
    }
    return NULL;
}

static const pgp_curve *curve_by_group(const char *group)
{
    for (size_t i = 0; group && i < N_CURVES; i++)
        if (strcasecmp(group, curves[i].group) == 0)
            return &curves[i];
    return NULL;
}

static pgp_alg rsa_attr(const uint8_t *attr, size_t len, unsigned *bits)
{
    if (len < 5 || len > 6)
        return PGP_ALG_NONE;
    unsigned n = sfc_get_u16be(attr + 1), e = sfc_get_u16be(attr + 3);
    if (n < 2048 || n > 4096 || n % 8 || e < 17 || e > 32)
        return PGP_ALG_NONE;
    if (len == 6 && attr[5] > 0x03)
        return PGP_ALG_NONE;
    if (bits)
        *bits = n;
    return PGP_ALG_RSA;
}

static pgp_alg ecc_kind(uint8_t id, const pgp_curve *c)
{
    bool ed = strcmp(c->group, "ED25519") == 0;
    bool x = strcmp(c->group, "X25519") == 0;
    if (id == 0x16)
        return ed ? PGP_ALG_EDDSA : PGP_ALG_NONE;
    if (id == 0x12)
        return x ? PGP_ALG_X25519 : ed ? PGP_ALG_NONE : PGP_ALG_ECDH;
    if (id == 0x13)
        return ed || x ? PGP_ALG_NONE : PGP_ALG_ECDSA;
    return PGP_ALG_NONE;
}

pgp_alg pgp_attr_alg(const uint8_t *attr, size_t len, unsigned *rsa_bits,
                     const char **group)
{
    if (len < 2)
        return PGP_ALG_NONE;
    if (attr[0] == 0x01)
        return rsa_attr(attr, len, rsa_bits);
    const pgp_curve *c = curve_by_oid(attr + 1, len - 1);
    if (!c)
        return PGP_ALG_NONE;
    if (group)
        *group = c->group;
    return ecc_kind(attr[0], c);
}

struct evp_pkey_st *pgp_alg_generate(const uint8_t *attr, size_t len)
{
    unsigned bits = 0;
    const char *group = NULL;
    switch (pgp_attr_alg(attr, len, &bits, &group)) {
    case PGP_ALG_RSA:
        return sfc_pkey_generate(&(sfc_keyspec){.type = "RSA", .bits = bits});
    case PGP_ALG_ECDSA:
    case PGP_ALG_ECDH:
        return sfc_pkey_generate(&(sfc_keyspec){.type = "EC", .group = group});
    case PGP_ALG_EDDSA:
    case PGP_ALG_X25519:
        return sfc_pkey_generate(&(sfc_keyspec){.type = group});
    case PGP_ALG_NONE:
        break;
    }
    return NULL;
}

/* The curve of a key (NULL for RSA and unknown curves). */
static const pgp_curve *curve_of(const EVP_PKEY *k)
{
    if (EVP_PKEY_is_a(k, "ED25519"))
        return curve_by_group("ED25519");
    if (EVP_PKEY_is_a(k, "X25519"))
        return curve_by_group("X25519");
    char name[64];
    if (!EVP_PKEY_is_a(k, "EC") ||
        EVP_PKEY_get_group_name(k, name, sizeof(name), NULL) != 1)
        return NULL;
    return curve_by_group(name);
}

bool pgp_alg_matches(const uint8_t *attr, size_t len, const EVP_PKEY *k)
{
    unsigned bits = 0;
    const char *group = NULL;
    pgp_alg a = pgp_attr_alg(attr, len, &bits, &group);
    if (a == PGP_ALG_RSA)
        return EVP_PKEY_is_a(k, "RSA") && (unsigned)EVP_PKEY_get_bits(k) == bits;
    const pgp_curve *c = curve_of(k);
    return a != PGP_ALG_NONE && c && strcmp(c->group, group) == 0;
}

size_t pgp_alg_attr_of(const EVP_PKEY *k, int slot, uint8_t out[PGP_ATTR_MAX])
{
    if (EVP_PKEY_is_a(k, "RSA")) {
        int bits = EVP_PKEY_get_bits(k);
        if (bits < 2048 || bits > 4096 || bits % 8)
            return 0;
        out[0] = 0x01;
        sfc_put_u16be(out + 1, (uint16_t)bits);
        sfc_put_u16be(out + 3, 0x0020);
        out[5] = 0x00;
        return 6;
    }
    const pgp_curve *c = curve_of(k);
    if (!c)
        return 0;
    if (EVP_PKEY_is_a(k, "ED25519"))
        out[0] = 0x16;
    else if (EVP_PKEY_is_a(k, "X25519") || slot == PGP_DEC)
        out[0] = 0x12;
    else
        out[0] = 0x13;
    memcpy(out + 1, c->oid, c->oid_len);
    return 1u + c->oid_len;
}

static bool put_bn_param(const EVP_PKEY *k, const char *name, uint32_t tag,
                         sfc_buf *out)
{
    BIGNUM *bn = NULL;
    if (EVP_PKEY_get_bn_param(k, name, &bn) != 1)
        return false;
    int n = BN_num_bytes(bn);
    uint8_t *tmp = malloc(n > 0 ? (size_t)n : 1);
    bool ok = tmp && BN_bn2bin(bn, tmp) == n &&
              ber_put(out, tag, tmp, (size_t)n);
    free(tmp);
    BN_free(bn);
    return ok;
}

static bool put_point(const EVP_PKEY *k, sfc_buf *out)
{
    uint8_t pt[160];
    size_t n = 0;
    if (EVP_PKEY_is_a(k, "EC")) {
        if (EVP_PKEY_get_octet_string_param(k, OSSL_PKEY_PARAM_PUB_KEY, pt,
                                            sizeof(pt), &n) != 1)
            return false;
    } else {
        n = sizeof(pt);
        if (EVP_PKEY_get_raw_public_key(k, pt, &n) != 1)
            return false;
    }
    return ber_put(out, 0x86, pt, n);
}

bool pgp_alg_put_public(const EVP_PKEY *k, sfc_buf *out)
{
    size_t m = ber_begin(out, 0x7F49);
    bool ok = EVP_PKEY_is_a(k, "RSA")
                  ? put_bn_param(k, OSSL_PKEY_PARAM_RSA_N, 0x81, out) &&
                        put_bn_param(k, OSSL_PKEY_PARAM_RSA_E, 0x82, out)
                  : put_point(k, out);
    return ok && ber_end(out, m);
}

/* ---- private-key operations ---------------------------------------------- */

static EVP_PKEY_CTX *ctx_of(const EVP_PKEY *k)
{
    return EVP_PKEY_CTX_new_from_pkey(NULL, (EVP_PKEY *)k, NULL);
}

/* Run a one-shot EVP operation into `out`. */
typedef int (*evp_op)(EVP_PKEY_CTX *, unsigned char *, size_t *,
                      const unsigned char *, size_t);

static bool run_op(EVP_PKEY_CTX *ctx, evp_op op, const uint8_t *in,
                   size_t len, sfc_buf *out)
{
    size_t n = 0;
    if (op(ctx, NULL, &n, in, len) != 1 || !buf_reserve(out, n))
        return false;
    uint8_t *dst = out->data + out->len;
    if (op(ctx, dst, &n, in, len) != 1)
        return false;
    out->len += n;
    return true;
}

static bool rsa_sign(const EVP_PKEY *k, const uint8_t *in, size_t len,
                     sfc_buf *out)
{
    EVP_PKEY_CTX *ctx = ctx_of(k);
    bool ok = ctx && EVP_PKEY_sign_init(ctx) == 1 &&
              EVP_PKEY_CTX_set_rsa_padding(ctx, RSA_PKCS1_PADDING) == 1 &&
              run_op(ctx, EVP_PKEY_sign, in, len, out);
    EVP_PKEY_CTX_free(ctx);
    return ok;
}

static bool plain_sig(const uint8_t *der, size_t len, size_t half,
                      sfc_buf *out)
{
    const uint8_t *p = der;
    ECDSA_SIG *s = d2i_ECDSA_SIG(NULL, &p, (long)len);
    if (!s)
        return false;
    uint8_t rs[2 * 66];
    bool ok = half <= 66 &&
              BN_bn2binpad(ECDSA_SIG_get0_r(s), rs, (int)half) == (int)half &&
              BN_bn2binpad(ECDSA_SIG_get0_s(s), rs + half, (int)half) ==
                  (int)half &&
              buf_put(out, rs, 2 * half);
    ECDSA_SIG_free(s);
    return ok;
}

static bool ecdsa_sign(const EVP_PKEY *k, const uint8_t *in, size_t len,
                       sfc_buf *out)
{
    sfc_buf der;
    buf_init(&der);
    EVP_PKEY_CTX *ctx = ctx_of(k);
    size_t half = ((size_t)EVP_PKEY_get_bits(k) + 7) / 8;
    bool ok = ctx && EVP_PKEY_sign_init(ctx) == 1 &&
              run_op(ctx, EVP_PKEY_sign, in, len, &der) &&
              plain_sig(der.data, der.len, half, out);
    EVP_PKEY_CTX_free(ctx);
    buf_free(&der);
    return ok;
}

static bool eddsa_sign(const EVP_PKEY *k, const uint8_t *in, size_t len,
                       sfc_buf *out)
{
    EVP_MD_CTX *md = EVP_MD_CTX_new();
    uint8_t sig[64];
    size_t n = sizeof(sig);
    bool ok = md &&
              EVP_DigestSignInit_ex(md, NULL, NULL, NULL, NULL,
                                    (EVP_PKEY *)k, NULL) == 1 &&
              EVP_DigestSign(md, sig, &n, in, len) == 1 &&
              buf_put(out, sig, n);
    EVP_MD_CTX_free(md);
    return ok;
}

bool pgp_alg_sign(const EVP_PKEY *k, const uint8_t *in, size_t len,
                  sfc_buf *out)
{
    if (EVP_PKEY_is_a(k, "RSA"))
        return rsa_sign(k, in, len, out);
    if (EVP_PKEY_is_a(k, "ED25519"))
        return eddsa_sign(k, in, len, out);
    if (EVP_PKEY_is_a(k, "EC"))
        return ecdsa_sign(k, in, len, out);
    return false;
}

bool pgp_alg_decrypt(const EVP_PKEY *k, const uint8_t *in, size_t len,
                     sfc_buf *out)
{
    if (!EVP_PKEY_is_a(k, "RSA"))
        return false;
    EVP_PKEY_CTX *ctx = ctx_of(k);
    bool ok = ctx && EVP_PKEY_decrypt_init(ctx) == 1 &&
              EVP_PKEY_CTX_set_rsa_padding(ctx, RSA_PKCS1_PADDING) == 1 &&
              run_op(ctx, EVP_PKEY_decrypt, in, len, out);
    EVP_PKEY_CTX_free(ctx);
    return ok;
}

/* The peer's public key on the curve of `k`. */
static EVP_PKEY *peer_of(const EVP_PKEY *k, const uint8_t *point, size_t len)
{
    if (EVP_PKEY_is_a(k, "X25519"))
        return EVP_PKEY_new_raw_public_key(EVP_PKEY_X25519, NULL, point, len);
    const pgp_curve *c = curve_of(k);
    if (!c || !EVP_PKEY_is_a(k, "EC"))
        return NULL;
    OSSL_PARAM_BLD *bld = OSSL_PARAM_BLD_new();
    OSSL_PARAM *params = NULL;
    EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new_from_name(NULL, "EC", NULL);
    EVP_PKEY *peer = NULL;
    if (bld && ctx &&
        OSSL_PARAM_BLD_push_utf8_string(bld, OSSL_PKEY_PARAM_GROUP_NAME,
                                        c->group, 0) == 1 &&
        OSSL_PARAM_BLD_push_octet_string(bld, OSSL_PKEY_PARAM_PUB_KEY, point,
                                         len) == 1 &&
        (params = OSSL_PARAM_BLD_to_param(bld)) != NULL &&
        EVP_PKEY_fromdata_init(ctx) == 1)
        EVP_PKEY_fromdata(ctx, &peer, EVP_PKEY_PUBLIC_KEY, params);
    OSSL_PARAM_free(params);
    OSSL_PARAM_BLD_free(bld);
    EVP_PKEY_CTX_free(ctx);
    return peer;
}

bool pgp_alg_ecdh(const EVP_PKEY *k, const uint8_t *point, size_t len,
                  sfc_buf *out)
{
    EVP_PKEY *peer = peer_of(k, point, len);
    if (!peer)
        return false;
    EVP_PKEY_CTX *ctx = ctx_of(k);
    size_t n = 0;
    bool ok = ctx && EVP_PKEY_derive_init(ctx) == 1 &&
              EVP_PKEY_derive_set_peer(ctx, peer) == 1 &&
              EVP_PKEY_derive(ctx, NULL, &n) == 1 && buf_reserve(out, n) &&
              EVP_PKEY_derive(ctx, out->data + out->len, &n) == 1;
    if (ok)
        out->len += n;
    EVP_PKEY_CTX_free(ctx);
    EVP_PKEY_free(peer);
    return ok;
}

/* ---- algorithm information (FA) ------------------------------------------- */

static bool put_rsa_sizes(uint32_t tag, sfc_buf *out)
{
    static const uint16_t sizes[] = {2048, 3072, 4096};
    bool ok = true;
    for (size_t i = 0; ok && i < sizeof(sizes) / sizeof(sizes[0]); i++) {
        uint8_t a[6] = {0x01, (uint8_t)(sizes[i] >> 8), (uint8_t)sizes[i],
                        0x00, 0x20, 0x00};
        ok = ber_put(out, tag, a, sizeof(a));
    }
    return ok;
}

/* The curves of a slot: ECDSA and EdDSA sign, ECDH and X25519 decrypt. */
static bool put_curves(uint32_t tag, bool dec, sfc_buf *out)
{
    bool ok = true;
    for (size_t i = 0; ok && i < N_CURVES; i++) {
        uint8_t a[PGP_ATTR_MAX];
        bool ed = strcmp(curves[i].group, "ED25519") == 0;
        bool x = strcmp(curves[i].group, "X25519") == 0;
        if ((dec && ed) || (!dec && x))
            continue;
        a[0] = dec ? 0x12 : ed ? 0x16 : 0x13;
        memcpy(a + 1, curves[i].oid, curves[i].oid_len);
        ok = ber_put(out, tag, a, 1u + curves[i].oid_len);
    }
    return ok;
}

bool pgp_alg_put_info(sfc_buf *out)
{
    size_t m = ber_begin(out, 0xFA);
    bool ok = true;
    for (uint32_t tag = 0xC1; ok && tag <= 0xC3; tag++)
        ok = put_rsa_sizes(tag, out) && put_curves(tag, tag == 0xC2, out);
    return ok && ber_end(out, m);
}
