/* SPDX-License-Identifier: LGPL-2.1-or-later */
/**
 * @file link_impl.h
 * @brief Internals shared by link.c (connections) and link_io.c (frames).
 *
 * Not installed, not for callers: the layout of struct vpcd_link and the
 * few functions the two halves of the link call in each other.
 */
#ifndef SFC_VPCD_LINK_IMPL_H
#define SFC_VPCD_LINK_IMPL_H

#include <netdb.h>

#include "vpcd/addr.h"
#include "vpcd/frame.h"
#include "vpcd/link.h"

/** Bytes read per recv() call. */
#define LINK_READ_CHUNK 65536u
/** Capacity of the output queue of an idle link (one largest frame). */
#define LINK_OUT_INITIAL (VPCD_MAX_PAYLOAD + VPCD_HEADER_SIZE)
/**
 * High-water mark of the output queue: while more than this waits to be
 * sent, no frame is dispatched and nothing is read (the unread input stays
 * in rbuf). The queue never exceeds LINK_OUT_HIGH + LINK_OUT_INITIAL.
 */
#define LINK_OUT_HIGH (4u * LINK_OUT_INITIAL)

struct vpcd_link {
    vpcd_link_config cfg;
    char *host; /**< owned copy of cfg.host (with the default applied) */
    char *name; /**< owned copy of cfg.name */
    vpcd_card_ops ops;
    void *card;
    vpcd_link_state state;

    int listen_fd; /**< reversed mode */
    int conn_fd;   /**< the vpcd connection (or the connect attempt) */
    uint16_t bound_port;
    char bound_host[VPCD_ADDR_TEXT_MAX];
    char peer[VPCD_ADDR_TEXT_MAX]; /**< "host:port" of vpcd */

    struct addrinfo *ai_list; /**< normal mode: addresses being tried */
    struct addrinfo *ai_cur;
    int last_errno;
    uint64_t deadline; /**< back-off or connect timeout, or none */
    unsigned backoff_ms;
    bool failure_logged; /**< first failure since last success reported */
    bool peer_warned;    /**< a protocol error of this connection logged */
    bool refusal_logged; /**< a refused second connection logged */

    vpcd_decoder dec;
    uint8_t *rbuf;
    size_t ipos, ilen; /**< received, not yet decoded: rbuf[ipos..ilen) */
    uint8_t *obuf; /**< output queue: whole frames, sent from ooff */
    size_t olen, ooff, ocap;

    char error[320];
};

/* link_io.c */
/**
 * A warning about the peer: at WARN level once per connection, at DEBUG
 * after that, so that a peer cannot fill the log (a flood of bad frames
 * or of connections).
 */
void link_warn_once(vpcd_link *link, bool *logged, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
sfc_err link_io_init(vpcd_link *link);
void link_io_free(vpcd_link *link);
/** Forget buffered input and output (connection replaced or closed). */
void link_io_reset(vpcd_link *link);
bool link_io_pending(const vpcd_link *link);
/** True while output is above the high-water mark (dispatch paused). */
bool link_io_full(const vpcd_link *link);
/** True while received bytes wait to be decoded (do not read more). */
bool link_io_backlog(const vpcd_link *link);
/**
 * Read what arrived and answer complete frames. Returns SFC_OK,
 * SFC_E_CLOSED (EOF), SFC_E_IO (socket error, errno in last_errno) or
 * SFC_E_REMOVED (the card went away).
 */
sfc_err link_io_read(vpcd_link *link);
/** Send queued output; SFC_E_IO on a socket error. */
sfc_err link_io_flush(vpcd_link *link);
/**
 * Dispatch received frames kept back by the high-water mark, as far as the
 * mark allows now. Same results as link_io_read().
 */
sfc_err link_io_resume(vpcd_link *link);

#endif
