/* SPDX-License-Identifier: LGPL-2.1-or-later */
/**
 * @file test_os_binary.c
 * @brief READ, UPDATE, WRITE, ERASE and SEARCH BINARY: addressing (SFI,
 *        offsets, odd-INS file references and data objects), data units,
 *        the data coding byte, Le handling and malformed input.
 *
 * The tree is built directly with the fs API, so these tests do not depend
 * on SELECT or CREATE FILE:
 *   MF 3F00
 *    +- EF 1001  16 bytes 00..0F, SFI 1, DCB 01 (one-time write)
 *    +- EF 1002   8 bytes 0F.., SFI 2, DCB 21 (XOR)
 *    +- EF 1003   8 bytes 01.., SFI 3, DCB 41 (OR)
 *    +- EF 1004   8 bytes FF.., SFI 4, DCB 61 (AND)
 *    +- EF 1005  16 bytes 00..0F, SFI 5, DCB 02 (2-byte data units)
 *    +- EF 1006   0 bytes, SFI 7
 *    +- EF 1007 300 bytes (byte i = i mod 256), SFI 8
 *    +- EF 1008   4 bytes, SFI 9, deactivated
 *    +- EF 2001 linear fixed record EF, SFI 6
 *    +- DF 1100
 */
#include "cardtest.h"

#include "os/card.h"
#include "os/fs.h"
#include "core/sw.h"

typedef struct fixture {
    sfc_card *card;
    sfc_file *once, *xor_ef, *or_ef, *and_ef, *units, *empty, *big, *off;
} fixture;

static sfc_file *add_binary(sfc_file *df, uint16_t fid, size_t size,
                           uint8_t sfi, uint8_t dcb)
{
    sfc_file *f = fs_ef_binary_new(fid, size, sfi);
    assert_non_null(f);
    f->dcb = dcb;
    for (size_t i = 0; i < size; i++)
        f->data[i] = (uint8_t)i;
    assert_int_equal(fs_link(df, f), SW_OK);
    return f;
}

static void fill(sfc_file *f, uint8_t v)
{
    memset(f->data, v, f->size);
}

static int setup(void **state)
{
    fixture *fx = calloc(1, sizeof(*fx));
    assert_non_null(fx);
    fx->card = ct_card_empty();
    sfc_card_power(fx->card, SFC_POWER_ON);
    sfc_file *mf = fx->card->mf;
    fx->once = add_binary(mf, 0x1001, 16, 1, 0x01);
    fx->xor_ef = add_binary(mf, 0x1002, 8, 2, 0x21);
    fill(fx->xor_ef, 0x0F);
    fx->or_ef = add_binary(mf, 0x1003, 8, 3, 0x41);
    fill(fx->or_ef, 0x01);
    fx->and_ef = add_binary(mf, 0x1004, 8, 4, 0x61);
    fill(fx->and_ef, 0xFF);
    fx->units = add_binary(mf, 0x1005, 16, 5, 0x02);
    fx->empty = add_binary(mf, 0x1006, 0, 7, 0x01);
    fx->big = add_binary(mf, 0x1007, 300, 8, 0x01);
    fx->off = add_binary(mf, 0x1008, 4, 9, 0x01);
    fx->off->lcs = LCS_DEACTIVATED;
    sfc_file *rec = fs_ef_record_new(0x2001, FDB_EF_LINEAR_FIXED, 4, 4, 6);
    assert_non_null(rec);
    assert_int_equal(fs_link(mf, rec), SW_OK);
    sfc_file *df = fs_df_new(0x1100, NULL, 0);
    assert_non_null(df);
    assert_int_equal(fs_link(mf, df), SW_OK);
    *state = fx;
    return 0;
}

static int teardown(void **state)
{
    fixture *fx = *state;
    sfc_card_free(fx->card);
    free(fx);
    return 0;
}

static sfc_card *card_of(void **state)
{
    return ((fixture *)*state)->card;
}

/* ---- READ BINARY ------------------------------------------------------------ */

