/* SPDX-License-Identifier: LGPL-2.1-or-later */
/**
 * @file test_app_routing.c
 * @brief Applications on the card OS: instruction routing per logical
 *        channel, ISO fallback or not, SELECT by (truncated) AID, OpenSC's
 *        probe of unknown AIDs, the select, deselect, access and format
 *        hooks, a default application, application state, a deleted
 *        application DF and the errors of sfc_app_attach().
 *
 * Links sfc_os only (no card-type registry): the card types and
 * applications are this file's own, created with sfc_card_create().
 *
 * The test card ("routing"):
 *   MF 3F00
 *    +- EF 0101 "Hello"
 *    +- DF 1000 named A0 00 00 03 08 00 00 10 00 01 00 ("like PIV"): app A
 *    |   +- EF 1001 "A-RULES-OK"  8C 02 01 00 (read always)  hook: refuse
 *    |   +- EF 1002 "A-HOOK-OK"   8C 02 01 FF (read never)   hook: allow
 *    |   +- EF 1003 "A-DENIED"    8C 02 01 FF (read never)   hook: rules
 *    |   +- EF 1004 "A-OPEN"      no rules                   hook: rules
 *    +- DF 2000 named D2 76 00 01 24 01 ("like OpenPGP"): app B
 *        +- EF 2001 "B-DATA"
 * App A: INS FD (interindustry and proprietary class) answers "APPA", CB
 * answers N bytes (N in its two data bytes; 6A88 otherwise), FE counts in
 * the application state; ISO fallback; a select hook answering an
 * application property template (le mode DIRECT), a deselect hook, an
 * access hook and a format hook (DIRECT and 6A88 -> 6A82 for CB).
 * App B: INS FD answers "APPB", CB as A's; no ISO fallback, no hooks but
 * deselect.
 */
#include "cardtest.h"

#include "os/card.h"
#include "os/fs.h"

#define NAME_A "41505041" /* "APPA" */
#define NAME_B "41505042" /* "APPB" */
#define NAME_C "41505043" /* "APPC" */
#define AID_A "A0000003080000100001 00"
#define AID_B "D27600012401"
/* A's select hook: 61 { 4F PIX, 79 { 4F RID+... } }, as PIV answers */
#define APT_A "6111 4F06000010000100 79074F05A000000308"
/* B has no select hook: the FCI of DF 2000 */
#define FCI_B "6F12 83022000 8A0105 820138 8406D27600012401"

static const uint8_t aid_a[] = {0xA0, 0x00, 0x00, 0x03, 0x08, 0x00,
                                0x00, 0x10, 0x00, 0x01, 0x00};
static const uint8_t aid_b[] = {0xD2, 0x76, 0x00, 0x01, 0x24, 0x01};
static const uint8_t aid_c[] = {0xA0, 0x00, 0x00, 0x00, 0x77, 0x01};

/* ---- what the hooks saw ------------------------------------------------- */

static int deselected_a, deselected_b, deselected_c;
static int selected_a;
static int state_freed;

static void reset_counts(void)
{
    deselected_a = deselected_b = deselected_c = 0;
    selected_a = 0;
    state_freed = 0;
}

/* ---- handlers ------------------------------------------------------------- */

static uint16_t put_text(sfc_resp *resp, const char *s)
{
    return sfc_resp_put(resp, s, strlen(s)) ? SW_OK : SW_UNKNOWN;
}

static uint16_t a_name(sfc_card *card, const sfc_cmd *cmd, sfc_resp *resp)
{
    (void)card;
    (void)cmd;
    return put_text(resp, "APPA");
}

static uint16_t b_name(sfc_card *card, const sfc_cmd *cmd, sfc_resp *resp)
{
    (void)card;
    (void)cmd;
    return put_text(resp, "APPB");
}

static uint16_t c_name(sfc_card *card, const sfc_cmd *cmd, sfc_resp *resp)
{
    (void)card;
    (void)cmd;
    return put_text(resp, "APPC");
}

/* Two data bytes N: N bytes 00 01 02 ...; anything else 6A88. */
static uint16_t get_data(sfc_card *card, const sfc_cmd *cmd, sfc_resp *resp)
{
    (void)card;
    if (cmd->nc != 2)
        return SW_REF_NOT_FOUND;
    size_t n = (size_t)cmd->data[0] << 8 | cmd->data[1];
    for (size_t i = 0; i < n; i++)
        if (!sfc_resp_put_u8(resp, (uint8_t)i))
            return SW_UNKNOWN;
    return SW_OK;
}

typedef struct a_state {
    uint32_t counter;
    uint8_t scratch[60];
} a_state;

static uint16_t a_count(sfc_card *card, const sfc_cmd *cmd, sfc_resp *resp)
{
    a_state *st = sfc_app_state(sfc_app_current(card, cmd));
    if (!st)
        return SW_UNKNOWN;
    st->counter++;
    return sfc_resp_put_u8(resp, (uint8_t)st->counter) ? SW_OK : SW_UNKNOWN;
}

/* ---- hooks ---------------------------------------------------------------- */

