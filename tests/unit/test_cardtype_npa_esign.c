/* SPDX-License-Identifier: LGPL-2.1-or-later */
/**
 * @file test_cardtype_npa_esign.c
 * @brief The nPA's eSign application against the project's test terminal
 *        (npa_terminal.c): PACE with the PIN, Terminal Authentication as a
 *        signature terminal (cvc-create, id-ST with "generate qualified
 *        electronic signature"), the QES PIN, and PSO:COMPUTE DIGITAL
 *        SIGNATURE verified with OpenSSL against the holder certificate
 *        read from DF.eSign (itself checked against the eSign CA's). Every
 *        missing condition (no TA, an authentication terminal, a signature
 *        terminal without the QES right, no or a wrong QES PIN, DF.eID
 *        current) answers 6982 or the PIN's counter.
 */
#include "cardtest.h"

#include <stdio.h>
#include <stdlib.h>

#include <openssl/bn.h>
#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include "cardtypes/npa.h"
#include "npa_fixture.h"

/* The test PKI: scripts/npa-test-pki.sh (CVCA, DV, AT) plus a signature
 * terminal's DV and terminals (QES and plain signature) under the CVCA. */
static const char *pki_dir(void)
{
    static char dir[64];
    if (dir[0])
        return dir;
    snprintf(dir, sizeof(dir), "/tmp/sc-npa-esign.XXXXXX");
    assert_non_null(mkdtemp(dir));
    char cmd[2048];
    snprintf(cmd, sizeof(cmd),
             "set -e; cd '%s'; '%s/scripts/npa-test-pki.sh' . >/dev/null; "
             "E=$(date -d +365days +%%y%%m%%d); "
             "cvc-create --role=dv_domestic --type=st --chr=ZZSOFTDVST00001 "
             "--expires=$E --sign-with=cvca.pkcs8 --sign-as=cvca.cvcert "
             "--scheme=ECDSA_SHA_256 --gen-qualified-sig --gen-sig "
             "--out-cert=dvst.cvcert --out-key=dvst.pkcs8 >/dev/null; "
             "cvc-create --role=terminal --chr=ZZSOFTSTRM00001 --expires=$E "
             "--sign-with=dvst.pkcs8 --sign-as=dvst.cvcert "
             "--scheme=ECDSA_SHA_256 --gen-qualified-sig --gen-sig "
             "--out-cert=st.cvcert --out-key=st.pkcs8 >/dev/null; "
             "cvc-create --role=terminal --chr=ZZSOFTSTRM00002 --expires=$E "
             "--sign-with=dvst.pkcs8 --sign-as=dvst.cvcert "
             "--scheme=ECDSA_SHA_256 --gen-sig "
             "--out-cert=st0.cvcert --out-key=st0.pkcs8 >/dev/null",
             dir, SFC_SOURCE_DIR);
    assert_int_equal(system(cmd), 0);
    return dir;
}

/* A file of the test PKI. */
static size_t slurp(const char *name, uint8_t *out, size_t cap)
{
    return tu_read_file(pki_dir(), name, out, cap);
}

typedef npa_fixture fixture;

static sfc_card *esign_card(const char *pin, const char *key)
{
    static char cvca[128];
    snprintf(cvca, sizeof(cvca), "%s/cvca.cvcert", pki_dir());
    sfc_param p[3] = {{"cvca", cvca}};
    size_t n = 1;
    if (pin)
        p[n++] = (sfc_param){"esign-pin", pin};
    if (key)
        p[n++] = (sfc_param){"esign-key", key};
    sfc_card_options o = {.params = p, .n_params = n};
    return ct_card_ex("nPA", &o);
}

static int setup(void **state)
{
    return npa_fixture_setup(state, esign_card(NULL, NULL));
}

static int teardown(void **state)
{
    return npa_fixture_teardown(state);
}

/* PACE with the eID PIN and TA with `dv` and `term` (NULL: no TA). */
static void pace_ta(fixture *f, const char *dv, const char *term)
{
    static uint8_t dvc[1024], tc[1024], key[1024];
    char name[32];
    size_t lens[2];
    assert_int_equal(npa_term_pace(&f->t, 3, "111111", NPA_TERM_ECDH_GM),
                     0x9000);
    if (!term)
        return;
    snprintf(name, sizeof(name), "%s.cvcert", dv);
    lens[0] = slurp(name, dvc, sizeof(dvc));
    snprintf(name, sizeof(name), "%s.cvcert", term);
    lens[1] = slurp(name, tc, sizeof(tc));
    snprintf(name, sizeof(name), "%s.pkcs8", term);
    size_t keylen = slurp(name, key, sizeof(key));
    const uint8_t *certs[] = {dvc, tc};
    assert_int_equal(npa_term_ta(&f->t, certs, lens, 2, key, keylen), 0x9000);
}

