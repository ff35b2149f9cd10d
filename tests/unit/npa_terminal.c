/* SPDX-License-Identifier: LGPL-2.1-or-later */
/**
 * @file npa_terminal.c
 * @brief The nPA test terminal (npa_terminal.h): PACE on OpenPACE's
 *        terminal side and secure messaging from OpenPACE's primitives.
 *
 * Invariant: the SSC of t->ctx is incremented exactly once before a
 * protected command and once before its response is checked, as the card
 * does; any mismatch ends the session (t->sm false) and returns 0.
 */
#include "npa_terminal.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <eac/ca.h>
#include <eac/cv_cert.h>
#include <eac/eac.h>
#include <eac/ta.h>
#include <eac/objects.h>
#include <eac/pace.h>
#include <openssl/bn.h>
#include <openssl/crypto.h>
#include <openssl/ec.h>
#include <openssl/objects.h>

#include "core/tlv.h"

#define APDU_MAX 70000

static pthread_once_t once = PTHREAD_ONCE_INIT;

/* id-PACE-ECDH-CAM-AES-CBC-CMAC-128, which OpenPACE does not know. */
#define OID_CAM_AES128 "0.4.0.127.0.7.2.2.4.6.2"
static int nid_cam;

static void init_once(void)
{
    EAC_init();
    nid_cam = OBJ_txt2nid(OID_CAM_AES128);
    if (nid_cam == NID_undef)
        nid_cam = OBJ_create(OID_CAM_AES128, "id-PACE-ECDH-CAM-AES-128",
                             "id-PACE-ECDH-CAM-AES-CBC-CMAC-128");
}

void npa_term_init(npa_term *t, npa_term_xfer xfer, void *user)
{
    pthread_once(&once, init_once);
    memset(t, 0, sizeof(*t));
    t->xfer = xfer;
    t->user = user;
}

void npa_term_free(npa_term *t)
{
    EAC_CTX_clear_free(t->ctx);
    BUF_MEM_free(t->id_icc);
    BUF_MEM_free(t->ta_eph);
    BUF_MEM_free(t->aux);
    BUF_MEM_clear_free(t->cam_ca);
    BUF_MEM_free(t->cam_map);
    t->ctx = NULL;
    t->id_icc = t->ta_eph = t->aux = t->cam_ca = t->cam_map = NULL;
    t->sm = false;
}

/* ---- plain exchange --------------------------------------------------------- */

static uint16_t plain(npa_term *t, const uint8_t *apdu, size_t n, uint8_t *out,
                      size_t *outlen)
{
    static uint8_t r[APDU_MAX];
    size_t rn = sizeof(r);
    if (t->xfer(t->user, apdu, n, r, &rn) != 0 || rn < 2)
        return 0;
    size_t dl = rn - 2;
    if (out && outlen) {
        if (dl > *outlen)
            return 0;
        memcpy(out, r, dl);
        *outlen = dl;
    }
    return (uint16_t)(r[rn - 2] << 8 | r[rn - 1]);
}

/* ---- secure messaging -------------------------------------------------------- */

typedef struct parsed {
    const uint8_t *data;
    size_t nc, le;
    bool has_le;
} parsed;

static bool parse_apdu(const uint8_t *a, size_t n, parsed *p)
{
    memset(p, 0, sizeof(*p));
    if (n == 4)
        return true;
    if (n == 5) {
        p->has_le = true;
        p->le = a[4] ? a[4] : 256;
        return true;
    }
    size_t lc = a[4];
    if (lc == 0 || n < 5 + lc || n > 6 + lc)
        return false; /* short APDUs only */
    p->data = a + 5;
    p->nc = lc;
    if (n == 6 + lc) {
        p->has_le = true;
        p->le = a[5 + lc] ? a[5 + lc] : 256;
    }
    return true;
}

static BUF_MEM *bm(const void *d, size_t n)
{
    BUF_MEM *b = BUF_MEM_new();
    if (b && BUF_MEM_grow(b, n) == n) {
        if (n)
            memcpy(b->data, d, n);
        return b;
    }
    BUF_MEM_free(b);
    return NULL;
}

static bool put_bm(sfc_buf *out, const BUF_MEM *b)
{
    return b && buf_put(out, b->data, b->length);
}

