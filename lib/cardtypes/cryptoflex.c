/* SPDX-License-Identifier: LGPL-2.1-or-later */
/**
 * @file cryptoflex.c
 * @brief Schlumberger Cryptoflex as OpenSC 0.23's `flex` driver and
 *        pkcs15-init drive it (docs/cryptoflex.md).
 *
 * Class C0 (F0 for administrative commands), T=0: response data wait
 * behind 61xx for GET RESPONSE (C0 C0 00 00 xx). The file system is the
 * OS's tree; every file carries its Cryptoflex header (the 16-byte body of
 * CREATE FILE: size, FID, type, the access-condition nibbles, status, key
 * numbers) as proprietary information (tag 85), which card images keep.
 * The SELECT answer is that header; the access conditions in it are
 * enforced: nibble 0 always, 1 CHV1, 2 CHV2, 4 AUT1 (the transport key),
 * 8 CHV1 and AUT1, 9 CHV2 and AUT1, anything else (3/6/7 need secure
 * messaging, F never) refuses with 6982.
 *
 * DF nibbles: LIST (p8 high), DELETE (p9 high), CREATE (p9 low); EF
 * nibbles: READ (p8 high), UPDATE (p8 low). A DF's DELETE condition
 * governs the deletion of its children.
 *
 * Secrets live in files as on the real card: CHV1/CHV2 in EF 0000/0100
 * (23 bytes: FF FF FF | PIN 8 | tries left, max | PUK 8 | tries left, max),
 * searched from the current DF up to the MF; the transport key (AUT1) in
 * EF 0011 of the MF (key number, algorithm, key 8, tries left, max); RSA
 * keys in EF 0012 (private: length 2, key number, p q 1/q mod p, d mod
 * p-1, d mod q-1, little-endian) and EF 1012 (public: length 2, key
 * number, modulus little-endian at offset 3, exponent at 3 + 5 * base) of
 * the DF that holds them. So the card image keeps everything; the
 * verification state is volatile (card rights).
 */
#include "cardtypes/cardtypes.h"

#include <stdlib.h>
#include <string.h>

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/rsa.h>

#include "core/bytes.h"
#include "core/errtext.h"
#include "core/sw.h"
#include "crypto/pkey.h"
#include "os/fs.h"

#define CF_RIGHT_CHV1 (1u << 0)
#define CF_RIGHT_CHV2 (1u << 1)
#define CF_RIGHT_AUT1 (1u << 2)

#define CF_HDR_LEN 16
#define CF_PROP_TAG 0x85u

#define CF_TYPE_EF 0x01u
#define CF_TYPE_DF 0x38u

#define CF_FID_SERIAL 0x0002u
#define CF_FID_AAK 0x0011u
#define CF_FID_CHV1 0x0000u
#define CF_FID_CHV2 0x0100u
#define CF_FID_PRIV 0x0012u
#define CF_FID_PUB 0x1012u

#define CF_CHV_LEN 23
#define CF_AAK_LEN 12
#define CF_AAK_TRIES 10

static const uint8_t default_aak[8] = {0x2C, 0x15, 0xE5, 0x26,
                                       0xE9, 0x3E, 0x8A, 0x19};

/* Volatile per-card state: where LIST FILES is in the current DF. */
typedef struct cf_state {
    size_t list_next;
} cf_state;

static cf_state *state_of(sfc_card *card)
{
    return sfc_card_type_state(card);
}

static void list_restart(sfc_card *card)
{
    cf_state *st = state_of(card);
    if (st)
        st->list_next = 0;
}

/* ---- file headers ------------------------------------------------------ */

static const uint8_t *hdr_of(const sfc_file *f)
{
    if (f->prop_len != 2 + CF_HDR_LEN || f->prop[0] != CF_PROP_TAG ||
        f->prop[1] != CF_HDR_LEN)
        return NULL;
    return f->prop + 2;
}

static bool set_hdr(sfc_file *f, const uint8_t hdr[CF_HDR_LEN])
{
    uint8_t *p = malloc(2 + CF_HDR_LEN);
    if (!p)
        return false;
    p[0] = CF_PROP_TAG;
    p[1] = CF_HDR_LEN;
    memcpy(p + 2, hdr, CF_HDR_LEN);
    free(f->prop);
    f->prop = p;
    f->prop_len = 2 + CF_HDR_LEN;
    return true;
}

