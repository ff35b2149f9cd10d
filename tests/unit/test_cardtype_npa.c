/* SPDX-License-Identifier: LGPL-2.1-or-later */
/**
 * @file test_cardtype_npa.c
 * @brief The nPA card type, card side: the file system (EF.DIR byte for
 *        byte as OpenSC's npa driver compares it, EF.CardAccess, the data
 *        groups), access before PACE, the status words of malformed MSE:Set
 *        AT and GENERAL AUTHENTICATE, the parameters, and PACE known
 *        answers with the card's randomness injected.
 *
 * Known answers: ICAO Doc 9303-11 App. G.1 (ECDH Generic Mapping,
 * brainpoolP256r1, AES-128, MRZ T22000129/640812/101031) and the BSI EAC
 * worked example §6.1 (the same mapping, PIN 123456). The card's RNG is
 * scripted to hand out the nonce s, then SK_Map of the chip, then its
 * ephemeral SK: the card must answer GA1..GA4 byte for byte as printed
 * (z, PK_Map, PK_DH, T_PICC), which it can only do if OpenPACE drew exactly
 * those secrets from the card's RNG and derived the printed keys.
 *
 * A terminal on OpenPACE's terminal side that runs PACE with every password
 * and both mappings, secure messaging and the PIN life cycle is
 * test_cardtype_npa_terminal.c.
 */
#include "cardtest.h"

#include <string.h>
#include <unistd.h>

#include <eac/eac.h>

#include "cardtypes/npa.h"
#include "core/rng.h"
#include "os/card.h"

#define SELECT_EID "00A4040C09E80704007F00070302"

/* OpenSC card-npa.c dir_content_ref. */
#define EF_DIR                                                           \
    "61324F0FE828BD080FA000000167455349474E500F434941207A752044462E6553" \
    "69676E5100730C4F0AA000000167455349474E61094F07A0000002471001610B4F" \
    "09E80704007F00070302610C4F0AA000000167455349474E"

/* ICAO G.1 */
#define G1_MRZ                                                     \
    "IDD<<T220001293<<<<<<<<<<<<<<<6408125<1010318D<<<<<<<<<<<<<4" \
    "MUSTERMANN<<ERIKA<<<<<<<<<<<<<"
#define G1_S "3F00C4D39D153F2B2A214A078D899B22"
#define G1_Z "95A3A016522EE98D01E76CB6B98B42C3"
#define G1_SK_MAP_IC \
    "498FF49756F2DC1587840041839A85982BE7761D14715FB091EFA7BCE9058560"
#define G1_PK_MAP_IFD                                                    \
    "047ACF3EFC982EC45565A4B155129EFBC74650DCBFA6362D896FC70262E0C2CC5E" \
    "544552DCB6725218799115B55C9BAA6D9F6BC3A9618E70C25AF71777A9C4922D"
#define G1_PK_MAP_IC                                                     \
    "04824FBA91C9CBE26BEF53A0EBE7342A3BF178CEA9F45DE0B70AA601651FBA3F57" \
    "30D8C879AAA9C9F73991E61B58F4D52EB87A0A0C709A49DC63719363CCD13C54"
#define G1_SK_DH_IC \
    "107CF58696EF6155053340FD633392BA81909DF7B9706F226F32086C7AFF974A"
#define G1_PK_DH_IFD                                                     \
    "042DB7A64C0355044EC9DF190514C625CBA2CEA48754887122F3A5EF0D5EDD301C" \
    "3556F3B3B186DF10B857B58F6A7EB80F20BA5DC7BE1D43D9BF850149FBB36462"
#define G1_PK_DH_IC                                                      \
    "049E880F842905B8B3181F7AF7CAA9F0EFB743847F44A306D2D28C1D9EC65DF6DB" \
    "7764B22277A2EDDC3C265A9F018F9CB852E111B768B326904B59A0193776F094"