static uint16_t a_select(sfc_card *card, sfc_app *app, const sfc_cmd *cmd,
                         sfc_resp *resp)
{
    (void)card;
    (void)app;
    static const uint8_t apt[] = {0x61, 0x11, 0x4F, 0x06, 0x00, 0x00, 0x10,
                                  0x00, 0x01, 0x00, 0x79, 0x07, 0x4F, 0x05,
                                  0xA0, 0x00, 0x00, 0x03, 0x08};
    selected_a++;
    if ((cmd->p2 & 0x0C) == 0x0C)
        return SW_OK; /* no response data asked for */
    sfc_resp_set_le_mode(resp, SFC_LE_DIRECT);
    return sfc_resp_put(resp, apt, sizeof(apt)) ? SW_OK : SW_UNKNOWN;
}

static void a_deselect(sfc_card *card, sfc_app *app)
{
    (void)card;
    (void)app;
    deselected_a++;
}

static void b_deselect(sfc_card *card, sfc_app *app)
{
    (void)card;
    (void)app;
    deselected_b++;
}

static void c_deselect(sfc_card *card, sfc_app *app)
{
    (void)card;
    (void)app;
    deselected_c++;
}

static uint16_t a_access(const sfc_card *card, const sfc_app *app,
                         const sfc_file *file, sfc_access_op op)
{
    (void)card;
    (void)app;
    if (op != SFC_AC_READ)
        return SFC_ACCESS_BY_RULES;
    switch (file->fid) {
    case 0x1001: return SW_SECURITY_STATUS; /* refused whatever the rules */
    case 0x1002: return SW_OK;              /* allowed whatever the rules */
    default: return SFC_ACCESS_BY_RULES;
    }
}

/* PIV style: data of a case-3 GET DATA come with 9000, and a missing data
 * object is 6A82. */
static uint16_t a_format(sfc_card *card, sfc_app *app, const sfc_cmd *cmd,
                         sfc_resp *resp, uint16_t sw)
{
    (void)card;
    (void)app;
    if (cmd->ins != 0xCB)
        return sw;
    sfc_resp_set_le_mode(resp, SFC_LE_DIRECT);
    return sw == SW_REF_NOT_FOUND ? SW_FILE_NOT_FOUND : sw;
}

static void a_state_free(sfc_card *card, sfc_app *app)
{
    (void)card;
    assert_non_null(sfc_app_state(app));
    state_freed++;
}

/* ---- the applications and the card type ---------------------------------- */

static const sfc_ins_def a_ins[] = {
    {0xFD, a_name, 0, "NAME"},
    {0xFD, a_name, SFC_INS_PROPRIETARY, "NAME"},
    {0xCB, get_data, 0, "GET DATA"},
    {0xFE, a_count, 0, "COUNT"},
};

static const sfc_app_def app_a = {
    .name = "A (like PIV)",
    .aid = aid_a,
    .aid_len = sizeof(aid_a),
    .ins = a_ins,
    .n_ins = sizeof(a_ins) / sizeof(a_ins[0]),
    .flags = SFC_APP_ISO_FALLBACK,
    .select = a_select,
    .deselect = a_deselect,
    .access = a_access,
    .format = a_format,
    .state_size = sizeof(a_state),
    .state_free = a_state_free,
};

static const sfc_ins_def b_ins[] = {
    {0xFD, b_name, 0, "NAME"},
    {0xCB, get_data, 0, "GET DATA"},
};

static const sfc_app_def app_b = {
    .name = "B (like OpenPGP)",
    .aid = aid_b,
    .aid_len = sizeof(aid_b),
    .ins = b_ins,
    .n_ins = sizeof(b_ins) / sizeof(b_ins[0]),
    .deselect = b_deselect,
};

static void add_ef(sfc_card *card, sfc_file *df, uint16_t fid,
                   const char *text, const char *rules_hex)
{
    sfc_file *ef = NULL;
    assert_int_equal(sfc_ef_add(card, df, fid, 0, (const uint8_t *)text,
                                strlen(text), &ef), SFC_OK);
    if (rules_hex) {
        uint8_t rules[16];
        size_t n = tu_hex(rules_hex, rules, sizeof(rules));
        assert_int_equal(sfc_file_set_rules(card, ef, rules, n), SFC_OK);
    }
}

static sfc_err routing_create(sfc_card *card, const sfc_card_options *opts,
                              char *err, size_t errlen)
{
    (void)opts;
    (void)err;
    (void)errlen;
    sfc_file *mf = sfc_card_mf(card), *a = NULL, *b = NULL;
    add_ef(card, mf, 0x0101, "Hello", NULL);
    assert_int_equal(sfc_df_add(card, mf, 0x1000, aid_a, sizeof(aid_a), &a),
                     SFC_OK);
    add_ef(card, a, 0x1001, "A-RULES-OK", "8C 02 01 00");
    add_ef(card, a, 0x1002, "A-HOOK-OK", "8C 02 01 FF");
    add_ef(card, a, 0x1003, "A-DENIED", "8C 02 01 FF");
    add_ef(card, a, 0x1004, "A-OPEN", NULL);
    assert_int_equal(sfc_df_add(card, mf, 0x2000, aid_b, sizeof(aid_b), &b),
                     SFC_OK);
    add_ef(card, b, 0x2001, "B-DATA", NULL);
    return SFC_OK;
}

