/* SPDX-License-Identifier: LGPL-2.1-or-later */
/**
 * @file card.h
 * @brief Inside the card engine: the card object, commands, responses,
 *        instruction tables and card types.
 *
 * The flow of one APDU (dispatch.c): parse once (lib/core/apdu) -> check the class
 * byte (channel, chaining, secure messaging) -> look the INS up in the card's
 * table -> run the handler, which sees an sfc_cmd and fills an sfc_resp ->
 * apply the Le rules (61xx + GET RESPONSE, 6Cxx) once, in the OS.
 *
 * A card type is a table, not a fork: sfc_card_new() fills the card's tables
 * with the ISO 7816-4 handlers, then the type's init() overrides or adds
 * entries and builds its file system, PINs and ATR. Handlers never format
 * transport details and never decide access on their own: they ask
 * sfc_access() (access.h).
 */
#ifndef SFC_OS_CARD_H
#define SFC_OS_CARD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "softcard.h"
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
#define SFC_MAX_PINS 8
#define SFC_PIN_MAX_LEN 16
#define SFC_CHALLENGE_MAX 256
#define SFC_SECRET_LEN 16
/** Default memory for file contents and data objects. */
#define SFC_DEFAULT_MEMORY (1024u * 1024u)

typedef struct sfc_file sfc_file;

/** A command as handlers see it: parsed, class decoded, chain assembled. */
typedef struct sfc_cmd {
    uint8_t cla, ins, p1, p2;
    const uint8_t *data; /**< command data (whole chain if assembled) */
    size_t nc;
    size_t ne;           /**< 0 if no Le, else 1..65536 */
    bool has_le;
    bool extended;
    uint8_t channel;     /**< logical channel decoded from CLA (0 for proprietary) */
    bool proprietary;    /**< CLA b8 = 1 */
    bool chain_more;     /**< CLA chaining bit; only SFC_INS_CHAIN_RAW handlers see it set */
} sfc_cmd;

/** Le semantics a handler asks for; the OS applies them after the handler. */
typedef enum sfc_le_mode {
    /** Data beyond Ne (or any data without Le) waits behind 61xx for
     *  GET RESPONSE. The default. */
    SFC_LE_CHAIN = 0,
    /** The data is one unit (a record): if Le is present, not the maximum
     *  (00 / 0000) and smaller than the data, answer 6Cxx (short case). */
    SFC_LE_EXACT
} sfc_le_mode;

/** What a handler produces besides its status word. */
typedef struct sfc_resp {
    sfc_buf data;        /**< fixed buffer of SFC_RESP_MAX bytes */
    sfc_le_mode le_mode;
} sfc_resp;

typedef struct sfc_card sfc_card;

/** A handler returns the status word; response data goes to resp->data. */
typedef uint16_t (*sfc_ins_fn)(sfc_card *card, const sfc_cmd *cmd, sfc_resp *resp);

enum sfc_ins_flags {
    SFC_INS_NO_CHAIN = 1u << 0,     /**< chaining not supported: 6884 */
    SFC_INS_CHAIN_RAW = 1u << 1,    /**< handler receives each chained piece */
    SFC_INS_SECRET_DATA = 1u << 2,  /**< command data masked in logs */
    SFC_INS_KEEPS_PENDING = 1u << 3,/**< leaves pending response data alone */
    /** May change persistent state (files, counters, keys): after it runs,
     *  whatever its status word, the card is committed before answering. */
    SFC_INS_MUTATES = 1u << 4
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
    bool external_auth;          /**< EXTERNAL AUTHENTICATE succeeded */
    uint8_t external_auth_ref;   /**< with this key reference (0 = card secret) */
    bool cmd_secured;            /**< the command being processed came under SM */
} sfc_security;

/* ---- keys and security environments (ISO/IEC 7816-4 §5.4, 7816-8) ------ */

#define SFC_MAX_KEYS 16
#define SFC_MAX_SE 15             /* SE numbers 1..15 (SC byte b4-b1) */
#define SFC_SYM_KEY_MAX 32

typedef enum sfc_key_kind {
    SFC_KEY_DES3,  /**< 16 or 24 bytes */
    SFC_KEY_AES,   /**< 16, 24 or 32 bytes */
    SFC_KEY_RSA,
    SFC_KEY_EC
} sfc_key_kind;

