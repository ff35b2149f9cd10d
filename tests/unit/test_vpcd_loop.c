/* SPDX-License-Identifier: LGPL-2.1-or-later */
/**
 * @file test_vpcd_loop.c
 * @brief Unit tests of the event loop (lib/vpcd/loop.c, loop_ctl.c):
 *        commands, the control socket, signals, serving several links.
 *
 * Links are reversed (listening on 127.0.0.1, ephemeral ports) so that the
 * test can play vpcd without any fixed port; everything runs in one thread
 * by stepping the loop.
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "testutil.h"
#include "vpcd/loop.h"

static uint8_t atr_byte = 0x3B;

static size_t stub_atr(void *card, uint8_t *atr, size_t cap)
{
    (void)card;
    (void)cap;
    atr[0] = atr_byte;
    atr[1] = 0x00;
    return 2;
}

static void stub_power(void *card, int ctrl)
{
    (void)card;
    (void)ctrl;
}

static sfc_err stub_transmit(void *card, const uint8_t *capdu, size_t len,
                            const uint8_t **rapdu, size_t *rlen)
{
    static const uint8_t ok[2] = {0x90, 0x00};
    (void)card;
    (void)capdu;
    (void)len;
    *rapdu = ok;
    *rlen = 2;
    return SFC_OK;
}

static const vpcd_card_ops stub_ops = {stub_atr, stub_power, stub_transmit};

/* A loop with `n` reversed links on ephemeral ports (not yet inserted). */
static vpcd_loop *make_loop(size_t n)
{
    vpcd_loop *loop = NULL;
    assert_int_equal(vpcd_loop_new(NULL, &loop), SFC_OK);
    for (size_t i = 0; i < n; i++) {
        vpcd_link_config cfg = {.mode = VPCD_LINK_REVERSED, .port = 0};
        vpcd_link *link = NULL;
        assert_int_equal(vpcd_link_new(&cfg, &stub_ops, NULL, &link), SFC_OK);
        assert_int_equal(vpcd_loop_add(loop, link, "iso7816"), SFC_OK);
    }
    return loop;
}

static const char *run_cmd(vpcd_loop *loop, const char *line)
{
    static char reply[4096];
    vpcd_loop_command(loop, line, reply, sizeof(reply));
    return reply;
}

static unsigned port_of(vpcd_loop *loop, size_t i)
{
    return vpcd_link_port(vpcd_loop_link(loop, i));
}

static vpcd_link_state state_of(vpcd_loop *loop, size_t i)
{
    return vpcd_link_get_state(vpcd_loop_link(loop, i));
}

static void test_commands(void **state)
{
    (void)state;
    vpcd_loop *loop = make_loop(2);
    char expect[256];

    assert_string_equal(run_cmd(loop, "status"),
                        "0 iso7816 0 removed\n1 iso7816 0 removed\nok\n");
    assert_string_equal(run_cmd(loop, "insert all"), "ok\n");
    snprintf(expect, sizeof(expect),
             "0 iso7816 %u listening\n1 iso7816 %u listening\nok\n",
             port_of(loop, 0), port_of(loop, 1));
    assert_string_equal(run_cmd(loop, "status"), expect);
    assert_string_equal(run_cmd(loop, "remove 1"), "ok\n");
    assert_int_equal(state_of(loop, 1), VPCD_LINK_REMOVED);
    assert_int_equal(state_of(loop, 0), VPCD_LINK_LISTENING);
    assert_string_equal(run_cmd(loop, "remove 1"), "ok\n"); /* idempotent */
    assert_string_equal(run_cmd(loop, "  insert 1\t"), "ok\n");
    assert_int_equal(state_of(loop, 1), VPCD_LINK_LISTENING);
    assert_string_equal(run_cmd(loop, "remove all"), "ok\n");
    assert_int_equal(state_of(loop, 0), VPCD_LINK_REMOVED);
    assert_int_equal(state_of(loop, 1), VPCD_LINK_REMOVED);
    vpcd_loop_free(loop);
}

