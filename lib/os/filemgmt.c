/* SPDX-License-Identifier: LGPL-2.1-or-later */
/**
 * @file filemgmt.c
 * @brief File management (ISO/IEC 7816-9): CREATE FILE, DELETE FILE,
 *        ACTIVATE FILE, DEACTIVATE FILE, TERMINATE DF and TERMINATE EF.
 *
 * CREATE FILE takes an FCP template (62 or 6F) and creates the file in the
 * current DF, where it becomes current. Defaults when the template is
 * silent: life cycle "operational, activated" (as the reference, so that a
 * freshly created file is usable without ACTIVATE), DCB 01, no security
 * attributes. An EF without tag 88 gets the five low bits of its FID as SFI
 * when that SFI is valid and free among its siblings (ISO's default rule,
 * applied only where it cannot make creation fail). Linear fixed and cyclic
 * EFs with a record count are created with all their records present,
 * zero-filled, as real cards do.
 *
 * The other commands address a file the way SELECT does (P1 and data); with
 * an empty data field they act on the current file (the current EF if any,
 * else the current DF). The addressed file becomes current.
 */
#include "os/card.h"

#include <stdlib.h>
#include <string.h>

#include "os/access.h"
#include "os/fcp.h"
#include "os/fs.h"
#include "os/iso.h"
#include "os/select.h"
#include "core/sw.h"

#define MAX_RECORD_NUMBER 254u
#define MAX_EF_SIZE 65535u

/* ---- CREATE FILE --------------------------------------------------------- */

static uint8_t default_sfi(const sfc_file *df, uint16_t fid)
{
    uint8_t sfi = fid & 0x1F;
    if (sfi == 0 || sfi > 30 || fs_child_by_sfi(df, sfi))
        return 0;
    return sfi;
}

static uint16_t preallocate_records(sfc_file *f)
{
    f->records = calloc(f->max_records, sizeof(*f->records));
    if (!f->records)
        return SW_NOT_ENOUGH_MEMORY;
    for (size_t i = 0; i < f->max_records; i++) {
        f->records[i].data = calloc(1, f->rec_size);
        if (!f->records[i].data)
            return SW_NOT_ENOUGH_MEMORY;
        f->records[i].len = f->rec_size;
        f->n_records = i + 1;
    }
    return SW_OK;
}

static uint16_t new_record_ef(const fcp_info *fi, uint8_t fdb, sfc_file **out)
{
    bool fixed = (fdb & 0x06) == FDB_EF_LINEAR_FIXED ||
                 (fdb & 0x06) == FDB_EF_CYCLIC;
    if (fixed && (!fi->has_rec_size || fi->rec_size == 0))
        return SW_WRONG_DATA;
    size_t rec_size = fi->has_rec_size ? fi->rec_size : 255;
    size_t n = fi->has_n_records ? fi->n_records
               : (fi->has_size && rec_size) ? fi->size / rec_size
                                            : MAX_RECORD_NUMBER;
    if (rec_size == 0 || n > MAX_RECORD_NUMBER)
        return SW_WRONG_DATA;
    if (n * rec_size > MAX_EF_SIZE * 16u)
        return SW_NOT_ENOUGH_MEMORY;
    sfc_file *f = fs_ef_record_new(fi->fid, fdb, rec_size, n, 0);
    if (!f)
        return SW_NOT_ENOUGH_MEMORY;
    *out = f;
    if (fixed && fi->has_n_records)
        return preallocate_records(f);
    return SW_OK;
}

static uint16_t new_file(const fcp_info *fi, uint8_t fdb, sfc_file **out)
{
    *out = NULL;
    if ((fdb & 0x38) == 0x38)
        *out = fs_df_new(fi->fid, fi->name, fi->name_len);
    else if ((fdb & FDB_STRUCTURE_MASK) == FDB_EF_TRANSPARENT) {
        if (fi->has_size && fi->size > MAX_EF_SIZE)
            return SW_NOT_ENOUGH_MEMORY;
        *out = fs_ef_binary_new(fi->fid, fi->has_size ? fi->size : 0, 0);
    } else if ((fdb & FDB_STRUCTURE_MASK) >= FDB_EF_LINEAR_FIXED)
        return new_record_ef(fi, fdb, out);
    else
        return SW_WRONG_DATA;
    return *out ? SW_OK : SW_NOT_ENOUGH_MEMORY;
}

