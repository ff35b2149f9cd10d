/* SPDX-License-Identifier: LGPL-2.1-or-later */
/**
 * @file request.c
 * @brief Card requests: wait for a card, wait for insert/remove events,
 *        cancel from another thread.
 *
 * Both waits loop on watch_step() (watch.c) against one monotonic
 * deadline and decide from the watch's reader table after every change:
 *  - wait_card returns the first present card that the type accepts; with
 *    new_card_only it compares each reader with a ledger of how it looked
 *    when last examined (presence, ATR, event counter), so a card present
 *    at the start does not count and a quick remove + reinsert does;
 *  - wait_event diffs the reader table against a ledger of what the
 *    caller has been told and queues INSERTED/REMOVED events; the first
 *    call's ledger is empty, so cards already present come out first.
 */
#include "scio/request.h"

#include <stdlib.h>
#include <string.h>

/* ---- ledgers ------------------------------------------------------------ */

static ledger_entry *ledger_find(ledger *l, const char *name)
{
    for (size_t i = 0; i < l->n; i++)
        if (strcmp(l->e[i].name, name) == 0)
            return &l->e[i];
    return NULL;
}

static ledger_entry *ledger_get(ledger *l, const char *name)
{
    ledger_entry *e = ledger_find(l, name);
    if (e)
        return e;
    if (l->n == l->cap) {
        size_t cap = l->cap ? l->cap * 2 : 8;
        ledger_entry *ne = realloc(l->e, cap * sizeof(*ne));
        if (!ne)
            return NULL;
        l->e = ne;
        l->cap = cap;
    }
    e = &l->e[l->n++];
    memset(e, 0, sizeof(*e));
    copy_name(e->name, sizeof(e->name), name);
    return e;
}

static void ledger_drop(ledger *l, size_t i)
{
    l->e[i] = l->e[--l->n];
}

static void ledger_free(ledger *l)
{
    free(l->e);
    memset(l, 0, sizeof(*l));
}

static void ledger_set(ledger_entry *e, const watch *w, const watch_reader *r,
                       bool present)
{
    e->present = present;
    e->atr_len = present ? r->atr_len : 0;
    memcpy(e->atr, r->atr, e->atr_len);
    e->counter = ST_COUNTER(r->state);
    e->restarts = w->restarts;
}

/* Has the reader's card changed since the entry was taken? */
static bool card_changed(const ledger_entry *e, const watch *w,
                         const watch_reader *r)
{
    if (e->atr_len != r->atr_len || memcmp(e->atr, r->atr, e->atr_len) != 0)
        return true;
    return e->restarts == w->restarts && e->counter != ST_COUNTER(r->state);
}

static bool reader_gone(const watch *w, const char *name)
{
    for (size_t i = 0; i < w->n; i++)
        if (strcmp(w->r[i].name, name) == 0)
            return false;
    return true;
}

/* ---- creation ----------------------------------------------------------- */

scio_status scio_card_request_new(scio_context *ctx,
                                  const scio_card_request_opts *opts,
                                  scio_card_request **out)
{
    static const scio_card_request_opts defaults;
    const scio_card_request_opts *o = opts ? opts : &defaults;
    if (!ctx || !out || (o->n_readers && !o->readers))
        return SCIO_E_INVALID_ARG;
    *out = NULL;
    scio_card_request *req = calloc(1, sizeof(*req));
    if (!req)
        return SCIO_E_NO_MEMORY;
    scio_status st = watch_init(&req->w, ctx, o->readers, o->n_readers);
    if (st != SCIO_OK) {
        free(req);
        return st;
    }
    req->type = o->type;
    req->new_only = o->new_card_only;
    *out = req;
    return SCIO_OK;
}

void scio_card_request_free(scio_card_request *req)
{
    if (!req)
        return;
    watch_fini(&req->w);
    ledger_free(&req->base);
    ledger_free(&req->reported);
    free(req->pending);
    free(req);
}

void scio_card_request_cancel(scio_card_request *req)
{
    if (req)
        watch_cancel(&req->w);
}

void scio_card_request_reset_cancel(scio_card_request *req)
{
    if (req)
        watch_reset_cancel(&req->w);
}

uint32_t scio_card_request_pcsc_code(const scio_card_request *req)
{
    return req ? req->w.code : 0;
}

static uint64_t deadline_of(int timeout_ms)
{
    if (timeout_ms < 0)
        return WATCH_FOREVER;
    return scio_now_ms() + (uint64_t)timeout_ms;
}

static void fill_card(scio_card *c, const watch_reader *r)
{
    memset(c, 0, sizeof(*c));
    copy_name(c->reader, sizeof(c->reader), r->name);
    c->atr_len = r->atr_len;
    memcpy(c->atr, r->atr, r->atr_len);
}

static bool wanted_card(const scio_card_request *req, const watch_reader *r)
{
    return watch_present(r) &&
           scio_card_type_matches(req->type, r->atr, r->atr_len, r->name);
}

/* ---- wait for a card ---------------------------------------------------- */

/* Record every seen reader in the new-card ledger; forget vanished ones. */
static scio_status take_base(scio_card_request *req)
{
    for (size_t i = req->base.n; i-- > 0;)
        if (reader_gone(&req->w, req->base.e[i].name))
            ledger_drop(&req->base, i);
    for (size_t i = 0; i < req->w.n; i++) {
        const watch_reader *r = &req->w.r[i];
        if (!watch_seen(r))
            continue;
        ledger_entry *e = ledger_get(&req->base, r->name);
        if (!e)
            return SCIO_E_NO_MEMORY;
        ledger_set(e, &req->w, r, watch_present(r));
    }
    return SCIO_OK;
}

