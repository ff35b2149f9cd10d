/* SPDX-License-Identifier: LGPL-2.1-or-later */
/**
 * @file npa_eac.c
 * @brief Terminal Authentication v2 and Chip Authentication v2, chip side
 *        (BSI TR-03110-2 §3.3-3.4, -3 B.11), on OpenPACE, after PACE and
 *        under its secure messaging; the CHAT's rights on the data groups.
 *
 * TA: MSE:Set DST `00 22 81 B6 {83 CAR}` names the key for the next
 * certificate; PSO:VERIFY CERTIFICATE `00 2A 00 BE {7F4E body, 5F37
 * signature}` imports one CV certificate of the chain up from the card's
 * CVCA (the --cvca given at personalisation; date checks off with
 * --disable-ta-checks) through TA_STEP2_import_certificate; MSE:Set AT
 * `00 22 81 A4 {80 TA OID, 83 CHR, 91 compressed PCD key, [67 auxiliary
 * data]}`; GET CHALLENGE `00 84 00 00 08` answers TA_STEP4's nonce (from
 * the card's RNG); EXTERNAL AUTHENTICATE `00 82 00 00 <signature>` verifies
 * it with TA_STEP6 over the PICC's compressed PACE key. On success the
 * effective CHAT is the terminal certificate's AND the one PACE was
 * started with (all of the certificate's when PACE had none); its bits
 * become card rights that end with secure messaging.
 *
 * CA: MSE:Set AT `00 22 41 A4 {80 CA OID, [84 key ID]}` after TA, for a
 * ChipAuthenticationInfo of EF.CardAccess with standardized domain
 * parameters; GENERAL AUTHENTICATE `7C{80 PCD key}` (the key TA's 91 named)
 * answers `7C{81 nonce, 82 token}` (CA_STEP4/5) and the card switches
 * secure messaging to the new keys after that response.
 *
 * Auxiliary data (VERIFY `80 20 80 00 {06 OID}` after TA, proprietary class
 * as TR-03110-3 has it, 8C under SM; 00 20 80 00 answers 6A86): the reference
 * comes from the 67 object TA's MSE:Set AT sent (and the terminal signed):
 * age (DG8 on or before the date; right "Age Verification"), document
 * validity (DG3 on or after the date), community ID (DG18 starts with the
 * value; right "Community ID Verification"): 9000, 6300, 6982 without the
 * right, 6A88 without such a reference.
 *
 * RI: MSE:Set AT `00 22 41 A4 {80 id-RI-ECDH-SHA-256, [84 42]}` after TA
 * (with the RI right) and CA; GENERAL AUTHENTICATE `7C{A0 {06 OID, 86
 * sector public key}}` answers `7C{81 SHA-256 of the ECDH x-coordinate of
 * the chip's RI key and the sector key}` (RI_STEP2). When the terminal
 * certificate has a sector extension (id-sector), the key sent must be one
 * of its sectors (SHA-256 of 7F49 {A0's contents}), else 6982.
 *
 * eSign: a signature terminal's certificate (id-ST) grants its two rights
 * (NPA_RIGHT_ST_SIG, NPA_RIGHT_ST_QES) for npa_esign.c.
 *
 * The card's date (TR-03110-3 A.6.2): kept in the internal EF 0F04 from
 * the personalisation day (UTC); a verified CVCA or domestic DV certificate
 * whose effective date is later advances it; a certificate that expired
 * before it is refused (6300), unless --disable-ta-checks. OpenPACE's own
 * date checks (against the system clock, no hook for another date) are
 * always off. A verified CVCA link certificate becomes the trust anchor in
 * 0F04 (replacing, not adding to, the previous one). CA with DH keys works
 * with vicc's raw --ca-key only.
 *
 * Status words: no PACE 6982; a step out of order 6985; malformed data
 * 6A80; a certificate or signature that does not verify 6300; no CVCA on
 * the card 6A88.
 */
#include "cardtypes/npa.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <eac/ca.h>
#include <eac/cv_cert.h>
#include <eac/eac.h>
#include <eac/objects.h>
#include <eac/ri.h>
#include <eac/ta.h>
#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>

#include "core/log.h"
#include "core/sw.h"
#include "core/tlv.h"
#include "os/fs.h"
#include "os/sm.h"

#define NPA_FID_TA_ANCHOR 0x0F02u

void npa_eac_reset(npa_session *s)
{
    BUF_MEM_clear_free(s->ta_eph);
    BUF_MEM_clear_free(s->aux);
    s->ta_eph = s->aux = NULL;
    s->ta_ready = s->ta_done = s->ca_done = s->nonce_out = false;
    s->mse = MSE_NONE;
}

