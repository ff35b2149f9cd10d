/* SPDX-License-Identifier: LGPL-2.1-or-later */
/**
 * @file scio.h
 * @brief libscio: smart card access for C programs, after pyscard's
 *        card-connection framework, over pcsc-lite or directly over the
 *        vpcd protocol.
 *
 * This header is the reference documentation of the library.
 *
 * ## The objects
 *
 * | object                  | what it is                                        |
 * |-------------------------|---------------------------------------------------|
 * | scio_context            | the card system: a backend (pcscd, or the library |
 * |                         | itself playing the vpcd reader) and its readers   |
 * | scio_card_type          | which cards you want: any, ATR + mask, callback   |
 * | scio_card_request       | wait for a card or for insert/remove events       |
 * | scio_connection         | a connection to the card in one reader            |
 * | scio_error_chain        | status-word checkers run after each transmit      |
 * | scio_service            | a card service bound to a connection              |
 * | scio_card_monitor,      | threads that report card and reader changes to    |
 * | scio_reader_monitor     | callbacks                                         |
 *
 * A card is identified by value (scio_card: reader name + ATR); readers are
 * plain strings. Every object is created by a *_new function and destroyed
 * by the matching *_free function, which accepts NULL and never fails. A
 * *_free function frees only what the object owns: objects passed in
 * ("borrowed") are never freed behind your back.
 *
 * ## Errors
 *
 * Functions return a scio_status (SCIO_OK = 0); scio_strerror() gives its
 * text. Where a PC/SC call failed, the object remembers the underlying
 * PC/SC code (scio_connection_pcsc_code() and friends, texts from
 * scio_pcsc_strerror()). A status word rejected by an error chain makes
 * scio_transmit() return SCIO_E_SW, with the response still delivered and
 * the details in scio_last_sw_error(). The library never prints, never
 * exits and keeps no global state.
 *
 * ## Threads
 *
 * Each function says what may be called concurrently. In short: a context
 * may be shared by threads; a connection, a request or a monitor is used by
 * one thread at a time, except the cancel and stop functions, which exist
 * to be called from another thread. Callbacks run synchronously: observers
 * in the thread that made the call, monitor callbacks in the monitor's
 * thread. Every blocking object owns its own backend context (one PC/SC
 * context each), so a thread blocked waiting for a card never holds up a
 * thread that transmits.
 *
 * ## Backends
 *
 * SCIO_BACKEND_PCSC talks to pcscd through libpcsclite. SCIO_BACKEND_DIRECT
 * needs no pcscd: the library plays vsmartcard's vpcd reader driver itself,
 * listening for virtual cards (the cards connect, as they do to vpcd) or
 * connecting to cards that listen (vpcd's reversed mode). Both present the
 * same semantics: reader names ("Virtual PCD 00 00", ...), the reader
 * event counter, share modes, dispositions seen by the card, the
 * card-was-reset condition of other handles and the same PC/SC codes.
 */
#ifndef SCIO_H
#define SCIO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* ======================================================================
 * Limits and constants
 * ==================================================================== */

/** Longest ATR (ISO/IEC 7816-3). */
#define SCIO_ATR_MAX 33
/** Longest reader name, without the terminating NUL (pcsc-lite). */
#define SCIO_READER_NAME_MAX 128
/** Longest command APDU: extended case 4 with 65535 data bytes. */
#define SCIO_COMMAND_MAX 65544
/** Longest response: 65536 data bytes and SW1 SW2. */
#define SCIO_RESPONSE_MAX 65538
/** Timeout value meaning "wait for ever". */
#define SCIO_TIMEOUT_INFINITE (-1)

/** Protocols (pcsc-lite values); combine as a mask. */
enum scio_protocol {
    SCIO_PROTO_UNDEFINED = 0, /**< none (DIRECT connections) */
    SCIO_PROTO_T0 = 1,
    SCIO_PROTO_T1 = 2,
    SCIO_PROTO_RAW = 4,
    SCIO_PROTO_T15 = 8,
    SCIO_PROTO_ANY = 3 /**< T=0 or T=1 */
};

/** Share modes for scio_connect(). */
typedef enum scio_share {
    SCIO_SHARE_EXCLUSIVE = 1, /**< no other handle may use the card */
    SCIO_SHARE_SHARED = 2,    /**< the usual mode */
    SCIO_SHARE_DIRECT = 3     /**< talk to the reader, card or not */
} scio_share;

/**
 * What happens to the card when a handle lets go of it (disconnect, end of
 * transaction) or at reconnect ("initialisation action").
 *
 * SCIO_LEAVE is the library's default everywhere: the card keeps its
 * power and its state (selected files, verified PINs). RESET and UNPOWER
 * act on the card for every handle: the others then get
 * SCIO_E_CARD_RESET until they call scio_reconnect(). (pyscard disconnects
 * with UNPOWER by default and switches to RESET after a reconnect; libscio
 * does neither.) With LEAVE, pcscd itself powers an unused card off about
 * 5 s after its last handle went away; the direct backend does the same
 * (scio_context_opts.power_off_grace_ms).
 */
typedef enum scio_disposition {
    SCIO_LEAVE = 0,
    SCIO_RESET = 1,   /**< warm reset */
    SCIO_UNPOWER = 2, /**< power off */
    SCIO_EJECT = 3    /**< eject if the reader can, else power off */
} scio_disposition;

/* ======================================================================
 * Errors
 * ==================================================================== */

