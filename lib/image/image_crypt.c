/* SPDX-License-Identifier: LGPL-2.1-or-later */
/**
 * @file image_crypt.c
 * @brief Passphrase encryption of card images: an authenticated JSON
 *        envelope around the plain image, through OpenSSL 3 only.
 *
 * Keys. The passphrase goes through scrypt (default N = 32768, r = 8,
 * p = 1; or PBKDF2-HMAC-SHA256) with a random 16-byte salt to a 32-byte
 * master key. That is the slow step, done once per process: a running card
 * keeps the master key (sfc_image_key) and every save derives a fresh
 * AES-256 key from it with HKDF-SHA256 and a new random 16-byte salt
 * ("key_salt"), then encrypts with AES-256-GCM under a new random 12-byte
 * IV. So no key and IV pair ever repeats, and a commit costs microseconds
 * rather than a scrypt run.
 *
 * Authentication. Every envelope field (format, version, KDF name and
 * parameters, salts, cipher, IV) goes into the GCM additional data in a
 * fixed text form, and the 16-byte tag covers them and the ciphertext. A
 * wrong passphrase and any change to the file fail the same tag check and
 * give the same message, "wrong passphrase or damaged image". KDF
 * parameters are range-checked before use so a forged envelope cannot
 * make the loader spend unbounded memory or time.
 */
#include "core/errtext.h"
#include "image/image.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/kdf.h>
#include <openssl/params.h>
#include <openssl/rand.h>

#include "core/bytes.h"
#include "image/image_json.h"

#define SALT_LEN 16
#define KEY_LEN 32
#define IV_LEN 12
#define TAG_LEN 16
#define CIPHER_NAME "aes-256-gcm"
#define HKDF_INFO "softcard card image v1 aes-256-gcm"

#define SCRYPT_N_DEFAULT 32768u
#define SCRYPT_R_DEFAULT 8u
#define SCRYPT_P_DEFAULT 1u
#define SCRYPT_N_MAX (1u << 20)
#define SCRYPT_R_MAX 32u
#define SCRYPT_P_MAX 16u
#define SCRYPT_MAXMEM (512ull * 1024u * 1024u)
#define PBKDF2_ITER_DEFAULT 600000u
#define PBKDF2_ITER_MIN 1000u
#define PBKDF2_ITER_MAX 10000000u
#define AAD_MAX 512

static const char *const env_fields[] = {"format", "version", "kdf",
                                         "cipher", "key_salt", "iv",
                                         "ciphertext", "tag", NULL};
static const char *const scrypt_fields[] = {"name", "salt", "n", "r", "p",
                                            NULL};
static const char *const pbkdf2_fields[] = {"name", "salt", "iterations",
                                            NULL};

struct sfc_image_key {
    sfc_image_kdf kdf;
    uint8_t salt[SALT_LEN];
    uint8_t master[KEY_LEN];
};

static sfc_err say(char *err, size_t errlen, sfc_err rv, const char *msg)
{
    sfc_errf(err, errlen, "%s", msg);
    return rv;
}

/* ---- key derivation ------------------------------------------------------- */

static sfc_err run_kdf(const char *name, OSSL_PARAM *params, uint8_t *out,
                      size_t len)
{
    EVP_KDF *kdf = EVP_KDF_fetch(NULL, name, NULL);
    EVP_KDF_CTX *ctx = kdf ? EVP_KDF_CTX_new(kdf) : NULL;
    int ok = ctx && EVP_KDF_derive(ctx, out, len, params) == 1;
    EVP_KDF_CTX_free(ctx);
    EVP_KDF_free(kdf);
    return ok ? SFC_OK : SFC_E_NOMEM;
}