static BUF_MEM *bm(const uint8_t *d, size_t n)
{
    BUF_MEM *b = BUF_MEM_new();
    if (b && BUF_MEM_grow(b, n) == n) {
        memcpy(b->data, d, n);
        return b;
    }
    BUF_MEM_free(b);
    return NULL;
}

/* The session if PACE is established, else NULL (answer 6982). */
static npa_session *after_pace(sfc_card *card)
{
    return npa_pace_done(card) ? npa_session_get(card) : NULL;
}

/* ---- the trust anchor --------------------------------------------------------- */

/* The internal EF 0F04 (created on first use for cards personalised
 * before it existed, dated today). */
sfc_file *npa_ta_state(sfc_card *card)
{
    sfc_file *ef = sfc_file_child(sfc_card_mf(card), NPA_FID_TA_STATE);
    static const uint8_t never[] = {0x8C, 0x08, 0x7F, 0xFF, 0xFF,
                                    0xFF, 0xFF, 0xFF, 0xFF, 0xFF};
    uint8_t *init;
    if (ef || !(init = calloc(1, NPA_TA_STATE_SIZE)))
        return ef;
    if (npa_date_digits(time(NULL), init) &&
        sfc_ef_add(card, sfc_card_mf(card), NPA_FID_TA_STATE, 0, init,
                   NPA_TA_STATE_SIZE, &ef) == SFC_OK &&
        sfc_file_set_rules(card, ef, never, sizeof(never)) != SFC_OK)
        ef = NULL;
    free(init);
    return ef;
}

/* The trust anchor: a link certificate's (0F04) or --cvca's (0F02). */
static const uint8_t *anchor(sfc_card *card, size_t *len)
{
    sfc_file *st = npa_ta_state(card);
    size_t n = 0;
    const uint8_t *d = st ? sfc_file_data(st, &n) : NULL;
    size_t alen = d && n == NPA_TA_STATE_SIZE ? (size_t)d[6] << 8 | d[7] : 0;
    if (alen && alen <= NPA_TA_ANCHOR_MAX) {
        *len = alen;
        return d + 8;
    }
    sfc_file *ef = sfc_file_child(sfc_card_mf(card), NPA_FID_TA_ANCHOR);
    d = ef ? sfc_file_data(ef, &n) : NULL;
    if (!d || n < 2)
        return NULL;
    *len = n - 1;
    return d + 1;
}

/* TA checks disabled (--disable-ta-checks): flag byte of 0F02. */
static bool checks_off(sfc_card *card)
{
    sfc_file *ef = sfc_file_child(sfc_card_mf(card), NPA_FID_TA_ANCHOR);
    size_t n = 0;
    const uint8_t *d = ef ? sfc_file_data(ef, &n) : NULL;
    return d && n && (d[0] & 1);
}

/* OpenPACE checks dates against the system clock, which a card does not
 * have: its own checks are off, and npa_verify_certificate() checks the
 * card's date instead. */
static uint16_t load_anchor(sfc_card *card, npa_session *s)
{
    if (s->ta_ready)
        return SW_OK;
    size_t len = 0;
    const uint8_t *d = anchor(card, &len);
    if (!d)
        return SW_REF_NOT_FOUND;
    if (!EAC_CTX_init_ta(s->eac, NULL, 0, d, len))
        return SW_UNKNOWN;
    TA_disable_checks(s->eac);
    s->ta_ready = true;
    return SW_OK;
}

bool npa_cvca_chr(sfc_card *card, uint8_t *out, size_t *len)
{
    size_t n = 0;
    const unsigned char *p = anchor(card, &n);
    CVC_CERT *c = p ? CVC_d2i_CVC_CERT(NULL, &p, (long)n) : NULL;
    const ASN1_UTF8STRING *chr =
        c && c->body ? c->body->certificate_holder_reference : NULL;
    bool ok = chr && (size_t)chr->length <= *len;
    if (ok) {
        memcpy(out, chr->data, (size_t)chr->length);
        *len = (size_t)chr->length;
    }
    CVC_CERT_free(c);
    return ok;
}

uint16_t npa_mse_set_dst(sfc_card *card, const sfc_cmd *cmd)
{
    npa_session *s = after_pace(card);
    ber_tlv t;
    if (!s)
        return SW_SECURITY_STATUS;
    if (ber_decode(cmd->data, cmd->nc, &t) != SFC_OK || t.size != cmd->nc ||
        t.tag != 0x83 || t.len == 0 || t.len > 16)
        return SW_WRONG_DATA;
    return load_anchor(card, s);
}

