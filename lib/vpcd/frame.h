/* SPDX-License-Identifier: LGPL-2.1-or-later */
/**
 * @file frame.h
 * @brief The vpcd wire format as a pure byte-stream codec.
 *
 * Every message in both directions is a 2-byte big-endian length followed by
 * that many payload bytes (at most 65535). A TCP stream may split a frame or
 * carry several frames in one segment (e.g. 00 01 02 00 01 04 = reset, then
 * GET ATR); the decoder is a state machine fed with whatever bytes arrived
 * and reports a frame only once it is complete. It knows nothing about
 * sockets; the card emulator, the reader driver and scio's direct backend
 * all use it.
 *
 * Payload meaning (reader to card): length 1 = control byte (00 power off,
 * 01 power on, 02 reset, 04 GET ATR, others unknown); length 0 = protocol
 * error; length >= 2 = command APDU. Card to reader: the ATR or a response
 * APDU, never empty.
 */
#ifndef SFC_VPCD_FRAME_H
#define SFC_VPCD_FRAME_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "softcard.h"

#define VPCD_MAX_PAYLOAD 65535u
#define VPCD_HEADER_SIZE 2u
#define VPCD_DEFAULT_PORT 35963u /* 0x8C7B */

enum vpcd_ctrl {
    VPCD_CTRL_OFF = 0x00,
    VPCD_CTRL_ON = 0x01,
    VPCD_CTRL_RESET = 0x02,
    VPCD_CTRL_ATR = 0x04
};

typedef enum vpcd_msg_kind {
    VPCD_MSG_EMPTY,    /**< zero-length payload (protocol error) */
    VPCD_MSG_POWER_OFF,
    VPCD_MSG_POWER_ON,
    VPCD_MSG_RESET,
    VPCD_MSG_GET_ATR,
    VPCD_MSG_UNKNOWN_CTRL, /**< any other 1-byte payload */
    VPCD_MSG_APDU      /**< 2 bytes or more */
} vpcd_msg_kind;

/** Classify a complete payload received by the card side. */
vpcd_msg_kind vpcd_classify(const uint8_t *payload, size_t len);

typedef struct vpcd_decoder {
    uint8_t header[VPCD_HEADER_SIZE];
    uint8_t header_got; /**< 0..2 header bytes received */
    size_t need;        /**< payload length announced by the header */
    size_t got;         /**< payload bytes received so far */
    uint8_t *payload;   /**< VPCD_MAX_PAYLOAD bytes, owned */
} vpcd_decoder;

/** Allocate the payload buffer; SFC_E_NOMEM on failure. */
sfc_err vpcd_decoder_init(vpcd_decoder *d);
void vpcd_decoder_free(vpcd_decoder *d);
/** Forget any partial frame (e.g. after the connection was replaced). */
void vpcd_decoder_reset(vpcd_decoder *d);
/** True if no partial frame is buffered. */
bool vpcd_decoder_idle(const vpcd_decoder *d);

/**
 * Consume bytes from `in` (at most `len`), stopping right after the first
 * frame that completes. Returns the number of bytes consumed. When a frame
 * completed, `*frame` and `*frame_len` describe its payload (valid until
 * the next call) and the function returns with *complete = true; call again
 * with the remaining bytes to decode coalesced frames. A zero-length frame
 * completes with frame_len 0.
 */
size_t vpcd_decoder_feed(vpcd_decoder *d, const uint8_t *in, size_t len,
                         const uint8_t **frame, size_t *frame_len,
                         bool *complete);

/**
 * Write header and payload into `out` (which needs len + 2 bytes) so that
 * the frame can be sent with one write. SFC_E_INVAL for len 0 (never send an
 * empty frame) or len > 65535, SFC_E_RANGE if `cap` is too small.
 */
sfc_err vpcd_frame_encode(const uint8_t *payload, size_t len, uint8_t *out,
                         size_t cap, size_t *out_len);

#endif
