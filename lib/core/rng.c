/**
 * @file rng.c
 * @brief The system random source, the scripted test source and the clock.
 *
 * Cards never call a random generator directly: they ask an sc_rng, which is
 * OpenSSL's RAND_bytes in production and a scripted byte sequence in tests
 * that replay published protocol transcripts (BAC, PACE). A scripted source
 * that runs dry fails with SC_E_RNG instead of inventing bytes, so a test
 * notices when the code under test draws more randomness than the transcript
 * foresees.
 *
 * Time comes from an sc_clock for the same reason: the transport's
 * timeouts and back-off can be tested without sleeping.
 */
#include "core/rng.h"

#include <limits.h>
#include <time.h>

#include <openssl/rand.h>

/* ---- system source ---------------------------------------------------- */

/** RAND_bytes takes an int length, so large requests go in chunks. */
static sc_err system_fill(void *ctx, uint8_t *out, size_t len)
{
    (void)ctx;
    while (len > 0) {
        int chunk = len > INT_MAX ? INT_MAX : (int)len;
        if (RAND_bytes(out, chunk) != 1)
            return SC_E_RNG;
        out += chunk;
        len -= (size_t)chunk;
    }
    return SC_OK;
}

static const sc_rng system_rng = {system_fill, NULL};

const sc_rng *sc_rng_system(void)
{
    return &system_rng;
}

sc_err sc_rng_fill(const sc_rng *rng, uint8_t *out, size_t len)
{
    if (len == 0)
        return SC_OK;
    if (!out)
        return SC_E_INVAL;
    if (!rng)
        rng = &system_rng;
    if (!rng->fill)
        return SC_E_INVAL;
    return rng->fill(rng->ctx, out, len);
}

/* ---- scripted source -------------------------------------------------- */

/**
 * A request larger than what is left fails whole and consumes nothing:
 * handing out a partial transcript would hide the mismatch.
 */
static sc_err script_fill(void *ctx, uint8_t *out, size_t len)
{
    sc_rng_script *script = ctx;
    if (!script || script->pos > script->len ||
        len > script->len - script->pos)
        return SC_E_RNG;
    for (size_t i = 0; i < len; i++)
        out[i] = script->bytes[script->pos + i];
    script->pos += len;
    return SC_OK;
}

sc_rng sc_rng_script_make(sc_rng_script *script, const uint8_t *bytes,
                          size_t len)
{
    sc_rng rng = {script_fill, script};
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

static const sc_clock system_clock = {system_now_ms, NULL};

const sc_clock *sc_clock_system(void)
{
    return &system_clock;
}

uint64_t sc_clock_now_ms(const sc_clock *clock)
{
    if (!clock || !clock->now_ms)
        clock = &system_clock;
    return clock->now_ms(clock->ctx);
}
