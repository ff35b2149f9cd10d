/* SPDX-License-Identifier: LGPL-2.1-or-later */
/**
 * @file dataobj.h
 * @brief Data objects attached to files: the store behind GET DATA and
 *        PUT DATA, for card types that preload objects too.
 *
 * Every file (DF or EF) may carry BER-TLV data objects (tags of one to
 * three bytes) and SIMPLE-TLV data objects (tags 01..FE) in f->dobjs, in
 * creation order; replacing an object keeps its place. Values are owned
 * copies and every byte is charged to the card's memory (sfc_mem_charge),
 * exactly as fs_footprint() counts it: sizeof(sfc_dobj) plus the value.
 * fs_free() releases the objects with their file.
 */
#ifndef SFC_OS_DATAOBJ_H
#define SFC_OS_DATAOBJ_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "os/card.h"
#include "os/fs.h"
#include "core/bytes.h"

/** Most data objects one file may carry (bounds every list walk). */
#define SFC_DOBJ_MAX_PER_FILE 1024u

/** The object with `tag` of the given kind on `f`, or NULL. */
const sfc_dobj *sfc_dobj_find(const sfc_file *f, uint32_t tag, bool simple);

/**
 * Create or replace the object `tag` on `f`; an empty value (len 0)
 * deletes it (deleting an absent object succeeds). Returns 9000; 6A80 for
 * an invalid tag (BER: not a 1..3-byte tag; SIMPLE: 00 or FF), a SIMPLE-TLV
 * value over 65535 bytes, or a constructed BER object whose value is not
 * well-formed BER-TLV; 6A84 if the card's memory or the per-file object
 * limit would be exceeded; 6581 if allocation fails. On error nothing
 * changes.
 */
uint16_t sfc_dobj_put(sfc_card *card, sfc_file *f, uint32_t tag, bool simple,
                     const uint8_t *value, size_t len);

/** Append the object as a TLV (BER-TLV or SIMPLE-TLV, canonical lengths). */
bool sfc_dobj_encode(const sfc_dobj *d, sfc_buf *out);

#endif
