/* SPDX-License-Identifier: LGPL-2.1-or-later */
/**
 * @file test_app_security.c
 * @brief Security state scoped to applications: PINs card-wide or per
 *        application, PIN states, the PIN interface of card types, and
 *        rights granted by protocols (card and application scope, cleared
 *        on deselect, reset, power-off and, if asked, at the end of secure
 *        messaging), tested by an access hook.
 *
 * Links sfc_os only: the card type is this file's own. The card:
 *   MF 3F00
 *    +- DF 1000 named A0 00 00 03 08 00 00 10 00 01 00: app A
 *    |   +- EF 1005 "SECRET": A's access hook allows READ only with
 *    |      RIGHT_READ, granted by A's "authenticate" instruction F1
 *    +- DF 2000 named D2 76 00 01 24 01: app B
 * PINs: 01 card-wide "1234"; 81 of A "111111"; 81 of B "222222"; three
 * tries each. Both applications fall through to the ISO command set.
 * App A also has F2, which starts secure messaging and grants rights with
 * and without SFC_RIGHT_UNTIL_SM_END.
 */
#include "cardtest.h"

#include "os/card.h"

#define AID_A "A0000003080000100001 00"
#define AID_B "D27600012401"
#define SEL_A "00A4040C0B " AID_A
#define SEL_B "00A4040C06 " AID_B
#define SEL_MF "00A4000C02 3F00"
#define PIN_A "313131313131"
#define PIN_B "323232323232"

#define RIGHT_READ 0x01u
#define RIGHT_CARD_SM 0x10u  /* card-wide, until SM ends */
#define RIGHT_CARD 0x20u     /* card-wide */
#define RIGHT_APP_SM 0x40u   /* A's, until SM ends */
#define RIGHT_APP 0x80u      /* A's */

static const uint8_t aid_a[] = {0xA0, 0x00, 0x00, 0x03, 0x08, 0x00,
                                0x00, 0x10, 0x00, 0x01, 0x00};
static const uint8_t aid_b[] = {0xD2, 0x76, 0x00, 0x01, 0x24, 0x01};

/* What A's deselect hook saw. */
static int deselected_a;
static bool pin_verified_at_deselect, right_at_deselect;

/* ---- A's instructions and hooks -------------------------------------------- */

static uint16_t a_name(sfc_card *card, const sfc_cmd *cmd, sfc_resp *resp)
{
    (void)card;
    (void)cmd;
    return sfc_resp_put(resp, "APPA", 4) ? SW_OK : SW_UNKNOWN;
}

/* "Authenticate": data OPEN grants READ to the current application. */
static uint16_t a_authenticate(sfc_card *card, const sfc_cmd *cmd,
                               sfc_resp *resp)
{
    (void)resp;
    if (cmd->nc != 4 || memcmp(cmd->data, "OPEN", 4) != 0)
        return SW_WARN_CHANGED;
    sfc_right_grant(card, sfc_app_current(card, cmd), RIGHT_READ, 0);
    return SW_OK;
}

/* Start secure messaging, as a protocol such as PACE would, and grant. */
static uint16_t a_start_sm(sfc_card *card, const sfc_cmd *cmd, sfc_resp *resp)
{
    (void)resp;
    static const uint8_t kenc[16] = {1, 2, 3, 4, 5, 6, 7, 8,
                                     9, 10, 11, 12, 13, 14, 15, 16};
    static const uint8_t kmac[16] = {16, 15, 14, 13, 12, 11, 10, 9,
                                     8, 7, 6, 5, 4, 3, 2, 1};
    if (sfc_sm_start(card, SFC_SM_3DES_RETAIL, kenc, 16, kmac, 16, NULL, 0) !=
        SFC_OK)
        return SW_UNKNOWN;
    sfc_app *app = sfc_app_current(card, cmd);
    sfc_right_grant(card, NULL, RIGHT_CARD_SM, SFC_RIGHT_UNTIL_SM_END);
    sfc_right_grant(card, NULL, RIGHT_CARD, 0);
    sfc_right_grant(card, app, RIGHT_APP_SM, SFC_RIGHT_UNTIL_SM_END);
    sfc_right_grant(card, app, RIGHT_APP, 0);
    return SW_OK;
}

static void a_deselect(sfc_card *card, sfc_app *app)
{
    deselected_a++;
    pin_verified_at_deselect = sfc_pin_verified(card, app, 0x81);
    right_at_deselect = sfc_right_has(card, app, RIGHT_READ) ||
                        sfc_right_has(card, app, RIGHT_APP);
}

