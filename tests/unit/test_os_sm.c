/* SPDX-License-Identifier: LGPL-2.1-or-later */
/**
 * @file test_os_sm.c
 * @brief Secure messaging: published transcripts byte for byte, and the
 *        layer's behaviour on errors, Le forms, chaining and key changes.
 *
 * Sessions are installed with sm_start() as a protocol would. Known
 * answers, from published sources: ICAO Doc 9303-11 App. D.4 (3DES, BAC
 * session keys, SELECT EF.COM and two READ BINARY, every command and
 * response as printed), an AES exchange with the session keys of ICAO Doc
 * 9303-11 App. G.1 (derived here with OpenSSL), and the first SM exchange
 * of the BSI worked example for EAC (TR-03110), ECDH and DH: the
 * cryptogram of DO83 and the response MAC over 99029000.
 *
 * Everything else is checked with a small terminal written here from
 * crypto/sym.h (itself known-answer tested in test_crypto_sym.c): it
 * protects commands and verifies responses (MAC, DO99 = outer SW). The
 * terminal is first shown to reproduce the published ICAO and AES commands,
 * so the two sides are not merely consistent with each other.
 *
 * Card tree: MF { EF.COM 011E; DF 1000 "A0 00 00 02 47 10 01" { EF.COM } },
 * EF.COM holding the 22 bytes of App. D.4. Test instructions EE (even) and
 * ED (odd) record what the handler saw and answer as told.
 */
#include "cardtest.h"

#include "os/card.h"
#include "os/fs.h"
#include "os/sm.h"
#include "core/log.h"
#include "core/sw.h"
#include "core/tlv.h"
#include "crypto/sym.h"

#define EF_COM "60145F0104303130365F36063034303030305C026175"
#define BAC_KENC "979EC13B1CBFE9DCD01AB0FED307EAE5"
#define BAC_KMAC "F1CB1F1FB5ADF208806B89DC579DC1F8"
#define BAC_SSC "887022120C06C226"
#define G1_KENC "F5F0E35C0D7161EE6724EE513A0D9A7F"
#define G1_KMAC "FE251C7858B356B24514B3BD5F4297D1"
#define STUB_INS 0xEE
#define STUB_ODD_INS 0xED

/* ---- the test terminal -------------------------------------------------- */

typedef struct term {
    sm_profile prof;
    size_t bs;
    uint8_t kenc[32], kmac[32];
    size_t kenc_len, kmac_len;
    uint8_t ssc[16];
} term;

static void term_init(term *t, sm_profile prof, const char *kenc,
                      const char *kmac, const char *ssc)
{
    memset(t, 0, sizeof(*t));
    t->prof = prof;
    t->bs = prof == SM_AES_CMAC ? 16 : 8;
    t->kenc_len = tu_hex(kenc, t->kenc, sizeof(t->kenc));
    t->kmac_len = tu_hex(kmac, t->kmac, sizeof(t->kmac));
    if (ssc)
        assert_int_equal(tu_hex(ssc, t->ssc, sizeof(t->ssc)), t->bs);
}

/* Give the card the same session as the terminal. */
static void term_start(sfc_card *card, const term *t)
{
    assert_int_equal(sm_start(card, t->prof, t->kenc, t->kenc_len, t->kmac,
                              t->kmac_len, t->ssc, t->bs), SFC_OK);
    assert_true(sm_active(card));
}

static void t_inc(term *t)
{
    for (size_t i = t->bs; i-- > 0;)
        if (++t->ssc[i] != 0)
            break;
}

static void t_crypt(const term *t, bool enc, uint8_t *d, size_t n)
{
    uint8_t iv[16] = {0};
    sfc_cipher_alg alg = t->prof == SM_AES_CMAC ? SFC_CIPHER_AES : SFC_CIPHER_DES3;
    if (t->prof == SM_AES_CMAC)
        assert_int_equal(sfc_cipher(SFC_CIPHER_AES, SFC_MODE_ECB, true, t->kenc,
                                   t->kenc_len, NULL, t->ssc, 16, iv), SFC_OK);
    assert_int_equal(sfc_cipher(alg, SFC_MODE_CBC, enc, t->kenc, t->kenc_len,
                               iv, d, n, d), SFC_OK);
}

static void t_mac(const term *t, const uint8_t *m, size_t n, uint8_t out[8])
{
    uint8_t full[16];
    if (t->prof == SM_3DES_RETAIL) {
        assert_int_equal(sfc_mac_retail(t->kmac, m, n, out), SFC_OK);
        return;
    }
    assert_int_equal(sfc_mac_cmac_aes(t->kmac, t->kmac_len, m, n, full), SFC_OK);
    memcpy(out, full, 8);
}

/* MAC of a command: SSC || [pad(header)] || [pad(data objects)]. */
static void t_cmd_mac(const term *t, const uint8_t hdr[4], bool with_header,
                      const uint8_t *dos, size_t n, uint8_t out[8])
{
    static uint8_t m[70000];
    size_t len = t->bs;
    memcpy(m, t->ssc, t->bs);
    if (with_header)
        len += sfc_pad_iso(hdr, 4, t->bs, m + len);
    if (n) {
        memcpy(m + len, dos, n);
        len += sfc_pad_iso(m + len, n, t->bs, m + len);
    }
    t_mac(t, m, len, out);
}

static size_t put_tlv(uint8_t *p, uint8_t tag, const uint8_t *v, size_t n)
{
    uint8_t mem[8];
    sfc_buf b;
    buf_init_fixed(&b, mem, sizeof(mem));
    buf_put_u8(&b, tag);
    ber_put_len(&b, n);
    memcpy(p, mem, b.len);
    memmove(p + b.len, v, n);
    return b.len + n;
}

/* DO87 (tag 87, indicator 01) or DO85 over pad(data). */
static size_t put_cryptogram(const term *t, uint8_t tag, const uint8_t *data,
                             size_t n, uint8_t *p)
{
    static uint8_t buf[70000];
    size_t off = tag == 0x87 ? 1 : 0;
    buf[0] = 0x01;
    size_t len = sfc_pad_iso(data, n, t->bs, buf + off);
    t_crypt(t, true, buf + off, len);
    return put_tlv(p, tag, buf, off + len);
}

/* hdr || [Lc] body || Le; outer_le -1 = none, 0 = maximum (00 / 0000). */
static size_t build_apdu(uint8_t *out, const uint8_t hdr[4], const uint8_t *body,
                         size_t n, bool ext, int outer_le)
{
    size_t len = 4;
    memcpy(out, hdr, 4);
    if (ext && (n || outer_le >= 0))
        out[len++] = 0x00;
    if (n) {
        if (ext) {
            sfc_put_u16be(out + len, (uint16_t)n);
            len += 2;
        } else {
            out[len++] = (uint8_t)n;
        }
        memcpy(out + len, body, n);
        len += n;
    }
    if (outer_le >= 0) {
        if (ext) {
            sfc_put_u16be(out + len, (uint16_t)outer_le);
            len += 2;
        } else {
            out[len++] = (uint8_t)outer_le;
        }
    }
    return len;
}

