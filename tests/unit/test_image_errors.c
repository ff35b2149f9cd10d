/* SPDX-License-Identifier: LGPL-2.1-or-later */
/**
 * @file test_image_errors.c
 * @brief Bad card images are refused with the JSON path and the reason.
 *
 * One table: an image (a complete text, or the top-level fields and the
 * MF's children spliced into a small valid image) and the exact error
 * text expected. Every refusal must leave no card behind.
 */
#include "test_image_util.h"

typedef struct bad_image {
    const char *top;      /**< extra top-level fields (",\"x\": 1"), or */
    const char *children; /**< the MF's children, or */
    const char *whole;    /**< the whole text */
    const char *error;    /**< the exact error */
} bad_image;

#define F(x) "{\"fid\": " x
#define BIN(fid, rest) "{\"fid\": \"" fid "\", \"kind\": \"transparent\"" rest "}"
#define REC(fid, rest) "{\"fid\": \"" fid "\", \"kind\": \"record\"" rest "}"
#define DF(fid, rest) "{\"fid\": \"" fid "\", \"kind\": \"df\"" rest "}"
#define PIN(rest) ", \"pins\": [{\"ref\": \"01\", \"value\": \"1234\", " \
                  "\"tries\": 3" rest "}]"
#define KEY(rest) ", \"keys\": [{\"ref\": \"01\"" rest "}]"
#define SE(rest) ", \"security_environments\": [{\"number\": 1" rest "}]"

