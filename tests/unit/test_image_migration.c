/* SPDX-License-Identifier: LGPL-2.1-or-later */
/**
 * @file test_image_migration.c
 * @brief Card images across the version 1 -> 2 change: version 1 images
 *        (no applications, no PIN scope or state; loaded over a freshly
 *        created card) still load and save as version 2; version 2 images
 *        load without running the type's create(); PIN scope and state
 *        survive a round trip.
 *
 * Version 1 images are written here as text (docs/card-image.md), or made
 * from a saved version 2 image by setting "version" to 1 and removing
 * "applications" (fine for types whose applications keep no state).
 *
 * Whether create() ran is seen through the card's random source: the
 * iso7816 type draws its 16-byte card secret from it when it creates a
 * card, so a counting source must see no draw while a version 2 image
 * loads. (The ePass type generates its keys with OpenSSL's generator, not
 * the card's; for it the test compares EF.SOD and the Active
 * Authentication key with the saved ones.)
 */
#include "test_image_util.h"

#include <json-c/json.h>
#include <openssl/evp.h>

#include "cardtypes/epass.h"
#include "core/rng.h"
#include "os/keys.h"

/* ---- helpers -------------------------------------------------------------- */

/* A random source that counts what it hands out (the system's bytes). */
typedef struct rng_count {
    size_t calls, bytes;
} rng_count;

static sfc_err counting_fill(void *ctx, uint8_t *out, size_t len)
{
    rng_count *c = ctx;
    c->calls++;
    c->bytes += len;
    return sfc_rng_fill(NULL, out, len);
}

static rng_count counted;
static const sfc_rng counting_rng = {counting_fill, &counted};

static sfc_card *load_counted(const char *text)
{
    sfc_card *card = NULL;
    char err[SFC_IMAGE_ERR_MAX] = "";
    sfc_card_options base = {.rng = &counting_rng};
    memset(&counted, 0, sizeof(counted));
    if (sfc_image_load_text(text, strlen(text), &base, &card, err,
                            sizeof(err)) != SFC_OK)
        fail_msg("load: %s\n%s", err, text);
    return card;
}

static json_object *parse(const char *text)
{
    json_object *root = json_tokener_parse(text);
    assert_non_null(root);
    return root;
}

static int version_of(const char *text)
{
    json_object *root = parse(text), *v = NULL;
    assert_true(json_object_object_get_ex(root, "version", &v));
    int n = json_object_get_int(v);
    json_object_put(root);
    return n;
}

/* A saved version 2 image made version 1: "version": 1, no
 * "applications" (which must be empty). Free with free(). */
static char *as_version1(const char *v2)
{
    json_object *root = parse(v2), *apps = NULL;
    assert_true(json_object_object_get_ex(root, "applications", &apps));
    assert_int_equal(json_object_array_length(apps), 0);
    json_object_object_del(root, "applications");
    json_object_object_add(root, "version", json_object_new_int(1));
    char *text = strdup(json_object_to_json_string_ext(
        root, JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_NOSLASHESCAPE));
    assert_non_null(text);
    json_object_put(root);
    assert_int_equal(version_of(text), 1);
    return text;
}

static const char *json_string_at(json_object *o, const char *key)
{
    json_object *v = NULL;
    if (!json_object_object_get_ex(o, key, &v))
        return NULL;
    return json_object_get_string(v);
}

static json_object *pin_at(json_object *root, size_t i)
{
    json_object *pins = NULL;
    assert_true(json_object_object_get_ex(root, "pins", &pins));
    assert_true(i < json_object_array_length(pins));
    return json_object_array_get_idx(pins, i);
}

static const uint8_t *ef_bytes(sfc_card *card, sfc_file *df, uint16_t fid,
                               size_t *len)
{
    assert_non_null(df);
    sfc_file *ef = sfc_file_child(df, fid);
    assert_non_null(ef);
    const uint8_t *data = sfc_file_data(ef, len);
    assert_non_null(data);
    (void)card;
    return data;
}

/* ---- version 1: iso7816 -------------------------------------------------- */

