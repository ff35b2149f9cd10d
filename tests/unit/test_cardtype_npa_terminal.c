/* SPDX-License-Identifier: LGPL-2.1-or-later */
/**
 * @file test_cardtype_npa_terminal.c
 * @brief The nPA against the project's test terminal on OpenPACE's
 *        terminal side (npa_terminal.c): PACE with every password over
 *        ECDH and DH Generic Mapping and DH Integrated Mapping (with its
 *        bad input, and ECDH-IM refused) with the system RNG, secure messaging
 *        afterwards (EF.CardSecurity read and checked against the card's
 *        own CA key), access after PACE, and the PIN life cycle end to end
 *        (tries, suspension and resumption with the CAN, blocking and
 *        unblocking with the PUK, PIN change).
 */
#include "cardtest.h"

#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

#include <eac/ca.h>
#include <eac/eac.h>
#include <openssl/x509.h>
#include <openssl/ec.h>
#include <openssl/bn.h>
#include <eac/objects.h>
#include <eac/pace.h>
#include <eac/cv_cert.h>
#include <openssl/buffer.h>
#include <openssl/core_names.h>
#include <openssl/evp.h>

#include "cardtypes/npa.h"
#include "core/tlv.h"
#include "npa_fixture.h"

#define MRZ                                                        \
    "IDD<<T220001293<<<<<<<<<<<<<<<6408125<2010315D<<<<<<<<<<<<<4" \
    "MUSTERMANN<<ERIKA<<<<<<<<<<<<<"

typedef npa_fixture fixture;

static int setup(void **state)
{
    return npa_fixture_setup(state, ct_card("nPA"));
}

static int teardown(void **state)
{
    return npa_fixture_teardown(state);
}

/* EF.CardSecurity under SM, parsed by OpenPACE: its CA public key must be
 * the card's own key 41. */
static void check_cardsecurity(fixture *f)
{
    static uint8_t cs[8192];
    size_t n = sizeof(cs);
    assert_int_equal(npa_term_read_sfi(&f->t, 0x1D, cs, &n), 0x9000);
    assert_true(n > 500);
    EAC_CTX *ctx = EAC_CTX_new();
    assert_non_null(ctx);
    assert_int_equal(EAC_CTX_init_ef_cardsecurity(cs, n, ctx), 1);
    assert_non_null(ctx->ca_ctx);
    EVP_PKEY *mine = sfc_key_pkey(sfc_key_find(f->card, NPA_KEY_CA));
    assert_non_null(mine);
    assert_int_equal(EVP_PKEY_eq(ctx->ca_ctx->ka_ctx->key, mine), 1);
    EAC_CTX_clear_free(ctx);
}

static void test_pace_each_password(void **state)
{
    fixture *f = *state;
    static const struct {
        uint8_t pwd;
        const char *secret;
    } runs[] = {{1, MRZ}, {2, "222222"}, {3, "111111"}, {4, "3333333333"}};
    for (size_t i = 0; i < sizeof(runs) / sizeof(runs[0]); i++) {
        f->t.sm = false; /* a new PACE from scratch, plain */
        assert_int_equal(npa_term_pace(&f->t, runs[i].pwd, runs[i].secret,
                                       NPA_TERM_ECDH_GM),
                         0x9000);
        assert_true(f->t.sm && npa_pace_done(f->card));
        check_cardsecurity(f);
    }
}

static void test_pace_dh(void **state)
{
    fixture *f = *state;
    assert_int_equal(npa_term_pace(&f->t, 3, "111111", NPA_TERM_DH_GM), 0x9000);
    check_cardsecurity(f);
    f->t.sm = false;
    assert_int_equal(npa_term_pace(&f->t, 2, "222222", NPA_TERM_DH_GM), 0x9000);
}

/* ---- Integrated Mapping (--pace-mapping im) -------------------------------- */

#define OID_DH_IM "04007F00070202040302"
#define OID_ECDH_GM "04007F00070202040202"
#define OID_DH_GM "04007F00070202040102"

/* A card made with --pace-mapping `mapping`, and a terminal for it. */
static int mapping_setup(void **state, const char *mapping)
{
    sfc_param p[] = {{"pace-mapping", mapping}};
    sfc_card_options o = {.params = p, .n_params = 1};
    return npa_fixture_setup(state, ct_card_ex("nPA", &o));
}

/* A card offering PACE DH-IM only. */
static int im_setup(void **state)
{
    return mapping_setup(state, "im");
}

/* EF `sfi` as hex, read under the terminal's current protection. */
static const char *ef_hex(fixture *f, uint8_t sfi)
{
    static uint8_t buf[8192];
    size_t n = sizeof(buf);
    assert_int_equal(npa_term_read_sfi(&f->t, sfi, buf, &n), 0x9000);
    return tu_tohex(buf, n);
}

/* Each password of the card, for the mapping tests' PACE runs. */
static const struct {
    uint8_t pwd;
    const char *secret;
} passwords[] = {{3, "111111"}, {1, MRZ}, {2, "222222"}, {4, "3333333333"}};

/* EF.CardAccess offers DH-IM (version 2, parameter ID 0) and no GM; PACE
 * with each password over it, then EF.CardSecurity under its secure
 * messaging, checked against the card's CA key (without the IM PACEInfo,
 * which OpenPACE's CA_get_pubkey could not parse). */
static void test_pace_im(void **state)
{
    fixture *f = *state;
    const char *ca = ef_hex(f, 0x1C);
    assert_non_null(strstr(ca, "060A" OID_DH_IM "020102020100"));
    assert_null(strstr(ca, OID_ECDH_GM));
    assert_null(strstr(ca, OID_DH_GM));
    for (size_t i = 0; i < sizeof(passwords) / sizeof(passwords[0]); i++) {
        f->t.sm = false;
        assert_int_equal(npa_term_pace(&f->t, passwords[i].pwd,
                                       passwords[i].secret,
                                       NPA_TERM_DH_IM),
                         0x9000);
        assert_true(f->t.sm && npa_pace_done(f->card));
        check_cardsecurity(f);
    }
    assert_null(strstr(ef_hex(f, 0x1D), OID_DH_IM));
    /* a terminal asking for GM finds no such PACEInfo */
    f->t.sm = false;
    assert_int_equal(npa_term_pace(&f->t, 3, "111111", NPA_TERM_ECDH_GM), 0);
}

/* The mapping binds the password: a wrong PIN, CAN or MRZ fails at the
 * token (6300) and costs a PIN try. */
static void test_pace_im_wrong_password(void **state)
{
    fixture *f = *state;
    assert_int_equal(npa_term_pace(&f->t, 3, "111112", NPA_TERM_DH_IM), 0x6300);
    assert_false(npa_pace_done(f->card));
    assert_int_equal(npa_term_pace(&f->t, 2, "222223", NPA_TERM_DH_IM), 0x6300);
    assert_false(npa_pace_done(f->card));
    assert_int_equal(npa_term_pace(&f->t, 3, "111111", NPA_TERM_DH_IM), 0x9000);
    assert_int_equal(f->t.mse_sw, 0x63C2);
}

/* Plain APDUs: MSE:Set AT with DH-IM and the PIN, then GA2 with a nonce t
 * of the wrong length (6A80, the run ends: 6985), the right one (an empty
 * 82), a mapping-data tag other than 81; the OIDs not offered: GM, ECDH-IM
 * and PACE-CAM (which OpenPACE does not know). */
