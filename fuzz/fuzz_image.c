/* SPDX-License-Identifier: LGPL-2.1-or-later */
/**
 * @file fuzz_image.c
 * @brief libFuzzer target: arbitrary text as a card image, plain or
 *        encrypted. Loading must either succeed (and the card then saves to
 *        text that loads again) or fail with a message; never crash or leak.
 *
 * An encrypted image (an envelope, sfc_image_text_is_encrypted) is
 * decrypted with the passphrase "fuzz" (the seeds fuzz/corpus/image/enc-*
 * use it, with small KDF parameters) and its plain text goes the same way;
 * a decrypted image is encrypted again with the derived key and must
 * decrypt to the same text. Envelopes whose KDF would cost more than
 * about a millisecond (scrypt 128 r N p above 1 MiB, PBKDF2 above 2000
 * iterations) are skipped, or the fuzzer would spend its time in the KDF;
 * the loader's own range checks (up to 512 MiB) are exercised by the unit
 * tests (test_image_crypt).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "image/image.h"
#include "softcard.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define PASS "fuzz"

static int64_t field(json_object *o, const char *name)
{
    json_object *v = NULL;
    if (!json_object_object_get_ex(o, name, &v))
        return 0;
    return json_object_get_int64(v);
}

/* True if the envelope's KDF is cheap enough to run. */
static bool cheap_kdf(const uint8_t *data, size_t size)
{
    json_tokener *tok = json_tokener_new();
    json_object *env = tok ? json_tokener_parse_ex(tok, (const char *)data,
                                                   (int)size) : NULL;
    json_object *kdf = NULL;
    bool ok = env != NULL; /* what the loader parses, this parses too */
    if (env && json_object_object_get_ex(env, "kdf", &kdf)) {
        int64_t n = field(kdf, "n"), r = field(kdf, "r"), p = field(kdf, "p");
        int64_t it = field(kdf, "iterations");
        ok = n >= 0 && n <= 1024 && r >= 0 && r <= 32 && p >= 0 && p <= 16 &&
             128 * n * r * p <= (1 << 20) && it >= 0 && it <= 2000;
    }
    json_object_put(env);
    if (tok)
        json_tokener_free(tok);
    return ok;
}

static void load_plain(const char *text, size_t len)
{
    sfc_card *card = NULL;
    char err[SFC_IMAGE_ERR_MAX];
    if (sfc_image_load_text(text, len, NULL, &card, err, sizeof(err)) !=
        SFC_OK)
        return;
    char *again = NULL;
    size_t alen = 0;
    if (sfc_image_save_text(card, &again, &alen, err, sizeof(err)) != SFC_OK)
        abort();
    sfc_card *second = NULL;
    if (sfc_image_load_text(again, alen, NULL, &second, err, sizeof(err)) !=
        SFC_OK)
        abort(); /* what the card saves must load again */
    sfc_card_free(second);
    sfc_image_text_free(again, alen);
    sfc_card_free(card);
}

/* Encrypt `plain` again with `key`; it must decrypt to the same text. */
static void reencrypt(sfc_image_key *key, const char *plain, size_t len)
{
    char err[SFC_IMAGE_ERR_MAX], *env = NULL, *back = NULL;
    size_t elen = 0, blen = 0;
    if (sfc_image_encrypt(key, plain, len, &env, &elen, err, sizeof(err)) !=
            SFC_OK ||
        sfc_image_decrypt((const uint8_t *)PASS, strlen(PASS), env, elen, NULL,
                          &back, &blen, err, sizeof(err)) != SFC_OK ||
        blen != len || memcmp(back, plain, len) != 0)
        abort();
    sfc_image_text_free(back, blen);
    sfc_image_text_free(env, elen);
}

static void load_encrypted(const uint8_t *data, size_t size)
{
    char err[SFC_IMAGE_ERR_MAX], *plain = NULL;
    size_t len = 0;
    sfc_image_key *key = NULL;
    if (!cheap_kdf(data, size) ||
        sfc_image_decrypt((const uint8_t *)PASS, strlen(PASS),
                          (const char *)data, size, &key, &plain, &len, err,
                          sizeof(err)) != SFC_OK)
        return;
    reencrypt(key, plain, len);
    load_plain(plain, len);
    sfc_image_text_free(plain, len);
    sfc_image_key_free(key);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (sfc_image_text_is_encrypted((const char *)data, size))
        load_encrypted(data, size);
    else
        load_plain((const char *)data, size);
    return 0;
}