typedef enum scio_status {
    SCIO_OK = 0,
    SCIO_E_TIMEOUT,          /**< the wait timed out */
    SCIO_E_CANCELLED,        /**< cancelled by *_cancel() or *_stop() */
    SCIO_E_NO_SERVICE,       /**< pcscd not running / backend unreachable */
    SCIO_E_NO_READERS,       /**< no reader at all */
    SCIO_E_UNKNOWN_READER,   /**< no reader of that name (or index) */
    SCIO_E_NO_CARD,          /**< no card in the reader */
    SCIO_E_CARD_REMOVED,     /**< the card went away since connect */
    SCIO_E_CARD_RESET,       /**< another handle reset the card: reconnect */
    SCIO_E_SHARING_VIOLATION,/**< held exclusively by another handle */
    SCIO_E_PROTO_MISMATCH,   /**< protocol not offered or not active */
    SCIO_E_NOT_CONNECTED,    /**< the connection has no card handle */
    SCIO_E_RELEASED,         /**< the connection was released */
    SCIO_E_INVALID_ARG,      /**< bad argument (NULL, length, value) */
    SCIO_E_BUFFER_TOO_SMALL, /**< output buffer too small; size reported */
    SCIO_E_NO_MEMORY,
    SCIO_E_INVALID_ATR,      /**< malformed ATR */
    SCIO_E_INVALID_RESPONSE, /**< response shorter than SW1 SW2, or too long */
    SCIO_E_SW,               /**< the error chain rejected the status word */
    SCIO_E_ACCESS_DENIED,    /**< refused by the daemon (polkit) */
    SCIO_E_UNSUPPORTED,      /**< not supported by reader, driver or backend */
    SCIO_E_NOT_FOUND,        /**< no such object (observer id, service) */
    SCIO_E_STATE,            /**< not allowed now (e.g. monitor running) */
    SCIO_E_PCSC              /**< any other PC/SC failure: see the code */
} scio_status;

/** Short English text of a status; never NULL. Thread-safe. */
const char *scio_strerror(scio_status status);

/**
 * The pcsc-lite text of a PC/SC return code ("Command timeout.", "Card was
 * reset.", ...); "Unknown error." for codes it does not know. Never NULL;
 * thread-safe (unlike pcsc_stringify_error, no buffer is shared).
 */
const char *scio_pcsc_strerror(uint32_t code);

/** The symbolic name of a PC/SC code ("SCARD_E_TIMEOUT"), or NULL. */
const char *scio_pcsc_code_name(uint32_t code);

/** How libscio classifies a PC/SC return code. Thread-safe. */
scio_status scio_status_from_pcsc(uint32_t code);

/* ======================================================================
 * Context and readers
 * ==================================================================== */

typedef struct scio_context scio_context;
typedef struct scio_reader_list scio_reader_list;

typedef enum scio_backend {
    SCIO_BACKEND_PCSC = 0,  /**< pcscd through libpcsclite */
    SCIO_BACKEND_DIRECT = 1 /**< the library plays vpcd; no pcscd */
} scio_backend;

/**
 * One reader slot of the direct backend. Normal (vpcd server) mode: the
 * library listens on host:port and a card connects to it, as
 * `softcard -P port` connects to vpcd. Reversed mode: the library
 * connects to a card listening on host:port (`softcard -R -P port`), and
 * keeps retrying while the card is absent.
 */
typedef struct scio_direct_slot {
    bool reversed;
    /** Listen address (default "127.0.0.1") or card host (default
     *  "127.0.0.1"). */
    const char *host;
    /** Port; 0 = vpcd's default for the slot, 35963 + slot index. */
    uint16_t port;
} scio_direct_slot;

/** Options of scio_context_new(); zero-initialise, then set fields. */
typedef struct scio_context_opts {
    scio_backend backend;
    /* --- direct backend only ------------------------------------------ */
    /** Slots; NULL/0 = two normal-mode slots on 127.0.0.1:35963, 35964
     *  (Debian's vpcd configuration). Slot i is reader
     *  "<friendly_name> 00 <ii>". At most 16 slots. */
    const scio_direct_slot *slots;
    size_t n_slots;
    /** Reader name prefix; NULL = "Virtual PCD" (as vpcd's reader.conf). */
    const char *friendly_name;
    /** Power an unused card off this long after its last handle left with
     *  LEAVE; 0 = 5000 ms (pcscd's grace period), negative = never. */
    int power_off_grace_ms;
    /** Longest wait for a card's answer; 0 = 60000 ms, negative = none.
     *  A card that does not answer in time is treated as removed. */
    int io_timeout_ms;
} scio_context_opts;

/**
 * Create a context. `opts` NULL means the pcsc backend. The pcsc backend
 * checks that pcscd answers (SCIO_E_NO_SERVICE otherwise). The direct
 * backend binds its listening ports (SCIO_E_NO_SERVICE if one is in use,
 * SCIO_E_INVALID_ARG for a bad address) and starts one I/O thread that
 * accepts cards, notices their removal and powers idle cards off.
 *
 * Every object made from a context (requests, connections, monitors,
 * services) borrows it: free them before the context.
 * Thread-safety: any thread; the context itself may then be shared.
 */
scio_status scio_context_new(const scio_context_opts *opts,
                             scio_context **out);

/** Free a context (direct backend: closes the sockets, the cards see their
 *  connection end). NULL is allowed. */
void scio_context_free(scio_context *ctx);

/** The backend of a context. Thread-safe. */
scio_backend scio_context_backend(const scio_context *ctx);

/**
 * The PC/SC code of the last failing call made through the context itself
 * (scio_list_readers and friends), 0 if none. Thread-safe, but with
 * several threads listing readers it may belong to another thread's call.
 */
uint32_t scio_context_pcsc_code(const scio_context *ctx);

/**
 * List the readers. No reader is not an error: SCIO_OK with an empty list.
 * If pcscd restarted, the context re-establishes its PC/SC context once
 * and retries. Thread-safe.
 */
scio_status scio_list_readers(scio_context *ctx, scio_reader_list **out);

/** List the reader groups (pcsc-lite: "SCard$DefaultReaders"). Thread-safe. */
scio_status scio_list_reader_groups(scio_context *ctx,
                                    scio_reader_list **out);

size_t scio_reader_list_count(const scio_reader_list *list);
/** Name number `i`, or NULL past the end. Valid until the list is freed. */
const char *scio_reader_list_at(const scio_reader_list *list, size_t i);
bool scio_reader_list_contains(const scio_reader_list *list,
                               const char *name);