static const char v1_iso7816[] =
    "{\n"
    "  \"format\": \"softcard-card-image\",\n"
    "  \"version\": 1,\n"
    "  \"type\": \"iso7816\",\n"
    "  \"extended_length\": false,\n"
    "  \"params\": {},\n"
    "  \"secret\": \"2B7E151628AED2A6ABF7158809CF4F3C\",\n"
    "  \"pins\": [\n"
    "    {\"ref\": \"01\", \"value\": \"4321\", \"min_length\": 4,\n"
    "     \"max_length\": 16, \"tries\": 3, \"tries_left\": 2,\n"
    "     \"puk\": {\"value\": \"87654321\", \"tries\": 10, \"tries_left\": 9}}\n"
    "  ],\n"
    "  \"keys\": [\n"
    "    {\"ref\": \"01\", \"kind\": \"aes\", \"use_sc\": \"00\",\n"
    "     \"value\": \"000102030405060708090A0B0C0D0E0F\"}\n"
    "  ],\n"
    "  \"security_environments\": [],\n"
    "  \"mf\": {\n"
    "    \"fid\": \"3F00\", \"kind\": \"df\", \"fdb\": \"38\", \"lcs\": \"05\",\n"
    "    \"children\": [\n"
    "      {\"fid\": \"0101\", \"kind\": \"transparent\", \"fdb\": \"01\",\n"
    "       \"dcb\": \"01\", \"sfi\": 1, \"lcs\": \"05\",\n"
    "       \"security\": \"8C087F10101010101010\", \"size\": 6,\n"
    "       \"data\": \"56312D50494E\"},\n"
    "      {\"fid\": \"2000\", \"kind\": \"transparent\", \"size\": 4,\n"
    "       \"data\": \"CAFEBABE\"},\n"
    "      {\"fid\": \"1000\", \"kind\": \"df\", \"name\": \"A0000000010203\",\n"
    "       \"children\": []}\n"
    "    ]\n"
    "  }\n"
    "}\n";

static void test_v1_iso7816_loads(void **state)
{
    (void)state;
    sfc_card *card = it_load(v1_iso7816);
    /* the image's PIN and counters, not the type's default 1234 */
    assert_int_equal(card->n_pins, 1);
    const sfc_pin *p = &card->pins[0];
    assert_int_equal(p->ref, 0x01);
    assert_int_equal(p->len, 4);
    assert_memory_equal(p->value, "4321", 4);
    assert_int_equal(p->max_tries, 3);
    assert_int_equal(p->tries_left, 2);
    assert_true(p->has_puk);
    assert_memory_equal(p->puk, "87654321", 8);
    assert_int_equal(p->puk_tries_left, 9);
    assert_int_equal(p->scope_len, 0);
    assert_int_equal(p->state, SFC_PIN_ACTIVE);
    assert_int_equal(sfc_pin_tries_left(card, NULL, 0x01), 2);
    tu_assert_hex(card->secret, 16, "2B7E151628AED2A6ABF7158809CF4F3C");
    assert_int_equal(card->n_keys, 1);
    assert_non_null(sfc_key_find(card, 0x01));
    /* the image's files, not the type's EF 0101 */
    size_t n = 0;
    ef_bytes(card, card->mf, 0x0101, &n);
    assert_int_equal(n, 6);
    assert_non_null(sfc_df_by_name(card, (const uint8_t *)"\xA0\x00\x00\x00"
                                   "\x01\x02\x03", 7));
    static const ct_step steps[] = {
        {"00A4000C02 2000", "9000"},
        {"00B0000004", "CAFEBABE 9000"},
        {"00A4000C02 0101", "9000"},
        {"00B0000006", "6982"},
        {"0020000104 31323334", "63C1"},         /* 1234 is not the PIN */
        {"0020000104 34333231", "9000"},
        {"00B0000006", "56312D50494E 9000"},
    };
    CT_RUN(card, steps);
    /* saved: version 2, and that loads (without create) and saves the same */
    char *v2 = it_save(card);
    assert_int_equal(version_of(v2), 2);
    sfc_card *again = load_counted(v2);
    assert_int_equal(counted.bytes, 0);
    ct_expect(again, "00A4000C02 2000", "9000");
    ct_expect(again, "00B0000004", "CAFEBABE 9000");
    ct_expect(again, "0020000104 34333231", "9000");
    assert_int_equal(sfc_pin_tries_left(again, NULL, 0x01), 3);
    ct_expect(again, "0020000104 31323334", "63C2");
    char *v2_again = it_save(again);
    ct_expect(card, "0020000104 31323334", "63C2"); /* same state */
    free(v2);
    v2 = it_save(card);
    assert_string_equal(v2, v2_again);
    free(v2);
    free(v2_again);
    sfc_card_free(again);
    sfc_card_free(card);
}