static void test_command_errors(void **state)
{
    (void)state;
    static const char *const bad[] = {"remove 2", "insert -1", "remove x",
                                      "remove 1x", "insert 99999999999999"};
    static const char *const unknown[] = {"frobnicate", "insert", "remove",
                                          "status now", "insert 1 2",
                                          "REMOVE 0"};
    vpcd_loop *loop = make_loop(2);

    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
        assert_true(strncmp(run_cmd(loop, bad[i]), "error no card '", 15) ==
                    0);
    assert_non_null(strstr(run_cmd(loop, "remove 2"), "cards are 0..1"));
    for (size_t i = 0; i < sizeof(unknown) / sizeof(unknown[0]); i++)
        assert_true(strncmp(run_cmd(loop, unknown[i]),
                            "error unknown command", 21) == 0);
    assert_string_equal(run_cmd(loop, ""), "");
    assert_string_equal(run_cmd(loop, "   "), "");
    vpcd_loop_free(loop);
}

static void test_insert_error_reported(void **state)
{
    (void)state;
    vpcd_loop *loop = make_loop(1);
    vpcd_link_config cfg = {.mode = VPCD_LINK_REVERSED};
    vpcd_link *clash = NULL;

    assert_int_equal(vpcd_loop_insert_all(loop), SFC_OK);
    cfg.port = (uint16_t)port_of(loop, 0); /* same port: in use */
    assert_int_equal(vpcd_link_new(&cfg, &stub_ops, NULL, &clash), SFC_OK);
    assert_int_equal(vpcd_loop_add(loop, clash, "iso7816"), SFC_OK);
    const char *r = run_cmd(loop, "insert 1");
    assert_true(strncmp(r, "error card 1: cannot listen on 127.0.0.1:", 40) ==
                0);
    assert_non_null(strstr(r, "address already in use"));
    assert_int_equal(vpcd_loop_insert_all(loop), SFC_E_IO);
    assert_non_null(strstr(vpcd_loop_error(loop), "card 1: cannot listen"));
    vpcd_loop_free(loop);
}

static int connect_port(unsigned port)
{
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons(port)};
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (connect(fd, (struct sockaddr *)&a, sizeof(a)) < 0) {
        close(fd);
        return -1;
    }
    return fd;
}

/* Step the loop until `fd` is readable, then read what is there. */
static size_t step_and_read(vpcd_loop *loop, int fd, uint8_t *out,
                            size_t cap)
{
    struct pollfd p = {.fd = fd, .events = POLLIN};
    for (int i = 0; i < 300 && poll(&p, 1, 0) == 0; i++)
        assert_int_equal(vpcd_loop_step(loop, 10), SFC_OK);
    ssize_t n = recv(fd, out, cap, MSG_DONTWAIT);
    assert_true(n >= 0);
    return (size_t)n;
}

static void test_serves_several_cards(void **state)
{
    (void)state;
    vpcd_loop *loop = make_loop(3);
    int fds[3];
    uint8_t buf[64];

    assert_int_equal(vpcd_loop_insert_all(loop), SFC_OK);
    for (size_t i = 0; i < 3; i++) {
        fds[i] = connect_port(port_of(loop, i));
        assert_true(fds[i] >= 0);
    }
    for (size_t i = 3; i-- > 0;) {
        assert_int_equal(send(fds[i], "\x00\x01\x04", 3, 0), 3);
        size_t n = step_and_read(loop, fds[i], buf, sizeof(buf));
        tu_assert_hex(buf, n, "0002 3B00");
        assert_int_equal(state_of(loop, i), VPCD_LINK_CONNECTED);
    }
    assert_int_equal(send(fds[1], "\x00\x02\x00\x84", 4, 0), 4);
    size_t n = step_and_read(loop, fds[1], buf, sizeof(buf));
    tu_assert_hex(buf, n, "0002 9000");
    for (size_t i = 0; i < 3; i++)
        close(fds[i]);
    vpcd_loop_free(loop);
}

