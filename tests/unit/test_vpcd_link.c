/* SPDX-License-Identifier: LGPL-2.1-or-later */
/**
 * @file test_vpcd_link.c
 * @brief Unit tests of the vpcd link (lib/vpcd/link.c, link_io.c) over real
 *        loopback TCP with ephemeral ports.
 *
 * The test plays vpcd: in reversed mode it connects to the listening link,
 * in normal mode it listens and the link connects. Everything runs in one
 * thread: after writing to its socket the test steps the link until the
 * reply arrives (or a quiet period shows that none comes). The card is an
 * echo card recording power events; a fake clock drives reconnect back-off
 * without sleeping.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "core/log.h"
#include "testutil.h"
#include "vpcd/frame.h"
#include "vpcd/link.h"

/* ---- echo card ------------------------------------------------------ */

typedef struct echo_card {
    uint8_t atr[SFC_ATR_MAX];
    size_t atr_len;
    int power[64];
    size_t n_power;
    size_t n_transmit;
    uint8_t resp[VPCD_MAX_PAYLOAD];
} echo_card;

static size_t echo_atr(void *c, uint8_t *atr, size_t cap)
{
    echo_card *card = c;
    size_t n = card->atr_len < cap ? card->atr_len : cap;
    memcpy(atr, card->atr, n);
    return n;
}

static void echo_power(void *c, int ctrl)
{
    echo_card *card = c;
    if (card->n_power < 64)
        card->power[card->n_power++] = ctrl;
}

/* Answers APDU || 9000 (cut to fit); FFEE.. = removed, FFEF.. = empty,
 * FFEA P1 P2 = 65533 bytes starting with P1 P2, then 9000 (a GET CHALLENGE
 * of the largest extended length: a short command, a frame-sized answer). */
static sfc_err echo_transmit(void *c, const uint8_t *capdu, size_t len,
                            const uint8_t **rapdu, size_t *rlen)
{
    echo_card *card = c;
    size_t n = len > VPCD_MAX_PAYLOAD - 2 ? VPCD_MAX_PAYLOAD - 2 : len;

    card->n_transmit++;
    if (len >= 2 && capdu[0] == 0xFF && capdu[1] == 0xEE)
        return SFC_E_REMOVED;
    *rapdu = card->resp;
    if (len >= 2 && capdu[0] == 0xFF && capdu[1] == 0xEF) {
        *rlen = 0;
        return SFC_OK;
    }
    if (len >= 4 && capdu[0] == 0xFF && capdu[1] == 0xEA) {
        n = VPCD_MAX_PAYLOAD - 2;
        memset(card->resp, 0xA5, n);
        memcpy(card->resp, capdu + 2, 2);
    } else
        memcpy(card->resp, capdu, n);
    card->resp[n] = 0x90;
    card->resp[n + 1] = 0x00;
    *rlen = n + 2;
    return SFC_OK;
}

static const vpcd_card_ops echo_ops = {echo_atr, echo_power, echo_transmit};

static void echo_init(echo_card *card)
{
    memset(card, 0, sizeof(*card));
    card->atr_len = tu_hex("3B 95 13 81 01 80 73 FF 01 00 0B", card->atr,
                           sizeof(card->atr));
}

/* ---- fake clock and captured log ------------------------------------- */

static uint64_t fake_now = 1000;
static uint64_t fake_clock_now(void *ctx)
{
    (void)ctx;
    return fake_now;
}
static const sfc_clock fake_clock = {fake_clock_now, NULL};

typedef struct log_line {
    sfc_log_level level;
    char text[400];
} log_line;

static log_line logged[64];
static size_t n_logged;

static void capture_log(void *user, sfc_log_level level, const char *msg)
{
    (void)user;
    if (n_logged < 64) {
        logged[n_logged].level = level;
        snprintf(logged[n_logged].text, sizeof(logged[0].text), "%s", msg);
        n_logged++;
    }
}

static int setup(void **state)
{
    (void)state;
    n_logged = 0;
    fake_now = 1000;
    sfc_log_set(capture_log, NULL, SFC_LOG_DEBUG);
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    sfc_log_set(NULL, NULL, SFC_LOG_ERROR);
    return 0;
}

/* ---- sockets ---------------------------------------------------------- */

