/* SPDX-License-Identifier: LGPL-2.1-or-later */
/**
 * @file epass_bac.c
 * @brief Basic Access Control, chip side (ICAO Doc 9303-11 §9.7 and
 *        App. D.3): EXTERNAL AUTHENTICATE as mutual authentication, then
 *        3DES secure messaging with the session keys.
 *
 * The terminal first takes an 8-byte challenge RND.IC with the card OS's
 * GET CHALLENGE, then sends `00 82 00 00 28 E_IFD || M_IFD 28`, where
 * E_IFD = 3DES-CBC(KEnc, RND.IFD || RND.IC || K.IFD) and M_IFD is the retail
 * MAC of E_IFD under KMAC. The chip checks the MAC (constant time), deciphers,
 * compares RND.IC, draws its own key material K.IC from the card's RNG and
 * answers E_IC || M_IC over RND.IC || RND.IFD || K.IC. Both sides then derive
 * KSEnc and KSMAC from K.IFD xor K.IC and start the send sequence counter
 * at RND.IC[4..7] || RND.IFD[4..7]; the session is handed to the project's
 * SM layer (card/sm.h), which does ICAO's secure messaging from the next
 * command on: DO87/DO97/DO8E commands, DO87/DO99/DO8E responses, errors
 * included, and the end of the session on any SM error or plain command.
 *
 * KEnc and KMAC are derived from the MRZ in EF.DG1 each time, so they always
 * match the data group the card holds (also after a card image replaced the
 * file tree), and no document key lives in memory between sessions. Every
 * key, seed and random value is wiped before returning, and none is logged.
 *
 * Status words: P1-P2 other than 00 00 6A86; data other than 40 bytes 6700;
 * no fresh 8-byte challenge 6985 (a challenge serves one attempt, whatever
 * its outcome, so an answer cannot be replayed); wrong MAC or RND.IC 6300
 * (cardpeek then hints at a wrong MRZ); DG1 missing or unreadable 6985; RNG
 * failure 6F00.
 */
#include "cardtypes/epass.h"

#include <string.h>

#include "os/fs.h"
#include "os/sm.h"
#include "core/log.h"
#include "core/rng.h"
#include "core/sw.h"
#include "crypto/sym.h"

#define BAC_DATA_LEN 40
#define BAC_CRYPTOGRAM_LEN 32

/* All secrets of one EXTERNAL AUTHENTICATE, wiped together. */
typedef struct bac_work {
    uint8_t kenc[16], kmac[16];
    uint8_t rnd_ic[8];
    uint8_t s[BAC_CRYPTOGRAM_LEN];   /* RND.IFD || RND.IC || K.IFD */
    uint8_t r[BAC_CRYPTOGRAM_LEN];   /* RND.IC || RND.IFD || K.IC, then E_IC */
    uint8_t mac_in[BAC_DATA_LEN];
    uint8_t mac[8];
    uint8_t seed[16], ksenc[16], ksmac[16], ssc[8];
    char mrz_info[48];
} bac_work;

/* KEnc and KMAC from the MRZ in EF.DG1 of the LDS1 application. */
static sfc_err document_keys(sfc_card *card, bac_work *w)
{
    sfc_file *df = epass_lds_df(card);
    sfc_file *dg1 = df ? fs_child_by_fid(df, EPASS_FID_DG(1)) : NULL;
    epass_mrz mrz;
    if (!dg1 || dg1->kind != SFC_FILE_EF_BINARY ||
        epass_dg1_mrz(dg1->data, dg1->size, &mrz) != SFC_OK)
        return SFC_E_NOT_FOUND;
    size_t n = epass_mrz_info(&mrz, w->mrz_info, sizeof(w->mrz_info));
    sfc_wipe(&mrz, sizeof(mrz));
    if (n == 0)
        return SFC_E_FORMAT;
    return epass_bac_keys(w->mrz_info, n, w->kenc, w->kmac);
}

/* Retail MAC (ISO/IEC 9797-1 alg. 3) of a 32-byte cryptogram, padded. */
static sfc_err mac32(const uint8_t key[16], const uint8_t *c, bac_work *w)
{
    size_t n = sfc_pad_iso(c, BAC_CRYPTOGRAM_LEN, 8, w->mac_in);
    return sfc_mac_retail(key, w->mac_in, n, w->mac);
}

