/* SPDX-License-Identifier: LGPL-2.1-or-later */
/**
 * @file sm.c
 * @brief The secure-messaging session: keys, send sequence counter,
 *        unwrapping protected commands and protecting responses.
 *
 * The layout follows ICAO Doc 9303-11 §9.8 and BSI TR-03110-3 App. F,
 * which profile ISO/IEC 7816-4 §10. A protected command carries, in this
 * order of checking:
 *   SSC + 1; the data field parsed strictly as BER-TLV (81 plain value,
 *   85 cryptogram, 87 padding indicator 01 + cryptogram, 97 Ne, then 8E,
 *   the 8-byte MAC, last); the MAC compared in constant time; only then
 *   the cryptogram decrypted and its ISO/IEC 9797-1 method-2 padding
 *   checked (MAC before decryption: no padding oracle).
 * The MAC covers SSC || pad(header) (header authentication only) ||
 * pad(the data objects before 8E). When no data object precedes 8E,
 * nothing is padded after the header block: that is how OpenSC's sm-iso.c,
 * Governikus AusweisApp and pico-keys compute it for commands without data
 * and Le, and it agrees with ICAO App. D.4, where a data object always
 * follows. The response is DO87 (if there are data) || DO99 (SW) || DO8E
 * with the MAC over SSC || pad(DO87 || DO99), SSC incremented once more.
 *
 * A session is a heap object holding its own 64 KiB buffers (decrypted
 * command data, the protected response), so the hot path never allocates,
 * and wiping the object on its end wipes every secret it held. The keys
 * live only in OpenSSL contexts keyed once at sm_start() (cipher and MAC;
 * each call resets the IV, never the key schedule) and freed, cleansed by
 * OpenSSL, when the session ends. Handlers may
 * start or end sessions while they run under SM (Chip Authentication
 * replaces the keys); such changes are staged and applied after the
 * response has been protected with the keys the terminal used.
 */
#include "os/sm.h"

#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "core/bytes.h"
#include "core/log.h"
#include "core/tlv.h"
#include "crypto/sym.h"

#define SM_MAC_LEN 8u
#define SM_BLOCK_MAX 16u
/** Decrypted command data: a cryptogram fits one extended Lc. */
#define SM_PLAIN_MAX APDU_MAX_NC
/** SSC block + DO87 of SFC_RESP_MAX data (+ padding) + DO99 + DO8E. */
#define SM_OUT_MAX (SFC_RESP_MAX + 64u)

typedef void (*sm_end_fn)(sfc_card *card, void *user);

struct sfc_sm_session {
    sm_profile profile;
    size_t block;                  /**< 8 (3DES) or 16 (AES); also the SSC size */
    sfc_cipher_key *enc;           /**< keyed once at sm_start(): only IVs reset */
    sfc_mac_key *mac;              /**< likewise the MAC key */
    uint8_t ssc[SM_BLOCK_MAX];
    uint32_t pending_protected;    /**< channels with protected bytes pending */
    bool in_command;               /**< a protected command is being processed */
    bool end_after;                /**< sm_end() during the command */
    sfc_sm_session *next;           /**< sm_start() during the command */
    sm_end_fn on_end;
    void *on_end_user;
    size_t plain_len;
    size_t plain_used, out_used;   /**< high-water marks of plain and out */
    uint8_t plain[SM_PLAIN_MAX];   /**< the inner command's data */
    uint8_t out[SM_OUT_MAX];       /**< MAC input, then the protected response */
};

/* plain and out are 128 KiB; a session's end wipes the bytes it ever used
 * (their high-water marks), not the whole of both. */
static void note_used(size_t *used, size_t n)
{
    if (n > *used)
        *used = n;
}

/* ---- session life cycle -------------------------------------------------- */

static sfc_cipher_alg cipher_of(const sfc_sm_session *s);

static bool keys_ok(sm_profile p, size_t kenc_len, size_t kmac_len)
{
    if (p == SM_3DES_RETAIL)
        return (kenc_len == 16 || kenc_len == 24) && kmac_len == 16;
    if (p == SM_AES_CMAC)
        return sfc_cipher_key_ok(SFC_CIPHER_AES, kenc_len) &&
               sfc_cipher_key_ok(SFC_CIPHER_AES, kmac_len);
    return false;
}