static sfc_err derive_master(const uint8_t *pass, size_t passlen,
                            sfc_image_key *k)
{
    uint64_t n = k->kdf.n, maxmem = SCRYPT_MAXMEM, iter = k->kdf.iterations;
    uint32_t r = k->kdf.r, p = k->kdf.p;
    OSSL_PARAM params[7];
    size_t i = 0;
    params[i++] = OSSL_PARAM_construct_octet_string(
        OSSL_KDF_PARAM_PASSWORD, (void *)pass, passlen);
    params[i++] = OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_SALT,
                                                    k->salt, SALT_LEN);
    if (k->kdf.alg == SFC_IMAGE_KDF_SCRYPT) {
        params[i++] = OSSL_PARAM_construct_uint64(OSSL_KDF_PARAM_SCRYPT_N, &n);
        params[i++] = OSSL_PARAM_construct_uint32(OSSL_KDF_PARAM_SCRYPT_R, &r);
        params[i++] = OSSL_PARAM_construct_uint32(OSSL_KDF_PARAM_SCRYPT_P, &p);
        params[i++] = OSSL_PARAM_construct_uint64(
            OSSL_KDF_PARAM_SCRYPT_MAXMEM, &maxmem);
    } else {
        params[i++] = OSSL_PARAM_construct_uint64(OSSL_KDF_PARAM_ITER, &iter);
        params[i++] = OSSL_PARAM_construct_utf8_string(
            OSSL_KDF_PARAM_DIGEST, (char *)"SHA256", 0);
    }
    params[i] = OSSL_PARAM_construct_end();
    return run_kdf(k->kdf.alg == SFC_IMAGE_KDF_SCRYPT ? "SCRYPT" : "PBKDF2",
                   params, k->master, KEY_LEN);
}

/* The AES key of one save: HKDF-SHA256(master, key_salt). */
static sfc_err derive_file_key(const sfc_image_key *k, const uint8_t *salt,
                              uint8_t *out)
{
    OSSL_PARAM params[] = {
        OSSL_PARAM_construct_utf8_string(OSSL_KDF_PARAM_DIGEST,
                                         (char *)"SHA256", 0),
        OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_KEY,
                                          (void *)k->master, KEY_LEN),
        OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_SALT, (void *)salt,
                                          SALT_LEN),
        OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_INFO,
                                          (void *)HKDF_INFO,
                                          sizeof(HKDF_INFO) - 1),
        OSSL_PARAM_construct_end()};
    return run_kdf("HKDF", params, out, KEY_LEN);
}

static bool kdf_in_range(const sfc_image_kdf *k)
{
    if (k->alg == SFC_IMAGE_KDF_PBKDF2)
        return k->iterations >= PBKDF2_ITER_MIN &&
               k->iterations <= PBKDF2_ITER_MAX;
    return k->n >= 2 && k->n <= SCRYPT_N_MAX && (k->n & (k->n - 1)) == 0 &&
           k->r >= 1 && k->r <= SCRYPT_R_MAX && k->p >= 1 &&
           k->p <= SCRYPT_P_MAX &&
           128ull * k->r * k->n * 2 <= SCRYPT_MAXMEM;
}

static void kdf_defaults(sfc_image_kdf *k)
{
    if (k->alg == SFC_IMAGE_KDF_PBKDF2) {
        if (!k->iterations)
            k->iterations = PBKDF2_ITER_DEFAULT;
        return;
    }
    if (!k->n)
        k->n = SCRYPT_N_DEFAULT;
    if (!k->r)
        k->r = SCRYPT_R_DEFAULT;
    if (!k->p)
        k->p = SCRYPT_P_DEFAULT;
}

sfc_err sfc_image_key_new(const uint8_t *pass, size_t passlen,
                        const sfc_image_kdf *kdf, sfc_image_key **out,
                        char *err, size_t errlen)
{
    *out = NULL;
    if (!pass || passlen == 0)
        return say(err, errlen, SFC_E_INVAL, "empty passphrase");
    sfc_image_key *k = calloc(1, sizeof(*k));
    if (!k)
        return say(err, errlen, SFC_E_NOMEM, "out of memory");
    if (kdf)
        k->kdf = *kdf;
    kdf_defaults(&k->kdf);
    sfc_err rv = kdf_in_range(&k->kdf) ? SFC_OK : SFC_E_RANGE;
    if (rv != SFC_OK)
        say(err, errlen, rv, "key-derivation parameters out of range");
    else if (RAND_bytes(k->salt, SALT_LEN) != 1)
        rv = say(err, errlen, SFC_E_RNG, "random generator failed");
    else if ((rv = derive_master(pass, passlen, k)) != SFC_OK)
        say(err, errlen, rv, "key derivation failed");
    if (rv != SFC_OK) {
        sfc_image_key_free(k);
        return rv;
    }
    *out = k;
    return SFC_OK;
}