static void test_read_even(void **state)
{
    static const ct_step steps[] = {
        {"00B0000004", "6986"},                      /* no current EF yet */
        {"00B0810004", "00010203 9000"},             /* SFI 1, now current */
        {"00B0000404", "04050607 9000"},
        {"00B0810000", "000102030405060708090A0B0C0D0E0F 9000"}, /* Le 00 max */
        {"00B0810020", "000102030405060708090A0B0C0D0E0F 6282"}, /* end before Ne */
        {"00B0000F04", "0F 6282"},
        {"00B0001004", "6282"},                      /* offset = size: nothing */
        {"00B0001000", "9000"},
        {"00B0001104", "6B00"},                      /* offset beyond the EF */
        {"00B07FFF04", "6B00"},
        {"00B08500 04", "00010203 9000"},            /* 2-byte data units */
        {"00B08503 04", "06070809 9000"},            /* unit 3 = byte 6 */
        {"00B08508 04", "6282"},                     /* unit 8 = byte 16 = end */
        {"00B08509 04", "6B00"},
        {"00B08700 00", "9000"},                     /* empty EF */
        {"00B08701 00", "6B00"},
        {"00B00000", "6700"},                        /* no Le: the reference crashed */
        {"00B08100", "6700"},
        {"00B0810002AABB00", "6700"},                /* a data field */
        {"00B0 8100 000000", "#16 9000"},            /* extended Le 0000 */
    };
    CT_RUN(card_of(state), steps);
}

static void test_read_addressing_errors(void **state)
{
    static const ct_step steps[] = {
        {"00B10000 03540100 00", "6986"}, /* no current EF */
        {"00B0800004", "6A86"}, /* SFI 0 */
        {"00B09F0004", "6A86"}, /* SFI 31 */
        {"00B0C10004", "6A86"}, /* P1 b7 set: RFU */
        {"00B0A10004", "6A86"}, /* P1 b6 set: RFU */
        {"00B09E0004", "6A82"}, /* no EF with SFI 30 */
        {"00B0860004", "6981"}, /* a record EF */
        {"00B0890004", "6985"}, /* deactivated */
        {"00B1110003540100 00", "6981"}, /* a DF by FID */
        {"00B13FFF03540100 00", "6981"}, /* the current DF */
        {"00B1123403540100 00", "6A82"}, /* no such FID */
    };
    sfc_card *card = card_of(state);
    card->ch[0].cur_ef = NULL;
    CT_RUN(card, steps);
}

static void test_read_long_ef(void **state)
{
    sfc_card *card = card_of(state);
    ct_expect(card, "00B0880000", "#256 9000");         /* short Le 00 */
    ct_expect(card, "00B0010000", "#44 9000");          /* offset 256 */
    ct_expect(card, "00B0 000000 0000", "#300 9000");   /* extended */
    ct_expect(card, "00B0 000000 0200", "#300 6282");   /* Ne 512 */
    ct_expect(card, "00B0 000000 0100", "#256 9000");
    const char *r = ct_x(card, "00B0012A02");
    assert_string_equal(r, "2A2B9000");
}

static void test_read_odd(void **state)
{
    static const ct_step steps[] = {
        {"00B1000103540100 00", "5310 000102030405060708090A0B0C0D0E0F 9000"},
        {"00B1000003540102 00", "530E 02030405060708090A0B0C0D0E0F 9000"},
        {"00B10000 00", "5310 000102030405060708090A0B0C0D0E0F 9000"}, /* no 54 */
        {"00B1100103540104 04", "5302 0405 9000"},     /* sized to fit Ne */
        {"00B1100103540104 20", "530C 0405060708090A0B0C0D0E0F 6282"},
        {"00B1100103540110 00", "5300 9000"},          /* offset = size */
        {"00B1100103540111 00", "6B00"},
        {"00B11001065404FFFFFFFF 00", "6B00"},         /* huge offset */
        {"00B11005 03540103 04", "5302 0607 9000"},    /* 2-byte units */
        {"00B11001 07 00 540102 FF FF00 00", "530E 02030405060708090A0B0C0D0E0F 9000"},
        {"00B10001 03540101", "6111"},                 /* no Le: all, via 61xx */
        {"00C0000011", "530F 0102030405060708090A0B0C0D0E0F 9000"},
    };
    CT_RUN(card_of(state), steps);
}