static const bad_image cases[] = {
    /* syntax */
    {NULL, NULL, "{\"format\": ", "line 1, column 12: unexpected end of the text"},
    {NULL, NULL, "{\"a\": 1,}", "line 1, column 9: unexpected character"},
    {NULL, NULL, "{\"a\": 1}\n{", "line 2, column 1: unexpected character"},
    {NULL, NULL, "  \n ", "line 2, column 2: empty file"},
    {NULL, NULL, "{\"a\": \"\xC3\x28\"}", "line 1, column 9: invalid utf-8 string"},
    {NULL, NULL, "[]", "$: expected an object, found an array"},
    /* header */
    {NULL, NULL, "{\"version\": 1, \"type\": \"iso7816\"}", "$.format: missing"},
    {NULL, NULL, "{\"format\": \"other\", \"version\": 1}",
     "$.format: 'other' is not \"softcard-card-image\""},
    {NULL, NULL, "{\"format\": \"softcard-card-image\", \"version\": 3}",
     "$.version: version 3 is not supported (this softcard reads versions 1 "
     "to 2)"},
    {NULL, NULL, "{\"format\": \"softcard-card-image\", \"version\": 0}",
     "$.version: version 0 is not supported (this softcard reads versions 1 "
     "to 2)"},
    /* version 2: scoped PINs, PIN states, application state, kept params */
    {NULL, NULL, "{\"format\": \"softcard-card-image\", \"version\": 2, "
     "\"type\": \"iso7816\", \"pins\": [{\"ref\": \"81\", \"value\": \"1234\", "
     "\"tries\": 3, \"scope\": \"\"}]}", "$.pins[0].scope: an empty AID"},
    {NULL, NULL, "{\"format\": \"softcard-card-image\", \"version\": 2, "
     "\"type\": \"iso7816\", \"pins\": [{\"ref\": \"81\", \"value\": \"1234\", "
     "\"tries\": 3, \"state\": \"asleep\"}]}",
     "$.pins[0].state: 'asleep' is not a PIN state (active, suspended or "
     "deactivated)"},
    {NULL, NULL, "{\"format\": \"softcard-card-image\", \"version\": 1, "
     "\"type\": \"iso7816\", \"applications\": []}",
     "$.applications: not in a version 1 image"},
    {NULL, NULL, "{\"format\": \"softcard-card-image\", \"version\": 2, "
     "\"type\": \"iso7816\", \"params\": {\"pin\": \"1234\"}}",
     "$.params.pin: only used when a card is created; the image holds what "
     "it made"},
    {NULL, NULL, "{\"format\": \"softcard-card-image\", \"version\": 2, "
     "\"type\": \"iso7816\", \"applications\": [{\"aid\": \"A000000001\", "
     "\"state\": \"\"}]}",
     "$.applications[0].aid: the card type binds no application with this "
     "AID"},
    {NULL, NULL, "{\"format\": \"softcard-card-image\", \"version\": 2, "
     "\"type\": \"handler_test\", \"applications\": [{\"aid\": "
     "\"A00000001850\", \"state\": \"00\"}], \"mf\": {\"kind\": \"df\", "
     "\"fid\": \"3F00\", \"children\": [{\"kind\": \"df\", \"fid\": "
     "\"1850\", \"name\": \"A00000001850\"}]}}",
     "$.applications[0].state: application 'HandlerTest applet' keeps no "
     "state"},
    {NULL, NULL, "{\"format\": \"softcard-card-image\", \"version\": 2, "
     "\"type\": \"handler_test\", \"mf\": {\"kind\": \"df\", \"fid\": "
     "\"3F00\"}}",
     "$.mf: application 'HandlerTest applet': the card has no DF named by "
     "its AID"},
    {NULL, NULL, "{\"format\": \"softcard-card-image\", \"version\": \"1\"}",
     "$.version: expected an integer, found a string"},
    {NULL, NULL, "{\"format\": \"softcard-card-image\", \"version\": 1.0}",
     "$.version: expected an integer, found a number with a fraction"},
    {NULL, NULL, "{\"format\": \"softcard-card-image\", \"version\": 1}",
     "$.type: missing"},
    {NULL, NULL, "{\"format\": \"softcard-card-image\", \"version\": 1, "
     "\"type\": null}", "$.type: expected a string, found null"},
    {NULL, NULL, "{\"format\": \"softcard-encrypted-card-image\"}",
     "$.format: an encrypted image (it needs its passphrase)"},
    {", \"colour\": \"red\"", NULL, NULL, "$.colour: unknown field"},
    /* type and parameters */
    {NULL, NULL, "{\"format\": \"softcard-card-image\", \"version\": 1, "
     "\"type\": \"foo\"}", "$.type: unknown card type 'foo' (a plugin's type needs --plugin)"},
    {", \"params\": {\"colour\": \"red\"}", NULL, NULL,
     "$.params: card type 'iso7816' has no parameter 'colour'"},
    {", \"params\": {\"pin\": 1234}", NULL, NULL,
     "$.params.pin: expected a string, found an integer"},
    {", \"params\": {\"pin\": \"12\"}", NULL, NULL,
     "$.params: PIN must have 4 to 16 characters"},
    {", \"extended_length\": 1", NULL, NULL,
     "$.extended_length: expected true or false, found an integer"},
    {", \"secret\": \"00112233445566778899AABBCCDDEE\"", NULL, NULL,
     "$.secret: 15 bytes, expected 16"},
    {", \"secret\": \"0011223344556677889XAABBCCDDEEFF\"", NULL, NULL,
     "$.secret: not hex (pairs of the digits 0-9 and A-F)"},
    /* PINs */
    {PIN(", \"tries_left\": 4"), NULL, NULL,
     "$.pins[0].tries_left: 4 is out of range (0..3)"},
    {PIN(", \"tries_left\": -1"), NULL, NULL,
     "$.pins[0].tries_left: -1 is out of range (0..3)"},
    {", \"pins\": [{\"ref\": \"01\", \"value\": \"1234\", \"tries\": 16}]",
     NULL, NULL, "$.pins[0].tries: 16 is out of range (1..15)"},
    {", \"pins\": [{\"ref\": \"01\", \"value\": \"1234\"}]", NULL, NULL,
     "$.pins[0].tries: missing"},
    {PIN(", \"value_hex\": \"31\""), NULL, NULL,
     "$.pins[0]: give value or value_hex, not both"},
    {", \"pins\": [{\"ref\": \"01\", \"value\": \"12345678901234567\", "
     "\"tries\": 3}]", NULL, NULL, "$.pins[0].value: 17 characters, more than 16"},
    {PIN(", \"min_length\": 6"), NULL, NULL,
     "$.pins[0]: a 4-character value outside min_length..max_length (6..16)"},
    {", \"pins\": [{\"ref\": \"01\", \"value\": \"1234\", \"tries\": 3}, "
     "{\"ref\": \"01\", \"value\": \"1234\", \"tries\": 3}]", NULL, NULL,
     "$.pins[1].ref: a second PIN with reference 01 in the same scope"},
    {PIN(", \"puk\": {\"value\": \"1\", \"tries\": 3, \"tries_left\": 9}"),
     NULL, NULL, "$.pins[0].puk.tries_left: 9 is out of range (0..3)"},
    {PIN(", \"puk\": {\"value\": \"\", \"tries\": 3}"), NULL, NULL,
     "$.pins[0].puk.value: a PUK cannot be empty"},
    {PIN(", \"counter\": 1"), NULL, NULL, "$.pins[0].counter: unknown field"},
    {", \"pins\": {}", NULL, NULL, "$.pins: expected an array, found an object"},
    /* keys */
    {KEY(", \"kind\": \"idea\", \"value\": \"00\""), NULL, NULL,
     "$.keys[0].kind: 'idea' is not a key kind (des3, aes, rsa or ec)"},
    {KEY(", \"kind\": \"aes\", \"value\": \"000102030405060708090A0B0C0D0E\""),
     NULL, NULL, "$.keys[0].value: 15 bytes is not a aes key length"},
    {KEY(", \"kind\": \"des3\", \"value\": \"0001020304050607\""), NULL, NULL,
     "$.keys[0].value: 8 bytes is not a des3 key length"},
    {KEY(", \"kind\": \"aes\""), NULL, NULL, "$.keys[0].value: missing"},
    {KEY(", \"kind\": \"rsa\", \"pem\": \"-----BEGIN PRIVATE KEY-----\\nAAAA\\n"
         "-----END PRIVATE KEY-----\\n\""), NULL, NULL,
     "$.keys[0].pem: not a PEM private or public key"},
    {KEY(", \"kind\": \"rsa\", \"pem\": \"-----BEGIN ENCRYPTED PRIVATE KEY-----"
         "\""), NULL, NULL, "$.keys[0].pem: an encrypted PEM key (store it "
     "unencrypted; encrypt the whole image)"},
    {KEY(", \"kind\": \"ec\", \"value\": \"00\""), NULL, NULL,
     "$.keys[0].value: rsa and ec keys are given as pem"},
    {KEY(", \"kind\": \"aes\", \"use_sc\": \"0100\", \"value\": \"00\""), NULL,
     NULL, "$.keys[0].use_sc: 2 bytes, expected 1"},
    {", \"keys\": [{\"ref\": \"01\", \"kind\": \"aes\", \"value\": "
     "\"000102030405060708090A0B0C0D0E0F\"}, {\"ref\": \"01\", \"kind\": "
     "\"aes\", \"value\": \"000102030405060708090A0B0C0D0E0F\"}]", NULL, NULL,
     "$.keys[1].ref: a second key with reference 01"},
    /* security environments */
    {", \"security_environments\": [{\"number\": 16}]", NULL, NULL,
     "$.security_environments[0].number: 16 is out of range (0..15)"},
    {SE(", \"dst\": {\"colour\": 1}"), NULL, NULL,
     "$.security_environments[0].dst.colour: unknown field"},
    {SE(", \"ct\": {\"iv\": \"000102030405060708090A0B0C0D0E0F10\"}"), NULL,
     NULL, "$.security_environments[0].ct.iv: 17 bytes, more than 16"},
    {SE(", \"at\": {\"key_private\": true}"), NULL, NULL,
     "$.security_environments[0].at.key_private: without a key"},
    {", \"security_environments\": [{\"number\": 1}, {\"number\": 1}]", NULL,
     NULL, "$.security_environments[1].number: a second security "
     "environment 1"},
    /* the tree */
    {", \"mf\": {\"fid\": \"3F00\", \"kind\": \"transparent\"}", NULL, NULL,
     "$.mf.kind: the MF must be a df"},
    {", \"mf\": {\"fid\": \"3F01\", \"kind\": \"df\"}", NULL, NULL,
     "$.mf.fid: the MF must be 3F00"},
    {", \"mf\": {\"kind\": \"df\"}", NULL, NULL, "$.mf.fid: missing"},
    {", \"mf\": {\"fid\": \"3F00\", \"kind\": \"folder\"}", NULL, NULL,
     "$.mf.kind: 'folder' is not a file kind (df, transparent or record)"},
    {NULL, BIN("0101", ", \"size\": 8") ", " BIN("0102", ", \"size\": 8, "
     "\"data\": \"000102030405060708090A0B0C0D0E0F\""), NULL,
     "$.mf.children[1].size: 16 bytes of data for a 8-byte file"},
    {NULL, BIN("0101", ", \"size\": 70000"), NULL,
     "$.mf.children[0].size: 70000 is out of range (0..65535)"},
    {NULL, BIN("0101", "") ", " DF("0101", ""), NULL,
     "$.mf.children[1].fid: 0101 is already used in this DF (or is the "
     "DF's own)"},
    {NULL, BIN("0101", ", \"sfi\": 1") ", " BIN("0102", ", \"sfi\": 1"), NULL,
     "$.mf.children[1].sfi: 1 is already used in this DF"},
    {NULL, BIN("0101", ", \"sfi\": 31"), NULL,
     "$.mf.children[0].sfi: 31 is out of range (0..30)"},
    {NULL, BIN("3FFF", ""), NULL, "$.mf.children[0].fid: 3FFF is reserved"},
    {NULL, BIN("01", ""), NULL, "$.mf.children[0].fid: 1 bytes, expected 2"},
    {NULL, DF("1000", ", \"name\": \"A000\"") ", " DF("2000", ", \"children\": "
     "[" DF("2100", ", \"name\": \"A000\"") "]"), NULL,
     "$.mf.children[1].children[0].name: another DF on the card has this "
     "name"},
    {NULL, DF("1000", ", \"name\": \"000102030405060708090A0B0C0D0E0F10\""),
     NULL, "$.mf.children[0].name: 17 bytes, more than 16"},
    {NULL, BIN("0101", ", \"children\": []"), NULL,
     "$.mf.children[0].children: unknown field"},
    {NULL, DF("1000", ", \"data\": \"00\""), NULL,
     "$.mf.children[0].data: unknown field"},
    {NULL, BIN("0101", ", \"fdb\": \"38\""), NULL,
     "$.mf.children[0].fdb: 38 does not describe a transparent file"},
    {NULL, REC("0101", ""), NULL, "$.mf.children[0].fdb: missing"},
    {NULL, REC("0101", ", \"fdb\": \"02\""), NULL,
     "$.mf.children[0].rec_size: missing"},
    {NULL, REC("0101", ", \"fdb\": \"02\", \"rec_size\": 2, \"records\": "
     "[\"0001\", \"000102\"]"), NULL,
     "$.mf.children[0].records[1]: a 3-byte record in a file of 2-byte "
     "records"},
    {NULL, REC("0101", ", \"fdb\": \"04\", \"rec_size\": 2, \"records\": "
     "[\"000102\"]"), NULL,
     "$.mf.children[0].records[0]: a 3-byte record in a file of records up "
     "to 2 bytes"},
    {NULL, REC("0101", ", \"fdb\": \"04\", \"max_records\": 1, \"records\": "
     "[\"00\", \"01\"]"), NULL,
     "$.mf.children[0].records: 2 records in a file of at most 1"},
    {NULL, REC("0101", ", \"fdb\": \"04\", \"records\": [1]"), NULL,
     "$.mf.children[0].records[0]: expected a hex string (a record)"},
    {NULL, BIN("0101", ", \"size\": 9, \"written\": \"00\""), NULL,
     "$.mf.children[0].written: a bitmap of 1 bytes for a 9-byte file "
     "(expected 2)"},
    {NULL, BIN("0101", ", \"lcs\": \"02\""), NULL,
     "$.mf.children[0].lcs: 02 is not a life-cycle status (01, 03, 04-07, "
     "0C-0F)"},
    {NULL, BIN("0101", ", \"security\": \"8C05\""), NULL,
     "$.mf.children[0].security: not a sequence of BER-TLV objects"},
    {NULL, BIN("0101", ", \"data_objects\": [{\"tag\": \"5F\", \"value\": "
     "\"00\"}]"), NULL,
     "$.mf.children[0].data_objects[0].tag: not a valid BER-TLV tag"},
    {NULL, BIN("0101", ", \"data_objects\": [{\"tag\": \"4243\", \"simple\": "
     "true, \"value\": \"00\"}]"), NULL,
     "$.mf.children[0].data_objects[0].tag: not a valid SIMPLE-TLV tag"},
    {NULL, BIN("0101", ", \"data_objects\": [{\"tag\": \"42\", \"value\": "
     "\"\"}]"), NULL, "$.mf.children[0].data_objects[0].value: empty (an "
     "empty value deletes a data object)"},
    {NULL, BIN("0101", ", \"data_objects\": [{\"tag\": \"42\", \"value\": "
     "\"01\"}, {\"tag\": \"42\", \"value\": \"02\"}]"), NULL,
     "$.mf.children[0].data_objects[1].tag: a second data object with this "
     "tag"},
    {NULL, BIN("0101", ", \"data_objects\": [{\"tag\": \"7F21\", \"value\": "
     "\"5F2005\"}]"), NULL, "$.mf.children[0].data_objects[0]: the value is "
     "not valid for this tag"},
    {NULL, "1", NULL, "$.mf.children[0]: expected an object (a file)"},
};

