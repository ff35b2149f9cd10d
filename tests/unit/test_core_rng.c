/* SPDX-License-Identifier: LGPL-2.1-or-later */
/**
 * @file test_core_rng.c
 * @brief Unit tests for the random sources and the clock.
 */
#include "testutil.h"

#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "core/rng.h"

static void test_system_source(void **state)
{
    (void)state;
    uint8_t a[32], b[32], zero[32] = {0};
    assert_int_equal(sfc_rng_fill(NULL, a, sizeof(a)), SFC_OK);
    assert_int_equal(sfc_rng_fill(sfc_rng_system(), b, sizeof(b)), SFC_OK);
    /* 2^-256 chance of a false failure */
    assert_memory_not_equal(a, b, sizeof(a));
    assert_memory_not_equal(a, zero, sizeof(a));
    assert_int_equal(sfc_rng_system()->fill(NULL, a, 1), SFC_OK);
    assert_ptr_equal(sfc_rng_system(), sfc_rng_system());
}

/* Small requests come from a per-thread pool: a large one, many small ones
 * across refills, and no byte twice. */
static void test_system_source_pool(void **state)
{
    (void)state;
    uint8_t big[1000], small[40][8];
    assert_int_equal(sfc_rng_fill(NULL, big, sizeof(big)), SFC_OK);
    for (int i = 0; i < 40; i++) /* 320 bytes: at least one refill */
        assert_int_equal(sfc_rng_fill(NULL, small[i], 8), SFC_OK);
    for (int i = 0; i < 40; i++)
        for (int j = i + 1; j < 40; j++)
            assert_memory_not_equal(small[i], small[j], 8);
}

/* A forked child must not hand out the bytes its parent hands out next. */
static void test_system_source_fork(void **state)
{
    (void)state;
    uint8_t first[8], mine[8], child[8] = {0};
    int fds[2];
    assert_int_equal(sfc_rng_fill(NULL, first, sizeof(first)), SFC_OK);
    assert_int_equal(pipe(fds), 0);
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        uint8_t b[8];
        int ok = sfc_rng_fill(NULL, b, sizeof(b)) == SFC_OK &&
                 write(fds[1], b, sizeof(b)) == (ssize_t)sizeof(b);
        _exit(ok ? 0 : 1);
    }
    assert_int_equal(sfc_rng_fill(NULL, mine, sizeof(mine)), SFC_OK);
    assert_int_equal(read(fds[0], child, sizeof(child)), (ssize_t)sizeof(child));
    int status = 0;
    assert_int_equal(waitpid(pid, &status, 0), pid);
    assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
    assert_memory_not_equal(mine, child, sizeof(mine));
    close(fds[0]);
    close(fds[1]);
}

static void test_fill_arguments(void **state)
{
    (void)state;
    uint8_t out[4];
    sfc_rng broken = {NULL, NULL};
    assert_int_equal(sfc_rng_fill(NULL, NULL, 0), SFC_OK);
    assert_int_equal(sfc_rng_fill(NULL, NULL, 4), SFC_E_INVAL);
    assert_int_equal(sfc_rng_fill(&broken, out, sizeof(out)), SFC_E_INVAL);
}

static void test_script_hands_out_bytes_in_order(void **state)
{
    (void)state;
    const uint8_t bytes[] = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10};
    sfc_rng_script script;
    sfc_rng rng = sfc_rng_script_make(&script, bytes, sizeof(bytes));
    uint8_t out[10];
    assert_int_equal(sfc_rng_fill(&rng, out, 3), SFC_OK);
    tu_assert_hex(out, 3, "010203");
    assert_int_equal(sfc_rng_fill(&rng, out, 0), SFC_OK);
    assert_int_equal(sfc_rng_fill(&rng, out, 7), SFC_OK);
    tu_assert_hex(out, 7, "0405060708090A");
    assert_int_equal(script.pos, 10);
    assert_int_equal(sfc_rng_fill(&rng, out, 1), SFC_E_RNG);
    assert_int_equal(sfc_rng_fill(&rng, out, 1), SFC_E_RNG);
}

static void test_script_overdraw_consumes_nothing(void **state)
{
    (void)state;
    const uint8_t bytes[] = {0xA1, 0xA2, 0xA3, 0xA4};
    sfc_rng_script script;
    sfc_rng rng = sfc_rng_script_make(&script, bytes, sizeof(bytes));
    uint8_t out[8] = {0};
    assert_int_equal(sfc_rng_fill(&rng, out, 3), SFC_OK);
    memset(out, 0xEE, sizeof(out));
    assert_int_equal(sfc_rng_fill(&rng, out, 2), SFC_E_RNG);
    tu_assert_hex(out, 2, "EEEE");
    assert_int_equal(sfc_rng_fill(&rng, out, 1), SFC_OK);
    tu_assert_hex(out, 1, "A4");

    /* re-making the source starts over */
    rng = sfc_rng_script_make(&script, bytes, sizeof(bytes));
    assert_int_equal(sfc_rng_fill(&rng, out, 4), SFC_OK);
    tu_assert_hex(out, 4, "A1A2A3A4");
}

static void test_script_empty_and_null(void **state)
{
    (void)state;
    uint8_t out[1];
    sfc_rng_script script;
    sfc_rng rng = sfc_rng_script_make(&script, NULL, 5);
    assert_int_equal(script.len, 0);
    assert_int_equal(sfc_rng_fill(&rng, out, 1), SFC_E_RNG);
    rng = sfc_rng_script_make(NULL, (const uint8_t *)"x", 1);
    assert_int_equal(sfc_rng_fill(&rng, out, 1), SFC_E_RNG);
}

static uint64_t fake_now(void *ctx)
{
    uint64_t *t = ctx;
    return *t += 250;
}

static void test_clock(void **state)
{
    (void)state;
    uint64_t t1 = sfc_clock_now_ms(NULL);
    struct timespec pause = {0, 20 * 1000 * 1000};
    nanosleep(&pause, NULL);
    uint64_t t2 = sfc_clock_now_ms(sfc_clock_system());
    assert_true(t2 >= t1 + 19);
    assert_true(t2 < t1 + 60 * 1000);

    uint64_t fake = 1000;
    sfc_clock clock = {fake_now, &fake};
    assert_int_equal(sfc_clock_now_ms(&clock), 1250);
    assert_int_equal(sfc_clock_now_ms(&clock), 1500);
    sfc_clock broken = {NULL, NULL};
    assert_true(sfc_clock_now_ms(&broken) >= t2);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_system_source),
        cmocka_unit_test(test_system_source_pool),
        cmocka_unit_test(test_system_source_fork),
        cmocka_unit_test(test_fill_arguments),
        cmocka_unit_test(test_script_hands_out_bytes_in_order),
        cmocka_unit_test(test_script_overdraw_consumes_nothing),
        cmocka_unit_test(test_script_empty_and_null),
        cmocka_unit_test(test_clock),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
