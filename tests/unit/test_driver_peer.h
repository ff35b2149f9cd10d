/* SPDX-License-Identifier: LGPL-2.1-or-later */
/**
 * @file test_driver_peer.h
 * @brief A scripted vpcd card in its own thread, for the driver's unit tests.
 *
 * The driver's IFDH* functions block (they wait for the card's answer), so
 * the card runs in a thread of its own. It either listens on an ephemeral
 * loopback port (reversed mode: the driver connects) or connects to the
 * driver's port (normal mode). It frames by hand, without lib/vpcd, so the
 * tests also check the bytes on the wire, and it can misbehave in the ways a
 * real card process can: stay silent, answer nothing, answer with an empty
 * or 1-byte frame, answer twice, send an over-long ATR, write its reply in
 * 1-byte pieces, or close the connection in the middle of a command.
 *
 * What the card received is kept as text ("ATR ON ATR A4 OFF": GET ATR,
 * power on, GET ATR, an APDU with INS A4, power off) for assertions.
 *
 * Included by the test_driver_*.c files that need a card; all functions are
 * static.
 */
#ifndef SFC_TEST_DRIVER_PEER_H
#define SFC_TEST_DRIVER_PEER_H

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "testutil.h"

typedef enum peer_mode {
    PEER_ECHO,     /**< ATR; an APDU is answered with APDU || 90 00 */
    PEER_SILENT,   /**< never sends anything */
    PEER_MUTE,     /**< ATR; APDUs get no answer */
    PEER_EMPTY,    /**< ATR; APDUs get a zero-length frame */
    PEER_LONG_ATR, /**< a 34-byte ATR */
    PEER_CLOSE,    /**< ATR; closes the connection when an APDU arrives */
    PEER_SPLIT,    /**< like ECHO, but every reply goes out byte by byte */
    PEER_DOUBLE,   /**< ATR; every APDU is answered twice */
    PEER_ONE_BYTE, /**< ATR; APDUs get a 1-byte frame */
    PEER_EMPTY_ATR /**< GET ATR gets a zero-length frame */
} peer_mode;

static const uint8_t peer_atr[] __attribute__((unused)) = {
    0x3B, 0x95, 0x13, 0x81, 0x01, 0x80, 0x73, 0xFF, 0x01, 0x00, 0x0B};

typedef struct peer {
    peer_mode mode;       /**< under lock */
    int listen_fd;        /**< reversed mode, else -1 */
    uint16_t port;        /**< listening port, or the driver's port */
    bool connects;        /**< normal mode */
    pthread_t thread;
    atomic_bool quit;
    atomic_int conn_fd;   /**< current connection, -1 if none */
    pthread_mutex_t lock;
    char log[4096];       /**< what arrived, as words (under lock) */
    unsigned served;      /**< connections served (under lock) */
    uint8_t buf[65537 + 64];
} peer;

static inline void peer_note(peer *p, const char *word)
{
    pthread_mutex_lock(&p->lock);
    size_t n = strlen(p->log);
    snprintf(p->log + n, sizeof(p->log) - n, "%s%s", n ? " " : "", word);
    pthread_mutex_unlock(&p->lock);
}

/* Copy of the log, then cleared. */
static inline const char *peer_take_log(peer *p)
{
    static char copy[4096];
    pthread_mutex_lock(&p->lock);
    snprintf(copy, sizeof(copy), "%s", p->log);
    p->log[0] = '\0';
    pthread_mutex_unlock(&p->lock);
    return copy;
}

static inline peer_mode peer_get_mode(peer *p)
{
    pthread_mutex_lock(&p->lock);
    peer_mode m = p->mode;
    pthread_mutex_unlock(&p->lock);
    return m;
}

static inline void peer_set_mode(peer *p, peer_mode m)
{
    pthread_mutex_lock(&p->lock);
    p->mode = m;
    pthread_mutex_unlock(&p->lock);
}

static inline unsigned peer_served(peer *p)
{
    pthread_mutex_lock(&p->lock);
    unsigned n = p->served;
    pthread_mutex_unlock(&p->lock);
    return n;
}