static void fill(char *buf, size_t cap, const bad_image *b)
{
    if (b->whole) {
        snprintf(buf, cap, "%s", b->whole);
        return;
    }
    snprintf(buf, cap,
             "{\"format\": \"softcard-card-image\", \"version\": 1, "
             "\"type\": \"iso7816\"%s%s%s%s}",
             b->top ? b->top : "",
             b->children ? ", \"mf\": {\"fid\": \"3F00\", \"kind\": \"df\", "
                           "\"children\": [" : "",
             b->children ? b->children : "", b->children ? "]}" : "");
}

static void test_table(void **state)
{
    (void)state;
    static char text[4096];
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        fill(text, sizeof(text), &cases[i]);
        const char *err = it_load_error(text, NULL);
        if (strcmp(err, cases[i].error) != 0)
            fail_msg("case %zu: %s\n  got      '%s'\n  expected '%s'", i,
                     text, err, cases[i].error);
    }
}

/* DFs nested 17 deep: the tree limit, not the JSON parser, refuses it. */
static void test_too_deep(void **state)
{
    (void)state;
    static char text[8192];
    char *p = text;
    p += sprintf(p, "{\"format\": \"softcard-card-image\", \"version\": 1, "
                 "\"type\": \"iso7816\", \"mf\": {\"fid\": \"3F00\", "
                 "\"kind\": \"df\", \"children\": [");
    for (int i = 0; i < 17; i++)
        p += sprintf(p, "{\"fid\": \"%04X\", \"kind\": \"df\", \"children\": "
                     "[", 0x1000 + i);
    for (int i = 0; i < 17; i++)
        p += sprintf(p, "]}");
    sprintf(p, "]}}");
    const char *err = it_load_error(text, NULL);
    assert_non_null(strstr(err, "DFs nested deeper than 16 levels"));
    assert_non_null(strstr(err, "$.mf.children[0].children[0]"));
}

