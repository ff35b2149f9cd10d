/* SPDX-License-Identifier: LGPL-2.1-or-later */
/**
 * @file link.c
 * @brief The connection half of a vpcd link: connect, listen, accept,
 *        reconnect with back-off, insert and remove.
 *
 * Normal mode: the link resolves the vpcd host (AF_UNSPEC, so "localhost"
 * works whether vpcd listens on IPv4 or IPv6; or "unix:PATH", a Unix-domain
 * socket) once per insertion and tries every address with a non-blocking
 * connect and a timeout. When all fail, or an established
 * connection ends, it waits and retries with exponential back-off; the
 * first failure is logged as an error with a hint, later retries at info
 * level. With reconnect disabled the link fails instead (state FAILED).
 *
 * Reversed mode: the link listens (127.0.0.1 unless told otherwise) and
 * serves one vpcd connection at a time; extra connections are accepted and
 * closed at once so that they do not sit in the backlog.
 *
 * Whenever a connection ends the card receives power-off, as a real card
 * loses power when pulled out of a reader. Frame handling is in link_io.c.
 */
#include "vpcd/link_impl.h"

#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "core/errtext.h"
#include "core/log.h"
#include "vpcd/sockaddr.h"

#define DEFAULT_BACKOFF_MIN_MS 50u
#define DEFAULT_BACKOFF_MAX_MS 1000u
#define DEFAULT_CONNECT_TIMEOUT_MS 5000u
#define LISTEN_BACKLOG 4

/* ---- small helpers ---------------------------------------------------- */


static uint64_t now_ms(const vpcd_link *link)
{
    return sfc_clock_now_ms(link->cfg.clock);
}

