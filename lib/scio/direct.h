/* SPDX-License-Identifier: LGPL-2.1-or-later */
/**
 * @file direct.h
 * @brief The direct backend's insides: libscio playing the vpcd reader.
 *
 * A direct server (dsrv) is what pcscd plus vpcd are for the pcsc backend:
 * it owns the reader slots, their sockets and their state, and one I/O
 * thread that accepts cards (normal mode), connects to listening cards
 * (reversed mode), notices removals and powers idle cards off after the
 * grace period. Backend contexts and card handles (direct_ops.c,
 * direct_card.c) act on the slots under the server lock.
 *
 * Locking: `lock` protects every slot field marked "locked" below. A
 * thread that talks to a card marks the slot `busy`, drops the lock for
 * the socket I/O and takes it again afterwards (slot_io); the I/O thread
 * never touches a busy slot's socket. Exchanges run on the caller's
 * thread; the I/O thread watches idle card sockets for hang-ups only
 * (POLLRDHUP, not POLLIN), so an exchange does not wake it. `changed` is broadcast on every
 * reader state change (waiters of get_status_change), `idle` whenever a
 * slot stops being busy or a transaction ends.
 *
 * Attaching: a card that just connected is asked its ATR and the I/O
 * thread collects the answer from its poll loop as bytes arrive, so a
 * silent, slow or truncated card delays no other slot. While `attaching`:
 * fd >= 0, !present, !powered, !busy, attach_at is the deadline, and only
 * the I/O thread reads fd and feeds `dec` (callers see an empty slot and
 * never touch fd). It ends with the ATR taken (present) or the card
 * ejected (fd -1); either way `attaching` is false again.
 */
#ifndef SCIO_DIRECT_H
#define SCIO_DIRECT_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

#include <netdb.h>

#include "scio/backend.h"
#include "vpcd/frame.h"

#define DIRECT_MAX_SLOTS 16

typedef struct dslot {
    unsigned index;
    char name[SCIO_READER_NAME_MAX + 1];
    bool reversed;
    char host[256];
    uint16_t port;
    int listen_fd;      /**< normal mode listener */
    int connect_fd;     /**< reversed mode: connect in progress, else -1 */
    uint64_t retry_at;  /**< reversed mode: next attempt (ms), 0 = none */
    struct addrinfo *addrs; /**< reversed mode: the card's addresses,
                                 resolved once (I/O thread only) */
    unsigned backoff_ms;

    /* locked: */
    int fd;             /**< the card's socket, -1 without a card */
    bool present;
    bool powered;
    unsigned protocol;  /**< negotiated since power-up, 0 = not yet */
    uint8_t atr[SCIO_ATR_MAX];
    size_t atr_len;
    uint16_t counter;   /**< insertions + removals, as pcsc-lite's */
    uint32_t gen;       /**< insertion number: handles of older cards are
                             "removed" */
    uint32_t epoch;     /**< reset/power-off number: handles that have not
                             seen the latest one get W_RESET_CARD */
    unsigned handles;
    bool exclusive;
    const void *txn_owner; /**< be_card holding a transaction, or NULL */
    uint64_t grace_at;  /**< power off at this time (ms), 0 = no */
    bool busy;          /**< a thread is exchanging frames on fd: the
                             slot's lock (one exchange at a time) */
    bool unwatched;     /**< the I/O thread left fd out while busy */
    bool attaching;     /**< GET ATR sent, its answer not yet whole */
    uint64_t attach_at; /**< attaching: eject the card at this time (ms) */
    vpcd_decoder dec;   /**< used only by the busy holder, or by the I/O
                             thread while attaching */
} dslot;

typedef struct dsrv {
    pthread_mutex_t lock;
    pthread_cond_t changed;
    pthread_cond_t idle;
    dslot slots[DIRECT_MAX_SLOTS];
    size_t n_slots;
    int wake[2];        /**< self-pipe waking the I/O thread */
    pthread_t thread;
    bool thread_started;
    bool stopping;      /**< locked */
    int grace_ms;       /**< < 0: never power off by itself */
    int io_timeout_ms;  /**< < 0: wait for ever */
    int atr_timeout_ms; /**< the ATR of a new card (read by the I/O thread,
                             so short: a silent card stalls no other) */
} dsrv;

