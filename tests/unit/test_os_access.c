/* SPDX-License-Identifier: LGPL-2.1-or-later */
/**
 * @file test_os_access.c
 * @brief The access decision as a table: operation x file rule x security
 *        state -> status word, for compact (8C) and expanded (AB, A1)
 *        attributes, SE-based conditions and the life cycle; then the
 *        default card's PIN-protected EF end to end.
 */
#include "cardtest.h"

#include <stdlib.h>

#include "os/access.h"
#include "os/card.h"
#include "os/fs.h"

/* Security states */
enum { ST_NONE, ST_PIN, ST_PIN2, ST_SM, ST_EXT, ST_PIN_SM, N_STATES };
static const char *state_name[] = {"none", "PIN", "PIN 2", "SM", "ext-auth",
                                   "PIN+SM"};

static void set_state(sfc_card *card, int st)
{
    memset(&card->sec, 0, sizeof(card->sec));
    card->sec.pin_verified[0] = st == ST_PIN || st == ST_PIN_SM;
    card->sec.pin_verified[1] = st == ST_PIN2;
    card->sec.cmd_secured = st == ST_SM || st == ST_PIN_SM;
    card->sec.external_auth = st == ST_EXT;
    card->sec.external_auth_ref = 0;
}

typedef struct rule_case {
    const char *name;
    bool df;
    const char *attr;           /* hex of the raw FCP security attributes */
    sfc_access_op op;
    const char *want;           /* one char per state: '+' allowed, '-' 6982 */
} rule_case;

/* States in order: none, PIN, PIN 2, SM, ext-auth, PIN+SM */
static const rule_case cases[] = {
    /* no attributes: everything allowed */
    {"no rules", false, "", SFC_AC_READ, "++++++"},
    /* compact: AM 03 = update (b2), read (b1); SC bytes for b2 then b1 */
    {"read: always", false, "8C03 03 FF 00", SFC_AC_READ, "++++++"},
    {"update: never", false, "8C03 03 FF 00", SFC_AC_UPDATE, "------"},
    {"write: not described", false, "8C03 03 FF 00", SFC_AC_WRITE, "++++++"},
    {"read: PIN", false, "8C02 01 10", SFC_AC_READ, "-+---+"},
    {"read: SM", false, "8C02 01 40", SFC_AC_READ, "---+-+"},
    {"read: ext auth", false, "8C02 01 20", SFC_AC_READ, "----+-"},
    {"read: PIN or SM", false, "8C02 01 50", SFC_AC_READ, "-+-+-+"},
    {"read: PIN and SM", false, "8C02 01 D0", SFC_AC_READ, "-----+"},
    {"read: SE 2 names PIN 2", false, "8C02 01 12", SFC_AC_READ, "--+---"},
    {"read: SE 3 absent = first PIN", false, "8C02 01 13", SFC_AC_READ, "-+---+"},
    {"read: no condition bits", false, "8C02 01 03", SFC_AC_READ, "------"},
    {"delete: b7", false, "8C02 40 10", SFC_AC_DELETE, "-+---+"},
    {"deactivate: b4", false, "8C02 08 10", SFC_AC_DEACTIVATE, "-+---+"},
    {"activate: b5", false, "8C02 10 10", SFC_AC_ACTIVATE, "-+---+"},
    {"terminate: b6", false, "8C02 20 10", SFC_AC_TERMINATE, "-+---+"},
    {"write: b3", false, "8C02 04 10", SFC_AC_WRITE, "-+---+"},
    {"all modes: 7F", false, "8C08 7F 10101010101010", SFC_AC_UPDATE, "-+---+"},
    /* DF access modes: b3 create DF, b2 create EF, b1 delete child */
    {"DF create EF", true, "8C03 06 FF 10", SFC_AC_CREATE_EF, "-+---+"},
    {"DF create DF", true, "8C03 06 FF 10", SFC_AC_CREATE_DF, "------"},
    /* malformed compact attributes deny */
    {"too few SC bytes", false, "8C02 03 00", SFC_AC_READ, "------"},
    {"too many SC bytes", false, "8C04 01 00 00 00", SFC_AC_READ, "------"},
    {"AM with b8", false, "8C02 81 00", SFC_AC_READ, "------"},
    {"empty 8C", false, "8C00", SFC_AC_READ, "------"},
    /* expanded format */
    {"AB: read always", false, "AB05 8001 01 9000", SFC_AC_READ, "++++++"},
    {"AB: read never", false, "AB05 8001 01 9700", SFC_AC_READ, "------"},
    {"AB: read SC byte PIN", false, "AB06 8001 01 9E0110", SFC_AC_READ, "-+---+"},
    {"AB: read PIN 2 by AT", false, "AB08 8001 01 A403 830102", SFC_AC_READ, "--+---"},
    {"AB: read PIN by usage", false, "AB08 8001 01 A403 950108", SFC_AC_READ, "-+---+"},
    {"AB: SM template", false, "AB05 8001 01 B400", SFC_AC_READ, "---+-+"},
    {"AB: alternatives", false, "AB0A 8001 01 A403 830102 B400", SFC_AC_READ, "--++-+"},
    {"AB: AND template", false, "AB0C 8001 01 AF07 A403 830101 B400", SFC_AC_READ, "-----+"},
    {"AB: OR template", false, "AB0C 8001 01 A007 A403 830102 B400", SFC_AC_READ, "--++-+"},
    {"AB: by INS B0", false, "AB06 8401 B0 9E0110", SFC_AC_READ, "-+---+"},
    {"AB: INS D6 not read", false, "AB06 8401 D6 9E0110", SFC_AC_READ, "++++++"},
    {"AB: INS D6 update", false, "AB06 8401 D6 9E0110", SFC_AC_UPDATE, "-+---+"},
    {"AB: two pairs", false, "AB0A 8001 01 9000 8001 02 9700", SFC_AC_UPDATE, "------"},
    {"AB: malformed", false, "AB04 8001 01 9E", SFC_AC_READ, "------"},
    {"A1 like AB", false, "A106 8001 01 9E0110", SFC_AC_READ, "-+---+"},
    /* combined formats: both must allow */
    {"8C and AB", false, "8C02 01 00 AB06 8001 01 9E0110", SFC_AC_READ, "-+---+"},
    /* proprietary 86 defines nothing; 8B (EF.ARR) denies */
    {"86 proprietary", false, "8603 010203", SFC_AC_READ, "++++++"},
    {"8B unsupported", false, "8B03 2F0601", SFC_AC_READ, "------"},
};

