/* SPDX-License-Identifier: LGPL-2.1-or-later */
/**
 * @file fs.h
 * @brief The card's file system: a tree of DFs and EFs (ISO/IEC 7816-4 §7).
 *
 * The MF is the root. A DF has children (DFs and EFs) in creation order and
 * optionally a DF name (AID, up to 16 bytes). An EF is transparent (a fixed
 * number of bytes) or record-structured (linear fixed, linear variable or
 * cyclic, each optionally of SIMPLE-TLV structure). Every file carries its
 * life-cycle status, its security attributes as given at creation (raw FCP
 * TLVs, echoed in FCP/FCI, interpreted by access.c) and any data objects
 * attached with PUT DATA.
 *
 * This module only maintains the tree; selection state lives in the logical
 * channels (card.h) and commands live in select.c, binary.c, record.c,
 * dataobj.c and filemgmt.c.
 */
#ifndef SFC_OS_FS_H
#define SFC_OS_FS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "os/card.h"

/* File descriptor byte (FCP tag 82, first byte). */
#define FDB_DF 0x38u
#define FDB_EF_TRANSPARENT 0x01u
#define FDB_EF_LINEAR_FIXED 0x02u    /* +1: SIMPLE-TLV records */
#define FDB_EF_LINEAR_VARIABLE 0x04u /* +1: SIMPLE-TLV records */
#define FDB_EF_CYCLIC 0x06u          /* +1: SIMPLE-TLV records */
#define FDB_STRUCTURE_MASK 0x07u

/* Life-cycle status byte (FCP tag 8A). */
#define LCS_CREATION 0x01u
#define LCS_INITIALISATION 0x03u
#define LCS_ACTIVATED 0x05u
#define LCS_DEACTIVATED 0x04u
#define LCS_TERMINATED 0x0Cu

/* Data coding byte (FCP tag 82, second byte; ISO 7816-4 table 118). */
#define DCB_WRITE_MASK 0x60u
#define DCB_WRITE_ONCE 0x00u  /* one-time write */
#define DCB_WRITE_XOR 0x20u   /* "proprietary": XOR, as the reference does */
#define DCB_WRITE_OR 0x40u
#define DCB_WRITE_AND 0x60u
#define DCB_DEFAULT 0x01u     /* one-time write, data unit of one byte */

#define FID_MF 0x3F00u
#define FID_RESERVED 0x3FFFu  /* path selection */
#define FID_RFU 0xFFFFu

#define SFC_DF_NAME_MAX 16
#define SFC_MAX_DEPTH 16       /* DF nesting limit */

typedef enum sfc_file_kind {
    SFC_FILE_DF,
    SFC_FILE_EF_BINARY,
    SFC_FILE_EF_RECORD
} sfc_file_kind;

typedef struct sfc_record {
    uint8_t *data;
    size_t len;
} sfc_record;

/** A data object attached to a file (GET DATA / PUT DATA). */
typedef struct sfc_dobj {
    uint32_t tag;      /**< BER tag, or SIMPLE-TLV tag 01..FE if `simple` */
    bool simple;
    uint8_t *value;
    size_t len;
    struct sfc_dobj *next;
} sfc_dobj;

struct sfc_file {
    sfc_file *parent;
    sfc_file *children;       /**< first child (DFs only) */
    sfc_file *next;           /**< next sibling */
    sfc_file_kind kind;
    uint16_t fid;
    uint8_t fdb;             /**< file descriptor byte */
    uint8_t dcb;             /**< data coding byte (EFs) */
    uint8_t sfi;             /**< short EF identifier 1..30, 0 = none */
    uint8_t lcs;             /**< life-cycle status */
    uint8_t name[SFC_DF_NAME_MAX];
    uint8_t name_len;        /**< DF name length, 0 = none */

    /* transparent EF */
    uint8_t *data;
    size_t size;             /**< fixed at creation */
    uint8_t *written;        /**< one-time-write bitmap (bit per byte), lazy */

    /* record EF */
    sfc_record *records;      /**< records[0] is record number 1 */
    size_t n_records;
    size_t max_records;      /**< capacity */
    size_t rec_size;         /**< fixed size (linear fixed, cyclic) or maximum */

    /* FCP pass-through: security attributes (86, 8B, 8C, A0, A1, AB) and
     * proprietary information (85, A5), as raw TLVs in the order given */
    uint8_t *sec_attr;
    size_t sec_attr_len;
    uint8_t *prop;
    size_t prop_len;

    sfc_dobj *dobjs;
    sfc_app *app;             /**< the application bound to this DF (app.c) */
};

/* ---- construction ------------------------------------------------------- */

