/* SPDX-License-Identifier: LGPL-2.1-or-later */
/**
 * @file loop.h
 * @brief One poll() loop serving many card links, with signals and a
 *        control socket.
 *
 * The loop owns a list of links (link.h), each labelled with its card
 * type, and runs them until asked to stop. Optional extras:
 *
 *  - signals (vpcd_loop_catch_signals): SIGINT and SIGTERM stop the loop
 *    cleanly, SIGUSR1 removes all cards, SIGUSR2 inserts them again. The
 *    handlers only write the signal number to a self-pipe; the loop acts on
 *    it, so no work happens in signal context. SIGPIPE is ignored.
 *  - a control socket (vpcd_loop_listen_control): a unix stream socket that
 *    accepts text lines and answers each (see vpcd_loop_command).
 *
 * A "removed" card has no vpcd connection and makes no attempt to get one:
 * in normal mode it is disconnected and does not reconnect, in reversed
 * mode it stops listening. pcscd then shows the reader empty.
 */
#ifndef SFC_VPCD_LOOP_H
#define SFC_VPCD_LOOP_H

#include <stdbool.h>
#include <stddef.h>

#include "core/rng.h"
#include "vpcd/link.h"

typedef struct vpcd_loop vpcd_loop;

/** Create an empty loop; `clock` (NULL = system) must be the links' clock. */
sfc_err vpcd_loop_new(const sfc_clock *clock, vpcd_loop **out);

/**
 * Free the loop and every link in it (connections close, cards receive
 * power-off), close and unlink the control socket, restore the signal
 * handlers. NULL is allowed.
 */
void vpcd_loop_free(vpcd_loop *loop);

/**
 * Append a link; on success the loop owns it. `label` (copied) names the
 * card type in status replies. Links are numbered from 0 in this order.
 */
sfc_err vpcd_loop_add(vpcd_loop *loop, vpcd_link *link, const char *label);

size_t vpcd_loop_count(const vpcd_loop *loop);
vpcd_link *vpcd_loop_link(const vpcd_loop *loop, size_t index);

/**
 * Route SIGINT, SIGTERM, SIGUSR1 and SIGUSR2 to this loop and ignore
 * SIGPIPE. Only one loop per process may do this (SFC_E_STATE otherwise).
 */
sfc_err vpcd_loop_catch_signals(vpcd_loop *loop);

/**
 * Accept control connections on a unix stream socket at `path` (mode
 * 0600). A stale socket file is replaced; a live one (another process
 * answers) is an error. On failure `vpcd_loop_error` says why.
 */
sfc_err vpcd_loop_listen_control(vpcd_loop *loop, const char *path);

/** Insert every card; returns the first error (all are attempted). */
sfc_err vpcd_loop_insert_all(vpcd_loop *loop);

/** Remove every card. */
void vpcd_loop_remove_all(vpcd_loop *loop);

/**
 * Run one command line and write the reply (lines ending in '\n') to
 * `reply`. Commands: "remove N", "insert N", "remove all", "insert all"
 * (reply "ok" or "error <reason>") and "status" (one line per card
 * "<index> <type> <port> <state>", then "ok"). An empty line gets an
 * empty reply.
 */
void vpcd_loop_command(vpcd_loop *loop, const char *line, char *reply,
                       size_t cap);

/**
 * One iteration: poll for at most `timeout_ms` (-1 = until something
 * happens or a timer expires), then serve links, signals and control
 * clients. Returns SFC_OK, or the error of a link that failed for good.
 */
sfc_err vpcd_loop_step(vpcd_loop *loop, int timeout_ms);

/** Step until stopped (SFC_OK) or a link fails for good (its error). */
sfc_err vpcd_loop_run(vpcd_loop *loop);

/** Ask the loop to stop after the current iteration. */
void vpcd_loop_stop(vpcd_loop *loop);
bool vpcd_loop_stopped(const vpcd_loop *loop);

/** The last failure as one line "<what>: <cause> (<hint>)", or "". */
const char *vpcd_loop_error(const vpcd_loop *loop);

#endif