/* A command as the terminal protects it. */
typedef struct tcmd {
    uint8_t cla, ins, p1, p2;   /**< cla is the protected class byte */
    const char *hex;            /**< command data as hex (or data/nc) */
    const uint8_t *data;
    size_t nc;
    uint8_t tag;                /**< 87 (default), 85 or 81 */
    int le_len;                 /**< DO97: 0 none, 1 or 2 bytes */
    unsigned le;
    bool ext;                   /**< extended outer APDU */
    int outer_le;               /**< 0 = 00/0000 (default), -1 none, else Le */
} tcmd;

static size_t t_protect(term *t, const tcmd *c, uint8_t *out)
{
    static uint8_t data[70000], dos[70100];
    const uint8_t *d = c->data;
    size_t nc = c->nc;
    if (c->hex) {
        nc = tu_hex(c->hex, data, sizeof(data));
        d = data;
    }
    const uint8_t hdr[4] = {c->cla, c->ins, c->p1, c->p2};
    size_t n = 0;
    uint8_t tag = c->tag ? c->tag : 0x87;
    t_inc(t); /* before the cryptogram: the AES IV is E(Kenc, SSC) */
    if (nc)
        n = tag == 0x81 ? put_tlv(dos, 0x81, d, nc)
                        : put_cryptogram(t, tag, d, nc, dos);
    if (c->le_len) {
        uint8_t le[2] = {(uint8_t)(c->le >> 8), (uint8_t)c->le};
        n += put_tlv(dos + n, 0x97, c->le_len == 1 ? le + 1 : le,
                     (size_t)c->le_len);
    }
    uint8_t mac[8];
    t_cmd_mac(t, hdr, sm_cla_kind_of(c->cla) == SM_CLA_AUTH_HEADER, dos, n, mac);
    n += put_tlv(dos + n, 0x8E, mac, 8);
    return build_apdu(out, hdr, dos, n, c->ext, c->outer_le);
}

/*
 * Verify a protected response: DO87? DO99 DO8E and nothing else, the MAC,
 * DO99 equal to the outer SW. Returns the inner SW; data to `data`.
 */
static uint16_t t_unprotect(term *t, const uint8_t *r, size_t rl,
                            uint8_t *data, size_t *dl)
{
    static uint8_t m[70100];
    t_inc(t);
    if (rl < 16)
        fail_msg("not a protected response: %s", tu_tohex(r, rl));
    size_t end = rl - 2, at = 0;
    ber_tlv d87 = {0}, d99, d8e;
    assert_int_equal(ber_decode(r, end, &d99), SFC_OK);
    if (d99.tag == 0x87) {
        d87 = d99;
        at = d87.size;
        assert_int_equal(ber_decode(r + at, end - at, &d99), SFC_OK);
    }
    assert_int_equal(d99.tag, 0x99);
    assert_int_equal(d99.len, 2);
    at += d99.size;
    assert_int_equal(ber_decode(r + at, end - at, &d8e), SFC_OK);
    assert_int_equal(d8e.tag, 0x8E);
    assert_int_equal(d8e.len, 8);
    assert_int_equal(at + d8e.size, end);
    memcpy(m, t->ssc, t->bs);
    size_t len = t->bs + sfc_pad_iso(r, at, t->bs, m + t->bs);
    uint8_t mac[8];
    t_mac(t, m, len, mac);
    assert_memory_equal(mac, d8e.value, 8);
    uint16_t sw = sfc_get_u16be(d99.value);
    assert_int_equal(sw, sfc_get_u16be(r + end));
    *dl = 0;
    if (d87.tag) {
        assert_int_equal(d87.value[0], 0x01);
        memcpy(data, d87.value + 1, d87.len - 1);
        t_crypt(t, false, data, d87.len - 1);
        *dl = sfc_unpad_iso(data, d87.len - 1, t->bs);
        assert_true(*dl != SIZE_MAX);
    }
    return sw;
}

static const uint8_t *xfer(sfc_card *card, const uint8_t *in, size_t n,
                           size_t *rl)
{
    const uint8_t *r = NULL;
    assert_int_equal(sfc_card_transmit(card, in, n, &r, rl), SFC_OK);
    return r;
}

/* Protect, send, verify; checks the inner SW and, if given, the data. */
static void t_run(sfc_card *card, term *t, const tcmd *c, uint16_t sw,
                  const char *data_hex)
{
    static uint8_t in[70100], data[70000];
    size_t n = t_protect(t, c, in), rl = 0, dl = 0;
    const uint8_t *r = xfer(card, in, n, &rl);
    uint16_t got = t_unprotect(t, r, rl, data, &dl);
    if (got != sw)
        fail_msg("inner SW %04X, expected %04X", got, sw);
    if (data_hex)
        assert_string_equal(tu_tohex(data, dl), tu_normhex(data_hex));
}

/* ---- fixture and the recording handler ----------------------------------- */

static struct {
    int calls;
    sfc_cmd cmd;
    uint8_t data[70000];
    bool secured;
    size_t reply_len;   /**< answer this many bytes 00 01 02 ... */
    bool echo;          /**< answer the command data */
    uint16_t reply_sw;
    void (*action)(sfc_card *card);
} stub;

static uint16_t stub_handler(sfc_card *card, const sfc_cmd *cmd, sfc_resp *resp)
{
    stub.calls++;
    stub.cmd = *cmd;
    if (cmd->nc)
        memcpy(stub.data, cmd->data, cmd->nc);
    stub.cmd.data = stub.data;
    stub.secured = card->sec.cmd_secured;
    for (size_t i = 0; i < stub.reply_len; i++)
        buf_put_u8(&resp->data, (uint8_t)i);
    if (stub.echo && cmd->nc)
        buf_put(&resp->data, cmd->data, cmd->nc);
    if (stub.action)
        stub.action(card);
    return stub.reply_sw;
}

static sfc_file *add_ef_com(sfc_file *df)
{
    uint8_t com[32];
    size_t n = tu_hex(EF_COM, com, sizeof(com));
    sfc_file *f = fs_ef_binary_new(0x011E, n, 0x1E);
    assert_non_null(f);
    memcpy(f->data, com, n);
    assert_int_equal(fs_link(df, f), SW_OK);
    return f;
}

static int setup(void **state)
{
    sfc_card *card = ct_card("iso7816");
    sfc_card_power(card, SFC_POWER_ON);
    add_ef_com(card->mf);
    static const uint8_t aid[] = {0xA0, 0x00, 0x00, 0x02, 0x47, 0x10, 0x01};
    sfc_file *df = fs_df_new(0x1000, aid, sizeof(aid));
    assert_non_null(df);
    assert_int_equal(fs_link(card->mf, df), SW_OK);
    add_ef_com(df);
    card->iso[STUB_INS] = (sfc_ins_entry){stub_handler, 0, "TEST"};
    card->iso[STUB_ODD_INS] = (sfc_ins_entry){stub_handler, 0, "TEST ODD"};
    memset(&stub, 0, sizeof(stub));
    stub.reply_sw = SW_OK;
    *state = card;
    return 0;
}