/* A CV certificate date (6 digits), or false. */
static bool cert_date(const ASN1_OCTET_STRING *a, uint8_t out[6])
{
    if (!a || ASN1_STRING_length(a) != 6)
        return false;
    memcpy(out, ASN1_STRING_get0_data(a), 6);
    for (int i = 0; i < 6; i++)
        if (out[i] > 9)
            return false;
    return true;
}

/* Refuse a certificate that expired before the card's date. */
static bool date_ok(sfc_card *card, const sfc_buf *cert)
{
    const unsigned char *p = cert->data;
    CVC_CERT *c = CVC_d2i_CVC_CERT(NULL, &p, (long)cert->len);
    sfc_file *st = npa_ta_state(card);
    size_t n = 0;
    const uint8_t *today = st ? sfc_file_data(st, &n) : NULL;
    uint8_t exp[6];
    bool ok = c && c->body &&
              cert_date(c->body->certificate_expiration_date, exp) && today &&
              n == NPA_TA_STATE_SIZE && memcmp(exp, today, 6) >= 0;
    CVC_CERT_free(c);
    return ok;
}

/* After an import: a CVCA or domestic DV certificate advances the card's
 * date to its effective date; a CVCA (link) certificate becomes the trust
 * anchor. Both persist in 0F04. */
static void after_import(sfc_card *card, npa_session *s, const sfc_buf *cert)
{
    const CVC_CERT *c = s->eac->ta_ctx->current_cert;
    sfc_file *st = npa_ta_state(card);
    size_t n = 0;
    const uint8_t *d = st ? sfc_file_data(st, &n) : NULL;
    uint8_t eff[6];
    if (!c || !c->body || !c->body->chat || !d || n != NPA_TA_STATE_SIZE)
        return;
    enum cvc_terminal_role role = CVC_get_role(c->body->chat);
    if ((role == CVC_CVCA || role == CVC_DV) &&
        cert_date(c->body->certificate_effective_date, eff) &&
        memcmp(eff, d, 6) > 0)
        sfc_file_write(card, st, 0, eff, 6);
    if (role == CVC_CVCA && cert->len <= NPA_TA_ANCHOR_MAX) {
        uint8_t len[2] = {(uint8_t)(cert->len >> 8), (uint8_t)cert->len};
        sfc_file_write(card, st, 8, cert->data, cert->len);
        sfc_file_write(card, st, 6, len, 2);
        sfc_log(SFC_LOG_INFO, "%s: nPA: link certificate: new trust anchor",
                card->label);
    }
}

uint16_t npa_verify_certificate(sfc_card *card, const sfc_cmd *cmd,
                                sfc_resp *resp)
{
    npa_session *s = after_pace(card);
    if (!s)
        return SW_SECURITY_STATUS;
    if (cmd->p1 == 0x9E && cmd->p2 == 0x9A)
        return npa_compute_signature(card, cmd, resp);
    if (cmd->p1 != 0x00 || cmd->p2 != 0xBE)
        return npa_not_implemented(card, cmd, resp);
    uint16_t sw = load_anchor(card, s);
    if (sw != SW_OK)
        return sw;
    if (s->ta_done || ber_validate(cmd->data, cmd->nc, false, 4) != SFC_OK)
        return s->ta_done ? SW_CONDITIONS : SW_WRONG_DATA;
    sfc_buf cert;
    buf_init(&cert);
    bool ok = ber_put(&cert, 0x7F21, cmd->data, cmd->nc) && !cert.failed &&
              (checks_off(card) || date_ok(card, &cert)) &&
              TA_STEP2_import_certificate(s->eac, cert.data, cert.len) == 1;
    if (ok)
        after_import(card, s, &cert);
    buf_free(&cert);
    if (!ok)
        sfc_log(SFC_LOG_INFO, "%s: nPA: CV certificate not accepted",
                card->label);
    return ok ? SW_OK : SW_WARN_CHANGED;
}

/* ---- TA's MSE:Set AT, GET CHALLENGE, EXTERNAL AUTHENTICATE ---------------- */

static uint16_t ta_item(npa_session *s, const ber_tlv *t)
{
    switch (t->tag) {
    case 0x80:
    case 0x83: return t->len ? SW_OK : SW_WRONG_DATA;
    case 0x91:
        BUF_MEM_clear_free(s->ta_eph);
        s->ta_eph = bm(t->value, t->len);
        return s->ta_eph && t->len ? SW_OK : SW_WRONG_DATA;
    case 0x67:
        BUF_MEM_clear_free(s->aux);
        s->aux = bm(t->value - (t->size - t->len), t->size);
        return s->aux ? SW_OK : SW_UNKNOWN;
    default: return SW_WRONG_DATA;
    }
}

