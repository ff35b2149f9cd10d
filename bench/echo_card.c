/* SPDX-License-Identifier: LGPL-2.1-or-later */
/**
 * @file echo_card.c
 * @brief The floor of a path: a vpcd card that answers every APDU at once.
 *
 * A minimal vpcd card with the socket settings of softcard's links
 * (TCP_NODELAY, each frame written with one send() call, TCP_QUICKACK
 * re-armed before every read) and the project's frame codec
 * (lib/vpcd/frame.h). It answers GET ATR with the ATR of softcard's
 * iso7816 card, ignores power events, and answers every command APDU with
 * 90 00, preceded by Ne zero bytes when the command has an Le field (cut
 * to 65533), so that each workload's floor moves as many bytes as the real
 * card's answer (--sw-only: always just 90 00). Whatever a driver, pcscd
 * or a client library costs shows up in the echo card's numbers; whatever
 * more the real card needs is the card's own cost.
 *
 *   echo_card [-H HOST] [-P PORT] [-R] [--sw-only]
 *
 * Normal mode connects to HOST:PORT (a vpcd reader slot listening there)
 * and connects again, every 10 ms, whenever the connection is refused or
 * closed. Reversed mode (-R) listens on HOST:PORT and serves one
 * connection at a time. It runs until killed.
 */
#include <errno.h>
#include <getopt.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "core/apdu.h"
#include "vpcd/frame.h"

#define READ_CHUNK 65536
#define MAX_DATA (VPCD_MAX_PAYLOAD - 2u)

typedef struct echo_opts {
    const char *host;
    const char *port;
    bool reversed;
    bool sw_only;
} echo_opts;

typedef struct echo_conn {
    int fd;
    bool sw_only;
    vpcd_decoder dec;
    uint8_t *in;  /**< READ_CHUNK bytes */
    uint8_t *out; /**< one whole frame: header + payload, zeroed */
} echo_conn;

static const uint8_t echo_atr[] = {0x3B, 0x95, 0x13, 0x81, 0x01, 0x80,
                                   0x73, 0xFF, 0x01, 0x00, 0x0B};

static void usage(FILE *out)
{
    fprintf(out, "usage: echo_card [-H HOST] [-P PORT] [-R] [--sw-only]\n"
                 "  -H HOST     vpcd host, or the listen address with -R "
                 "(default 127.0.0.1)\n"
                 "  -P PORT     port (default 35963)\n"
                 "  -R          reversed mode: listen, vpcd connects\n"
                 "  --sw-only   answer 90 00 only, never data\n");
}

static void nodelay(int fd)
{
    int one = 1;
    (void)setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
}

static void quickack(int fd)
{
    int one = 1;
    (void)setsockopt(fd, IPPROTO_TCP, TCP_QUICKACK, &one, sizeof(one));
}

/* One frame whose payload is already in place, one send() (a blocking
 * socket: it goes out whole). */
static int send_frame(echo_conn *c, size_t len)
{
    size_t n = len + VPCD_HEADER_SIZE;
    c->out[0] = (uint8_t)(len >> 8);
    c->out[1] = (uint8_t)len;
    return send(c->fd, c->out, n, MSG_NOSIGNAL) == (ssize_t)n ? 0 : -1;
}

static int answer_atr(echo_conn *c)
{
    uint8_t *p = c->out + VPCD_HEADER_SIZE;
    memcpy(p, echo_atr, sizeof(echo_atr));
    int rv = send_frame(c, sizeof(echo_atr));
    memset(p, 0, sizeof(echo_atr)); /* keep the data area zero */
    return rv;
}

/* Ne zero bytes (unless --sw-only or no Le) and 90 00. */
static int answer_apdu(echo_conn *c, const uint8_t *cmd, size_t len)
{
    apdu a;
    size_t ne = 0;
    if (!c->sw_only && apdu_parse(cmd, len, &a) == SFC_OK && a.has_le)
        ne = a.ne > MAX_DATA ? MAX_DATA : a.ne;
    uint8_t *p = c->out + VPCD_HEADER_SIZE;
    p[ne] = 0x90;
    p[ne + 1] = 0x00;
    int rv = send_frame(c, ne + 2);
    p[ne] = p[ne + 1] = 0x00; /* keep the data area zero */
    return rv;
}

