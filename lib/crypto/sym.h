/* SPDX-License-Identifier: LGPL-2.1-or-later */
/**
 * @file sym.h
 * @brief Symmetric cryptography for the card: block ciphers, MACs, hashes
 *        and ISO padding, all through OpenSSL 3 (no primitive is written
 *        here by hand).
 *
 * Keys are raw bytes. 3DES takes 16 bytes (two-key, K1 K2 K1) or 24 bytes
 * (three-key); AES 16, 24 or 32 bytes; single DES is 3DES with K1=K2=K3.
 * Cipher functions never pad: lengths must be multiples of the block size,
 * and callers pad with sfc_pad_iso() (ISO/IEC 9797-1 method 2) when a
 * protocol says so.
 */
#ifndef SFC_CRYPTO_SYM_H
#define SFC_CRYPTO_SYM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "softcard.h"

typedef enum sfc_cipher_alg {
    SFC_CIPHER_DES3, /**< 2-key (16-byte) or 3-key (24-byte) TDEA; 8-byte single DES allowed */
    SFC_CIPHER_AES   /**< AES-128/192/256 by key length */
} sfc_cipher_alg;

typedef enum sfc_cipher_mode { SFC_MODE_ECB, SFC_MODE_CBC } sfc_cipher_mode;

/** Block size of an algorithm (8 or 16). */
size_t sfc_cipher_block(sfc_cipher_alg alg);

/** True if `keylen` is a valid key length for `alg`. */
bool sfc_cipher_key_ok(sfc_cipher_alg alg, size_t keylen);

/**
 * Encrypt or decrypt `len` bytes (a multiple of the block size, may be 0)
 * from `in` to `out` (which may be the same buffer). `iv` is one block for
 * CBC (NULL = zeros) and ignored for ECB. SFC_E_RANGE for bad lengths,
 * SFC_E_INVAL for a bad key length, SFC_E_IO if OpenSSL fails.
 */
sfc_err sfc_cipher(sfc_cipher_alg alg, sfc_cipher_mode mode, bool encrypt,
                 const uint8_t *key, size_t keylen, const uint8_t *iv,
                 const uint8_t *in, size_t len, uint8_t *out);

/**
 * ISO/IEC 9797-1 MAC algorithm 3 with DES ("retail MAC", used by ICAO BAC
 * secure messaging): DES-CBC with K1 over all blocks, then decrypt with K2
 * and encrypt with K1 the last block. `key` is 16 bytes (K1 K2). `data` must
 * already be padded (a multiple of 8 bytes, at least one block).
 */
sfc_err sfc_mac_retail(const uint8_t key[16], const uint8_t *data, size_t len,
                     uint8_t out[8]);

/** AES-CMAC (NIST SP 800-38B) over `data` (any length); 16-byte output. */
sfc_err sfc_mac_cmac_aes(const uint8_t *key, size_t keylen, const uint8_t *data,
                       size_t len, uint8_t out[16]);

/**
 * Keyed contexts for code that uses one key for many messages (a secure
 * messaging session): the key schedule is computed once, each call only
 * resets the IV. The object holds OpenSSL contexts (freed and cleansed by
 * the _free function, which takes NULL).
 */
typedef struct sfc_cipher_key sfc_cipher_key;

/** Keyed CBC encrypt/decrypt and ECB encrypt contexts; NULL on error. */
sfc_cipher_key *sfc_cipher_key_new(sfc_cipher_alg alg, const uint8_t *key,
                                   size_t keylen);
void sfc_cipher_key_free(sfc_cipher_key *k);

/** As sfc_cipher() with the key of `k` (ECB is encryption only). */
sfc_err sfc_cipher_keyed(sfc_cipher_key *k, sfc_cipher_mode mode, bool encrypt,
                         const uint8_t *iv, const uint8_t *in, size_t len,
                         uint8_t *out);

/** A keyed MAC: retail MAC (16-byte key) or AES-CMAC. */
typedef struct sfc_mac_key sfc_mac_key;

sfc_mac_key *sfc_mac_key_retail(const uint8_t key[16]);
sfc_mac_key *sfc_mac_key_cmac_aes(const uint8_t *key, size_t keylen);
void sfc_mac_key_free(sfc_mac_key *m);

/**
 * The MAC of `data` with the key of `m`, the same bytes as
 * sfc_mac_retail() (8-byte output) or sfc_mac_cmac_aes() (16 bytes);
 * `out` needs `outlen` bytes, the first `outlen` bytes of the MAC.
 */
sfc_err sfc_mac_keyed(sfc_mac_key *m, const uint8_t *data, size_t len,
                      uint8_t *out, size_t outlen);

/**
 * ISO/IEC 9797-1 padding method 2: append 80 and zeros to a multiple of
 * `block`. `out` needs len + block bytes and may equal `in`. Returns the
 * padded length.
 */
size_t sfc_pad_iso(const uint8_t *in, size_t len, size_t block, uint8_t *out);

/**
 * Remove method-2 padding: the last non-zero byte must be 80 within the last
 * block. Returns the unpadded length, or SIZE_MAX if the padding is wrong
 * (including a `len` that is not a non-zero multiple of `block`).
 */
size_t sfc_unpad_iso(const uint8_t *in, size_t len, size_t block);

typedef enum sfc_hash_alg {
    SFC_HASH_SHA1,
    SFC_HASH_SHA224,
    SFC_HASH_SHA256,
    SFC_HASH_SHA384,
    SFC_HASH_SHA512
} sfc_hash_alg;

#define SFC_HASH_MAX 64

/** Digest size of a hash algorithm. */
size_t sfc_hash_size(sfc_hash_alg alg);

/** Hash `len` bytes; `out` needs sfc_hash_size(alg) bytes. */
sfc_err sfc_hash(sfc_hash_alg alg, const uint8_t *data, size_t len, uint8_t *out);

/** OpenSSL digest name of a hash ("SHA256", ...). */
const char *sfc_hash_name(sfc_hash_alg alg);

#endif