/* BSI worked example §6.1 */
#define BSI_S "7D98C00FC6C9E9543BBF94A87073A123"
#define BSI_Z "CE834CDE69FFBB1D1EB21585CD709F18"
#define BSI_SK_MAP \
    "19C428715663DE745D1824B855D2B967890C99D68ED5FEEE9DCDF8D7BBA289D2"
#define BSI_PK_MAP_PCD                                                   \
    "043DD29BBE5907FD21A152ADA4895FAAE7ACC55F5E50EFBFDE5AB0C6EB54F198D6" \
    "15913635F0FDF5BEB383E00355F82D3C41ED0DF2E28363433DFB73856A15DC9F"
#define BSI_PK_MAP_PICC                                                  \
    "049CFCF7582AC986D0DD52FA53123414C3E1B96B4D00ABA8E574679B70EFB5BC3B" \
    "45D2F13729CC2AE178E7E241B443213533B77DBB44649A815DDC4A2384BA422A"
#define BSI_SK \
    "15872C56908C144002177994CFAAEDD5467CE150853C44535051FF24183039D8"
#define BSI_PK_PCD                                                       \
    "04518BC4E532AD2A9BD6527804D5D665ABD51041037A0CC8AA922804EB501C222B" \
    "3427388599AFAAE9FBACE2DF93E13C3C4979CD12F0AE3E3C0126028391554582"
#define BSI_PK_PICC                                                      \
    "04282CF38073036AFAC216AF135BD994DA0C357F10BD4C34AFEA1042B2EB0FD680" \
    "4DF3658B835AC2E7133F13691184542BB50B109963A4662ABDC08B9763AF4B5B"

#define MSE_PACE_ECDH(pwd) "0022C1A40F800A04007F000702020402028301" pwd

static sfc_rng_script script;
static sfc_rng rng;
static uint8_t rng_bytes[128];

static sfc_card *card_with(const sfc_param *p, size_t n, const char *rnd)
{
    sfc_card_options o = {.params = p, .n_params = n};
    if (rnd) {
        size_t len = tu_hex(rnd, rng_bytes, sizeof(rng_bytes));
        rng = sfc_rng_script_make(&script, rng_bytes, len);
        o.rng = &rng;
    }
    return ct_card_ex("nPA", &o);
}

static void expect_refused(const sfc_param *p, size_t n, const char *why)
{
    sfc_card *card = NULL;
    char err[300] = "";
    sfc_card_options o = {.params = p, .n_params = n};
    assert_int_not_equal(sfc_card_new("nPA", &o, &card, err, sizeof(err)),
                         SFC_OK);
    assert_null(card);
    if (!strstr(err, why))
        fail_msg("error '%s' does not mention '%s'", err, why);
}

/* ---- file system and access ------------------------------------------------- */

static void test_ef_dir(void **state)
{
    (void)state;
    sfc_card *card = card_with(NULL, 0, NULL);
    /* what OpenSC's npa_match_card sends */
    ct_expect(card, "00A4000C023F00", "9000");
    ct_expect(card, "00A4020C022F00", "9000");
    ct_expect(card, "00B000005A", EF_DIR "9000");
    ct_expect(card, "00B09E0000", EF_DIR "9000"); /* by SFI 1E */
    sfc_card_free(card);
}

static void test_cardaccess(void **state)
{
    (void)state;
    sfc_card *card = card_with(NULL, 0, NULL);
    sfc_buf ca;
    buf_init(&ca);
    npa_default_cardaccess(&ca, NPA_OFFER_GM);
    char want[1024];
    snprintf(want, sizeof(want), "%s9000", tu_tohex(ca.data, ca.len));
    ct_expect(card, "00B09C0000", want); /* npa-tool reads it by SFI 1C */
    /* the PACE infos of both mappings are in it */
    assert_non_null(strstr(want, "060A04007F0007020204020202010202010D"));
    assert_non_null(strstr(want, "060A04007F000702020401020201020201"
                                 "00"));
    buf_free(&ca);
    sfc_card_free(card);
}

