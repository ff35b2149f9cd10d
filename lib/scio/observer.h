/* SPDX-License-Identifier: LGPL-2.1-or-later */
/**
 * @file observer.h
 * @brief The observer registry of a connection.
 *
 * Kept apart from the connection so the unit tests can drive it alone:
 * ids, duplicate handling, and notification that tolerates observers
 * removing (or adding) observers while it runs.
 */
#ifndef SCIO_OBSERVER_H
#define SCIO_OBSERVER_H

#include "scio.h"

typedef struct obs_entry {
    unsigned id;
    scio_observer_fn fn;
    void *user;
} obs_entry;

typedef struct obs_registry {
    obs_entry *e;
    size_t n, cap;
    unsigned next_id;
} obs_registry;

/** Register; the same fn + user again returns its existing id. */
scio_status obs_add(obs_registry *r, scio_observer_fn fn, void *user,
                    unsigned *id);

/** Unregister by id; SCIO_E_NOT_FOUND if unknown. */
scio_status obs_remove(obs_registry *r, unsigned id);

/**
 * Call every observer registered when the notification starts and still
 * registered when its turn comes, in registration order.
 */
void obs_notify(obs_registry *r, scio_connection *conn, const scio_event *ev);

void obs_free(obs_registry *r);

#endif
