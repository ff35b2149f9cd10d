/* SPDX-License-Identifier: LGPL-2.1-or-later */
/**
 * @file npa_pki.c
 * @brief The nPA's security objects: the built-in EF.CardAccess, the
 *        chip's Chip Authentication and Restricted Identification keys,
 *        and EF.CardSecurity signed by a Document Signer of a test CSCA.
 *
 * EF.CardAccess (BSI TR-03110-3 A.1) holds a SET of SecurityInfos: the
 * TerminalAuthenticationInfo (version 2), ChipAuthenticationInfo
 * id-CA-ECDH-AES-CBC-CMAC-128 (version 2, key 0x41) with its domain
 * parameters (standardized ID 13, brainpoolP256r1), PACEInfo
 * id-PACE-ECDH-GM-AES-CBC-CMAC-128 with parameter ID 13 and
 * id-PACE-DH-GM-AES-CBC-CMAC-128 with parameter ID 0 (1024-bit MODP of RFC
 * 5114), and vicc's CardInfoLocator; with --pace-mapping im the one
 * PACEInfo is id-PACE-DH-IM-AES-CBC-CMAC-128 with parameter ID 0 (see
 * npa_pace.c for why not ECDH), with --pace-mapping cam
 * id-PACE-ECDH-CAM-AES-CBC-CMAC-128 with parameter ID 13 (npa_cam.c). vicc's file also names a second CA
 * key 0x45 that no file provides; it is left out here, because OpenPACE
 * binds a ChipAuthenticationPublicKeyInfo to the last CAInfo it parsed.
 *
 * EF.CardSecurity is a CMS SignedData with eContentType id-SecurityObject
 * (0.4.0.127.0.7.3.2.1) whose content is the SET of EF.CardAccess's infos
 * (without PACEInfos of Integrated Mapping, see copy_infos())
 * plus ChipAuthenticationPublicKeyInfo (id-PK-ECDH, the CA public key as
 * standardized domain parameters 13 and the uncompressed point, key 0x41)
 * and RestrictedIdentificationInfo id-RI-ECDH-SHA-256 (version 1, key
 * 0x42, authorizedOnly FALSE) with its domain parameters. The CSCA and the
 * Document Signer are EC P-256 keys made at personalisation; the CSCA
 * certificate can be written out for terminals, its key is forgotten.
 */
#include "cardtypes/npa.h"

#include <string.h>

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/param_build.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include "core/errtext.h"
#include "core/tlv.h"
#include "crypto/cert.h"
#include "crypto/pkey.h"

#define CERT_DAYS (10L * 366L)

static const uint8_t oid_ta[] = {0x04, 0x00, 0x7F, 0x00,
                                 0x07, 0x02, 0x02, 0x02};
static const uint8_t oid_ca_ecdh_aes128[] = {0x04, 0x00, 0x7F, 0x00, 0x07,
                                             0x02, 0x02, 0x03, 0x02, 0x02};
static const uint8_t oid_ca_ecdh[] = {0x04, 0x00, 0x7F, 0x00, 0x07,
                                      0x02, 0x02, 0x03, 0x02};
static const uint8_t oid_std_dp[] = {0x04, 0x00, 0x7F, 0x00, 0x07, 0x01, 0x02};
static const uint8_t oid_pace_ecdh_gm[] = {0x04, 0x00, 0x7F, 0x00, 0x07,
                                           0x02, 0x02, 0x04, 0x02, 0x02};
static const uint8_t oid_pace_dh_gm[] = {0x04, 0x00, 0x7F, 0x00, 0x07,
                                         0x02, 0x02, 0x04, 0x01, 0x02};
static const uint8_t oid_pace_dh_im[] = {0x04, 0x00, 0x7F, 0x00, 0x07,
                                         0x02, 0x02, 0x04, 0x03, 0x02};
static const uint8_t oid_pace_ecdh_cam[] = {0x04, 0x00, 0x7F, 0x00, 0x07,
                                            0x02, 0x02, 0x04, 0x06, 0x02};
