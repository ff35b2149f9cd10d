/* SPDX-License-Identifier: LGPL-2.1-or-later */
/**
 * @file fuzz_scio.c
 * @brief libFuzzer target: libscio's direct backend (it plays the vpcd
 *        reader, no pcscd) against a card peer whose answers are fuzzed.
 *
 * Each input makes a direct-backend context with one normal-mode slot on a
 * loopback port, a connection to that reader, and a card peer: a thread
 * (one for the process, serving each input in turn)
 * with a TCP connection to the reader that reads the backend's requests
 * and answers every one that expects an answer (GET ATR, an APDU) with the
 * next fuzzed reply from a queue, written as is (any bytes: frames, bad
 * lengths, several frames, half a frame; an empty reply is silence), waiting
 * for the main thread to queue it if need be. The backend never hears from the card unasked, because it
 * treats an idle card that speaks as removed; so the peer answers instead
 * of writing ahead. The main thread calls scio functions through the
 * public API (include/scio.h), so the T=0 handling (61xx, 6Cxx), the ATR
 * parsing, the frame decoder and the slot state machine see the replies.
 * The I/O timeout is 1 ms, so a missing answer costs a millisecond. The
 * backend's I/O thread and the peer run concurrently: an input does not
 * always take exactly the same path.
 *
 * Input: records of an operation byte, a 2-byte big-endian length and that
 * many bytes, which join the reply queue as one reply. Operation (low 3
 * bits): 0 connect (retrying for up to 2 ms while the reader has no card
 * and the peer is connected),
 * 1 scio_transmit (T=0 handling and error chain) of a command of one of 8
 * lengths (bits 3-5) into a 258- or 2-byte buffer (bit 6), 2
 * scio_transmit_raw, 3 reconnect with reset or power-off (bit 3), 4 status
 * and ATR, 5 disconnect (leave, reset or power-off) or a transaction
 * (bits 3-4), 6 the card ends its output (EOF), 7 the card closes and a new
 * one connects. Bit 7 set: only queue the reply. Each record first waits
 * up to 0.2 ms for the peer to have used the replies queued before (not
 * at all when the peer has no connection: nothing would use them).
 *
 * Checks beyond the sanitizers: an ATR handed out has 1..SCIO_ATR_MAX
 * bytes and a raw response 2 bytes at least, within the buffer.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "scio.h"

#include "fuzz_util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define RESP_MAX 65538u

static uint16_t port;
static uint8_t cmd[65536], resp[RESP_MAX];

static void die(const char *what)
{
    fprintf(stderr, "fuzz_scio: %s\n", what);
    abort();
}

/* A free loopback port, or die. */
static uint16_t pick_port(void)
{
    uint16_t free_port = fuzz_pick_port();
    if (free_port == 0)
        die("no free port");
    return free_port;
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
                               .io_timeout_ms = 1};
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
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0)
        die("socket");
    if (connect(fd, (struct sockaddr *)&a, sizeof(a)) != 0)
        die("cannot connect to the reader");
    return fd;
}

/* ---- the card peer ---------------------------------------------------- */

#define MAX_REPLIES 256

typedef struct peer {
    pthread_mutex_t lock;
    pthread_cond_t used;          /* a reply was taken, or a signal */
    const uint8_t *reply[MAX_REPLIES];
    size_t reply_len[MAX_REPLIES];
    size_t queued, taken;         /* under lock */
    int fd;                       /* under lock; -1 once quitting */
    bool quit, renew;             /* under lock */
    bool serving;                 /* under lock: a connection is open */
    fuzz_worker worker;           /* busy: from peer_start to the end */
} peer;

/* The next reply: waits until one is queued; NULL at the end or when the
 * card is replaced. An empty reply is silence. */
static const uint8_t *take_reply(peer *pe, size_t *len)
{
    const uint8_t *r = NULL;
    pthread_mutex_lock(&pe->lock);
    while (pe->taken >= pe->queued && !pe->quit && !pe->renew)
        pthread_cond_wait(&pe->used, &pe->lock);
    if (pe->taken < pe->queued && !pe->quit && !pe->renew) {
        r = pe->reply[pe->taken];
        *len = pe->reply_len[pe->taken++];
    }
    pthread_cond_broadcast(&pe->used);
    pthread_mutex_unlock(&pe->lock);
    return r;
}

/* Serve one connection until it ends: answer GET ATR and APDUs. */
static void peer_serve(peer *pe, int fd)
{
    static uint8_t req[65536];
    uint8_t hdr[2];
    while (fuzz_read_all(fd, hdr, 2)) {
        size_t n = (size_t)hdr[0] << 8 | hdr[1], rl = 0;
        if (n == 0 || !fuzz_read_all(fd, req, n))
            return;
        if (n == 1 && req[0] != 0x04)
            continue; /* power off, on, reset: no answer */
        const uint8_t *r = take_reply(pe, &rl);
        if (r)
            fuzz_write_all(fd, r, rl, 0);
    }
}

/* After a connection ended: wait for a new card or the end. */
static bool peer_next(peer *pe)
{
    pthread_mutex_lock(&pe->lock);
    while (!pe->quit && !pe->renew)
        pthread_cond_wait(&pe->used, &pe->lock);
    close(pe->fd);
    pe->fd = pe->quit ? -1 : peer_connect();
    pe->renew = false;
    bool more = pe->fd >= 0;
    pthread_mutex_unlock(&pe->lock);
    return more;
}

