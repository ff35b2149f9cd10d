/* SPDX-License-Identifier: LGPL-2.1-or-later */
/**
 * @file cert.h
 * @brief Test PKI for card personalisation: X.509 certificates issued
 *        with OpenSSL, and CMS SignedData over a security object.
 *
 * Card types that sign security objects at personalisation (the ePass's
 * EF.SOD, the nPA's EF.CardSecurity and its eSign certificate) make a test
 * CA and a signer with these two calls. A certificate is X.509 v3 with
 * SHA-256, valid from a day ago for `days`; a CA certificate carries
 * basicConstraints CA (critical, pathlen 0), keyUsage keyCertSign and
 * cRLSign (critical) and a subject key identifier; an end-entity one
 * keyUsage digitalSignature (critical), a subject and an authority key
 * identifier. The SignedData has one signer with SHA-256, the signed
 * attributes OpenSSL adds (contentType, signingTime, messageDigest) and no
 * S/MIME capabilities.
 */
#ifndef SFC_CRYPTO_CERT_H
#define SFC_CRYPTO_CERT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "softcard.h"
#include "core/bytes.h"

typedef struct x509_st X509;
typedef struct evp_pkey_st EVP_PKEY;

/** What a certificate says of its subject. */
typedef struct sfc_cert_spec {
    const char *country; /**< C (two letters) */
    const char *org;     /**< O, or NULL for none */
    const char *cn;      /**< CN */
    bool ca;             /**< a CA certificate, else an end-entity one */
    long days;           /**< validity from now */
    long serial;         /**< > 0: this serial number; 0: 63 random bits */
} sfc_cert_spec;

/** A test CA and the signer it issued (either may be NULL until made). */
typedef struct sfc_cert_signer {
    EVP_PKEY *ca_key, *key;
    X509 *ca, *cert;
} sfc_cert_signer;

/** Free the keys and certificates of `s` (not `s` itself). */
void sfc_cert_signer_free(sfc_cert_signer *s);

/** A certificate for `key` signed by `issuer_key`; self-signed when
 *  `issuer` is NULL. NULL if OpenSSL fails. */
X509 *sfc_cert_issue(const sfc_cert_spec *spec, EVP_PKEY *key, X509 *issuer,
                     EVP_PKEY *issuer_key);

/** The DER of `x` appended to `out`. */
bool sfc_cert_der(X509 *x, sfc_buf *out);

/** The PEM of `x` appended to `out`. */
bool sfc_cert_pem(X509 *x, sfc_buf *out);

/**
 * A CMS SignedData (DER ContentInfo, appended to `out`) over `content`
 * with eContentType `content_oid` (dotted text), signed by `cert`/`key`.
 */
sfc_err sfc_cms_sign(X509 *cert, EVP_PKEY *key, const char *content_oid,
                     const uint8_t *content, size_t len, sfc_buf *out);

#endif