/* Twenty 64 KiB files exceed the card's 1 MiB. */
static void test_memory_limit(void **state)
{
    (void)state;
    static char text[4096];
    char *p = text;
    p += sprintf(p, "{\"format\": \"softcard-card-image\", \"version\": 1, "
                 "\"type\": \"iso7816\", \"mf\": {\"fid\": \"3F00\", "
                 "\"kind\": \"df\", \"children\": [");
    for (int i = 0; i < 20; i++)
        p += sprintf(p, "%s{\"fid\": \"%04X\", \"kind\": \"transparent\", "
                     "\"size\": 65535}", i ? ", " : "", 0x1000 + i);
    sprintf(p, "]}}");
    sfc_err rv;
    const char *err = it_load_error(text, &rv);
    assert_int_equal(rv, SFC_E_RANGE);
    assert_non_null(strstr(err, "$.mf: the files need "));
    assert_non_null(strstr(err, "bytes of card memory, the card has"));
}

/* A NUL byte inside the text is refused, not silently cut off. */
static void test_nul_byte(void **state)
{
    (void)state;
    static const char text[] = "{\"format\": \"softcard-card-image\"}\0junk";
    sfc_card *card = NULL;
    char err[SFC_IMAGE_ERR_MAX];
    assert_int_equal(sfc_image_load_text(text, sizeof(text) - 1, NULL, &card,
                                        err, sizeof(err)),
                     SFC_E_FORMAT);
    assert_string_equal(err, "line 1, column 34: NUL byte in the text");
}

