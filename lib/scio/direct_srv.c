/* SPDX-License-Identifier: LGPL-2.1-or-later */
/**
 * @file direct_srv.c
 * @brief The direct backend's server: reader slots, sockets and the I/O
 *        thread that plays vpcd's presence handling.
 *
 * Normal-mode slots listen (like vpcd's /dev/null:PORT) and accept one
 * card at a time; reversed-mode slots connect to a listening card and
 * retry with back-off (50 ms doubling to 1 s) while it is absent. Where
 * vpcd polls every card with GET ATR, this thread just watches the idle
 * card sockets: the card never speaks unasked, so readable means closed
 * (removal) or misbehaving (also treated as removal). The thread also
 * powers a card off when the grace period after its last handle expires.
 * Idle card sockets are watched for hang-ups (POLLRDHUP), not for input,
 * so the answers clients read on their own threads never wake this one.
 * A newly connected card is attaching (direct.h): GET ATR is sent without
 * waiting, its socket is watched for input and the ATR collected as it
 * arrives; at the ATR timeout (2 s at most) a card still attaching is
 * ejected. Nothing here waits on one card while the others go unserved,
 * except the power-off frame at the end of the grace period (one control
 * byte, bounded by the I/O timeout).
 */
#define _GNU_SOURCE /* POLLRDHUP */
#include "scio/direct.h"
#include "vpcd/sockaddr.h"

#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define BACKOFF_MIN_MS 50u
#define BACKOFF_MAX_MS 1000u
#define DEFAULT_GRACE_MS 5000
#define DEFAULT_IO_TIMEOUT_MS 60000
#define MAX_ATR_TIMEOUT_MS 2000
#define POLL_MAX (2 * DIRECT_MAX_SLOTS + 1)

uint64_t direct_now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

void direct_wake(dsrv *s)
{
    uint8_t b = 1;
    ssize_t n = write(s->wake[1], &b, 1); /* full pipe: already awake */
    (void)n;
}

dslot *direct_find_slot(dsrv *s, const char *reader)
{
    for (size_t i = 0; reader && i < s->n_slots; i++)
        if (strcmp(s->slots[i].name, reader) == 0)
            return &s->slots[i];
    return NULL;
}

/* ---- sockets ------------------------------------------------------------ */

static void set_flags(int fd, bool nonblock)
{
    int fl = fcntl(fd, F_GETFL);
    if (fl >= 0)
        (void)fcntl(fd, F_SETFL, nonblock ? fl | O_NONBLOCK : fl & ~O_NONBLOCK);
    (void)fcntl(fd, F_SETFD, FD_CLOEXEC);
}

/** A card socket: blocking (I/O is bounded by poll), no Nagle delay. */
static void card_socket(int fd)
{
    int one = 1;
    set_flags(fd, false);
    (void)setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
}

static int listen_on(const char *host, uint16_t port)
{
    struct addrinfo *res = NULL;
    int fd = -1, one = 1;
    if (vpcd_sock_resolve(host, port, true, &res) != 0)
        return -1;
    for (struct addrinfo *ai = res; ai && fd < 0; ai = ai->ai_next) {
        fd = socket(ai->ai_family, ai->ai_socktype, ai->ai_protocol);
        if (fd < 0)
            continue;
        (void)setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
        if (vpcd_sock_bind(fd, ai) != 0 || listen(fd, 1) != 0) {
            close(fd);
            fd = -1;
        }
    }
    vpcd_sock_free(res);
    if (fd >= 0)
        set_flags(fd, true);
    return fd;
}

/**
 * Reversed mode: start a non-blocking connect (connect_fd >= 0 after).
 * The card's host is resolved once and the addresses kept for every retry:
 * a stalling resolver would stall every slot (one I/O thread serves them
 * all); it is asked again only while it has not answered.
 */