/* Read exactly n bytes, checking `quit` every 20 ms; false on EOF/quit. */
static inline bool peer_read(peer *p, int fd, uint8_t *out, size_t n)
{
    size_t got = 0;
    while (got < n) {
        if (atomic_load(&p->quit))
            return false;
        struct pollfd pfd = {.fd = fd, .events = POLLIN};
        if (poll(&pfd, 1, 20) <= 0)
            continue;
        ssize_t r = recv(fd, out + got, n - got, 0);
        if (r <= 0)
            return false;
        got += (size_t)r;
    }
    return true;
}

static inline void peer_write_all(int fd, const uint8_t *data, size_t len)
{
    while (len > 0) {
        ssize_t n = send(fd, data, len, MSG_NOSIGNAL);
        if (n <= 0)
            return;
        data += n;
        len -= (size_t)n;
    }
}

static inline void peer_send_frame(int fd, const uint8_t *data, size_t len,
                            bool split)
{
    uint8_t *frame = malloc(len + 2);
    frame[0] = (uint8_t)(len >> 8);
    frame[1] = (uint8_t)len;
    memcpy(frame + 2, data, len);
    if (!split) {
        peer_write_all(fd, frame, len + 2);
    } else {
        for (size_t i = 0; i < len + 2; i++) {
            peer_write_all(fd, frame + i, 1);
            usleep(1000);
        }
    }
    free(frame);
}

static inline void peer_control(peer *p, int fd, uint8_t ctrl, peer_mode mode)
{
    static const char *const names[] = {"OFF", "ON", "RESET", "?", "ATR"};
    peer_note(p, ctrl <= 4 ? names[ctrl] : "?");
    if (ctrl != 0x04 || mode == PEER_SILENT)
        return;
    if (mode == PEER_EMPTY_ATR) {
        peer_write_all(fd, (const uint8_t *)"\0\0", 2);
        return;
    }
    if (mode == PEER_LONG_ATR) {
        uint8_t atr[34] = {0x3B};
        peer_send_frame(fd, atr, sizeof(atr), false);
        return;
    }
    peer_send_frame(fd, peer_atr, sizeof(peer_atr), false);
}

/* Answer an APDU; false when the connection must end. */
static inline bool peer_apdu(peer *p, int fd, uint8_t *apdu, size_t len,
                      peer_mode mode)
{
    char word[16];
    snprintf(word, sizeof(word), "%02X", apdu[1]);
    peer_note(p, word);
    switch (mode) {
    case PEER_SILENT:
    case PEER_MUTE:
        return true;
    case PEER_CLOSE:
        return false;
    case PEER_EMPTY:
        peer_write_all(fd, (const uint8_t *)"\0\0", 2);
        return true;
    case PEER_ONE_BYTE:
        peer_send_frame(fd, (const uint8_t *)"\x90", 1, false);
        return true;
    default:
        break;
    }
    if (mode == PEER_DOUBLE) { /* two answers in one segment */
        peer_write_all(fd, (const uint8_t *)"\0\2\x90\0\0\2\x90\0", 8);
        return true;
    }
    size_t n = len > 65533 ? 65533 : len;
    apdu[n] = 0x90;
    apdu[n + 1] = 0x00;
    peer_send_frame(fd, apdu, n + 2, mode == PEER_SPLIT);
    return true;
}

static inline void peer_serve(peer *p, int fd)
{
    uint8_t hdr[2];
    atomic_store(&p->conn_fd, fd);
    pthread_mutex_lock(&p->lock);
    p->served++;
    pthread_mutex_unlock(&p->lock);
    while (peer_read(p, fd, hdr, 2)) {
        size_t len = ((size_t)hdr[0] << 8) | hdr[1];
        if (len == 0 || !peer_read(p, fd, p->buf, len))
            break;
        peer_mode mode = peer_get_mode(p);
        if (len == 1)
            peer_control(p, fd, p->buf[0], mode);
        else if (!peer_apdu(p, fd, p->buf, len, mode))
            break;
    }
    pthread_mutex_lock(&p->lock); /* peer_send_raw, peer_hang_up use fd */
    atomic_store(&p->conn_fd, -1);
    close(fd);
    pthread_mutex_unlock(&p->lock);
    peer_note(p, "EOF");
}

static inline int peer_connect_once(uint16_t port)
{
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons(port)};
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd >= 0 && connect(fd, (struct sockaddr *)&a, sizeof(a)) == 0)
        return fd;
    if (fd >= 0)
        close(fd);
    return -1;
}

