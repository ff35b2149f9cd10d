/* SPDX-License-Identifier: LGPL-2.1-or-later */
/**
 * @file loop_ctl.c
 * @brief The control channel: a unix stream socket taking text commands
 *        that insert and remove cards or report their state.
 *
 * A control client writes lines ("remove 0", "insert all", "status") and
 * gets one reply per line, ending in "ok" or "error <reason>". Commands
 * are executed by vpcd_loop_command(), which tests call directly. A few
 * clients may be connected at once; each has its own line buffer, and a
 * line longer than LOOP_LINE_MAX closes that client after an error reply.
 */
#include "vpcd/loop_impl.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "core/errtext.h"
#include "core/log.h"

#define REPLY_MAX 16384

/* ---- commands ------------------------------------------------------- */

static void status_reply(vpcd_loop *loop, char *reply, size_t cap)
{
    size_t off = 0;

    reply[0] = '\0';
    for (size_t i = 0; i < loop->n_cards && off < cap; i++) {
        const vpcd_link *link = loop->cards[i].link;
        int n = snprintf(reply + off, cap - off, "%zu %s %u %s\n", i,
                         loop->cards[i].label, (unsigned)vpcd_link_port(link),
                         vpcd_link_state_name(vpcd_link_get_state(link)));
        off += n > 0 ? (size_t)n : 0;
    }
    if (off < cap)
        snprintf(reply + off, cap - off, "ok\n");
}

/* Parse a card index; -1 for "all", -2 if invalid. */
static long parse_target(const vpcd_loop *loop, const char *arg)
{
    char *end;
    long v;

    if (strcmp(arg, "all") == 0)
        return -1;
    if (arg[0] < '0' || arg[0] > '9')
        return -2;
    errno = 0;
    v = strtol(arg, &end, 10);
    if (errno || *end || v < 0 || (size_t)v >= loop->n_cards)
        return -2;
    return v;
}

static void insert_one(vpcd_loop *loop, size_t i, char *reply, size_t cap)
{
    vpcd_link *link = loop->cards[i].link;

    if (vpcd_link_insert(link) != SFC_OK) {
        snprintf(reply, cap, "error card %zu: %s\n", i, vpcd_link_error(link));
        return;
    }
    sfc_log(SFC_LOG_INFO, "control: card %zu inserted", i);
    snprintf(reply, cap, "ok\n");
}

static void insert_or_remove(vpcd_loop *loop, bool insert, const char *arg,
                             char *reply, size_t cap)
{
    long t = parse_target(loop, arg);

    if (t == -2) {
        snprintf(reply, cap, "error no card '%s' (cards are 0..%zu, or "
                 "all)\n", arg, loop->n_cards ? loop->n_cards - 1 : 0);
        return;
    }
    if (insert && t == -1) {
        if (vpcd_loop_insert_all(loop) != SFC_OK)
            snprintf(reply, cap, "error %s\n", loop->error);
        else
            snprintf(reply, cap, "ok\n");
        return;
    }
    if (insert) {
        insert_one(loop, (size_t)t, reply, cap);
        return;
    }
    if (t == -1)
        vpcd_loop_remove_all(loop);
    else
        vpcd_link_remove(loop->cards[t].link);
    sfc_log(SFC_LOG_INFO, "control: removed card %s", arg);
    snprintf(reply, cap, "ok\n");
}

void vpcd_loop_command(vpcd_loop *loop, const char *line, char *reply,
                       size_t cap)
{
    char verb[16] = "", arg[32] = "", extra[2] = "";
    int n = sscanf(line, " %15s %31s %1s", verb, arg, extra);

    if (cap == 0)
        return;
    reply[0] = '\0';
    if (n <= 0)
        return;
    if (strcmp(verb, "status") == 0 && n == 1)
        status_reply(loop, reply, cap);
    else if ((strcmp(verb, "insert") == 0 || strcmp(verb, "remove") == 0) &&
             n == 2)
        insert_or_remove(loop, verb[0] == 'i', arg, reply, cap);
    else
        snprintf(reply, cap, "error unknown command (use: status, insert "
                 "N|all, remove N|all)\n");
}

/* ---- socket --------------------------------------------------------- */

void loop_ctl_init(vpcd_loop *loop)
{
    loop->ctl_fd = -1;
    for (size_t i = 0; i < LOOP_MAX_CLIENTS; i++)
        loop->clients[i].fd = -1;
}

void loop_ctl_close(vpcd_loop *loop)
{
    for (size_t i = 0; i < LOOP_MAX_CLIENTS; i++) {
        if (loop->clients[i].fd >= 0)
            close(loop->clients[i].fd);
        loop->clients[i].fd = -1;
    }
    if (loop->ctl_fd >= 0) {
        close(loop->ctl_fd);
        unlink(loop->ctl_path);
    }
    loop->ctl_fd = -1;
    free(loop->ctl_path);
    loop->ctl_path = NULL;
}

static int set_flags(int fd)
{
    int fl = fcntl(fd, F_GETFL);
    if (fl < 0 || fcntl(fd, F_SETFL, fl | O_NONBLOCK) < 0)
        return -1;
    return fcntl(fd, F_SETFD, FD_CLOEXEC);
}

static sfc_err ctl_fail(vpcd_loop *loop, int fd, const char *path,
                       const char *cause, const char *hint)
{
    if (fd >= 0)
        close(fd);
    sfc_errf(loop->error, sizeof(loop->error),
            "cannot open control socket %s: %s (%s)", path, cause, hint);
    return SFC_E_IO;
}