uint16_t npa_mse_ta(sfc_card *card, const sfc_cmd *cmd)
{
    npa_session *s = after_pace(card);
    if (!s)
        return SW_SECURITY_STATUS;
    const CVC_CERT *c =
        s->ta_ready && s->eac->ta_ctx ? s->eac->ta_ctx->current_cert : NULL;
    if (!c || !c->body || !c->body->chat ||
        CVC_get_role(c->body->chat) != CVC_Terminal)
        return SW_CONDITIONS; /* no terminal certificate imported */
    ber_iter it;
    ber_tlv t;
    sfc_err rv;
    BUF_MEM_clear_free(s->aux);
    s->aux = NULL;
    ber_iter_init(&it, cmd->data, cmd->nc, false);
    while ((rv = ber_iter_next(&it, &t)) == SFC_OK) {
        uint16_t sw = ta_item(s, &t);
        if (sw != SW_OK)
            return sw;
    }
    if (rv != SFC_E_END || !s->ta_eph)
        return SW_WRONG_DATA;
    s->mse = MSE_TA;
    return SW_OK;
}

uint16_t npa_get_challenge(sfc_card *card, const sfc_cmd *cmd, sfc_resp *resp)
{
    if (cmd->p1 != 0x00 || cmd->p2 != 0x00)
        return SW_WRONG_P1P2;
    if (cmd->nc != 0 || !cmd->has_le || cmd->ne != 8)
        return SW_WRONG_LENGTH;
    npa_session *s = npa_pace_done(card) ? npa_session_get(card) : NULL;
    if (!s || s->mse != MSE_TA) {
        uint8_t r[8];
        if (sfc_card_random(card, r, sizeof(r)) != SFC_OK)
            return SW_UNKNOWN;
        return sfc_resp_put(resp, r, sizeof(r)) ? SW_OK : SW_UNKNOWN;
    }
    npa_rand_begin(card);
    BUF_MEM *n = TA_STEP4_get_nonce(s->eac);
    bool ok = npa_rand_end() && n && sfc_resp_put(resp, n->data, n->length);
    BUF_MEM_free(n);
    s->nonce_out = ok;
    return ok ? SW_OK : SW_UNKNOWN;
}

/* Effective CHAT: the certificate's, narrowed by PACE's when given. */
static uint64_t effective_rights(const npa_session *s)
{
    const CVC_CERT *c = s->eac->ta_ctx->current_cert;
    const ASN1_OCTET_STRING *ra = c && c->body && c->body->chat
                                      ? c->body->chat->relative_authorization
                                      : NULL;
    int nid = c && c->body && c->body->chat
                  ? OBJ_obj2nid(c->body->chat->terminal_type)
                  : NID_undef;
    int n = nid == NID_id_AT ? 5 : nid == NID_id_ST ? 1 : 0;
    if (!ra || !n || ASN1_STRING_length(ra) != n)
        return 0;
    uint64_t cert = 0, pace = ~0ull;
    for (int i = 0; i < n; i++)
        cert = cert << 8 | ASN1_STRING_get0_data(ra)[i];
    ber_tlv chat, bits;
    if (s->chat_len && ber_decode(s->chat, s->chat_len, &chat) == SFC_OK &&
        ber_find(chat.value, chat.len, 0x53, &bits) == SFC_OK) {
        pace = 0; /* a CHAT of another length (type) grants nothing */
        for (size_t i = 0; bits.len == (size_t)n && i < bits.len; i++)
            pace = pace << 8 | bits.value[i];
    }
    /* a signature terminal's two bits live above the AT's 40 */
    return nid == NID_id_ST ? (cert & pace & 3u) << NPA_RIGHT_ST_SHIFT
                            : cert & pace;
}

static uint16_t ta_verify(sfc_card *card, npa_session *s, const sfc_cmd *cmd)
{
    BUF_MEM *sig = bm(cmd->data, cmd->nc);
    BUF_MEM *mine =
        EAC_Comp(s->eac, EAC_ID_PACE, s->eac->pace_ctx->my_eph_pubkey);
    int v = sig && mine ? TA_STEP6_verify(s->eac, s->ta_eph, mine, s->aux, sig)
                        : -1;
    BUF_MEM_free(sig);
    BUF_MEM_free(mine);
    if (v != 1)
        return SW_WARN_CHANGED;
    uint64_t rights = effective_rights(s);
    sfc_right_grant(card, NULL, rights, SFC_RIGHT_UNTIL_SM_END);
    s->ta_done = true;
    sfc_log(SFC_LOG_INFO,
            "%s: nPA: Terminal Authentication done, rights "
            "%010llX",
            card->label, (unsigned long long)rights);
    return SW_OK;
}

