/* SPDX-License-Identifier: LGPL-2.1-or-later */
/**
 * @file fuzz_scio.c
 * @brief libFuzzer target: libscio's direct backend (it plays the vpcd
 *        reader, no pcscd) against a card peer whose bytes are fuzzed.
 *
 * Each input makes a direct-backend context with one normal-mode slot on a
 * loopback port (its I/O thread accepts the card and asks its ATR), a
 * connection to that reader, and a TCP connection playing the card. The
 * harness writes the fuzzed bytes as the card's output and then calls one
 * scio function through the public API (include/scio.h), so the T=0
 * handling (61xx, 6Cxx), the ATR parsing, the frame decoder and the slot
 * state machine see them. The I/O timeout is 2 ms, so a card that does not
 * answer costs milliseconds. The backend's I/O thread runs concurrently:
 * whether it or the caller reads a byte first may vary between runs, so an
 * input does not always take exactly the same path.
 *
 * Input: records of an operation byte, a 2-byte big-endian length and that
 * many bytes the card sends first. Operation (low 3 bits): 0 connect
 * (retrying for up to 5 ms while the reader has no card; the reader
 * asks an ATR when the card arrives and again when it powers it on), 1 scio_transmit
 * (T=0 handling and error chain) of a command of one of 8 lengths (bits
 * 3-5) into a 258- or 2-byte buffer (bit 6), 2 scio_transmit_raw, 3
 * reconnect with reset or power-off (bit 3), 4 status and ATR, 5 disconnect
 * (leave, reset or power-off) or a transaction, 6 the card ends its output,
 * 7 the card closes and a new one connects.
 *
 * Checks beyond the sanitizers: an ATR handed out has 1..SCIO_ATR_MAX
 * bytes and a raw response 2 bytes at least, within the buffer.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "scio.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define RESP_MAX 65538u

static uint16_t port;
static uint8_t cmd[65536], resp[RESP_MAX];

static void die(const char *what)
{
    fprintf(stderr, "fuzz_scio: %s\n", what);
    abort();
}

static uint16_t pick_port(void)
{
    struct sockaddr_in a = {.sin_family = AF_INET};
    socklen_t len = sizeof(a);
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0 || bind(fd, (struct sockaddr *)&a, sizeof(a)) != 0 ||
        getsockname(fd, (struct sockaddr *)&a, &len) != 0)
        die("no free port");
    close(fd);
    return ntohs(a.sin_port);
}

static scio_context *open_context(void)
{
    scio_context *ctx = NULL;
    for (int tries = 0; tries < 20; tries++) {
        if (!port)
            port = pick_port();
        scio_direct_slot slot = {.reversed = false, .host = "127.0.0.1",
                                 .port = port};
        scio_context_opts o = {.backend = SCIO_BACKEND_DIRECT,
                               .slots = &slot, .n_slots = 1,
                               .friendly_name = "Fuzz",
                               .power_off_grace_ms = -1,
                               .io_timeout_ms = 2};
        if (scio_context_new(&o, &ctx) == SCIO_OK)
            return ctx;
        port = 0;
    }
    die("cannot make a direct context");
    return NULL;
}

static int peer_connect(void)
{
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons(port)};
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
    if (fd < 0)
        die("socket");
    if (connect(fd, (struct sockaddr *)&a, sizeof(a)) != 0 &&
        errno != EINPROGRESS)
        die("cannot connect to the reader");
    return fd;
}

static void drain(int fd)
{
    static uint8_t sink[65536];
    while (fd >= 0 && recv(fd, sink, sizeof(sink), MSG_DONTWAIT) > 0)
        ;
}

static void peer_send(int fd, const uint8_t *p, size_t n)
{
    while (fd >= 0 && n > 0) {
        ssize_t w = send(fd, p, n, MSG_NOSIGNAL | MSG_DONTWAIT);
        if (w <= 0)
            return;
        p += w;
        n -= (size_t)w;
    }
}

static void connect_card(scio_connection *conn)
{
    const struct timespec pause = {0, 250000};
    for (int i = 0; i < 20; i++) {
        scio_status st = scio_connect(conn, SCIO_PROTO_ANY, SCIO_SHARE_SHARED,
                                      SCIO_LEAVE);
        if (st != SCIO_E_NO_CARD)
            return;
        nanosleep(&pause, NULL);
    }
}

static size_t command(uint8_t op)
{
    static const size_t lengths[] = {0, 1, 4, 5, 6, 261, 65535, 65536};
    size_t n = lengths[(op >> 3) & 7];
    if (n >= 5)
        memcpy(cmd, "\x00\xB0\x00\x00\x00", 5);
    else if (n == 4)
        memcpy(cmd, "\x00\xA4\x04\x00", 4);
    return n;
}

static void transmit(scio_connection *conn, uint8_t op, bool raw)
{
    size_t n = command(op), cap = (op & 0x40) ? 2 : 258, len = cap;
    uint16_t sw = 0;
    if (!raw) {
        (void)scio_transmit(conn, cmd, n, resp, &len, &sw);
        return;
    }
    len = (op & 0x40) ? 2 : RESP_MAX;
    cap = len;
    if (scio_transmit_raw(conn, cmd, n, resp, &len) == SCIO_OK &&
        (len < 2 || len > cap))
        die("raw response of a bad length");
}

static void status(scio_connection *conn)
{
    scio_card_status st;
    uint8_t atr[SCIO_ATR_MAX];
    size_t len = sizeof(atr);
    if (scio_get_status(conn, &st) == SCIO_OK &&
        st.atr_len > SCIO_ATR_MAX)
        die("status: ATR too long");
    if (scio_get_atr(conn, atr, &len) == SCIO_OK &&
        (len == 0 || len > SCIO_ATR_MAX))
        die("ATR of a bad length");
}

static void leave(scio_connection *conn, uint8_t op)
{
    switch ((op >> 3) & 3) {
    case 0: (void)scio_disconnect_with(conn, SCIO_LEAVE); break;
    case 1: (void)scio_disconnect_with(conn, SCIO_RESET); break;
    case 2: (void)scio_disconnect_with(conn, SCIO_UNPOWER); break;
    default:
        if (scio_begin_transaction(conn) == SCIO_OK)
            (void)scio_end_transaction(conn, SCIO_LEAVE);
        break;
    }
}

static int run(scio_connection *conn, int fd, uint8_t op)
{
    switch (op & 7) {
    case 0: connect_card(conn); break;
    case 1: transmit(conn, op, false); break;
    case 2: transmit(conn, op, true); break;
    case 3:
        (void)scio_reconnect(conn, SCIO_PROTO_ANY, SCIO_SHARE_SHARED,
                             (op & 8) ? SCIO_UNPOWER : SCIO_RESET);
        break;
    case 4: status(conn); break;
    case 5: leave(conn, op); break;
    case 6: shutdown(fd, SHUT_WR); break;
    default:
        close(fd);
        fd = peer_connect();
        break;
    }
    drain(fd);
    return fd;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    scio_context *ctx = open_context();
    scio_connection *conn = NULL;
    if (scio_connection_new(ctx, "Fuzz 00 00", &conn) != SCIO_OK)
        die("connection");
    int fd = peer_connect();
    size_t off = 0;
    while (off + 3 <= size) {
        uint8_t op = data[off];
        size_t n = (size_t)data[off + 1] << 8 | data[off + 2];
        off += 3;
        if (n > size - off)
            n = size - off;
        peer_send(fd, data + off, n);
        off += n;
        fd = run(conn, fd, op);
    }
    scio_connection_free(conn);
    close(fd);
    scio_context_free(ctx);
    return 0;
}