/* id-PACE (0.4.0.127.0.7.2.2.4) and its IM arcs: 3 DH, 4 ECDH */
static const uint8_t oid_pace[] = {0x04, 0x00, 0x7F, 0x00,
                                   0x07, 0x02, 0x02, 0x04};
#define PACE_ARC_DH_IM 0x03u
#define PACE_ARC_ECDH_IM 0x04u
static const uint8_t oid_card_info[] = {0x04, 0x00, 0x7F, 0x00,
                                        0x07, 0x02, 0x02, 0x06};
static const uint8_t oid_pk_ecdh[] = {0x04, 0x00, 0x7F, 0x00, 0x07,
                                      0x02, 0x02, 0x01, 0x02};
static const uint8_t oid_ri_ecdh_sha256[] = {0x04, 0x00, 0x7F, 0x00, 0x07,
                                             0x02, 0x02, 0x05, 0x02, 0x03};
static const uint8_t oid_ri_ecdh[] = {0x04, 0x00, 0x7F, 0x00, 0x07,
                                      0x02, 0x02, 0x05, 0x02};
static const char url[] = "http://bsi.bund.de/cif/npa.xml";

#define BRAINPOOL_P256R1_ID 13u
#define MODP_1024_160_ID 0u

/* ---- SecurityInfos ---------------------------------------------------------- */

/* SEQUENCE { OID, INTEGER a [, INTEGER b] } (b < 0: none) */
static void info2(sfc_buf *b, const uint8_t *oid, size_t oid_len, uint8_t a,
                  int bval)
{
    size_t m = ber_begin(b, 0x30);
    ber_put(b, 0x06, oid, oid_len);
    ber_put_u8(b, 0x02, a);
    if (bval >= 0)
        ber_put_u8(b, 0x02, (uint8_t)bval);
    ber_end(b, m);
}

/* AlgorithmIdentifier { standardizedDomainParameters, INTEGER id } */
static void std_dp(sfc_buf *b, uint8_t id)
{
    size_t m = ber_begin(b, 0x30);
    ber_put(b, 0x06, oid_std_dp, sizeof(oid_std_dp));
    ber_put_u8(b, 0x02, id);
    ber_end(b, m);
}

/* The PACEInfos of `offer`; terminals such as npa-tool take the first. */
static void pace_infos(sfc_buf *b, npa_pace_offer offer)
{
    if (offer == NPA_OFFER_DH_IM) {
        info2(b, oid_pace_dh_im, sizeof(oid_pace_dh_im), 2, MODP_1024_160_ID);
        return;
    }
    if (offer == NPA_OFFER_ECDH_CAM) {
        info2(b, oid_pace_ecdh_cam, sizeof(oid_pace_ecdh_cam), 2,
              BRAINPOOL_P256R1_ID);
        return;
    }
    if (offer == NPA_OFFER_GM_DH_FIRST)
        info2(b, oid_pace_dh_gm, sizeof(oid_pace_dh_gm), 2, MODP_1024_160_ID);
    info2(b, oid_pace_ecdh_gm, sizeof(oid_pace_ecdh_gm), 2,
          BRAINPOOL_P256R1_ID);
    if (offer == NPA_OFFER_GM)
        info2(b, oid_pace_dh_gm, sizeof(oid_pace_dh_gm), 2, MODP_1024_160_ID);
}

static void card_access_infos(sfc_buf *b, npa_pace_offer offer)
{
    size_t m;
    m = ber_begin(b, 0x30); /* TerminalAuthenticationInfo */
    ber_put(b, 0x06, oid_ta, sizeof(oid_ta));
    ber_put_u8(b, 0x02, 2);
    ber_end(b, m);
    info2(b, oid_ca_ecdh_aes128, sizeof(oid_ca_ecdh_aes128), 2, NPA_KEY_CA);
    pace_infos(b, offer);
    m = ber_begin(b, 0x30); /* ChipAuthenticationDomainParameterInfo */
    ber_put(b, 0x06, oid_ca_ecdh, sizeof(oid_ca_ecdh));
    std_dp(b, BRAINPOOL_P256R1_ID);
    ber_put_u8(b, 0x02, NPA_KEY_CA);
    ber_end(b, m);
    m = ber_begin(b, 0x30); /* CardInfoLocator */
    ber_put(b, 0x06, oid_card_info, sizeof(oid_card_info));
    ber_put(b, 0x16, (const uint8_t *)url, sizeof(url) - 1);
    ber_end(b, m);
}