static void session_free(sfc_sm_session *s)
{
    if (!s)
        return;
    session_free(s->next);
    sfc_cipher_key_free(s->enc);
    sfc_mac_key_free(s->mac);
    sfc_wipe(s->plain, s->plain_used);
    sfc_wipe(s->out, s->out_used);
    sfc_wipe(s, offsetof(sfc_sm_session, plain));
    free(s);
}

/* Drop protected response bytes still waiting for GET RESPONSE: they are
 * useless without the session and must not leak into a plain exchange. */
static void clear_protected_pending(sfc_card *card, sfc_sm_session *s)
{
    for (unsigned i = 0; i < SFC_MAX_CHANNELS; i++) {
        if (s->pending_protected & (1u << i)) {
            buf_reset(&card->ch[i].pending);
            card->ch[i].pending_off = 0;
        }
    }
    s->pending_protected = 0;
}

static void session_end_now(sfc_card *card)
{
    sfc_sm_session *s = card->sm;
    if (!s)
        return;
    card->sm = NULL;
    clear_protected_pending(card, s);
    sm_end_fn fn = s->on_end;
    void *user = s->on_end_user;
    session_free(s);
    sfc_log(SFC_LOG_INFO, "%s: secure messaging ended, keys wiped", card->label);
    app_sm_ended(card);
    if (fn)
        fn(card, user);
}

sfc_err sm_start(sfc_card *card, sm_profile profile, const uint8_t *kenc,
                size_t kenc_len, const uint8_t *kmac, size_t kmac_len,
                const uint8_t *ssc, size_t ssc_len)
{
    if (!card || !kenc || !kmac || !keys_ok(profile, kenc_len, kmac_len))
        return SFC_E_INVAL;
    size_t block = profile == SM_AES_CMAC ? 16 : 8;
    if ((ssc || ssc_len) && (!ssc || ssc_len != block))
        return SFC_E_INVAL;
    sfc_sm_session *s = calloc(1, sizeof(*s));
    if (!s)
        return SFC_E_NOMEM;
    s->profile = profile;
    s->block = block;
    s->enc = sfc_cipher_key_new(cipher_of(s), kenc, kenc_len);
    s->mac = profile == SM_AES_CMAC ? sfc_mac_key_cmac_aes(kmac, kmac_len)
                                    : sfc_mac_key_retail(kmac);
    if (!s->enc || !s->mac) {
        session_free(s);
        return SFC_E_NOMEM;
    }
    if (ssc)
        memcpy(s->ssc, ssc, block);
    sfc_sm_session *cur = card->sm;
    if (cur && cur->in_command) {
        session_free(cur->next);   /* the last start of a command wins */
        cur->next = s;
        cur->end_after = false;
        return SFC_OK;
    }
    if (cur) {
        clear_protected_pending(card, cur);
        session_free(cur);
    }
    card->sm = s;
    sfc_log(SFC_LOG_INFO, "%s: secure messaging started (%s)", card->label,
           profile == SM_AES_CMAC ? "AES, CMAC" : "3DES, retail MAC");
    return SFC_OK;
}

void sm_end(sfc_card *card)
{
    sfc_sm_session *s = card ? card->sm : NULL;
    if (!s)
        return;
    if (s->in_command) {
        session_free(s->next);
        s->next = NULL;
        s->end_after = true;
        return;
    }
    session_end_now(card);
}

bool sm_active(const sfc_card *card)
{
    return card && card->sm;
}

sm_profile sm_session_profile(const sfc_card *card)
{
    return card && card->sm ? card->sm->profile : SM_3DES_RETAIL;
}

size_t sm_get_ssc(const sfc_card *card, uint8_t out[16])
{
    if (!card || !card->sm)
        return 0;
    memcpy(out, card->sm->ssc, card->sm->block);
    return card->sm->block;
}

void sm_on_end(sfc_card *card, void (*fn)(sfc_card *card, void *user),
               void *user)
{
    sfc_sm_session *s = card ? card->sm : NULL;
    if (!s)
        return;
    if (s->in_command && s->next)
        s = s->next;
    s->on_end = fn;
    s->on_end_user = user;
}

void sm_command_begin(sfc_card *card)
{
    if (card->sm) {
        card->sm->in_command = true;
        card->sm->end_after = false;
    }
}