static void set_error(vpcd_link *link, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void set_error(vpcd_link *link, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    sfc_verrf(link->error, sizeof(link->error), fmt, ap);
    va_end(ap);
}

static const char *connect_hint(int err)
{
    switch (err) {
    case ECONNREFUSED: return "is pcscd running with a vpcd driver?";
    case ETIMEDOUT: return "is the host reachable and the port open?";
    case EHOSTUNREACH:
    case ENETUNREACH:
    case EADDRNOTAVAIL: return "check the host name and the network";
    default: return "check the host name and port";
    }
}

static const char *listen_hint(int err)
{
    switch (err) {
    case EADDRINUSE: return "another program uses this port; choose another port";
    case EADDRNOTAVAIL: return "the bind address is not one of this host's";
    case EACCES: return "ports below 1024 need privileges; choose another port";
    default: return "check the bind address and port";
    }
}

static int set_nonblock_cloexec(int fd)
{
    int fl = fcntl(fd, F_GETFL);
    if (fl < 0 || fcntl(fd, F_SETFL, fl | O_NONBLOCK) < 0)
        return -1;
    return fcntl(fd, F_SETFD, FD_CLOEXEC);
}

static void set_nodelay(int fd)
{
    int one = 1;
    (void)setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
}

static void close_fd(int *fd)
{
    if (*fd >= 0)
        close(*fd);
    *fd = -1;
}

/* ---- connection end ------------------------------------------------- */

/* Close the vpcd connection; power the card off if it was in the reader. */
static void drop_connection(vpcd_link *link)
{
    bool was_connected = link->state == VPCD_LINK_CONNECTED;

    close_fd(&link->conn_fd);
    link_io_reset(link);
    link->refusal_logged = false;
    link->ai_cur = NULL; /* the resolved list stays for the next attempt */
    if (was_connected)
        link->ops.power(link->card, VPCD_CTRL_OFF);
    link->deadline = VPCD_NO_DEADLINE;
}

static void schedule_retry(vpcd_link *link, unsigned delay_ms)
{
    link->state = VPCD_LINK_WAITING;
    link->deadline = now_ms(link) + delay_ms;
}

/* ---- normal mode: connecting ---------------------------------------- */

static void connected(vpcd_link *link, int fd)
{
    link->conn_fd = fd;
    set_nodelay(fd);
    vpcd_addr_format(link->ai_cur->ai_addr, link->peer, sizeof(link->peer));
    link->ai_cur = NULL;
    link->state = VPCD_LINK_CONNECTED;
    link->deadline = VPCD_NO_DEADLINE;
    link->backoff_ms = link->cfg.backoff_min_ms;
    link->failure_logged = false;
    link_io_reset(link);
    sfc_log(SFC_LOG_INFO, "%s: connected to vpcd at %s", link->name,
           link->peer);
}

/* All addresses failed (or none resolved): give up or retry later. */
static sfc_err connect_failed(vpcd_link *link)
{
    drop_connection(link);
    if (!link->cfg.reconnect) {
        link->state = VPCD_LINK_FAILED;
        return SFC_E_IO;
    }
    if (!link->failure_logged)
        sfc_log(SFC_LOG_ERROR, "%s: %s", link->name, link->error);
    else
        sfc_log(SFC_LOG_INFO, "%s: %s; retrying in %u ms", link->name,
               link->error, link->backoff_ms);
    link->failure_logged = true;
    schedule_retry(link, link->backoff_ms);
    link->backoff_ms = link->backoff_ms * 2 > link->cfg.backoff_max_ms
                           ? link->cfg.backoff_max_ms
                           : link->backoff_ms * 2;
    return SFC_OK;
}

static void note_connect_error(vpcd_link *link, const struct addrinfo *ai,
                               int err)
{
    char where[VPCD_ADDR_TEXT_MAX], cause[128];

    vpcd_addr_format(ai->ai_addr, where, sizeof(where));
    sfc_errno_text(err, cause, sizeof(cause));
    set_error(link, "cannot connect to vpcd at %s: %s (%s)", where, cause,
              connect_hint(err));
}

/* Start a non-blocking connect to `ai`; 1 = in progress or done, 0 = failed. */
static int connect_one(vpcd_link *link, struct addrinfo *ai)
{
    int fd = socket(ai->ai_family, ai->ai_socktype, ai->ai_protocol);

    link->ai_cur = ai;
    if (fd < 0 || set_nonblock_cloexec(fd) < 0) {
        note_connect_error(link, ai, errno);
        if (fd >= 0)
            close(fd);
        return 0;
    }
    if (connect(fd, ai->ai_addr, ai->ai_addrlen) == 0) {
        connected(link, fd);
        return 1;
    }
    if (errno != EINPROGRESS) {
        note_connect_error(link, ai, errno);
        close(fd);
        return 0;
    }
    link->conn_fd = fd;
    link->state = VPCD_LINK_CONNECTING;
    link->deadline = now_ms(link) + link->cfg.connect_timeout_ms;
    return 1;
}

/* Try `ai` and the addresses after it. */
static sfc_err connect_from(vpcd_link *link, struct addrinfo *ai)
{
    for (; ai; ai = ai->ai_next)
        if (connect_one(link, ai))
            return SFC_OK;
    return connect_failed(link);
}

/*
 * Resolve the vpcd host once per insertion and keep the addresses for every
 * reconnect: a resolver that stalls would stall every card of the process
 * (one loop serves them all), so it is asked again only after it failed or
 * the card was removed and inserted again. "unix:PATH" needs no lookup.
 */
static sfc_err start_connect(vpcd_link *link)
{
    int rc = 0;

    if (!link->ai_list)
        rc = vpcd_sock_resolve(link->host, link->cfg.port, false,
                               &link->ai_list);
    if (rc != 0) {
        set_error(link, "cannot resolve vpcd host '%s': %s (check the host "
                  "name)", link->host, gai_strerror(rc));
        return connect_failed(link);
    }
    return connect_from(link, link->ai_list);
}

/* The pending connect finished (POLLOUT/POLLERR) or timed out. */
static sfc_err connect_progress(vpcd_link *link, bool timed_out)
{
    int err = ETIMEDOUT;
    socklen_t len = sizeof(err);
    struct addrinfo *ai = link->ai_cur;
    int fd = link->conn_fd;

    if (!timed_out &&
        getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len) < 0)
        err = errno;
    if (err == 0) {
        struct sockaddr_storage ss;
        socklen_t sl = sizeof(ss);
        if (getpeername(fd, (struct sockaddr *)&ss, &sl) < 0)
            return SFC_OK; /* not connected yet: keep waiting */
        connected(link, fd);
        return SFC_OK;
    }
    if (err == EINPROGRESS || err == EALREADY)
        return SFC_OK;
    note_connect_error(link, ai, err);
    close_fd(&link->conn_fd);
    return connect_from(link, ai->ai_next);
}

/* ---- reversed mode: listening --------------------------------------- */

