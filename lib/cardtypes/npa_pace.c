/* SPDX-License-Identifier: LGPL-2.1-or-later */
/**
 * @file npa_pace.c
 * @brief PACE, chip side (BSI TR-03110-2 §3.2, -3 B.1 and B.11; ICAO Doc
 *        9303-11 §4.4), on OpenPACE: MSE:Set AT, the four GENERAL
 *        AUTHENTICATE steps, AES secure messaging afterwards, the password
 *        life cycle and RESET RETRY COUNTER.
 *
 * MSE:Set AT `00 22 C1 A4 {80 PACE OID, 83 password reference, [84
 * parameter ID], [7F4C CHAT], [67 auxiliary data]}` chooses one PACEInfo of
 * EF.CardAccess (the OID, and the parameter ID when given, must match one)
 * and a password: 01 MRZ, 02 CAN, 03 PIN, 04 PUK. It answers 9000, or for
 * the PIN its retry counter: 63C2 (two tries left), 63C1 (suspended, or
 * resumed with one try), 63C0 (blocked); for a used-up PUK 63C0.
 *
 * GENERAL AUTHENTICATE `x0 86 00 00 7C{...}` then runs, one command each
 * (the chaining bit of GA1..GA3 is accepted as sent):
 *   7C{}          -> 7C{80 z}        PACE_STEP1_enc_nonce (nonce from the RNG)
 *   7C{81 map}    -> 7C{82 map}      PACE_STEP3A (key from the RNG), map
 *   7C{83 PK_PCD} -> 7C{84 PK_PICC}  PACE_STEP3B (key from the RNG), 3C
 *   7C{85 T_PCD}  -> 7C{86 T_PICC [87 CAR]}  PACE_STEP3D verify, compute;
 *                                    87 (the CVCA's CHR) when MSE had a CHAT
 * A wrong token answers 6300 and ends the run; any other malformed step
 * 6A80 and ends the run; a step out of order 6985.
 *
 * Integrated Mapping (a DH-IM PACEInfo in EF.CardAccess: --pace-mapping
 * im) differs in GA2 only: 7C{81 t} -> 7C{82 empty}, t being the
 * terminal's nonce, as long as the cipher's key (16 bytes for AES-128;
 * other lengths 6A80); PACE_STEP3A_map_generator maps with it. OpenPACE
 * allows IM only in its TR-03110 v2.01 mode (the token then covers the
 * public key with its domain parameters), and its IM is its own: the
 * pseudo-random function is one block E(t, s), not ICAO 9303-11's R_p, so
 * only OpenPACE terminals interoperate. ECDH-IM is refused (6A80 at MSE:Set
 * AT, even if a given EF.CardAccess offers it): OpenPACE 1.1.2 computes
 * the mapped point and drops it, so the run keeps the static generator and
 * any password would verify. Chip Authentication Mapping (an ECDH-CAM
 * PACEInfo: --pace-mapping cam) runs as OpenPACE's ECDH-GM of the same
 * cipher, and GA4's answer adds 8A, the encrypted chip authentication data
 * (npa_cam.c): 7C{86 T_PICC [87 CAR] 8A A_IC}. An OID that EF.CardAccess
 * does not offer answers 6A80.
 *
 * Password life cycle (persisted: the counters are the card's PIN store,
 * the PUK's remaining uses its retry counter there). A PIN run counts as a
 * failure as soon as the nonce is sent (GA1) and is given back when the
 * token verifies, so an interrupted run costs a try. Three tries: after the
 * second failure the PIN is suspended (63C1, GA1 answers 6985) until PACE
 * with the CAN resumes it; after the third it is blocked (63C0, GA1 6983)
 * until RESET RETRY COUNTER after PACE with the PUK, which works
 * NPA_PUK_USES times. A successful PIN run restores three tries.
 *
 * RESET RETRY COUNTER (2C), only after PACE, under its secure messaging:
 * P1 02 P2 03 <new PIN> after PACE with the PIN; P1 02 P2 02 <new CAN>
 * after PACE with the PIN; P1 03 P2 03 after PACE with the PUK (unblock)
 * or the CAN (resume). Without PACE 6982; with another password 6982;
 * wrong P1 6A86; unknown P2 6A88; a new PIN or CAN that is not 5..6 digits
 * (6 for the CAN) 6A80.
 *
 * MSE:Set DST and the MSE:Set AT of TA, CA and RI go to npa_eac.c; eSign
 * is not implemented: it answers 6A81 (function not supported) and logs
 * why, never a success.
 */
