/* SPDX-License-Identifier: LGPL-2.1-or-later */
/**
 * @file pkey.c
 * @brief Asymmetric keys through OpenSSL 3's EVP_PKEY: generation, PEM,
 *        public-key templates, signatures, RSA encryption and ECDH.
 *
 * Only the algorithms the card offers are accepted: RSA with a 2048..4096-bit
 * modulus and EC keys on P-256, P-384, brainpoolP256r1 and brainpoolP384r1.
 * ECDSA signatures travel as r || s with each half as long as the field (the
 * card format ISO/IEC 7816-8 and TR-03111 use), and are converted to and
 * from DER here. Nothing in this file implements a primitive by hand.
 */
#include "crypto/pkey.h"

#include <stdlib.h>
#include <string.h>

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/param_build.h>
#include <openssl/pem.h>
#include <openssl/rsa.h>

#include "core/tlv.h"

#define RSA_MIN_BITS 2048u
#define RSA_MAX_BITS 4096u

typedef struct curve_name {
    sfc_curve curve;
    const char *name; /* OpenSSL group name */
    size_t field_bytes;
} curve_name;

static const curve_name curves[] = {
    {SFC_CURVE_P256, "prime256v1", 32},
    {SFC_CURVE_P384, "secp384r1", 48},
    {SFC_CURVE_BP256R1, "brainpoolP256r1", 32},
    {SFC_CURVE_BP384R1, "brainpoolP384r1", 48},
};

static const curve_name *curve_info(sfc_curve c)
{
    for (size_t i = 0; i < sizeof(curves) / sizeof(curves[0]); i++)
        if (curves[i].curve == c)
            return &curves[i];
    return NULL;
}

/* ---- generation and inspection ------------------------------------------ */

static sfc_pkey_source key_source = sfc_pkey_generate_openssl;
static void *key_source_ctx;

void sfc_pkey_set_source(sfc_pkey_source fn, void *ctx)
{
    key_source = fn ? fn : sfc_pkey_generate_openssl;
    key_source_ctx = fn ? ctx : NULL;
}

sfc_pkey *sfc_pkey_generate(const sfc_keyspec *spec)
{
    return key_source(spec, key_source_ctx);
}

static EVP_PKEY *rsa_generate(unsigned bits, unsigned long e)
{
    EVP_PKEY *k = NULL;
    EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new_from_name(NULL, "RSA", NULL);
    BIGNUM *bn_e = BN_new();
    if (ctx && bn_e && BN_set_word(bn_e, e ? e : RSA_F4) == 1 &&
        EVP_PKEY_keygen_init(ctx) == 1 &&
        EVP_PKEY_CTX_set_rsa_keygen_bits(ctx, (int)bits) == 1 &&
        EVP_PKEY_CTX_set1_rsa_keygen_pubexp(ctx, bn_e) == 1)
        EVP_PKEY_keygen(ctx, &k);
    BN_free(bn_e);
    EVP_PKEY_CTX_free(ctx);
    return k;
}

sfc_pkey *sfc_pkey_generate_openssl(const sfc_keyspec *spec, void *ctx)
{
    (void)ctx;
    if (strcmp(spec->type, "RSA") == 0)
        return rsa_generate(spec->bits, spec->rsa_e);
    if (strcmp(spec->type, "EC") == 0)
        return spec->group ? EVP_PKEY_Q_keygen(NULL, NULL, "EC", spec->group)
                           : NULL;
    return EVP_PKEY_Q_keygen(NULL, NULL, spec->type);
}

sfc_err sfc_pkey_generate_rsa(unsigned bits, sfc_pkey **out)
{
    if (bits < RSA_MIN_BITS || bits > RSA_MAX_BITS || bits % 8)
        return SFC_E_RANGE;
    *out = sfc_pkey_generate(&(sfc_keyspec){.type = "RSA", .bits = bits});
    return *out ? SFC_OK : SFC_E_IO;
}

