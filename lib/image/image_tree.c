/* SPDX-License-Identifier: LGPL-2.1-or-later */
/**
 * @file image_tree.c
 * @brief Loading the file tree of a card image ("$.mf") with every check
 *        the card itself would make.
 *
 * Each file is read in three steps: its identity (kind, FID, SFI, FDB, DF
 * name) and contents are read and checked against each other (data no
 * larger than the file, records of the declared size, bitmaps of the right
 * length); the file is linked into its parent with fs_link(), after checks
 * that turn a refusal into a precise message (duplicate FID or SFI, DF name
 * used elsewhere, nesting too deep); then its data objects (through
 * sfc_dobj_put, which validates tags and values) and children follow. A
 * file is linked before its children are read, so DF names are checked
 * against the whole tree read so far. At the end the card's memory is
 * charged with exactly fs_tree_footprint() of the new tree, and refused if
 * it exceeds the card's limit.
 */
#include "image/image_schema.h"

#include <stdlib.h>
#include <string.h>

#include "os/dataobj.h"
#include "core/bytes.h"
#include "core/sw.h"
#include "core/tlv.h"

#define MAX_EF_SIZE 65535u
#define MAX_RECORDS 254u
#define MAX_RECORD_SIZE 65535u
#define MAX_ATTR_LEN 65535u

static const char *const df_fields[] = {
    "fid", "kind", "fdb", "lcs", "name", "security", "proprietary",
    "data_objects", "children", NULL};
static const char *const binary_fields[] = {
    "fid", "kind", "fdb", "dcb", "sfi", "lcs", "security", "proprietary",
    "data_objects", "size", "data", "written", NULL};
static const char *const record_fields[] = {
    "fid", "kind", "fdb", "dcb", "sfi", "lcs", "security", "proprietary",
    "data_objects", "rec_size", "max_records", "records", NULL};
static const char *const dobj_fields[] = {"tag", "simple", "value", NULL};

static const char *const kind_names[] = {
    [SFC_FILE_DF] = "df",
    [SFC_FILE_EF_BINARY] = "transparent",
    [SFC_FILE_EF_RECORD] = "record",
};

const char *img_kind_name(sfc_file_kind kind)
{
    return kind <= SFC_FILE_EF_RECORD ? kind_names[kind] : "?";
}

/** The identity of a file as read from the image. */
typedef struct file_id {
    sfc_file_kind kind;
    uint16_t fid;
    uint8_t fdb;
    uint8_t sfi;
} file_id;

/* ---- identity ------------------------------------------------------------ */

static sfc_err read_kind(ij_ctx *c, json_object *obj, sfc_file_kind *kind)
{
    const char *s = NULL;
    if (!json_object_is_type(obj, json_type_object))
        return ij_fail(c, SFC_E_FORMAT, "expected an object (a file)");
    sfc_err rv = ij_string(c, obj, "kind", true, &s);
    if (rv != SFC_OK)
        return rv;
    for (int k = SFC_FILE_DF; k <= SFC_FILE_EF_RECORD; k++) {
        if (strcmp(s, kind_names[k]) == 0) {
            *kind = (sfc_file_kind)k;
            return SFC_OK;
        }
    }
    return ij_fail_at(c, "kind", SFC_E_FORMAT, "'%s' is not a file kind "
                      "(df, transparent or record)", s);
}

static sfc_err check_fdb(ij_ctx *c, sfc_file_kind kind, uint8_t fdb)
{
    bool df_bits = (fdb & FDB_DF) == FDB_DF;
    uint8_t structure = fdb & FDB_STRUCTURE_MASK;
    bool ok = kind == SFC_FILE_DF          ? df_bits
              : kind == SFC_FILE_EF_BINARY ? !df_bits &&
                                                structure == FDB_EF_TRANSPARENT
                                          : !df_bits && structure >= 2;
    if (!ok)
        return ij_fail_at(c, "fdb", SFC_E_FORMAT, "%02X does not describe %s "
                          "file", fdb,
                          kind == SFC_FILE_DF ? "a DF" :
                          kind == SFC_FILE_EF_BINARY ? "a transparent" :
                                                      "a record");
    return SFC_OK;
}