static void make_hdr(uint8_t hdr[CF_HDR_LEN], uint16_t size, uint16_t fid,
                     uint8_t type, uint8_t ac0, uint8_t ac1, uint8_t ac2)
{
    memset(hdr, 0, CF_HDR_LEN);
    hdr[0] = hdr[1] = 0xFF;
    hdr[2] = (uint8_t)(size >> 8);
    hdr[3] = (uint8_t)size;
    hdr[4] = (uint8_t)(fid >> 8);
    hdr[5] = (uint8_t)fid;
    hdr[6] = type;
    hdr[7] = 0xFF;
    hdr[8] = ac0;
    hdr[9] = ac1;
    hdr[10] = ac2;
    hdr[11] = 0x01; /* activated */
    hdr[12] = 0x03;
}

enum cf_op { CF_OP_READ, CF_OP_UPDATE, CF_OP_LIST, CF_OP_DELETE, CF_OP_CREATE };

/* The nibble of `op`; a file without a header allows nothing. */
static uint8_t nibble_of(const sfc_file *f, enum cf_op op)
{
    const uint8_t *h = hdr_of(f);
    if (!h)
        return 0x0F;
    switch (op) {
    case CF_OP_READ:
    case CF_OP_LIST:
        return h[8] >> 4;
    case CF_OP_UPDATE:
        return h[8] & 0x0F;
    case CF_OP_DELETE:
        return h[9] >> 4;
    case CF_OP_CREATE:
        return h[9] & 0x0F;
    }
    return 0x0F;
}

static bool has(const sfc_card *card, uint64_t r)
{
    return sfc_right_has(card, NULL, r);
}

static uint16_t check_nibble(const sfc_card *card, uint8_t n)
{
    bool ok;
    switch (n) {
    case 0x0:
        ok = true;
        break;
    case 0x1:
        ok = has(card, CF_RIGHT_CHV1);
        break;
    case 0x2:
        ok = has(card, CF_RIGHT_CHV2);
        break;
    case 0x4:
        ok = has(card, CF_RIGHT_AUT1);
        break;
    case 0x8:
        ok = has(card, CF_RIGHT_CHV1 | CF_RIGHT_AUT1);
        break;
    case 0x9:
        ok = has(card, CF_RIGHT_CHV2 | CF_RIGHT_AUT1);
        break;
    default: /* 3, 6, 7: secure messaging, which the card lacks; F never */
        ok = false;
        break;
    }
    return ok ? SW_OK : SW_SECURITY_STATUS;
}

static uint16_t check_op(const sfc_card *card, const sfc_file *f,
                         enum cf_op op)
{
    return check_nibble(card, nibble_of(f, op));
}

/* ---- SELECT, GET RESPONSE, LIST FILES ----------------------------------- */

static sfc_file *find_for_select(sfc_card *card, sfc_file *cur, uint16_t fid)
{
    if (fid == FID_MF)
        return card->mf;
    if (cur->fid == fid)
        return cur;
    sfc_file *f = fs_child_by_fid(cur, fid);
    if (f)
        return f;
    if (cur->parent) {
        if (cur->parent->fid == fid)
            return cur->parent;
        return fs_child_by_fid(cur->parent, fid);
    }
    return NULL;
}

/* The header as the card answers it: RFU 00 00, the size (free memory for
 * the MF, the contents for an EF), the rest as created. */
static void put_select_answer(sfc_card *card, const sfc_file *f,
                              sfc_resp *resp)
{
    uint8_t h[CF_HDR_LEN];
    const uint8_t *stored = hdr_of(f);
    if (stored)
        memcpy(h, stored, CF_HDR_LEN);
    else
        make_hdr(h, 0, f->fid, fs_is_df(f) ? CF_TYPE_DF : CF_TYPE_EF, 0xFF,
                 0xFF, 0xFF);
    h[0] = h[1] = 0x00;
    size_t size = 0;
    if (f == card->mf)
        size = card->mem_limit > card->mem_used
                   ? card->mem_limit - card->mem_used
                   : 0;
    else if (fs_is_ef(f))
        size = f->size;
    else
        size = (size_t)h[2] << 8 | h[3];
    if (size > 0xFFFF)
        size = 0xFFFF;
    h[2] = (uint8_t)(size >> 8);
    h[3] = (uint8_t)size;
    sfc_resp_put(resp, h, sizeof(h));
}

static uint16_t cf_select(sfc_card *card, const sfc_cmd *cmd, sfc_resp *resp)
{
    if (cmd->p1 != 0x00 || cmd->p2 != 0x00)
        return cmd->p1 == 0x04 ? SW_FILE_NOT_FOUND : SW_WRONG_P1P2;
    if (cmd->nc != 2)
        return SW_WRONG_LENGTH;
    sfc_channel *ch = sfc_channel_of(card, cmd);
    uint16_t fid = (uint16_t)(cmd->data[0] << 8 | cmd->data[1]);
    sfc_file *f = find_for_select(card, ch->cur_df, fid);
    if (!f)
        return SW_FILE_NOT_FOUND;
    sfc_make_current(ch, f);
    list_restart(card);
    put_select_answer(card, f, resp);
    return SW_OK;
}

