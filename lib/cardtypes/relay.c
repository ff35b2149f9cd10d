/* SPDX-License-Identifier: LGPL-2.1-or-later */
/**
 * @file relay.c
 * @brief The relay card type: a virtual card that forwards everything to
 *        a card in another reader, through libscio.
 *
 * The near side is whatever reader this card sits in (through vpcd); the
 * far side is a PC/SC reader chosen with the "reader" parameter (index,
 * name or unique part of a name; `--reader` on the command line), which
 * may hold a real card or another virtual one. The ATR is the far card's.
 * Power events are forwarded: power-on connects (the far card powers up),
 * reset becomes a warm reset of the far card (the reference did a cold
 * power cycle), power-off disconnects with UNPOWER. APDUs go through
 * unchanged (scio_transmit_raw: no GET RESPONSE of its own, the near
 * client does that), optionally through a man-in-the-middle plugin
 * ("mitm" parameter, ABI in softcard_mitm.h).
 *
 * Far-side trouble never ends the process (the reference exits): a far
 * card that is gone (removed, reader or pcscd gone) makes this card
 * report removal (SFC_E_REMOVED: the vpcd link takes the card out of its
 * reader); a far card reset by someone else is reconnected and the
 * command retried once; anything else answers 6F00.
 *
 * All calls happen on the softcard loop's thread; a far exchange blocks
 * that loop for its duration.
 */
#include "cardtypes/cardtypes.h"

#include <dlfcn.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/errtext.h"
#include "core/log.h"
#include "scio.h"
#include "softcard_mitm.h"

typedef struct relay_mitm {
    void *dl;
    void *state;
    softcard_mitm_close_fn close;
    softcard_mitm_command_fn command;
    softcard_mitm_response_fn response;
} relay_mitm;

typedef struct relay_state {
    scio_context *ctx;
    scio_connection *conn;
    char reader[SCIO_READER_NAME_MAX + 1];
    bool gone;        /**< the far card went away: report removal */
    relay_mitm mitm;
    uint8_t *cmd;     /**< SOFTCARD_MITM_BUFFER bytes */
    uint8_t *resp;    /**< SOFTCARD_MITM_BUFFER bytes */
} relay_state;

static const uint8_t sw_no_diagnosis[2] = {0x6F, 0x00};

/* Errors after which the far card is not coming back by itself. */
static bool far_gone(scio_status st)
{
    return st == SCIO_E_NO_CARD || st == SCIO_E_CARD_REMOVED ||
           st == SCIO_E_UNKNOWN_READER || st == SCIO_E_NO_SERVICE ||
           st == SCIO_E_NO_READERS || st == SCIO_E_RELEASED;
}

/* ---- the MITM plugin ---------------------------------------------------- */

static sfc_err mitm_load(relay_mitm *m, const char *path, const char *reader,
                        char *err, size_t errlen)
{
    m->dl = dlopen(path, RTLD_NOW | RTLD_LOCAL);
    if (!m->dl) {
        sfc_errf(err, errlen, "relay: cannot load MITM plugin %s: %s", path,
                dlerror());
        return SFC_E_INVAL;
    }
    const unsigned *abi = dlsym(m->dl, "softcard_mitm_abi");
    softcard_mitm_open_fn open =
        (softcard_mitm_open_fn)dlsym(m->dl, "softcard_mitm_open");
    m->close = (softcard_mitm_close_fn)dlsym(m->dl, "softcard_mitm_close");
    m->command = (softcard_mitm_command_fn)dlsym(
        m->dl, "softcard_mitm_handle_command");
    m->response = (softcard_mitm_response_fn)dlsym(
        m->dl, "softcard_mitm_handle_response");
    if (!abi || *abi != SOFTCARD_MITM_ABI || (!m->command && !m->response)) {
        sfc_errf(err, errlen, "relay: %s is not a MITM plugin of ABI %u "
                "(see softcard_mitm.h)", path, SOFTCARD_MITM_ABI);
        return SFC_E_INVAL;
    }
    m->state = open ? open(reader) : NULL;
    return SFC_OK;
}

static void mitm_unload(relay_mitm *m)
{
    if (m->dl && m->close)
        m->close(m->state);
    if (m->dl)
        dlclose(m->dl);
    memset(m, 0, sizeof(*m));
}

/* ---- the far connection ------------------------------------------------- */

static void take_atr(sfc_card *card, relay_state *rs)
{
    uint8_t atr[SCIO_ATR_MAX];
    size_t len = 0;
    if (scio_get_atr(rs->conn, atr, &len) == SCIO_OK && len > 0)
        sfc_card_set_atr(card, atr, len);
}

