/* SPDX-License-Identifier: LGPL-2.1-or-later */
/**
 * @file util.c
 * @brief Public wrappers over lib/core's ATR parser, hex codec and
 *        status-word texts, plus the one-line event formatter.
 *
 * The parsing itself is the project's (lib/core/atr.c, bytes.c): here the
 * results are copied into the public structures and the error values
 * mapped. A wrong TCK is reported in the structure rather than as an
 * error, as tools that display ATRs need the parse anyway. Hex input
 * accepts any whitespace between pairs (scripts, command lines) and is
 * normalised before the strict core decoder sees it.
 */
#include "scio/internal.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/atr.h"
#include "core/bytes.h"
#include "core/sw.h"

/* ---- ATR ---------------------------------------------------------------- */

static void copy_group(scio_atr_group *g, const atr_group *in)
{
    g->has_ta = in->present & ATR_TA;
    g->has_tb = in->present & ATR_TB;
    g->has_tc = in->present & ATR_TC;
    g->has_td = in->present & ATR_TD;
    g->ta = in->ta;
    g->tb = in->tb;
    g->tc = in->tc;
    g->td = in->td;
}

scio_status scio_atr_parse(const uint8_t *atr, size_t len, scio_atr *out)
{
    atr_info info;
    if (!out || (!atr && len))
        return SCIO_E_INVALID_ARG;
    memset(out, 0, sizeof(*out));
    sfc_err e = atr_parse(atr, len, &info);
    if (e != SFC_OK && e != SFC_E_CHECKSUM)
        return SCIO_E_INVALID_ATR;
    out->ts = info.ts;
    out->t0 = info.t0;
    out->n_groups = info.n_groups;
    for (size_t i = 0; i < info.n_groups; i++)
        copy_group(&out->group[i], &info.group[i]);
    out->hist_len = info.hist_len;
    memcpy(out->hist, info.hist, info.hist_len);
    out->has_tck = info.has_tck;
    out->tck = info.tck;
    out->tck_ok = info.has_tck && e == SFC_OK;
    out->protocols = info.protocols;
    out->fi = atr_fi(&info);
    out->di = atr_di(&info);
    return SCIO_OK;
}

typedef struct text_out {
    char *p;
    size_t cap, len;
} text_out;