/* F0 A8 00 00 04: the next file of the current DF, 00 type FID; 6A82 at
 * the end. */
static uint16_t cf_list_files(sfc_card *card, const sfc_cmd *cmd,
                              sfc_resp *resp)
{
    if (cmd->p1 || cmd->p2)
        return SW_WRONG_P1P2;
    if (cmd->nc)
        return SW_WRONG_LENGTH;
    sfc_channel *ch = sfc_channel_of(card, cmd);
    uint16_t sw = check_op(card, ch->cur_df, CF_OP_LIST);
    if (sw != SW_OK)
        return sw;
    cf_state *st = state_of(card);
    size_t i = 0;
    const sfc_file *c = ch->cur_df->children;
    while (c && i < st->list_next) {
        c = c->next;
        i++;
    }
    if (!c)
        return SW_FILE_NOT_FOUND;
    st->list_next++;
    uint8_t out[4] = {0x00, fs_is_df(c) ? CF_TYPE_DF : CF_TYPE_EF,
                      (uint8_t)(c->fid >> 8), (uint8_t)c->fid};
    sfc_resp_put(resp, out, sizeof(out));
    return SW_OK;
}

/* ---- CREATE FILE, DELETE FILE -------------------------------------------- */

/* F0 E0 00 00 16-byte body: FF FF, size, FID, type (01 transparent EF,
 * 38 DF), FF, three AC bytes, status, 03, three key-number bytes. */
static uint16_t check_create_body(const sfc_cmd *cmd)
{
    if (cmd->nc != CF_HDR_LEN)
        return cmd->nc == CF_HDR_LEN + 1 ? SW_FUNC_NOT_SUPPORTED
                                         : SW_WRONG_LENGTH;
    const uint8_t *b = cmd->data;
    if (b[0] != 0xFF || b[1] != 0xFF || b[12] != 0x03)
        return SW_WRONG_DATA;
    if (b[6] != CF_TYPE_EF && b[6] != CF_TYPE_DF)
        return b[6] == 0x02 || b[6] == 0x04 || b[6] == 0x06
                   ? SW_FUNC_NOT_SUPPORTED /* record EFs: not emulated */
                   : SW_WRONG_DATA;
    uint16_t fid = (uint16_t)(b[4] << 8 | b[5]);
    if (fid == FID_MF || fid == FID_RESERVED || fid == FID_RFU)
        return SW_WRONG_DATA;
    return SW_OK;
}

static uint16_t cf_create_file(sfc_card *card, const sfc_cmd *cmd,
                               sfc_resp *resp)
{
    (void)resp;
    if (cmd->p1 || cmd->p2)
        return SW_WRONG_P1P2;
    uint16_t sw = check_create_body(cmd);
    if (sw != SW_OK)
        return sw;
    sfc_channel *ch = sfc_channel_of(card, cmd);
    sw = check_op(card, ch->cur_df, CF_OP_CREATE);
    if (sw != SW_OK)
        return sw;
    const uint8_t *b = cmd->data;
    uint16_t fid = (uint16_t)(b[4] << 8 | b[5]);
    size_t size = (size_t)b[2] << 8 | b[3];
    sfc_file *f = b[6] == CF_TYPE_DF ? fs_df_new(fid, NULL, 0)
                                     : fs_ef_binary_new(fid, size, 0);
    if (!f || !set_hdr(f, b)) {
        fs_free(f);
        return SW_NOT_ENOUGH_MEMORY;
    }
    f->lcs = LCS_ACTIVATED;
    if (fs_is_ef(f))
        f->dcb = DCB_DEFAULT;
    long cost = (long)fs_footprint(f);
    if (!sfc_mem_charge(card, cost)) {
        fs_free(f);
        return SW_NOT_ENOUGH_MEMORY;
    }
    sw = fs_link(ch->cur_df, f);
    if (sw != SW_OK) {
        sfc_mem_charge(card, -cost);
        fs_free(f);
        return sw;
    }
    sfc_make_current(ch, f);
    list_restart(card);
    return SW_OK;
}

/* F0 E4 00 00 02 FID: a file of the current DF, under that DF's DELETE
 * condition. */
