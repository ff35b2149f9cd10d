/* SPDX-License-Identifier: LGPL-2.1-or-later */
/**
 * @file connection.c
 * @brief Connections: life cycle (connect, reconnect, disconnect,
 *        release), status and ATR, protocols, attributes, transactions and
 *        the observer API.
 *
 * Rules (why, against pyscard's pitfalls: docs/decisions.md):
 *  - every connection owns its backend context, made at creation;
 *  - the disconnect disposition is given at connect, LEAVE is what the
 *    examples use, and reconnect takes its own init action without
 *    touching the stored disposition;
 *  - the preferred protocol mask and the active protocol are two fields;
 *  - a failed reconnect leaves the connection disconnected (handle freed),
 *    a failed disconnect still drops the handle;
 *  - release is idempotent and the free function never fails loudly.
 */
#include "scio/conn.h"

#include <stdlib.h>
#include <string.h>

scio_status conn_result(scio_connection *conn, uint32_t rv)
{
    if (rv != RV_SUCCESS)
        conn->code = rv;
    return rv_status(rv);
}

void conn_notify(scio_connection *conn, const scio_event *ev)
{
    obs_notify(&conn->obs, conn, ev);
}

scio_status scio_connection_new(scio_context *ctx, const char *reader,
                                scio_connection **out)
{
    if (!ctx || !reader || !out || strlen(reader) > SCIO_READER_NAME_MAX)
        return SCIO_E_INVALID_ARG;
    *out = NULL;
    scio_connection *c = calloc(1, sizeof(*c));
    if (!c)
        return SCIO_E_NO_MEMORY;
    c->ctx = ctx;
    copy_name(c->reader, sizeof(c->reader), reader);
    c->preferred = SCIO_PROTO_ANY;
    c->rbuf = malloc(BE_MAX_BUFFER);
    uint32_t rv = c->rbuf ? ctx_open(ctx, &c->bectx) : RV_E_NO_MEMORY;
    if (rv != RV_SUCCESS) {
        free(c->rbuf);
        free(c);
        return rv_status(rv);
    }
    *out = c;
    return SCIO_OK;
}

scio_status scio_card_connect(scio_context *ctx, const scio_card *card,
                              unsigned protocols, scio_share share,
                              scio_disposition disposition,
                              scio_connection **out)
{
    if (!card)
        return SCIO_E_INVALID_ARG;
    scio_status st = scio_connection_new(ctx, card->reader, out);
    if (st != SCIO_OK)
        return st;
    st = scio_connect(*out, protocols, share, disposition);
    if (st != SCIO_OK) {
        scio_connection_free(*out);
        *out = NULL;
    }
    return st;
}

void scio_connection_free(scio_connection *conn)
{
    if (!conn)
        return;
    scio_release(conn);
    obs_free(&conn->obs);
    free(conn->rbuf);
    free(conn->acc);
    free(conn);
}

static scio_status check_usable(const scio_connection *conn)
{
    if (!conn)
        return SCIO_E_INVALID_ARG;
    return conn->bectx ? SCIO_OK : SCIO_E_RELEASED;
}

static scio_status check_connected(const scio_connection *conn)
{
    scio_status st = check_usable(conn);
    if (st == SCIO_OK && !conn->card)
        st = SCIO_E_NOT_CONNECTED;
    return st;
}

static bool valid_share(scio_share share)
{
    return share >= SCIO_SHARE_EXCLUSIVE && share <= SCIO_SHARE_DIRECT;
}

static bool valid_disposition(scio_disposition d)
{
    return d >= SCIO_LEAVE && d <= SCIO_EJECT;
}

/* The mask to ask for: 0 means "preferred" except for DIRECT. */
static unsigned effective_mask(const scio_connection *conn, unsigned protocols,
                               scio_share share)
{
    if (protocols == SCIO_PROTO_UNDEFINED && share != SCIO_SHARE_DIRECT)
        return conn->preferred;
    return protocols;
}