static void test_access_before_pace(void **state)
{
    (void)state;
    sfc_card *card = card_with(NULL, 0, NULL);
    ct_expect(card, "00B09D0000", "6982"); /* EF.CardSecurity */
    ct_expect(card, "00B09B0000", "6982"); /* EF.ChipSecurity */
    ct_expect(card, SELECT_EID, "9000");
    ct_expect(card, "00B0810000", "6982");      /* DG1 */
    ct_expect(card, "00B0840000", "6982");      /* DG4 */
    ct_expect(card, "00D6910002 0107", "6982"); /* DG17 */
    ct_expect(card, "00B0960000", "6A82");      /* DG22 does not exist */
    /* an unknown AID (OpenSC's probes) keeps DF.eID selected: DG1 is still
     * there (6982), where the MF has no SFI 01 (6A82) */
    ct_expect(card, "00A4040C06A000000308FF", "6A82");
    ct_expect(card, "00B0810000", "6982");
    ct_expect(card, "00A4000C023F00", "9000");
    ct_expect(card, "00A4020C020F01", "9000"); /* the internal MRZ EF */
    ct_expect(card, "00B0000000", "6982");
    /* no password outside PACE */
    ct_expect(card, "0020000306313131313131", "6A88");
    ct_expect(card, "002C020306313131313131", "6982");
    ct_expect(card, "0024000306313131313131", "6D00");
    sfc_card_free(card);
}

/* A data group's contents as hex. */
static const char *dg_hex(sfc_file *eid, unsigned n)
{
    size_t len = 0;
    sfc_file *f = sfc_file_child(eid, NPA_FID_DG(n));
    assert_non_null(f);
    const uint8_t *d = sfc_file_data(f, &len);
    return tu_tohex(d, len);
}

static void test_data_groups(void **state)
{
    (void)state;
    sfc_card *card = card_with(NULL, 0, NULL);
    sfc_file *eid =
        sfc_df_by_name(card, (const uint8_t[]){NPA_AID_EID_BYTES}, 9);
    assert_non_null(eid);
    assert_string_equal(dg_hex(eid, 1), "610413024944");
    assert_string_equal(dg_hex(eid, 4), "64070C054552494B41");
    assert_string_equal(dg_hex(eid, 9), "690AA1080C064245524C494E");
    assert_string_equal(dg_hex(eid, 18), "7209040702760378900276");
    assert_null(sfc_file_child(eid, NPA_FID_DG(12)));
    sfc_card_free(card);
}

static void test_dataset_file(void **state)
{
    (void)state;
    char path[] = "/tmp/sc-npa-test.XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    static const char text[] =
        "# comment\nGivenNames=Gertrud\nFamilyNames =M\xC3\xBCller\r\n"
        "BirthName=<NotOnChip>\nPlaceOfResidence=<NotOnChip>\n";
    assert_int_equal(write(fd, text, sizeof(text) - 1),
                     (ssize_t)(sizeof(text) - 1));
    close(fd);
    sfc_param p[] = {{"datasetfile", path}};
    sfc_card *card = card_with(p, 1, NULL);
    sfc_file *eid =
        sfc_df_by_name(card, (const uint8_t[]){NPA_AID_EID_BYTES}, 9);
    assert_string_equal(dg_hex(eid, 4), "64090C0747657274727564");
    assert_string_equal(dg_hex(eid, 5), "65090C074DC3BC6C6C6572");
    assert_null(sfc_file_child(eid, NPA_FID_DG(13)));
    assert_null(sfc_file_child(eid, NPA_FID_DG(17)));
    sfc_card_free(card);
    /* unknown names are refused */
    FILE *f = fopen(path, "w");
    fputs("GivenName=X\n", f);
    fclose(f);
    expect_refused(p, 1, "unknown name 'GivenName'");
    /* a community ID is an even number of hex digits, nothing else */
    static const struct {
        const char *line, *why;
    } bad[] = {{"CommunityID=027\n", "not an even number of hex digits"},
               {"CommunityID=02760G\n", "is not hex"},
               {"CommunityID=02:760\n", "is not hex"}};
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        f = fopen(path, "w");
        fputs(bad[i].line, f);
        fclose(f);
        expect_refused(p, 1, bad[i].why);
    }
    unlink(path);
}