static void put(text_out *t, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void put(text_out *t, const char *fmt, ...)
{
    va_list ap;
    char line[256];
    va_start(ap, fmt);
    int n = vsnprintf(line, sizeof(line), fmt, ap);
    va_end(ap);
    if (n < 0)
        return;
    if (t->cap > 0 && t->len < t->cap - 1)
        snprintf(t->p + t->len, t->cap - t->len, "%s", line);
    t->len += (size_t)n;
}

static void describe_group(text_out *t, const scio_atr *a, size_t i)
{
    const scio_atr_group *g = &a->group[i];
    if (g->has_ta && i == 0)
        put(t, "TA1 = %02X (Fi = %u, Di = %u)\n", g->ta, a->fi, a->di);
    else if (g->has_ta)
        put(t, "TA%zu = %02X\n", i + 1, g->ta);
    if (g->has_tb)
        put(t, "TB%zu = %02X\n", i + 1, g->tb);
    if (g->has_tc)
        put(t, "TC%zu = %02X\n", i + 1, g->tc);
    if (g->has_td)
        put(t, "TD%zu = %02X (T=%u)\n", i + 1, g->td, g->td & 0x0Fu);
}

size_t scio_atr_describe(const scio_atr *a, char *out, size_t cap)
{
    text_out t = {out, cap, 0};
    char hex[64];
    if (cap)
        out[0] = '\0';
    if (!a)
        return 0;
    put(&t, "TS = %02X (%s convention)\n", a->ts,
        a->ts == 0x3F ? "inverse" : "direct");
    put(&t, "T0 = %02X (K = %zu historical bytes)\n", a->t0, a->hist_len);
    for (size_t i = 0; i < a->n_groups; i++)
        describe_group(&t, a, i);
    hex_encode(a->hist, a->hist_len, HEX_UPPER | HEX_SPACED, hex, sizeof(hex));
    put(&t, "historical bytes: %s\n", a->hist_len ? hex : "(none)");
    if (a->has_tck)
        put(&t, "TCK = %02X (%s)\n", a->tck, a->tck_ok ? "correct" : "WRONG");
    put(&t, "protocols:");
    for (unsigned p = 0; p < 16; p++)
        if (a->protocols & (1u << p))
            put(&t, " T=%u", p);
    put(&t, "\n");
    return t.len < cap ? t.len : (cap ? cap - 1 : 0);
}

/* ---- hex ---------------------------------------------------------------- */

static bool is_space(char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' ||
           c == '\v';
}

/* Collapse whitespace runs to one space, drop leading/trailing ones. */
static char *normalise_hex(const char *text)
{
    char *n = malloc(strlen(text) + 1);
    size_t o = 0;
    bool pending = false;
    if (!n)
        return NULL;
    for (const char *s = text; *s; s++) {
        if (is_space(*s)) {
            pending = o > 0;
            continue;
        }
        if (pending)
            n[o++] = ' ';
        pending = false;
        n[o++] = *s;
    }
    n[o] = '\0';
    return n;
}

scio_status scio_hex_decode(const char *text, uint8_t *out, size_t cap,
                            size_t *len)
{
    if (!text || !len || (cap && !out))
        return SCIO_E_INVALID_ARG;
    char *n = normalise_hex(text);
    if (!n)
        return SCIO_E_NO_MEMORY;
    size_t got = 0;
    sfc_err e = hex_decode(n, out, cap, &got);
    free(n);
    if (e == SFC_E_RANGE)
        return SCIO_E_BUFFER_TOO_SMALL;
    if (e != SFC_OK)
        return SCIO_E_INVALID_ARG;
    *len = got;
    return SCIO_OK;
}

size_t scio_hex_encode(const uint8_t *data, size_t len, unsigned flags,
                       char *out, size_t cap)
{
    unsigned f = (flags & SCIO_HEX_UPPER ? HEX_UPPER : 0) |
                 (flags & SCIO_HEX_SPACED ? HEX_SPACED : 0);
    if (!out || !cap)
        return 0;
    if (!data && len) {
        out[0] = '\0';
        return 0;
    }
    return hex_encode(data, len, f, out, cap);
}

const char *scio_sw_text(uint16_t sw)
{
    return sw_text(sw);
}

/* ---- events ------------------------------------------------------------- */

static const char *disposition_name(scio_disposition d)
{
    switch (d) {
    case SCIO_LEAVE: return "leave";
    case SCIO_RESET: return "reset";
    case SCIO_UNPOWER: return "unpower";
    case SCIO_EJECT: return "eject";
    }
    return "?";
}

static void put_hex(text_out *t, const uint8_t *data, size_t len)
{
    char buf[3 * 64 + 1];
    size_t n = len > 64 ? 64 : len;
    if (len == 0) {
        put(t, "[]");
        return;
    }
    hex_encode(data, n, HEX_UPPER | HEX_SPACED, buf, sizeof(buf));
    put(t, "%s%s", buf, len > n ? " ..." : "");
}

static const char *protocol_name(unsigned p)
{
    switch (p) {
    case SCIO_PROTO_T0: return "T=0";
    case SCIO_PROTO_T1: return "T=1";
    case SCIO_PROTO_RAW: return "RAW";
    case SCIO_PROTO_T15: return "T=15";
    default: return "no protocol";
    }
}

static void put_result(text_out *t, const scio_event *ev)
{
    if (ev->result != SCIO_OK)
        put(t, " (%s)", scio_strerror(ev->result));
}

static void format_link(text_out *t, const scio_event *ev, const char *what)
{
    put(t, "%s %s", what, ev->after ? "done" : "begin");
    if (ev->type == SCIO_EV_DISCONNECT || ev->type == SCIO_EV_RECONNECT)
        put(t, " (%s)", disposition_name(ev->disposition));
    if (ev->after && ev->result == SCIO_OK && ev->type != SCIO_EV_DISCONNECT)
        put(t, " %s", protocol_name(ev->protocol));
    put_result(t, ev);
}

size_t scio_event_format(const scio_event *ev, char *out, size_t cap)
{
    text_out t = {out, cap, 0};
    if (cap)
        out[0] = '\0';
    if (!ev)
        return 0;
    switch (ev->type) {
    case SCIO_EV_CONNECT: format_link(&t, ev, "connect"); break;
    case SCIO_EV_RECONNECT: format_link(&t, ev, "reconnect"); break;
    case SCIO_EV_DISCONNECT: format_link(&t, ev, "disconnect"); break;
    case SCIO_EV_COMMAND:
        put(&t, "> ");
        put_hex(&t, ev->data, ev->len);
        break;
    case SCIO_EV_RESPONSE:
        put(&t, "< ");
        put_hex(&t, ev->data, ev->len);
        if (ev->result == SCIO_OK)
            put(&t, " %02X %02X", ev->sw >> 8, ev->sw & 0xFF);
        put_result(&t, ev);
        break;
    case SCIO_EV_CONTROL:
        put(&t, "control %08X > ", (unsigned)ev->control_code);
        put_hex(&t, ev->data, ev->len);
        break;
    case SCIO_EV_CONTROL_RESPONSE:
        put(&t, "control %08X < ", (unsigned)ev->control_code);
        put_hex(&t, ev->data, ev->len);
        put_result(&t, ev);
        break;
    }
    return t.len < cap ? t.len : (cap ? cap - 1 : 0);
}