void sfc_image_key_free(sfc_image_key *key)
{
    if (!key)
        return;
    sfc_wipe(key, sizeof(*key));
    free(key);
}

/* ---- the envelope's additional data ------------------------------------- */

typedef struct envelope {
    sfc_image_key key;          /**< kdf and salt (master filled later) */
    uint8_t key_salt[SALT_LEN];
    uint8_t iv[IV_LEN];
    uint8_t tag[TAG_LEN];
} envelope;

/* Every header field in a fixed text form; any change breaks the tag. */
static size_t build_aad(const envelope *e, char *out, size_t cap)
{
    char salt[2 * SALT_LEN + 1], ksalt[2 * SALT_LEN + 1], iv[2 * IV_LEN + 1];
    hex_encode(e->key.salt, SALT_LEN, HEX_UPPER, salt, sizeof(salt));
    hex_encode(e->key_salt, SALT_LEN, HEX_UPPER, ksalt, sizeof(ksalt));
    hex_encode(e->iv, IV_LEN, HEX_UPPER, iv, sizeof(iv));
    const sfc_image_kdf *k = &e->key.kdf;
    int n = k->alg == SFC_IMAGE_KDF_SCRYPT
                ? snprintf(out, cap, "%s|%d|scrypt|%s|%llu|%u|%u|%s|%s|%s",
                           SFC_IMAGE_ENC_FORMAT, SFC_IMAGE_ENC_VERSION, salt,
                           (unsigned long long)k->n, k->r, k->p, CIPHER_NAME,
                           ksalt, iv)
                : snprintf(out, cap, "%s|%d|pbkdf2-sha256|%s|%u|%s|%s|%s",
                           SFC_IMAGE_ENC_FORMAT, SFC_IMAGE_ENC_VERSION, salt,
                           k->iterations, CIPHER_NAME, ksalt, iv);
    return n > 0 && (size_t)n < cap ? (size_t)n : 0;
}

/* ---- AES-256-GCM ------------------------------------------------------------ */

static sfc_err gcm(bool enc, const uint8_t *key, envelope *e,
                  const uint8_t *in, size_t len, uint8_t *out)
{
    char aad[AAD_MAX];
    size_t aad_len = build_aad(e, aad, sizeof(aad));
    EVP_CIPHER_CTX *ctx = EVP_CIPHER_CTX_new();
    int n = 0, fin = 0;
    bool ok = ctx && aad_len && len <= INT32_MAX &&
              EVP_CipherInit_ex(ctx, EVP_aes_256_gcm(), NULL, key, e->iv,
                                enc) == 1 &&
              EVP_CipherUpdate(ctx, NULL, &n, (const uint8_t *)aad,
                               (int)aad_len) == 1 &&
              EVP_CipherUpdate(ctx, out, &n, in, (int)len) == 1;
    if (ok && !enc)
        ok = EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_SET_TAG, TAG_LEN,
                                 e->tag) == 1;
    ok = ok && EVP_CipherFinal_ex(ctx, out + n, &fin) == 1;
    if (ok && enc)
        ok = EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_GET_TAG, TAG_LEN,
                                 e->tag) == 1;
    EVP_CIPHER_CTX_free(ctx);
    return ok ? SFC_OK : SFC_E_CHECKSUM;
}

/* ---- writing ---------------------------------------------------------------- */

