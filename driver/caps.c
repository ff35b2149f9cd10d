/* SPDX-License-Identifier: LGPL-2.1-or-later */
/**
 * @file caps.c
 * @brief Capabilities and attributes reported to pcscd, and the polling
 *        thread entry points it learns about through them.
 *
 * Two answers shape how pcscd uses the driver. TAG_IFD_THREAD_SAFE and
 * TAG_IFD_SLOT_THREAD_SAFE are 1 because every Lun has its own context and
 * lock, so pcscd gives each slot its own mutex and drives slots (and
 * readers) in parallel. TAG_IFD_SIMULTANEOUS_ACCESS is 16, which lets
 * several reader.conf entries load this driver at once, each as its own
 * reader index ("Virtual PCD 00 00", "Virtual PCD 01 00", ...). The polling
 * tags hand pcscd the event wait of events.c and a way to stop it, instead
 * of pthread_cancel.
 */
#include "caps.h"

#include <reader.h>
#include <string.h>

#include "events.h"

#define VENDOR_NAME "softcard"
#define VENDOR_IFD_TYPE "vpcd"

static RESPONSECODE poll_event(DWORD Lun, int timeout)
{
    return drv_wait_event((uint32_t)Lun, timeout) == SFC_OK
               ? IFD_SUCCESS : IFD_COMMUNICATION_ERROR;
}

static RESPONSECODE stop_polling(DWORD Lun)
{
    return drv_stop_events((uint32_t)Lun) == SFC_OK ? IFD_SUCCESS
                                                   : IFD_COMMUNICATION_ERROR;
}

static RESPONSECODE put_bytes(const void *data, size_t len, PDWORD length,
                              PUCHAR value)
{
    if (*length < len) {
        *length = (DWORD)len;
        return IFD_ERROR_INSUFFICIENT_BUFFER;
    }
    memcpy(value, data, len);
    *length = (DWORD)len;
    return IFD_SUCCESS;
}

static RESPONSECODE put_byte(uint8_t v, PDWORD length, PUCHAR value)
{
    return put_bytes(&v, 1, length, value);
}

static RESPONSECODE put_atr(const drv_slot *s, PDWORD length, PUCHAR value)
{
    if (s->atr_len == 0) {
        *length = 0;
        return IFD_ICC_NOT_PRESENT;
    }
    return put_bytes(s->atr, s->atr_len, length, value);
}

RESPONSECODE drv_get_capability(drv_slot *s, DWORD tag, PDWORD length,
                                PUCHAR value)
{
    RESPONSECODE (*poll_fn)(DWORD, int) = poll_event;
    RESPONSECODE (*stop_fn)(DWORD) = stop_polling;

    switch (tag) {
    case TAG_IFD_ATR:
    case SCARD_ATTR_ATR_STRING:
        return put_atr(s, length, value);
    case TAG_IFD_SLOTS_NUMBER:
        return put_byte((uint8_t)s->cfg.slots, length, value);
    case TAG_IFD_SIMULTANEOUS_ACCESS:
        return put_byte(PCSCLITE_MAX_READERS_CONTEXTS, length, value);
    case TAG_IFD_THREAD_SAFE:
    case TAG_IFD_SLOT_THREAD_SAFE:
        return put_byte(1, length, value);
    case TAG_IFD_POLLING_THREAD_KILLABLE:
        return put_byte(0, length, value);
    case TAG_IFD_POLLING_THREAD_WITH_TIMEOUT:
        return put_bytes(&poll_fn, sizeof(poll_fn), length, value);
    case TAG_IFD_STOP_POLLING_THREAD:
        return put_bytes(&stop_fn, sizeof(stop_fn), length, value);
    case SCARD_ATTR_VENDOR_NAME:
        return put_bytes(VENDOR_NAME, sizeof(VENDOR_NAME), length, value);
    case SCARD_ATTR_VENDOR_IFD_TYPE:
        return put_bytes(VENDOR_IFD_TYPE, sizeof(VENDOR_IFD_TYPE), length,
                         value);
    default:
        return IFD_ERROR_TAG;
    }
}
