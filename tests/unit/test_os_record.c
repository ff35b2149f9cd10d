/* SPDX-License-Identifier: LGPL-2.1-or-later */
/**
 * @file test_os_record.c
 * @brief READ RECORD(S), UPDATE, WRITE, APPEND and ERASE RECORD: record
 *        numbers, identifiers, the record pointer, several records, odd
 *        INS, the data coding byte, SIMPLE-TLV files, memory accounting and
 *        malformed input.
 *
 * The tree, built with the fs API (P2 = SFI << 3 | reference):
 *   MF 3F00
 *    +- EF 2001 SFI 1 linear fixed, 4-byte records, max 3:
 *    |          01020304, 11121314
 *    +- EF 2002 SFI 2 linear variable SIMPLE-TLV, max 10 bytes, max 5, DCB 21
 *    |          (XOR): C102AABB, C201CC, C101DD
 *    +- EF 2003 SFI 3 cyclic, 2-byte records, max 3: 0202 (newest), 0101
 *    +- EF 2004 SFI 4 linear variable, no size or count declared
 *    +- EF 2005 SFI 5 linear fixed, 2 bytes, DCB 61 (AND): FFFF, FFFF
 *    +- EF 2006 SFI 6 linear fixed, 2 bytes, DCB 01 (one-time): 0000, 1234
 *    +- EF 1001 SFI 7 transparent, 4 bytes
 *    +- EF 2007 SFI 8 linear fixed, deactivated: 00000000
 */
#include "cardtest.h"

#include "os/card.h"
#include "os/fs.h"
#include "core/sw.h"

typedef struct fixture {
    sfc_card *card;
    sfc_file *fixed, *tlv, *cyclic, *var, *and_ef, *once;
} fixture;

static void add_record(sfc_file *f, const char *hex)
{
    uint8_t buf[64];
    size_t n = tu_hex(hex, buf, sizeof(buf));
    sfc_record *r = realloc(f->records, (f->n_records + 1) * sizeof(*r));
    assert_non_null(r);
    f->records = r;
    r[f->n_records].data = malloc(n);
    assert_non_null(r[f->n_records].data);
    memcpy(r[f->n_records].data, buf, n);
    r[f->n_records].len = n;
    f->n_records++;
}

static sfc_file *add_record_ef(sfc_file *df, uint16_t fid, uint8_t fdb,
                              size_t rec_size, size_t max, uint8_t sfi,
                              uint8_t dcb)
{
    sfc_file *f = fs_ef_record_new(fid, fdb, rec_size, max, sfi);
    assert_non_null(f);
    f->dcb = dcb;
    assert_int_equal(fs_link(df, f), SW_OK);
    return f;
}

