/**
 * @file rng.h
 * @brief Injectable randomness and time.
 *
 * The card takes its random bytes from an sc_rng (softcard.h) and the
 * transport takes time from an sc_clock, so that tests can replay published
 * transcripts and simulate back-off without sleeping.
 */
#ifndef SC_CORE_RNG_H
#define SC_CORE_RNG_H

#include <stddef.h>
#include <stdint.h>

#include "softcard.h"

/** The system source: the kernel's CSPRNG (getrandom(2)) through a small
 *  per-thread pool. */
const sc_rng *sc_rng_system(void);

/** Fill `out` from `rng` (NULL means the system source). */
sc_err sc_rng_fill(const sc_rng *rng, uint8_t *out, size_t len);

/**
 * A scripted source that hands out the given bytes in order and then fails
 * with SC_E_RNG. The bytes are borrowed. A request for more bytes than are
 * left fails whole and consumes nothing.
 */
typedef struct sc_rng_script {
    const uint8_t *bytes;
    size_t len;
    size_t pos;
} sc_rng_script;

/** Initialise `script` and return an sc_rng reading from it. */
sc_rng sc_rng_script_make(sc_rng_script *script, const uint8_t *bytes,
                          size_t len);

/** Time source: monotonic milliseconds, for timeouts and back-off. */
typedef struct sc_clock {
    uint64_t (*now_ms)(void *ctx);
    void *ctx;
} sc_clock;

/** CLOCK_MONOTONIC in milliseconds. */
const sc_clock *sc_clock_system(void);
uint64_t sc_clock_now_ms(const sc_clock *clock); /* NULL = system */

#endif
