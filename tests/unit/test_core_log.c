/* SPDX-License-Identifier: LGPL-2.1-or-later */
/**
 * @file test_core_log.c
 * @brief Unit tests for the log sink, the level filter and hex dumps.
 */
#include "testutil.h"

#include <stdlib.h>
#include <string.h>

#include "core/log.h"

/** What the sink saw last. */
typedef struct capture {
    unsigned calls;
    sfc_log_level level;
    char msg[16384];
} capture;

static void capture_sink(void *user, sfc_log_level level, const char *msg)
{
    capture *c = user;
    c->calls++;
    c->level = level;
    assert_true(strlen(msg) < sizeof(c->msg));
    strcpy(c->msg, msg);
}

static int setup(void **state)
{
    capture *c = calloc(1, sizeof(*c));
    if (!c)
        return -1;
    *state = c;
    sfc_log_set(capture_sink, c, SFC_LOG_INFO);
    return 0;
}

static int teardown(void **state)
{
    sfc_log_set(NULL, NULL, SFC_LOG_ERROR);
    free(*state);
    return 0;
}

static void test_default_discards(void **state)
{
    (void)state;
    /* runs first, before any sink is installed */
    for (int level = SFC_LOG_ERROR; level <= SFC_LOG_DEBUG; level++)
        assert_false(sfc_log_enabled((sfc_log_level)level));
    sfc_log(SFC_LOG_ERROR, "nobody hears this %d", 1);
    sfc_log_hex(SFC_LOG_ERROR, "nor this", (const uint8_t *)"\x01", 1);
}

static void test_level_filter(void **state)
{
    capture *c = *state;
    assert_true(sfc_log_enabled(SFC_LOG_ERROR));
    assert_true(sfc_log_enabled(SFC_LOG_WARN));
    assert_true(sfc_log_enabled(SFC_LOG_INFO));
    assert_false(sfc_log_enabled(SFC_LOG_APDU));
    assert_false(sfc_log_enabled(SFC_LOG_DEBUG));

    sfc_log(SFC_LOG_DEBUG, "hidden");
    sfc_log_hex(SFC_LOG_APDU, "hidden", (const uint8_t *)"\x01", 1);
    assert_int_equal(c->calls, 0);
    sfc_log(SFC_LOG_WARN, "card %s on port %d", "iso7816", 35963);
    assert_int_equal(c->calls, 1);
    assert_int_equal(c->level, SFC_LOG_WARN);
    assert_string_equal(c->msg, "card iso7816 on port 35963");

    sfc_log_set(capture_sink, c, SFC_LOG_DEBUG);
    sfc_log(SFC_LOG_DEBUG, "now visible");
    assert_string_equal(c->msg, "now visible");
    sfc_log_set(NULL, c, SFC_LOG_DEBUG);
    assert_false(sfc_log_enabled(SFC_LOG_ERROR));
    sfc_log(SFC_LOG_ERROR, "dropped");
    assert_int_equal(c->calls, 2);
}

static void test_long_message_is_truncated(void **state)
{
    capture *c = *state;
    char *big = malloc(5001);
    assert_non_null(big);
    memset(big, 'a', 5000);
    big[5000] = '\0';
    sfc_log(SFC_LOG_INFO, "%s", big);
    size_t n = strlen(c->msg);
    assert_int_equal(n, 1023);
    assert_string_equal(c->msg + n - 3, "...");
    assert_int_equal(c->msg[n - 4], 'a');
    /* exactly fitting: no mark */
    big[1023] = '\0';
    sfc_log(SFC_LOG_INFO, "%s", big);
    assert_int_equal(strlen(c->msg), 1023);
    assert_int_equal(c->msg[1022], 'a');
    free(big);
}

static void vlog_wrapper(sfc_log_level level, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void vlog_wrapper(sfc_log_level level, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    sfc_vlog(level, fmt, ap);
    va_end(ap);
}

static void test_vlog(void **state)
{
    capture *c = *state;
    vlog_wrapper(SFC_LOG_ERROR, "%04X %s", 0x6A82u, "file not found");
    assert_string_equal(c->msg, "6A82 file not found");
}

static void test_hex_dump(void **state)
{
    capture *c = *state;
    const uint8_t apdu[] = {0x00, 0xA4, 0x04, 0x0C};
    sfc_log_hex(SFC_LOG_INFO, "C-APDU", apdu, sizeof(apdu));
    assert_string_equal(c->msg, "C-APDU 00 A4 04 0C");
    sfc_log_hex(SFC_LOG_INFO, "R-APDU: ", apdu, 2);
    assert_string_equal(c->msg, "R-APDU: 00 A4");
    sfc_log_hex(SFC_LOG_INFO, NULL, apdu, 1);
    assert_string_equal(c->msg, "00");
    sfc_log_hex(SFC_LOG_INFO, "", apdu, 1);
    assert_string_equal(c->msg, "00");
    sfc_log_hex(SFC_LOG_INFO, "empty", apdu, 0);
    assert_string_equal(c->msg, "empty (empty)");
    sfc_log_hex(SFC_LOG_INFO, "null", NULL, 5);
    assert_string_equal(c->msg, "null (empty)");
}

static void test_hex_dump_truncation(void **state)
{
    capture *c = *state;
    uint8_t *data = malloc(5000);
    assert_non_null(data);
    memset(data, 0xAB, 5000);
    sfc_log_hex(SFC_LOG_INFO, "big", data, 4096);
    assert_int_equal(strlen(c->msg), 4 + 3 * 4096 - 1);
    assert_null(strstr(c->msg, "shown"));

    sfc_log_hex(SFC_LOG_INFO, "big", data, 5000);
    const char *note = " ... (5000 bytes, first 4096 shown)";
    size_t n = strlen(c->msg);
    assert_int_equal(n, 4 + 3 * 4096 - 1 + strlen(note));
    assert_string_equal(c->msg + n - strlen(note), note);
    free(data);
}

static void test_hex_dump_long_prefix(void **state)
{
    capture *c = *state;
    char prefix[1001];
    memset(prefix, 'p', 1000);
    prefix[1000] = '\0';
    sfc_log_hex(SFC_LOG_INFO, prefix, (const uint8_t *)"\x90\x00", 2);
    assert_int_equal(strlen(c->msg), 256 + 1 + 5);
    assert_string_equal(c->msg + 256, " 90 00");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_default_discards),
        cmocka_unit_test_setup_teardown(test_level_filter, setup, teardown),
        cmocka_unit_test_setup_teardown(test_long_message_is_truncated, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_vlog, setup, teardown),
        cmocka_unit_test_setup_teardown(test_hex_dump, setup, teardown),
        cmocka_unit_test_setup_teardown(test_hex_dump_truncation, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_hex_dump_long_prefix, setup,
                                        teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