static int setup(void **state)
{
    fixture *fx = calloc(1, sizeof(*fx));
    assert_non_null(fx);
    fx->card = ct_card_empty();
    sfc_card_power(fx->card, SFC_POWER_ON);
    sfc_file *mf = fx->card->mf;
    fx->fixed = add_record_ef(mf, 0x2001, FDB_EF_LINEAR_FIXED, 4, 3, 1, 0x01);
    add_record(fx->fixed, "01020304");
    add_record(fx->fixed, "11121314");
    fx->tlv = add_record_ef(mf, 0x2002, FDB_EF_LINEAR_VARIABLE | 1, 10, 5, 2,
                            0x21);
    add_record(fx->tlv, "C102AABB");
    add_record(fx->tlv, "C201CC");
    add_record(fx->tlv, "C101DD");
    fx->cyclic = add_record_ef(mf, 0x2003, FDB_EF_CYCLIC, 2, 3, 3, 0x01);
    add_record(fx->cyclic, "0202");
    add_record(fx->cyclic, "0101");
    fx->var = add_record_ef(mf, 0x2004, FDB_EF_LINEAR_VARIABLE, 0, 0, 4, 0x01);
    fx->and_ef = add_record_ef(mf, 0x2005, FDB_EF_LINEAR_FIXED, 2, 2, 5, 0x61);
    add_record(fx->and_ef, "FFFF");
    add_record(fx->and_ef, "FFFF");
    fx->once = add_record_ef(mf, 0x2006, FDB_EF_LINEAR_FIXED, 2, 2, 6, 0x01);
    add_record(fx->once, "0000");
    add_record(fx->once, "1234");
    sfc_file *bin = fs_ef_binary_new(0x1001, 4, 7);
    assert_non_null(bin);
    assert_int_equal(fs_link(mf, bin), SW_OK);
    sfc_file *off = add_record_ef(mf, 0x2007, FDB_EF_LINEAR_FIXED, 4, 2, 8, 1);
    add_record(off, "00000000");
    off->lcs = LCS_DEACTIVATED;
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

/* ---- READ RECORD -------------------------------------------------------------- */

static void test_read_by_number(void **state)
{
    static const ct_step steps[] = {
        {"00B2 01 04 00", "6986"},                    /* no current EF */
        {"00B2 00 0C 00", "6A83"},                    /* no current record */
        {"00B2 01 0C 00", "01020304 9000"},
        {"00B2 01 0C 04", "01020304 9000"},
        {"00B2 01 0C 02", "6C04"},                    /* the record is a unit */
        {"00B2 01 0C 08", "01020304 6282"},
        {"00B2 03 0C 00", "6A83"},
        {"00B2 00 04 00", "01020304 9000"},           /* current: still 1 */
        {"00B2 02 04 00", "11121314 9000"},
        {"00B2 00 04 00", "11121314 9000"},
        {"00B2 01 14 00", "C102AABB 9000"},           /* another EF ... */
        {"00B2 00 0C 00", "6A83"},                    /* ... resets the pointer */
        {"00B2 01 0C", "6700"},                       /* no Le */
        {"00B2 01 0C 01 00 00", "6700"},              /* a data field */
    };
    CT_RUN(card_of(state), steps);
}

static void test_read_addressing_errors(void **state)
{
    static const ct_step steps[] = {
        {"00B2 FF 0C 00", "6A86"},                    /* P1 FF is RFU */
        {"00B2 01 FC 00", "6A86"},                    /* SFI 31 */
        {"00B2 01 0F 00", "6A86"},                    /* P2 b3-b1 111 */
        {"00B2 01 F4 00", "6A82"},                    /* no EF with SFI 30 */
        {"00B2 01 3C 00", "6981"},                    /* transparent */
        {"00B2 01 44 00", "6985"},                    /* deactivated */
        {"00B3 01 3C 03 540100 00", "6981"},
    };
    CT_RUN(card_of(state), steps);
}

static void test_read_several(void **state)
{
    static const ct_step steps[] = {
        {"00B2 01 0D 00", "01020304 11121314 9000"},  /* 1 to last */
        {"00B2 01 0E 00", "11121314 01020304 9000"},  /* last to 1 */
        {"00B2 02 0D 10", "11121314 6282"},           /* ended before Ne */
        {"00B2 03 0D 00", "6A83"},
        {"00B2 00 0D 00", "6A83"},                    /* no current record */
        {"00B2 02 0C 00", "11121314 9000"},
        {"00B2 01 0D 00", "01020304 11121314 9000"},
        {"00B2 00 04 00", "11121314 9000"},           /* pointer unchanged */
        {"00B2 00 05 00", "11121314 9000"},           /* current to last */
        {"00B2 01 0D 05", "0102030411 6103"},         /* rest behind 61xx */
        {"00C0000003", "121314 9000"},
        {"00B2 01 15 00", "C102AABB C201CC C101DD 9000"},
        {"00B2 01 1D 00", "0202 0101 9000"},
    };
    CT_RUN(card_of(state), steps);
}

static void test_read_by_identifier(void **state)
{
    static const ct_step steps[] = {
        {"00B2 C1 10 00", "C102AABB 9000"},           /* first C1 */
        {"00B2 C1 12 00", "C101DD 9000"},             /* next C1 */
        {"00B2 C1 12 00", "6A83"},                    /* no further C1 */
        {"00B2 00 04 00", "C101DD 9000"},             /* pointer kept */
        {"00B2 C1 13 00", "C102AABB 9000"},           /* previous C1 */
        {"00B2 C1 13 00", "6A83"},
        {"00B2 C1 11 00", "C101DD 9000"},             /* last C1 */
        {"00B2 C2 10 00", "C201CC 9000"},
        {"00B2 C3 10 00", "6A83"},
        {"00B2 00 10 00", "C102AABB 9000"},           /* 00: any record */
        {"00B2 00 12 00", "C201CC 9000"},
        {"00B2 01 0C 00", "01020304 9000"},           /* leave the EF */
        {"00B2 C1 12 00", "C102AABB 9000"},           /* next, no CP: first */
        {"00B2 01 0C 00", "01020304 9000"},
        {"00B2 C1 13 00", "C101DD 9000"},             /* previous, no CP: last */
        {"00B2 55 08 00", "01020304 9000"},           /* non-TLV: any record */
        {"00B2 55 0A 00", "11121314 9000"},
        {"00B2 55 0A 00", "6A83"},                    /* no wrap-around */
    };
    CT_RUN(card_of(state), steps);
}

static void test_read_odd(void **state)
{
    static const ct_step steps[] = {
        {"00B3 01 0C 03 540101 00", "5303 020304 9000"},
        {"00B3 01 0C 00", "5304 01020304 9000"},
        {"00B3 01 0C 03 540104 00", "5300 9000"},
        {"00B3 01 0C 03 540105 00", "6B00"},
        {"00B3 01 0C 03 540101 02", "6C05"},
        {"00B3 01 0D 03 540102 00", "5302 0304 5302 1314 9000"},
        {"00B3 01 15 03 540103 00", "5301 BB 5300 5300 9000"},
        {"00B3 01 15 03 540104 00", "6B00"},
        {"00B3 01 15 03 540102 00", "5302 AABB 5301 CC 5301 DD 9000"},
        {"00B3 01 0C", "6106"},
        {"00C0000006", "5304 01020304 9000"},
        {"00B3 01 0C 03 530100 00", "6A80"},
        {"00B3 01 0C 02 5401 00", "6A80"},
        {"00B3 01 0C 06 540101 540102 00", "6A80"},
        {"00B3 01 0C 03 5B0100 00", "6A80"},
    };
    CT_RUN(card_of(state), steps);
}

/* ---- UPDATE RECORD --------------------------------------------------------- */

static void test_update(void **state)
{
    fixture *fx = *state;
    static const ct_step steps[] = {
        {"00DC 01 0C 04 AABBCCDD", "9000"},
        {"00B2 00 04 00", "AABBCCDD 9000"},           /* pointer on it */
        {"00DC 01 0C 03 AABBCC", "6700"},             /* fixed size */
        {"00DC 01 0C 05 AABBCCDDEE", "6700"},
        {"00DC 01 0C", "6700"},
        {"00DC 03 0C 04 AABBCCDD", "6A83"},
        {"00DC 01 0D 04 AABBCCDD", "6A86"},           /* P1 to last: RFU here */
        {"00DC 01 0F 04 AABBCCDD", "6A86"},
        {"00DC FF 0C 04 AABBCCDD", "6A86"},
        {"00DC 01 3C 04 AABBCCDD", "6981"},
        {"00DC 01 44 04 AABBCCDD", "6985"},
        {"00DC 02 14 03 C201EE", "9000"},             /* variable, TLV */
        {"00DC 02 14 04 C202EE00", "9000"},
        {"00DC 02 14 04 C201EE00", "6A80"},           /* not one TLV object */
        {"00DC 02 14 02 0000", "6A80"},               /* tag 00 */
        {"00DC 02 14 0B C109 000102030405060708", "6700"}, /* > 10 bytes */
        {"00DC 01 14 02 C100", "9000"},               /* shorter */
        {"00B2 01 15 00", "C100 C202EE00 C101DD 9000"},
        {"00DC C2 10 03 C201FF", "9000"},             /* by identifier */
        {"00B2 00 14 00", "C201FF 9000"},
        {"00DC 01 1C 02 AAAA", "9000"},               /* cyclic */
        {"00DC 01 1C 03 AAAAAA", "6700"},
        {"00DC 01 0C 04 AABBCCDD 00", "9000"},        /* Le ignored */
    };
    CT_RUN(fx->card, steps);
    assert_int_equal(fx->fixed->n_records, 2);
}

static void test_update_odd(void **state)
{
    static const ct_step steps[] = {
        {"00DD 01 0C 06 540101 5301FF", "9000"},      /* replace at 1 */
        {"00B2 01 0C 00", "01FF0304 9000"},
        {"00DD 01 0D 06 540100 53010F", "9000"},      /* AND */
        {"00DD 01 0E 06 540102 5301F0", "9000"},      /* OR */
        {"00DD 01 0F 06 540103 5301FF", "9000"},      /* XOR */
        {"00B2 01 0C 00", "01FFF3FB 9000"},
        {"00DD 00 0C 05 5303AABBCC", "9000"},         /* current, offset 0 */
        {"00B2 01 0C 00", "AABBCCFB 9000"},
        {"00DD 01 0C 07 540103 5302AABB", "6A84"},    /* past a fixed record */
        {"00DD 01 0C 06 540105 530100", "6B00"},
        {"00DD 02 14 08 540101 530302CCDD", "9000"},  /* a variable one grows */
        {"00B2 02 14 00", "C202CCDD 9000"},
        {"00DD 02 14 07 540101 530203EE", "6A80"},    /* TLV broken */
        {"00DD 02 14 0F 540101 530A 09000102030405060708", "6A84"},
        {"00DD 02 15 06 540104 530100", "6A84"},      /* AND cannot grow */
        {"00DD 01 08 06 540101 530100", "6A86"},      /* identifier modes */
        {"00DD 01 0C 03 540101", "6A80"},             /* no data DO */
        {"00DD 01 0C 02 5300", "6700"},
        {"00DD 01 0C 04 540101 53", "6A80"},
        {"00DD 01 0C", "6700"},
    };
    CT_RUN(card_of(state), steps);
}

/* ---- WRITE RECORD ---------------------------------------------------------- */

static void test_write(void **state)
{
    static const ct_step steps[] = {
        {"00D2 01 2C 02 0FF0", "9000"},               /* AND */
        {"00B2 01 2C 00", "0FF0 9000"},
        {"00D2 01 2C 02 FF3C", "9000"},
        {"00B2 01 2C 00", "0F30 9000"},
        {"00D2 01 2C 01 00", "6700"},                 /* not the record's size */
        {"00D2 01 34 02 ABCD", "9000"},               /* one-time, erased */
        {"00D2 01 34 02 0000", "6985"},               /* written */
        {"00D2 02 34 02 0000", "6985"},
        {"00B2 01 34 00", "ABCD 9000"},
        {"000C 01 34", "9000"},                       /* erase: writable again */
        {"00D2 01 34 02 1111", "9000"},
        {"00B2 01 34 00", "1111 9000"},
        {"00D2 02 14 03 000033", "9000"},             /* XOR on a TLV record */
        {"00B2 02 14 00", "C201FF 9000"},
        {"00D2 01 14 04 C1000000", "6A80"},           /* result not TLV */
        {"00B2 01 14 00", "C102AABB 9000"},           /* unchanged */
        {"00D2 C1 11 03 000011", "9000"},             /* last C1 */
        {"00B2 03 14 00", "C101CC 9000"},
        {"00D2 01 2D 02 0000", "6A86"},
        {"00D2 01 2C", "6700"},
        {"00D2 03 2C 02 0000", "6A83"},
    };
    CT_RUN(card_of(state), steps);
}

/* ---- APPEND RECORD -------------------------------------------------------- */

static void test_append_linear(void **state)
{
    fixture *fx = *state;
    sfc_card *card = fx->card;
    static const ct_step steps[] = {
        {"00E2 00 08 03 313233", "6700"},             /* fixed size */
        {"00E2 01 08 04 31323334", "6A86"},
        {"00E2 00 0C 04 31323334", "6A86"},
        {"00E2 00 F8 04 31323334", "6A86"},
        {"00E2 00 08", "6700"},
        {"00E2 00 38 01 00", "6981"},
        {"00E2 00 08 04 31323334", "9000"},
        {"00B2 00 04 00", "31323334 9000"},           /* pointer on it */
        {"00B2 03 0C 00", "31323334 9000"},
        {"00E2 00 08 04 41424344", "6A84"},           /* full */
        {"00E2 00 10 03 C30177", "9000"},
        {"00E2 00 10 03 C30277", "6A80"},
        {"00E2 00 10 02 C300", "9000"},
        {"00E2 00 10 02 C400", "6A84"},               /* 5 records max */
        {"00E2 00 10 0C C10A 00010203040506070809", "6700"},
    };
    CT_RUN(card, steps);
    assert_int_equal(fx->fixed->n_records, 3);
    /* stored exactly as given, no zero prefix */
    assert_int_equal(fx->fixed->records[2].len, 4);
}

static void test_append_cyclic(void **state)
{
    fixture *fx = *state;
    static const ct_step steps[] = {
        {"00E2 00 18 02 0303", "9000"},               /* not full yet */
        {"00B2 01 1D 00", "0303 0202 0101 9000"},
        {"00B2 00 1C 00", "0303 9000"},
        {"00E2 00 18 02 0404", "9000"},               /* the oldest goes */
        {"00B2 01 1D 00", "0404 0303 0202 9000"},
        {"00E2 00 18 01 05", "6700"},
    };
    CT_RUN(fx->card, steps);
    assert_int_equal(fx->cyclic->n_records, 3);
}

static void test_append_without_limits(void **state)
{
    fixture *fx = *state;
    sfc_card *card = fx->card;
    for (unsigned i = 0; i < 254; i++)
        ct_expect(card, "00E2 00 20 01 55", "9000");
    ct_expect(card, "00E2 00 20 01 55", "6A84"); /* P1 ends at FE */
    ct_expect(card, "00B2 FE 24 00", "55 9000");
    assert_int_equal(fx->var->n_records, 254);
}

static void test_memory_accounting(void **state)
{
    fixture *fx = *state;
    sfc_card *card = fx->card;
    size_t used = card->mem_used, foot = fs_footprint(fx->tlv);
    ct_expect(card, "00E2 00 10 05 C103 010203", "9000");
    assert_int_equal(card->mem_used - used, fs_footprint(fx->tlv) - foot);
    used = card->mem_used, foot = fs_footprint(fx->tlv);
    ct_expect(card, "00DC 01 14 08 C106 010203040506", "9000");
    assert_int_equal(card->mem_used - used, fs_footprint(fx->tlv) - foot);
    used = card->mem_used, foot = fs_footprint(fx->tlv);
    ct_expect(card, "00DC 01 14 02 C100", "9000");
    assert_int_equal(used - card->mem_used, foot - fs_footprint(fx->tlv));

    card->mem_limit = card->mem_used; /* full card */
    ct_expect(card, "00E2 00 10 02 C500", "6A84");
    ct_expect(card, "00DC 01 14 03 C101AA", "6A84");
    ct_expect(card, "00DC 01 14 02 C1FF", "6A80");
    ct_expect(card, "00E2 00 18 02 0303", "6A84"); /* cyclic, not full */
    ct_expect(card, "00DC 02 14 02 C200", "9000"); /* shrinking works */
    assert_int_equal(fx->tlv->n_records, 4);
}

/* ---- ERASE RECORD(S) ------------------------------------------------------- */

static void test_erase(void **state)
{
    fixture *fx = *state;
    static const ct_step steps[] = {
        {"000C 00 0C", "6A83"},                       /* no current record */
        {"000C 02 0C", "9000"},
        {"00B2 00 04 00", "00000000 9000"},           /* kept, erased, current */
        {"00B2 01 0D 00", "01020304 00000000 9000"},
        {"000C 01 0D", "9000"},                       /* 1 to last */
        {"00B2 01 0D 00", "00000000 00000000 9000"},
        {"00DC 01 0C 04 0A0B0C0D", "9000"},           /* still updatable */
        {"000C 01 2C", "9000"},                       /* AND EF: FF */
        {"00D2 01 2C 02 0F0F", "9000"},
        {"000C 01 2C", "9000"},
        {"00B2 01 2C 00", "FFFF 9000"},
        {"000C 05 0C", "6A83"},
        {"000C 01 0E", "6A86"},
        {"000C 01 08", "6A86"},
        {"000C 01 0C 01 00", "6700"},
        {"000C 01 3C", "6981"},
        {"000C 01 44", "6985"},
        {"000C 01 15", "9000"},
        {"00B2 01 15 00", "00000000 000000 000000 9000"},
    };
    CT_RUN(fx->card, steps);
    assert_int_equal(fx->fixed->n_records, 2);
    assert_int_equal(fx->tlv->n_records, 3);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_read_by_number, setup, teardown),
        cmocka_unit_test_setup_teardown(test_read_addressing_errors, setup, teardown),
        cmocka_unit_test_setup_teardown(test_read_several, setup, teardown),
        cmocka_unit_test_setup_teardown(test_read_by_identifier, setup, teardown),
        cmocka_unit_test_setup_teardown(test_read_odd, setup, teardown),
        cmocka_unit_test_setup_teardown(test_update, setup, teardown),
        cmocka_unit_test_setup_teardown(test_update_odd, setup, teardown),
        cmocka_unit_test_setup_teardown(test_write, setup, teardown),
        cmocka_unit_test_setup_teardown(test_append_linear, setup, teardown),
        cmocka_unit_test_setup_teardown(test_append_cyclic, setup, teardown),
        cmocka_unit_test_setup_teardown(test_append_without_limits, setup, teardown),
        cmocka_unit_test_setup_teardown(test_memory_accounting, setup, teardown),
        cmocka_unit_test_setup_teardown(test_erase, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