static sfc_err routing_attach(sfc_card *card, const sfc_card_options *opts,
                              char *err, size_t errlen)
{
    (void)opts;
    sfc_err rv = sfc_app_attach(card, &app_a, NULL, err, errlen);
    if (rv == SFC_OK)
        rv = sfc_app_attach(card, &app_b, NULL, err, errlen);
    if (rv == SFC_OK)
        rv = sfc_card_set_iso_atr(card, 0xFF, 0x01);
    return rv;
}

static const sfc_card_type routing_type = {
    .abi = SFC_CARD_TYPE_ABI,
    .name = "routing",
    .description = "two applications and ISO files",
    .create = routing_create,
    .attach = routing_attach,
};

static sfc_card *new_card(const sfc_card_type *t)
{
    sfc_card *card = NULL;
    char err[256] = "";
    if (sfc_card_create(t, NULL, &card, err, sizeof(err)) != SFC_OK)
        fail_msg("sfc_card_create(%s): %s", t->name, err);
    sfc_card_power(card, SFC_POWER_ON);
    return card;
}

static int setup(void **state)
{
    reset_counts();
    *state = new_card(&routing_type);
    return 0;
}


/* ---- routing per channel --------------------------------------------------- */

static void test_channels_interleaved(void **state)
{
    static const ct_step steps[] = {
        {"00A4040009 A00000030800001000 00", APT_A "9000"}, /* ch 0: A */
        {"0070000001", "01 9000"},
        {"01A4040006 " AID_B " 00", FCI_B "9000"},           /* ch 1: B */
        {"0070000001", "02 9000"},
        {"02A4020C02 0101", "9000"},                         /* ch 2: MF EF */
        {"00FD000000", NAME_A "9000"},
        {"01FD000000", NAME_B "9000"},
        {"02B0000005", "48656C6C6F 9000"},
        {"02FD000000", "6D00"},                  /* the card has no FD */
        {"01B0000001", "6D00"},                  /* B: no ISO fallback */
        {"00A4020C02 1004", "9000"},             /* A falls through to ISO */
        {"00B0000006", "412D4F50454E 9000"},
        {"00FD000000", NAME_A "9000"},           /* an EF of A keeps A */
        {"02D6000001 4A", "9000"},               /* ISO files on ch 2 */
        {"02B0000005", "4A656C6C6F 9000"},
        {"01FD000000", NAME_B "9000"},
        {"80FD000000", NAME_A "9000"},           /* proprietary: channel 0 */
        {"01FD0000", "6104"},                    /* no Le: waits ... */
        {"00FD000000", NAME_A "9000"},           /* ... per channel ... */
        {"01C0000004", NAME_B "9000"},           /* ... GET RESPONSE in B */
        {"00A4000C02 3F00", "9000"},             /* ch 0 leaves A */
        {"00FD000000", "6D00"},
        {"80FD000000", "6E00"},                  /* no proprietary class now */
        {"01FD000000", NAME_B "9000"},
        {"02B0000005", "4A656C6C6F 9000"},
    };
    CT_RUN(*state, steps);
}

/* A proprietary class is the card type's own business unless the card
 * codes 100x yycc as ISO does (TR-03110, GlobalPlatform): then it carries
 * the channel and the SM indication. */
static void test_prop_cla_as_iso(void **state)
{
    static const ct_step before[] = {
        {"00A4040C09 A00000030800001000", "9000"},
        {"81FD000000", NAME_A "9000"},          /* channel bits ignored */
    };
    CT_RUN(*state, before);
    sfc_card_code_prop_cla_as_iso(*state);
    static const ct_step after[] = {
        {"80FD000000", NAME_A "9000"},
        {"0070000001", "01 9000"},
        {"01A4040C06 " AID_B, "9000"},
        {"81FD000000", "6E00"},                 /* channel 1: B, no prop */
        {"83FD000000", "6E00"},  /* closed channel 3: no app takes 80 */
        {"84FD000000", "6882"},                 /* proprietary SM coding */
        {"8CFD00000A 8E08 0102030405060708 00", "6988"}, /* no SM session */
        {"80FD000000", NAME_A "9000"},
    };
    CT_RUN(*state, after);
}

/* B defines its own instructions and nothing else: ISO instructions answer
 * 6D00 in it, but SELECT, MANAGE CHANNEL and GET RESPONSE work. */
