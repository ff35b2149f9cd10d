/* SPDX-License-Identifier: LGPL-2.1-or-later */
/**
 * @file net.h
 * @brief Sockets for the reader driver: listen, accept, connect, and whole
 *        frames in and out with deadlines.
 *
 * Every socket is non-blocking and close-on-exec. A card connection gets
 * TCP_NODELAY and TCP keep-alive; TCP_QUICKACK is re-armed before every
 * read (docs/protocol.md, "Socket rules"). A frame leaves in one send()
 * call from one buffer. Reads go through the shared frame decoder
 * (lib/vpcd/frame.h) and never wait past the caller's deadline, so a silent
 * or dead card costs at most one timeout, never a hung pcscd thread.
 */
#ifndef SFC_DRIVER_NET_H
#define SFC_DRIVER_NET_H

#include <netdb.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "softcard.h"
#include "vpcd/frame.h"

/** Monotonic milliseconds. */
uint64_t net_now_ms(void);

/** Milliseconds from now until `deadline` for poll(), clamped to 0..INT_MAX. */
int net_ms_until(uint64_t deadline);

/**
 * Listen on host:port (numeric or a name; the first address that binds
 * wins). Returns the socket, or -1 with `*err` set to errno.
 */
int net_listen(const char *host, uint16_t port, int *err);

/** Accept one pending connection (configured as a card socket), or -1. */
int net_accept(int listen_fd);

/** TCP_NODELAY, keep-alive: what every card connection gets. */
void net_configure(int fd);

/**
 * Start a non-blocking connect to `ai`. Returns the socket (check it with
 * net_connect_result once writable, or at once if `*done`) or -1 with
 * `*err` set.
 */
int net_connect_start(const struct addrinfo *ai, bool *done, int *err);

/** 0 when the connect on `fd` succeeded, else the errno it failed with. */
int net_connect_result(int fd);

/** Send `len` bytes, waiting for room until `deadline`. SFC_E_AGAIN on
 *  timeout, SFC_E_IO on error (`*err`). */
sfc_err net_send(int fd, const uint8_t *buf, size_t len, uint64_t deadline,
                int *err);

/**
 * Receive exactly one frame: read into `chunk` and feed the decoder until a
 * frame completes or `deadline` passes. `*frame`/`*flen` point into the
 * decoder (valid until it is fed again). Returns SFC_OK, SFC_E_AGAIN
 * (timeout), SFC_E_CLOSED (the card closed the connection), SFC_E_IO
 * (socket error in `*err`) or SFC_E_FORMAT (bytes beyond the frame: the
 * card sent more than one answer).
 */
sfc_err net_recv_frame(int fd, vpcd_decoder *dec, uint8_t *chunk,
                      size_t chunk_cap, uint64_t deadline,
                      const uint8_t **frame, size_t *flen, int *err);

typedef enum net_peer {
    NET_PEER_IDLE,   /**< connected, nothing to read */
    NET_PEER_CLOSED, /**< end of stream or socket error */
    NET_PEER_DATA    /**< bytes nobody asked for are waiting */
} net_peer;

/** Look at a connection without waiting or consuming anything. */
net_peer net_peer_state(int fd);

/** Close `*fd` if open and set it to -1. */
void net_close(int *fd);

#endif
