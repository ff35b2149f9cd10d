/* SPDX-License-Identifier: LGPL-2.1-or-later */
/**
 * @file test_cardtype_epass_terminal.c
 * @brief The ePass card read by the project's independent test terminal
 *        (epass_terminal.c, OpenSSL only) through sfc_card_transmit(): BAC
 *        with random values, every file by FID and by SFI with short and
 *        extended lengths (B0 and, beyond offset 32767, B1), passive
 *        authentication of EF.SOD against a CSCA made here, Active
 *        Authentication with ECDSA and RSA, TD1 and TD2 documents, and the
 *        failures a terminal must see (wrong MRZ, wrong MAC, missing file).
 *
 * Every file read is compared with what the card holds, so the reads test
 * the card's SM and addressing rather than only the terminal's consistency.
 */
#include "cardtest.h"

#include <stdlib.h>
#include <unistd.h>

#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "os/card.h"
#include "os/fs.h"
#include "cardtypes/epass.h"
#include "epass_terminal.h"

#define SPECIMEN_MRZ "P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<" \
                     "L898902C<3UTO6908061F9406236ZE184226B<<<<<14"
#define MAX_FILES 18
#define DG3_SIZE 40000

/* ---- an in-process transport ------------------------------------------- */

static int card_tx(void *ctx, const uint8_t *c, size_t clen, uint8_t *r,
                   size_t cap, size_t *rlen)
{
    const uint8_t *out = NULL;
    size_t n = 0;
    if (sfc_card_transmit(ctx, c, clen, &out, &n) != SFC_OK || n > cap)
        return -1;
    memcpy(r, out, n);
    *rlen = n;
    return 0;
}

/* ---- a test CSCA (the card makes the Document Signer) ------------------ */

typedef struct pki {
    char *key, *cert;
} pki;

static char *bio_text(BIO *b)
{
    char *p = NULL;
    long n = BIO_get_mem_data(b, &p);
    char *s = malloc((size_t)n + 1);
    memcpy(s, p, (size_t)n);
    s[n] = '\0';
    return s;
}

static void add_ext(X509 *x, int nid, const char *v)
{
    X509V3_CTX ctx;
    X509V3_set_ctx(&ctx, x, x, NULL, NULL, 0);
    X509_EXTENSION *e = X509V3_EXT_conf_nid(NULL, &ctx, nid, v);
    assert_non_null(e);
    X509_add_ext(x, e, -1);
    X509_EXTENSION_free(e);
}

static pki make_csca(const char *cn)
{
    EVP_PKEY *k = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256");
    X509 *x = X509_new();
    X509_NAME *n = X509_get_subject_name(x);
    X509_set_version(x, 2);
    ASN1_INTEGER_set(X509_get_serialNumber(x), 7);
    X509_gmtime_adj(X509_getm_notBefore(x), -3600);
    X509_gmtime_adj(X509_getm_notAfter(x), 86400L * 30);
    X509_NAME_add_entry_by_txt(n, "C", MBSTRING_ASC, (const unsigned char *)"UT",
                               -1, -1, 0);
    X509_NAME_add_entry_by_txt(n, "CN", MBSTRING_ASC,
                               (const unsigned char *)cn, -1, -1, 0);
    X509_set_issuer_name(x, n);
    X509_set_pubkey(x, k);
    add_ext(x, NID_basic_constraints, "critical,CA:TRUE");
    add_ext(x, NID_key_usage, "critical,keyCertSign,cRLSign");
    add_ext(x, NID_subject_key_identifier, "hash");
    assert_true(X509_sign(x, k, EVP_sha256()) > 0);
    BIO *kb = BIO_new(BIO_s_mem()), *cb = BIO_new(BIO_s_mem());
    PEM_write_bio_PrivateKey(kb, k, NULL, NULL, 0, NULL, NULL);
    PEM_write_bio_X509(cb, x);
    pki p = {bio_text(kb), bio_text(cb)};
    BIO_free(kb);
    BIO_free(cb);
    X509_free(x);
    EVP_PKEY_free(k);
    return p;
}

static void pki_free(pki *p)
{
    free(p->key);
    free(p->cert);
}

/* ---- helpers ------------------------------------------------------------ */

static pki csca;
static char dg3_path[64], dg11_path[64];

