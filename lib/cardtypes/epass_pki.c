/* SPDX-License-Identifier: LGPL-2.1-or-later */
/**
 * @file epass_pki.c
 * @brief EF.SOD of the ePass card type (ICAO Doc 9303-10 §4.6.2, 9303-12):
 *        the LDSSecurityObject over the data-group hashes, in a CMS
 *        SignedData signed by a Document Signer that a test CSCA issued.
 *
 * EF.SOD = 77 { ContentInfo { id-signedData, SignedData {
 *     digestAlgorithms {sha256}, encapContentInfo { eContentType
 *     id-icao-mrtd-security-ldsSecurityObject (2.23.136.1.1.1),
 *     eContent LDSSecurityObject }, certificates { Document Signer },
 *     signerInfos { issuerAndSerialNumber, sha256, signed attributes
 *     contentType (= the eContentType), signingTime, messageDigest;
 *     signature } } } }
 *
 * LDSSecurityObject ::= SEQUENCE { version 0, hashAlgorithm sha256 (no
 * parameters, RFC 5754), dataGroupHashValues SEQUENCE OF { dataGroupNumber,
 * dataGroupHashValue } } in ascending data-group order, built here in DER
 * with core/tlv.h. Everything cryptographic (keys, certificates, hashes,
 * CMS) is OpenSSL's, through crypto/cert.h: one signer with SHA-256 and no
 * S/MIME capabilities (ICAO names the signed attributes; capabilities are
 * not among them).
 *
 * The signer: a Document Signer key and certificate given as PEM, or one
 * generated here, issued by the given CSCA or by a CSCA generated here
 * (P-256 ECDSA with SHA-256 by default, RSA 2048 with pki-algorithm rsa).
 * Generated certificates (crypto/cert.h) follow the Doc 9303-12 profile in
 * outline: CSCA with basicConstraints CA (critical, pathlen 0), keyUsage
 * keyCertSign and cRLSign (critical) and a subject key identifier; Document
 * Signer with keyUsage digitalSignature (critical) and an authority key
 * identifier; names C=<country>, O=softcard test PKI, CN=...; the country is the MRZ's
 * issuing state cut to two letters (D becomes DE, UTO becomes UT). The CSCA
 * certificate can be written to a file (csca-cert-out) for verifiers;
 * generated private keys are dropped once EF.SOD is signed.
 */
#include "core/errtext.h"
#include "cardtypes/epass.h"

#include <stdio.h>
#include <string.h>

#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "core/tlv.h"
#include "crypto/cert.h"
#include "crypto/pkey.h"
#include "crypto/sym.h"

#define ORG "softcard test PKI"
#define CSCA_DAYS (10 * 366)
#define DS_DAYS (5 * 366)

static const uint8_t oid_sha256[] = {0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65,
                                     0x03, 0x04, 0x02, 0x01};

/* ---- LDSSecurityObject ----------------------------------------------------- */

static sfc_err lds_security_object(const epass_dg *dgs, size_t n, sfc_buf *out)
{
    uint8_t h[32];
    size_t lso = ber_begin(out, 0x30);
    ber_put_u8(out, 0x02, 0);                    /* version v0 */
    size_t alg = ber_begin(out, 0x30);
    buf_put(out, oid_sha256, sizeof(oid_sha256));
    ber_end(out, alg);
    size_t values = ber_begin(out, 0x30);
    for (unsigned dg = 1; dg <= EPASS_MAX_DG; dg++)
        for (size_t i = 0; i < n; i++) {
            if (dgs[i].number != dg)
                continue;
            if (sfc_hash(SFC_HASH_SHA256, dgs[i].data, dgs[i].len, h) != SFC_OK)
                return SFC_E_IO;
            size_t one = ber_begin(out, 0x30);
            ber_put_u8(out, 0x02, (uint8_t)dg);
            ber_put(out, 0x04, h, sizeof(h));
            ber_end(out, one);
        }
    bool ok = ber_end(out, values) && ber_end(out, lso);
    return ok && !out->failed ? SFC_OK : SFC_E_NOMEM;
}

/* ---- keys and certificates ---------------------------------------------- */

/* The test CSCA (ca) and its Document Signer (cert). */
typedef sfc_cert_signer signer;

static X509 *cert_from_pem(const sfc_buf *pem)
{
    BIO *bio = BIO_new_mem_buf(pem->data, (int)pem->len);
    X509 *c = bio ? PEM_read_bio_X509(bio, NULL, NULL, NULL) : NULL;
    BIO_free(bio);
    return c;
}

/* A given key/certificate pair; both or neither. */
static sfc_err load_pair(const char *what, const sfc_buf *key, const sfc_buf *cert,
                        EVP_PKEY **k, X509 **c, char *err, size_t errlen)
{
    if (!key->len && !cert->len)
        return SFC_OK;
    if (!key->len || !cert->len) {
        sfc_errf(err, errlen, "%s-key and %s-cert: give both or neither",
                 what, what);
        return SFC_E_INVAL;
    }
    if (sfc_pkey_from_pem((const char *)key->data, key->len, k) != SFC_OK ||
        !sfc_pkey_has_private(*k)) {
        sfc_errf(err, errlen, "%s-key: not a PEM private key (RSA 2048-4096 "
                 "or EC P-256, P-384, brainpoolP256r1, brainpoolP384r1)",
                 what);
        return SFC_E_FORMAT;
    }
    if (!(*c = cert_from_pem(cert))) {
        sfc_errf(err, errlen, "%s-cert: not a PEM X.509 certificate", what);
        return SFC_E_FORMAT;
    }
    if (X509_check_private_key(*c, *k) != 1) {
        sfc_errf(err, errlen, "%s-key: does not belong to %s-cert", what,
                 what);
        return SFC_E_INVAL;
    }
    return SFC_OK;
}