static uint16_t a_access(const sfc_card *card, const sfc_app *app,
                         const sfc_file *file, sfc_access_op op)
{
    (void)file;
    if (op != SFC_AC_READ)
        return SFC_ACCESS_BY_RULES;
    return sfc_right_has(card, app, RIGHT_READ) ? SW_OK : SW_SECURITY_STATUS;
}

static const sfc_ins_def a_ins[] = {
    {0xFD, a_name, 0, "NAME"},
    {0xF1, a_authenticate, SFC_INS_SECRET_DATA, "AUTHENTICATE"},
    {0xF2, a_start_sm, 0, "START SM"},
};

static const sfc_app_def app_a = {
    .name = "A",
    .aid = aid_a,
    .aid_len = sizeof(aid_a),
    .ins = a_ins,
    .n_ins = sizeof(a_ins) / sizeof(a_ins[0]),
    .flags = SFC_APP_ISO_FALLBACK,
    .deselect = a_deselect,
    .access = a_access,
};

static const sfc_app_def app_b = {
    .name = "B",
    .aid = aid_b,
    .aid_len = sizeof(aid_b),
    .flags = SFC_APP_ISO_FALLBACK,
};

/* ---- the card type ---------------------------------------------------------- */

static sfc_err sec_create(sfc_card *card, const sfc_card_options *opts,
                          char *err, size_t errlen)
{
    (void)opts;
    sfc_file *mf = sfc_card_mf(card), *a = NULL;
    sfc_err rv = sfc_df_add(card, mf, 0x1000, aid_a, sizeof(aid_a), &a);
    if (rv == SFC_OK)
        rv = sfc_ef_add(card, a, 0x1005, 0, (const uint8_t *)"SECRET", 6,
                        NULL);
    if (rv == SFC_OK)
        rv = sfc_df_add(card, mf, 0x2000, aid_b, sizeof(aid_b), NULL);
    const sfc_pin_spec card_pin = {.ref = 0x01, .value = "1234", .min_len = 4,
                                   .max_len = 8, .tries = 3};
    const sfc_pin_spec pin_a = {.ref = 0x81, .value = "111111", .min_len = 6,
                                .max_len = 8, .tries = 3};
    const sfc_pin_spec pin_b = {.ref = 0x81, .value = "222222", .min_len = 6,
                                .max_len = 8, .tries = 3};
    if (rv == SFC_OK)
        rv = sfc_pin_add(card, NULL, &card_pin, err, errlen);
    if (rv == SFC_OK)
        rv = sfc_pin_add(card, &app_a, &pin_a, err, errlen);
    if (rv == SFC_OK)
        rv = sfc_pin_add(card, &app_b, &pin_b, err, errlen);
    return rv;
}

static sfc_err sec_attach(sfc_card *card, const sfc_card_options *opts,
                          char *err, size_t errlen)
{
    (void)opts;
    sfc_err rv = sfc_app_attach(card, &app_a, NULL, err, errlen);
    if (rv == SFC_OK)
        rv = sfc_app_attach(card, &app_b, NULL, err, errlen);
    return rv;
}

static const sfc_card_type sec_type = {
    .abi = SFC_CARD_TYPE_ABI,
    .name = "scoped-security",
    .create = sec_create,
    .attach = sec_attach,
};

static int setup(void **state)
{
    sfc_card *card = NULL;
    char err[256] = "";
    deselected_a = 0;
    pin_verified_at_deselect = right_at_deselect = true;
    if (sfc_card_create(&sec_type, NULL, &card, err, sizeof(err)) != SFC_OK)
        fail_msg("sfc_card_create: %s", err);
    sfc_card_power(card, SFC_POWER_ON);
    *state = card;
    return 0;
}


/* ---- scoped PINs over APDUs --------------------------------------------------- */

static void test_verify_in_each_app(void **state)
{
    static const ct_step steps[] = {
        {SEL_A, "9000"},
        {"0020008106 " PIN_A, "9000"},           /* A's 81 */
        {"00200081", "9000"},
        {SEL_B, "9000"},
        {"00200081", "63C3"},                    /* B's 81: another PIN */
        {"0020008106 " PIN_A, "63C2"},           /* A's value is wrong here */
        {"0020008106 " PIN_B, "9000"},
        {"00200081", "9000"},
        {SEL_A, "9000"},
        {"00200081", "63C3"},                    /* A's: lost, counter full */
        {"0020008106 " PIN_B, "63C2"},
        {"0020008106 " PIN_A, "9000"},
    };
    CT_RUN(*state, steps);
}

