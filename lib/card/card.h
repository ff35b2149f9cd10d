/**
 * @file card.h
 * @brief Inside the card engine: the card object, commands, responses,
 *        instruction tables and card types.
 *
 * The flow of one APDU (os.c): parse once (lib/core/apdu) -> check the class
 * byte (channel, chaining, secure messaging) -> look the INS up in the card's
 * table -> run the handler, which sees an sc_cmd and fills an sc_resp ->
 * apply the Le rules (61xx + GET RESPONSE, 6Cxx) once, in the OS.
 *
 * A card type is a table, not a fork: sc_card_new() fills the card's tables
 * with the ISO 7816-4 handlers, then the type's init() overrides or adds
 * entries and builds its file system, PINs and ATR. Handlers never format
 * transport details and never decide access on their own: they ask
 * sc_access() (access.h).
 */
#ifndef SC_CARD_CARD_H
#define SC_CARD_CARD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "softcard.h"
#include "core/bytes.h"
#include "core/sw.h"

/** Logical channels 0..3 (first interindustry) and 4..19 (further). */
#define SC_MAX_CHANNELS 20
/** Response data a handler may produce (Ne up to 65536). */
#define SC_RESP_MAX 65536u
/** Largest R-APDU the vpcd frame can carry: data plus SW1 SW2. */
#define SC_RAPDU_MAX 65535u
/** Largest data part of one R-APDU. */
#define SC_RDATA_MAX (SC_RAPDU_MAX - 2u)
/** Largest accumulated data of a command chain. */
#define SC_CHAIN_MAX 65535u
#define SC_MAX_PINS 8
#define SC_PIN_MAX_LEN 16
#define SC_CHALLENGE_MAX 256
#define SC_SECRET_LEN 16
/** Default memory for file contents and data objects. */
#define SC_DEFAULT_MEMORY (1024u * 1024u)

typedef struct sc_file sc_file;

/** A command as handlers see it: parsed, class decoded, chain assembled. */
typedef struct sc_cmd {
    uint8_t cla, ins, p1, p2;
    const uint8_t *data; /**< command data (whole chain if assembled) */
    size_t nc;
    size_t ne;           /**< 0 if no Le, else 1..65536 */
    bool has_le;
    bool extended;
    uint8_t channel;     /**< logical channel decoded from CLA (0 for proprietary) */
    bool proprietary;    /**< CLA b8 = 1 */
    bool chain_more;     /**< CLA chaining bit; only SC_INS_CHAIN_RAW handlers see it set */
} sc_cmd;

/** Le semantics a handler asks for; the OS applies them after the handler. */
typedef enum sc_le_mode {
    /** Data beyond Ne (or any data without Le) waits behind 61xx for
     *  GET RESPONSE. The default. */
    SC_LE_CHAIN = 0,
    /** The data is one unit (a record): if Le is present, not the maximum
     *  (00 / 0000) and smaller than the data, answer 6Cxx (short case). */
    SC_LE_EXACT
} sc_le_mode;

/** What a handler produces besides its status word. */
typedef struct sc_resp {
    sc_buf data;        /**< fixed buffer of SC_RESP_MAX bytes */
    sc_le_mode le_mode;
} sc_resp;

typedef struct sc_card sc_card;

/** A handler returns the status word; response data goes to resp->data. */
typedef uint16_t (*sc_ins_fn)(sc_card *card, const sc_cmd *cmd, sc_resp *resp);

enum sc_ins_flags {
    SC_INS_NO_CHAIN = 1u << 0,     /**< chaining not supported: 6884 */
    SC_INS_CHAIN_RAW = 1u << 1,    /**< handler receives each chained piece */
    SC_INS_SECRET_DATA = 1u << 2,  /**< command data masked in logs */
    SC_INS_KEEPS_PENDING = 1u << 3,/**< leaves pending response data alone */
    /** May change persistent state (files, counters, keys): after it runs,
     *  whatever its status word, the card is committed before answering. */
    SC_INS_MUTATES = 1u << 4
};

typedef struct sc_ins_entry {
    sc_ins_fn fn;      /**< NULL: instruction not supported (6D00) */
    unsigned flags;
    const char *name;  /**< for logs, e.g. "SELECT" */
} sc_ins_entry;

