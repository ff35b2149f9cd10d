/* SPDX-License-Identifier: LGPL-2.1-or-later */
/**
 * @file presence.c
 * @brief Card arrival and departure: accept, reversed-mode dialing with
 *        back-off, the ATR check, ejection and presence bookkeeping.
 *
 * Presence is event-driven. A slot remembers what it last told pcscd
 * (`reported_present`) and whether a card left since (`removal_pending`);
 * drv_changed() is true while pcscd is behind, which ends the event wait at
 * once. A card that leaves and another that arrives between two presence
 * checks are still reported as a removal followed by an insertion, so that
 * applications holding a handle see SCARD_W_REMOVED_CARD.
 *
 * In normal mode only one card is served at a time: a second card waits in
 * the listen backlog until the first one leaves, as with the reference
 * driver.
 */
#define _GNU_SOURCE /* POLLRDHUP */
#include "presence.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/errtext.h"
#include "net.h"
#include "vpcd/sockaddr.h"

#define DIAL_BACKOFF_MIN_MS 50u
#define DIAL_BACKOFF_MAX_MS 1000u

static void log_atr(const drv_slot *s)
{
    char prefix[sizeof(s->name) + 32];
    snprintf(prefix, sizeof(prefix), "%s: card inserted, ATR", s->name);
    sfc_log_hex(SFC_LOG_INFO, prefix, s->atr, s->atr_len);
}

/* A new connection: it is a card once it has told us a valid ATR. */
static void attach(drv_slot *s, int fd)
{
    s->conn_fd = fd;
    s->atr_len = 0;
    s->protocol = 0;
    if (drv_fetch_atr(s) != SFC_OK)
        return; /* drv_fetch_atr ejected it and said why */
    s->refusal_logged = false;
    log_atr(s);
    drv_slot_wake(s);
}

/* A connection that never became a card is "refused"; a card that keeps
 * coming back with the same fault is logged once. */
static const char *eject_word(drv_slot *s, sfc_log_level *level)
{
    if (s->atr_len > 0)
        return "card removed";
    if (s->refusal_logged)
        *level = SFC_LOG_DEBUG;
    s->refusal_logged = true;
    return "card refused";
}

void drv_eject(drv_slot *s, sfc_log_level level, const char *why)
{
    if (s->conn_fd < 0)
        return;
    const char *word = eject_word(s, &level);
    sfc_log(level, "%s: %s: %s", s->name, word, why);
    net_close(&s->conn_fd);
    s->atr_len = 0;
    s->protocol = 0;
    /* a card pcscd never saw needs no removal report */
    s->removal_pending = s->removal_pending || s->reported_present;
    if (s->cfg.mode == DRV_CONNECT) /* the card may come back at once */
        s->dial.next_try = net_now_ms() + DIAL_BACKOFF_MIN_MS;
    drv_slot_wake(s);
}

static void check_connection(drv_slot *s)
{
    switch (net_peer_state(s->conn_fd)) {
    case NET_PEER_IDLE:
        return;
    case NET_PEER_CLOSED:
        drv_eject(s, SFC_LOG_INFO, "the card closed the connection");
        return;
    case NET_PEER_DATA:
        drv_eject(s, SFC_LOG_WARN, "the card sent data nobody asked for "
                  "(protocol error)");
        return;
    }
}

/* ---- reversed mode: connecting to the card ----------------------------- */

void drv_dial_reset(drv_slot *s)
{
    net_close(&s->dial.fd);
    if (s->dial.list)
        vpcd_sock_free(s->dial.list);
    s->dial.list = s->dial.cur = NULL;
}

static void dial_failed_round(drv_slot *s, const char *why)
{
    drv_dial_reset(s);
    drv_dialer *d = &s->dial;
    if (d->backoff_ms == 0)
        d->backoff_ms = DIAL_BACKOFF_MIN_MS;
    d->next_try = net_now_ms() + d->backoff_ms;
    d->backoff_ms = d->backoff_ms * 2 > DIAL_BACKOFF_MAX_MS
                        ? DIAL_BACKOFF_MAX_MS : d->backoff_ms * 2;
    sfc_log(d->quiet ? SFC_LOG_DEBUG : SFC_LOG_INFO, "%s: no card: %s; "
           "retrying every %u ms at most", s->name, why, DIAL_BACKOFF_MAX_MS);
    d->quiet = true;
}

static void dial_failed_errno(drv_slot *s, int err)
{
    char text[96];
    dial_failed_round(s, sfc_errno_text(err, text, sizeof(text)));
}

