/* SPDX-License-Identifier: LGPL-2.1-or-later */
/**
 * @file transmit.c
 * @brief APDU exchange (with the opt-in T=0 response handling and the
 *        error chain), control commands and part 10 features.
 *
 * One physical exchange (exchange()) is always framed by a COMMAND and a
 * RESPONSE event. scio_transmit_ex() builds on it: split the status word,
 * then, if asked, follow 61xx with GET RESPONSE (appending data, bounded
 * by 256 rounds and SCIO_RESPONSE_MAX bytes) and 6Cxx with one resend
 * carrying the right Le, then run the error chain on the final result.
 * Control commands never meet the error chain.
 */
#include "scio/conn.h"

#include <stdlib.h>
#include <string.h>

#include "core/apdu.h"

#define T0_MAX_ROUNDS 256
#define SHORT_APDU_MAX 263 /* 4 + 1 + 255 + 1, and room to add Le */
#define DATA_MAX (SCIO_RESPONSE_MAX - 2)
#define CM_IOCTL_GET_FEATURE_REQUEST_CODE 3400u

void scio_set_t0_handling(scio_connection *conn, unsigned flags)
{
    if (conn)
        conn->t0 = flags & SCIO_T0_ALL;
}

unsigned scio_get_t0_handling(const scio_connection *conn)
{
    return conn ? conn->t0 : 0;
}

void scio_set_error_chain(scio_connection *conn, const scio_error_chain *chain)
{
    if (conn)
        conn->chain = chain;
}

uint16_t scio_last_sw(const scio_connection *conn)
{
    return conn ? conn->last_sw : 0;
}

scio_status scio_last_sw_error(const scio_connection *conn, scio_sw_error *out)
{
    if (!conn || !out)
        return SCIO_E_INVALID_ARG;
    if (!conn->has_sw_error)
        return SCIO_E_NOT_FOUND;
    *out = conn->sw_error;
    return SCIO_OK;
}

/* ---- one physical exchange ---------------------------------------------- */

/* Send `cmd` and leave the raw response in conn->rbuf (*rlen bytes). */
static scio_status exchange(scio_connection *conn, unsigned protocol,
                            const uint8_t *cmd, size_t len, size_t *rlen)
{
    scio_event ev = {.type = SCIO_EV_COMMAND, .data = cmd, .len = len,
                     .protocol = protocol};
    conn_notify(conn, &ev);
    *rlen = BE_MAX_BUFFER;
    scio_status st = conn_result(conn, conn->ctx->ops->transmit(
                                           conn->card, protocol, cmd, len,
                                           conn->rbuf, rlen));
    if (st == SCIO_OK && *rlen < 2)
        st = SCIO_E_INVALID_RESPONSE;
    ev = (scio_event){.type = SCIO_EV_RESPONSE, .after = true, .result = st,
                      .protocol = protocol};
    if (st == SCIO_OK) {
        ev.data = conn->rbuf;
        ev.len = *rlen - 2;
        ev.sw = (uint16_t)(conn->rbuf[*rlen - 2] << 8 | conn->rbuf[*rlen - 1]);
        conn->last_sw = ev.sw;
    }
    conn_notify(conn, &ev);
    return st;
}

static scio_status tx_check(scio_connection *conn, const uint8_t *cmd,
                            size_t len, unsigned *protocol)
{
    if (!conn || !cmd || len == 0 || len > SCIO_COMMAND_MAX)
        return SCIO_E_INVALID_ARG;
    if (!conn->bectx)
        return SCIO_E_RELEASED;
    if (!conn->card)
        return SCIO_E_NOT_CONNECTED;
    if (*protocol == 0)
        *protocol = conn->active;
    return *protocol ? SCIO_OK : SCIO_E_PROTO_MISMATCH;
}

scio_status scio_transmit_raw(scio_connection *conn, const uint8_t *cmd,
                              size_t cmd_len, uint8_t *rapdu,
                              size_t *rapdu_len)
{
    unsigned protocol = 0;
    size_t rlen = 0;
    if (!rapdu_len || (*rapdu_len && !rapdu))
        return SCIO_E_INVALID_ARG;
    scio_status st = tx_check(conn, cmd, cmd_len, &protocol);
    if (st == SCIO_OK)
        st = exchange(conn, protocol, cmd, cmd_len, &rlen);
    if (st != SCIO_OK)
        return st;
    size_t cap = *rapdu_len;
    *rapdu_len = rlen;
    if (rlen > cap)
        return SCIO_E_BUFFER_TOO_SMALL;
    memcpy(rapdu, conn->rbuf, rlen);
    return SCIO_OK;
}