static const char *write_temp(char *name, const uint8_t *d, size_t n)
{
    snprintf(name, 64, "/tmp/sc-epass-term.XXXXXX");
    int fd = mkstemp(name);
    assert_true(fd >= 0);
    assert_int_equal(write(fd, d, n), (ssize_t)n);
    close(fd);
    return name;
}

static int setup(void **state)
{
    (void)state;
    csca = make_csca("test CSCA");
    uint8_t *dg3 = malloc(DG3_SIZE + 4);
    dg3[0] = 0x63;
    dg3[1] = 0x82;
    dg3[2] = DG3_SIZE >> 8;
    dg3[3] = DG3_SIZE & 0xFF;
    for (size_t i = 0; i < DG3_SIZE; i++)
        dg3[4 + i] = (uint8_t)(i * 7 + i / 251);
    write_temp(dg3_path, dg3, DG3_SIZE + 4);
    free(dg3);
    /* DG11: tag list {5F0E}, full name "ERIKSSON" */
    static const uint8_t dg11[] = {0x6B, 0x0F, 0x5C, 0x02, 0x5F, 0x0E, 0x5F,
                                   0x0E, 0x08, 'E', 'R', 'I', 'K', 'S', 'S',
                                   'O', 'N'};
    write_temp(dg11_path, dg11, sizeof(dg11));
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    unlink(dg3_path);
    unlink(dg11_path);
    pki_free(&csca);
    return 0;
}

static sfc_card *new_card(const sfc_param *p, size_t n, bool extended)
{
    sfc_card_options o = {.params = p, .n_params = n,
                         .extended_length = extended};
    return ct_card_ex("ePass", &o);
}

static sfc_card *full_card(bool extended)
{
    sfc_param p[] = {{"csca-key", csca.key}, {"csca-cert", csca.cert},
                    {"dg3", dg3_path}, {"dg11", dg11_path}};
    return new_card(p, 4, extended);
}

static void connect_bac(et_term *t, sfc_card *card, const char *mrz)
{
    char info[64];
    uint16_t sw;
    et_init(t, card_tx, card);
    assert_int_equal(et_mrz_info(mrz, info, sizeof(info)), 0);
    if (et_select_app(t, &sw) != 0 || et_bac(t, info, NULL, NULL) != 0)
        fail_msg("BAC: %s", t->err);
}

/* Every file read equals the card's, and every EF of the DF was read. */
static void check_files(sfc_card *card, const et_file *f, size_t n)
{
    sfc_file *df = epass_lds_df(card);
    size_t efs = 0;
    for (sfc_file *c = df->children; c; c = c->next)
        efs++;
    assert_int_equal(n, efs);
    for (size_t i = 0; i < n; i++) {
        sfc_file *ef = fs_child_by_fid(df, f[i].fid);
        assert_non_null(ef);
        assert_int_equal(f[i].len, ef->size);
        assert_memory_equal(f[i].data, ef->data, ef->size);
    }
}

static void read_everything(sfc_card *card, et_term *t, bool by_sfi,
                            size_t chunk)
{
    et_file f[MAX_FILES];
    size_t n = 0;
    char err[200];
    t->chunk = chunk;
    if (et_read_all(t, by_sfi, f, MAX_FILES, &n) != 0)
        fail_msg("reading (sfi %d, chunk %zu): %s", by_sfi, chunk, t->err);
    check_files(card, f, n);
    if (et_verify_sod(f, n, csca.cert, strlen(csca.cert), err,
                      sizeof(err)) != 0)
        fail_msg("EF.SOD: %s", err);
    et_files_free(f, n);
}

/* ---- tests ---------------------------------------------------------------- */

static void test_read_everything_short(void **state)
{
    (void)state;
    sfc_card *card = full_card(false);
    et_term t;
    connect_bac(&t, card, SPECIMEN_MRZ);
    read_everything(card, &t, false, 0xDF);   /* by FID */
    read_everything(card, &t, true, 0xDF);    /* by SFI */
    read_everything(card, &t, false, 0x100);  /* Le 00: 61xx + GET RESPONSE */
    read_everything(card, &t, true, 0x80);    /* cardpeek's chunks */
    assert_true(t.sm);
    sfc_card_free(card);
}

static void test_read_everything_extended(void **state)
{
    (void)state;
    sfc_card *card = full_card(true);
    et_term t;
    connect_bac(&t, card, SPECIMEN_MRZ);
    t.extended = true;
    read_everything(card, &t, false, 32768);
    read_everything(card, &t, true, 65000);
    read_everything(card, &t, true, 1000);
    sfc_card_free(card);
}