/* The worker thread's job (fuzz_util.h): serve the input's cards, one
 * after the other, until the input ends. */
static void peer_job(void *arg)
{
    peer *pe = arg;
    do {
        pthread_mutex_lock(&pe->lock);
        int fd = pe->fd;
        pe->serving = true;
        pthread_mutex_unlock(&pe->lock);
        peer_serve(pe, fd);
        pthread_mutex_lock(&pe->lock);
        pe->serving = false;
        pthread_mutex_unlock(&pe->lock);
    } while (peer_next(pe));
}

static void peer_start(peer *pe)
{
    if (!fuzz_worker_ready(&pe->worker))
        die("thread");
    int fd = peer_connect();
    pthread_mutex_lock(&pe->lock);
    pe->queued = pe->taken = 0;
    pe->quit = pe->renew = pe->serving = false;
    pe->fd = fd;
    fuzz_worker_go(&pe->worker);
    pthread_mutex_unlock(&pe->lock);
}

/* Queue a reply; first wait (2 ms at most) until the earlier ones are used. */
static void peer_queue(peer *pe, const uint8_t *r, size_t n)
{
    struct timespec until;
    clock_gettime(CLOCK_REALTIME, &until);
    until.tv_nsec += 200000;
    if (until.tv_nsec >= 1000000000) {
        until.tv_sec++;
        until.tv_nsec -= 1000000000;
    }
    pthread_mutex_lock(&pe->lock);
    while (pe->taken < pe->queued && pe->serving &&
           pthread_cond_timedwait(&pe->used, &pe->lock, &until) == 0)
        ;
    if (pe->queued < MAX_REPLIES) {
        pe->reply[pe->queued] = r;
        pe->reply_len[pe->queued++] = n;
    }
    pthread_cond_broadcast(&pe->used);
    pthread_mutex_unlock(&pe->lock);
}

/* 6: EOF from the card (it reads on); 7: the card leaves and a new one
 * connects; 8: the end. */
static void peer_signal(peer *pe, int what)
{
    pthread_mutex_lock(&pe->lock);
    if (what == 6) {
        shutdown(pe->fd, SHUT_WR);
    } else {
        pe->renew = what == 7;
        pe->quit = what == 8;
        shutdown(pe->fd, SHUT_RDWR);
    }
    pthread_cond_broadcast(&pe->used);
    pthread_mutex_unlock(&pe->lock);
}

/* The input's card leaves; the thread waits for the next input's. */
static void peer_stop(peer *pe)
{
    peer_signal(pe, 8);
    pthread_mutex_lock(&pe->lock);
    fuzz_worker_wait(&pe->worker);
    pthread_mutex_unlock(&pe->lock);
}

/* ---- the operations --------------------------------------------------- */

/* FUZZ_SCIO_TRACE=1: the status of every connect to stderr. */
static int trace;

static bool peer_serving(peer *pe)
{
    pthread_mutex_lock(&pe->lock);
    bool serving = pe->serving;
    pthread_mutex_unlock(&pe->lock);
    return serving;
}

/* Retry while the reader has no card yet but the peer is still connected
 * (the backend may not have its ATR yet); a peer that the backend dropped
 * stays gone until operation 7, so waiting for it would only cost time. */
static void connect_card(scio_connection *conn, peer *pe)
{
    const struct timespec pause = {0, 100000};
    scio_status st = SCIO_E_NO_CARD;
    for (int i = 0; i < 20 && st == SCIO_E_NO_CARD &&
                    (i == 0 || peer_serving(pe));
         i++) {
        st = scio_connect(conn, SCIO_PROTO_ANY, SCIO_SHARE_SHARED,
                          SCIO_LEAVE);
        if (st == SCIO_E_NO_CARD && peer_serving(pe))
            nanosleep(&pause, NULL);
    }
    if (trace)
        fprintf(stderr, "connect: %s\n", scio_strerror(st));
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

static void run(scio_connection *conn, peer *pe, uint8_t op)
{
    if (op & 0x80)
        return;
    switch (op & 7) {
    case 0: connect_card(conn, pe); break;
    case 1: transmit(conn, op, false); break;
    case 2: transmit(conn, op, true); break;
    case 3:
        (void)scio_reconnect(conn, SCIO_PROTO_ANY, SCIO_SHARE_SHARED,
                             (op & 8) ? SCIO_UNPOWER : SCIO_RESET);
        break;
    case 4: status(conn); break;
    case 5: leave(conn, op); break;
    default: peer_signal(pe, op & 7); break;
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    trace = getenv("FUZZ_SCIO_TRACE") != NULL;
    scio_context *ctx = open_context();
    scio_connection *conn = NULL;
    if (scio_connection_new(ctx, "Fuzz 00 00", &conn) != SCIO_OK)
        die("connection");
    static peer pe = {.lock = PTHREAD_MUTEX_INITIALIZER,
                      .used = PTHREAD_COND_INITIALIZER,
                      .worker = {.lock = &pe.lock, .cond = &pe.used,
                                 .job = peer_job, .arg = &pe}};
    peer_start(&pe);
    size_t off = 0;
    fuzz_record r;
    while (fuzz_next_record(data, size, &off, &r)) {
        peer_queue(&pe, r.data, r.len);
        run(conn, &pe, r.op);
    }
    scio_connection_free(conn);
    peer_stop(&pe);
    scio_context_free(ctx);
    return 0;
}