void scio_reader_list_free(scio_reader_list *list);

/**
 * Find a reader from a user's text: a decimal index into the current
 * list ("0", "1"), an exact name, or a substring that matches exactly one
 * name. Writes the full name to `name` (SCIO_READER_NAME_MAX + 1 bytes).
 * SCIO_E_UNKNOWN_READER if nothing (or more than one) matches.
 * Thread-safe.
 */
scio_status scio_find_reader(scio_context *ctx, const char *spec,
                             char name[SCIO_READER_NAME_MAX + 1]);

/* ======================================================================
 * Cards and card types
 * ==================================================================== */

/** A card as seen in a reader: a value you may copy freely. */
typedef struct scio_card {
    char reader[SCIO_READER_NAME_MAX + 1];
    uint8_t atr[SCIO_ATR_MAX];
    size_t atr_len;
} scio_card;

/** True if both name the same reader and ATR. */
bool scio_card_equal(const scio_card *a, const scio_card *b);

typedef struct scio_card_type scio_card_type;

/**
 * Decide whether a card is wanted. `reader` is the reader name. Called
 * from the thread that waits (requests) or the monitor thread; it must
 * not block on PC/SC calls of the same request or monitor.
 */
typedef bool (*scio_card_match_fn)(const uint8_t *atr, size_t atr_len,
                                   const char *reader, void *user);

/** Any card. */
scio_status scio_card_type_any(scio_card_type **out);

/**
 * Cards whose ATR has exactly `atr_len` bytes and equals `atr` on every
 * bit set in `mask` (all bits when `mask` is NULL). A mask must have the
 * ATR's length (`mask_len` == `atr_len`), else SCIO_E_INVALID_ARG; an ATR
 * longer than SCIO_ATR_MAX is SCIO_E_INVALID_ARG too. A card whose ATR has
 * another length never matches, mask or not.
 */
scio_status scio_card_type_atr(const uint8_t *atr, size_t atr_len,
                               const uint8_t *mask, size_t mask_len,
                               scio_card_type **out);

/**
 * Cards accepted by `fn`. `free_user` (may be NULL) is called with `user`
 * when the type is freed.
 */
scio_status scio_card_type_custom(scio_card_match_fn fn, void *user,
                                  void (*free_user)(void *user),
                                  scio_card_type **out);

/** Does the card match? A NULL type matches every card. Thread-safe
 *  (types are immutable). */
bool scio_card_type_matches(const scio_card_type *type, const uint8_t *atr,
                            size_t atr_len, const char *reader);

void scio_card_type_free(scio_card_type *type);

/* ======================================================================
 * Card requests: waiting for cards and events
 * ==================================================================== */

typedef struct scio_card_request scio_card_request;

/** Options of scio_card_request_new(); zero-initialised = any card in any
 *  reader, present or new. */
typedef struct scio_card_request_opts {
    /** Wanted cards; NULL = any. Borrowed: must outlive the request. */
    const scio_card_type *type;
    /** Only these readers (copied); NULL/0 = all readers, including readers
     *  that appear later. Absent readers are waited for, without polling. */
    const char *const *readers;
    size_t n_readers;
    /**
     * scio_card_request_wait_card() returns only cards inserted after the
     * request's first wait began: a card already present does not count,
     * a card removed and reinserted does (even when both happen between
     * two looks at the reader: the reader's event counter tells). Each
     * insertion is returned once; one that happens between two calls is
     * returned by the next call.
     */
    bool new_card_only;
} scio_card_request_opts;

/**
 * Create a request; it opens its own backend context (SCIO_E_NO_SERVICE if
 * pcscd is not running). `opts` NULL = defaults.
 */
scio_status scio_card_request_new(scio_context *ctx,
                                  const scio_card_request_opts *opts,
                                  scio_card_request **out);

/**
 * Wait until a wanted card is in a chosen reader and describe it in `out`
 * (the connection is yours to make: scio_card_connect()). `timeout_ms` is
 * measured against a monotonic deadline fixed at entry, however many
 * unrelated events wake the wait: 0 looks once, SCIO_TIMEOUT_INFINITE
 * waits for ever. Returns SCIO_E_TIMEOUT at the deadline,
 * SCIO_E_CANCELLED after scio_card_request_cancel(), SCIO_E_NO_SERVICE if
 * pcscd was gone at the deadline. If pcscd restarts during the wait the
 * request reconnects by itself (readers that vanish and come back are
 * simply watched again). Without new_card_only the first matching card in
 * reader-list order wins.
 * Thread-safety: one waiting thread per request.
 */
scio_status scio_card_request_wait_card(scio_card_request *req,
                                        int timeout_ms, scio_card *out);

typedef enum scio_card_event_kind {
    SCIO_CARD_INSERTED = 1,
    SCIO_CARD_REMOVED = 2
} scio_card_event_kind;

typedef struct scio_card_event {
    scio_card_event_kind kind;
    /** The card (for REMOVED: as it was when inserted). */
    scio_card card;
} scio_card_event;

/**
 * Wait for cards (of the request's type, in its readers) to be inserted
 * or removed, and return the events since the previous call, oldest first.
 * Contract:
 *  - the first call reports every wanted card already present as INSERTED,
 *    at once; if there is none, it waits like any later call;
 *  - every later change is reported exactly once, including changes that
 *    happened between two calls; a remove + reinsert between two looks is
 *    reported as REMOVED then INSERTED (seen through the event counter);
 *  - a reader that disappears with a card reports REMOVED; one that appears
 *    with a card reports INSERTED;
 *  - if more than `cap` events are pending, `cap` are returned and the rest
 *    wait for the next call (which then returns at once).
 * `*n` receives the number of events (>= 1 on SCIO_OK). Timeout and
 * cancellation as for scio_card_request_wait_card().
 */
scio_status scio_card_request_wait_event(scio_card_request *req,
                                         int timeout_ms,
                                         scio_card_event *events,
                                         size_t cap, size_t *n);

