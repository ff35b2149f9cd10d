/**
 * @file symcipher.c
 * @brief Symmetric block encryption for the card OS through OpenSSL EVP
 *        (see symcipher.h for the algorithm numbering).
 */
#include "card/symcipher.h"

#include <string.h>

#include <openssl/evp.h>

#include "core/bytes.h"

size_t sym_block_size(uint8_t alg)
{
    switch (alg) {
    case 0x00: case 0x01: case 0x02: case 0x03: case 0x04:
        return 8;
    case 0x05: case 0x06:
        return 16;
    default:
        return 0;
    }
}

/* The EVP cipher and the key as EVP wants it (24 bytes for 3-key forms). */
static const EVP_CIPHER *cipher_for(uint8_t alg, const uint8_t key[16],
                                    uint8_t evp_key[24])
{
    switch (alg) {
    case 0x00: case 0x01:
        memcpy(evp_key, key, 16);
        return EVP_des_ede_ecb();
    case 0x02:
        memcpy(evp_key, key, 16);
        return EVP_des_ede_cbc();
    case 0x03: case 0x04:
        for (int i = 0; i < 3; i++)
            memcpy(evp_key + 8 * i, key, 8);
        return alg == 0x03 ? EVP_des_ede3_ecb() : EVP_des_ede3_cbc();
    case 0x05:
        memcpy(evp_key, key, 16);
        return EVP_aes_128_ecb();
    case 0x06:
        memcpy(evp_key, key, 16);
        return EVP_aes_128_cbc();
    default:
        return NULL;
    }
}

sc_err sym_encrypt(uint8_t alg, const uint8_t key[16], const uint8_t *in,
                   size_t len, uint8_t *out)
{
    size_t bs = sym_block_size(alg);
    if (bs == 0)
        return SC_E_UNSUPPORTED;
    if (len % bs || len > 0x7FFFFFFF)
        return SC_E_RANGE;
    uint8_t evp_key[24];
    uint8_t iv[16] = {0};
    const EVP_CIPHER *c = cipher_for(alg, key, evp_key);
    EVP_CIPHER_CTX *ctx = EVP_CIPHER_CTX_new();
    int n = 0, fin = 0;
    bool ok = ctx && c &&
              EVP_EncryptInit_ex(ctx, c, NULL, evp_key, iv) == 1 &&
              EVP_CIPHER_CTX_set_padding(ctx, 0) == 1 &&
              EVP_EncryptUpdate(ctx, out, &n, in, (int)len) == 1 &&
              EVP_EncryptFinal_ex(ctx, out + n, &fin) == 1 &&
              (size_t)(n + fin) == len;
    EVP_CIPHER_CTX_free(ctx);
    sc_wipe(evp_key, sizeof(evp_key));
    return ok ? SC_OK : SC_E_IO;
}

size_t iso_pad(const uint8_t *in, size_t len, size_t block, uint8_t *out)
{
    memmove(out, in, len);
    out[len++] = 0x80;
    while (len % block)
        out[len++] = 0x00;
    return len;
}