static bool padded(const EAC_CTX *ctx, const void *d, size_t n, sfc_buf *out)
{
    BUF_MEM *in = bm(d, n);
    BUF_MEM *p = in ? EAC_add_iso_pad(ctx, in) : NULL;
    bool ok = put_bm(out, p);
    BUF_MEM_free(in);
    BUF_MEM_free(p);
    return ok;
}

static bool mac_of(const EAC_CTX *ctx, const sfc_buf *in, uint8_t mac[8])
{
    BUF_MEM *b = bm(in->data, in->len);
    BUF_MEM *m = b ? EAC_authenticate(ctx, b) : NULL;
    bool ok = m && m->length == 8;
    if (ok)
        memcpy(mac, m->data, 8);
    BUF_MEM_free(b);
    BUF_MEM_free(m);
    return ok;
}

/* DO87 || DO97 of the command. */
static bool command_dos(const EAC_CTX *ctx, const parsed *p, sfc_buf *dos)
{
    if (p->nc) {
        sfc_buf pad;
        buf_init(&pad);
        BUF_MEM *plainb =
            padded(ctx, p->data, p->nc, &pad) ? bm(pad.data, pad.len) : NULL;
        BUF_MEM *enc = plainb ? EAC_encrypt(ctx, plainb) : NULL;
        bool ok = enc != NULL;
        if (ok) {
            size_t m = ber_begin(dos, 0x87);
            buf_put_u8(dos, 0x01);
            buf_put(dos, enc->data, enc->length);
            ok = ber_end(dos, m);
        }
        buf_free(&pad);
        BUF_MEM_clear_free(plainb);
        BUF_MEM_free(enc);
        if (!ok)
            return false;
    }
    if (p->has_le)
        ber_put_u8(dos, 0x97, (uint8_t)(p->le == 256 ? 0 : p->le));
    return !dos->failed;
}

static bool wrap(npa_term *t, const uint8_t *a, size_t n, sfc_buf *out)
{
    parsed p;
    if (!parse_apdu(a, n, &p) || !EAC_increment_ssc(t->ctx))
        return false;
    uint8_t hdr[4] = {(uint8_t)(a[0] | 0x0C), a[1], a[2], a[3]};
    uint8_t mac[8];
    sfc_buf dos, macin;
    buf_init(&dos);
    buf_init(&macin);
    bool ok = command_dos(t->ctx, &p, &dos) && padded(t->ctx, hdr, 4, &macin) &&
              (dos.len == 0 || padded(t->ctx, dos.data, dos.len, &macin)) &&
              mac_of(t->ctx, &macin, mac);
    if (ok) {
        buf_put(out, hdr, 4);
        buf_put_u8(out, (uint8_t)(dos.len + 10));
        buf_put(out, dos.data, dos.len);
        ber_put(out, 0x8E, mac, 8);
        buf_put_u8(out, 0x00);
        ok = !out->failed && dos.len + 10 <= 255;
    }
    buf_free(&dos);
    buf_free(&macin);
    return ok;
}

/* Check and open a protected response; returns the inner SW or 0. */
static uint16_t unwrap(npa_term *t, const uint8_t *r, size_t rn, uint8_t *out,
                       size_t *outlen)
{
    ber_tlv do87 = {0}, do99 = {0}, do8e = {0}, x;
    size_t off = 0;
    while (off < rn && ber_decode(r + off, rn - off, &x) == SFC_OK) {
        if (x.tag == 0x87)
            do87 = x;
        else if (x.tag == 0x99)
            do99 = x;
        else if (x.tag == 0x8E)
            do8e = x;
        off += x.size;
    }
    if (off != rn || do99.len != 2 || do8e.len != 8 ||
        !EAC_increment_ssc(t->ctx))
        return 0;
    uint8_t mac[8];
    sfc_buf macin;
    buf_init(&macin);
    size_t covered = (size_t)(do8e.value - 2 - r);
    bool ok = padded(t->ctx, r, covered, &macin) &&
              mac_of(t->ctx, &macin, mac) &&
              CRYPTO_memcmp(mac, do8e.value, 8) == 0;
    buf_free(&macin);
    if (!ok)
        return 0;
    size_t dl = 0;
    if (do87.len > 1) {
        BUF_MEM *enc = bm(do87.value + 1, do87.len - 1);
        BUF_MEM *dec = enc ? EAC_decrypt(t->ctx, enc) : NULL;
        BUF_MEM *pl = dec ? EAC_remove_iso_pad(dec) : NULL;
        ok = pl && out && outlen && pl->length <= *outlen;
        if (ok) {
            memcpy(out, pl->data, pl->length);
            dl = pl->length;
        }
        BUF_MEM_free(enc);
        BUF_MEM_clear_free(dec);
        BUF_MEM_clear_free(pl);
        if (!ok)
            return 0;
    }
    if (outlen)
        *outlen = dl;
    return (uint16_t)(do99.value[0] << 8 | do99.value[1]);
}