#include "cardtypes/npa.h"

#include <pthread.h>
#include <string.h>

#include <eac/eac.h>
#include <eac/objects.h>
#include <eac/pace.h>
#include <openssl/evp.h>

#include "core/log.h"
#include "core/sw.h"
#include "core/tlv.h"
#include "os/fs.h"
#include "os/pin.h"
#include "os/sm.h"

static pthread_once_t eac_once = PTHREAD_ONCE_INIT;

static void eac_init_once(void)
{
    EAC_init();
    npa_cam_register();
}

void npa_eac_init(void)
{
    pthread_once(&eac_once, eac_init_once);
}

npa_session *npa_session_get(sfc_card *card)
{
    npa_session *s = sfc_card_type_state(card);
    if (!s) {
        s = calloc(1, sizeof(*s));
        sfc_card_set_type_state(card, s);
    }
    return s;
}

static void run_end(npa_session *s)
{
    npa_eac_reset(s);
    EAC_CTX_clear_free(s->eac);
    BUF_MEM_clear_free(s->pcd_key);
    s->eac = NULL;
    s->pcd_key = NULL;
    s->step = STEP_NONE;
    s->chat_len = 0;
}

void npa_session_free(sfc_card *card)
{
    npa_session *s = sfc_card_type_state(card);
    if (!s)
        return;
    run_end(s);
    free(s);
    sfc_card_set_type_state(card, NULL);
}

bool npa_pace_done(const sfc_card *card)
{
    const npa_session *s = sfc_card_type_state((sfc_card *)card);
    return s && s->done && sm_active(card);
}

/* ---- passwords ------------------------------------------------------------ */

static sfc_pin *password(sfc_card *card, uint8_t ref)
{
    int i = sfc_pin_lookup(card, NULL, ref);
    return i < 0 ? NULL : &card->pins[i];
}

/* The MSE:Set AT status word for a password's state. */
static uint16_t password_status(sfc_card *card, uint8_t ref)
{
    if (ref == NPA_PWD_PIN) {
        sfc_pin *p = password(card, ref);
        if (!p)
            return SW_REF_NOT_FOUND;
        if (p->state == SFC_PIN_DEACTIVATED)
            return SW_WARN_DEACTIVATED;
        return p->tries_left >= NPA_PIN_TRIES ? SW_OK
                                              : SW_COUNTER(p->tries_left);
    }
    if (ref == NPA_PWD_PUK) {
        sfc_pin *p = password(card, NPA_PWD_PIN);
        if (!p || !p->has_puk)
            return SW_REF_NOT_FOUND;
        return p->puk_tries_left ? SW_OK : SW_COUNTER(0);
    }
    if (ref == NPA_PWD_MRZ) {
        char mrz[NPA_MRZ_MAX + 1];
        bool ok = npa_mrz(card, mrz);
        sfc_wipe(mrz, sizeof(mrz));
        return ok ? SW_OK : SW_REF_NOT_FOUND;
    }
    return ref == NPA_PWD_CAN && password(card, ref) ? SW_OK : SW_REF_NOT_FOUND;
}