static void test_no_fallback(void **state)
{
    static const ct_step steps[] = {
        {"00A4040C06 " AID_B, "9000"},
        {"00B0000001", "6D00"},
        {"00A4020C02 2001", "9000"},             /* SELECT an EF of B */
        {"00B0000001", "6D00"},                  /* still no READ BINARY */
        {"0020000104 31323334", "6D00"},
        {"00CA006E00", "6D00"},
        {"00D6000001 00", "6D00"},
        {"00FD000000", NAME_B "9000"},
        {"00FD0000", "6104"},
        {"00C0000004", NAME_B "9000"},           /* GET RESPONSE */
        {"0070000001", "01 9000"},               /* MANAGE CHANNEL open */
        {"01FD000000", "6D00"},                  /* MF on the new channel */
        {"0070800100", "9000"},                  /* MANAGE CHANNEL close */
        {"01A4000C02 3F00", "6881"},
        {"80FD000000", "6E00"},                  /* B has no proprietary INS */
        {"00A4040C0B " AID_A, "9000"},           /* SELECT leaves B */
        {"00FD000000", NAME_A "9000"},
        {"00A4040C06 " AID_B, "9000"},
        {"00A4000C02 3F00", "9000"},             /* SELECT the MF from B */
        {"00B0000001", "6986"},                  /* the card's table again */
    };
    CT_RUN(*state, steps);
}

/* yubico-piv-tool selects PIV by its 5-byte RID. */
static void test_truncated_aid(void **state)
{
    static const ct_step steps[] = {
        {"00A4040005 A000000308", APT_A "9000"},
        {"00FD000000", NAME_A "9000"},
        {"00A4000C02 3F00", "9000"},
        {"00A404000A A0000003080000100001", APT_A "9000"},
        {"00FD000000", NAME_A "9000"},
        {"00A4040005 A000000309", "6A82"},
        {"00FD000000", NAME_A "9000"},
        {"00A4040004 D2760001 00", FCI_B "9000"}, /* B by a prefix too */
        {"00FD000000", NAME_B "9000"},
    };
    CT_RUN(*state, steps);
}

/* The commands OpenSC 0.23 sends while it looks for a driver (`opensc-tool
 * -n`, default drivers), in its order, on a card whose A is PIV-like and B
 * OpenPGP-like, with A selected first: every unknown AID answers 6A82 and
 * leaves the current application as it was, with its state (COUNT goes on
 * counting); A's GET DATA answers 6A82 through its format hook. OpenSC's
 * SELECT of the OpenPGP AID reaches B, and its SELECT of the MF leaves the
 * applications; neither of them is a failed SELECT. */
#define CAC_1 "A0000000790100"
#define CAC_2 "A0000000790200"
#define CAC_F "A0000000790F00"
static void test_opensc_probe(void **state)
{
    sfc_card *card = *state;
    static const ct_step steps[] = {
        {"00A4040009 A00000030800001000 00", APT_A "9000"},
        {"00FE000000", "01 9000"},
        {"00A4040007 627601FF000000", "6A82"},
        {"00A4040006 A00000000101", "6A82"},
        {"00A404000B E82B0601040181C31F0201 00", "6A82"},
        {"00FE000000", "02 9000"},
        {"00A4040C0F D23300000045737445494420763335", "6A82"},
        {"00CADF3005", "*6A88"},                 /* ISO GET DATA: no DO */
        {"00CB3FFF03 5C017E 08", "6A82"},        /* A's GET DATA, formatted */
        {"00FE000000", "03 9000"},
        /* the PIV AID, right-truncated, twice: it is A */
        {"00A4040009 A00000030800001000 00", APT_A "9000"},
        {"00A4040009 A00000030800001000 00", APT_A "9000"},
        {"00FE000000", "04 9000"},
        {"00A4040C07 A000000116DB00 00", "6A82"},
        {"00A4040007 " CAC_1 " 00", "6A82"},
        {"00A4040007 " CAC_2 " 00", "6A82"},
        {"00A4040007 " CAC_F " 00", "6A82"},
        {"00FE000000", "05 9000"},
        {"00A404000C F276A288BCFBA69D34F31001", "6A82"},
        {"00A4040009 A000000397425446 59 00", "6A82"},
        {"00FE000000", "06 9000"},
        {"00A4020C02 1004", "9000"},             /* A's files still work */
        {"00B0000006", "412D4F50454E 9000"},
        {"00A4040006 D27600012401 00", FCI_B "9000"}, /* OpenPGP: B */
        {"00FD000000", NAME_B "9000"},
        {"00A4040C0A D392F000260100000001", "6A82"},
        {"00FD000000", NAME_B "9000"},
        {"00A4000C02 3F00", "9000"},             /* the MF: no application */
        {"00A4040007 A000000116DB00 00", "6A82"},
        {"00A4040007 " CAC_1 " 00", "6A82"},
        {"00A4040007 " CAC_F " 00", "6A82"},
        {"00FD000000", "6D00"},
        {"00A4020C02 0101", "9000"},             /* the MF is still current */
        {"00B0000005", "48656C6C6F 9000"},
        {"00A4040C05 A000000308", "9000"},       /* back to A: state kept */
        {"00FE000000", "07 9000"},
    };
    CT_RUN(card, steps);
    assert_int_equal(selected_a, 4);
    assert_int_equal(deselected_a, 1); /* only when B was selected */
    assert_int_equal(deselected_b, 1); /* only when the MF was */
}