static void test_signals(void **state)
{
    (void)state;
    vpcd_loop *loop = make_loop(2);
    vpcd_loop *other = make_loop(0);

    assert_int_equal(vpcd_loop_insert_all(loop), SFC_OK);
    assert_int_equal(vpcd_loop_catch_signals(loop), SFC_OK);
    assert_int_equal(vpcd_loop_catch_signals(other), SFC_E_STATE);
    raise(SIGUSR1);
    assert_int_equal(vpcd_loop_step(loop, 0), SFC_OK);
    assert_int_equal(state_of(loop, 0), VPCD_LINK_REMOVED);
    assert_int_equal(state_of(loop, 1), VPCD_LINK_REMOVED);
    raise(SIGUSR2);
    assert_int_equal(vpcd_loop_step(loop, 0), SFC_OK);
    assert_int_equal(state_of(loop, 0), VPCD_LINK_LISTENING);
    assert_int_equal(state_of(loop, 1), VPCD_LINK_LISTENING);
    raise(SIGPIPE); /* ignored */
    assert_false(vpcd_loop_stopped(loop));
    raise(SIGTERM);
    assert_int_equal(vpcd_loop_run(loop), SFC_OK); /* returns: stopped */
    assert_true(vpcd_loop_stopped(loop));
    vpcd_loop_free(loop);
    /* handlers are restored and another loop may take them */
    assert_int_equal(vpcd_loop_catch_signals(other), SFC_OK);
    raise(SIGINT);
    assert_int_equal(vpcd_loop_step(other, 0), SFC_OK);
    assert_true(vpcd_loop_stopped(other));
    vpcd_loop_free(other);
}

/* ---- control socket ---------------------------------------------------- */

static char tmpdir[64];

static int make_tmpdir(void **state)
{
    (void)state;
    snprintf(tmpdir, sizeof(tmpdir), "/tmp/sc-loop-XXXXXX");
    assert_non_null(mkdtemp(tmpdir));
    return 0;
}

static int remove_tmpdir(void **state)
{
    (void)state;
    char path[128];
    snprintf(path, sizeof(path), "%s/ctl", tmpdir);
    unlink(path);
    rmdir(tmpdir);
    return 0;
}

static int unix_connect(const char *path)
{
    struct sockaddr_un a = {.sun_family = AF_UNIX};
    int fd = socket(AF_UNIX, SOCK_STREAM, 0);
    assert_true(strlen(path) < sizeof(a.sun_path));
    memcpy(a.sun_path, path, strlen(path) + 1);
    if (connect(fd, (struct sockaddr *)&a, sizeof(a)) < 0) {
        close(fd);
        return -1;
    }
    return fd;
}

/* Read from `fd` (stepping the loop) until the text ends with `end`. */
static const char *read_reply(vpcd_loop *loop, int fd, const char *end)
{
    static char text[4096];
    size_t len = 0;
    text[0] = '\0';
    for (int i = 0; i < 50; i++) {
        len += step_and_read(loop, fd, (uint8_t *)text + len,
                             sizeof(text) - 1 - len);
        text[len] = '\0';
        if (len >= strlen(end) && strcmp(text + len - strlen(end), end) == 0)
            break;
    }
    return text;
}

static void test_control_socket(void **state)
{
    (void)state;
    vpcd_loop *loop = make_loop(2);
    char path[128], expect[256];

    snprintf(path, sizeof(path), "%s/ctl", tmpdir);
    assert_int_equal(vpcd_loop_listen_control(loop, path), SFC_OK);
    assert_int_equal(vpcd_loop_insert_all(loop), SFC_OK);
    int c = unix_connect(path);
    assert_true(c >= 0);
    const char cmds[] = "status\r\nremove 0\nstat";
    assert_int_equal(send(c, cmds, sizeof(cmds) - 1, 0), sizeof(cmds) - 1);
    snprintf(expect, sizeof(expect),
             "0 iso7816 %u listening\n1 iso7816 %u listening\nok\nok\n",
             port_of(loop, 0), port_of(loop, 1));
    assert_string_equal(read_reply(loop, c, "ok\nok\n"), expect);
    assert_int_equal(state_of(loop, 0), VPCD_LINK_REMOVED);
    assert_int_equal(send(c, "us\n", 3, 0), 3); /* line completed later */
    snprintf(expect, sizeof(expect),
             "0 iso7816 %u removed\n1 iso7816 %u listening\nok\n",
             port_of(loop, 0), port_of(loop, 1));
    assert_string_equal(read_reply(loop, c, "ok\n"), expect);
    assert_int_equal(send(c, "bogus\n", 6, 0), 6);
    assert_true(strncmp(read_reply(loop, c, ")\n"), "error unknown", 13) == 0);

    /* a second process must not steal a live socket */
    vpcd_loop *other = make_loop(0);
    assert_int_equal(vpcd_loop_listen_control(other, path), SFC_E_IO);
    assert_non_null(strstr(vpcd_loop_error(other), "in use"));
    vpcd_loop_free(other);
    close(c);
    vpcd_loop_free(loop);
    assert_int_equal(access(path, F_OK), -1); /* unlinked on free */
}

