/* SPDX-License-Identifier: LGPL-2.1-or-later */
/**
 * @file test_crypto_cert.c
 * @brief crypto/cert.h: the test PKI card types sign with. A CA and an
 *        end-entity certificate verify as a chain with OpenSSL's own
 *        verifier and carry the profile's extensions; a CMS SignedData
 *        verifies against the CA and carries the given content type.
 */
#include "testutil.h"

#include <openssl/cms.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "crypto/cert.h"
#include "crypto/pkey.h"

typedef struct pki {
    EVP_PKEY *ca_key, *ee_key;
    X509 *ca, *ee;
} pki;

static int setup(void **state)
{
    static pki p;
    sfc_cert_spec ca = {"DE", "softcard test PKI", "test CA", true, 30, 7};
    sfc_cert_spec ee = {"DE", NULL, "test signer", false, 10, 0};
    assert_int_equal(sfc_pkey_generate_ec(SFC_CURVE_P256, &p.ca_key), SFC_OK);
    assert_int_equal(sfc_pkey_generate_ec(SFC_CURVE_P256, &p.ee_key), SFC_OK);
    p.ca = sfc_cert_issue(&ca, p.ca_key, NULL, p.ca_key);
    p.ee = sfc_cert_issue(&ee, p.ee_key, p.ca, p.ca_key);
    assert_non_null(p.ca);
    assert_non_null(p.ee);
    *state = &p;
    return 0;
}

static int teardown(void **state)
{
    pki *p = *state;
    X509_free(p->ee);
    X509_free(p->ca);
    EVP_PKEY_free(p->ee_key);
    EVP_PKEY_free(p->ca_key);
    return 0;
}

static X509_STORE *store_of(X509 *ca)
{
    X509_STORE *st = X509_STORE_new();
    assert_non_null(st);
    assert_int_equal(X509_STORE_add_cert(st, ca), 1);
    return st;
}

static void test_chain_verifies(void **state)
{
    pki *p = *state;
    X509_STORE *st = store_of(p->ca);
    X509_STORE_CTX *ctx = X509_STORE_CTX_new();
    assert_int_equal(X509_STORE_CTX_init(ctx, st, p->ee, NULL), 1);
    assert_int_equal(X509_verify_cert(ctx), 1);
    X509_STORE_CTX_free(ctx);
    X509_STORE_free(st);
}

static void test_profile(void **state)
{
    pki *p = *state;
    assert_int_equal(X509_check_ca(p->ca), 1);
    assert_int_equal(X509_check_ca(p->ee), 0);
    assert_true(X509_get_key_usage(p->ca) & KU_KEY_CERT_SIGN);
    assert_true(X509_get_key_usage(p->ee) & KU_DIGITAL_SIGNATURE);
    assert_false(X509_get_key_usage(p->ee) & KU_KEY_CERT_SIGN);
    assert_non_null(X509_get0_subject_key_id(p->ca));
    assert_non_null(X509_get0_authority_key_id(p->ee));
    assert_int_equal(ASN1_INTEGER_get(X509_get0_serialNumber(p->ca)), 7);
    assert_int_equal(X509_check_issued(p->ca, p->ee), X509_V_OK);
    char cn[64];
    X509_NAME_get_text_by_NID(X509_get_subject_name(p->ee), NID_commonName,
                              cn, sizeof(cn));
    assert_string_equal(cn, "test signer");
    assert_int_equal(X509_NAME_entry_count(X509_get_subject_name(p->ee)), 2);
    assert_int_equal(X509_NAME_entry_count(X509_get_subject_name(p->ca)), 3);
}

static void test_der_and_pem(void **state)
{
    pki *p = *state;
    sfc_buf der, pem;
    buf_init(&der);
    buf_init(&pem);
    assert_true(sfc_cert_der(p->ee, &der));
    assert_true(sfc_cert_pem(p->ee, &pem));
    const unsigned char *q = der.data;
    X509 *back = d2i_X509(NULL, &q, (long)der.len);
    assert_non_null(back);
    assert_int_equal(X509_cmp(back, p->ee), 0);
    assert_non_null(strstr((const char *)pem.data, "BEGIN CERTIFICATE"));
    X509_free(back);
    buf_free(&der);
    buf_free(&pem);
}

static void test_cms_signature(void **state)
{
    pki *p = *state;
    static const uint8_t content[] = {0x31, 0x03, 0x02, 0x01, 0x05};
    sfc_buf out;
    buf_init(&out);
    assert_int_equal(sfc_cms_sign(p->ee, p->ee_key, "0.4.0.127.0.7.3.2.1",
                                  content, sizeof(content), &out),
                     SFC_OK);
    const unsigned char *q = out.data;
    CMS_ContentInfo *cms = d2i_CMS_ContentInfo(NULL, &q, (long)out.len);
    assert_non_null(cms);
    char oid[64];
    OBJ_obj2txt(oid, sizeof(oid), CMS_get0_eContentType(cms), 1);
    assert_string_equal(oid, "0.4.0.127.0.7.3.2.1");
    X509_STORE *st = store_of(p->ca);
    BIO *mem = BIO_new(BIO_s_mem());
    assert_int_equal(CMS_verify(cms, NULL, st, NULL, mem, CMS_BINARY), 1);
    char *got = NULL;
    long n = BIO_get_mem_data(mem, &got);
    assert_int_equal(n, sizeof(content));
    assert_memory_equal(got, content, sizeof(content));
    /* a changed byte of the content no longer verifies */
    ASN1_OCTET_STRING **ec = CMS_get0_content(cms);
    assert_non_null(ec);
    (*ec)->data[4] ^= 1;
    assert_int_not_equal(CMS_verify(cms, NULL, st, NULL, NULL, CMS_BINARY),
                         1);
    BIO_free(mem);
    X509_STORE_free(st);
    CMS_ContentInfo_free(cms);
    buf_free(&out);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_chain_verifies),
        cmocka_unit_test(test_profile),
        cmocka_unit_test(test_der_and_pem),
        cmocka_unit_test(test_cms_signature),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