/* May a run with this password start now? 9000, 6983 or 6985. */
static uint16_t password_usable(sfc_card *card, uint8_t ref)
{
    if (ref == NPA_PWD_PIN) {
        sfc_pin *p = password(card, ref);
        if (!p || p->state == SFC_PIN_DEACTIVATED)
            return SW_REF_DATA_UNUSABLE;
        if (p->tries_left == 0)
            return SW_AUTH_BLOCKED;
        return p->state == SFC_PIN_SUSPENDED ? SW_CONDITIONS : SW_OK;
    }
    if (ref == NPA_PWD_PUK) {
        sfc_pin *p = password(card, NPA_PWD_PIN);
        return p && p->has_puk && p->puk_tries_left ? SW_OK : SW_AUTH_BLOCKED;
    }
    return SW_OK;
}

/* Count the run as failed until its token verifies. */
static void password_charge(sfc_card *card, uint8_t ref)
{
    if (ref == NPA_PWD_PIN) {
        sfc_pin *p = password(card, ref);
        p->tries_left--;
        if (p->tries_left == 1)
            p->state = SFC_PIN_SUSPENDED;
    } else if (ref == NPA_PWD_PUK) {
        password(card, NPA_PWD_PIN)->puk_tries_left--;
    }
    sfc_mark_dirty(card);
}

static void password_success(sfc_card *card, uint8_t ref)
{
    sfc_pin *pin = password(card, NPA_PWD_PIN);
    if (ref == NPA_PWD_PIN) {
        pin->tries_left = NPA_PIN_TRIES;
        pin->state = SFC_PIN_ACTIVE;
    } else if (ref == NPA_PWD_CAN && pin && pin->state == SFC_PIN_SUSPENDED) {
        pin->state = SFC_PIN_ACTIVE; /* resumed: one try left */
        sfc_log(SFC_LOG_INFO, "%s: nPA: PIN resumed by PACE with the CAN",
                card->label);
    }
    sfc_mark_dirty(card);
}

static PACE_SEC *password_secret(sfc_card *card, uint8_t ref)
{
    if (ref == NPA_PWD_MRZ) {
        char mrz[NPA_MRZ_MAX + 1];
        PACE_SEC *sec = npa_mrz(card, mrz)
                            ? PACE_SEC_new(mrz, strlen(mrz), PACE_MRZ)
                            : NULL;
        sfc_wipe(mrz, sizeof(mrz));
        return sec;
    }
    sfc_pin *p = password(card, ref == NPA_PWD_PUK ? NPA_PWD_PIN : ref);
    if (!p)
        return NULL;
    if (ref == NPA_PWD_PUK)
        return PACE_SEC_new((const char *)p->puk, p->puk_len, PACE_PUK);
    return PACE_SEC_new((const char *)p->value, p->len,
                        ref == NPA_PWD_PIN ? PACE_PIN : PACE_CAN);
}

/* ---- MSE:Set AT ------------------------------------------------------------- */

typedef struct mse_at {
    int nid;
    int param_id; /* -1: not given */
    uint8_t pwd;
    bool has_oid, has_pwd;
    uint8_t chat[64]; /* the whole 7F4C object */
    size_t chat_len;
} mse_at;

static uint16_t mse_item(const ber_tlv *t, mse_at *at)
{
    switch (t->tag) {
    case 0x80:
        at->nid = npa_oid_nid(t->value, t->len);
        at->has_oid = true;
        return at->nid == NID_undef ? SW_WRONG_DATA : SW_OK;
    case 0x83:
        if (t->len != 1)
            return SW_WRONG_DATA;
        at->pwd = t->value[0];
        at->has_pwd = true;
        return SW_OK;
    case 0x84:
        if (t->len != 1)
            return SW_WRONG_DATA;
        at->param_id = t->value[0];
        return SW_OK;
    case 0x7F4C: /* CHAT: narrows what Terminal Authentication grants */
        if (t->size > sizeof(at->chat) ||
            ber_validate(t->value, t->len, false, 8) != SFC_OK)
            return SW_WRONG_DATA;
        memcpy(at->chat, t->value - (t->size - t->len), t->size);
        at->chat_len = t->size;
        return SW_OK;
    case 0x67: /* auxiliary data: given again with TA's MSE:Set AT */
        return ber_validate(t->value, t->len, false, 8) == SFC_OK
                   ? SW_OK
                   : SW_WRONG_DATA;
    default: return SW_WRONG_DATA;
    }
}