/**
 * Cancel: the wait in progress (if any) returns SCIO_E_CANCELLED, and so
 * does every later wait, at once, until scio_card_request_reset_cancel().
 * The cancellation is sticky, so it cannot be lost even when it arrives
 * just before a wait starts. Returns when no wait of this request is
 * blocked any more. Thread-safe: meant to be called from another thread;
 * not async-signal-safe (from a signal handler, write to a pipe and cancel
 * from a thread).
 */
void scio_card_request_cancel(scio_card_request *req);

/** Clear a cancellation so the request can wait again. Call it from the
 *  waiting thread, not during a wait. */
void scio_card_request_reset_cancel(scio_card_request *req);

/** The PC/SC code of the request's last backend failure (0 if none). */
uint32_t scio_card_request_pcsc_code(const scio_card_request *req);

/** Free a request (it must not be waiting). NULL is allowed. */
void scio_card_request_free(scio_card_request *req);

/* ======================================================================
 * Connections
 * ==================================================================== */

typedef struct scio_connection scio_connection;

/**
 * Create an unconnected connection to `reader` (copied; SCIO_E_INVALID_ARG
 * if longer than SCIO_READER_NAME_MAX). It opens its own backend context.
 * The reader is not checked until scio_connect().
 */
scio_status scio_connection_new(scio_context *ctx, const char *reader,
                                scio_connection **out);

/**
 * Create a connection to `card`'s reader and connect (see scio_connect()).
 * On failure nothing is left allocated and `*out` is NULL.
 */
scio_status scio_card_connect(scio_context *ctx, const scio_card *card,
                              unsigned protocols, scio_share share,
                              scio_disposition disposition,
                              scio_connection **out);

/**
 * Disconnect with the stored disposition (see scio_connect()), release the
 * backend context and free. NULL is allowed. Never fails loudly.
 */
void scio_connection_free(scio_connection *conn);

/**
 * Connect to the card. `protocols` is the mask of acceptable protocols
 * (SCIO_PROTO_ANY for T=0 or T=1; 0 is valid only with SCIO_SHARE_DIRECT);
 * it becomes the preferred mask (scio_get_preferred_protocols()). The
 * negotiated protocol is scio_get_active_protocol(). `disposition` is what
 * scio_disconnect(), scio_release() and scio_connection_free() will do to
 * the card; pass SCIO_LEAVE unless you mean to reset or power off the card.
 * Observers see SCIO_EV_CONNECT before and after.
 * Errors: SCIO_E_NO_CARD, SCIO_E_UNKNOWN_READER, SCIO_E_SHARING_VIOLATION,
 * SCIO_E_PROTO_MISMATCH, SCIO_E_STATE if already connected,
 * SCIO_E_RELEASED after scio_release().
 */
scio_status scio_connect(scio_connection *conn, unsigned protocols,
                         scio_share share, scio_disposition disposition);

/**
 * Re-establish the connection (e.g. after SCIO_E_CARD_RESET or a card
 * swap) with an explicit initialisation action: SCIO_LEAVE keeps the
 * card's state, SCIO_RESET resets it, SCIO_UNPOWER power-cycles it. The
 * disposition stored by scio_connect() is not changed. On failure the
 * connection is left disconnected. Needs a connected handle
 * (SCIO_E_NOT_CONNECTED).
 */
scio_status scio_reconnect(scio_connection *conn, unsigned protocols,
                           scio_share share, scio_disposition init);

/** Disconnect with the disposition given to scio_connect(). The handle is
 *  dropped even if the backend reports an error. SCIO_OK if not connected. */
scio_status scio_disconnect(scio_connection *conn);

/** Disconnect with an explicit disposition. */
scio_status scio_disconnect_with(scio_connection *conn,
                                 scio_disposition disposition);

/**
 * Disconnect (stored disposition) and release the backend context; the
 * connection then only answers SCIO_E_RELEASED. Idempotent.
 */
void scio_release(scio_connection *conn);

/** True while the connection holds a card handle. */
bool scio_is_connected(const scio_connection *conn);

/** The reader name given at creation. */
const char *scio_connection_reader(const scio_connection *conn);

/** The negotiated protocol (SCIO_PROTO_T0/T1/RAW, or UNDEFINED for DIRECT
 *  or when not connected). */
unsigned scio_get_active_protocol(const scio_connection *conn);

/** The mask asked for at the last connect/reconnect (default ANY). */
unsigned scio_get_preferred_protocols(const scio_connection *conn);

/**
 * Set the preferred mask used by connect/reconnect when they are given
 * SCIO_PROTO_UNDEFINED with a non-DIRECT share mode. Does not touch the
 * active protocol.
 */
void scio_set_preferred_protocols(scio_connection *conn, unsigned protocols);

/** Card state as reported by the backend (SCardStatus). */
typedef struct scio_card_status {
    bool present;
    bool powered;
    unsigned protocol;
    uint8_t atr[SCIO_ATR_MAX];
    size_t atr_len;
} scio_card_status;

/** Ask the backend for the card's live state (not cached). */
scio_status scio_get_status(scio_connection *conn, scio_card_status *out);

/** The card's ATR, live (SCardStatus): `atr` needs SCIO_ATR_MAX bytes. */
scio_status scio_get_atr(scio_connection *conn, uint8_t *atr, size_t *len);

/* ---- transmit ------------------------------------------------------- */

/**
 * Automatic T=0 style response handling, off by default (opt-in):
 *  - SCIO_T0_GET_RESPONSE: on 61xx send GET RESPONSE (CLA C0 00 00 xx,
 *    xx = 00 meaning 256) and append its data, while 61xx comes back, at
 *    most 256 rounds and SCIO_RESPONSE_MAX bytes. The GET RESPONSE class
 *    byte keeps the command's logical channel: interindustry classes map
 *    to 00..03 / 40..4F (secure messaging and chaining bits cleared),
 *    proprietary classes (b8 = 1, e.g. A0 for SIM, 80) are kept as they
 *    are.
 *  - SCIO_T0_RESEND: on 6Cxx resend the same short command once with
 *    Le = xx.
 * Each physical exchange is seen by the observers. The final status word
 * is the one of the last exchange.
 */