/* ---- T=0 response handling ---------------------------------------------- */

/** GET RESPONSE keeps the logical channel of the command's class byte. */
static uint8_t get_response_cla(uint8_t cla)
{
    if (cla & 0x80)
        return cla;                      /* proprietary (A0 SIM, 80 ...) */
    if ((cla & 0xC0) == 0x40)
        return (uint8_t)(0x40 | (cla & 0x0F)); /* further interindustry */
    return cla & 0x03;                   /* first interindustry */
}

typedef struct assembly {
    size_t len;     /* data collected in conn->acc */
    uint16_t sw;
    unsigned rounds;
    bool resent;
} assembly;

static scio_status take_part(scio_connection *conn, assembly *a, size_t rlen)
{
    size_t n = rlen - 2;
    if (a->len + n > DATA_MAX)
        return SCIO_E_INVALID_RESPONSE;
    memcpy(conn->acc + a->len, conn->rbuf, n);
    a->len += n;
    a->sw = (uint16_t)(conn->rbuf[rlen - 2] << 8 | conn->rbuf[rlen - 1]);
    return SCIO_OK;
}

/* The same short command with Le = xx; false if it has no short form. */
static bool with_le(const uint8_t *cmd, size_t len, uint8_t le, uint8_t *out,
                    size_t *out_len)
{
    apdu a;
    if (apdu_parse(cmd, len, &a) != SFC_OK || a.extended)
        return false;
    a.has_le = true;
    a.ne = le ? le : 256;
    return apdu_encode(&a, out, SHORT_APDU_MAX, out_len) == SFC_OK;
}

static scio_status resend(scio_connection *conn, unsigned protocol,
                          const uint8_t *cmd, size_t len, assembly *a)
{
    uint8_t fixed[SHORT_APDU_MAX];
    size_t flen = 0, rlen = 0;
    a->resent = true;
    if (len > SHORT_APDU_MAX - 2 ||
        !with_le(cmd, len, (uint8_t)a->sw, fixed, &flen))
        return SCIO_OK; /* not resendable: the 6Cxx stands */
    a->len = 0;
    scio_status st = exchange(conn, protocol, fixed, flen, &rlen);
    return st == SCIO_OK ? take_part(conn, a, rlen) : st;
}

static scio_status get_response(scio_connection *conn, unsigned protocol,
                                uint8_t cla, assembly *a)
{
    uint8_t gr[5] = {get_response_cla(cla), 0xC0, 0x00, 0x00,
                     (uint8_t)a->sw};
    size_t rlen = 0;
    a->rounds++;
    scio_status st = exchange(conn, protocol, gr, sizeof(gr), &rlen);
    return st == SCIO_OK ? take_part(conn, a, rlen) : st;
}

static scio_status follow_up(scio_connection *conn, unsigned protocol,
                             unsigned t0, const uint8_t *cmd, size_t len,
                             assembly *a)
{
    scio_status st = SCIO_OK;
    while (st == SCIO_OK) {
        uint8_t sw1 = (uint8_t)(a->sw >> 8);
        if ((t0 & SCIO_T0_RESEND) && sw1 == 0x6C && !a->resent && a->rounds == 0)
            st = resend(conn, protocol, cmd, len, a);
        else if ((t0 & SCIO_T0_GET_RESPONSE) && sw1 == 0x61 &&
                 a->rounds < T0_MAX_ROUNDS)
            st = get_response(conn, protocol, cmd[0], a);
        else
            break;
    }
    return st;
}

/* ---- transmit ----------------------------------------------------------- */

static scio_status check_sw(scio_connection *conn, const assembly *a)
{
    if (!conn->chain)
        return SCIO_OK;
    conn->has_sw_error = scio_error_chain_check(
        conn->chain, conn->acc, a->len, (uint8_t)(a->sw >> 8), (uint8_t)a->sw,
        &conn->sw_error);
    return conn->has_sw_error ? SCIO_E_SW : SCIO_OK;
}