static uint16_t cf_delete_file(sfc_card *card, const sfc_cmd *cmd,
                               sfc_resp *resp)
{
    (void)resp;
    if (cmd->p1 || cmd->p2)
        return SW_WRONG_P1P2;
    if (cmd->nc != 2)
        return SW_WRONG_LENGTH;
    sfc_channel *ch = sfc_channel_of(card, cmd);
    sfc_file *df = ch->cur_df;
    sfc_file *f = fs_child_by_fid(df, (uint16_t)(cmd->data[0] << 8 |
                                                 cmd->data[1]));
    if (!f)
        return SW_FILE_NOT_FOUND;
    uint16_t sw = check_op(card, df, CF_OP_DELETE);
    if (sw != SW_OK)
        return sw;
    sfc_forget_subtree(card, f);
    sfc_make_current(ch, df);
    fs_unlink(f);
    app_file_gone(f);
    sfc_mem_charge(card, -(long)fs_tree_footprint(f));
    fs_free(f);
    list_restart(card);
    return SW_OK;
}

/* ---- READ / UPDATE BINARY ------------------------------------------------ */

static uint16_t current_ef(sfc_card *card, const sfc_cmd *cmd, sfc_file **out)
{
    sfc_file *f = sfc_channel_of(card, cmd)->cur_ef;
    if (!f)
        return SW_NO_CURRENT_EF;
    if (f->kind != SFC_FILE_EF_BINARY)
        return SW_INCOMPATIBLE_FILE;
    *out = f;
    return SW_OK;
}

/* C0 B0 P1 P2 Le: offset P1P2. Under T=0, P3 = 00 asks for 256 bytes, not
 * "as many as there are": a P3 beyond the end answers 6Cxx with what is
 * there. */
static uint16_t cf_read_binary(sfc_card *card, const sfc_cmd *cmd,
                               sfc_resp *resp)
{
    sfc_file *f;
    uint16_t sw = current_ef(card, cmd, &f);
    if (sw != SW_OK)
        return sw;
    if (cmd->nc)
        return SW_WRONG_LENGTH;
    sw = check_op(card, f, CF_OP_READ);
    if (sw != SW_OK)
        return sw;
    size_t off = (size_t)cmd->p1 << 8 | cmd->p2;
    if (off >= f->size)
        return SW_WRONG_P1P2_OFFSET;
    size_t want = cmd->has_le ? cmd->ne : 256;
    size_t avail = f->size - off;
    if (want > avail)
        return SW_WRONG_LE(avail >= 256 ? 0 : avail);
    sfc_resp_set_le_mode(resp, SFC_LE_EXACT);
    sfc_resp_put(resp, f->data + off, want);
    return SW_OK;
}

/* C0 D6 P1 P2 Lc data: OpenSC splits writes at 255 bytes (the second piece
 * at offset 00 FF). */
static uint16_t cf_update_binary(sfc_card *card, const sfc_cmd *cmd,
                                 sfc_resp *resp)
{
    (void)resp;
    sfc_file *f;
    uint16_t sw = current_ef(card, cmd, &f);
    if (sw != SW_OK)
        return sw;
    if (cmd->nc == 0)
        return SW_WRONG_LENGTH;
    sw = check_op(card, f, CF_OP_UPDATE);
    if (sw != SW_OK)
        return sw;
    size_t off = (size_t)cmd->p1 << 8 | cmd->p2;
    if (off > f->size || cmd->nc > f->size - off)
        return SW_WRONG_P1P2_OFFSET;
    sfc_file_write(card, f, off, cmd->data, cmd->nc);
    return SW_OK;
}

/* ---- VERIFY (CHV1, CHV2) and AUT1 ---------------------------------------- */

static sfc_file *find_up(sfc_file *df, uint16_t fid)
{
    for (sfc_file *d = df; d; d = d->parent) {
        sfc_file *f = fs_child_by_fid(d, fid);
        if (f && f->kind == SFC_FILE_EF_BINARY)
            return f;
    }
    return NULL;
}

/* Compare a secret of 8 bytes at f->data[at] with its tries-left byte at
 * [at + 8] and maximum at [at + 9]: 9000, 6300 (wrong), 6983 (blocked). */
static uint16_t check_secret(sfc_card *card, sfc_file *f, size_t at,
                             const uint8_t *value)
{
    uint8_t left = f->data[at + 8], max = f->data[at + 9];
    if (left == 0)
        return SW_AUTH_BLOCKED;
    if (!sfc_ct_equal(f->data + at, value, 8)) {
        left--;
        sfc_file_write(card, f, at + 8, &left, 1);
        return left ? SW_WARN_CHANGED : SW_AUTH_BLOCKED;
    }
    if (left != max)
        sfc_file_write(card, f, at + 8, &max, 1);
    return SW_OK;
}

/* C0 20 00 0x 08 PIN: against EF 0000 (CHV1) or 0100 (CHV2) of the current
 * DF or a DF above it. */
