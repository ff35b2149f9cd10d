/* SPDX-License-Identifier: LGPL-2.1-or-later */
/**
 * @file test_driver_ifdh.c
 * @brief The driver's IFDH* entry points driven directly, against a
 *        well-behaved card in a thread (test_driver_peer.h).
 *
 * Both connection modes over loopback with ephemeral ports: reversed (the
 * card listens, the driver connects) and normal (the driver listens on a
 * free port, the card connects). Covers presence without a round trip per
 * poll, power down/up/reset and the frames they put on the wire, the ATR
 * capabilities, transmissions up to the largest frame, the negotiated
 * protocol in RecvPci, the event wait and its stop function, several Luns
 * at once (a slow card on one slot does not hold up another), IPv6, and
 * slot n on port + n.
 */
#include <ifdhandler.h>
#include <reader.h>
#include <stdarg.h>

#include "test_driver_peer.h"

typedef RESPONSECODE (*poll_fn_t)(DWORD, int);
typedef RESPONSECODE (*stop_fn_t)(DWORD);

static const char iso_atr_hex[] = "3B9513810180 73FF01000B";

/* ---- helpers ----------------------------------------------------------- */

__attribute__((format(printf, 2, 3)))
static void open_lun(DWORD lun, const char *fmt, ...)
{
    char name[128];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(name, sizeof(name), fmt, ap);
    va_end(ap);
    assert_int_equal(IFDHCreateChannelByName(lun, name), IFD_SUCCESS);
}

/* Poll IFDHICCPresence until it says `want` (true: present). */
static bool wait_presence(DWORD lun, bool want, unsigned ms)
{
    uint64_t end = peer_now_ms() + ms;
    do {
        RESPONSECODE rc = IFDHICCPresence(lun);
        if ((rc == IFD_ICC_PRESENT) == want)
            return true;
        usleep(2000);
    } while (peer_now_ms() < end);
    return false;
}

static poll_fn_t poll_fn(DWORD lun)
{
    poll_fn_t fn = NULL;
    DWORD len = sizeof(fn);
    assert_int_equal(IFDHGetCapabilities(lun,
                                         TAG_IFD_POLLING_THREAD_WITH_TIMEOUT,
                                         &len, (PUCHAR)&fn), IFD_SUCCESS);
    return fn;
}

static stop_fn_t stop_fn(DWORD lun)
{
    stop_fn_t fn = NULL;
    DWORD len = sizeof(fn);
    assert_int_equal(IFDHGetCapabilities(lun, TAG_IFD_STOP_POLLING_THREAD,
                                         &len, (PUCHAR)&fn), IFD_SUCCESS);
    return fn;
}

static RESPONSECODE transmit_hex(DWORD lun, const char *hex, uint8_t *resp,
                                 DWORD *rlen)
{
    uint8_t cmd[300];
    size_t n = tu_hex(hex, cmd, sizeof(cmd));
    SCARD_IO_HEADER send = {.Protocol = 1, .Length = 0};
    SCARD_IO_HEADER recv = {0};
    return IFDHTransmitToICC(lun, send, cmd, (DWORD)n, resp, rlen, &recv);
}

/* Wait until the card has received what `want` lists, then compare. */
static void expect_log(peer *p, const char *want)
{
    for (int i = 0; i < 400; i++) {
        pthread_mutex_lock(&p->lock);
        bool done = strlen(p->log) >= strlen(want);
        pthread_mutex_unlock(&p->lock);
        if (done)
            break;
        usleep(5000);
    }
    assert_string_equal(peer_take_log(p), want);
}

/* The card echoes the command and appends 90 00. */
static void assert_echo(DWORD lun, const char *hex)
{
    uint8_t resp[300];
    DWORD rlen = sizeof(resp);
    assert_int_equal(transmit_hex(lun, hex, resp, &rlen), IFD_SUCCESS);
    char want[700];
    snprintf(want, sizeof(want), "%s9000", hex);
    tu_assert_hex(resp, rlen, want);
}

/* ---- reversed mode: the whole life of a card -------------------------- */