static sfc_err read_identity(ij_ctx *c, json_object *obj, file_id *id)
{
    static const char *const *fields[] = {df_fields, binary_fields,
                                          record_fields};
    uint8_t fid[2];
    uint64_t sfi = 0;
    sfc_err rv = read_kind(c, obj, &id->kind);
    if (rv == SFC_OK)
        rv = ij_object(c, obj, fields[id->kind]);
    if (rv == SFC_OK)
        rv = ij_hex_fixed(c, obj, "fid", true, fid, 2, NULL);
    if (rv == SFC_OK && id->kind != SFC_FILE_DF)
        rv = ij_uint(c, obj, "sfi", false, 0, 30, &sfi);
    id->fid = (uint16_t)(fid[0] << 8 | fid[1]);
    id->sfi = (uint8_t)sfi;
    id->fdb = id->kind == SFC_FILE_DF ? FDB_DF : FDB_EF_TRANSPARENT;
    if (rv == SFC_OK)
        rv = ij_byte(c, obj, "fdb", id->kind == SFC_FILE_EF_RECORD, &id->fdb,
                     NULL);
    return rv == SFC_OK ? check_fdb(c, id->kind, id->fdb) : rv;
}

/* ---- contents ------------------------------------------------------------ */

static sfc_err new_df(ij_ctx *c, json_object *obj, const file_id *id,
                     sfc_file **out)
{
    uint8_t *name = NULL;
    size_t len = 0;
    sfc_err rv = ij_hex(c, obj, "name", false, SFC_DF_NAME_MAX, &name, &len,
                       NULL);
    if (rv == SFC_OK && !(*out = fs_df_new(id->fid, name, len)))
        rv = ij_fail(c, SFC_E_NOMEM, "out of memory");
    free(name);
    return rv;
}

static sfc_err read_written(ij_ctx *c, json_object *obj, sfc_file *f)
{
    size_t want = (f->size + 7) / 8;
    uint8_t *bits = NULL;
    size_t len = 0;
    bool present = false;
    sfc_err rv = ij_hex(c, obj, "written", false, SIZE_MAX, &bits, &len,
                       &present);
    if (rv != SFC_OK || !present || f->size == 0) {
        free(bits);
        return rv;
    }
    if (len != want) {
        free(bits);
        return ij_fail_at(c, "written", SFC_E_RANGE, "a bitmap of %zu bytes "
                          "for a %zu-byte file (expected %zu)", len, f->size,
                          want);
    }
    f->written = bits;
    return SFC_OK;
}

static sfc_err new_binary(ij_ctx *c, json_object *obj, const file_id *id,
                         sfc_file **out)
{
    uint8_t *data = NULL;
    size_t len = 0;
    bool sized = false;
    uint64_t size = 0;
    sfc_err rv = ij_hex(c, obj, "data", false, MAX_EF_SIZE, &data, &len, NULL);
    sized = rv == SFC_OK && json_object_object_get_ex(obj, "size", NULL);
    if (rv == SFC_OK)
        rv = ij_uint(c, obj, "size", false, 0, MAX_EF_SIZE, &size);
    if (rv == SFC_OK && !sized)
        size = len;
    if (rv == SFC_OK && len > size)
        rv = ij_fail_at(c, "size", SFC_E_RANGE, "%zu bytes of data for a "
                        "%llu-byte file", len, (unsigned long long)size);
    if (rv == SFC_OK && !(*out = fs_ef_binary_new(id->fid, size, id->sfi)))
        rv = ij_fail(c, SFC_E_NOMEM, "out of memory");
    if (rv == SFC_OK && len)
        memcpy((*out)->data, data, len);
    if (rv == SFC_OK)
        rv = read_written(c, obj, *out);
    if (data)
        sfc_wipe(data, len);
    free(data);
    return rv;
}

/* Linear fixed and cyclic records have the file's record size. */
static sfc_err check_record(ij_ctx *c, const sfc_file *f, size_t len)
{
    bool fixed = fs_is_linear_fixed(f) || fs_is_cyclic(f);
    if (fixed && len != f->rec_size)
        return ij_fail(c, SFC_E_RANGE, "a %zu-byte record in a file of "
                       "%zu-byte records", len, f->rec_size);
    if (!fixed && f->rec_size && len > f->rec_size)
        return ij_fail(c, SFC_E_RANGE, "a %zu-byte record in a file of "
                       "records up to %zu bytes", len, f->rec_size);
    return SFC_OK;
}

