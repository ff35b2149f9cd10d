/* SPDX-License-Identifier: LGPL-2.1-or-later */
/**
 * @file algref.h
 * @brief Cryptographic mechanism references (tag 80 in MSE SET and in the
 *        CRT of GENERATE ASYMMETRIC KEY PAIR) as this card defines them.
 *
 * ISO/IEC 7816-4 leaves these numbers to the card; docs/security.md lists
 * them for users. When a CRT carries no 80, the card picks the default for
 * the key: RSA signing takes a DigestInfo (PKCS#1 v1.5), ECDSA a hash, RSA
 * deciphering PKCS#1 v1.5, symmetric ciphering CBC, checksums the retail MAC
 * (3DES) or CMAC (AES), hashing SHA-256, key generation RSA 2048.
 */
#ifndef SFC_OS_ALGREF_H
#define SFC_OS_ALGREF_H

/* Signatures (DST), low nibble = hash: 0 SHA-1, 1 SHA-224, 2 SHA-256,
 * 3 SHA-384, 4 SHA-512. The input of COMPUTE DIGITAL SIGNATURE is that hash. */
#define ALG_RSA_RAW 0x00          /* input: a modulus-sized block */
#define ALG_RSA_PKCS1_DI 0x02     /* input: a DigestInfo */
#define ALG_RSA_PKCS1_SHA 0x10    /* 0x10..0x14 */
#define ALG_RSA_PSS_SHA 0x20      /* 0x20..0x24 */
#define ALG_ECDSA_SHA 0x30        /* 0x30..0x34 */
#define ALG_ECDSA_ANY 0x3F        /* ECDSA over the given bytes, any length */

/* Deciphering with a private key (CT) and ECDH (CT or KAT). */
#define ALG_RSA_DEC_PKCS1 0x40
#define ALG_RSA_DEC_OAEP_SHA1 0x41
#define ALG_RSA_DEC_OAEP_SHA256 0x42
#define ALG_RSA_DEC_RAW 0x43
#define ALG_ECDH 0x48

/* Symmetric ciphering (CT) and checksums (CCT). */
#define ALG_DES3_CBC 0x50
#define ALG_DES3_ECB 0x51
#define ALG_AES_CBC 0x52
#define ALG_AES_ECB 0x53
#define ALG_MAC_RETAIL 0x60       /* ISO/IEC 9797-1 MAC algorithm 3, 3DES key */
#define ALG_MAC_CMAC 0x61         /* AES-CMAC, 8 bytes */

/* Hashing (HT), low nibble as for signatures. */
#define ALG_SHA 0x70              /* 0x70..0x74 */

/* Key generation. */
#define ALG_GEN_RSA2048 0x90
#define ALG_GEN_RSA3072 0x91
#define ALG_GEN_RSA4096 0x92
#define ALG_GEN_EC_P256 0x98
#define ALG_GEN_EC_P384 0x99
#define ALG_GEN_EC_BP256 0x9A
#define ALG_GEN_EC_BP384 0x9B

#endif
