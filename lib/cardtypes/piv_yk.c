/* SPDX-License-Identifier: LGPL-2.1-or-later */
/**
 * @file piv_yk.c
 * @brief Yubico's PIV extensions that yubico-piv-tool uses: GET VERSION
 *        (FD), GET SERIAL (F8), SET MANAGEMENT KEY (FF) and ATTEST (F9),
 *        and the attestation key made at personalisation.
 *
 *   00 FD 00 00         -> 05 04 03 (the version yubico-piv-tool >= 2.3
 *                          requires; no YubiKey is claimed elsewhere)
 *   00 F8 00 00         -> the 4-byte serial number
 *   00 FF FF FF|FE  alg 9B L key    (management key needed; 3DES 24 bytes,
 *                          AES 16/24/32; FE, "touch", is accepted as FF)
 *   00 F9 slot 00       -> an X.509 certificate of the slot's public key,
 *                          signed by the attestation key F9, issued by the
 *                          subject of the certificate in 5FFF01, with
 *                          Yubico's extensions 1.3.6.1.4.1.41482.3.3
 *                          (version), .7 (serial) and .8 (PIN and touch
 *                          policy). Only for generated keys (6A80 else).
 * The attestation key is an EC P-256 key with a self-signed certificate
 * "CN=softcard PIV Attestation", valid 2020..2049.
 */
#include "cardtypes/piv.h"

#include <openssl/asn1.h>
#include <openssl/evp.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>
#include <stdio.h>
#include <string.h>

#include "core/sw.h"
#include "core/tlv.h"
#include "crypto/pkey.h"
#include "os/dataobj.h"

uint16_t piv_get_version(sfc_card *card, const sfc_cmd *cmd, sfc_resp *resp)
{
    static const uint8_t v[] = {PIV_VERSION_MAJOR, PIV_VERSION_MINOR,
                                PIV_VERSION_PATCH};
    (void)card;
    if (cmd->nc != 0)
        return SW_WRONG_LENGTH;
    return sfc_resp_put(resp, v, sizeof(v)) ? SW_OK : SW_UNKNOWN;
}

uint16_t piv_get_serial(sfc_card *card, const sfc_cmd *cmd, sfc_resp *resp)
{
    piv_state *st = piv_state_of(card, cmd);
    if (cmd->nc != 0)
        return SW_WRONG_LENGTH;
    return sfc_resp_put(resp, st->serial, 4) ? SW_OK : SW_UNKNOWN;
}

uint16_t piv_set_mgm(sfc_card *card, const sfc_cmd *cmd, sfc_resp *resp)
{
    piv_state *st = piv_state_of(card, cmd);
    (void)resp;
    if (cmd->p1 != 0xFF || (cmd->p2 != 0xFF && cmd->p2 != 0xFE))
        return SW_WRONG_P1P2;
    uint16_t sw = piv_need_mgm(card, cmd);
    if (sw != SW_OK)
        return sw;
    size_t klen = cmd->nc >= 3 ? piv_mgm_key_len(cmd->data[0]) : 0;
    if (!klen || cmd->data[1] != PIV_KEY_MGM || cmd->data[2] != klen ||
        cmd->nc != 3 + klen)
        return SW_WRONG_DATA;
    st->mgm_alg = cmd->data[0];
    st->mgm_len = (uint8_t)klen;
    memcpy(st->mgm_key, cmd->data + 3, klen);
    return SW_OK;
}

/* ---- certificates ---------------------------------------------------------- */

static bool add_ext(X509 *x, const char *oid, const uint8_t *v, size_t len)
{
    ASN1_OBJECT *obj = OBJ_txt2obj(oid, 1);
    ASN1_OCTET_STRING *os = ASN1_OCTET_STRING_new();
    X509_EXTENSION *ext = NULL;
    bool ok = obj && os && ASN1_OCTET_STRING_set(os, v, (int)len) == 1 &&
              (ext = X509_EXTENSION_create_by_OBJ(NULL, obj, 0, os)) &&
              X509_add_ext(x, ext, -1) == 1;
    X509_EXTENSION_free(ext);
    ASN1_OCTET_STRING_free(os);
    ASN1_OBJECT_free(obj);
    return ok;
}

