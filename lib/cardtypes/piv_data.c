/* SPDX-License-Identifier: LGPL-2.1-or-later */
/**
 * @file piv_data.c
 * @brief PIV data objects: GET DATA (CB) and PUT DATA (DB), the objects a
 *        fresh card holds (CHUID, CCC, discovery object) and their access
 *        rules.
 *
 * Objects are BER data objects of the application's DF (the card image
 * keeps them), stored under their PIV tag with the value of the 53 wrapper;
 * the discovery object 7E is stored and answered as itself. Known tags:
 * 7E, 5FC101..5FC123 (SP 800-73-4 table 3) and Yubico's 5FFF00..5FFF15.
 * Reading 5FC103 (fingerprints), 5FC108 (facial image), 5FC109 (printed
 * information) and 5FC121 (iris) needs the PIN; everything else is free to
 * read. Writing needs the management key; 7E is read-only.
 *
 *   GET DATA  00 CB 3F FF {5C tag}       -> 53 L value | 7E L value
 *   PUT DATA  00 DB 3F FF {5C tag, 53 L value} (53 00 deletes)
 * P1-P2 other than 3F FF answer 6A86, malformed data 6A80, absent objects
 * 6A82.
 */
#include "cardtypes/piv.h"

#include <string.h>

#include "core/sw.h"
#include "core/tlv.h"
#include "os/dataobj.h"
#include "os/fs.h"

static bool tag_known(uint32_t tag)
{
    return tag == PIV_TAG_DISCOVERY ||
           (tag >= 0x5FC101u && tag <= 0x5FC123u) ||
           (tag >= 0x5FFF00u && tag <= 0x5FFF15u);
}

static bool tag_needs_pin(uint32_t tag)
{
    return tag == 0x5FC103u || tag == 0x5FC108u || tag == 0x5FC109u ||
           tag == 0x5FC121u;
}

uint32_t piv_cert_tag(uint8_t slot)
{
    switch (slot) {
    case PIV_KEY_AUTH: return 0x5FC105u;
    case PIV_KEY_SIGN: return 0x5FC10Au;
    case PIV_KEY_KEYMGM: return 0x5FC10Bu;
    case PIV_KEY_CARDAUTH: return 0x5FC101u;
    case PIV_KEY_ATTEST: return PIV_TAG_ATTEST_CERT;
    default:
        return slot >= 0x82 && slot <= 0x95 ? 0x5FC10Du + (slot - 0x82u) : 0;
    }
}

/* The tag named by a 5C object that is the whole of `data`; 0 if bad. */
static uint32_t tag_list(const uint8_t *data, size_t len, size_t *used)
{
    ber_tlv t;
    if (ber_decode(data, len, &t) != SFC_OK || t.tag != 0x5C || t.len < 1 ||
        t.len > 3)
        return 0;
    uint32_t tag = 0;
    for (size_t i = 0; i < t.len; i++)
        tag = tag << 8 | t.value[i];
    *used = t.size;
    return tag;
}

static sfc_file *piv_df(sfc_card *card, const sfc_cmd *cmd)
{
    return sfc_app_df(piv_app_of(card, cmd));
}

uint16_t piv_get_data(sfc_card *card, const sfc_cmd *cmd, sfc_resp *resp)
{
    size_t used = 0;
    if (cmd->p1 != 0x3F || cmd->p2 != 0xFF)
        return SW_WRONG_P1P2;
    uint32_t tag = tag_list(cmd->data, cmd->nc, &used);
    if (!tag || used != cmd->nc)
        return SW_WRONG_DATA;
    if (!tag_known(tag))
        return SW_FILE_NOT_FOUND;
    const sfc_dobj *d = sfc_dobj_find(piv_df(card, cmd), tag, false);
    if (!d)
        return SW_FILE_NOT_FOUND;
    if (tag_needs_pin(tag) &&
        !sfc_right_has(card, piv_app_of(card, cmd), PIV_RIGHT_PIN))
        return SW_SECURITY_STATUS;
    return ber_put(&resp->data, tag == PIV_TAG_DISCOVERY ? tag : 0x53,
                   d->value, d->len)
               ? SW_OK
               : SW_UNKNOWN;
}

uint16_t piv_object_put(sfc_card *card, sfc_file *df, uint32_t tag,
                        const uint8_t *value, size_t len)
{
    return sfc_dobj_put(card, df, tag, false, value, len);
}

