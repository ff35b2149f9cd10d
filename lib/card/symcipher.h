/**
 * @file symcipher.h
 * @brief Block-cipher operations the card OS needs, via OpenSSL EVP.
 *
 * Algorithm references as the reference emulator numbers them for INTERNAL
 * and EXTERNAL AUTHENTICATE (P1): 00/01 3DES-ECB, 02 3DES-CBC, 03 DES-ECB,
 * 04 DES-CBC, 05 AES-ECB, 06 AES-CBC; CBC with a zero IV. 3DES uses the
 * 16-byte key as two keys; DES uses its first 8 bytes (run as 3DES with
 * K1 = K2 = K3, which is single DES, because OpenSSL 3 keeps plain DES in
 * its legacy provider); AES uses it as an AES-128 key.
 */
#ifndef SC_CARD_SYMCIPHER_H
#define SC_CARD_SYMCIPHER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "softcard.h"

/** Block size for an algorithm reference, or 0 if unknown. */
size_t sym_block_size(uint8_t alg);

/**
 * Encrypt `len` bytes (a multiple of the block size) with a 16-byte key,
 * without padding. `out` needs `len` bytes.
 */
sc_err sym_encrypt(uint8_t alg, const uint8_t key[16], const uint8_t *in,
                   size_t len, uint8_t *out);

/**
 * ISO/IEC 9797-1 padding method 2: append 80 and zeros up to a multiple of
 * `block`. `out` needs len + block bytes; returns the padded length.
 */
size_t iso_pad(const uint8_t *in, size_t len, size_t block, uint8_t *out);

#endif