/* Version 1: creation runs with the image's parameters and sections that
 * are absent keep what it made; the version 2 save drops the parameters
 * only creation used (a version 2 image refuses them). */
static void test_v1_absent_sections_keep_created(void **state)
{
    (void)state;
    static const char v1[] =
        "{\"format\": \"softcard-card-image\", \"version\": 1, "
        "\"type\": \"iso7816\", \"params\": {\"pin\": \"5678\", "
        "\"puk\": \"11223344\"}}";
    sfc_card *card = load_counted(v1);
    assert_true(counted.bytes >= 16); /* create() drew the card secret */
    assert_int_equal(card->n_pins, 1);
    assert_memory_equal(card->pins[0].value, "5678", 4);
    size_t n = 0;
    const uint8_t *d = ef_bytes(card, card->mf, 0x0101, &n);
    assert_int_equal(n, 34); /* the type's protected EF */
    assert_memory_equal(d, "This file", 9);
    char *v2 = it_save(card);
    assert_int_equal(version_of(v2), 2);
    json_object *root = parse(v2), *params = NULL;
    assert_true(json_object_object_get_ex(root, "params", &params));
    assert_int_equal(json_object_object_length(params), 0);
    json_object_put(root);
    sfc_card *again = load_counted(v2);
    assert_int_equal(counted.bytes, 0);
    assert_memory_equal(again->secret, card->secret, 16);
    ct_expect(again, "0020000104 35363738", "9000");
    ct_expect(again, "00A4000C02 0101", "9000");
    ct_expect(again, "00B0000009", "546869732066696C65 9000");
    free(v2);
    sfc_card_free(again);
    sfc_card_free(card);
}

/* A version 1 image runs create() before its sections are read; when a
 * later section is bad the load fails and the half-made card is freed,
 * with what openpgp's create() left for attach() (found by fuzz_image as
 * a 544-byte leak; LeakSanitizer fails this test without the fix). */
static void test_v1_failed_load_frees_created_state(void **state)
{
    (void)state;
    static const char v1[] =
        "{\"format\": \"softcard-card-image\", \"version\": 1, "
        "\"type\": \"openpgp\", \"params\": {}, "
        "\"pins\": [{\"ref\": \"01\", \"value\": 17}]}";
    sfc_card *card = NULL;
    char err[SFC_IMAGE_ERR_MAX] = "";
    sfc_card_options base = {.rng = &counting_rng};
    memset(&counted, 0, sizeof(counted));
    assert_int_not_equal(sfc_image_load_text(v1, strlen(v1), &base, &card,
                                             err, sizeof(err)),
                         SFC_OK);
    assert_null(card);
    assert_true(counted.bytes > 0); /* create() ran before the failure */
    assert_non_null(strstr(err, "pins"));
}

/* The detector itself: creating an iso7816 card draws from the card's
 * source, loading its version 2 image draws nothing. */
static void test_v2_iso7816_load_runs_no_create(void **state)
{
    (void)state;
    sfc_card *card = NULL;
    char err[200] = "";
    sfc_card_options o = {.rng = &counting_rng};
    memset(&counted, 0, sizeof(counted));
    assert_int_equal(sfc_card_new("iso7816", &o, &card, err, sizeof(err)),
                     SFC_OK);
    assert_true(counted.bytes >= 16);
    char *v2 = it_save(card);
    sfc_card *loaded = load_counted(v2);
    assert_int_equal(counted.calls, 0);
    assert_int_equal(counted.bytes, 0);
    assert_memory_equal(loaded->secret, card->secret, 16);
    char *v2_again = it_save(loaded);
    assert_string_equal(v2, v2_again);
    /* the same image as version 1 goes through creation */
    char *v1 = as_version1(v2);
    sfc_card *migrated = load_counted(v1);
    assert_true(counted.bytes >= 16);
    assert_memory_equal(migrated->secret, card->secret, 16); /* image's */
    char *v2_migrated = it_save(migrated);
    assert_string_equal(v2, v2_migrated);
    free(v1);
    free(v2);
    free(v2_again);
    free(v2_migrated);
    sfc_card_free(migrated);
    sfc_card_free(loaded);
    sfc_card_free(card);
}

/* ---- version 1: handler_test ------------------------------------------------ */

static const uint8_t ht_aid[] = {0xA0, 0x00, 0x00, 0x00, 0x18, 0x50};

