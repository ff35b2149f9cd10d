/* SPDX-License-Identifier: LGPL-2.1-or-later */
/**
 * @file image_json.h
 * @brief Helpers shared by the image modules: JSON parsing with positions,
 *        a JSON path for error messages, strict typed field access, hex,
 *        and wiping of JSON trees that held secrets.
 *
 * Every reader of image JSON walks the document with an ij_ctx, which
 * tracks where it is ("$.mf.children[1].size") so that a refusal can say
 * exactly which value is wrong. Objects are checked against a list of the
 * fields they may have; an unknown field is an error, never ignored.
 */
#ifndef SFC_IMAGE_JSON_H
#define SFC_IMAGE_JSON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <json-c/json.h>

#include "softcard.h"

#define IJ_PATH_MAX 384

/** Where the reader is, and where its error goes. */
typedef struct ij_ctx {
    char path[IJ_PATH_MAX];
    size_t len;
    char *err;
    size_t errlen;
} ij_ctx;

void ij_init(ij_ctx *c, char *err, size_t errlen);
/** Descend into field `key` / element `i`; returns the mark to go back to. */
size_t ij_key(ij_ctx *c, const char *key);
size_t ij_index(ij_ctx *c, size_t i);
/** Go back to a mark from ij_key()/ij_index(). */
void ij_back(ij_ctx *c, size_t mark);

/** Write "<path>: <reason>" to the error buffer; returns `rv`. */
sfc_err ij_fail(ij_ctx *c, sfc_err rv, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/** The same for a field of the current object: "<path>.<key>: <reason>". */
sfc_err ij_fail_at(ij_ctx *c, const char *key, sfc_err rv, const char *fmt,
                  ...) __attribute__((format(printf, 4, 5)));

/**
 * Parse JSON text strictly. On a syntax error writes "line L, column C:
 * <reason>" and returns SFC_E_FORMAT. The caller owns *out (json_object_put).
 */
sfc_err ij_parse(const char *text, size_t len, json_object **out, char *err,
                size_t errlen);

/** "a string", "an integer", "null", ... for messages. */
const char *ij_type_name(json_object *v);

/** SFC_OK if `obj` is an object with only `allowed` fields (NULL-ended). */
sfc_err ij_object(ij_ctx *c, json_object *obj, const char *const *allowed);

/** True if the field is present (*out is NULL for a JSON null). */
bool ij_get(json_object *obj, const char *key, json_object **out);

/** Required / optional typed fields of the current object. */
sfc_err ij_string(ij_ctx *c, json_object *obj, const char *key, bool required,
                 const char **out);
sfc_err ij_bool(ij_ctx *c, json_object *obj, const char *key, bool *out);
sfc_err ij_uint(ij_ctx *c, json_object *obj, const char *key, bool required,
               uint64_t min, uint64_t max, uint64_t *out);
/** An array field; absent gives *out NULL and length 0. */
sfc_err ij_array(ij_ctx *c, json_object *obj, const char *key, bool required,
                json_object **out, size_t *n);

/**
 * A hex string field decoded into malloc'd memory (NULL for empty), at most
 * `max` bytes. `*present` (optional) tells whether the field was there.
 */
sfc_err ij_hex(ij_ctx *c, json_object *obj, const char *key, bool required,
              size_t max, uint8_t **out, size_t *len, bool *present);
/** A hex string of exactly `n` bytes into `out`. */
sfc_err ij_hex_fixed(ij_ctx *c, json_object *obj, const char *key,
                    bool required, uint8_t *out, size_t n, bool *present);
/** One byte as two hex digits ("3F"); keeps *out if absent and optional. */
sfc_err ij_byte(ij_ctx *c, json_object *obj, const char *key, bool required,
               uint8_t *out, bool *present);

/* ---- building ----------------------------------------------------------- */

/** Add bytes as uppercase hex. False on allocation failure. */
bool ij_add_hex(json_object *obj, const char *key, const uint8_t *p,
                size_t len);
bool ij_add_byte(json_object *obj, const char *key, uint8_t v);
bool ij_add_u16(json_object *obj, const char *key, uint16_t v);
bool ij_add_int(json_object *obj, const char *key, int64_t v);
bool ij_add_bool(json_object *obj, const char *key, bool v);
bool ij_add_string(json_object *obj, const char *key, const char *s);
/** Add `child` (takes it over even on failure). */
bool ij_add(json_object *obj, const char *key, json_object *child);
bool ij_append(json_object *arr, json_object *child);

/** Overwrite every string in the tree with zeros (before json_object_put). */
void ij_wipe(json_object *obj);
/** Wipe and release a tree (NULL allowed). */
void ij_put_wiped(json_object *obj);

/** Text of a tree (pretty or compact) as a malloc'd copy. */
sfc_err ij_to_text(json_object *obj, bool pretty, char **text, size_t *len);

/**
 * Read the optional object `params` of `root` (string values only) and hand
 * each key/value to `put`, which returns NULL or why it refuses the pair
 * (reported at $.params.<key> with SFC_E_RANGE). Absent: SFC_OK, nothing put.
 */
sfc_err ij_params(ij_ctx *c, json_object *root,
                 const char *(*put)(void *user, const char *key,
                                    const char *value),
                 void *user);

/** Called by ij_each() for each element, the path at its index. */
typedef sfc_err (*ij_element_fn)(ij_ctx *c, json_object *v, void *user);

/**
 * Run `fn` on every element of the array `arr` (the path at the array),
 * stopping at the first error. Not an array, or more than `max` elements
 * ("N <what>, more than max"), is an error at the current path.
 */
sfc_err ij_each(ij_ctx *c, json_object *arr, size_t max, const char *what,
               ij_element_fn fn, void *user);

#endif