static sfc_file *make_file(const rule_case *c)
{
    sfc_file *f = c->df ? fs_df_new(0x4000, NULL, 0)
                       : fs_ef_binary_new(0x4001, 4, 0);
    assert_non_null(f);
    uint8_t attr[64];
    size_t n = tu_hex(c->attr, attr, sizeof(attr));
    if (n) {
        f->sec_attr = malloc(n);
        assert_non_null(f->sec_attr);
        memcpy(f->sec_attr, attr, n);
        f->sec_attr_len = n;
    }
    return f;
}

static void test_rule_matrix(void **state)
{
    (void)state;
    static const sfc_param p[] = {{"secret", "00112233445566778899AABBCCDDEEFF"}};
    sfc_card_options o = {.params = p, .n_params = 1};
    sfc_card *card = ct_card_ex("iso7816", &o);
    /* a second PIN (ref 02) and SE 2 whose AT names it */
    card->pins[1] = card->pins[0];
    card->pins[1].ref = 0x02;
    card->n_pins = 2;
    card->stored_se_set[2] = true;
    card->stored_se[2].at = (sfc_crt){.set = true, .has_key = true,
                                     .key_ref = 0x02, .key_id = {0x02},
                                     .key_id_len = 1};
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        const rule_case *c = &cases[i];
        sfc_file *f = make_file(c);
        assert_int_equal(fs_link(card->mf, f), 0x9000);
        for (int st = 0; st < N_STATES; st++) {
            set_state(card, st);
            uint16_t want = c->want[st] == '+' ? 0x9000 : 0x6982;
            uint16_t got = sfc_access(card, f, c->op);
            if (got != want)
                fail_msg("%s, state %s: %04X, expected %04X", c->name,
                         state_name[st], got, want);
        }
        fs_unlink(f);
        fs_free(f);
    }
    sfc_card_free(card);
}