static inline void *peer_main(void *arg)
{
    peer *p = arg;
    while (!atomic_load(&p->quit)) {
        int fd = -1;
        if (p->connects) {
            fd = peer_connect_once(p->port);
        } else {
            struct pollfd pfd = {.fd = p->listen_fd, .events = POLLIN};
            if (poll(&pfd, 1, 20) > 0)
                fd = accept(p->listen_fd, NULL, NULL);
        }
        if (fd < 0) {
            usleep(5000);
            continue;
        }
        int one = 1;
        setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
        peer_serve(p, fd);
        if (p->connects) /* a card process that ends with its connection */
            break;
    }
    return NULL;
}

static inline void peer_init(peer *p, peer_mode mode)
{
    memset(p, 0, sizeof(*p));
    p->mode = mode;
    p->listen_fd = -1;
    atomic_init(&p->quit, false);
    atomic_init(&p->conn_fd, -1);
    pthread_mutex_init(&p->lock, NULL);
}

/** Reversed mode: listen on 127.0.0.1 (or ::1), an ephemeral port. */
static inline void peer_listen(peer *p, peer_mode mode, bool ipv6)
{
    peer_init(p, mode);
    struct sockaddr_storage ss = {0};
    socklen_t len;
    if (ipv6) {
        struct sockaddr_in6 *a = (struct sockaddr_in6 *)&ss;
        a->sin6_family = AF_INET6;
        a->sin6_addr = in6addr_loopback;
        len = sizeof(*a);
    } else {
        struct sockaddr_in *a = (struct sockaddr_in *)&ss;
        a->sin_family = AF_INET;
        a->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        len = sizeof(*a);
    }
    p->listen_fd = socket(ss.ss_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
    assert_true(p->listen_fd >= 0);
    assert_int_equal(bind(p->listen_fd, (struct sockaddr *)&ss, len), 0);
    assert_int_equal(listen(p->listen_fd, 4), 0);
    assert_int_equal(getsockname(p->listen_fd, (struct sockaddr *)&ss, &len),
                     0);
    p->port = ipv6 ? ntohs(((struct sockaddr_in6 *)&ss)->sin6_port)
                   : ntohs(((struct sockaddr_in *)&ss)->sin_port);
    assert_int_equal(pthread_create(&p->thread, NULL, peer_main, p), 0);
}

/** Normal mode: connect to the driver's port (retrying until it listens). */
static inline void peer_connect(peer *p, peer_mode mode, uint16_t port)
{
    peer_init(p, mode);
    p->connects = true;
    p->port = port;
    assert_int_equal(pthread_create(&p->thread, NULL, peer_main, p), 0);
}

/** Send raw bytes on the current connection (unsolicited data). */
static inline void peer_send_raw(peer *p, const uint8_t *data, size_t len)
{
    pthread_mutex_lock(&p->lock);
    int fd = atomic_load(&p->conn_fd);
    if (fd >= 0)
        peer_write_all(fd, data, len);
    pthread_mutex_unlock(&p->lock);
}

/** Close the current connection from the card's side (card removed). */
static inline void peer_hang_up(peer *p)
{
    pthread_mutex_lock(&p->lock);
    int fd = atomic_load(&p->conn_fd);
    if (fd >= 0)
        shutdown(fd, SHUT_RDWR);
    pthread_mutex_unlock(&p->lock);
}

static inline void peer_stop(peer *p)
{
    atomic_store(&p->quit, true);
    peer_hang_up(p);
    pthread_join(p->thread, NULL);
    if (p->listen_fd >= 0)
        close(p->listen_fd);
    pthread_mutex_destroy(&p->lock);
}

/** A loopback TCP port that was free a moment ago (for listen mode). */
static inline uint16_t free_port(void)
{
    struct sockaddr_in a = {.sin_family = AF_INET};
    socklen_t len = sizeof(a);
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    assert_int_equal(bind(fd, (struct sockaddr *)&a, sizeof(a)), 0);
    assert_int_equal(getsockname(fd, (struct sockaddr *)&a, &len), 0);
    close(fd);
    return ntohs(a.sin_port);
}

static inline uint64_t peer_now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

#endif
