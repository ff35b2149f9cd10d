/* SPDX-License-Identifier: LGPL-2.1-or-later */
/**
 * @file test_tool_cli.c
 * @brief Unit tests of the softcard option parser (tools/softcard_cli.c)
 *        and the small helpers of tools/softcard_run.c.
 *
 * One table of command lines with the expected exit status and either the
 * parsed fields or a fragment of the one-line error message.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "softcard_cli.h"
#include "softcard_run.h"
#include "testutil.h"

typedef struct cli_case {
    const char *args; /**< space-separated, without "softcard" */
    int status;
    const char *err;  /**< fragment of the error (status 2) */
    unsigned n_cards;
    const char *type0, *type_last;
    unsigned port;
    bool reversed;
    int verbose;
} cli_case;

static const cli_case cases[] = {
    /* valid */
    {"", 0, NULL, 1, "iso7816", "iso7816", 35963, false, 0},
    {"-t handler_test", 0, NULL, 1, "handler_test", "handler_test", 35963,
     false, 0},
    {"-t iso7816 -t handler_test", 0, NULL, 2, "iso7816", "handler_test",
     35963, false, 0},
    {"-t handler_test -n 3", 0, NULL, 3, "handler_test", "handler_test",
     35963, false, 0},
    {"-n 4", 0, NULL, 4, "iso7816", "iso7816", 35963, false, 0},
    {"-t iso7816 -t iso7816 -n 2", 0, NULL, 2, "iso7816", "iso7816", 35963,
     false, 0},
    {"-P 35964", 0, NULL, 1, "iso7816", "iso7816", 35964, false, 0},
    {"--port=0x8C7B", 0, NULL, 1, "iso7816", "iso7816", 35963, false, 0},
    {"-R -P 0", 0, NULL, 1, "iso7816", "iso7816", 0, true, 0},
    {"-R -P 0 -n 64", 0, NULL, 64, "iso7816", "iso7816", 0, true, 0},
    {"--reversed --bind :: -P 40000", 0, NULL, 1, "iso7816", "iso7816",
     40000, true, 0},
    {"-vvv", 0, NULL, 1, "iso7816", "iso7816", 35963, false, 3},
    {"-v -v --verbose -vv", 0, NULL, 1, "iso7816", "iso7816", 35963, false,
     5},
    {"-P 65534 -n 2", 0, NULL, 2, "iso7816", "iso7816", 65534, false, 0},
    {"-t nosuchtype", 0, NULL, 1, "nosuchtype", "nosuchtype", 35963, false,
     0}, /* types are checked by sfc_card_new at start */
    /* usage errors */
    {"-P 65535 -n 2", 2, "ports 65535..65536: beyond 65535", 0, 0, 0, 0, 0, 0},
    {"-P 65536", 2, "option -P: '65536' is not a port", 0, 0, 0, 0, 0, 0},
    {"-P -1", 2, "is not a port", 0, 0, 0, 0, 0, 0},
    {"-P 12ab", 2, "is not a port", 0, 0, 0, 0, 0, 0},
    {"-P 0", 2, "option -P 0:", 0, 0, 0, 0, 0, 0},
    {"-n 0", 2, "option -n: '0' is not a number of cards", 0, 0, 0, 0, 0, 0},
    {"-n 257", 2, "is not a number of cards", 0, 0, 0, 0, 0, 0},
    {"-n 100 -R -P 0", 0, NULL, 100, "iso7816", "iso7816", 0, true, 0},
    {"-t a -t b -n 3", 2, "option -n 3: does not match the 2 card types", 0,
     0, 0, 0, 0, 0},
    {"--bind 0.0.0.0", 2, "option --bind: only used in reversed mode", 0, 0,
     0, 0, 0, 0},
    {"--frobnicate", 2, "option --frobnicate: unknown (see softcard --help)",
     0, 0, 0, 0, 0, 0},
    {"-x", 2, "option -x: unknown", 0, 0, 0, 0, 0, 0},
    {"-t", 2, "option -t: needs an argument", 0, 0, 0, 0, 0, 0},
    {"--port", 2, "option --port: needs an argument", 0, 0, 0, 0, 0, 0},
    {"stray", 2, "argument 'stray': unexpected", 0, 0, 0, 0, 0, 0},
    /* card images */
    {"-f card.json", 0, NULL, 1, "iso7816", "iso7816", 35963, false, 0},
    {"--file card.json", 0, NULL, 1, "iso7816", "iso7816", 35963, false, 0},
    {"-f a.json -f b.json -R -P 0", 0, NULL, 2, "iso7816", "iso7816", 0, true, 0},
    {"-f a.json --pin 1234", 2, "option --pin: the image decides", 0, 0, 0, 0, 0, 0},
    {"-n 3 -f x -f y", 2, "option -n 3: does not match the 2 images", 0, 0, 0, 0, 0, 0},
    {"--init iso7816", 2, "option --init: needs exactly one -f IMAGE", 0, 0, 0, 0, 0, 0},
    {"--force", 2, "option --force: only used with --init", 0, 0, 0, 0, 0, 0},
    /* every option named after a declared card-type parameter */
    {"-t ePass --mrz X --surname DOE", 0, NULL, 1, "ePass", "ePass", 35963,
     false, 0},
    {"-t ePass --pin 1234", 2, "option --pin: no card type given takes it "
     "(iso7816 does;", 0, 0, 0, 0, 0, 0},
    {"-t iso7816 -t ePass --pin 1234 --mrz X", 0, NULL, 2, "iso7816", "ePass",
     35963, false, 0},
    {"--init ePass -f p.json --surname DOE", 0, NULL, 1, "iso7816", "iso7816",
     35963, false, 0},
    {"--init iso7816 -f p.json --surname DOE", 2, "option --surname: no card "
     "type given takes it (ePass does;", 0, 0, 0, 0, 0, 0},
    /* vicc's nPA options */
    {"-t nPA -d data.txt", 0, NULL, 1, "nPA", "nPA", 35963, false, 0},
    {"-d data.txt", 2, "option --datasetfile: no card type given takes it "
     "(nPA does;", 0, 0, 0, 0, 0, 0},
    {"-t nPA --ef-cardaccess f --ef-cardsecurity f --cvca f "
     "--disable-ta-checks --ca-key k --esign-cert c --esign-ca-cert c", 0,
     NULL, 1, "nPA", "nPA", 35963, false, 0},
    {"--cvca f", 2, "option --cvca: no card type given takes it", 0, 0, 0, 0,
     0, 0},
    /* relay card type */
    {"-t relay --reader 1", 0, NULL, 1, "relay", "relay", 35963, false, 0},
    {"-t relay --reader 1 --mitm m.so", 0, NULL, 1, "relay", "relay", 35963,
     false, 0},
    {"--reader 1", 2, "option --reader: no card type given takes it (relay "
     "does;", 0, 0, 0, 0, 0, 0},
    {"--mitm x.so", 2, "option --mitm: no card type given takes it (relay "
     "does;", 0, 0, 0, 0, 0, 0},
    {"--param nosuch=1", 2, "option --nosuch: no card type given takes it "
     "(none does;", 0, 0, 0, 0, 0, 0},
    /* plugins: a load failure is exit status 1, one line */
    {"-t ./no-such-plugin.so", 1, "cannot load plugin", 0, 0, 0, 0, 0, 0},
    {"--plugin /nonexistent/x.so", 1, "cannot load plugin", 0, 0, 0, 0, 0, 0},
};