void sm_command_done(sfc_card *card)
{
    sfc_sm_session *s = card->sm;
    if (!s)
        return;
    sfc_wipe(s->plain, s->plain_len);
    s->plain_len = 0;
    s->in_command = false;
    if (s->end_after) {
        session_end_now(card);
        return;
    }
    if (s->next) {
        /* Keys replaced by the command: what is queued was protected with
         * the old keys and stays fetchable under the new session. */
        sfc_sm_session *n = s->next;
        s->next = NULL;
        n->pending_protected = s->pending_protected;
        session_free(s);
        card->sm = n;
        sfc_log(SFC_LOG_INFO, "%s: secure messaging restarted with new keys",
               card->label);
    }
}

void sm_set_pending_protected(sfc_card *card, uint8_t channel, bool on)
{
    if (!card->sm || channel >= SFC_MAX_CHANNELS)
        return;
    if (on)
        card->sm->pending_protected |= 1u << channel;
    else
        card->sm->pending_protected &= ~(1u << channel);
}

bool sm_pending_protected(const sfc_card *card, uint8_t channel)
{
    return card->sm && channel < SFC_MAX_CHANNELS &&
           (card->sm->pending_protected & (1u << channel));
}

/* ---- class byte ------------------------------------------------------------ */

sm_cla_kind sm_cla_kind_of(uint8_t cla)
{
    /* 000x yycc, or 100x yycc on a card that codes it so. */
    if ((cla & 0x60) == 0x00) {
        static const sm_cla_kind b4b3[] = {SM_CLA_NONE, SM_CLA_PROPRIETARY,
                                           SM_CLA_PLAIN_HEADER,
                                           SM_CLA_AUTH_HEADER};
        return b4b3[(cla >> 2) & 3];
    }
    /* Further interindustry (01xx xxxx): b6 = SM, header not processed. */
    if ((cla & 0xC0) == 0x40 && (cla & 0x20))
        return SM_CLA_PLAIN_HEADER;
    return SM_CLA_NONE;
}

uint8_t sm_inner_cla(uint8_t cla)
{
    if ((cla & 0x60) == 0x00)
        return cla & (uint8_t)~0x0Cu;
    if ((cla & 0xC0) == 0x40)
        return cla & (uint8_t)~0x20u;
    return cla;
}

/* ---- primitives of the profiles ---------------------------------------------- */

static sfc_cipher_alg cipher_of(const sfc_sm_session *s)
{
    return s->profile == SM_AES_CMAC ? SFC_CIPHER_AES : SFC_CIPHER_DES3;
}

static void ssc_increment(sfc_sm_session *s)
{
    /* Full width with carry: the SSC is always `block` bytes long, never
     * the minimal length the reference emulator produced. */
    for (size_t i = s->block; i-- > 0;)
        if (++s->ssc[i] != 0)
            break;
}

/* IV for the current SSC: zero for 3DES, E_Kenc(SSC) for AES. */
static sfc_err session_iv(const sfc_sm_session *s, uint8_t iv[SM_BLOCK_MAX])
{
    if (s->profile == SM_3DES_RETAIL) {
        memset(iv, 0, SM_BLOCK_MAX);
        return SFC_OK;
    }
    return sfc_cipher_keyed(s->enc, SFC_MODE_ECB, true, NULL, s->ssc, 16, iv);
}

static sfc_err session_cipher(const sfc_sm_session *s, bool encrypt,
                             uint8_t *data, size_t len)
{
    uint8_t iv[SM_BLOCK_MAX];
    sfc_err rv = session_iv(s, iv);
    if (rv == SFC_OK)
        rv = sfc_cipher_keyed(s->enc, SFC_MODE_CBC, encrypt, iv, data, len,
                              data);
    return rv;
}

/* The 8-byte MAC over `len` bytes, already padded to whole blocks. */
static sfc_err session_mac(const sfc_sm_session *s, const uint8_t *in,
                          size_t len, uint8_t out[SM_MAC_LEN])
{
    return sfc_mac_keyed(s->mac, in, len, out, SM_MAC_LEN);
}

/* ---- unwrap ------------------------------------------------------------------ */