/** A backend context of the direct backend. */
struct be_ctx {
    dsrv *srv;
    bool waiting;   /**< locked: in get_status_change */
    bool cancelled; /**< locked: cancel arrived during that wait */
};

/** A card handle of the direct backend. */
struct be_card {
    be_ctx *ctx;
    dslot *slot;
    unsigned share;
    unsigned protocol; /**< active protocol, 0 for DIRECT */
    uint32_t gen;      /**< the insertion this handle belongs to */
    uint32_t epoch;    /**< the last reset this handle acknowledged */
};

/** Monotonic milliseconds. */
uint64_t direct_now_ms(void);

/** Create the server: bind listeners, start the I/O thread. */
scio_status direct_srv_new(const scio_context_opts *opts, dsrv **out);
void direct_srv_free(dsrv *s);

/** Wake the I/O thread (after busy cleared, grace armed, ...). */
void direct_wake(dsrv *s);

/** The slot named `reader`, or NULL. */
dslot *direct_find_slot(dsrv *s, const char *reader);

/* ---- card I/O (direct_io.c); all with the lock held ------------------- */

/** The card went away: close, count the removal, tell the waiters. */
void slot_eject(dsrv *s, dslot *sl);

/**
 * A card connected on `fd`: send GET ATR without waiting and mark the slot
 * attaching until the ATR timeout. Closes fd and returns false if the
 * request cannot be sent at once.
 */
bool slot_attach(dsrv *s, dslot *sl, int fd);

typedef enum attach_result {
    ATTACH_PENDING, /**< the ATR is not whole yet */
    ATTACH_DONE,    /**< the card is present with its ATR */
    ATTACH_FAILED   /**< closed, empty or oversized answer: ejected */
} attach_result;

/**
 * An attaching card's socket is readable: take what arrived, never more
 * than the ATR frame, never blocking. Called by the I/O thread only.
 */
attach_result slot_attach_read(dsrv *s, dslot *sl);

/** Power the card on (01, 04): RV_SUCCESS or RV_E_NO_SMARTCARD. */
uint32_t slot_power_on(dsrv *s, dslot *sl);
/** Warm reset (02, 04). */
uint32_t slot_reset(dsrv *s, dslot *sl);
/** Power off (00). */
uint32_t slot_power_off(dsrv *s, dslot *sl);

/**
 * Exchange one APDU: send `cmd`, receive the response into `resp`
 * (capacity `*resp_len`). RV_W_REMOVED_CARD if the card went away,
 * RV_E_INSUFFICIENT_BUFFER (with the needed size) if it does not fit.
 */
uint32_t slot_apdu(dsrv *s, dslot *sl, const uint8_t *cmd, size_t len,
                   uint8_t *resp, size_t *resp_len);

/** Reader state bits of a slot (SCARD_STATE_* with the counter). */
uint32_t slot_reader_state(const dslot *sl);

/* ---- card handles (direct_card.c): the be_ops card functions ---------- */

uint32_t direct_connect(be_ctx *c, const char *reader, unsigned share,
                        unsigned protocols, be_card **card, unsigned *active);
uint32_t direct_reconnect(be_card *k, unsigned share, unsigned protocols,
                          unsigned init, unsigned *active);
uint32_t direct_disconnect(be_card *k, unsigned disposition);
uint32_t direct_status(be_card *k, uint32_t *state, unsigned *protocol,
                       uint8_t *atr, size_t *atr_len);
uint32_t direct_transmit(be_card *k, unsigned protocol, const uint8_t *send,
                         size_t send_len, uint8_t *recv, size_t *recv_len);
uint32_t direct_control(be_card *k, uint32_t code, const uint8_t *in,
                        size_t in_len, uint8_t *out, size_t *out_len);
uint32_t direct_get_attrib(be_card *k, uint32_t id, uint8_t *buf,
                           size_t *len);
uint32_t direct_set_attrib(be_card *k, uint32_t id, const uint8_t *buf,
                           size_t len);
uint32_t direct_begin(be_card *k);
uint32_t direct_end(be_card *k, unsigned disposition);


#endif