static void test_reversed_card(void **state)
{
    (void)state;
    static peer card;
    peer_listen(&card, PEER_ECHO, false);
    open_lun(0, "127.0.0.1:%u,slots=1", card.port);
    assert_true(wait_presence(0, true, 3000));
    assert_string_equal(peer_take_log(&card), "ATR");

    /* presence and the ATR capability cost no frames */
    for (int i = 0; i < 50; i++)
        assert_int_equal(IFDHICCPresence(0), IFD_ICC_PRESENT);
    UCHAR atr[40];
    DWORD len = sizeof(atr);
    assert_int_equal(IFDHGetCapabilities(0, TAG_IFD_ATR, &len, atr),
                     IFD_SUCCESS);
    tu_assert_hex(atr, len, iso_atr_hex);
    len = sizeof(atr);
    assert_int_equal(IFDHGetCapabilities(0, SCARD_ATTR_ATR_STRING, &len, atr),
                     IFD_SUCCESS);
    tu_assert_hex(atr, len, iso_atr_hex);
    assert_string_equal(peer_take_log(&card), "");

    len = sizeof(atr);
    assert_int_equal(IFDHPowerICC(0, IFD_POWER_UP, atr, &len), IFD_SUCCESS);
    tu_assert_hex(atr, len, iso_atr_hex);
    assert_echo(0, "00A4000C023F00");
    len = sizeof(atr);
    assert_int_equal(IFDHPowerICC(0, IFD_RESET, atr, &len), IFD_SUCCESS);
    assert_int_equal(len, sizeof(peer_atr));
    assert_int_equal(IFDHPowerICC(0, IFD_POWER_DOWN, NULL, NULL),
                     IFD_SUCCESS);
    expect_log(&card, "ON ATR A4 RESET ATR OFF");

    assert_int_equal(IFDHCloseChannel(0), IFD_SUCCESS);
    expect_log(&card, "EOF");
    peer_stop(&card);
}

static void test_power_up_buffer(void **state)
{
    (void)state;
    static peer card;
    peer_listen(&card, PEER_ECHO, false);
    open_lun(0, "127.0.0.1:%u,slots=1", card.port);
    assert_true(wait_presence(0, true, 3000));
    UCHAR atr[40];
    DWORD len = 4;
    assert_int_equal(IFDHPowerICC(0, IFD_POWER_UP, atr, &len),
                     IFD_ERROR_INSUFFICIENT_BUFFER);
    assert_int_equal(IFDHPowerICC(0, IFD_POWER_UP, NULL, &len),
                     IFD_COMMUNICATION_ERROR);
    assert_int_equal(IFDHPowerICC(0, 12345, atr, &len), IFD_NOT_SUPPORTED);
    assert_int_equal(IFDHCloseChannel(0), IFD_SUCCESS);
    peer_stop(&card);
}