/* Options that belong to the image are refused. */
static void test_base_options(void **state)
{
    (void)state;
    sfc_card_options o = {.extended_length = true};
    sfc_card *card = NULL;
    char err[SFC_IMAGE_ERR_MAX];
    assert_int_equal(sfc_image_load_text("{}", 2, &o, &card, err, sizeof(err)),
                     SFC_E_INVAL);
}

/* Random damage to a valid image never crashes the loader: it loads (and
 * then saves and reloads identically) or is refused with a reason. */
static void test_mutations(void **state)
{
    (void)state;
    static const char alphabet[] = "{}[]\",:0123456789ABCDEFaf-.e \\nu";
    sfc_card *card = ct_card("iso7816");
    ct_expect(card, "00E000000C 620A 820101 83021001 800108", "9000");
    ct_expect(card, "00DA0042 03 010203", "9000");
    char *text = it_save(card);
    size_t len = strlen(text);
    uint32_t seed = 12345;
    for (int i = 0; i < 3000; i++) {
        char *m = strdup(text);
        for (int k = 0; k < 1 + i % 3; k++) {
            seed = seed * 1103515245u + 12345u;
            size_t at = (seed >> 8) % len;
            m[at] = alphabet[(seed >> 20) % (sizeof(alphabet) - 1)];
        }
        sfc_card *c = NULL;
        char err[SFC_IMAGE_ERR_MAX] = "";
        if (sfc_image_load_text(m, len, NULL, &c, err, sizeof(err)) == SFC_OK) {
            char *again = it_save(c);
            sfc_card *c2 = it_load(again);
            char *third = it_save(c2);
            assert_string_equal(again, third);
            free(again);
            free(third);
            sfc_card_free(c2);
            sfc_card_free(c);
        } else {
            assert_null(c);
            assert_true(err[0] != '\0');
        }
        free(m);
    }
    free(text);
    sfc_card_free(card);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_table),
        cmocka_unit_test(test_too_deep),
        cmocka_unit_test(test_memory_limit),
        cmocka_unit_test(test_nul_byte),
        cmocka_unit_test(test_base_options),
        cmocka_unit_test(test_mutations),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