/* A protected response longer than the command's Le comes in parts behind
 * 61xx (ISO 7816-4 5.3.4): fetch the rest with plain GET RESPONSE, as
 * OpenSC's SM layer does. *rn: capacity in, the data's length out. */
static uint16_t fetch_all(npa_term *t, const uint8_t *apdu, size_t n,
                          uint8_t *r, size_t *rn)
{
    size_t cap = *rn, have = cap;
    uint16_t sw = plain(t, apdu, n, r, &have);
    while (sw >> 8 == 0x61) {
        uint8_t get[5] = {0x00, 0xC0, 0x00, 0x00, (uint8_t)sw};
        size_t more = cap - have;
        sw = plain(t, get, sizeof(get), r + have, &more);
        have += sw ? more : 0;
    }
    *rn = have;
    return sw;
}

uint16_t npa_term_send(npa_term *t, const uint8_t *apdu, size_t n, uint8_t *out,
                       size_t *outlen)
{
    if (!t->sm)
        return plain(t, apdu, n, out, outlen);
    static uint8_t r[APDU_MAX];
    size_t rn = sizeof(r);
    sfc_buf w;
    buf_init(&w);
    uint16_t sw = 0;
    if (wrap(t, apdu, n, &w) && fetch_all(t, w.data, w.len, r, &rn) != 0)
        sw = unwrap(t, r, rn, out, outlen);
    buf_free(&w);
    if (sw == 0)
        t->sm = false;
    return sw;
}

uint16_t npa_term_sendx(npa_term *t, const char *hex, uint8_t *out,
                        size_t *outlen)
{
    static uint8_t a[APDU_MAX];
    size_t n = 0;
    for (const char *p = hex; *p && n < sizeof(a);) {
        unsigned v;
        if (*p == ' ') {
            p++;
            continue;
        }
        if (sscanf(p, "%2x", &v) != 1)
            return 0;
        a[n++] = (uint8_t)v;
        p += 2;
    }
    return npa_term_send(t, a, n, out, outlen);
}

uint16_t npa_term_read_sfi(npa_term *t, uint8_t sfi, uint8_t *out, size_t *len)
{
    size_t total = 0, cap = *len;
    uint16_t sw = 0x9000;
    for (;;) {
        uint8_t a[5] = {0x00, 0xB0, 0, 0, 0xDF};
        if (total == 0)
            a[2] = (uint8_t)(0x80 | sfi);
        else {
            a[2] = (uint8_t)(total >> 8);
            a[3] = (uint8_t)total;
        }
        size_t n = cap - total;
        sw = npa_term_send(t, a, sizeof(a), out + total, &n);
        if (sw != 0x9000 && sw != 0x6282)
            break;
        total += n;
        if (n < 0xDF || sw == 0x6282) {
            sw = 0x9000;
            break;
        }
    }
    *len = total;
    return sw;
}

/* ---- PACE ---------------------------------------------------------------------- */

/* Does the SET of EF.CardAccess (`ca`) hold this PACEInfo, by its DER
 * (OpenPACE skips the CAM PACEInfo it does not know)? */
static bool has_info(const uint8_t *ca, size_t n, int nid, int param)
{
    const ASN1_OBJECT *o = OBJ_nid2obj(nid);
    size_t ol = o ? OBJ_length(o) : 0;
    uint8_t want[48] = {0x30, (uint8_t)(ol + 8), 0x06, (uint8_t)ol};
    if (!o || ol > 32)
        return false;
    memcpy(want + 4, OBJ_get0_data(o), ol);
    memcpy(want + 4 + ol, (const uint8_t[]){0x02, 0x01, 0x02, 0x02, 0x01},
           5);
    want[9 + ol] = (uint8_t)param;
    for (size_t i = 0; i + ol + 10 <= n; i++)
        if (memcmp(ca + i, want, ol + 10) == 0)
            return true;
    return false;
}

