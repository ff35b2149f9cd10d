/**
 * @file pkey.h
 * @brief Asymmetric keys for the card (RSA 2048..4096, EC P-256, P-384,
 *        brainpoolP256r1, brainpoolP384r1) through OpenSSL 3: generation,
 *        PEM import/export, the 7F49 public-key template, signatures,
 *        decryption and ECDH.
 */
#ifndef SC_CRYPTO_PKEY_H
#define SC_CRYPTO_PKEY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "softcard.h"
#include "core/bytes.h"
#include "crypto/sym.h"

typedef struct evp_pkey_st sc_pkey; /* OpenSSL's EVP_PKEY */

typedef enum sc_curve {
    SC_CURVE_NONE,
    SC_CURVE_P256,
    SC_CURVE_P384,
    SC_CURVE_BP256R1,
    SC_CURVE_BP384R1
} sc_curve;

/** Generate an RSA key of `bits` (2048..4096, multiple of 8) with e = 65537. */
sc_err sc_pkey_generate_rsa(unsigned bits, sc_pkey **out);
/** Generate an EC key on `curve`. */
sc_err sc_pkey_generate_ec(sc_curve curve, sc_pkey **out);
void sc_pkey_free(sc_pkey *k);

/** True for RSA, false for EC. */
bool sc_pkey_is_rsa(const sc_pkey *k);
/** The curve of an EC key (SC_CURVE_NONE for RSA or unsupported curves). */
sc_curve sc_pkey_curve(const sc_pkey *k);
/** Key size in bits (modulus or field). */
unsigned sc_pkey_bits(const sc_pkey *k);
/** True if the key holds a private part. */
bool sc_pkey_has_private(const sc_pkey *k);

/** PEM text (PKCS#8 private key, or SubjectPublicKeyInfo if public only). */
sc_err sc_pkey_to_pem(const sc_pkey *k, bool include_private, char **pem);
/** Parse PEM (private PKCS#8/traditional or public); rejects unsupported
 *  algorithms, curves and RSA sizes. */
sc_err sc_pkey_from_pem(const char *pem, size_t len, sc_pkey **out);

/**
 * Append the public key as an ISO/IEC 7816-8 public-key template 7F49:
 * RSA {81 modulus, 82 exponent}; EC {86 uncompressed point} (the curve is
 * implied by the key reference / algorithm).
 */
bool sc_pkey_put_7f49(const sc_pkey *k, sc_buf *out);

typedef enum sc_sig_scheme {
    SC_SIG_RSA_PKCS1,    /**< PKCS#1 v1.5 over a DigestInfo the card builds */
    SC_SIG_RSA_PKCS1_RAW,/**< PKCS#1 v1.5 type 1 padding of the given data (DigestInfo supplied) */
    SC_SIG_RSA_PSS,      /**< RSASSA-PSS, MGF1 with the same hash, salt = hash length */
    SC_SIG_RSA_RAW,      /**< raw RSA: input is exactly modulus-sized */
    SC_SIG_ECDSA         /**< ECDSA; signature as r || s (fixed length) */
} sc_sig_scheme;

/**
 * Sign `in` (a hash of `hash` for PKCS1/PSS/ECDSA; the DigestInfo for
 * PKCS1_RAW; a modulus-sized block for RSA_RAW) into `out`.
 */
sc_err sc_pkey_sign(const sc_pkey *k, sc_sig_scheme scheme, sc_hash_alg hash,
                    const uint8_t *in, size_t len, sc_buf *out);

/** Verify; SC_OK if valid, SC_E_CHECKSUM if not. */
sc_err sc_pkey_verify(const sc_pkey *k, sc_sig_scheme scheme,
                      sc_hash_alg hash, const uint8_t *in, size_t len,
                      const uint8_t *sig, size_t siglen);

typedef enum sc_dec_scheme {
    SC_DEC_RSA_PKCS1,   /**< PKCS#1 v1.5 type 2 */
    SC_DEC_RSA_OAEP,    /**< OAEP with SHA-1 (and MGF1-SHA1) unless hash given */
    SC_DEC_RSA_RAW
} sc_dec_scheme;

sc_err sc_pkey_decrypt(const sc_pkey *k, sc_dec_scheme scheme,
                       sc_hash_alg oaep_hash, const uint8_t *in, size_t len,
                       sc_buf *out);
sc_err sc_pkey_encrypt(const sc_pkey *k, sc_dec_scheme scheme,
                       sc_hash_alg oaep_hash, const uint8_t *in, size_t len,
                       sc_buf *out);

/** ECDH: the shared x-coordinate with a peer public point (uncompressed). */
sc_err sc_pkey_ecdh(const sc_pkey *k, const uint8_t *peer_point, size_t len,
                    sc_buf *out);

/** Build a public key from a 7F49 template's values (RSA n, e / EC point). */
sc_err sc_pkey_from_rsa_public(const uint8_t *n, size_t nlen, const uint8_t *e,
                               size_t elen, sc_pkey **out);
sc_err sc_pkey_from_ec_public(sc_curve curve, const uint8_t *point,
                              size_t len, sc_pkey **out);

#endif