static uint16_t cf_verify(sfc_card *card, const sfc_cmd *cmd, sfc_resp *resp)
{
    (void)resp;
    if (cmd->p1 != 0 || (cmd->p2 != 1 && cmd->p2 != 2))
        return SW_WRONG_P1P2;
    if (cmd->nc != 8)
        return SW_WRONG_LENGTH;
    uint64_t right = cmd->p2 == 1 ? CF_RIGHT_CHV1 : CF_RIGHT_CHV2;
    sfc_right_revoke(card, NULL, right);
    sfc_file *f = find_up(sfc_channel_of(card, cmd)->cur_df,
                          cmd->p2 == 1 ? CF_FID_CHV1 : CF_FID_CHV2);
    if (!f)
        return SW_REF_NOT_FOUND;
    if (f->size < CF_CHV_LEN)
        return SW_REF_DATA_UNUSABLE;
    uint16_t sw = check_secret(card, f, 3, cmd->data);
    if (sw == SW_OK)
        sfc_right_grant(card, NULL, right, 0);
    return sw;
}

/* F0 2A 00 01 08 key: the transport key (AUT1) in EF 0011 of the MF. */
static uint16_t cf_verify_key(sfc_card *card, const sfc_cmd *cmd,
                              sfc_resp *resp)
{
    (void)resp;
    if (cmd->p1 != 0)
        return SW_WRONG_P1P2;
    if (cmd->nc != 8)
        return SW_WRONG_LENGTH;
    sfc_right_revoke(card, NULL, CF_RIGHT_AUT1);
    sfc_file *f = fs_child_by_fid(card->mf, CF_FID_AAK);
    if (!f || f->kind != SFC_FILE_EF_BINARY || f->size < CF_AAK_LEN ||
        f->data[0] != cmd->p2)
        return SW_REF_NOT_FOUND;
    uint16_t sw = check_secret(card, f, 2, cmd->data);
    if (sw == SW_OK)
        sfc_right_grant(card, NULL, CF_RIGHT_AUT1, 0);
    return sw;
}

/* F0 22 07 00: forget CHV1, CHV2 and AUT1. */
static uint16_t cf_logout(sfc_card *card, const sfc_cmd *cmd, sfc_resp *resp)
{
    (void)resp;
    if (cmd->nc)
        return SW_WRONG_LENGTH;
    sfc_right_revoke(card, NULL,
                     CF_RIGHT_CHV1 | CF_RIGHT_CHV2 | CF_RIGHT_AUT1);
    return SW_OK;
}

/* ---- RSA ------------------------------------------------------------------ */

static size_t base_of_p2(uint8_t p2)
{
    switch (p2) {
    case 0x40:
        return 32;
    case 0x60:
        return 48;
    case 0x80:
        return 64;
    case 0x00:
        return 128;
    }
    return 0;
}

static bool put_bn(const EVP_PKEY *k, const char *name, uint8_t *out,
                   size_t len)
{
    BIGNUM *bn = NULL;
    bool ok = EVP_PKEY_get_bn_param(k, name, &bn) == 1 &&
              BN_bn2lebinpad(bn, out, (int)len) == (int)len;
    BN_clear_free(bn);
    return ok;
}

/* F0 46 keynum P2 04 e (little-endian): P2 40/60/80/00 = 512/768/1024/2048
 * bits; the key goes to EF 0012 and EF 1012 of the current DF, under the
 * UPDATE condition of EF 0012. */