static sfc_err read_record(ij_ctx *c, json_object *v, sfc_file *f,
                          sfc_record *r)
{
    const char *s = json_object_get_string(v);
    if (!json_object_is_type(v, json_type_string))
        return ij_fail(c, SFC_E_FORMAT, "expected a hex string (a record)");
    size_t cap = strlen(s) / 2 + 1;
    if (!(r->data = malloc(cap)))
        return ij_fail(c, SFC_E_NOMEM, "out of memory");
    if (hex_decode(s, r->data, cap, &r->len) != SFC_OK) {
        r->len = 0;
        return ij_fail(c, SFC_E_FORMAT, "not hex (pairs of the digits 0-9 "
                       "and A-F)");
    }
    if (r->len > MAX_RECORD_SIZE)
        return ij_fail(c, SFC_E_RANGE, "%zu bytes, more than %u", r->len,
                       MAX_RECORD_SIZE);
    return check_record(c, f, r->len);
}

static sfc_err read_records(ij_ctx *c, json_object *obj, sfc_file *f)
{
    json_object *arr = NULL;
    size_t n = 0;
    sfc_err rv = ij_array(c, obj, "records", false, &arr, &n);
    size_t limit = f->max_records ? f->max_records : MAX_RECORDS;
    if (rv == SFC_OK && n > limit)
        rv = ij_fail_at(c, "records", SFC_E_RANGE, "%zu records in a file of "
                        "at most %zu", n, limit);
    if (rv != SFC_OK || n == 0)
        return rv;
    if (!(f->records = calloc(n, sizeof(*f->records))))
        return ij_fail(c, SFC_E_NOMEM, "out of memory");
    size_t mark = ij_key(c, "records");
    for (size_t i = 0; rv == SFC_OK && i < n; i++) {
        size_t m = ij_index(c, i);
        f->n_records = i + 1;
        rv = read_record(c, json_object_array_get_idx(arr, i), f,
                         &f->records[i]);
        ij_back(c, m);
    }
    ij_back(c, mark);
    return rv;
}

static sfc_err new_record_ef(ij_ctx *c, json_object *obj, const file_id *id,
                            sfc_file **out)
{
    uint64_t rec_size = 0, max_records = 0;
    bool fixed = (id->fdb & 0x06) == FDB_EF_LINEAR_FIXED ||
                 (id->fdb & 0x06) == FDB_EF_CYCLIC;
    sfc_err rv = ij_uint(c, obj, "rec_size", fixed, fixed ? 1 : 0,
                        MAX_RECORD_SIZE, &rec_size);
    if (rv == SFC_OK)
        rv = ij_uint(c, obj, "max_records", false, 0, MAX_RECORDS,
                     &max_records);
    if (rv == SFC_OK && !(*out = fs_ef_record_new(id->fid, id->fdb, rec_size,
                                                 max_records, id->sfi)))
        rv = ij_fail(c, SFC_E_NOMEM, "out of memory");
    if (rv == SFC_OK)
        rv = read_records(c, obj, *out);
    return rv;
}

/* A sequence of BER-TLV objects (security attributes, proprietary data). */
static sfc_err read_tlvs(ij_ctx *c, json_object *obj, const char *key,
                        uint8_t **out, size_t *len)
{
    sfc_err rv = ij_hex(c, obj, key, false, MAX_ATTR_LEN, out, len, NULL);
    if (rv != SFC_OK || !*len)
        return rv;
    ber_iter it;
    ber_tlv t;
    ber_iter_init(&it, *out, *len, false);
    while ((rv = ber_iter_next(&it, &t)) == SFC_OK)
        ;
    if (rv != SFC_E_END)
        return ij_fail_at(c, key, SFC_E_FORMAT, "not a sequence of BER-TLV "
                          "objects");
    return SFC_OK;
}

/* The life-cycle states a file can be in (ISO/IEC 7816-4 table 15). */
static bool lcs_valid(uint8_t lcs)
{
    return lcs == LCS_CREATION || lcs == LCS_INITIALISATION ||
           (lcs >= 0x04 && lcs <= 0x07) || (lcs >= 0x0C && lcs <= 0x0F);
}

static sfc_err read_common(ij_ctx *c, json_object *obj, sfc_file *f)
{
    sfc_err rv = SFC_OK;
    if (fs_is_ef(f))
        rv = ij_byte(c, obj, "dcb", false, &f->dcb, NULL);
    if (rv == SFC_OK)
        rv = ij_byte(c, obj, "lcs", false, &f->lcs, NULL);
    if (rv == SFC_OK && !lcs_valid(f->lcs))
        rv = ij_fail_at(c, "lcs", SFC_E_RANGE, "%02X is not a life-cycle "
                        "status (01, 03, 04-07, 0C-0F)", f->lcs);
    if (rv == SFC_OK)
        rv = read_tlvs(c, obj, "security", &f->sec_attr, &f->sec_attr_len);
    if (rv == SFC_OK)
        rv = read_tlvs(c, obj, "proprietary", &f->prop, &f->prop_len);
    return rv;
}

