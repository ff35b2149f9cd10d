/* SPDX-License-Identifier: LGPL-2.1-or-later */
/**
 * @file caps.h
 * @brief IFDHGetCapabilities: what the driver tells pcscd about a slot.
 */
#ifndef SFC_DRIVER_CAPS_H
#define SFC_DRIVER_CAPS_H

#include <ifdhandler.h>

#include "slot.h"

/**
 * Answer `tag` for slot `s` (locked by the caller). Tags: TAG_IFD_ATR and
 * SCARD_ATTR_ATR_STRING (the cached ATR), TAG_IFD_SLOTS_NUMBER,
 * TAG_IFD_SIMULTANEOUS_ACCESS, TAG_IFD_THREAD_SAFE and
 * TAG_IFD_SLOT_THREAD_SAFE (both 1), the polling-thread tags, and the
 * vendor name and type attributes. Anything else is IFD_ERROR_TAG.
 */
RESPONSECODE drv_get_capability(drv_slot *s, DWORD tag, PDWORD length,
                                PUCHAR value);

#endif
