/* SPDX-License-Identifier: LGPL-2.1-or-later */
/**
 * @file test_image_crypt.c
 * @brief Encrypted card images: round trips with scrypt and PBKDF2, a
 *        fresh salt and IV per save, wrong passphrases, and tampering with
 *        every part of the envelope.
 *
 * Tests use small KDF parameters (scrypt N = 1024) to stay fast; the
 * envelope records them, so decryption needs no configuration.
 */
#include "test_image_util.h"

#include <json-c/json.h>

static const uint8_t pass[] = "correct horse battery staple";
#define PASSLEN (sizeof(pass) - 1)

static sfc_image_key *fast_key(sfc_image_kdf_alg alg)
{
    sfc_image_kdf kdf = {.alg = alg, .n = 1024, .r = 8, .p = 1,
                        .iterations = 1000};
    sfc_image_key *key = NULL;
    char err[SFC_IMAGE_ERR_MAX];
    if (sfc_image_key_new(pass, PASSLEN, &kdf, &key, err, sizeof(err)) != SFC_OK)
        fail_msg("%s", err);
    return key;
}

static char *encrypt_text(const sfc_image_key *key, const char *plain)
{
    char *env = NULL, err[SFC_IMAGE_ERR_MAX];
    size_t len = 0;
    if (sfc_image_encrypt(key, plain, strlen(plain), &env, &len, err,
                         sizeof(err)) != SFC_OK)
        fail_msg("%s", err);
    return env;
}

static sfc_err decrypt_text(const uint8_t *p, size_t plen, const char *env,
                           char **plain, char *err)
{
    size_t len = 0;
    return sfc_image_decrypt(p, plen, env, strlen(env), NULL, plain, &len, err,
                            SFC_IMAGE_ERR_MAX);
}

static void roundtrip(sfc_image_kdf_alg alg)
{
    sfc_card *card = ct_card("iso7816");
    char *plain = it_save(card), *back = NULL, err[SFC_IMAGE_ERR_MAX];
    sfc_image_key *key = fast_key(alg);
    char *env = encrypt_text(key, plain);
    assert_true(sfc_image_text_is_encrypted(env, strlen(env)));
    assert_false(sfc_image_text_is_encrypted(plain, strlen(plain)));
    /* The PIN is not visible. Quoted, since base64 and hex can contain 1234. */
    assert_non_null(strstr(plain, "\"1234\""));
    assert_null(strstr(env, "\"1234\""));
    assert_int_equal(decrypt_text(pass, PASSLEN, env, &back, err), SFC_OK);
    assert_string_equal(back, plain);
    free(back);
    free(env);
    free(plain);
    sfc_image_key_free(key);
    sfc_card_free(card);
}

static void test_roundtrip_scrypt(void **state)
{
    (void)state;
    roundtrip(SFC_IMAGE_KDF_SCRYPT);
}

static void test_roundtrip_pbkdf2(void **state)
{
    (void)state;
    roundtrip(SFC_IMAGE_KDF_PBKDF2);
}

static const char *field(json_object *root, const char *key)
{
    json_object *v = NULL;
    assert_true(json_object_object_get_ex(root, key, &v));
    return json_object_get_string(v);
}

/* Two saves with the same master key: new key salt, IV and ciphertext. */
static void test_fresh_salt_and_iv(void **state)
{
    (void)state;
    sfc_image_key *key = fast_key(SFC_IMAGE_KDF_SCRYPT);
    char *a = encrypt_text(key, "{\"x\": 1}"), *b = encrypt_text(key, "{\"x\": 1}");
    json_object *ja = json_tokener_parse(a), *jb = json_tokener_parse(b);
    assert_string_not_equal(field(ja, "iv"), field(jb, "iv"));
    assert_string_not_equal(field(ja, "key_salt"), field(jb, "key_salt"));
    assert_string_not_equal(field(ja, "ciphertext"), field(jb, "ciphertext"));
    assert_string_equal(field(ja, "cipher"), "aes-256-gcm");
    json_object_put(ja);
    json_object_put(jb);
    free(a);
    free(b);
    sfc_image_key_free(key);
}

static void test_wrong_passphrase(void **state)
{
    (void)state;
    sfc_image_key *key = fast_key(SFC_IMAGE_KDF_SCRYPT);
    char *env = encrypt_text(key, "{\"secret\": true}"), *plain = NULL;
    char err[SFC_IMAGE_ERR_MAX];
    static const uint8_t wrong[] = "correct horse battery stapler";
    assert_int_equal(decrypt_text(wrong, sizeof(wrong) - 1, env, &plain, err),
                     SFC_E_CHECKSUM);
    assert_string_equal(err, "wrong passphrase or damaged image");
    assert_null(plain);
    assert_int_equal(decrypt_text(pass, 0, env, &plain, err), SFC_E_INVAL);
    free(env);
    sfc_image_key_free(key);
}