enum scio_t0_flags {
    SCIO_T0_GET_RESPONSE = 1,
    SCIO_T0_RESEND = 2,
    SCIO_T0_ALL = 3
};

/** Set the connection's T=0 handling (0 = none, the default). */
void scio_set_t0_handling(scio_connection *conn, unsigned flags);
unsigned scio_get_t0_handling(const scio_connection *conn);

/**
 * Send a command APDU and receive the response, split into data and
 * status word. `*resp_len` is the capacity of `resp` on entry and the data
 * length on return; `resp` may be NULL when the capacity is 0.
 *
 * The protocol is the active one. T=0 handling as configured. Then the
 * error chain (if any) checks the final data and status word; if it
 * objects, the result is SCIO_E_SW with the response delivered as usual.
 *
 * Errors: SCIO_E_INVALID_RESPONSE if the card answered fewer than 2
 * bytes; SCIO_E_BUFFER_TOO_SMALL if the data does not fit (then
 * `*resp_len` = needed size, nothing copied, `*sw` set);
 * SCIO_E_CARD_RESET / SCIO_E_CARD_REMOVED; SCIO_E_PROTO_MISMATCH when no
 * protocol is active (DIRECT). `sw` may be NULL.
 * Observers see SCIO_EV_COMMAND and SCIO_EV_RESPONSE per exchange.
 */
scio_status scio_transmit(scio_connection *conn, const uint8_t *cmd,
                          size_t cmd_len, uint8_t *resp, size_t *resp_len,
                          uint16_t *sw);

/** Per-call transmit options. */
typedef struct scio_transmit_opts {
    /** Protocol to send with; 0 = the active protocol. */
    unsigned protocol;
    /** T=0 handling flags for this call (see scio_t0_flags). */
    unsigned t0;
    /** Use `t0` instead of the connection's setting. */
    bool override_t0;
    /** Do not run the error chain. */
    bool no_error_check;
} scio_transmit_opts;

/** scio_transmit() with options (`opts` NULL = defaults). */
scio_status scio_transmit_ex(scio_connection *conn,
                             const scio_transmit_opts *opts,
                             const uint8_t *cmd, size_t cmd_len,
                             uint8_t *resp, size_t *resp_len, uint16_t *sw);

/**
 * Exchange one APDU exactly as given and return the raw response with SW1
 * SW2 at its end: no T=0 handling, no error chain. `*rapdu_len` is the
 * capacity on entry. Observers see the exchange.
 */
scio_status scio_transmit_raw(scio_connection *conn, const uint8_t *cmd,
                              size_t cmd_len, uint8_t *rapdu,
                              size_t *rapdu_len);

/** The status word of the last completed transmit (0 if none). */
uint16_t scio_last_sw(const scio_connection *conn);

/** The PC/SC code of the connection's last backend failure (0 if none). */
uint32_t scio_connection_pcsc_code(const scio_connection *conn);

/* ---- control, attributes, transactions ----------------------------- */

/** pcsc-lite's SCARD_CTL_CODE(code): 0x42000000 + code. */
uint32_t scio_ctl_code(uint32_t code);

/**
 * Send a control command to the reader (SCardControl). `*out_len` is the
 * capacity on entry. The error chain never looks at control data.
 * Observers see SCIO_EV_CONTROL and SCIO_EV_CONTROL_RESPONSE. Works on
 * SHARE_DIRECT connections without a card. Readers without the feature
 * give SCIO_E_UNSUPPORTED.
 */
scio_status scio_control(scio_connection *conn, uint32_t code,
                         const uint8_t *in, size_t in_len, uint8_t *out,
                         size_t *out_len);

/** A reader feature from the PC/SC part 10 feature request. */
typedef struct scio_feature {
    uint8_t tag;           /**< FEATURE_* number, e.g. 0x06 VERIFY_PIN_DIRECT */
    uint32_t control_code; /**< code for scio_control() */
} scio_feature;

/**
 * Ask the reader for its part 10 features (CM_IOCTL_GET_FEATURE_REQUEST).
 * `*n` receives how many were found (at most `cap` are stored).
 */
scio_status scio_get_features(scio_connection *conn, scio_feature *features,
                              size_t cap, size_t *n);

/** Attribute identifiers (pcsc-lite SCARD_ATTR_VALUE(class, tag)). */
#define SCIO_ATTR_VALUE(cls, tag) ((uint32_t)(cls) << 16 | (uint32_t)(tag))
#define SCIO_ATTR_VENDOR_NAME SCIO_ATTR_VALUE(1, 0x0100)
#define SCIO_ATTR_VENDOR_IFD_VERSION SCIO_ATTR_VALUE(1, 0x0102)
#define SCIO_ATTR_CHANNEL_ID SCIO_ATTR_VALUE(2, 0x0110)
#define SCIO_ATTR_MAXINPUT SCIO_ATTR_VALUE(7, 0xA007)
#define SCIO_ATTR_CURRENT_PROTOCOL_TYPE SCIO_ATTR_VALUE(8, 0x0201)
#define SCIO_ATTR_ICC_PRESENCE SCIO_ATTR_VALUE(9, 0x0300)
#define SCIO_ATTR_ATR_STRING SCIO_ATTR_VALUE(9, 0x0303)
#define SCIO_ATTR_DEVICE_FRIENDLY_NAME SCIO_ATTR_VALUE(0x7FFF, 0x0003)

/** Read an attribute; `*len` is the capacity on entry (pcsc-lite returns
 *  at most 264 bytes). Never checked by the error chain. */
scio_status scio_get_attrib(scio_connection *conn, uint32_t id,
                            uint8_t *buf, size_t *len);

/** Write an attribute. */
scio_status scio_set_attrib(scio_connection *conn, uint32_t id,
                            const uint8_t *buf, size_t len);