static sfc_err generate_key(const char *alg, EVP_PKEY **out)
{
    if (alg && strcmp(alg, "rsa") == 0)
        return sfc_pkey_generate_rsa(2048, out);
    return sfc_pkey_generate_ec(SFC_CURVE_P256, out);
}

/* Two letters for X.509 names from the MRZ's three-character state. */
static void country_of(const char *state, char out[3])
{
    if (!state || !state[0] || (state[0] == 'D' && state[1] == '<')) {
        memcpy(out, "DE", 3);
        return;
    }
    out[0] = state[0];
    out[1] = state[1] == '<' ? 'X' : state[1];
    out[2] = '\0';
}

static sfc_err write_csca(const char *path, X509 *csca, char *err,
                         size_t errlen)
{
    FILE *f = fopen(path, "w");
    bool ok = f && PEM_write_X509(f, csca) == 1;
    if (f && fclose(f) != 0)
        ok = false;
    if (!ok) {
        sfc_errf(err, errlen, "csca-cert-out: cannot write %s", path);
        return SFC_E_IO;
    }
    return SFC_OK;
}

/* The CSCA (given or new), and unless given the Document Signer it issues. */
static sfc_err make_signer(epass_pki_params *p, signer *s, char *err,
                          size_t errlen)
{
    char country[3];
    country_of(p->state, country);
    sfc_cert_spec csca = {country, ORG, "softcard test CSCA", true,
                          CSCA_DAYS, 0};
    sfc_cert_spec ds = {country, ORG, "softcard test Document Signer", false,
                        DS_DAYS, 0};
    if (!s->ca) {
        if (generate_key(p->algorithm, &s->ca_key) != SFC_OK ||
            !(s->ca = sfc_cert_issue(&csca, s->ca_key, NULL, s->ca_key)))
            goto fail;
    }
    if (!s->cert) {
        if (generate_key(p->algorithm, &s->key) != SFC_OK ||
            !(s->cert = sfc_cert_issue(&ds, s->key, s->ca, s->ca_key)))
            goto fail;
    }
    return SFC_OK;
fail:
    sfc_errf(err, errlen, "EF.SOD: cannot create the test CSCA and Document "
             "Signer (OpenSSL)");
    return SFC_E_IO;
}

static sfc_err get_signer(epass_pki_params *p, signer *s, char *err,
                         size_t errlen)
{
    sfc_err rv = load_pair("csca", &p->csca_key, &p->csca_cert, &s->ca_key,
                          &s->ca, err, errlen);
    if (rv == SFC_OK)
        rv = load_pair("ds", &p->ds_key, &p->ds_cert, &s->key, &s->cert,
                       err, errlen);
    if (rv == SFC_OK && s->cert && s->ca &&
        X509_check_issued(s->ca, s->cert) != X509_V_OK) {
        sfc_errf(err, errlen, "ds-cert: not issued by csca-cert");
        rv = SFC_E_INVAL;
    }
    if (rv == SFC_OK && s->cert && !s->ca && p->csca_cert_out) {
        sfc_errf(err, errlen, "csca-cert-out: there is no CSCA certificate "
                 "to write (ds-key/ds-cert were given without csca-cert)");
        rv = SFC_E_INVAL;
    }
    if (rv == SFC_OK && !s->cert)
        rv = make_signer(p, s, err, errlen);
    if (rv == SFC_OK && p->csca_cert_out)
        rv = write_csca(p->csca_cert_out, s->ca, err, errlen);
    return rv;
}

/* ---- the SignedData --------------------------------------------------------- */

static sfc_err sign_lso(const signer *s, const sfc_buf *lso, sfc_buf *out)
{
    sfc_buf cms;
    buf_init(&cms);
    sfc_err rv = sfc_cms_sign(s->cert, s->key, "2.23.136.1.1.1", lso->data,
                              lso->len, &cms);
    if (rv == SFC_OK && (!ber_put(out, 0x77, cms.data, cms.len) || out->failed))
        rv = SFC_E_IO;
    buf_free(&cms);
    return rv;
}

sfc_err epass_sod_build(const epass_dg *dgs, size_t n, epass_pki_params *p,
                       sfc_buf *out, char *err, size_t errlen)
{
    signer s = {0};
    sfc_buf lso;
    buf_init(&lso);
    sfc_err rv = get_signer(p, &s, err, errlen);
    if (rv == SFC_OK && (rv = lds_security_object(dgs, n, &lso)) == SFC_OK &&
        (rv = sign_lso(&s, &lso, out)) != SFC_OK)
        sfc_errf(err, errlen, "EF.SOD: signing failed (OpenSSL CMS)");
    buf_free(&lso);
    sfc_cert_signer_free(&s);
    return rv;
}