sfc_err sfc_pkey_generate_ec(sfc_curve curve, sfc_pkey **out)
{
    const curve_name *c = curve_info(curve);
    if (!c)
        return SFC_E_INVAL;
    *out = sfc_pkey_generate(&(sfc_keyspec){.type = "EC", .group = c->name});
    return *out ? SFC_OK : SFC_E_IO;
}

void sfc_pkey_free(sfc_pkey *k)
{
    EVP_PKEY_free(k);
}

bool sfc_pkey_is_rsa(const sfc_pkey *k)
{
    return EVP_PKEY_is_a(k, "RSA");
}

sfc_curve sfc_pkey_curve(const sfc_pkey *k)
{
    char name[64];
    if (!EVP_PKEY_is_a(k, "EC") ||
        !EVP_PKEY_get_utf8_string_param(k, OSSL_PKEY_PARAM_GROUP_NAME, name,
                                        sizeof(name), NULL))
        return SFC_CURVE_NONE;
    for (size_t i = 0; i < sizeof(curves) / sizeof(curves[0]); i++)
        if (strcmp(curves[i].name, name) == 0)
            return curves[i].curve;
    return SFC_CURVE_NONE;
}

unsigned sfc_pkey_bits(const sfc_pkey *k)
{
    int bits = EVP_PKEY_get_bits(k);
    return bits > 0 ? (unsigned)bits : 0;
}

bool sfc_pkey_has_private(const sfc_pkey *k)
{
    BIGNUM *bn = NULL;
    const char *name = sfc_pkey_is_rsa(k) ? OSSL_PKEY_PARAM_RSA_D
                                         : OSSL_PKEY_PARAM_PRIV_KEY;
    bool has = EVP_PKEY_get_bn_param(k, name, &bn) == 1;
    BN_clear_free(bn);
    return has;
}

static bool acceptable(const sfc_pkey *k)
{
    if (sfc_pkey_is_rsa(k)) {
        unsigned bits = sfc_pkey_bits(k);
        return bits >= RSA_MIN_BITS && bits <= RSA_MAX_BITS;
    }
    return sfc_pkey_curve(k) != SFC_CURVE_NONE;
}

/* ---- PEM ---------------------------------------------------------------- */

sfc_err sfc_pkey_to_pem(const sfc_pkey *k, bool include_private, char **pem)
{
    *pem = NULL;
    BIO *bio = BIO_new(BIO_s_mem());
    if (!bio)
        return SFC_E_NOMEM;
    bool priv = include_private && sfc_pkey_has_private(k);
    int ok = priv ? PEM_write_bio_PrivateKey(bio, k, NULL, NULL, 0, NULL, NULL)
                  : PEM_write_bio_PUBKEY(bio, k);
    char *data = NULL;
    long len = ok ? BIO_get_mem_data(bio, &data) : 0;
    sfc_err rv = SFC_E_IO;
    if (ok && len > 0 && (*pem = malloc((size_t)len + 1)) != NULL) {
        memcpy(*pem, data, (size_t)len);
        (*pem)[len] = '\0';
        rv = SFC_OK;
    }
    if (data && len > 0)
        OPENSSL_cleanse(data, (size_t)len);
    BIO_free(bio);
    return rv;
}

/* Never ask for a password: an encrypted PEM is simply refused. */
static int no_password(char *buf, int size, int rwflag, void *user)
{
    (void)buf;
    (void)size;
    (void)rwflag;
    (void)user;
    return -1;
}

sfc_err sfc_pkey_from_pem(const char *pem, size_t len, sfc_pkey **out)
{
    *out = NULL;
    if (len > INT32_MAX)
        return SFC_E_RANGE;
    BIO *bio = BIO_new_mem_buf(pem, (int)len);
    if (!bio)
        return SFC_E_NOMEM;
    sfc_pkey *k = PEM_read_bio_PrivateKey(bio, NULL, no_password, NULL);
    if (!k) {
        BIO_free(bio);
        if (!(bio = BIO_new_mem_buf(pem, (int)len)))
            return SFC_E_NOMEM;
        k = PEM_read_bio_PUBKEY(bio, NULL, no_password, NULL);
    }
    BIO_free(bio);
    if (!k)
        return SFC_E_FORMAT;
    if (!acceptable(k)) {
        EVP_PKEY_free(k);
        return SFC_E_UNSUPPORTED;
    }
    *out = k;
    return SFC_OK;
}