/* Change one character of a field's text (hex or base64 stays valid). */
static char *tamper(const char *env, const char *key, const char *sub)
{
    json_object *root = json_tokener_parse(env), *target = root, *v = NULL;
    if (sub)
        assert_true(json_object_object_get_ex(root, sub, &target));
    assert_true(json_object_object_get_ex(target, key, &v));
    char *s = strdup(json_object_get_string(v));
    s[2] = s[2] == 'A' ? 'B' : 'A';
    json_object_object_add(target, key, json_object_new_string(s));
    char *out = strdup(json_object_to_json_string(root));
    free(s);
    json_object_put(root);
    return out;
}

static void test_tampering(void **state)
{
    (void)state;
    static const char *const parts[][2] = {
        {"ciphertext", NULL}, {"tag", NULL}, {"iv", NULL},
        {"key_salt", NULL}, {"salt", "kdf"},
    };
    sfc_image_key *key = fast_key(SFC_IMAGE_KDF_SCRYPT);
    char *env = encrypt_text(key, "{\"format\": \"softcard-card-image\"}");
    for (size_t i = 0; i < sizeof(parts) / sizeof(parts[0]); i++) {
        char *bad = tamper(env, parts[i][0], parts[i][1]), *plain = NULL;
        char err[SFC_IMAGE_ERR_MAX];
        if (decrypt_text(pass, PASSLEN, bad, &plain, err) != SFC_E_CHECKSUM)
            fail_msg("tampered %s: %s", parts[i][0], err);
        assert_string_equal(err, "wrong passphrase or damaged image");
        free(bad);
    }
    free(env);
    sfc_image_key_free(key);
}

/* KDF parameters are authenticated and bounded. */
static void test_kdf_parameters(void **state)
{
    (void)state;
    sfc_image_key *key = fast_key(SFC_IMAGE_KDF_SCRYPT);
    char *env = encrypt_text(key, "{}"), *plain = NULL, err[SFC_IMAGE_ERR_MAX];
    json_object *root = json_tokener_parse(env), *kdf = NULL;
    assert_true(json_object_object_get_ex(root, "kdf", &kdf));
    json_object_object_add(kdf, "n", json_object_new_int(2048));
    const char *t = json_object_to_json_string(root);
    assert_int_equal(decrypt_text(pass, PASSLEN, t, &plain, err),
                     SFC_E_CHECKSUM);
    json_object_object_add(kdf, "n", json_object_new_int(1 << 24));
    t = json_object_to_json_string(root);
    assert_int_equal(decrypt_text(pass, PASSLEN, t, &plain, err), SFC_E_RANGE);
    assert_string_equal(err, "$.kdf.n: 16777216 is out of range (2..1048576)");
    json_object_object_add(kdf, "n", json_object_new_int(1000));
    t = json_object_to_json_string(root);
    assert_int_equal(decrypt_text(pass, PASSLEN, t, &plain, err), SFC_E_RANGE);
    assert_string_equal(err, "$.kdf: scrypt parameters out of range");
    json_object_object_add(root, "cipher", json_object_new_string("rot13"));
    t = json_object_to_json_string(root);
    assert_int_equal(decrypt_text(pass, PASSLEN, t, &plain, err),
                     SFC_E_UNSUPPORTED);
    assert_string_equal(err, "$.cipher: 'rot13' is not aes-256-gcm");
    json_object_object_add(root, "extra", json_object_new_int(1));
    t = json_object_to_json_string(root);
    assert_int_equal(decrypt_text(pass, PASSLEN, t, &plain, err), SFC_E_FORMAT);
    assert_string_equal(err, "$.extra: unknown field");
    json_object_put(root);
    free(env);
    sfc_image_key_free(key);
}

/* The default parameters (scrypt N = 32768) work and take moderate time. */
static void test_default_kdf(void **state)
{
    (void)state;
    sfc_image_key *key = NULL;
    char err[SFC_IMAGE_ERR_MAX];
    assert_int_equal(sfc_image_key_new(pass, PASSLEN, NULL, &key, err,
                                      sizeof(err)), SFC_OK);
    char *env = encrypt_text(key, "{}"), *plain = NULL;
    assert_non_null(strstr(env, "\"n\": 32768"));
    assert_int_equal(decrypt_text(pass, PASSLEN, env, &plain, err), SFC_OK);
    assert_string_equal(plain, "{}");
    free(plain);
    free(env);
    sfc_image_key_free(key);
    sfc_image_kdf bad = {.alg = SFC_IMAGE_KDF_SCRYPT, .n = 1000};
    assert_int_equal(sfc_image_key_new(pass, PASSLEN, &bad, &key, err,
                                      sizeof(err)), SFC_E_RANGE);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_roundtrip_scrypt),
        cmocka_unit_test(test_roundtrip_pbkdf2),
        cmocka_unit_test(test_fresh_salt_and_iv),
        cmocka_unit_test(test_wrong_passphrase),
        cmocka_unit_test(test_tampering),
        cmocka_unit_test(test_kdf_parameters),
        cmocka_unit_test(test_default_kdf),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