void npa_default_cardaccess(sfc_buf *out, npa_pace_offer offer)
{
    size_t m = ber_begin(out, 0x31);
    card_access_infos(out, offer);
    ber_end(out, m);
}

/* ChipAuthenticationPublicKeyInfo for an EC point. */
static void ca_public_key_info(sfc_buf *b, const uint8_t *pt, size_t n)
{
    size_t m = ber_begin(b, 0x30);
    ber_put(b, 0x06, oid_pk_ecdh, sizeof(oid_pk_ecdh));
    size_t spki = ber_begin(b, 0x30);
    std_dp(b, BRAINPOOL_P256R1_ID);
    size_t bits = ber_begin(b, 0x03);
    buf_put_u8(b, 0x00);
    buf_put(b, pt, n);
    ber_end(b, bits);
    ber_end(b, spki);
    ber_put_u8(b, 0x02, NPA_KEY_CA);
    ber_end(b, m);
}

static void ri_infos(sfc_buf *b)
{
    size_t m = ber_begin(b, 0x30);
    ber_put(b, 0x06, oid_ri_ecdh_sha256, sizeof(oid_ri_ecdh_sha256));
    size_t p = ber_begin(b, 0x30);
    ber_put_u8(b, 0x02, 1);
    ber_put_u8(b, 0x02, NPA_KEY_RI);
    ber_put_u8(b, 0x01, 0x00); /* authorizedOnly FALSE */
    ber_end(b, p);
    ber_end(b, m);
    m = ber_begin(b, 0x30);
    ber_put(b, 0x06, oid_ri_ecdh, sizeof(oid_ri_ecdh));
    std_dp(b, BRAINPOOL_P256R1_ID);
    ber_end(b, m);
}

/* The SET inside EF.CardAccess (its contents, without the SET header). */
static sfc_err access_contents(const sfc_buf *cardaccess, ber_tlv *set)
{
    if (ber_decode(cardaccess->data, cardaccess->len, set) != SFC_OK ||
        set->tag != 0x31)
        return SFC_E_FORMAT;
    return SFC_OK;
}

/* A PACEInfo of Integrated Mapping (id-PACE-DH-IM-* or id-PACE-ECDH-IM-*)? */
static bool im_info(const ber_tlv *info)
{
    ber_tlv oid;
    return info->tag == 0x30 &&
           ber_decode(info->value, info->len, &oid) == SFC_OK &&
           oid.tag == 0x06 && oid.len > sizeof(oid_pace) &&
           memcmp(oid.value, oid_pace, sizeof(oid_pace)) == 0 &&
           (oid.value[sizeof(oid_pace)] == PACE_ARC_DH_IM ||
            oid.value[sizeof(oid_pace)] == PACE_ARC_ECDH_IM);
}

/* EF.CardAccess's infos but those of Integrated Mapping: OpenPACE parses
 * an IM PACEInfo only in its TR-03110 v2.01 mode, and its CA_get_pubkey()
 * (npa-tool's and every OpenPACE terminal's Chip Authentication) parses
 * EF.CardSecurity in v2.02 mode, so one would make CA fail. */
static void copy_infos(sfc_buf *out, const uint8_t *v, size_t n)
{
    ber_iter it;
    ber_tlv t;
    sfc_err rv;
    size_t start = out->len;
    ber_iter_init(&it, v, n, false);
    while ((rv = ber_iter_next(&it, &t)) == SFC_OK)
        if (!im_info(&t))
            buf_put(out, t.value - (t.size - t.len), t.size);
    if (rv != SFC_E_END) { /* not a list of TLVs: copied as given */
        out->len = start;
        buf_put(out, v, n);
    }
}

