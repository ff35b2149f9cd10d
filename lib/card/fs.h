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
#ifndef SC_CARD_FS_H
#define SC_CARD_FS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "card/card.h"

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

#define SC_DF_NAME_MAX 16
#define SC_MAX_DEPTH 16       /* DF nesting limit */

typedef enum sc_file_kind {
    SC_FILE_DF,
    SC_FILE_EF_BINARY,
    SC_FILE_EF_RECORD
} sc_file_kind;

typedef struct sc_record {
    uint8_t *data;
    size_t len;
} sc_record;

/** A data object attached to a file (GET DATA / PUT DATA). */
typedef struct sc_dobj {
    uint32_t tag;      /**< BER tag, or SIMPLE-TLV tag 01..FE if `simple` */
    bool simple;
    uint8_t *value;
    size_t len;
    struct sc_dobj *next;
} sc_dobj;

struct sc_file {
    sc_file *parent;
    sc_file *children;       /**< first child (DFs only) */
    sc_file *next;           /**< next sibling */
    sc_file_kind kind;
    uint16_t fid;
    uint8_t fdb;             /**< file descriptor byte */
    uint8_t dcb;             /**< data coding byte (EFs) */
    uint8_t sfi;             /**< short EF identifier 1..30, 0 = none */
    uint8_t lcs;             /**< life-cycle status */
    uint8_t name[SC_DF_NAME_MAX];
    uint8_t name_len;        /**< DF name length, 0 = none */

    /* transparent EF */
    uint8_t *data;
    size_t size;             /**< fixed at creation */
    uint8_t *written;        /**< one-time-write bitmap (bit per byte), lazy */

    /* record EF */
    sc_record *records;      /**< records[0] is record number 1 */
    size_t n_records;
    size_t max_records;      /**< capacity */
    size_t rec_size;         /**< fixed size (linear fixed, cyclic) or maximum */

    /* FCP pass-through: security attributes (86, 8B, 8C, A0, A1, AB) and
     * proprietary information (85, A5), as raw TLVs in the order given */
    uint8_t *sec_attr;
    size_t sec_attr_len;
    uint8_t *prop;
    size_t prop_len;

    sc_dobj *dobjs;
};

/* ---- construction ------------------------------------------------------- */

/** A new DF (not linked). `name` may be NULL. NULL on OOM or bad length. */
sc_file *fs_df_new(uint16_t fid, const uint8_t *name, size_t name_len);
/** A new transparent EF of `size` zero bytes. */
sc_file *fs_ef_binary_new(uint16_t fid, size_t size, uint8_t sfi);
/** A new record EF; `fdb` is one of the FDB_EF_* record structures (+1). */
sc_file *fs_ef_record_new(uint16_t fid, uint8_t fdb, size_t rec_size,
                          size_t max_records, uint8_t sfi);
/** Free a file and its whole subtree (it must be unlinked first). */
void fs_free(sc_file *f);

/** Bytes of card memory a file uses (contents, records, data objects). */
size_t fs_footprint(const sc_file *f);
/** Sum of fs_footprint over a subtree. */
size_t fs_tree_footprint(const sc_file *f);

/* ---- tree --------------------------------------------------------------- */

/**
 * Link `child` as the last child of DF `parent`. Checks: FID not 3F00,
 * 3FFF or FFFF (6A80); FID different from the parent's and unique among
 * the siblings (6A89); SFI unique among the sibling EFs (6A89); DF name
 * unique on the whole card (6A8A); depth within SC_MAX_DEPTH (6A84).
 * Returns 9000 or the SW; on error nothing is linked.
 */
uint16_t fs_link(sc_file *parent, sc_file *child);
/** Remove a file from its parent's children (its subtree stays attached). */
void fs_unlink(sc_file *f);

sc_file *fs_root(sc_file *f);
/** True if `f` is `anc` or lies below it. */
bool fs_is_within(const sc_file *f, const sc_file *anc);
/** Depth of a file: 0 for the MF. */
unsigned fs_depth(const sc_file *f);

sc_file *fs_child_by_fid(const sc_file *df, uint16_t fid);
/** An EF child of `df` with short identifier `sfi`. */
sc_file *fs_child_by_sfi(const sc_file *df, uint8_t sfi);

/**
 * Pre-order walk from `root` calling `fn` for each file; stops early when fn
 * returns false. The tree must not change during the walk.
 */
void fs_walk(sc_file *root, bool (*fn)(sc_file *f, void *user), void *user);

/**
 * The DFs whose name starts with `prefix` (right-truncated DF names, an
 * empty prefix matches every named DF), in pre-order from `root`. Writes up
 * to `max` pointers and returns the total number of matches.
 */
size_t fs_df_names_matching(sc_file *root, const uint8_t *prefix,
                            size_t prefix_len, sc_file **out, size_t max);

static inline bool fs_is_df(const sc_file *f) { return f->kind == SC_FILE_DF; }
static inline bool fs_is_ef(const sc_file *f) { return f->kind != SC_FILE_DF; }
static inline bool fs_is_tlv_records(const sc_file *f)
{
    return f->kind == SC_FILE_EF_RECORD && (f->fdb & 1u);
}
static inline bool fs_is_cyclic(const sc_file *f)
{
    return f->kind == SC_FILE_EF_RECORD &&
           (f->fdb & FDB_STRUCTURE_MASK & ~1u) == FDB_EF_CYCLIC;
}
static inline bool fs_is_linear_fixed(const sc_file *f)
{
    return f->kind == SC_FILE_EF_RECORD &&
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
void sc_make_current(sc_channel *ch, sc_file *f);

/**
 * Before deleting the subtree at `f`: every channel whose current DF or EF
 * lies within it falls back to `f`'s parent.
 */
void sc_forget_subtree(sc_card *card, sc_file *f);

/**
 * Resolve the EF a data-unit or record command addresses: `sfi` 0 = the
 * current EF (6986 if none); otherwise the EF with that SFI in the current
 * DF (6A82 if none), which then becomes the current EF. Returns 9000 or SW.
 */
uint16_t sc_resolve_ef(sc_card *card, sc_channel *ch, uint8_t sfi,
                       sc_file **out);

/**
 * Charge `delta` bytes to the card's memory (negative releases). Returns
 * false, charging nothing, if the card limit would be exceeded.
 */
bool sc_mem_charge(sc_card *card, long delta);

#endif
