/* SPDX-License-Identifier: LGPL-2.1-or-later */
/**
 * @file watch.c
 * @brief The reader-state watcher: one SCardGetStatusChange loop done
 *        right (see watch.h for the contract).
 *
 * Rules: a monotonic deadline (the remaining time is recomputed from it,
 * never decremented), the PnP entry in every wait (no busy loop on an
 * empty reader set), the whole event state fed back (remove + reinsert
 * visible through the counter), re-list and retry on UNKNOWN_READER, and
 * recovery from service loss. (What they fix in pyscard's CardRequest:
 * docs/decisions.md.)
 */
#include "scio/watch.h"

#include <stdlib.h>
#include <string.h>

#define BACKOFF_MIN_MS 100u
#define BACKOFF_MAX_MS 1000u
#define CANCEL_RETRY_MS 20u
#define UNKNOWN_READER_PAUSE_MS 50u

scio_status watch_init(watch *w, scio_context *ctx,
                       const char *const *subset, size_t n_subset)
{
    memset(w, 0, sizeof(*w));
    w->ctx = ctx;
    w->relist = true;
    w->backoff_ms = BACKOFF_MIN_MS;
    if (pthread_mutex_init(&w->lock, NULL) != 0)
        return SCIO_E_NO_MEMORY;
    if (cond_init_monotonic(&w->cond) != 0) {
        pthread_mutex_destroy(&w->lock);
        return SCIO_E_NO_MEMORY;
    }
    if (subset && n_subset) {
        w->subset = calloc(n_subset, sizeof(char *));
        for (size_t i = 0; w->subset && i < n_subset; i++, w->n_subset++)
            if (!subset[i] || !(w->subset[i] = strdup(subset[i])))
                break;
        if (!w->subset || w->n_subset < n_subset) {
            watch_fini(w);
            return subset && w->subset ? SCIO_E_INVALID_ARG : SCIO_E_NO_MEMORY;
        }
    }
    w->code = ctx_open(ctx, &w->bectx);
    if (w->code != RV_SUCCESS) {
        scio_status st = rv_status(w->code);
        watch_fini(w);
        return st;
    }
    return SCIO_OK;
}

void watch_fini(watch *w)
{
    if (w->bectx)
        w->ctx->ops->ctx_free(w->bectx);
    w->bectx = NULL;
    for (size_t i = 0; i < w->n_subset; i++)
        free(w->subset[i]);
    free(w->subset);
    free(w->r);
    pthread_cond_destroy(&w->cond);
    pthread_mutex_destroy(&w->lock);
    memset(w, 0, sizeof(*w));
}

bool watch_present(const watch_reader *r)
{
    return (r->state & ST_PRESENT) && !(r->state & (ST_MUTE | ST_UNKNOWN));
}

/* ---- reader list -------------------------------------------------------- */

static bool wanted(const watch *w, const char *name)
{
    if (!w->subset)
        return true;
    for (size_t i = 0; i < w->n_subset; i++)
        if (strcmp(w->subset[i], name) == 0)
            return true;
    return false;
}

static const watch_reader *find_old(const watch_reader *old, size_t n,
                                    const char *name)
{
    for (size_t i = 0; i < n; i++)
        if (strcmp(old[i].name, name) == 0)
            return &old[i];
    return NULL;
}

/* Rebuild the table from a reader list, keeping known states. */
static scio_status adopt_list(watch *w, const scio_reader_list *l,
                              bool *set_changed)
{
    watch_reader *r = calloc(l->n ? l->n : 1, sizeof(*r));
    size_t n = 0, kept = 0;
    if (!r)
        return SCIO_E_NO_MEMORY;
    for (size_t i = 0; i < l->n; i++) {
        const char *name = l->names[i];
        if (!wanted(w, name) || strlen(name) > SCIO_READER_NAME_MAX)
            continue;
        const watch_reader *o = find_old(w->r, w->n, name);
        if (o)
            r[n] = *o;
        else
            copy_name(r[n].name, sizeof(r[n].name), name);
        kept += o != NULL;
        n++;
    }
    *set_changed = kept != n || kept != w->n;
    free(w->r);
    w->r = r;
    w->n = w->cap = n;
    return SCIO_OK;
}

