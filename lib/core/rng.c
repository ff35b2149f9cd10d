/* SPDX-License-Identifier: LGPL-2.1-or-later */
/**
 * @file rng.c
 * @brief The system random source, the scripted test source and the clock.
 *
 * Cards never call a random generator directly: they ask an sfc_rng, which is
 * the kernel's CSPRNG (getrandom) in production and a scripted byte sequence
 * in tests that replay published protocol transcripts (BAC, PACE). A
 * scripted source that runs dry fails with SFC_E_RNG instead of inventing
 * bytes, so a test notices when the code under test draws more randomness
 * than the transcript foresees.
 *
 * Time comes from an sfc_clock for the same reason: the transport's
 * timeouts and back-off can be tested without sleeping.
 */
#include "core/rng.h"

#include <errno.h>
#include <pthread.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>

/* ---- system source ---------------------------------------------------- */

/*
 * The kernel's CSPRNG (getrandom(2), which OpenSSL's DRBG seeds from too),
 * with no OpenSSL state: a card that never needs a cipher never initialises
 * OpenSSL's providers (about 2 MB of resident memory). Small requests are
 * served from a 256-byte pool per thread, refilled with one getrandom()
 * call, because a system call per GET CHALLENGE costs more than the rest of
 * the command (several microseconds in a VM); every byte handed out is
 * wiped from the pool, and a forked child starts with an empty pool so that
 * parent and child never hand out the same bytes. getrandom() blocks only
 * until the kernel's pool is initialised at boot.
 */
#define POOL_SIZE 256u

static _Thread_local uint8_t pool[POOL_SIZE];
static _Thread_local size_t pool_left; /* unused bytes at the pool's end */

static void pool_forget(void)
{
    explicit_bzero(pool, sizeof(pool));
    pool_left = 0;
}

__attribute__((constructor)) static void pool_register(void)
{
    pthread_atfork(NULL, NULL, pool_forget);
}

/* Straight from the kernel; at most 256 bytes a call are uninterruptible. */
static sfc_err kernel_fill(uint8_t *out, size_t len)
{
    while (len > 0) {
        ssize_t n = getrandom(out, len > POOL_SIZE ? POOL_SIZE : len, 0);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return SFC_E_RNG;
        out += n;
        len -= (size_t)n;
    }
    return SFC_OK;
}

static sfc_err system_fill(void *ctx, uint8_t *out, size_t len)
{
    (void)ctx;
    if (len >= POOL_SIZE)
        return kernel_fill(out, len);
    while (len > 0) {
        if (pool_left == 0) {
            if (kernel_fill(pool, POOL_SIZE) != SFC_OK)
                return SFC_E_RNG;
            pool_left = POOL_SIZE;
        }
        size_t n = len < pool_left ? len : pool_left;
        uint8_t *src = pool + POOL_SIZE - pool_left;
        memcpy(out, src, n);
        explicit_bzero(src, n);
        pool_left -= n;
        out += n;
        len -= n;
    }
    return SFC_OK;
}

static const sfc_rng system_rng = {system_fill, NULL};

const sfc_rng *sfc_rng_system(void)
{
    return &system_rng;
}

sfc_err sfc_rng_fill(const sfc_rng *rng, uint8_t *out, size_t len)
{
    if (len == 0)
        return SFC_OK;
    if (!out)
        return SFC_E_INVAL;
    if (!rng)
        rng = &system_rng;
    if (!rng->fill)
        return SFC_E_INVAL;
    return rng->fill(rng->ctx, out, len);
}

/* ---- scripted source -------------------------------------------------- */

/**
 * A request larger than what is left fails whole and consumes nothing:
 * handing out a partial transcript would hide the mismatch.
 */
static sfc_err script_fill(void *ctx, uint8_t *out, size_t len)
{
    sfc_rng_script *script = ctx;
    if (!script || script->pos > script->len ||
        len > script->len - script->pos)
        return SFC_E_RNG;
    for (size_t i = 0; i < len; i++)
        out[i] = script->bytes[script->pos + i];
    script->pos += len;
    return SFC_OK;
}

sfc_rng sfc_rng_script_make(sfc_rng_script *script, const uint8_t *bytes,
                          size_t len)
{
    sfc_rng rng = {script_fill, script};
    if (script) {
        script->bytes = bytes;
        script->len = bytes ? len : 0;
        script->pos = 0;
    }
    return rng;
}

/* ---- clock ------------------------------------------------------------ */

static uint64_t system_now_ms(void *ctx)
{
    (void)ctx;
    struct timespec ts;
    if (clock_gettime(CLOCK_MONOTONIC, &ts) != 0)
        return 0; /* cannot happen for CLOCK_MONOTONIC on POSIX systems */
    return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

static const sfc_clock system_clock = {system_now_ms, NULL};

const sfc_clock *sfc_clock_system(void)
{
    return &system_clock;
}

uint64_t sfc_clock_now_ms(const sfc_clock *clock)
{
    if (!clock || !clock->now_ms)
        clock = &system_clock;
    return clock->now_ms(clock->ctx);
}