static bool add_kdf(json_object *root, const sfc_image_key *k)
{
    json_object *o = json_object_new_object();
    if (!ij_add(root, "kdf", o))
        return false;
    if (k->kdf.alg == SFC_IMAGE_KDF_PBKDF2)
        return ij_add_string(o, "name", "pbkdf2-sha256") &&
               ij_add_hex(o, "salt", k->salt, SALT_LEN) &&
               ij_add_int(o, "iterations", k->kdf.iterations);
    return ij_add_string(o, "name", "scrypt") &&
           ij_add_hex(o, "salt", k->salt, SALT_LEN) &&
           ij_add_int(o, "n", (int64_t)k->kdf.n) &&
           ij_add_int(o, "r", k->kdf.r) && ij_add_int(o, "p", k->kdf.p);
}

static bool add_base64(json_object *root, const char *key, const uint8_t *p,
                       size_t len)
{
    char *b64 = malloc(4 * ((len + 2) / 3) + 1);
    if (!b64)
        return false;
    int n = EVP_EncodeBlock((unsigned char *)b64, p, (int)len);
    bool ok = n >= 0 &&
              ij_add(root, key, json_object_new_string_len(b64, n));
    free(b64);
    return ok;
}

static json_object *build_envelope(const envelope *e, const uint8_t *ct,
                                   size_t len)
{
    json_object *root = json_object_new_object();
    bool ok = root &&
              ij_add_string(root, "format", SFC_IMAGE_ENC_FORMAT) &&
              ij_add_int(root, "version", SFC_IMAGE_ENC_VERSION) &&
              add_kdf(root, &e->key) &&
              ij_add_string(root, "cipher", CIPHER_NAME) &&
              ij_add_hex(root, "key_salt", e->key_salt, SALT_LEN) &&
              ij_add_hex(root, "iv", e->iv, IV_LEN) &&
              add_base64(root, "ciphertext", ct, len) &&
              ij_add_hex(root, "tag", e->tag, TAG_LEN);
    if (!ok) {
        json_object_put(root);
        return NULL;
    }
    return root;
}

sfc_err sfc_image_encrypt(const sfc_image_key *key, const char *plain,
                        size_t len, char **out, size_t *outlen, char *err,
                        size_t errlen)
{
    envelope e;
    uint8_t fkey[KEY_LEN];
    *out = NULL;
    *outlen = 0;
    if (len > SFC_IMAGE_MAX_BYTES / 2) /* base64 must fit in a file too */
        return say(err, errlen, SFC_E_RANGE, "image too large");
    memset(&e, 0, sizeof(e));
    e.key.kdf = key->kdf;
    memcpy(e.key.salt, key->salt, SALT_LEN);
    if (RAND_bytes(e.key_salt, SALT_LEN) != 1 || RAND_bytes(e.iv, IV_LEN) != 1)
        return say(err, errlen, SFC_E_RNG, "random generator failed");
    uint8_t *ct = malloc(len ? len : 1);
    sfc_err rv = ct ? derive_file_key(key, e.key_salt, fkey) : SFC_E_NOMEM;
    if (rv == SFC_OK)
        rv = gcm(true, fkey, &e, (const uint8_t *)plain, len, ct);
    json_object *env = rv == SFC_OK ? build_envelope(&e, ct, len) : NULL;
    if (rv == SFC_OK)
        rv = env ? ij_to_text(env, true, out, outlen) : SFC_E_NOMEM;
    json_object_put(env);
    free(ct);
    sfc_wipe(fkey, sizeof(fkey));
    sfc_wipe(&e, sizeof(e));
    return rv == SFC_OK ? SFC_OK : say(err, errlen, rv, "encryption failed");
}

/* ---- reading ---------------------------------------------------------------- */

bool sfc_image_text_is_encrypted(const char *text, size_t len)
{
    json_object *root = NULL, *fmt = NULL;
    if (ij_parse(text, len, &root, NULL, 0) != SFC_OK)
        return false;
    bool enc = ij_get(root, "format", &fmt) &&
               json_object_is_type(fmt, json_type_string) &&
               strcmp(json_object_get_string(fmt), SFC_IMAGE_ENC_FORMAT) == 0;
    ij_put_wiped(root);
    return enc;
}