static void test_lifecycle_and_attributes(void **state)
{
    (void)state;
    sfc_card *card = ct_card("iso7816");
    sfc_file *df = fs_df_new(0x4000, NULL, 0);
    sfc_file *ef = fs_ef_binary_new(0x4001, 4, 0);
    assert_int_equal(fs_link(card->mf, df), 0x9000);
    assert_int_equal(fs_link(df, ef), 0x9000);
    uint8_t never_read[] = {0x8C, 0x02, 0x01, 0xFF};
    ef->sec_attr = malloc(sizeof(never_read));
    memcpy(ef->sec_attr, never_read, sizeof(never_read));
    ef->sec_attr_len = sizeof(never_read);
    set_state(card, ST_NONE);
    assert_int_equal(sfc_access(card, ef, SFC_AC_READ), 0x6982);
    ef->lcs = LCS_CREATION;                     /* attributes do not apply yet */
    assert_int_equal(sfc_access(card, ef, SFC_AC_READ), 0x9000);
    ef->lcs = LCS_INITIALISATION;
    assert_int_equal(sfc_access(card, ef, SFC_AC_READ), 0x9000);
    ef->lcs = LCS_ACTIVATED;
    df->lcs = LCS_DEACTIVATED;                  /* life cycle first: 6985 */
    assert_int_equal(sfc_access(card, ef, SFC_AC_READ), 0x6985);
    assert_int_equal(sfc_access(card, ef, SFC_AC_DELETE), 0x9000);
    df->lcs = LCS_TERMINATED;
    assert_int_equal(sfc_access(card, ef, SFC_AC_ACTIVATE), 0x6985);
    df->lcs = LCS_ACTIVATED;
    /* deleting needs the parent's "delete child" too */
    uint8_t no_delete_child[] = {0x8C, 0x02, 0x01, 0x10};
    df->sec_attr = malloc(sizeof(no_delete_child));
    memcpy(df->sec_attr, no_delete_child, sizeof(no_delete_child));
    df->sec_attr_len = sizeof(no_delete_child);
    assert_int_equal(sfc_access(card, ef, SFC_AC_DELETE), 0x6982);
    set_state(card, ST_PIN);
    assert_int_equal(sfc_access(card, ef, SFC_AC_DELETE), 0x9000);
    assert_int_equal(sfc_access(card, NULL, SFC_AC_READ), 0x6A82);
    sfc_card_free(card);
}

static void test_key_conditions(void **state)
{
    (void)state;
    sfc_card *card = ct_card("iso7816");
    sfc_key k = {.ref = 1, .kind = SFC_KEY_AES, .use_sc = 0x10};
    set_state(card, ST_NONE);
    assert_int_equal(sfc_access_key(card, &k), 0x6982);
    set_state(card, ST_PIN);
    assert_int_equal(sfc_access_key(card, &k), 0x9000);
    k.use_sc = 0x00;
    set_state(card, ST_NONE);
    assert_int_equal(sfc_access_key(card, &k), 0x9000);
    k.use_sc = 0xFF;
    set_state(card, ST_PIN_SM);
    assert_int_equal(sfc_access_key(card, &k), 0x6982);
    assert_int_equal(sfc_access_key(card, NULL), 0x6A88);
    assert_int_equal(sfc_access_condition(card, 0x40), 0x9000);
    sfc_card_free(card);
}

/* The default card's EF 0101: unreadable before VERIFY, readable after,
 * and again unreadable after a reset. */
static void test_default_protected_ef(void **state)
{
    (void)state;
    sfc_card *card = ct_card("iso7816");
    static const ct_step steps[] = {
        {"00A40004 02 0101 00",
         "6220 83020101 8A0105 880108 80020022 81020022 82020101"
         " 8C087F10101010101010 9000"},
        {"00B0000000", "6982"},
        {"00D6000001 41", "6982"},
        {"00E4000002 0101", "6982"},
        {"00B0810000", "6982"},                   /* by SFI too */
        {"0020000104 39393939", "63C2"},
        {"00B0000000", "6982"},
        {"0020000104 31323334", "9000"},
        {"00B0000000",
         "546869732066696C652069732070726F7465637465642062792074686520"
         "50494E2E 9000"},                        /* "This file is protected..." */
        {"0020FF01", "9000"},                     /* forget the PIN */
        {"00B0000000", "6982"},
    };
    CT_RUN(card, steps);
    ct_expect(card, "0020000104 31323334", "9000");
    sfc_card_power(card, SFC_RESET);
    ct_expect(card, "00A4000C 02 0101", "9000");
    ct_expect(card, "00B0000000", "6982");
    sfc_card_free(card);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_rule_matrix),
        cmocka_unit_test(test_lifecycle_and_attributes),
        cmocka_unit_test(test_key_conditions),
        cmocka_unit_test(test_default_protected_ef),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
