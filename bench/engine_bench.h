/* SPDX-License-Identifier: LGPL-2.1-or-later */
/**
 * @file engine_bench.h
 * @brief The parts of the in-process engine benchmark (engine_bench.c,
 *        engine_sm.c): cards driven through sfc_card_transmit() with no
 *        transport at all.
 *
 * Every section prints lines that start with "engine section=NAME" and go
 * on with key=value pairs, which bench/run turns into its tables.
 */
#ifndef ENGINE_BENCH_H
#define ENGINE_BENCH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "softcard.h"

/** Options shared by the sections. */
typedef struct eng_opts {
    double budget_ms; /**< time spent per measured figure */
    unsigned bacs;    /**< BACs to time */
    unsigned hold;    /**< cards to hold for the RSS figure (0: skip) */
    const char *only; /**< comma-separated sections, NULL = all */
} eng_opts;

/** A new card of `type`, extended length on; NULL (printed) on failure. */
sfc_card *eng_card_new(const char *type);

/** Send one hex APDU; its status word, or 0 if the card failed. */
unsigned eng_send_hex(sfc_card *card, const char *hex);

/** Create the benchmarks' 4096-byte EF (FID 0B01, SFI 2) in the MF and
 *  fill it. false (printed) on failure. */
bool eng_create_ef(sfc_card *card);

/**
 * Run `apdu` over and over for about `budget_ms`; APDUs per second, or a
 * negative value if a response did not end with `sw`.
 */
double eng_rate(sfc_card *card, const uint8_t *apdu, size_t len, unsigned sw,
                double budget_ms);

/** Secure messaging: plain vs protected READ BINARY, sm_start's cost. */
int eng_section_sm(const eng_opts *o);

/** Whole BACs (ePass card and the in-process test terminal). */
int eng_section_bac(const eng_opts *o);

#endif
