/* SPDX-License-Identifier: LGPL-2.1-or-later */
/**
 * @file fuzz_sm.c
 * @brief libFuzzer target: commands past the secure-messaging MAC check.
 *
 * A fuzzer cannot forge a MAC, so this harness holds the session keys: it
 * establishes secure messaging itself and wraps every fuzzed command in
 * valid SM (DO87/DO85, DO97, DO8E) with the project's independent test
 * terminal (tests/unit/epass_terminal.c, OpenSSL only). The card's
 * protected command handlers and its response wrapping are reached; every
 * protected response is checked by the terminal (MAC, DO99 = SW, DO87
 * padding), and a response that fails those checks is a finding (abort).
 *
 * Input: one byte choosing the card (modulo 4: 0 iso7816 with a session
 * started by sm_start() with fixed 3DES keys 01..10 and SSC 0, 1 ePass
 * after BAC with the specimen MRZ and fixed terminal nonces, 2 the same
 * ePass with extended length, 3 the nPA after PACE with the PIN 111111,
 * ECDH Generic Mapping, AES secure messaging), then records of a mode byte, a 2-byte
 * big-endian length and that many bytes of a plain command APDU. Mode
 * bits: 1 flip a bit of the command MAC (the card must end the session),
 * 2 send the bytes unprotected as they are, 4 warm reset first. A command
 * that does not parse as an APDU is sent unprotected. When the session has
 * ended (any SM error), it is established again before the next protected
 * command, so one input explores many sessions.
 *
 * The nPA's sessions come from the project's nPA test terminal
 * (tests/unit/npa_terminal.c, OpenPACE's terminal side, short APDUs only:
 * a longer command is sent unprotected). The card's PACE secrets come from
 * the fixed random source; the terminal's ephemeral keys too: OpenPACE
 * draws them from OpenSSL, so while an nPA input runs a RAND_METHOD of
 * this file (a fixed sequence restarted per input) serves OpenSSL's
 * random requests. The card's own bridge (npa_rand.c) replaces it during
 * its PACE steps and resets OpenSSL's default afterwards, so it is put
 * back after every command (RAND_set_rand_method is deprecated in
 * OpenSSL 3 but still consulted by RAND_bytes and RAND_priv_bytes). A protected nPA
 * response the terminal rejects is a finding when it carried more than a
 * status word (a plain error status word is how the card ends a session).
 *
 * Cards are made once per process and kept as image text; a card whose
 * persistent state an input changed is replaced by a fresh copy at the end
 * of that input (fuzz_restore_card(), fuzz_cards.h), as in fuzz_card.c;
 * the random sources restart per input, so an input replays the same way.
 */
#define OPENSSL_SUPPRESS_DEPRECATED 1

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/apdu.h"
#include "epass_terminal.h"
#include "npa_terminal.h"
#include "image/image.h"
#include "os/card.h"
#include "os/sm.h"
#include "softcard.h"

#include "fuzz_cards.h"

#include <openssl/rand.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define SPECIMEN_MRZ "P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<" \
                     "L898902C<3UTO6908061F9406236ZE184226B<<<<<14"
#define RESP_MAX 65538

/* ---- the cards ---------------------------------------------------------- */

static const sfc_param iso_params[] = {
    {"secret", "00112233445566778899AABBCCDDEEFF"}};
static const uint8_t sm_key[16] = {1, 2, 3, 4, 5, 6, 7, 8,
                                   9, 10, 11, 12, 13, 14, 15, 16};
static const uint8_t rnd_ifd[8] = {0x78, 0x17, 0x23, 0x86, 0x0C, 0x06, 0xC2,
                                   0x26};
static const uint8_t k_ifd[16] = {0x0B, 0x79, 0x52, 0x40, 0xCB, 0x70, 0x49,
                                  0xB0, 0x1C, 0x19, 0xB3, 0x3E, 0x32, 0x80,
                                  0x4F, 0x0B};

typedef struct slot {
    const char *type;
    const sfc_param *params;
    size_t n_params;
    bool bac;      /* ePass: BAC; else sm_start() with sm_key */
    bool pace;     /* nPA: PACE with the PIN (npa_terminal.c) */
    bool extended; /* extended-length card and terminal */
    char *image;
    size_t image_len;
    sfc_card *card;
} slot;

static slot slots[] = {
    {"iso7816", iso_params, 1, false, false, false, NULL, 0, NULL},
    {"ePass", NULL, 0, true, false, false, NULL, 0, NULL},
    {"ePass", NULL, 0, true, false, true, NULL, 0, NULL},
    {"nPA", NULL, 0, false, true, false, NULL, 0, NULL},
};
#define N_SLOTS (sizeof(slots) / sizeof(slots[0]))
static fuzz_restore restores[N_SLOTS]; /* per slot, same index */