static sfc_err listen_fail(vpcd_link *link, const char *where, int err)
{
    char cause[128];

    sfc_errno_text(err, cause, sizeof(cause));
    set_error(link, "cannot listen on %s: %s (%s)", where, cause,
              listen_hint(err));
    close_fd(&link->listen_fd);
    return SFC_E_IO;
}

static sfc_err listen_on(vpcd_link *link, const struct addrinfo *ai)
{
    char where[VPCD_ADDR_TEXT_MAX];
    struct sockaddr_storage ss;
    socklen_t len = sizeof(ss);
    int one = 1;
    int fd = socket(ai->ai_family, ai->ai_socktype, ai->ai_protocol);

    vpcd_addr_format(ai->ai_addr, where, sizeof(where));
    link->listen_fd = fd;
    if (fd < 0 || set_nonblock_cloexec(fd) < 0)
        return listen_fail(link, where, errno);
    (void)setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
    if (vpcd_sock_bind(fd, ai) < 0 ||
        listen(fd, LISTEN_BACKLOG) < 0 ||
        getsockname(fd, (struct sockaddr *)&ss, &len) < 0)
        return listen_fail(link, where, errno);
    link->bound_port = vpcd_addr_port((struct sockaddr *)&ss);
    vpcd_addr_host((struct sockaddr *)&ss, link->bound_host,
                   sizeof(link->bound_host));
    vpcd_addr_format((struct sockaddr *)&ss, where, sizeof(where));
    link->state = VPCD_LINK_LISTENING;
    sfc_log(SFC_LOG_INFO, "%s: listening for vpcd on %s", link->name, where);
    return SFC_OK;
}

static sfc_err start_listen(vpcd_link *link)
{
    struct addrinfo *list = NULL;
    uint16_t p = link->bound_port ? link->bound_port : link->cfg.port;
    int rc = vpcd_sock_resolve(link->host, p, true, &list);
    sfc_err err;

    if (rc != 0) {
        set_error(link, "cannot listen on %s: %s (check the bind address)",
                  link->host, gai_strerror(rc));
        return SFC_E_IO;
    }
    err = listen_on(link, list); /* the first address, as bind(2) would */
    vpcd_sock_free(list);
    return err;
}

/* A connection is waiting on the listener: serve it or turn it away. */
static void accept_one(vpcd_link *link)
{
    struct sockaddr_storage ss;
    socklen_t len = sizeof(ss);
    char who[VPCD_ADDR_TEXT_MAX];
    int fd = accept(link->listen_fd, (struct sockaddr *)&ss, &len);

    if (fd < 0) {
        if (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR &&
            errno != ECONNABORTED)
            sfc_log(SFC_LOG_WARN, "%s: accept failed: %s", link->name,
                   strerror(errno));
        return;
    }
    vpcd_addr_format((struct sockaddr *)&ss, who, sizeof(who));
    if (link->state == VPCD_LINK_CONNECTED || set_nonblock_cloexec(fd) < 0) {
        link_warn_once(link, &link->refusal_logged, "closed a second vpcd "
                       "connection from %s (the card is already in a "
                       "reader)", who);
        close(fd);
        return;
    }
    set_nodelay(fd);
    link->conn_fd = fd;
    snprintf(link->peer, sizeof(link->peer), "%s", who);
    link->state = VPCD_LINK_CONNECTED;
    link_io_reset(link);
    sfc_log(SFC_LOG_INFO, "%s: vpcd connected from %s", link->name, who);
}

/* ---- connection lost ------------------------------------------------ */

static sfc_err connection_lost(vpcd_link *link, sfc_err why)
{
    char cause[128];

    if (why == SFC_E_CLOSED)
        snprintf(cause, sizeof(cause), "closed by vpcd");
    else
        sfc_errno_text(link->last_errno, cause, sizeof(cause));
    drop_connection(link);
    if (link->cfg.mode == VPCD_LINK_REVERSED) {
        link->state = VPCD_LINK_LISTENING;
        sfc_log(SFC_LOG_INFO, "%s: connection from vpcd at %s ended (%s); "
               "waiting for the next one", link->name, link->peer, cause);
        return SFC_OK;
    }
    set_error(link, "connection to vpcd at %s lost: %s (pcscd stopped or "
              "restarted?)", link->peer, cause);
    if (!link->cfg.reconnect) {
        link->state = VPCD_LINK_FAILED;
        return SFC_E_CLOSED;
    }
    sfc_log(SFC_LOG_WARN, "%s: %s; reconnecting", link->name, link->error);
    link->backoff_ms = link->cfg.backoff_min_ms;
    schedule_retry(link, link->backoff_ms);
    return SFC_OK;
}