#define SELECT_ESIGN "00A4040C0AA000000167455349474E"
#define QES_PIN_OK "00200081063132333435 36"

static uint16_t send(fixture *f, const char *hex)
{
    char clean[512];
    size_t j = 0;
    for (size_t i = 0; hex[i] && j + 1 < sizeof(clean); i++)
        if (hex[i] != ' ')
            clean[j++] = hex[i];
    clean[j] = '\0';
    return npa_term_sendx(&f->t, clean, NULL, NULL);
}

/* A whole EF of DF.eSign by FID, in short-Le pieces. */
static size_t read_ef(fixture *f, const char *fid, uint8_t *out, size_t cap)
{
    char apdu[64];
    snprintf(apdu, sizeof(apdu), "00A4020C02%s", fid);
    assert_int_equal(send(f, apdu), 0x9000);
    size_t total = 0;
    for (;;) {
        size_t n = cap - total;
        snprintf(apdu, sizeof(apdu), "00B0%04zX80", total);
        uint16_t sw = npa_term_sendx(&f->t, apdu, out + total, &n);
        if (sw == 0x6B00 || (sw == 0x6282 && n == 0))
            break;
        assert_true(sw == 0x9000 || sw == 0x6282);
        total += n;
        if (n < 0x80 || sw == 0x6282)
            break;
    }
    return total;
}

/* PSO:CDS over SHA-256("softcard"), answer into sig (64 bytes). */
static uint16_t sign(fixture *f, uint8_t hash[32], uint8_t *sig, size_t *n)
{
    uint8_t apdu[5 + 32 + 1] = {0x00, 0x2A, 0x9E, 0x9A, 0x20};
    assert_int_equal(EVP_Digest("softcard", 8, hash, NULL, EVP_sha256(), NULL),
                     1);
    memcpy(apdu + 5, hash, 32);
    apdu[37] = 0x00;
    return npa_term_send(&f->t, apdu, sizeof(apdu), sig, n);
}

/* Verify plain r || s over `hash` with the certificate's key. */
static bool verify_plain(X509 *x, const uint8_t *hash, const uint8_t *sig,
                         size_t n)
{
    ECDSA_SIG *es = ECDSA_SIG_new();
    BIGNUM *r = BN_bin2bn(sig, (int)(n / 2), NULL);
    BIGNUM *s = BN_bin2bn(sig + n / 2, (int)(n / 2), NULL);
    assert_int_equal(ECDSA_SIG_set0(es, r, s), 1);
    unsigned char *der = NULL;
    int dlen = i2d_ECDSA_SIG(es, &der);
    EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new(X509_get0_pubkey(x), NULL);
    bool ok = ctx && EVP_PKEY_verify_init(ctx) == 1 &&
              EVP_PKEY_verify(ctx, der, (size_t)dlen, hash, 32) == 1;
    EVP_PKEY_CTX_free(ctx);
    OPENSSL_free(der);
    ECDSA_SIG_free(es);
    return ok;
}

static X509 *der_cert(const uint8_t *d, size_t n)
{
    const unsigned char *p = d;
    X509 *x = d2i_X509(NULL, &p, (long)n);
    assert_non_null(x);
    return x;
}

static void test_sign_qes(void **state)
{
    fixture *f = *state;
    uint8_t cert[2048], ca[2048], sig[128], hash[32];
    pace_ta(f, "dvst", "st");
    assert_int_equal(send(f, SELECT_ESIGN), 0x9000);
    size_t cn = read_ef(f, "C001", cert, sizeof(cert));
    size_t can = read_ef(f, "C000", ca, sizeof(ca));
    X509 *x = der_cert(cert, cn), *xca = der_cert(ca, can);
    assert_int_equal(X509_verify(x, X509_get0_pubkey(xca)), 1);
    size_t n = sizeof(sig);
    /* no QES PIN yet */
    assert_int_equal(send(f, "0020008100"), 0x63C3);
    assert_int_equal(sign(f, hash, sig, &n), 0x6982);
    assert_int_equal(send(f, "002000810631323334353F"), 0x63C2);
    assert_int_equal(send(f, QES_PIN_OK), 0x9000);
    assert_int_equal(send(f, "002241B603840184"), 0x9000);
    assert_int_equal(send(f, "002241B603840141"), 0x6A88);
    n = sizeof(sig);
    assert_int_equal(sign(f, hash, sig, &n), 0x9000);
    assert_int_equal(n, 64);
    assert_true(verify_plain(x, hash, sig, n));
    sig[5] ^= 1;
    assert_false(verify_plain(x, hash, sig, n));
    /* one signature per verification */
    n = sizeof(sig);
    assert_int_equal(sign(f, hash, sig, &n), 0x6982);
    assert_int_equal(send(f, QES_PIN_OK), 0x9000);
    /* bad hash length */
    assert_int_equal(send(f, "002A9E9A03010203"), 0x6A80);
    X509_free(x);
    X509_free(xca);
}

