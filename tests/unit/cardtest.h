/* SPDX-License-Identifier: LGPL-2.1-or-later */
/**
 * @file cardtest.h
 * @brief Helpers for card-engine tests: create a card, exchange hex APDUs,
 *        run tables of {command, expected response} steps.
 *
 * Header-only so that sfc_testutil does not depend on the card library.
 * Expected responses are hex; "*" followed by a status word (e.g. "*9000")
 * checks only the status word, and "#N9000" checks that N data bytes came
 * before it.
 */
#ifndef SFC_CARDTEST_H
#define SFC_CARDTEST_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "softcard.h"
#include "softcard-cardtype.h"
#include "testutil.h"

typedef struct ct_step {
    const char *apdu;
    const char *expect;
} ct_step;

static inline sfc_card *ct_card_ex(const char *type, const sfc_card_options *o)
{
    sfc_card *card = NULL;
    char err[200] = "";
    sfc_err rv = sfc_card_new(type, o, &card, err, sizeof(err));
    if (rv != SFC_OK)
        fail_msg("sfc_card_new(%s): %s", type, err);
    return card;
}

static inline sfc_card *ct_card(const char *type)
{
    static const sfc_param p[] = {{"secret", "0123456789ABCDEFFEDCBA9876543210"}};
    sfc_card_options o = {0};
    if (strcmp(type, "iso7816") == 0) {
        o.params = p;
        o.n_params = 1;
    }
    return ct_card_ex(type, &o);
}

static inline void ct_expect(sfc_card *card, const char *apdu,
                             const char *expect);

/* An iso7816 card without its default PIN-protected EF 0101, for tests that
 * build their own tree in the MF; the PIN ends up not verified. */
static inline sfc_card *ct_card_empty(void)
{
    sfc_card *card = ct_card("iso7816");
    ct_expect(card, "0020000104 31323334", "9000");
    ct_expect(card, "00E4000002 0101", "9000");
    ct_expect(card, "0020FF01", "9000");
    return card;
}

/* Send hex, return the response as uppercase hex. */
static inline const char *ct_x(sfc_card *card, const char *apdu_hex)
{
    static uint8_t in[70000];
    size_t n = tu_hex(apdu_hex, in, sizeof(in));
    const uint8_t *r = NULL;
    size_t rl = 0;
    assert_int_equal(sfc_card_transmit(card, in, n, &r, &rl), SFC_OK);
    assert_true(rl >= 2 && rl <= 65535);
    return tu_tohex(r, rl);
}

/* Send raw bytes; return the status word and the data length. */
static inline uint16_t ct_raw(sfc_card *card, const uint8_t *in, size_t n,
                              size_t *data_len)
{
    const uint8_t *r = NULL;
    size_t rl = 0;
    assert_int_equal(sfc_card_transmit(card, in, n, &r, &rl), SFC_OK);
    assert_true(rl >= 2 && rl <= 65535);
    if (data_len)
        *data_len = rl - 2;
    return (uint16_t)(r[rl - 2] << 8 | r[rl - 1]);
}

static inline void ct_check(const char *apdu, const char *got,
                            const char *expect)
{
    size_t glen = strlen(got);
    if (expect[0] == '#') {
        char *end = NULL;
        unsigned long n = strtoul(expect + 1, &end, 10);
        const char *sw = tu_normhex(end);
        if (glen != 2 * n + 4 || strcmp(got + glen - 4, sw) != 0)
            fail_msg("%s -> %s, expected %lu bytes and SW %s", apdu, got, n,
                     sw);
        return;
    }
    const char *want = tu_normhex(expect);
    if (want[0] == '*') {
        if (glen < 4 || strcmp(got + glen - 4, want + 1) != 0)
            fail_msg("%s -> %s, expected SW %s", apdu, got, want + 1);
        return;
    }
    if (strcmp(got, want) != 0)
        fail_msg("%s -> %s, expected %s", apdu, got, want);
}

static inline void ct_expect(sfc_card *card, const char *apdu,
                             const char *expect)
{
    ct_check(apdu, ct_x(card, apdu), expect);
}

static inline void ct_run(sfc_card *card, const ct_step *steps, size_t n)
{
    for (size_t i = 0; i < n; i++)
        ct_expect(card, steps[i].apdu, steps[i].expect);
}

/* cmocka teardown for a card kept in *state. */
static inline int ct_teardown(void **state)
{
    sfc_card_free(*state);
    return 0;
}

/* The card's instance of an application (it must have one). */
static inline sfc_app *ct_app(sfc_card *card, const sfc_app_def *def)
{
    sfc_app *app = sfc_app_find(card, def);
    assert_non_null(app);
    return app;
}

#define CT_RUN(card, steps) ct_run((card), (steps), sizeof(steps) / sizeof((steps)[0]))

#endif