static uint16_t mse_parse(const sfc_cmd *cmd, mse_at *at)
{
    ber_iter it;
    ber_tlv t;
    sfc_err rv;
    at->param_id = -1;
    ber_iter_init(&it, cmd->data, cmd->nc, false);
    while ((rv = ber_iter_next(&it, &t)) == SFC_OK) {
        uint16_t sw = mse_item(&t, at);
        if (sw != SW_OK)
            return sw;
    }
    if (rv != SFC_E_END || !at->has_oid || !at->has_pwd)
        return SW_WRONG_DATA;
    return SW_OK;
}

/* The parameter ID of a PACEInfo in EF.CardAccess matching the request
 * (OpenPACE ignores CAM's PACEInfos: npa_cam.c finds those). */
static int cardaccess_param(sfc_card *card, const mse_at *at)
{
    if (npa_cam_gm_nid(at->nid) != NID_undef)
        return npa_cam_param(card, at->nid, at->param_id);
    sfc_file *ef = fs_child_by_fid(card->mf, NPA_FID_CARDACCESS);
    EAC_CTX *ctx = EAC_CTX_new();
    int found = -1;
    if (ctx) /* OpenPACE parses an IM PACEInfo in its v2.01 mode only */
        ctx->tr_version = EAC_TR_VERSION_2_01;
    if (ef && ctx && ef->kind == SFC_FILE_EF_BINARY &&
        EAC_CTX_init_ef_cardaccess(ef->data, ef->size, ctx)) {
        int n = OPENSSL_sk_num((const OPENSSL_STACK *)ctx->pace_ctxs);
        for (int i = 0; i < n && found < 0; i++) {
            const PACE_CTX *p =
                OPENSSL_sk_value((const OPENSSL_STACK *)ctx->pace_ctxs, i);
            if (p && p->protocol == at->nid &&
                (at->param_id < 0 || p->id == at->param_id))
                found = p->id;
        }
    }
    EAC_CTX_clear_free(ctx);
    return found;
}

static bool is_dh_im(int nid)
{
    return nid == NID_id_PACE_DH_IM_3DES_CBC_CBC ||
           nid == NID_id_PACE_DH_IM_AES_CBC_CMAC_128 ||
           nid == NID_id_PACE_DH_IM_AES_CBC_CMAC_192 ||
           nid == NID_id_PACE_DH_IM_AES_CBC_CMAC_256;
}

static bool is_ecdh_im(int nid)
{
    return nid == NID_id_PACE_ECDH_IM_3DES_CBC_CBC ||
           nid == NID_id_PACE_ECDH_IM_AES_CBC_CMAC_128 ||
           nid == NID_id_PACE_ECDH_IM_AES_CBC_CMAC_192 ||
           nid == NID_id_PACE_ECDH_IM_AES_CBC_CMAC_256;
}

/* A new OpenPACE context for the run; false: the protocol is refused. */
static bool run_begin(sfc_card *card, npa_session *s, const mse_at *at,
                      int param)
{
    if (is_ecdh_im(at->nid)) {
        sfc_log(SFC_LOG_WARN,
                "%s: nPA: PACE ECDH-IM refused: OpenPACE's mapping keeps "
                "the static generator, so any password would verify",
                card->label);
        return false;
    }
    run_end(s);
    s->eac = EAC_CTX_new();
    if (!s->eac)
        return false;
    s->im = is_dh_im(at->nid) || is_ecdh_im(at->nid);
    int gm = npa_cam_gm_nid(at->nid); /* CAM runs as GM, plus A_IC */
    s->cam = gm != NID_undef;
    /* OpenPACE runs IM in its TR-03110 v2.01 mode only (the token's key
     * with its domain parameters); TA and CA run in v2.02 afterwards */
    s->eac->tr_version = s->im ? EAC_TR_VERSION_2_01 : EAC_TR_VERSION_2_02;
    if (!EAC_CTX_init_pace(s->eac, s->cam ? gm : at->nid, param) ||
        (s->cam && !npa_cam_key_fits(card, s->eac))) {
        run_end(s);
        return false;
    }
    return true;
}

