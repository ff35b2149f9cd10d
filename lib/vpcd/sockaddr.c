/* SPDX-License-Identifier: LGPL-2.1-or-later */
/**
 * @file sockaddr.c
 * @brief One resolver for TCP and Unix-domain vpcd addresses.
 *
 * A Unix address is returned as a struct addrinfo allocated here in one
 * block (the sockaddr_un right after it); vpcd_sock_free tells the two
 * kinds apart by the family, so callers keep one code path for both.
 */
#include "vpcd/sockaddr.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#define UNIX_SOCKET_MODE 0660

typedef struct unix_ai {
    struct addrinfo ai;
    struct sockaddr_un sun;
} unix_ai;

bool vpcd_sock_is_unix(const char *host)
{
    return host && strncmp(host, VPCD_UNIX_PREFIX,
                           sizeof(VPCD_UNIX_PREFIX) - 1) == 0;
}

static int unix_resolve(const char *path, struct addrinfo **out)
{
    size_t n = strlen(path);
    unix_ai *u;
    if (n == 0 || n >= sizeof(u->sun.sun_path))
        return EAI_NONAME;
    u = calloc(1, sizeof(*u));
    if (!u)
        return EAI_MEMORY;
    u->sun.sun_family = AF_UNIX;
    memcpy(u->sun.sun_path, path, n + 1);
    u->ai.ai_family = AF_UNIX;
    u->ai.ai_socktype = SOCK_STREAM;
    u->ai.ai_addr = (struct sockaddr *)&u->sun;
    u->ai.ai_addrlen = (socklen_t)sizeof(u->sun);
    *out = &u->ai;
    return 0;
}

int vpcd_sock_resolve(const char *host, uint16_t port, bool passive,
                      struct addrinfo **out)
{
    struct addrinfo hints = {0};
    char service[8];
    *out = NULL;
    if (vpcd_sock_is_unix(host))
        return unix_resolve(host + sizeof(VPCD_UNIX_PREFIX) - 1, out);
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    /* no AI_ADDRCONFIG: it hides ::1 on hosts without global IPv6 */
    hints.ai_flags = AI_NUMERICSERV | (passive ? AI_PASSIVE : 0);
    snprintf(service, sizeof(service), "%u", (unsigned)port);
    int rc = getaddrinfo(host, service, &hints, out);
    if (rc != 0)
        *out = NULL;
    return rc;
}

void vpcd_sock_free(struct addrinfo *list)
{
    if (list && list->ai_family == AF_UNIX)
        free(list); /* one block from unix_resolve */
    else if (list)
        freeaddrinfo(list);
}

/* A socket file left behind by a listener that is gone: remove it. One
 * somebody listens on is kept (bind then fails with EADDRINUSE). */
static void remove_stale(const struct sockaddr_un *sun)
{
    struct stat st;
    if (lstat(sun->sun_path, &st) != 0 || !S_ISSOCK(st.st_mode))
        return;
    int probe = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (probe < 0)
        return;
    if (connect(probe, (const struct sockaddr *)sun, sizeof(*sun)) != 0 &&
        errno == ECONNREFUSED)
        unlink(sun->sun_path);
    close(probe);
}

int vpcd_sock_bind(int fd, const struct addrinfo *ai)
{
    if (ai->ai_family != AF_UNIX)
        return bind(fd, ai->ai_addr, ai->ai_addrlen);
    const struct sockaddr_un *sun = (const void *)ai->ai_addr;
    remove_stale(sun);
    if (bind(fd, ai->ai_addr, ai->ai_addrlen) != 0)
        return -1;
    /* before listen(): nobody can connect yet */
    return chmod(sun->sun_path, UNIX_SOCKET_MODE);
}

bool vpcd_sock_slot_path(const char *host, unsigned slot, char *out,
                         size_t cap)
{
    int n = snprintf(out, cap, "%s.%u", host, slot);
    size_t path_len = (size_t)n - (sizeof(VPCD_UNIX_PREFIX) - 1);
    return n > 0 && (size_t)n < cap &&
           path_len < sizeof(((struct sockaddr_un *)0)->sun_path);
}
