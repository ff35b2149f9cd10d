/* SPDX-License-Identifier: LGPL-2.1-or-later */
/**
 * @file events.h
 * @brief Event-driven card presence for pcscd's polling thread.
 *
 * The driver answers TAG_IFD_POLLING_THREAD_WITH_TIMEOUT with a function
 * that blocks until a card arrives or leaves on its slot (or the timeout
 * passes, or pcscd asks it to stop through TAG_IFD_STOP_POLLING_THREAD).
 * pcscd then calls IFDHICCPresence, which answers from the slot's state
 * without talking to the card. No GET ATR goes over the wire per poll, and
 * an idle slot costs no CPU.
 */
#ifndef SFC_DRIVER_EVENTS_H
#define SFC_DRIVER_EVENTS_H

#include <stdint.h>

#include "softcard.h"

/**
 * Wait up to `timeout_ms` (<= 0: until something happens) for a change of
 * presence on `lun`. SFC_OK after a change, a timeout or an interruption;
 * SFC_E_NOT_FOUND for a Lun that is not open.
 */
sfc_err drv_wait_event(uint32_t lun, int timeout_ms);

/**
 * End the event wait on `lun` now, or, if none is in progress, the next one
 * as soon as it starts (once: the wait after that is a normal one). pcscd
 * calls this (TAG_IFD_STOP_POLLING_THREAD) both to end its event thread and,
 * after SCardDisconnect, to restart the wait with another timeout.
 */
sfc_err drv_stop_events(uint32_t lun);

#endif