/* Split `args` into argv (modifies a copy); returns argc. */
static int split(const char *args, char *copy, size_t cap, char **argv,
                 int max)
{
    int argc = 0;
    snprintf(copy, cap, "%s", args);
    argv[argc++] = "softcard";
    for (char *tok = strtok(copy, " "); tok && argc < max - 1;
         tok = strtok(NULL, " "))
        argv[argc++] = tok;
    argv[argc] = NULL;
    return argc;
}

static void check_case(const cli_case *c)
{
    char copy[256], err[512];
    char *argv[32];
    softcard_opts o;
    int argc = split(c->args, copy, sizeof(copy), argv, 32);
    int status = softcard_parse(argc, argv, &o, err, sizeof(err));

    if (status != c->status)
        fail_msg("'%s': status %d, expected %d (%s)", c->args, status,
                 c->status, err);
    if (c->status != 0) {
        if (!strstr(err, c->err))
            fail_msg("'%s': error '%s' lacks '%s'", c->args, err, c->err);
        assert_true(strncmp(err, "softcard: ", 10) == 0);
        assert_null(strchr(err, '\n'));
        return;
    }
    assert_int_equal(o.n_cards, c->n_cards);
    assert_string_equal(softcard_type_of_card(&o, 0), c->type0);
    assert_string_equal(softcard_type_of_card(&o, o.n_cards - 1), c->type_last);
    assert_int_equal(o.port, c->port);
    assert_int_equal(o.reversed, c->reversed);
    assert_int_equal(o.verbose, c->verbose);
}

static void test_table(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
        check_case(&cases[i]);
}