/* ---- public-key template ------------------------------------------------- */

static bool put_bn(sfc_buf *out, uint32_t tag, const sfc_pkey *k,
                   const char *param)
{
    BIGNUM *bn = NULL;
    if (EVP_PKEY_get_bn_param(k, param, &bn) != 1)
        return false;
    int n = BN_num_bytes(bn);
    bool ok = false;
    uint8_t *v = malloc(n > 0 ? (size_t)n : 1);
    if (v && BN_bn2bin(bn, v) == n)
        ok = ber_put(out, tag, v, (size_t)n);
    free(v);
    BN_free(bn);
    return ok;
}

static bool put_point(sfc_buf *out, uint32_t tag, const sfc_pkey *k)
{
    uint8_t point[1 + 2 * 66];
    size_t len = 0;
    if (EVP_PKEY_get_octet_string_param(k, OSSL_PKEY_PARAM_ENCODED_PUBLIC_KEY,
                                        point, sizeof(point), &len) != 1)
        return false;
    return ber_put(out, tag, point, len);
}

bool sfc_pkey_put_7f49(const sfc_pkey *k, sfc_buf *out)
{
    size_t mark = ber_begin(out, 0x7F49);
    bool ok = sfc_pkey_is_rsa(k)
                  ? put_bn(out, 0x81, k, OSSL_PKEY_PARAM_RSA_N) &&
                        put_bn(out, 0x82, k, OSSL_PKEY_PARAM_RSA_E)
                  : put_point(out, 0x86, k);
    if (!ok)
        out->failed = true;
    return ber_end(out, mark);
}

/* ---- building public keys ------------------------------------------------ */

static sfc_err from_params(const char *type, OSSL_PARAM_BLD *bld,
                          sfc_pkey **out)
{
    OSSL_PARAM *params = OSSL_PARAM_BLD_to_param(bld);
    EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new_from_name(NULL, type, NULL);
    sfc_err rv = SFC_E_FORMAT;
    *out = NULL;
    if (params && ctx && EVP_PKEY_fromdata_init(ctx) == 1 &&
        EVP_PKEY_fromdata(ctx, out, EVP_PKEY_PUBLIC_KEY, params) == 1)
        rv = SFC_OK;
    EVP_PKEY_CTX_free(ctx);
    OSSL_PARAM_free(params);
    return rv;
}

sfc_err sfc_pkey_from_rsa_public(const uint8_t *n, size_t nlen, const uint8_t *e,
                               size_t elen, sfc_pkey **out)
{
    *out = NULL;
    if (nlen == 0 || elen == 0 || nlen > 1024 || elen > 64)
        return SFC_E_RANGE;
    BIGNUM *bn_n = BN_bin2bn(n, (int)nlen, NULL);
    BIGNUM *bn_e = BN_bin2bn(e, (int)elen, NULL);
    OSSL_PARAM_BLD *bld = OSSL_PARAM_BLD_new();
    sfc_err rv = SFC_E_NOMEM;
    if (bn_n && bn_e && bld &&
        OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_N, bn_n) == 1 &&
        OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_E, bn_e) == 1)
        rv = from_params("RSA", bld, out);
    OSSL_PARAM_BLD_free(bld);
    BN_free(bn_n);
    BN_free(bn_e);
    if (rv == SFC_OK && !acceptable(*out)) {
        EVP_PKEY_free(*out);
        *out = NULL;
        rv = SFC_E_UNSUPPORTED;
    }
    return rv;
}