static void notify_link(scio_connection *conn, scio_event_type type,
                        bool after, scio_status result, scio_share share,
                        scio_disposition d)
{
    scio_event ev = {.type = type, .after = after, .result = result,
                     .share = share, .disposition = d,
                     .protocol = after ? conn->active : 0};
    conn_notify(conn, &ev);
}

scio_status scio_connect(scio_connection *conn, unsigned protocols,
                         scio_share share, scio_disposition disposition)
{
    scio_status st = check_usable(conn);
    if (st == SCIO_OK && conn->card)
        st = SCIO_E_STATE;
    if (st == SCIO_OK && (!valid_share(share) || !valid_disposition(disposition)))
        st = SCIO_E_INVALID_ARG;
    if (st != SCIO_OK)
        return st;
    unsigned mask = effective_mask(conn, protocols, share);
    notify_link(conn, SCIO_EV_CONNECT, false, SCIO_OK, share, disposition);
    unsigned active = 0;
    st = conn_result(conn, conn->ctx->ops->connect(conn->bectx, conn->reader,
                                                   share, mask, &conn->card,
                                                   &active));
    if (st == SCIO_OK) {
        if (mask)
            conn->preferred = mask;
        conn->active = active;
        conn->share = share;
        conn->disposition = disposition;
    } else {
        conn->card = NULL;
    }
    notify_link(conn, SCIO_EV_CONNECT, true, st, share, disposition);
    return st;
}

scio_status scio_reconnect(scio_connection *conn, unsigned protocols,
                           scio_share share, scio_disposition init)
{
    scio_status st = check_connected(conn);
    if (st == SCIO_OK && (!valid_share(share) || !valid_disposition(init)))
        st = SCIO_E_INVALID_ARG;
    if (st != SCIO_OK)
        return st;
    unsigned mask = effective_mask(conn, protocols, share);
    notify_link(conn, SCIO_EV_RECONNECT, false, SCIO_OK, share, init);
    unsigned active = 0;
    st = conn_result(conn, conn->ctx->ops->reconnect(conn->card, share, mask,
                                                     init, &active));
    if (st == SCIO_OK) {
        if (mask)
            conn->preferred = mask;
        conn->active = active;
        conn->share = share;
    } else {
        (void)conn->ctx->ops->disconnect(conn->card, SCIO_LEAVE);
        conn->card = NULL;
        conn->active = 0;
    }
    notify_link(conn, SCIO_EV_RECONNECT, true, st, share, init);
    return st;
}

scio_status scio_disconnect_with(scio_connection *conn,
                                 scio_disposition disposition)
{
    if (!conn || !valid_disposition(disposition))
        return SCIO_E_INVALID_ARG;
    if (!conn->card)
        return SCIO_OK;
    notify_link(conn, SCIO_EV_DISCONNECT, false, SCIO_OK, conn->share,
                disposition);
    scio_status st = conn_result(conn, conn->ctx->ops->disconnect(
                                           conn->card, disposition));
    conn->card = NULL;
    conn->active = 0;
    notify_link(conn, SCIO_EV_DISCONNECT, true, st, conn->share, disposition);
    return st;
}

scio_status scio_disconnect(scio_connection *conn)
{
    if (!conn)
        return SCIO_E_INVALID_ARG;
    return scio_disconnect_with(conn, conn->disposition);
}

void scio_release(scio_connection *conn)
{
    if (!conn || !conn->bectx)
        return;
    (void)scio_disconnect(conn);
    conn->ctx->ops->ctx_free(conn->bectx);
    conn->bectx = NULL;
}

bool scio_is_connected(const scio_connection *conn)
{
    return conn && conn->card;
}

const char *scio_connection_reader(const scio_connection *conn)
{
    return conn ? conn->reader : NULL;
}

unsigned scio_get_active_protocol(const scio_connection *conn)
{
    return conn && conn->card ? conn->active : SCIO_PROTO_UNDEFINED;
}

unsigned scio_get_preferred_protocols(const scio_connection *conn)
{
    return conn ? conn->preferred : SCIO_PROTO_UNDEFINED;
}