static void test_pace_im_bad_input(void **state)
{
    fixture *f = *state;
    sfc_card *c = f->card;
    const char *mse = "0022C1A412800A" OID_DH_IM "8301038401 00";
    ct_expect(c, mse, "9000");
    ct_expect(c, "10860000027C0000", "#20 9000");
    ct_expect(c, "108600000C7C0A8108 0102030405060708 00", "6A80");
    ct_expect(c, "10860000027C0000", "6985"); /* the run ended */
    ct_expect(c, mse, "63C2");                /* GA1 cost a try */
    ct_expect(c, "10860000027C0000", "#20 9000");
    ct_expect(c,
              "10860000157C138111 000102030405060708090A0B0C0D0E0F10 00",
              "6A80");
    ct_expect(c, mse, "63C1");
    ct_expect(c, "10860000027C0000", "6985"); /* suspended: CAN first */
    mse = "0022C1A412800A" OID_DH_IM "8301028401 00";
    ct_expect(c, mse, "9000");
    ct_expect(c, "10860000027C0000", "#20 9000");
    ct_expect(c, "10860000147C128210 000102030405060708090A0B0C0D0E0F 00",
              "6A80"); /* 82 instead of 81 */
    ct_expect(c, mse, "9000");
    ct_expect(c, "10860000027C0000", "#20 9000");
    ct_expect(c, "10860000147C128110 000102030405060708090A0B0C0D0E0F 00",
              "7C028200 9000");
    ct_expect(c, "0022C1A412800A" OID_ECDH_GM "8301038401 0D", "6A80");
    ct_expect(c, "0022C1A412800A" OID_DH_GM "8301038401 00", "6A80");
    ct_expect(c, "0022C1A40F800A04007F00070202040602 830103", "6A80");
}

/* ECDH-IM is refused even when a given EF.CardAccess offers it: OpenPACE's
 * ECDH-IM keeps the static generator (any password would verify). */
static void test_pace_ecdh_im_refused(void **state)
{
    (void)state;
    char path[] = "/tmp/softcard-npa-im-XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    static const uint8_t ca[] = {0x31, 0x14, 0x30, 0x12, 0x06, 0x0A, 0x04,
                                 0x00, 0x7F, 0x00, 0x07, 0x02, 0x02, 0x04,
                                 0x04, 0x02, 0x02, 0x01, 0x02, 0x02, 0x01,
                                 0x0D};
    assert_int_equal(write(fd, ca, sizeof(ca)), (ssize_t)sizeof(ca));
    close(fd);
    sfc_param p[] = {{"ef-cardaccess", path}};
    sfc_card_options o = {.params = p, .n_params = 1};
    sfc_card *c = ct_card_ex("nPA", &o);
    unlink(path);
    ct_expect(c, "0022C1A412800A04007F000702020404028301038401 0D", "6A80");
    ct_expect(c, "10860000027C0000", "6985");
    sfc_card_free(c);
}

/* Why the card refuses ECDH-IM: with OpenPACE alone (chip and terminal
 * contexts, TR-03110 v2.01 mode, brainpoolP256r1), a terminal with the
 * wrong PIN completes ECDH-IM and its token verifies, because OpenPACE's
 * ECDH-IM mapping drops the mapped generator. Should a later OpenPACE bind
 * the password, this test fails and the refusal can go. */
static BUF_MEM *im_token(EAC_CTX *picc, EAC_CTX *pcd)
{
    BUF_MEM *t = PACE_STEP3A_generate_mapping_data(pcd);
    BUF_MEM *e1 = NULL, *e2 = NULL, *tok = NULL;
    if (t && PACE_STEP3A_map_generator(pcd, t) &&
        PACE_STEP3A_map_generator(picc, t) &&
        (e1 = PACE_STEP3B_generate_ephemeral_key(picc)) &&
        (e2 = PACE_STEP3B_generate_ephemeral_key(pcd)) &&
        PACE_STEP3B_compute_shared_secret(picc, e2) &&
        PACE_STEP3B_compute_shared_secret(pcd, e1) &&
        PACE_STEP3C_derive_keys(picc) && PACE_STEP3C_derive_keys(pcd))
        tok = PACE_STEP3D_compute_authentication_token(pcd, e1);
    BUF_MEM_free(t);
    BUF_MEM_free(e1);
    BUF_MEM_free(e2);
    return tok;
}

static int openpace_im_run(int nid, int param, const char *pcd_pin)
{
    EAC_CTX *picc = EAC_CTX_new(), *pcd = EAC_CTX_new();
    PACE_SEC *s1 = PACE_SEC_new("111111", 6, PACE_PIN);
    PACE_SEC *s2 = PACE_SEC_new(pcd_pin, strlen(pcd_pin), PACE_PIN);
    assert_true(picc && pcd && s1 && s2);
    picc->tr_version = pcd->tr_version = EAC_TR_VERSION_2_01;
    assert_int_equal(EAC_CTX_init_pace(picc, nid, param), 1);
    assert_int_equal(EAC_CTX_init_pace(pcd, nid, param), 1);
    BUF_MEM *z = PACE_STEP1_enc_nonce(picc, s1);
    assert_non_null(z);
    assert_int_equal(PACE_STEP2_dec_nonce(pcd, s2, z), 1);
    BUF_MEM *tok = im_token(picc, pcd);
    assert_non_null(tok);
    int v = PACE_STEP3D_verify_authentication_token(picc, tok);
    BUF_MEM_free(z);
    BUF_MEM_free(tok);
    PACE_SEC_clear_free(s1);
    PACE_SEC_clear_free(s2);
    EAC_CTX_clear_free(picc);
    EAC_CTX_clear_free(pcd);
    return v;
}

static void test_openpace_ecdh_im_unbound(void **state)
{
    (void)state;
    npa_eac_init();
    /* DH-IM binds the PIN; ECDH-IM does not */
    assert_int_equal(openpace_im_run(NID_id_PACE_DH_IM_AES_CBC_CMAC_128, 0,
                                     "111111"),
                     1);
    assert_int_not_equal(openpace_im_run(NID_id_PACE_DH_IM_AES_CBC_CMAC_128,
                                         0, "654321"),
                         1);
    assert_int_equal(openpace_im_run(NID_id_PACE_ECDH_IM_AES_CBC_CMAC_128, 13,
                                     "654321"),
                     1);
}

/* --pace-mapping: other values, and im or cam with --pace-dh-first, are
 * refused at personalisation. */
static void test_pace_mapping_param(void **state)
{
    (void)state;
    static const char *bad[] = {"GM", "", "im2", "cam2", "im", "cam"};
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        sfc_param p[] = {{"pace-mapping", bad[i]}, {"pace-dh-first", ""}};
        sfc_card_options o = {.params = p, .n_params = i < 4 ? 1 : 2};
        sfc_card *c = NULL;
        char err[256] = "";
        assert_int_not_equal(sfc_card_new("nPA", &o, &c, err, sizeof(err)),
                             SFC_OK);
        assert_non_null(strstr(err, "pace-mapping"));
    }
}

/* ---- Chip Authentication Mapping (--pace-mapping cam) --------------------- */