static uint16_t mse_pace(sfc_card *card, const sfc_cmd *cmd)
{
    mse_at at = {0};
    uint16_t sw = mse_parse(cmd, &at);
    if (sw != SW_OK)
        return sw;
    if (at.pwd < NPA_PWD_MRZ || at.pwd > NPA_PWD_PUK)
        return SW_REF_NOT_FOUND;
    int param = cardaccess_param(card, &at);
    if (param < 0)
        return SW_WRONG_DATA; /* no such PACEInfo in EF.CardAccess */
    npa_session *s = npa_session_get(card);
    if (!s)
        return SW_UNKNOWN;
    if (!run_begin(card, s, &at, param))
        return SW_WRONG_DATA;
    s->pwd = at.pwd;
    s->step = STEP_NONCE;
    memcpy(s->chat, at.chat, at.chat_len);
    s->chat_len = at.chat_len;
    return password_status(card, at.pwd);
}

uint16_t npa_not_implemented(sfc_card *card, const sfc_cmd *cmd, sfc_resp *resp)
{
    (void)resp;
    sfc_log(SFC_LOG_WARN,
            "%s: nPA: %02X %02X %02X %02X: not implemented "
            "yet (a protocol variant other than TA, CA, RI, eSign and "
            "PACE GM): 6A81",
            card->label, cmd->cla, cmd->ins, cmd->p1, cmd->p2);
    return SW_FUNC_NOT_SUPPORTED;
}

uint16_t npa_mse(sfc_card *card, const sfc_cmd *cmd, sfc_resp *resp)
{
    (void)resp;
    npa_eac_init();
    if (cmd->p1 == 0xC1 && cmd->p2 == 0xA4)
        return mse_pace(card, cmd);
    if (cmd->p1 == 0x81 && cmd->p2 == 0xB6)
        return npa_mse_set_dst(card, cmd);
    if (cmd->p1 == 0x81 && cmd->p2 == 0xA4)
        return npa_mse_ta(card, cmd);
    if (cmd->p1 == 0x41 && cmd->p2 == 0xA4)
        return npa_mse_ca(card, cmd);
    if (cmd->p1 == 0x41 && cmd->p2 == 0xB6)
        return npa_mse_set_dst_sign(card, cmd);
    return SW_WRONG_P1P2;
}

/* ---- GENERAL AUTHENTICATE ------------------------------------------------- */

/* The one object inside 7C, with the tag the step expects (0: none). */
static uint16_t ga_input(const sfc_cmd *cmd, uint32_t tag, ber_tlv *in)
{
    ber_tlv outer;
    if (ber_decode(cmd->data, cmd->nc, &outer) != SFC_OK ||
        outer.size != cmd->nc || outer.tag != 0x7C)
        return SW_WRONG_DATA;
    if (tag == 0)
        return outer.len == 0 ? SW_OK : SW_WRONG_DATA;
    if (ber_decode(outer.value, outer.len, in) != SFC_OK ||
        in->size != outer.len || in->tag != tag || in->len == 0)
        return SW_WRONG_DATA;
    return SW_OK;
}