static uint16_t cf_generate(sfc_card *card, const sfc_cmd *cmd,
                            sfc_resp *resp)
{
    (void)resp;
    size_t base = base_of_p2(cmd->p2);
    if (!base)
        return SW_WRONG_P1P2;
    if (cmd->nc != 4)
        return SW_WRONG_LENGTH;
    uint32_t e = (uint32_t)cmd->data[0] | (uint32_t)cmd->data[1] << 8 |
                 (uint32_t)cmd->data[2] << 16 | (uint32_t)cmd->data[3] << 24;
    if (e < 3 || !(e & 1))
        return SW_WRONG_DATA;
    sfc_file *df = sfc_channel_of(card, cmd)->cur_df;
    sfc_file *priv = fs_child_by_fid(df, CF_FID_PRIV);
    sfc_file *pub = fs_child_by_fid(df, CF_FID_PUB);
    if (!priv || !pub || priv->kind != SFC_FILE_EF_BINARY ||
        pub->kind != SFC_FILE_EF_BINARY)
        return SW_FILE_NOT_FOUND;
    uint16_t sw = check_op(card, priv, CF_OP_UPDATE);
    if (sw != SW_OK)
        return sw;
    size_t priv_len = 5 * base + 6, pub_len = 5 * base + 10;
    if (priv->size < priv_len || pub->size < pub_len)
        return SW_NOT_ENOUGH_MEMORY;
    EVP_PKEY *k = sfc_pkey_generate(
        &(sfc_keyspec){.type = "RSA", .bits = base * 16, .rsa_e = e});
    if (!k)
        return SW_UNKNOWN;
    uint8_t *pv = calloc(1, priv_len), *pb = calloc(1, pub_len);
    bool ok = pv && pb;
    if (ok) {
        pv[0] = (uint8_t)((priv_len - 3) >> 8);
        pv[1] = (uint8_t)(priv_len - 3);
        pv[2] = cmd->p1;
        ok = put_bn(k, OSSL_PKEY_PARAM_RSA_FACTOR1, pv + 3, base) &&
             put_bn(k, OSSL_PKEY_PARAM_RSA_FACTOR2, pv + 3 + base, base) &&
             put_bn(k, OSSL_PKEY_PARAM_RSA_COEFFICIENT1, pv + 3 + 2 * base,
                    base) &&
             put_bn(k, OSSL_PKEY_PARAM_RSA_EXPONENT1, pv + 3 + 3 * base,
                    base) &&
             put_bn(k, OSSL_PKEY_PARAM_RSA_EXPONENT2, pv + 3 + 4 * base,
                    base);
        pb[0] = (uint8_t)((pub_len - 3) >> 8);
        pb[1] = (uint8_t)(pub_len - 3);
        pb[2] = cmd->p1;
        ok = ok && put_bn(k, OSSL_PKEY_PARAM_RSA_N, pb + 3, 2 * base) &&
             put_bn(k, OSSL_PKEY_PARAM_RSA_E, pb + 3 + 5 * base, 4);
    }
    if (ok) {
        memset(priv->data, 0, priv->size);
        memset(pub->data, 0, pub->size);
        sfc_file_write(card, priv, 0, pv, priv_len);
        sfc_file_write(card, pub, 0, pb, pub_len);
    }
    if (pv)
        sfc_wipe(pv, priv_len);
    free(pv);
    free(pb);
    EVP_PKEY_free(k);
    return ok ? SW_OK : SW_UNKNOWN;
}

/* The RSA private operation with the CRT parts of EF 0012; `in` and `out`
 * little-endian, 2 * base bytes. */
static bool rsa_crt(const uint8_t *key, size_t base, const uint8_t *in,
                    uint8_t *out)
{
    BN_CTX *ctx = BN_CTX_new();
    BIGNUM *p = BN_lebin2bn(key, (int)base, NULL);
    BIGNUM *q = BN_lebin2bn(key + base, (int)base, NULL);
    BIGNUM *qinv = BN_lebin2bn(key + 2 * base, (int)base, NULL);
    BIGNUM *dp = BN_lebin2bn(key + 3 * base, (int)base, NULL);
    BIGNUM *dq = BN_lebin2bn(key + 4 * base, (int)base, NULL);
    BIGNUM *c = BN_lebin2bn(in, (int)(2 * base), NULL);
    BIGNUM *m1 = BN_new(), *m2 = BN_new(), *h = BN_new(), *n = BN_new();
    bool ok = ctx && p && q && qinv && dp && dq && c && m1 && m2 && h && n &&
              !BN_is_zero(p) && !BN_is_zero(q);
    if (ok) {
        BN_set_flags(dp, BN_FLG_CONSTTIME);
        BN_set_flags(dq, BN_FLG_CONSTTIME);
        ok = BN_mul(n, p, q, ctx) == 1 && BN_cmp(c, n) < 0 &&
             BN_mod_exp(m1, c, dp, p, ctx) == 1 &&
             BN_mod_exp(m2, c, dq, q, ctx) == 1 &&
             BN_mod_sub(h, m1, m2, p, ctx) == 1 &&
             BN_mod_mul(h, h, qinv, p, ctx) == 1 &&
             BN_mul(h, h, q, ctx) == 1 && BN_add(h, h, m2) == 1 &&
             BN_bn2lebinpad(h, out, (int)(2 * base)) == (int)(2 * base);
    }
    BN_clear_free(p);
    BN_clear_free(q);
    BN_clear_free(qinv);
    BN_clear_free(dp);
    BN_clear_free(dq);
    BN_clear_free(c);
    BN_clear_free(m1);
    BN_clear_free(m2);
    BN_clear_free(h);
    BN_free(n);
    BN_CTX_free(ctx);
    return ok;
}