/* Check M_IFD, decipher E_IFD and compare RND.IC. */
static bool terminal_authentic(const uint8_t *data, bac_work *w)
{
    if (mac32(w->kmac, data, w) != SFC_OK ||
        !sfc_ct_equal(w->mac, data + BAC_CRYPTOGRAM_LEN, 8))
        return false;
    if (sfc_cipher(SFC_CIPHER_DES3, SFC_MODE_CBC, false, w->kenc, 16, NULL, data,
                  BAC_CRYPTOGRAM_LEN, w->s) != SFC_OK)
        return false;
    return sfc_ct_equal(w->s + 8, w->rnd_ic, 8);
}

/* E_IC || M_IC into the response; K.IC comes from the card's RNG. */
static uint16_t chip_answer(sfc_card *card, sfc_resp *resp, bac_work *w)
{
    memcpy(w->r, w->rnd_ic, 8);
    memcpy(w->r + 8, w->s, 8);
    if (sfc_rng_fill(&card->rng, w->r + 16, 16) != SFC_OK) {
        sfc_log(SFC_LOG_ERROR, "%s: BAC: random generator failed", card->label);
        return SW_UNKNOWN;
    }
    for (size_t i = 0; i < 16; i++)
        w->seed[i] = (uint8_t)(w->s[16 + i] ^ w->r[16 + i]);
    memcpy(w->ssc, w->rnd_ic + 4, 4);
    memcpy(w->ssc + 4, w->s + 4, 4);
    if (sfc_cipher(SFC_CIPHER_DES3, SFC_MODE_CBC, true, w->kenc, 16, NULL, w->r,
                  BAC_CRYPTOGRAM_LEN, w->r) != SFC_OK ||
        mac32(w->kmac, w->r, w) != SFC_OK)
        return SW_UNKNOWN;
    if (!buf_put(&resp->data, w->r, BAC_CRYPTOGRAM_LEN) ||
        !buf_put(&resp->data, w->mac, 8))
        return SW_UNKNOWN;
    return SW_OK;
}

/* Session keys from K.IFD xor K.IC, and the SM layer takes over. */
static uint16_t start_session(sfc_card *card, bac_work *w)
{
    if (epass_kdf(w->seed, 1, w->ksenc) != SFC_OK ||
        epass_kdf(w->seed, 2, w->ksmac) != SFC_OK ||
        sm_start(card, SM_3DES_RETAIL, w->ksenc, 16, w->ksmac, 16, w->ssc,
                 8) != SFC_OK)
        return SW_UNKNOWN;
    return SW_OK;
}

static uint16_t authenticate(sfc_card *card, const sfc_cmd *cmd, sfc_resp *resp,
                             bac_work *w)
{
    if (document_keys(card, w) != SFC_OK) {
        sfc_log(SFC_LOG_WARN, "%s: BAC: no readable MRZ in EF.DG1", card->label);
        return SW_CONDITIONS;
    }
    if (!terminal_authentic(cmd->data, w)) {
        sfc_log(SFC_LOG_INFO, "%s: BAC: terminal not authenticated (wrong MRZ "
               "or challenge)", card->label);
        return SW_WARN_CHANGED;
    }
    uint16_t sw = chip_answer(card, resp, w);
    if (sw == SW_OK)
        sw = start_session(card, w);
    if (sw != SW_OK) {
        buf_reset(&resp->data);
        return sw;
    }
    sfc_log(SFC_LOG_INFO, "%s: BAC: mutual authentication done, secure "
           "messaging started", card->label);
    return SW_OK;
}

uint16_t epass_external_authenticate(sfc_card *card, const sfc_cmd *cmd,
                                     sfc_resp *resp)
{
    if (cmd->p1 != 0x00 || cmd->p2 != 0x00)
        return SW_WRONG_P1P2;
    if (cmd->nc != BAC_DATA_LEN)
        return SW_WRONG_LENGTH;
    bac_work w;
    memset(&w, 0, sizeof(w));
    bool fresh = card->challenge_len == sizeof(w.rnd_ic);
    memcpy(w.rnd_ic, card->challenge, sizeof(w.rnd_ic));
    sfc_wipe(card->challenge, sizeof(card->challenge));
    card->challenge_len = 0; /* one attempt per challenge */
    uint16_t sw = fresh ? authenticate(card, cmd, resp, &w) : SW_CONDITIONS;
    sfc_wipe(&w, sizeof(w));
    return sw;
}