/** A key held by the card, addressed by its reference (MSE tags 83/84). */
typedef struct sfc_key {
    uint8_t ref;
    sfc_key_kind kind;
    uint8_t secret[SFC_SYM_KEY_MAX];  /**< symmetric keys */
    uint8_t secret_len;
    struct evp_pkey_st *pkey;        /**< asymmetric keys (OpenSSL EVP_PKEY) */
    /** Security condition for using the key, a compact-format SC byte
     *  (ISO/IEC 7816-4 table 22): 00 always, FF never, b5 user
     *  authentication, b6 external authentication, b7 SM, b4-b1 SE number. */
    uint8_t use_sc;
} sfc_key;

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

typedef struct sfc_card_type sfc_card_type;

struct sfc_card {
    const sfc_card_type *type;
    void *type_state;             /**< owned by the card type */
    char label[48];               /**< for log lines */
    sfc_rng rng;
    bool extended_length;
    bool powered;

    uint8_t atr[SFC_ATR_MAX];
    size_t atr_len;

    sfc_ins_entry iso[256];        /**< interindustry classes */
    sfc_ins_entry prop[256];       /**< proprietary class (CLA b8 = 1) */
    bool accept_proprietary;      /**< else proprietary CLA gives 6E00 */

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

/** A card type: a name, an init that fills tables and contents, and hooks. */
struct sfc_card_type {
    const char *name;
    const char *description;
    /** NULL: the type is listed but not implemented yet. */
    sfc_err (*init)(sfc_card *card, const sfc_card_options *opts, char *err,
                   size_t errlen);
    void (*fini)(sfc_card *card);                        /**< optional */
    void (*on_power)(sfc_card *card, sfc_power_event ev); /**< optional, after the OS */
    /** Optional: replaces the whole APDU processing (relay). */
    sfc_err (*transmit)(sfc_card *card, const uint8_t *capdu, size_t len,
                       const uint8_t **rapdu, size_t *rlen);
};

/** Note that persistent state changed outside an SFC_INS_MUTATES command. */
static inline void sfc_mark_dirty(sfc_card *card) { card->dirty = true; }

/* ---- card.c ------------------------------------------------------------ */

/** All card types of this build, NULL-terminated. */
extern const sfc_card_type *const sfc_card_types[];

/** Value of a card-type parameter, or NULL. */
const char *sfc_param_get(const sfc_card_options *opts, const char *key);

/**
 * Check that every parameter key is in `allowed` (NULL-terminated); on an
 * unknown key writes "card type 'T' has no parameter 'K'" to err.
 */
sfc_err sfc_params_check(const sfc_card_options *opts, const char *type,
                       const char *const *allowed, char *err, size_t errlen);

/* ---- dispatch.c: the ISO 7816-4 command dispatcher ---------------------------- */

/** Fill `table` with the ISO 7816-4 interindustry handlers. */
void os_iso_table(sfc_ins_entry table[256]);

/** Process one C-APDU into card->rapdu; returns the R-APDU length (>= 2). */
size_t os_process(sfc_card *card, const uint8_t *capdu, size_t len);

/** Clear volatile state: channels (MF on channel 0), security, challenge. */
void os_reset(sfc_card *card);

/** GET RESPONSE (C0); also usable in a proprietary table. */
uint16_t os_get_response(sfc_card *card, const sfc_cmd *cmd, sfc_resp *resp);

/** The channel of a command. */
static inline sfc_channel *sfc_channel_of(sfc_card *card, const sfc_cmd *cmd)
{
    return &card->ch[cmd->channel];
}

/**
 * The largest number of data bytes the response to `cmd` may carry: Ne
 * capped by what one R-APDU frame can carry (0 if no Le).
 */
size_t sfc_max_response(const sfc_cmd *cmd);

/** True if Le was the "maximum" encoding (short 00 or extended 0000). */
bool sfc_le_is_max(const sfc_cmd *cmd);

/* ---- ATR helper (card.c) ------------------------------------------------ */

/**
 * Build the card's ATR in the reference layout: 3B, TA1 = 13, T=1,
 * historical bytes 80 73 <first SFT> <second SFT> <third SFT>, where the
 * third software function table announces extended Lc/Le when the card has
 * extended_length set.
 */
sfc_err sfc_card_set_iso_atr(sfc_card *card, uint8_t first_sft,
                           uint8_t second_sft);

/** Set the ATR from bytes (1..33). */
sfc_err sfc_card_set_atr(sfc_card *card, const uint8_t *atr, size_t len);

#endif
