/* SPDX-License-Identifier: LGPL-2.1-or-later */
/**
 * @file test_cardtype_epass.c
 * @brief The ePass card type, card side: ICAO Doc 9303-11 Appendix D byte
 *        for byte, access before BAC, BAC failures, the end of the session
 *        on a wrong MAC, the MRZ formats and check digits, DG2, and the
 *        creation parameters.
 *
 * Known answers (ICAO Doc 9303-11 App. D, as published):
 * the KEnc/KMAC derivation of D.1 (with DES parity), the long document
 * number variant, the mutual authentication of D.3 with the card's RNG
 * scripted to give RND.IC = 4608F91988702212 and K.IC =
 * 0B4F80323EB3191CB04970CB4052790B (the card must answer exactly E_IC ||
 * M_IC), and then the three protected exchanges of D.4, which only match if
 * the card derived the session keys and SSC exactly as ICAO prints them.
 * The card for that is built from the ICAO specimen MRZ with LDS version
 * 0106, DG1 and DG2 only, so that EF.COM is the 22 bytes of D.4.
 *
 * A full terminal (BAC with random values, every file, EF.SOD, Active
 * Authentication) is test_cardtype_epass_terminal.c.
 */
#include "cardtest.h"

#include <stdlib.h>
#include <unistd.h>

#include "os/card.h"
#include "os/fs.h"
#include "cardtypes/epass.h"
#include "core/rng.h"
#include "core/tlv.h"

#define SPECIMEN_MRZ "P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<" \
                     "L898902C<3UTO6908061F9406236ZE184226B<<<<<14"
#define EF_COM "60145F0104303130365F36063034303030305C026175"
#define RND_IC "4608F91988702212"
#define K_IC "0B4F80323EB3191CB04970CB4052790B"
#define E_IFD "72C29C2371CC9BDB65B779B8E8D37B29ECC154AA56A8799FAE2F498F76ED92F2"
#define M_IFD "5F1448EEA8AD90A7"
#define E_IC "46B9342A41396CD7386BF5803104D7CEDC122B9132139BAF2EEDC94EE178534F"
#define M_IC "2F2D235D074D7449"
#define SELECT_APP "00A4040C07A0000002471001"

/* ---- helpers ------------------------------------------------------------ */

static sfc_rng_script script;
static sfc_rng rng;
static uint8_t rng_bytes[64];

/* An ePass whose RNG hands out RND.IC then K.IC, as App. D.3 needs. */
static sfc_card *appendix_d_card(void)
{
    static const sfc_param p[] = {{"mrz", SPECIMEN_MRZ},
                                 {"lds-version", "0106"},
                                 {"aa-algorithm", "none"}};
    size_t n = tu_hex(RND_IC K_IC, rng_bytes, sizeof(rng_bytes));
    rng = sfc_rng_script_make(&script, rng_bytes, n);
    sfc_card_options o = {.rng = &rng, .params = p,
                         .n_params = sizeof(p) / sizeof(p[0])};
    return ct_card_ex("ePass", &o);
}

static sfc_card *card_with(const sfc_param *p, size_t n)
{
    sfc_card_options o = {.params = p, .n_params = n};
    return ct_card_ex("ePass", &o);
}

/* sfc_card_new must refuse, with `why` in its message. */
static void expect_refused(const sfc_param *p, size_t n, const char *why)
{
    sfc_card *card = NULL;
    char err[300] = "";
    sfc_card_options o = {.params = p, .n_params = n};
    assert_int_not_equal(sfc_card_new("ePass", &o, &card, err, sizeof(err)),
                         SFC_OK);
    assert_null(card);
    if (!strstr(err, why))
        fail_msg("error '%s' does not mention '%s'", err, why);
}

static sfc_file *lds_file(sfc_card *card, uint16_t fid)
{
    sfc_file *df = epass_lds_df(card);
    assert_non_null(df);
    return fs_child_by_fid(df, fid);
}

/* Write bytes to a new temporary file; returns its (static) name. */
static const char *temp_file(const uint8_t *data, size_t len, int slot)
{
    static char names[4][64];
    snprintf(names[slot], sizeof(names[slot]), "/tmp/sc-epass-test.XXXXXX");
    int fd = mkstemp(names[slot]);
    assert_true(fd >= 0);
    assert_int_equal(write(fd, data, len), (ssize_t)len);
    close(fd);
    return names[slot];
}