static uint32_t relist(watch *w, bool *set_changed)
{
    char *multi = NULL;
    size_t len = 0;
    scio_reader_list *l = NULL;
    uint32_t rv = w->ctx->ops->list_readers(w->bectx, &multi, &len);
    if (rv == RV_E_NO_READERS_AVAILABLE) {
        rv = RV_SUCCESS;
        len = 0;
    }
    if (rv != RV_SUCCESS)
        return rv;
    scio_status st = reader_list_from_multi(multi, len, &l);
    free(multi);
    if (st == SCIO_OK)
        st = adopt_list(w, l, set_changed);
    scio_reader_list_free(l);
    if (st != SCIO_OK)
        return RV_E_NO_MEMORY;
    w->relist = false;
    return RV_SUCCESS;
}

/* ---- service loss ------------------------------------------------------- */

static void service_lost(watch *w, uint32_t rv)
{
    pthread_mutex_lock(&w->lock);
    if (w->bectx)
        w->ctx->ops->ctx_free(w->bectx);
    w->bectx = NULL;
    pthread_mutex_unlock(&w->lock);
    w->code = rv;
    if (!w->lost && w->on_service)
        w->on_service(rv_status(rv), rv, w->service_user);
    w->lost = true;
}

/* Sleep until `until` or a cancel; lock not held by the caller. */
static void pause_until(watch *w, uint64_t until)
{
    pthread_mutex_lock(&w->lock);
    if (!w->cancelled)
        cond_wait_until(&w->cond, &w->lock, until);
    pthread_mutex_unlock(&w->lock);
}

static void forget_states(watch *w)
{
    for (size_t i = 0; i < w->n; i++) {
        w->r[i].state = 0;
        w->r[i].atr_len = 0;
    }
    w->pnp_state = 0;
}

/* Try to get a backend context back; true when there is one. */
static bool reestablish(watch *w, uint64_t deadline)
{
    be_ctx *c = NULL;
    uint32_t rv = ctx_open(w->ctx, &c);
    if (rv == RV_SUCCESS) {
        pthread_mutex_lock(&w->lock);
        w->bectx = c;
        pthread_mutex_unlock(&w->lock);
        w->lost = false;
        w->restarts++;
        w->relist = true;
        w->backoff_ms = BACKOFF_MIN_MS;
        forget_states(w);
        if (w->on_service)
            w->on_service(SCIO_OK, RV_SUCCESS, w->service_user);
        return true;
    }
    w->code = rv;
    uint64_t until = scio_now_ms() + w->backoff_ms;
    pause_until(w, until < deadline ? until : deadline);
    w->backoff_ms = w->backoff_ms * 2 > BACKOFF_MAX_MS ? BACKOFF_MAX_MS
                                                       : w->backoff_ms * 2;
    return false;
}

/* ---- waiting ------------------------------------------------------------ */

static bool cancelled(watch *w)
{
    pthread_mutex_lock(&w->lock);
    bool c = w->cancelled;
    pthread_mutex_unlock(&w->lock);
    return c;
}

static uint32_t timeout_for(uint64_t deadline)
{
    if (deadline == WATCH_FOREVER)
        return BE_INFINITE;
    uint64_t now = scio_now_ms();
    uint64_t left = deadline > now ? deadline - now : 0;
    return left >= BE_INFINITE ? BE_INFINITE - 1 : (uint32_t)left;
}

/* Call the backend's wait, visible to watch_cancel(). */
static uint32_t guarded_wait(watch *w, uint64_t deadline,
                             be_reader_state *st, size_t n)
{
    pthread_mutex_lock(&w->lock);
    if (w->cancelled) {
        pthread_mutex_unlock(&w->lock);
        return RV_E_CANCELLED;
    }
    w->in_wait = true;
    pthread_mutex_unlock(&w->lock);
    uint32_t rv = w->ctx->ops->get_status_change(w->bectx,
                                                 timeout_for(deadline), st, n);
    pthread_mutex_lock(&w->lock);
    w->in_wait = false;
    pthread_cond_broadcast(&w->cond);
    if (w->cancelled)
        rv = RV_E_CANCELLED;
    pthread_mutex_unlock(&w->lock);
    return rv;
}