static void test_protocol_reported(void **state)
{
    (void)state;
    static peer card;
    peer_listen(&card, PEER_ECHO, false);
    open_lun(0, "127.0.0.1:%u,slots=1", card.port);
    assert_true(wait_presence(0, true, 3000));
    uint8_t cmd[] = {0x00, 0xB0, 0x00, 0x00, 0x01};
    uint8_t resp[16];
    DWORD rlen = sizeof(resp);
    SCARD_IO_HEADER send = {.Protocol = 0}, recv = {.Protocol = 77};

    /* nothing negotiated: the protocol pcscd asked for comes back */
    assert_int_equal(IFDHTransmitToICC(0, send, cmd, 5, resp, &rlen, &recv),
                     IFD_SUCCESS);
    assert_int_equal(recv.Protocol, 0);
    /* after a negotiation (SCARD_PROTOCOL_T1 = 2) it is T=1, IFD style */
    assert_int_equal(IFDHSetProtocolParameters(0, SCARD_PROTOCOL_T1, 0, 0, 0,
                                               0), IFD_SUCCESS);
    rlen = sizeof(resp);
    assert_int_equal(IFDHTransmitToICC(0, send, cmd, 5, resp, &rlen, &recv),
                     IFD_SUCCESS);
    assert_int_equal(recv.Protocol, 1);
    assert_int_equal(IFDHSetProtocolParameters(0, SCARD_PROTOCOL_T0, 0, 0, 0,
                                               0), IFD_SUCCESS);
    rlen = sizeof(resp);
    send.Protocol = 1;
    assert_int_equal(IFDHTransmitToICC(0, send, cmd, 5, resp, &rlen, &recv),
                     IFD_SUCCESS);
    assert_int_equal(recv.Protocol, 0);
    assert_int_equal(IFDHSetProtocolParameters(0, SCARD_PROTOCOL_RAW, 0, 0, 0,
                                               0), IFD_PROTOCOL_NOT_SUPPORTED);
    /* a power-up forgets the negotiation */
    UCHAR atr[40];
    DWORD len = sizeof(atr);
    assert_int_equal(IFDHPowerICC(0, IFD_POWER_UP, atr, &len), IFD_SUCCESS);
    rlen = sizeof(resp);
    assert_int_equal(IFDHTransmitToICC(0, send, cmd, 5, resp, &rlen, &recv),
                     IFD_SUCCESS);
    assert_int_equal(recv.Protocol, 1);
    assert_int_equal(IFDHCloseChannel(0), IFD_SUCCESS);
    peer_stop(&card);
}

/* ---- sizes ------------------------------------------------------------- */

static void test_largest_frame(void **state)
{
    (void)state;
    static peer card;
    peer_listen(&card, PEER_ECHO, false);
    open_lun(0, "127.0.0.1:%u,slots=1", card.port);
    assert_true(wait_presence(0, true, 3000));
    size_t cap = MAX_BUFFER_SIZE_EXTENDED;
    uint8_t *cmd = malloc(65536), *resp = malloc(cap);
    SCARD_IO_HEADER send = {.Protocol = 1}, recv = {0};
    /* a case 4E APDU filling a frame: 4 + 3 + 65526 + 2 bytes */
    memset(cmd, 0x5A, 65536);
    memcpy(cmd, "\x00\xD6\x00\x00\x00\xFF\xF6", 7);
    DWORD rlen = (DWORD)cap;
    assert_int_equal(IFDHTransmitToICC(0, send, cmd, 65535, resp, &rlen,
                                       &recv), IFD_SUCCESS);
    assert_int_equal(rlen, 65535); /* 65533 echoed + 90 00 */
    assert_memory_equal(resp, cmd, 65533);
    /* one byte more cannot be framed: refused, the card stays */
    rlen = (DWORD)cap;
    assert_int_equal(IFDHTransmitToICC(0, send, cmd, 65536, resp, &rlen,
                                       &recv), IFD_COMMUNICATION_ERROR);
    assert_int_equal(rlen, 0);
    /* a response larger than the caller's buffer: refused, the card stays */
    rlen = 8;
    assert_int_equal(IFDHTransmitToICC(0, send, cmd, 20, resp, &rlen, &recv),
                     IFD_ERROR_INSUFFICIENT_BUFFER);
    assert_int_equal(rlen, 0);
    assert_int_equal(IFDHICCPresence(0), IFD_ICC_PRESENT);
    assert_echo(0, "00A4000C023F00");
    free(cmd);
    free(resp);
    assert_int_equal(IFDHCloseChannel(0), IFD_SUCCESS);
    peer_stop(&card);
}

