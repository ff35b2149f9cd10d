/* SPDX-License-Identifier: LGPL-2.1-or-later */
/**
 * @file pso.c
 * @brief PERFORM SECURITY OPERATION (2A, ISO/IEC 7816-8) with the keys the
 *        current security environment names.
 *
 * P1-P2 selects the operation:
 *   9080 / 90A0  HASH (plain data, or data in DO 80) with the HT mechanism
 *   9E9A         COMPUTE DIGITAL SIGNATURE of the input (see algref.h for
 *                what each mechanism expects: a hash, a DigestInfo, ...)
 *   9EAC         ... of DOs: the hash in DO 90, else the concatenated values
 *   9EBC         ... of the result of the last HASH
 *   00A8         VERIFY DIGITAL SIGNATURE: DO 9E signature, DO 90 hash or
 *                DO 80 data (hashed with the mechanism's hash)
 *   00AE / 00BE  VERIFY CERTIFICATE: an X.509 certificate (DER) signed by
 *                the DST's public key
 *   8E80         COMPUTE CRYPTOGRAPHIC CHECKSUM with the CCT key
 *   00A2         VERIFY CRYPTOGRAPHIC CHECKSUM: DO 80 data, DO 8E checksum
 *   8680 / 8280  ENCIPHER: answer with / without the padding-indicator byte
 *   8086 / 8082  DECIPHER: input with / without the padding-indicator byte
 *                (RSA private key, symmetric key, or ECDH with an EC key:
 *                the input is the peer's point, bare or in A6/7F49/86)
 * Anything else is 6A86 (the reference crashed on unknown P1-P2). A missing
 * environment is 6985, a missing key 6A88, a key the operation cannot use
 * 6985, an unmet key condition 6982, a failed verification 6300.
 */
#include "os/card.h"

#include <string.h>

#include <openssl/x509.h>

#include "os/access.h"
#include "os/algref.h"
#include "os/iso.h"
#include "os/keys.h"
#include "core/sw.h"
#include "core/tlv.h"
#include "crypto/pkey.h"
#include "crypto/sym.h"

#define PI_NONE 0x00  /* padding indicator: no further indication */
#define PI_ISO 0x01   /* ISO/IEC 9797-1 method 2 */
#define PI_NOPAD 0x02 /* no padding */

static bool hash_of_nibble(uint8_t nibble, sfc_hash_alg *out)
{
    static const sfc_hash_alg map[] = {SFC_HASH_SHA1, SFC_HASH_SHA224,
                                      SFC_HASH_SHA256, SFC_HASH_SHA384,
                                      SFC_HASH_SHA512};
    if (nibble >= sizeof(map) / sizeof(map[0]))
        return false;
    *out = map[nibble];
    return true;
}

/* The key a CRT names, with its use condition checked. */
static uint16_t crt_key(sfc_card *card, const sfc_crt *crt, sfc_key **out)
{
    if (!crt->set || !crt->has_key)
        return SW_CONDITIONS;
    *out = crt->key_id_len == 1 ? sfc_key_find(card, crt->key_ref) : NULL;
    if (!*out)
        return SW_REF_NOT_FOUND;
    return sfc_access_key(card, *out);
}

static bool is_asymmetric(const sfc_key *k)
{
    return k->kind == SFC_KEY_RSA || k->kind == SFC_KEY_EC;
}

/* ---- HASH ------------------------------------------------------------------ */

static sfc_hash_alg ht_hash(const sfc_card *card)
{
    sfc_hash_alg h = SFC_HASH_SHA256;
    const sfc_crt *ht = &card->se.ht;
    if (ht->set && ht->has_alg && (ht->alg & 0xF0) == ALG_SHA)
        hash_of_nibble(ht->alg & 0x0F, &h);
    return h;
}

static uint16_t pso_hash(sfc_card *card, const sfc_cmd *cmd, sfc_resp *resp)
{
    const sfc_crt *ht = &card->se.ht;
    if (ht->set && ht->has_alg &&
        ((ht->alg & 0xF0) != ALG_SHA || (ht->alg & 0x0F) > 4))
        return SW_CONDITIONS;
    const uint8_t *data = cmd->data;
    size_t len = cmd->nc;
    ber_tlv t;
    if (cmd->p2 == 0xA0) {
        if (ber_find(cmd->data, cmd->nc, 0x80, &t) != SFC_OK)
            return SW_WRONG_DATA;
        data = t.value;
        len = t.len;
    }
    sfc_hash_alg h = ht_hash(card);
    if (sfc_hash(h, data, len, card->last_hash) != SFC_OK)
        return SW_UNKNOWN;
    card->last_hash_len = sfc_hash_size(h);
    buf_put(&resp->data, card->last_hash, card->last_hash_len);
    return SW_OK;
}

