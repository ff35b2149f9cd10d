/* SPDX-License-Identifier: LGPL-2.1-or-later */
/**
 * @file fs.c
 * @brief The file tree: construction, linking with ISO uniqueness rules,
 *        lookup, walks, memory accounting and per-channel current files.
 *
 * Children are kept in a singly linked list in creation order, which is also
 * the order in which DF names are matched for "first/next occurrence". The
 * tree never holds a file twice; fs_link() refuses anything that would make
 * selection ambiguous (duplicate FID or SFI among siblings, duplicate DF name
 * anywhere on the card).
 */
#include "os/fs.h"

#include <stdlib.h>
#include <string.h>

#include "core/bytes.h"
#include "core/sw.h"

static sfc_file *file_alloc(sfc_file_kind kind, uint16_t fid)
{
    sfc_file *f = calloc(1, sizeof(*f));
    if (!f)
        return NULL;
    f->kind = kind;
    f->fid = fid;
    f->lcs = LCS_ACTIVATED;
    return f;
}

sfc_file *fs_df_new(uint16_t fid, const uint8_t *name, size_t name_len)
{
    if (name_len > SFC_DF_NAME_MAX || (name_len && !name))
        return NULL;
    sfc_file *f = file_alloc(SFC_FILE_DF, fid);
    if (!f)
        return NULL;
    f->fdb = FDB_DF;
    if (name_len)
        memcpy(f->name, name, name_len);
    f->name_len = (uint8_t)name_len;
    return f;
}

sfc_file *fs_ef_binary_new(uint16_t fid, size_t size, uint8_t sfi)
{
    sfc_file *f = file_alloc(SFC_FILE_EF_BINARY, fid);
    if (!f)
        return NULL;
    f->fdb = FDB_EF_TRANSPARENT;
    f->dcb = DCB_DEFAULT;
    f->sfi = sfi;
    f->size = size;
    if (size) {
        f->data = calloc(1, size);
        if (!f->data) {
            free(f);
            return NULL;
        }
    }
    return f;
}

sfc_file *fs_ef_record_new(uint16_t fid, uint8_t fdb, size_t rec_size,
                          size_t max_records, uint8_t sfi)
{
    uint8_t structure = fdb & FDB_STRUCTURE_MASK;
    if (structure < FDB_EF_LINEAR_FIXED)
        return NULL;
    sfc_file *f = file_alloc(SFC_FILE_EF_RECORD, fid);
    if (!f)
        return NULL;
    f->fdb = fdb;
    f->dcb = DCB_DEFAULT;
    f->sfi = sfi;
    f->rec_size = rec_size;
    f->max_records = max_records;
    return f;
}

static void dobjs_free(sfc_dobj *d)
{
    while (d) {
        sfc_dobj *next = d->next;
        if (d->value)
            sfc_wipe(d->value, d->len);
        free(d->value);
        free(d);
        d = next;
    }
}

void fs_free(sfc_file *f)
{
    if (!f)
        return;
    sfc_file *c = f->children;
    while (c) {
        sfc_file *next = c->next;
        fs_free(c);
        c = next;
    }
    if (f->data)
        sfc_wipe(f->data, f->size);
    free(f->data);
    free(f->written);
    for (size_t i = 0; i < f->n_records; i++) {
        if (f->records[i].data)
            sfc_wipe(f->records[i].data, f->records[i].len);
        free(f->records[i].data);
    }
    free(f->records);
    free(f->sec_attr);
    free(f->prop);
    dobjs_free(f->dobjs);
    app_file_gone(f);
    free(f);
}

size_t fs_footprint(const sfc_file *f)
{
    size_t n = sizeof(*f) + f->sec_attr_len + f->prop_len;
    if (f->kind == SFC_FILE_EF_BINARY)
        n += f->size + (f->written ? (f->size + 7) / 8 : 0);
    for (size_t i = 0; i < f->n_records; i++)
        n += sizeof(sfc_record) + f->records[i].len;
    for (const sfc_dobj *d = f->dobjs; d; d = d->next)
        n += sizeof(*d) + d->len;
    return n;
}

size_t fs_tree_footprint(const sfc_file *f)
{
    size_t n = fs_footprint(f);
    for (const sfc_file *c = f->children; c; c = c->next)
        n += fs_tree_footprint(c);
    return n;
}

sfc_file *fs_root(sfc_file *f)
{
    while (f && f->parent)
        f = f->parent;
    return f;
}

bool fs_is_within(const sfc_file *f, const sfc_file *anc)
{
    for (; f; f = f->parent)
        if (f == anc)
            return true;
    return false;
}

unsigned fs_depth(const sfc_file *f)
{
    unsigned d = 0;
    for (; f && f->parent; f = f->parent)
        d++;
    return d;
}