/**
 * Start a transaction: other handles block (without timeout) until it
 * ends. Transactions do not nest.
 */
scio_status scio_begin_transaction(scio_connection *conn);

/** End the transaction with a disposition (normally SCIO_LEAVE). */
scio_status scio_end_transaction(scio_connection *conn,
                                 scio_disposition disposition);

/** Work done inside scio_with_transaction(). */
typedef scio_status (*scio_transaction_fn)(scio_connection *conn,
                                           void *user);

/**
 * Run `fn` inside a transaction and always end it with `disposition`,
 * whatever `fn` returns. Returns the begin error, else `fn`'s status, else
 * the end error.
 */
scio_status scio_with_transaction(scio_connection *conn,
                                  scio_transaction_fn fn, void *user,
                                  scio_disposition disposition);

/* ======================================================================
 * Observers
 * ==================================================================== */

typedef enum scio_event_type {
    SCIO_EV_CONNECT,          /**< before (after = false) and after connect */
    SCIO_EV_RECONNECT,        /**< before and after reconnect */
    SCIO_EV_DISCONNECT,       /**< before and after, only if connected */
    SCIO_EV_COMMAND,          /**< before an APDU exchange: data = C-APDU */
    SCIO_EV_RESPONSE,         /**< after it: data (no SW), sw, result */
    SCIO_EV_CONTROL,          /**< before a control command: code, input */
    SCIO_EV_CONTROL_RESPONSE  /**< after it: output, result */
} scio_event_type;

/** What an observer receives. Pointers are valid during the call only. */
typedef struct scio_event {
    scio_event_type type;
    bool after;              /**< the "after" half (always true for RESPONSE
                                  and CONTROL_RESPONSE) */
    scio_status result;      /**< after: the outcome; before: SCIO_OK */
    const uint8_t *data;
    size_t len;
    uint16_t sw;             /**< RESPONSE: the status word (0 on failure) */
    uint32_t control_code;   /**< CONTROL and CONTROL_RESPONSE */
    unsigned protocol;       /**< COMMAND/RESPONSE: protocol used;
                                  (RE)CONNECT after: the active protocol */
    scio_share share;        /**< (RE)CONNECT */
    scio_disposition disposition; /**< CONNECT: stored disposition;
                                       RECONNECT: init; DISCONNECT: used */
} scio_event;

/**
 * An observer. Runs synchronously in the thread that made the call. It may
 * add or remove observers (including itself): a removed observer is not
 * called any more, even later in the same notification; one added during
 * a notification is first called for the next event. It must not call
 * functions of the same connection that notify (connect, transmit, ...).
 */
typedef void (*scio_observer_fn)(scio_connection *conn,
                                 const scio_event *event, void *user);

/**
 * Register an observer; `*id` (may be NULL) receives its id for removal.
 * Adding the same fn + user twice registers it once and returns the same
 * id.
 */
scio_status scio_add_observer(scio_connection *conn, scio_observer_fn fn,
                              void *user, unsigned *id);

/** Remove an observer by id; SCIO_E_NOT_FOUND if unknown. */
scio_status scio_remove_observer(scio_connection *conn, unsigned id);

/**
 * Format an event as one line, like pyscard's console observer:
 * "connect begin", "connect done T=1", "> 00 A4 00 0C 02 3F 00",
 * "< [] 90 00", "< 6F 0A ... 90 00", "disconnect done (leave)",
 * "control 42000D48 < []" with " (reason)" appended on failure. Data
 * longer than 64 bytes is cut with " ...". Returns the length (truncated
 * to `cap` - 1).
 */
size_t scio_event_format(const scio_event *event, char *out, size_t cap);

/* ======================================================================
 * Status-word checking
 * ==================================================================== */

/** Classes of status-word errors (flat: filtering is exact). */
typedef enum scio_sw_class {
    SCIO_SW_WARNING = 1,   /**< 62xx, 63xx */
    SCIO_SW_EXECUTION = 2, /**< 64xx, 65xx */
    SCIO_SW_SECURITY = 4,  /**< 66xx */
    SCIO_SW_CHECKING = 8,  /**< 67xx .. 6Fxx, OP 94xx */
    SCIO_SW_CUSTOM = 16,   /**< from application checkers */
    SCIO_SW_ALL = 31
} scio_sw_class;

/** One objection to a status word. */
typedef struct scio_sw_error {
    scio_sw_class cls;
    uint8_t sw1, sw2;
    const char *message; /**< static text, e.g. "File not found" */
    const char *checker; /**< the checker's name, e.g. "ISO7816-4" */
} scio_sw_error;

/** A built-in checker: a table of (SW1, SW2 range, class, text). */
typedef struct scio_sw_checker scio_sw_checker;

/**
 * Built-in checkers (immutable, shared). They object to:
 *  - iso7816_4: 62 00/81-84/FF, 63 00/81/Cx (warning), 64 00 (execution),
 *    67 00, 68 81/82, 69 81-88, 6A 80-88, 6B 00, 6D 00, 6E 00, 6F 00
 *    (checking). Not 61xx, 6Cxx, 65xx, 66xx.
 *  - iso7816_4_sw1: any SW2 for 62, 63 (warning), 64, 65 (execution), 66
 *    (security), 67-6F including 6C (checking). Not 61xx.
 *  - iso7816_8: 63 00/Cx (warning), 65 81 (execution), 66 00/87/88
 *    (security), 67 00, 68 83/84, 69 82-85, 6A 81/82/86/88 (checking).
 *  - iso7816_9: 62 82 (warning), 64 00 (execution), 69 82, 6A 80/84/89/8A
 *    (checking).
 *  - op21 (Open Platform 2.1): 62 83, 63 00 (warning), 64 00, 65 81
 *    (execution), 67 00, 69 82/85, 6A 80-82/84/86/88, 6D 00, 6E 00,
 *    94 84/85 (checking).
 */