static sfc_err read_scrypt(ij_ctx *c, json_object *o, sfc_image_kdf *k)
{
    uint64_t r = 0, p = 0;
    sfc_err rv = ij_object(c, o, scrypt_fields);
    if (rv == SFC_OK)
        rv = ij_uint(c, o, "n", true, 2, SCRYPT_N_MAX, &k->n);
    if (rv == SFC_OK)
        rv = ij_uint(c, o, "r", true, 1, SCRYPT_R_MAX, &r);
    if (rv == SFC_OK)
        rv = ij_uint(c, o, "p", true, 1, SCRYPT_P_MAX, &p);
    k->alg = SFC_IMAGE_KDF_SCRYPT;
    k->r = (uint32_t)r;
    k->p = (uint32_t)p;
    if (rv == SFC_OK && !kdf_in_range(k))
        rv = ij_fail(c, SFC_E_RANGE, "scrypt parameters out of range");
    return rv;
}

static sfc_err read_kdf(ij_ctx *c, json_object *o, sfc_image_key *k)
{
    const char *name = NULL;
    uint64_t iter = 0;
    sfc_err rv = ij_string(c, o, "name", true, &name);
    if (rv == SFC_OK && strcmp(name, "scrypt") == 0)
        rv = read_scrypt(c, o, &k->kdf);
    else if (rv == SFC_OK && strcmp(name, "pbkdf2-sha256") == 0) {
        k->kdf.alg = SFC_IMAGE_KDF_PBKDF2;
        rv = ij_object(c, o, pbkdf2_fields);
        if (rv == SFC_OK)
            rv = ij_uint(c, o, "iterations", true, PBKDF2_ITER_MIN,
                         PBKDF2_ITER_MAX, &iter);
        k->kdf.iterations = (uint32_t)iter;
    } else if (rv == SFC_OK)
        rv = ij_fail_at(c, "name", SFC_E_UNSUPPORTED, "'%s' is not a key "
                        "derivation (scrypt or pbkdf2-sha256)", name);
    if (rv == SFC_OK)
        rv = ij_hex_fixed(c, o, "salt", true, k->salt, SALT_LEN, NULL);
    return rv;
}

static sfc_err read_header(ij_ctx *c, json_object *root, envelope *e)
{
    const char *s = NULL;
    uint64_t version = 0;
    json_object *kdf = NULL;
    sfc_err rv = ij_object(c, root, env_fields);
    if (rv == SFC_OK)
        rv = ij_uint(c, root, "version", true, 0, UINT32_MAX, &version);
    if (rv == SFC_OK && version != SFC_IMAGE_ENC_VERSION)
        return ij_fail_at(c, "version", SFC_E_UNSUPPORTED, "version %llu is "
                          "not supported", (unsigned long long)version);
    if (rv == SFC_OK)
        rv = ij_string(c, root, "cipher", true, &s);
    if (rv == SFC_OK && strcmp(s, CIPHER_NAME) != 0)
        return ij_fail_at(c, "cipher", SFC_E_UNSUPPORTED, "'%s' is not %s", s,
                          CIPHER_NAME);
    if (rv == SFC_OK && !ij_get(root, "kdf", &kdf))
        return ij_fail_at(c, "kdf", SFC_E_FORMAT, "missing");
    size_t mark = ij_key(c, "kdf");
    if (rv == SFC_OK)
        rv = json_object_is_type(kdf, json_type_object)
                 ? read_kdf(c, kdf, &e->key)
                 : ij_fail(c, SFC_E_FORMAT, "expected an object");
    ij_back(c, mark);
    if (rv == SFC_OK)
        rv = ij_hex_fixed(c, root, "key_salt", true, e->key_salt, SALT_LEN,
                          NULL);
    if (rv == SFC_OK)
        rv = ij_hex_fixed(c, root, "iv", true, e->iv, IV_LEN, NULL);
    if (rv == SFC_OK)
        rv = ij_hex_fixed(c, root, "tag", true, e->tag, TAG_LEN, NULL);
    return rv;
}

