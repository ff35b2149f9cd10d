/* SPDX-License-Identifier: LGPL-2.1-or-later */
/**
 * @file cert.c
 * @brief Test certificates and CMS signatures for personalisation, on
 *        OpenSSL (see cert.h for the profile).
 */
#include "crypto/cert.h"

#include <openssl/bn.h>
#include <openssl/cms.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

static bool add_ext(X509 *x, X509V3_CTX *ctx, int nid, const char *value)
{
    X509_EXTENSION *e = X509V3_EXT_conf_nid(NULL, ctx, nid, value);
    bool ok = e && X509_add_ext(x, e, -1) == 1;
    X509_EXTENSION_free(e);
    return ok;
}

static bool add_extensions(X509 *x, X509 *issuer, bool ca)
{
    X509V3_CTX ctx;
    X509V3_set_ctx(&ctx, issuer ? issuer : x, x, NULL, NULL, 0);
    if (ca)
        return add_ext(x, &ctx, NID_basic_constraints,
                       "critical,CA:TRUE,pathlen:0") &&
               add_ext(x, &ctx, NID_key_usage,
                       "critical,keyCertSign,cRLSign") &&
               add_ext(x, &ctx, NID_subject_key_identifier, "hash");
    return add_ext(x, &ctx, NID_key_usage, "critical,digitalSignature") &&
           add_ext(x, &ctx, NID_subject_key_identifier, "hash") &&
           add_ext(x, &ctx, NID_authority_key_identifier, "keyid:always");
}

static bool set_serial(X509 *x, long serial)
{
    if (serial > 0)
        return ASN1_INTEGER_set(X509_get_serialNumber(x), serial) == 1;
    BIGNUM *bn = BN_new();
    bool ok = bn && BN_rand(bn, 63, BN_RAND_TOP_ONE, BN_RAND_BOTTOM_ANY) == 1 &&
              BN_to_ASN1_INTEGER(bn, X509_get_serialNumber(x)) != NULL;
    BN_free(bn);
    return ok;
}

static bool add_entry(X509_NAME *n, const char *field, const char *value)
{
    return !value ||
           X509_NAME_add_entry_by_txt(n, field, MBSTRING_ASC,
                                      (const unsigned char *)value, -1, -1,
                                      0) == 1;
}

static X509_NAME *make_name(const sfc_cert_spec *s)
{
    X509_NAME *n = X509_NAME_new();
    if (n && add_entry(n, "C", s->country) && add_entry(n, "O", s->org) &&
        add_entry(n, "CN", s->cn))
        return n;
    X509_NAME_free(n);
    return NULL;
}

X509 *sfc_cert_issue(const sfc_cert_spec *s, EVP_PKEY *key, X509 *issuer,
                     EVP_PKEY *issuer_key)
{
    X509 *x = X509_new();
    X509_NAME *name = make_name(s);
    bool ok = x && name && X509_set_version(x, 2) == 1 &&
              set_serial(x, s->serial) &&
              X509_gmtime_adj(X509_getm_notBefore(x), -86400L) &&
              X509_gmtime_adj(X509_getm_notAfter(x), s->days * 86400L) &&
              X509_set_subject_name(x, name) == 1 &&
              X509_set_issuer_name(x, issuer ? X509_get_subject_name(issuer)
                                             : name) == 1 &&
              X509_set_pubkey(x, key) == 1 &&
              add_extensions(x, issuer, s->ca) &&
              X509_sign(x, issuer_key, EVP_sha256()) > 0;
    X509_NAME_free(name);
    if (ok)
        return x;
    X509_free(x);
    return NULL;
}

void sfc_cert_signer_free(sfc_cert_signer *s)
{
    EVP_PKEY_free(s->ca_key);
    EVP_PKEY_free(s->key);
    X509_free(s->ca);
    X509_free(s->cert);
}

bool sfc_cert_der(X509 *x, sfc_buf *out)
{
    unsigned char *der = NULL;
    int n = i2d_X509(x, &der);
    bool ok = n > 0 && buf_put(out, der, (size_t)n);
    OPENSSL_free(der);
    return ok;
}

bool sfc_cert_pem(X509 *x, sfc_buf *out)
{
    BIO *bio = BIO_new(BIO_s_mem());
    char *p = NULL;
    long n = 0;
    bool ok = bio && PEM_write_bio_X509(bio, x) == 1 &&
              (n = BIO_get_mem_data(bio, &p)) > 0 && buf_put(out, p, (size_t)n);
    BIO_free(bio);
    return ok;
}

sfc_err sfc_cms_sign(X509 *cert, EVP_PKEY *key, const char *content_oid,
                     const uint8_t *content, size_t len, sfc_buf *out)
{
    const unsigned flags = CMS_BINARY | CMS_NOSMIMECAP;
    BIO *in = BIO_new_mem_buf(content, (int)len);
    CMS_ContentInfo *cms =
        in ? CMS_sign(NULL, NULL, NULL, NULL, flags | CMS_PARTIAL) : NULL;
    ASN1_OBJECT *type = OBJ_txt2obj(content_oid, 1);
    unsigned char *der = NULL;
    int n = 0;
    bool ok = cms && type && CMS_set1_eContentType(cms, type) == 1 &&
              CMS_add1_signer(cms, cert, key, EVP_sha256(), flags) &&
              CMS_final(cms, in, NULL, flags) == 1 &&
              (n = i2d_CMS_ContentInfo(cms, &der)) > 0 &&
              buf_put(out, der, (size_t)n);
    OPENSSL_free(der);
    ASN1_OBJECT_free(type);
    CMS_ContentInfo_free(cms);
    BIO_free(in);
    return ok ? SFC_OK : SFC_E_IO;
}