/* 7C { tag value } into the response; takes `b` over. */
static uint16_t ga_output(sfc_resp *resp, uint32_t tag, BUF_MEM *b)
{
    bool ok = b != NULL;
    if (ok) {
        size_t m = ber_begin(&resp->data, 0x7C);
        ber_put(&resp->data, tag, (const uint8_t *)b->data, b->length);
        ok = ber_end(&resp->data, m) && !resp->data.failed;
    }
    BUF_MEM_clear_free(b);
    return ok ? SW_OK : SW_UNKNOWN;
}

/* Add an object inside the 7C that ga_output() wrote. */
static uint16_t ga_append(sfc_resp *resp, uint32_t tag, const uint8_t *v,
                          size_t n)
{
    ber_tlv outer;
    sfc_buf inner;
    buf_init(&inner);
    bool ok = ber_decode(resp->data.data, resp->data.len, &outer) == SFC_OK &&
              buf_put(&inner, outer.value, outer.len) &&
              ber_put(&inner, tag, v, n);
    if (ok) {
        buf_reset(&resp->data);
        ok = ber_put(&resp->data, 0x7C, inner.data, inner.len) &&
             !resp->data.failed;
    }
    buf_free(&inner);
    return ok ? SW_OK : SW_UNKNOWN;
}

static BUF_MEM *buf_of(const ber_tlv *t)
{
    BUF_MEM *b = BUF_MEM_new();
    if (b && BUF_MEM_grow(b, t->len) == t->len) {
        memcpy(b->data, t->value, t->len);
        return b;
    }
    BUF_MEM_free(b);
    return NULL;
}

static uint16_t ga_nonce(sfc_card *card, npa_session *s, const sfc_cmd *cmd,
                         sfc_resp *resp)
{
    ber_tlv in;
    uint16_t sw = ga_input(cmd, 0, &in);
    if (sw == SW_OK)
        sw = password_usable(card, s->pwd);
    if (sw != SW_OK)
        return sw;
    PACE_SEC *sec = password_secret(card, s->pwd);
    if (!sec)
        return SW_UNKNOWN;
    password_charge(card, s->pwd);
    npa_rand_begin(card);
    BUF_MEM *z = PACE_STEP1_enc_nonce(s->eac, sec);
    bool rng_ok = npa_rand_end();
    PACE_SEC_clear_free(sec);
    if (!rng_ok) {
        BUF_MEM_clear_free(z);
        return SW_UNKNOWN;
    }
    return ga_output(resp, 0x80, z);
}

/* Integrated Mapping: 81 is the terminal's nonce t (as long as the
 * cipher's key: OpenPACE maps with E(t, s)); 82 comes back empty. */
static uint16_t ga_map_im(npa_session *s, const ber_tlv *in, sfc_resp *resp)
{
    const KA_CTX *ka = s->eac->pace_ctx->ka_ctx;
    if (in->len != (size_t)EVP_CIPHER_get_key_length(ka->cipher))
        return SW_WRONG_DATA;
    BUF_MEM *t = buf_of(in);
    bool ok = t && PACE_STEP3A_map_generator(s->eac, t);
    BUF_MEM_clear_free(t);
    return ok ? ga_output(resp, 0x82, BUF_MEM_new()) : SW_WRONG_DATA;
}

static uint16_t ga_map(sfc_card *card, npa_session *s, const sfc_cmd *cmd,
                       sfc_resp *resp)
{
    ber_tlv in;
    uint16_t sw = ga_input(cmd, 0x81, &in);
    if (sw != SW_OK)
        return sw;
    if (s->im)
        return ga_map_im(s, &in, resp);
    BUF_MEM *pcd = buf_of(&in);
    npa_rand_begin(card);
    BUF_MEM *picc = PACE_STEP3A_generate_mapping_data(s->eac);
    bool ok =
        npa_rand_end() && picc && pcd && PACE_STEP3A_map_generator(s->eac, pcd);
    BUF_MEM_clear_free(pcd);
    if (!ok) {
        BUF_MEM_clear_free(picc);
        return SW_WRONG_DATA;
    }
    return ga_output(resp, 0x82, picc);
}