static sfc_err read_ciphertext(ij_ctx *c, json_object *root, uint8_t **out,
                              size_t *len)
{
    const char *b64 = NULL;
    sfc_err rv = ij_string(c, root, "ciphertext", true, &b64);
    if (rv != SFC_OK)
        return rv;
    size_t n = strlen(b64);
    if (n % 4 || n / 4 * 3 > SFC_IMAGE_MAX_BYTES)
        return ij_fail_at(c, "ciphertext", SFC_E_FORMAT, "not base64");
    *out = malloc(n / 4 * 3 + 1);
    if (!*out)
        return ij_fail(c, SFC_E_NOMEM, "out of memory");
    int got = EVP_DecodeBlock(*out, (const unsigned char *)b64, (int)n);
    if (got < 0)
        return ij_fail_at(c, "ciphertext", SFC_E_FORMAT, "not base64");
    size_t pad = (n && b64[n - 1] == '=') + (n > 1 && b64[n - 2] == '=');
    *len = (size_t)got - pad;
    return SFC_OK;
}

static sfc_err open_envelope(ij_ctx *c, json_object *root, const uint8_t *pass,
                            size_t passlen, envelope *e, uint8_t **plain,
                            size_t *len)
{
    uint8_t *ct = NULL, fkey[KEY_LEN];
    size_t ctlen = 0;
    sfc_err rv = read_header(c, root, e);
    if (rv == SFC_OK)
        rv = read_ciphertext(c, root, &ct, &ctlen);
    if (rv == SFC_OK && (rv = derive_master(pass, passlen, &e->key)) != SFC_OK)
        rv = ij_fail(c, rv, "key derivation failed");
    if (rv == SFC_OK && (rv = derive_file_key(&e->key, e->key_salt, fkey)) !=
                           SFC_OK)
        rv = ij_fail(c, rv, "key derivation failed");
    if (rv == SFC_OK && !(*plain = malloc(ctlen + 1)))
        rv = ij_fail(c, SFC_E_NOMEM, "out of memory");
    if (rv == SFC_OK && gcm(false, fkey, e, ct, ctlen, *plain) != SFC_OK) {
        sfc_wipe(*plain, ctlen); /* unauthenticated output */
        free(*plain);
        *plain = NULL;
        rv = say(c->err, c->errlen, SFC_E_CHECKSUM,
                 "wrong passphrase or damaged image");
    }
    if (rv == SFC_OK) {
        (*plain)[ctlen] = 0;
        *len = ctlen;
    }
    sfc_wipe(fkey, sizeof(fkey));
    free(ct);
    return rv;
}

sfc_err sfc_image_decrypt(const uint8_t *pass, size_t passlen, const char *env,
                        size_t len, sfc_image_key **key_out, char **plain,
                        size_t *plainlen, char *err, size_t errlen)
{
    json_object *root = NULL;
    envelope e;
    ij_ctx c;
    uint8_t *out = NULL;
    *plain = NULL;
    *plainlen = 0;
    if (key_out)
        *key_out = NULL;
    if (!pass || passlen == 0)
        return say(err, errlen, SFC_E_INVAL, "empty passphrase");
    sfc_err rv = ij_parse(env, len, &root, err, errlen);
    if (rv != SFC_OK)
        return rv;
    memset(&e, 0, sizeof(e));
    ij_init(&c, err, errlen);
    rv = open_envelope(&c, root, pass, passlen, &e, &out, plainlen);
    json_object_put(root);
    if (rv == SFC_OK && key_out && !(*key_out = malloc(sizeof(**key_out))))
        rv = say(err, errlen, SFC_E_NOMEM, "out of memory");
    if (rv == SFC_OK && key_out)
        **key_out = e.key;
    if (rv == SFC_OK) {
        *plain = (char *)out;
    } else {
        sfc_image_text_free((char *)out, *plainlen);
        *plainlen = 0;
    }
    sfc_wipe(&e, sizeof(e));
    return rv;
}