static sfc_err new_file(ij_ctx *c, json_object *obj, sfc_file **out)
{
    file_id id;
    *out = NULL;
    sfc_err rv = read_identity(c, obj, &id);
    if (rv != SFC_OK)
        return rv;
    if (id.kind == SFC_FILE_DF)
        rv = new_df(c, obj, &id, out);
    else if (id.kind == SFC_FILE_EF_BINARY)
        rv = new_binary(c, obj, &id, out);
    else
        rv = new_record_ef(c, obj, &id, out);
    if (rv == SFC_OK)
        (*out)->fdb = id.fdb;
    if (rv == SFC_OK)
        rv = read_common(c, obj, *out);
    return rv;
}

/* ---- linking ------------------------------------------------------------- */

struct name_seen {
    const sfc_file *f;
    bool found;
};

static bool same_name(sfc_file *g, void *user)
{
    struct name_seen *s = user;
    if (fs_is_df(g) && g->name_len == s->f->name_len &&
        memcmp(g->name, s->f->name, g->name_len) == 0) {
        s->found = true;
        return false;
    }
    return true;
}

static sfc_err link_checks(ij_ctx *c, sfc_file *parent, const sfc_file *f)
{
    if (f->fid == FID_MF || f->fid == FID_RESERVED || f->fid == FID_RFU)
        return ij_fail_at(c, "fid", SFC_E_FORMAT, "%04X is reserved", f->fid);
    if (f->fid == parent->fid || fs_child_by_fid(parent, f->fid))
        return ij_fail_at(c, "fid", SFC_E_FORMAT, "%04X is already used in "
                          "this DF (or is the DF's own)", f->fid);
    if (fs_is_ef(f) && f->sfi && fs_child_by_sfi(parent, f->sfi))
        return ij_fail_at(c, "sfi", SFC_E_FORMAT, "%u is already used in this "
                          "DF", f->sfi);
    if (fs_depth(parent) + 1 > SFC_MAX_DEPTH)
        return ij_fail(c, SFC_E_RANGE, "DFs nested deeper than %d levels",
                       SFC_MAX_DEPTH);
    struct name_seen s = {f, false};
    if (fs_is_df(f) && f->name_len)
        fs_walk(fs_root(parent), same_name, &s);
    if (s.found)
        return ij_fail_at(c, "name", SFC_E_FORMAT, "another DF on the card has "
                          "this name");
    return SFC_OK;
}

static sfc_err link_into(ij_ctx *c, sfc_file *parent, sfc_file *f)
{
    sfc_err rv = link_checks(c, parent, f);
    if (rv == SFC_OK && fs_link(parent, f) != SW_OK)
        rv = ij_fail(c, SFC_E_FORMAT, "cannot be linked into its DF");
    return rv;
}

/* ---- data objects and children ----------------------------------------- */

static sfc_err read_tag(ij_ctx *c, json_object *o, bool simple, uint32_t *tag)
{
    uint8_t *b = NULL;
    size_t n = 0;
    sfc_err rv = ij_hex(c, o, "tag", true, 3, &b, &n, NULL);
    *tag = 0;
    for (size_t i = 0; rv == SFC_OK && i < n; i++)
        *tag = *tag << 8 | b[i];
    free(b);
    if (rv == SFC_OK && (n == 0 || (simple && n != 1) ||
                        (!simple && (!ber_tag_valid(*tag) ||
                                     ber_tag_size(*tag) != n))))
        rv = ij_fail_at(c, "tag", SFC_E_FORMAT, "not a valid %s tag",
                        simple ? "SIMPLE-TLV" : "BER-TLV");
    return rv;
}