static void test_params(void **state)
{
    (void)state;
    sfc_param bad_pin[] = {{"pin", "12a456"}};
    expect_refused(bad_pin, 1, "pin:");
    sfc_param bad_can[] = {{"can", "12345"}};
    expect_refused(bad_can, 1, "can:");
    sfc_param bad_mrz[] = {{"mrz", "P<UTO"}};
    expect_refused(bad_mrz, 1, "mrz:");
    sfc_param missing[] = {{"datasetfile", "/nonexistent/x"}};
    expect_refused(missing, 1, "datasetfile: cannot read");
    sfc_param bad_cvca[] = {{"cvca", "/etc/hostname"}};
    expect_refused(bad_cvca, 1, "cvca: not a CV certificate");
}

/* ---- malformed MSE:Set AT and GENERAL AUTHENTICATE --------------------------- */

static void test_mse_malformed(void **state)
{
    (void)state;
    sfc_card *card = card_with(NULL, 0, NULL);
    static const ct_step steps[] = {
        {"0022C1A4", "6A80"},                           /* no data */
        {"0022C1A403830103", "6A80"},                   /* no OID */
        {"0022C1A40C800A04007F00070202040202", "6A80"}, /* no pwd */
        {"0022C1A412800A04007F00070202040202830101990100", "6A80"}, /* tag 99 */
        {"0022C1A40F800A04007F00070202040202830105", "6A88"},       /* pwd 05 */
        {"0022C1A410800A04007F0007020204020283020101", "6A80"}, /* pwd len */
        {"0022C1A40F800A04007F00070202040302830103",
         "6A80"}, /* IM: not offered */
        {"0022C1A412800A04007F000702020402028301038401FF", "6A80"}, /* param */
        {"0022C1A40E800A04007F000702020402028310", "6A80"}, /* truncated */
        {"0022C1A406800180830103", "6A80"},                 /* bad OID */
        {"0022C1A6 0F800A04007F00070202040202830103", "6A86"},
        {"0022F1A4 0F800A04007F00070202040202830103", "6A86"},
        {"002281B60F830D44454356434141543030303031",
         "6982"},                                       /* TA: PACE first */
        {"002241A40C800A04007F00070202030202", "6982"}, /* CA: ditto */
        {"00820000084142434445464748", "6982"},         /* EXTERNAL AUTH */
        {"002A00BE0A7F4E03420100 5F3701AA", "6982"},    /* PSO VERIFY CERT */
        {"0022C1A40F800A04007F00070202040202830103", "9000"}, /* PIN: 3 tries */
        {"0022C1A412800A04007F0007020204010283010384 0100", "9000"}, /* DH */
    };
    CT_RUN(card, steps);
    sfc_card_free(card);
}

static void test_ga_malformed(void **state)
{
    (void)state;
    sfc_card *card = card_with(NULL, 0, NULL);
    static const ct_step steps[] = {
        {"10860000027C0000", "6985"}, /* no MSE */
        {MSE_PACE_ECDH("03"), "9000"},
        {"10860100027C0000", "6A86"},
        {"10860000027D0000", "6A80"},   /* not 7C */
        {"10860000037C010000", "6985"}, /* the run ended */
        {MSE_PACE_ECDH("03"), "9000"},
        {"10860000047C02800000", "6A80"}, /* GA1 not empty */
        {MSE_PACE_ECDH("03"), "9000"},    /* no try charged */
    };
    CT_RUN(card, steps);
    sfc_card_free(card);
}