const scio_sw_checker *scio_checker_iso7816_4(void);
const scio_sw_checker *scio_checker_iso7816_4_sw1(void);
const scio_sw_checker *scio_checker_iso7816_8(void);
const scio_sw_checker *scio_checker_iso7816_9(void);
const scio_sw_checker *scio_checker_op21(void);

/** The checker's name ("ISO7816-4", ...). */
const char *scio_sw_checker_name(const scio_sw_checker *checker);

/** Test one status word; true (and `*err` filled, may be NULL) if the
 *  checker objects. Thread-safe. */
bool scio_sw_checker_test(const scio_sw_checker *checker, uint8_t sw1,
                          uint8_t sw2, scio_sw_error *err);

/** An application checker: return true and fill `err` to object. */
typedef bool (*scio_sw_check_fn)(const uint8_t *data, size_t len,
                                 uint8_t sw1, uint8_t sw2,
                                 scio_sw_error *err, void *user);

typedef struct scio_error_chain scio_error_chain;

scio_status scio_error_chain_new(scio_error_chain **out);

/** Append a built-in checker at the end of the chain. */
scio_status scio_error_chain_append(scio_error_chain *chain,
                                    const scio_sw_checker *checker);

/** Append an application checker (`name` copied; NULL = "custom"). */
scio_status scio_error_chain_append_fn(scio_error_chain *chain,
                                       scio_sw_check_fn fn, void *user,
                                       const char *name);

/**
 * Ignore objections of these classes (a mask of scio_sw_class), in every
 * link: an ignored objection lets checking go on with the next link,
 * which may still object with another class. Filters accumulate.
 */
void scio_error_chain_filter(scio_error_chain *chain, unsigned classes);

size_t scio_error_chain_length(const scio_error_chain *chain);

/**
 * Run the links in order; the first unfiltered objection wins (true, and
 * `*err` filled; `err` may be NULL). Thread-safe once built.
 */
bool scio_error_chain_check(const scio_error_chain *chain,
                            const uint8_t *data, size_t len, uint8_t sw1,
                            uint8_t sw2, scio_sw_error *err);

void scio_error_chain_free(scio_error_chain *chain);

/**
 * Check every later transmit's result with `chain` (borrowed; must
 * outlive its use; NULL = no checking). Only APDU responses are checked,
 * never control or attribute data.
 */
void scio_set_error_chain(scio_connection *conn,
                          const scio_error_chain *chain);

/** The objection behind the last SCIO_E_SW (SCIO_E_NOT_FOUND if the last
 *  transmit had none). */
scio_status scio_last_sw_error(const scio_connection *conn,
                               scio_sw_error *out);

/* ======================================================================
 * Card services
 * ==================================================================== */

typedef struct scio_service scio_service;

/**
 * A kind of card service (a card's command set in code). All hooks are
 * optional. `supports` says whether the service can drive this card (NULL:
 * yes); `open` sets up the service's state (scio_service_set_data) and
 * `close` tears it down.
 */
typedef struct scio_service_class {
    const char *name;
    bool (*supports)(const scio_card *card, void *class_user);
    scio_status (*open)(scio_service *svc, void *class_user);
    void (*close)(scio_service *svc, void *class_user);
} scio_service_class;

/** The pass-through service: every card; transmit goes straight through. */
const scio_service_class *scio_passthru_service(void);

/** Bind a service to a connection (borrowed: never freed by the
 *  service). Calls the class's `open`. */
scio_status scio_service_new(const scio_service_class *cls,
                             void *class_user, scio_connection *conn,
                             scio_service **out);

/** Call `close` and free. Frees the connection only if the service was
 *  made by scio_service_registry_open(). NULL is allowed. */
void scio_service_free(scio_service *svc);

scio_connection *scio_service_connection(const scio_service *svc);
const char *scio_service_name(const scio_service *svc);
void *scio_service_get_data(const scio_service *svc);
void scio_service_set_data(scio_service *svc, void *data);

/** scio_transmit() on the service's connection. */
scio_status scio_service_transmit(scio_service *svc, const uint8_t *cmd,
                                  size_t cmd_len, uint8_t *resp,
                                  size_t *resp_len, uint16_t *sw);

typedef struct scio_service_registry scio_service_registry;

scio_status scio_service_registry_new(scio_service_registry **out);

/**
 * Register a service class for cards of `type` (borrowed; NULL = any).
 * Entries are tried in registration order.
 */
scio_status scio_service_registry_add(scio_service_registry *reg,
                                      const scio_card_type *type,
                                      const scio_service_class *cls,
                                      void *class_user);

/**
 * The first entry whose type matches `card` and whose class supports it;
 * SCIO_E_NOT_FOUND if none does (register scio_passthru_service() last as
 * a fallback).
 */
scio_status scio_service_registry_find(const scio_service_registry *reg,
                                       const scio_card *card,
                                       const scio_service_class **cls,
                                       void **class_user);

/**
 * Find the service for `card`, connect to it (arguments as scio_connect())
 * and open the service, which then owns the connection.
 */
scio_status scio_service_registry_open(const scio_service_registry *reg,
                                       scio_context *ctx,
                                       const scio_card *card,
                                       unsigned protocols, scio_share share,
                                       scio_disposition disposition,
                                       scio_service **out);

void scio_service_registry_free(scio_service_registry *reg);

/* ======================================================================
 * Monitors
 * ==================================================================== */

/** Card events, delivered in the monitor's thread. */
typedef void (*scio_card_events_fn)(const scio_card_event *events, size_t n,
                                    void *user);
/** Reader changes, delivered in the monitor's thread. */
typedef void (*scio_reader_events_fn)(const char *const *added,
                                      size_t n_added,
                                      const char *const *removed,
                                      size_t n_removed, void *user);
/**
 * Backend trouble in a monitor's thread: called with the error when the
 * service is lost (pcscd stopped), then once with SCIO_OK when the monitor
 * has re-established its context. The monitor keeps retrying (back-off
 * 100 ms doubling to 1 s) until stopped; it never dies silently. Other
 * backend failures are reported the same way and retried after 500 ms.
 */
