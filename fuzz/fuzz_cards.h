/* SPDX-License-Identifier: LGPL-2.1-or-later */
/**
 * @file fuzz_cards.h
 * @brief The persistent cards of the APDU targets (fuzz_card, fuzz_sm):
 *        each is made once, kept as image text, and replaced by a fresh
 *        copy loaded from that text whenever an input may have changed it.
 *
 * Cards are made and loaded with the fixed random source of fuzz_util.h,
 * so a fresh copy is the same card every time. A card that cannot be
 * made, saved or loaded is a harness error: the target aborts.
 */
#ifndef SFC_FUZZ_CARDS_H
#define SFC_FUZZ_CARDS_H

#include <stdio.h>
#include <stdlib.h>

#include "fuzz_util.h"
#include "image/image.h"
#include "os/card.h"

static inline void fuzz_card_die(const char *target, const char *what,
                                 const char *type, const char *err)
{
    fprintf(stderr, "%s: %s %s: %s\n", target, what, type, err);
    abort();
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

#endif
