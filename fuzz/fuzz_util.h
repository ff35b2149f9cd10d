/* SPDX-License-Identifier: LGPL-2.1-or-later */
/**
 * @file fuzz_util.h
 * @brief What several fuzz targets share: a deterministic random source
 *        (restarted per input with fuzz_rng_restart(), so an input replays
 *        the same way), a free loopback port and the one worker thread of
 *        card-peer targets.
 *
 * Header-only: each target is its own program and gets its own copy of
 * the generator's state.
 */
#ifndef SFC_FUZZ_UTIL_H
#define SFC_FUZZ_UTIL_H

#include <arpa/inet.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>
#include <unistd.h>

#include "softcard.h"

static uint64_t fuzz_rng_state;

static inline void fuzz_rng_restart(void)
{
    fuzz_rng_state = 0x5EED;
}

static inline sfc_err fuzz_rng_fill(void *ctx, uint8_t *out, size_t len)
{
    (void)ctx;
    for (size_t i = 0; i < len; i++) {
        fuzz_rng_state = fuzz_rng_state * 6364136223846793005u +
                         1442695040888963407u;
        out[i] = (uint8_t)(fuzz_rng_state >> 56);
    }
    return SFC_OK;
}

static const sfc_rng fuzz_fixed_rng = {fuzz_rng_fill, NULL};

/** A loopback port that was free a moment ago, or 0. */
static inline uint16_t fuzz_pick_port(void)
{
    struct sockaddr_in a = {.sin_family = AF_INET};
    socklen_t len = sizeof(a);
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    bool ok = fd >= 0 && bind(fd, (struct sockaddr *)&a, sizeof(a)) == 0 &&
              getsockname(fd, (struct sockaddr *)&a, &len) == 0;
    if (fd >= 0)
        close(fd);
    return ok ? ntohs(a.sin_port) : 0;
}

/* A card peer's socket I/O: read exactly n bytes (false at the end of the
 * stream or an error); write what the socket takes (send `flags` beside
 * MSG_NOSIGNAL; a full or closed socket loses the rest, as a wire would). */
static inline bool fuzz_read_all(int fd, uint8_t *p, size_t n)
{
    while (n > 0) {
        ssize_t r = recv(fd, p, n, 0);
        if (r <= 0)
            return false;
        p += r;
        n -= (size_t)r;
    }
    return true;
}

static inline void fuzz_write_all(int fd, const uint8_t *p, size_t n,
                                  int flags)
{
    while (n > 0) {
        ssize_t w = send(fd, p, n, MSG_NOSIGNAL | flags);
        if (w <= 0)
            return;
        p += w;
        n -= (size_t)w;
    }
}

/* The inputs of the driver, scio and sm targets are records: one byte of
 * operation, a 2-byte big-endian length and that many bytes (cut at the end
 * of the input). */
typedef struct fuzz_record {
    uint8_t op;
    const uint8_t *data;
    size_t len;
} fuzz_record;

/* The record at *off of `in`, and *off past it; false at the end. */
static inline bool fuzz_next_record(const uint8_t *in, size_t size,
                                    size_t *off, fuzz_record *r)
{
    if (*off + 3 > size)
        return false;
    r->op = in[*off];
    size_t n = (size_t)in[*off + 1] << 8 | in[*off + 2];
    *off += 3;
    if (n > size - *off)
        n = size - *off;
    r->data = in + *off;
    r->len = n;
    *off += n;
    return true;
}

/*
 * One thread for the whole process that runs `job(arg)` each time it is
 * handed work (a thread per input cost the card-peer targets more than the
 * code under test: ASan sets up every thread). `lock` and `cond` are the
 * caller's, shared with the state the job reads; `busy` is under `lock`.
 */
typedef struct fuzz_worker {
    pthread_mutex_t *lock;
    pthread_cond_t *cond;
    void (*job)(void *arg);
    void *arg;
    bool busy, started;
    pthread_t thread;
} fuzz_worker;

static inline void *fuzz_worker_main(void *p)
{
    fuzz_worker *w = p;
    pthread_mutex_lock(w->lock);
    for (;;) {
        while (!w->busy)
            pthread_cond_wait(w->cond, w->lock);
        pthread_mutex_unlock(w->lock);
        w->job(w->arg);
        pthread_mutex_lock(w->lock);
        w->busy = false;
        pthread_cond_broadcast(w->cond);
    }
    return NULL;
}

/** Start the thread the first time (false if it cannot be made). */
static inline bool fuzz_worker_ready(fuzz_worker *w)
{
    if (!w->started &&
        pthread_create(&w->thread, NULL, fuzz_worker_main, w) != 0)
        return false;
    w->started = true;
    return true;
}

/** Hand the thread its job; the caller holds `lock`. */
static inline void fuzz_worker_go(fuzz_worker *w)
{
    w->busy = true;
    pthread_cond_broadcast(w->cond);
}

/** Wait until the job has returned; the caller holds `lock`. */
static inline void fuzz_worker_wait(fuzz_worker *w)
{
    while (w->busy)
        pthread_cond_wait(w->cond, w->lock);
}

#endif