typedef void (*scio_monitor_error_fn)(scio_status status, uint32_t pcsc_code,
                                      void *user);

typedef struct scio_card_monitor scio_card_monitor;

/**
 * Options of a card monitor.
 *
 * Initial-snapshot contract: scio_card_monitor_start() returns after the
 * monitor has looked at the readers once. With `initial_snapshot` the
 * first callback (from the monitor thread, before any other, and made
 * even when no card is present: then with n = 0) reports every wanted
 * card present at that moment as INSERTED; without it those cards are
 * taken as known and only later changes are reported. Either way every
 * later change is reported exactly once (as
 * scio_card_request_wait_event() describes). Across a pcscd restart the
 * monitor reports the difference between what it last reported and what
 * it finds after re-establishing (a card that is still there is not
 * reported again). Callbacks must not stop or free their own monitor.
 */
typedef struct scio_card_monitor_opts {
    const char *const *readers; /**< NULL/0 = all readers (copied) */
    size_t n_readers;
    const scio_card_type *type; /**< NULL = any; borrowed */
    bool initial_snapshot;
    scio_card_events_fn on_events; /**< required */
    scio_monitor_error_fn on_error; /**< optional */
    void *user;
} scio_card_monitor_opts;

scio_status scio_card_monitor_new(scio_context *ctx,
                                  const scio_card_monitor_opts *opts,
                                  scio_card_monitor **out);

/** Start the thread (SCIO_E_STATE if running). See the snapshot contract. */
scio_status scio_card_monitor_start(scio_card_monitor *mon);

/**
 * Stop: cancel the wait and join the thread. When it returns no callback
 * is running or will run. Must not be called from the monitor's own
 * callbacks. A stopped monitor may be started again (it then takes a new
 * snapshot). Idempotent.
 */
void scio_card_monitor_stop(scio_card_monitor *mon);

/** Stop and free. NULL is allowed. */
void scio_card_monitor_free(scio_card_monitor *mon);

typedef struct scio_reader_monitor scio_reader_monitor;

/**
 * Options of a reader monitor; same snapshot contract as the card
 * monitor, for reader names (the snapshot callback lists every reader as
 * added, possibly none). Changes are seen through PC/SC's plug-and-play
 * notification and the readers' own states (no polling).
 */
typedef struct scio_reader_monitor_opts {
    bool initial_snapshot;
    scio_reader_events_fn on_change; /**< required */
    scio_monitor_error_fn on_error;  /**< optional */
    void *user;
} scio_reader_monitor_opts;

scio_status scio_reader_monitor_new(scio_context *ctx,
                                    const scio_reader_monitor_opts *opts,
                                    scio_reader_monitor **out);
scio_status scio_reader_monitor_start(scio_reader_monitor *mon);
void scio_reader_monitor_stop(scio_reader_monitor *mon);
void scio_reader_monitor_free(scio_reader_monitor *mon);

/* ======================================================================
 * ATR and hex utilities
 * ==================================================================== */

/** One group of interface bytes (TAi TBi TCi TDi). */
typedef struct scio_atr_group {
    bool has_ta, has_tb, has_tc, has_td;
    uint8_t ta, tb, tc, td;
} scio_atr_group;

/** A parsed ATR (ISO/IEC 7816-3 §8.2). */
typedef struct scio_atr {
    uint8_t ts;             /**< 3B direct, 3F inverse convention */
    uint8_t t0;
    size_t n_groups;        /**< groups i = 1..n in group[0..n-1] */
    scio_atr_group group[8];
    uint8_t hist[15];       /**< historical bytes */
    size_t hist_len;
    bool has_tck;
    uint8_t tck;
    bool tck_ok;            /**< TCK present and correct (false if absent) */
    unsigned protocols;     /**< bit T for each T offered (T=0 without TD1) */
    unsigned fi, di;        /**< from TA1 (372 and 1 by default; 0 = RFU) */
} scio_atr;

/**
 * Parse an ATR. Every byte is bounds-checked: a truncated or overlong
 * ATR, a bad TS, or more than 8 groups is SCIO_E_INVALID_ATR. A wrong TCK
 * is not an error: the parse is complete with tck_ok = false.
 */
scio_status scio_atr_parse(const uint8_t *atr, size_t len, scio_atr *out);

/**
 * Describe a parsed ATR in a few lines ("TS = 3B (direct convention)",
 * "TA1 = 13 (Fi = 372, Di = 4)", "protocols: T=1", "historical bytes:
 * 80 73 FF 01 00", "TCK = 0B (correct)"). Returns the text length
 * (truncated to `cap` - 1).
 */
size_t scio_atr_describe(const scio_atr *atr, char *out, size_t cap);

/**
 * Decode hex: upper or lower case digit pairs, optionally separated by
 * whitespace (any amount) or single colons; an odd digit count, a
 * separator inside a pair or any other character is SCIO_E_INVALID_ARG;
 * more than `cap` bytes is SCIO_E_BUFFER_TOO_SMALL. Nothing is written on
 * failure.
 */
scio_status scio_hex_decode(const char *text, uint8_t *out, size_t cap,
                            size_t *len);

/** Flags of scio_hex_encode(). */
enum scio_hex_flags { SCIO_HEX_UPPER = 1, SCIO_HEX_SPACED = 2 };

/**
 * Encode bytes as hex, NUL-terminated. Returns the text length, or 0 and
 * an empty string (when cap > 0) if `cap` is too small (2 * len + 1, or
 * 3 * len with SCIO_HEX_SPACED).
 */
size_t scio_hex_encode(const uint8_t *data, size_t len, unsigned flags,
                       char *out, size_t cap);

/** Text of an ISO 7816-4 status word ("Normal processing", "File or
 *  application not found", ...); never NULL. */
const char *scio_sw_text(uint16_t sw);

#ifdef __cplusplus
}
#endif
#endif /* SCIO_H */
