/* SPDX-License-Identifier: LGPL-2.1-or-later */
/**
 * @file mkimage_seeds.c
 * @brief Writes the encrypted-image seeds of fuzz/corpus/image/: a fresh
 *        iso7816, handler_test and cryptoflex card, each saved as image text
 *        and encrypted with the passphrase "fuzz" (the one fuzz_image.c
 *        uses) under scrypt N=16 r=1 p=1 (enc-scrypt-<type>) and PBKDF2 with
 *        1000 iterations (enc-pbkdf2-<type>), the smallest parameters the
 *        loader accepts, so that the fuzzer spends its time in the decryption
 *        path rather than in the key derivation. Salts and IVs are random:
 *        each run writes different files. Usage (build/fuzz, fuzz/run):
 *            fuzz_mkimage_seeds fuzz/corpus/image
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "image/image.h"
#include "softcard.h"

static void write_file(const char *dir, const char *kdf, const char *type,
                       const char *text, size_t len)
{
    char path[512];
    snprintf(path, sizeof(path), "%s/enc-%s-%s", dir, kdf, type);
    FILE *f = fopen(path, "wb");
    if (!f || fwrite(text, 1, len, f) != len || fclose(f) != 0) {
        perror(path);
        exit(1);
    }
}

static void seed(const char *dir, const char *type, const sfc_param *p,
                 size_t np)
{
    static const sfc_image_kdf kdfs[] = {
        {.alg = SFC_IMAGE_KDF_SCRYPT, .n = 16, .r = 1, .p = 1},
        {.alg = SFC_IMAGE_KDF_PBKDF2, .iterations = 1000}};
    char err[SFC_IMAGE_ERR_MAX], *plain = NULL, *env = NULL;
    size_t plen = 0, elen = 0;
    sfc_card_options o = {.params = p, .n_params = np};
    sfc_card *card = NULL;
    if (sfc_card_new(type, &o, &card, err, sizeof(err)) != SFC_OK ||
        sfc_image_save_text(card, &plain, &plen, err, sizeof(err)) != SFC_OK) {
        fprintf(stderr, "%s: %s\n", type, err);
        exit(1);
    }
    for (size_t i = 0; i < 2; i++) {
        sfc_image_key *key = NULL;
        if (sfc_image_key_new((const uint8_t *)"fuzz", 4, &kdfs[i], &key, err,
                              sizeof(err)) != SFC_OK ||
            sfc_image_encrypt(key, plain, plen, &env, &elen, err,
                              sizeof(err)) != SFC_OK) {
            fprintf(stderr, "%s: %s\n", type, err);
            exit(1);
        }
        write_file(dir, i ? "pbkdf2" : "scrypt", type, env, elen);
        sfc_image_text_free(env, elen);
        sfc_image_key_free(key);
    }
    sfc_image_text_free(plain, plen);
    sfc_card_free(card);
}

int main(int argc, char **argv)
{
    static const sfc_param iso[] = {
        {"secret", "00112233445566778899AABBCCDDEEFF"}};
    static const sfc_param cf[] = {{"serial", "0102030405060708"}};
    if (argc != 2) {
        fprintf(stderr, "usage: %s DIR\n", argv[0]);
        return 2;
    }
    seed(argv[1], "iso7816", iso, 1);
    seed(argv[1], "handler_test", NULL, 0);
    seed(argv[1], "cryptoflex", cf, 1);
    return 0;
}
