/* SPDX-License-Identifier: LGPL-2.1-or-later */
/**
 * @file epass_terminal.c
 * @brief The test terminal's transport, BAC and secure messaging, and file
 *        reading (ICAO Doc 9303-11 §9.7, §9.8; Doc 9303-10 §4).
 *
 * Written from the ICAO text with OpenSSL's EVP only (3DES-CBC with a
 * two-key 3DES key, single DES as 3DES with K1 = K2, SHA-1), independent of
 * the card library. Secure messaging: the SSC is incremented before the
 * command MAC and before the response MAC; the command MAC covers SSC ||
 * pad(0C INS P1 P2) || pad(DO87/DO85 || DO97); the response MAC covers SSC
 * || pad(DO87 || DO99); DO99 must equal the outer SW. A response without
 * DO8E is a secure-messaging failure and ends the session, as on the chip.
 */
#include "epass_terminal.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>
#include <openssl/rand.h>

#define RAPDU_MAX 65538
#define OFFSET_B0_MAX 32767u

/* ---- crypto -------------------------------------------------------------- */

static int des3(bool enc, const uint8_t key[16], const uint8_t *in, size_t n,
                uint8_t *out, bool cbc)
{
    EVP_CIPHER_CTX *c = EVP_CIPHER_CTX_new();
    uint8_t iv[8] = {0};
    int l1 = 0, l2 = 0;
    int ok = c && EVP_CipherInit_ex(c, cbc ? EVP_des_ede_cbc()
                                           : EVP_des_ede_ecb(), NULL, key,
                                    cbc ? iv : NULL, enc ? 1 : 0) == 1 &&
             EVP_CIPHER_CTX_set_padding(c, 0) == 1 &&
             EVP_CipherUpdate(c, out, &l1, in, (int)n) == 1 &&
             EVP_CipherFinal_ex(c, out + l1, &l2) == 1 &&
             (size_t)(l1 + l2) == n;
    EVP_CIPHER_CTX_free(c);
    return ok ? 0 : -1;
}

/* Single DES as two-key 3DES with K1 = K2. */
static int des1(bool enc, const uint8_t k[8], const uint8_t *in, size_t n,
                uint8_t *out, bool cbc)
{
    uint8_t kk[16];
    memcpy(kk, k, 8);
    memcpy(kk + 8, k, 8);
    return des3(enc, kk, in, n, out, cbc);
}

static size_t pad(const uint8_t *in, size_t n, uint8_t *out)
{
    memmove(out, in, n);
    out[n++] = 0x80;
    while (n % 8)
        out[n++] = 0x00;
    return n;
}

/* ISO/IEC 9797-1 MAC algorithm 3 over padded data. */
static int retail_mac(const uint8_t key[16], const uint8_t *m, size_t n,
                      uint8_t mac[8])
{
    uint8_t *buf = malloc(n);
    int rv = buf ? des1(true, key, m, n, buf, true) : -1;
    if (rv == 0) {
        memcpy(mac, buf + n - 8, 8);
        rv = des1(false, key + 8, mac, 8, mac, false);
    }
    if (rv == 0)
        rv = des1(true, key, mac, 8, mac, false);
    free(buf);
    return rv;
}

static int sha1(const uint8_t *d, size_t n, uint8_t out[20])
{
    unsigned len = 0;
    return EVP_Digest(d, n, out, &len, EVP_sha1(), NULL) == 1 ? 0 : -1;
}

/* ICAO KDF: SHA-1(seed || 0000000c)[0..15], parity adjusted. */
static int kdf(const uint8_t seed[16], uint8_t c, uint8_t out[16])
{
    uint8_t d[20] = {0}, h[20];
    memcpy(d, seed, 16);
    d[19] = c;
    if (sha1(d, 20, h) != 0)
        return -1;
    for (int i = 0; i < 16; i++) {
        uint8_t b = h[i] & 0xFE;
        out[i] = (uint8_t)(b | (__builtin_popcount(b) % 2 == 0));
    }
    return 0;
}

static void inc_ssc(et_term *t)
{
    for (int i = 7; i >= 0; i--)
        if (++t->ssc[i] != 0)
            break;
}

/* ---- transport ------------------------------------------------------------ */

void et_init(et_term *t, et_transmit_fn tx, void *ctx)
{
    memset(t, 0, sizeof(*t));
    t->tx = tx;
    t->ctx = ctx;
    t->chunk = 0xDF;
}

