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
typedef enum sc_err {
    SC_OK = 0,
    SC_E_INVAL,       /**< invalid argument */
    SC_E_NOMEM,       /**< out of memory */
    SC_E_RANGE,       /**< value or length out of range, buffer too small */
    SC_E_FORMAT,      /**< malformed encoding (TLV, ATR, hex, frame, ...) */
    SC_E_CHECKSUM,    /**< checksum mismatch (ATR TCK) */
    SC_E_NOT_FOUND,   /**< no such object */
    SC_E_END,         /**< no more elements (iterators) */
    SC_E_UNSUPPORTED, /**< valid but not implemented */
    SC_E_STATE,       /**< operation not allowed in the current state */
    SC_E_IO,          /**< I/O or socket error (see errno where relevant) */
    SC_E_CLOSED,      /**< peer closed the connection */
    SC_E_AGAIN,       /**< would block; try again later */
    SC_E_REMOVED,     /**< the card went away (relay far side removed) */
    SC_E_RNG          /**< random generator failed or exhausted */
} sc_err;

/** Short English text for an error value; never NULL. */
const char *sc_strerror(sc_err err);

/** Maximum ATR length accepted by PC/SC (ISO 7816-3). */
#define SC_ATR_MAX 33

/**
 * Random byte source. `fill` writes `len` bytes to `out` and returns SC_OK,
 * or SC_E_RNG when it cannot. The default (NULL in sc_card_options) is the
 * kernel's CSPRNG (getrandom). Tests inject a scripted source to replay
 * published protocol transcripts byte for byte.
 */
typedef struct sc_rng {
    sc_err (*fill)(void *ctx, uint8_t *out, size_t len);
    void *ctx;
} sc_rng;

/** One card-type parameter given as text, e.g. {"pin", "1234"}. */
typedef struct sc_param {
    const char *key;
    const char *value;
} sc_param;

/** Options for sc_card_new(); zero-initialise, then set what you need. */
typedef struct sc_card_options {
    /** Random source; NULL uses OpenSSL. Must outlive the card. */
    const sc_rng *rng;
    /** Advertise and allow extended-length APDUs in the ATR. */
    bool extended_length;
    /**
     * Card-type parameters (e.g. "pin", "puk"); each card type documents
     * the keys it accepts and rejects unknown ones.
     */
    const sc_param *params;
    size_t n_params;
    /** Name used in log lines, e.g. "card 0"; NULL uses the type name. */
    const char *label;
} sc_card_options;

typedef struct sc_card sc_card;

/** Names of the card types this build knows, NULL-terminated. */
const char *const *sc_card_type_names(void);

/** One-line description of a card type, or NULL if unknown. */
const char *sc_card_type_description(const char *type);

/**
 * Create a card of `type` ("iso7816", "handler_test", ...). On failure
 * returns an error and, if `errbuf` is given, a one-line reason in it
 * (e.g. "unknown card type 'foo'" or "card type 'nPA' is not implemented
 * yet"). The new card is powered off; sc_card_power(SC_POWER_ON) or a
 * transmit powers it up implicitly.
 */
sc_err sc_card_new(const char *type, const sc_card_options *opts,
                   sc_card **out, char *errbuf, size_t errlen);

/** Destroy a card; wipes secrets. NULL is allowed. */
void sc_card_free(sc_card *card);

/** The card type name given to sc_card_new(). */
const char *sc_card_get_type(const sc_card *card);

/** Copy the ATR (1..SC_ATR_MAX bytes) to `out`; returns its length. */
size_t sc_card_atr(const sc_card *card, uint8_t out[SC_ATR_MAX]);

/** Power and reset events, numbered as the vpcd control bytes. */
typedef enum sc_power_event {
    SC_POWER_OFF = 0,
    SC_POWER_ON = 1,
    SC_RESET = 2
} sc_power_event;

/**
 * Deliver a power event. Power-off and reset clear the volatile state
 * (current files, logical channels, security status, pending responses);
 * persistent state (files, PIN counters) stays.
 */
void sc_card_power(sc_card *card, sc_power_event ev);

/**
 * Process one command APDU. On SC_OK, `*rapdu` points to the response APDU
 * (data followed by SW1 SW2, always at least 2 and at most 65535 bytes),
 * valid until the next call on this card. Any input, including an empty or
 * malformed one, yields a response. Returns SC_E_REMOVED only for card types
 * whose backing card went away (relay); the caller then treats the card as
 * removed.
 */
sc_err sc_card_transmit(sc_card *card, const uint8_t *capdu, size_t len,
                        const uint8_t **rapdu, size_t *rlen);

#ifdef __cplusplus
}
#endif
#endif /* SOFTCARD_H */
