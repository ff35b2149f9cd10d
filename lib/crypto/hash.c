/* SPDX-License-Identifier: LGPL-2.1-or-later */
/**
 * @file hash.c
 * @brief SHA-1 and SHA-2 digests through OpenSSL 3 EVP.
 *
 * The card needs hashes for PSO HASH and signatures, and the ICAO/EAC key
 * derivations (SHA-1 and SHA-256 of a shared secret and a counter). The table
 * below is the one place that maps the project's enum to OpenSSL names and
 * sizes.
 */
#include "crypto/sym.h"

#include <openssl/evp.h>

static const struct {
    const char *name;
    size_t size;
} hashes[] = {
    [SFC_HASH_SHA1] = {"SHA1", 20},
    [SFC_HASH_SHA224] = {"SHA224", 28},
    [SFC_HASH_SHA256] = {"SHA256", 32},
    [SFC_HASH_SHA384] = {"SHA384", 48},
    [SFC_HASH_SHA512] = {"SHA512", 64},
};

static bool hash_known(sfc_hash_alg alg)
{
    return (unsigned)alg < sizeof(hashes) / sizeof(hashes[0]);
}

size_t sfc_hash_size(sfc_hash_alg alg)
{
    return hash_known(alg) ? hashes[alg].size : 0;
}

const char *sfc_hash_name(sfc_hash_alg alg)
{
    /* Never NULL, so that a caller passing it on to OpenSSL cannot crash. */
    return hash_known(alg) ? hashes[alg].name : "";
}

sfc_err sfc_hash(sfc_hash_alg alg, const uint8_t *data, size_t len, uint8_t *out)
{
    if (!hash_known(alg) || !out || (len && !data))
        return SFC_E_INVAL;
    EVP_MD *md = EVP_MD_fetch(NULL, hashes[alg].name, NULL);
    unsigned int n = 0;
    bool ok = md &&
              EVP_Digest(data ? data : (const uint8_t *)"", len, out, &n, md,
                         NULL) == 1 &&
              n == hashes[alg].size;
    EVP_MD_free(md);
    return ok ? SFC_OK : SFC_E_IO;
}