static void test_control_stale_socket(void **state)
{
    (void)state;
    char path[128];
    struct sockaddr_un a = {.sun_family = AF_UNIX};
    int fd = socket(AF_UNIX, SOCK_STREAM, 0);
    vpcd_loop *loop = make_loop(1);

    snprintf(path, sizeof(path), "%s/ctl", tmpdir);
    snprintf(a.sun_path, sizeof(a.sun_path), "%s/ctl", tmpdir);
    assert_int_equal(bind(fd, (struct sockaddr *)&a, sizeof(a)), 0);
    close(fd); /* left behind, as by a crashed process */
    assert_int_equal(vpcd_loop_listen_control(loop, path), SFC_OK);
    int c = unix_connect(path);
    assert_true(c >= 0);
    assert_int_equal(send(c, "status\n", 7, 0), 7);
    assert_string_equal(read_reply(loop, c, "ok\n"),
                        "0 iso7816 0 removed\nok\n");
    close(c);
    vpcd_loop_free(loop);
}

static void test_control_bad_path(void **state)
{
    (void)state;
    vpcd_loop *loop = make_loop(1);
    char path[128];
    FILE *f;

    assert_int_equal(vpcd_loop_listen_control(loop, "/nonexistent/dir/ctl"),
                     SFC_E_IO);
    assert_non_null(strstr(vpcd_loop_error(loop), "cannot open control "
                                                  "socket /nonexistent/dir"));
    snprintf(path, sizeof(path), "%s/ctl", tmpdir);
    f = fopen(path, "w");
    fclose(f);
    assert_int_equal(vpcd_loop_listen_control(loop, path), SFC_E_IO);
    assert_non_null(strstr(vpcd_loop_error(loop), "not a socket"));
    vpcd_loop_free(loop);
}

static void test_failed_link_stops_run(void **state)
{
    (void)state;
    vpcd_loop *loop = NULL;
    vpcd_link *link = NULL;
    struct sockaddr_in a = {.sin_family = AF_INET};
    socklen_t len = sizeof(a);
    int rfd = socket(AF_INET, SOCK_STREAM, 0);

    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    assert_int_equal(bind(rfd, (struct sockaddr *)&a, sizeof(a)), 0);
    getsockname(rfd, (struct sockaddr *)&a, &len); /* bound, not listening */
    vpcd_link_config cfg = {.mode = VPCD_LINK_NORMAL, .host = "127.0.0.1",
                            .port = ntohs(a.sin_port), .reconnect = false};
    assert_int_equal(vpcd_loop_new(NULL, &loop), SFC_OK);
    assert_int_equal(vpcd_link_new(&cfg, &stub_ops, NULL, &link), SFC_OK);
    assert_int_equal(vpcd_loop_add(loop, link, "iso7816"), SFC_OK);
    sfc_err err = vpcd_loop_insert_all(loop);
    if (err == SFC_OK)
        err = vpcd_loop_run(loop);
    assert_int_not_equal(err, SFC_OK);
    assert_non_null(strstr(vpcd_loop_error(loop), "connection refused"));
    close(rfd);
    vpcd_loop_free(loop);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_commands),
        cmocka_unit_test(test_command_errors),
        cmocka_unit_test(test_insert_error_reported),
        cmocka_unit_test(test_serves_several_cards),
        cmocka_unit_test(test_signals),
        cmocka_unit_test_setup_teardown(test_control_socket, make_tmpdir,
                                        remove_tmpdir),
        cmocka_unit_test_setup_teardown(test_control_stale_socket,
                                        make_tmpdir, remove_tmpdir),
        cmocka_unit_test_setup_teardown(test_control_bad_path, make_tmpdir,
                                        remove_tmpdir),
        cmocka_unit_test(test_failed_link_stops_run),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