static int teardown(void **state)
{
    sfc_card_free(*state);
    return 0;
}

/* ---- published transcripts ------------------------------------------------ */

static void test_icao_d4_transcript(void **state)
{
    sfc_card *card = *state;
    term t;
    term_init(&t, SM_3DES_RETAIL, BAC_KENC, BAC_KMAC, BAC_SSC);
    term_start(card, &t);
    static const ct_step d4[] = {
        {"0CA4020C158709016375432908C044F68E08BF8B92D635FF24F800",
         "990290008E08FA855A5D4C50A8ED9000"},
        {"0CB000000D9701048E08ED6705417E96BA5500",
         "8709019FF0EC34F9922651990290008E08AD55CC17140B2DED9000"},
        {"0CB000040D9701128E082EA28A70F3C7B53500",
         "871901FB9235F4E4037F2327DCC8964F1F9B8C30F42C8E2FFF224A"
         "990290008E08C8B2787EAEA07D749000"},
    };
    CT_RUN(card, d4);
    uint8_t ssc[16];
    assert_int_equal(sm_get_ssc(card, ssc), 8);
    tu_assert_hex(ssc, 8, "887022120C06C22C");
}

static void test_terminal_reproduces_d4_commands(void **state)
{
    (void)state;
    term t;
    term_init(&t, SM_3DES_RETAIL, BAC_KENC, BAC_KMAC, BAC_SSC);
    uint8_t out[64];
    tcmd sel = {.cla = 0x0C, .ins = 0xA4, .p1 = 0x02, .p2 = 0x0C, .hex = "011E"};
    tu_assert_hex(out, t_protect(&t, &sel, out),
                  "0CA4020C158709016375432908C044F68E08BF8B92D635FF24F800");
    t_inc(&t);
    tcmd rb = {.cla = 0x0C, .ins = 0xB0, .le_len = 1, .le = 4};
    tu_assert_hex(out, t_protect(&t, &rb, out),
                  "0CB000000D9701048E08ED6705417E96BA5500");
    t_inc(&t);
    rb.p2 = 4;
    rb.le = 0x12;
    tu_assert_hex(out, t_protect(&t, &rb, out),
                  "0CB000040D9701128E082EA28A70F3C7B53500");
}

static void test_aes_after_pace_g1(void **state)
{
    sfc_card *card = *state;
    term t;
    term_init(&t, SM_AES_CMAC, G1_KENC, G1_KMAC, NULL);
    assert_int_equal(sm_start(card, SM_AES_CMAC, t.kenc, 16, t.kmac, 16, NULL, 0),
                     SFC_OK);
    uint8_t out[64];
    tcmd aid = {.cla = 0x0C, .ins = 0xA4, .p1 = 0x04, .p2 = 0x0C,
                .hex = "A0000002471001"};
    tu_assert_hex(out, t_protect(&t, &aid, out),
                  "0CA4040C1D871101752F676B09FAC86A87D632749A49C7CC8E08C18BA1FCE707BD9F00");
    ct_expect(card, "0CA4040C1D871101752F676B09FAC86A87D632749A49C7CC8E08C18BA1FCE707BD9F00",
              "990290008E08BEA7B381C494A0799000");
    t_inc(&t);
    tcmd com = {.cla = 0x0C, .ins = 0xA4, .p1 = 0x02, .p2 = 0x0C, .hex = "011E"};
    term copy = t;
    tu_assert_hex(out, t_protect(&copy, &com, out),
                  "0CA4020C1D8711016EC84E1358184515AB2D827D30A5C92A8E08403D53BA7533FA7800");
    t_run(card, &t, &com, SW_OK, "");
    tcmd rb = {.cla = 0x0C, .ins = 0xB0, .le_len = 1, .le = 4};
    copy = t;
    tu_assert_hex(out, t_protect(&copy, &rb, out),
                  "0CB000000D9701048E085F466809FF5A7CFA00");
    t_run(card, &t, &rb, SW_OK, "60145F01");
}

/* BSI EAC worked example: the first SM command after PACE (MSE:Set DST). */
static void bsi_first_exchange(sfc_card *card, const char *kenc, const char *kmac,
                               const char *do83, const char *do87,
                               const char *response)
{
    card->iso[0x22] = (sfc_ins_entry){stub_handler, 0, "MSE (test)"};
    term t;
    term_init(&t, SM_AES_CMAC, kenc, kmac, NULL);
    term_start(card, &t);
    static uint8_t in[128];
    tcmd mse = {.cla = 0x0C, .ins = 0x22, .p1 = 0x81, .p2 = 0xB6, .hex = do83};
    size_t n = t_protect(&t, &mse, in);
    size_t l87 = strlen(tu_normhex(do87)) / 2;
    tu_assert_hex(in + 5, l87, do87);
    ct_expect(card, tu_tohex(in, n), response);
    assert_int_equal(stub.calls, 1);
    assert_true(stub.secured);
    assert_int_equal(stub.cmd.cla, 0x00);
    assert_false(stub.cmd.has_le);
    assert_string_equal(tu_tohex(stub.data, stub.cmd.nc), tu_normhex(do83));
}

static void test_bsi_ecdh_first_sm_exchange(void **state)
{
    bsi_first_exchange(*state, "68406B4162100563D9C901A6154D2901",
                       "73FF268784F72AF833FDC9464049AFC9",
                       "830D44454356434141543030303031",
                       "871101BE90237EEB4BA0FF253EA246AE31C8B8",
                       "990290008E08A89570A68664A7D69000");
}

static void test_bsi_dh_first_sm_exchange(void **state)
{
    bsi_first_exchange(*state, "2F7F46ADCC9E7E521B45D192FAFA9126",
                       "805A1D27D45A5116F73C54469462B7D8",
                       "830F444554455354435643413030303033",
                       "872101B37BB57DA1DB37D1C49604917BD699E61D6A3074E69E4067A1B3990388233633",
                       "990290008E08EBFF08D3B20A04149000");
}

/* ---- errors ---------------------------------------------------------------- */

static void test_no_session(void **state)
{
    sfc_card *card = *state;
    static const ct_step steps[] = {
        {"0CA4020C158709016375432908C044F68E08BF8B92D635FF24F800", "6988"},
        {"08A4000C023F00", "6988"},
        {"04A4000C023F00", "6882"},    /* proprietary SM indication */
        {"6CA4000C023F00", "6881"},    /* SM on a closed channel */
        {"00A4000C023F00", "9000"},
    };
    CT_RUN(card, steps);
    assert_false(sm_active(card));
}