static void test_verify_outside_apps(void **state)
{
    static const ct_step steps[] = {
        {"0020008106 " PIN_A, "6A88"},           /* no application current */
        {"00200081", "6A88"},
        {"0020008106 " PIN_B, "6A88"},
        {"0020000104 31323334", "9000"},         /* the card's PIN */
        {SEL_A, "9000"},
        {"00200001", "9000"},                    /* seen from A too */
        {SEL_B, "9000"},
        {"00200001", "9000"},                    /* kept on deselect */
        {SEL_MF, "9000"},
        {"00200001", "9000"},
        {"0020FF01", "9000"},
        {SEL_A, "9000"},
        {"0020000104 31323335", "63C2"},         /* from A: the card's PIN */
        {"0020000104 31323334", "9000"},
        {SEL_MF, "9000"},
        {"00200001", "9000"},
    };
    CT_RUN(*state, steps);
}

static void test_app_pin_lost_on_deselect(void **state)
{
    sfc_card *card = *state;
    static const ct_step steps[] = {
        {SEL_A, "9000"},
        {"0020008106 " PIN_A, "9000"},
        {"00200081", "9000"},
        {SEL_MF, "9000"},
        {SEL_A, "9000"},
        {"00200081", "63C3"},
    };
    CT_RUN(card, steps);
    assert_int_equal(deselected_a, 1);
    assert_false(pin_verified_at_deselect); /* cleared before the hook */
}

static void test_app_pin_kept_on_other_channel(void **state)
{
    sfc_card *card = *state;
    static const ct_step steps[] = {
        {SEL_A, "9000"},
        {"0020008106 " PIN_A, "9000"},
        {"0070000001", "01 9000"},
        {"01A4040C0B " AID_A, "9000"},
        {"01200081", "9000"},                    /* the same verification */
        {SEL_MF, "9000"},                        /* A stays current on 1 */
        {"01200081", "9000"},
        {SEL_A, "9000"},
        {"00200081", "9000"},
        {"01A4000C02 3F00", "9000"},
        {"00200081", "9000"},
        {SEL_B, "9000"},                         /* A current nowhere */
        {SEL_A, "9000"},
        {"00200081", "63C3"},
    };
    CT_RUN(card, steps);
    assert_int_equal(deselected_a, 1);
}

/* The verification of A's PIN goes when A goes, also when its channel is
 * closed. */
static void test_app_pin_lost_on_channel_close(void **state)
{
    static const ct_step steps[] = {
        {"0070000001", "01 9000"},
        {"01A4040C0B " AID_A, "9000"},
        {"0120008106 " PIN_A, "9000"},
        {"0070800100", "9000"},
        {SEL_A, "9000"},
        {"00200081", "63C3"},
    };
    CT_RUN(*state, steps);
}

/* A's DF deleted from channel 0 while A is current on channel 1 only: A
 * is current nowhere any more, so the verification of its PIN and its
 * rights go (as on any other way of leaving it). */
static void test_app_status_cleared_when_df_deleted(void **state)
{
    sfc_card *card = *state;
    sfc_app *a = ct_app(card, &app_a);
    static const ct_step steps[] = {
        {"0070000001", "01 9000"},
        {"01A4040C0B " AID_A, "9000"},
        {"0120008106 " PIN_A, "9000"},
        {"01F1000004 4F50454E", "9000"},
    };
    CT_RUN(card, steps);
    assert_true(sfc_pin_verified(card, a, 0x81));
    assert_true(sfc_right_has(card, a, RIGHT_READ));
    ct_expect(card, "00E4000002 1000", "9000");
    ct_expect(card, "01200081", "6A88");         /* the MF on channel 1 */
    assert_null(sfc_app_df(a));
    assert_false(sfc_pin_verified(card, a, 0x81));
    assert_false(sfc_right_has(card, a, RIGHT_READ));
    assert_int_equal(deselected_a, 1);
}