uint16_t npa_external_authenticate(sfc_card *card, const sfc_cmd *cmd,
                                   sfc_resp *resp)
{
    (void)resp;
    npa_session *s = after_pace(card);
    if (!s)
        return SW_SECURITY_STATUS;
    if (cmd->p1 != 0x00 || cmd->p2 != 0x00)
        return SW_WRONG_P1P2;
    if (s->mse != MSE_TA || !s->nonce_out || s->ta_done)
        return SW_CONDITIONS;
    if (cmd->nc == 0)
        return SW_WRONG_LENGTH;
    s->nonce_out = false; /* one attempt per challenge */
    return ta_verify(card, s, cmd);
}

/* ---- Chip Authentication ------------------------------------------------------ */

/* The standardized domain parameter ID of the CA key `key_id` (-1: the
 * only one) in EF.CardAccess: ChipAuthenticationDomainParameterInfo. */
static int ca_domain(sfc_card *card, int key_id, bool dh)
{
    uint8_t id_ca_ecdh[] = {0x04, 0x00, 0x7F, 0x00, 0x07,
                            0x02, 0x02, 0x03, 0x02};
    if (dh)
        id_ca_ecdh[8] = 0x01; /* id-CA-DH */
    sfc_file *ef = sfc_file_child(sfc_card_mf(card), NPA_FID_CARDACCESS);
    size_t len = 0;
    const uint8_t *d = ef ? sfc_file_data(ef, &len) : NULL;
    ber_tlv set, info, oid, aid, dp, kid;
    if (!d || ber_decode(d, len, &set) != SFC_OK)
        return -1;
    ber_iter it;
    ber_iter_init(&it, set.value, set.len, false);
    while (ber_iter_next(&it, &info) == SFC_OK) {
        if (ber_decode(info.value, info.len, &oid) != SFC_OK ||
            oid.len != sizeof(id_ca_ecdh) ||
            memcmp(oid.value, id_ca_ecdh, oid.len) != 0 ||
            ber_decode(oid.value + oid.len, info.len - oid.size, &aid) !=
                SFC_OK ||
            ber_find(aid.value, aid.len, 0x02, &dp) != SFC_OK || dp.len != 1)
            continue;
        size_t rest = info.len - oid.size - aid.size;
        bool match =
            key_id < 0 ||
            (rest && ber_decode(aid.value + aid.len, rest, &kid) == SFC_OK &&
             kid.len == 1 && kid.value[0] == key_id);
        if (match)
            return dp.value[0];
    }
    return -1;
}

/* vicc's raw CA key (--ca-key), kept in the internal EF 0F03: for DH. */
static bool ca_key_raw(sfc_card *card, npa_session *s)
{
    sfc_file *ef = sfc_file_child(sfc_card_mf(card), NPA_FID_CA_RAW);
    size_t len = 0;
    const uint8_t *d = ef ? sfc_file_data(ef, &len) : NULL;
    return d && len && CA_set_key(s->eac, d, len, NULL, 0) == 1;
}

/* The chip's CA key (key store 41) into OpenPACE's CA context. */
static bool ca_key(sfc_card *card, npa_session *s)
{
    EVP_PKEY *k = sfc_key_pkey(sfc_key_find(card, NPA_KEY_CA));
    BIGNUM *priv = NULL;
    uint8_t d[66], pt[133];
    size_t n = 0;
    bool ok =
        k && EVP_PKEY_get_bn_param(k, OSSL_PKEY_PARAM_PRIV_KEY, &priv) == 1 &&
        BN_bn2binpad(priv, d, 32) == 32 &&
        EVP_PKEY_get_octet_string_param(k, OSSL_PKEY_PARAM_ENCODED_PUBLIC_KEY,
                                        pt, sizeof(pt), &n) == 1 &&
        CA_set_key(s->eac, d, 32, pt, n) == 1;
    BN_clear_free(priv);
    sfc_wipe(d, sizeof(d));
    return ok;
}

/* Restricted Identification (TR-03110-2 §3.5): id-RI-ECDH-SHA-256 with
 * the chip's RI key 42 after TA with the RI right and CA; the sector key
 * is checked against the terminal certificate's sector extension (ga_ri). */
static uint16_t mse_ri(sfc_card *card, npa_session *s, int key_id)
{
    if (key_id >= 0 && key_id != NPA_KEY_RI)
        return SW_REF_NOT_FOUND;
    if (!s->ta_done || !s->ca_done)
        return SW_CONDITIONS;
    if (!sfc_right_has(card, NULL, NPA_RIGHT_RI))
        return SW_SECURITY_STATUS;
    EVP_PKEY *k = sfc_key_pkey(sfc_key_find(card, NPA_KEY_RI));
    EVP_PKEY *dup = k ? EVP_PKEY_dup(k) : NULL;
    if (!dup || !EAC_CTX_init_ri(s->eac, NID_id_RI_ECDH_SHA_256, 13)) {
        EVP_PKEY_free(dup);
        return SW_UNKNOWN;
    }
    EVP_PKEY_free(s->eac->ri_ctx->static_key);
    s->eac->ri_ctx->static_key = dup;
    s->mse = MSE_RI;
    return SW_OK;
}

