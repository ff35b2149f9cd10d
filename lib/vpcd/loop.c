/* SPDX-License-Identifier: LGPL-2.1-or-later */
/**
 * @file loop.c
 * @brief The poll() loop: many card links, timers, and signals via a
 *        self-pipe.
 *
 * Each iteration gathers the descriptors of every link, the signal pipe and
 * the control socket into one pollfd array, sleeps until one is ready or
 * the earliest link timer (reconnect back-off, connect timeout) expires,
 * and then serves links first and signals and control commands after, so
 * that a command that closes and reopens sockets never sees poll results
 * meant for a descriptor it just replaced. Signal handlers only write the
 * signal number into the self-pipe. The control socket lives in loop_ctl.c.
 */
#include "vpcd/loop_impl.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/errtext.h"
#include "core/log.h"

/* ---- signals -------------------------------------------------------- */

static const int caught_signals[] = {SIGINT, SIGTERM, SIGUSR1, SIGUSR2};
#define N_CAUGHT (sizeof(caught_signals) / sizeof(caught_signals[0]))

static int sig_wfd = -1; /* write end of the self-pipe (one loop only) */
static struct sigaction saved_actions[N_CAUGHT];
static struct sigaction saved_sigpipe;

static void on_signal(int sig)
{
    int saved = errno;
    unsigned char b = (unsigned char)sig;
    if (sig_wfd >= 0)
        (void)!write(sig_wfd, &b, 1);
    errno = saved;
}

static int pipe_flags(int fd)
{
    int fl = fcntl(fd, F_GETFL);
    if (fl < 0 || fcntl(fd, F_SETFL, fl | O_NONBLOCK) < 0)
        return -1;
    return fcntl(fd, F_SETFD, FD_CLOEXEC);
}

sfc_err vpcd_loop_catch_signals(vpcd_loop *loop)
{
    int p[2];
    struct sigaction sa, ign;

    if (sig_wfd >= 0 || loop->signals_caught)
        return SFC_E_STATE;
    if (pipe(p) < 0)
        return SFC_E_IO;
    if (pipe_flags(p[0]) < 0 || pipe_flags(p[1]) < 0) {
        close(p[0]);
        close(p[1]);
        return SFC_E_IO;
    }
    loop->sig_rfd = p[0];
    sig_wfd = p[1];
    memset(&sa, 0, sizeof(sa));
    sa.sa_handler = on_signal;
    sa.sa_flags = SA_RESTART;
    sigemptyset(&sa.sa_mask);
    for (size_t i = 0; i < N_CAUGHT; i++)
        sigaction(caught_signals[i], &sa, &saved_actions[i]);
    memset(&ign, 0, sizeof(ign));
    ign.sa_handler = SIG_IGN;
    sigemptyset(&ign.sa_mask);
    sigaction(SIGPIPE, &ign, &saved_sigpipe);
    loop->signals_caught = true;
    return SFC_OK;
}

static void release_signals(vpcd_loop *loop)
{
    if (!loop->signals_caught)
        return;
    for (size_t i = 0; i < N_CAUGHT; i++)
        sigaction(caught_signals[i], &saved_actions[i], NULL);
    sigaction(SIGPIPE, &saved_sigpipe, NULL);
    close(sig_wfd);
    sig_wfd = -1;
    close(loop->sig_rfd);
    loop->sig_rfd = -1;
    loop->signals_caught = false;
}

static void act_on_signal(vpcd_loop *loop, int sig)
{
    switch (sig) {
    case SIGINT:
    case SIGTERM:
        sfc_log(SFC_LOG_INFO, "signal %d: stopping", sig);
        vpcd_loop_stop(loop);
        break;
    case SIGUSR1:
        sfc_log(SFC_LOG_INFO, "SIGUSR1: removing all cards");
        vpcd_loop_remove_all(loop);
        break;
    case SIGUSR2:
        sfc_log(SFC_LOG_INFO, "SIGUSR2: inserting all cards");
        if (vpcd_loop_insert_all(loop) != SFC_OK)
            sfc_log(SFC_LOG_ERROR, "%s", loop->error);
        break;
    default:
        break;
    }
}

static void drain_signals(vpcd_loop *loop)
{
    unsigned char buf[32];
    ssize_t n;

    while ((n = read(loop->sig_rfd, buf, sizeof(buf))) > 0)
        for (ssize_t i = 0; i < n; i++)
            act_on_signal(loop, buf[i]);
}

/* ---- life cycle ----------------------------------------------------- */

sfc_err vpcd_loop_new(const sfc_clock *clock, vpcd_loop **out)
{
    vpcd_loop *loop = calloc(1, sizeof(*loop));

    *out = NULL;
    if (!loop)
        return SFC_E_NOMEM;
    loop->clock = clock;
    loop->sig_rfd = -1;
    loop_ctl_init(loop);
    *out = loop;
    return SFC_OK;
}

void vpcd_loop_free(vpcd_loop *loop)
{
    if (!loop)
        return;
    loop_ctl_close(loop);
    release_signals(loop);
    for (size_t i = 0; i < loop->n_cards; i++) {
        vpcd_link_free(loop->cards[i].link);
        free(loop->cards[i].label);
    }
    free(loop->cards);
    free(loop->pfds);
    free(loop);
}

