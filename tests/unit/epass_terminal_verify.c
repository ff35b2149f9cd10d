/* SPDX-License-Identifier: LGPL-2.1-or-later */
/**
 * @file epass_terminal_verify.c
 * @brief The test terminal's passive and active authentication checks:
 *        EF.SOD against a CSCA certificate (ICAO Doc 9303-11 §5.1,
 *        9303-10 §4.6.2) and Active Authentication (9303-11 §6.1).
 *
 * Passive authentication: OpenSSL's CMS_verify checks the Document Signer
 * certificate's chain to the CSCA and the signature over the signed
 * attributes (whose messageDigest covers the eContent); this file then
 * checks the eContentType, the presence of the contentType and
 * messageDigest attributes, parses the LDSSecurityObject with OpenSSL's
 * generic ASN.1 decoder (ASN1_TYPE sequences) and compares the hash of
 * every data group read with the listed one.
 *
 * Active authentication: RSA answers are opened with the public key (raw
 * RSA) and checked as ISO/IEC 9796-2 scheme 1 with SHA-1: header 6A,
 * trailer BC, SHA-1(M1 || challenge); ECDSA answers (r || s) are verified
 * over the challenge with the hash DG14's ActiveAuthenticationInfo names.
 */
#include "epass_terminal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/asn1.h>
#include <openssl/bn.h>
#include <openssl/cms.h>
#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/objects.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/rsa.h>
#include <openssl/x509.h>

#define LDS_SO_OID "2.23.136.1.1.1"
#define AA_OID "2.23.136.1.1.5"

/* The value of a file's outer TLV (77 for EF.SOD, 6F, 6E). */
static const uint8_t *outer_value(const et_file *f, uint8_t tag, size_t *len)
{
    const uint8_t *p = f->data;
    size_t n = f->len, l, h = 2;
    if (n < 2 || p[0] != tag)
        return NULL;
    l = p[1];
    if (l == 0x81 && n > 2) {
        l = p[2];
        h = 3;
    } else if (l == 0x82 && n > 3) {
        l = (size_t)(p[2] << 8 | p[3]);
        h = 4;
    } else if (l >= 0x80) {
        return NULL;
    }
    if (h + l != n)
        return NULL;
    *len = l;
    return p + h;
}

static int verr(char *err, size_t errlen, const char *msg)
{
    snprintf(err, errlen, "%s", msg);
    return -1;
}

/* ---- passive authentication --------------------------------------------- */

static X509_STORE *csca_store(const char *pem, size_t len)
{
    BIO *b = BIO_new_mem_buf(pem, (int)len);
    X509 *c = b ? PEM_read_bio_X509(b, NULL, NULL, NULL) : NULL;
    X509_STORE *s = c ? X509_STORE_new() : NULL;
    if (s && X509_STORE_add_cert(s, c) != 1) {
        X509_STORE_free(s);
        s = NULL;
    }
    X509_free(c);
    BIO_free(b);
    return s;
}

static int check_signer_attributes(CMS_ContentInfo *cms, char *err,
                                   size_t errlen)
{
    STACK_OF(CMS_SignerInfo) *sis = CMS_get0_SignerInfos(cms);
    if (!sis || sk_CMS_SignerInfo_num(sis) != 1)
        return verr(err, errlen, "EF.SOD: not exactly one SignerInfo");
    CMS_SignerInfo *si = sk_CMS_SignerInfo_value(sis, 0);
    if (CMS_signed_get_attr_by_NID(si, NID_pkcs9_contentType, -1) < 0 ||
        CMS_signed_get_attr_by_NID(si, NID_pkcs9_messageDigest, -1) < 0)
        return verr(err, errlen, "EF.SOD: signed attributes contentType and "
                    "messageDigest missing");
    char oid[64];
    OBJ_obj2txt(oid, sizeof(oid), CMS_get0_eContentType(cms), 1);
    if (strcmp(oid, LDS_SO_OID) != 0)
        return verr(err, errlen, "EF.SOD: eContentType is not "
                    "id-icao-mrtd-security-ldsSecurityObject");
    return 0;
}

