/* SPDX-License-Identifier: LGPL-2.1-or-later */
/**
 * @file test_os_logmask.c
 * @brief No PIN or key bytes in the APDU log (-vvv), whatever the command
 *        looks like: well-formed, malformed, unknown, chained or under SM.
 *
 * Every command below carries the bytes 31 32 33 34 35 36 (a PIN) in its
 * data; the captured log at SFC_LOG_DEBUG must never contain them, and must
 * still name the command by its header.
 */
#include "cardtest.h"

#include "core/log.h"

static char logged[16384];

static void capture(void *user, sfc_log_level level, const char *msg)
{
    (void)user;
    (void)level;
    size_t n = strlen(logged);
    snprintf(logged + n, sizeof(logged) - n, "%s\n", msg);
}

static int setup(void **state)
{
    logged[0] = '\0';
    *state = ct_card("iso7816");
    sfc_log_set(capture, NULL, SFC_LOG_DEBUG);
    return 0;
}

static int teardown(void **state)
{
    sfc_log_set(NULL, NULL, SFC_LOG_ERROR);
    sfc_card_free(*state);
    return 0;
}

/* Send `apdu`, then check the log has its header and not the secret. */
static void expect_masked(sfc_card *card, const char *apdu, const char *header)
{
    logged[0] = '\0';
    (void)ct_x(card, apdu);
    if (strstr(logged, "31 32 33 34") || strstr(logged, "313233"))
        fail_msg("secret logged for %s:\n%s", apdu, logged);
    if (!strstr(logged, header))
        fail_msg("header %s not logged for %s:\n%s", header, apdu, logged);
}

static void test_verify_wellformed(void **state)
{
    expect_masked(*state, "0020008106 313233343536", "00 20 00 81");
}

static void test_verify_malformed(void **state)
{
    /* Lc says 8, 6 bytes follow: the parser cannot delimit the data */
    expect_masked(*state, "0020008108 313233343536", "00 20 00 81");
    expect_masked(*state, "00200081 313233343536", "00 20 00 81");
}

static void test_reset_retry_counter_malformed(void **state)
{
    expect_masked(*state, "002C00810C 313233343536", "00 2C 00 81");
    expect_masked(*state, "002C0081 00 313233343536", "00 2C 00 81");
}

static void test_change_reference_data(void **state)
{
    expect_masked(*state, "002400810C 313233343536 313233343536",
                  "00 24 00 81");
    expect_masked(*state, "0024008110 313233343536", "00 24 00 81");
}

static void test_put_data(void **state)
{
    expect_masked(*state, "00DA010206 313233343536", "00 DA 01 02");
    expect_masked(*state, "00DB3FFF06 313233343536", "00 DB 3F FF");
}

/* An instruction the card does not know may carry a PIN all the same. */
static void test_unknown_instruction(void **state)
{
    expect_masked(*state, "0021008106 313233343536", "00 21 00 81");
    expect_masked(*state, "0086008106 313233343536", "00 86 00 81");
}

static void test_chained_verify(void **state)
{
    expect_masked(*state, "1020008103 313233", "10 20 00 81");
    expect_masked(*state, "0020008103 343536", "00 20 00 81");
}

/* SM without a session: a protected VERIFY (its DO81 in clear), also
 * malformed. */
static void test_secure_messaging_verify(void **state)
{
    expect_masked(*state, "0C20008108 8106313233343536", "0C 20 00 81");
    expect_masked(*state, "0C2000810A 8106313233343536", "0C 20 00 81");
}

int main(void)
{
#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)
    const struct CMUnitTest tests[] = {
        T(test_verify_wellformed),
        T(test_verify_malformed),
        T(test_reset_retry_counter_malformed),
        T(test_change_reference_data),
        T(test_put_data),
        T(test_unknown_instruction),
        T(test_chained_verify),
        T(test_secure_messaging_verify),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