#define OID_ECDH_CAM "04007F00070202040602"

static int cam_setup(void **state)
{
    return mapping_setup(state, "cam");
}

/* EF.CardAccess offers ECDH-CAM (version 2, brainpoolP256r1) alone; PACE
 * with each password; the terminal decrypts the chip authentication data
 * and checks it against the CA key of EF.CardSecurity, read under the new
 * secure messaging; the CA_IC of another run does not verify. */
static void test_pace_cam(void **state)
{
    fixture *f = *state;
    const char *ca = ef_hex(f, 0x1C);
    assert_non_null(strstr(ca, "3012060A" OID_ECDH_CAM "02010202010D"));
    assert_null(strstr(ca, OID_ECDH_GM));
    assert_null(strstr(ca, OID_DH_GM));
    uint8_t old[32];
    for (size_t i = 0; i < sizeof(passwords) / sizeof(passwords[0]); i++) {
        f->t.sm = false;
        assert_int_equal(npa_term_pace(&f->t, passwords[i].pwd,
                                       passwords[i].secret,
                                       NPA_TERM_ECDH_CAM),
                         0x9000);
        assert_true(f->t.sm && npa_pace_done(f->card));
        assert_int_equal(f->t.cam_ca->length, 32);
        assert_int_equal(npa_term_cam_check(&f->t), 0x9000);
        if (i > 0) { /* last run's CA_IC does not fit this mapping key */
            memcpy(f->t.cam_ca->data, old, 32);
            assert_int_equal(npa_term_cam_check(&f->t), 0x6300);
        }
        memcpy(old, f->t.cam_ca->data, 32);
    }
    check_cardsecurity(f);
    /* a GM terminal finds no GM PACEInfo */
    f->t.sm = false;
    assert_int_equal(npa_term_pace(&f->t, 3, "111111", NPA_TERM_ECDH_GM), 0);
}

/* A wrong PIN fails at the token (6300), no 8A is sent. */
static void test_pace_cam_wrong_password(void **state)
{
    fixture *f = *state;
    assert_int_equal(npa_term_pace(&f->t, 3, "111112", NPA_TERM_ECDH_CAM),
                     0x6300);
    assert_false(npa_pace_done(f->card));
    assert_null(f->t.cam_ca);
    assert_int_equal(npa_term_pace(&f->t, 3, "111111", NPA_TERM_ECDH_CAM),
                     0x9000);
    assert_int_equal(f->t.mse_sw, 0x63C2);
    assert_int_equal(npa_term_cam_check(&f->t), 0x9000);
}

/* Plain APDUs: CAM's MSE:Set AT with a parameter ID not offered, the GM
 * and DH OIDs on a CAM card, CAM's OID on the default (GM) card (6A80);
 * steps out of order (6985); a malformed mapping key in GA2 (6A80). */
static void test_pace_cam_bad_input(void **state)
{
    fixture *f = *state;
    sfc_card *c = f->card;
    ct_expect(c, "0022C1A412800A" OID_ECDH_CAM "8301038401 0C", "6A80");
    ct_expect(c, "0022C1A412800A" OID_ECDH_GM "8301038401 0D", "6A80");
    ct_expect(c, "0022C1A412800A" OID_DH_GM "8301038401 00", "6A80");
    ct_expect(c, "0022C1A412800A" OID_ECDH_CAM "8301028401 0D", "9000");
    ct_expect(c, "10860000057C03830101 00", "6A80"); /* GA3 first */
    ct_expect(c, "0022C1A40F800A" OID_ECDH_CAM "830102", "9000");
    ct_expect(c, "10860000027C0000", "#20 9000");
    ct_expect(c, "10860000057C0381010100", "6A80"); /* not a point */
    ct_expect(c, "10860000027C0000", "6985");
    sfc_card *gm = ct_card("nPA");
    ct_expect(gm, "0022C1A40F800A" OID_ECDH_CAM "830103", "6A80");
    sfc_card_free(gm);
}

/* After PACE (no Terminal Authentication): EF.CardSecurity yes, data
 * groups no; TA needs a CVCA on the card (6A88 without); auxiliary data
 * verification needs TA (6982); all under SM. */
static void test_access_after_pace(void **state)
{
    fixture *f = *state;
    uint8_t buf[512];
    size_t n = sizeof(buf);
    assert_int_equal(npa_term_pace(&f->t, 3, "111111", NPA_TERM_ECDH_GM),
                     0x9000);
    assert_int_equal(npa_term_sendx(&f->t, "00A4040C09E80704007F00070302", buf,
                                    &n),
                     0x9000);
    n = sizeof(buf);
    assert_int_equal(npa_term_sendx(&f->t, "00B0810000", buf, &n), 0x6982);
    n = sizeof(buf);
    assert_int_equal(npa_term_sendx(&f->t,
                                    "002281B60F830D44454356434141"
                                    "543030303031",
                                    buf, &n),
                     0x6A88);
    n = sizeof(buf);
    assert_int_equal(npa_term_sendx(&f->t, "0084000008", buf, &n), 0x9000);
    assert_int_equal(n, 8);
    n = sizeof(buf);
    assert_int_equal(npa_term_sendx(&f->t, "00820000084142434445464748", buf,
                                    &n),
                     0x6985); /* no TA under way */
    n = sizeof(buf);
    assert_int_equal(npa_term_sendx(&f->t, "802080000B060904007F000703010401",
                                    buf, &n),
                     0x6982); /* needs TA */
    assert_true(f->t.sm);
    /* a plain command ends secure messaging and what PACE gave */
    f->t.sm = false;
    assert_int_equal(npa_term_sendx(&f->t, "00A4000C023F00", NULL, NULL),
                     0x9000);
    n = sizeof(buf);
    assert_int_equal(npa_term_sendx(&f->t, "00B09D0000", buf, &n), 0x6982);
    assert_false(npa_pace_done(f->card));
}

static uint16_t pin_pace(fixture *f, const char *pin)
{
    f->t.sm = false;
    return npa_term_pace(&f->t, 3, pin, NPA_TERM_ECDH_GM);
}

static uint16_t other_pace(fixture *f, uint8_t pwd, const char *secret)
{
    f->t.sm = false;
    return npa_term_pace(&f->t, pwd, secret, NPA_TERM_ECDH_GM);
}

