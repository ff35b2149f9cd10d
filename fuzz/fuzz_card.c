/* SPDX-License-Identifier: LGPL-2.1-or-later */
/**
 * @file fuzz_card.c
 * @brief libFuzzer target: arbitrary byte strings as command APDUs to an
 *        iso7816 card, a handler_test card and a card with an SM session.
 *
 * The input is split at 00 FF separators into several APDUs sent in order,
 * so sequences (SELECT then READ, chains, GET RESPONSE) are explored too.
 * Every answer must be a well-formed R-APDU of 2..65535 bytes.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "softcard.h"
#include "os/sm.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void send_all(sfc_card *card, const uint8_t *data, size_t size)
{
    size_t start = 0;
    for (size_t i = 0; i <= size; i++) {
        bool end = i == size || (i + 1 < size && data[i] == 0x00 && data[i + 1] == 0xFF);
        if (!end)
            continue;
        const uint8_t *r;
        size_t rl;
        if (sfc_card_transmit(card, data + start, i - start, &r, &rl) != SFC_OK ||
            rl < 2 || rl > 65535)
            abort();
        start = i + 2;
        i++;
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const sfc_param secret = {"secret", "00112233445566778899AABBCCDDEEFF"};
    sfc_card_options o = {.params = &secret, .n_params = 1};
    sfc_card *card = NULL;
    if (sfc_card_new("iso7816", &o, &card, NULL, 0) != SFC_OK)
        abort();
    send_all(card, data, size);
    static const uint8_t k[16] = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16};
    sm_start(card, SM_3DES_RETAIL, k, 16, k, 16, NULL, 8);
    send_all(card, data, size);
    sfc_card_free(card);
    if (sfc_card_new("handler_test", NULL, &card, NULL, 0) != SFC_OK)
        abort();
    send_all(card, data, size);
    sfc_card_free(card);
    return 0;
}