/* Version 1 had no applet DF: the image's MF is empty. */
static const char v1_handler_test[] =
    "{\n"
    "  \"format\": \"softcard-card-image\",\n"
    "  \"version\": 1,\n"
    "  \"type\": \"handler_test\",\n"
    "  \"extended_length\": false,\n"
    "  \"params\": {},\n"
    "  \"secret\": \"00000000000000000000000000000000\",\n"
    "  \"pins\": [],\n"
    "  \"keys\": [],\n"
    "  \"security_environments\": [],\n"
    "  \"mf\": {\"fid\": \"3F00\", \"kind\": \"df\", \"fdb\": \"38\",\n"
    "         \"lcs\": \"05\", \"children\": []}\n"
    "}\n";

static void expect_applet(sfc_card *card)
{
    static const ct_step steps[] = {
        {"80300000", "9000"},                    /* default application */
        {"8034000202", "0001 9000"},
        {"00A4040006 A00000001850", "9000"},
        {"00A4040006 A00000001851", "6A82"},
        {"803C000303", "000102 9000"},
        {"00B0000001", "6D00"},
    };
    CT_RUN(card, steps);
    assert_int_equal(fs_df_names_matching(card->mf, ht_aid, sizeof(ht_aid),
                                          NULL, 0), 1);
    assert_int_equal(card->n_apps, 1);
    assert_ptr_equal(sfc_app_df(card->apps[0]),
                     sfc_df_by_name(card, ht_aid, sizeof(ht_aid)));
}

static void test_v1_handler_test_keeps_applet_df(void **state)
{
    (void)state;
    sfc_card *card = it_load(v1_handler_test);
    expect_applet(card);
    char *v2 = it_save(card);
    assert_int_equal(version_of(v2), 2);
    assert_non_null(strstr(v2, "A00000001850")); /* the DF is in the image */
    sfc_card *again = load_counted(v2);
    expect_applet(again);
    char *v2_again = it_save(again);
    assert_string_equal(v2, v2_again);
    free(v2);
    free(v2_again);
    sfc_card_free(again);
    sfc_card_free(card);
}

/* A version 1 image that has the applet DF already: one DF, the image's. */
static void test_v1_handler_test_with_applet_df(void **state)
{
    (void)state;
    static const char v1[] =
        "{\"format\": \"softcard-card-image\", \"version\": 1, "
        "\"type\": \"handler_test\", \"mf\": {\"fid\": \"3F00\", "
        "\"kind\": \"df\", \"children\": [{\"fid\": \"1850\", \"kind\": "
        "\"df\", \"name\": \"A00000001850\", \"children\": [{\"fid\": "
        "\"0001\", \"kind\": \"transparent\", \"data\": \"AB\"}]}]}}";
    sfc_card *card = it_load(v1);
    expect_applet(card);
    sfc_file *df = sfc_df_by_name(card, ht_aid, sizeof(ht_aid));
    assert_non_null(sfc_file_child(df, 0x0001)); /* the image's DF */
    sfc_card_free(card);
}

/* A version 1 image whose MF holds another file with the applet DF's FID:
 * the created DF cannot come back, and the load is refused cleanly. */
static void test_v1_handler_test_fid_clash(void **state)
{
    (void)state;
    static const char v1[] =
        "{\"format\": \"softcard-card-image\", \"version\": 1, "
        "\"type\": \"handler_test\", \"mf\": {\"fid\": \"3F00\", "
        "\"kind\": \"df\", \"children\": [{\"fid\": \"1850\", \"kind\": "
        "\"transparent\", \"data\": \"AB\"}]}}";
    const char *err = it_load_error(v1, NULL);
    if (!strstr(err, "no DF named by its AID"))
        fail_msg("unexpected error: %s", err);
}

/* ---- ePass ------------------------------------------------------------------ */

static sfc_card *epass_original;
static char *epass_v2;

static int epass_group_setup(void **state)
{
    (void)state;
    sfc_card_options o = {0};
    epass_original = ct_card_ex("ePass", &o);
    epass_v2 = it_save(epass_original);
    return 0;
}

static int epass_group_teardown(void **state)
{
    (void)state;
    free(epass_v2);
    sfc_card_free(epass_original);
    return 0;
}

