/* SPDX-License-Identifier: LGPL-2.1-or-later */
/**
 * @file epass_aa.c
 * @brief Active Authentication (ICAO Doc 9303-11 §6.1): the chip proves
 *        it holds the private key whose public key DG15 carries (and
 *        EF.SOD signs), by signing a terminal challenge with INTERNAL
 *        AUTHENTICATE.
 *
 * `0C 88 00 00 ... RND.IFD (8 bytes) ... 00` under secure messaging; the
 * key is the key store's EPASS_AA_KEY_REF with use condition 40 (secure
 * messaging), so sfc_access_key() refuses it (6982) before BAC, like the
 * files.
 *
 * - RSA (2048..4096 bits): ISO/IEC 9796-2 digital signature scheme 1 with
 *   SHA-1 and partial message recovery, as Doc 9303-11 §6.1.2 and App. C
 *   specify. The message representative F = 6A || M1 || SHA-1(M1 || M2) ||
 *   BC is the size of the modulus, where M1 is a nonce of k - 22 bytes from
 *   the card's RNG and M2 the challenge; the chip answers F^d mod n. F is
 *   laid out here (the standard's formatting); the hash and the raw RSA
 *   operation are OpenSSL's (crypto/sym.h, crypto/pkey.h).
 * - ECDSA (P-256, P-384, brainpoolP256r1, brainpoolP384r1): the challenge
 *   hashed with the algorithm DG14's ActiveAuthenticationInfo names (SHA-256
 *   for 256-bit curves, SHA-384 for 384-bit ones) and signed, the signature
 *   in plain format r || s (BSI TR-03111), as §6.1 requires.
 *
 * DG15 is 6F {SubjectPublicKeyInfo}. For ECDSA, DG14 is 6E {SET OF
 * SecurityInfo} with the ActiveAuthenticationInfo {id-icao-mrtd-security-
 * aaProtocolObject 2.23.136.1.1.5, version 1, signatureAlgorithm}.
 */
#include "core/errtext.h"
#include "cardtypes/epass.h"

#include <stdio.h>
#include <string.h>

#include <openssl/x509.h>

#include "os/access.h"
#include "os/keys.h"
#include "core/rng.h"
#include "core/sw.h"
#include "core/tlv.h"
#include "crypto/pkey.h"
#include "crypto/sym.h"

#define AA_CHALLENGE_LEN 8
#define SHA1_LEN 20

/* DER of OBJECT IDENTIFIERs (tag, length, value). */
static const uint8_t oid_aa_protocol[] = {0x06, 0x06, 0x67, 0x81, 0x08,
                                          0x01, 0x01, 0x05};
static const uint8_t oid_ecdsa_sha256[] = {0x06, 0x08, 0x2A, 0x86, 0x48, 0xCE,
                                           0x3D, 0x04, 0x03, 0x02};
static const uint8_t oid_ecdsa_sha384[] = {0x06, 0x08, 0x2A, 0x86, 0x48, 0xCE,
                                           0x3D, 0x04, 0x03, 0x03};

/* SHA-384 for 384-bit curves, SHA-256 otherwise. */
static sfc_hash_alg ecdsa_hash(const sfc_pkey *k)
{
    return sfc_pkey_bits(k) > 256 ? SFC_HASH_SHA384 : SFC_HASH_SHA256;
}

/* ---- INTERNAL AUTHENTICATE ----------------------------------------------- */

/* ISO/IEC 9796-2 scheme 1, SHA-1, partial recovery: F^d mod n. */
static uint16_t sign_rsa(sfc_card *card, const sfc_pkey *k, const uint8_t *m2,
                         sfc_resp *resp)
{
    size_t kbytes = (sfc_pkey_bits(k) + 7) / 8;
    size_t m1_len = kbytes - SHA1_LEN - 2;
    uint8_t f[512], hin[512 + AA_CHALLENGE_LEN];
    if (kbytes > sizeof(f) || kbytes < SHA1_LEN + 2 + AA_CHALLENGE_LEN)
        return SW_UNKNOWN;
    f[0] = 0x6A; /* header: partial recovery, byte-aligned M1 */
    if (sfc_rng_fill(&card->rng, f + 1, m1_len) != SFC_OK)
        return SW_UNKNOWN;
    memcpy(hin, f + 1, m1_len);
    memcpy(hin + m1_len, m2, AA_CHALLENGE_LEN);
    sfc_err rv = sfc_hash(SFC_HASH_SHA1, hin, m1_len + AA_CHALLENGE_LEN,
                        f + 1 + m1_len);
    f[kbytes - 1] = 0xBC; /* trailer: hash implied (SHA-1) */
    if (rv == SFC_OK)
        rv = sfc_pkey_sign(k, SFC_SIG_RSA_RAW, SFC_HASH_SHA1, f, kbytes,
                          &resp->data);
    sfc_wipe(f, sizeof(f));
    sfc_wipe(hin, sizeof(hin));
    return rv == SFC_OK ? SW_OK : SW_UNKNOWN;
}

static uint16_t sign_ecdsa(const sfc_pkey *k, const uint8_t *m2, sfc_resp *resp)
{
    uint8_t h[SFC_HASH_MAX];
    sfc_hash_alg alg = ecdsa_hash(k);
    if (sfc_hash(alg, m2, AA_CHALLENGE_LEN, h) != SFC_OK ||
        sfc_pkey_sign(k, SFC_SIG_ECDSA, alg, h, sfc_hash_size(alg),
                     &resp->data) != SFC_OK)
        return SW_UNKNOWN;
    return SW_OK;
}