static void die(const char *what, const char *detail)
{
    fprintf(stderr, "fuzz_sm: %s: %s\n", what, detail);
    abort();
}

/* Before the first input (`force`) and after each: the fresh card. */
static void restore_card(slot *s, bool force)
{
    sfc_card_options o = {.params = s->params, .n_params = s->n_params,
                          .extended_length = s->extended};
    fuzz_restore_card("fuzz_sm", s->type, o, &s->image, &s->image_len,
                      &s->card, force, &restores[s - slots]);
}

/* ---- the terminal's transport and the session ---------------------------- */

static int card_tx(void *ctx, const uint8_t *c, size_t clen, uint8_t *r,
                   size_t cap, size_t *rlen)
{
    const uint8_t *out = NULL;
    size_t n = 0;
    if (sfc_card_transmit(ctx, c, clen, &out, &n) != SFC_OK || n < 2 ||
        n > 65535)
        abort(); /* the engine always answers a well-formed R-APDU */
    if (n > cap)
        return -1;
    memcpy(r, out, n);
    *rlen = n;
    return 0;
}

/* Start a session; false if the card refuses (BAC after a bad state). */
static bool establish(slot *s, et_term *t)
{
    if (!s->bac) {
        uint8_t ssc[8] = {0};
        if (sm_start(s->card, SM_3DES_RETAIL, sm_key, 16, sm_key, 16, ssc,
                     8) != SFC_OK)
            die("sm_start", "failed");
        memcpy(t->ksenc, sm_key, 16);
        memcpy(t->ksmac, sm_key, 16);
        memset(t->ssc, 0, 8);
        t->sm = true;
        return true;
    }
    static char info[64];
    uint16_t sw;
    if (!info[0] && et_mrz_info(SPECIMEN_MRZ, info, sizeof(info)) != 0)
        die("MRZ", "bad specimen");
    return et_select_app(t, &sw) == 0 && sw == 0x9000 &&
           et_bac(t, info, rnd_ifd, k_ifd) == 0;
}

/* A protected response the terminal rejects for its protection (not for
 * being plain) is the card's fault. */
static void check_failure(const et_term *t)
{
    static const char *const bad[] = {"SM response: wrong MAC",
                                      "SM response: DO99",
                                      "SM response: bad DO87",
                                      "SM response: bad padding"};
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
        if (strncmp(t->err, bad[i], strlen(bad[i])) == 0)
            die("protected response", t->err);
}

/* FUZZ_SM_TRACE=1: each protected command, its inner SW and any SM
 * failure to stderr (fuzz_sm_replay FILE). */
static int trace;

static void raw(et_term *t, const uint8_t *c, size_t n)
{
    static uint8_t r[RESP_MAX];
    size_t rl;
    card_tx(t->ctx, c, n, r, sizeof(r), &rl);
    t->sm = false; /* a plain command ends the session */
}

static void protected(slot *s, et_term *t, const uint8_t *c, size_t n,
                      bool corrupt)
{
    static uint8_t out[RESP_MAX];
    apdu a;
    size_t ol = 0;
    uint16_t sw = 0;
    if (apdu_parse(c, n, &a) != SFC_OK) {
        raw(t, c, n);
        return;
    }
    if (!t->sm && !establish(s, t)) {
        if (trace)
            fprintf(stderr, "%-8s no session: %s\n", s->type, t->err);
        return;
    }
    int rv = et_sm_command(t, a.ins, a.p1, a.p2, a.data, a.nc, a.ne, out,
                           sizeof(out), &ol, &sw, corrupt);
    if (trace)
        fprintf(stderr, "%-8s SM %02X %02X%02X Nc %zu -> %zu bytes, SW %04X%s%s\n",
                s->type, a.ins, a.p1, a.p2, a.nc, ol, sw, rv ? ": " : "",
                rv ? t->err : "");
    if (rv != 0 && !corrupt)
        check_failure(t);
}

/* ---- the nPA after PACE ----------------------------------------------------- */

static uint64_t term_state;

static int term_bytes(unsigned char *out, int num)
{
    for (int i = 0; i < num; i++) {
        term_state = term_state * 6364136223846793005u + 1442695040888963407u;
        out[i] = (unsigned char)(term_state >> 56);
    }
    return 1;
}

static int term_status(void)
{
    return 1;
}

static const RAND_METHOD term_rand = {.bytes = term_bytes,
                                      .status = term_status};

typedef struct npa_link {
    sfc_card *card;
    bool corrupt;  /* flip the last MAC byte of the next command */
    size_t rlen;   /* length of the last response */
} npa_link;

