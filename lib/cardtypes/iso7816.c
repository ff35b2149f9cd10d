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
#include "cardtypes/cards.h"

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

static const char *const iso_params[] = {"pin", "puk", "secret", NULL};

static sfc_err load_secret(sfc_card *card, const sfc_card_options *opts,
                          char *err, size_t errlen)
{
    const char *hex = sfc_param_get(opts, "secret");
    if (!hex)
        return sfc_rng_fill(&card->rng, card->secret, sizeof(card->secret));
    size_t n = 0;
    if (hex_decode(hex, card->secret, sizeof(card->secret), &n) != SFC_OK ||
        n != sizeof(card->secret)) {
        snprintf(err, errlen, "card secret must be %zu bytes in hex",
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
    size_t len = sizeof(protected_text) - 1;
    sfc_file *ef = fs_ef_binary_new(PROTECTED_FID, len, 1);
    if (!ef || !(ef->sec_attr = malloc(sizeof(protected_rules)))) {
        fs_free(ef);
        return SFC_E_NOMEM;
    }
    memcpy(ef->data, protected_text, len);
    memcpy(ef->sec_attr, protected_rules, sizeof(protected_rules));
    ef->sec_attr_len = sizeof(protected_rules);
    if (fs_link(card->mf, ef) != SW_OK ||
        !sfc_mem_charge(card, (long)fs_footprint(ef))) {
        fs_unlink(ef);
        fs_free(ef);
        return SFC_E_NOMEM;
    }
    return SFC_OK;
}

static sfc_err iso7816_init(sfc_card *card, const sfc_card_options *opts,
                           char *err, size_t errlen)
{
    sfc_err rv = sfc_params_check(opts, "iso7816", iso_params, err, errlen);
    if (rv != SFC_OK)
        return rv;
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
    if ((rv = sfc_pin_add(card, &spec, err, errlen)) != SFC_OK)
        return rv;
    if ((rv = load_secret(card, opts, err, errlen)) != SFC_OK) {
        if (rv == SFC_E_RNG)
            snprintf(err, errlen, "random generator failed");
        return rv;
    }
    if ((rv = add_protected_ef(card)) != SFC_OK)
        return rv;
    return sfc_card_set_iso_atr(card, ISO_FIRST_SFT, ISO_SECOND_SFT);
}

const sfc_card_type sfc_type_iso7816 = {
    "iso7816",
    "ISO/IEC 7816-4 card with a file system, PIN and logical channels",
    iso7816_init, NULL, NULL, NULL,
};
