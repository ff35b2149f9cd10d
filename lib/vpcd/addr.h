/* SPDX-License-Identifier: LGPL-2.1-or-later */
/**
 * @file addr.h
 * @brief Socket address helpers for the vpcd transport: text forms, URLs and
 *        the local address to advertise in reversed mode.
 */
#ifndef SFC_VPCD_ADDR_H
#define SFC_VPCD_ADDR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

#include "softcard.h"

/** Room for "[IPv6 address]:port" plus NUL. */
#define VPCD_ADDR_TEXT_MAX 64

/** Numeric host of `sa` ("127.0.0.1", "::1"); "?" if not IP. */
void vpcd_addr_host(const struct sockaddr *sa, char *out, size_t cap);

/** Port of an IPv4/IPv6 address in host order, 0 otherwise. */
uint16_t vpcd_addr_port(const struct sockaddr *sa);

/** "host:port", with IPv6 hosts in brackets: "[::1]:35963". */
void vpcd_addr_format(const struct sockaddr *sa, char *out, size_t cap);

/** Join a textual host and a port the same way ("[::1]:1", "a.b:1"). */
void vpcd_hostport(const char *host, uint16_t port, char *out, size_t cap);

/** True for the wildcard addresses 0.0.0.0 and ::. */
bool vpcd_addr_is_wildcard(const struct sockaddr *sa);

/**
 * The address a peer on the network should use to reach this host, found
 * with getifaddrs (works offline, no routing tricks): the first non-loopback
 * IPv4 address of an interface that is up, else a global IPv6 address,
 * else "127.0.0.1". Always succeeds (writes at least the fallback).
 */
void vpcd_local_address(char *out, size_t cap);

/**
 * Build "scheme://host:port" (IPv6 hosts in brackets), e.g.
 * "vicc://192.168.1.5:35963". SFC_E_RANGE if `cap` is too small.
 */
sfc_err vpcd_url(const char *scheme, const char *host, uint16_t port,
                char *out, size_t cap);

#endif
