/* SPDX-License-Identifier: LGPL-2.1-or-later */
/**
 * @file events.c
 * @brief The polling-thread function: wait on the slot's sockets for a card
 *        to arrive or leave.
 *
 * pcscd runs one event thread per slot and calls drv_wait_event() in a
 * loop, followed by IFDHICCPresence. The wait watches the listening socket
 * (a card connecting), the card socket for POLLRDHUP (the card closing; no
 * wake-up for the replies that transmissions read), a reversed-mode connect
 * in progress, and the slot's wake pipe, which every state change writes
 * to. The slot lock is released while waiting, so transmissions on the
 * slot are never held up by the wait.
 *
 * An interruption (drv_stop_events) is a one-shot token, not a state: pcscd
 * uses it on every SCardDisconnect to make the thread pick a new timeout,
 * and a sticky flag would turn the event thread into a busy loop.
 */
#include "events.h"

#include <poll.h>

#include "presence.h"
#include "net.h"

static uint64_t wait_until(const drv_slot *s, uint64_t end)
{
    uint64_t timer = drv_next_timer(s);
    return timer < end ? timer : end;
}

/* Wait with the slot unlocked; returns with it locked again. */
static void wait_unlocked(drv_slot *s, uint64_t until)
{
    struct pollfd fds[DRV_MAX_POLLFDS];
    size_t n = drv_pollfds(s, fds);
    drv_slot_unlock(s);
    int rc = poll(fds, n, until == UINT64_MAX ? -1 : net_ms_until(until));
    (void)rc; /* EINTR or an event: the loop looks again either way */
    drv_slot_lock(s);
    drv_slot_drain(s);
}

sfc_err drv_wait_event(uint32_t lun, int timeout_ms)
{
    drv_slot *s = drv_slot_get(lun);
    if (!s)
        return SFC_E_NOT_FOUND;
    uint64_t end = timeout_ms > 0 ? net_now_ms() + (uint64_t)timeout_ms
                                  : UINT64_MAX;
    drv_slot_lock(s);
    s->event_waits = true;
    while (!atomic_load(&s->closing) &&
           !atomic_exchange(&s->interrupt, false)) {
        drv_refresh(s, true);
        if (drv_changed(s) || net_now_ms() >= end)
            break;
        wait_unlocked(s, wait_until(s, end));
    }
    drv_slot_unlock(s);
    drv_slot_put(s);
    return SFC_OK;
}

sfc_err drv_stop_events(uint32_t lun)
{
    drv_slot *s = drv_slot_get(lun);
    if (!s)
        return SFC_E_NOT_FOUND;
    atomic_store(&s->interrupt, true);
    drv_slot_wake(s);
    drv_slot_put(s);
    return SFC_OK;
}
