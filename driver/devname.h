/* SPDX-License-Identifier: LGPL-2.1-or-later */
/**
 * @file devname.h
 * @brief A reader's configuration, read from its reader.conf DEVICENAME.
 *
 * The syntax is vsmartcard's, extended compatibly:
 *
 *     DEVICENAME /dev/null:PORT            the driver listens (normal mode)
 *     DEVICENAME HOST:PORT                 the driver connects (reversed mode)
 *     DEVICENAME "[IPV6]:PORT"             IPv6 literal in brackets
 *     DEVICENAME "/dev/null:PORT,slots=4,bind=0.0.0.0,timeout=5000"
 *     DEVICENAME unix:/run/softcard/vpcd     Unix-domain sockets PATH.n
 *     DEVICENAME "unix:/run/softcard/vpcd,mode=connect"   cards listen
 *
 * Slot n uses PORT + n. Without a colon the driver listens on the default
 * port 35963 (0x8C7B), as the reference does. PORT is read like strtoul(...,
 * 0): 35963, 0x8C7B and 0106173 are the same port. Options follow the port
 * after a comma. pcscd's reader.conf parser only accepts `,`, `=`, `[` and
 * `]` inside double quotes, and pcscd 1.9.9 passes the quotes on to the
 * driver, so one pair of surrounding quotes is removed here. Everything is
 * validated: a malformed DEVICENAME is refused with a one-line reason, never
 * guessed at.
 */
#ifndef SFC_DRIVER_DEVNAME_H
#define SFC_DRIVER_DEVNAME_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/log.h"
#include "softcard.h"

#define DRV_DEFAULT_SLOTS 2u
/** pcsc-lite 1.9 has room for 16 readers (PCSCLITE_MAX_READERS_CONTEXTS). */
#define DRV_MAX_SLOTS 16u
#define DRV_HOST_MAX 255u
#define DRV_DEFAULT_BIND "127.0.0.1"
#define DRV_DEFAULT_APDU_TIMEOUT_MS 10000u
#define DRV_DEFAULT_ATR_TIMEOUT_MS 2000u
#define DRV_DEFAULT_CONNECT_TIMEOUT_MS 2000u
#define DRV_MAX_TIMEOUT_MS 3600000u

typedef enum drv_mode {
    DRV_LISTEN, /**< normal mode: cards connect to the driver */
    DRV_CONNECT /**< reversed mode: the driver connects to listening cards */
} drv_mode;

typedef struct drv_config {
    drv_mode mode;
    /** Listen: the bind address. Connect: the card's host. No brackets.
     *  Or "unix:PATH" (slot n: PATH.n, see slot.c). */
    char host[DRV_HOST_MAX + 1];
    uint16_t port;               /**< slot 0's port; slot n uses port + n */
    unsigned slots;              /**< 1..DRV_MAX_SLOTS */
    unsigned apdu_timeout_ms;    /**< longest wait for a response APDU */
    unsigned atr_timeout_ms;     /**< longest wait for an ATR */
    unsigned connect_timeout_ms; /**< reversed mode: one connect attempt */
    bool log_set;                /**< log= was given */
    sfc_log_level log_level;
} drv_config;

/** Listen on 127.0.0.1:35963 with 2 slots and the default timeouts. */
void drv_config_defaults(drv_config *cfg);

/**
 * Parse a DEVICENAME. On success `cfg` holds the result; on failure it
 * holds the defaults, `why` (if not NULL) says what is wrong and the
 * result is SFC_E_FORMAT (syntax) or SFC_E_RANGE (a number out of range).
 */
sfc_err drv_config_parse(const char *devicename, drv_config *cfg, char *why,
                        size_t why_cap);

/** The legacy CHANNELID path: listen on port `channel` (1..65535). */
sfc_err drv_config_channel(unsigned long channel, drv_config *cfg, char *why,
                          size_t why_cap);

/** Level names used by log=: error, warn, info, apdu, debug (or 0..4). */
bool drv_parse_log_level(const char *text, sfc_log_level *out);

#endif
