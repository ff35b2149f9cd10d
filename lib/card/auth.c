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
 * 16-byte card secret under the algorithm P1 names (symcipher.h); INTERNAL
 * AUTHENTICATE encrypts the block-aligned data it receives, so a terminal
 * that pads the challenge itself gets exactly what EXTERNAL AUTHENTICATE
 * expects. Key reference P2 = 00 is the card secret; other keys belong to the
 * security environment of a later stage and answer 6A88 for now.
 */
#include "card/card.h"

#include <stdlib.h>
#include <string.h>

#include "card/iso.h"
#include "card/symcipher.h"
#include "core/bytes.h"
#include "core/log.h"
#include "core/rng.h"
#include "core/sw.h"

#define DEFAULT_CHALLENGE_LEN 8

uint16_t iso_get_challenge(sc_card *card, const sc_cmd *cmd, sc_resp *resp)
{
    if (cmd->p1 != 0 || cmd->p2 != 0)
        return SW_WRONG_P1P2;
    if (cmd->nc != 0)
        return SW_WRONG_LENGTH;
    size_t n = cmd->has_le ? sc_max_response(cmd) : DEFAULT_CHALLENGE_LEN;
    if (!buf_reserve(&resp->data, n))
        return SW_UNKNOWN;
    uint8_t *out = resp->data.data + resp->data.len;
    if (sc_rng_fill(&card->rng, out, n) != SC_OK) {
        sc_log(SC_LOG_ERROR, "random generator failed");
        card->challenge_len = 0;
        return SW_UNKNOWN;
    }
    resp->data.len += n;
    sc_wipe(card->challenge, sizeof(card->challenge));
    card->challenge_len = n <= SC_CHALLENGE_MAX ? n : 0;
    memcpy(card->challenge, out, card->challenge_len);
    return SW_OK;
}

static uint16_t check_key(const sc_cmd *cmd)
{
    if (sym_block_size(cmd->p1) == 0)
        return SW_WRONG_P1P2;
    if (cmd->p2 != 0x00)
        return SW_REF_NOT_FOUND;
    return SW_OK;
}

uint16_t iso_internal_authenticate(sc_card *card, const sc_cmd *cmd,
                                   sc_resp *resp)
{
    uint16_t sw = check_key(cmd);
    if (sw != SW_OK)
        return sw;
    size_t bs = sym_block_size(cmd->p1);
    if (cmd->nc == 0 || cmd->nc % bs || cmd->nc > SC_RESP_MAX)
        return SW_WRONG_LENGTH;
    if (!buf_reserve(&resp->data, cmd->nc))
        return SW_UNKNOWN;
    if (sym_encrypt(cmd->p1, card->secret, cmd->data, cmd->nc,
                    resp->data.data + resp->data.len) != SC_OK)
        return SW_UNKNOWN;
    resp->data.len += cmd->nc;
    return SW_OK;
}

uint16_t iso_external_authenticate(sc_card *card, const sc_cmd *cmd,
                                   sc_resp *resp)
{
    (void)resp;
    uint16_t sw = check_key(cmd);
    if (sw != SW_OK)
        return sw;
    if (card->challenge_len == 0)
        return SW_CONDITIONS;
    if (cmd->nc == 0)
        return SW_WRONG_LENGTH;
    size_t bs = sym_block_size(cmd->p1);
    uint8_t padded[SC_CHALLENGE_MAX + 16], expected[SC_CHALLENGE_MAX + 16];
    size_t n = iso_pad(card->challenge, card->challenge_len, bs, padded);
    sc_wipe(card->challenge, sizeof(card->challenge));
    card->challenge_len = 0; /* a challenge is good for one attempt */
    bool ok = sym_encrypt(cmd->p1, card->secret, padded, n, expected) == SC_OK &&
              cmd->nc == n && sc_ct_equal(expected, cmd->data, n);
    sc_wipe(expected, sizeof(expected));
    card->sec.external_auth = ok;
    return ok ? SW_OK : SW_WARN_CHANGED;
}