void scio_set_preferred_protocols(scio_connection *conn, unsigned protocols)
{
    if (conn && protocols)
        conn->preferred = protocols;
}

uint32_t scio_connection_pcsc_code(const scio_connection *conn)
{
    return conn ? conn->code : 0;
}

/* ---- status ------------------------------------------------------------- */

scio_status scio_get_status(scio_connection *conn, scio_card_status *out)
{
    scio_status st = check_connected(conn);
    if (st != SCIO_OK || !out)
        return st != SCIO_OK ? st : SCIO_E_INVALID_ARG;
    uint32_t state = 0;
    memset(out, 0, sizeof(*out));
    st = conn_result(conn, conn->ctx->ops->status(conn->card, &state,
                                                  &out->protocol, out->atr,
                                                  &out->atr_len));
    out->present = (state & 0xFFFFu) & CS_PRESENT;
    out->powered = (state & 0xFFFFu) & CS_POWERED;
    return st;
}

scio_status scio_get_atr(scio_connection *conn, uint8_t *atr, size_t *len)
{
    scio_card_status cs;
    if (!atr || !len)
        return SCIO_E_INVALID_ARG;
    scio_status st = scio_get_status(conn, &cs);
    if (st != SCIO_OK)
        return st;
    if (cs.atr_len == 0)
        return SCIO_E_NO_CARD;
    memcpy(atr, cs.atr, cs.atr_len);
    *len = cs.atr_len;
    return SCIO_OK;
}

/* ---- attributes --------------------------------------------------------- */

scio_status scio_get_attrib(scio_connection *conn, uint32_t id, uint8_t *buf,
                            size_t *len)
{
    scio_status st = check_connected(conn);
    if (st != SCIO_OK || !len || (*len && !buf))
        return st != SCIO_OK ? st : SCIO_E_INVALID_ARG;
    return conn_result(conn, conn->ctx->ops->get_attrib(conn->card, id, buf,
                                                        len));
}

scio_status scio_set_attrib(scio_connection *conn, uint32_t id,
                            const uint8_t *buf, size_t len)
{
    scio_status st = check_connected(conn);
    if (st != SCIO_OK || (len && !buf))
        return st != SCIO_OK ? st : SCIO_E_INVALID_ARG;
    return conn_result(conn, conn->ctx->ops->set_attrib(conn->card, id, buf,
                                                        len));
}

/* ---- transactions ------------------------------------------------------- */

scio_status scio_begin_transaction(scio_connection *conn)
{
    scio_status st = check_connected(conn);
    if (st != SCIO_OK)
        return st;
    return conn_result(conn, conn->ctx->ops->begin_transaction(conn->card));
}

scio_status scio_end_transaction(scio_connection *conn,
                                 scio_disposition disposition)
{
    scio_status st = check_connected(conn);
    if (st == SCIO_OK && !valid_disposition(disposition))
        st = SCIO_E_INVALID_ARG;
    if (st != SCIO_OK)
        return st;
    return conn_result(conn, conn->ctx->ops->end_transaction(conn->card,
                                                             disposition));
}

scio_status scio_with_transaction(scio_connection *conn,
                                  scio_transaction_fn fn, void *user,
                                  scio_disposition disposition)
{
    if (!fn || !valid_disposition(disposition))
        return SCIO_E_INVALID_ARG;
    scio_status st = scio_begin_transaction(conn);
    if (st != SCIO_OK)
        return st;
    scio_status work = fn(conn, user);
    st = scio_end_transaction(conn, disposition);
    return work != SCIO_OK ? work : st;
}

/* ---- observers ---------------------------------------------------------- */

scio_status scio_add_observer(scio_connection *conn, scio_observer_fn fn,
                              void *user, unsigned *id)
{
    if (!conn)
        return SCIO_E_INVALID_ARG;
    return obs_add(&conn->obs, fn, user, id);
}

scio_status scio_remove_observer(scio_connection *conn, unsigned id)
{
    if (!conn)
        return SCIO_E_INVALID_ARG;
    return obs_remove(&conn->obs, id);
}
