/* SPDX-License-Identifier: LGPL-2.1-or-later */
/**
 * @file sockaddr.h
 * @brief Addresses of the vpcd transport: TCP host names and ports, or a
 *        Unix-domain socket named "unix:PATH", behind one resolver.
 *
 * softcard's links, the pcscd driver and scio's direct backend all call
 * vpcd_sock_resolve() instead of getaddrinfo(): for "unix:PATH" it builds a
 * one-entry list with an AF_UNIX address (no lookup, nothing can block),
 * otherwise it is getaddrinfo(host, port). vpcd_sock_bind() binds either;
 * a Unix socket's file gets mode 0660 before listen() is called, so no
 * connection is ever accepted under a wider mode (who may connect is
 * decided by the file's group and its directory; docs/driver.md,
 * "Transports"), and a stale socket file nobody listens on is replaced.
 */
#ifndef SFC_VPCD_SOCKADDR_H
#define SFC_VPCD_SOCKADDR_H

#include <netdb.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define VPCD_UNIX_PREFIX "unix:"

/** True if `host` names a Unix-domain socket ("unix:PATH"). */
bool vpcd_sock_is_unix(const char *host);

/**
 * Addresses of `host` (port ignored for "unix:PATH"); `passive` for a
 * listener. Returns 0 or a getaddrinfo error code (EAI_NONAME for an empty
 * or too long socket path: at most 107 bytes). Free with vpcd_sock_free.
 */
int vpcd_sock_resolve(const char *host, uint16_t port, bool passive,
                      struct addrinfo **out);

void vpcd_sock_free(struct addrinfo *list);

/** bind(2) for either family; -1 with errno on failure. */
int vpcd_sock_bind(int fd, const struct addrinfo *ai);

/** "unix:PATH" + ".N": slot N's socket of a reader (cap bytes at most);
 *  false if it does not fit in a socket address. */
bool vpcd_sock_slot_path(const char *host, unsigned slot, char *out,
                         size_t cap);

#endif
