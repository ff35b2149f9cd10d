/* SPDX-License-Identifier: LGPL-2.1-or-later */
/**
 * @file test_image_roundtrip.c
 * @brief Card images: save -> load -> save gives the same text for a card
 *        holding every kind of state, and the loaded card behaves the same.
 *
 * The rich card, built with the fs/keys APIs (not through APDUs, so that
 * access rules cannot get in the way):
 *   MF 3F00 with a BER data object
 *    +- EF 0101 (the iso7816 type's PIN-protected EF)
 *    +- DF 1000 "A0 00 00 00 01 02 03", security attributes, BER,
 *    |   constructed BER and SIMPLE-TLV data objects
 *    |   +- EF 1001 transparent, 20 bytes, one-time write, bitmap
 *    |   +- EF 1002 linear fixed, 4-byte records x 3
 *    |   +- EF 1003 linear variable SIMPLE-TLV, 2 records
 *    |   +- EF 1004 cyclic, 2-byte records, 3 of max 3
 *    |   +- DF 1100 deactivated, with an empty EF 1101
 *    +- EF 2000 transparent, proprietary data, terminated
 * Two PINs (one with a PUK, one with a non-ASCII value), used counters,
 * AES, 3DES, EC (private and public-only) and RSA keys, two stored SEs.
 */
#include "test_image_util.h"

#include "os/dataobj.h"
#include "os/keys.h"
#include "core/sw.h"
#include "crypto/pkey.h"

/* ---- building the rich card ------------------------------------------------ */

static void attach(sfc_card *card, sfc_file *parent, sfc_file *f)
{
    assert_non_null(f);
    assert_int_equal(fs_link(parent, f), SW_OK);
    assert_true(sfc_mem_charge(card, (long)fs_footprint(f)));
}

static void set_bytes(uint8_t **dst, size_t *len, const char *hex)
{
    uint8_t buf[256];
    *len = tu_hex(hex, buf, sizeof(buf));
    *dst = malloc(*len);
    assert_non_null(*dst);
    memcpy(*dst, buf, *len);
}

static void set_records(sfc_file *f, size_t n, const char *const *hex)
{
    f->records = calloc(n, sizeof(*f->records));
    assert_non_null(f->records);
    for (size_t i = 0; i < n; i++)
        set_bytes(&f->records[i].data, &f->records[i].len, hex[i]);
    f->n_records = n;
}

static void put_dobj(sfc_card *card, sfc_file *f, uint32_t tag, bool simple,
                     const char *hex)
{
    uint8_t v[64];
    size_t n = tu_hex(hex, v, sizeof(v));
    assert_int_equal(sfc_dobj_put(card, f, tag, simple, v, n), SW_OK);
}

static sfc_file *build_df1000(sfc_card *card)
{
    uint8_t name[] = {0xA0, 0x00, 0x00, 0x00, 0x01, 0x02, 0x03};
    sfc_file *df = fs_df_new(0x1000, name, sizeof(name));
    assert_non_null(df);
    set_bytes(&df->sec_attr, &df->sec_attr_len, "8C 03 03 00 00");
    attach(card, card->mf, df);
    put_dobj(card, df, 0x5F20, false, "4A 6F 68 6E");
    put_dobj(card, df, 0x7F21, false, "5F 20 02 41 42");
    put_dobj(card, df, 0x42, true, "01 02 03");
    return df;
}

static void build_efs(sfc_card *card, sfc_file *df)
{
    sfc_file *bin = fs_ef_binary_new(0x1001, 20, 1);
    assert_non_null(bin);
    bin->dcb = DCB_WRITE_ONCE;
    memcpy(bin->data, "\x11\x22\x33", 3);
    bin->written = calloc(1, 3);
    assert_non_null(bin->written);
    bin->written[0] = 0x07;
    attach(card, df, bin);

    static const char *const fixed[] = {"01020304", "05060708", "00000000"};
    sfc_file *lf = fs_ef_record_new(0x1002, 0x02, 4, 3, 2);
    set_records(lf, 3, fixed);
    attach(card, df, lf);

    static const char *const tlv[] = {"01 02 AA BB", "7F 00"};
    sfc_file *lv = fs_ef_record_new(0x1003, 0x05, 0, 10, 3);
    set_records(lv, 2, tlv);
    attach(card, df, lv);

    static const char *const cyc[] = {"0003", "0002", "0001"};
    sfc_file *cy = fs_ef_record_new(0x1004, 0x06, 2, 3, 0);
    set_records(cy, 3, cyc);
    cy->lcs = LCS_INITIALISATION;
    attach(card, df, cy);

    sfc_file *sub = fs_df_new(0x1100, NULL, 0);
    assert_non_null(sub);
    sub->lcs = LCS_DEACTIVATED;
    attach(card, df, sub);
    attach(card, sub, fs_ef_binary_new(0x1101, 0, 0));
}