static int dispatch(echo_conn *c, const uint8_t *frame, size_t len)
{
    switch (vpcd_classify(frame, len)) {
    case VPCD_MSG_GET_ATR:
        return answer_atr(c);
    case VPCD_MSG_APDU:
        return answer_apdu(c, frame, len);
    default:
        return 0; /* power events and the like: no reply */
    }
}

/* Serve one connection until it closes. */
static void serve(echo_conn *c)
{
    vpcd_decoder_reset(&c->dec);
    for (;;) {
        quickack(c->fd);
        ssize_t n = recv(c->fd, c->in, READ_CHUNK, 0);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return;
        size_t off = 0;
        while (off < (size_t)n) {
            const uint8_t *frame;
            size_t flen;
            bool done;
            off += vpcd_decoder_feed(&c->dec, c->in + off, (size_t)n - off,
                                     &frame, &flen, &done);
            if (done && dispatch(c, frame, flen) != 0)
                return;
        }
    }
}

static struct addrinfo *resolve(const echo_opts *o)
{
    struct addrinfo hints = {.ai_family = AF_UNSPEC,
                             .ai_socktype = SOCK_STREAM,
                             .ai_flags = o->reversed ? AI_PASSIVE : 0};
    struct addrinfo *ai = NULL;
    int rv = getaddrinfo(o->host, o->port, &hints, &ai);
    if (rv != 0) {
        fprintf(stderr, "echo_card: %s:%s: %s\n", o->host, o->port,
                gai_strerror(rv));
        return NULL;
    }
    return ai;
}

static void pause_ms(long ms)
{
    struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
    nanosleep(&ts, NULL);
}

/* Normal mode: connect, serve, connect again. */
static int run_normal(echo_conn *c, const struct addrinfo *ai)
{
    for (;;) {
        c->fd = socket(ai->ai_family, SOCK_STREAM, 0);
        if (c->fd < 0)
            return 1;
        if (connect(c->fd, ai->ai_addr, ai->ai_addrlen) == 0) {
            nodelay(c->fd);
            serve(c);
        }
        close(c->fd);
        pause_ms(10);
    }
}

static int listen_on(const struct addrinfo *ai)
{
    int one = 1, fd = socket(ai->ai_family, SOCK_STREAM, 0);
    if (fd < 0)
        return -1;
    (void)setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
    if (bind(fd, ai->ai_addr, ai->ai_addrlen) != 0 || listen(fd, 1) != 0) {
        perror("echo_card: listen");
        close(fd);
        return -1;
    }
    return fd;
}

/* Reversed mode: accept, serve, accept again. */
static int run_reversed(echo_conn *c, const struct addrinfo *ai)
{
    int lfd = listen_on(ai);
    if (lfd < 0)
        return 1;
    for (;;) {
        c->fd = accept(lfd, NULL, NULL);
        if (c->fd < 0) {
            if (errno == EINTR)
                continue;
            close(lfd);
            return 1;
        }
        nodelay(c->fd);
        serve(c);
        close(c->fd);
    }
}

static int parse_args(int argc, char **argv, echo_opts *o)
{
    static const struct option longs[] = {
        {"sw-only", no_argument, NULL, 's'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0}};
    int ch;
    while ((ch = getopt_long(argc, argv, "H:P:Rh", longs, NULL)) != -1) {
        switch (ch) {
        case 'H': o->host = optarg; break;
        case 'P': o->port = optarg; break;
        case 'R': o->reversed = true; break;
        case 's': o->sw_only = true; break;
        case 'h': usage(stdout); exit(0);
        default: usage(stderr); return 2;
        }
    }
    if (optind != argc) {
        usage(stderr);
        return 2;
    }
    return 0;
}

int main(int argc, char **argv)
{
    echo_opts o = {.host = "127.0.0.1", .port = "35963"};
    int rc = parse_args(argc, argv, &o);
    if (rc != 0)
        return rc;
    signal(SIGPIPE, SIG_IGN);
    echo_conn c = {.fd = -1, .sw_only = o.sw_only,
                   .in = malloc(READ_CHUNK),
                   .out = calloc(1, VPCD_MAX_PAYLOAD + VPCD_HEADER_SIZE)};
    struct addrinfo *ai = resolve(&o);
    if (!ai || !c.in || !c.out || vpcd_decoder_init(&c.dec) != SFC_OK)
        return 1;
    rc = o.reversed ? run_reversed(&c, ai) : run_normal(&c, ai);
    freeaddrinfo(ai);
    return rc;
}