/* Yubico's attestation extensions: version, serial (INTEGER), policies. */
static bool add_yubico_exts(X509 *x, const piv_state *st,
                            const piv_slot *s)
{
    const uint8_t ver[] = {PIV_VERSION_MAJOR, PIV_VERSION_MINOR,
                           PIV_VERSION_PATCH};
    uint8_t pol[2] = {s->pin_policy ? s->pin_policy : PIV_POLICY_ONCE,
                      s->touch_policy ? s->touch_policy : 1};
    uint8_t serial[7] = {0x02, 0x05, 0x00};
    memcpy(serial + 3, st->serial, 4);
    return add_ext(x, "1.3.6.1.4.1.41482.3.3", ver, sizeof(ver)) &&
           add_ext(x, "1.3.6.1.4.1.41482.3.7", serial, sizeof(serial)) &&
           add_ext(x, "1.3.6.1.4.1.41482.3.8", pol, sizeof(pol));
}

static bool set_basics(X509 *x, const uint8_t serial[8], const char *cn,
                       EVP_PKEY *pub)
{
    X509_NAME *name = X509_get_subject_name(x);
    ASN1_INTEGER *sn = X509_get_serialNumber(x);
    BIGNUM *bn = BN_bin2bn(serial, 8, NULL);
    bool ok = bn && BN_to_ASN1_INTEGER(bn, sn) &&
              X509_set_version(x, 2) == 1 &&
              X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC,
                                         (const unsigned char *)cn, -1, -1,
                                         0) == 1 &&
              X509_set_pubkey(x, pub) == 1 &&
              ASN1_TIME_set_string(X509_getm_notBefore(x),
                                   "20200101000000Z") == 1 &&
              ASN1_TIME_set_string(X509_getm_notAfter(x),
                                   "20491231235959Z") == 1;
    BN_free(bn);
    return ok;
}

/* basicConstraints CA:TRUE and keyUsage keyCertSign: the attestation
 * certificate issues the attestations. */
static bool add_ca_exts(X509 *x)
{
    X509_EXTENSION *bc = X509V3_EXT_conf_nid(NULL, NULL, NID_basic_constraints,
                                             "critical,CA:TRUE");
    X509_EXTENSION *ku = X509V3_EXT_conf_nid(NULL, NULL, NID_key_usage,
                                             "critical,keyCertSign");
    bool ok = bc && ku && X509_add_ext(x, bc, -1) == 1 &&
              X509_add_ext(x, ku, -1) == 1;
    X509_EXTENSION_free(bc);
    X509_EXTENSION_free(ku);
    return ok;
}

/* Sign and append the DER certificate. */
static bool finish(X509 *x, EVP_PKEY *signer, sfc_buf *out)
{
    unsigned char *der = NULL;
    int n = X509_sign(x, signer, EVP_sha256()) > 0 ? i2d_X509(x, &der) : -1;
    bool ok = n > 0 && buf_put(out, der, (size_t)n);
    OPENSSL_free(der);
    return ok;
}

/* The attestation certificate of a generated key. */
static bool attest_cert(sfc_card *card, const piv_state *st, uint8_t ref,
                        const X509 *ca, sfc_buf *out)
{
    const piv_slot *s = piv_slot_of((piv_state *)st, ref);
    const piv_slot *f9 = piv_slot_of((piv_state *)st, PIV_KEY_ATTEST);
    char cn[40];
    uint8_t serial[8];
    X509 *x = X509_new();
    snprintf(cn, sizeof(cn), "YubiKey PIV Attestation %02x", ref);
    bool ok = x && sfc_card_random(card, serial, sizeof(serial)) == SFC_OK &&
              set_basics(x, serial, cn, s->pkey) &&
              X509_set_issuer_name(x, X509_get_subject_name(ca)) == 1 &&
              add_yubico_exts(x, st, s) && finish(x, f9->pkey, out);
    X509_free(x);
    return ok;
}