static void dial_connected(drv_slot *s, int fd)
{
    drv_dialer *d = &s->dial;
    d->fd = -1;
    drv_dial_reset(s);
    attach(s, fd);
    if (s->conn_fd < 0) { /* refused (bad ATR, silent): do not hammer it */
        dial_failed_round(s, "the card was refused");
        return;
    }
    d->backoff_ms = 0;
    d->quiet = false;
}

/* Look the card's host up (again at every round: names may move). This
 * runs in the reader's own event thread: a slow resolver delays only this
 * reader. "unix:PATH" needs no lookup. */
static bool resolve(drv_slot *s)
{
    char why[DRV_HOST_MAX + 96];
    int rc = vpcd_sock_resolve(s->cfg.host, s->port, false, &s->dial.list);
    if (rc != 0) {
        s->dial.list = NULL;
        snprintf(why, sizeof(why), "cannot resolve %s: %s", s->cfg.host,
                 gai_strerror(rc));
        dial_failed_round(s, why);
        return false;
    }
    s->dial.cur = s->dial.list;
    return true;
}

/* Try the remaining addresses until one connects or is in progress. */
static void dial_next(drv_slot *s)
{
    drv_dialer *d = &s->dial;
    int err = ECONNREFUSED;
    if (!d->list && !resolve(s))
        return;
    while (d->cur) {
        bool done = false;
        const struct addrinfo *ai = d->cur;
        d->cur = ai->ai_next;
        int fd = net_connect_start(ai, &done, &err);
        if (fd >= 0 && done) {
            dial_connected(s, fd);
            return;
        }
        if (fd >= 0) {
            d->fd = fd;
            d->deadline = net_now_ms() + s->cfg.connect_timeout_ms;
            return;
        }
    }
    dial_failed_errno(s, err);
}

static void dial_progress(drv_slot *s)
{
    drv_dialer *d = &s->dial;
    struct pollfd p = {.fd = d->fd, .events = POLLOUT};
    int err = ETIMEDOUT;
    if (poll(&p, 1, 0) <= 0) {
        if (net_now_ms() < d->deadline)
            return;
    } else {
        err = net_connect_result(d->fd);
        if (err == 0) {
            dial_connected(s, d->fd);
            return;
        }
    }
    net_close(&d->fd); /* failed or timed out: next address, or back off */
    if (d->cur)
        dial_next(s);
    else
        dial_failed_errno(s, err);
}

static void dial_step(drv_slot *s)
{
    if (s->dial.fd < 0 && net_now_ms() >= s->dial.next_try)
        dial_next(s);
    if (s->dial.fd >= 0) /* loopback connects often complete at once */
        dial_progress(s);
}

/* ---- the public side --------------------------------------------------- */

void drv_refresh(drv_slot *s, bool from_wait)
{
    if (s->conn_fd >= 0) {
        check_connection(s);
        return;
    }
    if (s->cfg.mode == DRV_CONNECT) {
        if (from_wait || !s->event_waits)
            dial_step(s);
        return;
    }
    int fd = net_accept(s->listen_fd);
    if (fd >= 0)
        attach(s, fd);
}

bool drv_changed(const drv_slot *s)
{
    return s->removal_pending || (s->conn_fd >= 0) != s->reported_present;
}

bool drv_report_presence(drv_slot *s)
{
    if (s->removal_pending) {
        s->removal_pending = false;
        s->reported_present = false;
        return false;
    }
    s->reported_present = s->conn_fd >= 0;
    return s->reported_present;
}

size_t drv_pollfds(const drv_slot *s, struct pollfd *fds)
{
    size_t n = 0;
    fds[n++] = (struct pollfd){.fd = s->wake[0], .events = POLLIN};
    if (s->conn_fd >= 0)
        /* POLLIN too: data nobody asked for ejects the card at once */
        fds[n++] = (struct pollfd){.fd = s->conn_fd,
                                   .events = POLLIN | POLLRDHUP};
    else if (s->listen_fd >= 0)
        fds[n++] = (struct pollfd){.fd = s->listen_fd, .events = POLLIN};
    if (s->dial.fd >= 0)
        fds[n++] = (struct pollfd){.fd = s->dial.fd, .events = POLLOUT};
    return n;
}

uint64_t drv_next_timer(const drv_slot *s)
{
    if (s->cfg.mode != DRV_CONNECT || s->conn_fd >= 0)
        return UINT64_MAX;
    return s->dial.fd >= 0 ? s->dial.deadline : s->dial.next_try;
}