/* ---- App. D.1: key derivation -------------------------------------------- */

static void test_d1_key_derivation(void **state)
{
    (void)state;
    epass_mrz m;
    char err[200], info[48];
    uint8_t kenc[16], kmac[16], seed[16], k[16];
    assert_int_equal(epass_mrz_parse(SPECIMEN_MRZ, true, &m, err, sizeof(err)),
                     SFC_OK);
    assert_int_equal(m.format, EPASS_TD3);
    assert_int_equal(epass_mrz_info(&m, info, sizeof(info)), 24);
    assert_string_equal(info, "L898902C<369080619406236");
    assert_int_equal(epass_bac_keys(info, 24, kenc, kmac), SFC_OK);
    tu_assert_hex(kenc, 16, "AB94FDECF2674FDFB9B391F85D7F76F2");
    tu_assert_hex(kmac, 16, "7962D9ECE03D1ACD4C76089DCE131543");
    /* parity adjustment alone, on the printed unadjusted KEnc */
    tu_hex("AB94FCEDF2664EDFB9B291F85D7F77F2", k, sizeof(k));
    epass_des_parity(k, sizeof(k));
    tu_assert_hex(k, 16, "AB94FDECF2674FDFB9B391F85D7F76F2");
    /* the session-key derivation check of D.3 */
    tu_hex("0036D272F5C350ACAC50C3F572D23600", seed, sizeof(seed));
    assert_int_equal(epass_kdf(seed, 1, k), SFC_OK);
    tu_assert_hex(k, 16, "979EC13B1CBFE9DCD01AB0FED307EAE5");
    assert_int_equal(epass_kdf(seed, 2, k), SFC_OK);
    tu_assert_hex(k, 16, "F1CB1F1FB5ADF208806B89DC579DC1F8");
}

static void test_long_document_number(void **state)
{
    (void)state;
    epass_mrz_fields f = {.format = EPASS_TD1, .document_number =
                          "D23145890734", .birth_date = "340712",
                          .expiry_date = "950712"};
    epass_mrz m, again;
    char err[200], info[48];
    assert_int_equal(epass_mrz_build(&f, &m, err, sizeof(err)), SFC_OK);
    assert_int_equal(m.len, 90);
    assert_memory_equal(m.text + 5, "D23145890<7349<", 15);
    assert_int_equal(epass_mrz_info(&m, info, sizeof(info)), 27);
    assert_string_equal(info, "D23145890734934071279507122");
    assert_int_equal(epass_mrz_parse(m.text, true, &again, err, sizeof(err)),
                     SFC_OK);
}

/* ---- App. D.3 and D.4 on the card ---------------------------------------- */

static void bac_appendix_d(sfc_card *card)
{
    static const ct_step steps[] = {
        {SELECT_APP, "9000"},
        {"0084000008", RND_IC "9000"},
        {"0082000028" E_IFD M_IFD "28", E_IC M_IC "9000"},
    };
    CT_RUN(card, steps);
}

static void test_appendix_d_byte_for_byte(void **state)
{
    (void)state;
    sfc_card *card = appendix_d_card();
    sfc_file *com = lds_file(card, EPASS_FID_COM);
    tu_assert_hex(com->data, com->size, EF_COM);
    bac_appendix_d(card);
    static const ct_step d4[] = {
        {"0CA4020C158709016375432908C044F68E08BF8B92D635FF24F800",
         "990290008E08FA855A5D4C50A8ED9000"},
        {"0CB000000D9701048E08ED6705417E96BA5500",
         "8709019FF0EC34F9922651990290008E08AD55CC17140B2DED9000"},
        {"0CB000040D9701128E082EA28A70F3C7B53500",
         "871901FB9235F4E4037F2327DCC8964F1F9B8C30F42C8E2FFF224A990290008E08"
         "C8B2787EAEA07D749000"},
    };
    CT_RUN(card, d4);
    sfc_card_free(card);
}

/* ---- access before and after BAC ------------------------------------------ */