static void build_ef2000(sfc_card *card)
{
    sfc_file *ef = fs_ef_binary_new(0x2000, 4, 0);
    assert_non_null(ef);
    memcpy(ef->data, "\xDE\xAD\xBE\xEF", 4);
    set_bytes(&ef->prop, &ef->prop_len, "85 02 01 02");
    set_bytes(&ef->sec_attr, &ef->sec_attr_len, "A1 03 8C 01 00");
    ef->lcs = LCS_TERMINATED;
    attach(card, card->mf, ef);
}

static void build_pins(sfc_card *card)
{
    card->pins[0].tries_left = 1;
    card->pins[0].puk_tries_left = 7;
    sfc_pin *p = &card->pins[card->n_pins++];
    memset(p, 0, sizeof(*p));
    p->ref = 0x81;
    memcpy(p->value, "\x01\xFF\x30\x00", 4);
    p->len = 4;
    p->min_len = 4;
    p->max_len = 8;
    p->max_tries = 5;
    p->tries_left = 0;
}

static void build_keys(sfc_card *card)
{
    static const uint8_t aes[16] = {1, 2, 3, 4, 5, 6, 7, 8,
                                    9, 10, 11, 12, 13, 14, 15, 16};
    static const uint8_t des[24] = {0x01, 0x23, 0x45, 0x67, 0x89, 0xAB,
                                    0xCD, 0xEF, 0xFE, 0xDC, 0xBA, 0x98,
                                    0x76, 0x54, 0x32, 0x10, 0x89, 0xAB,
                                    0xCD, 0xEF, 0x01, 0x23, 0x45, 0x67};
    sfc_pkey *ec = NULL, *rsa = NULL, *pub = NULL;
    char *pem = NULL;
    assert_int_equal(sfc_key_put_symmetric(card, 0x01, SFC_KEY_AES, aes, 16,
                                          0x10), SFC_OK);
    assert_int_equal(sfc_key_put_symmetric(card, 0x02, SFC_KEY_DES3, des, 24,
                                          0x00), SFC_OK);
    assert_int_equal(sfc_pkey_generate_ec(SFC_CURVE_BP256R1, &ec), SFC_OK);
    assert_int_equal(sfc_pkey_to_pem(ec, false, &pem), SFC_OK);
    assert_int_equal(sfc_pkey_from_pem(pem, strlen(pem), &pub), SFC_OK);
    free(pem);
    assert_int_equal(sfc_key_put_pkey(card, 0x03, ec, 0x90), SFC_OK);
    assert_int_equal(sfc_key_put_pkey(card, 0x05, pub, 0x00), SFC_OK);
    assert_int_equal(sfc_pkey_generate_rsa(2048, &rsa), SFC_OK);
    assert_int_equal(sfc_key_put_pkey(card, 0x84, rsa, 0x01), SFC_OK);
}

static void build_ses(sfc_card *card)
{
    sfc_se *se = &card->stored_se[1];
    se->dst = (sfc_crt){.set = true, .has_alg = true, .alg = 0x42,
                       .has_key = true, .key_private = true, .key_ref = 0x84,
                       .key_id = {0x84}, .key_id_len = 1};
    se->ct = (sfc_crt){.set = true, .has_alg = true, .alg = 0x02,
                      .has_key = true, .key_ref = 0x01, .key_id = {0x01},
                      .key_id_len = 1, .iv_len = 16};
    memset(se->ct.iv, 0xA5, 16);
    card->stored_se_set[1] = true;
    sfc_se *se3 = &card->stored_se[3];
    se3->at = (sfc_crt){.set = true, .has_key = true, .key_ref = 'D',
                       .key_id = "DETEST", .key_id_len = 6,
                       .has_usage = true, .usage = 0x80};
    se3->kat.set = true; /* set but empty */
    card->stored_se_set[3] = true;
}

