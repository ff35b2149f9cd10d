/* SPDX-License-Identifier: LGPL-2.1-or-later */
/**
 * @file test_scio_direct.c
 * @brief The scio direct backend against hostile card peers: a silent card
 *        does not stall the others, a card that is slow to give its ATR
 *        holds up no other slot and is still taken, a card that stops
 *        reading cannot hang a send, a frame sent unasked is not an answer,
 *        a reversed slot whose card an exchange ejected reconnects.
 *
 * The backend's slots run in reversed mode towards card peers played by
 * threads of this test on ephemeral loopback ports. Waits are bounded (a
 * hang fails, by an alarm or a bounded loop); nothing is timed.
 */
#include "testutil.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <stdatomic.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "scio/direct.h"

typedef enum { CARD_ECHO, CARD_SILENT, CARD_DEAF, CARD_WITHHOLD } card_mode;

typedef struct card {
    card_mode mode;
    int listen_fd;
    uint16_t port;
    atomic_int conn_fd;
    atomic_bool quit;
    atomic_bool asked;   /**< WITHHOLD: GET ATR received */
    atomic_bool release; /**< WITHHOLD: answer it now */
    bool again;          /**< serve the next connection too */
    pthread_t thread;
} card;

static bool read_all(int fd, uint8_t *p, size_t n)
{
    while (n > 0) {
        ssize_t k = recv(fd, p, n, 0);
        if (k <= 0)
            return false;
        p += k;
        n -= (size_t)k;
    }
    return true;
}

static void write_frame(int fd, const uint8_t *p, size_t n)
{
    uint8_t f[300] = {(uint8_t)(n >> 8), (uint8_t)n};
    memcpy(f + 2, p, n);
    (void)!send(fd, f, n + 2, MSG_NOSIGNAL);
}

#define WITHHELD_ATR "\x3B\x02\x14\x50"

/* WITHHOLD: the first GET ATR waits for `release`, then the card answers
 * WITHHELD_ATR (and echoes afterwards). */
static bool withheld_atr(card *c, int fd)
{
    if (c->mode != CARD_WITHHOLD || atomic_load(&c->asked))
        return false;
    atomic_store(&c->asked, true);
    while (!atomic_load(&c->release) && !atomic_load(&c->quit))
        usleep(5000);
    write_frame(fd, (const uint8_t *)WITHHELD_ATR, 4);
    return true;
}

/* ECHO: ATR 3B 00 for GET ATR, 90 00 for an APDU; DEAF: the ATR, then it
 * never reads again; SILENT: never says anything; WITHHOLD: see above.
 * Each card serves one connection, unless `again`. */
static void serve(card *c, int fd)
{
    static _Thread_local uint8_t buf[VPCD_MAX_PAYLOAD];
    uint8_t hdr[2];
    while (c->mode != CARD_SILENT && read_all(fd, hdr, 2)) {
        size_t n = (size_t)hdr[0] << 8 | hdr[1];
        if (!read_all(fd, buf, n))
            break;
        if (n == 1 && buf[0] == VPCD_CTRL_ATR && withheld_atr(c, fd))
            continue;
        if (n == 1 && buf[0] == VPCD_CTRL_ATR)
            write_frame(fd, (const uint8_t *)"\x3B\x00", 2);
        else if (n >= 2)
            write_frame(fd, (const uint8_t *)"\x90\x00", 2);
        if (c->mode == CARD_DEAF && n == 1 && buf[0] == VPCD_CTRL_ATR)
            break;
    }
    while (!c->again && !atomic_load(&c->quit))
        usleep(5000);
}

static void *card_main(void *arg)
{
    card *c = arg;
    struct pollfd p = {.fd = c->listen_fd, .events = POLLIN};
    while (!atomic_load(&c->quit)) {
        if (poll(&p, 1, 20) <= 0)
            continue;
        int fd = accept(c->listen_fd, NULL, NULL);
        if (fd < 0)
            continue;
        if (c->mode == CARD_DEAF) { /* keep the kernel from absorbing much */
            int small = 2048;
            setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &small, sizeof(small));
        }
        atomic_store(&c->conn_fd, fd);
        serve(c, fd);
        if (c->again && atomic_exchange(&c->conn_fd, -1) >= 0)
            close(fd);
    }
    return NULL;
}

/* Bind an ephemeral loopback port; connections are refused until
 * card_listen(). */
static void card_bind(card *c, card_mode mode)
{
    struct sockaddr_in a = {.sin_family = AF_INET};
    socklen_t len = sizeof(a);
    memset(c, 0, sizeof(*c));
    c->mode = mode;
    atomic_init(&c->conn_fd, -1);
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    c->listen_fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    int small = 2048;
    if (mode == CARD_DEAF) /* inherited by the accepted socket */
        setsockopt(c->listen_fd, SOL_SOCKET, SO_RCVBUF, &small, sizeof(small));
    assert_int_equal(bind(c->listen_fd, (struct sockaddr *)&a, len), 0);
    assert_int_equal(getsockname(c->listen_fd, (struct sockaddr *)&a, &len), 0);
    c->port = ntohs(a.sin_port);
}