static void test_no_plain_reads(void **state)
{
    (void)state;
    static const sfc_param p[] = {{"aa-algorithm", "ec"}};
    sfc_card *card = card_with(p, 1);
    static const ct_step steps[] = {
        {"00A4040007A000000247100100", "*9000"}, /* FCI, as cardpeek asks */
        {"00A4020C02011E", "9000"},              /* selecting is allowed */
        {"00B0000004", "6982"},                  /* reading is not */
        {"00B09E0004", "6982"},                  /* EF.COM by SFI */
        {"00B0810000", "6982"},                  /* DG1 by SFI */
        {"00B0820000", "6982"},
        {"00B08E0000", "6982"},                  /* DG14 */
        {"00B08F0000", "6982"},                  /* DG15 */
        {"00B09D0000", "6982"},                  /* EF.SOD */
        {"00A4020C020101", "9000"},
        {"00B1000004 5402 0000 00", "6982"},     /* odd INS */
        {"00B0830000", "6A82"},                  /* no DG3 */
        {"0088000008 0102030405060708 00", "6982"}, /* AA needs SM */
        {"00D6000001 00", "6D00"},               /* no writing at all */
        {"00E0000009 620783020102820101", "6D00"},
        {"0020000104 31323334", "6D00"},
        {"0CB000000D9701048E08ED6705417E96BA5500", "6988"}, /* no session */
    };
    CT_RUN(card, steps);
    sfc_card_free(card);
}

/* The LDS1 application: its BAC and AA answer 6D00 until it is selected,
 * and OpenSC's probe of unknown AIDs (6A82) leaves it selected. */
static void test_lds_application(void **state)
{
    (void)state;
    static const sfc_param p[] = {{"aa-algorithm", "ec"}};
    sfc_card *card = card_with(p, 1);
    static const ct_step steps[] = {
        {"0082000028" "00000000000000000000000000000000000000000000000000000"
         "000000000000000000000000000", "6D00"},  /* no application yet */
        {"0088000008 0102030405060708 00", "6D00"},
        {"00B09E0004", "6A82"},                   /* EF.COM is not here */
        {SELECT_APP, "9000"},
        {"00A4040007627601FF000000", "6A82"},     /* the probe */
        {"00A4040006A00000000101", "6A82"},
        {"00A4040009A00000030800001000 00", "6A82"},
        {"00A4040006D27600012401 00", "6A82"},
        {"00A4000C023F00", "9000"},               /* the MF leaves it ... */
        {"0088000008 0102030405060708 00", "6D00"},
        {SELECT_APP, "9000"},                     /* ... and back */
        {"00A4040C07A000000116DB00", "6A82"},
        {"00B09E0004", "6982"},                   /* EF.COM: still there */
        {"0088000008 0102030405060708 00", "6982"}, /* AA: needs SM */
        {"0082000028" "00000000000000000000000000000000000000000000000000000"
         "000000000000000000000000000", "6985"},  /* BAC: no challenge */
    };
    ct_run(card, steps, sizeof(steps) / sizeof(steps[0]));
    sfc_card_free(card);
}

static void test_wrong_mac_ends_session(void **state)
{
    (void)state;
    sfc_card *card = appendix_d_card();
    bac_appendix_d(card);
    static const ct_step steps[] = {
        /* D.4's SELECT with its MAC's last byte changed */
        {"0CA4020C158709016375432908C044F68E08BF8B92D635FF24F900", "6988"},
        /* the next D.4 command no longer finds a session */
        {"0CB000000D9701048E08ED6705417E96BA5500", "6988"},
        {"00A4020C02011E", "9000"},
        {"00B0000004", "6982"},
    };
    CT_RUN(card, steps);
    sfc_card_free(card);
}

static void test_plain_command_ends_session(void **state)
{
    (void)state;
    sfc_card *card = appendix_d_card();
    bac_appendix_d(card);
    static const ct_step steps[] = {
        {"00A4020C02011E", "9000"},      /* plain: the session ends */
        {"00B0000004", "6982"},
        {"0CA4020C158709016375432908C044F68E08BF8B92D635FF24F800", "6988"},
    };
    CT_RUN(card, steps);
    sfc_card_free(card);
}

static void test_bac_failures(void **state)
{
    (void)state;
    sfc_card *card = appendix_d_card();
    static const ct_step steps[] = {
        {SELECT_APP, "9000"},
        {"0082000028" E_IFD M_IFD "28", "6985"},        /* no challenge */
        {"0084000008", RND_IC "9000"},
        {"0082000028" E_IFD "5F1448EEA8AD90A6" "28", "6300"}, /* bad MAC */
        {"0082000028" E_IFD M_IFD "28", "6985"},        /* challenge used */
        {"0082000027" E_IFD "5F1448EEA8AD90" "28", "6700"},
        {"0082010028" E_IFD M_IFD "28", "6A86"},
        {"00820000", "6700"},
    };
    CT_RUN(card, steps);
    sfc_card_free(card);
}