uint16_t epass_internal_authenticate(sfc_card *card, const sfc_cmd *cmd,
                                     sfc_resp *resp)
{
    if (cmd->p1 != 0x00 || cmd->p2 != 0x00)
        return SW_WRONG_P1P2;
    if (cmd->nc != AA_CHALLENGE_LEN)
        return SW_WRONG_LENGTH;
    sfc_key *key = sfc_key_find(card, EPASS_AA_KEY_REF);
    if (!key || !key->pkey)
        return SW_INS_NOT_SUPPORTED; /* this passport has no AA */
    uint16_t sw = sfc_access_key(card, key);
    if (sw != SW_OK)
        return sw;
    if (sfc_pkey_is_rsa(key->pkey))
        return sign_rsa(card, key->pkey, cmd->data, resp);
    return sign_ecdsa(key->pkey, cmd->data, resp);
}

/* ---- creation ------------------------------------------------------------ */

static sfc_err aa_error(char *err, size_t errlen, const char *msg)
{
    sfc_errf(err, errlen, "%s", msg);
    return SFC_E_INVAL;
}

/* The key: from PEM, or generated as `alg` says. */
static sfc_err aa_key(const char *alg, const char *pem, size_t pem_len,
                     sfc_pkey **out, char *err, size_t errlen)
{
    if (pem) {
        if (sfc_pkey_from_pem(pem, pem_len, out) != SFC_OK ||
            !sfc_pkey_has_private(*out)) {
            sfc_pkey_free(*out);
            *out = NULL;
            return aa_error(err, errlen, "aa-key: not a PEM private key of "
                            "RSA 2048-4096 or EC P-256, P-384, "
                            "brainpoolP256r1 or brainpoolP384r1");
        }
        if (alg && strcmp(alg, sfc_pkey_is_rsa(*out) ? "rsa" : "ec") != 0) {
            sfc_pkey_free(*out);
            *out = NULL;
            return aa_error(err, errlen, "aa-algorithm: does not match the "
                            "type of aa-key");
        }
        return SFC_OK;
    }
    if (strcmp(alg, "rsa") == 0)
        return sfc_pkey_generate_rsa(2048, out);
    return sfc_pkey_generate_ec(SFC_CURVE_P256, out);
}

/* DG15: 6F {SubjectPublicKeyInfo}. */
static sfc_err put_dg15(const sfc_pkey *k, sfc_buf *dg15)
{
    unsigned char *der = NULL;
    int n = i2d_PUBKEY((EVP_PKEY *)k, &der);
    if (n <= 0)
        return SFC_E_IO;
    bool ok = ber_put(dg15, 0x6F, der, (size_t)n);
    OPENSSL_free(der);
    return ok ? SFC_OK : SFC_E_NOMEM;
}

/* DG14: 6E {SET {SEQUENCE {aaProtocolObject, 1, ecdsa-with-SHAxxx}}}. */
static sfc_err put_dg14(const sfc_pkey *k, sfc_buf *dg14)
{
    bool sha384 = ecdsa_hash(k) == SFC_HASH_SHA384;
    size_t dg = ber_begin(dg14, 0x6E);
    size_t set = ber_begin(dg14, 0x31);
    size_t seq = ber_begin(dg14, 0x30);
    buf_put(dg14, oid_aa_protocol, sizeof(oid_aa_protocol));
    ber_put_u8(dg14, 0x02, 1);
    buf_put(dg14, sha384 ? oid_ecdsa_sha384 : oid_ecdsa_sha256,
            sizeof(oid_ecdsa_sha256));
    bool ok = ber_end(dg14, seq) && ber_end(dg14, set) && ber_end(dg14, dg);
    return ok && !dg14->failed ? SFC_OK : SFC_E_NOMEM;
}

static bool alg_known(const char *alg)
{
    return !alg || strcmp(alg, "none") == 0 || strcmp(alg, "rsa") == 0 ||
           strcmp(alg, "ec") == 0;
}

sfc_err epass_aa_setup(sfc_card *card, const char *alg, const char *key_pem,
                      size_t key_len, sfc_buf *dg14, sfc_buf *dg15, char *err,
                      size_t errlen)
{
    if (!alg_known(alg))
        return aa_error(err, errlen, "aa-algorithm: give none, rsa (RSA "
                        "2048, ISO/IEC 9796-2) or ec (ECDSA P-256)");
    if (alg && strcmp(alg, "none") == 0)
        return key_pem ? aa_error(err, errlen, "aa-key: given with "
                                  "aa-algorithm none") : SFC_OK;
    sfc_pkey *k = NULL;
    sfc_err rv = aa_key(key_pem || alg ? alg : "ec", key_pem, key_len, &k, err,
                       errlen);
    if (rv != SFC_OK)
        return rv;
    rv = put_dg15(k, dg15);
    if (rv == SFC_OK && !sfc_pkey_is_rsa(k))
        rv = put_dg14(k, dg14);
    if (rv == SFC_OK)
        rv = sfc_key_put_pkey(card, EPASS_AA_KEY_REF, k, 0x40);
    if (rv != SFC_OK) {
        sfc_pkey_free(k);
        sfc_errf(err, errlen, "Active Authentication key: %s",
                 sfc_strerror(rv));
    }
    return rv;
}