/* The card went away (relay): behave as if it had been pulled out. */
static sfc_err card_gone(vpcd_link *link)
{
    sfc_log(SFC_LOG_WARN, "%s: card removed; closing the vpcd connection",
           link->name);
    vpcd_link_remove(link);
    return SFC_OK;
}

/* ---- public API ----------------------------------------------------- */

static void apply_defaults(vpcd_link_config *c)
{
    if (!c->backoff_min_ms)
        c->backoff_min_ms = DEFAULT_BACKOFF_MIN_MS;
    if (!c->backoff_max_ms)
        c->backoff_max_ms = DEFAULT_BACKOFF_MAX_MS;
    if (c->backoff_max_ms < c->backoff_min_ms)
        c->backoff_max_ms = c->backoff_min_ms;
    if (!c->connect_timeout_ms)
        c->connect_timeout_ms = DEFAULT_CONNECT_TIMEOUT_MS;
}

sfc_err vpcd_link_new(const vpcd_link_config *cfg, const vpcd_card_ops *ops,
                     void *card, vpcd_link **out)
{
    vpcd_link *link;
    const char *host = cfg->host;

    *out = NULL;
    if (!ops || !ops->get_atr || !ops->power || !ops->transmit ||
        (cfg->mode == VPCD_LINK_NORMAL && cfg->port == 0))
        return SFC_E_INVAL;
    if (!host)
        host = cfg->mode == VPCD_LINK_NORMAL ? "localhost" : "127.0.0.1";
    link = calloc(1, sizeof(*link));
    if (!link)
        return SFC_E_NOMEM;
    link->cfg = *cfg;
    apply_defaults(&link->cfg);
    link->host = strdup(host);
    link->name = strdup(cfg->name ? cfg->name : "card");
    link->ops = *ops;
    link->card = card;
    link->state = VPCD_LINK_REMOVED;
    link->listen_fd = link->conn_fd = -1;
    link->deadline = VPCD_NO_DEADLINE;
    link->backoff_ms = link->cfg.backoff_min_ms;
    if (!link->host || !link->name || link_io_init(link) != SFC_OK) {
        vpcd_link_free(link);
        return SFC_E_NOMEM;
    }
    link->cfg.host = link->host;
    link->cfg.name = link->name;
    *out = link;
    return SFC_OK;
}

void vpcd_link_free(vpcd_link *link)
{
    if (!link)
        return;
    vpcd_link_remove(link);
    link_io_free(link);
    free(link->host);
    free(link->name);
    free(link);
}

sfc_err vpcd_link_insert(vpcd_link *link)
{
    if (vpcd_link_inserted(link))
        return SFC_OK;
    link->error[0] = '\0';
    link->failure_logged = false;
    link->backoff_ms = link->cfg.backoff_min_ms;
    if (link->cfg.mode == VPCD_LINK_REVERSED)
        return start_listen(link);
    return start_connect(link);
}

void vpcd_link_remove(vpcd_link *link)
{
    if (link->state == VPCD_LINK_REMOVED)
        return;
    drop_connection(link);
    close_fd(&link->listen_fd);
    vpcd_sock_free(link->ai_list); /* resolved again at the next insertion */
    link->ai_list = link->ai_cur = NULL;
    link->bound_host[0] = '\0';
    link->state = VPCD_LINK_REMOVED;
}

size_t vpcd_link_pollfds(const vpcd_link *link, struct pollfd *fds)
{
    size_t n = 0;

    if (link->listen_fd >= 0)
        fds[n++] = (struct pollfd){.fd = link->listen_fd, .events = POLLIN};
    if (link->conn_fd >= 0 && link->state == VPCD_LINK_CONNECTING)
        fds[n++] = (struct pollfd){.fd = link->conn_fd, .events = POLLOUT};
    else if (link->conn_fd >= 0) {
        short ev = 0;
        if (!link_io_full(link) && !link_io_backlog(link))
            ev |= POLLIN;
        if (link_io_pending(link))
            ev |= POLLOUT;
        fds[n++] = (struct pollfd){.fd = link->conn_fd, .events = ev};
    }
    return n;
}

uint64_t vpcd_link_deadline(const vpcd_link *link)
{
    return link->deadline;
}

