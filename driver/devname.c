/* SPDX-License-Identifier: LGPL-2.1-or-later */
/**
 * @file devname.c
 * @brief DEVICENAME parsing: address, port and options of one reader.
 *
 * The address part keeps the reference driver's rules (split at the first
 * colon, `/dev/null` means "listen", no colon means "listen on 35963",
 * strtoul base 0 for the port) and adds what it could not express: IPv6
 * literals in brackets, host names, and comma-separated options after the
 * port. The parser works on a private copy, validates every field and
 * reports the first problem as one line for the log; it never resolves
 * names or touches the network.
 */
#include "devname.h"

#include "vpcd/sockaddr.h"

#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/errtext.h"
#include "vpcd/frame.h"

/** Room for a DEVICENAME (pcscd allows 255 bytes) plus quotes. */
#define DEVNAME_MAX 300u

static const char listen_host[] = "/dev/null";

void drv_config_defaults(drv_config *cfg)
{
    memset(cfg, 0, sizeof(*cfg));
    cfg->mode = DRV_LISTEN;
    snprintf(cfg->host, sizeof(cfg->host), "%s", DRV_DEFAULT_BIND);
    cfg->port = VPCD_DEFAULT_PORT;
    cfg->slots = DRV_DEFAULT_SLOTS;
    cfg->apdu_timeout_ms = DRV_DEFAULT_APDU_TIMEOUT_MS;
    cfg->atr_timeout_ms = DRV_DEFAULT_ATR_TIMEOUT_MS;
    cfg->connect_timeout_ms = DRV_DEFAULT_CONNECT_TIMEOUT_MS;
    cfg->log_level = SFC_LOG_ERROR;
}

__attribute__((format(printf, 3, 4)))
static sfc_err fail(char *why, size_t cap, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    sfc_verrf(why, cap, fmt, ap);
    va_end(ap);
    return SFC_E_FORMAT;
}

/* An unsigned number written like strtoul(text, NULL, base), the whole
 * string and nothing else (no sign, no blanks). */
static bool parse_number(const char *text, int base, unsigned long *out)
{
    char *end = NULL;
    if (!isdigit((unsigned char)text[0]))
        return false;
    errno = 0;
    unsigned long v = strtoul(text, &end, base);
    if (errno != 0 || end == text || *end != '\0')
        return false;
    *out = v;
    return true;
}

bool drv_parse_log_level(const char *text, sfc_log_level *out)
{
    static const char *const names[] = {"error", "warn", "info", "apdu",
                                        "debug"};
    for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
        if (strcmp(text, names[i]) == 0 ||
            (text[0] == (char)('0' + i) && text[1] == '\0')) {
            *out = (sfc_log_level)i;
            return true;
        }
    }
    return false;
}

/* Host names and address literals: letters, digits and . - _ : % only. */
static bool host_is_valid(const char *host, bool allow_colon)
{
    if (host[0] == '\0' || strlen(host) > DRV_HOST_MAX)
        return false;
    for (const char *p = host; *p; p++) {
        unsigned char c = (unsigned char)*p;
        if (isalnum(c) || c == '.' || c == '-' || c == '_' || c == '%')
            continue;
        if (c == ':' && allow_colon)
            continue;
        return false;
    }
    return true;
}

static sfc_err copy_host(char *dst, size_t dst_cap, const char *host,
                        bool bracketed, char *why, size_t cap)
{
    if (!host_is_valid(host, bracketed))
        return fail(why, cap, "\"%s\" is not a host name or address%s", host,
                    strchr(host, ':') && !bracketed
                        ? " (write IPv6 addresses in brackets: [::1]:35963)"
                        : "");
    snprintf(dst, dst_cap, "%s", host);
    return SFC_OK;
}

static sfc_err parse_port(const char *text, drv_config *cfg, char *why,
                         size_t cap)
{
    unsigned long v = 0;
    if (!parse_number(text, 0, &v) || v == 0 || v > 65535)
        return fail(why, cap, "port \"%s\" is not a number from 1 to 65535%s",
                    text, strchr(text, ':')
                        ? " (write IPv6 addresses in brackets: [::1]:35963)"
                        : "");
    cfg->port = (uint16_t)v;
    return SFC_OK;
}