static bool offered(npa_term *t, int nid, int param)
{
    uint8_t ca[1024];
    size_t n = sizeof(ca);
    EAC_CTX *ctx = EAC_CTX_new();
    bool found = false;
    bool was = t->sm;
    t->sm = false; /* EF.CardAccess is read plain, before PACE */
    if (ctx) /* OpenPACE parses an IM PACEInfo in its v2.01 mode only */
        ctx->tr_version = EAC_TR_VERSION_2_01;
    uint16_t sw = ctx ? npa_term_read_sfi(t, 0x1C, ca, &n) : 0;
    if (sw == 0x9000 && nid == nid_cam) {
        found = has_info(ca, n, nid, param);
    } else if (sw == 0x9000 && EAC_CTX_init_ef_cardaccess(ca, n, ctx)) {
        int k = OPENSSL_sk_num((const OPENSSL_STACK *)ctx->pace_ctxs);
        for (int i = 0; i < k; i++) {
            const PACE_CTX *p =
                OPENSSL_sk_value((const OPENSSL_STACK *)ctx->pace_ctxs, i);
            found = found || (p && p->protocol == nid && p->id == param);
        }
    }
    t->sm = was;
    EAC_CTX_clear_free(ctx);
    return found;
}

static uint16_t mse(npa_term *t, int nid, int param, uint8_t pwd)
{
    const ASN1_OBJECT *o = OBJ_nid2obj(nid);
    size_t ol = o ? OBJ_length(o) : 0;
    uint8_t a[64] = {0x00, 0x22, 0xC1, 0xA4, 0, 0x80, (uint8_t)ol};
    if (!o || ol > 32)
        return 0;
    memcpy(a + 7, OBJ_get0_data(o), ol);
    size_t n = 7 + ol;
    const uint8_t tail[] = {0x83, 0x01, pwd, 0x84, 0x01, (uint8_t)param};
    memcpy(a + n, tail, sizeof(tail));
    n += sizeof(tail);
    a[4] = (uint8_t)(n - 5);
    return npa_term_send(t, a, n, NULL, NULL);
}

/* GA with one more object `xtag` (0: none) of the response into *xout. */
static uint16_t ga_x(npa_term *t, bool last, uint32_t tag, const BUF_MEM *in,
                     uint32_t rtag, BUF_MEM **out, uint32_t xtag,
                     BUF_MEM **xout)
{
    sfc_buf c;
    buf_init(&c);
    buf_put(&c, (const uint8_t[]){last ? 0x00 : 0x10, 0x86, 0, 0, 0}, 5);
    size_t m = ber_begin(&c, 0x7C);
    if (in)
        ber_put(&c, tag, (const uint8_t *)in->data, in->length);
    ber_end(&c, m);
    c.data[4] = (uint8_t)(c.len - 5);
    buf_put_u8(&c, 0x00);
    static uint8_t r[4096];
    size_t rn = sizeof(r);
    uint16_t sw = c.failed || c.len - 6 > 255
                      ? 0
                      : npa_term_send(t, c.data, c.len, r, &rn);
    buf_free(&c);
    ber_tlv outer, inner;
    if (sw != 0x9000)
        return sw;
    if (ber_decode(r, rn, &outer) != SFC_OK || outer.tag != 0x7C ||
        ber_decode(outer.value, outer.len, &inner) != SFC_OK ||
        inner.tag != rtag || !(*out = bm(inner.value, inner.len)))
        return 0;
    if (xtag && (ber_find(outer.value, outer.len, xtag, &inner) != SFC_OK ||
                 !(*xout = bm(inner.value, inner.len))))
        return 0;
    return sw;
}

/* One GA step: 7C{tag in} -> 7C{rtag out [...]}. */
static uint16_t ga(npa_term *t, bool last, uint32_t tag, const BUF_MEM *in,
                   uint32_t rtag, BUF_MEM **out)
{
    return ga_x(t, last, tag, in, rtag, out, 0, NULL);
}