/** A new DF (not linked). `name` may be NULL. NULL on OOM or bad length. */
sfc_file *fs_df_new(uint16_t fid, const uint8_t *name, size_t name_len);
/** A new transparent EF of `size` zero bytes. */
sfc_file *fs_ef_binary_new(uint16_t fid, size_t size, uint8_t sfi);
/** A new record EF; `fdb` is one of the FDB_EF_* record structures (+1). */
sfc_file *fs_ef_record_new(uint16_t fid, uint8_t fdb, size_t rec_size,
                          size_t max_records, uint8_t sfi);
/** Free a file and its whole subtree (it must be unlinked first). */
void fs_free(sfc_file *f);

/** Bytes of card memory a file uses (contents, records, data objects). */
size_t fs_footprint(const sfc_file *f);
/** Sum of fs_footprint over a subtree. */
size_t fs_tree_footprint(const sfc_file *f);

/* ---- tree --------------------------------------------------------------- */

/**
 * Link `child` as the last child of DF `parent`. Checks: FID not 3F00,
 * 3FFF or FFFF (6A80); FID different from the parent's and unique among
 * the siblings (6A89); SFI unique among the sibling EFs (6A89); DF name
 * unique on the whole card (6A8A); depth within SFC_MAX_DEPTH (6A84).
 * Returns 9000 or the SW; on error nothing is linked.
 */
uint16_t fs_link(sfc_file *parent, sfc_file *child);
/** Remove a file from its parent's children (its subtree stays attached). */
void fs_unlink(sfc_file *f);

sfc_file *fs_root(sfc_file *f);
/** True if `f` is `anc` or lies below it. */
bool fs_is_within(const sfc_file *f, const sfc_file *anc);
/** Depth of a file: 0 for the MF. */
unsigned fs_depth(const sfc_file *f);

sfc_file *fs_child_by_fid(const sfc_file *df, uint16_t fid);
/** An EF child of `df` with short identifier `sfi`. */
sfc_file *fs_child_by_sfi(const sfc_file *df, uint8_t sfi);

/**
 * Pre-order walk from `root` calling `fn` for each file; stops early when fn
 * returns false. The tree must not change during the walk.
 */
void fs_walk(sfc_file *root, bool (*fn)(sfc_file *f, void *user), void *user);

/**
 * The DFs whose name starts with `prefix` (right-truncated DF names, an
 * empty prefix matches every named DF), in pre-order from `root`. Writes up
 * to `max` pointers and returns the total number of matches.
 */
size_t fs_df_names_matching(sfc_file *root, const uint8_t *prefix,
                            size_t prefix_len, sfc_file **out, size_t max);

/** The DF named exactly `name` (tree order), or NULL. */
sfc_file *fs_df_by_name(sfc_file *root, const uint8_t *name, size_t len);

static inline bool fs_is_df(const sfc_file *f) { return f->kind == SFC_FILE_DF; }
static inline bool fs_is_ef(const sfc_file *f) { return f->kind != SFC_FILE_DF; }
static inline bool fs_is_tlv_records(const sfc_file *f)
{
    return f->kind == SFC_FILE_EF_RECORD && (f->fdb & 1u);
}
static inline bool fs_is_cyclic(const sfc_file *f)
{
    return f->kind == SFC_FILE_EF_RECORD &&
           (f->fdb & FDB_STRUCTURE_MASK & ~1u) == FDB_EF_CYCLIC;
}
static inline bool fs_is_linear_fixed(const sfc_file *f)
{
    return f->kind == SFC_FILE_EF_RECORD &&
           (f->fdb & FDB_STRUCTURE_MASK & ~1u) == FDB_EF_LINEAR_FIXED;
}
static inline bool fs_lcs_terminated(uint8_t lcs) { return (lcs & 0xFCu) == 0x0Cu; }
static inline bool fs_lcs_deactivated(uint8_t lcs)
{
    return (lcs & 0xFDu) == 0x04u;
}

/* ---- selection state (card-level helpers) ------------------------------ */

/** Make `f` current on channel `ch` (DF: current DF, no EF; EF: current EF
 *  and its parent as current DF). Resets the record pointer. */
void sfc_make_current(sfc_channel *ch, sfc_file *f);

/**
 * Before deleting the subtree at `f`: every channel whose current DF or EF
 * lies within it falls back to `f`'s parent.
 */
void sfc_forget_subtree(sfc_card *card, sfc_file *f);

/**
 * Resolve the EF a data-unit or record command addresses: `sfi` 0 = the
 * current EF (6986 if none); otherwise the EF with that SFI in the current
 * DF (6A82 if none), which then becomes the current EF. Returns 9000 or SW.
 */
uint16_t sfc_resolve_ef(sfc_card *card, sfc_channel *ch, uint8_t sfi,
                       sfc_file **out);

/**
 * Charge `delta` bytes to the card's memory (negative releases). Returns
 * false, charging nothing, if the card limit would be exceeded.
 */
bool sfc_mem_charge(sfc_card *card, long delta);

#endif