static void test_pin_life_cycle(void **state)
{
    fixture *f = *state;
    /* a wrong PIN: 6300, then 63C2 on the next MSE */
    assert_int_equal(pin_pace(f, "000000"), 0x6300);
    assert_int_equal(pin_pace(f, "000000"), 0x6300);
    assert_int_equal(f->t.mse_sw, 0x63C2);
    /* after the second failure: suspended */
    assert_int_equal(pin_pace(f, "111111"), 0x6985);
    assert_int_equal(f->t.mse_sw, 0x63C1);
    /* resumed by PACE with the CAN; one try left; the right PIN restores */
    assert_int_equal(other_pace(f, 2, "222222"), 0x9000);
    assert_int_equal(pin_pace(f, "111111"), 0x9000);
    assert_int_equal(f->t.mse_sw, 0x63C1);
    assert_int_equal(pin_pace(f, "111111"), 0x9000);
    assert_int_equal(f->t.mse_sw, 0x9000);
    /* three failures (with the resumption between): blocked */
    assert_int_equal(pin_pace(f, "000000"), 0x6300);
    assert_int_equal(pin_pace(f, "000000"), 0x6300);
    assert_int_equal(other_pace(f, 2, "222222"), 0x9000);
    assert_int_equal(pin_pace(f, "000000"), 0x6300);
    assert_int_equal(pin_pace(f, "111111"), 0x6983);
    assert_int_equal(f->t.mse_sw, 0x63C0);
    /* the CAN does not unblock; the PUK does, with RESET RETRY COUNTER */
    assert_int_equal(other_pace(f, 2, "222222"), 0x9000);
    assert_int_equal(npa_term_sendx(&f->t, "002C0303", NULL, NULL), 0x9000);
    assert_int_equal(pin_pace(f, "111111"), 0x6983);
    assert_int_equal(other_pace(f, 4, "3333333333"), 0x9000);
    assert_int_equal(npa_term_sendx(&f->t, "002C0303", NULL, NULL), 0x9000);
    assert_int_equal(pin_pace(f, "111111"), 0x9000);
    assert_int_equal(f->t.mse_sw, 0x9000);
}

static void test_puk_uses(void **state)
{
    fixture *f = *state;
    for (int i = 0; i < 10; i++)
        assert_int_equal(other_pace(f, 4, "3333333333"), 0x9000);
    assert_int_equal(other_pace(f, 4, "3333333333"), 0x6983);
    assert_int_equal(f->t.mse_sw, 0x63C0);
}

static void test_pin_change(void **state)
{
    fixture *f = *state;
    /* not without PACE, not after PACE with the CAN */
    assert_int_equal(npa_term_sendx(&f->t, "002C020306363534333231", NULL,
                                    NULL),
                     0x6982);
    assert_int_equal(other_pace(f, 2, "222222"), 0x9000);
    assert_int_equal(npa_term_sendx(&f->t, "002C020306363534333231", NULL,
                                    NULL),
                     0x6982);
    assert_int_equal(pin_pace(f, "111111"), 0x9000);
    assert_int_equal(npa_term_sendx(&f->t, "002C0203023132", NULL, NULL),
                     0x6A80);
    assert_int_equal(npa_term_sendx(&f->t, "002C020506363534333231", NULL,
                                    NULL),
                     0x6A88);
    assert_int_equal(npa_term_sendx(&f->t, "002C050306363534333231", NULL,
                                    NULL),
                     0x6A86);
    assert_int_equal(npa_term_sendx(&f->t, "002C020306363534333231", NULL,
                                    NULL),
                     0x9000);
    assert_int_equal(pin_pace(f, "111111"), 0x6300);
    assert_int_equal(pin_pace(f, "654321"), 0x9000);
    /* the CAN too */
    assert_int_equal(npa_term_sendx(&f->t, "002C020206313233343536", NULL,
                                    NULL),
                     0x9000);
    assert_int_equal(other_pace(f, 2, "222222"), 0x6300);
    assert_int_equal(other_pace(f, 2, "123456"), 0x9000);
}

/* ---- Terminal and Chip Authentication ------------------------------------ */

/* A test PKI from scripts/npa-test-pki.sh (cvc-create), made once. */
static const char *pki_dir(void)
{
    static char dir[64];
    if (dir[0])
        return dir;
    snprintf(dir, sizeof(dir), "/tmp/sc-npa-pki.XXXXXX");
    assert_non_null(mkdtemp(dir));
    char cmd[1024];
    snprintf(
        cmd, sizeof(cmd),
        "'%s/scripts/npa-test-pki.sh' '%s' && "
        "cvc-create --role=terminal --chr=ZZSOFTTERM00002 "
        "--expires=$(date -d +365days +%%y%%m%%d) --sign-with='%s/dv.pkcs8' "
        "--sign-as='%s/dv.cvcert' --scheme=ECDSA_SHA_256 --read-dg1 "
        "--out-cert='%s/at1.cvcert' --out-key='%s/at1.pkcs8' >/dev/null",
        SFC_SOURCE_DIR, dir, dir, dir, dir, dir);
    assert_int_equal(system(cmd), 0);
    return dir;
}

/* A file of the test PKI. */
static size_t slurp(const char *name, uint8_t *out, size_t cap)
{
    return tu_read_file(pki_dir(), name, out, cap);
}

static sfc_card *eac_card(void)
{
    char cvca[128];
    snprintf(cvca, sizeof(cvca), "%s/cvca.cvcert", pki_dir());
    sfc_param p[] = {{"cvca", cvca}};
    sfc_card_options o = {.params = p, .n_params = 1};
    return ct_card_ex("nPA", &o);
}

/* PACE with the PIN over `map`, TA as terminal `term` ("at" or "at1"),
 * then CA. */
static void eac_map(fixture *f, const char *term, uint16_t ta_sw,
                    npa_term_mapping map)
{
    static uint8_t dv[1024], at[1024], key[1024];
    char name[32];
    size_t lens[2];
    lens[0] = slurp("dv.cvcert", dv, sizeof(dv));
    snprintf(name, sizeof(name), "%s.cvcert", term);
    lens[1] = slurp(name, at, sizeof(at));
    snprintf(name, sizeof(name), "%s.pkcs8", term);
    size_t keylen = slurp(name, key, sizeof(key));
    const uint8_t *certs[] = {dv, at};
    assert_int_equal(npa_term_pace(&f->t, 3, "111111", map), 0x9000);
    assert_int_equal(npa_term_ta(&f->t, certs, lens, 2, key, keylen), ta_sw);
    if (ta_sw == 0x9000)
        assert_int_equal(npa_term_ca(&f->t), 0x9000);
}

static void eac(fixture *f, const char *term, uint16_t ta_sw)
{
    eac_map(f, term, ta_sw, NPA_TERM_ECDH_GM);
}

/* PACE over `map` on a card made with --pace-mapping `mapping`, then TA
 * and CA and DG4 read under CA's secure messaging. */
static void mapping_eac(const char *mapping, npa_term_mapping map)
{
    char cvca[128];
    snprintf(cvca, sizeof(cvca), "%s/cvca.cvcert", pki_dir());
    sfc_param p[] = {{"pace-mapping", mapping}, {"cvca", cvca}};
    sfc_card_options o = {.params = p, .n_params = 2};
    fixture f = {.card = ct_card_ex("nPA", &o)};
    npa_term_init(&f.t, npa_card_xfer, f.card);
    eac_map(&f, "at", 0x9000, map);
    uint8_t buf[64];
    size_t n = sizeof(buf);
    assert_int_equal(npa_term_sendx(&f.t, "00A4040C09E80704007F00070302", NULL,
                                    NULL),
                     0x9000);
    assert_int_equal(npa_term_read_sfi(&f.t, 4, buf, &n), 0x9000);
    assert_string_equal(tu_tohex(buf, n), "64070C054552494B41");
    npa_term_free(&f.t);
    sfc_card_free(f.card);
}

/* DH-IM then TA and CA (in OpenPACE's v2.02 mode again on both sides). */
static void test_im_eac(void **state)
{
    (void)state;
    mapping_eac("im", NPA_TERM_DH_IM);
}

/* PACE-CAM then TA and CA as after GM (TA signs Comp of the chip's PACE
 * key; CA runs with the same key 0x41 that CAM authenticated). */