/* EF.SOD, EF.DG15 and the AA key of `card` are the original card's. */
static void expect_same_passport(sfc_card *card)
{
    size_t n1 = 0, n2 = 0;
    sfc_file *df1 = epass_lds_df(epass_original), *df2 = epass_lds_df(card);
    const uint8_t *sod1 = ef_bytes(epass_original, df1, EPASS_FID_SOD, &n1);
    const uint8_t *sod2 = ef_bytes(card, df2, EPASS_FID_SOD, &n2);
    assert_true(n1 > 0);
    assert_int_equal(n1, n2);
    assert_memory_equal(sod1, sod2, n1);
    const uint8_t *dg15a = ef_bytes(epass_original, df1, EPASS_FID_DG(15), &n1);
    const uint8_t *dg15b = ef_bytes(card, df2, EPASS_FID_DG(15), &n2);
    assert_int_equal(n1, n2);
    assert_memory_equal(dg15a, dg15b, n1);
    sfc_key *k1 = sfc_key_find(epass_original, EPASS_AA_KEY_REF);
    sfc_key *k2 = sfc_key_find(card, EPASS_AA_KEY_REF);
    assert_non_null(k1);
    assert_non_null(k2);
    assert_int_equal(EVP_PKEY_eq(sfc_key_pkey(k1), sfc_key_pkey(k2)), 1);
    /* the LDS1 application is bound to the loaded DF */
    assert_int_equal(card->n_apps, 1);
    assert_ptr_equal(sfc_app_df(card->apps[0]), df2);
    ct_expect(card, "0088000008 0102030405060708", "6D00");
    ct_expect(card, "00A4040C07 A0000002471001", "9000");
    const char *r = ct_x(card, "0088000008 0102030405060708");
    assert_string_not_equal(r, "6D00");
    ct_expect(card, "00B09E0001", "6982"); /* reading EF.COM needs BAC */
}

static void test_v2_epass_load_runs_no_create(void **state)
{
    (void)state;
    sfc_card *a = load_counted(epass_v2);
    assert_int_equal(counted.bytes, 0);
    sfc_card *b = load_counted(epass_v2);
    assert_int_equal(counted.bytes, 0);
    expect_same_passport(a);
    expect_same_passport(b);
    char *ta = it_save(a), *tb = it_save(b);
    assert_string_equal(ta, epass_v2);
    assert_string_equal(tb, epass_v2);
    free(ta);
    free(tb);
    sfc_card_free(a);
    sfc_card_free(b);
}

static void test_v1_epass_loads(void **state)
{
    (void)state;
    char *v1 = as_version1(epass_v2);
    sfc_card *card = it_load(v1);
    expect_same_passport(card);
    char *v2 = it_save(card);
    assert_int_equal(version_of(v2), 2);
    assert_string_equal(v2, epass_v2);
    free(v2);
    free(v1);
    sfc_card_free(card);
}

/* ---- version 2: PIN scope and state ----------------------------------------- */

static const uint8_t scope_aid[] = {0xA0, 0x00, 0x00, 0x03, 0x08, 0x00,
                                    0x00, 0x10, 0x00, 0x01, 0x00};
static const sfc_app_def scope_def = {
    .name = "scope only", .aid = scope_aid, .aid_len = sizeof(scope_aid)};

static void expect_same_pins(const sfc_card *a, const sfc_card *b)
{
    assert_int_equal(a->n_pins, b->n_pins);
    for (size_t i = 0; i < a->n_pins; i++) {
        const sfc_pin *p = &a->pins[i], *q = &b->pins[i];
        assert_int_equal(p->ref, q->ref);
        assert_int_equal(p->scope_len, q->scope_len);
        assert_memory_equal(p->scope, q->scope, p->scope_len);
        assert_int_equal(p->state, q->state);
        assert_int_equal(p->len, q->len);
        assert_memory_equal(p->value, q->value, p->len);
        assert_int_equal(p->min_len, q->min_len);
        assert_int_equal(p->max_len, q->max_len);
        assert_int_equal(p->max_tries, q->max_tries);
        assert_int_equal(p->tries_left, q->tries_left);
        assert_int_equal(p->has_puk, q->has_puk);
        assert_int_equal(p->puk_len, q->puk_len);
        assert_memory_equal(p->puk, q->puk, p->puk_len);
        assert_int_equal(p->puk_tries_left, q->puk_tries_left);
    }
}