static sfc_card *rich_card(void)
{
    sfc_card *card = ct_card("iso7816");
    put_dobj(card, card->mf, 0x66, false, "80 01 00");
    build_efs(card, build_df1000(card));
    build_ef2000(card);
    build_pins(card);
    build_keys(card);
    build_ses(card);
    return card;
}

/* ---- checks ------------------------------------------------------------------ */

/* save -> load -> save: the same text; the same memory and ATR. */
static sfc_card *roundtrip(const sfc_card *card)
{
    char *first = it_save(card);
    sfc_card *loaded = it_load(first);
    char *second = it_save(loaded);
    assert_string_equal(first, second);
    assert_int_equal(loaded->mem_used, card->mem_used);
    assert_int_equal(loaded->mem_used, fs_tree_footprint(loaded->mf));
    uint8_t a[SFC_ATR_MAX], b[SFC_ATR_MAX];
    size_t na = sfc_card_atr(card, a), nb = sfc_card_atr(loaded, b);
    tu_assert_hex(b, nb, tu_tohex(a, na));
    assert_false(loaded->dirty);
    assert_null(loaded->commit);
    free(first);
    free(second);
    return loaded;
}

static void test_roundtrip_everything(void **state)
{
    (void)state;
    sfc_card *card = rich_card();
    sfc_card *loaded = roundtrip(card);
    assert_int_equal(loaded->n_pins, 2);
    assert_int_equal(loaded->pins[0].tries_left, 1);
    assert_int_equal(loaded->pins[0].puk_tries_left, 7);
    assert_int_equal(loaded->pins[1].len, 4);
    assert_memory_equal(loaded->pins[1].value, "\x01\xFF\x30\x00", 4);
    assert_int_equal(loaded->n_keys, 5);
    assert_true(sfc_pkey_has_private(loaded->keys[2].pkey));
    assert_false(sfc_pkey_has_private(loaded->keys[3].pkey));
    assert_int_equal(sfc_pkey_curve(loaded->keys[2].pkey), SFC_CURVE_BP256R1);
    assert_int_equal(sfc_pkey_bits(loaded->keys[4].pkey), 2048);
    assert_true(loaded->stored_se_set[3] && loaded->stored_se[3].kat.set);
    assert_memory_equal(loaded->stored_se[3].at.key_id, "DETEST", 6);
    assert_memory_equal(loaded->secret, card->secret, SFC_SECRET_LEN);
    sfc_card_free(card);
    sfc_card_free(loaded);
}

/* The loaded card answers like the original. */
static void test_loaded_card_behaves(void **state)
{
    (void)state;
    sfc_card *card = rich_card();
    char *text = it_save(card);
    sfc_card *loaded = it_load(text);
    static const ct_step steps[] = {
        {"00A4040C07A0000000010203", "9000"},      /* DF by name */
        {"00B0810003", "1122339000"},              /* SFI 1 */
        {"00D0000001FF", "*6985"},                 /* one-time: written */
        {"00D0000301FF", "9000"},                  /* ... not yet */
        {"00B2011404", "010203049000"},            /* SFI 2 rec 1 */
        {"00B2011C00", "0102AABB9000"},            /* SFI 3 rec 1 */
        {"00CA5F2000", "5F20044A6F686E9000"},
        {"00A4000C021100", "6283"},               /* deactivated */
    };
    CT_RUN(loaded, steps);
    free(text);
    sfc_card_free(card);
    sfc_card_free(loaded);
}

static void test_fresh_cards_of_every_type(void **state)
{
    (void)state;
    static const char *const types[] = {"iso7816", "handler_test"};
    for (size_t i = 0; i < 2; i++) {
        sfc_card *card = ct_card(types[i]);
        sfc_card *loaded = roundtrip(card);
        assert_string_equal(sfc_card_get_type(loaded), types[i]);
        sfc_card_free(card);
        sfc_card_free(loaded);
    }
}