uint16_t npa_mse_ca(sfc_card *card, const sfc_cmd *cmd)
{
    npa_session *s = after_pace(card);
    if (!s)
        return SW_SECURITY_STATUS;
    ber_tlv oid, kid;
    int key_id = -1;
    if (ber_find(cmd->data, cmd->nc, 0x80, &oid) != SFC_OK ||
        ber_validate(cmd->data, cmd->nc, false, 2) != SFC_OK)
        return SW_WRONG_DATA;
    if (ber_find(cmd->data, cmd->nc, 0x84, &kid) == SFC_OK) {
        if (kid.len != 1)
            return SW_WRONG_DATA;
        key_id = kid.value[0];
    }
    static const uint8_t ca_aes128[] = {0x04, 0x00, 0x7F, 0x00, 0x07,
                                        0x02, 0x02, 0x03, 0x02, 0x02};
    static const uint8_t ca_dh_aes128[] = {0x04, 0x00, 0x7F, 0x00, 0x07,
                                           0x02, 0x02, 0x03, 0x01, 0x02};
    static const uint8_t ri_sha256[] = {0x04, 0x00, 0x7F, 0x00, 0x07,
                                        0x02, 0x02, 0x05, 0x02, 0x03};
    if (oid.len == sizeof(ri_sha256) &&
        memcmp(oid.value, ri_sha256, oid.len) == 0)
        return mse_ri(card, s, key_id);
    bool dh = oid.len == sizeof(ca_dh_aes128) &&
              memcmp(oid.value, ca_dh_aes128, oid.len) == 0;
    if (!dh && (oid.len != sizeof(ca_aes128) ||
                memcmp(oid.value, ca_aes128, oid.len) != 0))
        return npa_not_implemented(card, cmd, NULL); /* other CA, RI */
    if (!s->ta_done)
        return SW_CONDITIONS;
    int dp = ca_domain(card, key_id, dh);
    if (dp < 0)
        return SW_REF_NOT_FOUND;
    if (!EAC_CTX_init_ca(s->eac,
                         dh ? NID_id_CA_DH_AES_CBC_CMAC_128
                            : NID_id_CA_ECDH_AES_CBC_CMAC_128,
                         dp) ||
        !(dh ? ca_key_raw(card, s) : ca_key(card, s)))
        return SW_UNKNOWN;
    s->mse = MSE_CA;
    return SW_OK;
}

static uint16_t ca_answer(sfc_card *card, npa_session *s, const BUF_MEM *pub,
                          sfc_resp *resp)
{
    BUF_MEM *nonce = NULL, *token = NULL;
    /* the shared secret first: its blinding must not take the card's
     * random draw, which is the nonce r of CA_STEP5 */
    int ok = CA_STEP4_compute_shared_secret(s->eac, pub);
    npa_rand_begin(card);
    ok = ok && CA_STEP5_derive_keys(s->eac, pub, &nonce, &token);
    ok = npa_rand_end() && ok && nonce && token;
    if (ok) {
        size_t m = ber_begin(&resp->data, 0x7C);
        ber_put(&resp->data, 0x81, (const uint8_t *)nonce->data, nonce->length);
        ber_put(&resp->data, 0x82, (const uint8_t *)token->data, token->length);
        ok = ber_end(&resp->data, m) && !resp->data.failed;
    }
    BUF_MEM_free(nonce);
    BUF_MEM_free(token);
    if (!ok)
        return SW_WRONG_DATA;
    const KA_CTX *ka = s->eac->ca_ctx->ka_ctx;
    if (sm_start(card, SM_AES_CMAC, (const uint8_t *)ka->k_enc->data,
                 ka->k_enc->length, (const uint8_t *)ka->k_mac->data,
                 ka->k_mac->length, NULL, 0) != SFC_OK)
        return SW_UNKNOWN;
    s->ca_done = true;
    s->mse = MSE_NONE;
    sfc_log(SFC_LOG_INFO,
            "%s: nPA: Chip Authentication done, new secure "
            "messaging keys",
            card->label);
    return SW_OK;
}

/* The terminal sector extension (TR-03110-3 C.3.2.1, id-sector) of the
 * terminal certificate, or NULL. */