static scio_status deliver(const scio_connection *conn, const assembly *a,
                           uint8_t *resp, size_t *resp_len, uint16_t *sw)
{
    size_t cap = *resp_len;
    *resp_len = a->len;
    if (sw)
        *sw = a->sw;
    if (a->len > cap)
        return SCIO_E_BUFFER_TOO_SMALL;
    if (a->len)
        memcpy(resp, conn->acc, a->len);
    return SCIO_OK;
}

scio_status scio_transmit_ex(scio_connection *conn,
                             const scio_transmit_opts *opts,
                             const uint8_t *cmd, size_t cmd_len,
                             uint8_t *resp, size_t *resp_len, uint16_t *sw)
{
    static const scio_transmit_opts defaults;
    const scio_transmit_opts *o = opts ? opts : &defaults;
    unsigned protocol = o->protocol;
    assembly a = {0};
    size_t rlen = 0;

    if (!resp_len || (*resp_len && !resp))
        return SCIO_E_INVALID_ARG;
    scio_status st = tx_check(conn, cmd, cmd_len, &protocol);
    if (st == SCIO_OK && !conn->acc && !(conn->acc = malloc(SCIO_RESPONSE_MAX)))
        st = SCIO_E_NO_MEMORY;
    if (st != SCIO_OK)
        return st;
    conn->has_sw_error = false;
    st = exchange(conn, protocol, cmd, cmd_len, &rlen);
    if (st == SCIO_OK)
        st = take_part(conn, &a, rlen);
    if (st == SCIO_OK)
        st = follow_up(conn, protocol, o->override_t0 ? o->t0 : conn->t0, cmd,
                       cmd_len, &a);
    if (st != SCIO_OK)
        return st;
    conn->last_sw = a.sw;
    scio_status checked = o->no_error_check ? SCIO_OK : check_sw(conn, &a);
    st = deliver(conn, &a, resp, resp_len, sw);
    return st != SCIO_OK ? st : checked;
}

scio_status scio_transmit(scio_connection *conn, const uint8_t *cmd,
                          size_t cmd_len, uint8_t *resp, size_t *resp_len,
                          uint16_t *sw)
{
    return scio_transmit_ex(conn, NULL, cmd, cmd_len, resp, resp_len, sw);
}

/* ---- control ------------------------------------------------------------ */

uint32_t scio_ctl_code(uint32_t code)
{
    return 0x42000000u + code;
}

scio_status scio_control(scio_connection *conn, uint32_t code,
                         const uint8_t *in, size_t in_len, uint8_t *out,
                         size_t *out_len)
{
    if (!conn || !out_len || (in_len && !in) || (*out_len && !out))
        return SCIO_E_INVALID_ARG;
    if (!conn->bectx)
        return SCIO_E_RELEASED;
    if (!conn->card)
        return SCIO_E_NOT_CONNECTED;
    scio_event ev = {.type = SCIO_EV_CONTROL, .data = in, .len = in_len,
                     .control_code = code};
    conn_notify(conn, &ev);
    scio_status st = conn_result(conn, conn->ctx->ops->control(
                                           conn->card, code, in, in_len, out,
                                           out_len));
    ev = (scio_event){.type = SCIO_EV_CONTROL_RESPONSE, .after = true,
                      .result = st, .control_code = code,
                      .data = st == SCIO_OK ? out : NULL,
                      .len = st == SCIO_OK ? *out_len : 0};
    conn_notify(conn, &ev);
    return st;
}

scio_status scio_get_features(scio_connection *conn, scio_feature *features,
                              size_t cap, size_t *n)
{
    uint8_t buf[256];
    size_t len = sizeof(buf);
    if (!n || (cap && !features))
        return SCIO_E_INVALID_ARG;
    *n = 0;
    scio_status st = scio_control(conn,
                                  scio_ctl_code(CM_IOCTL_GET_FEATURE_REQUEST_CODE),
                                  NULL, 0, buf, &len);
    if (st != SCIO_OK)
        return st;
    for (size_t at = 0; at + 6 <= len; at += 6) { /* tag, 4, code (BE) */
        if (buf[at + 1] != 4)
            return SCIO_E_INVALID_RESPONSE;
        if (*n < cap)
            features[*n] = (scio_feature){buf[at],
                                          (uint32_t)buf[at + 2] << 24 |
                                              (uint32_t)buf[at + 3] << 16 |
                                              (uint32_t)buf[at + 4] << 8 |
                                              buf[at + 5]};
        (*n)++;
    }
    return SCIO_OK;
}
