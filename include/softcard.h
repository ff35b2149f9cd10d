/* SPDX-License-Identifier: LGPL-2.1-or-later */
/**
 * @file softcard.h
 * @brief The softcard card engine: create a virtual smart card and drive it.
 *
 * A card is an opaque object that answers the four things a reader can do to
 * a card: read its ATR, power it off, power it on or reset it, and exchange
 * one command APDU for one response APDU. Nothing here knows about sockets;
 * the vpcd link (lib/vpcd) and the `softcard` command bind a card to a
 * reader. All functions are safe to call with any input: a malformed APDU
 * yields an ISO 7816 status word, never a crash.
 *
 * Thread safety: one card must not be used from two threads at once;
 * different cards are independent.
 */
#ifndef SOFTCARD_H
#define SOFTCARD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/** Error values returned by library functions (never printed by them). */
typedef enum sfc_err {
    SFC_OK = 0,
    SFC_E_INVAL,       /**< invalid argument */
    SFC_E_NOMEM,       /**< out of memory */
    SFC_E_RANGE,       /**< value or length out of range, buffer too small */
    SFC_E_FORMAT,      /**< malformed encoding (TLV, ATR, hex, frame, ...) */
    SFC_E_CHECKSUM,    /**< checksum mismatch (ATR TCK) */
    SFC_E_NOT_FOUND,   /**< no such object */
    SFC_E_END,         /**< no more elements (iterators) */
    SFC_E_UNSUPPORTED, /**< valid but not implemented */
    SFC_E_STATE,       /**< operation not allowed in the current state */
    SFC_E_IO,          /**< I/O or socket error (see errno where relevant) */
    SFC_E_CLOSED,      /**< peer closed the connection */
    SFC_E_AGAIN,       /**< would block; try again later */
    SFC_E_REMOVED,     /**< the card went away (relay far side removed) */
    SFC_E_RNG          /**< random generator failed or exhausted */
} sfc_err;

/** Short English text for an error value; never NULL. */
const char *sfc_strerror(sfc_err err);

/** Log levels (lib/core/log.h has the sink); silent by default. */
typedef enum sfc_log_level {
    SFC_LOG_ERROR = 0,
    SFC_LOG_WARN = 1,
    SFC_LOG_INFO = 2,
    SFC_LOG_APDU = 3, /**< every APDU, PINs masked */
    SFC_LOG_DEBUG = 4
} sfc_log_level;

/** What a command is about to do to a file (the access decision's input). */
typedef enum sfc_access_op {
    SFC_AC_READ,      /**< READ BINARY/RECORD, SEARCH BINARY/RECORD, GET DATA */
    SFC_AC_UPDATE,    /**< UPDATE BINARY/RECORD, ERASE BINARY/RECORD, PUT DATA */
    SFC_AC_WRITE,     /**< WRITE BINARY/RECORD, APPEND RECORD */
    SFC_AC_CREATE_EF, /**< CREATE FILE of an EF in this DF */
    SFC_AC_CREATE_DF, /**< CREATE FILE of a DF in this DF */
    SFC_AC_DELETE,    /**< DELETE FILE of this file */
    SFC_AC_ACTIVATE,
    SFC_AC_DEACTIVATE,
    SFC_AC_TERMINATE
} sfc_access_op;

/** Maximum ATR length accepted by PC/SC (ISO 7816-3). */
#define SFC_ATR_MAX 33

/**
 * Random byte source. `fill` writes `len` bytes to `out` and returns SFC_OK,
 * or SFC_E_RNG when it cannot. The default (NULL in sfc_card_options) is the
 * kernel's CSPRNG (getrandom). Tests inject a scripted source to replay
 * published protocol transcripts byte for byte.
 */
typedef struct sfc_rng {
    sfc_err (*fill)(void *ctx, uint8_t *out, size_t len);
    void *ctx;
} sfc_rng;

/** One card-type parameter given as text, e.g. {"pin", "1234"}. */
typedef struct sfc_param {
    const char *key;
    const char *value;
} sfc_param;

/** Options for sfc_card_new(); zero-initialise, then set what you need. */
typedef struct sfc_card_options {
    /** Random source; NULL uses OpenSSL. Must outlive the card. */
    const sfc_rng *rng;
    /** Advertise and allow extended-length APDUs in the ATR. */
    bool extended_length;
    /**
     * Card-type parameters (e.g. "pin", "puk"); each card type documents
     * the keys it accepts and rejects unknown ones.
     */
    const sfc_param *params;
    size_t n_params;
    /** Name used in log lines, e.g. "card 0"; NULL uses the type name. */
    const char *label;
} sfc_card_options;

typedef struct sfc_card sfc_card;

/** Names of the card types this build knows, NULL-terminated. */
const char *const *sfc_card_type_names(void);

/** One-line description of a card type, or NULL if unknown. */
const char *sfc_card_type_description(const char *type);

/**
 * Create a card of `type` ("iso7816", "handler_test", ...). On failure
 * returns an error and, if `errbuf` is given, a one-line reason in it
 * (e.g. "unknown card type 'foo'" or "card type 'nPA' is not implemented
 * yet"). The new card is powered off; sfc_card_power(SFC_POWER_ON) or a
 * transmit powers it up implicitly.
 */
sfc_err sfc_card_new(const char *type, const sfc_card_options *opts,
                   sfc_card **out, char *errbuf, size_t errlen);

/**
 * Load a card type from a plugin (a shared object built against
 * softcard-cardtype.h) and make it known by its name, returned in `*name`.
 * A plugin of another ABI version, without the entry symbol, with a
 * function this program lacks, or named like a known type is refused with
 * a one-line reason in `err`.
 */
sfc_err sfc_card_type_load(const char *path, const char **name, char *err,
                           size_t errlen);

/** Destroy a card; wipes secrets. NULL is allowed. */
void sfc_card_free(sfc_card *card);

/** The card type name given to sfc_card_new(). */
const char *sfc_card_get_type(const sfc_card *card);

/** Copy the ATR (1..SFC_ATR_MAX bytes) to `out`; returns its length. */
size_t sfc_card_atr(const sfc_card *card, uint8_t out[SFC_ATR_MAX]);

/** Power and reset events, numbered as the vpcd control bytes. */
typedef enum sfc_power_event {
    SFC_POWER_OFF = 0,
    SFC_POWER_ON = 1,
    SFC_RESET = 2
} sfc_power_event;

/**
 * Deliver a power event. Power-off and reset clear the volatile state
 * (current files, logical channels, security status, pending responses);
 * persistent state (files, PIN counters) stays.
 */
void sfc_card_power(sfc_card *card, sfc_power_event ev);

/**
 * Process one command APDU. On SFC_OK, `*rapdu` points to the response APDU
 * (data followed by SW1 SW2, always at least 2 and at most 65535 bytes),
 * valid until the next call on this card. Any input, including an empty or
 * malformed one, yields a response. Returns SFC_E_REMOVED only for card types
 * whose backing card went away (relay); the caller then treats the card as
 * removed.
 */
sfc_err sfc_card_transmit(sfc_card *card, const uint8_t *capdu, size_t len,
                        const uint8_t **rapdu, size_t *rlen);

#ifdef __cplusplus
}
#endif
#endif /* SOFTCARD_H */