/** Per logical channel: current files, record pointer, pending data, chain. */
typedef struct sc_channel {
    bool open;
    sc_file *cur_df;    /**< never NULL while open */
    sc_file *cur_ef;    /**< NULL if no EF is current */
    size_t rec_ptr;     /**< current record of cur_ef, 1-based; 0 = none */
    sc_buf pending;     /**< response data waiting for GET RESPONSE */
    size_t pending_off;
    uint16_t pending_sw; /**< SW to give once the pending data is consumed */
    bool chaining;      /**< a command chain is being assembled */
    uint8_t chain_cla, chain_ins, chain_p1, chain_p2;
    sc_buf chain;
} sc_channel;

/** A PIN (reference data) with its retry counter and optional PUK. */
typedef struct sc_pin {
    uint8_t ref;                 /**< P2 reference, e.g. 0x01 or 0x81 */
    uint8_t value[SC_PIN_MAX_LEN];
    uint8_t len;
    uint8_t min_len, max_len;
    uint8_t max_tries, tries_left;
    bool has_puk;
    uint8_t puk[SC_PIN_MAX_LEN];
    uint8_t puk_len;
    uint8_t puk_max_tries, puk_tries_left;
} sc_pin;

/** Volatile security status; cleared by reset and power-off. */
typedef struct sc_security {
    bool pin_verified[SC_MAX_PINS];
    bool external_auth;          /**< EXTERNAL AUTHENTICATE succeeded */
    uint8_t external_auth_ref;   /**< with this key reference (0 = card secret) */
    bool cmd_secured;            /**< the command being processed came under SM */
} sc_security;

/* ---- keys and security environments (ISO/IEC 7816-4 §5.4, 7816-8) ------ */

#define SC_MAX_KEYS 16
#define SC_MAX_SE 15             /* SE numbers 1..15 (SC byte b4-b1) */
#define SC_SYM_KEY_MAX 32

typedef enum sc_key_kind {
    SC_KEY_DES3,  /**< 16 or 24 bytes */
    SC_KEY_AES,   /**< 16, 24 or 32 bytes */
    SC_KEY_RSA,
    SC_KEY_EC
} sc_key_kind;

/** A key held by the card, addressed by its reference (MSE tags 83/84). */
typedef struct sc_key {
    uint8_t ref;
    sc_key_kind kind;
    uint8_t secret[SC_SYM_KEY_MAX];  /**< symmetric keys */
    uint8_t secret_len;
    struct evp_pkey_st *pkey;        /**< asymmetric keys (OpenSSL EVP_PKEY) */
    /** Security condition for using the key, a compact-format SC byte
     *  (ISO/IEC 7816-4 table 22): 00 always, FF never, b5 user
     *  authentication, b6 external authentication, b7 SM, b4-b1 SE number. */
    uint8_t use_sc;
} sc_key;

/** A control reference template of a security environment. */
typedef struct sc_crt {
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
} sc_crt;

/** A security environment: the six CRTs MSE SET can fill. */
typedef struct sc_se {
    sc_crt at;   /**< A4 authentication */
    sc_crt kat;  /**< A6 key agreement */
    sc_crt ht;   /**< AA hash */
    sc_crt cct;  /**< B4 cryptographic checksum */
    sc_crt dst;  /**< B6 digital signature */
    sc_crt ct;   /**< B8 confidentiality */
} sc_se;

typedef struct sc_sm_session sc_sm_session; /* sm.h */

typedef struct sc_card_type sc_card_type;

struct sc_card {
    const sc_card_type *type;
    void *type_state;             /**< owned by the card type */
    char label[48];               /**< for log lines */
    sc_rng rng;
    bool extended_length;
    bool powered;

    uint8_t atr[SC_ATR_MAX];
    size_t atr_len;

    sc_ins_entry iso[256];        /**< interindustry classes */
    sc_ins_entry prop[256];       /**< proprietary class (CLA b8 = 1) */
    bool accept_proprietary;      /**< else proprietary CLA gives 6E00 */

    sc_file *mf;
    size_t mem_used, mem_limit;   /**< bytes of file contents and data objects */

    sc_channel ch[SC_MAX_CHANNELS];

    sc_pin pins[SC_MAX_PINS];
    size_t n_pins;
    sc_security sec;

