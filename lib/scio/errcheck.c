/* SPDX-License-Identifier: LGPL-2.1-or-later */
/**
 * @file errcheck.c
 * @brief Status-word checking: testing a table, and chains of checkers
 *        built with an append API and filtered by class.
 *
 * A chain is an array owned by one object (why not pyscard's linked
 * checkers: docs/decisions.md): append adds at the end, check runs the
 * links in order, and the first objection whose class is not filtered
 * wins. Filtering is exact (classes are flat bits) and applies to every
 * link.
 */
#include "scio/errcheck.h"

#include <stdlib.h>
#include <string.h>

typedef struct chain_link {
    const scio_sw_checker *table; /**< built-in, or NULL for fn */
    scio_sw_check_fn fn;
    void *user;
    char *name;
} chain_link;

struct scio_error_chain {
    chain_link *links;
    size_t n, cap;
    unsigned filtered;
};

const char *scio_sw_checker_name(const scio_sw_checker *checker)
{
    return checker ? checker->name : NULL;
}

bool scio_sw_checker_test(const scio_sw_checker *checker, uint8_t sw1,
                          uint8_t sw2, scio_sw_error *err)
{
    for (size_t i = 0; checker && i < checker->n; i++) {
        const sw_rule *r = &checker->rules[i];
        if (r->sw1 != sw1 || sw2 < r->sw2_lo || sw2 > r->sw2_hi)
            continue;
        if (err)
            *err = (scio_sw_error){r->cls, sw1, sw2, r->message,
                                   checker->name};
        return true;
    }
    return false;
}

scio_status scio_error_chain_new(scio_error_chain **out)
{
    if (!out)
        return SCIO_E_INVALID_ARG;
    *out = calloc(1, sizeof(**out));
    return *out ? SCIO_OK : SCIO_E_NO_MEMORY;
}

static scio_status append_link(scio_error_chain *chain, chain_link link)
{
    if (chain->n == chain->cap) {
        size_t cap = chain->cap ? chain->cap * 2 : 4;
        chain_link *l = realloc(chain->links, cap * sizeof(*l));
        if (!l)
            return SCIO_E_NO_MEMORY;
        chain->links = l;
        chain->cap = cap;
    }
    chain->links[chain->n++] = link;
    return SCIO_OK;
}

scio_status scio_error_chain_append(scio_error_chain *chain,
                                    const scio_sw_checker *checker)
{
    if (!chain || !checker)
        return SCIO_E_INVALID_ARG;
    return append_link(chain, (chain_link){.table = checker});
}

scio_status scio_error_chain_append_fn(scio_error_chain *chain,
                                       scio_sw_check_fn fn, void *user,
                                       const char *name)
{
    if (!chain || !fn)
        return SCIO_E_INVALID_ARG;
    char *copy = strdup(name ? name : "custom");
    if (!copy)
        return SCIO_E_NO_MEMORY;
    scio_status st = append_link(chain, (chain_link){NULL, fn, user, copy});
    if (st != SCIO_OK)
        free(copy);
    return st;
}

void scio_error_chain_filter(scio_error_chain *chain, unsigned classes)
{
    if (chain)
        chain->filtered |= classes & SCIO_SW_ALL;
}

size_t scio_error_chain_length(const scio_error_chain *chain)
{
    return chain ? chain->n : 0;
}

static bool link_objects(const chain_link *l, const uint8_t *data, size_t len,
                         uint8_t sw1, uint8_t sw2, scio_sw_error *e)
{
    if (l->table)
        return scio_sw_checker_test(l->table, sw1, sw2, e);
    *e = (scio_sw_error){SCIO_SW_CUSTOM, sw1, sw2, "status word rejected",
                         l->name};
    if (!l->fn(data, len, sw1, sw2, e, l->user))
        return false;
    if (!e->checker)
        e->checker = l->name;
    if (!e->message)
        e->message = "status word rejected";
    return true;
}

bool scio_error_chain_check(const scio_error_chain *chain,
                            const uint8_t *data, size_t len, uint8_t sw1,
                            uint8_t sw2, scio_sw_error *err)
{
    scio_sw_error e;
    for (size_t i = 0; chain && i < chain->n; i++) {
        if (!link_objects(&chain->links[i], data, len, sw1, sw2, &e))
            continue;
        if (chain->filtered & e.cls)
            continue; /* filtered: the next link may still object */
        if (err)
            *err = e;
        return true;
    }
    return false;
}

void scio_error_chain_free(scio_error_chain *chain)
{
    if (!chain)
        return;
    for (size_t i = 0; i < chain->n; i++)
        free(chain->links[i].name);
    free(chain->links);
    free(chain);
}