static uint16_t ga_key(sfc_card *card, npa_session *s, const sfc_cmd *cmd,
                       sfc_resp *resp)
{
    ber_tlv in;
    uint16_t sw = ga_input(cmd, 0x83, &in);
    if (sw != SW_OK)
        return sw;
    s->pcd_key = buf_of(&in);
    npa_rand_begin(card);
    BUF_MEM *picc = PACE_STEP3B_generate_ephemeral_key(s->eac);
    bool ok = npa_rand_end() && picc && s->pcd_key &&
              PACE_STEP3B_compute_shared_secret(s->eac, s->pcd_key) &&
              PACE_STEP3C_derive_keys(s->eac);
    if (!ok) {
        BUF_MEM_clear_free(picc);
        return SW_WRONG_DATA;
    }
    return ga_output(resp, 0x84, picc);
}

/* CAM: 8A, the encrypted chip authentication data, after 86 (and 87). */
static uint16_t ga_append_cam(sfc_card *card, npa_session *s, sfc_resp *resp)
{
    BUF_MEM *a = npa_cam_data(card, s->eac);
    uint16_t sw = a ? ga_append(resp, 0x8A, (const uint8_t *)a->data,
                                a->length)
                    : SW_UNKNOWN;
    BUF_MEM_free(a);
    return sw;
}

static uint16_t start_sm(sfc_card *card, npa_session *s)
{
    const KA_CTX *ka = s->eac->pace_ctx->ka_ctx;
    if (!ka->k_enc || !ka->k_mac ||
        sm_start(card, SM_AES_CMAC, (const uint8_t *)ka->k_enc->data,
                 ka->k_enc->length, (const uint8_t *)ka->k_mac->data,
                 ka->k_mac->length, NULL, 0) != SFC_OK)
        return SW_UNKNOWN;
    return SW_OK;
}

static uint16_t ga_token(sfc_card *card, npa_session *s, const sfc_cmd *cmd,
                         sfc_resp *resp)
{
    ber_tlv in;
    uint16_t sw = ga_input(cmd, 0x85, &in);
    if (sw != SW_OK)
        return sw;
    BUF_MEM *t = buf_of(&in);
    int v = t ? PACE_STEP3D_verify_authentication_token(s->eac, t) : -1;
    BUF_MEM_clear_free(t);
    if (v != 1) {
        sfc_log(SFC_LOG_INFO,
                "%s: nPA: PACE failed (wrong password "
                "%02X or token)",
                card->label, s->pwd);
        return SW_WARN_CHANGED;
    }
    BUF_MEM *mine =
        PACE_STEP3D_compute_authentication_token(s->eac, s->pcd_key);
    s->eac->tr_version = EAC_TR_VERSION_2_02; /* after IM: TA, CA as ever */
    sw = ga_output(resp, 0x86, mine);
    uint8_t car[32];
    size_t carlen = sizeof(car);
    if (sw == SW_OK && s->chat_len && npa_cvca_chr(card, car, &carlen))
        sw = ga_append(resp, 0x87, car, carlen); /* the CVCA for TA */
    if (sw == SW_OK && s->cam)
        sw = ga_append_cam(card, s, resp);
    if (sw == SW_OK)
        sw = start_sm(card, s);
    if (sw != SW_OK)
        return sw;
    password_success(card, s->pwd);
    s->done = true;
    s->pace_pwd = s->pwd;
    sfc_log(SFC_LOG_INFO,
            "%s: nPA: PACE with password %02X done, secure "
            "messaging started",
            card->label, s->pwd);
    return SW_OK;
}

static uint16_t ga_step(sfc_card *card, npa_session *s, const sfc_cmd *cmd,
                        sfc_resp *resp)
{
    switch (s->step) {
    case STEP_NONCE: return ga_nonce(card, s, cmd, resp);
    case STEP_MAP: return ga_map(card, s, cmd, resp);
    case STEP_KEY: return ga_key(card, s, cmd, resp);
    case STEP_TOKEN: return ga_token(card, s, cmd, resp);
    default: return SW_CONDITIONS;
    }
}

