/* SPDX-License-Identifier: LGPL-2.1-or-later */
/**
 * @file drvlog.h
 * @brief The driver's log sink and APDU tracing with secrets masked.
 *
 * The driver logs through lib/core/log.h into a sink that writes one line
 * per message to stderr, which `pcscd -f` shows next to its own output (and
 * the journal keeps when pcscd runs as a service). It is quiet by default:
 * errors only. The level is the highest of the environment variable
 * SOFTCARD_DRIVER_LOG and the `log=` option of any reader's DEVICENAME
 * (error, warn, info, apdu, debug).
 *
 * At the apdu level command APDUs are logged, except that the data of
 * commands that may carry secrets (VERIFY, CHANGE REFERENCE DATA, RESET
 * RETRY COUNTER, ENABLE/DISABLE VERIFICATION REQUIREMENT, PSO, EXTERNAL
 * and GENERAL AUTHENTICATE, PUT DATA) is replaced by its length; responses
 * are logged as length and status word. Only the debug level shows every
 * byte.
 */
#ifndef SFC_DRIVER_DRVLOG_H
#define SFC_DRIVER_DRVLOG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "devname.h"

#define DRV_LOG_ENV "SOFTCARD_DRIVER_LOG"

/** Install the stderr sink (once) and raise the level for `cfg`. */
void drv_log_setup(const drv_config *cfg);

/** True for instructions whose data may hold PINs, keys or plaintext. */
bool drv_apdu_is_sensitive(const uint8_t *apdu, size_t len);

/** Trace a command APDU (masked unless the level is debug). */
void drv_log_command(const char *who, const uint8_t *apdu, size_t len);

/** Trace a response APDU (length and SW; every byte at debug level). */
void drv_log_response(const char *who, const uint8_t *rapdu, size_t len);

#endif