static void test_wrong_mac_ends_session(void **state)
{
    sfc_card *card = *state;
    term t;
    term_init(&t, SM_3DES_RETAIL, BAC_KENC, BAC_KMAC, BAC_SSC);
    term_start(card, &t);
    ct_expect(card, "0CA4020C158709016375432908C044F68E08BF8B92D635FF24F900", "6988");
    assert_false(sm_active(card));
    /* The correct command now finds no session either. */
    ct_expect(card, "0CA4020C158709016375432908C044F68E08BF8B92D635FF24F800", "6988");
    assert_false(sm_active(card));
}

/* A protected APDU from explicit data objects: the MAC is computed over
 * them (header authenticated for CLA 0C), then 8E with `mac_len` bytes of
 * it (0: no 8E at all), then `tail`. */
static size_t t_raw(term *t, uint8_t cla, const char *dos_hex, size_t mac_len,
                    const char *tail_hex, bool flip, uint8_t *out)
{
    uint8_t body[300];
    const uint8_t hdr[4] = {cla, STUB_INS, 0, 0};
    size_t n = tu_hex(dos_hex, body, sizeof(body));
    t_inc(t);
    uint8_t mac[8];
    t_cmd_mac(t, hdr, sm_cla_kind_of(cla) == SM_CLA_AUTH_HEADER, body, n, mac);
    if (flip)
        mac[7] ^= 1;
    if (mac_len) {
        body[n++] = 0x8E;
        body[n++] = (uint8_t)mac_len;
        memcpy(body + n, mac, mac_len);
        n += mac_len;
    }
    n += tu_hex(tail_hex, body + n, sizeof(body) - n);
    return build_apdu(out, hdr, body, n, false, 0);
}

/* Hex of DO87 with a given indicator over 8 raw (unpadded) bytes. */
static const char *raw_do87(const term *t, uint8_t indicator, const char *plain8)
{
    uint8_t v[9];
    v[0] = indicator;
    tu_hex(plain8, v + 1, 8);
    term c = *t;
    t_inc(&c); /* the SSC the command will use */
    t_crypt(&c, true, v + 1, 8);
    static char hex[64];
    snprintf(hex, sizeof(hex), "8709%s", tu_tohex(v, 9));
    return hex;
}

static void test_malformed_protected_commands(void **state)
{
    sfc_card *card = *state;
    term t;
    term_init(&t, SM_3DES_RETAIL, BAC_KENC, BAC_KMAC, BAC_SSC);
    const struct {
        const char *what;
        const char *dos;
        size_t mac_len;
        const char *tail;
        bool flip;
    } cases[] = {
        {"no data objects at all", "", 0, "", false},
        {"missing 8E", "970104", 0, "", false},
        {"truncated 8E", "970104", 4, "", false},
        {"long 8E", "970104", 0, "8E09 000102030405060708", false},
        {"data object after 8E", "970104", 8, "970104", false},
        {"wrong MAC", "970104", 8, "", true},
        {"DO99 in a command", "99029000", 8, "", false},
        {"even tag 80", "800100", 8, "", false},
        {"DO97 twice", "970104970104", 8, "", false},
        {"filler byte", "97010400", 8, "", false},
        {"DO97 of 3 bytes", "9703000004", 8, "", false},
        {"empty DO97", "9700", 8, "", false},
        {"length overrun", "871001020304", 8, "", false},
        {"empty DO87", "8700", 8, "", false},
        {"DO87 without cryptogram", "870101", 8, "", false},
        {"cryptogram of 5 bytes", "8706010102030405", 8, "", false},
        {"two data objects", "810101 810102", 8, "", false},
    };
    uint8_t in[400];
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        term_start(card, &t);
        size_t n = t_raw(&t, 0x0C, cases[i].dos, cases[i].mac_len,
                         cases[i].tail, cases[i].flip, in);
        size_t rl = 0;
        const uint8_t *r = xfer(card, in, n, &rl);
        if (strcmp(tu_tohex(r, rl), "6988") != 0)
            fail_msg("%s: %s -> %s", cases[i].what, tu_tohex(in, n),
                     tu_tohex(r, rl));
        assert_false(sm_active(card));
    }
    /* Padding indicator 02, and an 01 cryptogram without 80 padding. */
    static const struct {
        uint8_t indicator;
        const char *plain;
    } bad87[] = {{0x02, "011E800000000000"}, {0x01, "0102030405060708"}};
    for (size_t k = 0; k < 2; k++) {
        term_start(card, &t);
        const char *dos = raw_do87(&t, bad87[k].indicator, bad87[k].plain);
        size_t n = t_raw(&t, 0x0C, dos, 8, "", false, in);
        size_t rl = 0;
        const uint8_t *r = xfer(card, in, n, &rl);
        assert_string_equal(tu_tohex(r, rl), "6988");
        assert_false(sm_active(card));
    }
    /* Control: the same builder with good objects is accepted. */
    term_start(card, &t);
    const char *good = raw_do87(&t, 0x01, "0102038000000000");
    size_t n = t_raw(&t, 0x0C, good, 8, "", false, in), rl = 0, dl = 0;
    const uint8_t *r = xfer(card, in, n, &rl);
    uint8_t data[16];
    assert_int_equal(t_unprotect(&t, r, rl, data, &dl), SW_OK);
    assert_string_equal(tu_tohex(stub.data, stub.cmd.nc), "010203");
}

static void test_plain_command_ends_session(void **state)
{
    sfc_card *card = *state;
    term t;
    term_init(&t, SM_3DES_RETAIL, BAC_KENC, BAC_KMAC, BAC_SSC);
    term_start(card, &t);
    ct_expect(card, "00A4020C02011E", "9000");   /* processed plain */
    assert_false(sm_active(card));
    ct_expect(card, "00B0000004", "60145F01 9000");
    /* A plain GET RESPONSE with nothing protected pending is plain too. */
    term_start(card, &t);
    ct_expect(card, "00C0000000", "6985");
    assert_false(sm_active(card));
    /* So is anything malformed. */
    term_start(card, &t);
    ct_expect(card, "00", "6700");
    assert_false(sm_active(card));
    term_start(card, &t);
    ct_expect(card, "80A4000C023F00", "6E00");
    assert_false(sm_active(card));
}

static void test_reset_and_power_off_end_session(void **state)
{
    sfc_card *card = *state;
    term t;
    term_init(&t, SM_AES_CMAC, G1_KENC, G1_KMAC, NULL);
    term_start(card, &t);
    sfc_card_power(card, SFC_RESET);
    assert_false(sm_active(card));
    term_start(card, &t);
    sfc_card_power(card, SFC_POWER_OFF);
    assert_false(sm_active(card));
    term_start(card, &t);
    sm_end(card);
    assert_false(sm_active(card));
    sm_end(card); /* no session: no-op */
}

