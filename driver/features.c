/* SPDX-License-Identifier: LGPL-2.1-or-later */
/**
 * @file features.c
 * @brief The part 10 feature list and TLV properties, as bytes.
 *
 * Pure functions with no slot and no socket, so that unit tests can check
 * the exact bytes. The ioctl numbers are written out rather than built from
 * pcsc-lite's SCARD_CTL_CODE so that they cannot silently change with a
 * platform's headers (Windows numbers its control codes differently).
 */
#include "features.h"

#include <string.h>

/* One 6-byte feature TLV: tag, length 4, ioctl in big-endian. */
static size_t feature_list(uint8_t *out)
{
    out[0] = DRV_FEATURE_GET_TLV_PROPERTIES;
    out[1] = 4;
    out[2] = (uint8_t)(DRV_IOCTL_GET_TLV_PROPERTIES >> 24);
    out[3] = (uint8_t)(DRV_IOCTL_GET_TLV_PROPERTIES >> 16);
    out[4] = (uint8_t)(DRV_IOCTL_GET_TLV_PROPERTIES >> 8);
    out[5] = (uint8_t)DRV_IOCTL_GET_TLV_PROPERTIES;
    return 6;
}

/* Properties: tag, length, value in little-endian. */
static size_t tlv_properties(uint8_t *out)
{
    uint32_t v = DRV_MAX_APDU_DATA;
    out[0] = DRV_PROPERTY_MAX_APDU_DATA;
    out[1] = 4;
    for (int i = 0; i < 4; i++)
        out[2 + i] = (uint8_t)(v >> (8 * i));
    return 6;
}

drv_control_result drv_control(uint32_t code, uint8_t *out, size_t cap,
                               size_t *returned)
{
    uint8_t buf[16];
    size_t n;
    *returned = 0;
    if (code == DRV_IOCTL_GET_FEATURE_REQUEST)
        n = feature_list(buf);
    else if (code == DRV_IOCTL_GET_TLV_PROPERTIES)
        n = tlv_properties(buf);
    else
        return DRV_CONTROL_UNSUPPORTED;
    if (!out || cap < n)
        return DRV_CONTROL_SHORT_BUFFER;
    memcpy(out, buf, n);
    *returned = n;
    return DRV_CONTROL_OK;
}