typedef struct run {
    EAC_CTX *ctx;
    PACE_SEC *sec;
    BUF_MEM *a, *b, *mine, *theirs;
    bool im;                 /**< Integrated Mapping */
    bool cam;                /**< Chip Authentication Mapping */
    BUF_MEM *map_picc, *aic; /**< CAM: the chip's 82 and 8A */
} run;

static void run_free(run *r)
{
    PACE_SEC_clear_free(r->sec);
    BUF_MEM_clear_free(r->a);
    BUF_MEM_clear_free(r->b);
    BUF_MEM_clear_free(r->mine);
    BUF_MEM_clear_free(r->theirs);
    BUF_MEM_free(r->map_picc);
    BUF_MEM_free(r->aic);
}

static void run_reset(run *r)
{
    BUF_MEM_clear_free(r->a);
    BUF_MEM_clear_free(r->b);
    r->a = r->b = NULL;
}

/* GA2, the mapping: GM sends our mapping key in 81 and maps with the
 * chip's 82; IM sends our nonce t in 81, gets an empty 82 back, and both
 * sides map with t. */
static uint16_t map_step(npa_term *t, run *r)
{
    if (!(r->b = PACE_STEP3A_generate_mapping_data(r->ctx)))
        return 0;
    uint16_t sw = ga(t, false, 0x81, r->b, 0x82, &r->a);
    if (sw != 0x9000)
        return sw;
    if (r->im && r->a->length != 0)
        return 0;
    if (r->cam && !(r->map_picc = bm(r->a->data, r->a->length)))
        return 0;
    return PACE_STEP3A_map_generator(r->ctx, r->im ? r->b : r->a) ? sw : 0;
}

static uint16_t steps(npa_term *t, run *r)
{
    uint16_t sw = ga(t, false, 0, NULL, 0x80, &r->a);
    if (sw != 0x9000)
        return sw;
    if (!PACE_STEP2_dec_nonce(r->ctx, r->sec, r->a))
        return 0;
    run_reset(r);
    if ((sw = map_step(t, r)) != 0x9000)
        return sw;
    if (!(r->mine = PACE_STEP3B_generate_ephemeral_key(r->ctx)))
        return 0;
    if ((sw = ga(t, false, 0x83, r->mine, 0x84, &r->theirs)) != 0x9000)
        return sw;
    run_reset(r);
    if (!PACE_STEP3B_compute_shared_secret(r->ctx, r->theirs) ||
        !PACE_STEP3C_derive_keys(r->ctx) ||
        !(r->b = PACE_STEP3D_compute_authentication_token(r->ctx, r->theirs)))
        return 0;
    if ((sw = ga_x(t, true, 0x85, r->b, 0x86, &r->a, r->cam ? 0x8A : 0,
                   &r->aic)) != 0x9000)
        return sw;
    return PACE_STEP3D_verify_authentication_token(r->ctx, r->a) == 1 ? sw : 0;
}

/* CAM: CA_IC = D(KS_enc, A_IC) with IV = E(KS_enc, -1) (the SSC set to
 * all ones on the block), unpadded, before secure messaging starts. */
static bool cam_decrypt(npa_term *t, run *r)
{
    BIGNUM *ssc = r->ctx->ssc;
    BUF_MEM *padded = NULL;
    bool ok = r->aic && BN_set_word(ssc, 0) && BN_set_bit(ssc, 128) &&
              BN_sub_word(ssc, 1) && (padded = EAC_decrypt(r->ctx, r->aic));
    BUF_MEM_clear_free(t->cam_ca);
    BUF_MEM_free(t->cam_map);
    t->cam_ca = ok ? EAC_remove_iso_pad(padded) : NULL;
    t->cam_map = r->map_picc;
    r->map_picc = NULL;
    BUF_MEM_clear_free(padded);
    return t->cam_ca != NULL;
}