static int fail(et_term *t, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static int fail(et_term *t, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(t->err, sizeof(t->err), fmt, ap);
    va_end(ap);
    return -1;
}

/* Send, and fetch 61xx data with GET RESPONSE; r gets data || SW. */
static int transmit(et_term *t, const uint8_t *c, size_t clen, uint8_t *r,
                    size_t cap, size_t *rlen)
{
    size_t have = 0, n = 0;
    uint8_t get[5] = {0x00, 0xC0, 0x00, 0x00, 0x00};
    for (;;) {
        t->apdus++;
        if (t->tx(t->ctx, c, clen, r + have, cap - have, &n) != 0 || n < 2)
            return fail(t, "transport failed");
        have += n;
        if (r[have - 2] != 0x61)
            break;
        get[4] = r[have - 1];
        have -= 2;
        c = get;
        clen = sizeof(get);
    }
    *rlen = have;
    return 0;
}

static uint16_t sw_of(const uint8_t *r, size_t n)
{
    return (uint16_t)(r[n - 2] << 8 | r[n - 1]);
}

int et_select_app(et_term *t, uint16_t *sw)
{
    static const uint8_t sel[] = {0x00, 0xA4, 0x04, 0x0C, 0x07, 0xA0, 0x00,
                                  0x00, 0x02, 0x47, 0x10, 0x01};
    uint8_t r[300];
    size_t n = 0;
    if (transmit(t, sel, sizeof(sel), r, sizeof(r), &n) != 0)
        return -1;
    t->sm = false; /* a plain command ends the session */
    *sw = sw_of(r, n);
    return *sw == 0x9000 ? 0 : fail(t, "SELECT application: %04X", *sw);
}

/* ---- MRZ ------------------------------------------------------------------ */

static size_t strip(const char *in, char *out, size_t cap)
{
    size_t n = 0;
    for (; *in; in++)
        if (*in != '\n' && *in != '\r' && *in != ' ' && n + 1 < cap)
            out[n++] = *in;
    out[n] = '\0';
    return n;
}

/* TD1: the document number may continue in the optional data. */
static int td1_info(const char *m, char *out, size_t cap)
{
    char doc[32];
    size_t n = 9;
    memcpy(doc, m + 5, 9);
    if (m[14] != '<') {
        doc[n++] = m[14];
    } else {
        for (size_t i = 15; i < 30 && m[i] != '<'; i++)
            doc[n++] = m[i];
    }
    if (n + 15 > cap)
        return -1;
    snprintf(out, cap, "%.*s%.7s%.7s", (int)n, doc, m + 30, m + 38);
    return 0;
}

int et_mrz_info(const char *mrz, char *out, size_t cap)
{
    char m[128];
    size_t n = strip(mrz, m, sizeof(m));
    const char *l2 = n == 88 ? m + 44 : n == 72 ? m + 36
                     : (n == 44 || n == 36) ? m : NULL;
    if (n == 90)
        return td1_info(m, out, cap);
    if (!l2) {
        snprintf(out, cap, "%s", m); /* the MRZ information itself */
        return n ? 0 : -1;
    }
    snprintf(out, cap, "%.10s%.7s%.7s", l2, l2 + 13, l2 + 21);
    return 0;
}

/* ---- BAC ------------------------------------------------------------------ */

typedef struct bac {
    uint8_t kenc[16], kmac[16], rnd_ic[8], rnd_ifd[8], k_ifd[16];
} bac;

static int document_keys(const char *info, bac *b)
{
    uint8_t h[20];
    if (sha1((const uint8_t *)info, strlen(info), h) != 0)
        return -1;
    return kdf(h, 1, b->kenc) == 0 && kdf(h, 2, b->kmac) == 0 ? 0 : -1;
}

/* EXTERNAL AUTHENTICATE; the chip's 40 bytes into `resp`. */
static int mutual_auth(et_term *t, const bac *b, uint8_t resp[40])
{
    uint8_t s[32], cmd[5 + 40 + 1], m[40], r[300];
    size_t n = 0;
    memcpy(s, b->rnd_ifd, 8);
    memcpy(s + 8, b->rnd_ic, 8);
    memcpy(s + 16, b->k_ifd, 16);
    memcpy(cmd, "\x00\x82\x00\x00\x28", 5);
    if (des3(true, b->kenc, s, 32, cmd + 5, true) != 0 ||
        retail_mac(b->kmac, m, pad(cmd + 5, 32, m), cmd + 37) != 0)
        return -1;
    cmd[45] = 0x28;
    if (transmit(t, cmd, sizeof(cmd), r, sizeof(r), &n) != 0)
        return -1;
    if (sw_of(r, n) != 0x9000 || n != 42)
        return fail(t, "EXTERNAL AUTHENTICATE: %04X", sw_of(r, n));
    memcpy(resp, r, 40);
    return 0;
}

/* Check M_IC and RND.IFD; session keys from K.IFD xor K.IC. */
static int session(et_term *t, const bac *b, const uint8_t resp[40])
{
    uint8_t m[40], mac[8], r[32], seed[16];
    if (retail_mac(b->kmac, m, pad(resp, 32, m), mac) != 0 ||
        memcmp(mac, resp + 32, 8) != 0)
        return fail(t, "BAC: the chip's MAC is wrong");
    if (des3(false, b->kenc, resp, 32, r, true) != 0 ||
        memcmp(r, b->rnd_ic, 8) != 0 || memcmp(r + 8, b->rnd_ifd, 8) != 0)
        return fail(t, "BAC: the chip's cryptogram is wrong");
    for (int i = 0; i < 16; i++)
        seed[i] = b->k_ifd[i] ^ r[16 + i];
    if (kdf(seed, 1, t->ksenc) != 0 || kdf(seed, 2, t->ksmac) != 0)
        return -1;
    memcpy(t->ssc, b->rnd_ic + 4, 4);
    memcpy(t->ssc + 4, b->rnd_ifd + 4, 4);
    t->sm = true;
    return 0;
}

int et_bac(et_term *t, const char *mrz_info, const uint8_t *rnd_ifd,
           const uint8_t *k_ifd)
{
    static const uint8_t challenge[] = {0x00, 0x84, 0x00, 0x00, 0x08};
    bac b;
    uint8_t r[300], resp[40];
    size_t n = 0;
    t->sm = false;
    if (document_keys(mrz_info, &b) != 0)
        return fail(t, "BAC: key derivation failed");
    if (rnd_ifd)
        memcpy(b.rnd_ifd, rnd_ifd, 8);
    if (k_ifd)
        memcpy(b.k_ifd, k_ifd, 16);
    if ((!rnd_ifd && RAND_bytes(b.rnd_ifd, 8) != 1) ||
        (!k_ifd && RAND_bytes(b.k_ifd, 16) != 1))
        return -1;
    if (transmit(t, challenge, sizeof(challenge), r, sizeof(r), &n) != 0)
        return -1;
    if (sw_of(r, n) != 0x9000 || n != 10)
        return fail(t, "GET CHALLENGE: %04X", sw_of(r, n));
    memcpy(b.rnd_ic, r, 8);
    if (mutual_auth(t, &b, resp) != 0)
        return -1;
    return session(t, &b, resp);
}

/* ---- secure messaging ------------------------------------------------------- */

static size_t put_len(uint8_t *p, size_t len)
{
    if (len < 0x80) {
        p[0] = (uint8_t)len;
        return 1;
    }
    if (len < 0x100) {
        p[0] = 0x81;
        p[1] = (uint8_t)len;
        return 2;
    }
    p[0] = 0x82;
    p[1] = (uint8_t)(len >> 8);
    p[2] = (uint8_t)len;
    return 3;
}

/* DO87/DO85 and DO97 of a command into `dos`; returns their length. */
static size_t command_dos(et_term *t, uint8_t ins, const uint8_t *data,
                          size_t nc, size_t ne, uint8_t *dos)
{
    size_t n = 0;
    if (nc) {
        uint8_t *padded = malloc(nc + 8);
        size_t pl = pad(data, nc, padded);
        bool odd = ins & 1;
        dos[n++] = odd ? 0x85 : 0x87;
        n += put_len(dos + n, pl + (odd ? 0 : 1));
        if (!odd)
            dos[n++] = 0x01;
        des3(true, t->ksenc, padded, pl, dos + n, true);
        n += pl;
        free(padded);
    }
    if (ne) {
        bool two = ne > 256 || (t->extended && ne == 65536);
        dos[n++] = 0x97;
        dos[n++] = two ? 2 : 1;
        if (two)
            dos[n++] = (uint8_t)((ne == 65536 ? 0 : ne) >> 8);
        dos[n++] = (uint8_t)ne;
    }
    return n;
}

/* The whole protected C-APDU into `c`; returns its length. */
static size_t protect(et_term *t, uint8_t ins, uint8_t p1, uint8_t p2,
                      const uint8_t *data, size_t nc, size_t ne, uint8_t *c,
                      bool corrupt)
{
    uint8_t *dos = malloc(nc + 64), *m = malloc(nc + 96);
    size_t dl = command_dos(t, ins, data, nc, ne, dos), n = 0, ml = 8;
    uint8_t hdr[4] = {0x0C, ins, p1, p2};
    inc_ssc(t);
    memcpy(m, t->ssc, 8);
    ml += pad(hdr, 4, m + ml);
    if (dl)
        ml += pad(dos, dl, m + ml);
    memcpy(dos + dl, "\x8E\x08", 2);
    retail_mac(t->ksmac, m, ml, dos + dl + 2);
    if (corrupt)
        dos[dl + 2] ^= 0x01;
    dl += 10;
    memcpy(c, hdr, 4);
    n = 4;
    if (t->extended || dl > 255) {
        c[n++] = 0;
        c[n++] = (uint8_t)(dl >> 8);
    }
    c[n++] = (uint8_t)dl;
    memcpy(c + n, dos, dl);
    n += dl;
    c[n++] = 0;                    /* Le 00 (or 0000) */
    if (t->extended || dl > 255)
        c[n++] = 0;
    free(dos);
    free(m);
    return n;
}

typedef struct tlv {
    uint32_t tag;
    const uint8_t *v;
    size_t len, size;
} tlv;

/* One BER-TLV object: tags of one or two bytes, lengths up to 82 xx xx. */
static int get_tlv(const uint8_t *p, size_t n, tlv *o)
{
    size_t h = 1, len;
    if (n < 2)
        return -1;
    o->tag = p[0];
    if ((p[0] & 0x1F) == 0x1F)
        o->tag = (uint32_t)(p[0] << 8 | p[h++]);
    if (n < h + 1)
        return -1;
    len = p[h++];
    if (len == 0x81 || len == 0x82) {
        size_t k = len - 0x80;
        if (n < h + k)
            return -1;
        len = k == 1 ? p[h] : (size_t)(p[h] << 8 | p[h + 1]);
        h += k;
    } else if (len > 0x80) {
        return -1;
    }
    if (h + len > n)
        return -1;
    o->v = p + h;
    o->len = len;
    o->size = h + len;
    return 0;
}

/* Decipher DO87 (padding indicator 01) and strip the ISO padding. */
static int decipher_do87(et_term *t, const tlv *do87, uint8_t *out,
                         size_t cap, size_t *out_len)
{
    size_t cl = do87->len - 1;
    if (do87->len < 1 || do87->v[0] != 0x01 || cl % 8 || cl > cap ||
        des3(false, t->ksenc, do87->v + 1, cl, out, true) != 0)
        return fail(t, "SM response: bad DO87");
    while (cl && out[cl - 1] == 0x00)
        cl--;
    if (!cl || out[cl - 1] != 0x80)
        return fail(t, "SM response: bad padding in DO87");
    *out_len = cl - 1;
    return 0;
}

/* Check DO87/DO99/DO8E of a response; data deciphered into `out`. */
static int unprotect(et_term *t, const uint8_t *r, size_t n, uint8_t *out,
                     size_t cap, size_t *out_len)
{
    tlv do87 = {0}, do99, do8e;
    size_t off = 0;
    uint8_t mac[8];
    inc_ssc(t);
    *out_len = 0;
    if (n > 2 && r[0] == 0x87 && get_tlv(r, n - 2, &do87) == 0)
        off = do87.size;
    if (get_tlv(r + off, n - 2 - off, &do99) != 0 || do99.tag != 0x99 ||
        do99.len != 2 || get_tlv(r + off + do99.size, n - 2 - off - do99.size,
                                 &do8e) != 0 || do8e.tag != 0x8E ||
        do8e.len != 8 || off + do99.size + do8e.size != n - 2)
        return fail(t, "SM response: malformed (SW %04X)", sw_of(r, n));
    /* the MAC covers SSC || pad(DO87 || DO99) */
    uint8_t *all = malloc(8 + off + do99.size + 8);
    if (!all)
        return fail(t, "out of memory");
    memcpy(all, t->ssc, 8);
    size_t ml = 8 + pad(r, off + do99.size, all + 8);
    int rv = retail_mac(t->ksmac, all, ml, mac);
    free(all);
    if (rv != 0 || memcmp(mac, do8e.v, 8) != 0)
        return fail(t, "SM response: wrong MAC");
    if (memcmp(do99.v, r + n - 2, 2) != 0)
        return fail(t, "SM response: DO99 differs from SW");
    return do87.size ? decipher_do87(t, &do87, out, cap, out_len) : 0;
}

int et_sm_command(et_term *t, uint8_t ins, uint8_t p1, uint8_t p2,
                  const uint8_t *data, size_t nc, size_t ne, uint8_t *out,
                  size_t cap, size_t *out_len, uint16_t *sw, bool corrupt_mac)
{
    uint8_t *c = malloc(nc + 128), *r = malloc(RAPDU_MAX);
    size_t cl = 0, rl = 0;
    int rv = -1;
    if (!t->sm) {
        free(c);
        free(r);
        return fail(t, "no secure messaging session");
    }
    cl = protect(t, ins, p1, p2, data, nc, ne, c, corrupt_mac);
    if (transmit(t, c, cl, r, RAPDU_MAX, &rl) == 0) {
        *sw = sw_of(r, rl);
        rv = unprotect(t, r, rl, out, cap, out_len);
    }
    if (rv != 0)
        t->sm = false; /* the chip has ended the session too */
    free(c);
    free(r);
    return rv;
}

/* ---- files ------------------------------------------------------------------ */

int et_select_ef(et_term *t, uint16_t fid, uint16_t *sw)
{
    uint8_t d[2] = {(uint8_t)(fid >> 8), (uint8_t)fid}, out[16];
    size_t n = 0;
    return et_sm_command(t, 0xA4, 0x02, 0x0C, d, 2, 0, out, sizeof(out), &n,
                         sw, false);
}

/* One READ BINARY: B0 (SFI or 15-bit offset) or B1 (offset DO 54). */
static int read_chunk(et_term *t, uint8_t sfi, size_t off, size_t want,
                      uint8_t *out, size_t cap, size_t *got, uint16_t *sw)
{
    uint8_t buf[65536 + 16];
    size_t n = 0;
    if (off > OFFSET_B0_MAX) {
        uint8_t do54[5] = {0x54, 0x03, (uint8_t)(off >> 16),
                           (uint8_t)(off >> 8), (uint8_t)off};
        size_t hdr = want < 0x80 ? 2 : want < 0x100 ? 3 : 4; /* 53 L */
        if (et_sm_command(t, 0xB1, 0x00, 0x00, do54, 5, want + hdr, buf,
                          sizeof(buf), &n, sw, false) != 0)
            return -1;
        tlv d53 = {0};
        if (*sw != 0x9000 && *sw != 0x6282)
            return 0;
        if (get_tlv(buf, n, &d53) != 0 || d53.tag != 0x53)
            return fail(t, "READ BINARY B1: no DO53");
        memmove(buf, d53.v, d53.len);
        n = d53.len;
    } else {
        uint8_t p1 = sfi ? (uint8_t)(0x80 | sfi) : (uint8_t)(off >> 8);
        if (et_sm_command(t, 0xB0, p1, (uint8_t)off, NULL, 0, want, buf,
                          sizeof(buf), &n, sw, false) != 0)
            return -1;
    }
    if (n > cap)
        return fail(t, "READ BINARY: too much data");
    memcpy(out, buf, n);
    *got = n;
    return 0;
}

/* Length of a file from its first 4 bytes (tag, BER length). */
static size_t total_length(const uint8_t *h, size_t n)
{
    size_t t = (h[0] & 0x1F) == 0x1F ? 2 : 1;
    if (n < t + 1)
        return 0;
    uint8_t l = h[t];
    if (l < 0x80)
        return t + 1 + l;
    if (l == 0x81 && n >= t + 2)
        return t + 2 + h[t + 1];
    if (l == 0x82 && n >= t + 3)
        return t + 3 + (size_t)(h[t + 1] << 8 | h[t + 2]);
    return 0;
}

int et_read_ef(et_term *t, uint8_t sfi, et_file *f, uint16_t *sw)
{
    uint8_t head[8];
    size_t n, total;
    f->data = NULL;
    f->len = 0;
    if (read_chunk(t, sfi, 0, 4, head, sizeof(head), &n, sw) != 0 ||
        *sw != 0x9000)
        return -1;
    if (n != 4 || (total = total_length(head, n)) == 0)
        return fail(t, "READ BINARY: no TLV header");
    f->data = malloc(total);
    memcpy(f->data, head, 4);
    f->len = 4;
    while (f->len < total) {
        size_t want = total - f->len < t->chunk ? total - f->len : t->chunk;
        if (read_chunk(t, 0, f->len, want, f->data + f->len, total - f->len,
                       &n, sw) != 0 || (*sw != 0x9000 && *sw != 0x6282) ||
            n == 0) {
            free(f->data);
            f->data = NULL;
            return -1;
        }
        f->len += n;
    }
    return 0;
}

int et_read_fid(et_term *t, uint16_t fid, et_file *f, uint16_t *sw)
{
    if (et_select_ef(t, fid, sw) != 0 || *sw != 0x9000)
        return -1;
    f->fid = fid;
    return et_read_ef(t, 0, f, sw);
}

static uint16_t fid_of_tag(uint8_t tag)
{
    static const uint8_t tags[16] = {0x61, 0x75, 0x63, 0x76, 0x65, 0x66,
                                     0x67, 0x68, 0x69, 0x6A, 0x6B, 0x6C,
                                     0x6D, 0x6E, 0x6F, 0x70};
    for (unsigned i = 0; i < 16; i++)
        if (tags[i] == tag)
            return (uint16_t)(0x0101 + i);
    return 0;
}

static int read_one(et_term *t, bool by_sfi, uint16_t fid, et_file *f)
{
    uint16_t sw = 0;
    uint8_t sfi = fid == 0x011E ? 0x1E : fid == 0x011D ? 0x1D
                  : (uint8_t)(fid & 0xFF);
    int rv = by_sfi ? et_read_ef(t, sfi, f, &sw) : et_read_fid(t, fid, f, &sw);
    f->fid = fid;
    if (rv != 0 && !t->err[0])
        snprintf(t->err, sizeof(t->err), "reading %04X: SW %04X", fid, sw);
    return rv;
}

int et_read_all(et_term *t, bool by_sfi, et_file *files, size_t cap,
                size_t *n)
{
    tlv com, list;
    *n = 0;
    t->err[0] = '\0';
    if (cap < 18 || read_one(t, by_sfi, 0x011E, &files[0]) != 0)
        return -1;
    *n = 1;
    if (get_tlv(files[0].data, files[0].len, &com) != 0 || com.tag != 0x60)
        return fail(t, "EF.COM: not a 60 template");
    size_t off = 0;
    list.len = 0;
    while (off < com.len && get_tlv(com.v + off, com.len - off, &list) == 0) {
        if (list.tag == 0x5C)
            break;
        off += list.size;
        list.len = 0;
    }
    for (size_t i = 0; i < list.len; i++) {
        uint16_t fid = fid_of_tag(list.v[i]);
        if (!fid || read_one(t, by_sfi, fid, &files[(*n)++]) != 0)
            return -1;
    }
    return read_one(t, by_sfi, 0x011D, &files[(*n)++]);
}

void et_files_free(et_file *files, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        free(files[i].data);
        files[i].data = NULL;
    }
}

const et_file *et_find(const et_file *files, size_t n, uint16_t fid)
{
    for (size_t i = 0; i < n; i++)
        if (files[i].fid == fid && files[i].data)
            return &files[i];
    return NULL;
}

int et_dg1_mrz(const et_file *dg1, char *out, size_t cap)
{
    tlv outer, mrz;
    if (!dg1 || get_tlv(dg1->data, dg1->len, &outer) != 0 ||
        outer.tag != 0x61 || get_tlv(outer.v, outer.len, &mrz) != 0 ||
        mrz.tag != 0x5F1F || mrz.len + 1 > cap)
        return -1;
    memcpy(out, mrz.v, mrz.len);
    out[mrz.len] = '\0';
    return 0;
}
