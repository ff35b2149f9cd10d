/* SPDX-License-Identifier: LGPL-2.1-or-later */
/**
 * @file registry.c
 * @brief The card types a program knows: the built-in ones and plugins
 *        loaded from shared objects.
 *
 * The card OS (lib/os) knows no list of types; this file sits above it and
 * turns a name into a type. A plugin is a shared object that defines the
 * symbol SFC_PLUGIN_SYMBOL, a const sfc_card_type whose first member is the
 * ABI version it was built for (include/softcard-cardtype.h). It is loaded
 * with RTLD_NOW, so a plugin that calls a function this program lacks is
 * refused at once with the loader's reason; a plugin of another ABI
 * version, without the symbol, without a name or attach(), or with the
 * name of a type already known is refused with one line. Loaded plugins
 * stay loaded until the process ends (cards may point into them).
 */
#include "cardtypes/cardtypes.h"

#include <dlfcn.h>
#include <stdio.h>
#include <string.h>

#include "core/errtext.h"
#include "core/log.h"
#include "os/card.h"

#define MAX_TYPES 32

static const sfc_card_type *types[MAX_TYPES + 1] = {
    &sfc_type_iso7816, &sfc_type_cryptoflex,      &sfc_type_epass,
    &sfc_type_npa,     &sfc_type_relay,       &sfc_type_handler_test,
    &sfc_type_piv,     &sfc_type_openpgp, NULL,
};

/* Where the plugins start in types[]: 0 until the first is loaded. */
static size_t first_plugin;

static size_t n_types(void)
{
    size_t n = 0;
    while (types[n])
        n++;
    return n;
}

const sfc_card_type *sfc_card_type_find(const char *name)
{
    for (size_t i = 0; name && types[i]; i++)
        if (strcmp(types[i]->name, name) == 0)
            return types[i];
    return NULL;
}

bool sfc_card_type_is_plugin(const sfc_card_type *t)
{
    for (size_t i = first_plugin; first_plugin && types[i]; i++)
        if (types[i] == t)
            return true;
    return false;
}

const sfc_card_type *const *sfc_card_type_list(void)
{
    return types;
}

const char *const *sfc_card_type_names(void)
{
    static const char *names[MAX_TYPES + 1];
    size_t n = 0;
    for (; types[n]; n++)
        names[n] = types[n]->name;
    names[n] = NULL;
    return names;
}

const char *sfc_card_type_description(const char *type)
{
    const sfc_card_type *t = sfc_card_type_find(type);
    return t ? t->description : NULL;
}

sfc_err sfc_card_new(const char *type, const sfc_card_options *opts,
                     sfc_card **out, char *errbuf, size_t errlen)
{
    if (!out)
        return SFC_E_INVAL;
    *out = NULL;
    const sfc_card_type *t = sfc_card_type_find(type);
    if (!t) {
        sfc_errf(errbuf, errlen, "unknown card type '%s'", type ? type : "");
        return SFC_E_NOT_FOUND;
    }
    return sfc_card_create(t, opts, out, errbuf, errlen);
}

/* ---- plugins ------------------------------------------------------------- */

static sfc_err check_plugin(const char *path, const sfc_card_type *t,
                            char *err, size_t errlen)
{
    if (t->abi != SFC_CARD_TYPE_ABI) {
        sfc_errf(err, errlen, "%s: built for card-type ABI %u, this softcard "
                 "has ABI %d (rebuild it against this softcard's "
                 "softcard-cardtype.h)", path, t->abi, SFC_CARD_TYPE_ABI);
        return SFC_E_UNSUPPORTED;
    }
    if (!t->name || !t->name[0] || !t->attach) {
        sfc_errf(err, errlen, "%s: its card type needs a name and an "
                 "attach function", path);
        return SFC_E_INVAL;
    }
    if (sfc_card_type_find(t->name)) {
        sfc_errf(err, errlen, "%s: a card type named '%s' exists already",
                 path, t->name);
        return SFC_E_STATE;
    }
    if (n_types() == MAX_TYPES) {
        sfc_errf(err, errlen, "%s: too many card types", path);
        return SFC_E_RANGE;
    }
    return SFC_OK;
}

sfc_err sfc_card_type_load(const char *path, const char **name, char *err,
                           size_t errlen)
{
    void *so = dlopen(path, RTLD_NOW | RTLD_LOCAL);
    if (!so) {
        const char *why = dlerror();
        sfc_errf(err, errlen, "cannot load plugin %s", why ? why : path);
        return SFC_E_IO;
    }
    const sfc_card_type *t = dlsym(so, SFC_PLUGIN_SYMBOL);
    if (!t) {
        sfc_errf(err, errlen, "%s: no symbol '%s' (not a softcard card "
                 "type?)", path, SFC_PLUGIN_SYMBOL);
        dlclose(so);
        return SFC_E_NOT_FOUND;
    }
    sfc_err rv = check_plugin(path, t, err, errlen);
    if (rv != SFC_OK) {
        dlclose(so);
        return rv;
    }
    if (!first_plugin)
        first_plugin = n_types();
    types[n_types()] = t; /* the array keeps a NULL after the last */
    sfc_log(SFC_LOG_INFO, "card type '%s' loaded from %s", t->name, path);
    if (name)
        *name = t->name;
    return SFC_OK;
}
