/* SPDX-License-Identifier: LGPL-2.1-or-later */
/**
 * @file createfail.c
 * @brief A card-type plugin whose create() fails: softcard must print the
 *        plugin's reason (one line) and exit with status 1.
 */
#include <softcard-cardtype.h>

#include <stdio.h>

static sfc_err createfail_create(sfc_card *card, const sfc_card_options *opts,
                                 char *err, size_t errlen)
{
    (void)card;
    (void)opts;
    snprintf(err, errlen, "createfail: no card today (as planned)");
    return SFC_E_INVAL;
}

static sfc_err createfail_attach(sfc_card *card, const sfc_card_options *opts,
                                 char *err, size_t errlen)
{
    (void)card;
    (void)opts;
    (void)err;
    (void)errlen;
    return SFC_OK;
}

const sfc_card_type softcard_card_type = {
    .abi = SFC_CARD_TYPE_ABI,
    .name = "createfail",
    .description = "a card type whose create() always fails",
    .create = createfail_create,
    .attach = createfail_attach,
};