/* ---- hooks ------------------------------------------------------------------ */

static void test_select_hook(void **state)
{
    static const ct_step steps[] = {
        /* the hook's template, not the FCI; DIRECT: with 9000 even
         * without Le */
        {"00A404000B " AID_A " 00", APT_A "9000"},
        {"00A404000B " AID_A, APT_A "9000"},
        {"00A4000C02 3F00", "9000"},
        {"00A4000002 1000 00", APT_A "9000"},    /* by FID: its DF */
        {"00A4000402 1001 00", "*9000"},         /* an EF of A: no hook */
        {"00A4000002 2000 00", FCI_B "9000"},    /* B has no hook: FCI */
    };
    CT_RUN(*state, steps);
    assert_int_equal(selected_a, 3);
}

static void test_deselect_on_select(void **state)
{
    sfc_card *card = *state;
    ct_expect(card, "00A4040C0B " AID_A, "9000");
    ct_expect(card, "00A4020C02 1004", "9000");  /* inside A: still A */
    ct_expect(card, "00A4040C05 A000000309", "6A82");
    ct_expect(card, "00A4000C02 9999", "6A82");
    ct_expect(card, "00A4030C", "9000");        /* the parent of DF 1000 */
    assert_int_equal(deselected_a, 1);
    ct_expect(card, "00A4040C0B " AID_A, "9000");
    ct_expect(card, "00A4040C06 " AID_B, "9000"); /* A -> B directly */
    assert_int_equal(deselected_a, 2);
    assert_int_equal(deselected_b, 0);
    ct_expect(card, "00A4000C02 3F00", "9000");
    assert_int_equal(deselected_b, 1);
    ct_expect(card, "00A4000C02 3F00", "9000");
    assert_int_equal(deselected_a, 2);
    assert_int_equal(deselected_b, 1);
}

static void test_deselect_kept_on_other_channel(void **state)
{
    sfc_card *card = *state;
    static const ct_step steps[] = {
        {"00A4040C0B " AID_A, "9000"},
        {"0070000001", "01 9000"},
        {"01A4040C0B " AID_A, "9000"},
        {"00A4000C02 3F00", "9000"},             /* A stays current on 1 */
    };
    CT_RUN(card, steps);
    assert_int_equal(deselected_a, 0);
    ct_expect(card, "01A4040C06 " AID_B, "9000"); /* and now nowhere */
    assert_int_equal(deselected_a, 1);
    ct_expect(card, "00A4040C06 " AID_B, "9000");
    ct_expect(card, "01A4000C02 3F00", "9000");
    assert_int_equal(deselected_b, 0);           /* B on 0 still */
    ct_expect(card, "00A4000C02 3F00", "9000");
    assert_int_equal(deselected_b, 1);
    assert_int_equal(deselected_a, 1);
}

/* MANAGE CHANNEL close sent on the channel it closes. */
static void test_deselect_on_close_same_channel(void **state)
{
    sfc_card *card = *state;
    ct_expect(card, "0070000001", "01 9000");
    ct_expect(card, "01A4040C0B " AID_A, "9000");
    ct_expect(card, "0170800000", "9000");
    assert_int_equal(deselected_a, 1);
    ct_expect(card, "0070000001", "01 9000");
    ct_expect(card, "01A4040C0B " AID_A, "9000");
    ct_expect(card, "0170800100", "9000");       /* P2 names it */
    assert_int_equal(deselected_a, 2);
}

/* MANAGE CHANNEL close sent on another channel. */
static void test_deselect_on_close_other_channel(void **state)
{
    sfc_card *card = *state;
    ct_expect(card, "0070000001", "01 9000");
    ct_expect(card, "01A4040C0B " AID_A, "9000");
    ct_expect(card, "0070800100", "9000");
    assert_int_equal(deselected_a, 1);
    /* A current on 0 and 2; closing 2 keeps it */
    ct_expect(card, "00A4040C0B " AID_A, "9000");
    ct_expect(card, "00700002", "9000");
    ct_expect(card, "02A4040C0B " AID_A, "9000");
    ct_expect(card, "0070800200", "9000");
    assert_int_equal(deselected_a, 1);
    ct_expect(card, "00FD000000", NAME_A "9000");
}

static void test_access_hook(void **state)
{
    static const ct_step steps[] = {
        {"00A4040C0B " AID_A, "9000"},
        {"00A4020C02 1001", "9000"},
        {"00B0000000", "6982"},                  /* rules allow, hook not */
        {"00A4020C02 1002", "9000"},
        {"00B0000000", "412D484F4F4B2D4F4B 9000"}, /* rules deny, hook not */
        {"00A4020C02 1003", "9000"},
        {"00B0000000", "6982"},                  /* by rules: denied */
        {"00A4020C02 1004", "9000"},
        {"00B0000000", "412D4F50454E 9000"},     /* by rules: no rule */
    };
    CT_RUN(*state, steps);
}

