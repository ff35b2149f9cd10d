/* SPDX-License-Identifier: LGPL-2.1-or-later */
/**
 * @file test_crypto_pkey_source.c
 * @brief crypto/pkey.h key sources: every generated key, from the library
 *        helpers and from the card types' GENERATE commands, comes from the
 *        installed source; NULL restores OpenSSL's; the default source
 *        honours the RSA size and public exponent it is asked for.
 */
#include "testutil.h"

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/evp.h>

#include "crypto/pkey.h"

typedef struct counting {
    int calls;
    char last_type[16];
    unsigned last_bits;
} counting;

/* Counts the requests and answers each with a fresh P-256 key from OpenSSL
 * (whatever was asked), so the test can see the source was used. */
static sfc_pkey *counting_source(const sfc_keyspec *spec, void *ctx)
{
    counting *c = ctx;
    c->calls++;
    snprintf(c->last_type, sizeof(c->last_type), "%s", spec->type);
    c->last_bits = spec->bits;
    return EVP_PKEY_Q_keygen(NULL, NULL, "EC", "prime256v1");
}

static int reset_source(void **state)
{
    (void)state;
    sfc_pkey_set_source(NULL, NULL);
    return 0;
}

static void test_installed_source_serves_every_helper(void **state)
{
    (void)state;
    counting c = {0};
    sfc_pkey_set_source(counting_source, &c);
    sfc_pkey *k = NULL;
    assert_int_equal(sfc_pkey_generate_rsa(4096, &k), SFC_OK);
    assert_int_equal(c.calls, 1);
    assert_string_equal(c.last_type, "RSA");
    assert_int_equal(c.last_bits, 4096);
    assert_false(sfc_pkey_is_rsa(k)); /* the source's key, not OpenSSL's */
    sfc_pkey_free(k);
    assert_int_equal(sfc_pkey_generate_ec(SFC_CURVE_P384, &k), SFC_OK);
    assert_int_equal(c.calls, 2);
    assert_string_equal(c.last_type, "EC");
    sfc_pkey_free(k);
    /* The helpers' own range checks still come first. */
    assert_int_equal(sfc_pkey_generate_rsa(1024, &k), SFC_E_RANGE);
    assert_int_equal(c.calls, 2);
}

static void test_null_restores_openssl(void **state)
{
    (void)state;
    counting c = {0};
    sfc_pkey_set_source(counting_source, &c);
    sfc_pkey_set_source(NULL, NULL);
    sfc_pkey *k = NULL;
    assert_int_equal(sfc_pkey_generate_ec(SFC_CURVE_BP256R1, &k), SFC_OK);
    assert_int_equal(c.calls, 0);
    assert_int_equal(sfc_pkey_curve(k), SFC_CURVE_BP256R1);
    sfc_pkey_free(k);
}

static void test_default_rsa_size_and_exponent(void **state)
{
    (void)state;
    sfc_pkey *k = sfc_pkey_generate(
        &(sfc_keyspec){.type = "RSA", .bits = 1024, .rsa_e = 3});
    assert_non_null(k);
    BIGNUM *e = NULL;
    assert_int_equal(EVP_PKEY_get_bn_param(k, OSSL_PKEY_PARAM_RSA_E, &e), 1);
    assert_true(BN_is_word(e, 3));
    assert_int_equal(EVP_PKEY_get_bits(k), 1024);
    BN_free(e);
    sfc_pkey_free(k);
    k = sfc_pkey_generate(&(sfc_keyspec){.type = "ED25519"});
    assert_non_null(k);
    assert_true(EVP_PKEY_is_a(k, "ED25519"));
    sfc_pkey_free(k);
    /* EC without a curve is refused, not defaulted. */
    assert_null(sfc_pkey_generate(&(sfc_keyspec){.type = "EC"}));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_teardown(test_installed_source_serves_every_helper,
                                  reset_source),
        cmocka_unit_test_teardown(test_null_restores_openssl, reset_source),
        cmocka_unit_test(test_default_rsa_size_and_exponent),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