static void test_read_odd_malformed(void **state)
{
    static const ct_step steps[] = {
        {"00B10001 02 5401 00", "6A80"},              /* truncated */
        {"00B10001 02 5400 00", "6A80"},              /* empty offset */
        {"00B10001 07 5405 0000000000 00", "6A80"},   /* 5-byte offset */
        {"00B10001 03 530100 00", "6A80"},            /* data DO in a read */
        {"00B10001 03 800100 00", "6A80"},            /* unknown tag */
        {"00B10001 06 540100 540101 00", "6A80"},     /* two offsets */
        {"00B10001 01 54 00", "6A80"},
        {"00B10001 03 548100 00", "6A80"},            /* 81 00: empty */
        {"00B10001 04 54840000 00", "6A80"},          /* length runs past */
        {"00B10001 02 5F01 00", "6A80"},              /* truncated tag */
    };
    CT_RUN(card_of(state), steps);
}

/* ---- UPDATE BINARY ----------------------------------------------------------- */

static void test_update(void **state)
{
    fixture *fx = *state;
    static const ct_step steps[] = {
        {"00D6810002AABB", "9000"},
        {"00B0000004", "AABB0203 9000"},
        {"00D6000E02CCDD", "9000"},                   /* up to the last byte */
        {"00D6000F02EEFF", "6A84"},                   /* would grow the EF */
        {"00D6001001EE", "6A84"},
        {"00D6001101EE", "6B00"},
        {"00D60000", "6700"},                         /* no data */
        {"00D6000001AA 00", "9000"},                  /* an Le is ignored */
        {"00B0000000", "AABB02030405060708090A0B0C0DCCDD 9000"},
        {"00D6 8200 02 1122", "9000"},                /* XOR EF: UPDATE replaces */
        {"00B0 8200 02", "1122 9000"},
        {"00D6 8501 02 AABB", "9000"},                /* units: byte 2 */
        {"00B0 8500 04", "0001AABB 9000"},
        {"00D6 8507 03 010203", "6A84"},              /* byte 14 + 3 > 16 */
        {"00D6 8900 01 00", "6985"},                  /* deactivated */
        {"00D6 8600 01 00", "6981"},                  /* record EF */
    };
    CT_RUN(fx->card, steps);
    assert_int_equal(fx->once->size, 16);
    assert_null(fx->once->written); /* UPDATE does not mark bytes written */
}

static void test_update_odd(void **state)
{
    static const ct_step steps[] = {
        {"00D7 1001 08 540104 5303AABBCC", "9000"},
        {"00B0 0004 03", "AABBCC 9000"},
        {"00D7 0000 05 5303 DDEEFF", "9000"},         /* no offset: 0 */
        {"00B0 0000 03", "DDEEFF 9000"},
        {"00D7 0000 09 540102 7304 5302 1122", "9000"}, /* 73 carries BER data */
        {"00B0 0002 04", "53021122 9000"},
        {"00D7 0000 03 540104", "6A80"},              /* no data DO */
        {"00D7 0000 02 5300", "6700"},                /* empty data */
        {"00D7 0000", "6700"},
        {"00D7 0000 06 530100 530100", "6A80"},       /* two data DOs */
        {"00D7 0000 06 540110 530100", "6A84"},
        {"00D7 0000 06 540111 530100", "6B00"},
        {"00D7 0000 04 5303 AABB", "6A80"},           /* truncated */
        {"00D7 0000 07 5304 AABBCC 5301", "6A80"},    /* overlapping DOs */
        {"00D7 0000 09 5404FFFFFFFF 530100", "6B00"},
    };
    CT_RUN(card_of(state), steps);
}

/* ---- WRITE BINARY ------------------------------------------------------------- */

