/* SPDX-License-Identifier: LGPL-2.1-or-later */
/**
 * @file rng.h
 * @brief Injectable randomness and time.
 *
 * The card takes its random bytes from an sfc_rng (softcard.h) and the
 * transport takes time from an sfc_clock, so that tests can replay published
 * transcripts and simulate back-off without sleeping.
 */
#ifndef SFC_CORE_RNG_H
#define SFC_CORE_RNG_H

#include <stddef.h>
#include <stdint.h>

#include "softcard.h"

/** The system source: the kernel's CSPRNG (getrandom(2)) through a small
 *  per-thread pool. */
const sfc_rng *sfc_rng_system(void);

/** Fill `out` from `rng` (NULL means the system source). */
sfc_err sfc_rng_fill(const sfc_rng *rng, uint8_t *out, size_t len);

/**
 * A scripted source that hands out the given bytes in order and then fails
 * with SFC_E_RNG. The bytes are borrowed. A request for more bytes than are
 * left fails whole and consumes nothing.
 */
typedef struct sfc_rng_script {
    const uint8_t *bytes;
    size_t len;
    size_t pos;
} sfc_rng_script;

/** Initialise `script` and return an sfc_rng reading from it. */
sfc_rng sfc_rng_script_make(sfc_rng_script *script, const uint8_t *bytes,
                          size_t len);

/** Time source: monotonic milliseconds, for timeouts and back-off. */
typedef struct sfc_clock {
    uint64_t (*now_ms)(void *ctx);
    void *ctx;
} sfc_clock;

/** CLOCK_MONOTONIC in milliseconds. */
const sfc_clock *sfc_clock_system(void);
uint64_t sfc_clock_now_ms(const sfc_clock *clock); /* NULL = system */

#endif