/* Flip the last byte of the data field: the MAC (8E is the last DO). */
static void corrupt_mac(uint8_t *c, size_t n)
{
    apdu a;
    if (apdu_parse(c, n, &a) == SFC_OK && a.nc > 0)
        c[(size_t)(a.data - c) + a.nc - 1] ^= 0x01;
}

static int npa_xfer(void *user, const uint8_t *c, size_t n, uint8_t *r,
                    size_t *rn)
{
    npa_link *l = user;
    static uint8_t cmd[RESP_MAX];
    const uint8_t *out = NULL;
    size_t len = 0;
    if (n > sizeof(cmd))
        return -1;
    memcpy(cmd, c, n);
    if (l->corrupt)
        corrupt_mac(cmd, n);
    l->corrupt = false;
    if (sfc_card_transmit(l->card, cmd, n, &out, &len) != SFC_OK || len < 2 ||
        len > 65535)
        abort(); /* the engine always answers a well-formed R-APDU */
    RAND_set_rand_method(&term_rand); /* the card's PACE may have reset it */
    if (trace) {
        fprintf(stderr, "nPA      <- %zu bytes:", len);
        for (size_t i = 0; i < len && i < 48; i++)
            fprintf(stderr, " %02X", out[i]);
        fprintf(stderr, "%s\n", len > 48 ? " ..." : "");
    }
    if (len > *rn)
        return -1;
    memcpy(r, out, len);
    *rn = l->rlen = len;
    return 0;
}

/* A short APDU the nPA terminal can wrap (it does not do extended). */
static bool npa_wrappable(const uint8_t *c, size_t n)
{
    return n == 4 || n == 5 ||
           (n > 5 && c[4] != 0 && n >= 5u + c[4] && n <= 6u + c[4] &&
            c[4] <= 200);
}

static void npa_raw(npa_term *t, npa_link *l, const uint8_t *c, size_t n)
{
    static uint8_t r[RESP_MAX];
    size_t rn = sizeof(r);
    npa_xfer(l, c, n, r, &rn);
    t->sm = false; /* a plain command ends the session */
}

static void npa_protected(npa_term *t, npa_link *l, const uint8_t *c,
                          size_t n, bool corrupt)
{
    static uint8_t out[RESP_MAX];
    size_t ol = sizeof(out);
    if (!npa_wrappable(c, n)) {
        npa_raw(t, l, c, n);
        return;
    }
    if (!t->sm && npa_term_pace(t, 3, "111111", NPA_TERM_ECDH_GM) != 0x9000) {
        if (trace)
            fprintf(stderr, "nPA      no session (MSE SW %04X)\n", t->mse_sw);
        return;
    }
    l->corrupt = corrupt;
    uint16_t sw = npa_term_send(t, c, n, out, &ol);
    if (trace)
        fprintf(stderr, "nPA      SM %02X %02X%02X -> %zu bytes, SW %04X\n",
                c[1], c[2], c[3], sw ? ol : 0, sw);
    if (sw == 0 && !corrupt && l->rlen > 2)
        die("protected nPA response", "rejected by the terminal");
}

static void npa_input(slot *s, const uint8_t *data, size_t size)
{
    npa_link l = {s->card, false, 0};
    npa_term t;
    npa_term_init(&t, npa_xfer, &l);
    term_state = 0x7E57;
    RAND_set_rand_method(&term_rand);
    size_t off = 1;
    fuzz_record r;
    while (fuzz_next_record(data, size, &off, &r)) {
        if (r.op & 4) {
            sfc_card_power(s->card, SFC_RESET);
            t.sm = false;
        }
        if (r.op & 2)
            npa_raw(&t, &l, r.data, r.len);
        else
            npa_protected(&t, &l, r.data, r.len, r.op & 1);
    }
    npa_term_free(&t);
    RAND_set_rand_method(NULL);
}

static void et_input(slot *s, const uint8_t *data, size_t size)
{
    et_term t;
    et_init(&t, card_tx, s->card);
    t.extended = s->extended;
    size_t off = 1;
    fuzz_record r;
    while (fuzz_next_record(data, size, &off, &r)) {
        if (r.op & 4) {
            sfc_card_power(s->card, SFC_RESET);
            t.sm = false;
        }
        if (r.op & 2)
            raw(&t, r.data, r.len);
        else
            protected(s, &t, r.data, r.len, r.op & 1);
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size == 0)
        return 0;
    trace = getenv("FUZZ_SM_TRACE") != NULL;
    slot *s = &slots[data[0] % N_SLOTS];
    if (!s->card)
        restore_card(s, true);
    fuzz_rng_restart();
    sfc_card_power(s->card, SFC_RESET);
    if (s->pace)
        npa_input(s, data, size);
    else
        et_input(s, data, size);
    fuzz_end_input(s->card);
    restore_card(s, false);
    return 0;
}