static bool copy_bytes(uint8_t **dst, size_t *dst_len, const uint8_t *src,
                       size_t len)
{
    if (len == 0)
        return true;
    *dst = malloc(len);
    if (!*dst)
        return false;
    memcpy(*dst, src, len);
    *dst_len = len;
    return true;
}

static uint16_t apply_fcp(sfc_file *f, const fcp_info *fi, uint8_t fdb,
                          uint8_t sfi)
{
    f->fdb = fdb;
    if (fs_is_ef(f)) {
        f->dcb = fi->has_dcb ? fi->dcb : DCB_DEFAULT;
        f->sfi = sfi;
    }
    f->lcs = fi->has_lcs ? fi->lcs : LCS_ACTIVATED;
    if (fs_lcs_terminated(f->lcs))
        return SW_WRONG_DATA;
    if (!copy_bytes(&f->sec_attr, &f->sec_attr_len, fi->sec_attr,
                    fi->sec_attr_len) ||
        !copy_bytes(&f->prop, &f->prop_len, fi->prop, fi->prop_len))
        return SW_NOT_ENOUGH_MEMORY;
    return SW_OK;
}

static uint16_t choose_sfi(const sfc_cmd *cmd, const fcp_info *fi,
                           const sfc_file *df, uint8_t *sfi)
{
    if (fi->has_sfi)
        *sfi = fi->sfi;
    else if (cmd->p2 >> 3)
        *sfi = cmd->p2 >> 3;
    else
        *sfi = default_sfi(df, fi->fid);
    return *sfi <= 30 ? SW_OK : SW_WRONG_P1P2;
}

static uint16_t create_in(sfc_card *card, sfc_channel *ch, const sfc_cmd *cmd,
                          const fcp_info *fi)
{
    uint8_t fdb = fi->has_fdb ? fi->fdb : cmd->p1;
    if (!fi->has_fid || fdb == 0)
        return SW_WRONG_DATA;
    if (fi->has_name && (fdb & 0x38) != 0x38)
        return SW_WRONG_DATA;
    uint8_t sfi = 0;
    uint16_t sw = choose_sfi(cmd, fi, ch->cur_df, &sfi);
    sfc_file *f = NULL;
    if (sw == SW_OK)
        sw = new_file(fi, fdb, &f);
    if (sw == SW_OK)
        sw = apply_fcp(f, fi, fdb, fs_is_ef(f) ? sfi : 0);
    long cost = f ? (long)fs_footprint(f) : 0;
    if (sw == SW_OK && !sfc_mem_charge(card, cost))
        sw = SW_NOT_ENOUGH_MEMORY;
    else if (sw == SW_OK && (sw = fs_link(ch->cur_df, f)) != SW_OK)
        sfc_mem_charge(card, -cost);
    if (sw != SW_OK) {
        fs_free(f);
        return sw;
    }
    sfc_make_current(ch, f);
    return SW_OK;
}

uint16_t iso_create_file(sfc_card *card, const sfc_cmd *cmd, sfc_resp *resp)
{
    (void)resp;
    if (cmd->p2 & 0x07)
        return SW_WRONG_P1P2;
    if (cmd->nc == 0)
        return SW_WRONG_LENGTH;
    sfc_channel *ch = sfc_channel_of(card, cmd);
    sfc_buf sec, prop;
    buf_init(&sec);
    buf_init(&prop);
    fcp_info fi;
    uint16_t sw = fcp_parse(cmd->data, cmd->nc, &fi, &sec, &prop);
    uint8_t fdb = fi.has_fdb ? fi.fdb : cmd->p1;
    if (sw == SW_OK)
        sw = sfc_access(card, ch->cur_df,
                       (fdb & 0x38) == 0x38 ? SFC_AC_CREATE_DF : SFC_AC_CREATE_EF);
    if (sw == SW_OK)
        sw = create_in(card, ch, cmd, &fi);
    buf_free(&sec);
    buf_free(&prop);
    return sw;
}