static void test_ga_bad_mapping(void **state)
{
    (void)state;
    sfc_card *card = card_with(NULL, 0, NULL);
    ct_expect(card, MSE_PACE_ECDH("02"), "9000");
    ct_expect(card, "10860000027C0000", "#20 9000");
    /* a point not on the curve */
    ct_expect(card,
              "10860000457C438141"
              "04"
              "0102030405060708091011121314151617181920"
              "2122232425262728293031320102030405060708091011121314151617181920"
              "212223242526272829303132"
              "00",
              "6A80");
    ct_expect(card, "10860000077C0581030102 0300", "6985"); /* run ended */
    /* wrong tag for the step */
    ct_expect(card, MSE_PACE_ECDH("02"), "9000");
    ct_expect(card, "10860000027C0000", "#20 9000");
    ct_expect(card, "10860000057C03830101 00", "6A80");
    sfc_card_free(card);
}

/* ---- known answers ----------------------------------------------------------- */

static void test_icao_g1(void **state)
{
    (void)state;
    sfc_param p[] = {{"mrz", G1_MRZ}};
    sfc_card *card = card_with(p, 1, G1_S G1_SK_MAP_IC G1_SK_DH_IC);
    static const ct_step steps[] = {
        {"0022C1A40F800A04007F00070202040202830101", "9000"},
        {"10860000027C0000", "7C128010" G1_Z "9000"},
        {"10860000457C438141" G1_PK_MAP_IFD "00",
         "7C438241" G1_PK_MAP_IC "9000"},
        {"10860000457C438341" G1_PK_DH_IFD "00", "7C438441" G1_PK_DH_IC "9000"},
        {"008600000C7C0A8508C2B0BD78D94BA86600",
         "7C0A86083ABB9674BCE93C089000"},
    };
    CT_RUN(card, steps);
    assert_true(npa_pace_done(card));
    sfc_card_free(card);
}

static void test_bsi_ecdh(void **state)
{
    (void)state;
    sfc_param p[] = {{"pin", "123456"}};
    sfc_card *card = card_with(p, 1, BSI_S BSI_SK_MAP BSI_SK);
    static const ct_step steps[] = {
        {MSE_PACE_ECDH("03"), "9000"},
        {"10860000027C0000", "7C128010" BSI_Z "9000"},
        {"10860000457C438141" BSI_PK_MAP_PCD "00",
         "7C438241" BSI_PK_MAP_PICC "9000"},
        {"10860000457C438341" BSI_PK_PCD "00", "7C438441" BSI_PK_PICC "9000"},
        {"008600000C7C0A8508A27AE7B36573C1D900",
         "7C0A8608A2658C2F38600B0F9000"},
    };
    CT_RUN(card, steps);
    sfc_card_free(card);
}

/* A wrong token (a wrong PIN on the terminal's side): 6300, a try used. */
static void test_bsi_wrong_token(void **state)
{
    (void)state;
    sfc_param p[] = {{"pin", "123456"}};
    sfc_card *card = card_with(p, 1, BSI_S BSI_SK_MAP BSI_SK);
    static const ct_step steps[] = {
        {MSE_PACE_ECDH("03"), "9000"},
        {"10860000027C0000", "7C128010" BSI_Z "9000"},
        {"10860000457C438141" BSI_PK_MAP_PCD "00", "*9000"},
        {"10860000457C438341" BSI_PK_PCD "00", "*9000"},
        {"008600000C7C0A8508A27AE7B36573C1DA00", "6300"},
        {MSE_PACE_ECDH("03"), "63C2"},
        {"00B09D0000", "6982"},
    };
    CT_RUN(card, steps);
    assert_false(npa_pace_done(card));
    sfc_card_free(card);
}

/* BSI worked example §6.2, Chip Authentication: the chip's static key
 * (given as vicc's raw --ca-key), the PCD's ephemeral key and the nonce r
 * from the card's RNG give T_PICC as printed. TA is stood in for by
 * setting the session state it leaves (its own steps are tested with the
 * terminal in test_cardtype_npa_terminal.c); PACE is the G.1 run. */
#define BSI_CA_SK \
    "7984674CF3B3A524BF929CE8A67FCF22173DA0BAD595EED6DEB72D22C542FA9D"