/* C0 88 00 keynum Lc data (byte-reversed), or for 2048 bits 10 88 with the
 * first 10 bytes and 00 88 with the other 246: the RSA private-key
 * operation with EF 0012 of the current DF, under its UPDATE condition;
 * the result byte-reversed behind 61xx. */
static uint16_t cf_rsa(sfc_card *card, const sfc_cmd *cmd, sfc_resp *resp)
{
    if (cmd->p1 != 0)
        return SW_WRONG_P1P2;
    sfc_file *df = sfc_channel_of(card, cmd)->cur_df;
    sfc_file *priv = fs_child_by_fid(df, CF_FID_PRIV);
    if (!priv || priv->kind != SFC_FILE_EF_BINARY || priv->size < 3)
        return SW_FILE_NOT_FOUND;
    uint16_t sw = check_op(card, priv, CF_OP_UPDATE);
    if (sw != SW_OK)
        return sw;
    size_t len = (size_t)priv->data[0] << 8 | priv->data[1];
    size_t base = len >= 3 ? (len - 3) / 5 : 0;
    if ((base != 32 && base != 48 && base != 64 && base != 128) ||
        len != 5 * base + 3 || priv->size < len + 3 ||
        priv->data[2] != cmd->p2)
        return SW_REF_NOT_FOUND;
    if (cmd->nc != 2 * base)
        return SW_WRONG_LENGTH;
    uint8_t out[256];
    if (!rsa_crt(priv->data + 3, base, cmd->data, out))
        return SW_WRONG_DATA;
    sfc_resp_put(resp, out, 2 * base);
    sfc_wipe(out, sizeof(out));
    return SW_OK;
}

/* ---- the card type -------------------------------------------------------- */

#define PROP(ins, fn, flags, name) \
    {ins, fn, SFC_INS_PROPRIETARY | (flags), name}

static const sfc_ins_def cf_prop_ins[] = {
    PROP(0xA4, cf_select, 0, "SELECT"),
    PROP(0xC0, os_get_response, SFC_INS_NO_CHAIN | SFC_INS_KEEPS_PENDING,
         "GET RESPONSE"),
    PROP(0xB0, cf_read_binary, 0, "READ BINARY"),
    PROP(0xD6, cf_update_binary, SFC_INS_MUTATES, "UPDATE BINARY"),
    PROP(0x20, cf_verify, SFC_INS_SECRET_DATA | SFC_INS_MUTATES, "VERIFY"),
    PROP(0x2A, cf_verify_key, SFC_INS_SECRET_DATA | SFC_INS_MUTATES,
         "VERIFY KEY"),
    PROP(0x22, cf_logout, 0, "LOGOUT"),
    PROP(0xE0, cf_create_file, SFC_INS_MUTATES, "CREATE FILE"),
    PROP(0xE4, cf_delete_file, SFC_INS_MUTATES, "DELETE FILE"),
    PROP(0xA8, cf_list_files, 0, "LIST FILES"),
    PROP(0x46, cf_generate, SFC_INS_MUTATES, "GENERATE RSA KEY"),
    PROP(0x88, cf_rsa, SFC_INS_SECRET_DATA, "INTERNAL AUTHENTICATE"),
};

static const uint8_t atr_keygen[] = {0x3B, 0xE2, 0x00, 0x00,
                                     0x40, 0x20, 0x49, 0x07};
static const uint8_t atr_reference[] = {0x3B, 0xE2, 0x00, 0x00,
                                        0x40, 0x20, 0x49, 0x06};

static sfc_err hex8(const sfc_card_options *opts, const char *name,
                    const uint8_t *dflt, uint8_t out[8], char *err,
                    size_t errlen)
{
    const char *hex = sfc_param_get(opts, name);
    if (!hex) {
        memcpy(out, dflt, 8);
        return SFC_OK;
    }
    size_t n = 0;
    if (hex_decode(hex, out, 8, &n) != SFC_OK || n != 8) {
        sfc_errf(err, errlen, "%s must be 8 bytes in hex (16 digits)", name);
        return SFC_E_INVAL;
    }
    return SFC_OK;
}

static sfc_err add_ef(sfc_card *card, uint16_t fid, const uint8_t *data,
                      size_t len, uint8_t ac0, uint8_t ac2)
{
    sfc_file *f = NULL;
    uint8_t h[CF_HDR_LEN];
    sfc_err rv = sfc_ef_add(card, card->mf, fid, 0, data, len, &f);
    if (rv != SFC_OK)
        return rv;
    make_hdr(h, (uint16_t)len, fid, CF_TYPE_EF, ac0, ac0, ac2);
    return set_hdr(f, h) ? SFC_OK : SFC_E_NOMEM;
}

