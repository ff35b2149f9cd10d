/* SPDX-License-Identifier: LGPL-2.1-or-later */
/**
 * @file undefined.c
 * @brief A card-type plugin that calls a function the softcard program
 *        does not have: loading it must fail at once (RTLD_NOW) with the
 *        loader's "undefined symbol" reason, not when the call happens.
 */
#include <softcard-cardtype.h>

void sfc_no_such_function(void);

static sfc_err undefined_attach(sfc_card *card, const sfc_card_options *opts,
                                char *err, size_t errlen)
{
    (void)card;
    (void)opts;
    (void)err;
    (void)errlen;
    sfc_no_such_function();
    return SFC_OK;
}

const sfc_card_type softcard_card_type = {
    .abi = SFC_CARD_TYPE_ABI,
    .name = "undefined",
    .description = "calls a function softcard does not export",
    .attach = undefined_attach,
};