static void test_all_fields(void **state)
{
    (void)state;
    char copy[256], err[512];
    char *argv[32];
    softcard_opts o;
    int argc = split("-H vpcd.example -P 1000 --log-file /tmp/x.log "
                     "--control /tmp/ctl --no-reconnect --extended-length "
                     "--pin 123456 --puk 12345678",
                     copy, sizeof(copy), argv, 32);

    assert_int_equal(softcard_parse(argc, argv, &o, err, sizeof(err)), 0);
    assert_string_equal(o.hostname, "vpcd.example");
    assert_string_equal(o.log_file, "/tmp/x.log");
    assert_string_equal(o.control, "/tmp/ctl");
    assert_false(o.reconnect);
    assert_true(o.extended_length);
    assert_int_equal(o.n_params, 2);
    assert_string_equal(o.params[0].key, "pin");
    assert_string_equal(o.params[0].value, "123456");
    assert_string_equal(o.params[1].key, "puk");
    assert_string_equal(o.params[1].value, "12345678");
    assert_null(o.bind);
    assert_false(o.help);

    argc = split("", copy, sizeof(copy), argv, 32); /* defaults again */
    assert_int_equal(softcard_parse(argc, argv, &o, err, sizeof(err)), 0);
    assert_string_equal(o.hostname, "localhost");
    assert_true(o.reconnect);
    assert_int_equal(o.n_params, 0);
}

static void test_help_and_version(void **state)
{
    (void)state;
    char copy[64], err[512];
    char *argv[8];
    softcard_opts o;
    int argc = split("--help", copy, sizeof(copy), argv, 8);

    assert_int_equal(softcard_parse(argc, argv, &o, err, sizeof(err)), 0);
    assert_true(o.help);
    argc = split("-h -P 0", copy, sizeof(copy), argv, 8); /* help wins */
    assert_int_equal(softcard_parse(argc, argv, &o, err, sizeof(err)), 0);
    assert_true(o.help);
    argc = split("--version", copy, sizeof(copy), argv, 8);
    assert_int_equal(softcard_parse(argc, argv, &o, err, sizeof(err)), 0);
    assert_true(o.version);
}

static void test_help_lists_card_types(void **state)
{
    (void)state;
    char *text = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&text, &len);
    const char *const *names = sfc_card_type_names();

    softcard_print_help(f);
    fclose(f);
    assert_non_null(strstr(text, "--reversed"));
    assert_non_null(strstr(text, "--control PATH"));
    for (size_t i = 0; names[i]; i++)
        assert_non_null(strstr(text, names[i]));
    assert_non_null(strstr(text, "iso7816"));
    free(text);
}

static void test_log_levels(void **state)
{
    (void)state;
    static const sfc_log_level want[] = {SFC_LOG_ERROR, SFC_LOG_WARN,
                                        SFC_LOG_INFO, SFC_LOG_APDU,
                                        SFC_LOG_DEBUG, SFC_LOG_DEBUG};
    for (int v = 0; v < 6; v++)
        assert_int_equal(softcard_log_level(v), want[v]);
}

static void test_log_format(void **state)
{
    (void)state;
    char line[256];
    softcard_format_log(line, sizeof(line), SFC_LOG_WARN, "hello");
    /* "YYYY-MM-DD HH:MM:SS.mmm [WARN] hello\n" */
    assert_int_equal(strlen(line), 23 + strlen(" [WARN] hello\n"));
    assert_string_equal(line + 23, " [WARN] hello\n");
    assert_int_equal(line[4], '-');
    assert_int_equal(line[10], ' ');
    assert_int_equal(line[19], '.');
}

static void test_card_ops_bind_engine(void **state)
{
    (void)state;
    sfc_card *card = NULL;
    uint8_t atr[SFC_ATR_MAX];
    const uint8_t *r = NULL;
    size_t rlen = 0;
    static const uint8_t select_mf[] = {0x00, 0xA4, 0x00, 0x0C,
                                        0x02, 0x3F, 0x00};

    assert_int_equal(sfc_card_new("iso7816", NULL, &card, NULL, 0), SFC_OK);
    size_t n = softcard_card_ops.get_atr(card, atr, sizeof(atr));
    assert_true(n >= 2 && n <= SFC_ATR_MAX);
    assert_int_equal(atr[0], 0x3B);
    softcard_card_ops.power(card, 1);
    assert_int_equal(softcard_card_ops.transmit(card, select_mf,
                                                sizeof(select_mf), &r, &rlen),
                     SFC_OK);
    assert_true(rlen >= 2);
    tu_assert_hex(r + rlen - 2, 2, "9000");
    softcard_card_ops.power(card, 0);
    sfc_card_free(card);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_table),
        cmocka_unit_test(test_all_fields),
        cmocka_unit_test(test_help_and_version),
        cmocka_unit_test(test_help_lists_card_types),
        cmocka_unit_test(test_log_levels),
        cmocka_unit_test(test_log_format),
        cmocka_unit_test(test_card_ops_bind_engine),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