static void test_v2_pin_scope_and_state_roundtrip(void **state)
{
    (void)state;
    sfc_card *card = ct_card("iso7816");
    char err[200] = "";
    /* 81 card-wide and 81 of an application: same reference, two scopes */
    const sfc_pin_spec wide = {.ref = 0x81, .value = "999999", .min_len = 6,
                               .max_len = 8, .tries = 3};
    const sfc_pin_spec scoped = {.ref = 0x81, .value = "654321", .min_len = 6,
                                 .max_len = 8, .tries = 5};
    assert_int_equal(sfc_pin_add(card, NULL, &wide, err, sizeof(err)), SFC_OK);
    assert_int_equal(sfc_pin_add(card, &scope_def, &scoped, err, sizeof(err)),
                     SFC_OK);
    assert_int_equal(card->n_pins, 3);
    assert_int_equal(sfc_pin_set_state(card, NULL, 0x01, SFC_PIN_SUSPENDED),
                     SFC_OK);
    card->pins[2].state = SFC_PIN_DEACTIVATED;
    card->pins[2].tries_left = 4;
    char *text = it_save(card);
    assert_int_equal(version_of(text), 2);
    json_object *root = parse(text);
    assert_string_equal(json_string_at(pin_at(root, 0), "state"), "suspended");
    assert_null(json_string_at(pin_at(root, 0), "scope"));
    assert_null(json_string_at(pin_at(root, 1), "scope"));
    assert_string_equal(json_string_at(pin_at(root, 2), "scope"),
                        "A000000308000010000100");
    assert_string_equal(json_string_at(pin_at(root, 2), "state"),
                        "deactivated");
    json_object_put(root);
    sfc_card *loaded = it_load(text);
    expect_same_pins(card, loaded);
    assert_int_equal(sfc_pin_get_state(loaded, NULL, 0x01), SFC_PIN_SUSPENDED);
    char *again = it_save(loaded);
    assert_string_equal(text, again);
    /* the loaded states act: suspended 01 uses no try; 81 seen from the
     * MF is the card-wide one */
    ct_expect(loaded, "0020000104 31323334", "6985");
    ct_expect(loaded, "0020000104 30303030", "6985");
    assert_int_equal(sfc_pin_tries_left(loaded, NULL, 0x01), 3);
    ct_expect(loaded, "0020008106 393939393939", "9000");
    free(again);
    free(text);
    sfc_card_free(loaded);
    sfc_card_free(card);
}

/* Whatever the PIN interface lets a card type build, the card's image
 * loads: a second card-wide PIN 01 must be refused by sfc_pin_add(), or
 * else the image must load (today the loader refuses it: "a second PIN
 * with reference 01 in the same scope"). */
static void test_pin_add_keeps_image_loadable(void **state)
{
    (void)state;
    sfc_card *card = ct_card("iso7816");
    char err[200] = "";
    const sfc_pin_spec dup = {.ref = 0x01, .value = "999999", .min_len = 4,
                              .max_len = 8, .tries = 3};
    sfc_err rv = SFC_OK;
    char why[SFC_IMAGE_ERR_MAX] = "";
    if (sfc_pin_add(card, NULL, &dup, err, sizeof(err)) == SFC_OK) {
        char *text = it_save(card);
        sfc_card *loaded = NULL;
        rv = sfc_image_load_text(text, strlen(text), NULL, &loaded, why,
                                 sizeof(why));
        sfc_card_free(loaded);
        free(text);
    }
    sfc_card_free(card);
    if (rv != SFC_OK)
        fail_msg("the saved image does not load: %s", why);
}

int main(void)
{
    const struct CMUnitTest plain[] = {
        cmocka_unit_test(test_v1_iso7816_loads),
        cmocka_unit_test(test_v1_absent_sections_keep_created),
        cmocka_unit_test(test_v1_failed_load_frees_created_state),
        cmocka_unit_test(test_v2_iso7816_load_runs_no_create),
        cmocka_unit_test(test_v1_handler_test_keeps_applet_df),
        cmocka_unit_test(test_v1_handler_test_with_applet_df),
        cmocka_unit_test(test_v1_handler_test_fid_clash),
        cmocka_unit_test(test_v2_pin_scope_and_state_roundtrip),
        cmocka_unit_test(test_pin_add_keeps_image_loadable),
    };
    const struct CMUnitTest epass[] = {
        cmocka_unit_test(test_v2_epass_load_runs_no_create),
        cmocka_unit_test(test_v1_epass_loads),
    };
    int failed = cmocka_run_group_tests_name("image migration", plain, NULL,
                                             NULL);
    failed += cmocka_run_group_tests_name("ePass images", epass,
                                          epass_group_setup,
                                          epass_group_teardown);
    return failed;
}