static void start_connect(dslot *sl)
{
    sl->retry_at = 0;
    if (!sl->addrs && vpcd_sock_resolve(sl->host, sl->port, false,
                                        &sl->addrs) != 0)
        sl->addrs = NULL;
    for (struct addrinfo *ai = sl->addrs; ai; ai = ai->ai_next) {
        int fd = socket(ai->ai_family, ai->ai_socktype, ai->ai_protocol);
        if (fd < 0)
            continue;
        set_flags(fd, true);
        if (connect(fd, ai->ai_addr, ai->ai_addrlen) == 0 ||
            errno == EINPROGRESS) {
            sl->connect_fd = fd;
            break;
        }
        close(fd);
    }
}

static void schedule_retry(dslot *sl)
{
    sl->retry_at = direct_now_ms() + sl->backoff_ms;
    sl->backoff_ms = sl->backoff_ms * 2 > BACKOFF_MAX_MS ? BACKOFF_MAX_MS
                                                          : sl->backoff_ms * 2;
}

/* ---- the I/O thread ----------------------------------------------------- */

typedef struct poll_set {
    struct pollfd fds[POLL_MAX];
    dslot *slot[POLL_MAX];
    size_t n;
    int timeout;
} poll_set;

static void poll_add(poll_set *ps, int fd, short ev, dslot *sl)
{
    ps->fds[ps->n] = (struct pollfd){.fd = fd, .events = ev};
    ps->slot[ps->n++] = sl;
}

static void poll_deadline(poll_set *ps, uint64_t at, uint64_t now)
{
    if (at == 0)
        return;
    int ms = at <= now ? 0 : (int)(at - now);
    if (ps->timeout < 0 || ms < ps->timeout)
        ps->timeout = ms;
}

/* With the lock held: what to watch and until when. */
static void build_poll_set(dsrv *s, poll_set *ps)
{
    uint64_t now = direct_now_ms();
    ps->n = 0;
    ps->timeout = -1;
    poll_add(ps, s->wake[0], POLLIN, NULL);
    for (size_t i = 0; i < s->n_slots; i++) {
        dslot *sl = &s->slots[i];
        if (sl->fd >= 0 && !sl->busy)
            poll_add(ps, sl->fd, sl->attaching ? POLLIN : POLLRDHUP, sl);
        sl->unwatched = sl->fd >= 0 && sl->busy;
        if (sl->fd < 0 && sl->listen_fd >= 0)
            poll_add(ps, sl->listen_fd, POLLIN, sl);
        if (sl->connect_fd >= 0)
            poll_add(ps, sl->connect_fd, POLLOUT, sl);
        if (sl->fd < 0 && sl->reversed)
            poll_deadline(ps, sl->retry_at, now);
        if (sl->fd >= 0 && sl->powered && sl->handles == 0)
            poll_deadline(ps, sl->grace_at, now);
        if (sl->attaching)
            poll_deadline(ps, sl->attach_at, now);
    }
}

static void accept_card(dsrv *s, dslot *sl)
{
    int fd = accept(sl->listen_fd, NULL, NULL);
    if (fd < 0)
        return;
    card_socket(fd);
    (void)slot_attach(s, sl, fd);
}

static void connect_done(dsrv *s, dslot *sl)
{
    int fd = sl->connect_fd, err = 0;
    socklen_t len = sizeof(err);
    sl->connect_fd = -1;
    if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len) != 0 || err != 0) {
        close(fd);
        schedule_retry(sl);
        return;
    }
    card_socket(fd);
    if (!slot_attach(s, sl, fd))
        schedule_retry(sl);
}

/* An attaching card sent (part of) its ATR, or closed. */
static void attach_readable(dsrv *s, dslot *sl)
{
    attach_result r = slot_attach_read(s, sl);
    if (r == ATTACH_DONE && sl->reversed)
        sl->backoff_ms = BACKOFF_MIN_MS;
    else if (r == ATTACH_FAILED && sl->reversed)
        schedule_retry(sl);
}

