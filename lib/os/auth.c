/* SPDX-License-Identifier: LGPL-2.1-or-later */
/**
 * @file auth.c
 * @brief GET CHALLENGE, INTERNAL AUTHENTICATE and EXTERNAL AUTHENTICATE
 *        with the card secret.
 *
 * GET CHALLENGE returns as many random bytes as Le asks for (8 without Le,
 * announced with 61 08 as the reference does), from the card's injectable
 * RNG. The last challenge is remembered for EXTERNAL AUTHENTICATE, which
 * uses it exactly once, whatever the outcome (the reference never cleared
 * it, so a recorded answer could be replayed).
 *
 * The cryptogram is the encryption of the ISO-padded challenge with the
 * 16-byte card secret under the algorithm P1 names, numbered as the
 * reference emulator numbers them: 00/01 3DES-ECB, 02 3DES-CBC, 03 DES-ECB,
 * 04 DES-CBC, 05 AES-ECB, 06 AES-CBC, CBC with a zero IV. 3DES uses the
 * secret as a two-key 3DES key, DES its first 8 bytes, AES all 16 as an
 * AES-128 key (crypto/sym.h does the work through OpenSSL). INTERNAL
 * AUTHENTICATE encrypts the block-aligned data it receives, so a terminal
 * that pads the challenge itself gets exactly what EXTERNAL AUTHENTICATE
 * expects. Key reference P2 = 00 is the card secret; other keys belong to the
 * security environment of a later stage and answer 6A88 for now.
 */
#include "os/card.h"

#include <stdlib.h>
#include <string.h>

#include "os/iso.h"
#include "crypto/sym.h"
#include "core/bytes.h"
#include "core/log.h"
#include "core/rng.h"
#include "core/sw.h"

#define DEFAULT_CHALLENGE_LEN 8

uint16_t iso_get_challenge(sfc_card *card, const sfc_cmd *cmd, sfc_resp *resp)
{
    if (cmd->p1 != 0 || cmd->p2 != 0)
        return SW_WRONG_P1P2;
    if (cmd->nc != 0)
        return SW_WRONG_LENGTH;
    size_t n = cmd->has_le ? sfc_max_response(cmd) : DEFAULT_CHALLENGE_LEN;
    if (!buf_reserve(&resp->data, n))
        return SW_UNKNOWN;
    uint8_t *out = resp->data.data + resp->data.len;
    if (sfc_rng_fill(&card->rng, out, n) != SFC_OK) {
        sfc_log(SFC_LOG_ERROR, "random generator failed");
        card->challenge_len = 0;
        return SW_UNKNOWN;
    }
    resp->data.len += n;
    sfc_wipe(card->challenge, sizeof(card->challenge));
    card->challenge_len = n <= SFC_CHALLENGE_MAX ? n : 0;
    memcpy(card->challenge, out, card->challenge_len);
    return SW_OK;
}

/** A P1 algorithm reference: cipher, mode and how much of the secret. */
typedef struct auth_alg {
    sfc_cipher_alg alg;
    sfc_cipher_mode mode;
    size_t keylen;
} auth_alg;

static bool auth_alg_of(uint8_t p1, auth_alg *out)
{
    static const auth_alg table[] = {
        {SFC_CIPHER_DES3, SFC_MODE_ECB, 16}, {SFC_CIPHER_DES3, SFC_MODE_ECB, 16},
        {SFC_CIPHER_DES3, SFC_MODE_CBC, 16}, {SFC_CIPHER_DES3, SFC_MODE_ECB, 8},
        {SFC_CIPHER_DES3, SFC_MODE_CBC, 8},  {SFC_CIPHER_AES, SFC_MODE_ECB, 16},
        {SFC_CIPHER_AES, SFC_MODE_CBC, 16},
    };
    if (p1 >= sizeof(table) / sizeof(table[0]))
        return false;
    *out = table[p1];
    return true;
}

static size_t auth_block(uint8_t p1)
{
    auth_alg a;
    return auth_alg_of(p1, &a) ? sfc_cipher_block(a.alg) : 0;
}

/* Encrypt block-aligned data with the card secret under algorithm `p1`. */
static sfc_err auth_encrypt(const sfc_card *card, uint8_t p1, const uint8_t *in,
                           size_t len, uint8_t *out)
{
    auth_alg a;
    if (!auth_alg_of(p1, &a))
        return SFC_E_UNSUPPORTED;
    return sfc_cipher(a.alg, a.mode, true, card->secret, a.keylen, NULL, in,
                     len, out);
}

static uint16_t check_key(const sfc_cmd *cmd)
{
    if (auth_block(cmd->p1) == 0)
        return SW_WRONG_P1P2;
    if (cmd->p2 != 0x00)
        return SW_REF_NOT_FOUND;
    return SW_OK;
}

uint16_t iso_internal_authenticate(sfc_card *card, const sfc_cmd *cmd,
                                   sfc_resp *resp)
{
    uint16_t sw = check_key(cmd);
    if (sw != SW_OK)
        return sw;
    size_t bs = auth_block(cmd->p1);
    if (cmd->nc == 0 || cmd->nc % bs || cmd->nc > SFC_RESP_MAX)
        return SW_WRONG_LENGTH;
    if (!buf_reserve(&resp->data, cmd->nc))
        return SW_UNKNOWN;
    if (auth_encrypt(card, cmd->p1, cmd->data, cmd->nc,
                     resp->data.data + resp->data.len) != SFC_OK)
        return SW_UNKNOWN;
    resp->data.len += cmd->nc;
    return SW_OK;
}

uint16_t iso_external_authenticate(sfc_card *card, const sfc_cmd *cmd,
                                   sfc_resp *resp)
{
    (void)resp;
    uint16_t sw = check_key(cmd);
    if (sw != SW_OK)
        return sw;
    if (card->challenge_len == 0)
        return SW_CONDITIONS;
    if (cmd->nc == 0)
        return SW_WRONG_LENGTH;
    size_t bs = auth_block(cmd->p1);
    uint8_t padded[SFC_CHALLENGE_MAX + 16], expected[SFC_CHALLENGE_MAX + 16];
    size_t n = sfc_pad_iso(card->challenge, card->challenge_len, bs, padded);
    sfc_wipe(card->challenge, sizeof(card->challenge));
    card->challenge_len = 0; /* a challenge is good for one attempt */
    bool ok = auth_encrypt(card, cmd->p1, padded, n, expected) == SFC_OK &&
              cmd->nc == n && sfc_ct_equal(expected, cmd->data, n);
    sfc_wipe(expected, sizeof(expected));
    card->sec.external_auth = ok;
    return ok ? SW_OK : SW_WARN_CHANGED;
}