/* The OID MSE:Set AT names, and OpenPACE's protocol for the run. */
static int mapping_nid(npa_term_mapping m, int *run_nid)
{
    int nid = m == NPA_TERM_DH_GM     ? NID_id_PACE_DH_GM_AES_CBC_CMAC_128
              : m == NPA_TERM_DH_IM   ? NID_id_PACE_DH_IM_AES_CBC_CMAC_128
              : m == NPA_TERM_ECDH_CAM ? nid_cam
                                       : NID_id_PACE_ECDH_GM_AES_CBC_CMAC_128;
    *run_nid = m == NPA_TERM_ECDH_CAM ? NID_id_PACE_ECDH_GM_AES_CBC_CMAC_128
                                      : nid;
    return nid;
}

uint16_t npa_term_pace(npa_term *t, uint8_t pwd, const char *secret,
                       npa_term_mapping mapping)
{
    int run_nid, nid = mapping_nid(mapping, &run_nid);
    int param = mapping == NPA_TERM_ECDH_GM || mapping == NPA_TERM_ECDH_CAM
                    ? 13
                    : 0;
    if (!offered(t, nid, param))
        return 0;
    run r = {.im = mapping == NPA_TERM_DH_IM,
             .cam = mapping == NPA_TERM_ECDH_CAM};
    r.ctx = EAC_CTX_new();
    r.sec = PACE_SEC_new(secret, strlen(secret), (enum s_type)pwd);
    if (!r.ctx || !r.sec)
        return 0;
    /* OpenPACE runs IM in its TR-03110 v2.01 mode only; TA and CA after
     * it in v2.02, as the card does */
    r.ctx->tr_version = r.im ? EAC_TR_VERSION_2_01 : EAC_TR_VERSION_2_02;
    uint16_t sw = EAC_CTX_init_pace(r.ctx, run_nid, param) ? 0x9000 : 0;
    if (sw)
        sw = t->mse_sw = mse(t, nid, param, pwd);
    if (sw == 0x9000 || (sw & 0xFFF0) == 0x63C0)
        sw = steps(t, &r);
    if (sw == 0x9000)
        r.ctx->tr_version = EAC_TR_VERSION_2_02;
    if (sw == 0x9000 && EAC_CTX_set_encryption_ctx(r.ctx, EAC_ID_PACE) &&
        (!r.cam || cam_decrypt(t, &r)) && EAC_reset_ssc(r.ctx)) {
        EAC_CTX_clear_free(t->ctx);
        BUF_MEM_free(t->id_icc);
        t->id_icc = EAC_Comp(r.ctx, EAC_ID_PACE, r.theirs);
        t->ctx = r.ctx;
        r.ctx = NULL;
        t->sm = true;
    } else if (sw == 0x9000) {
        sw = 0;
    }
    EAC_CTX_clear_free(r.ctx);
    run_free(&r);
    return sw;
}

/* ---- Terminal and Chip Authentication ------------------------------------- */

/* A command with data built from a header and parts; more than 200 bytes
 * (a CVCA with domain parameters) go in a chain of short commands (CLA b5,
 * ISO/IEC 7816-4 5.3.3), so that each protected command stays short. */
static uint16_t send_data(npa_term *t, const uint8_t hdr[4],
                          const sfc_buf *data, uint8_t *out, size_t *outlen)
{
    uint8_t a[5 + 255 + 1];
    if (data->len == 0 || data->failed)
        return 0;
    size_t off = 0;
    uint16_t sw = 0x9000;
    while (sw == 0x9000 && off < data->len) {
        size_t part = data->len - off > 200 ? 200 : data->len - off;
        bool last = off + part == data->len;
        memcpy(a, hdr, 4);
        a[0] = (uint8_t)(hdr[0] | (last ? 0x00 : 0x10));
        a[4] = (uint8_t)part;
        memcpy(a + 5, data->data + off, part);
        size_t n = 5 + part;
        if (out && last)
            a[n++] = 0x00;
        sw = npa_term_send(t, a, n, last ? out : NULL, last ? outlen : NULL);
        off += part;
    }
    return sw;
}

static uint16_t verify_cert(npa_term *t, const uint8_t *cert, size_t len,
                            const CVC_CERT *c)
{
    sfc_buf d;
    ber_tlv outer;
    buf_init(&d);
    ber_put(&d, 0x83, c->body->certificate_authority_reference->data,
            (size_t)c->body->certificate_authority_reference->length);
    uint16_t sw =
        send_data(t, (const uint8_t[]){0x00, 0x22, 0x81, 0xB6}, &d, NULL, NULL);
    buf_reset(&d);
    if (sw == 0x9000 && ber_decode(cert, len, &outer) == SFC_OK) {
        buf_put(&d, outer.value, outer.len);
        sw = send_data(t, (const uint8_t[]){0x00, 0x2A, 0x00, 0xBE}, &d, NULL,
                       NULL);
    }
    buf_free(&d);
    return sw;
}