/* Connect to the far card unless connected; marks it gone if it is. */
static scio_status far_connect(sfc_card *card, relay_state *rs)
{
    if (scio_is_connected(rs->conn))
        return SCIO_OK;
    scio_status st = scio_connect(rs->conn, SCIO_PROTO_ANY, SCIO_SHARE_SHARED,
                                  SCIO_LEAVE);
    if (st == SCIO_OK)
        take_atr(card, rs);
    else
        sfc_log(SFC_LOG_WARN, "%s: cannot connect to the card in '%s': %s",
               card->label, rs->reader, scio_strerror(st));
    rs->gone = far_gone(st);
    return st;
}

static sfc_err open_far(sfc_card *card, relay_state *rs, const char *spec,
                       char *err, size_t errlen)
{
    scio_status st = scio_context_new(NULL, &rs->ctx);
    if (st != SCIO_OK) {
        sfc_errf(err, errlen, "relay: cannot reach pcscd: %s", scio_strerror(st));
        return SFC_E_IO;
    }
    st = scio_find_reader(rs->ctx, spec, rs->reader);
    if (st != SCIO_OK) {
        sfc_errf(err, errlen, "relay: no reader '%s' (%s; 'scio list' shows "
                "the readers)", spec, scio_strerror(st));
        return SFC_E_IO;
    }
    st = scio_connection_new(rs->ctx, rs->reader, &rs->conn);
    if (st == SCIO_OK)
        st = far_connect(card, rs);
    if (st != SCIO_OK) {
        sfc_errf(err, errlen, "relay: cannot connect to the card in '%s': %s",
                rs->reader, scio_strerror(st));
        return SFC_E_IO;
    }
    return SFC_OK;
}

/* ---- the card type ------------------------------------------------------ */

static void relay_detach(sfc_card *card)
{
    relay_state *rs = card->type_state;
    if (!rs)
        return;
    mitm_unload(&rs->mitm);
    scio_connection_free(rs->conn); /* disconnects with LEAVE */
    scio_context_free(rs->ctx);
    free(rs->cmd);
    free(rs->resp);
    free(rs);
    card->type_state = NULL;
}

static sfc_err relay_attach(sfc_card *card, const sfc_card_options *opts,
                           char *err, size_t errlen)
{
    const char *spec = sfc_param_get(opts, "reader");
    const char *mitm = sfc_param_get(opts, "mitm");
    sfc_err e;
    relay_state *rs = calloc(1, sizeof(*rs));
    if (!rs)
        return SFC_E_NOMEM;
    card->type_state = rs;
    rs->cmd = malloc(SOFTCARD_MITM_BUFFER);
    rs->resp = malloc(SOFTCARD_MITM_BUFFER);
    if (!rs->cmd || !rs->resp)
        return SFC_E_NOMEM; /* freed by relay_detach */
    e = open_far(card, rs, spec ? spec : "0", err, errlen);
    if (e == SFC_OK && mitm)
        e = mitm_load(&rs->mitm, mitm, rs->reader, err, errlen);
    if (e == SFC_OK)
        sfc_log(SFC_LOG_INFO, "%s: relaying to '%s'%s%s", card->label,
               rs->reader, mitm ? " through " : "", mitm ? mitm : "");
    return e;
}

static void relay_power(sfc_card *card, sfc_power_event ev)
{
    relay_state *rs = card->type_state;
    if (ev == SFC_POWER_OFF) {
        (void)scio_disconnect_with(rs->conn, rs->gone ? SCIO_LEAVE
                                                      : SCIO_UNPOWER);
        return;
    }
    if (rs->gone) { /* inserted again: try the far card afresh */
        (void)scio_disconnect_with(rs->conn, SCIO_LEAVE);
        rs->gone = false;
    }
    bool was_connected = scio_is_connected(rs->conn);
    if (far_connect(card, rs) != SCIO_OK || ev != SFC_RESET || !was_connected)
        return;
    scio_status st = scio_reconnect(rs->conn, SCIO_PROTO_ANY,
                                    SCIO_SHARE_SHARED, SCIO_RESET);
    rs->gone = far_gone(st);
    if (st == SCIO_OK)
        take_atr(card, rs);
}

/* Exchange with the far card; a reset by someone else is acknowledged
 * and the command sent again once. */