static sfc_err security_infos(const sfc_buf *cardaccess, EVP_PKEY *ca,
                              sfc_buf *out)
{
    ber_tlv set;
    uint8_t pt[133];
    size_t n = 0;
    if (access_contents(cardaccess, &set) != SFC_OK)
        return SFC_E_FORMAT;
    if (EVP_PKEY_get_octet_string_param(ca, OSSL_PKEY_PARAM_ENCODED_PUBLIC_KEY,
                                        pt, sizeof(pt), &n) != 1)
        return SFC_E_IO;
    size_t m = ber_begin(out, 0x31);
    copy_infos(out, set.value, set.len);
    ca_public_key_info(out, pt, n);
    ri_infos(out);
    return ber_end(out, m) && !out->failed ? SFC_OK : SFC_E_NOMEM;
}

/* ---- keys ------------------------------------------------------------------ */

/* A brainpoolP256r1 key from a raw private scalar (vicc's --ca-key). */
static EVP_PKEY *ec_from_scalar(const uint8_t *d, size_t n)
{
    EC_GROUP *g = EC_GROUP_new_by_curve_name(NID_brainpoolP256r1);
    BIGNUM *priv = BN_bin2bn(d, (int)n, NULL);
    EC_POINT *pub = g ? EC_POINT_new(g) : NULL;
    OSSL_PARAM_BLD *bld = OSSL_PARAM_BLD_new();
    OSSL_PARAM *params = NULL;
    EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new_from_name(NULL, "EC", NULL);
    EVP_PKEY *key = NULL;
    uint8_t pt[65];
    bool ok = g && priv && pub && bld && ctx && !BN_is_zero(priv) &&
              BN_cmp(priv, EC_GROUP_get0_order(g)) < 0 &&
              EC_POINT_mul(g, pub, priv, NULL, NULL, NULL) == 1 &&
              EC_POINT_point2oct(g, pub, POINT_CONVERSION_UNCOMPRESSED, pt,
                                 sizeof(pt), NULL) == sizeof(pt) &&
              OSSL_PARAM_BLD_push_utf8_string(bld, OSSL_PKEY_PARAM_GROUP_NAME,
                                              "brainpoolP256r1", 0) &&
              OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_PRIV_KEY, priv) &&
              OSSL_PARAM_BLD_push_octet_string(bld, OSSL_PKEY_PARAM_PUB_KEY, pt,
                                               sizeof(pt)) &&
              (params = OSSL_PARAM_BLD_to_param(bld)) != NULL &&
              EVP_PKEY_fromdata_init(ctx) == 1 &&
              EVP_PKEY_fromdata(ctx, &key, EVP_PKEY_KEYPAIR, params) == 1;
    OSSL_PARAM_free(params);
    OSSL_PARAM_BLD_free(bld);
    EVP_PKEY_CTX_free(ctx);
    EC_POINT_free(pub);
    BN_clear_free(priv);
    EC_GROUP_free(g);
    if (!ok) {
        EVP_PKEY_free(key);
        return NULL;
    }
    return key;
}

/* With a given EF.CardSecurity (`strict` false) a CA key of another kind
 * (vicc's DH example) is kept raw by the caller and not put in the store. */