sfc_err vpcd_loop_add(vpcd_loop *loop, vpcd_link *link, const char *label)
{
    char *copy;

    if (!link)
        return SFC_E_INVAL;
    if (loop->n_cards == loop->cap_cards) {
        size_t cap = loop->cap_cards ? 2 * loop->cap_cards : 4;
        loop_card *p = realloc(loop->cards, cap * sizeof(*p));
        if (!p)
            return SFC_E_NOMEM;
        loop->cards = p;
        loop->cap_cards = cap;
    }
    copy = strdup(label ? label : "card");
    if (!copy)
        return SFC_E_NOMEM;
    loop->cards[loop->n_cards++] = (loop_card){.link = link, .label = copy};
    return SFC_OK;
}

size_t vpcd_loop_count(const vpcd_loop *loop)
{
    return loop->n_cards;
}

vpcd_link *vpcd_loop_link(const vpcd_loop *loop, size_t index)
{
    return index < loop->n_cards ? loop->cards[index].link : NULL;
}

sfc_err vpcd_loop_insert_all(vpcd_loop *loop)
{
    sfc_err first = SFC_OK;

    for (size_t i = 0; i < loop->n_cards; i++) {
        vpcd_link *link = loop->cards[i].link;
        sfc_err err = vpcd_link_insert(link);
        if (err != SFC_OK && first == SFC_OK) {
            first = err;
            sfc_errf(loop->error, sizeof(loop->error), "card %zu: %s", i,
                    vpcd_link_error(link));
        }
    }
    return first;
}

void vpcd_loop_remove_all(vpcd_loop *loop)
{
    for (size_t i = 0; i < loop->n_cards; i++)
        vpcd_link_remove(loop->cards[i].link);
}

void vpcd_loop_stop(vpcd_loop *loop)
{
    loop->stopped = true;
}

bool vpcd_loop_stopped(const vpcd_loop *loop)
{
    return loop->stopped;
}

const char *vpcd_loop_error(const vpcd_loop *loop)
{
    return loop->error;
}

/* ---- one iteration -------------------------------------------------- */

static bool reserve_pfds(vpcd_loop *loop)
{
    size_t need = 1 + 1 + LOOP_MAX_CLIENTS +
                  VPCD_LINK_MAX_FDS * loop->n_cards;
    if (need <= loop->cap_pfds)
        return true;
    struct pollfd *p = realloc(loop->pfds, need * sizeof(*p));
    if (!p)
        return false;
    loop->pfds = p;
    loop->cap_pfds = need;
    return true;
}

/* Shorten `timeout_ms` to the earliest link timer. */
static int poll_timeout(const vpcd_loop *loop, int timeout_ms)
{
    uint64_t now = sfc_clock_now_ms(loop->clock);

    for (size_t i = 0; i < loop->n_cards; i++) {
        uint64_t d = vpcd_link_deadline(loop->cards[i].link);
        if (d == VPCD_NO_DEADLINE)
            continue;
        uint64_t wait = d > now ? d - now : 0;
        if (timeout_ms < 0 || wait < (uint64_t)timeout_ms)
            timeout_ms = (int)(wait > INT32_MAX ? INT32_MAX : wait);
    }
    return timeout_ms;
}

/* Serve every link with its slice of the poll results. */
static sfc_err serve_links(vpcd_loop *loop, const struct pollfd *fds,
                          const size_t *counts)
{
    for (size_t i = 0; i < loop->n_cards; i++) {
        vpcd_link *link = loop->cards[i].link;
        sfc_err err = vpcd_link_handle(link, fds, counts[i]);
        fds += counts[i];
        if (err != SFC_OK) {
            sfc_errf(loop->error, sizeof(loop->error), "%s",
                    vpcd_link_error(link));
            return err;
        }
    }
    return SFC_OK;
}

sfc_err vpcd_loop_step(vpcd_loop *loop, int timeout_ms)
{
    size_t counts_small[16], *counts = counts_small, n = 0, n_links = 0;
    sfc_err err;

    if (!reserve_pfds(loop))
        return SFC_E_NOMEM;
    if (loop->n_cards > 16 && !(counts = calloc(loop->n_cards, sizeof(size_t))))
        return SFC_E_NOMEM;
    for (size_t i = 0; i < loop->n_cards; i++) {
        counts[i] = vpcd_link_pollfds(loop->cards[i].link, loop->pfds + n);
        n += counts[i];
    }
    n_links = n;
    if (loop->sig_rfd >= 0)
        loop->pfds[n++] = (struct pollfd){.fd = loop->sig_rfd, .events = POLLIN};
    n += loop_ctl_pollfds(loop, loop->pfds + n);
    int ready = poll(loop->pfds, n, poll_timeout(loop, timeout_ms));
    if (ready < 0 && errno != EINTR)
        err = SFC_E_IO;
    else
        err = serve_links(loop, loop->pfds, counts);
    if (counts != counts_small)
        free(counts);
    if (err != SFC_OK)
        return err;
    /* Only when a signal came (poll interrupted or the pipe readable): a
     * read() per APDU would be one system call more than needed. */
    if (loop->sig_rfd >= 0 &&
        (ready < 0 || (loop->pfds[n_links].revents & POLLIN)))
        drain_signals(loop);
    loop_ctl_handle(loop, loop->pfds + n_links, n - n_links);
    return SFC_OK;
}

sfc_err vpcd_loop_run(vpcd_loop *loop)
{
    while (!loop->stopped) {
        sfc_err err = vpcd_loop_step(loop, -1);
        if (err != SFC_OK)
            return err;
    }
    return SFC_OK;
}
