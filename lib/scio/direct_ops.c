/* SPDX-License-Identifier: LGPL-2.1-or-later */
/**
 * @file direct_ops.c
 * @brief The direct backend's contexts: reader lists and
 *        SCardGetStatusChange semantics, reproduced from pcsc-lite.
 *
 * get_status_change follows pcsc-lite's client: an unknown reader at entry
 * fails the whole call with UNKNOWN_READER; an entry is CHANGED when its
 * current state is UNAWARE, when presence, use or exclusivity differ, or
 * when the event counter in the upper 16 bits of the current state is
 * non-zero and differs from the reader's; the PnP pseudo reader never
 * changes (the slot set is fixed). Timeout 0 scans once. Cancel, as in
 * pcsc-lite, only interrupts a wait in progress; the sticky cancellation
 * lives one layer up, the same for both backends.
 */
#include "scio/direct.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

static uint32_t direct_ctx_new(void *backend, be_ctx **out)
{
    dsrv *s = backend;
    pthread_mutex_lock(&s->lock);
    bool stopping = s->stopping;
    pthread_mutex_unlock(&s->lock);
    if (stopping)
        return RV_E_NO_SERVICE;
    be_ctx *c = calloc(1, sizeof(*c));
    if (!c)
        return RV_E_NO_MEMORY;
    c->srv = s;
    *out = c;
    return RV_SUCCESS;
}

static void direct_ctx_free(be_ctx *c)
{
    free(c);
}

static uint32_t make_multi(const char *const *names, size_t n, char **multi,
                           size_t *len)
{
    size_t total = 1;
    for (size_t i = 0; i < n; i++)
        total += strlen(names[i]) + 1;
    char *m = calloc(1, total + 1);
    if (!m)
        return RV_E_NO_MEMORY;
    size_t at = 0;
    for (size_t i = 0; i < n; i++) {
        strcpy(m + at, names[i]);
        at += strlen(names[i]) + 1;
    }
    *multi = m;
    *len = total;
    return RV_SUCCESS;
}

static uint32_t direct_list_readers(be_ctx *c, char **multi, size_t *len)
{
    const char *names[DIRECT_MAX_SLOTS];
    for (size_t i = 0; i < c->srv->n_slots; i++)
        names[i] = c->srv->slots[i].name; /* fixed at creation */
    return make_multi(names, c->srv->n_slots, multi, len);
}

static uint32_t direct_list_groups(be_ctx *c, char **multi, size_t *len)
{
    static const char *const groups[] = {"SCard$DefaultReaders"};
    (void)c;
    return make_multi(groups, 1, multi, len);
}

static bool is_pnp(const char *name)
{
    return strcasecmp(name, BE_PNP_READER) == 0;
}

/** Bits whose difference makes a reader CHANGED. */
#define ST_COMPARED (ST_PRESENT | ST_EMPTY | ST_INUSE | ST_EXCLUSIVE | \
                     ST_MUTE | ST_UNAVAILABLE | ST_UNKNOWN)

/* Fill one entry's event state; true if it changed. Lock held. */
static bool scan_entry(dsrv *s, be_reader_state *e)
{
    if (e->current & ST_IGNORE) {
        e->event = ST_IGNORE;
        return false;
    }
    if (is_pnp(e->reader)) {
        e->event = 0;
        return false;
    }
    const dslot *sl = direct_find_slot(s, e->reader);
    uint32_t now = slot_reader_state(sl);
    uint16_t cur_counter = ST_COUNTER(e->current);
    bool changed = (e->current & 0xFFFFu) == ST_UNAWARE ||
                   ((e->current ^ now) & ST_COMPARED) != 0 ||
                   (cur_counter != 0 && cur_counter != sl->counter);
    e->event = now | (changed ? ST_CHANGED : 0);
    e->atr_len = sl->present ? sl->atr_len : 0;
    memcpy(e->atr, sl->atr, e->atr_len);
    return changed;
}

static bool scan_all(dsrv *s, be_reader_state *st, size_t n)
{
    bool any = false;
    for (size_t i = 0; i < n; i++)
        any = scan_entry(s, &st[i]) || any;
    return any;
}

static bool all_known(dsrv *s, const be_reader_state *st, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (!(st[i].current & ST_IGNORE) && !is_pnp(st[i].reader) &&
            !direct_find_slot(s, st[i].reader))
            return false;
    return true;
}

static struct timespec abs_deadline(uint32_t timeout_ms)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    ts.tv_sec += timeout_ms / 1000u;
    ts.tv_nsec += (long)(timeout_ms % 1000u) * 1000000L;
    if (ts.tv_nsec >= 1000000000L) {
        ts.tv_sec++;
        ts.tv_nsec -= 1000000000L;
    }
    return ts;
}

/* The wait itself, lock held. */
static uint32_t wait_change(be_ctx *c, uint32_t timeout_ms,
                            be_reader_state *st, size_t n)
{
    dsrv *s = c->srv;
    struct timespec deadline = abs_deadline(timeout_ms);
    for (;;) {
        if (s->stopping)
            return RV_E_NO_SERVICE;
        if (scan_all(s, st, n))
            return RV_SUCCESS;
        if (c->cancelled)
            return RV_E_CANCELLED;
        if (timeout_ms == BE_INFINITE)
            pthread_cond_wait(&s->changed, &s->lock);
        else if (pthread_cond_timedwait(&s->changed, &s->lock, &deadline) ==
                 ETIMEDOUT)
            return scan_all(s, st, n) ? RV_SUCCESS : RV_E_TIMEOUT;
    }
}

static uint32_t direct_get_status_change(be_ctx *c, uint32_t timeout_ms,
                                         be_reader_state *st, size_t n)
{
    dsrv *s = c->srv;
    uint32_t rv;

    if (n > 0 && !st)
        return RV_E_INVALID_PARAMETER;
    pthread_mutex_lock(&s->lock);
    if (!all_known(s, st, n)) {
        rv = RV_E_UNKNOWN_READER;
    } else {
        c->waiting = true;
        c->cancelled = false;
        rv = wait_change(c, timeout_ms, st, n);
        c->waiting = false;
    }
    pthread_mutex_unlock(&s->lock);
    return rv;
}

static uint32_t direct_cancel(be_ctx *c)
{
    dsrv *s = c->srv;
    pthread_mutex_lock(&s->lock);
    if (c->waiting) { /* as pcsc-lite: nobody waiting, nothing to do */
        c->cancelled = true;
        pthread_cond_broadcast(&s->changed);
    }
    pthread_mutex_unlock(&s->lock);
    return RV_SUCCESS;
}

const be_ops scio_direct_ops = {
    .name = "direct",
    .ctx_new = direct_ctx_new,
    .ctx_free = direct_ctx_free,
    .list_readers = direct_list_readers,
    .list_groups = direct_list_groups,
    .get_status_change = direct_get_status_change,
    .cancel = direct_cancel,
    .connect = direct_connect,
    .reconnect = direct_reconnect,
    .disconnect = direct_disconnect,
    .status = direct_status,
    .transmit = direct_transmit,
    .control = direct_control,
    .get_attrib = direct_get_attrib,
    .set_attrib = direct_set_attrib,
    .begin_transaction = direct_begin,
    .end_transaction = direct_end,
};