static void test_bac_wrong_challenge(void **state)
{
    (void)state;
    static const uint8_t other[] = {1, 2, 3, 4, 5, 6, 7, 8};
    sfc_rng_script s;
    sfc_rng r = sfc_rng_script_make(&s, other, sizeof(other));
    static const sfc_param p[] = {{"mrz", SPECIMEN_MRZ}};
    sfc_card_options o = {.rng = &r, .params = p, .n_params = 1};
    sfc_card *card = ct_card_ex("ePass", &o);
    static const ct_step steps[] = {
        {SELECT_APP, "9000"},
        {"0084000008", "0102030405060708 9000"},
        {"0082000028" E_IFD M_IFD "28", "6300"}, /* E_IFD holds RND.IC */
    };
    CT_RUN(card, steps);
    sfc_card_free(card);
}

/* ---- the MRZ --------------------------------------------------------------- */

static void test_specimen_from_fields(void **state)
{
    (void)state;
    epass_mrz_fields f = {0};
    epass_mrz m;
    char err[200];
    assert_int_equal(epass_mrz_build(&f, &m, err, sizeof(err)), SFC_OK);
    assert_string_equal(m.text, SPECIMEN_MRZ);
}

static void test_mrz_formats(void **state)
{
    (void)state;
    epass_mrz_fields f = {.format = EPASS_TD2, .surname = "O'Brien-Smith",
                          .given_names = "Mary Ann", .sex = "X",
                          .document_number = "AB1234567",
                          .issuing_state = "D", .nationality = "D"};
    epass_mrz m, p;
    char err[200], info[48];
    assert_int_equal(epass_mrz_build(&f, &m, err, sizeof(err)), SFC_OK);
    assert_int_equal(m.len, 72);
    assert_memory_equal(m.text, "I<D<<OBRIEN<SMITH<<MARY<ANN<<<<<<<<<", 36);
    assert_int_equal(epass_mrz_parse(m.text, true, &p, err, sizeof(err)),
                     SFC_OK);
    assert_int_equal(epass_mrz_sex(&p), '<');
    assert_int_equal(epass_mrz_info(&p, info, sizeof(info)), 24);
    assert_memory_equal(info, "AB1234567", 9);
    assert_int_equal(info[9], epass_check_digit("AB1234567", 9));
    /* ICAO Doc 9303-5 TD1 specimen */
    static const char td1[] = "I<UTOD231458907<<<<<<<<<<<<<<<"
                              "7408122F1204159UTO<<<<<<<<<<<6"
                              "ERIKSSON<<ANNA<MARIA<<<<<<<<<<";
    assert_int_equal(epass_mrz_parse(td1, true, &p, err, sizeof(err)), SFC_OK);
    assert_int_equal(p.format, EPASS_TD1);
    assert_int_equal(epass_mrz_info(&p, info, sizeof(info)), 24);
    assert_string_equal(info, "D23145890774081221204159");
}

static void test_mrz_errors(void **state)
{
    (void)state;
    epass_mrz m;
    char err[200];
    char bad[] = SPECIMEN_MRZ;
    assert_int_not_equal(epass_mrz_parse("P<UTO", true, &m, err, sizeof(err)),
                         SFC_OK);
    assert_non_null(strstr(err, "88 (TD3"));
    bad[53] = '4'; /* document number check digit */
    assert_int_equal(epass_mrz_parse(bad, true, &m, err, sizeof(err)),
                     SFC_E_CHECKSUM);
    assert_non_null(strstr(err, "document number is '4', expected '3'"));
    assert_int_equal(epass_mrz_parse(bad, false, &m, err, sizeof(err)), SFC_OK);
    bad[53] = '3';
    bad[87] = '5';
    assert_int_equal(epass_mrz_parse(bad, true, &m, err, sizeof(err)),
                     SFC_E_CHECKSUM);
    assert_non_null(strstr(err, "composite"));
    bad[87] = 'a';
    assert_int_equal(epass_mrz_parse(bad, true, &m, err, sizeof(err)),
                     SFC_E_FORMAT);
    /* with line breaks and spaces around, as people paste it */
    assert_int_equal(epass_mrz_parse("  P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<"
                                     "<<<<<<<<<\n L898902C<3UTO6908061F94062"
                                     "36ZE184226B<<<<<14\n", true, &m, err,
                                     sizeof(err)), SFC_OK);
}

