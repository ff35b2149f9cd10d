/* SPDX-License-Identifier: LGPL-2.1-or-later */
/**
 * @file abi2.c
 * @brief A card-type plugin built for another interface version (ABI 2):
 *        softcard must refuse it with one line naming both ABIs.
 */
#include <softcard-cardtype.h>

static sfc_err abi2_attach(sfc_card *card, const sfc_card_options *opts,
                           char *err, size_t errlen)
{
    (void)card;
    (void)opts;
    (void)err;
    (void)errlen;
    return SFC_OK;
}

const sfc_card_type softcard_card_type = {
    .abi = 2,
    .name = "abi2",
    .description = "a plugin of a future interface version",
    .attach = abi2_attach,
};