    uint8_t challenge[SC_CHALLENGE_MAX];
    size_t challenge_len;         /**< 0: no valid challenge */
    uint8_t secret[SC_SECRET_LEN];/**< card secret for INTERNAL/EXTERNAL AUTH */

    sc_key keys[SC_MAX_KEYS];
    size_t n_keys;
    sc_se se;                     /**< current security environment (volatile) */
    uint8_t last_hash[64];        /**< result of the last PSO HASH (volatile) */
    size_t last_hash_len;
    sc_se stored_se[SC_MAX_SE + 1]; /**< MSE STORE targets, index = SE number */
    bool stored_se_set[SC_MAX_SE + 1];
    sc_sm_session *sm;            /**< active secure messaging, NULL = none */

    /* Persistence: creation parameters, and the commit hook the card-image
     * layer installs. `dirty` is set after any SC_INS_MUTATES command and by
     * sc_mark_dirty(); sc_card_transmit() commits before it answers. */
    sc_param *params;
    size_t n_params;
    bool dirty;
    sc_err (*commit)(sc_card *card, void *user);
    void *commit_user;

    uint8_t resp_mem[SC_RESP_MAX];
    uint8_t rapdu[SC_RAPDU_MAX];
};

/** A card type: a name, an init that fills tables and contents, and hooks. */
struct sc_card_type {
    const char *name;
    const char *description;
    /** NULL: the type is listed but not implemented yet. */
    sc_err (*init)(sc_card *card, const sc_card_options *opts, char *err,
                   size_t errlen);
    void (*fini)(sc_card *card);                        /**< optional */
    void (*on_power)(sc_card *card, sc_power_event ev); /**< optional, after the OS */
    /** Optional: replaces the whole APDU processing (relay). */
    sc_err (*transmit)(sc_card *card, const uint8_t *capdu, size_t len,
                       const uint8_t **rapdu, size_t *rlen);
};

/** Note that persistent state changed outside an SC_INS_MUTATES command. */
static inline void sc_mark_dirty(sc_card *card) { card->dirty = true; }

/* ---- card.c ------------------------------------------------------------ */

/** All card types of this build, NULL-terminated. */
extern const sc_card_type *const sc_card_types[];

/** Value of a card-type parameter, or NULL. */
const char *sc_param_get(const sc_card_options *opts, const char *key);

/**
 * Check that every parameter key is in `allowed` (NULL-terminated); on an
 * unknown key writes "card type 'T' has no parameter 'K'" to err.
 */
sc_err sc_params_check(const sc_card_options *opts, const char *type,
                       const char *const *allowed, char *err, size_t errlen);

/* ---- os.c: the ISO 7816-4 command dispatcher ---------------------------- */

/** Fill `table` with the ISO 7816-4 interindustry handlers. */
void os_iso_table(sc_ins_entry table[256]);

/** Process one C-APDU into card->rapdu; returns the R-APDU length (>= 2). */
size_t os_process(sc_card *card, const uint8_t *capdu, size_t len);

/** Clear volatile state: channels (MF on channel 0), security, challenge. */
void os_reset(sc_card *card);

/** GET RESPONSE (C0); also usable in a proprietary table. */
uint16_t os_get_response(sc_card *card, const sc_cmd *cmd, sc_resp *resp);

/** The channel of a command. */
static inline sc_channel *sc_channel_of(sc_card *card, const sc_cmd *cmd)
{
    return &card->ch[cmd->channel];
}

/**
 * The largest number of data bytes the response to `cmd` may carry: Ne
 * capped by what one R-APDU frame can carry (0 if no Le).
 */
size_t sc_max_response(const sc_cmd *cmd);

/** True if Le was the "maximum" encoding (short 00 or extended 0000). */
bool sc_le_is_max(const sc_cmd *cmd);

/* ---- ATR helper (card.c) ------------------------------------------------ */

/**
 * Build the card's ATR in the reference layout: 3B, TA1 = 13, T=1,
 * historical bytes 80 73 <first SFT> <second SFT> <third SFT>, where the
 * third software function table announces extended Lc/Le when the card has
 * extended_length set.
 */
sc_err sc_card_set_iso_atr(sc_card *card, uint8_t first_sft,
                           uint8_t second_sft);

/** Set the ATR from bytes (1..33). */
sc_err sc_card_set_atr(sc_card *card, const uint8_t *atr, size_t len);

#endif