/* Decoded sequences, freed together. */
typedef struct lso_walk {
    STACK_OF(ASN1_TYPE) *kept[128];
    int n;
    const EVP_MD *md;
} lso_walk;

static void walk_free(lso_walk *w)
{
    for (int i = 0; i < w->n; i++)
        sk_ASN1_TYPE_pop_free(w->kept[i], ASN1_TYPE_free);
    w->n = 0;
}

/* The elements of a SEQUENCE (or SET) given as an ASN1_TYPE. */
static STACK_OF(ASN1_TYPE) *seq_items(const ASN1_TYPE *seq, lso_walk *w)
{
    if (!seq || (seq->type != V_ASN1_SEQUENCE && seq->type != V_ASN1_SET) ||
        w->n == (int)(sizeof(w->kept) / sizeof(w->kept[0])))
        return NULL;
    const unsigned char *p = seq->value.sequence->data;
    long len = seq->value.sequence->length;
    STACK_OF(ASN1_TYPE) *st = seq->type == V_ASN1_SET
                                  ? d2i_ASN1_SET_ANY(NULL, &p, len)
                                  : d2i_ASN1_SEQUENCE_ANY(NULL, &p, len);
    if (st)
        w->kept[w->n++] = st;
    return st;
}

static ASN1_TYPE *seq_item(const ASN1_TYPE *seq, int i, lso_walk *w)
{
    STACK_OF(ASN1_TYPE) *st = seq_items(seq, w);
    return st && i < sk_ASN1_TYPE_num(st) ? sk_ASN1_TYPE_value(st, i) : NULL;
}

/* Compare one DataGroupHash with the data group read. */
static int check_dg_hash(lso_walk *w, ASN1_TYPE *dgh, const et_file *files,
                         size_t n, bool *seen, char *err, size_t errlen)
{
    ASN1_TYPE *num = seq_item(dgh, 0, w), *val = seq_item(dgh, 1,
                                                                w);
    if (!num || num->type != V_ASN1_INTEGER || !val ||
        val->type != V_ASN1_OCTET_STRING)
        return verr(err, errlen, "LDSSecurityObject: bad DataGroupHash");
    long dg = ASN1_INTEGER_get(num->value.integer);
    const et_file *f = dg >= 1 && dg <= 16
                       ? et_find(files, n, (uint16_t)(0x0100 + dg)) : NULL;
    uint8_t h[EVP_MAX_MD_SIZE];
    unsigned hl = 0;
    if (!f)
        return verr(err, errlen, "EF.SOD lists a data group not read");
    if (EVP_Digest(f->data, f->len, h, &hl, w->md, NULL) != 1 ||
        (int)hl != val->value.octet_string->length ||
        memcmp(h, val->value.octet_string->data, hl) != 0)
        return verr(err, errlen, "EF.SOD: a data group's hash differs");
    seen[dg] = true;
    return 0;
}

static int check_lso(const uint8_t *der, size_t len, const et_file *files,
                     size_t n, char *err, size_t errlen)
{
    const unsigned char *p = der;
    ASN1_TYPE *lso = d2i_ASN1_TYPE(NULL, &p, (long)len);
    lso_walk w = {.n = 0};
    bool seen[17] = {false};
    int rv = -1;
    ASN1_TYPE *ver = seq_item(lso, 0, &w), *alg = seq_item(lso, 1, &w);
    ASN1_TYPE *hashes = seq_item(lso, 2, &w);
    ASN1_TYPE *oid = seq_item(alg, 0, &w);
    if (ver && ver->type == V_ASN1_INTEGER && oid &&
        oid->type == V_ASN1_OBJECT && hashes)
        w.md = EVP_get_digestbyobj(oid->value.object);
    if (!w.md) {
        rv = verr(err, errlen, "LDSSecurityObject: malformed or unknown hash");
    } else {
        rv = 0;
        STACK_OF(ASN1_TYPE) *items = seq_items(hashes, &w);
        for (int i = 0; rv == 0 && items && i < sk_ASN1_TYPE_num(items); i++)
            rv = check_dg_hash(&w, sk_ASN1_TYPE_value(items, i), files, n,
                               seen, err, errlen);
        for (size_t i = 0; rv == 0 && i < n; i++)
            if (files[i].fid >= 0x0101 && files[i].fid <= 0x0110 &&
                !seen[files[i].fid - 0x0100])
                rv = verr(err, errlen, "a data group read is not in EF.SOD");
    }
    walk_free(&w);
    ASN1_TYPE_free(lso);
    return rv;
}