/* The ATR timeout passed with the card still attaching. */
static void attach_expired(dsrv *s, dslot *sl, uint64_t now)
{
    if (!sl->attaching || sl->attach_at > now)
        return;
    slot_eject(s, sl);
    if (sl->reversed)
        schedule_retry(sl);
}

/* An idle card socket became readable: closed, or talking out of turn. */
static void card_readable(dsrv *s, dslot *sl)
{
    uint8_t b;
    if (sl->fd < 0 || sl->busy)
        return;
    ssize_t n = recv(sl->fd, &b, 1, MSG_PEEK | MSG_DONTWAIT);
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR))
        return; /* stale wake-up: a client consumed the data */
    slot_eject(s, sl);
    if (sl->reversed)
        schedule_retry(sl);
}

static void handle_event(dsrv *s, const struct pollfd *p, dslot *sl)
{
    if (!p->revents)
        return;
    if (p->fd == sl->listen_fd && sl->fd < 0)
        accept_card(s, sl);
    else if (p->fd == sl->connect_fd)
        connect_done(s, sl);
    else if (p->fd == sl->fd && sl->attaching)
        attach_readable(s, sl);
    else if (p->fd == sl->fd)
        card_readable(s, sl);
}

/* A reversed slot without a card and without a next attempt (its card was
 * ejected by an exchange on a caller's thread) gets one. */
static void ensure_retry(dslot *sl)
{
    if (sl->reversed && sl->fd < 0 && sl->connect_fd < 0 && !sl->retry_at)
        schedule_retry(sl);
}

static void handle_timers(dsrv *s)
{
    uint64_t now = direct_now_ms();
    for (size_t i = 0; i < s->n_slots; i++) {
        dslot *sl = &s->slots[i];
        ensure_retry(sl);
        if (sl->reversed && sl->fd < 0 && sl->connect_fd < 0 &&
            sl->retry_at && sl->retry_at <= now) {
            start_connect(sl);
            if (sl->connect_fd < 0)
                schedule_retry(sl);
        }
        attach_expired(s, sl, now);
        if (sl->grace_at && sl->grace_at <= now && sl->handles == 0 &&
            sl->powered && !sl->busy)
            (void)slot_power_off(s, sl);
    }
}

static void drain_wake(dsrv *s)
{
    uint8_t buf[64];
    while (read(s->wake[0], buf, sizeof(buf)) > 0) {
    }
}

static void *io_thread(void *arg)
{
    dsrv *s = arg;
    poll_set ps;

    pthread_mutex_lock(&s->lock);
    while (!s->stopping) {
        build_poll_set(s, &ps);
        pthread_mutex_unlock(&s->lock);
        int r = poll(ps.fds, ps.n, ps.timeout);
        drain_wake(s);
        pthread_mutex_lock(&s->lock);
        for (size_t i = 1; r > 0 && i < ps.n && !s->stopping; i++)
            handle_event(s, &ps.fds[i], ps.slot[i]);
        if (!s->stopping)
            handle_timers(s);
    }
    pthread_mutex_unlock(&s->lock);
    return NULL;
}

/* ---- creation ----------------------------------------------------------- */

static void slot_init(dslot *sl, unsigned index, const char *friendly,
                      const scio_direct_slot *cfg)
{
    const char *host = cfg && cfg->host ? cfg->host : "127.0.0.1";
    memset(sl, 0, sizeof(*sl));
    sl->index = index;
    snprintf(sl->name, sizeof(sl->name), "%s 00 %02X", friendly, index);
    sl->reversed = cfg && cfg->reversed;
    snprintf(sl->host, sizeof(sl->host), "%s", host);
    sl->port = cfg && cfg->port ? cfg->port
                                : (uint16_t)(VPCD_DEFAULT_PORT + index);
    sl->listen_fd = sl->connect_fd = sl->fd = -1;
    sl->backoff_ms = BACKOFF_MIN_MS;
    sl->retry_at = sl->reversed ? direct_now_ms() : 0;
}

