/* SPDX-License-Identifier: LGPL-2.1-or-later */
/**
 * @file backend.h
 * @brief The backend interface of libscio: PC/SC primitives as a vtable.
 *
 * Everything above this line (requests, connections, monitors) is written
 * once against these operations; the pcsc backend maps them onto
 * libpcsclite one to one, the direct backend implements them itself with
 * the same semantics. Operations return PC/SC codes (pcsc-lite values,
 * RV_* below) so that both backends are classified by the same table and
 * tests see the same codes.
 *
 * A backend context (be_ctx) is one PC/SC context: its calls are
 * serialised, except cancel, which may be called from another thread while
 * get_status_change blocks. A card handle (be_card) belongs to the context
 * it was made from.
 */
#ifndef SCIO_BACKEND_H
#define SCIO_BACKEND_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "scio.h"

/* ---- PC/SC return codes (pcsc-lite values) ----------------------------- */

#define RV_SUCCESS 0x00000000u
#define RV_F_INTERNAL_ERROR 0x80100001u
#define RV_E_CANCELLED 0x80100002u
#define RV_E_INVALID_HANDLE 0x80100003u
#define RV_E_INVALID_PARAMETER 0x80100004u
#define RV_E_NO_MEMORY 0x80100006u
#define RV_E_INSUFFICIENT_BUFFER 0x80100008u
#define RV_E_UNKNOWN_READER 0x80100009u
#define RV_E_TIMEOUT 0x8010000Au
#define RV_E_SHARING_VIOLATION 0x8010000Bu
#define RV_E_NO_SMARTCARD 0x8010000Cu
#define RV_E_PROTO_MISMATCH 0x8010000Fu
#define RV_E_NOT_READY 0x80100010u
#define RV_E_INVALID_VALUE 0x80100011u
#define RV_E_SYSTEM_CANCELLED 0x80100012u
#define RV_F_COMM_ERROR 0x80100013u
#define RV_E_NOT_TRANSACTED 0x80100016u
#define RV_E_READER_UNAVAILABLE 0x80100017u
#define RV_E_NO_SERVICE 0x8010001Du
#define RV_E_SERVICE_STOPPED 0x8010001Eu
#define RV_E_UNSUPPORTED_FEATURE 0x8010001Fu
#define RV_E_NO_READERS_AVAILABLE 0x8010002Eu
#define RV_W_UNRESPONSIVE_CARD 0x80100066u
#define RV_W_UNPOWERED_CARD 0x80100067u
#define RV_W_RESET_CARD 0x80100068u
#define RV_W_REMOVED_CARD 0x80100069u
#define RV_W_SECURITY_VIOLATION 0x8010006Au

/* ---- reader states (SCARD_STATE_*) and card status (SCardStatus) -------- */

#define ST_UNAWARE 0x0000u
#define ST_IGNORE 0x0001u
#define ST_CHANGED 0x0002u
#define ST_UNKNOWN 0x0004u
#define ST_UNAVAILABLE 0x0008u
#define ST_EMPTY 0x0010u
#define ST_PRESENT 0x0020u
#define ST_ATRMATCH 0x0040u
#define ST_EXCLUSIVE 0x0080u
#define ST_INUSE 0x0100u
#define ST_MUTE 0x0200u
#define ST_UNPOWERED 0x0400u
/** The event counter lives in the upper 16 bits of a reader state. */
#define ST_COUNTER(s) ((uint16_t)((s) >> 16))

#define CS_ABSENT 0x0002u
#define CS_PRESENT 0x0004u
#define CS_POWERED 0x0010u
#define CS_NEGOTIABLE 0x0020u
#define CS_SPECIFIC 0x0040u

/** The plug-and-play pseudo reader of SCardGetStatusChange. */
#define BE_PNP_READER "\\\\?PnP?\\Notification"

/** Infinite timeout for get_status_change. */
#define BE_INFINITE 0xFFFFFFFFu

/** Receive buffer for transmit and control (MAX_BUFFER_SIZE_EXTENDED). */
#define BE_MAX_BUFFER 65548u

typedef struct be_reader_state {
    const char *reader;
    uint32_t current;
    uint32_t event;
    uint8_t atr[SCIO_ATR_MAX];
    size_t atr_len;
} be_reader_state;

typedef struct be_ctx be_ctx;
typedef struct be_card be_card;

typedef struct be_ops {
    const char *name;
    uint32_t (*ctx_new)(void *backend, be_ctx **out);
    void (*ctx_free)(be_ctx *ctx);
    /** Reader names as a malloc'ed double-NUL multi-string. */
    uint32_t (*list_readers)(be_ctx *ctx, char **multi, size_t *len);
    uint32_t (*list_groups)(be_ctx *ctx, char **multi, size_t *len);
    uint32_t (*get_status_change)(be_ctx *ctx, uint32_t timeout_ms,
                                  be_reader_state *states, size_t n);
    uint32_t (*cancel)(be_ctx *ctx);
    uint32_t (*connect)(be_ctx *ctx, const char *reader, unsigned share,
                        unsigned protocols, be_card **card,
                        unsigned *active);
    uint32_t (*reconnect)(be_card *card, unsigned share, unsigned protocols,
                          unsigned init, unsigned *active);
    /** Always frees the handle, even when it reports an error. */
    uint32_t (*disconnect)(be_card *card, unsigned disposition);
    uint32_t (*status)(be_card *card, uint32_t *state, unsigned *protocol,
                       uint8_t *atr, size_t *atr_len);
    uint32_t (*transmit)(be_card *card, unsigned protocol,
                         const uint8_t *send, size_t send_len, uint8_t *recv,
                         size_t *recv_len);
    uint32_t (*control)(be_card *card, uint32_t code, const uint8_t *in,
                        size_t in_len, uint8_t *out, size_t *out_len);
    uint32_t (*get_attrib)(be_card *card, uint32_t id, uint8_t *buf,
                           size_t *len);
    uint32_t (*set_attrib)(be_card *card, uint32_t id, const uint8_t *buf,
                           size_t len);
    uint32_t (*begin_transaction)(be_card *card);
    uint32_t (*end_transaction)(be_card *card, unsigned disposition);
} be_ops;

extern const be_ops scio_pcsc_ops;
extern const be_ops scio_direct_ops;

/** True for codes after which the context must be re-established. */
bool be_service_lost(uint32_t rv);

#endif
