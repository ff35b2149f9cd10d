/**
 * @file iso7816.c
 * @brief The default card type: a plain ISO/IEC 7816-4 card.
 *
 * An empty MF, the full interindustry command set of the card OS, the
 * reference emulator's ATR (3B 95 13 81 01 80 73 FF 01 00 0B; the third
 * software function table byte announces extended Lc/Le when extended
 * length is on), one PIN (reference 01, also reached with P2 = 00; default
 * 1234, three tries) with a PUK (default 12345678, ten tries), and a 16-byte
 * card secret for INTERNAL/EXTERNAL AUTHENTICATE (random unless given).
 *
 * Parameters: pin, puk (4..16 and 1..16 characters), secret (32 hex digits).
 */
#include "cards/cards.h"

#include <stdio.h>
#include <string.h>

#include "card/pin.h"
#include "core/bytes.h"
#include "core/rng.h"

#define ISO_PIN_REF 0x01
#define ISO_FIRST_SFT 0xFF  /* every DF selection method, SFI, records */
#define ISO_SECOND_SFT 0x01 /* data coding byte: one-time write, 1-byte units */

static const char *const iso_params[] = {"pin", "puk", "secret", NULL};

static sc_err load_secret(sc_card *card, const sc_card_options *opts,
                          char *err, size_t errlen)
{
    const char *hex = sc_param_get(opts, "secret");
    if (!hex)
        return sc_rng_fill(&card->rng, card->secret, sizeof(card->secret));
    size_t n = 0;
    if (hex_decode(hex, card->secret, sizeof(card->secret), &n) != SC_OK ||
        n != sizeof(card->secret)) {
        snprintf(err, errlen, "card secret must be %zu bytes in hex",
                 sizeof(card->secret));
        return SC_E_INVAL;
    }
    return SC_OK;
}

static sc_err iso7816_init(sc_card *card, const sc_card_options *opts,
                           char *err, size_t errlen)
{
    sc_err rv = sc_params_check(opts, "iso7816", iso_params, err, errlen);
    if (rv != SC_OK)
        return rv;
    const char *pin = sc_param_get(opts, "pin");
    const char *puk = sc_param_get(opts, "puk");
    sc_pin_spec spec = {
        .ref = ISO_PIN_REF,
        .value = pin ? pin : "1234",
        .min_len = 4,
        .max_len = SC_PIN_MAX_LEN,
        .tries = 3,
        .puk = puk ? puk : "12345678",
        .puk_tries = 10,
    };
    if ((rv = sc_pin_add(card, &spec, err, errlen)) != SC_OK)
        return rv;
    if ((rv = load_secret(card, opts, err, errlen)) != SC_OK) {
        if (rv == SC_E_RNG)
            snprintf(err, errlen, "random generator failed");
        return rv;
    }
    return sc_card_set_iso_atr(card, ISO_FIRST_SFT, ISO_SECOND_SFT);
}

const sc_card_type sc_type_iso7816 = {
    "iso7816",
    "ISO/IEC 7816-4 card with a file system, PIN and logical channels",
    iso7816_init, NULL, NULL, NULL,
};
