/* SPDX-License-Identifier: LGPL-2.1-or-later */
/**
 * @file drvlog.c
 * @brief stderr log sink for the driver, its level, and APDU tracing.
 *
 * pcscd loads the driver once and may open many readers with it; the sink
 * is installed on the first one and the level only ever goes up, to the
 * highest that the environment or any reader asked for. Messages are
 * written with one fprintf() each, so lines from several slots do not mix.
 */
#include "drvlog.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>

#include "core/log.h"

static pthread_mutex_t log_lock = PTHREAD_MUTEX_INITIALIZER;
static bool log_installed;
static sfc_log_level log_level = SFC_LOG_ERROR;

static void stderr_sink(void *user, sfc_log_level level, const char *msg)
{
    static const char *const names[] = {"error", "warning", "info", "apdu",
                                        "debug"};
    (void)user;
    fprintf(stderr, "softcard-ifd: %s: %s\n",
            (unsigned)level < 5 ? names[level] : "log", msg);
}

void drv_log_setup(const drv_config *cfg)
{
    pthread_mutex_lock(&log_lock);
    sfc_log_level want = log_level;
    const char *env = getenv(DRV_LOG_ENV);
    sfc_log_level from_env;
    if (env && drv_parse_log_level(env, &from_env) && from_env > want)
        want = from_env;
    if (cfg && cfg->log_set && cfg->log_level > want)
        want = cfg->log_level;
    if (!log_installed || want != log_level) {
        log_level = want;
        log_installed = true;
        sfc_log_set(stderr_sink, NULL, log_level);
    }
    pthread_mutex_unlock(&log_lock);
}

bool drv_apdu_is_sensitive(const uint8_t *apdu, size_t len)
{
    static const uint8_t ins_list[] = {
        0x20, 0x21, /* VERIFY */
        0x24, 0x25, /* CHANGE REFERENCE DATA */
        0x26, 0x28, /* DISABLE / ENABLE VERIFICATION REQUIREMENT */
        0x2A,       /* PERFORM SECURITY OPERATION */
        0x2C, 0x2D, /* RESET RETRY COUNTER */
        0x82,       /* EXTERNAL (MUTUAL) AUTHENTICATE */
        0x86, 0x87, /* GENERAL AUTHENTICATE */
        0xDA, 0xDB  /* PUT DATA */
    };
    if (len < 2)
        return false;
    for (size_t i = 0; i < sizeof(ins_list); i++)
        if (apdu[1] == ins_list[i])
            return true;
    return false;
}

void drv_log_command(const char *who, const uint8_t *apdu, size_t len)
{
    if (!sfc_log_enabled(SFC_LOG_APDU))
        return;
    char prefix[320];
    snprintf(prefix, sizeof(prefix), "%s: C-APDU", who);
    if (len > 4 && drv_apdu_is_sensitive(apdu, len) &&
        !sfc_log_enabled(SFC_LOG_DEBUG)) {
        sfc_log(SFC_LOG_APDU, "%s %02X %02X %02X %02X (%zu more bytes hidden)",
               prefix, apdu[0], apdu[1], apdu[2], apdu[3], len - 4);
        return;
    }
    sfc_log_hex(SFC_LOG_APDU, prefix, apdu, len);
}

void drv_log_response(const char *who, const uint8_t *rapdu, size_t len)
{
    if (!sfc_log_enabled(SFC_LOG_APDU))
        return;
    if (sfc_log_enabled(SFC_LOG_DEBUG)) {
        char prefix[320];
        snprintf(prefix, sizeof(prefix), "%s: R-APDU", who);
        sfc_log_hex(SFC_LOG_DEBUG, prefix, rapdu, len);
        return;
    }
    if (len >= 2)
        sfc_log(SFC_LOG_APDU, "%s: R-APDU %zu data bytes, SW %02X%02X", who,
               len - 2, rapdu[len - 2], rapdu[len - 1]);
}