static void test_pin_states(void **state)
{
    sfc_card *card = *state;
    sfc_app *a = ct_app(card, &app_a);
    assert_int_equal(sfc_pin_get_state(card, a, 0x81), SFC_PIN_ACTIVE);
    ct_expect(card, SEL_A, "9000");
    ct_expect(card, "0020008106 " PIN_A, "9000");
    assert_int_equal(sfc_pin_set_state(card, a, 0x81, SFC_PIN_SUSPENDED),
                     SFC_OK);
    assert_int_equal(sfc_pin_get_state(card, a, 0x81), SFC_PIN_SUSPENDED);
    assert_false(sfc_pin_verified(card, a, 0x81)); /* no longer verified */
    static const ct_step suspended[] = {
        {"0020008106 " PIN_A, "6985"},
        {"0020008106 " PIN_B, "6985"},           /* no try used */
        {"0020008106 " PIN_B, "6985"},
        {"0020008106 " PIN_B, "6985"},
    };
    CT_RUN(card, suspended);
    assert_int_equal(sfc_pin_tries_left(card, a, 0x81), 3);
    assert_int_equal(sfc_pin_set_state(card, a, 0x81, SFC_PIN_DEACTIVATED),
                     SFC_OK);
    static const ct_step deactivated[] = {
        {"0020008106 " PIN_A, "6984"},
        {"0020008106 " PIN_B, "6984"},
        {"0020008106 " PIN_B, "6984"},
        {"0020008106 " PIN_B, "6984"},
    };
    CT_RUN(card, deactivated);
    assert_int_equal(sfc_pin_tries_left(card, a, 0x81), 3);
    /* B's PIN 81 and the card's are not affected */
    assert_int_equal(sfc_pin_get_state(card, ct_app(card, &app_b), 0x81),
                     SFC_PIN_ACTIVE);
    assert_int_equal(sfc_pin_get_state(card, NULL, 0x01), SFC_PIN_ACTIVE);
    ct_expect(card, "0020000104 31323334", "9000");
    assert_int_equal(sfc_pin_set_state(card, a, 0x81, SFC_PIN_ACTIVE), SFC_OK);
    ct_expect(card, "0020008106 " PIN_B, "63C2");
    ct_expect(card, "0020008106 " PIN_A, "9000");
    ct_expect(card, "00200081", "9000");
    /* errors */
    assert_int_equal(sfc_pin_set_state(card, a, 0x99, SFC_PIN_SUSPENDED),
                     SFC_E_NOT_FOUND);
    assert_int_equal(sfc_pin_set_state(card, NULL, 0x81, SFC_PIN_SUSPENDED),
                     SFC_E_NOT_FOUND);
    assert_int_equal(sfc_pin_set_state(card, a, 0x81, (sfc_pin_state)7),
                     SFC_E_INVAL);
    assert_int_equal(sfc_pin_get_state(card, a, 0x81), SFC_PIN_ACTIVE);
}

static void test_pin_blocked(void **state)
{
    sfc_card *card = *state;
    static const ct_step steps[] = {
        {SEL_B, "9000"},
        {"0020008106 " PIN_A, "63C2"},
        {"0020008106 " PIN_A, "63C1"},
        {"0020008106 " PIN_A, "63C0"},
        {"0020008106 " PIN_B, "6983"},           /* blocked: right value too */
        {"00200081", "6983"},
        {SEL_A, "9000"},
        {"00200081", "63C3"},                    /* A's PIN is another one */
        {"0020008106 " PIN_A, "9000"},
        {SEL_B, "9000"},
        {"0020008106 " PIN_B, "6983"},
    };
    CT_RUN(card, steps);
    assert_int_equal(sfc_pin_tries_left(card, ct_app(card, &app_b), 0x81), 0);
    assert_int_equal(sfc_pin_tries_left(card, ct_app(card, &app_a), 0x81), 3);
    assert_int_equal(sfc_pin_verify(card, ct_app(card, &app_b), 0x81,
                                    (const uint8_t *)"222222", 6), 0x6983);
}

/* ---- the PIN interface of card types ---------------------------------------- */