static sfc_err read_dobj(ij_ctx *c, sfc_card *card, json_object *o, sfc_file *f)
{
    bool simple = false;
    uint32_t tag = 0;
    uint8_t *value = NULL;
    size_t len = 0;
    sfc_err rv = ij_object(c, o, dobj_fields);
    if (rv == SFC_OK)
        rv = ij_bool(c, o, "simple", &simple);
    if (rv == SFC_OK)
        rv = read_tag(c, o, simple, &tag);
    if (rv == SFC_OK)
        rv = ij_hex(c, o, "value", true, SIZE_MAX, &value, &len, NULL);
    if (rv == SFC_OK && len == 0)
        rv = ij_fail_at(c, "value", SFC_E_FORMAT, "empty (an empty value "
                        "deletes a data object)");
    if (rv == SFC_OK && sfc_dobj_find(f, tag, simple))
        rv = ij_fail_at(c, "tag", SFC_E_FORMAT, "a second data object with "
                        "this tag");
    uint16_t sw = rv == SFC_OK ? sfc_dobj_put(card, f, tag, simple, value, len)
                              : SW_OK;
    if (sw != SW_OK)
        rv = ij_fail(c, SFC_E_FORMAT, sw == SW_WRONG_DATA
                         ? "the value is not valid for this tag"
                         : "card memory or the objects per file exceeded");
    if (value)
        sfc_wipe(value, len);
    free(value);
    return rv;
}

/* The card and the file an array's elements belong to. */
typedef struct tree_pos {
    sfc_card *card;
    sfc_file *file;
} tree_pos;

static sfc_err read_dobj_of(ij_ctx *c, json_object *v, void *user)
{
    tree_pos *pos = user;
    return read_dobj(c, pos->card, v, pos->file);
}

/* Run `fn` on the elements of the optional array `key` of `obj`. */
static sfc_err read_list(ij_ctx *c, json_object *obj, const char *key,
                        ij_element_fn fn, tree_pos *pos)
{
    json_object *arr = NULL;
    size_t n = 0;
    sfc_err rv = ij_array(c, obj, key, false, &arr, &n);
    if (rv != SFC_OK || n == 0)
        return rv;
    size_t mark = ij_key(c, key);
    rv = ij_each(c, arr, SIZE_MAX, key, fn, pos);
    ij_back(c, mark);
    return rv;
}

static sfc_err read_dobjs(ij_ctx *c, sfc_card *card, json_object *obj,
                         sfc_file *f)
{
    tree_pos pos = {card, f};
    return read_list(c, obj, "data_objects", read_dobj_of, &pos);
}

static sfc_err read_children(ij_ctx *c, sfc_card *card, json_object *obj,
                            sfc_file *df);

/* Read one file, link it under `parent`, then its objects and children. */
static sfc_err read_file(ij_ctx *c, sfc_card *card, json_object *obj,
                        sfc_file *parent)
{
    sfc_file *f = NULL;
    sfc_err rv = new_file(c, obj, &f);
    if (rv == SFC_OK)
        rv = link_into(c, parent, f);
    if (rv != SFC_OK) {
        fs_free(f);
        return rv;
    }
    rv = read_dobjs(c, card, obj, f);
    if (rv == SFC_OK && fs_is_df(f))
        rv = read_children(c, card, obj, f);
    return rv;
}

static sfc_err read_child(ij_ctx *c, json_object *v, void *user)
{
    tree_pos *pos = user;
    return read_file(c, pos->card, v, pos->file);
}

static sfc_err read_children(ij_ctx *c, sfc_card *card, json_object *obj,
                            sfc_file *df)
{
    tree_pos pos = {card, df};
    return read_list(c, obj, "children", read_child, &pos);
}

static sfc_err read_mf(ij_ctx *c, sfc_card *card, json_object *obj)
{
    sfc_err rv = new_file(c, obj, &card->mf);
    if (rv == SFC_OK && !fs_is_df(card->mf))
        rv = ij_fail_at(c, "kind", SFC_E_FORMAT, "the MF must be a df");
    if (rv == SFC_OK && card->mf->fid != FID_MF)
        rv = ij_fail_at(c, "fid", SFC_E_FORMAT, "the MF must be 3F00");
    if (rv == SFC_OK)
        rv = read_dobjs(c, card, obj, card->mf);
    if (rv == SFC_OK)
        rv = read_children(c, card, obj, card->mf);
    return rv;
}

sfc_err img_load_tree(ij_ctx *c, sfc_card *card, json_object *mf)
{
    sfc_mem_charge(card, -(long)fs_tree_footprint(card->mf));
    fs_free(card->mf);
    card->mf = NULL;
    os_reset(card); /* no channel may point into the old tree */
    size_t base = card->mem_used;
    sfc_err rv = read_mf(c, card, mf);
    if (rv != SFC_OK)
        return rv;
    size_t need = fs_tree_footprint(card->mf);
    card->mem_used = base;
    if (!sfc_mem_charge(card, (long)need))
        return ij_fail(c, SFC_E_RANGE, "the files need %zu bytes of card "
                       "memory, the card has %zu", need,
                       card->mem_limit - base);
    os_reset(card);
    return SFC_OK;
}