static void test_short_commands_refused(void **state)
{
    (void)state;
    static peer card;
    peer_listen(&card, PEER_ECHO, false);
    open_lun(0, "127.0.0.1:%u,slots=1", card.port);
    assert_true(wait_presence(0, true, 3000));
    (void)peer_take_log(&card);
    uint8_t cmd[4] = {0x04}, resp[16];
    SCARD_IO_HEADER send = {.Protocol = 1}, recv = {0};
    DWORD rlen = sizeof(resp);
    /* TxLength 0 blocked the reference forever; 1 byte would be read as a
     * control byte (04 = GET ATR) and desynchronise the stream */
    assert_int_equal(IFDHTransmitToICC(0, send, cmd, 0, resp, &rlen, &recv),
                     IFD_COMMUNICATION_ERROR);
    rlen = sizeof(resp);
    assert_int_equal(IFDHTransmitToICC(0, send, cmd, 1, resp, &rlen, &recv),
                     IFD_COMMUNICATION_ERROR);
    rlen = sizeof(resp);
    assert_int_equal(IFDHTransmitToICC(0, send, NULL, 4, resp, &rlen, &recv),
                     IFD_COMMUNICATION_ERROR);
    assert_int_equal(IFDHTransmitToICC(0, send, cmd, 4, resp, NULL, &recv),
                     IFD_COMMUNICATION_ERROR);
    assert_string_equal(peer_take_log(&card), "");
    assert_echo(0, "00A40000");
    assert_int_equal(IFDHCloseChannel(0), IFD_SUCCESS);
    peer_stop(&card);
}

/* ---- normal mode: the driver listens ----------------------------------- */

static void test_listen_mode(void **state)
{
    (void)state;
    uint16_t port = free_port();
    open_lun(0x00020000, "/dev/null:%u,slots=1", port);
    assert_int_equal(IFDHICCPresence(0x00020000), IFD_ICC_NOT_PRESENT);
    static peer first, second;
    peer_connect(&first, PEER_ECHO, port);
    assert_true(wait_presence(0x00020000, true, 3000));
    assert_echo(0x00020000, "00A4000C023F00");

    /* a second card waits until the first one leaves */
    peer_connect(&second, PEER_ECHO, port);
    usleep(50000);
    assert_int_equal(peer_served(&second), 1); /* TCP connected (backlog) */
    assert_string_equal(peer_take_log(&second), "");
    peer_hang_up(&first);
    assert_true(wait_presence(0x00020000, false, 3000));
    assert_true(wait_presence(0x00020000, true, 3000));
    assert_string_equal(peer_take_log(&second), "ATR");
    assert_echo(0x00020000, "0084000008");
    assert_int_equal(IFDHCloseChannel(0x00020000), IFD_SUCCESS);
    peer_stop(&first);
    peer_stop(&second);
}

static void test_slots_use_consecutive_ports(void **state)
{
    (void)state;
    uint16_t port = free_port();
    open_lun(0x00040000, "/dev/null:%u,slots=2", port);
    open_lun(0x00040001, "/dev/null:%u,slots=2", port);
    static peer a, b;
    peer_connect(&b, PEER_ECHO, (uint16_t)(port + 1));
    assert_true(wait_presence(0x00040001, true, 3000));
    assert_int_equal(IFDHICCPresence(0x00040000), IFD_ICC_NOT_PRESENT);
    peer_connect(&a, PEER_ECHO, port);
    assert_true(wait_presence(0x00040000, true, 3000));
    assert_echo(0x00040000, "00B0000001");
    assert_echo(0x00040001, "00B0000002");
    assert_string_equal(peer_take_log(&a), "ATR B0");
    assert_string_equal(peer_take_log(&b), "ATR B0");
    assert_int_equal(IFDHCloseChannel(0x00040000), IFD_SUCCESS);
    assert_echo(0x00040001, "00B0000003"); /* slot 1 lives on */
    assert_int_equal(IFDHCloseChannel(0x00040001), IFD_SUCCESS);
    peer_stop(&a);
    peer_stop(&b);
}

/* ---- the event wait ---------------------------------------------------- */

typedef struct waiter {
    poll_fn_t fn;
    DWORD lun;
    int timeout;
    RESPONSECODE rc;
    uint64_t took_ms;
    pthread_t thread;
} waiter;

static void *waiter_main(void *arg)
{
    waiter *w = arg;
    uint64_t start = peer_now_ms();
    w->rc = w->fn(w->lun, w->timeout);
    w->took_ms = peer_now_ms() - start;
    return NULL;
}

static void waiter_start(waiter *w, DWORD lun, int timeout)
{
    w->fn = poll_fn(lun);
    w->lun = lun;
    w->timeout = timeout;
    assert_int_equal(pthread_create(&w->thread, NULL, waiter_main, w), 0);
}

