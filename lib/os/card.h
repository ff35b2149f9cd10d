/* SPDX-License-Identifier: LGPL-2.1-or-later */
/**
 * @file card.h
 * @brief Inside the card engine: the card object, its channels, PINs,
 *        keys, security status and applications.
 *
 * The flow of one APDU (dispatch.c): parse once (lib/core/apdu) -> check the class
 * byte (channel, chaining, secure messaging) -> look the INS up in the card's
 * table -> run the handler, which sees an sfc_cmd and fills an sfc_resp ->
 * apply the Le rules (61xx + GET RESPONSE, 6Cxx) once, in the OS.
 *
 * A card type is a table, not a fork: every card starts with the ISO
 * 7816-4 handlers in its table; the type's create() personalises a fresh
 * card once and its attach() binds applications and overrides entries
 * (include/softcard-cardtype.h is the interface). The current application
 * of a channel is the application bound to the nearest DF at or above the
 * channel's current DF; its table is asked first. Handlers never format
 * transport details and never decide access on their own: they ask
 * sfc_access() (access.h).
 *
 * Invariants: a channel that is open has a current DF; a PIN's verified
 * flag is volatile and lives in `sec`; an application's `df` is NULL once
 * the DF was deleted; nothing here points into a card image.
 */
#ifndef SFC_OS_CARD_H
#define SFC_OS_CARD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "softcard.h"
#include "softcard-cardtype.h"
#include "core/bytes.h"
#include "core/sw.h"

/** Logical channels 0..3 (first interindustry) and 4..19 (further). */
#define SFC_MAX_CHANNELS 20
/** Response data a handler may produce (Ne up to 65536). */
#define SFC_RESP_MAX 65536u
/** Largest R-APDU the vpcd frame can carry: data plus SW1 SW2. */
#define SFC_RAPDU_MAX 65535u
/** Largest data part of one R-APDU. */
#define SFC_RDATA_MAX (SFC_RAPDU_MAX - 2u)
/** Largest accumulated data of a command chain. */
#define SFC_CHAIN_MAX 65535u
#define SFC_MAX_PINS 16
/** Applications one card may host, and the longest AID. */
#define SFC_MAX_APPS 8
#define SFC_AID_MAX 16
#define SFC_PIN_MAX_LEN 16
#define SFC_CHALLENGE_MAX 256
#define SFC_SECRET_LEN 16
/** Default memory for file contents and data objects. */
#define SFC_DEFAULT_MEMORY (1024u * 1024u)

/** What a handler produces besides its status word. */
struct sfc_resp {
    sfc_buf data;        /**< fixed buffer of SFC_RESP_MAX bytes */
    sfc_le_mode le_mode;
};

typedef struct sfc_ins_entry {
    sfc_ins_fn fn;      /**< NULL: instruction not supported (6D00) */
    unsigned flags;
    const char *name;  /**< for logs, e.g. "SELECT" */
} sfc_ins_entry;

/** Per logical channel: current files, record pointer, pending data, chain. */
typedef struct sfc_channel {
    bool open;
    sfc_file *cur_df;    /**< never NULL while open */
    sfc_file *cur_ef;    /**< NULL if no EF is current */
    size_t rec_ptr;     /**< current record of cur_ef, 1-based; 0 = none */
    sfc_buf pending;     /**< response data waiting for GET RESPONSE */
    size_t pending_off;
    uint16_t pending_sw; /**< SW to give once the pending data is consumed */
    bool chaining;      /**< a command chain is being assembled */
    uint8_t chain_cla, chain_ins, chain_p1, chain_p2;
    sfc_buf chain;
} sfc_channel;

/** A PIN (reference data) with its retry counter and optional PUK. */
typedef struct sfc_pin {
    uint8_t ref;                 /**< P2 reference, e.g. 0x01 or 0x81 */
    /** The AID of the application it belongs to; length 0: card-wide. */
    uint8_t scope[SFC_AID_MAX];
    uint8_t scope_len;
    sfc_pin_state state;
    uint8_t value[SFC_PIN_MAX_LEN];
    uint8_t len;
    uint8_t min_len, max_len;
    uint8_t max_tries, tries_left;
    bool has_puk;
    uint8_t puk[SFC_PIN_MAX_LEN];
    uint8_t puk_len;
    uint8_t puk_max_tries, puk_tries_left;
} sfc_pin;