/* A card inserted since the reader was last examined? Updates the entry. */
static bool newly_inserted(scio_card_request *req, const watch_reader *r,
                           bool *oom)
{
    ledger_entry *e = ledger_get(&req->base, r->name);
    bool present = watch_present(r);
    if (!e) {
        *oom = true;
        return false;
    }
    bool fresh = present && (!e->present || card_changed(e, &req->w, r));
    ledger_set(e, &req->w, r, present);
    return fresh;
}

/* Look for the card to return; true if found. */
static bool pick_card(scio_card_request *req, scio_card *out, bool *oom)
{
    for (size_t i = req->base.n; req->new_only && i-- > 0;)
        if (reader_gone(&req->w, req->base.e[i].name))
            ledger_drop(&req->base, i);
    for (size_t i = 0; i < req->w.n && !*oom; i++) {
        const watch_reader *r = &req->w.r[i];
        if (!watch_seen(r))
            continue;
        bool ok = req->new_only ? newly_inserted(req, r, oom)
                                : watch_present(r);
        if (ok && scio_card_type_matches(req->type, r->atr, r->atr_len,
                                         r->name)) {
            fill_card(out, r);
            return true;
        }
    }
    return false;
}

scio_status scio_card_request_wait_card(scio_card_request *req,
                                        int timeout_ms, scio_card *out)
{
    if (!req || !out)
        return SCIO_E_INVALID_ARG;
    uint64_t deadline = deadline_of(timeout_ms);
    if (req->new_only && !req->have_base) {
        scio_status st = watch_scan(&req->w);
        if (st == SCIO_OK)
            st = take_base(req);
        if (st != SCIO_OK)
            return st;
        req->have_base = true;
    }
    for (;;) {
        bool oom = false;
        if (pick_card(req, out, &oom))
            return SCIO_OK;
        if (oom)
            return SCIO_E_NO_MEMORY;
        scio_status st = watch_step(&req->w, deadline);
        if (st != SCIO_OK)
            return st;
    }
}

/* ---- wait for events ---------------------------------------------------- */

static bool queue_event(scio_card_request *req, scio_card_event_kind kind,
                        const scio_card *card)
{
    if (req->n_pending == req->pending_cap) {
        size_t cap = req->pending_cap ? req->pending_cap * 2 : 8;
        scio_card_event *p = realloc(req->pending, cap * sizeof(*p));
        if (!p)
            return false;
        req->pending = p;
        req->pending_cap = cap;
    }
    req->pending[req->n_pending++] = (scio_card_event){kind, *card};
    return true;
}

static void card_of_entry(scio_card *c, const ledger_entry *e)
{
    memset(c, 0, sizeof(*c));
    copy_name(c->reader, sizeof(c->reader), e->name);
    c->atr_len = e->atr_len;
    memcpy(c->atr, e->atr, e->atr_len);
}

/* Readers that vanished while holding a reported card. */
static bool diff_vanished(scio_card_request *req)
{
    scio_card c;
    for (size_t i = req->reported.n; i-- > 0;) {
        ledger_entry *e = &req->reported.e[i];
        if (!reader_gone(&req->w, e->name))
            continue;
        card_of_entry(&c, e);
        if (e->present && !queue_event(req, SCIO_CARD_REMOVED, &c))
            return false;
        ledger_drop(&req->reported, i);
    }
    return true;
}

static bool diff_reader(scio_card_request *req, const watch_reader *r)
{
    scio_card c;
    ledger_entry *e = ledger_get(&req->reported, r->name);
    bool now = wanted_card(req, r);
    if (!e)
        return false;
    if (e->present && (!now || card_changed(e, &req->w, r))) {
        card_of_entry(&c, e);
        if (!queue_event(req, SCIO_CARD_REMOVED, &c))
            return false;
        e->present = false;
    }
    if (now && !e->present) {
        fill_card(&c, r);
        if (!queue_event(req, SCIO_CARD_INSERTED, &c))
            return false;
    }
    ledger_set(e, &req->w, r, now);
    return true;
}

static scio_status diff_events(scio_card_request *req)
{
    if (!diff_vanished(req))
        return SCIO_E_NO_MEMORY;
    for (size_t i = 0; i < req->w.n; i++)
        if (watch_seen(&req->w.r[i]) && !diff_reader(req, &req->w.r[i]))
            return SCIO_E_NO_MEMORY;
    return SCIO_OK;
}

static size_t take_pending(scio_card_request *req, scio_card_event *events,
                           size_t cap)
{
    size_t n = req->n_pending < cap ? req->n_pending : cap;
    memcpy(events, req->pending, n * sizeof(*events));
    memmove(req->pending, req->pending + n,
            (req->n_pending - n) * sizeof(*events));
    req->n_pending -= n;
    return n;
}

scio_status scio_card_request_wait_event(scio_card_request *req,
                                         int timeout_ms,
                                         scio_card_event *events,
                                         size_t cap, size_t *n)
{
    if (!req || !events || !cap || !n)
        return SCIO_E_INVALID_ARG;
    *n = 0;
    uint64_t deadline = deadline_of(timeout_ms);
    for (;;) {
        scio_status st = diff_events(req);
        if (st != SCIO_OK)
            return st;
        if (req->n_pending > 0) {
            *n = take_pending(req, events, cap);
            return SCIO_OK;
        }
        st = watch_step(&req->w, deadline);
        if (st != SCIO_OK)
            return st;
    }
}

scio_status request_baseline(scio_card_request *req, bool keep)
{
    req->reported.n = 0;
    req->n_pending = 0;
    scio_status st = watch_scan(&req->w);
    if (st == SCIO_OK)
        st = diff_events(req);
    if (!keep)
        req->n_pending = 0; /* known, not news */
    return st;
}
