/* SPDX-License-Identifier: LGPL-2.1-or-later */
/**
 * @file npa_rand.c
 * @brief OpenPACE draws the chip's secrets (the PACE nonce, ephemeral
 *        private keys) from the card's RNG, so that tests can inject them
 *        and replay the ICAO and BSI transcripts byte for byte.
 *
 * OpenPACE takes its randomness from OpenSSL (RAND_bytes for the nonce,
 * the key generators for private keys). Around one OpenPACE call that
 * creates a secret, a RAND_METHOD is installed whose first request is
 * served by the card's RNG; every later request in the same call (the
 * coordinate blinding of OpenSSL's scalar multiplication, which changes no
 * result) goes to OpenSSL's own DRBG. The first request of
 * PACE_STEP1_enc_nonce is the nonce; that of an EC key generation the
 * private scalar (OpenSSL draws it from [0, order) and retries on zero),
 * that of a DH key generation the private exponent minus one.
 *
 * Only a card with an injected RNG installs the method: with the system
 * RNG OpenSSL's DRBG serves OpenPACE directly, and nothing process-wide
 * changes. RAND_set_rand_method() is deprecated in OpenSSL 3 but still
 * consulted by RAND_bytes and RAND_priv_bytes; this file alone uses it.
 */
#define OPENSSL_SUPPRESS_DEPRECATED 1

#include "cardtypes/npa.h"

#include <openssl/rand.h>

#include "core/rng.h"

static sfc_rng *pending; /* the card RNG for the next request, or NULL */
static bool failed;
static bool installed;

static int bridge_bytes(unsigned char *buf, int num)
{
    if (num < 0)
        return 0;
    if (pending) {
        sfc_rng *rng = pending;
        pending = NULL;
        if (sfc_rng_fill(rng, buf, (size_t)num) != SFC_OK) {
            failed = true;
            return 0;
        }
        return 1;
    }
    return RAND_OpenSSL()->bytes(buf, num);
}

static int bridge_status(void)
{
    return 1;
}

static const RAND_METHOD bridge = {
    .bytes = bridge_bytes,
    .status = bridge_status,
};

void npa_rand_begin(sfc_card *card)
{
    failed = false;
    if (card->rng.fill == sfc_rng_system()->fill)
        return;
    pending = &card->rng;
    installed = RAND_set_rand_method(&bridge) == 1;
}

bool npa_rand_end(void)
{
    if (installed)
        RAND_set_rand_method(NULL);
    installed = false;
    pending = NULL;
    return !failed;
}