static void test_errors_are_protected(void **state)
{
    sfc_card *card = *state;
    term t;
    term_init(&t, SM_3DES_RETAIL, BAC_KENC, BAC_KMAC, BAC_SSC);
    term_start(card, &t);
    tcmd missing = {.cla = 0x0C, .ins = 0xA4, .p1 = 0x02, .p2 = 0x0C, .hex = "0AAA"};
    t_run(card, &t, &missing, SW_FILE_NOT_FOUND, "");
    tcmd no_ef = {.cla = 0x0C, .ins = 0xB0, .le_len = 1};
    t_run(card, &t, &no_ef, SW_NO_CURRENT_EF, "");
    tcmd ins = {.cla = 0x0C, .ins = 0x02, .le_len = 1};
    t_run(card, &t, &ins, SW_INS_NOT_SUPPORTED, "");
    tcmd ins6x = {.cla = 0x0C, .ins = 0x62};
    t_run(card, &t, &ins6x, SW_INS_NOT_SUPPORTED, "");
    stub.reply_sw = SW_WARN_EOF;    /* a warning carries its data */
    stub.reply_len = 3;
    tcmd warn = {.cla = 0x0C, .ins = STUB_INS, .le_len = 1};
    t_run(card, &t, &warn, SW_WARN_EOF, "000102");
    stub.reply_sw = SW_CONDITIONS;  /* an error does not */
    t_run(card, &t, &warn, SW_CONDITIONS, "");
    assert_true(sm_active(card));
    /* The exact bytes of a protected 6A82, with the ICAO keys. */
    term_init(&t, SM_3DES_RETAIL, BAC_KENC, BAC_KMAC, BAC_SSC);
    term_start(card, &t);
    uint8_t in[64], data[8];
    size_t n = t_protect(&t, &missing, in), rl = 0, dl = 0;
    const uint8_t *r = xfer(card, in, n, &rl);
    assert_int_equal(rl, 16);
    tu_assert_hex(r, 6, "99026A828E08");
    tu_assert_hex(r + 14, 2, "6A82");
    assert_int_equal(t_unprotect(&t, r, rl, data, &dl), SW_FILE_NOT_FOUND);
    /* A protected command on a closed channel: plain 6881, session over. */
    tcmd closed = {.cla = 0x0D, .ins = 0xA4, .p2 = 0x0C, .hex = "3F00"};
    n = t_protect(&t, &closed, in);
    r = xfer(card, in, n, &rl);
    assert_string_equal(tu_tohex(r, rl), "6881");
    assert_false(sm_active(card));
}

/* ---- class byte and header authentication ------------------------------- */

static void test_header_authentication(void **state)
{
    sfc_card *card = *state;
    term t;
    term_init(&t, SM_AES_CMAC, G1_KENC, G1_KMAC, NULL);
    term_start(card, &t);
    stub.reply_len = 2;
    /* 0C: header MACed; 08: not. */
    tcmd with = {.cla = 0x0C, .ins = STUB_INS, .p1 = 0x12, .p2 = 0x34, .le_len = 1};
    t_run(card, &t, &with, SW_OK, "0001");
    assert_int_equal(stub.cmd.cla, 0x00);
    assert_true(stub.secured);
    tcmd without = {.cla = 0x08, .ins = STUB_INS, .p1 = 0x12, .p2 = 0x34, .le_len = 1};
    t_run(card, &t, &without, SW_OK, "0001");
    assert_int_equal(stub.cmd.cla, 0x00);
    assert_int_equal(stub.cmd.p1, 0x12);
    /* 0C with a MAC that left the header out: refused. */
    uint8_t in[64];
    size_t n = t_raw(&t, 0x08, "970102", 8, "", false, in);
    in[0] = 0x0C;
    ct_expect(card, tu_tohex(in, n), "6988");
    assert_false(sm_active(card));
    /* 08 with a MAC over the header: refused too. */
    term_start(card, &t);
    n = t_raw(&t, 0x0C, "970102", 8, "", false, in);
    in[0] = 0x08;
    ct_expect(card, tu_tohex(in, n), "6988");
    assert_false(sm_active(card));
}

static void test_further_interindustry_class(void **state)
{
    sfc_card *card = *state;
    term t;
    term_init(&t, SM_3DES_RETAIL, BAC_KENC, BAC_KMAC, BAC_SSC);
    term_start(card, &t);
    tcmd open = {.cla = 0x0C, .ins = 0x70, .p1 = 0x00, .p2 = 0x05};
    t_run(card, &t, &open, SW_OK, "");  /* channel 5 = further class 41 */
    /* 61 = 0110 0001: SM (b6), channel 4 + 1, no header authentication. */
    stub.reply_len = 1;
    tcmd cmd = {.cla = 0x61, .ins = STUB_INS, .le_len = 1};
    t_run(card, &t, &cmd, SW_OK, "00");
    assert_int_equal(stub.cmd.cla, 0x41);
    assert_int_equal(stub.cmd.channel, 5);
    assert_true(stub.secured);
    /* Chaining bit with further class: 71 = SM + chaining, channel 5. */
    stub.echo = true;
    stub.reply_len = 0;
    tcmd first = {.cla = 0x71, .ins = STUB_INS, .hex = "AABB"};
    t_run(card, &t, &first, SW_OK, "");
    tcmd last = {.cla = 0x61, .ins = STUB_INS, .hex = "CC", .le_len = 1};
    t_run(card, &t, &last, SW_OK, "AABBCC");
}

static void test_command_chaining_under_sm(void **state)
{
    sfc_card *card = *state;
    term t;
    term_init(&t, SM_AES_CMAC, G1_KENC, G1_KMAC, NULL);
    term_start(card, &t);
    stub.echo = true;
    tcmd p1 = {.cla = 0x1C, .ins = STUB_INS, .hex = "01020304"};
    t_run(card, &t, &p1, SW_OK, "");
    tcmd p2 = {.cla = 0x1C, .ins = STUB_INS, .hex = "05"};
    t_run(card, &t, &p2, SW_OK, "");
    assert_int_equal(stub.calls, 0);
    tcmd p3 = {.cla = 0x0C, .ins = STUB_INS, .hex = "06", .le_len = 1};
    t_run(card, &t, &p3, SW_OK, "010203040506");
    assert_int_equal(stub.calls, 1);
    assert_int_equal(stub.cmd.cla, 0x00);
    /* A chain broken by another instruction: 6883, protected. */
    t_run(card, &t, &p1, SW_OK, "");
    tcmd other = {.cla = 0x0C, .ins = 0xB0, .le_len = 1};
    t_run(card, &t, &other, SW_LAST_COMMAND_EXPECTED, "");
}

/* ---- data objects and lengths -------------------------------------------- */