/* The eSign commands answer 6982 in DF.eID, without TA, for an
 * authentication terminal and for a signature terminal without QES. */
static void test_sign_refused(void **state)
{
    fixture *f = *state;
    uint8_t sig[128], hash[32];
    size_t n = sizeof(sig);
    pace_ta(f, "dvst", "st");
    assert_int_equal(send(f, "00A4040C09E80704007F00070302"), 0x9000);
    assert_int_equal(send(f, QES_PIN_OK), 0x6982);
    assert_int_equal(sign(f, hash, sig, &n), 0x6982);
    const char *const cases[][2] = {{NULL, NULL},
                                    {"dv", "at"},
                                    {"dvst", "st0"}};
    for (size_t i = 0; i < 3; i++) {
        npa_term_free(&f->t);
        sfc_card_free(f->card);
        f->card = esign_card(NULL, NULL);
        npa_term_init(&f->t, npa_card_xfer, f->card);
        pace_ta(f, cases[i][0], cases[i][1]);
        assert_int_equal(send(f, SELECT_ESIGN), 0x9000);
        assert_int_equal(send(f, QES_PIN_OK), 0x6982);
        n = sizeof(sig);
        assert_int_equal(sign(f, hash, sig, &n), 0x6982);
    }
    /* no secure messaging at all */
    npa_term_free(&f->t);
    npa_term_init(&f->t, npa_card_xfer, f->card);
    assert_int_equal(send(f, "002A9E9A03010203"), 0x6982);
}

/* --esign-pin and --esign-key: the certificate carries the given key. */
static void test_esign_params(void **state)
{
    fixture *f = *state;
    char path[160];
    snprintf(path, sizeof(path), "%s/esign.pem", pki_dir());
    EVP_PKEY *k = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "brainpoolP256r1");
    FILE *fp = fopen(path, "w");
    assert_non_null(fp);
    assert_int_equal(PEM_write_PrivateKey(fp, k, NULL, NULL, 0, NULL, NULL), 1);
    fclose(fp);
    npa_term_free(&f->t);
    sfc_card_free(f->card);
    f->card = esign_card("87654321", path);
    npa_term_init(&f->t, npa_card_xfer, f->card);
    pace_ta(f, "dvst", "st");
    assert_int_equal(send(f, SELECT_ESIGN), 0x9000);
    uint8_t cert[2048], sig[128], hash[32];
    X509 *x = der_cert(cert, read_ef(f, "C001", cert, sizeof(cert)));
    assert_int_equal(EVP_PKEY_eq(X509_get0_pubkey(x), k), 1);
    assert_int_equal(send(f, QES_PIN_OK), 0x63C2);
    assert_int_equal(send(f, "00200081083837363534333231"), 0x9000);
    size_t n = sizeof(sig);
    assert_int_equal(sign(f, hash, sig, &n), 0x9000);
    assert_true(verify_plain(x, hash, sig, n));
    X509_free(x);
    EVP_PKEY_free(k);
    /* a QES PIN that is not digits is refused at creation */
    sfc_param bad[] = {{"esign-pin", "12ab56"}};
    sfc_card_options o = {.params = bad, .n_params = 1};
    char err[256] = "";
    sfc_card *c = NULL;
    assert_int_not_equal(sfc_card_new("nPA", &o, &c, err, sizeof(err)), SFC_OK);
    assert_non_null(strstr(err, "esign-pin"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_sign_qes, setup, teardown),
        cmocka_unit_test_setup_teardown(test_sign_refused, setup, teardown),
        cmocka_unit_test_setup_teardown(test_esign_params, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