int et_verify_sod(const et_file *files, size_t n, const char *csca_pem,
                  size_t pem_len, char *err, size_t errlen)
{
    const et_file *sod = et_find(files, n, 0x011D);
    size_t len = 0;
    const uint8_t *v = sod ? outer_value(sod, 0x77, &len) : NULL;
    if (!v)
        return verr(err, errlen, "EF.SOD: missing or not a 77 object");
    const unsigned char *p = v;
    CMS_ContentInfo *cms = d2i_CMS_ContentInfo(NULL, &p, (long)len);
    X509_STORE *store = csca_store(csca_pem, pem_len);
    BIO *out = BIO_new(BIO_s_mem());
    int rv = -1;
    if (!cms || !store || !out)
        rv = verr(err, errlen, "EF.SOD or the CSCA certificate unreadable");
    else if (CMS_verify(cms, NULL, store, NULL, out, CMS_BINARY) != 1)
        rv = verr(err, errlen, "EF.SOD: CMS_verify failed (signature or "
                  "certificate chain to the CSCA)");
    else if ((rv = check_signer_attributes(cms, err, errlen)) == 0) {
        BUF_MEM *m = NULL;
        BIO_get_mem_ptr(out, &m);
        rv = check_lso((const uint8_t *)m->data, m->length, files, n, err,
                       errlen);
    }
    BIO_free(out);
    X509_STORE_free(store);
    CMS_ContentInfo_free(cms);
    return rv;
}

/* ---- active authentication ----------------------------------------------- */

/* ISO/IEC 9796-2 scheme 1: F = 6A || M1 || SHA-1(M1 || M2) || BC. */
static int check_rsa(EVP_PKEY *k, const uint8_t *sig, size_t len,
                     const uint8_t chal[8])
{
    EVP_PKEY_CTX *c = EVP_PKEY_CTX_new(k, NULL);
    uint8_t f[1024], h[20], *m = NULL;
    size_t fl = sizeof(f);
    int rv = -1;
    if (c && EVP_PKEY_verify_recover_init(c) == 1 &&
        EVP_PKEY_CTX_set_rsa_padding(c, RSA_NO_PADDING) == 1 &&
        EVP_PKEY_verify_recover(c, f, &fl, sig, len) == 1 && fl > 22 &&
        f[0] == 0x6A && f[fl - 1] == 0xBC && (m = malloc(fl)) != NULL) {
        size_t m1 = fl - 22;
        unsigned hl = 0;
        memcpy(m, f + 1, m1);
        memcpy(m + m1, chal, 8);
        if (EVP_Digest(m, m1 + 8, h, &hl, EVP_sha1(), NULL) == 1 &&
            memcmp(h, f + 1 + m1, 20) == 0)
            rv = 0;
    }
    free(m);
    EVP_PKEY_CTX_free(c);
    return rv;
}

