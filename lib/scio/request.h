/* SPDX-License-Identifier: LGPL-2.1-or-later */
/**
 * @file request.h
 * @brief Card requests inside: the watch plus two ledgers, one for
 *        "new card only" and one for the events already reported.
 *
 * A ledger entry records, per reader, what a consumer last knew: whether
 * a (wanted) card was there, its ATR and the reader's event counter. The
 * counter is comparable only within one daemon lifetime: entries carry the
 * watch's restart number and counters of another lifetime are ignored
 * (then presence and ATR decide).
 */
#ifndef SCIO_REQUEST_H
#define SCIO_REQUEST_H

#include "scio/watch.h"

typedef struct ledger_entry {
    char name[SCIO_READER_NAME_MAX + 1];
    bool present;
    uint8_t atr[SCIO_ATR_MAX];
    size_t atr_len;
    uint16_t counter;
    unsigned restarts; /**< watch lifetime the counter belongs to */
} ledger_entry;

typedef struct ledger {
    ledger_entry *e;
    size_t n, cap;
} ledger;

struct scio_card_request {
    watch w;
    const scio_card_type *type;
    bool new_only;
    bool have_base;
    ledger base;      /**< new_card_only: readers as last examined */
    ledger reported;  /**< wait_event: what the caller has been told */
    scio_card_event *pending;
    size_t n_pending, pending_cap;
};

/**
 * Forget what was reported and look at the readers once: with `keep` the
 * cards found wait as INSERTED events (initial snapshot), without it they
 * are taken as known (baseline).
 */
scio_status request_baseline(scio_card_request *req, bool keep);

#endif