/* A factory card: the MF (files created under AUT1), EF 0002 with the
 * serial number, EF 0011 with the transport key. */
static sfc_err cf_create(sfc_card *card, const sfc_card_options *opts,
                         char *err, size_t errlen)
{
    uint8_t serial[8], aak[8], rnd[8];
    sfc_err rv = sfc_card_random(card, rnd, sizeof(rnd));
    if (rv != SFC_OK) {
        sfc_errf(err, errlen, "random generator failed");
        return rv;
    }
    if ((rv = hex8(opts, "serial", rnd, serial, err, errlen)) != SFC_OK ||
        (rv = hex8(opts, "transport-key", default_aak, aak, err, errlen)) !=
            SFC_OK)
        return rv;
    uint8_t h[CF_HDR_LEN];
    /* MF: LIST always; DELETE and CREATE with AUT1 (key 1). */
    make_hdr(h, 0, FID_MF, CF_TYPE_DF, 0x00, 0x44, 0x44);
    h[14] = 0x11;
    h[15] = 0x11;
    if (!set_hdr(card->mf, h)) {
        sfc_errf(err, errlen, "out of memory");
        return SFC_E_NOMEM;
    }
    uint8_t key_file[CF_AAK_LEN] = {0x01, 0x00};
    memcpy(key_file + 2, aak, 8);
    key_file[10] = key_file[11] = CF_AAK_TRIES;
    rv = add_ef(card, CF_FID_SERIAL, serial, sizeof(serial), 0x0F, 0x44);
    if (rv == SFC_OK)
        rv = add_ef(card, CF_FID_AAK, key_file, sizeof(key_file), 0xF4, 0x44);
    sfc_wipe(key_file, sizeof(key_file));
    sfc_wipe(aak, sizeof(aak));
    if (rv != SFC_OK)
        sfc_errf(err, errlen, "cannot create the factory files");
    return rv;
}

static sfc_err cf_attach(sfc_card *card, const sfc_card_options *opts,
                         char *err, size_t errlen)
{
    const char *atr = sfc_param_get(opts, "atr");
    const uint8_t *a = atr_keygen;
    if (atr && strcmp(atr, "reference") == 0)
        a = atr_reference;
    else if (atr && strcmp(atr, "keygen") != 0) {
        sfc_errf(err, errlen, "atr must be 'keygen' (3B E2 00 00 40 20 49 07) "
                 "or 'reference' (3B E2 00 00 40 20 49 06)");
        return SFC_E_INVAL;
    }
    cf_state *st = calloc(1, sizeof(*st));
    if (!st) {
        sfc_errf(err, errlen, "out of memory");
        return SFC_E_NOMEM;
    }
    sfc_card_set_type_state(card, st);
    /* Interindustry class: only GET RESPONSE and the 2048-bit chain of the
     * RSA operation (10 88, then 00 88). */
    static const uint8_t keep[] = {0xC0};
    sfc_card_keep_ins(card, keep, sizeof(keep));
    static const sfc_ins_def rsa_iso = {0x88, cf_rsa, SFC_INS_SECRET_DATA,
                                        "INTERNAL AUTHENTICATE"};
    sfc_card_set_ins(card, &rsa_iso);
    for (size_t i = 0; i < sizeof(cf_prop_ins) / sizeof(cf_prop_ins[0]); i++)
        sfc_card_set_ins(card, &cf_prop_ins[i]);
    return sfc_card_set_atr(card, a, sizeof(atr_keygen));
}

static void cf_detach(sfc_card *card)
{
    free(sfc_card_type_state(card));
    sfc_card_set_type_state(card, NULL);
}

static const sfc_param_def cf_params[] = {
    {"atr", "keygen|reference",
     "keygen: 3B E2 00 00 40 20 49 07, which OpenSC maps to a Cryptoflex "
     "with on-card key generation (default); reference: vicc's "
     "3B E2 00 00 40 20 49 06 (OpenSC: no key generation)",
     SFC_PARAM_KEEP},
    {"serial", "HEX", "the 8-byte serial number in EF 0002 (default random)",
     0},
    {"transport-key", "HEX",
     "the 8-byte transport key AUT1 (default 2C15E526E93E8A19, OpenSC's)",
     SFC_PARAM_SECRET},
    {NULL, NULL, NULL, 0}};

const sfc_card_type sfc_type_cryptoflex = {
    .abi = SFC_CARD_TYPE_ABI,
    .name = "cryptoflex",
    .description = "Schlumberger Cryptoflex as OpenSC's flex driver and "
                   "pkcs15-init drive it (T=0, class C0/F0)",
    .params = cf_params,
    .create = cf_create,
    .attach = cf_attach,
    .detach = cf_detach,
};