/* ---- addressing for the other commands ---------------------------------- */

static uint16_t target_of(sfc_card *card, const sfc_cmd *cmd, sfc_file **out)
{
    if (cmd->p2 & 0xF3)
        return SW_WRONG_P1P2;
    sfc_channel *ch = sfc_channel_of(card, cmd);
    if (cmd->nc == 0 && cmd->p1 == 0x00) {
        *out = ch->cur_ef ? ch->cur_ef : ch->cur_df;
        return SW_OK;
    }
    return sfc_locate(card, ch, cmd->p1, 0, cmd->data, cmd->nc, out);
}

uint16_t iso_delete_file(sfc_card *card, const sfc_cmd *cmd, sfc_resp *resp)
{
    (void)resp;
    sfc_file *f;
    uint16_t sw = target_of(card, cmd, &f);
    if (sw != SW_OK)
        return sw;
    if (f == card->mf)
        return SW_CONDITIONS;
    sw = sfc_access(card, f, SFC_AC_DELETE);
    if (sw != SW_OK)
        return sw;
    sfc_forget_subtree(card, f);
    sfc_channel *ch = sfc_channel_of(card, cmd);
    sfc_make_current(ch, f->parent);
    fs_unlink(f);
    sfc_mem_charge(card, -(long)fs_tree_footprint(f));
    fs_free(f);
    return SW_OK;
}

static uint16_t change_lcs(sfc_card *card, const sfc_cmd *cmd, sfc_access_op op,
                           int want_kind)
{
    sfc_file *f;
    uint16_t sw;
    sfc_channel *ch = sfc_channel_of(card, cmd);
    if (want_kind == 2 && cmd->nc == 0 && cmd->p1 == 0x00) {
        /* TERMINATE EF without data: the current EF */
        if (cmd->p2 & 0xF3)
            return SW_WRONG_P1P2;
        if (!ch->cur_ef)
            return SW_NO_CURRENT_EF;
        f = ch->cur_ef;
    } else if (want_kind == 1 && cmd->nc == 0 && cmd->p1 == 0x00) {
        if (cmd->p2 & 0xF3)
            return SW_WRONG_P1P2;
        f = ch->cur_df; /* TERMINATE DF without data: the current DF */
    } else if ((sw = target_of(card, cmd, &f)) != SW_OK) {
        return sw;
    }
    if ((want_kind == 1 && !fs_is_df(f)) || (want_kind == 2 && fs_is_df(f)))
        return SW_INCOMPATIBLE_FILE;
    if ((sw = sfc_access(card, f, op)) != SW_OK)
        return sw;
    switch (op) {
    case SFC_AC_ACTIVATE:
        f->lcs = LCS_ACTIVATED;
        break;
    case SFC_AC_DEACTIVATE:
        if (f->lcs == LCS_CREATION || f->lcs == LCS_INITIALISATION)
            return SW_CONDITIONS; /* only an operational file deactivates */
        f->lcs = LCS_DEACTIVATED;
        break;
    default:
        f->lcs = LCS_TERMINATED;
        break;
    }
    sfc_make_current(ch, f);
    return SW_OK;
}

uint16_t iso_activate_file(sfc_card *card, const sfc_cmd *cmd, sfc_resp *resp)
{
    (void)resp;
    return change_lcs(card, cmd, SFC_AC_ACTIVATE, 0);
}

uint16_t iso_deactivate_file(sfc_card *card, const sfc_cmd *cmd, sfc_resp *resp)
{
    (void)resp;
    return change_lcs(card, cmd, SFC_AC_DEACTIVATE, 0);
}

uint16_t iso_terminate_df(sfc_card *card, const sfc_cmd *cmd, sfc_resp *resp)
{
    (void)resp;
    return change_lcs(card, cmd, SFC_AC_TERMINATE, 1);
}

uint16_t iso_terminate_ef(sfc_card *card, const sfc_cmd *cmd, sfc_resp *resp)
{
    (void)resp;
    return change_lcs(card, cmd, SFC_AC_TERMINATE, 2);
}