static sfc_err chip_keys(sfc_card *card, const sfc_buf *ca_key, bool strict,
                         EVP_PKEY **ca, char *err, size_t errlen)
{
    EVP_PKEY *ri = NULL;
    if (ca_key && ca_key->len) {
        *ca = ec_from_scalar(ca_key->data, ca_key->len);
        if (!*ca && !strict)
            return sfc_pkey_generate_ec(SFC_CURVE_BP256R1, &ri) == SFC_OK &&
                           sfc_key_put_pkey(card, NPA_KEY_RI, ri, 0xFF) ==
                               SFC_OK
                       ? SFC_OK
                       : SFC_E_IO;
        if (!*ca) {
            sfc_errf(err, errlen,
                     "ca-key: not a brainpoolP256r1 private "
                     "scalar (vicc's raw format, 32 bytes); give "
                     "ef-cardsecurity too for other keys");
            return SFC_E_FORMAT;
        }
    } else if (sfc_pkey_generate_ec(SFC_CURVE_BP256R1, ca) != SFC_OK) {
        sfc_errf(err, errlen, "cannot generate the Chip Authentication key");
        return SFC_E_IO;
    }
    if (sfc_pkey_generate_ec(SFC_CURVE_BP256R1, &ri) != SFC_OK) {
        sfc_errf(err, errlen,
                 "cannot generate the Restricted "
                 "Identification key");
        return SFC_E_IO;
    }
    EVP_PKEY_up_ref(*ca);
    if (sfc_key_put_pkey(card, NPA_KEY_CA, *ca, 0xFF) != SFC_OK ||
        sfc_key_put_pkey(card, NPA_KEY_RI, ri, 0xFF) != SFC_OK) {
        sfc_errf(err, errlen, "the chip's keys do not fit the key store");
        return SFC_E_RANGE;
    }
    return SFC_OK;
}

/* ---- the test CSCA and Document Signer ------------------------------------ */

/* The test CSCA (ca) and its Document Signer (cert). */
typedef sfc_cert_signer signer;

/* A test certificate of the nPA's PKI (C=DE, no O). */
static X509 *make_cert(const char *cn, EVP_PKEY *key, X509 *issuer,
                       EVP_PKEY *issuer_key, long serial)
{
    sfc_cert_spec spec = {"DE", NULL, cn, issuer == NULL, CERT_DAYS, serial};
    return sfc_cert_issue(&spec, key, issuer, issuer_key);
}

static bool make_signer(signer *s)
{
    return sfc_pkey_generate_ec(SFC_CURVE_P256, &s->ca_key) == SFC_OK &&
           (s->ca = make_cert("softcard test CSCA", s->ca_key, NULL,
                              s->ca_key, 1)) != NULL &&
           sfc_pkey_generate_ec(SFC_CURVE_P256, &s->key) == SFC_OK &&
           (s->cert = make_cert("softcard test Document Signer", s->key,
                                s->ca, s->ca_key, 2)) != NULL;
}

sfc_err npa_pki_build(sfc_card *card, const sfc_buf *cardaccess,
                      const sfc_buf *ca_key, sfc_buf *cardsecurity,
                      sfc_buf *csca_out, char *err, size_t errlen)
{
    EVP_PKEY *ca = NULL;
    signer s = {0};
    sfc_buf infos;
    buf_init(&infos);
    sfc_err rv =
        chip_keys(card, ca_key, cardsecurity != NULL, &ca, err, errlen);
    if (rv == SFC_OK && !cardsecurity) {
        EVP_PKEY_free(ca);
        return SFC_OK; /* EF.CardSecurity given: keys only */
    }
    if (rv == SFC_OK && security_infos(cardaccess, ca, &infos) != SFC_OK) {
        sfc_errf(err, errlen, "ef-cardaccess: not a SET of SecurityInfos");
        rv = SFC_E_FORMAT;
    }
    if (rv == SFC_OK &&
        (!make_signer(&s) ||
         sfc_cms_sign(s.cert, s.key, "0.4.0.127.0.7.3.2.1", infos.data,
                      infos.len, cardsecurity) != SFC_OK ||
         (csca_out && !sfc_cert_pem(s.ca, csca_out)))) {
        sfc_errf(err, errlen,
                 "EF.CardSecurity: cannot create the test CSCA, "
                 "Document Signer or signature (OpenSSL)");
        rv = SFC_E_IO;
    }
    EVP_PKEY_free(ca);
    sfc_cert_signer_free(&s);
    buf_free(&infos);
    return rv;
}