static void test_cam_eac(void **state)
{
    (void)state;
    mapping_eac("cam", NPA_TERM_ECDH_CAM);
}

static int eac_setup(void **state)
{
    return npa_fixture_setup(state, eac_card());
}

static void test_ta_ca_read_write(void **state)
{
    fixture *f = *state;
    uint8_t buf[512];
    size_t n = sizeof(buf);
    eac(f, "at", 0x9000);
    assert_true(f->t.sm);
    assert_int_equal(npa_term_sendx(&f->t, "00A4040C09E80704007F00070302", NULL,
                                    NULL),
                     0x9000);
    assert_int_equal(npa_term_read_sfi(&f->t, 4, buf, &n), 0x9000);
    assert_string_equal(tu_tohex(buf, n), "64070C054552494B41");
    n = sizeof(buf);
    assert_int_equal(npa_term_read_sfi(&f->t, 18, buf, &n), 0x9000);
    assert_string_equal(tu_tohex(buf, n), "7209040702760378900276");
    /* DG18 written and read back */
    assert_int_equal(npa_term_sendx(&f->t, "00D69200020108", NULL, NULL),
                     0x9000);
    n = sizeof(buf);
    assert_int_equal(npa_term_read_sfi(&f->t, 18, buf, &n), 0x9000);
    assert_string_equal(tu_tohex(buf, 4), "01080407");
    /* PIN management right: the PIN can be changed */
    assert_int_equal(npa_term_sendx(&f->t, "002C020306313131313132", NULL,
                                    NULL),
                     0x9000);
    /* TA once per session: a second attempt is refused */
    assert_int_equal(npa_term_sendx(&f->t, "00820000084142434445464748", NULL,
                                    NULL),
                     0x6985);
}

/* The 67 object (hex) TA's MSE:Set AT sends and the terminal signs. */
static void set_aux(fixture *f, const char *hex)
{
    uint8_t aux[256];
    size_t n = tu_hex(hex, aux, sizeof(aux));
    assert_true(n > 0);
    f->t.aux = BUF_MEM_new();
    assert_non_null(f->t.aux);
    assert_true(BUF_MEM_grow(f->t.aux, n) == n);
    memcpy(f->t.aux->data, aux, n);
}

/* Auxiliary data: age (born before 19991231: yes; before 19600101: no),
 * validity (20201031 >= 20201020: yes), community (0276 prefix: yes). */
static void test_aux_data(void **state)
{
    fixture *f = *state;
    static const char aux_hex[] =
        "673F"
        "7315060904007F00070301040153083139393931323331"
        "7315060904007F00070301040253083230323031303230"
        "730F060904007F00070301040353020276";
    set_aux(f, aux_hex);
    eac(f, "at", 0x9000);
    assert_int_equal(npa_term_sendx(&f->t, "802080000B060904007F000703010401",
                                    NULL, NULL),
                     0x9000);
    assert_int_equal(npa_term_sendx(&f->t, "802080000B060904007F000703010402",
                                    NULL, NULL),
                     0x9000);
    assert_int_equal(npa_term_sendx(&f->t, "802080000B060904007F000703010403",
                                    NULL, NULL),
                     0x9000);
    assert_int_equal(npa_term_sendx(&f->t, "802080000B060904007F000703010409",
                                    NULL, NULL),
                     0x6A80);
    assert_int_equal(npa_term_sendx(&f->t, "8020800003010203", NULL, NULL),
                     0x6A80);
    /* TR-03110-3: the interindustry class is not the auxiliary data's */
    assert_int_equal(npa_term_sendx(&f->t, "002080000B060904007F000703010401",
                                    NULL, NULL),
                     0x6A86);
}

static void test_aux_data_fails(void **state)
{
    fixture *f = *state;
    static const char aux_hex[] =
        "6717"
        "7315060904007F00070301040153083139363030313031";
    set_aux(f, aux_hex);
    eac(f, "at", 0x9000);
    assert_int_equal(npa_term_sendx(&f->t, "802080000B060904007F000703010401",
                                    NULL, NULL),
                     0x6300);
    /* no reference for validity in the auxiliary data */
    assert_int_equal(npa_term_sendx(&f->t, "802080000B060904007F000703010402",
                                    NULL, NULL),
                     0x6A88);
}

/* Restricted Identification: the card's answer is SHA-256 of the ECDH
 * x-coordinate of its RI key (key store 42) and the sector key. */
static void test_restricted_identification(void **state)
{
    fixture *f = *state;
    eac(f, "at", 0x9000);
    EVP_PKEY *sector = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "brainpoolP256r1");
    assert_non_null(sector);
    uint8_t pt[65];
    size_t ptlen = 0;
    assert_int_equal(EVP_PKEY_get_octet_string_param(
                         sector, OSSL_PKEY_PARAM_ENCODED_PUBLIC_KEY, pt,
                         sizeof(pt), &ptlen),
                     1);
    /* expected: derive with the card's RI key and hash */
    EVP_PKEY *ri = sfc_key_pkey(sfc_key_find(f->card, NPA_KEY_RI));
    EVP_PKEY_CTX *dctx = EVP_PKEY_CTX_new(ri, NULL);
    uint8_t z[64], want[32];
    size_t zlen = sizeof(z);
    assert_int_equal(EVP_PKEY_derive_init(dctx), 1);
    assert_int_equal(EVP_PKEY_derive_set_peer(dctx, sector), 1);
    assert_int_equal(EVP_PKEY_derive(dctx, z, &zlen), 1);
    assert_int_equal(EVP_Digest(z, zlen, want, NULL, EVP_sha256(), NULL), 1);
    EVP_PKEY_CTX_free(dctx);
    EVP_PKEY_free(sector);
    /* before MSE: 6985; then MSE:Set AT for RI and GENERAL AUTHENTICATE */
    assert_int_equal(npa_term_sendx(&f->t,
                                    "002241A40F800A04007F00070202050203"
                                    "840142",
                                    NULL, NULL),
                     0x9000);
    sfc_buf c;
    buf_init(&c);
    buf_put(&c, (const uint8_t[]){0x00, 0x86, 0x00, 0x00, 0x00}, 5);
    size_t m7c = ber_begin(&c, 0x7C), ma0 = ber_begin(&c, 0xA0);
    ber_put(&c, 0x06,
            (const uint8_t[]){0x04, 0x00, 0x7F, 0x00, 0x07, 0x02, 0x02, 0x05,
                              0x02, 0x03},
            10);
    ber_put(&c, 0x86, pt, ptlen);
    ber_end(&c, ma0);
    ber_end(&c, m7c);
    c.data[4] = (uint8_t)(c.len - 5);
    buf_put_u8(&c, 0x00);
    uint8_t r[128];
    size_t rn = sizeof(r);
    assert_int_equal(npa_term_send(&f->t, c.data, c.len, r, &rn), 0x9000);
    buf_free(&c);
    assert_int_equal(rn, 36);
    assert_memory_equal(r, "\x7C\x22\x81\x20", 4);
    assert_memory_equal(r + 4, want, 32);
    /* a key ID the card does not have */
    assert_int_equal(npa_term_sendx(&f->t,
                                    "002241A40F800A04007F00070202050203"
                                    "840107",
                                    NULL, NULL),
                     0x6A88);
}