sfc_err sfc_pkey_from_ec_public(sfc_curve curve, const uint8_t *point,
                              size_t len, sfc_pkey **out)
{
    *out = NULL;
    const curve_name *c = curve_info(curve);
    if (!c)
        return SFC_E_INVAL;
    if (len != 1 + 2 * c->field_bytes || point[0] != 0x04)
        return SFC_E_FORMAT;
    OSSL_PARAM_BLD *bld = OSSL_PARAM_BLD_new();
    sfc_err rv = SFC_E_NOMEM;
    if (bld &&
        OSSL_PARAM_BLD_push_utf8_string(bld, OSSL_PKEY_PARAM_GROUP_NAME,
                                        c->name, 0) == 1 &&
        OSSL_PARAM_BLD_push_octet_string(bld, OSSL_PKEY_PARAM_PUB_KEY, point,
                                         len) == 1)
        rv = from_params("EC", bld, out);
    OSSL_PARAM_BLD_free(bld);
    return rv;
}

/* ---- signatures ---------------------------------------------------------- */

static const EVP_MD *md_of(sfc_hash_alg hash)
{
    return EVP_get_digestbyname(sfc_hash_name(hash));
}

static EVP_PKEY_CTX *sign_ctx(const sfc_pkey *k, sfc_sig_scheme scheme,
                              sfc_hash_alg hash, bool verify)
{
    EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new_from_pkey(NULL, (EVP_PKEY *)k, NULL);
    if (!ctx)
        return NULL;
    bool ok = (verify ? EVP_PKEY_verify_init(ctx) : EVP_PKEY_sign_init(ctx)) == 1;
    switch (scheme) {
    case SFC_SIG_RSA_PKCS1:
        ok = ok && EVP_PKEY_CTX_set_rsa_padding(ctx, RSA_PKCS1_PADDING) == 1 &&
             EVP_PKEY_CTX_set_signature_md(ctx, md_of(hash)) == 1;
        break;
    case SFC_SIG_RSA_PKCS1_RAW:
        ok = ok && EVP_PKEY_CTX_set_rsa_padding(ctx, RSA_PKCS1_PADDING) == 1;
        break;
    case SFC_SIG_RSA_PSS:
        ok = ok && EVP_PKEY_CTX_set_rsa_padding(ctx, RSA_PKCS1_PSS_PADDING) == 1 &&
             EVP_PKEY_CTX_set_signature_md(ctx, md_of(hash)) == 1 &&
             EVP_PKEY_CTX_set_rsa_mgf1_md(ctx, md_of(hash)) == 1 &&
             EVP_PKEY_CTX_set_rsa_pss_saltlen(ctx, RSA_PSS_SALTLEN_DIGEST) == 1;
        break;
    case SFC_SIG_RSA_RAW:
        ok = ok && EVP_PKEY_CTX_set_rsa_padding(ctx, RSA_NO_PADDING) == 1;
        break;
    case SFC_SIG_ECDSA:
        break;
    }
    if (!ok) {
        EVP_PKEY_CTX_free(ctx);
        return NULL;
    }
    return ctx;
}

static bool scheme_fits(const sfc_pkey *k, sfc_sig_scheme scheme)
{
    return (scheme == SFC_SIG_ECDSA) == !sfc_pkey_is_rsa(k);
}

static size_t field_bytes(const sfc_pkey *k)
{
    const curve_name *c = curve_info(sfc_pkey_curve(k));
    return c ? c->field_bytes : 0;
}

/* DER ECDSA-Sig-Value -> r || s, each `half` bytes. */
static bool ecdsa_der_to_plain(const uint8_t *der, size_t len, size_t half,
                               sfc_buf *out)
{
    const uint8_t *p = der;
    ECDSA_SIG *sig = d2i_ECDSA_SIG(NULL, &p, (long)len);
    bool ok = false;
    if (sig && buf_reserve(out, 2 * half)) {
        uint8_t *dst = out->data + out->len;
        ok = BN_bn2binpad(ECDSA_SIG_get0_r(sig), dst, (int)half) == (int)half &&
             BN_bn2binpad(ECDSA_SIG_get0_s(sig), dst + half, (int)half) ==
                 (int)half;
        if (ok)
            out->len += 2 * half;
    }
    ECDSA_SIG_free(sig);
    return ok;
}