static void test_pin_api(void **state)
{
    sfc_card *card = *state;
    sfc_app *a = ct_app(card, &app_a), *b = ct_app(card, &app_b);
    const uint8_t *va = (const uint8_t *)"111111";
    assert_int_equal(sfc_pin_tries_left(card, a, 0x81), 3);
    assert_int_equal(sfc_pin_tries_left(card, NULL, 0x81), -1);
    assert_int_equal(sfc_pin_tries_left(card, a, 0x01), 3); /* the card's */
    assert_int_equal(sfc_pin_verify(card, NULL, 0x81, va, 6), 0x6A88);
    assert_int_equal(sfc_pin_verify(card, a, 0x99, va, 6), 0x6A88);
    assert_int_equal(sfc_pin_verify(card, a, 0x81, va, 6), 0x9000);
    assert_true(sfc_pin_verified(card, a, 0x81));
    assert_false(sfc_pin_verified(card, b, 0x81));
    assert_false(sfc_pin_verified(card, NULL, 0x81));
    assert_int_equal(sfc_pin_verify(card, b, 0x81, va, 6), 0x63C2);
    assert_int_equal(sfc_pin_tries_left(card, b, 0x81), 2);
    assert_int_equal(sfc_pin_tries_left(card, a, 0x81), 3);
    assert_true(sfc_pin_verified(card, a, 0x81));
    /* the verification is the one VERIFY sees */
    ct_expect(card, SEL_A, "9000");
    ct_expect(card, "00200081", "9000");
    sfc_pin_unverify(card, a, 0x81);
    assert_false(sfc_pin_verified(card, a, 0x81));
    ct_expect(card, "00200081", "63C3");
    /* padding with FF and 00 is ignored */
    static const uint8_t padded[] = {'2', '2', '2', '2', '2', '2', 0xFF, 0x00};
    assert_int_equal(sfc_pin_verify(card, b, 0x81, padded, sizeof(padded)),
                     0x9000);
    assert_int_equal(sfc_pin_tries_left(card, b, 0x81), 3);
    assert_true(sfc_pin_verified(card, b, 0x81));
    /* a card-wide PIN through an application, and without */
    assert_int_equal(sfc_pin_verify(card, a, 0x01, (const uint8_t *)"1234", 4),
                     0x9000);
    assert_true(sfc_pin_verified(card, NULL, 0x01));
    assert_true(sfc_pin_verified(card, b, 0x01));
    sfc_pin_unverify(card, NULL, 0x01);
    assert_false(sfc_pin_verified(card, a, 0x01));
    /* a wrong value forgets an earlier verification */
    assert_int_equal(sfc_pin_verify(card, b, 0x81, va, 6), 0x63C2);
    assert_false(sfc_pin_verified(card, b, 0x81));
    /* reset: no verification survives */
    assert_int_equal(sfc_pin_verify(card, a, 0x81, va, 6), 0x9000);
    sfc_card_power(card, SFC_RESET);
    assert_false(sfc_pin_verified(card, a, 0x81));
    assert_int_equal(sfc_pin_tries_left(card, b, 0x81), 2); /* counters do */
}

/* A reference is unique within its scope: a second PIN 81 of A is
 * refused (card images refuse it too, so a card holding one would save an
 * image that never loads), while 81 card-wide next to A's and B's is
 * fine. */
static void test_pin_add_unique_in_scope(void **state)
{
    sfc_card *card = *state;
    char err[200] = "";
    const sfc_pin_spec again = {.ref = 0x81, .value = "333333", .min_len = 6,
                                .max_len = 8, .tries = 3};
    const sfc_pin_spec wide = {.ref = 0x01, .value = "4444", .min_len = 4,
                               .max_len = 8, .tries = 3};
    size_t n = card->n_pins;
    assert_int_not_equal(sfc_pin_add(card, &app_a, &again, err, sizeof(err)),
                         SFC_OK);
    assert_int_not_equal(sfc_pin_add(card, NULL, &wide, err, sizeof(err)),
                         SFC_OK);
    assert_int_equal(card->n_pins, n);
    assert_int_equal(sfc_pin_add(card, NULL, &again, err, sizeof(err)),
                     SFC_OK);
    assert_int_equal(card->n_pins, n + 1);
    /* seen from the MF, 81 is the card-wide one now; from A, A's */
    ct_expect(card, "0020008106 333333333333", "9000");
    ct_expect(card, SEL_A, "9000");
    ct_expect(card, "0020008106 333333333333", "63C2");
    ct_expect(card, "0020008106 " PIN_A, "9000");
}

/* ---- rights ----------------------------------------------------------------- */