static void card_listen(card *c)
{
    assert_int_equal(listen(c->listen_fd, 4), 0);
    assert_int_equal(pthread_create(&c->thread, NULL, card_main, c), 0);
}

static void card_start(card *c, card_mode mode)
{
    card_bind(c, mode);
    card_listen(c);
}

static void card_stop(card *c)
{
    atomic_store(&c->quit, true);
    pthread_join(c->thread, NULL);
    int fd = atomic_load(&c->conn_fd);
    if (fd >= 0)
        close(fd);
    close(c->listen_fd);
}

static dsrv *server(const card *c0, const card *c1, int io_timeout_ms)
{
    scio_direct_slot slots[2] = {{.reversed = true, .port = c0->port},
                                 {.reversed = true, .port = c1 ? c1->port : 1}};
    scio_context_opts o = {.backend = SCIO_BACKEND_DIRECT, .slots = slots,
                           .n_slots = c1 ? 2 : 1, .power_off_grace_ms = -1,
                           .io_timeout_ms = io_timeout_ms};
    dsrv *s = NULL;
    assert_int_equal(direct_srv_new(&o, &s), SCIO_OK);
    return s;
}

/* Wait (at most ~20 s, far beyond any fixed behaviour) for presence. */
static bool wait_present(dsrv *s, size_t slot)
{
    for (int i = 0; i < 2000; i++) {
        pthread_mutex_lock(&s->lock);
        bool p = s->slots[slot].present;
        pthread_mutex_unlock(&s->lock);
        if (p)
            return true;
        usleep(10000);
    }
    return false;
}

/* One silent card must not keep the next one out for the 60 s I/O
 * timeout: the ATR of a new card is read with a short timeout. */
static void test_silent_card_does_not_stall_others(void **state)
{
    (void)state;
    card silent, good;
    card_start(&silent, CARD_SILENT);
    card_start(&good, CARD_ECHO);
    alarm(50);
    dsrv *s = server(&silent, &good, 0); /* the default 60 s I/O timeout */
    assert_true(wait_present(s, 1));
    pthread_mutex_lock(&s->lock);
    assert_false(s->slots[0].present);
    pthread_mutex_unlock(&s->lock);
    direct_srv_free(s);
    alarm(0);
    card_stop(&silent);
    card_stop(&good);
}

/* A card that answered its ATR and then stops reading: a large APDU must
 * fail after the I/O timeout instead of blocking in send() for ever. */
static void test_send_to_deaf_card_times_out(void **state)
{
    (void)state;
    card deaf;
    static uint8_t apdu[VPCD_MAX_PAYLOAD];
    uint8_t resp[258];
    card_start(&deaf, CARD_DEAF);
    alarm(60);
    dsrv *s = server(&deaf, NULL, 1000);
    assert_true(wait_present(s, 0));
    memset(apdu, 0x55, sizeof(apdu));
    uint32_t rv = RV_SUCCESS;
    pthread_mutex_lock(&s->lock);
    for (int i = 0; i < 64 && rv == RV_SUCCESS; i++) { /* fill every buffer */
        size_t rlen = sizeof(resp);
        rv = slot_apdu(s, &s->slots[0], apdu, sizeof(apdu), resp, &rlen);
    }
    assert_int_equal(rv, RV_W_REMOVED_CARD);
    assert_false(s->slots[0].present);
    pthread_mutex_unlock(&s->lock);
    direct_srv_free(s);
    alarm(0);
    card_stop(&deaf);
}

/* A frame the card sends unasked is not the answer to the next command. */
static void test_unasked_frame_not_an_answer(void **state)
{
    (void)state;
    card c;
    uint8_t resp[258];
    size_t rlen = sizeof(resp);
    card_start(&c, CARD_ECHO);
    dsrv *s = server(&c, NULL, 2000);
    assert_true(wait_present(s, 0));
    pthread_mutex_lock(&s->lock);
    int fd = atomic_load(&c.conn_fd);
    write_frame(fd, (const uint8_t *)"\x6A\x82", 2); /* unasked */
    usleep(50000); /* loopback: the frame is in the backend's socket */
    uint32_t rv = slot_apdu(s, &s->slots[0], (const uint8_t *)"\x00\xA4\x00\x0C",
                            4, resp, &rlen);
    assert_int_equal(rv, RV_W_REMOVED_CARD);
    assert_false(s->slots[0].present);
    pthread_mutex_unlock(&s->lock);
    direct_srv_free(s);
    card_stop(&c);
}

