/* SPDX-License-Identifier: LGPL-2.1-or-later */
/**
 * @file fuzz_image.c
 * @brief libFuzzer target: arbitrary text as a card image. Loading must
 *        either succeed (and the card then saves to text that loads again)
 *        or fail with a message; never crash or leak.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "image/image.h"
#include "softcard.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    sfc_card *card = NULL;
    char err[SFC_IMAGE_ERR_MAX];
    if (sfc_image_load_text((const char *)data, size, NULL, &card, err,
                           sizeof(err)) != SFC_OK)
        return 0;
    char *again = NULL;
    size_t len = 0;
    if (sfc_image_save_text(card, &again, &len, err, sizeof(err)) != SFC_OK)
        abort();
    sfc_card *second = NULL;
    if (sfc_image_load_text(again, len, NULL, &second, err, sizeof(err)) != SFC_OK)
        abort(); /* what the card saves must load again */
    sfc_card_free(second);
    sfc_image_text_free(again, len);
    sfc_card_free(card);
    return 0;
}
