/* SPDX-License-Identifier: LGPL-2.1-or-later */
/**
 * @file openpgp_steps.h
 * @brief Helpers shared by the openpgp card-type tests: a card with a
 *        fixed serial number, selecting the application, verifying the
 *        passwords, and reading one data object.
 */
#ifndef SFC_TEST_OPENPGP_STEPS_H
#define SFC_TEST_OPENPGP_STEPS_H

#include "cardtest.h"

#include "cardtypes/openpgp.h"
#include "core/tlv.h"

/* The full AID of the test card (serial 01020304). */
#define PGP_T_AID "D276000124010304FFFF010203040000"
#define PGP_SELECT "00A4040006D27600012401"
#define PGP_VERIFY_PW1_81 "0020008106313233343536"
#define PGP_VERIFY_PW1_82 "0020008206313233343536"
#define PGP_VERIFY_PW3 "00200083083132333435363738"

static inline sfc_card *pgp_card_with(const sfc_param *extra, size_t n)
{
    sfc_param p[16] = {{"serial", "01020304"}};
    for (size_t i = 0; i < n && i < 15; i++)
        p[i + 1] = extra[i];
    sfc_card_options o = {0};
    o.params = p;
    o.n_params = n + 1;
    sfc_card *card = ct_card_ex("openpgp", &o);
    sfc_card_power(card, SFC_POWER_ON);
    ct_expect(card, PGP_SELECT, "9000");
    return card;
}

static inline sfc_card *pgp_card(void)
{
    return pgp_card_with(NULL, 0);
}

static inline int pgp_setup(void **state)
{
    *state = pgp_card();
    return 0;
}

/* Send hex; return the response data (static) and its status word. */
static inline uint16_t pgp_x(sfc_card *card, const char *apdu,
                             uint8_t *out, size_t cap, size_t *len)
{
    static uint8_t in[70000];
    size_t n = tu_hex(apdu, in, sizeof(in));
    const uint8_t *r = NULL;
    size_t rl = 0;
    assert_int_equal(sfc_card_transmit(card, in, n, &r, &rl), SFC_OK);
    assert_true(rl >= 2 && rl - 2 <= cap);
    memcpy(out, r, rl - 2);
    *len = rl - 2;
    return (uint16_t)(r[rl - 2] << 8 | r[rl - 1]);
}

/* The application state, for checks the card cannot be asked about. */
static inline pgp_state *pgp_t_state(sfc_card *card)
{
    return sfc_app_state(ct_app(card, &pgp_app));
}

#endif