static const CVC_DISCRETIONARY_DATA_TEMPLATE *sector_ext(const npa_session *s)
{
    const CVC_CERT *c = s->eac->ta_ctx ? s->eac->ta_ctx->current_cert : NULL;
    const OPENSSL_STACK *ext =
        c && c->body ? (const OPENSSL_STACK *)c->body->certificate_extensions
                     : NULL;
    for (int i = 0; ext && i < OPENSSL_sk_num(ext); i++) {
        const CVC_DISCRETIONARY_DATA_TEMPLATE *t = OPENSSL_sk_value(ext, i);
        if (t && OBJ_obj2nid(t->type) == NID_id_sector)
            return t;
    }
    return NULL;
}

static bool hash_is(const ASN1_OCTET_STRING *h, const uint8_t *md, size_t n)
{
    return h && (size_t)ASN1_STRING_length(h) == n &&
           CRYPTO_memcmp(ASN1_STRING_get0_data(h), md, n) == 0;
}

/* With a sector extension, the sector key sent (A0, as the public key data
 * object 7F49 with A0's contents) must hash (SHA-256, RI's hash) to its
 * first or second sector key hash; without one any key is used. */
static bool sector_ok(const npa_session *s, const ber_tlv *a0)
{
    const CVC_DISCRETIONARY_DATA_TEMPLATE *t = sector_ext(s);
    if (!t)
        return true;
    sfc_buf pk;
    uint8_t md[32];
    buf_init(&pk);
    bool ok = ber_put(&pk, 0x7F49, a0->value, a0->len) && !pk.failed &&
              EVP_Digest(pk.data, pk.len, md, NULL, EVP_sha256(), NULL) == 1 &&
              (hash_is(t->discretionary_data1, md, 32) ||
               hash_is(t->discretionary_data2, md, 32));
    buf_free(&pk);
    return ok;
}

/* GA 7C{A0 {06 OID, 86 sector public point}} -> 7C{81 I_sector}. */
static uint16_t ga_ri(npa_session *s, const ber_tlv *outer, sfc_resp *resp)
{
    ber_tlv a0, pt;
    if (ber_decode(outer->value, outer->len, &a0) != SFC_OK ||
        a0.size != outer->len || a0.tag != 0xA0 ||
        ber_find(a0.value, a0.len, 0x86, &pt) != SFC_OK || pt.len == 0)
        return SW_WRONG_DATA;
    if (!sector_ok(s, &a0))
        return SW_SECURITY_STATUS; /* not this terminal's sector */
    BUF_MEM *pub = bm(pt.value, pt.len);
    BUF_MEM *id = pub ? RI_STEP2_compute_identifier(s->eac, pub) : NULL;
    BUF_MEM_free(pub);
    if (!id)
        return SW_WRONG_DATA;
    size_t m = ber_begin(&resp->data, 0x7C);
    ber_put(&resp->data, 0x81, (const uint8_t *)id->data, id->length);
    bool ok = ber_end(&resp->data, m) && !resp->data.failed;
    BUF_MEM_free(id);
    return ok ? SW_OK : SW_UNKNOWN;
}

uint16_t npa_ga_eac(sfc_card *card, const sfc_cmd *cmd, sfc_resp *resp)
{
    npa_session *s = npa_session_get(card);
    ber_tlv outer, in;
    if (s && s->mse == MSE_RI) {
        if (ber_decode(cmd->data, cmd->nc, &outer) != SFC_OK ||
            outer.size != cmd->nc || outer.tag != 0x7C)
            return SW_WRONG_DATA;
        uint16_t sw = ga_ri(s, &outer, resp);
        if (sw != SW_OK)
            buf_reset(&resp->data);
        return sw;
    }
    if (!s || s->mse != MSE_CA)
        return SW_CONDITIONS;
    if (ber_decode(cmd->data, cmd->nc, &outer) != SFC_OK ||
        outer.size != cmd->nc || outer.tag != 0x7C ||
        ber_decode(outer.value, outer.len, &in) != SFC_OK ||
        in.size != outer.len || in.tag != 0x80 || in.len == 0)
        return SW_WRONG_DATA;
    BUF_MEM *pub = bm(in.value, in.len);
    int match = pub ? CA_STEP3_check_pcd_pubkey(s->eac, s->ta_eph, pub) : -1;
    uint16_t sw = match == 1 ? ca_answer(card, s, pub, resp) : SW_WRONG_DATA;
    BUF_MEM_free(pub);
    if (sw != SW_OK)
        buf_reset(&resp->data);
    return sw;
}

/* ---- auxiliary data verification (VERIFY 80) -------------------------------- */

/* The value (53) of the auxiliary data template (73) with `oid` in TA's
 * 67 object, or false. */