static uint16_t ta_auth(npa_term *t, const CVC_CERT *term)
{
    sfc_buf d;
    buf_init(&d);
    ber_put(&d, 0x83, term->body->certificate_holder_reference->data,
            (size_t)term->body->certificate_holder_reference->length);
    /* TA_STEP3's key is already compressed, as npa-tool sends it */
    ber_put(&d, 0x91, (const uint8_t *)t->ta_eph->data, t->ta_eph->length);
    if (t->aux)
        buf_put(&d, t->aux->data, t->aux->length);
    uint16_t sw =
        send_data(t, (const uint8_t[]){0x00, 0x22, 0x81, 0xA4}, &d, NULL, NULL);
    buf_free(&d);
    uint8_t nonce[8];
    size_t n = sizeof(nonce);
    if (sw == 0x9000)
        sw = npa_term_sendx(t, "0084000008", nonce, &n);
    BUF_MEM *nb = sw == 0x9000 && n == 8 ? bm(nonce, 8) : NULL;
    BUF_MEM *aux = t->aux ? bm(t->aux->data, t->aux->length) : BUF_MEM_new();
    BUF_MEM *sig = nb && aux && TA_STEP4_set_nonce(t->ctx, nb)
                       ? TA_STEP5_sign(t->ctx, t->ta_eph, t->id_icc, aux)
                       : NULL;
    if (sw == 0x9000 && sig) {
        buf_init(&d);
        buf_put(&d, sig->data, sig->length);
        sw = send_data(t, (const uint8_t[]){0x00, 0x82, 0x00, 0x00}, &d, NULL,
                       NULL);
        buf_free(&d);
    } else if (sw == 0x9000) {
        sw = 0;
    }
    BUF_MEM_free(nb);
    BUF_MEM_free(aux);
    BUF_MEM_free(sig);
    return sw;
}

uint16_t npa_term_ta(npa_term *t, const uint8_t *const *certs,
                     const size_t *lens, size_t n, const uint8_t *key,
                     size_t keylen)
{
    CVC_CERT *c = NULL;
    uint16_t sw = t->sm && n ? 0x9000 : 0;
    for (size_t i = 0; sw == 0x9000 && i < n; i++) {
        const unsigned char *p = certs[i];
        CVC_CERT_free(c);
        c = CVC_d2i_CVC_CERT(NULL, &p, (long)lens[i]);
        sw = c && c->body ? verify_cert(t, certs[i], lens[i], c) : 0;
    }
    if (sw == 0x9000 &&
        (!EAC_CTX_init_ca(t->ctx, NID_id_CA_ECDH_AES_CBC_CMAC_128, 13) ||
         !EAC_CTX_init_ta(t->ctx, key, keylen, certs[n - 1], lens[n - 1]) ||
         !(BUF_MEM_free(t->ta_eph),
           t->ta_eph = TA_STEP3_generate_ephemeral_key(t->ctx))))
        sw = 0;
    if (sw == 0x9000)
        sw = ta_auth(t, c);
    CVC_CERT_free(c);
    return sw;
}