static void test_data_object_kinds(void **state)
{
    sfc_card *card = *state;
    term t;
    term_init(&t, SM_3DES_RETAIL, BAC_KENC, BAC_KMAC, BAC_SSC);
    term_start(card, &t);
    stub.echo = true;
    /* 85 (cryptogram without indicator; TR-03110 uses it for odd INS). */
    tcmd odd = {.cla = 0x0C, .ins = STUB_ODD_INS, .hex = "5403000102", .tag = 0x85,
                .le_len = 1};
    t_run(card, &t, &odd, SW_OK, "5403000102");
    assert_int_equal(stub.cmd.ins, STUB_ODD_INS);
    /* 81: a plain value, MACed but not enciphered. */
    tcmd plain = {.cla = 0x0C, .ins = STUB_INS, .hex = "CAFE", .tag = 0x81,
                  .le_len = 1};
    t_run(card, &t, &plain, SW_OK, "CAFE");
    /* Empty 81: no data. */
    uint8_t in[64], data[16];
    size_t n = t_raw(&t, 0x0C, "8100 970100", 8, "", false, in), rl = 0, dl = 0;
    const uint8_t *r = xfer(card, in, n, &rl);
    assert_int_equal(t_unprotect(&t, r, rl, data, &dl), SW_OK);
    assert_int_equal(stub.cmd.nc, 0);
    /* Block-aligned data: a whole padding block. */
    tcmd aligned = {.cla = 0x0C, .ins = STUB_INS, .hex = "0001020304050607",
                    .le_len = 1};
    t_run(card, &t, &aligned, SW_OK, "0001020304050607");
}

static void test_do97_forms(void **state)
{
    sfc_card *card = *state;
    term t;
    term_init(&t, SM_AES_CMAC, G1_KENC, G1_KMAC, NULL);
    term_start(card, &t);
    stub.reply_len = 300;
    static char hex256[513];
    for (int i = 0; i < 256; i++)
        snprintf(hex256 + 2 * i, 3, "%02X", i);
    /* No DO97: no Le, so no data come back. */
    tcmd none = {.cla = 0x0C, .ins = STUB_INS};
    t_run(card, &t, &none, SW_OK, "");
    assert_false(stub.cmd.has_le);
    /* 97 01 04: Ne 4, the rest of the handler's data is not sent. */
    tcmd four = {.cla = 0x0C, .ins = STUB_INS, .le_len = 1, .le = 4};
    t_run(card, &t, &four, SW_OK, "00010203");
    assert_int_equal(stub.cmd.ne, 4);
    assert_false(stub.cmd.extended);
    /* 97 01 00: Ne 256 (extended outer APDU: the protected answer is longer). */
    tcmd max = {.cla = 0x0C, .ins = STUB_INS, .le_len = 1, .le = 0, .ext = true};
    t_run(card, &t, &max, SW_OK, hex256);
    assert_int_equal(stub.cmd.ne, 256);
    assert_false(stub.cmd.extended);
    /* 97 02 0000: Ne 65536, extended. */
    tcmd ext = {.cla = 0x0C, .ins = STUB_INS, .le_len = 2, .le = 0, .ext = true};
    uint8_t in[64];
    static uint8_t data[400];
    size_t n = t_protect(&t, &ext, in), rl = 0, dl = 0;
    const uint8_t *r = xfer(card, in, n, &rl);
    assert_int_equal(t_unprotect(&t, r, rl, data, &dl), SW_OK);
    assert_int_equal(dl, 300);
    assert_int_equal(stub.cmd.ne, 65536);
    assert_true(stub.cmd.extended);
    /* 97 02 0100: Ne 256 in the two-byte form. */
    tcmd two = {.cla = 0x0C, .ins = STUB_INS, .le_len = 2, .le = 0x100, .ext = true};
    t_run(card, &t, &two, SW_OK, hex256);
    assert_int_equal(stub.cmd.ne, 256);
}

static void test_exact_unit_gives_6cxx_inside(void **state)
{
    sfc_card *card = *state;
    /* A linear fixed record EF: READ RECORD asks for 6Cxx on a short Le. */
    sfc_file *rec = fs_ef_record_new(0x2001, FDB_EF_LINEAR_FIXED, 5, 3, 0);
    assert_non_null(rec);
    assert_int_equal(fs_link(card->mf, rec), SW_OK);
    term t;
    term_init(&t, SM_3DES_RETAIL, BAC_KENC, BAC_KMAC, BAC_SSC);
    term_start(card, &t);
    tcmd sel = {.cla = 0x0C, .ins = 0xA4, .p1 = 0x02, .p2 = 0x0C, .hex = "2001"};
    t_run(card, &t, &sel, SW_OK, "");
    tcmd app = {.cla = 0x0C, .ins = 0xE2, .hex = "0102030405"};
    t_run(card, &t, &app, SW_OK, "");
    tcmd rd = {.cla = 0x0C, .ins = 0xB2, .p1 = 1, .p2 = 4, .le_len = 1, .le = 2};
    t_run(card, &t, &rd, SW_WRONG_LE(5), "");
    rd.le = 5;
    t_run(card, &t, &rd, SW_OK, "0102030405");
}

static void test_extended_length_sm_apdus(void **state)
{
    sfc_card *card = *state;
    term t;
    term_init(&t, SM_AES_CMAC, G1_KENC, G1_KMAC, NULL);
    term_start(card, &t);
    static uint8_t big[3000];
    for (size_t i = 0; i < sizeof(big); i++)
        big[i] = (uint8_t)(i * 13);
    stub.echo = true;
    tcmd c = {.cla = 0x0C, .ins = STUB_INS, .data = big, .nc = sizeof(big),
              .le_len = 2, .le = 0, .ext = true};
    static uint8_t in[4000], data[4000];
    size_t n = t_protect(&t, &c, in), rl = 0, dl = 0;
    assert_int_equal(in[4], 0x00);           /* extended Lc */
    const uint8_t *r = xfer(card, in, n, &rl);
    assert_int_equal(t_unprotect(&t, r, rl, data, &dl), SW_OK);
    assert_int_equal(dl, sizeof(big));
    assert_memory_equal(data, big, sizeof(big));
    assert_int_equal(stub.cmd.nc, sizeof(big));
    /* Short inner Le, extended outer APDU because of the data. */
    tcmd d = {.cla = 0x0C, .ins = STUB_INS, .data = big, .nc = 600, .le_len = 1,
              .le = 16, .ext = true};
    n = t_protect(&t, &d, in);
    r = xfer(card, in, n, &rl);
    assert_int_equal(t_unprotect(&t, r, rl, data, &dl), SW_OK);
    assert_int_equal(dl, 16);
    assert_int_equal(stub.cmd.nc, 600);
    assert_false(stub.cmd.extended); /* the one-byte DO97 decides */
}

