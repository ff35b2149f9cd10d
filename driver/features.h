/* SPDX-License-Identifier: LGPL-2.1-or-later */
/**
 * @file features.h
 * @brief PC/SC part 10 features: what IFDHControl answers.
 *
 * CM_IOCTL_GET_FEATURE_REQUEST lists one feature, FEATURE_GET_TLV_PROPERTIES
 * (TLV 12 04 42 33 00 12, the ioctl big-endian, numbered as libccid and
 * vsmartcard do). That ioctl returns one property, dwMaxAPDUDataSize, in
 * little-endian.
 *
 * Its value is DRV_MAX_APDU_DATA = 65526: the largest case 4E command that
 * fits a 65535-byte vpcd frame (4 header + 3 Lc + 65526 data + 2 Le bytes),
 * so every APDU a client sizes by it also fits the wire (why not 65536, as
 * vsmartcard advertises: docs/decisions.md). No PIN pad, PACE or display
 * features are advertised: the driver implements none.
 */
#ifndef SFC_DRIVER_FEATURES_H
#define SFC_DRIVER_FEATURES_H

#include <stddef.h>
#include <stdint.h>

#include "vpcd/frame.h"

/** Largest Nc that fits a frame in every APDU case (4 + 3 + Nc + 2). */
#define DRV_MAX_APDU_DATA (VPCD_MAX_PAYLOAD - 4u - 3u - 2u)

/** SCARD_CTL_CODE(3400) */
#define DRV_IOCTL_GET_FEATURE_REQUEST 0x42000D48u
/** SCARD_CTL_CODE(0x330000 + FEATURE_GET_TLV_PROPERTIES) */
#define DRV_IOCTL_GET_TLV_PROPERTIES 0x42330012u
#define DRV_FEATURE_GET_TLV_PROPERTIES 0x12u
#define DRV_PROPERTY_MAX_APDU_DATA 0x0Au

typedef enum drv_control_result {
    DRV_CONTROL_OK,
    DRV_CONTROL_UNSUPPORTED, /**< unknown control code */
    DRV_CONTROL_SHORT_BUFFER /**< the answer does not fit */
} drv_control_result;

/**
 * Answer a control code into `out` (`cap` bytes); `*returned` is the answer
 * length (0 unless DRV_CONTROL_OK).
 */
drv_control_result drv_control(uint32_t code, uint8_t *out, size_t cap,
                               size_t *returned);

#endif