static void test_format_hook(void **state)
{
    static const ct_step steps[] = {
        {"00A4040C0B " AID_A, "9000"},
        {"00A4040C0B " AID_A, "9000"},
        {"0070000001", "01 9000"},
        {"01A4040C06 " AID_B, "9000"},
        /* A: case 3 with data: DIRECT gives them with 9000 */
        {"00CB000002 000A", "00010203040506070809 9000"},
        /* B: no format hook: behind 61xx */
        {"01CB000002 000A", "610A"},
        {"01C000000A", "00010203040506070809 9000"},
        /* A with Le: Ne still applies */
        {"00CB000002 000A 04", "00010203 6106"},
        {"00C0000006", "040506070809 9000"},
        /* the status word rewritten: 6A88 -> 6A82 in A only */
        {"00CB000001 00", "6A82"},
        {"01CB000001 00", "6A88"},
        /* other instructions of A keep the OS's default */
        {"00FD0000", "6104"},
        {"00C0000004", NAME_A "9000"},
    };
    CT_RUN(*state, steps);
    /* more than one short response: 256 bytes, then 61xx */
    sfc_card *card = *state;
    ct_expect(card, "00CB000002 012C", "#256 612C");
    ct_expect(card, "00C0000000", "#44 9000");
    ct_expect(card, "00CB000002 0100", "#256 9000");
}

/* ---- state, default application, deleted DF --------------------------------- */

static void test_app_state(void **state)
{
    sfc_card *card = *state;
    sfc_app *a = ct_app(card, &app_a);
    sfc_app *b = ct_app(card, &app_b);
    assert_ptr_equal(sfc_app_definition(a), &app_a);
    assert_ptr_equal(sfc_app_definition(b), &app_b);
    assert_null(sfc_app_state(b));               /* state_size 0 */
    a_state *st = sfc_app_state(a);
    assert_non_null(st);
    static const a_state zero;
    assert_memory_equal(st, &zero, sizeof(zero));
    static const ct_step steps[] = {
        {"00A4040C0B " AID_A, "9000"},
        {"00FE000000", "01 9000"},
        {"00FE000000", "02 9000"},
        {"00A4000C02 3F00", "9000"},
        {"00A4040C0B " AID_A, "9000"},
        {"00FE000000", "03 9000"},               /* state outlives deselect */
    };
    CT_RUN(card, steps);
    sfc_card_power(card, SFC_RESET);
    ct_expect(card, "00A4040C0B " AID_A, "9000");
    ct_expect(card, "00FE000000", "04 9000");    /* and reset */
    assert_int_equal(st->counter, 4);
    /* another card has its own state */
    sfc_card *other = new_card(&routing_type);
    ct_expect(other, "00A4040C0B " AID_A, "9000");
    ct_expect(other, "00FE000000", "01 9000");
    sfc_card_free(other);
    assert_int_equal(state_freed, 1);
    assert_int_equal(st->counter, 4);
}

static const sfc_ins_def c_ins[] = {{0xFD, c_name, 0, "NAME"}};

static const sfc_app_def app_c = {
    .name = "C (default)",
    .aid = aid_c,
    .aid_len = sizeof(aid_c),
    .ins = c_ins,
    .n_ins = 1,
    .flags = SFC_APP_ISO_FALLBACK | SFC_APP_DEFAULT,
    .deselect = c_deselect,
};

static sfc_err default_create(sfc_card *card, const sfc_card_options *opts,
                              char *err, size_t errlen)
{
    (void)opts;
    (void)err;
    (void)errlen;
    sfc_file *mf = sfc_card_mf(card);
    add_ef(card, mf, 0x0101, "Hello", NULL);
    return sfc_df_add(card, mf, 0x7701, aid_c, sizeof(aid_c), NULL);
}

static sfc_err default_attach(sfc_card *card, const sfc_card_options *opts,
                              char *err, size_t errlen)
{
    (void)opts;
    sfc_err rv = sfc_app_attach(card, &app_a, NULL, err, errlen);
    if (rv == SFC_OK)
        rv = sfc_app_attach(card, &app_c, NULL, err, errlen);
    return rv;
}

static sfc_err default_create_both(sfc_card *card, const sfc_card_options *opts,
                                   char *err, size_t errlen)
{
    sfc_err rv = default_create(card, opts, err, errlen);
    if (rv == SFC_OK)
        rv = sfc_df_add(card, sfc_card_mf(card), 0x1000, aid_a, sizeof(aid_a),
                        NULL);
    return rv;
}

static const sfc_card_type default_type = {
    .abi = SFC_CARD_TYPE_ABI,
    .name = "default-app",
    .create = default_create_both,
    .attach = default_attach,
};