/** The data objects of a protected command. */
typedef struct sm_fields {
    bool has_data, has_le, has_mac;
    ber_tlv data;   /**< 81, 85 or 87 */
    ber_tlv le;     /**< 97 */
    ber_tlv mac;    /**< 8E */
    size_t maced;   /**< bytes before 8E: the data objects the MAC covers */
} sm_fields;

/* Strict parse; returns NULL or why the field is refused. */
static const char *parse_fields(const uint8_t *p, size_t len, sm_fields *f)
{
    memset(f, 0, sizeof(*f));
    ber_iter it;
    ber_iter_init(&it, p, len, false);
    for (;;) {
        ber_tlv t;
        sfc_err rv = ber_iter_next(&it, &t);
        if (rv == SFC_E_END)
            break;
        if (rv != SFC_OK)
            return "malformed data objects";
        if (f->has_mac)
            return "data objects after the MAC (8E)";
        switch (t.tag) {
        case 0x81: case 0x85: case 0x87:
            if (f->has_data)
                return "more than one data object 81/85/87";
            f->data = t;
            f->has_data = true;
            break;
        case 0x97:
            if (f->has_le)
                return "DO97 given twice";
            f->le = t;
            f->has_le = true;
            break;
        case 0x8E:
            f->mac = t;
            f->has_mac = true;
            continue;
        default:
            return "unsupported data object";
        }
        f->maced += t.size;
    }
    if (!f->has_mac)
        return "no MAC (8E)";
    if (f->mac.len != SM_MAC_LEN)
        return "MAC (8E) is not 8 bytes";
    return NULL;
}

static bool mac_matches(sfc_sm_session *s, const apdu *a, const uint8_t *dos,
                        size_t dos_len, const uint8_t *mac)
{
    uint8_t *m = s->out;
    size_t n = s->block;
    memcpy(m, s->ssc, s->block);
    if (sm_cla_kind_of(a->cla) == SM_CLA_AUTH_HEADER) {
        const uint8_t header[4] = {a->cla, a->ins, a->p1, a->p2};
        n += sfc_pad_iso(header, sizeof(header), s->block, m + n);
    }
    if (dos_len) {
        memcpy(m + n, dos, dos_len);
        n += sfc_pad_iso(m + n, dos_len, s->block, m + n);
    }
    note_used(&s->out_used, n);
    uint8_t cc[SM_MAC_LEN];
    bool ok = session_mac(s, m, n, cc) == SFC_OK &&
              sfc_ct_equal(cc, mac, SM_MAC_LEN);
    sfc_wipe(cc, sizeof(cc));
    return ok;
}

static const char *parse_le(const ber_tlv *t, apdu *inner)
{
    if (t->len == 1) {
        inner->ne = t->value[0] ? t->value[0] : 256u;
    } else if (t->len == 2) {
        uint16_t v = sfc_get_u16be(t->value);
        inner->ne = v ? v : APDU_MAX_NE;
        inner->extended = true;
    } else {
        return "DO97 is not 1 or 2 bytes";
    }
    inner->has_le = true;
    return NULL;
}

static const char *decrypt_data(sfc_sm_session *s, const ber_tlv *t,
                                size_t *out_len)
{
    const uint8_t *c = t->value;
    size_t n = t->len;
    if (t->tag == 0x81) {
        memcpy(s->plain, c, n);
        note_used(&s->plain_used, n);
        s->plain_len = n;
        *out_len = n;
        return NULL;
    }
    if (t->tag == 0x87) {
        if (n == 0 || c[0] != 0x01)
            return "padding indicator is not 01";
        c++;
        n--;
    }
    if (n == 0 || n % s->block || n > SM_PLAIN_MAX)
        return "cryptogram is not a whole number of blocks";
    memcpy(s->plain, c, n);
    note_used(&s->plain_used, n);
    s->plain_len = n;
    if (session_cipher(s, false, s->plain, n) != SFC_OK)
        return "decryption failed";
    size_t m = sfc_unpad_iso(s->plain, n, s->block);
    if (m == SIZE_MAX)
        return "wrong padding in the cryptogram";
    *out_len = m;
    return NULL;
}

/* The case of the inner command. `extended` stays what DO97 said (two
 * bytes), because it decides whether Le 00 means 256 or 65536. */
static void set_case(apdu *a)
{
    a->kind = a->nc ? (a->has_le ? APDU_CASE_4 : APDU_CASE_3)
                    : (a->has_le ? APDU_CASE_2 : APDU_CASE_1);
}

