/* SPDX-License-Identifier: LGPL-2.1-or-later */
/**
 * @file internal.h
 * @brief Shared insides of libscio: the context, reader lists and small
 *        helpers used by several files.
 */
#ifndef SCIO_INTERNAL_H
#define SCIO_INTERNAL_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "scio.h"
#include "scio/backend.h"

struct scio_context {
    scio_backend kind;
    const be_ops *ops;
    void *backend;         /**< direct server, NULL for pcsc */
    pthread_mutex_t lock;  /**< guards own and code */
    be_ctx *own;           /**< for listing readers; NULL until needed */
    uint32_t code;
};

struct scio_reader_list {
    char **names;
    size_t n;
};

/** Open a backend context for an object of `ctx`. */
uint32_t ctx_open(scio_context *ctx, be_ctx **out);

/** A PC/SC code as a status, SCIO_OK for success. */
static inline scio_status rv_status(uint32_t rv)
{
    return rv == RV_SUCCESS ? SCIO_OK : scio_status_from_pcsc(rv);
}

/** Split a double-NUL multi-string into a reader list (names copied). */
scio_status reader_list_from_multi(const char *multi, size_t len,
                                   scio_reader_list **out);

/** Copy `src` into `dst` of `cap` bytes; false if it does not fit. */
bool copy_name(char *dst, size_t cap, const char *src);

/** Monotonic milliseconds. */
uint64_t scio_now_ms(void);

/** Sleep on `cond` (CLOCK_MONOTONIC) until `deadline_ms` or a signal. */
void cond_wait_until(pthread_cond_t *cond, pthread_mutex_t *m,
                     uint64_t deadline_ms);

/** Initialise a condition variable on CLOCK_MONOTONIC. */
int cond_init_monotonic(pthread_cond_t *cond);

#endif