/* ---- creation -------------------------------------------------------------- */

static void test_default_card_layout(void **state)
{
    (void)state;
    sfc_card *card = card_with(NULL, 0);
    sfc_file *df = epass_lds_df(card);
    assert_non_null(df);
    assert_int_equal(df->fid, EPASS_DF_FID);
    static const struct {
        uint16_t fid;
        uint8_t sfi;
    } files[] = {{0x011E, 0x1E}, {0x0101, 1}, {0x0102, 2}, {0x010E, 14},
                 {0x010F, 15}, {0x011D, 0x1D}};
    for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
        sfc_file *f = fs_child_by_fid(df, files[i].fid);
        assert_non_null(f);
        assert_int_equal(f->sfi, files[i].sfi);
        tu_assert_hex(f->sec_attr, f->sec_attr_len, "8C087FFFFFFFFFFFFF40");
    }
    assert_null(fs_child_by_fid(df, 0x010D)); /* not the reference's SOD */
    sfc_file *com = fs_child_by_fid(df, EPASS_FID_COM);
    tu_assert_hex(com->data, com->size,
                  "60165F0104303130375F36063034303030305C0461756E6F");
    sfc_file *dg1 = fs_child_by_fid(df, 0x0101);
    assert_int_equal(dg1->size, 5 + 88);
    assert_memory_equal(dg1->data, "\x61\x5B\x5F\x1F\x58", 5);
    assert_memory_equal(dg1->data + 5, SPECIMEN_MRZ, 88);
    sfc_card_free(card);
}

/* DG2 = 75 {7F61 {02 01 01, 7F60 {A1 {...}, 5F2E {FAC record}}}}. */
static void check_dg2(sfc_file *dg2, char gender, unsigned w, unsigned h,
                      uint8_t type)
{
    static const uint32_t path[] = {0x75, 0x7F61, 0x7F60, 0x5F2E};
    ber_tlv bdb, hdr;
    assert_int_equal(ber_find_path(dg2->data, dg2->size, path, 4, &bdb),
                     SFC_OK);
    static const uint32_t bht[] = {0x75, 0x7F61, 0x7F60, 0xA1};
    assert_int_equal(ber_find_path(dg2->data, dg2->size, bht, 4, &hdr),
                     SFC_OK);
    tu_assert_hex(hdr.value, hdr.len, "800201018101028702010188020008");
    const uint8_t *r = bdb.value;
    assert_memory_equal(r, "FAC\0" "010\0", 8);
    assert_int_equal((size_t)(r[8] << 24 | r[9] << 16 | r[10] << 8 | r[11]),
                     bdb.len);
    assert_int_equal(r[12] << 8 | r[13], 1);
    assert_int_equal(r[20], gender);
    assert_int_equal(r[34], 0x01);            /* full frontal */
    assert_int_equal(r[35], type);            /* 00 JPEG, 01 JPEG 2000 */
    assert_int_equal(r[36] << 8 | r[37], w);
    assert_int_equal(r[38] << 8 | r[39], h);
}

static void test_dg2_placeholder(void **state)
{
    (void)state;
    sfc_card *card = card_with(NULL, 0);
    sfc_file *dg2 = lds_file(card, 0x0102);
    check_dg2(dg2, 2, 240, 320, 0x00);
    /* the JPEG: SOI first, EOI last */
    assert_memory_equal(dg2->data + dg2->size - 2, "\xFF\xD9", 2);
    static const uint32_t path[] = {0x75, 0x7F61, 0x7F60, 0x5F2E};
    ber_tlv bdb;
    ber_find_path(dg2->data, dg2->size, path, 4, &bdb);
    assert_memory_equal(bdb.value + 46, "\xFF\xD8\xFF", 3);
    sfc_card_free(card);
}