/* A listening socket on 127.0.0.1 (or ::1) port 0; -1 if impossible. */
static int tcp_listen(int family, uint16_t *port)
{
    struct sockaddr_storage ss = {0};
    socklen_t len;
    int fd = socket(family, SOCK_STREAM, 0);

    if (fd < 0)
        return -1;
    if (family == AF_INET6) {
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
    if (bind(fd, (struct sockaddr *)&ss, len) < 0 || listen(fd, 4) < 0) {
        close(fd);
        return -1;
    }
    getsockname(fd, (struct sockaddr *)&ss, &len);
    *port = family == AF_INET6
                ? ntohs(((struct sockaddr_in6 *)&ss)->sin6_port)
                : ntohs(((struct sockaddr_in *)&ss)->sin_port);
    return fd;
}

/* A port on 127.0.0.1 where connections are refused (bound, not
 * listening; keep the returned socket open while using the port). */
static int refusing_port(uint16_t *port)
{
    struct sockaddr_in a = {.sin_family = AF_INET};
    socklen_t len = sizeof(a);
    int fd = socket(AF_INET, SOCK_STREAM, 0);

    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    assert_true(fd >= 0);
    assert_int_equal(bind(fd, (struct sockaddr *)&a, sizeof(a)), 0);
    getsockname(fd, (struct sockaddr *)&a, &len);
    *port = ntohs(a.sin_port);
    return fd;
}

static int tcp_connect(const char *host, uint16_t port)
{
    struct sockaddr_storage ss = {0};
    socklen_t len;
    int family = strchr(host, ':') ? AF_INET6 : AF_INET;
    int fd = socket(family, SOCK_STREAM, 0);

    if (family == AF_INET6) {
        struct sockaddr_in6 *a = (struct sockaddr_in6 *)&ss;
        a->sin6_family = AF_INET6;
        a->sin6_port = htons(port);
        inet_pton(AF_INET6, host, &a->sin6_addr);
        len = sizeof(*a);
    } else {
        struct sockaddr_in *a = (struct sockaddr_in *)&ss;
        a->sin_family = AF_INET;
        a->sin_port = htons(port);
        inet_pton(AF_INET, host, &a->sin_addr);
        len = sizeof(*a);
    }
    assert_true(fd >= 0);
    if (connect(fd, (struct sockaddr *)&ss, len) < 0) {
        close(fd);
        return -1;
    }
    return fd;
}

static void send_hex(int fd, const char *hex)
{
    uint8_t buf[256];
    size_t len = tu_hex(hex, buf, sizeof(buf));
    assert_int_equal(send(fd, buf, len, MSG_NOSIGNAL), (ssize_t)len);
}

static bool readable(int fd, int timeout_ms)
{
    struct pollfd p = {.fd = fd, .events = POLLIN};
    return poll(&p, 1, timeout_ms) == 1;
}

/* Step the link until `fd` is readable; false after ~3 s. */
static bool pump_until_readable(vpcd_link *link, int fd)
{
    for (int i = 0; i < 300; i++) {
        if (readable(fd, 0))
            return true;
        assert_int_equal(vpcd_link_step(link, 10), SFC_OK);
    }
    return readable(fd, 0);
}

/* Step the link for a while; nothing may arrive on `fd`. */
static void pump_quietly(vpcd_link *link, int fd)
{
    for (int i = 0; i < 10; i++)
        assert_int_equal(vpcd_link_step(link, 5), SFC_OK);
    assert_false(readable(fd, 20));
}

static void pump_until_state(vpcd_link *link, vpcd_link_state want)
{
    for (int i = 0; i < 300 && vpcd_link_get_state(link) != want; i++)
        vpcd_link_step(link, 10);
    assert_string_equal(vpcd_link_state_name(vpcd_link_get_state(link)),
                        vpcd_link_state_name(want));
}

/* Read one whole frame (stepping the link meanwhile); returns its length. */
static size_t read_frame(vpcd_link *link, int fd, uint8_t *out, size_t cap)
{
    uint8_t hdr[2];
    size_t got = 0, need = 2;
    uint8_t *dst = hdr;

    for (int rounds = 0; got < need; rounds++) {
        assert_true(rounds < 2000);
        if (!readable(fd, 0)) {
            assert_int_equal(vpcd_link_step(link, 5), SFC_OK);
            continue;
        }
        ssize_t n = recv(fd, dst + got, need - got, MSG_DONTWAIT);
        assert_true(n > 0);
        got += (size_t)n;
        if (dst == hdr && got == 2) {
            need = ((size_t)hdr[0] << 8) | hdr[1];
            assert_true(need <= cap);
            dst = out;
            got = 0;
        }
    }
    return need;
}

static void expect_reply(vpcd_link *link, int fd, const char *hex)
{
    uint8_t buf[VPCD_MAX_PAYLOAD];
    size_t len = read_frame(link, fd, buf, sizeof(buf));
    tu_assert_hex(buf, len, hex);
}

/* EOF on `fd` (stepping the link meanwhile). */
static void expect_closed(vpcd_link *link, int fd)
{
    uint8_t b;
    assert_true(pump_until_readable(link, fd));
    assert_int_equal(recv(fd, &b, 1, MSG_DONTWAIT), 0);
}

static vpcd_link *new_link(vpcd_link_mode mode, const char *host,
                           uint16_t port, bool reconnect, echo_card *card)
{
    vpcd_link_config cfg = {.mode = mode, .host = host, .port = port,
                            .reconnect = reconnect, .clock = &fake_clock,
                            .name = "card 0"};
    vpcd_link *link = NULL;
    assert_int_equal(vpcd_link_new(&cfg, &echo_ops, card, &link), SFC_OK);
    return link;
}

/* A reversed link on 127.0.0.1:0 with the test connected as vpcd. */
static vpcd_link *reversed_pair(echo_card *card, int *fd)
{
    vpcd_link *link = new_link(VPCD_LINK_REVERSED, NULL, 0, true, card);
    assert_int_equal(vpcd_link_insert(link), SFC_OK);
    assert_int_equal(vpcd_link_get_state(link), VPCD_LINK_LISTENING);
    assert_string_equal(vpcd_link_bound_host(link), "127.0.0.1");
    assert_true(vpcd_link_port(link) != 0);
    *fd = tcp_connect("127.0.0.1", vpcd_link_port(link));
    assert_true(*fd >= 0);
    pump_until_state(link, VPCD_LINK_CONNECTED);
    return link;
}

static bool has_log(sfc_log_level level, const char *needle)
{
    for (size_t i = 0; i < n_logged; i++)
        if (logged[i].level == level && strstr(logged[i].text, needle))
            return true;
    return false;
}

/* ---- protocol --------------------------------------------------------- */

static void test_get_atr(void **state)
{
    (void)state;
    echo_card card;
    int fd;
    echo_init(&card);
    vpcd_link *link = reversed_pair(&card, &fd);

    send_hex(fd, "0001 04");
    expect_reply(link, fd, "3B 95 13 81 01 80 73 FF 01 00 0B");
    send_hex(fd, "0001 04");
    expect_reply(link, fd, "3B 95 13 81 01 80 73 FF 01 00 0B");
    close(fd);
    vpcd_link_free(link);
}

static void test_power_events_get_no_reply(void **state)
{
    (void)state;
    echo_card card;
    int fd;
    echo_init(&card);
    vpcd_link *link = reversed_pair(&card, &fd);

    send_hex(fd, "0001 01");
    pump_quietly(link, fd);
    send_hex(fd, "0001 02");
    pump_quietly(link, fd);
    send_hex(fd, "0001 00");
    pump_quietly(link, fd);
    assert_int_equal(card.n_power, 3);
    assert_int_equal(card.power[0], VPCD_CTRL_ON);
    assert_int_equal(card.power[1], VPCD_CTRL_RESET);
    assert_int_equal(card.power[2], VPCD_CTRL_OFF);
    send_hex(fd, "0001 04"); /* the stream is still in step */
    expect_reply(link, fd, "3B 95 13 81 01 80 73 FF 01 00 0B");
    close(fd);
    vpcd_link_free(link);
}

static void test_apdu_round_trip(void **state)
{
    (void)state;
    echo_card card;
    int fd;
    echo_init(&card);
    vpcd_link *link = reversed_pair(&card, &fd);

    send_hex(fd, "0007 00A4000C023F00");
    expect_reply(link, fd, "00A4000C023F00 9000");
    send_hex(fd, "0002 0084");
    expect_reply(link, fd, "0084 9000");
    assert_int_equal(card.n_transmit, 2);
    close(fd);
    vpcd_link_free(link);
}

static void test_coalesced_controls_in_one_write(void **state)
{
    (void)state;
    echo_card card;
    int fd;
    echo_init(&card);
    vpcd_link *link = reversed_pair(&card, &fd);

    send_hex(fd, "0001 02 0001 04");
    expect_reply(link, fd, "3B 95 13 81 01 80 73 FF 01 00 0B");
    pump_quietly(link, fd); /* exactly one reply */
    assert_int_equal(card.n_power, 1);
    assert_int_equal(card.power[0], VPCD_CTRL_RESET);
    send_hex(fd, "0001 01 0001 04 0005 00B0000000 0001 00");
    expect_reply(link, fd, "3B 95 13 81 01 80 73 FF 01 00 0B");
    expect_reply(link, fd, "00B0000000 9000");
    pump_quietly(link, fd);
    assert_int_equal(card.n_power, 3);
    close(fd);
    vpcd_link_free(link);
}

static void test_split_frame_with_delay(void **state)
{
    (void)state;
    echo_card card;
    int fd;
    echo_init(&card);
    vpcd_link *link = reversed_pair(&card, &fd);

    /* a frame in two pieces, which the reference emulator cut short
     * (docs/decisions.md, "Frames are acted on only when complete") */
    send_hex(fd, "0007 00A4");
    pump_quietly(link, fd);
    assert_int_equal(card.n_transmit, 0);
    send_hex(fd, "000C023F00");
    expect_reply(link, fd, "00A4000C023F00 9000");
    send_hex(fd, "00");
    pump_quietly(link, fd);
    send_hex(fd, "01 04");
    expect_reply(link, fd, "3B 95 13 81 01 80 73 FF 01 00 0B");
    close(fd);
    vpcd_link_free(link);
}

static void test_zero_length_and_unknown_ignored(void **state)
{
    (void)state;
    echo_card card;
    int fd;
    echo_init(&card);
    vpcd_link *link = reversed_pair(&card, &fd);

    send_hex(fd, "0000");
    pump_quietly(link, fd);
    send_hex(fd, "0001 03 0000 0001 04");
    expect_reply(link, fd, "3B 95 13 81 01 80 73 FF 01 00 0B");
    pump_quietly(link, fd);
    assert_int_equal(card.n_power, 0);
    assert_int_equal(card.n_transmit, 0);
    assert_true(has_log(SFC_LOG_WARN, "zero-length frame"));
    /* the second protocol error of the connection: debug level */
    assert_true(has_log(SFC_LOG_DEBUG, "unknown control byte 03"));
    assert_int_equal(vpcd_link_get_state(link), VPCD_LINK_CONNECTED);
    close(fd);
    vpcd_link_free(link);
}

static void test_max_frame_round_trip(void **state)
{
    (void)state;
    echo_card card;
    int fd;
    uint8_t *big = malloc(VPCD_MAX_PAYLOAD + 2);
    uint8_t *reply = malloc(VPCD_MAX_PAYLOAD);
    echo_init(&card);
    vpcd_link *link = reversed_pair(&card, &fd);

    big[0] = 0xFF;
    big[1] = 0xFF;
    for (size_t i = 2; i < VPCD_MAX_PAYLOAD + 2; i++)
        big[i] = (uint8_t)i;
    big[2] = 0x00; /* CLA 00: not a special APDU of the echo card */
    size_t off = 0;
    while (off < VPCD_MAX_PAYLOAD + 2) { /* the test's socket may block */
        ssize_t n = send(fd, big + off, VPCD_MAX_PAYLOAD + 2 - off,
                         MSG_DONTWAIT | MSG_NOSIGNAL);
        if (n > 0)
            off += (size_t)n;
        else
            assert_int_equal(vpcd_link_step(link, 5), SFC_OK);
    }
    size_t len = read_frame(link, fd, reply, VPCD_MAX_PAYLOAD);
    assert_int_equal(len, VPCD_MAX_PAYLOAD);
    assert_memory_equal(reply, big + 2, VPCD_MAX_PAYLOAD - 2);
    tu_assert_hex(reply + VPCD_MAX_PAYLOAD - 2, 2, "9000");
    free(big);
    free(reply);
    close(fd);
    vpcd_link_free(link);
}

static void test_empty_answers_become_6f00(void **state)
{
    (void)state;
    echo_card card;
    int fd;
    echo_init(&card);
    vpcd_link *link = reversed_pair(&card, &fd);

    send_hex(fd, "0004 FFEF0000");
    expect_reply(link, fd, "6F00");
    card.atr_len = 0;
    send_hex(fd, "0001 04");
    expect_reply(link, fd, "6F00");
    close(fd);
    vpcd_link_free(link);
}

static void test_card_removed_drops_connection(void **state)
{
    (void)state;
    echo_card card;
    int fd;
    echo_init(&card);
    vpcd_link *link = reversed_pair(&card, &fd);

    send_hex(fd, "0001 01");
    send_hex(fd, "0004 FFEE0000");
    expect_closed(link, fd);
    assert_int_equal(vpcd_link_get_state(link), VPCD_LINK_REMOVED);
    assert_int_equal(card.power[card.n_power - 1], VPCD_CTRL_OFF);
    close(fd);
    vpcd_link_free(link);
}

/* ---- socket options --------------------------------------------------- */

static int get_int_opt(int fd, int level, int name)
{
    int v = -1;
    socklen_t len = sizeof(v);
    assert_int_equal(getsockopt(fd, level, name, &v, &len), 0);
    return v;
}

static void test_nodelay_and_one_write(void **state)
{
    (void)state;
    echo_card card;
    int fd;
    uint8_t peek[512];
    echo_init(&card);
    vpcd_link *link = reversed_pair(&card, &fd);

    assert_int_not_equal(
        get_int_opt(vpcd_link_conn_fd(link), IPPROTO_TCP, TCP_NODELAY), 0);
    /* A reply written with one send() is queued whole at the receiver:
     * the first peek after it becomes readable sees the entire frame. */
    for (int i = 0; i < 20; i++) {
        send_hex(fd, "0014 00D600000F 00112233445566778899AABBCCDDEE");
        assert_true(pump_until_readable(link, fd));
        ssize_t n = recv(fd, peek, sizeof(peek), MSG_PEEK | MSG_DONTWAIT);
        assert_int_equal(n, 2 + 20 + 2);
        assert_int_equal(recv(fd, peek, sizeof(peek), 0), n);
    }
    close(fd);
    vpcd_link_free(link);
}

/* ---- reversed mode: connections -------------------------------------- */

static void test_reversed_second_connection_refused(void **state)
{
    (void)state;
    echo_card card;
    int fd;
    echo_init(&card);
    vpcd_link *link = reversed_pair(&card, &fd);

    int extra = tcp_connect("127.0.0.1", vpcd_link_port(link));
    assert_true(extra >= 0);
    expect_closed(link, extra);
    close(extra);
    assert_true(has_log(SFC_LOG_WARN, "second vpcd connection"));
    send_hex(fd, "0001 04"); /* the first one still works */
    expect_reply(link, fd, "3B 95 13 81 01 80 73 FF 01 00 0B");
    close(fd);
    vpcd_link_free(link);
}

static void test_reversed_reaccept(void **state)
{
    (void)state;
    echo_card card;
    int fd;
    echo_init(&card);
    vpcd_link *link = reversed_pair(&card, &fd);

    send_hex(fd, "0001 01");
    pump_quietly(link, fd);
    close(fd);
    pump_until_state(link, VPCD_LINK_LISTENING);
    assert_int_equal(card.power[card.n_power - 1], VPCD_CTRL_OFF);
    fd = tcp_connect("127.0.0.1", vpcd_link_port(link));
    assert_true(fd >= 0);
    pump_until_state(link, VPCD_LINK_CONNECTED);
    send_hex(fd, "0002 0084");
    expect_reply(link, fd, "0084 9000");
    close(fd);
    vpcd_link_free(link);
}

static void test_reversed_remove_insert(void **state)
{
    (void)state;
    echo_card card;
    int fd;
    echo_init(&card);
    vpcd_link *link = reversed_pair(&card, &fd);
    uint16_t port = vpcd_link_port(link);

    vpcd_link_remove(link);
    assert_int_equal(vpcd_link_get_state(link), VPCD_LINK_REMOVED);
    expect_closed(link, fd);
    close(fd);
    assert_int_equal(tcp_connect("127.0.0.1", port), -1); /* not listening */
    assert_int_equal(vpcd_link_insert(link), SFC_OK);
    assert_int_equal(vpcd_link_port(link), port); /* same port again */
    fd = tcp_connect("127.0.0.1", port);
    assert_true(fd >= 0);
    pump_until_state(link, VPCD_LINK_CONNECTED);
    send_hex(fd, "0001 04");
    expect_reply(link, fd, "3B 95 13 81 01 80 73 FF 01 00 0B");
    close(fd);
    vpcd_link_free(link);
}

static void test_reversed_ipv6(void **state)
{
    (void)state;
    echo_card card;
    uint16_t port;
    int probe = tcp_listen(AF_INET6, &port);
    if (probe < 0)
        skip();
    close(probe);
    echo_init(&card);
    vpcd_link *link = new_link(VPCD_LINK_REVERSED, "::1", 0, true, &card);
    assert_int_equal(vpcd_link_insert(link), SFC_OK);
    assert_string_equal(vpcd_link_bound_host(link), "::1");
    int fd = tcp_connect("::1", vpcd_link_port(link));
    assert_true(fd >= 0);
    pump_until_state(link, VPCD_LINK_CONNECTED);
    send_hex(fd, "0001 04");
    expect_reply(link, fd, "3B 95 13 81 01 80 73 FF 01 00 0B");
    close(fd);
    vpcd_link_free(link);
}

static void test_reversed_port_in_use(void **state)
{
    (void)state;
    echo_card card;
    uint16_t port;
    int busy = tcp_listen(AF_INET, &port);
    echo_init(&card);
    vpcd_link *link = new_link(VPCD_LINK_REVERSED, NULL, port, true, &card);

    assert_int_equal(vpcd_link_insert(link), SFC_E_IO);
    assert_int_equal(vpcd_link_get_state(link), VPCD_LINK_REMOVED);
    assert_non_null(strstr(vpcd_link_error(link), "address already in use"));
    assert_non_null(strstr(vpcd_link_error(link), "cannot listen on"));
    close(busy);
    vpcd_link_free(link);
}

/* ---- normal mode ------------------------------------------------------ */

static int accept_link(vpcd_link *link, int lfd)
{
    pump_until_state(link, VPCD_LINK_CONNECTED);
    int fd = accept(lfd, NULL, NULL);
    assert_true(fd >= 0);
    return fd;
}

static void test_normal_round_trip_and_reconnect(void **state)
{
    (void)state;
    echo_card card;
    uint16_t port;
    int lfd = tcp_listen(AF_INET, &port);
    echo_init(&card);
    vpcd_link *link = new_link(VPCD_LINK_NORMAL, "127.0.0.1", port, true,
                               &card);

    assert_int_equal(vpcd_link_insert(link), SFC_OK);
    int fd = accept_link(link, lfd);
    assert_true(has_log(SFC_LOG_INFO, "connected to vpcd at 127.0.0.1:"));
    assert_int_not_equal(
        get_int_opt(vpcd_link_conn_fd(link), IPPROTO_TCP, TCP_NODELAY), 0);
    send_hex(fd, "0001 01 0001 04");
    expect_reply(link, fd, "3B 95 13 81 01 80 73 FF 01 00 0B");
    send_hex(fd, "0007 00A4000C023F00");
    expect_reply(link, fd, "00A4000C023F00 9000");

    close(fd); /* vpcd goes away (pcscd restart) */
    pump_until_state(link, VPCD_LINK_WAITING);
    assert_int_equal(card.power[card.n_power - 1], VPCD_CTRL_OFF);
    assert_int_equal(vpcd_link_deadline(link), fake_now + 50);
    fake_now += 50;
    fd = accept_link(link, lfd);
    send_hex(fd, "0001 04");
    expect_reply(link, fd, "3B 95 13 81 01 80 73 FF 01 00 0B");
    close(fd);
    close(lfd);
    vpcd_link_free(link);
}

static void test_normal_backoff(void **state)
{
    (void)state;
    static const unsigned delays[] = {50, 100, 200, 400, 800, 1000, 1000};
    echo_card card;
    uint16_t port;
    int rfd = refusing_port(&port);
    echo_init(&card);
    vpcd_link *link = new_link(VPCD_LINK_NORMAL, "127.0.0.1", port, true,
                               &card);
    char expect[200];

    assert_int_equal(vpcd_link_insert(link), SFC_OK);
    for (size_t i = 0; i < sizeof(delays) / sizeof(delays[0]); i++) {
        pump_until_state(link, VPCD_LINK_WAITING);
        assert_int_equal(vpcd_link_deadline(link), fake_now + delays[i]);
        fake_now += delays[i];
        assert_int_equal(vpcd_link_step(link, 0), SFC_OK);
    }
    snprintf(expect, sizeof(expect), "card 0: cannot connect to vpcd at "
             "127.0.0.1:%u: connection refused (is pcscd running with a "
             "vpcd driver?)", (unsigned)port);
    assert_int_equal(logged[0].level, SFC_LOG_ERROR); /* once, loudly */
    assert_string_equal(logged[0].text, expect);
    for (size_t i = 1; i < n_logged; i++)
        assert_true(logged[i].level >= SFC_LOG_INFO);
    assert_true(has_log(SFC_LOG_INFO, "retrying in 100 ms"));

    /* vpcd appears: the next retry connects and the back-off resets */
    close(rfd);
    int lfd = tcp_listen(AF_INET, &port);
    vpcd_link_free(link);
    link = new_link(VPCD_LINK_NORMAL, "127.0.0.1", port, true, &card);
    assert_int_equal(vpcd_link_insert(link), SFC_OK);
    int fd = accept_link(link, lfd);
    close(fd);
    close(lfd);
    vpcd_link_free(link);
}

static void test_normal_no_reconnect(void **state)
{
    (void)state;
    echo_card card;
    uint16_t port;
    int rfd = refusing_port(&port);
    echo_init(&card);
    vpcd_link *link = new_link(VPCD_LINK_NORMAL, "127.0.0.1", port, false,
                               &card);
    sfc_err err = vpcd_link_insert(link);

    for (int i = 0; i < 100 && err == SFC_OK; i++)
        err = vpcd_link_step(link, 10);
    assert_int_not_equal(err, SFC_OK);
    assert_int_equal(vpcd_link_get_state(link), VPCD_LINK_FAILED);
    assert_non_null(strstr(vpcd_link_error(link), "connection refused"));
    close(rfd);
    vpcd_link_free(link);
}

static void test_normal_no_reconnect_after_disconnect(void **state)
{
    (void)state;
    echo_card card;
    uint16_t port;
    int lfd = tcp_listen(AF_INET, &port);
    echo_init(&card);
    vpcd_link *link = new_link(VPCD_LINK_NORMAL, "127.0.0.1", port, false,
                               &card);
    sfc_err err = SFC_OK;

    assert_int_equal(vpcd_link_insert(link), SFC_OK);
    close(accept_link(link, lfd));
    for (int i = 0; i < 100 && err == SFC_OK; i++)
        err = vpcd_link_step(link, 10);
    assert_int_equal(err, SFC_E_CLOSED);
    assert_int_equal(vpcd_link_get_state(link), VPCD_LINK_FAILED);
    assert_non_null(strstr(vpcd_link_error(link), "lost"));
    close(lfd);
    vpcd_link_free(link);
}

static void test_normal_remove_insert(void **state)
{
    (void)state;
    echo_card card;
    uint16_t port;
    int lfd = tcp_listen(AF_INET, &port);
    echo_init(&card);
    vpcd_link *link = new_link(VPCD_LINK_NORMAL, "127.0.0.1", port, true,
                               &card);

    assert_int_equal(vpcd_link_insert(link), SFC_OK);
    int fd = accept_link(link, lfd);
    vpcd_link_remove(link);
    expect_closed(link, fd); /* vpcd sees the card go */
    close(fd);
    fake_now += 5000; /* and it does not come back by itself */
    for (int i = 0; i < 5; i++)
        assert_int_equal(vpcd_link_step(link, 5), SFC_OK);
    assert_int_equal(vpcd_link_get_state(link), VPCD_LINK_REMOVED);
    assert_false(readable(lfd, 0));
    assert_int_equal(vpcd_link_insert(link), SFC_OK);
    fd = accept_link(link, lfd);
    close(fd);
    close(lfd);
    vpcd_link_free(link);
}

/* True if "localhost" resolves to an address of `family` (/etc/hosts). */
static bool localhost_has(int family)
{
    struct addrinfo hints = {.ai_family = family, .ai_socktype = SOCK_STREAM};
    struct addrinfo *list = NULL;
    bool ok = getaddrinfo("localhost", "1", &hints, &list) == 0;
    if (list)
        freeaddrinfo(list);
    return ok;
}

/* "localhost" reaches a vpcd listening on ::1 only, and on 127.0.0.1 only
 * (each where the host's resolver maps localhost to that family). */
static void test_normal_localhost_any_family(void **state)
{
    (void)state;
    static const int families[] = {AF_INET6, AF_INET};
    echo_card card;
    echo_init(&card);

    for (size_t i = 0; i < 2; i++) {
        uint16_t port;
        if (!localhost_has(families[i]))
            continue;
        int lfd = tcp_listen(families[i], &port);
        if (lfd < 0)
            continue; /* no IPv6 here */
        vpcd_link *link = new_link(VPCD_LINK_NORMAL, "localhost", port, true,
                                   &card);
        assert_int_equal(vpcd_link_insert(link), SFC_OK);
        for (int k = 0; k < 20 && vpcd_link_get_state(link) !=
                                      VPCD_LINK_CONNECTED; k++) {
            vpcd_link_step(link, 10);
            fake_now += 1000; /* skip back-off if one family refused */
        }
        int fd = accept_link(link, lfd);
        send_hex(fd, "0001 04");
        expect_reply(link, fd, "3B 95 13 81 01 80 73 FF 01 00 0B");
        close(fd);
        close(lfd);
        vpcd_link_free(link);
    }
}

/* A connect that never completes times out (fake clock) and is retried. */
static void test_normal_connect_timeout(void **state)
{
    (void)state;
    echo_card card;
    echo_init(&card);
    /* TEST-NET-2: routed nowhere; SYNs vanish where a default route exists */
    vpcd_link *link = new_link(VPCD_LINK_NORMAL, "198.51.100.1", 35963, true,
                               &card);

    assert_int_equal(vpcd_link_insert(link), SFC_OK);
    if (vpcd_link_get_state(link) != VPCD_LINK_CONNECTING) {
        vpcd_link_free(link); /* no route here: failed at once */
        skip();
    }
    assert_int_equal(vpcd_link_deadline(link), fake_now + 5000);
    assert_int_equal(vpcd_link_step(link, 0), SFC_OK);
    if (vpcd_link_get_state(link) != VPCD_LINK_CONNECTING) {
        vpcd_link_free(link); /* refused or unreachable quickly */
        skip();
    }
    fake_now += 5000;
    assert_int_equal(vpcd_link_step(link, 0), SFC_OK);
    assert_int_equal(vpcd_link_get_state(link), VPCD_LINK_WAITING);
    assert_non_null(strstr(vpcd_link_error(link), "198.51.100.1:35963: "
                                                  "connection timed out"));
    assert_true(has_log(SFC_LOG_ERROR, "connection timed out"));
    vpcd_link_free(link);
}

static void test_normal_unknown_host(void **state)
{
    (void)state;
    echo_card card;
    echo_init(&card);
    vpcd_link *link = new_link(VPCD_LINK_NORMAL, "no-such-host.invalid",
                               35963, false, &card);

    assert_int_not_equal(vpcd_link_insert(link), SFC_OK);
    assert_int_equal(vpcd_link_get_state(link), VPCD_LINK_FAILED);
    assert_non_null(strstr(vpcd_link_error(link),
                           "cannot resolve vpcd host 'no-such-host.invalid'"));
    vpcd_link_free(link);
}

static void test_config_errors(void **state)
{
    (void)state;
    echo_card card;
    vpcd_link *link = NULL;
    vpcd_link_config cfg = {.mode = VPCD_LINK_NORMAL, .port = 0};
    vpcd_card_ops bad = {NULL, echo_power, echo_transmit};

    assert_int_equal(vpcd_link_new(&cfg, &echo_ops, &card, &link), SFC_E_INVAL);
    cfg.port = 1;
    assert_int_equal(vpcd_link_new(&cfg, &bad, &card, &link), SFC_E_INVAL);
    assert_null(link);
    assert_string_equal(vpcd_link_state_name(VPCD_LINK_WAITING), "waiting");
}

/* ---- Unix-domain sockets ------------------------------------------------ */

#include <sys/stat.h>
#include <sys/un.h>

static int unix_socket(const char *path, bool listening)
{
    struct sockaddr_un sun = {.sun_family = AF_UNIX};
    snprintf(sun.sun_path, sizeof(sun.sun_path), "%s", path);
    int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    assert_true(fd >= 0);
    int rc = listening ? bind(fd, (struct sockaddr *)&sun, sizeof(sun))
                       : connect(fd, (struct sockaddr *)&sun, sizeof(sun));
    assert_int_equal(rc, 0);
    if (listening)
        assert_int_equal(listen(fd, 1), 0);
    return fd;
}

/* Reversed mode on "unix:PATH": a socket file of mode 0660. Normal mode:
 * the link connects to a listening socket, and again after it went. */
static void test_unix_socket_transport(void **state)
{
    (void)state;
    echo_card card;
    char dir[] = "/tmp/sfc-unix-XXXXXX", host[96], path[64];
    struct stat st;
    echo_init(&card);
    assert_non_null(mkdtemp(dir));
    snprintf(path, sizeof(path), "%s/card", dir);
    snprintf(host, sizeof(host), "unix:%s", path);
    vpcd_link *link = new_link(VPCD_LINK_REVERSED, host, 0, true, &card);
    assert_int_equal(vpcd_link_insert(link), SFC_OK);
    assert_int_equal(stat(path, &st), 0);
    assert_true(S_ISSOCK(st.st_mode));
    assert_int_equal(st.st_mode & 0777, 0660);
    int fd = unix_socket(path, false);
    pump_until_state(link, VPCD_LINK_CONNECTED);
    send_hex(fd, "0001 04");
    expect_reply(link, fd, "3B 95 13 81 01 80 73 FF 01 00 0B");
    close(fd);
    vpcd_link_free(link);
    unlink(path);

    int lfd = unix_socket(path, true); /* now the test plays vpcd */
    link = new_link(VPCD_LINK_NORMAL, host, 1, true, &card);
    assert_int_equal(vpcd_link_insert(link), SFC_OK);
    for (int round = 0; round < 2; round++) {
        pump_until_state(link, VPCD_LINK_CONNECTED);
        fd = accept(lfd, NULL, NULL);
        assert_true(fd >= 0);
        send_hex(fd, "0004 00A4000C");
        expect_reply(link, fd, "00A4000C 9000");
        close(fd); /* vpcd goes: the link reconnects */
        pump_until_state(link, VPCD_LINK_WAITING);
        fake_now += 2000;
    }
    vpcd_link_free(link);
    close(lfd);
    unlink(path);
    rmdir(dir);
}

/* ---- a peer that floods the log -------------------------------------- */

static size_t count_log(sfc_log_level level, const char *needle)
{
    size_t n = 0;
    for (size_t i = 0; i < n_logged; i++)
        if (logged[i].level == level && strstr(logged[i].text, needle))
            n++;
    return n;
}

/* Thousands of bad frames give one warning per connection, not one each. */
static void test_bad_frames_warn_once_per_connection(void **state)
{
    (void)state;
    echo_card card;
    static uint8_t junk[3000 * 3];
    int fd;
    echo_init(&card);
    vpcd_link *link = reversed_pair(&card, &fd);

    size_t n = 0;
    for (size_t i = 0; i < 3000; i++) { /* zero-length, unknown control */
        memcpy(junk + n, i % 2 ? "\x00\x01\x07" : "\x00\x00",
               i % 2 ? 3 : 2);
        n += i % 2 ? 3 : 2;
    }
    sfc_log_set(capture_log, NULL, SFC_LOG_WARN); /* count them all */
    assert_int_equal(send(fd, junk, n, MSG_NOSIGNAL), (ssize_t)n);
    send_hex(fd, "0001 04");
    expect_reply(link, fd, "3B 95 13 81 01 80 73 FF 01 00 0B");
    size_t warns = 0;
    for (size_t i = 0; i < n_logged; i++)
        warns += logged[i].level <= SFC_LOG_WARN;
    assert_int_equal(warns, 1);
    for (int i = 0; i < 20; i++) { /* a flood of second connections */
        int extra = tcp_connect("127.0.0.1", vpcd_link_port(link));
        assert_true(extra >= 0);
        expect_closed(link, extra);
        close(extra);
    }
    assert_int_equal(count_log(SFC_LOG_WARN, "second vpcd connection"), 1);
    close(fd); /* the next connection may warn again, once */
    pump_until_state(link, VPCD_LINK_LISTENING);
    fd = tcp_connect("127.0.0.1", vpcd_link_port(link));
    pump_until_state(link, VPCD_LINK_CONNECTED);
    send_hex(fd, "0000 0000 0001 04");
    expect_reply(link, fd, "3B 95 13 81 01 80 73 FF 01 00 0B");
    assert_int_equal(count_log(SFC_LOG_WARN, "zero-length frame"), 2);
    close(fd);
    vpcd_link_free(link);
}

/* ---- a peer that writes and never reads ------------------------------ */

#define FLOOD_FRAMES 1000u
/* The output queue's bound: the high-water mark (4 frames) plus one. */
#define OUT_BOUND (5u * (VPCD_MAX_PAYLOAD + VPCD_HEADER_SIZE))

/* FLOOD_FRAMES commands asking 65533 bytes each (65 MB of answers, far
 * more than the kernel's socket buffers hold), in one write. */
static void send_flood(int fd)
{
    static uint8_t buf[FLOOD_FRAMES * 6];
    for (size_t i = 0; i < FLOOD_FRAMES; i++) {
        uint8_t f[6] = {0x00, 0x04, 0xFF, 0xEA, (uint8_t)(i >> 8),
                        (uint8_t)i};
        memcpy(buf + 6 * i, f, 6);
    }
    assert_int_equal(send(fd, buf, sizeof(buf), MSG_NOSIGNAL),
                     (ssize_t)sizeof(buf));
}

static void test_flood_never_read_is_bounded(void **state)
{
    (void)state;
    echo_card card;
    static uint8_t buf[VPCD_MAX_PAYLOAD];
    int fd;
    echo_init(&card);
    vpcd_link *link = reversed_pair(&card, &fd);

    send_flood(fd);
    for (int i = 0; i < 40; i++) {
        assert_int_equal(vpcd_link_step(link, 5), SFC_OK);
        assert_true(vpcd_link_out_queued(link) <= OUT_BOUND);
    }
    assert_true(card.n_transmit < FLOOD_FRAMES); /* dispatch paused */
    assert_true(vpcd_link_in_backlog(link) > 0); /* the rest kept */
    for (size_t i = 0; i < FLOOD_FRAMES; i++) { /* now read: all arrive */
        assert_int_equal(read_frame(link, fd, buf, sizeof(buf)),
                         VPCD_MAX_PAYLOAD);
        assert_int_equal((buf[0] << 8) | buf[1], i);
        assert_true(vpcd_link_out_queued(link) <= OUT_BOUND);
    }
    assert_int_equal(card.n_transmit, FLOOD_FRAMES);
    assert_true(vpcd_link_out_capacity(link) > VPCD_MAX_PAYLOAD + 2);
    close(fd);
    pump_until_state(link, VPCD_LINK_LISTENING);
    assert_int_equal(vpcd_link_out_capacity(link), VPCD_MAX_PAYLOAD + 2);
    assert_int_equal(vpcd_link_in_backlog(link), 0);
    vpcd_link_free(link);
}

/* The peer leaves with answers queued: the queue shrinks back at once. */
static void test_flood_then_leave_shrinks(void **state)
{
    (void)state;
    echo_card card;
    int fd;
    echo_init(&card);
    vpcd_link *link = reversed_pair(&card, &fd);

    send_flood(fd);
    for (int i = 0; i < 20; i++)
        assert_int_equal(vpcd_link_step(link, 5), SFC_OK);
    assert_true(vpcd_link_out_queued(link) > 0);
    close(fd);
    pump_until_state(link, VPCD_LINK_LISTENING);
    assert_int_equal(vpcd_link_out_queued(link), 0);
    assert_int_equal(vpcd_link_out_capacity(link), VPCD_MAX_PAYLOAD + 2);
    vpcd_link_free(link);
}

#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)

int main(void)
{
    const struct CMUnitTest tests[] = {
        T(test_get_atr),
        T(test_power_events_get_no_reply),
        T(test_apdu_round_trip),
        T(test_coalesced_controls_in_one_write),
        T(test_split_frame_with_delay),
        T(test_zero_length_and_unknown_ignored),
        T(test_max_frame_round_trip),
        T(test_empty_answers_become_6f00),
        T(test_card_removed_drops_connection),
        T(test_nodelay_and_one_write),
        T(test_reversed_second_connection_refused),
        T(test_reversed_reaccept),
        T(test_reversed_remove_insert),
        T(test_reversed_ipv6),
        T(test_reversed_port_in_use),
        T(test_normal_round_trip_and_reconnect),
        T(test_normal_backoff),
        T(test_normal_no_reconnect),
        T(test_normal_no_reconnect_after_disconnect),
        T(test_normal_remove_insert),
        T(test_normal_localhost_any_family),
        T(test_normal_connect_timeout),
        T(test_normal_unknown_host),
        T(test_config_errors),
        T(test_flood_never_read_is_bounded),
        T(test_flood_then_leave_shrinks),
        T(test_bad_frames_warn_once_per_connection),
        T(test_unix_socket_transport),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
