/* SPDX-License-Identifier: LGPL-2.1-or-later */
/**
 * @file observer.c
 * @brief The observer registry: add, remove, and a notification that is
 *        safe against changes made by the observers themselves.
 *
 * obs_notify() copies the list before calling anyone (pyscard's snapshot
 * idea) and, before each call, checks that the observer is still
 * registered: an observer removed by an earlier one in the same round is
 * not called, one added during the round waits for the next event. Ids
 * are never reused within a registry, so a stale id cannot remove a newer
 * observer.
 */
#include "scio/observer.h"

#include <stdlib.h>
#include <string.h>

#define SNAPSHOT_ON_STACK 16

scio_status obs_add(obs_registry *r, scio_observer_fn fn, void *user,
                    unsigned *id)
{
    if (!fn)
        return SCIO_E_INVALID_ARG;
    for (size_t i = 0; i < r->n; i++)
        if (r->e[i].fn == fn && r->e[i].user == user) {
            if (id)
                *id = r->e[i].id;
            return SCIO_OK;
        }
    if (r->n == r->cap) {
        size_t cap = r->cap ? r->cap * 2 : 4;
        obs_entry *e = realloc(r->e, cap * sizeof(*e));
        if (!e)
            return SCIO_E_NO_MEMORY;
        r->e = e;
        r->cap = cap;
    }
    r->e[r->n++] = (obs_entry){++r->next_id, fn, user};
    if (id)
        *id = r->next_id;
    return SCIO_OK;
}

scio_status obs_remove(obs_registry *r, unsigned id)
{
    for (size_t i = 0; i < r->n; i++)
        if (r->e[i].id == id) {
            memmove(&r->e[i], &r->e[i + 1], (r->n - i - 1) * sizeof(*r->e));
            r->n--;
            return SCIO_OK;
        }
    return SCIO_E_NOT_FOUND;
}

static bool still_there(const obs_registry *r, unsigned id)
{
    for (size_t i = 0; i < r->n; i++)
        if (r->e[i].id == id)
            return true;
    return false;
}

void obs_notify(obs_registry *r, scio_connection *conn, const scio_event *ev)
{
    obs_entry local[SNAPSHOT_ON_STACK];
    obs_entry *snap = local;
    size_t n = r->n;

    if (n == 0)
        return;
    if (n > SNAPSHOT_ON_STACK && !(snap = malloc(n * sizeof(*snap)))) {
        snap = local; /* notify the first ones rather than nobody */
        n = SNAPSHOT_ON_STACK;
    }
    memcpy(snap, r->e, n * sizeof(*snap));
    for (size_t i = 0; i < n; i++)
        if (still_there(r, snap[i].id))
            snap[i].fn(conn, ev, snap[i].user);
    if (snap != local)
        free(snap);
}

void obs_free(obs_registry *r)
{
    free(r->e);
    memset(r, 0, sizeof(*r));
}