/** Volatile security status; cleared by reset and power-off. */
typedef struct sfc_security {
    bool pin_verified[SFC_MAX_PINS];
    uint64_t rights;             /**< card-wide rights (sfc_right_grant) */
    uint64_t sm_rights;          /**< the part lost when SM ends */
    bool external_auth;          /**< EXTERNAL AUTHENTICATE succeeded */
    uint8_t external_auth_ref;   /**< with this key reference (0 = card secret) */
    bool cmd_secured;            /**< the command being processed came under SM */
} sfc_security;

/* ---- keys and security environments (ISO/IEC 7816-4 §5.4, 7816-8) ------ */

#define SFC_MAX_KEYS 16
#define SFC_MAX_SE 15             /* SE numbers 1..15 (SC byte b4-b1) */
#define SFC_SYM_KEY_MAX 32

/** A key held by the card, addressed by its reference (MSE tags 83/84). */
struct sfc_key {
    uint8_t ref;
    sfc_key_kind kind;
    uint8_t secret[SFC_SYM_KEY_MAX];  /**< symmetric keys */
    uint8_t secret_len;
    struct evp_pkey_st *pkey;        /**< asymmetric keys (OpenSSL EVP_PKEY) */
    /** Security condition for using the key, a compact-format SC byte
     *  (ISO/IEC 7816-4 table 22): 00 always, FF never, b5 user
     *  authentication, b6 external authentication, b7 SM, b4-b1 SE number. */
    uint8_t use_sc;
};

/** A control reference template of a security environment. */
typedef struct sfc_crt {
    bool set;
    bool has_alg;       /**< 80 cryptographic mechanism reference */
    uint8_t alg;
    bool has_key;       /**< 83 (secret/public) or 84 (private) key reference */
    bool key_private;   /**< the reference came in 84 */
    uint8_t key_ref;    /**< a one-byte reference (key_id[0]) */
    uint8_t key_id[24]; /**< the whole reference as given (e.g. a CHR in 83) */
    uint8_t key_id_len;
    uint8_t iv[16];     /**< 87 initial value (or 85: zero IV) */
    uint8_t iv_len;
    bool has_usage;     /**< 95 usage qualifier */
    uint8_t usage;
} sfc_crt;

/** A security environment: the six CRTs MSE SET can fill. */
typedef struct sfc_se {
    sfc_crt at;   /**< A4 authentication */
    sfc_crt kat;  /**< A6 key agreement */
    sfc_crt ht;   /**< AA hash */
    sfc_crt cct;  /**< B4 cryptographic checksum */
    sfc_crt dst;  /**< B6 digital signature */
    sfc_crt ct;   /**< B8 confidentiality */
} sfc_se;

typedef struct sfc_sm_session sfc_sm_session; /* sm.h */

/** An application bound to a DF of one card (app.c). */
struct sfc_app {
    const sfc_app_def *def;
    sfc_file *df;                 /**< NULL once deleted */
    void *state;                  /**< def->state_size bytes */
    uint64_t rights, sm_rights;   /**< volatile, as sfc_security's */
    bool selected;                /**< current on some channel (app.c) */
    sfc_ins_entry iso[256];       /**< its own entries; fn NULL = not defined */
    sfc_ins_entry prop[256];
    bool has_prop;
};

struct sfc_card {
    const sfc_card_type *type;
    void *type_state;             /**< owned by the card type */
    bool attached;                /**< the type's attach() ran */
    char label[48];               /**< for log lines */
    sfc_rng rng;
    bool extended_length;
    bool powered;

    uint8_t atr[SFC_ATR_MAX];
    size_t atr_len;

    sfc_ins_entry iso[256];        /**< interindustry classes */
    sfc_ins_entry prop[256];       /**< proprietary class (CLA b8 = 1) */
    bool accept_proprietary;      /**< else proprietary CLA gives 6E00 */
    /** Proprietary class 100x yycc coded as the first interindustry one
     *  (chaining, SM, channel), as TR-03110 and GlobalPlatform code it. */
    bool prop_cla_iso;

    sfc_file *mf;
    size_t mem_used, mem_limit;   /**< bytes of file contents and data objects */

    sfc_channel ch[SFC_MAX_CHANNELS];

    sfc_pin pins[SFC_MAX_PINS];
    size_t n_pins;
    sfc_security sec;

    uint8_t challenge[SFC_CHALLENGE_MAX];
    size_t challenge_len;         /**< 0: no valid challenge */
    uint8_t secret[SFC_SECRET_LEN];/**< card secret for INTERNAL/EXTERNAL AUTH */

    sfc_key keys[SFC_MAX_KEYS];
    size_t n_keys;
    sfc_se se;                     /**< current security environment (volatile) */
    uint8_t last_hash[64];        /**< result of the last PSO HASH (volatile) */
    size_t last_hash_len;
    sfc_se stored_se[SFC_MAX_SE + 1]; /**< MSE STORE targets, index = SE number */
    bool stored_se_set[SFC_MAX_SE + 1];
    sfc_sm_session *sm;            /**< active secure messaging, NULL = none */

