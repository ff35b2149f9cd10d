/* SPDX-License-Identifier: LGPL-2.1-or-later */
/**
 * @file fuzz_card.c
 * @brief libFuzzer target: sequences of command APDUs to one card of each
 *        card type, kept across inputs (persistent).
 *
 * Input: one byte choosing the card (its value modulo the number of cards
 * below), then records of a 2-byte big-endian length and that many bytes,
 * each sent as one command APDU (a length past the end takes what is
 * left); the length FFFF is no APDU but a warm reset of the card. So
 * sequences (SELECT then READ, chains, GET RESPONSE, logical channels) are
 * explored. Every answer must be a well-formed R-APDU of 2..65535 bytes.
 *
 * Each card is made once per process and saved as image text. Every input
 * starts with a warm reset (volatile state: current files, channels,
 * security status, pending responses); a card whose persistent state the
 * input changed is replaced by a fresh copy loaded from that text at the
 * end of the input (fuzz_restore_card() in fuzz_cards.h). The random
 * source is a fixed sequence restarted per input, so an input replays the
 * same way.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "image/image.h"
#include "os/card.h"
#include "os/sm.h"
#include "softcard.h"

#include "fuzz_cards.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* ---- the cards ---------------------------------------------------------- */

static const sfc_param iso_params[] = {
    {"secret", "00112233445566778899AABBCCDDEEFF"}};
static const sfc_param cf_params[] = {{"serial", "0102030405060708"}};
static const sfc_param piv_params[] = {{"serial", "01020304"}};
static const sfc_param pgp_params[] = {{"serial", "01020304"}};
static const sfc_param npa_im_params[] = {{"pace-mapping", "im"}};
static const sfc_param npa_cam_params[] = {{"pace-mapping", "cam"}};
static const uint8_t sm_key[16] = {1, 2, 3, 4, 5, 6, 7, 8,
                                   9, 10, 11, 12, 13, 14, 15, 16};

typedef struct slot {
    const char *type;
    const sfc_param *params;
    size_t n_params;
    bool sm;            /* every input runs under secure messaging */
    int keeps_ins;      /* an INS whose effect outlives a reset without
                         * setting the dirty flag, or -1 */
    char *image;        /* the fresh card as image text */
    size_t image_len;
    sfc_card *card;
} slot;

static slot slots[] = {
    {"iso7816", iso_params, 1, false, -1, NULL, 0, NULL},
    {"iso7816", iso_params, 1, true, -1, NULL, 0, NULL},
    /* handler_test remembers the last VERIFY PIN (for its dump command,
     * 40) across resets, and that is not persistent state */
    {"handler_test", NULL, 0, false, 0x20, NULL, 0, NULL},
    {"ePass", NULL, 0, false, -1, NULL, 0, NULL},
    {"cryptoflex", cf_params, 1, false, -1, NULL, 0, NULL},
    {"piv", piv_params, 1, false, -1, NULL, 0, NULL},
    {"openpgp", pgp_params, 1, false, -1, NULL, 0, NULL},
    /* appended last so that the seeds of the cards above keep their card:
     * the German eID card before PACE */
    {"nPA", NULL, 0, false, -1, NULL, 0, NULL},
    /* the nPA offering PACE with Integrated Mapping (DH), then with Chip
     * Authentication Mapping (ECDH) */
    {"nPA", npa_im_params, 1, false, -1, NULL, 0, NULL},
    {"nPA", npa_cam_params, 1, false, -1, NULL, 0, NULL},
};
#define N_SLOTS (sizeof(slots) / sizeof(slots[0]))
static fuzz_restore restores[N_SLOTS]; /* per slot, same index */

static void restore_card(slot *s, bool force)
{
    sfc_card_options o = {.params = s->params, .n_params = s->n_params};
    fuzz_restore_card("fuzz_card", s->type, o, &s->image, &s->image_len,
                      &s->card, force, &restores[s - slots]);
}

/* FUZZ_CARD_TRACE=1 prints each command, the start of its response and
 * its status word to stderr (to check what a seed does:
 * fuzz_card_replay FILE). */
static void trace_apdu(const char *type, const uint8_t *c, size_t n,
                       const uint8_t *r, size_t rl)
{
    fprintf(stderr, "%-12s ", type);
    for (size_t i = 0; i < n && i < 16; i++)
        fprintf(stderr, "%02X", c[i]);
    fprintf(stderr, "%s -> %zu bytes", n > 16 ? "..." : "", rl - 2);
    if (rl > 2)
        fprintf(stderr, " ");
    for (size_t i = 0; i + 2 < rl && i < 24; i++)
        fprintf(stderr, "%02X", r[i]);
    fprintf(stderr, "%s, SW %02X%02X\n", rl > 26 ? "..." : "", r[rl - 2],
            r[rl - 1]);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static int trace = -1;
    if (trace < 0)
        trace = getenv("FUZZ_CARD_TRACE") != NULL;
    if (size == 0)
        return 0;
    slot *s = &slots[data[0] % N_SLOTS];
    if (!s->card)
        restore_card(s, true); /* made, saved and loaded */
    fuzz_rng_restart();
    sfc_card *card = s->card;
    sfc_card_power(card, SFC_RESET);
    if (s->sm)
        sm_start(card, SM_3DES_RETAIL, sm_key, 16, sm_key, 16, NULL, 8);
    size_t off = 1;
    bool force = false; /* an INS the image does not hold: reload */
    while (off + 2 <= size) {
        size_t n = (size_t)data[off] << 8 | data[off + 1];
        off += 2;
        if (n == 0xFFFF) {
            sfc_card_power(card, SFC_RESET);
            continue;
        }
        if (n > size - off)
            n = size - off;
        const uint8_t *r;
        size_t rl;
        if (sfc_card_transmit(card, data + off, n, &r, &rl) != SFC_OK ||
            rl < 2 || rl > 65535)
            abort();
        if (trace)
            trace_apdu(s->type, data + off, n, r, rl);
        force |= n >= 2 && data[off + 1] == s->keeps_ins;
        off += n;
    }
    fuzz_end_input(card);
    restore_card(s, force);
    return 0;
}