#define BSI_CA_PK_PCD                                                    \
    "045A7A377FC9CAFC03AC7FF45441A8B2909D88EAB8E6B0173847AB49B949DF3799" \
    "A34EE57EC55268CF8B1C3EC489F8BF4CF4C68D3FD9670E89C0D5D3FFF1AAF89F"
#define BSI_CA_R "4287B3072A3EDC60"
#define BSI_CA_T "FF0117D68DEE8E72"

static uint16_t call(sfc_card *card,
                     uint16_t (*fn)(sfc_card *, const sfc_cmd *),
                     const char *hex)
{
    static uint8_t d[256];
    sfc_cmd cmd = {.cla = 0x00, .ins = 0x22, .p1 = 0x41, .p2 = 0xA4};
    cmd.nc = tu_hex(hex, d, sizeof(d));
    cmd.data = d;
    return fn(card, &cmd);
}

static void test_bsi_ca(void **state)
{
    (void)state;
    uint8_t key[32];
    char path[] = "/tmp/sc-npa-ca.XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    assert_int_equal(tu_hex(BSI_CA_SK, key, sizeof(key)), 32);
    assert_int_equal(write(fd, key, 32), 32);
    close(fd);
    sfc_param p[] = {{"mrz", G1_MRZ}, {"ca-key", path}};
    sfc_card *card = card_with(p, 2, G1_S G1_SK_MAP_IC G1_SK_DH_IC BSI_CA_R);
    unlink(path);
    static const ct_step pace[] = {
        {"0022C1A40F800A04007F00070202040202830101", "9000"},
        {"10860000027C0000", "*9000"},
        {"10860000457C438141" G1_PK_MAP_IFD "00", "*9000"},
        {"10860000457C438341" G1_PK_DH_IFD "00", "*9000"},
        {"008600000C7C0A8508C2B0BD78D94BA86600", "*9000"},
    };
    CT_RUN(card, pace);
    /* what TA leaves: done, and the PCD's compressed key (x) announced */
    npa_session *s = npa_session_get(card);
    uint8_t pk[65];
    assert_int_equal(tu_hex(BSI_CA_PK_PCD, pk, sizeof(pk)), 65);
    s->ta_done = true;
    s->ta_eph = BUF_MEM_new();
    BUF_MEM_grow(s->ta_eph, 32);
    memcpy(s->ta_eph->data, pk + 1, 32);
    assert_int_equal(call(card, npa_mse_ca, "800A04007F00070202030202840141"),
                     0x9000);
    sfc_resp resp;
    buf_init_fixed(&resp.data, card->resp_mem, SFC_RESP_MAX);
    static uint8_t d[80];
    sfc_cmd ga = {.ins = 0x86,
                  .nc = tu_hex("7C438041" BSI_CA_PK_PCD, d, sizeof(d)),
                  .data = d};
    assert_int_equal(npa_ga_eac(card, &ga, &resp), 0x9000);
    assert_string_equal(tu_tohex(resp.data.data, resp.data.len),
                        "7C14"
                        "8108" BSI_CA_R "8208" BSI_CA_T);
    /* a PCD key other than the one TA announced: 6A80 */
    s->mse = MSE_CA;
    d[10] ^= 1;
    buf_reset(&resp.data);
    assert_int_equal(npa_ga_eac(card, &ga, &resp), 0x6A80);
    sfc_card_free(card);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_ef_dir),
        cmocka_unit_test(test_cardaccess),
        cmocka_unit_test(test_access_before_pace),
        cmocka_unit_test(test_data_groups),
        cmocka_unit_test(test_dataset_file),
        cmocka_unit_test(test_params),
        cmocka_unit_test(test_mse_malformed),
        cmocka_unit_test(test_ga_malformed),
        cmocka_unit_test(test_ga_bad_mapping),
        cmocka_unit_test(test_icao_g1),
        cmocka_unit_test(test_bsi_ecdh),
        cmocka_unit_test(test_bsi_wrong_token),
        cmocka_unit_test(test_bsi_ca),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