/* ---- eSign: the signature key and its certificate ---------------------------- */

/* A private key in PEM or DER (PKCS#8 or traditional), EC only. */
static EVP_PKEY *esign_key_parse(const sfc_buf *in)
{
    BIO *bio = BIO_new_mem_buf(in->data, (int)in->len);
    EVP_PKEY *k = bio ? PEM_read_bio_PrivateKey(bio, NULL, NULL, NULL) : NULL;
    BIO_free(bio);
    if (!k) {
        const unsigned char *p = in->data;
        k = d2i_AutoPrivateKey(NULL, &p, (long)in->len);
    }
    if (k && EVP_PKEY_get_base_id(k) != EVP_PKEY_EC) {
        EVP_PKEY_free(k);
        k = NULL;
    }
    return k;
}

/* A test eSign CA (P-256) and the holder's certificate for `key`. */
static bool esign_certs(EVP_PKEY *key, sfc_buf *cert, sfc_buf *ca_cert)
{
    EVP_PKEY *ca_key = NULL;
    X509 *ca = NULL, *x = NULL;
    bool ok = sfc_pkey_generate_ec(SFC_CURVE_P256, &ca_key) == SFC_OK &&
              (ca = make_cert("softcard test eSign CA", ca_key, NULL, ca_key,
                              1)) != NULL &&
              (x = make_cert("ERIKA MUSTERMANN", key, ca, ca_key, 2)) != NULL &&
              (cert->len || sfc_cert_der(x, cert)) &&
              (ca_cert->len || sfc_cert_der(ca, ca_cert));
    X509_free(x);
    X509_free(ca);
    EVP_PKEY_free(ca_key);
    return ok;
}

/* A given certificate (DER or PEM) must carry the given key. */
static bool esign_cert_matches(const sfc_buf *cert, EVP_PKEY *k)
{
    const unsigned char *p = cert->data;
    X509 *x = d2i_X509(NULL, &p, (long)cert->len);
    if (!x) {
        BIO *bio = BIO_new_mem_buf(cert->data, (int)cert->len);
        x = bio ? PEM_read_bio_X509(bio, NULL, NULL, NULL) : NULL;
        BIO_free(bio);
    }
    bool ok = x && X509_check_private_key(x, k) == 1;
    X509_free(x);
    return ok;
}

static sfc_err esign_key(const sfc_buf *key_in, const sfc_buf *cert,
                         EVP_PKEY **k, char *err, size_t errlen)
{
    if (key_in->len && !(*k = esign_key_parse(key_in))) {
        sfc_errf(err, errlen, "esign-key: not an EC private key (PEM or DER)");
        return SFC_E_FORMAT;
    }
    if (*k && cert->len && !esign_cert_matches(cert, *k)) {
        sfc_errf(err, errlen,
                 "esign-cert: not an X.509 certificate of the "
                 "esign-key");
        return SFC_E_FORMAT;
    }
    if (!*k && sfc_pkey_generate_ec(SFC_CURVE_P256, k) != SFC_OK) {
        sfc_errf(err, errlen, "cannot generate the eSign key");
        return SFC_E_IO;
    }
    return SFC_OK;
}

sfc_err npa_esign_build(sfc_card *card, const sfc_buf *key_in, sfc_buf *cert,
                        sfc_buf *ca_cert, char *err, size_t errlen)
{
    EVP_PKEY *k = NULL;
    sfc_err rv = esign_key(key_in, cert, &k, err, errlen);
    if (rv != SFC_OK) {
        EVP_PKEY_free(k);
        return rv;
    }
    bool ok = (cert->len && ca_cert->len) || esign_certs(k, cert, ca_cert);
    if (!ok || sfc_key_put_pkey(card, NPA_KEY_ESIGN, k, 0xFF) != SFC_OK) {
        EVP_PKEY_free(k);
        sfc_errf(err, errlen,
                 "eSign: cannot create the test eSign CA and "
                 "certificate, or store the key");
        return SFC_E_IO;
    }
    return SFC_OK;
}