/* "[v6]:port": the host between the brackets, then a mandatory port. */
static sfc_err parse_bracketed(char *addr, drv_config *cfg, char *why,
                              size_t cap)
{
    char *close = strchr(addr, ']');
    if (!close)
        return fail(why, cap, "\"%s\": missing \"]\" after the IPv6 address",
                    addr);
    *close = '\0';
    if (close[1] != ':')
        return fail(why, cap, "\"[%s]\" must be followed by :PORT", addr + 1);
    cfg->mode = DRV_CONNECT;
    sfc_err err = copy_host(cfg->host, sizeof(cfg->host), addr + 1, true,
                           why, cap);
    return err != SFC_OK ? err : parse_port(close + 2, cfg, why, cap);
}

/* "unix:PATH": slot n listens on (or, mode=connect, connects to) the
 * Unix-domain socket PATH.n, whose permissions say who may use it. */
static sfc_err parse_unix(const char *addr, drv_config *cfg, char *why,
                         size_t cap)
{
    const char *path = addr + sizeof(VPCD_UNIX_PREFIX) - 1;
    char probe[DRV_HOST_MAX + 1];
    if (path[0] != '/')
        return fail(why, cap, "\"%s\": the socket path must be absolute",
                    addr);
    if (!vpcd_sock_slot_path(addr, DRV_MAX_SLOTS - 1, probe, sizeof(probe)))
        return fail(why, cap, "\"%s\": the socket path is too long (at "
                    "most 104 bytes)", addr);
    memcpy(cfg->host, addr, strlen(addr) + 1); /* fits: probe fitted */
    cfg->mode = DRV_LISTEN;
    return SFC_OK;
}

/* The part before the options: /dev/null:PORT, HOST:PORT, [V6]:PORT,
 * unix:PATH. */
static sfc_err parse_address(char *addr, drv_config *cfg, char *why,
                            size_t cap)
{
    if (addr[0] == '[')
        return parse_bracketed(addr, cfg, why, cap);
    if (vpcd_sock_is_unix(addr))
        return parse_unix(addr, cfg, why, cap);
    char *colon = strchr(addr, ':');
    if (!colon) /* the reference: no colon = listen on the default port */
        return SFC_OK;
    *colon = '\0';
    sfc_err err = parse_port(colon + 1, cfg, why, cap);
    if (err != SFC_OK)
        return err;
    if (strcmp(addr, listen_host) == 0)
        return SFC_OK;
    cfg->mode = DRV_CONNECT;
    return copy_host(cfg->host, sizeof(cfg->host), addr, false, why, cap);
}

static sfc_err parse_ms(const char *key, const char *value, unsigned *out,
                       char *why, size_t cap)
{
    unsigned long v = 0;
    if (!parse_number(value, 10, &v) || v == 0 || v > DRV_MAX_TIMEOUT_MS) {
        fail(why, cap, "%s=%s: expected milliseconds from 1 to %u", key,
             value, DRV_MAX_TIMEOUT_MS);
        return SFC_E_RANGE;
    }
    *out = (unsigned)v;
    return SFC_OK;
}

static sfc_err parse_slots(const char *value, drv_config *cfg, char *why,
                          size_t cap)
{
    unsigned long v = 0;
    if (!parse_number(value, 10, &v) || v == 0 || v > DRV_MAX_SLOTS) {
        fail(why, cap, "slots=%s: expected a number from 1 to %u", value,
             DRV_MAX_SLOTS);
        return SFC_E_RANGE;
    }
    cfg->slots = (unsigned)v;
    return SFC_OK;
}

/* bind=ADDR or bind=[ADDR], kept in `bind` until the mode is known. */
static sfc_err parse_bind(char *value, char *bind, size_t bind_cap, char *why,
                         size_t cap)
{
    size_t n = strlen(value);
    bool bracketed = n >= 2 && value[0] == '[' && value[n - 1] == ']';
    if (bracketed) {
        value[n - 1] = '\0';
        value++;
    }
    return copy_host(bind, bind_cap, value, true, why, cap);
}

static sfc_err parse_option(char *key, char *value, drv_config *cfg,
                           char *bind, size_t bind_cap, char *why, size_t cap)
{
    if (strcmp(key, "slots") == 0)
        return parse_slots(value, cfg, why, cap);
    if (strcmp(key, "timeout") == 0)
        return parse_ms(key, value, &cfg->apdu_timeout_ms, why, cap);
    if (strcmp(key, "atr_timeout") == 0)
        return parse_ms(key, value, &cfg->atr_timeout_ms, why, cap);
    if (strcmp(key, "connect_timeout") == 0)
        return parse_ms(key, value, &cfg->connect_timeout_ms, why, cap);
    if (strcmp(key, "log") == 0) {
        if (!drv_parse_log_level(value, &cfg->log_level))
            return fail(why, cap, "log=%s: expected error, warn, info, apdu "
                        "or debug", value);
        cfg->log_set = true;
        return SFC_OK;
    }
    if (strcmp(key, "bind") == 0)
        return parse_bind(value, bind, bind_cap, why, cap);
    if (strcmp(key, "mode") == 0 && vpcd_sock_is_unix(cfg->host)) {
        if (strcmp(value, "listen") && strcmp(value, "connect"))
            return fail(why, cap, "mode=%s: expected listen or connect",
                        value);
        cfg->mode = strcmp(value, "connect") ? DRV_LISTEN : DRV_CONNECT;
        return SFC_OK;
    }
    return fail(why, cap, "unknown option \"%s\" (known: slots, bind, "
                "timeout, atr_timeout, connect_timeout, log; mode for "
                "unix:PATH)", key);
}

