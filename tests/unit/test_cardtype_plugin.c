/* SPDX-License-Identifier: LGPL-2.1-or-later */
/**
 * @file test_cardtype_plugin.c
 * @brief Loading card-type plugins in process (sfc_card_type_load()): the
 *        tutorial's card (examples/cardtype/mycard.c) loads and answers,
 *        and a plugin of another ABI, one without the entry symbol, one
 *        calling a function the program lacks and a missing file are
 *        refused with one line each; a plugin whose create() fails loads,
 *        and creating its card fails with the plugin's reason.
 *
 * The plugins are the shared objects that tests/CMakeLists.txt builds
 * into SFC_PLUGIN_DIR from examples/cardtype/ and
 * tests/integration/plugins/ (the ones integration.plugin_errors builds
 * against the installed files); this executable exports the engine's
 * sfc_* symbols to them as softcard does. The registry is process-wide,
 * so every test loads plugins of its own.
 */
#include "cardtest.h"

#include "cardtypes/cardtypes.h"

static char err[512];

static const char *plugin(const char *name)
{
    static char path[512];
    snprintf(path, sizeof(path), "%s/%s.so", SFC_PLUGIN_DIR, name);
    return path;
}

/* Loading `name` fails with `want` in the error, in one line. */
static void refused(const char *name, sfc_err want_rv, const char *want)
{
    const char *type = "unchanged";
    err[0] = '\0';
    assert_int_equal(sfc_card_type_load(plugin(name), &type, err,
                                        sizeof(err)), want_rv);
    if (!strstr(err, want))
        fail_msg("%s: '%s' not in '%s'", name, want, err);
    assert_null(strchr(err, '\n'));
    assert_string_equal(type, "unchanged");
}

static void test_good_plugin(void **state)
{
    (void)state;
    const char *name = NULL;
    assert_int_equal(sfc_card_type_load(plugin("mycard"), &name, err,
                                        sizeof(err)), SFC_OK);
    assert_string_equal(name, "mycard");
    const sfc_card_type *t = sfc_card_type_find("mycard");
    assert_non_null(t);
    assert_true(sfc_card_type_is_plugin(t));
    assert_false(sfc_card_type_is_plugin(sfc_card_type_find("iso7816")));

    sfc_card *card = ct_card_ex("mycard", NULL);
    ct_expect(card, "80010000", "6E00");
    ct_expect(card, "00A4040C09 F0534F465443415244", "9000");
    ct_expect(card, "8001000000",
              "48656C6C6F2066726F6D206D796361726421 9000");
    ct_expect(card, "800200000105", "00000005 9000");
    ct_expect(card, "00A4040005 A000000001", "6A82");
    ct_expect(card, "80020000", "00000006 9000");
    sfc_card_free(card);

    /* its parameter is validated as declared */
    static const sfc_param empty_greeting[] = {{"greeting", ""}};
    sfc_card_options o = {.params = empty_greeting, .n_params = 1};
    card = NULL;
    assert_int_not_equal(sfc_card_new("mycard", &o, &card, err, sizeof(err)),
                         SFC_OK);
    assert_null(card);
    assert_non_null(strstr(err, "greeting"));

    /* the same plugin again: a type of that name exists */
    refused("mycard", SFC_E_STATE, "a card type named 'mycard' exists");
    assert_ptr_equal(sfc_card_type_find("mycard"), t);
}

static void test_wrong_abi(void **state)
{
    (void)state;
    refused("abi2", SFC_E_UNSUPPORTED,
            "abi2.so: built for card-type ABI 2, this softcard has ABI 1");
    assert_null(sfc_card_type_find("abi2"));
}

static void test_missing_symbol(void **state)
{
    (void)state;
    refused("nosymbol", SFC_E_NOT_FOUND,
            "nosymbol.so: no symbol 'softcard_card_type'");
}

static void test_undefined_function(void **state)
{
    (void)state;
    refused("undefined", SFC_E_IO,
            "undefined symbol: sfc_no_such_function");
    assert_null(sfc_card_type_find("undefined"));
}

static void test_missing_file(void **state)
{
    (void)state;
    refused("nosuch", SFC_E_IO, "cannot open shared object file");
}

static void test_failing_create(void **state)
{
    (void)state;
    const char *name = NULL;
    assert_int_equal(sfc_card_type_load(plugin("createfail"), &name, err,
                                        sizeof(err)), SFC_OK);
    assert_string_equal(name, "createfail");
    sfc_card *card = NULL;
    err[0] = '\0';
    assert_int_not_equal(sfc_card_new("createfail", NULL, &card, err,
                                      sizeof(err)), SFC_OK);
    assert_null(card);
    assert_string_equal(err, "createfail: no card today (as planned)");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_good_plugin),
        cmocka_unit_test(test_wrong_abi),
        cmocka_unit_test(test_missing_symbol),
        cmocka_unit_test(test_undefined_function),
        cmocka_unit_test(test_missing_file),
        cmocka_unit_test(test_failing_create),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