static void test_passive_authentication_failures(void **state)
{
    (void)state;
    sfc_card *card = full_card(false);
    et_term t;
    et_file f[MAX_FILES];
    size_t n = 0;
    char err[200];
    pki other = make_csca("another CSCA");
    connect_bac(&t, card, SPECIMEN_MRZ);
    assert_int_equal(et_read_all(&t, false, f, MAX_FILES, &n), 0);
    assert_int_not_equal(et_verify_sod(f, n, other.cert, strlen(other.cert),
                                       err, sizeof(err)), 0);
    assert_non_null(strstr(err, "CMS_verify"));
    f[1].data[f[1].len - 1] ^= 1; /* DG1's last MRZ character */
    assert_int_not_equal(et_verify_sod(f, n, csca.cert, strlen(csca.cert),
                                       err, sizeof(err)), 0);
    assert_non_null(strstr(err, "hash differs"));
    et_files_free(f, n);
    pki_free(&other);
    sfc_card_free(card);
}

static void test_generated_csca_written(void **state)
{
    (void)state;
    char path[64];
    snprintf(path, sizeof(path), "/tmp/sc-epass-csca.%d.pem", (int)getpid());
    sfc_param p[] = {{"csca-cert-out", path}, {"pki-algorithm", "rsa"}};
    sfc_card *card = new_card(p, 2, false);
    FILE *fp = fopen(path, "r");
    assert_non_null(fp);
    char pem[8192];
    size_t len = fread(pem, 1, sizeof(pem), fp);
    fclose(fp);
    unlink(path);
    et_term t;
    et_file f[MAX_FILES];
    size_t n = 0;
    char err[200];
    connect_bac(&t, card, SPECIMEN_MRZ);
    assert_int_equal(et_read_all(&t, true, f, MAX_FILES, &n), 0);
    if (et_verify_sod(f, n, pem, len, err, sizeof(err)) != 0)
        fail_msg("EF.SOD with the generated RSA CSCA: %s", err);
    et_files_free(f, n);
    sfc_card_free(card);
}

static void active_auth(sfc_card *card, bool extended)
{
    et_term t;
    et_file f[MAX_FILES];
    size_t n = 0;
    connect_bac(&t, card, SPECIMEN_MRZ);
    t.extended = extended;
    assert_int_equal(et_read_all(&t, false, f, MAX_FILES, &n), 0);
    if (et_active_auth(&t, f, n) != 0)
        fail_msg("AA: %s", t.err);
    if (et_active_auth(&t, f, n) != 0) /* again: a fresh nonce each time */
        fail_msg("AA again: %s", t.err);
    et_files_free(f, n);
}

static void test_active_authentication_ecdsa(void **state)
{
    (void)state;
    sfc_card *card = new_card(NULL, 0, false);
    active_auth(card, false);
    sfc_card_free(card);
    EVP_PKEY *k = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-384");
    BIO *b = BIO_new(BIO_s_mem());
    PEM_write_bio_PrivateKey(b, k, NULL, NULL, 0, NULL, NULL);
    char *pem = bio_text(b);
    sfc_param p[] = {{"aa-key", pem}};
    card = new_card(p, 1, true);
    active_auth(card, true);
    sfc_card_free(card);
    free(pem);
    BIO_free(b);
    EVP_PKEY_free(k);
}

static void test_active_authentication_rsa(void **state)
{
    (void)state;
    static const sfc_param p[] = {{"aa-algorithm", "rsa"}};
    sfc_card *card = new_card(p, 1, false);
    active_auth(card, false); /* 256-byte answer: 61xx, GET RESPONSE */
    sfc_card_free(card);
}

/* The terminal's own MRZ parsing must agree with the card's. */
static void bac_with_card_mrz(const sfc_param *p, size_t n)
{
    sfc_card *card = new_card(p, n, false);
    sfc_file *dg1 = fs_child_by_fid(epass_lds_df(card), 0x0101);
    char mrz[100];
    memcpy(mrz, dg1->data + 5, dg1->size - 5);
    mrz[dg1->size - 5] = '\0';
    et_term t;
    et_file f[MAX_FILES];
    size_t nf = 0;
    char got[100];
    connect_bac(&t, card, mrz);
    assert_int_equal(et_read_all(&t, true, f, MAX_FILES, &nf), 0);
    assert_int_equal(et_dg1_mrz(et_find(f, nf, 0x0101), got, sizeof(got)), 0);
    assert_string_equal(got, mrz);
    et_files_free(f, nf);
    sfc_card_free(card);
}