static void test_rights_api(void **state)
{
    sfc_card *card = *state;
    sfc_app *a = ct_app(card, &app_a), *b = ct_app(card, &app_b);
    assert_false(sfc_right_has(card, NULL, 0x01));
    sfc_right_grant(card, NULL, 0x01 | 0x04, 0);
    assert_true(sfc_right_has(card, NULL, 0x01));
    assert_true(sfc_right_has(card, NULL, 0x05));
    assert_false(sfc_right_has(card, NULL, 0x03)); /* every bit needed */
    assert_false(sfc_right_has(card, a, 0x01));    /* scopes are apart */
    sfc_right_grant(card, a, 0x02, 0);
    assert_true(sfc_right_has(card, a, 0x02));
    assert_false(sfc_right_has(card, b, 0x02));
    assert_false(sfc_right_has(card, NULL, 0x02));
    sfc_right_revoke(card, NULL, 0x01);
    assert_false(sfc_right_has(card, NULL, 0x01));
    assert_true(sfc_right_has(card, NULL, 0x04));
    assert_true(sfc_right_has(card, a, 0x02));
    sfc_right_revoke(card, a, 0x02);
    assert_false(sfc_right_has(card, a, 0x02));
    assert_true(sfc_right_has(card, NULL, 0x04));
    assert_true(sfc_right_has(card, a, 0)); /* nothing asked: granted */
}

static void test_rights_cleared_on_deselect(void **state)
{
    sfc_card *card = *state;
    sfc_app *a = ct_app(card, &app_a);
    ct_expect(card, SEL_A, "9000");
    sfc_right_grant(card, a, RIGHT_APP, 0);
    sfc_right_grant(card, NULL, RIGHT_CARD, 0);
    ct_expect(card, "00FD000000", "41505041 9000");
    assert_true(sfc_right_has(card, a, RIGHT_APP));
    ct_expect(card, SEL_MF, "9000");
    assert_false(sfc_right_has(card, a, RIGHT_APP));
    assert_true(sfc_right_has(card, NULL, RIGHT_CARD)); /* card-wide stays */
    assert_int_equal(deselected_a, 1);
    assert_false(right_at_deselect);
}

static void test_rights_cleared_at_reset_and_power_off(void **state)
{
    sfc_card *card = *state;
    sfc_app *a = ct_app(card, &app_a);
    static const sfc_power_event events[] = {SFC_RESET, SFC_POWER_OFF};
    for (size_t i = 0; i < 2; i++) {
        ct_expect(card, SEL_A, "9000");
        sfc_right_grant(card, a, RIGHT_APP, 0);
        sfc_right_grant(card, NULL, RIGHT_CARD, 0);
        sfc_right_grant(card, a, RIGHT_APP_SM, SFC_RIGHT_UNTIL_SM_END);
        sfc_card_power(card, events[i]);
        assert_false(sfc_right_has(card, a, RIGHT_APP));
        assert_false(sfc_right_has(card, a, RIGHT_APP_SM));
        assert_false(sfc_right_has(card, NULL, RIGHT_CARD));
        sfc_card_power(card, SFC_POWER_ON);
    }
}

/* SM started directly; the next plain command ends it (ICAO 9303-11). */
static void test_rights_until_sm_end(void **state)
{
    sfc_card *card = *state;
    sfc_app *a = ct_app(card, &app_a);
    static const uint8_t k[16] = {0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77,
                                  0x88, 0x99, 0xAA, 0xBB, 0xCC, 0xDD, 0xEE,
                                  0xFF, 0x00};
    ct_expect(card, SEL_A, "9000");
    assert_int_equal(sfc_sm_start(card, SFC_SM_3DES_RETAIL, k, 16, k, 16,
                                  NULL, 0), SFC_OK);
    sfc_right_grant(card, NULL, RIGHT_CARD_SM, SFC_RIGHT_UNTIL_SM_END);
    sfc_right_grant(card, NULL, RIGHT_CARD, 0);
    sfc_right_grant(card, a, RIGHT_APP_SM, SFC_RIGHT_UNTIL_SM_END);
    sfc_right_grant(card, a, RIGHT_APP, 0);
    assert_true(sfc_right_has(card, NULL, RIGHT_CARD_SM | RIGHT_CARD));
    assert_true(sfc_right_has(card, a, RIGHT_APP_SM | RIGHT_APP));
    ct_expect(card, "00FD000000", "41505041 9000"); /* plain: SM ends */
    assert_false(sfc_right_has(card, NULL, RIGHT_CARD_SM));
    assert_true(sfc_right_has(card, NULL, RIGHT_CARD));
    assert_false(sfc_right_has(card, a, RIGHT_APP_SM));
    assert_true(sfc_right_has(card, a, RIGHT_APP));
    /* a protected command now: no session (6988) */
    ct_expect(card, "0CFD000000", "6988");
    assert_true(sfc_right_has(card, a, RIGHT_APP));
}

