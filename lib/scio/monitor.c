/* SPDX-License-Identifier: LGPL-2.1-or-later */
/**
 * @file monitor.c
 * @brief Card and reader monitors: one long-lived thread each, explicit
 *        start and stop, a defined initial snapshot, an error callback.
 *
 * A card monitor is a card request (request.c) driven by a thread that
 * waits for events without a timeout and hands them to the callback. A
 * reader monitor drives a watch (watch.c) and diffs reader names. Both
 * inherit the watch's behaviour on service loss: the error callback hears
 * about it, the context is re-established with back-off, and the monitor
 * carries on, reporting what differs afterwards. start() returns once the
 * thread has looked at the readers (so no change after start() is missed
 * and the snapshot is well defined); stop() cancels the wait and joins.
 */
#include "scio/request.h"

#include <stdlib.h>
#include <string.h>

#define ERROR_PAUSE_MS 500u
#define EVENTS_PER_CALL 32

/** Start/stop plumbing shared by both monitors. */
typedef struct mon_thread {
    pthread_t thread;
    bool running;
    pthread_mutex_t lock;
    pthread_cond_t cond;
    bool ready;            /**< the first look is done */
    scio_status first;     /**< its result */
} mon_thread;

static scio_status mon_init(mon_thread *t)
{
    memset(t, 0, sizeof(*t));
    if (pthread_mutex_init(&t->lock, NULL) != 0)
        return SCIO_E_NO_MEMORY;
    if (pthread_cond_init(&t->cond, NULL) != 0) {
        pthread_mutex_destroy(&t->lock);
        return SCIO_E_NO_MEMORY;
    }
    return SCIO_OK;
}

static void mon_fini(mon_thread *t)
{
    pthread_cond_destroy(&t->cond);
    pthread_mutex_destroy(&t->lock);
}

/* From the thread: the first look is done. */
static void mon_ready(mon_thread *t, scio_status st)
{
    pthread_mutex_lock(&t->lock);
    t->ready = true;
    t->first = st;
    pthread_cond_broadcast(&t->cond);
    pthread_mutex_unlock(&t->lock);
}

static scio_status mon_start(mon_thread *t, void *(*fn)(void *), void *arg)
{
    if (t->running)
        return SCIO_E_STATE;
    t->ready = false;
    if (pthread_create(&t->thread, NULL, fn, arg) != 0)
        return SCIO_E_NO_MEMORY;
    t->running = true;
    pthread_mutex_lock(&t->lock);
    while (!t->ready)
        pthread_cond_wait(&t->cond, &t->lock);
    scio_status st = t->first;
    pthread_mutex_unlock(&t->lock);
    return st;
}

static void mon_join(mon_thread *t)
{
    if (!t->running)
        return;
    pthread_join(t->thread, NULL);
    t->running = false;
}

/* ---- card monitor ------------------------------------------------------- */

struct scio_card_monitor {
    scio_card_monitor_opts o;
    scio_card_request *req;
    mon_thread t;
};

static void card_mon_service(scio_status st, uint32_t code, void *user)
{
    scio_card_monitor *m = user;
    if (m->o.on_error)
        m->o.on_error(st, code, m->o.user);
}

scio_status scio_card_monitor_new(scio_context *ctx,
                                  const scio_card_monitor_opts *opts,
                                  scio_card_monitor **out)
{
    if (!ctx || !opts || !opts->on_events || !out)
        return SCIO_E_INVALID_ARG;
    *out = NULL;
    scio_card_monitor *m = calloc(1, sizeof(*m));
    if (!m)
        return SCIO_E_NO_MEMORY;
    m->o = *opts;
    scio_card_request_opts ro = {.type = opts->type, .readers = opts->readers,
                                 .n_readers = opts->n_readers};
    scio_status st = mon_init(&m->t);
    if (st != SCIO_OK) {
        free(m);
        return st;
    }
    st = scio_card_request_new(ctx, &ro, &m->req);
    if (st != SCIO_OK) {
        mon_fini(&m->t);
        free(m);
        return st;
    }
    m->o.readers = NULL; /* copied by the request */
    m->req->w.on_service = card_mon_service;
    m->req->w.service_user = m;
    *out = m;
    return SCIO_OK;
}

/* Deliver what is pending (the snapshot may be empty). */
static scio_status card_mon_deliver(scio_card_monitor *m, int timeout_ms,
                                    bool even_empty)
{
    scio_card_event ev[EVENTS_PER_CALL];
    size_t n = 0;
    scio_status st = scio_card_request_wait_event(m->req, timeout_ms, ev,
                                                  EVENTS_PER_CALL, &n);
    if (st == SCIO_E_TIMEOUT && even_empty)
        st = SCIO_OK;
    if (st == SCIO_OK && (n > 0 || even_empty))
        m->o.on_events(ev, n, m->o.user);
    return st;
}

static void *card_mon_thread(void *arg)
{
    scio_card_monitor *m = arg;
    scio_status st = request_baseline(m->req, m->o.initial_snapshot);
    mon_ready(&m->t, st);
    if (st != SCIO_OK)
        return NULL;
    if (m->o.initial_snapshot)
        st = card_mon_deliver(m, 0, true);
    while (st != SCIO_E_CANCELLED) {
        st = card_mon_deliver(m, SCIO_TIMEOUT_INFINITE, false);
        if (st == SCIO_OK || st == SCIO_E_CANCELLED)
            continue;
        card_mon_service(st, scio_card_request_pcsc_code(m->req), m);
        watch_pause(&m->req->w, ERROR_PAUSE_MS);
    }
    return NULL;
}