/* r || s -> DER, in a malloc'd buffer. */
static uint8_t *ecdsa_plain_to_der(const uint8_t *sig, size_t len,
                                   size_t *der_len)
{
    ECDSA_SIG *s = ECDSA_SIG_new();
    BIGNUM *r = BN_bin2bn(sig, (int)(len / 2), NULL);
    BIGNUM *t = BN_bin2bn(sig + len / 2, (int)(len / 2), NULL);
    uint8_t *der = NULL;
    if (s && r && t && ECDSA_SIG_set0(s, r, t) == 1) {
        r = t = NULL; /* owned by s now */
        int n = i2d_ECDSA_SIG(s, &der);
        *der_len = n > 0 ? (size_t)n : 0;
        if (n <= 0)
            der = NULL;
    }
    BN_free(r);
    BN_free(t);
    ECDSA_SIG_free(s);
    return der;
}

sfc_err sfc_pkey_sign(const sfc_pkey *k, sfc_sig_scheme scheme, sfc_hash_alg hash,
                    const uint8_t *in, size_t len, sfc_buf *out)
{
    if (!scheme_fits(k, scheme) || !sfc_pkey_has_private(k))
        return SFC_E_INVAL;
    EVP_PKEY_CTX *ctx = sign_ctx(k, scheme, hash, false);
    if (!ctx)
        return SFC_E_IO;
    size_t siglen = 0;
    sfc_err rv = SFC_E_FORMAT;
    uint8_t *sig = NULL;
    if (EVP_PKEY_sign(ctx, NULL, &siglen, in, len) == 1 &&
        (sig = malloc(siglen)) != NULL &&
        EVP_PKEY_sign(ctx, sig, &siglen, in, len) == 1) {
        bool ok = scheme == SFC_SIG_ECDSA
                      ? ecdsa_der_to_plain(sig, siglen, field_bytes(k), out)
                      : buf_put(out, sig, siglen);
        rv = ok ? SFC_OK : SFC_E_RANGE;
    }
    free(sig);
    EVP_PKEY_CTX_free(ctx);
    return rv;
}

sfc_err sfc_pkey_verify(const sfc_pkey *k, sfc_sig_scheme scheme,
                      sfc_hash_alg hash, const uint8_t *in, size_t len,
                      const uint8_t *sig, size_t siglen)
{
    if (!scheme_fits(k, scheme))
        return SFC_E_INVAL;
    uint8_t *der = NULL;
    if (scheme == SFC_SIG_ECDSA) {
        if (siglen != 2 * field_bytes(k))
            return SFC_E_CHECKSUM;
        der = ecdsa_plain_to_der(sig, siglen, &siglen);
        if (!der)
            return SFC_E_CHECKSUM;
        sig = der;
    }
    EVP_PKEY_CTX *ctx = sign_ctx(k, scheme, hash, true);
    sfc_err rv = SFC_E_IO;
    if (ctx)
        rv = EVP_PKEY_verify(ctx, sig, siglen, in, len) == 1 ? SFC_OK
                                                             : SFC_E_CHECKSUM;
    EVP_PKEY_CTX_free(ctx);
    OPENSSL_free(der);
    return rv;
}

/* ---- encryption ---------------------------------------------------------- */

