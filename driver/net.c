/* SPDX-License-Identifier: LGPL-2.1-or-later */
/**
 * @file net.c
 * @brief Socket helpers of the reader driver: non-blocking I/O with
 *        deadlines, one send per frame, read-exact through the frame decoder.
 *
 * Nothing here blocks without a bound: waits are poll() calls limited by the
 * caller's deadline, and every socket is non-blocking. Reads re-arm
 * TCP_QUICKACK first so that the kernel acknowledges at once, which keeps a
 * card that writes a reply in two pieces (with Nagle on) from stalling 40
 * ms; together with TCP_NODELAY and one send() per frame this keeps a round
 * trip in the tens of microseconds whatever the card does (the socket
 * rules of docs/protocol.md; why poll() rather than SO_RCVTIMEO:
 * docs/decisions.md).
 */
#define _GNU_SOURCE /* accept4 */
#include "net.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "core/rng.h"
#include "vpcd/sockaddr.h"

#define LISTEN_BACKLOG 1
#define KEEPALIVE_IDLE_S 30
#define KEEPALIVE_INTERVAL_S 5
#define KEEPALIVE_COUNT 3

uint64_t net_now_ms(void)
{
    return sfc_clock_now_ms(NULL);
}

int net_ms_until(uint64_t deadline)
{
    uint64_t now = net_now_ms();
    if (deadline <= now)
        return 0;
    uint64_t left = deadline - now;
    return left > INT_MAX ? INT_MAX : (int)left;
}

void net_close(int *fd)
{
    if (*fd >= 0)
        close(*fd);
    *fd = -1;
}

static void set_int_opt(int fd, int level, int name, int value)
{
    (void)setsockopt(fd, level, name, &value, sizeof(value));
}

void net_configure(int fd)
{
    set_int_opt(fd, IPPROTO_TCP, TCP_NODELAY, 1);
    set_int_opt(fd, SOL_SOCKET, SO_KEEPALIVE, 1);
#ifdef TCP_KEEPIDLE
    set_int_opt(fd, IPPROTO_TCP, TCP_KEEPIDLE, KEEPALIVE_IDLE_S);
    set_int_opt(fd, IPPROTO_TCP, TCP_KEEPINTVL, KEEPALIVE_INTERVAL_S);
    set_int_opt(fd, IPPROTO_TCP, TCP_KEEPCNT, KEEPALIVE_COUNT);
#endif
}

static void arm_quickack(int fd)
{
#ifdef TCP_QUICKACK
    set_int_opt(fd, IPPROTO_TCP, TCP_QUICKACK, 1);
#else
    (void)fd;
#endif
}

static int new_socket(int family)
{
    return socket(family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
}

static int listen_one(const struct addrinfo *ai, int *err)
{
    int fd = new_socket(ai->ai_family);
    if (fd < 0) {
        *err = errno;
        return -1;
    }
    set_int_opt(fd, SOL_SOCKET, SO_REUSEADDR, 1);
    if (vpcd_sock_bind(fd, ai) < 0 ||
        listen(fd, LISTEN_BACKLOG) < 0) {
        *err = errno;
        close(fd);
        return -1;
    }
    return fd;
}

int net_listen(const char *host, uint16_t port, int *err)
{
    struct addrinfo *list = NULL;
    int rc = vpcd_sock_resolve(host, port, true, &list);
    if (rc != 0) {
        *err = rc == EAI_SYSTEM ? errno : EADDRNOTAVAIL;
        return -1;
    }
    int fd = -1;
    for (const struct addrinfo *ai = list; ai && fd < 0; ai = ai->ai_next)
        fd = listen_one(ai, err);
    vpcd_sock_free(list);
    return fd;
}

int net_accept(int listen_fd)
{
    int fd = accept4(listen_fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
    if (fd >= 0)
        net_configure(fd);
    return fd;
}

int net_connect_start(const struct addrinfo *ai, bool *done, int *err)
{
    int fd = new_socket(ai->ai_family);
    *done = false;
    if (fd < 0) {
        *err = errno;
        return -1;
    }
    net_configure(fd);
    if (connect(fd, ai->ai_addr, ai->ai_addrlen) == 0) {
        *done = true;
        return fd;
    }
    if (errno == EINPROGRESS || errno == EINTR)
        return fd;
    *err = errno;
    close(fd);
    return -1;
}

int net_connect_result(int fd)
{
    int soerr = 0;
    socklen_t len = sizeof(soerr);
    if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &soerr, &len) < 0)
        return errno;
    return soerr;
}

/* Wait for `events` on fd until the deadline: 1 ready, 0 timeout, -1 error. */
static int wait_fd(int fd, short events, uint64_t deadline)
{
    for (;;) {
        struct pollfd p = {.fd = fd, .events = events};
        int rc = poll(&p, 1, net_ms_until(deadline));
        if (rc < 0 && errno == EINTR)
            continue;
        return rc < 0 ? -1 : rc;
    }
}

sfc_err net_send(int fd, const uint8_t *buf, size_t len, uint64_t deadline,
                int *err)
{
    while (len > 0) {
        ssize_t n = send(fd, buf, len, MSG_NOSIGNAL);
        if (n > 0) {
            buf += n;
            len -= (size_t)n;
            continue;
        }
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK) {
            *err = errno;
            return SFC_E_IO;
        }
        int rc = wait_fd(fd, POLLOUT, deadline);
        if (rc == 0)
            return SFC_E_AGAIN;
        if (rc < 0) {
            *err = errno;
            return SFC_E_IO;
        }
    }
    return SFC_OK;
}

/* One recv() after waiting for data: bytes read, 0 at EOF, -1 error,
 * -2 timeout. */
static ssize_t recv_some(int fd, uint8_t *buf, size_t cap, uint64_t deadline,
                         int *err)
{
    for (;;) {
        int rc = wait_fd(fd, POLLIN, deadline);
        if (rc == 0)
            return -2;
        if (rc < 0) {
            *err = errno;
            return -1;
        }
        arm_quickack(fd);
        ssize_t n = recv(fd, buf, cap, 0);
        if (n >= 0)
            return n;
        if (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR) {
            *err = errno;
            return -1;
        }
    }
}

sfc_err net_recv_frame(int fd, vpcd_decoder *dec, uint8_t *chunk,
                      size_t chunk_cap, uint64_t deadline,
                      const uint8_t **frame, size_t *flen, int *err)
{
    bool complete = false;
    vpcd_decoder_reset(dec);
    while (!complete) {
        ssize_t n = recv_some(fd, chunk, chunk_cap, deadline, err);
        if (n == -2)
            return SFC_E_AGAIN;
        if (n < 0)
            return SFC_E_IO;
        if (n == 0)
            return SFC_E_CLOSED;
        size_t used = vpcd_decoder_feed(dec, chunk, (size_t)n, frame, flen,
                                        &complete);
        if (used < (size_t)n)
            return SFC_E_FORMAT;
    }
    return SFC_OK;
}

net_peer net_peer_state(int fd)
{
    uint8_t b;
    ssize_t n = recv(fd, &b, 1, MSG_PEEK | MSG_DONTWAIT);
    if (n > 0)
        return NET_PEER_DATA;
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR))
        return NET_PEER_IDLE;
    return NET_PEER_CLOSED;
}