static void test_pin_counters_survive(void **state)
{
    (void)state;
    sfc_card *card = ct_card("iso7816");
    ct_expect(card, "0020000104 39393939", "63C2");
    char *text = it_save(card);
    sfc_card *loaded = it_load(text);
    ct_expect(loaded, "0020000100", "63C2"); /* asks, uses no try */
    ct_expect(loaded, "0020000104 39393939", "63C1");
    ct_expect(loaded, "0020000104 39393939", "63C0");
    free(text);
    text = it_save(loaded);
    sfc_card_free(loaded);
    loaded = it_load(text);
    ct_expect(loaded, "0020000104 31323334", "6983"); /* still blocked */
    free(text);
    sfc_card_free(card);
    sfc_card_free(loaded);
}

static void test_params_and_extended_length(void **state)
{
    (void)state;
    static const sfc_param p[] = {{"pin", "654321"}, {"puk", "11112222"}};
    sfc_card_options o = {.extended_length = true, .params = p, .n_params = 2};
    sfc_card *card = ct_card_ex("iso7816", &o);
    sfc_card *loaded = roundtrip(card);
    assert_true(loaded->extended_length);
    /* the PIN and PUK are in "pins", not repeated in "params" */
    assert_int_equal(loaded->n_params, 0);
    ct_expect(loaded, "0020000106 363534333231", "9000");
    ct_expect(loaded, "002C00010C 3131313132323232 31323334", "9000");
    sfc_card_free(card);
    sfc_card_free(loaded);
}

/* Absent sections keep what the type made; present ones replace it. */
static void test_sections(void **state)
{
    (void)state;
    sfc_card *card = it_load("{\"format\": \"softcard-card-image\", "
                            "\"version\": 1, \"type\": \"iso7816\"}");
    ct_expect(card, "0020000104 31323334", "9000");
    ct_expect(card, "00A4020C020101", "9000"); /* the type's EF */
    assert_int_equal(card->mem_used, fs_tree_footprint(card->mf));
    sfc_card_free(card);
    card = it_load("{\"format\": \"softcard-card-image\", \"version\": 1, "
                   "\"type\": \"iso7816\", \"pins\": [], \"mf\": "
                   "{\"fid\": \"3F00\", \"kind\": \"df\"}}");
    ct_expect(card, "0020000104 31323334", "6A88");
    ct_expect(card, "00A4020C020101", "6A82");
    assert_int_equal(card->mem_used, fs_tree_footprint(card->mf));
    sfc_card_free(card);
}

/* Hand-written conveniences: size from the data, defaults. */
static void test_hand_written(void **state)
{
    (void)state;
    sfc_card *card = it_load(
        "{\"format\": \"softcard-card-image\", \"version\": 1,\n"
        " \"type\": \"iso7816\",\n"
        " \"pins\": [{\"ref\": \"01\", \"value\": \"0000\", \"tries\": 3}],\n"
        " \"mf\": {\"fid\": \"3F00\", \"kind\": \"df\", \"children\": [\n"
        "   {\"fid\": \"0102\", \"kind\": \"transparent\", \"sfi\": 2,\n"
        "    \"data\": \"48 65 6C 6C 6F\"},\n"
        "   {\"fid\": \"0103\", \"kind\": \"transparent\", \"size\": 8,\n"
        "    \"data\": \"0102\"}]}}");
    ct_expect(card, "00B0820000", "48656C6C6F9000");
    ct_expect(card, "00A4020C020103", "9000");
    ct_expect(card, "00B0000000", "01020000000000009000");
    ct_expect(card, "0020000104 30303030", "9000");
    sfc_card_free(card);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_roundtrip_everything),
        cmocka_unit_test(test_loaded_card_behaves),
        cmocka_unit_test(test_fresh_cards_of_every_type),
        cmocka_unit_test(test_pin_counters_survive),
        cmocka_unit_test(test_params_and_extended_length),
        cmocka_unit_test(test_sections),
        cmocka_unit_test(test_hand_written),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