static void test_event_wait(void **state)
{
    (void)state;
    const DWORD lun = 0x00050000;
    uint16_t port = free_port();
    open_lun(lun, "/dev/null:%u,slots=1", port);
    poll_fn_t wait_fn = poll_fn(lun);

    /* nothing happens: the wait lasts its timeout */
    uint64_t start = peer_now_ms();
    assert_int_equal(wait_fn(lun, 150), IFD_SUCCESS);
    assert_true(peer_now_ms() - start >= 140);
    assert_int_equal(IFDHICCPresence(lun), IFD_ICC_NOT_PRESENT);

    /* a card arrives: the wait ends at once, presence is known */
    waiter w;
    waiter_start(&w, lun, 10000);
    usleep(50000);
    static peer card;
    peer_connect(&card, PEER_ECHO, port);
    pthread_join(w.thread, NULL);
    assert_int_equal(w.rc, IFD_SUCCESS);
    assert_true(w.took_ms < 2000);
    assert_int_equal(IFDHICCPresence(lun), IFD_ICC_PRESENT);

    /* the card leaves: the wait ends at once */
    waiter_start(&w, lun, 10000);
    usleep(50000);
    peer_hang_up(&card);
    pthread_join(w.thread, NULL);
    assert_true(w.took_ms < 2000);
    assert_int_equal(IFDHICCPresence(lun), IFD_ICC_NOT_PRESENT);

    /* the stop function ends a wait in progress */
    waiter_start(&w, lun, 10000);
    usleep(50000);
    assert_int_equal(stop_fn(lun)(lun), IFD_SUCCESS);
    pthread_join(w.thread, NULL);
    assert_true(w.took_ms < 2000);
    /* ... or, called between waits, the next one (pcscd's event thread may
     * be between two calls); the one after that waits normally again:
     * pcscd stops the wait on every SCardDisconnect, so a lasting stop
     * would make its event thread spin */
    assert_int_equal(stop_fn(lun)(lun), IFD_SUCCESS);
    start = peer_now_ms();
    assert_int_equal(wait_fn(lun, 5000), IFD_SUCCESS);
    assert_true(peer_now_ms() - start < 1000);
    start = peer_now_ms();
    assert_int_equal(wait_fn(lun, 150), IFD_SUCCESS);
    assert_true(peer_now_ms() - start >= 140);
    assert_int_equal(wait_fn(0x7FFF0000, 10), IFD_COMMUNICATION_ERROR);
    assert_int_equal(IFDHCloseChannel(lun), IFD_SUCCESS);
    peer_stop(&card);
}

/* Reversed mode with pcscd's event thread: the wait does the connecting
 * (back-off included) and reports the card as soon as it listens; the card
 * leaving ends the wait too. */
static void test_reversed_events(void **state)
{
    (void)state;
    const DWORD lun = 0x000A0000;
    uint16_t port = free_port();
    open_lun(lun, "127.0.0.1:%u,slots=1", port);
    waiter w;
    waiter_start(&w, lun, 10000);
    usleep(300000); /* a few refused attempts */
    static peer card;
    peer_init(&card, PEER_ECHO);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons(port)};
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    card.listen_fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    int one = 1;
    setsockopt(card.listen_fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
    assert_int_equal(bind(card.listen_fd, (struct sockaddr *)&a, sizeof(a)),
                     0);
    assert_int_equal(listen(card.listen_fd, 4), 0);
    card.port = port;
    uint64_t listening = peer_now_ms();
    assert_int_equal(pthread_create(&card.thread, NULL, peer_main, &card), 0);
    pthread_join(w.thread, NULL);
    assert_true(peer_now_ms() - listening < 1500); /* back-off <= 1 s */
    assert_int_equal(IFDHICCPresence(lun), IFD_ICC_PRESENT);
    waiter_start(&w, lun, 10000);
    usleep(50000);
    peer_hang_up(&card);
    pthread_join(w.thread, NULL);
    assert_true(w.took_ms < 2000);
    assert_int_equal(IFDHICCPresence(lun), IFD_ICC_NOT_PRESENT);
    /* the card listens still: the next wait connects again */
    waiter_start(&w, lun, 10000);
    pthread_join(w.thread, NULL);
    assert_true(w.took_ms < 2000);
    assert_int_equal(IFDHICCPresence(lun), IFD_ICC_PRESENT);
    assert_int_equal(IFDHCloseChannel(lun), IFD_SUCCESS);
    peer_stop(&card);
}