static void test_default_app(void **state)
{
    (void)state;
    sfc_card *card = new_card(&default_type);
    static const ct_step steps[] = {
        {"00FD000000", NAME_C "9000"},           /* current from power-on */
        {"0070000001", "01 9000"},
        {"01FD000000", "6D00"},                  /* a new channel: the MF */
        {"00A4040C0B " AID_A, "9000"},
        {"00FD000000", NAME_A "9000"},
        {"00A4000C02 3F00", "9000"},
        {"00FD000000", "6D00"},
    };
    CT_RUN(card, steps);
    assert_int_equal(deselected_c, 1);
    sfc_card_power(card, SFC_RESET);
    ct_expect(card, "00FD000000", NAME_C "9000");
    ct_expect(card, "01A4000C02 3F00", "6881");  /* reset closed channel 1 */
    ct_expect(card, "00A4000C02 3F00", "9000");
    sfc_card_power(card, SFC_POWER_OFF);
    sfc_card_power(card, SFC_POWER_ON);
    ct_expect(card, "00FD000000", NAME_C "9000");
    ct_expect(card, "00A4000C02 3F00", "9000");
    /* a transmit that powers the card on implicitly */
    sfc_card_power(card, SFC_POWER_OFF);
    ct_expect(card, "00FD000000", NAME_C "9000");
    /* its DF deleted: the MF after reset, and nothing breaks */
    ct_expect(card, "00E4000002 7701", "9000");
    assert_null(sfc_app_df(ct_app(card, &app_c)));
    ct_expect(card, "00FD000000", "6D00");
    sfc_card_power(card, SFC_RESET);
    ct_expect(card, "00FD000000", "6D00");
    ct_expect(card, "00A4020C02 0101", "9000");
    ct_expect(card, "00B0000005", "48656C6C6F 9000");
    sfc_card_free(card);
}

/* DELETE FILE of an application's DF (it has no rules) on the channel
 * where the application is current. */
static void test_delete_app_df(void **state)
{
    sfc_card *card = *state;
    sfc_app *a = ct_app(card, &app_a);
    sfc_file *df = sfc_df_by_name(card, aid_a, sizeof(aid_a));
    assert_non_null(df);
    assert_ptr_equal(sfc_app_df(a), df);
    static const ct_step steps[] = {
        {"00A4040C0B " AID_A, "9000"},
        {"00FE000000", "01 9000"},
        {"00E4000002 1000", "9000"},
        {"00FD000000", "6D00"},                  /* the MF is current */
        {"00A4040C0B " AID_A, "6A82"},
        {"00A4040C05 A000000308", "6A82"},
        {"00A4000C02 1000", "6A82"},
        {"00A4020C02 0101", "9000"},
        {"00B0000005", "48656C6C6F 9000"},
        {"00A4040C06 " AID_B, "9000"},           /* B is unaffected */
        {"00FD000000", NAME_B "9000"},
    };
    CT_RUN(card, steps);
    assert_int_equal(deselected_a, 1);
    assert_null(sfc_app_df(a));
    assert_ptr_equal(sfc_app_find(card, &app_a), a);
    assert_null(sfc_df_by_name(card, aid_a, sizeof(aid_a)));
    sfc_card_power(card, SFC_RESET);
    ct_expect(card, "00A4040C0B " AID_A, "6A82");
    ct_expect(card, "00FE000000", "6D00");
    /* a new DF with the same name is not the application */
    ct_expect(card, "00E0000016 6214 8302 1000 820138 840B" AID_A, "9000");
    ct_expect(card, "00A4040C0B " AID_A, "9000");
    ct_expect(card, "00FD000000", "6D00");
    ct_expect(card, "00A4000C02 3F00", "9000");
    assert_int_equal(deselected_a, 1);
}

/* The application's DF deleted from another channel while the
 * application is current on channel 1 only: it is current nowhere any
 * more, so its deselect hook runs (once). */
static void test_delete_app_df_other_channel(void **state)
{
    sfc_card *card = *state;
    static const ct_step steps[] = {
        {"0070000001", "01 9000"},
        {"01A4040C0B " AID_A, "9000"},
        {"01FD000000", NAME_A "9000"},
        {"00E4000002 1000", "9000"},             /* from the MF on ch 0 */
        {"01FD000000", "6D00"},
        {"01A4020C02 0101", "9000"},
        {"01B0000005", "48656C6C6F 9000"},
        {"0170800100", "9000"},
    };
    CT_RUN(card, steps);
    assert_null(sfc_app_df(ct_app(card, &app_a)));
    assert_int_equal(deselected_a, 1);
}

/* ---- sfc_app_attach errors ------------------------------------------------- */

static const uint8_t aid_none[] = {0xA0, 0x00, 0x00, 0x09, 0x99, 0x01};
static const uint8_t aid_long[17] = {0xA0, 0x00, 0x00, 0x03, 0x08, 0x00,
                                     0x00, 0x10, 0x00, 0x01, 0x00, 0x01,
                                     0x02, 0x03, 0x04, 0x05, 0x06};

static const sfc_app_def app_none = {
    .name = "no DF", .aid = aid_none, .aid_len = sizeof(aid_none)};
static const sfc_app_def app_long = {
    .name = "long AID", .aid = aid_long, .aid_len = sizeof(aid_long)};
static const sfc_app_def app_empty = {
    .name = "empty AID", .aid = aid_none, .aid_len = 0};
static const sfc_app_def app_a_again = {
    .name = "another A", .aid = aid_a, .aid_len = sizeof(aid_a)};