    sfc_app *apps[SFC_MAX_APPS];  /**< bound applications, in attach order */
    size_t n_apps;
    sfc_app *cmd_app;             /**< while a handler runs: its application */

    /* Persistence: creation parameters, and the commit hook the card-image
     * layer installs. `dirty` is set after any SFC_INS_MUTATES command and by
     * sfc_mark_dirty(); sfc_card_transmit() commits before it answers. */
    sfc_param *params;
    size_t n_params;
    bool dirty;
    sfc_err (*commit)(sfc_card *card, void *user);
    void *commit_user;

    uint8_t resp_mem[SFC_RESP_MAX];
    uint8_t rapdu[SFC_RAPDU_MAX];
};

/* ---- card.c ------------------------------------------------------------ */

/* ---- card.c: a card's life ----------------------------------------------- */

/**
 * A card of type `t` with an empty MF and the ISO table, its parameters
 * checked against the type's declaration and copied: neither create() nor
 * attach() has run. The first step of a fresh card and of a loaded image.
 */
sfc_err sfc_card_blank(const sfc_card_type *t, const sfc_card_options *opts,
                       sfc_card **out, char *err, size_t errlen);
/** Run the type's create() (personalisation), then forget the parameters
 *  it alone needed (those without SFC_PARAM_KEEP). */
sfc_err sfc_card_personalise(sfc_card *card, char *err, size_t errlen);
/** Run the type's attach() and power the card's state to its reset state. */
sfc_err sfc_card_attach(sfc_card *card, char *err, size_t errlen);
/** blank + personalise + attach: a fresh card of type `t`. */
sfc_err sfc_card_create(const sfc_card_type *t, const sfc_card_options *opts,
                        sfc_card **out, char *err, size_t errlen);
/** The declaration of parameter `name` in `t`, or NULL. */
const sfc_param_def *sfc_param_def_of(const sfc_card_type *t,
                                      const char *name);
/** The card's options as kept (label, rng, extended length, parameters). */
void sfc_card_options_of(const sfc_card *card, sfc_card_options *out);

/* ---- dispatch.c: the ISO 7816-4 command dispatcher ---------------------------- */

/** Fill `table` with the ISO 7816-4 interindustry handlers. */
void os_iso_table(sfc_ins_entry table[256]);

/**
 * Put one instruction definition into a pair of tables (interindustry, or
 * proprietary with SFC_INS_PROPRIETARY). Returns true if it added a
 * proprietary handler.
 */
bool os_ins_put(sfc_ins_entry iso[256], sfc_ins_entry prop[256],
                const sfc_ins_def *def);

/** Process one C-APDU into card->rapdu; returns the R-APDU length (>= 2). */
size_t os_process(sfc_card *card, const uint8_t *capdu, size_t len);

/** Clear volatile state: channels (MF on channel 0), security, challenge. */
void os_reset(sfc_card *card);

/** GET RESPONSE (C0); also usable in a proprietary table. */
uint16_t os_get_response(sfc_card *card, const sfc_cmd *cmd, sfc_resp *resp);

/* ---- app.c: applications ------------------------------------------------- */

/** The application bound to `f` or the nearest DF above it, or NULL. */
sfc_app *app_of_file(const sfc_file *f);
/** The application current on channel `ch`, or NULL. */
sfc_app *app_of_channel(const sfc_card *card, unsigned ch);
/** `app` (may be NULL) is current on a channel now. */
void app_now_current(sfc_app *app);
/**
 * Something moved a channel away from `before` (NULL allowed): if it was
 * selected and is current on no channel any more, clear its PIN
 * verifications and rights and call its deselect hook, once.
 */
void app_track(sfc_card *card, sfc_app *before);
/** Make default applications current (reset, power-on). */
void app_reset(sfc_card *card);
/** Unbind and free every application (card end). */
void app_free_all(sfc_card *card);
/** The file was deleted: an application bound to it loses its DF. */
void app_file_gone(sfc_file *f);
/** True if the PIN's scope is `app` (NULL: card-wide). */
bool app_owns_pin(const sfc_app *app, const sfc_pin *pin);
/** Secure messaging ended: rights granted until then go. */
void app_sm_ended(sfc_card *card);

/** The channel of a command. */
static inline sfc_channel *sfc_channel_of(sfc_card *card, const sfc_cmd *cmd)
{
    return &card->ch[cmd->channel];
}

#endif