scio_status scio_card_monitor_start(scio_card_monitor *mon)
{
    if (!mon)
        return SCIO_E_INVALID_ARG;
    if (mon->t.running)
        return SCIO_E_STATE;
    scio_card_request_reset_cancel(mon->req);
    scio_status st = mon_start(&mon->t, card_mon_thread, mon);
    if (st != SCIO_OK)
        mon_join(&mon->t);
    return st;
}

void scio_card_monitor_stop(scio_card_monitor *mon)
{
    if (!mon || !mon->t.running)
        return;
    scio_card_request_cancel(mon->req);
    mon_join(&mon->t);
}

void scio_card_monitor_free(scio_card_monitor *mon)
{
    if (!mon)
        return;
    scio_card_monitor_stop(mon);
    scio_card_request_free(mon->req);
    mon_fini(&mon->t);
    free(mon);
}

/* ---- reader monitor ----------------------------------------------------- */

struct scio_reader_monitor {
    scio_reader_monitor_opts o;
    watch w;
    char **known;
    size_t n_known;
    mon_thread t;
};

static void reader_mon_service(scio_status st, uint32_t code, void *user)
{
    scio_reader_monitor *m = user;
    if (m->o.on_error)
        m->o.on_error(st, code, m->o.user);
}

scio_status scio_reader_monitor_new(scio_context *ctx,
                                    const scio_reader_monitor_opts *opts,
                                    scio_reader_monitor **out)
{
    if (!ctx || !opts || !opts->on_change || !out)
        return SCIO_E_INVALID_ARG;
    *out = NULL;
    scio_reader_monitor *m = calloc(1, sizeof(*m));
    if (!m)
        return SCIO_E_NO_MEMORY;
    m->o = *opts;
    scio_status st = mon_init(&m->t);
    if (st != SCIO_OK) {
        free(m);
        return st;
    }
    st = watch_init(&m->w, ctx, NULL, 0);
    if (st != SCIO_OK) {
        mon_fini(&m->t);
        free(m);
        return st;
    }
    m->w.on_service = reader_mon_service;
    m->w.service_user = m;
    *out = m;
    return SCIO_OK;
}

static bool in_watch(const watch *w, const char *name)
{
    for (size_t i = 0; i < w->n; i++)
        if (strcmp(w->r[i].name, name) == 0)
            return true;
    return false;
}

static bool in_known(const scio_reader_monitor *m, const char *name)
{
    for (size_t i = 0; i < m->n_known; i++)
        if (strcmp(m->known[i], name) == 0)
            return true;
    return false;
}

static void free_known(scio_reader_monitor *m)
{
    for (size_t i = 0; i < m->n_known; i++)
        free(m->known[i]);
    free(m->known);
    m->known = NULL;
    m->n_known = 0;
}

/* Compare the watch's readers with the known ones; report and adopt. */
static scio_status reader_mon_diff(scio_reader_monitor *m, bool always)
{
    size_t cap = m->w.n + m->n_known + 1;
    const char **added = calloc(cap, sizeof(char *));
    const char **removed = calloc(cap, sizeof(char *));
    char **next = calloc(m->w.n + 1, sizeof(char *));
    size_t na = 0, nr = 0, nn = 0;
    scio_status st = added && removed && next ? SCIO_OK : SCIO_E_NO_MEMORY;
    for (size_t i = 0; st == SCIO_OK && i < m->w.n; i++) {
        if (!(next[nn] = strdup(m->w.r[i].name)))
            st = SCIO_E_NO_MEMORY;
        else if (!in_known(m, next[nn++]))
            added[na++] = next[nn - 1];
    }
    for (size_t i = 0; st == SCIO_OK && i < m->n_known; i++)
        if (!in_watch(&m->w, m->known[i]))
            removed[nr++] = m->known[i];
    if (st == SCIO_OK && (na || nr || always))
        m->o.on_change(added, na, removed, nr, m->o.user);
    if (st == SCIO_OK) {
        free_known(m);
        m->known = next;
        m->n_known = nn;
        next = NULL;
    }
    for (size_t i = 0; next && i < nn; i++)
        free(next[i]);
    free(next);
    free(added);
    free(removed);
    return st;
}

static void *reader_mon_thread(void *arg)
{
    scio_reader_monitor *m = arg;
    free_known(m);
    scio_status st = watch_scan(&m->w);
    if (st == SCIO_OK && !m->o.initial_snapshot)
        st = reader_mon_diff(m, false); /* adopt silently: no one listens */
    mon_ready(&m->t, st);
    if (st != SCIO_OK)
        return NULL;
    if (m->o.initial_snapshot)
        (void)reader_mon_diff(m, true);
    while ((st = watch_step(&m->w, WATCH_FOREVER)) != SCIO_E_CANCELLED) {
        if (st == SCIO_OK)
            st = reader_mon_diff(m, false);
        if (st != SCIO_OK) {
            reader_mon_service(st, m->w.code, m);
            watch_pause(&m->w, ERROR_PAUSE_MS);
        }
    }
    return NULL;
}

scio_status scio_reader_monitor_start(scio_reader_monitor *mon)
{
    if (!mon)
        return SCIO_E_INVALID_ARG;
    if (mon->t.running)
        return SCIO_E_STATE;
    watch_reset_cancel(&mon->w);
    scio_status st = mon_start(&mon->t, reader_mon_thread, mon);
    if (st != SCIO_OK)
        mon_join(&mon->t);
    return st;
}

void scio_reader_monitor_stop(scio_reader_monitor *mon)
{
    if (!mon || !mon->t.running)
        return;
    watch_cancel(&mon->w);
    mon_join(&mon->t);
}

void scio_reader_monitor_free(scio_reader_monitor *mon)
{
    if (!mon)
        return;
    scio_reader_monitor_stop(mon);
    watch_fini(&mon->w);
    free_known(mon);
    mon_fini(&mon->t);
    free(mon);
}