/* The hash of DG14's ActiveAuthenticationInfo (ecdsa-with-SHAxxx). */
static const EVP_MD *aa_hash(const et_file *dg14)
{
    size_t len;
    const uint8_t *v = dg14 ? outer_value(dg14, 0x6E, &len) : NULL;
    const EVP_MD *md = NULL;
    if (!v)
        return NULL;
    const unsigned char *p = v;
    STACK_OF(ASN1_TYPE) *set = d2i_ASN1_SET_ANY(NULL, &p, (long)len);
    lso_walk w = {.n = 0};
    for (int i = 0; set && !md && i < sk_ASN1_TYPE_num(set); i++) {
        ASN1_TYPE *info = sk_ASN1_TYPE_value(set, i);
        ASN1_TYPE *proto = seq_item(info, 0, &w);
        ASN1_TYPE *alg = seq_item(info, 2, &w);
        char oid[64] = "";
        if (proto && proto->type == V_ASN1_OBJECT)
            OBJ_obj2txt(oid, sizeof(oid), proto->value.object, 1);
        if (strcmp(oid, AA_OID) != 0 || !alg || alg->type != V_ASN1_OBJECT)
            continue;
        int nid = OBJ_obj2nid(alg->value.object);
        md = nid == NID_ecdsa_with_SHA256 ? EVP_sha256()
             : nid == NID_ecdsa_with_SHA384 ? EVP_sha384()
             : nid == NID_ecdsa_with_SHA512 ? EVP_sha512()
             : nid == NID_ecdsa_with_SHA1 ? EVP_sha1() : NULL;
    }
    walk_free(&w);
    sk_ASN1_TYPE_pop_free(set, ASN1_TYPE_free);
    return md;
}

static int check_ecdsa(EVP_PKEY *k, const EVP_MD *md, const uint8_t *sig,
                       size_t len, const uint8_t chal[8])
{
    ECDSA_SIG *s = ECDSA_SIG_new();
    BIGNUM *r = BN_bin2bn(sig, (int)(len / 2), NULL);
    BIGNUM *t = BN_bin2bn(sig + len / 2, (int)(len / 2), NULL);
    unsigned char *der = NULL;
    int dl = 0, rv = -1;
    if (s && r && t && ECDSA_SIG_set0(s, r, t) == 1) {
        r = t = NULL;
        dl = i2d_ECDSA_SIG(s, &der);
    }
    EVP_MD_CTX *c = EVP_MD_CTX_new();
    if (dl > 0 && c && EVP_DigestVerifyInit(c, NULL, md, NULL, k) == 1 &&
        EVP_DigestVerify(c, der, (size_t)dl, chal, 8) == 1)
        rv = 0;
    EVP_MD_CTX_free(c);
    OPENSSL_free(der);
    BN_free(r);
    BN_free(t);
    ECDSA_SIG_free(s);
    return rv;
}

int et_active_auth(et_term *t, const et_file *files, size_t n)
{
    const et_file *dg15 = et_find(files, n, 0x010F);
    size_t len = 0;
    const uint8_t *v = dg15 ? outer_value(dg15, 0x6F, &len) : NULL;
    const unsigned char *p = v;
    EVP_PKEY *k = v ? d2i_PUBKEY(NULL, &p, (long)len) : NULL;
    uint8_t chal[8], sig[1024];
    size_t sl = 0;
    uint16_t sw = 0;
    int rv = -1;
    if (!k) {
        snprintf(t->err, sizeof(t->err), "DG15: no public key");
        return -1;
    }
    RAND_bytes(chal, sizeof(chal));
    if (et_sm_command(t, 0x88, 0x00, 0x00, chal, 8, t->extended ? 65536 : 256,
                      sig, sizeof(sig), &sl, &sw, false) == 0 &&
        sw == 0x9000) {
        if (EVP_PKEY_get_base_id(k) == EVP_PKEY_RSA)
            rv = check_rsa(k, sig, sl, chal);
        else if (aa_hash(et_find(files, n, 0x010E)))
            rv = check_ecdsa(k, aa_hash(et_find(files, n, 0x010E)), sig, sl,
                             chal);
        if (rv != 0)
            snprintf(t->err, sizeof(t->err), "AA: the chip's signature "
                     "does not verify");
    } else if (!t->err[0] || sw != 0x9000) {
        snprintf(t->err, sizeof(t->err), "INTERNAL AUTHENTICATE: %04X", sw);
    }
    EVP_PKEY_free(k);
    return rv;
}