static void test_close_ends_wait(void **state)
{
    (void)state;
    const DWORD lun = 0x00060000;
    open_lun(lun, "/dev/null:%u,slots=1", free_port());
    waiter w;
    waiter_start(&w, lun, 10000);
    usleep(50000);
    assert_int_equal(IFDHCloseChannel(lun), IFD_SUCCESS);
    pthread_join(w.thread, NULL);
    assert_true(w.took_ms < 2000);
}

/* pcscd's pattern: the event thread waits while clients transmit. */
static void test_wait_while_transmitting(void **state)
{
    (void)state;
    const DWORD lun = 0x00070000;
    static peer card;
    peer_listen(&card, PEER_ECHO, false);
    open_lun(lun, "127.0.0.1:%u,slots=1", card.port);
    assert_true(wait_presence(lun, true, 3000));
    waiter w;
    waiter_start(&w, lun, 10000);
    for (int i = 0; i < 300; i++)
        assert_echo(lun, "0084000008");
    assert_int_equal(stop_fn(lun)(lun), IFD_SUCCESS);
    pthread_join(w.thread, NULL);
    assert_int_equal(IFDHICCPresence(lun), IFD_ICC_PRESENT);
    assert_int_equal(IFDHCloseChannel(lun), IFD_SUCCESS);
    peer_stop(&card);
}

/* ---- several readers at once ------------------------------------------- */

typedef struct slow_tx {
    DWORD lun;
    RESPONSECODE rc;
    pthread_t thread;
} slow_tx;

static void *slow_tx_main(void *arg)
{
    slow_tx *t = arg; /* no tu_hex here: its buffers are not thread-safe */
    uint8_t cmd[] = {0x00, 0xA4, 0x00, 0x0C, 0x02, 0x3F, 0x00}, resp[16];
    DWORD rlen = sizeof(resp);
    SCARD_IO_HEADER send = {.Protocol = 1}, recv = {0};
    t->rc = IFDHTransmitToICC(t->lun, send, cmd, sizeof(cmd), resp, &rlen,
                              &recv);
    return NULL;
}

static void test_readers_independent(void **state)
{
    (void)state;
    const DWORD mute_lun = 0x00000000, fast_lun = 0x00010000;
    static peer mute, fast;
    peer_listen(&mute, PEER_MUTE, false);
    peer_listen(&fast, PEER_ECHO, false);
    open_lun(mute_lun, "127.0.0.1:%u,slots=1,timeout=800", mute.port);
    open_lun(fast_lun, "127.0.0.1:%u,slots=1", fast.port);
    assert_true(wait_presence(mute_lun, true, 3000));
    assert_true(wait_presence(fast_lun, true, 3000));

    slow_tx t = {.lun = mute_lun};
    assert_int_equal(pthread_create(&t.thread, NULL, slow_tx_main, &t), 0);
    usleep(50000);
    uint64_t start = peer_now_ms();
    for (int i = 0; i < 20; i++)
        assert_echo(fast_lun, "00B0000004");
    assert_int_equal(IFDHICCPresence(fast_lun), IFD_ICC_PRESENT);
    assert_true(peer_now_ms() - start < 500); /* not behind the mute card */
    pthread_join(t.thread, NULL);
    assert_int_equal(t.rc, IFD_RESPONSE_TIMEOUT);
    assert_int_equal(IFDHICCPresence(mute_lun), IFD_ICC_NOT_PRESENT);

    assert_int_equal(IFDHCloseChannel(mute_lun), IFD_SUCCESS);
    assert_echo(fast_lun, "00B0000005");
    assert_int_equal(IFDHCloseChannel(fast_lun), IFD_SUCCESS);
    peer_stop(&mute);
    peer_stop(&fast);
}

