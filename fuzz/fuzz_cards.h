/* SPDX-License-Identifier: LGPL-2.1-or-later */
/**
 * @file fuzz_cards.h
 * @brief The persistent cards of the APDU targets (fuzz_card, fuzz_sm):
 *        each is made once, kept as image text, and replaced by a fresh
 *        copy loaded from that text whenever an input has changed it.
 *
 * Cards are made and loaded with the fixed random source of fuzz_util.h,
 * so a fresh copy is the same card every time, and generate their keys
 * from the pools of fuzz_keys.h. A card that cannot be
 * made, saved or loaded is a harness error: the target aborts.
 *
 * fuzz_restore_card() runs at the end of every input, so that each input
 * starts from the fresh card and leaves its allocations balanced (libFuzzer
 * runs an input that ends with more mallocs than frees a second time, to
 * look for a leak). When the engine's dirty flag is set (any command
 * flagged SFC_INS_MUTATES, any PIN counter change) the card is saved and
 * the text compared with the fresh card's: the image is the card's whole
 * persistent state, so an equal text means nothing persistent changed (a
 * failed UPDATE, a VERIFY that left the counter full) and the card is kept;
 * otherwise it is replaced by a fresh copy. PIN counters, the commonest
 * change (a wrong VERIFY), are put back from the fresh card's before the
 * comparison, which then checks that nothing else changed. Whether the
 * comparison pays depends on the card (a save of a card with large files
 * costs about as much as a load) and on how often its dirty inputs leave it
 * unchanged, so it is chosen per card from measured times (fuzz_restore):
 * compare while p * load > save (p: the share of comparisons that kept the
 * card), and at least every 16th time to keep measuring. Either way the
 * next input sees the same fresh card, so the choice changes speed, not
 * results.
 */
#ifndef SFC_FUZZ_CARDS_H
#define SFC_FUZZ_CARDS_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openssl/err.h>

#include "fuzz_keys.h"
#include "fuzz_util.h"
#include "image/image.h"
#include "os/card.h"

static inline void fuzz_card_die(const char *target, const char *what,
                                 const char *type, const char *err)
{
    fprintf(stderr, "%s: %s %s: %s\n", target, what, type, err);
    abort();
}

/* The end of an input, before fuzz_restore_card(): the warm reset the next
 * input starts with anyway frees this input's volatile state (sessions,
 * pending answers) within it, and so does clearing OpenSSL's error queue,
 * so libFuzzer does not take the imbalance for a possible leak and run
 * LeakSanitizer. */
static inline void fuzz_end_input(sfc_card *card)
{
    sfc_card_power(card, SFC_RESET);
    ERR_clear_error();
}

/* Replace *card with a fresh copy of the card of `type` that `create`
 * makes (its rng is set here); *image keeps that card's text. */
static inline void fuzz_fresh_card(const char *target, const char *type,
                                   sfc_card_options create, char **image,
                                   size_t *image_len, sfc_card **card)
{
    char err[SFC_IMAGE_ERR_MAX];
    sfc_card_options load = {.rng = &fuzz_fixed_rng};
    create.rng = &fuzz_fixed_rng;
    fuzz_keys_install();
    if (!*image) {
        sfc_card *c = NULL;
        if (sfc_card_new(type, &create, &c, err, sizeof(err)) != SFC_OK)
            fuzz_card_die(target, "cannot create", type, err);
        if (sfc_image_save_text(c, image, image_len, err, sizeof(err)) !=
            SFC_OK)
            fuzz_card_die(target, "cannot save", type, err);
        sfc_card_free(c);
    }
    sfc_card_free(*card);
    *card = NULL;
    if (sfc_image_load_text(*image, *image_len, &load, card, err,
                            sizeof(err)) != SFC_OK)
        fuzz_card_die(target, "cannot load", type, err);
    (*card)->dirty = false;
}

/* Times and outcomes behind fuzz_restore_card()'s choice, per card. */
typedef struct fuzz_restore {
    double save_ns, load_ns;   /* totals */
    unsigned long saves, loads, kept, dirty;
    sfc_pin pins[SFC_MAX_PINS]; /* the fresh card's PINs and counters */
    size_t n_pins;
} fuzz_restore;

static inline double fuzz_now_ns(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec * 1e9 + (double)t.tv_nsec;
}

/* Compare before reloading? Always for the first 32 times and every 16th,
 * else when the expected saving of a load beats the save. */
static inline bool fuzz_restore_compare(const fuzz_restore *r)
{
    if (r->saves < 32 || r->dirty % 16 == 0 || r->loads == 0)
        return true;
    double p = (double)r->kept / (double)r->saves;
    return p * r->load_ns / (double)r->loads > r->save_ns / (double)r->saves;
}

/* True if *card saves to exactly the text `image` (nothing persistent
 * changed since it was fresh). */
static inline bool fuzz_card_unchanged(const char *target,
                                       const sfc_card *card,
                                       const char *image, size_t image_len)
{
    char err[SFC_IMAGE_ERR_MAX], *now = NULL;
    size_t len = 0;
    if (sfc_image_save_text(card, &now, &len, err, sizeof(err)) != SFC_OK)
        fuzz_card_die(target, "cannot save", sfc_card_get_type(card), err);
    bool same = len == image_len && memcmp(now, image, len) == 0;
    sfc_image_text_free(now, len);
    return same;
}

/* After an input: keep *card if it is still the fresh card, else load a
 * fresh copy (always with `force`: state the image does not hold). */
static inline void fuzz_restore_card(const char *target, const char *type,
                                     sfc_card_options create, char **image,
                                     size_t *image_len, sfc_card **card,
                                     bool force, fuzz_restore *r)
{
    if (!force && !(*card)->dirty)
        return;
    r->dirty++;
    double t0 = fuzz_now_ns();
    if (!force && fuzz_restore_compare(r) && (*card)->n_pins == r->n_pins) {
        /* PIN counters are the commonest change: put them back, and let
         * the comparison check that nothing else changed */
        memcpy((*card)->pins, r->pins, sizeof(r->pins));
        bool same = fuzz_card_unchanged(target, *card, *image, *image_len);
        double t1 = fuzz_now_ns();
        r->save_ns += t1 - t0;
        r->saves++;
        t0 = t1;
        if (same) {
            r->kept++;
            (*card)->dirty = false;
            return;
        }
    }
    fuzz_fresh_card(target, type, create, image, image_len, card);
    r->load_ns += fuzz_now_ns() - t0;
    r->loads++;
    memcpy(r->pins, (*card)->pins, sizeof(r->pins));
    r->n_pins = (*card)->n_pins;
}

#endif