sfc_err sm_unwrap(sfc_card *card, const apdu *outer, apdu *inner)
{
    sfc_sm_session *s = card->sm;
    if (!s)
        return SFC_E_STATE;
    ssc_increment(s);
    memset(inner, 0, sizeof(*inner));
    inner->cla = sm_inner_cla(outer->cla);
    inner->ins = outer->ins;
    inner->p1 = outer->p1;
    inner->p2 = outer->p2;
    sm_fields f;
    size_t n = 0;
    const char *why = parse_fields(outer->data, outer->nc, &f);
    if (!why && !mac_matches(s, outer, outer->data, f.maced, f.mac.value))
        why = "wrong MAC";
    if (!why && f.has_le)
        why = parse_le(&f.le, inner);
    if (!why && f.has_data)
        why = decrypt_data(s, &f.data, &n);
    if (why) {
        sfc_log(SFC_LOG_INFO, "%s: secure messaging error: %s", card->label, why);
        return SFC_E_FORMAT;
    }
    s->plain_len = n > s->plain_len ? n : s->plain_len;
    inner->data = n ? s->plain : NULL;
    inner->nc = n;
    set_case(inner);
    return SFC_OK;
}

/* ---- wrap -------------------------------------------------------------------- */

/* Append DO87 = 87 L 01 E(pad(data)) at m + *n. */
static sfc_err put_do87(const sfc_sm_session *s, const uint8_t *data,
                       size_t len, uint8_t *m, size_t *n)
{
    size_t padded = (len / s->block + 1) * s->block;
    sfc_buf b;
    buf_init_fixed(&b, m + *n, 6);
    buf_put_u8(&b, 0x87);
    ber_put_len(&b, 1 + padded);
    buf_put_u8(&b, 0x01);
    if (b.failed)
        return SFC_E_RANGE;
    uint8_t *cg = m + *n + b.len;
    sfc_pad_iso(data, len, s->block, cg);
    sfc_err rv = session_cipher(s, true, cg, padded);
    *n += b.len + padded;
    return rv;
}

sfc_err sm_wrap(sfc_card *card, const uint8_t *data, size_t len, uint16_t sw,
               const uint8_t **out, size_t *out_len)
{
    sfc_sm_session *s = card->sm;
    if (!s)
        return SFC_E_STATE;
    if (len > SFC_RESP_MAX || (len && !data))
        return SFC_E_RANGE;
    ssc_increment(s);
    uint8_t *m = s->out;
    size_t n = s->block;
    memcpy(m, s->ssc, s->block);
    sfc_err rv = len ? put_do87(s, data, len, m, &n) : SFC_OK;
    if (rv != SFC_OK)
        return rv;
    m[n++] = 0x99;
    m[n++] = 0x02;
    sfc_put_u16be(m + n, sw);
    n += 2;
    /* MAC over SSC || pad(DO87 || DO99); 8E then overwrites the padding. */
    size_t padded = s->block +
                    sfc_pad_iso(m + s->block, n - s->block, s->block, m + s->block);
    uint8_t cc[SM_MAC_LEN];
    rv = session_mac(s, m, padded, cc);
    if (rv != SFC_OK)
        return rv;
    m[n++] = 0x8E;
    m[n++] = SM_MAC_LEN;
    memcpy(m + n, cc, SM_MAC_LEN);
    n += SM_MAC_LEN;
    note_used(&s->out_used, n > padded ? n : padded);
    *out = m + s->block;
    *out_len = n - s->block;
    return SFC_OK;
}

/* ---- the secure messaging interface of card types ------------------------ */

sfc_err sfc_sm_start(sfc_card *card, sfc_sm_profile profile,
                     const uint8_t *kenc, size_t kenc_len,
                     const uint8_t *kmac, size_t kmac_len,
                     const uint8_t *ssc, size_t ssc_len)
{
    sm_profile p = profile == SFC_SM_AES_CMAC ? SM_AES_CMAC : SM_3DES_RETAIL;
    return sm_start(card, p, kenc, kenc_len, kmac, kmac_len, ssc, ssc_len);
}

bool sfc_cmd_secured(const sfc_card *card)
{
    return card->sec.cmd_secured;
}
