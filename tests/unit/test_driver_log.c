/* SPDX-License-Identifier: LGPL-2.1-or-later */
/**
 * @file test_driver_log.c
 * @brief Unit tests of the driver's logging (driver/drvlog.c): the level
 *        from SOFTCARD_DRIVER_LOG and log=, and APDU traces that never show
 *        the data of PIN-like commands below the debug level.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/log.h"
#include "driver/devname.h"
#include "driver/drvlog.h"
#include "testutil.h"

static char captured[2048];

static void capture(void *user, sfc_log_level level, const char *msg)
{
    (void)user;
    (void)level;
    size_t n = strlen(captured);
    snprintf(captured + n, sizeof(captured) - n, "%s\n", msg);
}

static const char *trace_command(sfc_log_level level, const char *hex)
{
    uint8_t apdu[64];
    size_t n = tu_hex(hex, apdu, sizeof(apdu));
    captured[0] = '\0';
    sfc_log_set(capture, NULL, level);
    drv_log_command("00:00", apdu, n);
    return captured;
}

static void test_verify_masked(void **state)
{
    (void)state;
    /* VERIFY with PIN 1234: the PIN never shows at the apdu level */
    const char *out = trace_command(SFC_LOG_APDU, "0020000104 31323334");
    assert_non_null(strstr(out, "00 20 00 01"));
    assert_non_null(strstr(out, "5 more bytes hidden"));
    assert_null(strstr(out, "31 32"));
    /* CHANGE REFERENCE DATA, RESET RETRY COUNTER, PUT DATA likewise */
    assert_null(strstr(trace_command(SFC_LOG_APDU,
                                     "002400010831323334 35363738"),
                       "31 32"));
    assert_null(strstr(trace_command(SFC_LOG_APDU, "002C000104 31323334"),
                       "31 32"));
    assert_null(strstr(trace_command(SFC_LOG_APDU, "00DA000004 31323334"),
                       "31 32"));
    /* other commands are shown whole; debug shows everything */
    assert_non_null(strstr(trace_command(SFC_LOG_APDU, "00A4000C023F00"),
                           "00 A4 00 0C 02 3F 00"));
    assert_non_null(strstr(trace_command(SFC_LOG_DEBUG, "0020000104 31323334"),
                           "31 32 33 34"));
    /* below the apdu level nothing is logged */
    assert_string_equal(trace_command(SFC_LOG_INFO, "00A4000C023F00"), "");
}

static void test_responses(void **state)
{
    (void)state;
    const uint8_t resp[] = {0x31, 0x32, 0x33, 0x90, 0x00};
    captured[0] = '\0';
    sfc_log_set(capture, NULL, SFC_LOG_APDU);
    drv_log_response("00:00", resp, sizeof(resp));
    assert_non_null(strstr(captured, "3 data bytes, SW 9000"));
    assert_null(strstr(captured, "31"));
    captured[0] = '\0';
    sfc_log_set(capture, NULL, SFC_LOG_DEBUG);
    drv_log_response("00:00", resp, sizeof(resp));
    assert_non_null(strstr(captured, "31 32 33 90 00"));
}

static void test_sensitive_list(void **state)
{
    (void)state;
    static const uint8_t secret[] = {0x20, 0x21, 0x24, 0x25, 0x26, 0x28,
                                     0x2A, 0x2C, 0x2D, 0x82, 0x86, 0x87,
                                     0xDA, 0xDB};
    uint8_t apdu[4] = {0x00, 0x00, 0x00, 0x00};
    for (size_t i = 0; i < sizeof(secret); i++) {
        apdu[1] = secret[i];
        assert_true(drv_apdu_is_sensitive(apdu, sizeof(apdu)));
    }
    apdu[1] = 0xA4;
    assert_false(drv_apdu_is_sensitive(apdu, sizeof(apdu)));
    assert_false(drv_apdu_is_sensitive(apdu, 1));
}

static void test_levels(void **state)
{
    (void)state;
    /* quiet by default: errors only */
    unsetenv(DRV_LOG_ENV);
    drv_log_setup(NULL);
    assert_true(sfc_log_enabled(SFC_LOG_ERROR));
    assert_false(sfc_log_enabled(SFC_LOG_WARN));
    /* the environment raises it */
    setenv(DRV_LOG_ENV, "info", 1);
    drv_log_setup(NULL);
    assert_true(sfc_log_enabled(SFC_LOG_INFO));
    assert_false(sfc_log_enabled(SFC_LOG_APDU));
    /* so does a reader's log= option; the level never goes down */
    drv_config cfg;
    assert_int_equal(drv_config_parse("/dev/null:1,log=apdu", &cfg, NULL, 0),
                     SFC_OK);
    drv_log_setup(&cfg);
    assert_true(sfc_log_enabled(SFC_LOG_APDU));
    assert_int_equal(drv_config_parse("/dev/null:1,log=error", &cfg, NULL, 0),
                     SFC_OK);
    drv_log_setup(&cfg);
    assert_true(sfc_log_enabled(SFC_LOG_APDU));
    assert_false(sfc_log_enabled(SFC_LOG_DEBUG));
    unsetenv(DRV_LOG_ENV);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_verify_masked),
        cmocka_unit_test(test_responses),
        cmocka_unit_test(test_sensitive_list),
        cmocka_unit_test(test_levels),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