static void test_dg2_from_photo(void **state)
{
    (void)state;
    sfc_buf jpeg;
    buf_init(&jpeg);
    assert_int_equal(epass_face_placeholder(64, 80, &jpeg), SFC_OK);
    const char *path = temp_file(jpeg.data, jpeg.len, 0);
    sfc_param p[] = {{"photo", path}, {"sex", "M"}};
    sfc_card *card = card_with(p, 2);
    check_dg2(lds_file(card, 0x0102), 1, 64, 80, 0x00);
    assert_int_equal(card->n_params, 0); /* creation needs them, not attach */
    sfc_card_free(card);
    /* a JP2 file: signature, ftyp, jp2h {ihdr 120 high, 100 wide, RGB} */
    uint8_t jp2[80];
    size_t n = tu_hex("0000000C6A5020200D0A870A00000014667479706A703220000000"
                      "006A7032200000001E6A70326800000016696864720000007800"
                      "000064000307070000", jp2, sizeof(jp2));
    unlink(path);
    path = temp_file(jp2, n, 0);
    p[0].value = path;
    card = card_with(p, 1);
    check_dg2(lds_file(card, 0x0102), 2, 100, 120, 0x01);
    sfc_card_free(card);
    unlink(path);
    buf_free(&jpeg);
}

static void test_data_groups_from_files(void **state)
{
    (void)state;
    static const uint8_t dg11[] = {0x6B, 0x04, 0x5C, 0x02, 0x5F, 0x0E};
    const char *ok = temp_file(dg11, sizeof(dg11), 0);
    const char *wrong = temp_file((const uint8_t *)"\x63\x00", 2, 1);
    sfc_param p[] = {{"dg11", ok}, {"aa-algorithm", "rsa"}, {"dg14", wrong}};
    sfc_card *card = card_with(p, 2);
    sfc_file *f = lds_file(card, 0x010B);
    tu_assert_hex(f->data, f->size, "6B045C025F0E");
    assert_non_null(lds_file(card, 0x010F)); /* RSA AA: DG15, no DG14 */
    assert_null(lds_file(card, 0x010E));
    sfc_file *com = lds_file(card, EPASS_FID_COM);
    tu_assert_hex(com->data + com->size - 4, 4, "61756B6F");
    sfc_card_free(card);
    expect_refused(p + 2, 1, "tag 6E");
    /* DG1 from a file: the card's BAC keys then come from its MRZ */
    uint8_t dg1[5 + 88] = {0x61, 0x5B, 0x5F, 0x1F, 0x58};
    memcpy(dg1 + 5, SPECIMEN_MRZ, 88);
    const char *dg1_file = temp_file(dg1, sizeof(dg1), 2);
    sfc_param d[] = {{"dg1", dg1_file}, {"lds-version", "0106"},
                    {"aa-algorithm", "none"}};
    size_t n = tu_hex(RND_IC K_IC, rng_bytes, sizeof(rng_bytes));
    rng = sfc_rng_script_make(&script, rng_bytes, n);
    sfc_card_options o = {.rng = &rng, .params = d, .n_params = 3};
    card = ct_card_ex("ePass", &o);
    bac_appendix_d(card);
    sfc_card_free(card);
    dg1[5 + 53] = '4'; /* a wrong check digit is refused */
    unlink(dg1_file);
    dg1_file = temp_file(dg1, sizeof(dg1), 2);
    d[0].value = dg1_file;
    expect_refused(d, 1, "document number is '4'");
    unlink(dg1_file);
    unlink(wrong); /* its slot is reused below */
    /* an ECDSA AA key needs the card's own DG14 */
    const char *dg14 = temp_file((const uint8_t *)"\x6E\x00", 2, 1);
    sfc_param q[] = {{"dg14", dg14}, {"aa-algorithm", "ec"}};
    expect_refused(q, 2, "needs the card's own DG14");
    unlink(ok);
    unlink(dg14);
}