/* ---- RI with a terminal sector ------------------------------------------- */

/* A sector key: its point (uncompressed) and the A0 contents of GA. */
static size_t sector_a0(uint8_t *a0, size_t cap)
{
    EVP_PKEY *k = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "brainpoolP256r1");
    uint8_t pt[65];
    size_t ptlen = 0;
    assert_int_equal(
        EVP_PKEY_get_octet_string_param(k, OSSL_PKEY_PARAM_ENCODED_PUBLIC_KEY,
                                        pt, sizeof(pt), &ptlen),
        1);
    EVP_PKEY_free(k);
    sfc_buf b;
    buf_init(&b);
    ber_put(&b, 0x06,
            (const uint8_t[]){0x04, 0x00, 0x7F, 0x00, 0x07, 0x02, 0x02, 0x05,
                              0x02, 0x03},
            10);
    ber_put(&b, 0x86, pt, ptlen);
    assert_true(!b.failed && b.len <= cap);
    memcpy(a0, b.data, b.len);
    size_t n = b.len;
    buf_free(&b);
    return n;
}

/* The terminal "ats": at's certificate with a sector extension whose
 * first hash is SHA-256(7F49 {a0}), re-signed by the DV; at's key. */
static void make_sector_terminal(const uint8_t *a0, size_t n)
{
    static uint8_t der[1024], dvk[1024], key[1024];
    size_t len = slurp("at.cvcert", der, sizeof(der));
    size_t dvlen = slurp("dv.pkcs8", dvk, sizeof(dvk));
    size_t keylen = slurp("at.pkcs8", key, sizeof(key));
    const unsigned char *p = der;
    CVC_CERT *c = CVC_d2i_CVC_CERT(NULL, &p, (long)len);
    assert_non_null(c);
    sfc_buf o;
    buf_init(&o);
    ber_put(&o, 0x7F49, a0, n);
    uint8_t md[32];
    assert_int_equal(EVP_Digest(o.data, o.len, md, NULL, EVP_sha256(), NULL),
                     1);
    buf_free(&o);
    CVC_DISCRETIONARY_DATA_TEMPLATE *t = CVC_DISCRETIONARY_DATA_TEMPLATE_new();
    ASN1_OBJECT_free(t->type);
    t->type = OBJ_nid2obj(NID_id_sector);
    ASN1_OCTET_STRING_free(t->discretionary_data1);
    t->discretionary_data1 = ASN1_OCTET_STRING_new();
    assert_int_equal(ASN1_OCTET_STRING_set(t->discretionary_data1, md, 32), 1);
    if (!c->body->certificate_extensions)
        c->body->certificate_extensions = (void *)OPENSSL_sk_new_null();
    OPENSSL_sk_push((OPENSSL_STACK *)c->body->certificate_extensions, t);
    unsigned char *body = NULL;
    int blen = i2d_CVC_CERT_BODY(c->body, &body);
    assert_true(blen > 0);
    const unsigned char *kp = dvk;
    EVP_PKEY *dv = d2i_AutoPrivateKey(NULL, &kp, (long)dvlen);
    EVP_MD_CTX *mdc = EVP_MD_CTX_new();
    uint8_t sig[128], plain[64];
    size_t slen = sizeof(sig);
    assert_int_equal(EVP_DigestSignInit(mdc, NULL, EVP_sha256(), NULL, dv), 1);
    assert_int_equal(EVP_DigestSign(mdc, sig, &slen, body, (size_t)blen), 1);
    const unsigned char *sp = sig;
    ECDSA_SIG *es = d2i_ECDSA_SIG(NULL, &sp, (long)slen);
    assert_int_equal(BN_bn2binpad(ECDSA_SIG_get0_r(es), plain, 32), 32);
    assert_int_equal(BN_bn2binpad(ECDSA_SIG_get0_s(es), plain + 32, 32), 32);
    assert_int_equal(ASN1_OCTET_STRING_set(c->signature, plain, 64), 1);
    unsigned char *out = NULL;
    int olen = i2d_CVC_CERT(c, &out);
    assert_true(olen > 0);
    char path[256];
    snprintf(path, sizeof(path), "%s/ats.cvcert", pki_dir());
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    assert_int_equal(fwrite(out, 1, (size_t)olen, f), (size_t)olen);
    fclose(f);
    snprintf(path, sizeof(path), "%s/ats.pkcs8", pki_dir());
    f = fopen(path, "wb");
    assert_non_null(f);
    assert_int_equal(fwrite(key, 1, keylen, f), keylen);
    fclose(f);
    OPENSSL_free(out);
    OPENSSL_free(body);
    ECDSA_SIG_free(es);
    EVP_MD_CTX_free(mdc);
    EVP_PKEY_free(dv);
    CVC_CERT_free(c);
}

static uint16_t ri_with(fixture *f, const uint8_t *a0, size_t n)
{
    sfc_buf c;
    buf_init(&c);
    buf_put(&c, (const uint8_t[]){0x00, 0x86, 0x00, 0x00, 0x00}, 5);
    size_t m7c = ber_begin(&c, 0x7C);
    ber_put(&c, 0xA0, a0, n);
    ber_end(&c, m7c);
    c.data[4] = (uint8_t)(c.len - 5);
    buf_put_u8(&c, 0x00);
    uint8_t r[128];
    size_t rn = sizeof(r);
    uint16_t sw = npa_term_send(&f->t, c.data, c.len, r, &rn);
    buf_free(&c);
    return sw;
}

/* A terminal certificate with a sector extension: RI answers for its
 * sector key and refuses another (6982). */
static void test_ri_sector(void **state)
{
    fixture *f = *state;
    uint8_t mine[128], other[128];
    size_t n1 = sector_a0(mine, sizeof(mine));
    size_t n2 = sector_a0(other, sizeof(other));
    make_sector_terminal(mine, n1);
    eac(f, "ats", 0x9000);
    const char *mse = "002241A40F800A04007F00070202050203840142";
    assert_int_equal(npa_term_sendx(&f->t, mse, NULL, NULL), 0x9000);
    assert_int_equal(ri_with(f, other, n2), 0x6982);
    assert_int_equal(npa_term_sendx(&f->t, mse, NULL, NULL), 0x9000);
    assert_int_equal(ri_with(f, mine, n1), 0x9000);
}

static void test_chat_narrows(void **state)
{
    fixture *f = *state;
    uint8_t buf[512];
    size_t n = sizeof(buf);
    eac(f, "at1", 0x9000);
    assert_int_equal(npa_term_sendx(&f->t, "00A4040C09E80704007F00070302", NULL,
                                    NULL),
                     0x9000);
    assert_int_equal(npa_term_read_sfi(&f->t, 1, buf, &n), 0x9000);
    assert_string_equal(tu_tohex(buf, n), "610413024944");
    n = sizeof(buf);
    assert_int_equal(npa_term_read_sfi(&f->t, 4, buf, &n), 0x6982);
    assert_int_equal(npa_term_sendx(&f->t, "00D69200020108", NULL, NULL),
                     0x6982);
    /* no Restricted Identification right */
    assert_int_equal(npa_term_sendx(&f->t,
                                    "002241A40F800A04007F00070202050203"
                                    "840142",
                                    NULL, NULL),
                     0x6982);
    /* PACE was with the PIN: changing it needs no CHAT right */
    assert_int_equal(npa_term_sendx(&f->t, "002C020306313131313132", NULL,
                                    NULL),
                     0x9000);
}

