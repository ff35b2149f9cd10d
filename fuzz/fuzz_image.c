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
    sc_card *card = NULL;
    char err[SC_IMAGE_ERR_MAX];
    if (sc_image_load_text((const char *)data, size, NULL, &card, err,
                           sizeof(err)) != SC_OK)
        return 0;
    char *again = NULL;
    size_t len = 0;
    if (sc_image_save_text(card, &again, &len, err, sizeof(err)) != SC_OK)
        abort();
    sc_card *second = NULL;
    if (sc_image_load_text(again, len, NULL, &second, err, sizeof(err)) != SC_OK)
        abort(); /* what the card saves must load again */
    sc_card_free(second);
    sc_image_text_free(again, len);
    sc_card_free(card);
    return 0;
}