/* The same, with SM started by a handler of the application. */
static void test_rights_until_sm_end_from_handler(void **state)
{
    sfc_card *card = *state;
    sfc_app *a = ct_app(card, &app_a);
    ct_expect(card, SEL_A, "9000");
    ct_expect(card, "00F20000", "9000");
    assert_true(sfc_right_has(card, NULL, RIGHT_CARD_SM | RIGHT_CARD));
    assert_true(sfc_right_has(card, a, RIGHT_APP_SM | RIGHT_APP));
    ct_expect(card, "00FD000000", "41505041 9000");
    assert_false(sfc_right_has(card, NULL, RIGHT_CARD_SM));
    assert_true(sfc_right_has(card, NULL, RIGHT_CARD));
    assert_false(sfc_right_has(card, a, RIGHT_APP_SM));
    assert_true(sfc_right_has(card, a, RIGHT_APP));
    /* a right revoked by hand is gone from both sets: granting it again
     * without the flag makes it survive the end of the next session */
    ct_expect(card, "00F20000", "9000");
    sfc_right_revoke(card, a, RIGHT_APP_SM);
    sfc_right_grant(card, a, RIGHT_APP_SM, 0);
    ct_expect(card, "00FD000000", "41505041 9000");
    assert_true(sfc_right_has(card, a, RIGHT_APP_SM));
}

/* An access hook that allows READ only with a right set by a proprietary
 * "authenticate" instruction. */
static void test_access_hook_with_right(void **state)
{
    sfc_card *card = *state;
    static const ct_step steps[] = {
        {SEL_A, "9000"},
        {"00A4020C02 1005", "9000"},
        {"00B0000006", "6982"},
        {"00F1000004 434C4F53", "6300"},         /* "CLOS": no */
        {"00B0000006", "6982"},
        {"00F1000004 4F50454E", "9000"},         /* "OPEN" */
        {"00B0000006", "534543524554 9000"},
        {"00B0000006", "534543524554 9000"},
        {SEL_MF, "9000"},                        /* deselect: right gone */
        {SEL_A, "9000"},
        {"00A4020C02 1005", "9000"},
        {"00B0000006", "6982"},
        {"00F1000004 4F50454E", "9000"},
        {"00B0000006", "534543524554 9000"},
    };
    CT_RUN(card, steps);
    sfc_card_power(card, SFC_RESET);
    static const ct_step after_reset[] = {
        {SEL_A, "9000"},
        {"00A4020C02 1005", "9000"},
        {"00B0000006", "6982"},
    };
    CT_RUN(card, after_reset);
}

/* The card secret (INTERNAL/EXTERNAL AUTHENTICATE, key 0): random on a
 * fresh card whose type sets none, and settable through the interface. */
static void test_card_secret(void **state)
{
    sfc_card *card = *state;
    static const uint8_t zero[SFC_SECRET_LEN];
    assert_memory_not_equal(card->secret, zero, SFC_SECRET_LEN);
    uint8_t key[SFC_SECRET_LEN];
    for (size_t i = 0; i < sizeof(key); i++)
        key[i] = (uint8_t)(0xA0 + i);
    assert_int_equal(sfc_card_set_secret(card, key, 15), SFC_E_RANGE);
    assert_int_equal(sfc_card_set_secret(card, key, sizeof(key)), SFC_OK);
    assert_memory_equal(card->secret, key, sizeof(key));
}

int main(void)
{
#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, ct_teardown)
    const struct CMUnitTest tests[] = {
        T(test_verify_in_each_app),
        T(test_verify_outside_apps),
        T(test_app_pin_lost_on_deselect),
        T(test_app_pin_kept_on_other_channel),
        T(test_app_pin_lost_on_channel_close),
        T(test_app_status_cleared_when_df_deleted),
        T(test_pin_states),
        T(test_pin_blocked),
        T(test_pin_api),
        T(test_pin_add_unique_in_scope),
        T(test_rights_api),
        T(test_rights_cleared_on_deselect),
        T(test_rights_cleared_at_reset_and_power_off),
        T(test_rights_until_sm_end),
        T(test_rights_until_sm_end_from_handler),
        T(test_access_hook_with_right),
        T(test_card_secret),
    };
#undef T
    return cmocka_run_group_tests(tests, NULL, NULL);
}