static X509 *attestation_ca(sfc_card *card, const sfc_cmd *cmd)
{
    const sfc_dobj *d = sfc_dobj_find(sfc_app_df(piv_app_of(card, cmd)),
                                      PIV_TAG_ATTEST_CERT, false);
    const uint8_t *p = d ? d->value : NULL;
    ber_tlv t;
    if (!d || ber_find(d->value, d->len, 0x70, &t) != SFC_OK)
        return NULL;
    p = t.value;
    return d2i_X509(NULL, &p, (long)t.len);
}

uint16_t piv_attest(sfc_card *card, const sfc_cmd *cmd, sfc_resp *resp)
{
    piv_state *st = piv_state_of(card, cmd);
    const piv_slot *s = piv_slot_of(st, cmd->p1);
    const piv_slot *f9 = piv_slot_of(st, PIV_KEY_ATTEST);
    if (!s || cmd->p1 == PIV_KEY_ATTEST || cmd->p2 != 0)
        return SW_WRONG_P1P2;
    if (cmd->nc != 0)
        return SW_WRONG_LENGTH;
    if (!s->pkey || s->origin != PIV_ORIGIN_GENERATED || !f9->pkey)
        return SW_WRONG_DATA;
    X509 *ca = attestation_ca(card, cmd);
    bool ok = ca && attest_cert(card, st, cmd->p1, ca, &resp->data);
    X509_free(ca);
    return ok ? SW_OK : SW_WRONG_DATA;
}

/* ---- personalisation ------------------------------------------------------- */

/* 70 cert, 71 00 (not compressed), FE (no LRC): a PIV certificate object. */
static bool wrap_cert(const uint8_t *der, size_t len, sfc_buf *out)
{
    return ber_put(out, 0x70, der, len) && ber_put_u8(out, 0x71, 0) &&
           ber_put(out, 0xFE, NULL, 0);
}

/* A self-signed CA certificate for `key`, as a PIV certificate object. */
static bool self_signed(sfc_card *card, EVP_PKEY *key, sfc_buf *obj)
{
    X509 *x = X509_new();
    uint8_t serial[8];
    sfc_buf der;
    buf_init(&der);
    bool ok = x && sfc_card_random(card, serial, sizeof(serial)) == SFC_OK &&
              set_basics(x, serial, "softcard PIV Attestation", key) &&
              X509_set_issuer_name(x, X509_get_subject_name(x)) == 1 &&
              add_ca_exts(x) && finish(x, key, &der) &&
              wrap_cert(der.data, der.len, obj);
    X509_free(x);
    buf_free(&der);
    return ok;
}

sfc_err piv_make_attestation(sfc_card *card, piv_state *st, sfc_file *df)
{
    EVP_PKEY *key = NULL;
    sfc_buf obj;
    buf_init(&obj);
    bool ok = sfc_pkey_generate_ec(SFC_CURVE_P256, &key) == SFC_OK &&
              self_signed(card, key, &obj) &&
              piv_object_put(card, df, PIV_TAG_ATTEST_CERT, obj.data,
                             obj.len) == SW_OK;
    if (ok)
        piv_slot_set(piv_slot_of(st, PIV_KEY_ATTEST), key, PIV_ALG_ECCP256,
                     PIV_POLICY_NEVER, PIV_POLICY_NEVER,
                     PIV_ORIGIN_GENERATED);
    else
        EVP_PKEY_free(key);
    buf_free(&obj);
    return ok ? SFC_OK : SFC_E_IO;
}