/* ---- signatures -------------------------------------------------------------- */

typedef struct sig_mech {
    sfc_sig_scheme scheme;
    sfc_hash_alg hash;
    bool input_is_hash; /* input length must equal the hash length */
} sig_mech;

static uint16_t signature_mechanism(const sfc_key *k, const sfc_crt *dst,
                                    sig_mech *m)
{
    bool rsa = k->kind == SFC_KEY_RSA;
    m->hash = SFC_HASH_SHA256;
    m->input_is_hash = false;
    if (!dst->has_alg) {
        m->scheme = rsa ? SFC_SIG_RSA_PKCS1_RAW : SFC_SIG_ECDSA;
        return SW_OK;
    }
    uint8_t a = dst->alg, family = a & 0xF0;
    if (rsa && a == ALG_RSA_RAW)
        m->scheme = SFC_SIG_RSA_RAW;
    else if (rsa && a == ALG_RSA_PKCS1_DI)
        m->scheme = SFC_SIG_RSA_PKCS1_RAW;
    else if (!rsa && a == ALG_ECDSA_ANY)
        m->scheme = SFC_SIG_ECDSA;
    else if ((rsa && (family == ALG_RSA_PKCS1_SHA || family == ALG_RSA_PSS_SHA)) ||
             (!rsa && family == ALG_ECDSA_SHA)) {
        if (!hash_of_nibble(a & 0x0F, &m->hash))
            return SW_CONDITIONS;
        m->scheme = family == ALG_RSA_PKCS1_SHA ? SFC_SIG_RSA_PKCS1
                    : family == ALG_RSA_PSS_SHA ? SFC_SIG_RSA_PSS
                                                : SFC_SIG_ECDSA;
        m->input_is_hash = true;
    } else {
        return SW_CONDITIONS;
    }
    return SW_OK;
}

static uint16_t sign_input(sfc_card *card, const uint8_t *in, size_t len,
                           sfc_resp *resp)
{
    sfc_key *k;
    uint16_t sw = crt_key(card, &card->se.dst, &k);
    if (sw != SW_OK)
        return sw;
    if (!is_asymmetric(k) || !sfc_pkey_has_private(k->pkey))
        return SW_CONDITIONS;
    sig_mech m;
    if ((sw = signature_mechanism(k, &card->se.dst, &m)) != SW_OK)
        return sw;
    if (len == 0 || (m.input_is_hash && len != sfc_hash_size(m.hash)))
        return SW_WRONG_LENGTH;
    sfc_err rv = sfc_pkey_sign(k->pkey, m.scheme, m.hash, in, len, &resp->data);
    return rv == SFC_OK ? SW_OK : SW_WRONG_DATA;
}

/* 9EAC: the hash in DO 90, else the concatenated values, hashed if the
 * mechanism signs a hash. */
static uint16_t sign_data_objects(sfc_card *card, const sfc_cmd *cmd,
                                  sfc_resp *resp)
{
    ber_tlv t;
    if (ber_find(cmd->data, cmd->nc, 0x90, &t) == SFC_OK)
        return sign_input(card, t.value, t.len, resp);
    sfc_buf values;
    buf_init(&values);
    ber_iter it;
    ber_iter_init(&it, cmd->data, cmd->nc, false);
    sfc_err rv;
    while ((rv = ber_iter_next(&it, &t)) == SFC_OK)
        buf_put(&values, t.value, t.len);
    uint16_t sw = SW_WRONG_DATA;
    sfc_key *k;
    sig_mech m;
    if (rv == SFC_E_END && !values.failed &&
        (sw = crt_key(card, &card->se.dst, &k)) == SW_OK &&
        is_asymmetric(k) &&
        (sw = signature_mechanism(k, &card->se.dst, &m)) == SW_OK) {
        uint8_t h[SFC_HASH_MAX];
        if (m.input_is_hash && sfc_hash(m.hash, values.data, values.len, h) == SFC_OK)
            sw = sign_input(card, h, sfc_hash_size(m.hash), resp);
        else
            sw = sign_input(card, values.data, values.len, resp);
    } else if (sw == SW_OK) {
        sw = SW_CONDITIONS;
    }
    buf_free(&values);
    return sw;
}