/* Take the event states; true if a reader changed. */
static bool take_states(watch *w, const be_reader_state *st)
{
    bool changed = false;
    if (st[0].event & ST_CHANGED)
        w->relist = true;
    w->pnp_state = st[0].event & ~ST_CHANGED;
    for (size_t i = 0; i < w->n; i++) {
        const be_reader_state *e = &st[i + 1];
        if (!(e->event & ST_CHANGED))
            continue;
        changed = true;
        w->r[i].state = e->event & ~ST_CHANGED;
        w->r[i].atr_len = e->atr_len;
        memcpy(w->r[i].atr, e->atr, e->atr_len);
        if (e->event & (ST_UNKNOWN | ST_UNAVAILABLE))
            w->relist = true;
    }
    return changed;
}

/* One backend wait over PnP + readers. */
static uint32_t wait_once(watch *w, uint64_t deadline, bool *changed)
{
    be_reader_state *st = calloc(w->n + 1, sizeof(*st));
    if (!st)
        return RV_E_NO_MEMORY;
    st[0].reader = BE_PNP_READER;
    st[0].current = w->pnp_state;
    for (size_t i = 0; i < w->n; i++) {
        st[i + 1].reader = w->r[i].name;
        st[i + 1].current = w->r[i].state;
    }
    uint32_t rv = guarded_wait(w, deadline, st, w->n + 1);
    if (rv == RV_SUCCESS)
        *changed = take_states(w, st);
    free(st);
    return rv;
}


static bool any_unseen(const watch *w)
{
    for (size_t i = 0; i < w->n; i++)
        if (!watch_seen(&w->r[i]))
            return true;
    return false;
}

/* Re-list; SCIO_OK with *report set when the caller should see the new
 * reader set right away (readers went away and none is new). */
static scio_status step_relist(watch *w, bool *report)
{
    bool set_changed = false;
    uint32_t rv = relist(w, &set_changed);
    *report = false;
    if (be_service_lost(rv)) {
        service_lost(w, rv);
        return SCIO_OK;
    }
    if (rv != RV_SUCCESS)
        return rv_status(w->code = rv);
    *report = set_changed && !any_unseen(w);
    return SCIO_OK;
}

/* What to do after a backend failure: SCIO_OK to loop, else the result. */
static scio_status step_failure(watch *w, uint32_t rv)
{
    if (rv == RV_E_CANCELLED)
        return SCIO_OK; /* the loop checks the flag */
    if (rv == RV_E_UNKNOWN_READER) {
        w->relist = true;
        pause_until(w, scio_now_ms() + UNKNOWN_READER_PAUSE_MS);
        return SCIO_OK;
    }
    if (be_service_lost(rv)) {
        service_lost(w, rv);
        return SCIO_OK;
    }
    w->code = rv;
    return rv == RV_E_TIMEOUT ? SCIO_E_TIMEOUT : rv_status(rv);
}

scio_status watch_step(watch *w, uint64_t deadline)
{
    for (;;) {
        bool report = false, changed = false;
        if (cancelled(w))
            return SCIO_E_CANCELLED;
        if (!w->bectx) {
            if (deadline != WATCH_FOREVER && scio_now_ms() >= deadline)
                return SCIO_E_NO_SERVICE;
            (void)reestablish(w, deadline);
            continue;
        }
        if (w->relist) {
            scio_status st = step_relist(w, &report);
            if (st != SCIO_OK || report)
                return st;
            if (!w->bectx)
                continue;
        }
        uint32_t rv = wait_once(w, deadline, &changed);
        if (rv == RV_SUCCESS && changed)
            return SCIO_OK;
        if (rv == RV_SUCCESS)
            continue; /* PnP only: re-list next round */
        scio_status st = step_failure(w, rv);
        if (st != SCIO_OK)
            return st;
    }
}

scio_status watch_scan(watch *w)
{
    scio_status st = watch_step(w, scio_now_ms());
    return st == SCIO_E_TIMEOUT ? SCIO_OK : st;
}

void watch_cancel(watch *w)
{
    pthread_mutex_lock(&w->lock);
    w->cancelled = true;
    pthread_cond_broadcast(&w->cond);
    while (w->in_wait) {
        if (w->bectx)
            (void)w->ctx->ops->cancel(w->bectx);
        cond_wait_until(&w->cond, &w->lock, scio_now_ms() + CANCEL_RETRY_MS);
    }
    pthread_mutex_unlock(&w->lock);
}

void watch_pause(watch *w, unsigned ms)
{
    pause_until(w, scio_now_ms() + ms);
}

void watch_reset_cancel(watch *w)
{
    pthread_mutex_lock(&w->lock);
    w->cancelled = false;
    pthread_mutex_unlock(&w->lock);
}