static void test_ta_bad_certificate(void **state)
{
    fixture *f = *state;
    assert_int_equal(npa_term_pace(&f->t, 3, "111111", NPA_TERM_ECDH_GM),
                     0x9000);
    /* a certificate that does not verify: 6300; malformed: 6A80 */
    assert_int_equal(npa_term_sendx(&f->t,
                                    "002281B611830F5A5A534F4654435643"
                                    "413030303031",
                                    NULL, NULL),
                     0x9000);
    assert_int_equal(npa_term_sendx(&f->t, "002A00BE0A7F4E03420100 5F3701AA",
                                    NULL, NULL),
                     0x6300);
    assert_int_equal(npa_term_sendx(&f->t, "002A00BE037F4E05", NULL, NULL),
                     0x6A80);
    /* MSE:Set AT for TA before a terminal certificate: 6985 */
    assert_int_equal(npa_term_sendx(&f->t, "002281A403910100", NULL, NULL),
                     0x6985);
    /* CA before TA: 6985 */
    assert_int_equal(npa_term_sendx(&f->t,
                                    "002241A40F800A04007F0007020203020284"
                                    "0141",
                                    NULL, NULL),
                     0x6985);
}

/* ---- the card's date and link certificates -------------------------------- */

/* Extra certificates under pki_dir(), made once: an expired terminal; a DV
 * effective in 30 days with a terminal expiring in 10; a link certificate
 * to a new CVCA ZZSOFTCVCA00002 with a DV and terminal under it. */
static void extra_pki(void)
{
    static bool made;
    if (made)
        return;
    char cmd[4096];
    snprintf(
        cmd, sizeof(cmd),
        "set -e; cd '%s'; d() { date -d \"$1 days\" +%%y%%m%%d; }; "
        "S='--scheme=ECDSA_SHA_256 --read-dg1'; "
        "cvc-create --role=terminal --chr=ZZSOFTTERM00003 --issued=$(d -3) "
        "--expires=$(d -1) --sign-with=dv.pkcs8 --sign-as=dv.cvcert $S "
        "--out-cert=old.cvcert --out-key=old.pkcs8 >/dev/null; "
        "cvc-create --role=dv_domestic --chr=ZZSOFTDVCA00002 --issued=$(d 30) "
        "--expires=$(d 400) --sign-with=cvca.pkcs8 --sign-as=cvca.cvcert $S "
        "--out-cert=dvf.cvcert --out-key=dvf.pkcs8 >/dev/null; "
        "cvc-create --role=terminal --chr=ZZSOFTTERM00004 --expires=$(d 10) "
        "--sign-with=dvf.pkcs8 --sign-as=dvf.cvcert $S --out-cert=atf.cvcert "
        "--out-key=atf.pkcs8 >/dev/null; "
        "openssl genpkey -algorithm EC -pkeyopt "
        "ec_paramgen_curve:brainpoolP256r1 -outform DER -out cvca2.pkcs8 "
        "2>/dev/null; "
        "cvc-create --role=cvca --chr=ZZSOFTCVCA00002 --expires=$(d 1000) "
        "--sign-with=cvca.pkcs8 --sign-as=cvca.cvcert --key=cvca2.pkcs8 $S "
        "--out-cert=link.cvcert >/dev/null; "
        "cvc-create --role=dv_domestic --chr=ZZSOFTDVCA00003 --expires=$(d "
        "900) "
        "--sign-with=cvca2.pkcs8 --sign-as=link.cvcert $S "
        "--out-cert=dv2.cvcert "
        "--out-key=dv2.pkcs8 >/dev/null; "
        "cvc-create --role=terminal --chr=ZZSOFTTERM00005 --expires=$(d 300) "
        "--sign-with=dv2.pkcs8 --sign-as=dv2.cvcert $S --out-cert=at2.cvcert "
        "--out-key=at2.pkcs8 >/dev/null",
        pki_dir());
    assert_int_equal(system(cmd), 0);
    made = true;
}

/* PACE with the PIN, then TA with the named certificates (in pki_dir())
 * and the key of the last one; returns TA's status word. */
static uint16_t ta_chain(fixture *f, const char *const *names, size_t n)
{
    static uint8_t certs[4][1024], key[1024];
    const uint8_t *ptr[4];
    size_t lens[4], keylen;
    char name[40];
    extra_pki();
    for (size_t i = 0; i < n; i++) {
        snprintf(name, sizeof(name), "%s.cvcert", names[i]);
        lens[i] = slurp(name, certs[i], sizeof(certs[i]));
        ptr[i] = certs[i];
    }
    snprintf(name, sizeof(name), "%s.pkcs8", names[n - 1]);
    keylen = slurp(name, key, sizeof(key));
    npa_term_free(&f->t);
    sfc_card_power(f->card, SFC_POWER_OFF);
    npa_term_init(&f->t, npa_card_xfer, f->card);
    assert_int_equal(npa_term_pace(&f->t, 3, "111111", NPA_TERM_ECDH_GM),
                     0x9000);
    return npa_term_ta(&f->t, ptr, lens, n, key, keylen);
}

/* The card's date (EF 0F04) as text YYMMDD. */
static const char *card_date(fixture *f)
{
    static char out[7];
    size_t n = 0;
    const uint8_t *d =
        sfc_file_data(sfc_file_child(sfc_card_mf(f->card), NPA_FID_TA_STATE),
                      &n);
    assert_int_equal(n, NPA_TA_STATE_SIZE);
    for (int i = 0; i < 6; i++)
        out[i] = (char)('0' + d[i]);
    return out;
}

static const char *days_from_now(int days)
{
    static char out[7];
    uint8_t d[6];
    assert_true(npa_date_digits(time(NULL) + (time_t)days * 86400, d));
    for (int i = 0; i < 6; i++)
        out[i] = (char)('0' + d[i]);
    return out;
}

/* An expired terminal certificate is refused; the card's date starts at
 * personalisation and a DV effective in 30 days moves it there, after
 * which a terminal valid by the system clock (expiring in 10 days) is
 * refused, also after power-off (the date persists). */
static void test_card_date(void **state)
{
    fixture *f = *state;
    assert_string_equal(card_date(f), days_from_now(0));
    assert_int_equal(ta_chain(f, (const char *[]){"dv", "old"}, 2), 0x6300);
    assert_int_equal(ta_chain(f, (const char *[]){"dv", "at1"}, 2), 0x9000);
    assert_int_equal(ta_chain(f, (const char *[]){"dvf", "atf"}, 2), 0x6300);
    assert_string_equal(card_date(f), days_from_now(30));
    assert_int_equal(ta_chain(f, (const char *[]){"dvf", "atf"}, 2), 0x6300);
    assert_int_equal(ta_chain(f, (const char *[]){"dv", "at1"}, 2), 0x9000);
}

/* With --disable-ta-checks the expired terminal is accepted and the date
 * does not matter. */
