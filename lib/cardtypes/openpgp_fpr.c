/* SPDX-License-Identifier: LGPL-2.1-or-later */
/**
 * @file openpgp_fpr.c
 * @brief The OpenPGP v4 fingerprint of a key imported from a file at
 *        personalisation (RFC 4880 §12.2): what GnuPG computes for the
 *        same key and creation time, so that C7..C9 and CE..D0 describe
 *        the key as if `keytocard` had put it there.
 *
 * Fingerprint = SHA-1(99 ‖ length (2) ‖ 04 ‖ time (4) ‖ algorithm ‖ key),
 * where the key is MPI(n) MPI(e) for RSA (algorithm 1), and for ECC
 * (ECDH 18, ECDSA 19, EdDSA 22: the card's algorithm IDs are OpenPGP's)
 * the OID with its length byte, MPI(point) (uncompressed, or 40 ‖ the 32
 * bytes for Ed25519 and X25519) and, for ECDH, the KDF parameters GnuPG
 * uses by default (03 01 hash cipher: SHA-256/AES-128 up to 256-bit
 * curves, SHA-384/AES-256 for 384, SHA-512/AES-256 above).
 */
#include "cardtypes/openpgp.h"

#include <string.h>

#include <openssl/evp.h>

#include "core/tlv.h"
#include "crypto/sym.h"

/* An MPI: bit count (2 bytes), the value without leading zeros. */
static bool put_mpi(sfc_buf *b, const uint8_t *v, size_t len)
{
    while (len && v[0] == 0) {
        v++;
        len--;
    }
    unsigned bits = len ? (unsigned)(len - 1) * 8 : 0;
    for (uint8_t top = len ? v[0] : 0; top; top >>= 1)
        bits++;
    return bits <= 0xFFFF && buf_put_u16be(b, (uint16_t)bits) &&
           buf_put(b, v, len);
}

static bool put_rsa(sfc_buf *b, const uint8_t *pub, size_t n)
{
    ber_tlv m, e;
    static const uint32_t pm[] = {0x7F49, 0x81}, pe[] = {0x7F49, 0x82};
    return ber_find_path(pub, n, pm, 2, &m) == SFC_OK &&
           ber_find_path(pub, n, pe, 2, &e) == SFC_OK &&
           put_mpi(b, m.value, m.len) && put_mpi(b, e.value, e.len);
}

/* KDF parameters GnuPG picks for an ECDH key of `bits`. */
static bool put_kdf(sfc_buf *b, unsigned bits)
{
    uint8_t kdf[4] = {0x03, 0x01, 0x08, 0x07}; /* SHA-256, AES-128 */
    if (bits > 256 && bits <= 384) {
        kdf[2] = 0x09; /* SHA-384 */
        kdf[3] = 0x09; /* AES-256 */
    } else if (bits > 384) {
        kdf[2] = 0x0A; /* SHA-512 */
        kdf[3] = 0x09;
    }
    return buf_put(b, kdf, sizeof(kdf));
}

static bool put_ecc(sfc_buf *b, const EVP_PKEY *k, const uint8_t *attr,
                    size_t alen, const uint8_t *pub, size_t n)
{
    ber_tlv p;
    static const uint32_t pp[] = {0x7F49, 0x86};
    uint8_t point[1 + 160];
    if (ber_find_path(pub, n, pp, 2, &p) != SFC_OK || p.len > 160)
        return false;
    size_t plen = p.len;
    bool raw = EVP_PKEY_is_a(k, "ED25519") || EVP_PKEY_is_a(k, "X25519");
    point[0] = 0x40;
    memcpy(point + (raw ? 1 : 0), p.value, plen);
    plen += raw ? 1 : 0;
    bool ok = buf_put_u8(b, (uint8_t)(alen - 1)) &&
              buf_put(b, attr + 1, alen - 1) && put_mpi(b, point, plen);
    if (ok && attr[0] == 0x12)
        ok = put_kdf(b, (unsigned)EVP_PKEY_get_bits(k));
    return ok;
}

static bool put_body(sfc_buf *b, const EVP_PKEY *k, int slot, uint32_t t)
{
    uint8_t attr[PGP_ATTR_MAX];
    size_t alen = pgp_alg_attr_of(k, slot, attr);
    sfc_buf pub;
    buf_init(&pub);
    uint8_t ts[4] = {(uint8_t)(t >> 24), (uint8_t)(t >> 16),
                     (uint8_t)(t >> 8), (uint8_t)t};
    bool ok = alen && pgp_alg_put_public(k, &pub) && buf_put_u8(b, 0x04) &&
              buf_put(b, ts, 4) && buf_put_u8(b, attr[0]) &&
              (attr[0] == 0x01 ? put_rsa(b, pub.data, pub.len)
                               : put_ecc(b, k, attr, alen, pub.data,
                                         pub.len));
    buf_free(&pub);
    return ok;
}

bool pgp_fingerprint(const EVP_PKEY *k, int slot, uint32_t t,
                     uint8_t fpr[20])
{
    sfc_buf body, pkt;
    buf_init(&body);
    buf_init(&pkt);
    bool ok = put_body(&body, k, slot, t) && body.len <= 0xFFFF &&
              buf_put_u8(&pkt, 0x99) &&
              buf_put_u16be(&pkt, (uint16_t)body.len) &&
              buf_put(&pkt, body.data, body.len) &&
              sfc_hash(SFC_HASH_SHA1, pkt.data, pkt.len, fpr) == SFC_OK;
    buf_free(&body);
    buf_free(&pkt);
    return ok;
}