uint16_t npa_term_ca(npa_term *t)
{
    static uint8_t cs[8192];
    size_t n = sizeof(cs);
    uint16_t sw = npa_term_read_sfi(t, 0x1D, cs, &n);
    if (sw != 0x9000)
        return sw;
    CA_disable_passive_authentication(t->ctx);
    BUF_MEM *pub = CA_get_pubkey(t->ctx, cs, n);
    BUF_MEM *eph = CA_STEP2_get_eph_pubkey(t->ctx);
    BUF_MEM *nonce = NULL, *token = NULL;
    if (!pub || !eph)
        sw = 0;
    if (sw == 0x9000)
        sw = npa_term_sendx(t, "002241A40F800A04007F00070202030202840141", NULL,
                            NULL);
    if (sw == 0x9000) {
        sfc_buf d;
        buf_init(&d);
        size_t m = ber_begin(&d, 0x7C);
        ber_put(&d, 0x80, (const uint8_t *)eph->data, eph->length);
        ber_end(&d, m);
        uint8_t r[256];
        size_t rn = sizeof(r);
        sw =
            send_data(t, (const uint8_t[]){0x00, 0x86, 0x00, 0x00}, &d, r, &rn);
        buf_free(&d);
        ber_tlv outer, a, b;
        if (sw == 0x9000 &&
            (ber_decode(r, rn, &outer) != SFC_OK || outer.tag != 0x7C ||
             ber_find(outer.value, outer.len, 0x81, &a) != SFC_OK ||
             ber_find(outer.value, outer.len, 0x82, &b) != SFC_OK ||
             !(nonce = bm(a.value, a.len)) || !(token = bm(b.value, b.len))))
            sw = 0;
    }
    if (sw == 0x9000 && (!CA_STEP4_compute_shared_secret(t->ctx, pub) ||
                         !CA_STEP6_derive_keys(t->ctx, nonce, token) ||
                         !EAC_CTX_set_encryption_ctx(t->ctx, EAC_ID_CA) ||
                         !EAC_reset_ssc(t->ctx)))
        sw = 0;
    BUF_MEM_free(pub);
    BUF_MEM_free(eph);
    BUF_MEM_free(nonce);
    BUF_MEM_free(token);
    return sw;
}

/* ---- Chip Authentication Mapping ----------------------------------------- */

/* PK_IC (an encoded point) from EF.CardSecurity, without passive
 * authentication (the test CSCA is not known here). */
static BUF_MEM *chip_key(const uint8_t *cs, size_t n)
{
    EAC_CTX *ctx = EAC_CTX_new();
    BUF_MEM *pub = NULL;
    if (ctx && EAC_CTX_init_ca(ctx, NID_id_CA_ECDH_AES_CBC_CMAC_128, 13)) {
        CA_disable_passive_authentication(ctx);
        pub = CA_get_pubkey(ctx, cs, n);
    }
    EAC_CTX_clear_free(ctx);
    return pub;
}

/* PK_Map,IC == CA_IC * PK_IC on brainpoolP256r1 (the PACEInfo's curve)? */
static bool cam_holds(const BUF_MEM *ca_ic, const BUF_MEM *pk_ic,
                      const BUF_MEM *pk_map)
{
    EC_GROUP *g = EC_GROUP_new_by_curve_name(NID_brainpoolP256r1);
    EC_POINT *pk = g ? EC_POINT_new(g) : NULL, *map = g ? EC_POINT_new(g) : NULL;
    EC_POINT *r = g ? EC_POINT_new(g) : NULL;
    BIGNUM *k = BN_bin2bn((const unsigned char *)ca_ic->data,
                          (int)ca_ic->length, NULL);
    BN_CTX *bn = BN_CTX_new();
    bool ok =
        pk && map && r && k && bn &&
        EC_POINT_oct2point(g, pk, (const unsigned char *)pk_ic->data,
                           pk_ic->length, bn) &&
        EC_POINT_oct2point(g, map, (const unsigned char *)pk_map->data,
                           pk_map->length, bn) &&
        EC_POINT_mul(g, r, NULL, pk, k, bn) && EC_POINT_cmp(g, r, map, bn) == 0;
    EC_POINT_free(pk);
    EC_POINT_free(map);
    EC_POINT_free(r);
    BN_clear_free(k);
    BN_CTX_free(bn);
    EC_GROUP_free(g);
    return ok;
}

uint16_t npa_term_cam_check(npa_term *t)
{
    static uint8_t cs[8192];
    size_t n = sizeof(cs);
    if (!t->sm || !t->cam_ca || !t->cam_map)
        return 0;
    uint16_t sw = npa_term_read_sfi(t, 0x1D, cs, &n);
    if (sw != 0x9000)
        return sw;
    BUF_MEM *pk = chip_key(cs, n);
    if (!pk)
        return 0;
    sw = cam_holds(t->cam_ca, pk, t->cam_map) ? 0x9000 : 0x6300;
    BUF_MEM_free(pk);
    return sw;
}
