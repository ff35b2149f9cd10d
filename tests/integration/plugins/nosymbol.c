/* SPDX-License-Identifier: LGPL-2.1-or-later */
/**
 * @file nosymbol.c
 * @brief A shared object that is not a card-type plugin: it lacks the
 *        softcard_card_type symbol, which softcard must say in one line.
 */
#include <softcard-cardtype.h>

const sfc_card_type card_type_under_another_name = {
    .abi = SFC_CARD_TYPE_ABI,
    .name = "nosymbol",
    .description = "exported under the wrong name",
};
