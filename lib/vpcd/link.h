/* SPDX-License-Identifier: LGPL-2.1-or-later */
/**
 * @file link.h
 * @brief One card's connection to a vpcd reader slot, normal or reversed.
 *
 * A link owns the sockets of one card: in normal mode it connects to vpcd
 * (which listens on PORT + slot) and reconnects with exponential back-off
 * when vpcd is absent or goes away; in reversed mode it listens and serves
 * one vpcd connection at a time. It speaks the vpcd protocol (frame.h) and
 * knows nothing about cards: the card is reached through vpcd_card_ops.
 *
 * A link is driven by a poll() loop: vpcd_link_pollfds() says which
 * descriptors to watch, vpcd_link_deadline() when the next timer expires,
 * and vpcd_link_handle() does the work after poll() returned. The loop in
 * loop.h serves many links; vpcd_link_step() is a one-link loop iteration
 * for tests and simple callers. All sockets are non-blocking; nothing here
 * blocks except getaddrinfo() on the host name, once per insertion (the
 * addresses are kept for every reconnect; "unix:PATH" needs no lookup).
 *
 * Socket rules (docs/protocol.md): TCP_NODELAY on the card socket,
 * TCP_QUICKACK re-armed before every read, each frame written with one
 * send() call from one buffer, MSG_NOSIGNAL, SO_REUSEADDR on listeners.
 */
#ifndef SFC_VPCD_LINK_H
#define SFC_VPCD_LINK_H

#include <poll.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/rng.h"
#include "softcard.h"

/**
 * What the transport needs from a card. `power` receives VPCD_CTRL_OFF,
 * VPCD_CTRL_ON or VPCD_CTRL_RESET (the same numbers as sfc_power_event).
 * `transmit` returns SFC_OK with a response of at least 2 bytes (valid until
 * the next call), or SFC_E_REMOVED when the card went away.
 */
typedef struct vpcd_card_ops {
    size_t (*get_atr)(void *card, uint8_t *atr, size_t cap);
    void (*power)(void *card, int ctrl);
    sfc_err (*transmit)(void *card, const uint8_t *capdu, size_t len,
                       const uint8_t **rapdu, size_t *rlen);
} vpcd_card_ops;

typedef enum vpcd_link_mode {
    VPCD_LINK_NORMAL,  /**< the card connects to vpcd */
    VPCD_LINK_REVERSED /**< the card listens, vpcd connects */
} vpcd_link_mode;

typedef enum vpcd_link_state {
    VPCD_LINK_REMOVED,    /**< card removed: no sockets, no retries */
    VPCD_LINK_WAITING,    /**< normal: waiting to retry (back-off) */
    VPCD_LINK_CONNECTING, /**< normal: connect in progress */
    VPCD_LINK_LISTENING,  /**< reversed: waiting for vpcd */
    VPCD_LINK_CONNECTED,  /**< card in the reader */
    VPCD_LINK_FAILED      /**< gave up (reconnect disabled); see error */
} vpcd_link_state;

typedef struct vpcd_link_config {
    vpcd_link_mode mode;
    /** Normal: vpcd host (NULL = "localhost"). Reversed: bind address
     *  (NULL = "127.0.0.1"; "0.0.0.0" or "::" for all interfaces). Either
     *  may be "unix:PATH", a Unix-domain socket (port ignored). */
    const char *host;
    /** vpcd port; reversed mode: 0 picks an ephemeral port. */
    uint16_t port;
    /** Normal mode: retry after failures (false: fail, like vicc). */
    bool reconnect;
    unsigned backoff_min_ms;     /**< first retry delay; 0 = 50 */
    unsigned backoff_max_ms;     /**< longest retry delay; 0 = 1000 */
    unsigned connect_timeout_ms; /**< per address; 0 = 5000 */
    /** Time source for timers; NULL = the system monotonic clock. */
    const sfc_clock *clock;
    /** Name used in log messages, e.g. "card 0"; NULL = "card". */
    const char *name;
} vpcd_link_config;

typedef struct vpcd_link vpcd_link;

/** Most descriptors a link asks poll() to watch. */
#define VPCD_LINK_MAX_FDS 2

/** No timer pending (vpcd_link_deadline). */
#define VPCD_NO_DEADLINE UINT64_MAX

/** Create a link in state REMOVED; `ops` and `card` must outlive it. */
sfc_err vpcd_link_new(const vpcd_link_config *cfg, const vpcd_card_ops *ops,
                     void *card, vpcd_link **out);

/** Close all sockets (delivering power-off) and free. NULL is allowed. */
void vpcd_link_free(vpcd_link *link);

/**
 * Insert the card: reversed mode binds and listens (errors such as
 * "address in use" are returned, see vpcd_link_error), normal mode starts
 * connecting. A no-op if the card is already inserted.
 */
sfc_err vpcd_link_insert(vpcd_link *link);

/**
 * Remove the card: close the vpcd connection (the reader sees the card
 * go), stop listening or reconnecting, deliver power-off.
 */
void vpcd_link_remove(vpcd_link *link);

/** Fill up to VPCD_LINK_MAX_FDS entries; returns how many. */
size_t vpcd_link_pollfds(const vpcd_link *link, struct pollfd *fds);

/** Clock time (ms) of the next timer, or VPCD_NO_DEADLINE. */
uint64_t vpcd_link_deadline(const vpcd_link *link);

/**
 * Act on poll() results (entries not belonging to this link are ignored)
 * and on expired timers. Returns SFC_OK, or an error when the link failed
 * for good (state FAILED: reconnect disabled and vpcd absent or gone).
 */
sfc_err vpcd_link_handle(vpcd_link *link, const struct pollfd *fds, size_t n);

/**
 * One loop iteration for this link alone: poll its descriptors for at most
 * `timeout_ms` (shortened to the next timer; -1 = no limit), then handle.
 */
sfc_err vpcd_link_step(vpcd_link *link, int timeout_ms);

vpcd_link_state vpcd_link_get_state(const vpcd_link *link);

/** "removed", "waiting", "connecting", "listening", "connected", "failed". */
const char *vpcd_link_state_name(vpcd_link_state state);

/** True unless the card is removed (or the link failed). */
bool vpcd_link_inserted(const vpcd_link *link);

/**
 * The port: the configured one in normal mode; in reversed mode the bound
 * port (the real one after listening on port 0, else the configured one).
 */
uint16_t vpcd_link_port(const vpcd_link *link);

/** Numeric bind address while listening ("127.0.0.1", "::"), else "". */
const char *vpcd_link_bound_host(const vpcd_link *link);

/** The card socket, or -1 when not connected (diagnostics, tests). */
int vpcd_link_conn_fd(const vpcd_link *link);

/**
 * Output bytes queued and not yet taken by the kernel. A peer that writes
 * and never reads cannot push this past 5 frames of 65537 bytes: above
 * 4 frames, the link dispatches nothing and reads nothing.
 */
size_t vpcd_link_out_queued(const vpcd_link *link);

/** Allocated size of the output queue (back to one frame on disconnect). */
size_t vpcd_link_out_capacity(const vpcd_link *link);

/** Received bytes kept back, not yet decoded, while output is too high. */
size_t vpcd_link_in_backlog(const vpcd_link *link);

/**
 * The last failure as one line "<what>: <cause> (<hint>)", e.g.
 * "cannot connect to vpcd at 127.0.0.1:35963: connection refused (is
 * pcscd running with a vpcd driver?)"; "" if none.
 */
const char *vpcd_link_error(const vpcd_link *link);

#endif