static void test_write_once(void **state)
{
    fixture *fx = *state;
    static const ct_step steps[] = {
        {"00D0810002AABB", "9000"},
        {"00D0000002CCDD", "6985"},                   /* already written */
        {"00D0000102CCDD", "6985"},                   /* overlaps byte 1 */
        {"00B0000004", "AABB0203 9000"},              /* unchanged */
        {"00D0000202CCDD", "9000"},
        {"00B0000004", "AABBCCDD 9000"},
        {"00D0000F02EEFF", "6A84"},
        {"00D00000", "6700"},
        {"000E0000", "9000"},                         /* erase clears the bits */
        {"00D0000002CCDD", "9000"},
        {"00B0000004", "CCDD0000 9000"},
    };
    CT_RUN(fx->card, steps);
    assert_non_null(fx->once->written);
}

static void test_write_dcb01_like_opensc(void **state)
{
    /* OpenSC creates DCB 01; the reference crashed on writes. */
    static const ct_step steps[] = {
        {"00E00000 0E 620C 82020101 83021234 80020010", "9000"},
        {"00D0000004DEADBEEF", "9000"},
        {"00D6000004DEADBEEF", "9000"},
        {"00B0000004", "DEADBEEF 9000"},
    };
    CT_RUN(card_of(state), steps);
}

static void test_write_logical(void **state)
{
    static const ct_step steps[] = {
        {"00D0 8200 02 FF00", "9000"},                /* XOR onto 0F 0F */
        {"00B0 8200 03", "F00F0F 9000"},
        {"00D0 8200 02 FF00", "9000"},
        {"00B0 8200 03", "0F0F0F 9000"},
        {"00D0 8300 02 F010", "9000"},                /* OR onto 01 01 */
        {"00B0 8300 03", "F11101 9000"},
        {"00D0 8400 02 0F3C", "9000"},                /* AND onto FF FF */
        {"00B0 8400 03", "0F3CFF 9000"},
        {"00D1 1003 08 540106 5303 808080", "6A84"},  /* 6 + 3 > 8 */
        {"00D1 1003 07 540105 5302 8080", "9000"},
        {"00B0 8305 03", "818101 9000"},
    };
    CT_RUN(card_of(state), steps);
}

static void test_write_bitmap_memory(void **state)
{
    fixture *fx = *state;
    sfc_card *card = fx->card;
    size_t limit = card->mem_limit;
    card->mem_limit = card->mem_used; /* no room for the written-bitmap */
    ct_expect(card, "00D0810001AA", "6A84");
    assert_null(fx->once->written);
    card->mem_limit = limit;
    size_t before = card->mem_used;
    ct_expect(card, "00D0810001AA", "9000");
    assert_int_equal(card->mem_used, before + 2); /* (16 + 7) / 8 */
}

/* ---- ERASE BINARY --------------------------------------------------------------- */

static void test_erase_even(void **state)
{
    fixture *fx = *state;
    static const ct_step steps[] = {
        {"000E 8104 01 08", "9000"},                  /* [4, 8) */
        {"00B0 0000 00", "00010203000000000809 0A0B0C0D0E0F 9000"},
        {"000E 000C", "9000"},                        /* to the end */
        {"00B0 0008 00", "08090A0B00000000 9000"},
        {"000E 0004 01 04", "6A80"},                  /* end = start */
        {"000E 0004 01 03", "6A80"},                  /* end before start */
        {"000E 0000 01 11", "6B00"},                  /* end beyond the EF */
        {"000E 0011", "6B00"},
        {"000E 0000 03 000008", "6700"},
        {"000E 0000 02 0010", "9000"},                /* 2-byte end offset */
        {"000E 8400", "9000"},                        /* AND EF erases to FF */
        {"00B0 8400 00", "FFFFFFFFFFFFFFFF 9000"},
        {"000E 8501 01 03", "9000"},                  /* units 1, 2 = bytes 2..5 */
        {"00B0 8500 08", "0001000000000607 9000"},
        {"000E 8700", "9000"},                        /* empty EF */
        {"000E 8900", "6985"},
    };
    CT_RUN(fx->card, steps);
    assert_int_equal(fx->once->size, 16); /* never shrinks */
}