static void test_td1_and_td2(void **state)
{
    (void)state;
    static const sfc_param td1[] = {{"mrz-format", "td1"},
                                   {"document-number", "D23145890734"},
                                   {"birth-date", "340712"},
                                   {"expiry-date", "950712"}};
    bac_with_card_mrz(td1, 4);
    static const sfc_param td2[] = {{"mrz-format", "td2"}, {"sex", "M"},
                                   {"surname", "Mustermann"}};
    bac_with_card_mrz(td2, 3);
    static const sfc_param td1_plain[] = {
        {"mrz", "I<UTOD231458907<<<<<<<<<<<<<<<7408122F1204159UTO<<<<<<<<<<<6"
                "ERIKSSON<<ANNA<MARIA<<<<<<<<<<"}};
    bac_with_card_mrz(td1_plain, 1);
}

static void test_terminal_failures(void **state)
{
    (void)state;
    sfc_card *card = new_card(NULL, 0, false);
    et_term t;
    uint16_t sw = 0;
    uint8_t out[16];
    size_t n;
    et_init(&t, card_tx, card);
    assert_int_equal(et_select_app(&t, &sw), 0);
    /* wrong date of birth */
    assert_int_not_equal(et_bac(&t, "L898902C<369080729406236", NULL, NULL),
                         0);
    assert_non_null(strstr(t.err, "6300"));
    connect_bac(&t, card, SPECIMEN_MRZ);
    /* a missing file: a protected 6A82 that cardpeek can check */
    assert_int_equal(et_select_ef(&t, 0x0104, &sw), 0);
    assert_int_equal(sw, 0x6A82);
    assert_true(t.sm);
    /* malformed INTERNAL AUTHENTICATE under SM: protected ISO answers */
    assert_int_equal(et_sm_command(&t, 0x88, 0x00, 0x00,
                                   (const uint8_t *)"1234567", 7, 256, out,
                                   sizeof(out), &n, &sw, false), 0);
    assert_int_equal(sw, 0x6700);
    assert_int_equal(et_sm_command(&t, 0x88, 0x01, 0x00,
                                   (const uint8_t *)"12345678", 8, 256, out,
                                   sizeof(out), &n, &sw, false), 0);
    assert_int_equal(sw, 0x6A86);
    assert_int_equal(et_sm_command(&t, 0xD6, 0x00, 0x00,
                                   (const uint8_t *)"1", 1, 0, out,
                                   sizeof(out), &n, &sw, false), 0);
    assert_int_equal(sw, 0x6D00); /* no UPDATE BINARY, even under SM */
    /* a wrong command MAC: plain 6988 and the session is gone */
    assert_int_not_equal(et_sm_command(&t, 0xA4, 0x02, 0x0C,
                                       (const uint8_t *)"\x01\x1E", 2, 0, out,
                                       sizeof(out), &n, &sw, true), 0);
    assert_int_equal(sw, 0x6988);
    assert_false(t.sm);
    t.sm = true; /* pretend: the card must refuse */
    assert_int_not_equal(et_select_ef(&t, 0x011E, &sw), 0);
    assert_int_equal(sw, 0x6988);
    /* BAC again after the failure works, and a reset ends it */
    connect_bac(&t, card, SPECIMEN_MRZ);
    assert_int_equal(et_select_ef(&t, 0x011E, &sw), 0);
    sfc_card_power(card, SFC_RESET);
    assert_int_not_equal(et_select_ef(&t, 0x011E, &sw), 0);
    assert_int_equal(sw, 0x6988);
    sfc_card_free(card);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_read_everything_short),
        cmocka_unit_test(test_read_everything_extended),
        cmocka_unit_test(test_passive_authentication_failures),
        cmocka_unit_test(test_generated_csca_written),
        cmocka_unit_test(test_active_authentication_ecdsa),
        cmocka_unit_test(test_active_authentication_rsa),
        cmocka_unit_test(test_td1_and_td2),
        cmocka_unit_test(test_terminal_failures),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