sfc_file *fs_child_by_fid(const sfc_file *df, uint16_t fid)
{
    for (sfc_file *c = df->children; c; c = c->next)
        if (c->fid == fid)
            return c;
    return NULL;
}

sfc_file *fs_child_by_sfi(const sfc_file *df, uint8_t sfi)
{
    if (sfi == 0)
        return NULL;
    for (sfc_file *c = df->children; c; c = c->next)
        if (fs_is_ef(c) && c->sfi == sfi)
            return c;
    return NULL;
}

static bool walk(sfc_file *f, bool (*fn)(sfc_file *, void *), void *user)
{
    if (!fn(f, user))
        return false;
    for (sfc_file *c = f->children; c; c = c->next)
        if (!walk(c, fn, user))
            return false;
    return true;
}

void fs_walk(sfc_file *root, bool (*fn)(sfc_file *f, void *user), void *user)
{
    if (root)
        walk(root, fn, user);
}

struct name_match {
    const uint8_t *prefix;
    size_t prefix_len;
    sfc_file **out;
    size_t max;
    size_t count;
};

static bool match_name(sfc_file *f, void *user)
{
    struct name_match *m = user;
    if (!fs_is_df(f) || f->name_len == 0 || m->prefix_len > f->name_len)
        return true;
    if (m->prefix_len && memcmp(f->name, m->prefix, m->prefix_len) != 0)
        return true;
    if (m->count < m->max)
        m->out[m->count] = f;
    m->count++;
    return true;
}

size_t fs_df_names_matching(sfc_file *root, const uint8_t *prefix,
                            size_t prefix_len, sfc_file **out, size_t max)
{
    struct name_match m = {prefix, prefix_len, out, max, 0};
    fs_walk(root, match_name, &m);
    return m.count;
}

struct exact_name {
    const uint8_t *name;
    size_t len;
    sfc_file *found;
};

static bool find_exact_name(sfc_file *f, void *user)
{
    struct exact_name *e = user;
    if (fs_is_df(f) && f->name_len == e->len &&
        memcmp(f->name, e->name, e->len) == 0) {
        e->found = f;
        return false;
    }
    return true;
}

sfc_file *fs_df_by_name(sfc_file *root, const uint8_t *name, size_t len)
{
    struct exact_name e = {name, len, NULL};
    if (len > 0)
        fs_walk(root, find_exact_name, &e);
    return e.found;
}

static bool fid_is_reserved(uint16_t fid)
{
    return fid == FID_MF || fid == FID_RESERVED || fid == FID_RFU;
}

uint16_t fs_link(sfc_file *parent, sfc_file *child)
{
    if (!parent || !child || !fs_is_df(parent) || child->parent)
        return SW_WRONG_DATA;
    if (fid_is_reserved(child->fid))
        return SW_WRONG_DATA;
    if (child->fid == parent->fid || fs_child_by_fid(parent, child->fid))
        return SW_FILE_EXISTS;
    if (fs_is_ef(child) && child->sfi && fs_child_by_sfi(parent, child->sfi))
        return SW_FILE_EXISTS;
    if (fs_depth(parent) + 1 > SFC_MAX_DEPTH)
        return SW_NOT_ENOUGH_MEMORY;
    if (fs_is_df(child) && child->name_len) {
        if (fs_df_by_name(fs_root(parent), child->name, child->name_len))
            return SW_DF_NAME_EXISTS;
    }
    child->parent = parent;
    child->next = NULL;
    sfc_file **tail = &parent->children;
    while (*tail)
        tail = &(*tail)->next;
    *tail = child;
    return SW_OK;
}

void fs_unlink(sfc_file *f)
{
    if (!f || !f->parent)
        return;
    for (sfc_file **p = &f->parent->children; *p; p = &(*p)->next) {
        if (*p == f) {
            *p = f->next;
            break;
        }
    }
    f->parent = NULL;
    f->next = NULL;
}

void sfc_make_current(sfc_channel *ch, sfc_file *f)
{
    if (fs_is_df(f)) {
        ch->cur_df = f;
        ch->cur_ef = NULL;
    } else {
        ch->cur_df = f->parent;
        ch->cur_ef = f;
    }
    ch->rec_ptr = 0;
}

void sfc_forget_subtree(sfc_card *card, sfc_file *f)
{
    for (size_t i = 0; i < SFC_MAX_CHANNELS; i++) {
        sfc_channel *ch = &card->ch[i];
        if (!ch->open)
            continue;
        if (ch->cur_ef && fs_is_within(ch->cur_ef, f)) {
            ch->cur_ef = NULL;
            ch->rec_ptr = 0;
        }
        if (ch->cur_df && fs_is_within(ch->cur_df, f)) {
            sfc_app *left = app_of_file(ch->cur_df);
            ch->cur_df = f->parent ? f->parent : card->mf;
            app_now_current(app_of_file(ch->cur_df)); /* an outer one */
            app_track(card, left); /* while its DF still exists */
        }
    }
}