static scio_status slots_open(dsrv *s, const scio_context_opts *o)
{
    const char *friendly = o->friendly_name ? o->friendly_name : "Virtual PCD";
    s->n_slots = o->n_slots ? o->n_slots : 2;
    if (s->n_slots > DIRECT_MAX_SLOTS || strlen(friendly) > 100)
        return SCIO_E_INVALID_ARG;
    for (size_t i = 0; i < s->n_slots; i++) {
        dslot *sl = &s->slots[i];
        slot_init(sl, (unsigned)i, friendly, o->slots ? &o->slots[i] : NULL);
        if (vpcd_decoder_init(&sl->dec) != SFC_OK)
            return SCIO_E_NO_MEMORY;
        if (!sl->reversed && (sl->listen_fd = listen_on(sl->host, sl->port)) < 0)
            return SCIO_E_NO_SERVICE;
    }
    return SCIO_OK;
}

static scio_status sync_init(dsrv *s)
{
    pthread_condattr_t ca;
    if (pthread_condattr_init(&ca) != 0)
        return SCIO_E_NO_MEMORY;
    pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
    bool ok = pthread_mutex_init(&s->lock, NULL) == 0;
    ok = ok && pthread_cond_init(&s->changed, &ca) == 0;
    ok = ok && pthread_cond_init(&s->idle, &ca) == 0;
    pthread_condattr_destroy(&ca);
    if (!ok || pipe(s->wake) != 0)
        return SCIO_E_NO_MEMORY;
    set_flags(s->wake[0], true);
    set_flags(s->wake[1], true);
    return SCIO_OK;
}

scio_status direct_srv_new(const scio_context_opts *o, dsrv **out)
{
    dsrv *s = calloc(1, sizeof(*s));
    if (!s)
        return SCIO_E_NO_MEMORY;
    s->wake[0] = s->wake[1] = -1;
    for (size_t i = 0; i < DIRECT_MAX_SLOTS; i++)
        s->slots[i].listen_fd = s->slots[i].connect_fd = s->slots[i].fd = -1;
    s->grace_ms = o->power_off_grace_ms ? o->power_off_grace_ms : DEFAULT_GRACE_MS;
    s->io_timeout_ms = o->io_timeout_ms ? o->io_timeout_ms : DEFAULT_IO_TIMEOUT_MS;
    s->atr_timeout_ms = s->io_timeout_ms > 0 &&
                                s->io_timeout_ms < MAX_ATR_TIMEOUT_MS
                            ? s->io_timeout_ms
                            : MAX_ATR_TIMEOUT_MS;
    scio_status st = sync_init(s);
    if (st == SCIO_OK)
        st = slots_open(s, o);
    if (st == SCIO_OK && pthread_create(&s->thread, NULL, io_thread, s) != 0)
        st = SCIO_E_NO_MEMORY;
    s->thread_started = st == SCIO_OK;
    if (st != SCIO_OK) {
        direct_srv_free(s);
        return st;
    }
    *out = s;
    return SCIO_OK;
}

static void close_fd(int *fd)
{
    if (*fd >= 0)
        close(*fd);
    *fd = -1;
}

void direct_srv_free(dsrv *s)
{
    if (!s)
        return;
    if (s->thread_started) {
        pthread_mutex_lock(&s->lock);
        s->stopping = true;
        pthread_cond_broadcast(&s->changed);
        pthread_mutex_unlock(&s->lock);
        direct_wake(s);
        pthread_join(s->thread, NULL);
        pthread_mutex_destroy(&s->lock);
        pthread_cond_destroy(&s->changed);
        pthread_cond_destroy(&s->idle);
    }
    for (size_t i = 0; i < DIRECT_MAX_SLOTS; i++) {
        close_fd(&s->slots[i].fd);
        close_fd(&s->slots[i].listen_fd);
        close_fd(&s->slots[i].connect_fd);
        vpcd_sock_free(s->slots[i].addrs);
        vpcd_decoder_free(&s->slots[i].dec);
    }
    close_fd(&s->wake[0]);
    close_fd(&s->wake[1]);
    free(s);
}