static void test_erase_odd(void **state)
{
    static const ct_step steps[] = {
        {"000F 1001 06 540104 540108", "9000"},
        {"00B0 0000 00", "00010203000000000809 0A0B0C0D0E0F 9000"},
        {"000F 1001 03 54010C", "9000"},
        {"00B0 0008 00", "08090A0B00000000 9000"},
        {"000F 0000", "9000"},
        {"00B0 0000 00", "00000000000000000000000000000000 9000"},
        {"000F 0000 09 540101 540102 540103", "6A80"},
        {"000F 0000 03 530100", "6A80"},
        {"000F 0000 06 540108 540104", "6A80"},
        {"000F 0000 06 540100 540111", "6B00"},
        {"000F 0000 02 5401", "6A80"},
    };
    CT_RUN(card_of(state), steps);
}

/* ---- SEARCH BINARY -------------------------------------------------------------- */

static void test_search(void **state)
{
    fixture *fx = *state;
    fx->once->data[10] = 0x00;
    fx->once->data[0] = 0xAA;
    static const ct_step steps[] = {
        {"00A0 8100 02 0405 00", "04 9000"},
        {"00A0 0005 02 0405 00", "6282"},             /* not found from 5 */
        {"00A0 0000 02 0405", "9000"},                /* no Le: no data */
        {"00A0 0000 02 0F10 00", "6282"},             /* would run past the end */
        {"00A0 0000 00", "0A 9000"},                  /* first erased byte */
        {"00A0 0011 00", "6B00"},
        {"00A1 0000 04 5302 0405 00", "5401 04 9000"},
        {"00A1 0000 07 540105 5302 0B0C 00", "5401 0B 9000"},
        {"00A1 0000 03 540101 00", "5401 0A 9000"},   /* erased from 1 */
        {"00A1 0000 02 5300 00", "5401 0A 9000"},     /* empty string */
        {"00A1 0000 06 540105 540106 00", "6A80"},   /* two offsets */
        {"00A1 0000 04 540105 53 00", "6A80"},        /* truncated */
        {"00A0 8500 02 0203 00", "01 9000"},          /* unit 1 */
        {"00A0 8500 02 0304 00", "6282"},             /* not unit-aligned */
        {"00A0 8800 02 2A2B 00", "012A 9000"},        /* 2-byte offset 298 */
        {"00A0 8200 00", "6282"},                     /* XOR EF: nothing erased */
        {"00A0 8400 00", "00 9000"},                  /* AND EF: FF is erased */
        {"00A0 8600 01 00 00", "6981"},
    };
    fx->big->data[0x2A] = 0; /* the next "2A 2B" is at 298 */
    CT_RUN(fx->card, steps);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_read_even, setup, teardown),
        cmocka_unit_test_setup_teardown(test_read_addressing_errors, setup, teardown),
        cmocka_unit_test_setup_teardown(test_read_long_ef, setup, teardown),
        cmocka_unit_test_setup_teardown(test_read_odd, setup, teardown),
        cmocka_unit_test_setup_teardown(test_read_odd_malformed, setup, teardown),
        cmocka_unit_test_setup_teardown(test_update, setup, teardown),
        cmocka_unit_test_setup_teardown(test_update_odd, setup, teardown),
        cmocka_unit_test_setup_teardown(test_write_once, setup, teardown),
        cmocka_unit_test_setup_teardown(test_write_dcb01_like_opensc, setup, teardown),
        cmocka_unit_test_setup_teardown(test_write_logical, setup, teardown),
        cmocka_unit_test_setup_teardown(test_write_bitmap_memory, setup, teardown),
        cmocka_unit_test_setup_teardown(test_erase_even, setup, teardown),
        cmocka_unit_test_setup_teardown(test_erase_odd, setup, teardown),
        cmocka_unit_test_setup_teardown(test_search, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
