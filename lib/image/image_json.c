/* SPDX-License-Identifier: LGPL-2.1-or-later */
/**
 * @file image_json.c
 * @brief JSON helpers of the image modules (see image_json.h): strict
 *        parsing with line and column, the JSON path of error messages,
 *        typed field access that refuses wrong types and unknown fields,
 *        hex conversion and wiping.
 *
 * json-c does the parsing (strict mode, UTF-8 validated, nesting limited);
 * this file only adds the checks an image needs on top: exact types (an
 * integer is never accepted as a string or a float), ranges, lengths, and
 * the path of the offending value in every message.
 */
#include "core/errtext.h"
#include "image/image_json.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/bytes.h"

/* An image nests about two JSON levels per DF level (16 at most). */
#define IJ_MAX_DEPTH 64

/* ---- path and errors ----------------------------------------------------- */

void ij_init(ij_ctx *c, char *err, size_t errlen)
{
    snprintf(c->path, sizeof(c->path), "$");
    c->len = 1;
    c->err = err;
    c->errlen = errlen;
    if (err && errlen)
        err[0] = '\0';
}

static size_t ij_append_path(ij_ctx *c, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static size_t ij_append_path(ij_ctx *c, const char *fmt, ...)
{
    size_t mark = c->len;
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(c->path + c->len, sizeof(c->path) - c->len, fmt, ap);
    va_end(ap);
    if (n > 0)
        c->len += (size_t)n < sizeof(c->path) - c->len
                      ? (size_t)n
                      : sizeof(c->path) - c->len - 1;
    return mark;
}

size_t ij_key(ij_ctx *c, const char *key)
{
    return ij_append_path(c, ".%s", key);
}

size_t ij_index(ij_ctx *c, size_t i)
{
    return ij_append_path(c, "[%zu]", i);
}

void ij_back(ij_ctx *c, size_t mark)
{
    if (mark < sizeof(c->path)) {
        c->len = mark;
        c->path[mark] = '\0';
    }
}

static void ij_vfail(ij_ctx *c, const char *key, const char *fmt, va_list ap)
    __attribute__((format(printf, 3, 0)));

static void ij_vfail(ij_ctx *c, const char *key, const char *fmt, va_list ap)
{
    if (!c->err || !c->errlen)
        return;
    int n = snprintf(c->err, c->errlen, "%s%s%s: ", c->path, key ? "." : "",
                     key ? key : "");
    if (n > 0 && (size_t)n < c->errlen)
        sfc_verrf(c->err + n, c->errlen - (size_t)n, fmt, ap);
}

sfc_err ij_fail(ij_ctx *c, sfc_err rv, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    ij_vfail(c, NULL, fmt, ap);
    va_end(ap);
    return rv;
}

sfc_err ij_fail_at(ij_ctx *c, const char *key, sfc_err rv, const char *fmt,
                  ...)
{
    va_list ap;
    va_start(ap, fmt);
    ij_vfail(c, key, fmt, ap);
    va_end(ap);
    return rv;
}

/* ---- parsing ------------------------------------------------------------- */

static void position(const char *text, size_t off, size_t *line, size_t *col)
{
    *line = 1;
    *col = 1;
    for (size_t i = 0; i < off; i++) {
        if (text[i] == '\n') {
            (*line)++;
            *col = 1;
        } else {
            (*col)++;
        }
    }
}

static sfc_err syntax_error(const char *text, size_t off, const char *why,
                           char *err, size_t errlen)
{
    size_t line, col;
    position(text, off, &line, &col);
    if (err && errlen)
        sfc_errf(err, errlen, "line %zu, column %zu: %s", line, col, why);
    return SFC_E_FORMAT;
}

static bool only_space(const char *p, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (p[i] != ' ' && p[i] != '\t' && p[i] != '\n' && p[i] != '\r')
            return false;
    return true;
}

static sfc_err parse_checked(json_tokener *tok, const char *text, size_t len,
                            json_object **out, char *err, size_t errlen)
{
    json_object *obj = json_tokener_parse_ex(tok, text, (int)len);
    enum json_tokener_error jerr = json_tokener_get_error(tok);
    size_t end = json_tokener_get_parse_end(tok);
    if (jerr == json_tokener_continue)
        return syntax_error(text, len, "unexpected end of the text", err,
                            errlen);
    if (!obj || jerr != json_tokener_success) {
        ij_put_wiped(obj);
        return syntax_error(text, end,
                            json_tokener_error_desc(jerr), err, errlen);
    }
    if (end > len || !only_space(text + end, len - end)) {
        ij_put_wiped(obj);
        return syntax_error(text, end, "text after the JSON value", err,
                            errlen);
    }
    *out = obj;
    return SFC_OK;
}

sfc_err ij_parse(const char *text, size_t len, json_object **out, char *err,
                size_t errlen)
{
    *out = NULL;
    if (len > (size_t)INT32_MAX)
        return syntax_error(text, 0, "too long", err, errlen);
    const char *nul = memchr(text, '\0', len);
    if (nul)
        return syntax_error(text, (size_t)(nul - text), "NUL byte in the text",
                            err, errlen);
    if (only_space(text, len))
        return syntax_error(text, len, "empty file", err, errlen);
    json_tokener *tok = json_tokener_new_ex(IJ_MAX_DEPTH);
    if (!tok)
        return SFC_E_NOMEM;
    json_tokener_set_flags(tok, JSON_TOKENER_STRICT |
                                    JSON_TOKENER_VALIDATE_UTF8);
    sfc_err rv = parse_checked(tok, text, len, out, err, errlen);
    /* The scratch buffer holds the last string parsed (a PIN, a key):
     * wipe it; json-c offers no call for that, so reach into the struct. */
    if (tok->pb && tok->pb->buf && tok->pb->size > 0)
        sfc_wipe(tok->pb->buf, (size_t)tok->pb->size);
    json_tokener_free(tok);
    return rv;
}

/* ---- typed access -------------------------------------------------------- */

const char *ij_type_name(json_object *v)
{
    switch (json_object_get_type(v)) {
    case json_type_null: return "null";
    case json_type_boolean: return "a boolean";
    case json_type_double: return "a number with a fraction";
    case json_type_int: return "an integer";
    case json_type_object: return "an object";
    case json_type_array: return "an array";
    case json_type_string: return "a string";
    }
    return "something else";
}

sfc_err ij_object(ij_ctx *c, json_object *obj, const char *const *allowed)
{
    if (!json_object_is_type(obj, json_type_object))
        return ij_fail(c, SFC_E_FORMAT, "expected an object, found %s",
                       ij_type_name(obj));
    json_object_object_foreach(obj, key, val) {
        (void)val;
        bool known = false;
        for (size_t i = 0; allowed[i] && !known; i++)
            known = strcmp(allowed[i], key) == 0;
        if (!known)
            return ij_fail_at(c, key, SFC_E_FORMAT, "unknown field");
    }
    return SFC_OK;
}

bool ij_get(json_object *obj, const char *key, json_object **out)
{
    *out = NULL;
    return json_object_object_get_ex(obj, key, out);
}

/* The field, or an error if required and absent; NULL if absent. */
static sfc_err field(ij_ctx *c, json_object *obj, const char *key,
                    bool required, json_type want, const char *want_name,
                    json_object **out)
{
    if (!ij_get(obj, key, out))
        return required ? ij_fail_at(c, key, SFC_E_FORMAT, "missing") : SFC_OK;
    if (!json_object_is_type(*out, want))
        return ij_fail_at(c, key, SFC_E_FORMAT, "expected %s, found %s",
                          want_name, ij_type_name(*out));
    return SFC_OK;
}

sfc_err ij_string(ij_ctx *c, json_object *obj, const char *key, bool required,
                 const char **out)
{
    json_object *v;
    sfc_err rv = field(c, obj, key, required, json_type_string, "a string",
                      &v);
    if (rv == SFC_OK && v)
        *out = json_object_get_string(v);
    return rv;
}

sfc_err ij_bool(ij_ctx *c, json_object *obj, const char *key, bool *out)
{
    json_object *v;
    sfc_err rv = field(c, obj, key, false, json_type_boolean, "true or false",
                      &v);
    if (rv == SFC_OK && v)
        *out = json_object_get_boolean(v);
    return rv;
}

sfc_err ij_uint(ij_ctx *c, json_object *obj, const char *key, bool required,
               uint64_t min, uint64_t max, uint64_t *out)
{
    json_object *v;
    sfc_err rv = field(c, obj, key, required, json_type_int, "an integer", &v);
    if (rv != SFC_OK || !v)
        return rv;
    int64_t i = json_object_get_int64(v);
    if (i < 0 || (uint64_t)i < min || (uint64_t)i > max)
        return ij_fail_at(c, key, SFC_E_RANGE,
                          "%s is out of range (%llu..%llu)",
                          json_object_get_string(v), (unsigned long long)min,
                          (unsigned long long)max);
    *out = (uint64_t)i;
    return SFC_OK;
}

sfc_err ij_array(ij_ctx *c, json_object *obj, const char *key, bool required,
                json_object **out, size_t *n)
{
    sfc_err rv = field(c, obj, key, required, json_type_array, "an array",
                      out);
    *n = (rv == SFC_OK && *out) ? json_object_array_length(*out) : 0;
    return rv;
}

sfc_err ij_hex(ij_ctx *c, json_object *obj, const char *key, bool required,
              size_t max, uint8_t **out, size_t *len, bool *present)
{
    const char *s = NULL;
    *out = NULL;
    *len = 0;
    sfc_err rv = ij_string(c, obj, key, required, &s);
    if (present)
        *present = s != NULL;
    if (rv != SFC_OK || !s || !s[0])
        return rv;
    size_t cap = strlen(s) / 2 + 1;
    uint8_t *buf = malloc(cap);
    if (!buf)
        return ij_fail_at(c, key, SFC_E_NOMEM, "out of memory");
    size_t n = 0;
    if (hex_decode(s, buf, cap, &n) != SFC_OK) {
        free(buf);
        return ij_fail_at(c, key, SFC_E_FORMAT, "not hex (pairs of the digits "
                          "0-9 and A-F)");
    }
    if (n > max) {
        sfc_wipe(buf, n);
        free(buf);
        return ij_fail_at(c, key, SFC_E_RANGE, "%zu bytes, more than %zu", n,
                          max);
    }
    *out = buf;
    *len = n;
    return SFC_OK;
}

sfc_err ij_hex_fixed(ij_ctx *c, json_object *obj, const char *key,
                    bool required, uint8_t *out, size_t n, bool *present)
{
    uint8_t *buf = NULL;
    size_t len = 0;
    bool here = false;
    sfc_err rv = ij_hex(c, obj, key, required, SIZE_MAX, &buf, &len, &here);
    if (present)
        *present = here;
    if (rv == SFC_OK && here && len != n)
        rv = ij_fail_at(c, key, SFC_E_RANGE, "%zu bytes, expected %zu", len, n);
    if (rv == SFC_OK && here && n)
        memcpy(out, buf, n);
    if (buf)
        sfc_wipe(buf, len);
    free(buf);
    return rv;
}

sfc_err ij_byte(ij_ctx *c, json_object *obj, const char *key, bool required,
               uint8_t *out, bool *present)
{
    return ij_hex_fixed(c, obj, key, required, out, 1, present);
}

/* ---- building ------------------------------------------------------------ */

bool ij_add(json_object *obj, const char *key, json_object *child)
{
    if (!child)
        return false;
    if (json_object_object_add(obj, key, child) != 0) {
        json_object_put(child);
        return false;
    }
    return true;
}

bool ij_append(json_object *arr, json_object *child)
{
    if (!child)
        return false;
    if (json_object_array_add(arr, child) != 0) {
        json_object_put(child);
        return false;
    }
    return true;
}

bool ij_add_hex(json_object *obj, const char *key, const uint8_t *p,
                size_t len)
{
    char *text = malloc(2 * len + 1);
    if (!text)
        return false;
    text[0] = '\0';
    if (len)
        hex_encode(p, len, HEX_UPPER, text, 2 * len + 1);
    bool ok = ij_add(obj, key, json_object_new_string_len(text, (int)(2 * len)));
    sfc_wipe(text, 2 * len + 1);
    free(text);
    return ok;
}

bool ij_add_byte(json_object *obj, const char *key, uint8_t v)
{
    return ij_add_hex(obj, key, &v, 1);
}

bool ij_add_u16(json_object *obj, const char *key, uint16_t v)
{
    uint8_t b[2] = {(uint8_t)(v >> 8), (uint8_t)v};
    return ij_add_hex(obj, key, b, 2);
}

bool ij_add_int(json_object *obj, const char *key, int64_t v)
{
    return ij_add(obj, key, json_object_new_int64(v));
}

bool ij_add_bool(json_object *obj, const char *key, bool v)
{
    return ij_add(obj, key, json_object_new_boolean(v));
}

bool ij_add_string(json_object *obj, const char *key, const char *s)
{
    return ij_add(obj, key, json_object_new_string(s));
}

/* ---- wiping and text ----------------------------------------------------- */

void ij_wipe(json_object *obj)
{
    switch (json_object_get_type(obj)) {
    case json_type_string: {
        int n = json_object_get_string_len(obj);
        char *s = (char *)json_object_get_string(obj);
        if (s && n > 0)
            sfc_wipe(s, (size_t)n);
        break;
    }
    case json_type_array:
        for (size_t i = 0; i < json_object_array_length(obj); i++)
            ij_wipe(json_object_array_get_idx(obj, i));
        break;
    case json_type_object: {
        json_object_object_foreach(obj, key, val) {
            (void)key;
            ij_wipe(val);
        }
        break;
    }
    default:
        break;
    }
}

void ij_put_wiped(json_object *obj)
{
    if (!obj)
        return;
    ij_wipe(obj);
    json_object_put(obj);
}

sfc_err ij_to_text(json_object *obj, bool pretty, char **text, size_t *len)
{
    int flags = JSON_C_TO_STRING_NOSLASHESCAPE |
                (pretty ? JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_SPACED
                        : JSON_C_TO_STRING_PLAIN);
    size_t n = 0;
    const char *s = json_object_to_json_string_length(obj, flags, &n);
    *text = NULL;
    *len = 0;
    if (!s)
        return SFC_E_NOMEM;
    char *copy = malloc(n + 2);
    if (copy) {
        memcpy(copy, s, n);
        copy[n] = '\n';
        copy[n + 1] = '\0';
    }
    sfc_wipe((char *)s, n); /* json-c's own buffer */
    if (!copy)
        return SFC_E_NOMEM;
    *text = copy;
    *len = n + 1;
    return SFC_OK;
}

sfc_err ij_params(ij_ctx *c, json_object *root,
                 const char *(*put)(void *user, const char *key,
                                    const char *value),
                 void *user)
{
    json_object *obj = NULL;
    if (!ij_get(root, "params", &obj))
        return SFC_OK;
    if (!json_object_is_type(obj, json_type_object))
        return ij_fail_at(c, "params", SFC_E_FORMAT, "expected an object, "
                          "found %s", ij_type_name(obj));
    size_t mark = ij_key(c, "params");
    sfc_err rv = SFC_OK;
    json_object_object_foreach(obj, key, val) {
        const char *why = NULL;
        if (!json_object_is_type(val, json_type_string))
            rv = ij_fail_at(c, key, SFC_E_FORMAT, "expected a string, found "
                            "%s", ij_type_name(val));
        else if ((why = put(user, key, json_object_get_string(val))) != NULL)
            rv = ij_fail_at(c, key, SFC_E_RANGE, "%s", why);
        if (rv != SFC_OK)
            break;
    }
    ij_back(c, mark);
    return rv;
}

sfc_err ij_each(ij_ctx *c, json_object *arr, size_t max, const char *what,
               ij_element_fn fn, void *user)
{
    if (!json_object_is_type(arr, json_type_array))
        return ij_fail(c, SFC_E_FORMAT, "expected an array, found %s",
                       ij_type_name(arr));
    size_t n = json_object_array_length(arr);
    if (n > max)
        return ij_fail(c, SFC_E_RANGE, "%zu %s, more than %zu", n, what, max);
    sfc_err rv = SFC_OK;
    for (size_t i = 0; rv == SFC_OK && i < n; i++) {
        size_t m = ij_index(c, i);
        rv = fn(c, json_object_array_get_idx(arr, i), user);
        ij_back(c, m);
    }
    return rv;
}
