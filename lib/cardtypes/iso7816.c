/* SPDX-License-Identifier: LGPL-2.1-or-later */
/**
 * @file iso7816.c
 * @brief The default card type: a plain ISO/IEC 7816-4 card.
 *
 * An empty MF, the full interindustry command set of the card OS, the
 * reference emulator's ATR (3B 95 13 81 01 80 73 FF 01 00 0B; the third
 * software function table byte announces extended Lc/Le when extended
 * length is on), one PIN (reference 01, also reached with P2 = 00; default
 * 1234, three tries) with a PUK (default 12345678, ten tries), and a 16-byte
 * card secret for INTERNAL/EXTERNAL AUTHENTICATE (random unless given), and
 * one PIN-protected EF to show the security model: EF 0101 (SFI 1) with
 * compact security attributes 8C 08 7F 10 10 10 10 10 10 10 — every access
 * mode (read, update, write, deactivate, activate, terminate, delete) needs
 * user authentication with the PIN. READ BINARY answers 6982 until VERIFY.
 *
 * Parameters: pin, puk (4..16 and 1..16 characters), secret (32 hex digits).
 */
#include "core/errtext.h"
#include "cardtypes/cardtypes.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "os/fs.h"
#include "os/pin.h"
#include "core/bytes.h"
#include "core/rng.h"
#include "core/sw.h"

#define ISO_PIN_REF 0x01
#define ISO_FIRST_SFT 0xFF  /* every DF selection method, SFI, records */
#define ISO_SECOND_SFT 0x01 /* data coding byte: one-time write, 1-byte units */

static sfc_err load_secret(sfc_card *card, const sfc_card_options *opts,
                          char *err, size_t errlen)
{
    const char *hex = sfc_param_get(opts, "secret");
    if (!hex)
        return sfc_rng_fill(&card->rng, card->secret, sizeof(card->secret));
    size_t n = 0;
    if (hex_decode(hex, card->secret, sizeof(card->secret), &n) != SFC_OK ||
        n != sizeof(card->secret)) {
        sfc_errf(err, errlen, "card secret must be %zu bytes in hex",
                 sizeof(card->secret));
        return SFC_E_INVAL;
    }
    return SFC_OK;
}

#define PROTECTED_FID 0x0101
static const char protected_text[] = "This file is protected by the PIN.";
/* AM 7F (every access mode), then one SC byte per mode: 10 = user
 * authentication with the card's first PIN. */
static const uint8_t protected_rules[] = {0x8C, 0x08, 0x7F, 0x10, 0x10, 0x10,
                                          0x10, 0x10, 0x10, 0x10};

static sfc_err add_protected_ef(sfc_card *card)
{
    sfc_file *ef = NULL;
    sfc_err rv = sfc_ef_add(card, sfc_card_mf(card), PROTECTED_FID, 1,
                            (const uint8_t *)protected_text,
                            sizeof(protected_text) - 1, &ef);
    if (rv == SFC_OK)
        rv = sfc_file_set_rules(card, ef, protected_rules, sizeof(protected_rules));
    return rv;
}

/* Personalisation: the PIN with its PUK, the card secret, EF 0101. */
static sfc_err iso7816_create(sfc_card *card, const sfc_card_options *opts,
                              char *err, size_t errlen)
{
    sfc_err rv;
    const char *pin = sfc_param_get(opts, "pin");
    const char *puk = sfc_param_get(opts, "puk");
    sfc_pin_spec spec = {
        .ref = ISO_PIN_REF,
        .value = pin ? pin : "1234",
        .min_len = 4,
        .max_len = SFC_PIN_MAX_LEN,
        .tries = 3,
        .puk = puk ? puk : "12345678",
        .puk_tries = 10,
    };
    if ((rv = sfc_pin_add(card, NULL, &spec, err, errlen)) != SFC_OK)
        return rv;
    if ((rv = load_secret(card, opts, err, errlen)) != SFC_OK) {
        if (rv == SFC_E_RNG)
            sfc_errf(err, errlen, "random generator failed");
        return rv;
    }
    return add_protected_ef(card);
}

/* Behaviour: the ISO command set as it is, and the reference's ATR. */
static sfc_err iso7816_attach(sfc_card *card, const sfc_card_options *opts,
                              char *err, size_t errlen)
{
    (void)opts;
    (void)err;
    (void)errlen;
    return sfc_card_set_iso_atr(card, ISO_FIRST_SFT, ISO_SECOND_SFT);
}

static const sfc_param_def iso_params[] = {
    {"pin", "PIN", "the PIN, 4 to 16 characters (default 1234)",
     SFC_PARAM_SECRET},
    {"puk", "PUK", "the PUK, 1 to 16 characters (default 12345678)",
     SFC_PARAM_SECRET},
    {"secret", "HEX", "the 16-byte card secret for INTERNAL/EXTERNAL "
     "AUTHENTICATE (default random)", SFC_PARAM_SECRET},
    {NULL, NULL, NULL, 0}};

const sfc_card_type sfc_type_iso7816 = {
    .abi = SFC_CARD_TYPE_ABI,
    .name = "iso7816",
    .description = "ISO/IEC 7816-4 card with a file system, PIN and logical "
                   "channels",
    .params = iso_params,
    .create = iso7816_create,
    .attach = iso7816_attach,
};
