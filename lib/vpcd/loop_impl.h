/* SPDX-License-Identifier: LGPL-2.1-or-later */
/**
 * @file loop_impl.h
 * @brief Internals shared by loop.c (poll loop, signals) and loop_ctl.c
 *        (control socket and commands). Not for callers.
 */
#ifndef SFC_VPCD_LOOP_IMPL_H
#define SFC_VPCD_LOOP_IMPL_H

#include <poll.h>

#include "vpcd/loop.h"

#define LOOP_MAX_CLIENTS 8
#define LOOP_LINE_MAX 256

typedef struct loop_card {
    vpcd_link *link;
    char *label;
} loop_card;

typedef struct loop_client {
    int fd;
    size_t len;
    char line[LOOP_LINE_MAX];
} loop_client;

struct vpcd_loop {
    const sfc_clock *clock;
    loop_card *cards;
    size_t n_cards, cap_cards;

    bool stopped;
    bool signals_caught;
    int sig_rfd; /**< read end of the self-pipe, -1 without signals */

    int ctl_fd; /**< control listener, -1 without --control */
    char *ctl_path;
    loop_client clients[LOOP_MAX_CLIENTS];

    struct pollfd *pfds; /**< scratch for vpcd_loop_step */
    size_t cap_pfds;
    char error[400];
};

/* loop_ctl.c */
void loop_ctl_init(vpcd_loop *loop);
void loop_ctl_close(vpcd_loop *loop);
/** Append the control descriptors to `fds`; returns how many. */
size_t loop_ctl_pollfds(const vpcd_loop *loop, struct pollfd *fds);
/** Serve control events found in `fds`. */
void loop_ctl_handle(vpcd_loop *loop, const struct pollfd *fds, size_t n);

#endif
