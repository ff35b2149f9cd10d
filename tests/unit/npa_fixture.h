/* SPDX-License-Identifier: LGPL-2.1-or-later */
/**
 * @file npa_fixture.h
 * @brief The nPA unit tests' link between the project's test terminal
 *        (npa_terminal.h) and an in-process card: a transmit callback over
 *        sfc_card_transmit() and a cmocka fixture holding both.
 *
 * npa_terminal.c itself stays independent of the card engine (the PC/SC
 * benchmark drives a reader with it); this header is for tests that link
 * the engine.
 */
#ifndef SFC_TEST_NPA_FIXTURE_H
#define SFC_TEST_NPA_FIXTURE_H

#include <stdlib.h>
#include <string.h>

#include "npa_terminal.h"
#include "softcard.h"

/* npa_term_xfer over the card `user`. */
static inline int npa_card_xfer(void *user, const uint8_t *c, size_t n,
                                uint8_t *r, size_t *rn)
{
    const uint8_t *out = NULL;
    size_t len = 0;
    if (sfc_card_transmit(user, c, n, &out, &len) != SFC_OK || len > *rn)
        return -1;
    memcpy(r, out, len);
    *rn = len;
    return 0;
}

typedef struct npa_fixture {
    sfc_card *card;
    npa_term t;
} npa_fixture;

/* A cmocka state: `card` and a terminal talking to it. */
static inline int npa_fixture_setup(void **state, sfc_card *card)
{
    npa_fixture *f = calloc(1, sizeof(*f));
    if (!f)
        return -1;
    f->card = card;
    npa_term_init(&f->t, npa_card_xfer, card);
    *state = f;
    return 0;
}

static inline int npa_fixture_teardown(void **state)
{
    npa_fixture *f = *state;
    npa_term_free(&f->t);
    sfc_card_free(f->card);
    free(f);
    return 0;
}

#endif
