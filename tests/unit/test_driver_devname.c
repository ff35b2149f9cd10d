/* SPDX-License-Identifier: LGPL-2.1-or-later */
/**
 * @file test_driver_devname.c
 * @brief Unit tests of DEVICENAME parsing (driver/devname.c), table-driven.
 *
 * One table of accepted DEVICENAMEs with the configuration each must give
 * (vsmartcard's forms, IPv6 in brackets, host names, quotes, options) and
 * one table of malformed ones with a word the refusal must contain. A
 * refusal always leaves the defaults in the configuration.
 */
#include <string.h>

#include "driver/devname.h"
#include "testutil.h"

typedef struct good_case {
    const char *devicename;
    drv_mode mode;
    const char *host;
    unsigned port;
    unsigned slots;
    unsigned apdu_timeout_ms; /* 0: the default */
} good_case;

static const good_case good[] = {
    /* vsmartcard's forms */
    {"/dev/null:0x8C7B", DRV_LISTEN, "127.0.0.1", 35963, 2, 0},
    {"/dev/null:35963", DRV_LISTEN, "127.0.0.1", 35963, 2, 0},
    {"/dev/null:0106173", DRV_LISTEN, "127.0.0.1", 35963, 2, 0}, /* octal */
    {"/dev/null", DRV_LISTEN, "127.0.0.1", 35963, 2, 0},
    {"", DRV_LISTEN, "127.0.0.1", 35963, 2, 0},
    {"192.168.0.4:0x8C7B", DRV_CONNECT, "192.168.0.4", 35963, 2, 0},
    {"localhost:40000", DRV_CONNECT, "localhost", 40000, 2, 0},
    {"card-host.example.org:1", DRV_CONNECT, "card-host.example.org", 1, 2, 0},
    /* IPv6 and quotes */
    {"[::1]:35963", DRV_CONNECT, "::1", 35963, 2, 0},
    {"[fe80::1%eth0]:5", DRV_CONNECT, "fe80::1%eth0", 5, 2, 0},
    {"\"[::1]:35963\"", DRV_CONNECT, "::1", 35963, 2, 0},
    {"  '/dev/null:0x8C7B'  ", DRV_LISTEN, "127.0.0.1", 35963, 2, 0},
    /* options */
    {"/dev/null:35963,slots=4", DRV_LISTEN, "127.0.0.1", 35963, 4, 0},
    {"/dev/null:35963,slots=16", DRV_LISTEN, "127.0.0.1", 35963, 16, 0},
    {"\"/dev/null:0x8C7B,bind=0.0.0.0\"", DRV_LISTEN, "0.0.0.0", 35963, 2, 0},
    {"/dev/null:0x8C7B,bind=[::]", DRV_LISTEN, "::", 35963, 2, 0},
    {"/dev/null:0x8C7B,bind=::1,slots=1", DRV_LISTEN, "::1", 35963, 1, 0},
    {"/dev/null:0x8C7B,bind=localhost", DRV_LISTEN, "localhost", 35963, 2, 0},
    {"[::1]:9,timeout=250", DRV_CONNECT, "::1", 9, 2, 250},
    {"h:9,timeout=1,timeout=7", DRV_CONNECT, "h", 9, 2, 7},
    {"/dev/null:65534,slots=2", DRV_LISTEN, "127.0.0.1", 65534, 2, 0},
    {"/dev/null:65535,slots=1", DRV_LISTEN, "127.0.0.1", 65535, 1, 0},
    {"/dev/null:1,atr_timeout=5,connect_timeout=6,log=debug", DRV_LISTEN,
     "127.0.0.1", 1, 2, 0},
    /* Unix-domain sockets: slot n on PATH.n */
    {"unix:/run/softcard/vpcd", DRV_LISTEN, "unix:/run/softcard/vpcd", 35963,
     2, 0},
    {"\"unix:/run/sc/v,slots=4,mode=listen\"", DRV_LISTEN, "unix:/run/sc/v",
     35963, 4, 0},
    {"\"unix:/run/sc/v,mode=connect,timeout=9\"", DRV_CONNECT,
     "unix:/run/sc/v", 35963, 2, 9},
};

static void test_good(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
        const good_case *c = &good[i];
        drv_config cfg;
        char why[256];
        sfc_err err = drv_config_parse(c->devicename, &cfg, why, sizeof(why));
        if (err != SFC_OK)
            fail_msg("\"%s\" refused: %s", c->devicename, why);
        assert_int_equal(cfg.mode, c->mode);
        assert_string_equal(cfg.host, c->host);
        assert_int_equal(cfg.port, c->port);
        assert_int_equal(cfg.slots, c->slots);
        unsigned timeout = c->apdu_timeout_ms ? c->apdu_timeout_ms
                                              : DRV_DEFAULT_APDU_TIMEOUT_MS;
        assert_int_equal(cfg.apdu_timeout_ms, timeout);
    }
}

static void test_other_options(void **state)
{
    (void)state;
    drv_config cfg;
    assert_int_equal(drv_config_parse("/dev/null:1,atr_timeout=5,"
                                      "connect_timeout=6,log=debug",
                                      &cfg, NULL, 0), SFC_OK);
    assert_int_equal(cfg.atr_timeout_ms, 5);
    assert_int_equal(cfg.connect_timeout_ms, 6);
    assert_true(cfg.log_set);
    assert_int_equal(cfg.log_level, SFC_LOG_DEBUG);
    assert_int_equal(drv_config_parse("/dev/null:1,log=2", &cfg, NULL, 0),
                     SFC_OK);
    assert_int_equal(cfg.log_level, SFC_LOG_INFO);
    assert_int_equal(drv_config_parse("/dev/null:1", &cfg, NULL, 0), SFC_OK);
    assert_false(cfg.log_set);
    assert_int_equal(cfg.atr_timeout_ms, DRV_DEFAULT_ATR_TIMEOUT_MS);
    assert_int_equal(cfg.connect_timeout_ms, DRV_DEFAULT_CONNECT_TIMEOUT_MS);
}