static scio_status far_exchange(relay_state *rs, size_t len, size_t *rlen)
{
    scio_status st;
    for (int attempt = 0;; attempt++) {
        *rlen = SOFTCARD_MITM_BUFFER;
        st = scio_transmit_raw(rs->conn, rs->cmd, len, rs->resp, rlen);
        if (st != SCIO_E_CARD_RESET || attempt > 0)
            return st;
        st = scio_reconnect(rs->conn, SCIO_PROTO_ANY, SCIO_SHARE_SHARED,
                            SCIO_LEAVE);
        if (st != SCIO_OK)
            return st;
    }
}

static sfc_err answer(relay_state *rs, const uint8_t *r, size_t n,
                     const uint8_t **rapdu, size_t *rlen)
{
    if (r != rs->resp)
        memcpy(rs->resp, r, n);
    *rapdu = rs->resp;
    *rlen = n;
    return SFC_OK;
}

static sfc_err fail_soft(sfc_card *card, relay_state *rs, scio_status st,
                        const uint8_t **rapdu, size_t *rlen)
{
    rs->gone = rs->gone || far_gone(st);
    sfc_log(SFC_LOG_WARN, "%s: far card in '%s': %s%s", card->label,
           rs->reader, scio_strerror(st),
           rs->gone ? "; removing this card" : "; answering 6F00");
    if (rs->gone)
        return SFC_E_REMOVED;
    return answer(rs, sw_no_diagnosis, 2, rapdu, rlen);
}

/* The plugin's view of the command; returns <0, FORWARD or REPLY. */
static int mitm_command(relay_state *rs, size_t *len)
{
    if (!rs->mitm.command)
        return SOFTCARD_MITM_FORWARD;
    int r = rs->mitm.command(rs->mitm.state, rs->cmd, len, SOFTCARD_MITM_BUFFER);
    if (r >= 0 && (*len > SOFTCARD_MITM_BUFFER ||
                   (r == SOFTCARD_MITM_REPLY && *len < 2)))
        return -1;
    return r;
}

static int mitm_response(relay_state *rs, size_t len, size_t *rlen)
{
    if (!rs->mitm.response)
        return SOFTCARD_MITM_FORWARD;
    int r = rs->mitm.response(rs->mitm.state, rs->cmd, len, rs->resp, rlen,
                              SOFTCARD_MITM_BUFFER);
    return r < 0 || *rlen < 2 || *rlen > SOFTCARD_MITM_BUFFER ? -1 : r;
}

static sfc_err relay_transmit(sfc_card *card, const uint8_t *capdu, size_t len,
                             const uint8_t **rapdu, size_t *rlen)
{
    relay_state *rs = card->type_state;
    if (rs->gone)
        return SFC_E_REMOVED;
    scio_status st = far_connect(card, rs);
    if (st != SCIO_OK)
        return fail_soft(card, rs, st, rapdu, rlen);
    size_t n = len <= SOFTCARD_MITM_BUFFER ? len : SOFTCARD_MITM_BUFFER;
    memcpy(rs->cmd, capdu, n);
    int m = mitm_command(rs, &n);
    if (m == SOFTCARD_MITM_REPLY)
        return answer(rs, rs->cmd, n, rapdu, rlen);
    size_t got = 0;
    if (m >= 0 && (st = far_exchange(rs, n, &got)) != SCIO_OK)
        return fail_soft(card, rs, st, rapdu, rlen);
    if (m < 0 || mitm_response(rs, n, &got) < 0 || got > SFC_RAPDU_MAX) {
        sfc_log(SFC_LOG_WARN, "%s: %s; answering 6F00", card->label,
               m < 0 || got <= SFC_RAPDU_MAX ? "MITM plugin failed"
                                            : "far response too long for vpcd");
        return answer(rs, sw_no_diagnosis, 2, rapdu, rlen);
    }
    return answer(rs, rs->resp, got, rapdu, rlen);
}

static const sfc_param_def relay_params[] = {
    {"reader", "R", "the far reader: index, name or a unique part of it "
     "(default 0)", SFC_PARAM_KEEP},
    {"mitm", "PLUGIN.so", "a man-in-the-middle plugin that sees and may "
     "change every command and response", SFC_PARAM_KEEP},
    {NULL, NULL, NULL, 0}};

const sfc_card_type sfc_type_relay = {
    .abi = SFC_CARD_TYPE_ABI,
    .name = "relay",
    .description = "forwards to a card in another reader",
    .params = relay_params,
    .attach = relay_attach,
    .detach = relay_detach,
    .on_power = relay_power,
    .transmit = relay_transmit,
};
