/* SPDX-License-Identifier: LGPL-2.1-or-later */
/**
 * @file presence.h
 * @brief The card behind a slot: how it arrives, leaves, and is talked to.
 *
 * Arrival: in normal mode a card connects to the slot's port and is
 * accepted; in reversed mode the driver connects to the card, retrying with
 * back-off while nobody listens. Either way the new connection is asked for
 * its ATR once (GET ATR, `04`); a card whose ATR is empty or longer than 33
 * bytes is refused and disconnected. While connected the ATR is cached, so
 * presence checks cost no round trip.
 *
 * Departure: the card closing its socket, a socket error, a timeout or a
 * protocol violation (an empty reply, more than one reply) ejects the card:
 * the connection is closed, the removal is remembered until pcscd has been
 * told, and the event wait is woken.
 *
 * Every function here expects the slot to be locked by the caller.
 */
#ifndef SFC_DRIVER_CARD_H
#define SFC_DRIVER_CARD_H

#include <poll.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/log.h"
#include "slot.h"

/** Descriptors the event wait watches (wake pipe included). */
#define DRV_MAX_POLLFDS 3

/**
 * Without blocking (except for the ATR of a new card): accept a waiting
 * card, advance a connect attempt, notice a card that went away.
 * `from_wait` is true in the event wait. Reversed-mode connect attempts
 * (which resolve host names, and a resolver can be slow) are made only
 * there once the host uses the event wait, never in IFDHICCPresence,
 * which pcscd calls holding the reader's mutex.
 */
void drv_refresh(drv_slot *s, bool from_wait);

/** Drop the card connection: log `why` at `level`, wake the event wait. */
void drv_eject(drv_slot *s, sfc_log_level level, const char *why);

/** Reversed mode: abandon a connect attempt and the address list. */
void drv_dial_reset(drv_slot *s);

/** True when pcscd has not yet been told of an arrival or a removal. */
bool drv_changed(const drv_slot *s);

/** The presence to report now (a pending removal is reported once). */
bool drv_report_presence(drv_slot *s);

/** Fill `fds` (DRV_MAX_POLLFDS entries) for the event wait. */
size_t drv_pollfds(const drv_slot *s, struct pollfd *fds);

/** When the reversed-mode dialer wants to run again (UINT64_MAX: never). */
uint64_t drv_next_timer(const drv_slot *s);

/* ---- exchanges (xfer.c) ----------------------------------------------- */

/** Ask the card for its ATR and cache it (ejects the card on failure). */
sfc_err drv_fetch_atr(drv_slot *s);

/**
 * Send a control byte: VPCD_CTRL_OFF, or VPCD_CTRL_ON / VPCD_CTRL_RESET
 * followed by GET ATR (the ATR is cached). SFC_E_STATE without a card.
 */
sfc_err drv_power(drv_slot *s, uint8_t ctrl);

/**
 * Exchange one APDU. `*rlen` is the capacity of `rapdu` on input and the
 * response length on output. SFC_E_STATE without a card, SFC_E_RANGE when
 * the response does not fit (the card stays), SFC_E_REMOVED when the card
 * went away, SFC_E_AGAIN on timeout, SFC_E_FORMAT on a protocol error (the
 * card is ejected in the last three cases).
 */
sfc_err drv_transmit(drv_slot *s, const uint8_t *capdu, size_t clen,
                    uint8_t *rapdu, size_t *rlen);

#endif