/* Events on the connected card socket. */
static sfc_err handle_conn(vpcd_link *link, short revents)
{
    sfc_err err = SFC_OK;

    if (link->state == VPCD_LINK_CONNECTING)
        return connect_progress(link, false);
    if (revents & POLLOUT)
        err = link_io_flush(link);
    if (err == SFC_OK && link_io_backlog(link))
        err = link_io_resume(link); /* the peer read: dispatch what waits */
    else if (err == SFC_OK && (revents & (POLLIN | POLLHUP | POLLERR)))
        err = link_io_read(link);
    if (err == SFC_E_REMOVED)
        return card_gone(link);
    if (err != SFC_OK)
        return connection_lost(link, err);
    return SFC_OK;
}

static sfc_err handle_timer(vpcd_link *link)
{
    if (link->deadline == VPCD_NO_DEADLINE || now_ms(link) < link->deadline)
        return SFC_OK;
    link->deadline = VPCD_NO_DEADLINE;
    if (link->state == VPCD_LINK_WAITING)
        return start_connect(link);
    if (link->state == VPCD_LINK_CONNECTING)
        return connect_progress(link, true);
    return SFC_OK;
}

sfc_err vpcd_link_handle(vpcd_link *link, const struct pollfd *fds, size_t n)
{
    short conn_ev = 0, listen_ev = 0;
    int conn_fd = link->conn_fd, listen_fd = link->listen_fd;
    sfc_err err = SFC_OK;

    for (size_t i = 0; i < n; i++) {
        if (conn_fd >= 0 && fds[i].fd == conn_fd)
            conn_ev |= fds[i].revents;
        else if (listen_fd >= 0 && fds[i].fd == listen_fd)
            listen_ev |= fds[i].revents;
    }
    if (conn_ev)
        err = handle_conn(link, conn_ev);
    if (err == SFC_OK && listen_ev && link->listen_fd == listen_fd)
        accept_one(link);
    if (err == SFC_OK)
        err = handle_timer(link);
    return err;
}

sfc_err vpcd_link_step(vpcd_link *link, int timeout_ms)
{
    struct pollfd fds[VPCD_LINK_MAX_FDS];
    size_t n = vpcd_link_pollfds(link, fds);
    uint64_t deadline = vpcd_link_deadline(link);

    if (deadline != VPCD_NO_DEADLINE) {
        uint64_t now = now_ms(link);
        uint64_t wait = deadline > now ? deadline - now : 0;
        if (timeout_ms < 0 || wait < (uint64_t)timeout_ms)
            timeout_ms = (int)(wait > INT32_MAX ? INT32_MAX : wait);
    }
    if (poll(fds, n, timeout_ms) < 0 && errno != EINTR)
        return SFC_E_IO;
    return vpcd_link_handle(link, fds, n);
}

vpcd_link_state vpcd_link_get_state(const vpcd_link *link)
{
    return link->state;
}

const char *vpcd_link_state_name(vpcd_link_state state)
{
    switch (state) {
    case VPCD_LINK_REMOVED: return "removed";
    case VPCD_LINK_WAITING: return "waiting";
    case VPCD_LINK_CONNECTING: return "connecting";
    case VPCD_LINK_LISTENING: return "listening";
    case VPCD_LINK_CONNECTED: return "connected";
    case VPCD_LINK_FAILED: return "failed";
    }
    return "?";
}

bool vpcd_link_inserted(const vpcd_link *link)
{
    return link->state != VPCD_LINK_REMOVED &&
           link->state != VPCD_LINK_FAILED;
}

uint16_t vpcd_link_port(const vpcd_link *link)
{
    if (link->cfg.mode == VPCD_LINK_REVERSED && link->bound_port)
        return link->bound_port;
    return link->cfg.port;
}

const char *vpcd_link_bound_host(const vpcd_link *link)
{
    return link->listen_fd >= 0 ? link->bound_host : "";
}

int vpcd_link_conn_fd(const vpcd_link *link)
{
    return link->state == VPCD_LINK_CONNECTED ? link->conn_fd : -1;
}

size_t vpcd_link_out_queued(const vpcd_link *link)
{
    return link->olen - link->ooff;
}

size_t vpcd_link_out_capacity(const vpcd_link *link)
{
    return link->ocap;
}

size_t vpcd_link_in_backlog(const vpcd_link *link)
{
    return link->ilen - link->ipos;
}

const char *vpcd_link_error(const vpcd_link *link)
{
    return link->error;
}