static uint16_t pso_sign(sfc_card *card, const sfc_cmd *cmd, sfc_resp *resp)
{
    switch (cmd->p2) {
    case 0x9A:
        return sign_input(card, cmd->data, cmd->nc, resp);
    case 0xAC:
        return sign_data_objects(card, cmd, resp);
    default: /* 0xBC */
        if (card->last_hash_len == 0)
            return SW_CONDITIONS;
        return sign_input(card, card->last_hash, card->last_hash_len, resp);
    }
}

static uint16_t verify_key(sfc_card *card, sfc_key **k)
{
    uint16_t sw = crt_key(card, &card->se.dst, k);
    if (sw != SW_OK)
        return sw;
    return is_asymmetric(*k) ? SW_OK : SW_CONDITIONS;
}

static uint16_t pso_verify_signature(sfc_card *card, const sfc_cmd *cmd)
{
    sfc_key *k;
    uint16_t sw = verify_key(card, &k);
    sig_mech m;
    if (sw != SW_OK || (sw = signature_mechanism(k, &card->se.dst, &m)) != SW_OK)
        return sw;
    ber_tlv sig, input;
    if (ber_find(cmd->data, cmd->nc, 0x9E, &sig) != SFC_OK)
        return SW_WRONG_DATA;
    uint8_t h[SFC_HASH_MAX];
    const uint8_t *in;
    size_t len;
    if (ber_find(cmd->data, cmd->nc, 0x90, &input) == SFC_OK) {
        in = input.value;
        len = input.len;
    } else if (ber_find(cmd->data, cmd->nc, 0x80, &input) == SFC_OK) {
        in = input.value;
        len = input.len;
        if (m.input_is_hash) {
            if (sfc_hash(m.hash, input.value, input.len, h) != SFC_OK)
                return SW_UNKNOWN;
            in = h;
            len = sfc_hash_size(m.hash);
        }
    } else {
        return SW_WRONG_DATA;
    }
    sfc_err rv = sfc_pkey_verify(k->pkey, m.scheme, m.hash, in, len, sig.value,
                               sig.len);
    return rv == SFC_OK ? SW_OK : SW_WARN_CHANGED;
}

static uint16_t pso_verify_certificate(sfc_card *card, const sfc_cmd *cmd)
{
    sfc_key *k;
    uint16_t sw = verify_key(card, &k);
    if (sw != SW_OK)
        return sw;
    const unsigned char *p = cmd->data;
    X509 *cert = d2i_X509(NULL, &p, (long)cmd->nc);
    if (!cert || p != cmd->data + cmd->nc) {
        X509_free(cert);
        return SW_WRONG_DATA;
    }
    int ok = X509_verify(cert, k->pkey);
    X509_free(cert);
    return ok == 1 ? SW_OK : SW_WARN_CHANGED;
}

/* ---- checksums ---------------------------------------------------------------- */

static uint16_t checksum(sfc_card *card, const uint8_t *in, size_t len,
                         uint8_t out[8])
{
    sfc_key *k;
    uint16_t sw = crt_key(card, &card->se.cct, &k);
    if (sw != SW_OK)
        return sw;
    const sfc_crt *cct = &card->se.cct;
    uint8_t alg = cct->has_alg ? cct->alg
                  : k->kind == SFC_KEY_AES ? ALG_MAC_CMAC : ALG_MAC_RETAIL;
    if (alg == ALG_MAC_CMAC && k->kind == SFC_KEY_AES) {
        uint8_t mac[16];
        if (sfc_mac_cmac_aes(k->secret, k->secret_len, in, len, mac) != SFC_OK)
            return SW_UNKNOWN;
        memcpy(out, mac, 8);
        return SW_OK;
    }
    if (alg != ALG_MAC_RETAIL || k->kind != SFC_KEY_DES3 || len > SFC_RESP_MAX)
        return SW_CONDITIONS;
    sfc_buf padded;
    buf_init(&padded);
    sw = SW_UNKNOWN;
    if (buf_reserve(&padded, len + 8)) {
        size_t n = sfc_pad_iso(in, len, 8, padded.data);
        if (sfc_mac_retail(k->secret, padded.data, n, out) == SFC_OK)
            sw = SW_OK;
    }
    buf_free(&padded);
    return sw;
}

static uint16_t pso_compute_checksum(sfc_card *card, const sfc_cmd *cmd,
                                     sfc_resp *resp)
{
    uint8_t mac[8];
    uint16_t sw = checksum(card, cmd->data, cmd->nc, mac);
    if (sw == SW_OK)
        buf_put(&resp->data, mac, sizeof(mac));
    return sw;
}