uint16_t npa_general_authenticate(sfc_card *card, const sfc_cmd *cmd,
                                  sfc_resp *resp)
{
    if (cmd->p1 != 0x00 || cmd->p2 != 0x00)
        return SW_WRONG_P1P2;
    npa_session *s = npa_session_get(card);
    if (!s)
        return SW_UNKNOWN;
    if (s->step == STEP_NONE) {
        if (npa_pace_done(card)) /* Chip Authentication or RI */
            return npa_ga_eac(card, cmd, resp);
        return SW_CONDITIONS;
    }
    if (s->step == STEP_NONCE)
        s->done = false; /* a new PACE run replaces the old result */
    uint16_t sw = ga_step(card, s, cmd, resp);
    if (sw != SW_OK) {
        buf_reset(&resp->data);
        run_end(s);
        return sw;
    }
    s->step = s->step == STEP_TOKEN ? STEP_NONE : s->step + 1;
    return SW_OK;
}

/* ---- RESET RETRY COUNTER ------------------------------------------------------ */

static bool digits(const uint8_t *v, size_t n, size_t min, size_t max)
{
    if (n < min || n > max)
        return false;
    for (size_t i = 0; i < n; i++)
        if (v[i] < '0' || v[i] > '9')
            return false;
    return true;
}

static uint16_t rrc_change(sfc_card *card, const npa_session *s,
                           const sfc_cmd *cmd)
{
    if (cmd->p2 != NPA_PWD_PIN && cmd->p2 != NPA_PWD_CAN)
        return SW_REF_NOT_FOUND;
    if (s->pace_pwd != NPA_PWD_PIN &&
        !sfc_right_has(card, NULL, NPA_RIGHT_PIN_MANAGEMENT))
        return SW_SECURITY_STATUS;
    size_t min = cmd->p2 == NPA_PWD_PIN ? 5 : 6;
    if (!digits(cmd->data, cmd->nc, min, 6))
        return SW_WRONG_DATA;
    sfc_pin *p = password(card, cmd->p2);
    if (!p)
        return SW_REF_NOT_FOUND;
    sfc_wipe(p->value, sizeof(p->value));
    memcpy(p->value, cmd->data, cmd->nc);
    p->len = (uint8_t)cmd->nc;
    sfc_mark_dirty(card);
    return SW_OK;
}

static uint16_t rrc_unblock(sfc_card *card, const npa_session *s,
                            const sfc_cmd *cmd)
{
    if (cmd->p2 != NPA_PWD_PIN)
        return SW_REF_NOT_FOUND;
    if (cmd->nc != 0)
        return SW_WRONG_DATA;
    sfc_pin *p = password(card, NPA_PWD_PIN);
    if (!p)
        return SW_REF_NOT_FOUND;
    if (s->pace_pwd == NPA_PWD_PUK) {
        p->tries_left = NPA_PIN_TRIES;
        p->state = SFC_PIN_ACTIVE;
    } else if (s->pace_pwd == NPA_PWD_CAN) {
        if (p->state == SFC_PIN_SUSPENDED)
            p->state = SFC_PIN_ACTIVE;
    } else {
        return SW_SECURITY_STATUS;
    }
    sfc_mark_dirty(card);
    return SW_OK;
}

uint16_t npa_reset_retry_counter(sfc_card *card, const sfc_cmd *cmd,
                                 sfc_resp *resp)
{
    (void)resp;
    if (!npa_pace_done(card))
        return SW_SECURITY_STATUS;
    const npa_session *s = npa_session_get(card);
    if (cmd->p1 == 0x02)
        return rrc_change(card, s, cmd);
    if (cmd->p1 == 0x03)
        return rrc_unblock(card, s, cmd);
    return SW_WRONG_P1P2;
}