uint16_t piv_put_data(sfc_card *card, const sfc_cmd *cmd, sfc_resp *resp)
{
    size_t used = 0;
    ber_tlv v;
    (void)resp;
    if (cmd->p1 != 0x3F || cmd->p2 != 0xFF)
        return SW_WRONG_P1P2;
    uint16_t sw = piv_need_mgm(card, cmd);
    if (sw != SW_OK)
        return sw;
    uint32_t tag = tag_list(cmd->data, cmd->nc, &used);
    if (!tag || ber_decode(cmd->data + used, cmd->nc - used, &v) != SFC_OK ||
        v.tag != 0x53 || used + v.size != cmd->nc)
        return SW_WRONG_DATA;
    if (!tag_known(tag))
        return SW_FILE_NOT_FOUND;
    if (tag == PIV_TAG_DISCOVERY)
        return SW_CONDITIONS;
    return piv_object_put(card, piv_df(card, cmd), tag, v.value, v.len);
}

/* ---- the objects of a fresh card ----------------------------------------- */

static bool put_chuid(sfc_buf *b, const uint8_t guid[16])
{
    /* FASC-N of a test card (agency 9999), as yubico-piv-tool writes it */
    static const uint8_t fascn[25] = {
        0xD4, 0xE7, 0x39, 0xDA, 0x73, 0x9C, 0xED, 0x39, 0xCE,
        0x73, 0x9D, 0x83, 0x68, 0x58, 0x21, 0x08, 0x42, 0x10,
        0x84, 0x21, 0xC8, 0x42, 0x10, 0xC3, 0xEB};
    static const char expiry[] = "20301231";
    return ber_put(b, 0x30, fascn, sizeof(fascn)) &&
           ber_put(b, 0x34, guid, 16) &&
           ber_put(b, 0x35, (const uint8_t *)expiry, 8) &&
           ber_put(b, 0x3E, NULL, 0) && ber_put(b, 0xFE, NULL, 0);
}

static bool put_ccc(sfc_buf *b, const uint8_t id[14])
{
    uint8_t card_id[21] = {0xA0, 0x00, 0x00, 0x01, 0x16, 0xFF, 0x02};
    static const uint8_t empty_tags[] = {0xF3, 0xF6, 0xF7, 0xFA,
                                         0xFB, 0xFC, 0xFD, 0xFE};
    memcpy(card_id + 7, id, 14);
    bool ok = ber_put(b, 0xF0, card_id, sizeof(card_id)) &&
              ber_put_u8(b, 0xF1, 0x21) && ber_put_u8(b, 0xF2, 0x21) &&
              ber_put_u8(b, 0xF4, 0x00) && ber_put_u8(b, 0xF5, 0x10);
    for (size_t i = 0; ok && i < sizeof(empty_tags); i++)
        ok = ber_put(b, empty_tags[i], NULL, 0);
    return ok;
}

/* 7E {4F AID, 5F2F PIN usage policy: PIV PIN only} */
static bool put_discovery(sfc_buf *b)
{
    static const uint8_t aid[PIV_AID_LEN] = {PIV_AID_BYTES};
    static const uint8_t policy[] = {0x40, 0x00};
    return ber_put(b, 0x4F, aid, sizeof(aid)) &&
           ber_put(b, 0x5F2F, policy, sizeof(policy));
}

static uint16_t put_built(sfc_card *card, sfc_file *df, uint32_t tag,
                          sfc_buf *b, bool ok)
{
    uint16_t sw = ok && !b->failed
                      ? piv_object_put(card, df, tag, b->data, b->len)
                      : SW_UNKNOWN;
    buf_reset(b);
    return sw;
}

sfc_err piv_default_objects(sfc_card *card, sfc_file *df)
{
    uint8_t rnd[30];
    sfc_buf b;
    if (sfc_card_random(card, rnd, sizeof(rnd)) != SFC_OK)
        return SFC_E_RNG;
    buf_init(&b);
    bool ok = put_built(card, df, PIV_TAG_CHUID, &b, put_chuid(&b, rnd)) ==
                  SW_OK &&
              put_built(card, df, PIV_TAG_CCC, &b, put_ccc(&b, rnd + 16)) ==
                  SW_OK &&
              put_built(card, df, PIV_TAG_DISCOVERY, &b,
                        put_discovery(&b)) == SW_OK;
    buf_free(&b);
    return ok ? SFC_OK : SFC_E_RANGE;
}

void piv_clear_objects(sfc_card *card, sfc_file *df)
{
    while (df->dobjs)
        sfc_dobj_put(card, df, df->dobjs->tag, df->dobjs->simple, NULL, 0);
}