static uint16_t pso_verify_checksum(sfc_card *card, const sfc_cmd *cmd)
{
    ber_tlv data, cc;
    if (ber_find(cmd->data, cmd->nc, 0x80, &data) != SFC_OK ||
        ber_find(cmd->data, cmd->nc, 0x8E, &cc) != SFC_OK)
        return SW_WRONG_DATA;
    uint8_t mac[8];
    uint16_t sw = checksum(card, data.value, data.len, mac);
    if (sw != SW_OK)
        return sw;
    return cc.len == sizeof(mac) && sfc_ct_equal(mac, cc.value, sizeof(mac))
               ? SW_OK
               : SW_WARN_CHANGED;
}

/* ---- enciphering ---------------------------------------------------------------- */

typedef struct sym_mech {
    sfc_cipher_alg alg;
    sfc_cipher_mode mode;
} sym_mech;

static uint16_t symmetric_mechanism(const sfc_key *k, const sfc_crt *ct,
                                    sym_mech *m)
{
    m->alg = k->kind == SFC_KEY_AES ? SFC_CIPHER_AES : SFC_CIPHER_DES3;
    m->mode = SFC_MODE_CBC;
    if (!ct->has_alg)
        return SW_OK;
    bool aes = ct->alg == ALG_AES_CBC || ct->alg == ALG_AES_ECB;
    bool des = ct->alg == ALG_DES3_CBC || ct->alg == ALG_DES3_ECB;
    if ((aes && k->kind != SFC_KEY_AES) || (des && k->kind != SFC_KEY_DES3) ||
        (!aes && !des))
        return SW_CONDITIONS;
    m->mode = (ct->alg == ALG_AES_ECB || ct->alg == ALG_DES3_ECB) ? SFC_MODE_ECB
                                                                    : SFC_MODE_CBC;
    return SW_OK;
}

static uint16_t sym_crypt(const sfc_key *k, const sfc_crt *ct, bool encrypt,
                          const uint8_t *in, size_t len, uint8_t *out)
{
    sym_mech m;
    uint16_t sw = symmetric_mechanism(k, ct, &m);
    if (sw != SW_OK)
        return sw;
    const uint8_t *iv = ct->iv_len == sfc_cipher_block(m.alg) ? ct->iv : NULL;
    sfc_err rv = sfc_cipher(m.alg, m.mode, encrypt, k->secret, k->secret_len, iv,
                          in, len, out);
    return rv == SFC_OK ? SW_OK : rv == SFC_E_RANGE ? SW_WRONG_LENGTH : SW_UNKNOWN;
}

static bool rsa_scheme(const sfc_crt *ct, sfc_dec_scheme *s, sfc_hash_alg *h)
{
    *h = SFC_HASH_SHA1;
    if (!ct->has_alg || ct->alg == ALG_RSA_DEC_PKCS1)
        *s = SFC_DEC_RSA_PKCS1;
    else if (ct->alg == ALG_RSA_DEC_OAEP_SHA1)
        *s = SFC_DEC_RSA_OAEP;
    else if (ct->alg == ALG_RSA_DEC_OAEP_SHA256) {
        *s = SFC_DEC_RSA_OAEP;
        *h = SFC_HASH_SHA256;
    } else if (ct->alg == ALG_RSA_DEC_RAW)
        *s = SFC_DEC_RSA_RAW;
    else
        return false;
    return true;
}

static uint16_t pso_encipher(sfc_card *card, const sfc_cmd *cmd, sfc_resp *resp)
{
    sfc_key *k;
    uint16_t sw = crt_key(card, &card->se.ct, &k);
    if (sw != SW_OK)
        return sw;
    if (cmd->nc == 0)
        return SW_WRONG_LENGTH;
    bool with_pi = cmd->p1 == 0x86;
    if (k->kind == SFC_KEY_RSA) {
        sfc_dec_scheme s;
        sfc_hash_alg h;
        if (!rsa_scheme(&card->se.ct, &s, &h))
            return SW_CONDITIONS;
        if (with_pi)
            buf_put_u8(&resp->data, PI_NONE);
        return sfc_pkey_encrypt(k->pkey, s, h, cmd->data, cmd->nc,
                               &resp->data) == SFC_OK ? SW_OK : SW_WRONG_DATA;
    }
    if (k->kind == SFC_KEY_EC)
        return SW_CONDITIONS;
    size_t bs = k->kind == SFC_KEY_AES ? 16 : 8;
    if (cmd->nc > SFC_RESP_MAX - bs - 1 || !buf_reserve(&resp->data, cmd->nc + bs + 1))
        return SW_WRONG_LENGTH;
    if (with_pi)
        buf_put_u8(&resp->data, PI_ISO);
    uint8_t *out = resp->data.data + resp->data.len;
    size_t n = sfc_pad_iso(cmd->data, cmd->nc, bs, out);
    if ((sw = sym_crypt(k, &card->se.ct, true, out, n, out)) != SW_OK)
        return sw;
    resp->data.len += n;
    return SW_OK;
}

