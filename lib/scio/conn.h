/* SPDX-License-Identifier: LGPL-2.1-or-later */
/**
 * @file conn.h
 * @brief The connection object, shared by connection.c (life cycle,
 *        status, attributes, transactions) and transmit.c (APDUs, control).
 */
#ifndef SCIO_CONN_H
#define SCIO_CONN_H

#include "scio/internal.h"
#include "scio/observer.h"

struct scio_connection {
    scio_context *ctx;
    be_ctx *bectx;              /**< NULL once released */
    be_card *card;              /**< NULL when not connected */
    char reader[SCIO_READER_NAME_MAX + 1];
    unsigned preferred;         /**< mask asked for */
    unsigned active;            /**< negotiated protocol */
    scio_share share;
    scio_disposition disposition; /**< for disconnect/release/free */
    unsigned t0;                /**< scio_t0_flags */
    const scio_error_chain *chain;
    bool has_sw_error;
    scio_sw_error sw_error;
    uint16_t last_sw;
    uint32_t code;              /**< last backend failure */
    obs_registry obs;
    uint8_t *rbuf;              /**< BE_MAX_BUFFER bytes: one raw response */
    uint8_t *acc;               /**< SCIO_RESPONSE_MAX: assembled data */
};

/** Record a backend result: keeps the code of failures. */
scio_status conn_result(scio_connection *conn, uint32_t rv);

/** Notify the observers. */
void conn_notify(scio_connection *conn, const scio_event *ev);

#endif