static void test_parameter_errors(void **state)
{
    (void)state;
    const char *text = temp_file((const uint8_t *)"not an image\n", 13, 2);
    /* a JPEG that stops after its first marker; a JP2 whose box overruns */
    const char *jpeg_junk = temp_file((const uint8_t *)"\xFF\xD8\xFF\xE0\x00"
                                      "\x10JFIF\x00", 11, 0);
    const char *jp2_junk = temp_file((const uint8_t *)"\x00\x00\x00\x0C"
                                     "jP  \x0D\x0A\x87\x0A\x00\x01\x00\x00"
                                     "jp2h", 20, 1);
    const struct {
        sfc_param p[2];
        size_t n;
        const char *why;
    } cases[] = {
        {{{"colour", "red"}}, 1, "has no parameter 'colour'"},
        {{{"mrz", "P<UTO"}}, 1, "88 (TD3"},
        {{{"mrz", SPECIMEN_MRZ}, {"surname", "X"}}, 2, "one way"},
        {{{"mrz-format", "td4"}}, 1, "td1, td2 or td3"},
        {{{"birth-date", "1969-08-06"}}, 1, "YYMMDD"},
        {{{"surname", "\xC3\x85str\xC3\xB6m"}}, 1, "transliterate"},
        {{{"document-number", "1234567890"}}, 1, "1 to 9"},
        {{{"photo", "/nonexistent/photo.jpg"}}, 1, "cannot read"},
        {{{"photo", text}}, 1, "JPEG"},
        {{{"dg15", text}}, 1, "aa-key"},
        {{{"dg3", text}}, 1, "tag 63"},
        {{{"aa-algorithm", "dsa"}}, 1, "none, rsa"},
        {{{"aa-key", "-----BEGIN PRIVATE KEY-----\nxx\n"}}, 1, "aa-key"},
        {{{"aa-algorithm", "none"}, {"aa-key", text}}, 2, "aa-key"},
        {{{"pki-algorithm", "dsa"}}, 1, "ec or rsa"},
        {{{"csca-key", text}}, 1, "give both"},
        {{{"lds-version", "1.7"}}, 1, "4 digits"},
        {{{"unicode-version", "4"}}, 1, "6 digits"},
        {{{"photo", "x"}, {"dg2", "y"}}, 2, "not both"},
        {{{"dg1", text}}, 1, "61 {5F1F MRZ}"},
        {{{"photo", jpeg_junk}}, 1, "JPEG"},
        {{{"photo", jp2_junk}}, 1, "JPEG"},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
        expect_refused(cases[i].p, cases[i].n, cases[i].why);
    unlink(text);
    unlink(jpeg_junk);
    unlink(jp2_junk);
}

/* ePass keeps no parameter: everything they made is in files and keys. */
static void test_consumed_parameters_forgotten(void **state)
{
    (void)state;
    char out[64];
    snprintf(out, sizeof(out), "/tmp/sc-epass-test-csca.%d.pem",
             (int)getpid());
    sfc_param p[] = {{"csca-cert-out", out}, {"surname", "DOE"},
                    {"aa-algorithm", "none"}};
    sfc_card *card = card_with(p, 3);
    assert_int_equal(card->n_params, 0);
    assert_int_equal(access(out, R_OK), 0);
    unlink(out);
    assert_null(lds_file(card, 0x010F)); /* no AA: no DG15 */
    sfc_card_free(card);
}

/* Random APDUs, plain and with SM class bytes: a status word, never a
 * crash (the sanitizer build runs this too). */
static void test_random_apdus(void **state)
{
    (void)state;
    sfc_card *card = card_with(NULL, 0);
    uint8_t apdu[300];
    unsigned seed = 1;
    for (int i = 0; i < 3000; i++) {
        size_t n = (size_t)(rand_r(&seed) % 64);
        for (size_t j = 0; j < n; j++)
            apdu[j] = (uint8_t)rand_r(&seed);
        if (n > 1 && i % 3 == 0)
            apdu[1] = "\x82\x84\x88\xA4\xB0\xB1\xC0"[i % 7];
        if (n > 0 && i % 5 == 0)
            apdu[0] = (uint8_t)(i % 2 ? 0x00 : 0x0C);
        ct_raw(card, apdu, n, NULL);
        if (i % 500 == 0)
            ct_expect(card, SELECT_APP, "9000");
    }
    sfc_card_free(card);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_d1_key_derivation),
        cmocka_unit_test(test_long_document_number),
        cmocka_unit_test(test_appendix_d_byte_for_byte),
        cmocka_unit_test(test_no_plain_reads),
        cmocka_unit_test(test_lds_application),
        cmocka_unit_test(test_wrong_mac_ends_session),
        cmocka_unit_test(test_plain_command_ends_session),
        cmocka_unit_test(test_bac_failures),
        cmocka_unit_test(test_bac_wrong_challenge),
        cmocka_unit_test(test_specimen_from_fields),
        cmocka_unit_test(test_mrz_formats),
        cmocka_unit_test(test_mrz_errors),
        cmocka_unit_test(test_default_card_layout),
        cmocka_unit_test(test_dg2_placeholder),
        cmocka_unit_test(test_dg2_from_photo),
        cmocka_unit_test(test_data_groups_from_files),
        cmocka_unit_test(test_parameter_errors),
        cmocka_unit_test(test_consumed_parameters_forgotten),
        cmocka_unit_test(test_random_apdus),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