static EVP_PKEY_CTX *crypt_ctx(const sfc_pkey *k, sfc_dec_scheme scheme,
                               sfc_hash_alg oaep_hash, bool decrypt)
{
    EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new_from_pkey(NULL, (EVP_PKEY *)k, NULL);
    if (!ctx)
        return NULL;
    bool ok = (decrypt ? EVP_PKEY_decrypt_init(ctx) : EVP_PKEY_encrypt_init(ctx)) == 1;
    int pad = scheme == SFC_DEC_RSA_OAEP   ? RSA_PKCS1_OAEP_PADDING
              : scheme == SFC_DEC_RSA_RAW ? RSA_NO_PADDING
                                         : RSA_PKCS1_PADDING;
    ok = ok && EVP_PKEY_CTX_set_rsa_padding(ctx, pad) == 1;
    if (ok && scheme == SFC_DEC_RSA_OAEP)
        ok = EVP_PKEY_CTX_set_rsa_oaep_md(ctx, md_of(oaep_hash)) == 1 &&
             EVP_PKEY_CTX_set_rsa_mgf1_md(ctx, md_of(oaep_hash)) == 1;
    if (!ok) {
        EVP_PKEY_CTX_free(ctx);
        return NULL;
    }
    return ctx;
}

static sfc_err rsa_crypt(const sfc_pkey *k, sfc_dec_scheme scheme,
                        sfc_hash_alg oaep_hash, const uint8_t *in, size_t len,
                        sfc_buf *out, bool decrypt)
{
    if (!sfc_pkey_is_rsa(k) || (decrypt && !sfc_pkey_has_private(k)))
        return SFC_E_INVAL;
    EVP_PKEY_CTX *ctx = crypt_ctx(k, scheme, oaep_hash, decrypt);
    if (!ctx)
        return SFC_E_IO;
    size_t n = 0;
    uint8_t *buf = NULL;
    sfc_err rv = SFC_E_FORMAT;
    int (*op)(EVP_PKEY_CTX *, unsigned char *, size_t *, const unsigned char *,
              size_t) = decrypt ? EVP_PKEY_decrypt : EVP_PKEY_encrypt;
    if (op(ctx, NULL, &n, in, len) == 1 && (buf = malloc(n ? n : 1)) &&
        op(ctx, buf, &n, in, len) == 1)
        rv = buf_put(out, buf, n) ? SFC_OK : SFC_E_RANGE;
    if (buf)
        OPENSSL_cleanse(buf, n);
    free(buf);
    EVP_PKEY_CTX_free(ctx);
    return rv;
}

sfc_err sfc_pkey_decrypt(const sfc_pkey *k, sfc_dec_scheme scheme,
                       sfc_hash_alg oaep_hash, const uint8_t *in, size_t len,
                       sfc_buf *out)
{
    return rsa_crypt(k, scheme, oaep_hash, in, len, out, true);
}

sfc_err sfc_pkey_encrypt(const sfc_pkey *k, sfc_dec_scheme scheme,
                       sfc_hash_alg oaep_hash, const uint8_t *in, size_t len,
                       sfc_buf *out)
{
    return rsa_crypt(k, scheme, oaep_hash, in, len, out, false);
}

/* ---- ECDH ----------------------------------------------------------------- */

sfc_err sfc_pkey_ecdh(const sfc_pkey *k, const uint8_t *peer_point, size_t len,
                    sfc_buf *out)
{
    sfc_curve curve = sfc_pkey_curve(k);
    if (curve == SFC_CURVE_NONE || !sfc_pkey_has_private(k))
        return SFC_E_INVAL;
    sfc_pkey *peer = NULL;
    sfc_err rv = sfc_pkey_from_ec_public(curve, peer_point, len, &peer);
    if (rv != SFC_OK)
        return rv;
    EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new_from_pkey(NULL, (EVP_PKEY *)k, NULL);
    uint8_t secret[66];
    size_t n = sizeof(secret);
    rv = SFC_E_FORMAT;
    if (ctx && EVP_PKEY_derive_init(ctx) == 1 &&
        EVP_PKEY_derive_set_peer(ctx, peer) == 1 &&
        EVP_PKEY_derive(ctx, secret, &n) == 1)
        rv = buf_put(out, secret, n) ? SFC_OK : SFC_E_RANGE;
    OPENSSL_cleanse(secret, sizeof(secret));
    EVP_PKEY_CTX_free(ctx);
    EVP_PKEY_free(peer);
    return rv;
}
