/* SPDX-License-Identifier: LGPL-2.1-or-later */
/**
 * @file addr.c
 * @brief Text forms of socket addresses and the local address for vicc:// URLs.
 *
 * The local address is found by enumerating the interfaces (getifaddrs),
 * never by reaching out to the network, so reversed mode works on an
 * offline machine; without a usable interface it is the loopback address
 * (why: docs/decisions.md, "Reversed mode is local by default").
 */
#include "vpcd/addr.h"

#include <arpa/inet.h>
#include <ifaddrs.h>
#include <net/if.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <sys/un.h>

void vpcd_addr_host(const struct sockaddr *sa, char *out, size_t cap)
{
    const void *raw = NULL;

    if (sa && sa->sa_family == AF_INET)
        raw = &((const struct sockaddr_in *)(const void *)sa)->sin_addr;
    else if (sa && sa->sa_family == AF_INET6)
        raw = &((const struct sockaddr_in6 *)(const void *)sa)->sin6_addr;
    if (!raw || !inet_ntop(sa->sa_family, raw, out, (socklen_t)cap))
        snprintf(out, cap, "?");
}

uint16_t vpcd_addr_port(const struct sockaddr *sa)
{
    if (sa && sa->sa_family == AF_INET)
        return ntohs(((const struct sockaddr_in *)(const void *)sa)->sin_port);
    if (sa && sa->sa_family == AF_INET6)
        return ntohs(
            ((const struct sockaddr_in6 *)(const void *)sa)->sin6_port);
    return 0;
}

void vpcd_hostport(const char *host, uint16_t port, char *out, size_t cap)
{
    if (strchr(host, ':'))
        snprintf(out, cap, "[%s]:%u", host, (unsigned)port);
    else
        snprintf(out, cap, "%s:%u", host, (unsigned)port);
}

void vpcd_addr_format(const struct sockaddr *sa, char *out, size_t cap)
{
    char host[INET6_ADDRSTRLEN];

    if (sa && sa->sa_family == AF_UNIX) {
        snprintf(out, cap, "unix:%s",
                 ((const struct sockaddr_un *)(const void *)sa)->sun_path);
        return;
    }
    vpcd_addr_host(sa, host, sizeof(host));
    vpcd_hostport(host, vpcd_addr_port(sa), out, cap);
}

bool vpcd_addr_is_wildcard(const struct sockaddr *sa)
{
    if (sa && sa->sa_family == AF_INET)
        return ((const struct sockaddr_in *)(const void *)sa)
                   ->sin_addr.s_addr == htonl(INADDR_ANY);
    if (sa && sa->sa_family == AF_INET6)
        return IN6_IS_ADDR_UNSPECIFIED(
            &((const struct sockaddr_in6 *)(const void *)sa)->sin6_addr);
    return false;
}

/* Rank an interface address: 2 = IPv4, 1 = global IPv6, 0 = unusable. */
static int address_rank(const struct ifaddrs *ifa)
{
    const struct sockaddr *sa = ifa->ifa_addr;

    if (!sa || !(ifa->ifa_flags & IFF_UP) || (ifa->ifa_flags & IFF_LOOPBACK))
        return 0;
    if (sa->sa_family == AF_INET)
        return 2;
    if (sa->sa_family == AF_INET6) {
        const struct in6_addr *a =
            &((const struct sockaddr_in6 *)(const void *)sa)->sin6_addr;
        if (IN6_IS_ADDR_LINKLOCAL(a) || IN6_IS_ADDR_LOOPBACK(a) ||
            IN6_IS_ADDR_V4MAPPED(a))
            return 0;
        return 1;
    }
    return 0;
}

void vpcd_local_address(char *out, size_t cap)
{
    struct ifaddrs *list = NULL;
    const struct ifaddrs *best = NULL;
    int best_rank = 0;

    snprintf(out, cap, "127.0.0.1");
    if (getifaddrs(&list) != 0)
        return;
    for (const struct ifaddrs *ifa = list; ifa; ifa = ifa->ifa_next) {
        int rank = address_rank(ifa);
        if (rank > best_rank) {
            best = ifa;
            best_rank = rank;
        }
    }
    if (best)
        vpcd_addr_host(best->ifa_addr, out, cap);
    freeifaddrs(list);
}

sfc_err vpcd_url(const char *scheme, const char *host, uint16_t port,
                char *out, size_t cap)
{
    char hp[VPCD_ADDR_TEXT_MAX + 256];
    int n;

    vpcd_hostport(host, port, hp, sizeof(hp));
    n = snprintf(out, cap, "%s://%s", scheme, hp);
    return (n < 0 || (size_t)n >= cap) ? SFC_E_RANGE : SFC_OK;
}