/* True if something answers on the socket at `addr`. */
static bool socket_alive(const struct sockaddr_un *addr)
{
    int fd = socket(AF_UNIX, SOCK_STREAM, 0);
    bool alive;

    if (fd < 0)
        return false;
    alive = connect(fd, (const struct sockaddr *)addr, sizeof(*addr)) == 0;
    close(fd);
    return alive;
}

/* Remove a stale socket file left by a crashed process. */
static sfc_err clear_stale(vpcd_loop *loop, const struct sockaddr_un *addr,
                          const char *path)
{
    struct stat st;

    if (lstat(path, &st) != 0)
        return SFC_OK;
    if (!S_ISSOCK(st.st_mode))
        return ctl_fail(loop, -1, path, "file exists and is not a socket",
                        "choose another path");
    if (socket_alive(addr))
        return ctl_fail(loop, -1, path, "in use",
                        "is another softcard running with this path?");
    unlink(path);
    return SFC_OK;
}

sfc_err vpcd_loop_listen_control(vpcd_loop *loop, const char *path)
{
    struct sockaddr_un addr = {.sun_family = AF_UNIX};
    mode_t old_mask;
    int fd, rc;

    if (loop->ctl_fd >= 0)
        return SFC_E_STATE;
    if (strlen(path) >= sizeof(addr.sun_path))
        return ctl_fail(loop, -1, path, "path too long",
                        "use a shorter path");
    memcpy(addr.sun_path, path, strlen(path) + 1);
    if (clear_stale(loop, &addr, path) != SFC_OK)
        return SFC_E_IO;
    fd = socket(AF_UNIX, SOCK_STREAM, 0);
    if (fd < 0 || set_flags(fd) < 0)
        return ctl_fail(loop, fd, path, strerror(errno), "check the path");
    old_mask = umask(0077);
    rc = bind(fd, (struct sockaddr *)&addr, sizeof(addr));
    umask(old_mask);
    if (rc < 0 || listen(fd, LOOP_MAX_CLIENTS) < 0)
        return ctl_fail(loop, fd, path, strerror(errno),
                        "check that the directory exists and is writable");
    loop->ctl_path = strdup(path);
    if (!loop->ctl_path) {
        close(fd);
        unlink(path);
        return SFC_E_NOMEM;
    }
    loop->ctl_fd = fd;
    sfc_log(SFC_LOG_INFO, "control socket at %s", path);
    return SFC_OK;
}

size_t loop_ctl_pollfds(const vpcd_loop *loop, struct pollfd *fds)
{
    size_t n = 0;

    if (loop->ctl_fd < 0)
        return 0;
    fds[n++] = (struct pollfd){.fd = loop->ctl_fd, .events = POLLIN};
    for (size_t i = 0; i < LOOP_MAX_CLIENTS; i++)
        if (loop->clients[i].fd >= 0)
            fds[n++] = (struct pollfd){.fd = loop->clients[i].fd,
                                       .events = POLLIN};
    return n;
}

static void accept_client(vpcd_loop *loop)
{
    int fd = accept(loop->ctl_fd, NULL, NULL);

    if (fd < 0)
        return;
    for (size_t i = 0; i < LOOP_MAX_CLIENTS; i++) {
        if (loop->clients[i].fd < 0 && set_flags(fd) == 0) {
            loop->clients[i].fd = fd;
            loop->clients[i].len = 0;
            return;
        }
    }
    static const char busy[] = "error too many control clients\n";
    (void)!send(fd, busy, sizeof(busy) - 1, MSG_NOSIGNAL);
    close(fd);
}

static void client_close(loop_client *c)
{
    close(c->fd);
    c->fd = -1;
    c->len = 0;
}

static void client_reply(loop_client *c, const char *text)
{
    size_t len = strlen(text), off = 0;

    while (off < len) {
        ssize_t n = send(c->fd, text + off, len - off, MSG_NOSIGNAL);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return; /* replies are small; a client that does not read loses */
        off += (size_t)n;
    }
}

/* Run every complete line in the client's buffer. */
static void client_lines(vpcd_loop *loop, loop_client *c)
{
    char *nl;
    char reply[REPLY_MAX];

    while (c->fd >= 0 && (nl = memchr(c->line, '\n', c->len)) != NULL) {
        size_t used = (size_t)(nl - c->line) + 1;
        *nl = '\0';
        if (nl > c->line && nl[-1] == '\r')
            nl[-1] = '\0';
        vpcd_loop_command(loop, c->line, reply, sizeof(reply));
        client_reply(c, reply);
        memmove(c->line, c->line + used, c->len - used);
        c->len -= used;
    }
    if (c->fd >= 0 && c->len == sizeof(c->line)) {
        client_reply(c, "error line too long\n");
        client_close(c);
    }
}

static void client_read(vpcd_loop *loop, loop_client *c)
{
    ssize_t n = recv(c->fd, c->line + c->len, sizeof(c->line) - c->len, 0);

    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR))
        return;
    if (n <= 0) {
        client_close(c);
        return;
    }
    c->len += (size_t)n;
    client_lines(loop, c);
}

void loop_ctl_handle(vpcd_loop *loop, const struct pollfd *fds, size_t n)
{
    for (size_t k = 0; k < n; k++) {
        if (!fds[k].revents)
            continue;
        if (fds[k].fd == loop->ctl_fd) {
            accept_client(loop);
            continue;
        }
        for (size_t i = 0; i < LOOP_MAX_CLIENTS; i++)
            if (loop->clients[i].fd == fds[k].fd)
                client_read(loop, &loop->clients[i]);
    }
}