/* A reversed slot whose card was ejected by an exchange on the caller's
 * thread (not seen by the I/O thread) connects to the card again. */
static void test_reconnect_after_caller_eject(void **state)
{
    (void)state;
    static card c; /* outlives a failed assertion: its thread uses it */
    uint8_t resp[258];
    size_t rlen = sizeof(resp);
    card_bind(&c, CARD_ECHO);
    c.again = true;
    card_listen(&c);
    dsrv *s = server(&c, NULL, 2000);
    assert_true(wait_present(s, 0));
    pthread_mutex_lock(&s->lock);
    write_frame(atomic_load(&c.conn_fd), (const uint8_t *)"\x6A\x82", 2);
    struct pollfd p = {.fd = s->slots[0].fd, .events = POLLIN};
    assert_int_equal(poll(&p, 1, 30000), 1); /* the unasked frame is here */
    assert_int_equal(slot_apdu(s, &s->slots[0], (const uint8_t *)"\x00\xA4\x00\x0C",
                               4, resp, &rlen), RV_W_REMOVED_CARD);
    pthread_mutex_unlock(&s->lock);
    assert_true(wait_present(s, 0));
    direct_srv_free(s);
    card_stop(&c);
}

/* Bounded wait for a card peer's flag (~30 s: a failure guard only). */
static bool wait_flag(atomic_bool *flag)
{
    for (int i = 0; i < 3000 && !atomic_load(flag); i++)
        usleep(10000);
    return atomic_load(flag);
}

static scio_context *public_context(const card *c0, const card *c1)
{
    scio_direct_slot slots[2] = {{.reversed = true, .port = c0->port},
                                 {.reversed = true, .port = c1->port}};
    scio_context_opts o = {.backend = SCIO_BACKEND_DIRECT, .slots = slots,
                           .n_slots = 2, .power_off_grace_ms = -1};
    scio_context *ctx = NULL;
    assert_int_equal(scio_context_new(&o, &ctx), SCIO_OK);
    return ctx;
}

/* The card in `reader`, waited for at most 30 s (a failure guard). */
static scio_status card_in(scio_context *ctx, const char *reader,
                           scio_card *out)
{
    scio_card_request *req = NULL;
    scio_card_request_opts o = {.readers = &reader, .n_readers = 1};
    scio_status st = scio_card_request_new(ctx, &o, &req);
    if (st == SCIO_OK)
        st = scio_card_request_wait_card(req, 30000, out);
    scio_card_request_free(req);
    return st;
}

/* One APDU to the card `found`: its status word, 0 on failure. */
static uint16_t apdu_sw(scio_context *ctx, const scio_card *found)
{
    static const uint8_t select[] = {0x00, 0xA4, 0x00, 0x0C};
    scio_connection *conn = NULL;
    uint16_t sw = 0;
    size_t rlen = 0;
    if (scio_card_connect(ctx, found, SCIO_PROTO_ANY, SCIO_SHARE_SHARED,
                          SCIO_LEAVE, &conn) != SCIO_OK)
        return 0;
    if (scio_transmit(conn, select, sizeof(select), NULL, &rlen, &sw) != SCIO_OK)
        sw = 0;
    scio_connection_free(conn);
    return sw;
}

/* A card slow to give its ATR (slot 0) holds up no other slot: a card on
 * slot 1, which starts listening only once slot 0 was asked its ATR, is
 * found and answers an APDU while slot 0 still waits; then slot 0 answers
 * and is inserted with that ATR. Each peer serves one connection, so a
 * slot 0 given up on stays empty. */
static void test_slow_atr_does_not_stall_others(void **state)
{
    (void)state;
    static card slow, good; /* outlive a failed assertion: threads use them */
    scio_card c1, c0;
    card_start(&slow, CARD_WITHHOLD);
    card_bind(&good, CARD_ECHO);
    alarm(120);
    scio_context *ctx = public_context(&slow, &good);
    assert_true(wait_flag(&slow.asked));
    card_listen(&good);
    assert_int_equal(card_in(ctx, "Virtual PCD 00 01", &c1), SCIO_OK);
    assert_int_equal(apdu_sw(ctx, &c1), 0x9000);
    atomic_store(&slow.release, true);
    assert_int_equal(card_in(ctx, "Virtual PCD 00 00", &c0), SCIO_OK);
    assert_memory_equal(c0.atr, WITHHELD_ATR, 4);
    assert_int_equal(c0.atr_len, 4);
    scio_context_free(ctx);
    alarm(0);
    card_stop(&slow);
    card_stop(&good);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_silent_card_does_not_stall_others),
        cmocka_unit_test(test_slow_atr_does_not_stall_others),
        cmocka_unit_test(test_send_to_deaf_card_times_out),
        cmocka_unit_test(test_unasked_frame_not_an_answer),
        cmocka_unit_test(test_reconnect_after_caller_eject),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