static void test_card_date_disabled(void **state)
{
    fixture *f = *state;
    char cvca[128];
    snprintf(cvca, sizeof(cvca), "%s/cvca.cvcert", pki_dir());
    sfc_param p[] = {{"cvca", cvca}, {"disable-ta-checks", ""}};
    sfc_card_options o = {.params = p, .n_params = 2};
    sfc_card_free(f->card);
    f->card = ct_card_ex("nPA", &o);
    assert_int_equal(ta_chain(f, (const char *[]){"dv", "old"}, 2), 0x9000);
}

/* A link certificate (CVCA 1 -> CVCA 2) makes CVCA 2 the trust anchor,
 * persisted: after power-off a chain under CVCA 2 alone is accepted and
 * one under CVCA 1 refused; GA4's CAR names the new CVCA. */
static void test_link_certificate(void **state)
{
    fixture *f = *state;
    assert_int_equal(ta_chain(f, (const char *[]){"dv2", "at2"}, 2), 0x6300);
    assert_int_equal(ta_chain(f, (const char *[]){"link", "dv2", "at2"}, 3),
                     0x9000);
    assert_int_equal(ta_chain(f, (const char *[]){"dv2", "at2"}, 2), 0x9000);
    assert_int_equal(ta_chain(f, (const char *[]){"dv", "at1"}, 2), 0x6300);
    uint8_t chr[32];
    size_t n = sizeof(chr);
    assert_true(npa_cvca_chr(f->card, chr, &n));
    assert_memory_equal(chr, "ZZSOFTCVCA00002", 15);
}

/* --terminal-dir: the card makes a CVCA (its trust anchor), DV and
 * terminal with every right; the terminal runs TA and CA with those files
 * and reads DG4 and DG21; --cvca with it is refused. */
static void test_terminal_dir(void **state)
{
    fixture *f = *state;
    char dir[64] = "/tmp/sc-npa-tdir.XXXXXX", tdir[96];
    assert_non_null(mkdtemp(dir));
    snprintf(tdir, sizeof(tdir), "%s/terminal", dir);
    sfc_param p[] = {{"terminal-dir", tdir}};
    sfc_card_options o = {.params = p, .n_params = 1};
    npa_term_free(&f->t);
    sfc_card_free(f->card);
    f->card = ct_card_ex("nPA", &o);
    npa_term_init(&f->t, npa_card_xfer, f->card);
    static uint8_t dv[1024], at[1024], key[1024], args[2048], buf[256];
    size_t lens[2] = {tu_read_file(tdir, "dv.cvcert", dv, sizeof(dv)),
                      tu_read_file(tdir, "at.cvcert", at, sizeof(at))};
    size_t keylen = tu_read_file(tdir, "at.pkcs8", key, sizeof(key));
    size_t an = tu_read_file(tdir, "npa-tool.args", args, sizeof(args) - 1);
    args[an] = 0;
    assert_non_null(strstr((char *)args, "--cvc-dir="));
    static uint8_t c1[1024], c2[1024];
    size_t n1 = tu_read_file(tdir, "cvca.cvcert", c1, sizeof(c1));
    assert_int_equal(tu_read_file(tdir, "cvc/ZZSOFTCVCA00001", c2, sizeof(c2)), n1);
    assert_memory_equal(c1, c2, n1);
    const uint8_t *certs[] = {dv, at};
    assert_int_equal(npa_term_pace(&f->t, 3, "111111", NPA_TERM_ECDH_GM),
                     0x9000);
    assert_int_equal(npa_term_ta(&f->t, certs, lens, 2, key, keylen), 0x9000);
    assert_int_equal(npa_term_ca(&f->t), 0x9000);
    assert_int_equal(npa_term_sendx(&f->t, "00A4040C09E80704007F00070302", NULL,
                                    NULL),
                     0x9000);
    size_t n = sizeof(buf);
    assert_int_equal(npa_term_read_sfi(&f->t, 4, buf, &n), 0x9000);
    assert_string_equal(tu_tohex(buf, n), "64070C054552494B41");
    /* a terminal of another PKI (scripts/npa-test-pki.sh) is refused */
    npa_term_free(&f->t);
    sfc_card_power(f->card, SFC_POWER_OFF);
    npa_term_init(&f->t, npa_card_xfer, f->card);
    static uint8_t odv[1024], oat[1024], okey[1024];
    size_t olens[2] = {slurp("dv.cvcert", odv, sizeof(odv)),
                       slurp("at.cvcert", oat, sizeof(oat))};
    size_t okeylen = slurp("at.pkcs8", okey, sizeof(okey));
    const uint8_t *ocerts[] = {odv, oat};
    assert_int_equal(npa_term_pace(&f->t, 3, "111111", NPA_TERM_ECDH_GM),
                     0x9000);
    assert_int_not_equal(npa_term_ta(&f->t, ocerts, olens, 2, okey, okeylen),
                         0x9000);
    /* --cvca and --terminal-dir together are refused */
    char cvca[128], err[256] = "";
    snprintf(cvca, sizeof(cvca), "%s/cvca.cvcert", tdir);
    sfc_param both[] = {{"terminal-dir", tdir}, {"cvca", cvca}};
    sfc_card_options o2 = {.params = both, .n_params = 2};
    sfc_card *c = NULL;
    assert_int_not_equal(sfc_card_new("nPA", &o2, &c, err, sizeof(err)),
                         SFC_OK);
    assert_non_null(strstr(err, "terminal-dir"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_pace_each_password, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_pace_dh, setup, teardown),
        cmocka_unit_test_setup_teardown(test_pace_im, im_setup, teardown),
        cmocka_unit_test_setup_teardown(test_pace_im_wrong_password, im_setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_pace_im_bad_input, im_setup,
                                        teardown),
        cmocka_unit_test(test_pace_ecdh_im_refused),
        cmocka_unit_test_setup_teardown(test_pace_cam, cam_setup, teardown),
        cmocka_unit_test_setup_teardown(test_pace_cam_wrong_password,
                                        cam_setup, teardown),
        cmocka_unit_test_setup_teardown(test_pace_cam_bad_input, cam_setup,
                                        teardown),
        cmocka_unit_test(test_openpace_ecdh_im_unbound),
        cmocka_unit_test(test_pace_mapping_param),
        cmocka_unit_test(test_im_eac),
        cmocka_unit_test(test_cam_eac),
        cmocka_unit_test_setup_teardown(test_access_after_pace, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_pin_life_cycle, setup, teardown),
        cmocka_unit_test_setup_teardown(test_puk_uses, setup, teardown),
        cmocka_unit_test_setup_teardown(test_pin_change, setup, teardown),
        cmocka_unit_test_setup_teardown(test_ta_ca_read_write, eac_setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_aux_data, eac_setup, teardown),
        cmocka_unit_test_setup_teardown(test_aux_data_fails, eac_setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_terminal_dir, setup, teardown),
        cmocka_unit_test_setup_teardown(test_card_date, eac_setup, teardown),
        cmocka_unit_test_setup_teardown(test_card_date_disabled, eac_setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_link_certificate, eac_setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_restricted_identification,
                                        eac_setup, teardown),
        cmocka_unit_test_setup_teardown(test_chat_narrows, eac_setup, teardown),
        cmocka_unit_test_setup_teardown(test_ri_sector, eac_setup, teardown),
        cmocka_unit_test_setup_teardown(test_ta_bad_certificate, eac_setup,
                                        teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