static void test_ipv6(void **state)
{
    (void)state;
    int probe = socket(AF_INET6, SOCK_STREAM, 0);
    if (probe < 0) {
        print_message("no IPv6 here; skipped\n");
        skip();
    }
    close(probe);
    static peer card;
    peer_listen(&card, PEER_ECHO, true);
    open_lun(0x00080000, "\"[::1]:%u,slots=1\"", card.port);
    assert_true(wait_presence(0x00080000, true, 3000));
    assert_echo(0x00080000, "00A4000C023F00");
    assert_int_equal(IFDHCloseChannel(0x00080000), IFD_SUCCESS);
    peer_stop(&card);
}

static void test_no_card(void **state)
{
    (void)state;
    /* reversed mode towards a port nobody listens on */
    uint16_t port = free_port();
    open_lun(0x00090000, "127.0.0.1:%u,slots=1", port);
    assert_int_equal(IFDHICCPresence(0x00090000), IFD_ICC_NOT_PRESENT);
    UCHAR atr[40];
    DWORD len = sizeof(atr);
    assert_int_equal(IFDHPowerICC(0x00090000, IFD_POWER_UP, atr, &len),
                     IFD_ERROR_POWER_ACTION);
    assert_int_equal(len, 0);
    assert_int_equal(IFDHPowerICC(0x00090000, IFD_POWER_DOWN, atr, &len),
                     IFD_SUCCESS);
    uint8_t resp[8];
    DWORD rlen = sizeof(resp);
    assert_int_equal(transmit_hex(0x00090000, "00A40000", resp, &rlen),
                     IFD_ICC_NOT_PRESENT);
    /* the card starts listening later: the driver finds it */
    static peer card;
    peer_init(&card, PEER_ECHO);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons(port)};
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    card.listen_fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    int one = 1;
    setsockopt(card.listen_fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
    assert_int_equal(bind(card.listen_fd, (struct sockaddr *)&a, sizeof(a)),
                     0);
    assert_int_equal(listen(card.listen_fd, 4), 0);
    card.port = port;
    assert_int_equal(pthread_create(&card.thread, NULL, peer_main, &card), 0);
    assert_true(wait_presence(0x00090000, true, 3000));
    assert_echo(0x00090000, "00A4000C023F00");
    assert_int_equal(IFDHCloseChannel(0x00090000), IFD_SUCCESS);
    peer_stop(&card);
}

/* After a failed assertion a test leaves its Luns open: close them all. */
static int close_all(void **state)
{
    static const DWORD luns[] = {0x00000000, 0x00010000, 0x00020000,
                                 0x00040000, 0x00040001, 0x00050000,
                                 0x00060000, 0x00070000, 0x00080000,
                                 0x00090000, 0x000A0000};
    (void)state;
    for (size_t i = 0; i < sizeof(luns) / sizeof(luns[0]); i++)
        (void)IFDHCloseChannel(luns[i]);
    return 0;
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_teardown(test_reversed_card, close_all),
        cmocka_unit_test_teardown(test_power_up_buffer, close_all),
        cmocka_unit_test_teardown(test_protocol_reported, close_all),
        cmocka_unit_test_teardown(test_largest_frame, close_all),
        cmocka_unit_test_teardown(test_short_commands_refused, close_all),
        cmocka_unit_test_teardown(test_listen_mode, close_all),
        cmocka_unit_test_teardown(test_slots_use_consecutive_ports, close_all),
        cmocka_unit_test_teardown(test_event_wait, close_all),
        cmocka_unit_test_teardown(test_reversed_events, close_all),
        cmocka_unit_test_teardown(test_close_ends_wait, close_all),
        cmocka_unit_test_teardown(test_wait_while_transmitting, close_all),
        cmocka_unit_test_teardown(test_readers_independent, close_all),
        cmocka_unit_test_teardown(test_ipv6, close_all),
        cmocka_unit_test_teardown(test_no_card, close_all),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