/* The peer point of an ECDH: bare (04 x y) or in A6 { 7F49 { 86 point } }. */
static bool ecdh_point(const uint8_t *in, size_t len, const uint8_t **p,
                       size_t *plen)
{
    static const uint32_t path[] = {0xA6, 0x7F49, 0x86};
    ber_tlv t;
    if (len && in[0] == 0x04) {
        *p = in;
        *plen = len;
        return true;
    }
    if (ber_find_path(in, len, path, 3, &t) != SFC_OK)
        return false;
    *p = t.value;
    *plen = t.len;
    return true;
}

static uint16_t decipher_asymmetric(const sfc_card *card, const sfc_key *k,
                                    const uint8_t *in, size_t len,
                                    sfc_resp *resp)
{
    if (!sfc_pkey_has_private(k->pkey))
        return SW_CONDITIONS;
    if (k->kind == SFC_KEY_EC) {
        const uint8_t *p;
        size_t plen;
        if (!ecdh_point(in, len, &p, &plen))
            return SW_WRONG_DATA;
        return sfc_pkey_ecdh(k->pkey, p, plen, &resp->data) == SFC_OK
                   ? SW_OK : SW_WRONG_DATA;
    }
    sfc_dec_scheme s;
    sfc_hash_alg h;
    if (!rsa_scheme(&card->se.ct, &s, &h))
        return SW_CONDITIONS;
    return sfc_pkey_decrypt(k->pkey, s, h, in, len, &resp->data) == SFC_OK
               ? SW_OK : SW_WRONG_DATA;
}

static uint16_t decipher_symmetric(const sfc_card *card, const sfc_key *k,
                                   uint8_t pi, const uint8_t *in, size_t len,
                                   sfc_resp *resp)
{
    size_t bs = k->kind == SFC_KEY_AES ? 16 : 8;
    if (len == 0 || len % bs || !buf_reserve(&resp->data, len))
        return SW_WRONG_LENGTH;
    uint8_t *out = resp->data.data + resp->data.len;
    uint16_t sw = sym_crypt(k, &card->se.ct, false, in, len, out);
    if (sw != SW_OK)
        return sw;
    size_t n = len;
    if (pi == PI_ISO && (n = sfc_unpad_iso(out, len, bs)) == SIZE_MAX) {
        sfc_wipe(out, len);
        return SW_WRONG_DATA;
    }
    resp->data.len += n;
    return SW_OK;
}

static uint16_t pso_decipher(sfc_card *card, const sfc_cmd *cmd, sfc_resp *resp)
{
    sfc_key *k;
    uint16_t sw = crt_key(card, &card->se.ct, &k);
    if (sw == SW_CONDITIONS && card->se.kat.set)
        sw = crt_key(card, &card->se.kat, &k); /* ECDH named in a KAT */
    if (sw != SW_OK)
        return sw;
    const uint8_t *in = cmd->data;
    size_t len = cmd->nc;
    uint8_t pi = PI_NOPAD;
    if (cmd->p2 == 0x86) {
        if (len < 1)
            return SW_WRONG_LENGTH;
        pi = in[0];
        in++;
        len--;
        if (pi != PI_NONE && pi != PI_ISO && pi != PI_NOPAD)
            return SW_WRONG_DATA;
    }
    if (is_asymmetric(k))
        return decipher_asymmetric(card, k, in, len, resp);
    return decipher_symmetric(card, k, pi, in, len, resp);
}

/* ---- dispatch ------------------------------------------------------------------ */

uint16_t iso_perform_security_operation(sfc_card *card, const sfc_cmd *cmd,
                                        sfc_resp *resp)
{
    switch ((unsigned)cmd->p1 << 8 | cmd->p2) {
    case 0x9080: case 0x90A0: return pso_hash(card, cmd, resp);
    case 0x9E9A: case 0x9EAC: case 0x9EBC: return pso_sign(card, cmd, resp);
    case 0x00A8: return pso_verify_signature(card, cmd);
    case 0x00AE: case 0x00BE: return pso_verify_certificate(card, cmd);
    case 0x8E80: return pso_compute_checksum(card, cmd, resp);
    case 0x00A2: return pso_verify_checksum(card, cmd);
    case 0x8680: case 0x8280: return pso_encipher(card, cmd, resp);
    case 0x8086: case 0x8082: return pso_decipher(card, cmd, resp);
    default: return SW_WRONG_P1P2;
    }
}