static void test_attach_errors(void **state)
{
    sfc_card *card = *state;
    char err[256] = "";
    sfc_app *out = NULL;
    assert_int_equal(sfc_app_attach(card, &app_none, &out, err, sizeof(err)),
                     SFC_E_NOT_FOUND);
    assert_non_null(strstr(err, "no DF"));
    assert_null(out);
    err[0] = '\0';
    assert_int_not_equal(sfc_app_attach(card, &app_long, &out, err,
                                        sizeof(err)), SFC_OK);
    assert_true(err[0] != '\0');
    assert_int_not_equal(sfc_app_attach(card, &app_empty, &out, err,
                                        sizeof(err)), SFC_OK);
    err[0] = '\0';
    assert_int_equal(sfc_app_attach(card, &app_a, &out, err, sizeof(err)),
                     SFC_E_STATE);                /* bound twice */
    assert_non_null(strstr(err, "bound already"));
    assert_int_equal(sfc_app_attach(card, &app_a_again, &out, err,
                                    sizeof(err)), SFC_E_STATE);
    assert_null(out);
    assert_null(sfc_app_find(card, &app_none));
    assert_null(sfc_app_find(card, &app_a_again));
    /* nothing changed: A still answers */
    ct_expect(card, "00A4040C0B " AID_A, "9000");
    ct_expect(card, "00FD000000", NAME_A "9000");
}

static sfc_err bad_attach(sfc_card *card, const sfc_card_options *opts,
                          char *err, size_t errlen)
{
    (void)opts;
    return sfc_app_attach(card, &app_none, NULL, err, errlen);
}

static const sfc_card_type bad_type = {
    .abi = SFC_CARD_TYPE_ABI,
    .name = "bad",
    .create = routing_create,
    .attach = bad_attach,
};

static void test_attach_error_fails_creation(void **state)
{
    (void)state;
    sfc_card *card = NULL;
    char err[256] = "";
    assert_int_equal(sfc_card_create(&bad_type, NULL, &card, err,
                                     sizeof(err)), SFC_E_NOT_FOUND);
    assert_null(card);
    assert_non_null(strstr(err, "no DF named by its AID"));
}

/* At most SFC_MAX_APPS applications per card. */
static uint8_t many_aids[SFC_MAX_APPS + 1][6];
static sfc_app_def many_defs[SFC_MAX_APPS + 1];

static sfc_err many_create(sfc_card *card, const sfc_card_options *opts,
                           char *err, size_t errlen)
{
    (void)opts;
    (void)err;
    (void)errlen;
    for (size_t i = 0; i <= SFC_MAX_APPS; i++) {
        sfc_err rv = sfc_df_add(card, sfc_card_mf(card), (uint16_t)(0x4000 + i),
                                many_aids[i], sizeof(many_aids[i]), NULL);
        if (rv != SFC_OK)
            return rv;
    }
    return SFC_OK;
}

static sfc_err many_attach(sfc_card *card, const sfc_card_options *opts,
                           char *err, size_t errlen)
{
    (void)card;
    (void)opts;
    (void)err;
    (void)errlen;
    return SFC_OK;
}

static const sfc_card_type many_type = {
    .abi = SFC_CARD_TYPE_ABI,
    .name = "many",
    .create = many_create,
    .attach = many_attach,
};

static void test_attach_too_many(void **state)
{
    (void)state;
    for (size_t i = 0; i <= SFC_MAX_APPS; i++) {
        static const uint8_t rid[] = {0xA0, 0x00, 0x00, 0x01, 0x23};
        memcpy(many_aids[i], rid, sizeof(rid));
        many_aids[i][5] = (uint8_t)i;
        many_defs[i] = (sfc_app_def){.name = "one of many",
                                     .aid = many_aids[i], .aid_len = 6};
    }
    sfc_card *card = new_card(&many_type);
    char err[256] = "";
    for (size_t i = 0; i < SFC_MAX_APPS; i++)
        assert_int_equal(sfc_app_attach(card, &many_defs[i], NULL, err,
                                        sizeof(err)), SFC_OK);
    assert_int_equal(sfc_app_attach(card, &many_defs[SFC_MAX_APPS], NULL,
                                    err, sizeof(err)), SFC_E_RANGE);
    sfc_card_free(card);
}

int main(void)
{
#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, ct_teardown)
    const struct CMUnitTest tests[] = {
        T(test_channels_interleaved),
        T(test_prop_cla_as_iso),
    T(test_no_fallback),
        T(test_truncated_aid),
        T(test_opensc_probe),
        T(test_select_hook),
        T(test_deselect_on_select),
        T(test_deselect_kept_on_other_channel),
        T(test_deselect_on_close_same_channel),
        T(test_deselect_on_close_other_channel),
        T(test_access_hook),
        T(test_format_hook),
        T(test_app_state),
        T(test_default_app),
        T(test_delete_app_df),
        T(test_delete_app_df_other_channel),
        T(test_attach_errors),
        T(test_attach_error_fails_creation),
        T(test_attach_too_many),
    };
#undef T
    return cmocka_run_group_tests(tests, NULL, NULL);
}
