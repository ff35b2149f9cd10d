/* SPDX-License-Identifier: LGPL-2.1-or-later */
/**
 * @file pkey.h
 * @brief Asymmetric keys for the card (RSA 2048..4096, EC P-256, P-384,
 *        brainpoolP256r1, brainpoolP384r1) through OpenSSL 3: generation,
 *        PEM import/export, the 7F49 public-key template, signatures,
 *        decryption and ECDH.
 */
#ifndef SFC_CRYPTO_PKEY_H
#define SFC_CRYPTO_PKEY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "softcard.h"
#include "core/bytes.h"
#include "crypto/sym.h"

typedef struct evp_pkey_st sfc_pkey; /* OpenSSL's EVP_PKEY */

typedef enum sfc_curve {
    SFC_CURVE_NONE,
    SFC_CURVE_P256,
    SFC_CURVE_P384,
    SFC_CURVE_BP256R1,
    SFC_CURVE_BP384R1
} sfc_curve;

/**
 * What to generate: `type` is an OpenSSL key type ("RSA", "EC", "ED25519",
 * "X25519"); `group` names the curve of an EC key; `bits` and `rsa_e` (0
 * means 65537) apply to RSA.
 */
typedef struct sfc_keyspec {
    const char *type;
    const char *group;
    unsigned bits;
    unsigned long rsa_e;
} sfc_keyspec;

/** A source of generated keys: returns a new key the caller owns, or NULL. */
typedef sfc_pkey *(*sfc_pkey_source)(const sfc_keyspec *spec, void *ctx);

/**
 * Every key the card generates comes through here, from the installed
 * source (by default sfc_pkey_generate_openssl). No size checks: callers
 * check what their card accepts.
 */
sfc_pkey *sfc_pkey_generate(const sfc_keyspec *spec);
/** The default source: OpenSSL's key generation. */
sfc_pkey *sfc_pkey_generate_openssl(const sfc_keyspec *spec, void *ctx);
/**
 * Install a process-wide key source (NULL restores OpenSSL's). For
 * harnesses, like the injectable sfc_rng: a fuzzer hands out copies of keys
 * made once, since RSA generation would take most of its time. Not for use
 * while cards run on other threads.
 */
void sfc_pkey_set_source(sfc_pkey_source fn, void *ctx);

/** Generate an RSA key of `bits` (2048..4096, multiple of 8) with e = 65537. */
sfc_err sfc_pkey_generate_rsa(unsigned bits, sfc_pkey **out);
/** Generate an EC key on `curve`. */
sfc_err sfc_pkey_generate_ec(sfc_curve curve, sfc_pkey **out);
void sfc_pkey_free(sfc_pkey *k);

/** True for RSA, false for EC. */
bool sfc_pkey_is_rsa(const sfc_pkey *k);
/** The curve of an EC key (SFC_CURVE_NONE for RSA or unsupported curves). */
sfc_curve sfc_pkey_curve(const sfc_pkey *k);
/** Key size in bits (modulus or field). */
unsigned sfc_pkey_bits(const sfc_pkey *k);
/** True if the key holds a private part. */
bool sfc_pkey_has_private(const sfc_pkey *k);

/** PEM text (PKCS#8 private key, or SubjectPublicKeyInfo if public only). */
sfc_err sfc_pkey_to_pem(const sfc_pkey *k, bool include_private, char **pem);
/** Parse PEM (private PKCS#8/traditional or public); rejects unsupported
 *  algorithms, curves and RSA sizes. */
sfc_err sfc_pkey_from_pem(const char *pem, size_t len, sfc_pkey **out);

/**
 * Append the public key as an ISO/IEC 7816-8 public-key template 7F49:
 * RSA {81 modulus, 82 exponent}; EC {86 uncompressed point} (the curve is
 * implied by the key reference / algorithm).
 */
bool sfc_pkey_put_7f49(const sfc_pkey *k, sfc_buf *out);

typedef enum sfc_sig_scheme {
    SFC_SIG_RSA_PKCS1,    /**< PKCS#1 v1.5 over a DigestInfo the card builds */
    SFC_SIG_RSA_PKCS1_RAW,/**< PKCS#1 v1.5 type 1 padding of the given data (DigestInfo supplied) */
    SFC_SIG_RSA_PSS,      /**< RSASSA-PSS, MGF1 with the same hash, salt = hash length */
    SFC_SIG_RSA_RAW,      /**< raw RSA: input is exactly modulus-sized */
    SFC_SIG_ECDSA         /**< ECDSA; signature as r || s (fixed length) */
} sfc_sig_scheme;

/**
 * Sign `in` (a hash of `hash` for PKCS1/PSS/ECDSA; the DigestInfo for
 * PKCS1_RAW; a modulus-sized block for RSA_RAW) into `out`.
 */
sfc_err sfc_pkey_sign(const sfc_pkey *k, sfc_sig_scheme scheme, sfc_hash_alg hash,
                    const uint8_t *in, size_t len, sfc_buf *out);

/** Verify; SFC_OK if valid, SFC_E_CHECKSUM if not. */
sfc_err sfc_pkey_verify(const sfc_pkey *k, sfc_sig_scheme scheme,
                      sfc_hash_alg hash, const uint8_t *in, size_t len,
                      const uint8_t *sig, size_t siglen);

typedef enum sfc_dec_scheme {
    SFC_DEC_RSA_PKCS1,   /**< PKCS#1 v1.5 type 2 */
    SFC_DEC_RSA_OAEP,    /**< OAEP with SHA-1 (and MGF1-SHA1) unless hash given */
    SFC_DEC_RSA_RAW
} sfc_dec_scheme;

sfc_err sfc_pkey_decrypt(const sfc_pkey *k, sfc_dec_scheme scheme,
                       sfc_hash_alg oaep_hash, const uint8_t *in, size_t len,
                       sfc_buf *out);
sfc_err sfc_pkey_encrypt(const sfc_pkey *k, sfc_dec_scheme scheme,
                       sfc_hash_alg oaep_hash, const uint8_t *in, size_t len,
                       sfc_buf *out);

/** ECDH: the shared x-coordinate with a peer public point (uncompressed). */
sfc_err sfc_pkey_ecdh(const sfc_pkey *k, const uint8_t *peer_point, size_t len,
                    sfc_buf *out);

/** Build a public key from a 7F49 template's values (RSA n, e / EC point). */
sfc_err sfc_pkey_from_rsa_public(const uint8_t *n, size_t nlen, const uint8_t *e,
                               size_t elen, sfc_pkey **out);
sfc_err sfc_pkey_from_ec_public(sfc_curve curve, const uint8_t *point,
                              size_t len, sfc_pkey **out);

#endif
