/* SPDX-License-Identifier: LGPL-2.1-or-later */
/**
 * @file watch.h
 * @brief The reader-state watcher under card requests and monitors.
 *
 * A watch owns one backend context and the list of readers it watches
 * (all, or a subset given by name), each with the last event state the
 * backend reported (counter included, CHANGED stripped), which it feeds
 * back as the current state of the next SCardGetStatusChange: that is how
 * no change is ever missed between two waits. The plug-and-play pseudo
 * reader is always part of the wait, so an empty or absent reader set
 * blocks instead of spinning, and readers that appear are picked up.
 *
 * watch_step() hides the backend's moods: UNKNOWN_READER and PnP changes
 * re-list the readers, service loss (pcscd stopped or restarted) drops the
 * context and re-establishes it with back-off, reporting through a hook.
 * After a re-establishment every reader is new to the watch (states
 * UNAWARE) and `restarts` counts up, because event counters of the old
 * daemon mean nothing to the new one.
 *
 * Cancellation is sticky: watch_cancel() sets a flag checked before every
 * wait and repeats the backend cancel until the waiter has left the
 * backend, so a cancel arriving just before a wait starts is not lost.
 */
#ifndef SCIO_WATCH_H
#define SCIO_WATCH_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

#include "scio/internal.h"

/** Deadline meaning "never". */
#define WATCH_FOREVER UINT64_MAX

typedef struct watch_reader {
    char name[SCIO_READER_NAME_MAX + 1];
    uint32_t state;     /**< last event state without CHANGED; 0 = unseen */
    uint8_t atr[SCIO_ATR_MAX];
    size_t atr_len;
} watch_reader;

/** Service-loss hook: status and code when lost, SCIO_OK when back. */
typedef void (*watch_service_fn)(scio_status st, uint32_t code, void *user);

typedef struct watch {
    scio_context *ctx;
    be_ctx *bectx;          /**< NULL while the service is down */
    char **subset;          /**< NULL: all readers */
    size_t n_subset;
    watch_reader *r;
    size_t n, cap;
    uint32_t pnp_state;
    bool relist;
    unsigned restarts;      /**< re-establishments so far */
    bool lost;              /**< the service is down */
    unsigned backoff_ms;
    uint32_t code;          /**< last backend failure */
    watch_service_fn on_service;
    void *service_user;

    pthread_mutex_t lock;   /**< guards cancelled, in_wait, bectx swaps */
    pthread_cond_t cond;
    bool cancelled;
    bool in_wait;
} watch;

/** Open the backend context; copy the reader subset (NULL/0 = all). */
scio_status watch_init(watch *w, scio_context *ctx,
                       const char *const *subset, size_t n_subset);
void watch_fini(watch *w);

/**
 * Wait until a watched reader changes or the reader set changes, or until
 * `deadline` (scio_now_ms() clock; WATCH_FOREVER = never). SCIO_OK: the
 * reader table was updated; SCIO_E_TIMEOUT; SCIO_E_CANCELLED;
 * SCIO_E_NO_SERVICE if the deadline passed with the service down; other
 * errors from the backend.
 */
scio_status watch_step(watch *w, uint64_t deadline);

/** Look once without waiting (a timeout is not an error here). */
scio_status watch_scan(watch *w);

/** True if the reader has been seen at least once. */
static inline bool watch_seen(const watch_reader *r)
{
    return r->state != 0;
}

/** Present and not mute. */
bool watch_present(const watch_reader *r);

/** Sleep `ms` unless cancelled first. */
void watch_pause(watch *w, unsigned ms);

void watch_cancel(watch *w);
void watch_reset_cancel(watch *w);

#endif