uint16_t sfc_resolve_ef(sfc_card *card, sfc_channel *ch, uint8_t sfi,
                       sfc_file **out)
{
    (void)card;
    if (sfi == 0) {
        if (!ch->cur_ef)
            return SW_NO_CURRENT_EF;
        *out = ch->cur_ef;
        return SW_OK;
    }
    sfc_file *f = fs_child_by_sfi(ch->cur_df, sfi);
    if (!f)
        return SW_FILE_NOT_FOUND;
    if (ch->cur_ef != f)
        sfc_make_current(ch, f);
    *out = f;
    return SW_OK;
}

bool sfc_mem_charge(sfc_card *card, long delta)
{
    if (delta < 0) {
        size_t give = (size_t)(-delta);
        card->mem_used = give > card->mem_used ? 0 : card->mem_used - give;
        return true;
    }
    if ((size_t)delta > card->mem_limit - card->mem_used)
        return false;
    card->mem_used += (size_t)delta;
    return true;
}

/* ---- the file interface of card types (softcard-cardtype.h) -------------- */

/* Link a new file and charge its memory; on failure it is freed. */
static sfc_err add_file(sfc_card *card, sfc_file *parent, sfc_file *f,
                        sfc_file **out)
{
    if (!f)
        return SFC_E_NOMEM;
    if (!parent || !fs_is_df(parent) || fs_link(parent, f) != SW_OK) {
        fs_free(f);
        return SFC_E_INVAL;
    }
    if (!sfc_mem_charge(card, (long)fs_footprint(f))) {
        fs_unlink(f);
        fs_free(f);
        return SFC_E_RANGE;
    }
    if (out)
        *out = f;
    return SFC_OK;
}

sfc_err sfc_df_add(sfc_card *card, sfc_file *parent, uint16_t fid,
                   const uint8_t *name, size_t name_len, sfc_file **out)
{
    if (name_len > SFC_DF_NAME_MAX)
        return SFC_E_INVAL;
    return add_file(card, parent, fs_df_new(fid, name, name_len), out);
}

sfc_err sfc_ef_add(sfc_card *card, sfc_file *parent, uint16_t fid,
                   uint8_t sfi, const uint8_t *data, size_t len,
                   sfc_file **out)
{
    if (len > 65535u || sfi > 30)
        return SFC_E_RANGE;
    sfc_file *ef = fs_ef_binary_new(fid, len, sfi);
    if (ef && len)
        memcpy(ef->data, data, len);
    return add_file(card, parent, ef, out);
}

sfc_err sfc_file_set_rules(sfc_card *card, sfc_file *file,
                           const uint8_t *attr, size_t len)
{
    long delta = (long)len - (long)file->sec_attr_len;
    if (!sfc_mem_charge(card, delta))
        return SFC_E_RANGE;
    uint8_t *copy = len ? malloc(len) : NULL;
    if (len && !copy) {
        sfc_mem_charge(card, -delta);
        return SFC_E_NOMEM;
    }
    if (len)
        memcpy(copy, attr, len);
    free(file->sec_attr);
    file->sec_attr = copy;
    file->sec_attr_len = len;
    return SFC_OK;
}

sfc_file *sfc_file_child(const sfc_file *df, uint16_t fid)
{
    return df && fs_is_df(df) ? fs_child_by_fid(df, fid) : NULL;
}

sfc_file *sfc_df_by_name(sfc_card *card, const uint8_t *name, size_t len)
{
    return fs_df_by_name(card->mf, name, len);
}

bool sfc_file_is_transparent(const sfc_file *file)
{
    return file && file->kind == SFC_FILE_EF_BINARY;
}

const uint8_t *sfc_file_data(const sfc_file *file, size_t *len)
{
    bool binary = file->kind == SFC_FILE_EF_BINARY;
    *len = binary ? file->size : 0;
    return binary ? file->data : NULL;
}

sfc_err sfc_file_write(sfc_card *card, sfc_file *file, size_t offset,
                       const uint8_t *data, size_t len)
{
    if (file->kind != SFC_FILE_EF_BINARY)
        return SFC_E_INVAL;
    if (offset > file->size || len > file->size - offset)
        return SFC_E_RANGE;
    memcpy(file->data + offset, data, len);
    sfc_mark_dirty(card);
    return SFC_OK;
}

sfc_file *sfc_current_df(sfc_card *card, const sfc_cmd *cmd)
{
    return card->ch[cmd->channel].cur_df;
}

sfc_file *sfc_current_ef(sfc_card *card, const sfc_cmd *cmd)
{
    return card->ch[cmd->channel].cur_ef;
}