static bool aux_value(const npa_session *s, const uint8_t *oid, size_t len,
                      ber_tlv *val)
{
    ber_tlv outer, tmpl, o;
    if (!s->aux || ber_decode((const uint8_t *)s->aux->data, s->aux->length,
                              &outer) != SFC_OK)
        return false;
    ber_iter it;
    ber_iter_init(&it, outer.value, outer.len, false);
    while (ber_iter_next(&it, &tmpl) == SFC_OK)
        if (tmpl.tag == 0x73 &&
            ber_find(tmpl.value, tmpl.len, 0x06, &o) == SFC_OK &&
            o.len == len && memcmp(o.value, oid, len) == 0 &&
            ber_find(tmpl.value, tmpl.len, 0x53, val) == SFC_OK)
            return true;
    return false;
}

/* The inner value of data group `dg` (tag path given), or false. */
static bool dg_value(sfc_card *card, unsigned dg, uint32_t inner, ber_tlv *val)
{
    sfc_file *eid =
        sfc_df_by_name(card, (const uint8_t[]){NPA_AID_EID_BYTES}, 9);
    sfc_file *f = eid ? sfc_file_child(eid, NPA_FID_DG(dg)) : NULL;
    size_t len = 0;
    const uint8_t *d = f ? sfc_file_data(f, &len) : NULL;
    ber_tlv outer;
    return d && ber_decode(d, len, &outer) == SFC_OK &&
           ber_find(outer.value, outer.len, inner, val) == SFC_OK;
}

/* Dates YYYYMMDD compared as text; a shorter birth date (YYYYMM, YYYY) is
 * compared on the digits it has. */
static int date_cmp(const ber_tlv *a, const ber_tlv *b)
{
    size_t n = a->len < b->len ? a->len : b->len;
    return memcmp(a->value, b->value, n);
}

static uint16_t aux_check(sfc_card *card, const npa_session *s, unsigned which,
                          const uint8_t *oid, size_t len)
{
    static const uint64_t right[] = {NPA_RIGHT_AGE, 0, NPA_RIGHT_COMMUNITY};
    ber_tlv ref, have;
    if (right[which] && !sfc_right_has(card, NULL, right[which]))
        return SW_SECURITY_STATUS;
    if (!aux_value(s, oid, len, &ref))
        return SW_REF_NOT_FOUND;
    switch (which) {
    case 0: /* age: born on or before the reference date */
        if (!dg_value(card, 8, 0x12, &have))
            return SW_REF_DATA_UNUSABLE;
        return date_cmp(&have, &ref) <= 0 ? SW_OK : SW_WARN_CHANGED;
    case 1: /* document validity: expires on or after the reference date */
        if (!dg_value(card, 3, 0x12, &have))
            return SW_REF_DATA_UNUSABLE;
        return date_cmp(&have, &ref) >= 0 ? SW_OK : SW_WARN_CHANGED;
    default: /* community ID: DG18 starts with the reference */
        if (!dg_value(card, 18, 0x04, &have))
            return SW_REF_DATA_UNUSABLE;
        return have.len >= ref.len &&
                       memcmp(have.value, ref.value, ref.len) == 0
                   ? SW_OK
                   : SW_WARN_CHANGED;
    }
}

uint16_t npa_verify(sfc_card *card, const sfc_cmd *cmd, sfc_resp *resp)
{
    (void)resp;
    if (cmd->p1 == 0x00 && cmd->p2 == NPA_PWD_QES)
        return npa_verify_qes(card, cmd);
    if (cmd->p1 == 0x00)
        return SW_REF_NOT_FOUND; /* no PACE password outside PACE */
    return SW_WRONG_P1P2; /* auxiliary data come with CLA 80 */
}

uint16_t npa_verify_aux(sfc_card *card, const sfc_cmd *cmd, sfc_resp *resp)
{
    (void)resp;
    static const uint8_t oid_aux[] = {0x04, 0x00, 0x7F, 0x00,
                                      0x07, 0x03, 0x01, 0x04};
    npa_session *s = after_pace(card);
    ber_tlv o;
    if (cmd->p1 != 0x80 || cmd->p2 != 0x00)
        return SW_WRONG_P1P2;
    if (!s || !s->ta_done)
        return SW_SECURITY_STATUS;
    if (ber_decode(cmd->data, cmd->nc, &o) != SFC_OK || o.size != cmd->nc ||
        o.tag != 0x06 || o.len != sizeof(oid_aux) + 1 ||
        memcmp(o.value, oid_aux, sizeof(oid_aux)) != 0 ||
        o.value[sizeof(oid_aux)] < 1 || o.value[sizeof(oid_aux)] > 3)
        return SW_WRONG_DATA;
    return aux_check(card, s, o.value[sizeof(oid_aux)] - 1u, o.value, o.len);
}
