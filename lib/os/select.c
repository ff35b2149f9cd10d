/* SPDX-License-Identifier: LGPL-2.1-or-later */
/**
 * @file select.c
 * @brief SELECT (A4) and the file-addressing rules shared with DELETE FILE,
 *        ACTIVATE, DEACTIVATE and TERMINATE.
 *
 * P1 selects the addressing method (ISO/IEC 7816-4 §11.2.2):
 *   00  MF, DF or EF by identifier: empty data or 3F00 = MF; otherwise the
 *       FID is looked up among the current DF's children, the current DF
 *       itself, its parent and the parent's children. Longer even-length
 *       data is taken as a path, absolute when it starts with 3F00 and
 *       relative to the current DF otherwise (reference-compatible).
 *   01  child DF, 02 child EF of the current DF, 03 parent of the current DF
 *   04  DF name, right-truncated; P2 b2-b1 first/last/next/previous
 *       occurrence over all named DFs of the card in tree order
 *   08  path from the MF (a leading 3F00 is tolerated), 09 path from the
 *       current DF
 * P2 b4-b3 choose the answer: FCI (6F), FCP (62), FMD (64) or nothing.
 * A failed selection leaves the current files (and so the current
 * application) unchanged. Selecting an application's DF lets its select
 * hook answer, if it has one (an application property template). Selecting a
 * deactivated file answers 6283, a terminated one 6285, with the FCI.
 */
#include "os/select.h"

#include <stdlib.h>

#include "os/fcp.h"
#include "os/iso.h"
#include "core/sw.h"

enum { OCC_FIRST = 0, OCC_LAST = 1, OCC_NEXT = 2, OCC_PREVIOUS = 3 };

static sfc_file *child_of_kind(const sfc_file *df, uint16_t fid, bool want_df)
{
    sfc_file *f = fs_child_by_fid(df, fid);
    if (!f || fs_is_df(f) != want_df)
        return NULL;
    return f;
}

/* P1 = 00 with a two-byte FID: the ISO search order around the current DF. */
static sfc_file *find_near(sfc_card *card, const sfc_channel *ch, uint16_t fid)
{
    if (fid == FID_MF)
        return card->mf;
    sfc_file *df = ch->cur_df;
    sfc_file *f = fs_child_by_fid(df, fid);
    if (f)
        return f;
    if (df->fid == fid)
        return df;
    if (df->parent) {
        if (df->parent->fid == fid)
            return df->parent;
        return fs_child_by_fid(df->parent, fid);
    }
    return NULL;
}

static uint16_t walk_path(sfc_file *from, const uint8_t *path, size_t len,
                          sfc_file **out)
{
    sfc_file *f = from;
    for (size_t i = 0; i < len; i += 2) {
        uint16_t fid = sfc_get_u16be(path + i);
        if (!fs_is_df(f))
            return SW_FILE_NOT_FOUND;
        if (fid == FID_RESERVED && i == 0)
            continue; /* 3FFF at the start stands for the current DF */
        f = fs_child_by_fid(f, fid);
        if (!f)
            return SW_FILE_NOT_FOUND;
    }
    *out = f;
    return SW_OK;
}

static uint16_t by_identifier(sfc_card *card, const sfc_channel *ch,
                              const uint8_t *data, size_t len, sfc_file **out)
{
    if (len == 0) {
        *out = card->mf;
        return SW_OK;
    }
    if (len % 2)
        return SW_WRONG_LENGTH;
    if (len == 2) {
        *out = find_near(card, ch, sfc_get_u16be(data));
        return *out ? SW_OK : SW_FILE_NOT_FOUND;
    }
    if (sfc_get_u16be(data) == FID_MF)
        return walk_path(card->mf, data + 2, len - 2, out);
    return walk_path(ch->cur_df, data, len, out);
}

static size_t index_of(sfc_file **list, size_t n, const sfc_file *f)
{
    for (size_t i = 0; i < n; i++)
        if (list[i] == f)
            return i;
    return n;
}

