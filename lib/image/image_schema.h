/* SPDX-License-Identifier: LGPL-2.1-or-later */
/**
 * @file image_schema.h
 * @brief Names and loaders shared between the image writer and readers:
 *        the words the schema uses for file and key kinds, and the file-tree
 *        loader that image_load.c calls.
 */
#ifndef SFC_IMAGE_SCHEMA_H
#define SFC_IMAGE_SCHEMA_H

#include <stdbool.h>

#include "os/card.h"
#include "os/fs.h"
#include "image/image_json.h"

/** "df", "transparent" or "record". */
const char *img_kind_name(sfc_file_kind kind);
/** "des3", "aes", "rsa" or "ec". */
const char *img_key_kind_name(sfc_key_kind kind);
bool img_key_kind_parse(const char *name, sfc_key_kind *out);
/** "active", "suspended" or "deactivated". */
const char *img_pin_state_name(sfc_pin_state state);
bool img_pin_state_parse(const char *name, sfc_pin_state *out);

/**
 * Replace the card's file tree with the one described by `mf` (the value
 * of "$.mf"; the context's path points at it). Checks every file and the
 * linking rules, charges the card's memory exactly as fs_tree_footprint()
 * counts it, and resets the logical channels onto the new MF. On error the
 * card has no usable tree and must be freed.
 */
sfc_err img_load_tree(ij_ctx *c, sfc_card *card, json_object *mf);

#endif
