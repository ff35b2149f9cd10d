/* SPDX-License-Identifier: LGPL-2.1-or-later */
/**
 * @file image_config.c
 * @brief The generator's configuration file: which card to make.
 *
 * A small JSON document, read with the same strictness as images:
 *
 *     {"format": "softcard-card-config", "version": 1,
 *      "type": "iso7816", "extended_length": false,
 *      "params": {"pin": "123456", "puk": "87654321"}}
 *
 * "format" and "version" are optional; "type" is required; parameters are
 * strings and are checked by the card type itself when the card is made.
 * Unknown fields are errors, reported with the file name and JSON path.
 */
#include "core/errtext.h"
#include "image/image.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/bytes.h"
#include "image/image_json.h"

#define CONFIG_FORMAT "softcard-card-config"
#define CONFIG_VERSION 1
#define MAX_PARAMS 64

static const char *const config_fields[] = {
    "format", "version", "type", "extended_length", "params", NULL};

static char *dup_secret(const char *s)
{
    return s ? strdup(s) : NULL;
}

static void free_param(sfc_param *p)
{
    char *k = (char *)p->key, *v = (char *)p->value;
    if (v)
        sfc_wipe(v, strlen(v));
    free(k);
    free(v);
    p->key = p->value = NULL;
}

void sfc_image_config_free(sfc_image_config *cfg)
{
    if (!cfg)
        return;
    for (size_t i = 0; i < cfg->n_params; i++)
        free_param(&cfg->params[i]);
    free(cfg->params);
    free(cfg->type);
    memset(cfg, 0, sizeof(*cfg));
}

sfc_err sfc_image_config_set(sfc_image_config *cfg, const char *key,
                           const char *value)
{
    for (size_t i = 0; i < cfg->n_params; i++) {
        if (strcmp(cfg->params[i].key, key) == 0) {
            char *v = dup_secret(value);
            if (!v)
                return SFC_E_NOMEM;
            char *old = (char *)cfg->params[i].value;
            sfc_wipe(old, strlen(old));
            free(old);
            cfg->params[i].value = v;
            return SFC_OK;
        }
    }
    if (cfg->n_params >= MAX_PARAMS)
        return SFC_E_RANGE;
    sfc_param *grown = realloc(cfg->params,
                              (cfg->n_params + 1) * sizeof(*grown));
    if (!grown)
        return SFC_E_NOMEM;
    cfg->params = grown;
    sfc_param *p = &cfg->params[cfg->n_params];
    p->key = strdup(key);
    p->value = dup_secret(value);
    if (!p->key || !p->value) {
        free_param(p);
        return SFC_E_NOMEM;
    }
    cfg->n_params++;
    return SFC_OK;
}

static sfc_err read_header(ij_ctx *c, json_object *root)
{
    const char *format = NULL;
    uint64_t version = CONFIG_VERSION;
    sfc_err rv = ij_object(c, root, config_fields);
    if (rv == SFC_OK)
        rv = ij_string(c, root, "format", false, &format);
    if (rv == SFC_OK && format && strcmp(format, CONFIG_FORMAT) != 0)
        return ij_fail_at(c, "format", SFC_E_FORMAT, "'%s' is not \"%s\"",
                          format, CONFIG_FORMAT);
    if (rv == SFC_OK)
        rv = ij_uint(c, root, "version", false, 0, UINT32_MAX, &version);
    if (rv == SFC_OK && version != CONFIG_VERSION)
        return ij_fail_at(c, "version", SFC_E_UNSUPPORTED, "version %llu is "
                          "not supported", (unsigned long long)version);
    return rv;
}

static const char *put_config_param(void *user, const char *key,
                                    const char *value)
{
    if (sfc_image_config_set(user, key, value) != SFC_OK)
        return "too many parameters or out of memory";
    return NULL;
}

static sfc_err read_config(ij_ctx *c, json_object *root, sfc_image_config *cfg)
{
    const char *type = NULL;
    sfc_err rv = read_header(c, root);
    if (rv == SFC_OK)
        rv = ij_string(c, root, "type", true, &type);
    if (rv == SFC_OK && !(cfg->type = strdup(type)))
        rv = ij_fail(c, SFC_E_NOMEM, "out of memory");
    if (rv == SFC_OK)
        rv = ij_bool(c, root, "extended_length", &cfg->extended_length);
    if (rv == SFC_OK)
        rv = ij_params(c, root, put_config_param, cfg);
    return rv;
}

sfc_err sfc_image_config_load(const char *path, sfc_image_config *cfg,
                            char *err, size_t errlen)
{
    char *text = NULL, inner[SFC_IMAGE_ERR_MAX] = "";
    size_t len = 0;
    json_object *root = NULL;
    ij_ctx c;
    memset(cfg, 0, sizeof(*cfg));
    sfc_err rv = sfc_image_read_file(path, &text, &len, err, errlen);
    if (rv != SFC_OK)
        return rv;
    rv = ij_parse(text, len, &root, inner, sizeof(inner));
    ij_init(&c, rv == SFC_OK ? inner : NULL, sizeof(inner));
    if (rv == SFC_OK)
        rv = read_config(&c, root, cfg);
    ij_put_wiped(root);
    sfc_image_text_free(text, len);
    if (rv != SFC_OK) {
        sfc_image_config_free(cfg);
        if (err && errlen)
            sfc_errf(err, errlen, "%s: %s", path, inner);
    }
    return rv;
}