static uint16_t by_name(sfc_card *card, const sfc_channel *ch,
                        const uint8_t *name, size_t len, uint8_t occurrence,
                        sfc_file **out)
{
    if (len > SFC_DF_NAME_MAX)
        return SW_FILE_NOT_FOUND;
    size_t n = fs_df_names_matching(card->mf, name, len, NULL, 0);
    if (n == 0)
        return SW_FILE_NOT_FOUND;
    sfc_file **list = calloc(n, sizeof(*list));
    if (!list)
        return SW_MEMORY_FAILURE;
    fs_df_names_matching(card->mf, name, len, list, n);
    size_t cur = index_of(list, n, ch->cur_df);
    size_t pick = n; /* n = none */
    switch (occurrence) {
    case OCC_FIRST: pick = 0; break;
    case OCC_LAST: pick = n - 1; break;
    case OCC_NEXT: pick = cur == n ? 0 : cur + 1; break;
    case OCC_PREVIOUS: pick = cur == n ? n - 1 : (cur == 0 ? n : cur - 1); break;
    }
    *out = pick < n ? list[pick] : NULL;
    free(list);
    return *out ? SW_OK : SW_FILE_NOT_FOUND;
}

uint16_t sfc_locate(sfc_card *card, const sfc_channel *ch, uint8_t p1,
                   uint8_t occurrence, const uint8_t *data, size_t len,
                   sfc_file **out)
{
    *out = NULL;
    if (occurrence != OCC_FIRST && p1 != 0x04)
        return SW_WRONG_P1P2;
    switch (p1) {
    case 0x00:
        return by_identifier(card, ch, data, len, out);
    case 0x01:
    case 0x02:
        if (len != 2)
            return SW_WRONG_LENGTH;
        *out = child_of_kind(ch->cur_df, sfc_get_u16be(data), p1 == 0x01);
        return *out ? SW_OK : SW_FILE_NOT_FOUND;
    case 0x03:
        if (len != 0)
            return SW_WRONG_LENGTH;
        *out = ch->cur_df->parent;
        return *out ? SW_OK : SW_FILE_NOT_FOUND;
    case 0x04:
        return by_name(card, ch, data, len, occurrence, out);
    case 0x08:
        if (len % 2)
            return SW_WRONG_LENGTH;
        if (len >= 2 && sfc_get_u16be(data) == FID_MF) {
            data += 2;
            len -= 2;
        }
        return walk_path(card->mf, data, len, out);
    case 0x09:
        if (len == 0 || len % 2)
            return SW_WRONG_LENGTH;
        return walk_path(ch->cur_df, data, len, out);
    default:
        return SW_WRONG_P1P2;
    }
}

uint16_t sfc_selection_warning(const sfc_file *f)
{
    if (fs_lcs_terminated(f->lcs))
        return SW_WARN_TERMINATED;
    if (fs_lcs_deactivated(f->lcs))
        return SW_WARN_DEACTIVATED;
    return SW_OK;
}

static bool put_answer(const sfc_file *f, uint8_t kind, sfc_buf *out)
{
    switch (kind) {
    case 0x00: return fci_encode(f, out);
    case 0x04: return fcp_encode(f, out);
    case 0x08: return fmd_encode(f, out);
    default: return true; /* 0C: no response data */
    }
}

uint16_t iso_select(sfc_card *card, const sfc_cmd *cmd, sfc_resp *resp)
{
    if (cmd->p2 & 0xF0)
        return SW_WRONG_P1P2;
    sfc_channel *ch = sfc_channel_of(card, cmd);
    sfc_file *f;
    uint16_t sw = sfc_locate(card, ch, cmd->p1, cmd->p2 & 0x03, cmd->data,
                            cmd->nc, &f);
    if (sw != SW_OK)
        return sw;
    sfc_make_current(ch, f);
    if (f->app && f->app->def->select)
        return f->app->def->select(card, f->app, cmd, resp);
    if (!put_answer(f, cmd->p2 & 0x0C, &resp->data))
        return SW_UNKNOWN;
    return sfc_selection_warning(f);
}
