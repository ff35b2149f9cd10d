/* SPDX-License-Identifier: LGPL-2.1-or-later */
/**
 * @file slot.h
 * @brief One reader slot (one Lun): its card connection, state and lock.
 *
 * pcscd names every slot of every reader by a Lun = reader << 16 | slot.
 * The driver keeps one drv_slot per Lun in a registry, so several
 * reader.conf entries using this driver never share state. Each slot has
 * its own mutex; no lock is ever held while waiting for another slot, and
 * the registry lock is only held to find a slot or count its users, never
 * across I/O. A slot stays allocated while any caller holds a reference
 * (drv_slot_get/put), which lets IFDHCloseChannel wait for the polling
 * thread instead of freeing memory under it.
 *
 * Fields after `lock` are protected by it; the ones before are fixed when
 * the slot is created.
 */
#ifndef SFC_DRIVER_SLOT_H
#define SFC_DRIVER_SLOT_H

#include <netdb.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#include "devname.h"
#include "softcard.h"
#include "vpcd/frame.h"

/** Reversed mode: the connect attempts towards a listening card. */
typedef struct drv_dialer {
    int fd;                 /**< connect in progress, or -1 */
    struct addrinfo *list;  /**< addresses of this round */
    struct addrinfo *cur;   /**< the next one to try */
    uint64_t deadline;      /**< end of the attempt in progress */
    uint64_t next_try;      /**< when the next round may start */
    unsigned backoff_ms;    /**< wait after the next failed round */
    bool quiet;             /**< failure already logged since last success */
} drv_dialer;

typedef struct drv_slot {
    struct drv_slot *next; /**< registry list */
    unsigned refs;         /**< registry users (under the registry lock) */
    uint32_t lun;
    unsigned index;        /**< slot number, lun & 0xFFFF */
    uint16_t port;         /**< cfg.port + index */
    drv_config cfg;
    char name[DRV_HOST_MAX + 64]; /**< for log lines: "00:01 127.0.0.1:35964" */
    int wake[2];           /**< self-pipe that interrupts the event wait */
    atomic_bool interrupt; /**< end the current (or next) event wait once */
    atomic_bool closing;   /**< the slot is being closed (sticky) */

    pthread_mutex_t lock;
    int listen_fd;         /**< normal mode */
    int conn_fd;           /**< the card, or -1 */
    drv_dialer dial;       /**< reversed mode */
    uint8_t atr[SFC_ATR_MAX];
    size_t atr_len;        /**< > 0 exactly while a card is connected */
    unsigned long protocol;   /**< negotiated SCARD_PROTOCOL_T0/T1, or 0 */
    bool removal_pending;     /**< a card left since the last presence report */
    bool reported_present;    /**< what the last presence report said */
    bool refusal_logged;      /**< a refused card was logged; quiet until
                                   a card is accepted */
    bool event_waits;         /**< the host calls the event wait (pcscd) */
    vpcd_decoder dec;
    uint8_t *io;              /**< one frame: VPCD_MAX_PAYLOAD + 2 bytes */
} drv_slot;

#define DRV_IO_SIZE (VPCD_MAX_PAYLOAD + VPCD_HEADER_SIZE)

/**
 * Create the slot for `lun` (normal mode: start listening on its port) and
 * register it. SFC_E_STATE if the Lun is open already, SFC_E_IO if the port
 * cannot be bound (logged with the reason), SFC_E_NOMEM.
 */
sfc_err drv_slot_open(uint32_t lun, const drv_config *cfg);

/** Unregister, stop the event wait, wait for all users, close and free. */
sfc_err drv_slot_close(uint32_t lun);

/** Find a slot and take a reference (NULL if the Lun is not open). */
drv_slot *drv_slot_get(uint32_t lun);
void drv_slot_put(drv_slot *s);

void drv_slot_lock(drv_slot *s);
void drv_slot_unlock(drv_slot *s);

/** Interrupt the event wait of this slot (any thread, any lock state). */
void drv_slot_wake(drv_slot *s);

/** Empty the wake pipe. */
void drv_slot_drain(drv_slot *s);

#endif