typedef struct bad_case {
    const char *devicename;
    const char *reason; /* a word the explanation contains */
} bad_case;

static const bad_case bad[] = {
    {NULL, "no DEVICENAME"},
    {"/dev/null:", "port"},
    {"/dev/null:0", "port"},
    {"/dev/null:65536", "port"},
    {"/dev/null:-1", "port"},
    {"/dev/null: 35963", "port"},
    {"/dev/null:35963x", "port"},
    {"/dev/null:0x", "port"},
    {"/dev/null:99999999999999999999999", "port"},
    {"localhost:", "port"},
    {"::1:35963", "brackets"},
    {"fe80::1:35963", "brackets"},
    {":35963", "host"},
    {"[::1]", "PORT"},
    {"[::1]35963", "PORT"},
    {"[::1:35963", "]"},
    {"[]:35963", "host"},
    {"/dev/zero:35963", "host"},
    {"bad host:1", "host"},
    {"/dev/null:1,slots=0", "slots"},
    {"/dev/null:1,slots=17", "slots"},
    {"/dev/null:1,slots=two", "slots"},
    {"/dev/null:1,slots=", "key=value"},
    {"/dev/null:1,slots", "key=value"},
    {"/dev/null:1,=4", "key=value"},
    {"/dev/null:1,colour=blue", "unknown option"},
    {"/dev/null:1,timeout=0", "timeout"},
    {"/dev/null:1,timeout=-5", "timeout"},
    {"/dev/null:1,timeout=3600001", "timeout"},
    {"/dev/null:1,log=loud", "log"},
    {"unix:", "absolute"},
    {"unix:run/vpcd", "absolute"},
    {"unix:/run/sc/v,mode=dial", "mode"},
    {"unix:/run/sc/v,bind=0.0.0.0", "bind"},
    {"/dev/null:1,mode=connect", "unknown option"},
    {"unix:/aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
     "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", "too long"},
    {"/dev/null:1,bind=a b", "host"},
    {"/dev/null:1,bind=[::1", "host"},
    {"localhost:1,bind=0.0.0.0", "bind="},
    {"/dev/null:65535,slots=2", "65535"},
    {"/dev/null:65530,slots=16", "65535"},
    {"\"/dev/null:1", "host"},
};

static void test_bad(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        const bad_case *c = &bad[i];
        drv_config cfg;
        char why[256] = "";
        sfc_err err = drv_config_parse(c->devicename, &cfg, why, sizeof(why));
        if (err == SFC_OK)
            fail_msg("\"%s\" accepted", c->devicename);
        if (!strstr(why, c->reason))
            fail_msg("\"%s\": \"%s\" does not mention \"%s\"", c->devicename,
                     why, c->reason);
        /* a refusal leaves the defaults */
        assert_int_equal(cfg.mode, DRV_LISTEN);
        assert_string_equal(cfg.host, DRV_DEFAULT_BIND);
        assert_int_equal(cfg.port, 35963);
        assert_int_equal(cfg.slots, DRV_DEFAULT_SLOTS);
    }
}

static void test_too_long(void **state)
{
    (void)state;
    char name[400];
    memset(name, 'a', sizeof(name) - 1);
    name[sizeof(name) - 1] = '\0';
    drv_config cfg;
    char why[128];
    assert_int_not_equal(drv_config_parse(name, &cfg, why, sizeof(why)),
                         SFC_OK);
    assert_non_null(strstr(why, "longer"));
    /* a 256-byte host name is too long even though the DEVICENAME fits */
    char host[300];
    memset(host, 'h', 256);
    strcpy(host + 256, ":1");
    assert_int_not_equal(drv_config_parse(host, &cfg, NULL, 0), SFC_OK);
}

static void test_channel(void **state)
{
    (void)state;
    drv_config cfg;
    char why[128];
    assert_int_equal(drv_config_channel(0x8C7B, &cfg, why, sizeof(why)),
                     SFC_OK);
    assert_int_equal(cfg.mode, DRV_LISTEN);
    assert_int_equal(cfg.port, 35963);
    assert_string_equal(cfg.host, "127.0.0.1");
    assert_int_not_equal(drv_config_channel(0, &cfg, why, sizeof(why)),
                         SFC_OK);
    assert_int_not_equal(drv_config_channel(65535, &cfg, why, sizeof(why)),
                         SFC_OK);
    assert_int_not_equal(drv_config_channel(0x10000, &cfg, why, sizeof(why)),
                         SFC_OK);
}

static void test_log_levels(void **state)
{
    (void)state;
    sfc_log_level level;
    assert_true(drv_parse_log_level("error", &level));
    assert_int_equal(level, SFC_LOG_ERROR);
    assert_true(drv_parse_log_level("apdu", &level));
    assert_int_equal(level, SFC_LOG_APDU);
    assert_true(drv_parse_log_level("4", &level));
    assert_int_equal(level, SFC_LOG_DEBUG);
    assert_false(drv_parse_log_level("5", &level));
    assert_false(drv_parse_log_level("DEBUG", &level));
    assert_false(drv_parse_log_level("", &level));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_good),
        cmocka_unit_test(test_other_options),
        cmocka_unit_test(test_bad),
        cmocka_unit_test(test_too_long),
        cmocka_unit_test(test_channel),
        cmocka_unit_test(test_log_levels),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