/* The protected answer longer than the outer Le: 61xx, plain GET RESPONSE. */
static void test_outer_le_and_get_response(void **state)
{
    sfc_card *card = *state;
    term t;
    term_init(&t, SM_AES_CMAC, G1_KENC, G1_KMAC, NULL);
    term_start(card, &t);
    stub.reply_len = 250;
    tcmd c = {.cla = 0x0C, .ins = STUB_INS, .le_len = 1, .le = 0};
    static uint8_t in[64], whole[600], data[600];
    size_t n = t_protect(&t, &c, in), rl = 0, got = 0, dl = 0;
    const uint8_t *r = xfer(card, in, n, &rl);
    /* 87 82 0101 01 + 256 + 99 02 9000 + 8E 08 ... = 275 bytes. */
    assert_int_equal(rl, 258);
    tu_assert_hex(r + 256, 2, "6113");
    memcpy(whole, r, 256);
    got = 256;
    r = xfer(card, (const uint8_t *)"\x00\xC0\x00\x00\x10", 5, &rl);
    tu_assert_hex(r + rl - 2, 2, "6103");
    memcpy(whole + got, r, rl - 2);
    got += rl - 2;
    r = xfer(card, (const uint8_t *)"\x00\xC0\x00\x00\x00", 5, &rl);
    tu_assert_hex(r + rl - 2, 2, "9000");
    memcpy(whole + got, r, rl);
    got += rl;
    assert_true(sm_active(card));
    assert_int_equal(t_unprotect(&t, whole, got, data, &dl), SW_OK);
    assert_int_equal(dl, 250);
    /* An error behind a tiny outer Le keeps its SW after GET RESPONSE. */
    stub.reply_sw = SW_SECURITY_STATUS;
    c.outer_le = 5;
    n = t_protect(&t, &c, in);
    r = xfer(card, in, n, &rl);
    assert_int_equal(rl, 7);
    tu_assert_hex(r + 5, 2, "6109");
    memcpy(whole, r, 5);
    r = xfer(card, (const uint8_t *)"\x00\xC0\x00\x00\x00", 5, &rl);
    assert_int_equal(rl, 11);
    memcpy(whole + 5, r, rl);
    assert_int_equal(t_unprotect(&t, whole, 16, data, &dl), SW_SECURITY_STATUS);
    /* Without an outer Le everything waits behind 61xx. */
    stub.reply_sw = SW_OK;
    stub.reply_len = 0;
    c.outer_le = -1;
    n = t_protect(&t, &c, in);
    r = xfer(card, in, n, &rl);
    tu_assert_hex(r, rl, "610E");
    r = xfer(card, (const uint8_t *)"\x00\xC0\x00\x00\x0E", 5, &rl);
    memcpy(whole, r, rl);
    assert_int_equal(t_unprotect(&t, whole, rl, data, &dl), SW_OK);
    /* Unfetched protected bytes are dropped by the next protected command. */
    c.outer_le = 4;
    n = t_protect(&t, &c, in);
    r = xfer(card, in, n, &rl);
    tu_assert_hex(r + 4, 2, "610A");
    t_inc(&t); /* the terminal gives that response up */
    c.outer_le = 0;
    t_run(card, &t, &c, SW_OK, "");
    ct_expect(card, "00C0000000", "6985"); /* plain again: ends the session */
    assert_false(sm_active(card));
}

/* ---- SSC and keys ------------------------------------------------------------ */

static void test_ssc_is_full_width(void **state)
{
    sfc_card *card = *state;
    stub.reply_len = 1;
    tcmd c = {.cla = 0x0C, .ins = STUB_INS, .le_len = 1};
    /* Top byte 00: the reference's minimal-length SSC broke here. */
    term t;
    term_init(&t, SM_3DES_RETAIL, BAC_KENC, BAC_KMAC, "0000000000000010");
    term_start(card, &t);
    t_run(card, &t, &c, SW_OK, "00");
    /* Carry across every byte and wrap-around. */
    term_init(&t, SM_3DES_RETAIL, BAC_KENC, BAC_KMAC, "00FFFFFFFFFFFFFE");
    term_start(card, &t);
    t_run(card, &t, &c, SW_OK, "00");
    uint8_t ssc[16];
    assert_int_equal(sm_get_ssc(card, ssc), 8);
    tu_assert_hex(ssc, 8, "0100000000000000");
    term_init(&t, SM_AES_CMAC, G1_KENC, G1_KMAC,
              "FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF");
    term_start(card, &t);
    t_run(card, &t, &c, SW_OK, "00");
    assert_int_equal(sm_get_ssc(card, ssc), 16);
    tu_assert_hex(ssc, 16, "00000000000000000000000000000001");
}

static void test_aes_key_sizes_and_3key_3des(void **state)
{
    sfc_card *card = *state;
    stub.echo = true;
    tcmd c = {.cla = 0x0C, .ins = STUB_INS, .hex = "112233", .le_len = 1};
    term t;
    term_init(&t, SM_AES_CMAC, "000102030405060708090A0B0C0D0E0F1011121314151617",
              "603DEB1015CA71BE2B73AEF0857D77811F352C073B6108D72D9810A30914DFF4",
              NULL);
    term_start(card, &t);
    t_run(card, &t, &c, SW_OK, "112233");
    term_init(&t, SM_3DES_RETAIL, "0123456789ABCDEF23456789ABCDEF01456789ABCDEF0123",
              BAC_KMAC, BAC_SSC);
    term_start(card, &t);
    t_run(card, &t, &c, SW_OK, "112233");
    assert_int_equal(sm_session_profile(card), SM_3DES_RETAIL);
}

static void test_sm_start_arguments(void **state)
{
    sfc_card *card = *state;
    uint8_t k[32] = {1}, ssc[16] = {0};
    assert_int_equal(sm_start(card, SM_3DES_RETAIL, k, 16, k, 24, ssc, 8), SFC_E_INVAL);
    assert_int_equal(sm_start(card, SM_3DES_RETAIL, k, 8, k, 16, ssc, 8), SFC_E_INVAL);
    assert_int_equal(sm_start(card, SM_3DES_RETAIL, k, 16, k, 16, ssc, 16), SFC_E_INVAL);
    assert_int_equal(sm_start(card, SM_AES_CMAC, k, 16, k, 16, ssc, 8), SFC_E_INVAL);
    assert_int_equal(sm_start(card, SM_AES_CMAC, k, 20, k, 16, NULL, 0), SFC_E_INVAL);
    assert_int_equal(sm_start(card, SM_AES_CMAC, k, 16, k, 16, NULL, 16), SFC_E_INVAL);
    assert_int_equal(sm_start(card, (sm_profile)7, k, 16, k, 16, NULL, 0), SFC_E_INVAL);
    assert_false(sm_active(card));
    assert_int_equal(sm_get_ssc(card, ssc), 0);
    assert_int_equal(sm_start(card, SM_3DES_RETAIL, k, 16, k, 16, NULL, 0), SFC_OK);
    assert_int_equal(sm_get_ssc(card, ssc), 8);
    tu_assert_hex(ssc, 8, "0000000000000000");
}

/* A handler that changes keys (Chip Authentication) or ends SM. */
static term next_term;
static int end_hook_calls;

static void change_keys(sfc_card *card)
{
    term_init(&next_term, SM_AES_CMAC, "94ABCD271AB7D9A5590BA52CB518B831",
              "78B5709E7ABEDB185B424D0EE3A82499", NULL);
    term_start(card, &next_term);
}