/* "key=value,key=value"; the last of repeated keys wins. */
static sfc_err parse_options(char *opts, drv_config *cfg, char *bind,
                            size_t bind_cap, char *why, size_t cap)
{
    char *save = NULL;
    for (char *item = strtok_r(opts, ",", &save); item;
         item = strtok_r(NULL, ",", &save)) {
        char *eq = strchr(item, '=');
        if (!eq || eq == item || eq[1] == '\0')
            return fail(why, cap, "option \"%s\" is not key=value", item);
        *eq = '\0';
        sfc_err err = parse_option(item, eq + 1, cfg, bind, bind_cap, why,
                                  cap);
        if (err != SFC_OK)
            return err;
    }
    return SFC_OK;
}

/* Copy without blanks around it and without one pair of quotes. */
static sfc_err unquote(const char *in, char *out, size_t cap, char *why,
                      size_t why_cap)
{
    while (isspace((unsigned char)*in))
        in++;
    size_t n = strlen(in);
    while (n > 0 && isspace((unsigned char)in[n - 1]))
        n--;
    if (n >= 2 && (in[0] == '"' || in[0] == '\'') && in[n - 1] == in[0]) {
        in++;
        n -= 2;
    }
    if (n >= cap)
        return fail(why, why_cap, "DEVICENAME is longer than %zu bytes",
                    cap - 1);
    memcpy(out, in, n);
    out[n] = '\0';
    return SFC_OK;
}

static sfc_err check_ports(const drv_config *cfg, char *why, size_t cap)
{
    if ((unsigned long)cfg->port + cfg->slots - 1 > 65535) {
        fail(why, cap, "port %u with %u slots goes past 65535", cfg->port,
             cfg->slots);
        return SFC_E_RANGE;
    }
    return SFC_OK;
}

static sfc_err parse_all(const char *devicename, drv_config *cfg, char *why,
                        size_t cap)
{
    char text[DEVNAME_MAX];
    char bind[DRV_HOST_MAX + 1] = "";
    sfc_err err = unquote(devicename, text, sizeof(text), why, cap);
    if (err != SFC_OK)
        return err;
    char *opts = strchr(text, ',');
    if (opts)
        *opts++ = '\0';
    err = parse_address(text, cfg, why, cap);
    if (err == SFC_OK && opts)
        err = parse_options(opts, cfg, bind, sizeof(bind), why, cap);
    if (err != SFC_OK)
        return err;
    if (bind[0] != '\0' && (cfg->mode == DRV_CONNECT ||
                            vpcd_sock_is_unix(cfg->host)))
        return fail(why, cap, "bind= applies only when the driver listens "
                    "on TCP (/dev/null:PORT)");
    if (bind[0] != '\0')
        snprintf(cfg->host, sizeof(cfg->host), "%s", bind);
    return check_ports(cfg, why, cap);
}

sfc_err drv_config_parse(const char *devicename, drv_config *cfg, char *why,
                        size_t why_cap)
{
    drv_config_defaults(cfg);
    if (why && why_cap > 0)
        why[0] = '\0';
    if (!devicename)
        return fail(why, why_cap, "no DEVICENAME");
    sfc_err err = parse_all(devicename, cfg, why, why_cap);
    if (err != SFC_OK)
        drv_config_defaults(cfg);
    return err;
}

sfc_err drv_config_channel(unsigned long channel, drv_config *cfg, char *why,
                          size_t why_cap)
{
    drv_config_defaults(cfg);
    if (channel == 0 || channel > 65535 - (DRV_DEFAULT_SLOTS - 1)) {
        fail(why, why_cap, "CHANNELID %lu is not a port from 1 to %u",
             channel, 65535 - (DRV_DEFAULT_SLOTS - 1));
        return SFC_E_RANGE;
    }
    cfg->port = (uint16_t)channel;
    return SFC_OK;
}
