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
    [SC_HASH_SHA1] = {"SHA1", 20},
    [SC_HASH_SHA224] = {"SHA224", 28},
    [SC_HASH_SHA256] = {"SHA256", 32},
    [SC_HASH_SHA384] = {"SHA384", 48},
    [SC_HASH_SHA512] = {"SHA512", 64},
};

static bool hash_known(sc_hash_alg alg)
{
    return (unsigned)alg < sizeof(hashes) / sizeof(hashes[0]);
}

size_t sc_hash_size(sc_hash_alg alg)
{
    return hash_known(alg) ? hashes[alg].size : 0;
}

const char *sc_hash_name(sc_hash_alg alg)
{
    /* Never NULL, so that a caller passing it on to OpenSSL cannot crash. */
    return hash_known(alg) ? hashes[alg].name : "";
}

sc_err sc_hash(sc_hash_alg alg, const uint8_t *data, size_t len, uint8_t *out)
{
    if (!hash_known(alg) || !out || (len && !data))
        return SC_E_INVAL;
    EVP_MD *md = EVP_MD_fetch(NULL, hashes[alg].name, NULL);
    unsigned int n = 0;
    bool ok = md &&
              EVP_Digest(data ? data : (const uint8_t *)"", len, out, &n, md,
                         NULL) == 1 &&
              n == hashes[alg].size;
    EVP_MD_free(md);
    return ok ? SC_OK : SC_E_IO;
}