static void end_now(sfc_card *card)
{
    sm_end(card);
}

static void count_end(sfc_card *card, void *user)
{
    (void)card;
    (void)user;
    end_hook_calls++;
}

static void test_key_change_inside_a_command(void **state)
{
    sfc_card *card = *state;
    term t;
    term_init(&t, SM_AES_CMAC, G1_KENC, G1_KMAC, NULL);
    term_start(card, &t);
    sm_on_end(card, count_end, NULL);
    stub.action = change_keys;
    stub.reply_len = 2;
    tcmd c = {.cla = 0x0C, .ins = STUB_INS, .le_len = 1};
    t_run(card, &t, &c, SW_OK, "0001");   /* answered under the old keys */
    assert_int_equal(end_hook_calls, 0);  /* replaced, not ended */
    stub.action = NULL;
    t_run(card, &next_term, &c, SW_OK, "0001");
    uint8_t ssc[16];
    sm_get_ssc(card, ssc);
    tu_assert_hex(ssc, 16, "00000000000000000000000000000002");
    /* The hook set on the old session went with it. */
    sm_on_end(card, count_end, NULL);
    stub.action = end_now;
    t_run(card, &next_term, &c, SW_OK, "0001"); /* still protected */
    assert_false(sm_active(card));
    assert_int_equal(end_hook_calls, 1);
    ct_expect(card, "00A4000C023F00", "9000");
}

static void test_end_hook_on_error_and_reset(void **state)
{
    sfc_card *card = *state;
    term t;
    term_init(&t, SM_3DES_RETAIL, BAC_KENC, BAC_KMAC, BAC_SSC);
    end_hook_calls = 0;
    term_start(card, &t);
    sm_on_end(card, count_end, NULL);
    ct_expect(card, "0CB000000D9701048E08ED6705417E96BA5600", "6988");
    assert_int_equal(end_hook_calls, 1);
    term_start(card, &t);
    sm_on_end(card, count_end, NULL);
    sfc_card_power(card, SFC_RESET);
    assert_int_equal(end_hook_calls, 2);
    term_start(card, &t);
    sm_on_end(card, count_end, NULL);
    ct_expect(card, "00A4000C023F00", "9000");
    assert_int_equal(end_hook_calls, 3);
}

static void test_secured_flag_only_under_sm(void **state)
{
    sfc_card *card = *state;
    ct_expect(card, "00EE000000", "9000");
    assert_false(stub.secured);
    term t;
    term_init(&t, SM_3DES_RETAIL, BAC_KENC, BAC_KMAC, BAC_SSC);
    term_start(card, &t);
    tcmd c = {.cla = 0x0C, .ins = STUB_INS};
    t_run(card, &t, &c, SW_OK, "");
    assert_true(stub.secured);
    assert_false(card->sec.cmd_secured);
}

/* A file whose read access requires SM (compact SC byte 40): the access
 * decision sees card->sec.cmd_secured while a protected command runs. */
static void test_file_readable_only_under_sm(void **state)
{
    sfc_card *card = *state;
    static const uint8_t rules[] = {0x8C, 0x02, 0x01, 0x40}; /* read: SM */
    sfc_file *ef = fs_ef_binary_new(0x0102, 4, 0);
    assert_non_null(ef);
    memcpy(ef->data, "\x0A\x0B\x0C\x0D", 4);
    ef->sec_attr = malloc(sizeof(rules));
    assert_non_null(ef->sec_attr);
    memcpy(ef->sec_attr, rules, sizeof(rules));
    ef->sec_attr_len = sizeof(rules);
    assert_int_equal(fs_link(card->mf, ef), SW_OK);
    ct_expect(card, "00A4020C020102", "9000");
    ct_expect(card, "00B0000004", "6982");
    term t;
    term_init(&t, SM_AES_CMAC, G1_KENC, G1_KMAC, NULL);
    term_start(card, &t);
    tcmd sel = {.cla = 0x0C, .ins = 0xA4, .p1 = 0x02, .p2 = 0x0C, .hex = "0102"};
    t_run(card, &t, &sel, SW_OK, "");
    tcmd rd = {.cla = 0x0C, .ins = 0xB0, .le_len = 1, .le = 4};
    t_run(card, &t, &rd, SW_OK, "0A0B0C0D");
    ct_expect(card, "00B0000004", "6982"); /* plain again: session over */
    assert_false(sm_active(card));
}

static char log_text[8192];

static void capture(void *user, sfc_log_level level, const char *msg)
{
    (void)user;
    (void)level;
    strncat(log_text, msg, sizeof(log_text) - strlen(log_text) - 2);
    strcat(log_text, "\n");
}

/* A PIN sent in DO81 (in clear inside the SM data field) never reaches the
 * log, neither in the outer APDU nor in the inner one. */
static void test_secret_data_masked_in_logs(void **state)
{
    sfc_card *card = *state;
    term t;
    term_init(&t, SM_3DES_RETAIL, BAC_KENC, BAC_KMAC, BAC_SSC);
    term_start(card, &t);
    log_text[0] = '\0';
    sfc_log_set(capture, NULL, SFC_LOG_DEBUG);
    tcmd verify = {.cla = 0x0C, .ins = 0x20, .p2 = 0x01, .hex = "31323334",
                   .tag = 0x81};
    t_run(card, &t, &verify, SW_OK, "");
    sfc_log_set(NULL, NULL, SFC_LOG_ERROR);
    assert_non_null(strstr(log_text, "inner C-APDU (VERIFY"));
    assert_non_null(strstr(log_text, "masked"));
    assert_null(strstr(log_text, "31 32 33 34"));
}

int main(void)
{
#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)
    const struct CMUnitTest tests[] = {
        T(test_icao_d4_transcript),
        T(test_terminal_reproduces_d4_commands),
        T(test_aes_after_pace_g1),
        T(test_bsi_ecdh_first_sm_exchange),
        T(test_bsi_dh_first_sm_exchange),
        T(test_no_session),
        T(test_wrong_mac_ends_session),
        T(test_malformed_protected_commands),
        T(test_plain_command_ends_session),
        T(test_reset_and_power_off_end_session),
        T(test_errors_are_protected),
        T(test_header_authentication),
        T(test_further_interindustry_class),
        T(test_command_chaining_under_sm),
        T(test_data_object_kinds),
        T(test_do97_forms),
        T(test_exact_unit_gives_6cxx_inside),
        T(test_extended_length_sm_apdus),
        T(test_outer_le_and_get_response),
        T(test_ssc_is_full_width),
        T(test_aes_key_sizes_and_3key_3des),
        T(test_sm_start_arguments),
        T(test_key_change_inside_a_command),
        T(test_end_hook_on_error_and_reset),
        T(test_secured_flag_only_under_sm),
        T(test_file_readable_only_under_sm),
        T(test_secret_data_masked_in_logs),
    };
#undef T
    return cmocka_run_group_tests(tests, NULL, NULL);
}
