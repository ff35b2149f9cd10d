/* SPDX-License-Identifier: LGPL-2.1-or-later */
/**
 * @file softcard-cardtype.h
 * @brief Writing card types and applications on softcard's ISO 7816-4 card
 *        OS: the interface the built-in types use and plugins are built
 *        against.
 *
 * A card is an ISO/IEC 7816-4 card OS (file system, PINs, keys, security
 * environments, secure messaging, logical channels, command chaining, the
 * Le rules) plus what a card type adds:
 *
 *  - a **card type** (sfc_card_type) names the card, declares its
 *    parameters, *creates* a fresh card once (personalisation: files, PINs,
 *    keys, certificates) and *attaches* behaviour every time a card comes to
 *    life, fresh or loaded from a card image (applications, instruction
 *    overrides, the ATR). Loading an image never runs create() again;
 *  - **applications** (sfc_app_def): a DF named by an AID with its own
 *    instruction entries, falling through to the card's ISO command set for
 *    the rest (or not), select/deselect hooks, an access hook, a result
 *    formatting hook and state that card images keep. The current
 *    application is tracked per logical channel; a card may host several.
 *
 * Handlers receive a parsed command (sfc_cmd) and fill a response (sfc_resp)
 * through the helpers below; they return the status word. They never
 * format transport details (61xx, 6Cxx, GET RESPONSE, secure messaging):
 * the OS does, once, after every handler.
 *
 * Rules every card type and application keeps:
 *  - an instruction the application does not handle falls through to the
 *    card's table (SELECT, MANAGE CHANNEL and GET RESPONSE always do);
 *  - a SELECT of an unknown AID answers 6A82 and changes nothing;
 *  - access to files is decided by sfc_access() (life cycle, then the
 *    owning application's access hook, then the file's security
 *    attributes);
 *  - state that must survive a power cycle lives in files, PINs, keys or
 *    the application's saved state, never in statics.
 *
 * Plugins: build a shared object that defines
 *     SFC_PLUGIN_EXPORT const sfc_card_type softcard_card_type = {
 *         .abi = SFC_CARD_TYPE_ABI, ... };
 * (compile with `pkg-config --cflags softcard-cardtype`, link nothing:
 * the functions below are resolved from the `softcard` program) and run it
 * with `softcard -t ./mycard.so`. docs/writing-a-card-type.md is a
 * tutorial. The ABI version changes whenever a structure or a function
 * here changes incompatibly; softcard refuses a plugin of another version.
 */
#ifndef SOFTCARD_CARDTYPE_H
#define SOFTCARD_CARDTYPE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "softcard.h"

#ifdef __cplusplus
extern "C" {
#endif

/** Version of this interface; a plugin states the one it was built for. */
#define SFC_CARD_TYPE_ABI 1
/** The symbol a plugin defines (a const sfc_card_type). */
#define SFC_PLUGIN_SYMBOL "softcard_card_type"
/** Keeps the plugin's symbol visible under -fvisibility=hidden. */
#define SFC_PLUGIN_EXPORT __attribute__((visibility("default")))

/* Status words handlers commonly answer (ISO/IEC 7816-4 §5.6). */
#define SFC_SW_OK 0x9000u
#define SFC_SW_WRONG_LENGTH 0x6700u
#define SFC_SW_SECURITY_STATUS 0x6982u      /* security status not satisfied */
#define SFC_SW_AUTH_BLOCKED 0x6983u
#define SFC_SW_REF_DATA_UNUSABLE 0x6984u
#define SFC_SW_CONDITIONS 0x6985u           /* conditions of use not satisfied */
#define SFC_SW_FILE_INCOMPATIBLE 0x6981u    /* wrong file structure */
#define SFC_SW_NOT_ALLOWED 0x6986u          /* command not allowed (no EF) */
#define SFC_SW_WRONG_DATA 0x6A80u
#define SFC_SW_FUNC_NOT_SUPPORTED 0x6A81u
#define SFC_SW_FILE_NOT_FOUND 0x6A82u       /* also: application not found */
#define SFC_SW_WRONG_P1P2 0x6A86u
#define SFC_SW_REF_NOT_FOUND 0x6A88u
#define SFC_SW_INS_NOT_SUPPORTED 0x6D00u
#define SFC_SW_CLA_NOT_SUPPORTED 0x6E00u
#define SFC_SW_UNKNOWN 0x6F00u

typedef struct sfc_file sfc_file;
typedef struct sfc_app sfc_app;
typedef struct sfc_resp sfc_resp;
typedef struct sfc_key sfc_key;
struct evp_pkey_st; /* OpenSSL's EVP_PKEY */

/* ---- commands and responses ---------------------------------------------- */

/** A command as handlers see it: parsed, class decoded, chain assembled. */
typedef struct sfc_cmd {
    uint8_t cla, ins, p1, p2;
    const uint8_t *data; /**< command data (the whole chain if assembled);
                          *   never NULL, also when nc is 0 */
    size_t nc;
    size_t ne;           /**< 0 if no Le, else 1..65536 */
    bool has_le;
    bool extended;
    uint8_t channel;     /**< logical channel decoded from CLA (0 if proprietary) */
    bool proprietary;    /**< CLA b8 = 1 */
    bool chain_more;     /**< chaining bit; only SFC_INS_CHAIN_RAW handlers see it */
} sfc_cmd;

/** How the OS sends a handler's data (it applies them after the handler). */
typedef enum sfc_le_mode {
    /** Data beyond Ne, or any data without Le, waits behind 61xx for GET
     *  RESPONSE (T=0 behaviour, what OpenSC expects). The default. */
    SFC_LE_CHAIN = 0,
    /** One indivisible unit (a record): a short Le that is not the maximum
     *  and too small answers 6Cxx. */
    SFC_LE_EXACT,
    /** Data are sent even without Le (a case-3 command answered with data
     *  and 9000, as PIV clients need); only what exceeds one response
     *  (256 bytes short, 65533 extended) waits behind 61xx. */
    SFC_LE_DIRECT
} sfc_le_mode;

/** A handler returns the status word; response data go to `resp`. */
typedef uint16_t (*sfc_ins_fn)(sfc_card *card, const sfc_cmd *cmd,
                               sfc_resp *resp);

enum sfc_ins_flags {
    SFC_INS_NO_CHAIN = 1u << 0,      /**< chaining not supported: 6884 */
    SFC_INS_CHAIN_RAW = 1u << 1,     /**< the handler sees each chained piece */
    SFC_INS_SECRET_DATA = 1u << 2,   /**< command data masked in logs */
    SFC_INS_KEEPS_PENDING = 1u << 3, /**< leaves data waiting for GET RESPONSE */
    /** May change persistent state: the card is saved before it answers. */
    SFC_INS_MUTATES = 1u << 4,
    /** The entry is for the proprietary class (CLA b8 = 1). */
    SFC_INS_PROPRIETARY = 1u << 5
};

/** One instruction of a card type or application. */
typedef struct sfc_ins_def {
    uint8_t ins;
    sfc_ins_fn fn;       /**< NULL removes the instruction (6D00) */
    unsigned flags;      /**< sfc_ins_flags */
    const char *name;    /**< for logs, e.g. "GET VERSION" */
} sfc_ins_def;

/** Append data to the response; false (and nothing sent) if it overflows. */
bool sfc_resp_put(sfc_resp *resp, const void *data, size_t len);
bool sfc_resp_put_u8(sfc_resp *resp, uint8_t v);
/** The response data so far, and their length (for formatting hooks). */
uint8_t *sfc_resp_data(sfc_resp *resp);
size_t sfc_resp_len(const sfc_resp *resp);
/** Drop data beyond `len`. */
void sfc_resp_truncate(sfc_resp *resp, size_t len);
void sfc_resp_set_le_mode(sfc_resp *resp, sfc_le_mode mode);
sfc_le_mode sfc_resp_le_mode(const sfc_resp *resp);

/** Most data bytes the response to `cmd` may carry (Ne capped; 0 if no Le). */
size_t sfc_max_response(const sfc_cmd *cmd);
/** True if Le was the maximum (short 00, extended 0000). */
bool sfc_le_is_max(const sfc_cmd *cmd);

/* ---- card types -------------------------------------------------------- */

enum sfc_param_flags {
    /** A secret (PIN, key): masked in logs, never echoed. */
    SFC_PARAM_SECRET = 1u << 0,
    /** Needed after creation (by attach): kept with the card and recorded
     *  in its image. Other parameters only feed create() and are
     *  forgotten once the card exists. */
    SFC_PARAM_KEEP = 1u << 1
};

/** A parameter a card type declares; the command line and images use it. */
typedef struct sfc_param_def {
    const char *name;       /**< e.g. "pin"; also the option --pin */
    const char *value_name; /**< for --help, e.g. "PIN" */
    const char *help;       /**< one line */
    unsigned flags;         /**< sfc_param_flags */
} sfc_param_def;

/**
 * A card type. create() and attach() receive the validated parameters and
 * write a one-line reason to `err` when they fail.
 */
typedef struct sfc_card_type {
    unsigned abi;               /**< SFC_CARD_TYPE_ABI */
    const char *name;           /**< as given to -t */
    const char *description;    /**< one line */
    /** Declared parameters, ended by an entry with a NULL name; NULL: none.
     *  Any other parameter is refused before create(). */
    const sfc_param_def *params;
    /** Personalise a fresh card (files, PINs, keys, certificates). Runs
     *  once per card, never when a card image is loaded. Optional. */
    sfc_err (*create)(sfc_card *card, const sfc_card_options *opts,
                      char *err, size_t errlen);
    /** Attach behaviour to a fresh or loaded card: applications
     *  (sfc_app_attach), instruction overrides, the ATR, type state.
     *  NULL: the type is listed but not implemented yet. */
    sfc_err (*attach)(sfc_card *card, const sfc_card_options *opts,
                      char *err, size_t errlen);
    /** Free what attach() allocated (type state). Optional. Also runs for
     *  a card that never attached but has a type state (one that create()
     *  set for attach()). */
    void (*detach)(sfc_card *card);
    /** After the OS handled a power event. Optional. */
    void (*on_power)(sfc_card *card, sfc_power_event ev);
    /** Replace the whole APDU processing (a relay). Optional. */
    sfc_err (*transmit)(sfc_card *card, const uint8_t *capdu, size_t len,
                        const uint8_t **rapdu, size_t *rlen);
} sfc_card_type;

/** What a plugin defines (with SFC_PLUGIN_EXPORT, initialised with
 *  SFC_CARD_TYPE_ABI first); softcard looks it up by SFC_PLUGIN_SYMBOL. */
extern SFC_PLUGIN_EXPORT const sfc_card_type softcard_card_type;

/** Value of a parameter, or NULL if not given. */
const char *sfc_param_get(const sfc_card_options *opts, const char *key);

/** The card's log label ("card 0", or its type's name). */
const char *sfc_card_label(const sfc_card *card);
/** Fill `out` from the card's random source (injectable in tests). */
sfc_err sfc_card_random(sfc_card *card, uint8_t *out, size_t len);
/** True if the card announces and accepts extended Lc/Le. */
bool sfc_card_extended_length(const sfc_card *card);
/** Card-type state (attach sets, detach frees). */
void *sfc_card_type_state(const sfc_card *card);
void sfc_card_set_type_state(sfc_card *card, void *state);
/** Set the 16-byte card secret of INTERNAL/EXTERNAL AUTHENTICATE (key
 *  reference 0). A fresh card gets a random one before create(). */
sfc_err sfc_card_set_secret(sfc_card *card, const uint8_t *secret,
                            size_t len);
/** Note a persistent change made outside an SFC_INS_MUTATES command. */
void sfc_mark_dirty(sfc_card *card);

/** Set the ATR (1..33 bytes). */
sfc_err sfc_card_set_atr(sfc_card *card, const uint8_t *atr, size_t len);
/**
 * An ISO ATR: 3B, TA1 = 13, T=1, historical bytes 80 73 <first SFT>
 * <second SFT> <third SFT>, where the third software function table
 * announces extended Lc/Le when the card has extended length.
 */
sfc_err sfc_card_set_iso_atr(sfc_card *card, uint8_t first_sft,
                             uint8_t second_sft);

/**
 * Override, add or (fn NULL) remove an instruction of the card's own table
 * (the ISO 7816-4 set to start with: "copy the ISO table, override what
 * differs"). A proprietary entry also makes the card accept CLA b8 = 1.
 */
void sfc_card_set_ins(sfc_card *card, const sfc_ins_def *def);
/**
 * Decode a proprietary class 100x yycc as ISO 7816-4 codes the first
 * interindustry class: x command chaining, yy secure messaging (processed
 * by the card's SM session like an interindustry SM command, the inner
 * command keeping the proprietary class 1000 00cc), cc the logical channel.
 * TR-03110 (CLA 8C for an nPA's VERIFY of auxiliary data under SM) and
 * GlobalPlatform (84) code it so. Without it a proprietary class carries no
 * chaining, channel or SM bits and is handed to the card type as it is.
 */
void sfc_card_code_prop_cla_as_iso(sfc_card *card);
/** Keep only the listed interindustry instructions of the card's table. */
void sfc_card_keep_ins(sfc_card *card, const uint8_t *ins, size_t n);

/** Write to the log (silent unless the user asked for it). */
void sfc_log(sfc_log_level level, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* ---- applications ------------------------------------------------------- */

enum sfc_app_flags {
    /** Instructions the application does not define go to the card's
     *  table; without it they answer 6D00 (SELECT, MANAGE CHANNEL and GET
     *  RESPONSE always go to the card's table unless defined). */
    SFC_APP_ISO_FALLBACK = 1u << 0,
    /** Selected on the basic channel at power-on and reset (a default
     *  application, as Java Card has). */
    SFC_APP_DEFAULT = 1u << 1
};

/** Result of an access hook that leaves the decision to the file rules. */
#define SFC_ACCESS_BY_RULES 0x0000u

/** What an application is; one definition may serve many cards. */
typedef struct sfc_app_def {
    const char *name;            /**< for logs */
    const uint8_t *aid;          /**< the DF name that selects it */
    size_t aid_len;              /**< 1..16 (a registered AID has 5..16) */
    const sfc_ins_def *ins;      /**< its instructions */
    size_t n_ins;
    unsigned flags;              /**< sfc_app_flags */
    /** Answer a SELECT that made it current (e.g. an application property
     *  template). Optional: the default is the DF's FCI as P2 asks. */
    uint16_t (*select)(sfc_card *card, sfc_app *app, const sfc_cmd *cmd,
                       sfc_resp *resp);
    /** It stopped being current on every channel; its PIN verifications
     *  and rights are already cleared. Not called at reset or power-off,
     *  which clear everything as a card losing power does. Optional. */
    void (*deselect)(sfc_card *card, sfc_app *app);
    /** Decide access to a file of its DF subtree after the life cycle:
     *  return SFC_ACCESS_BY_RULES to apply the file's security attributes,
     *  9000 to allow, or the status word of a refusal. Optional. */
    uint16_t (*access)(const sfc_card *card, const sfc_app *app,
                       const sfc_file *file, sfc_access_op op);
    /** Rewrite the result of every command after which it is current
     *  (including the SELECT that made it current): data, status word,
     *  sfc_resp_set_le_mode; returns the status word. The OS then applies
     *  the Le rules. Optional. */
    uint16_t (*format)(sfc_card *card, sfc_app *app, const sfc_cmd *cmd,
                       sfc_resp *resp, uint16_t sw);
    /** Bytes of per-card state, zeroed at attach (sfc_app_state). */
    size_t state_size;
    /** Free what the state points to. Optional. */
    void (*state_free)(sfc_card *card, sfc_app *app);
    /** Serialise the state that must persist (counters, key attributes)
     *  into at most `cap` bytes of `out`; returns the length, or
     *  (size_t)-1 on error. Card images store it. Optional. */
    size_t (*save)(const sfc_card *card, const sfc_app *app, uint8_t *out,
                   size_t cap);
    /** Restore what save() wrote (from a card image); a refusal names the
     *  problem in `err`. Optional. */
    sfc_err (*load)(sfc_card *card, sfc_app *app, const uint8_t *data,
                    size_t len, char *err, size_t errlen);
} sfc_app_def;

/** Largest saved state of one application. */
#define SFC_APP_STATE_MAX 65536u

/**
 * Bind an application to the card's DF named `def->aid` (created by the
 * type's create(), or loaded from an image). SFC_E_NOT_FOUND with a reason
 * if there is no such DF, SFC_E_RANGE if the card has too many.
 */
sfc_err sfc_app_attach(sfc_card *card, const sfc_app_def *def, sfc_app **out,
                       char *err, size_t errlen);
/** The application current on the command's channel, or NULL. */
sfc_app *sfc_app_current(sfc_card *card, const sfc_cmd *cmd);
/** The card's instance of `def`, or NULL. */
sfc_app *sfc_app_find(const sfc_card *card, const sfc_app_def *def);
const sfc_app_def *sfc_app_definition(const sfc_app *app);
void *sfc_app_state(const sfc_app *app);
/** The application's DF (NULL after it was deleted). */
sfc_file *sfc_app_df(const sfc_app *app);

/* ---- files ---------------------------------------------------------------- */

/** The MF. */
sfc_file *sfc_card_mf(sfc_card *card);
/**
 * Create a DF under `parent` (`name` NULL for none) or a transparent EF
 * with `len` bytes of `data` (`sfi` 0 for none), charged against the card's
 * memory. Fails (SFC_E_INVAL, SFC_E_RANGE) on a clash or a full card.
 */
sfc_err sfc_df_add(sfc_card *card, sfc_file *parent, uint16_t fid,
                   const uint8_t *name, size_t name_len, sfc_file **out);
sfc_err sfc_ef_add(sfc_card *card, sfc_file *parent, uint16_t fid,
                   uint8_t sfi, const uint8_t *data, size_t len,
                   sfc_file **out);
/** Set a file's security attributes: raw FCP TLVs 8C, AB or A1 (charged
 *  against the card's memory like the file). */
sfc_err sfc_file_set_rules(sfc_card *card, sfc_file *file,
                           const uint8_t *attr, size_t len);
/** A child by FID, or NULL. */
sfc_file *sfc_file_child(const sfc_file *df, uint16_t fid);
/** The DF whose name is exactly `name`, or NULL. */
sfc_file *sfc_df_by_name(sfc_card *card, const uint8_t *name, size_t len);
/** True for a transparent EF (sfc_file_data and sfc_file_write work). */
bool sfc_file_is_transparent(const sfc_file *file);
/** A transparent EF's contents and size. */
const uint8_t *sfc_file_data(const sfc_file *file, size_t *len);
/** Overwrite bytes of a transparent EF (within its size); marks dirty. */
sfc_err sfc_file_write(sfc_card *card, sfc_file *file, size_t offset,
                       const uint8_t *data, size_t len);
/** The current DF and EF (NULL if none) of the command's channel. */
sfc_file *sfc_current_df(sfc_card *card, const sfc_cmd *cmd);
sfc_file *sfc_current_ef(sfc_card *card, const sfc_cmd *cmd);

/** 9000 if `op` on `file` is allowed now, else the status word to answer. */
uint16_t sfc_access(const sfc_card *card, const sfc_file *file,
                    sfc_access_op op);
/** 9000 if a security-condition byte (ISO/IEC 7816-4 table 22) holds. */
uint16_t sfc_access_condition(const sfc_card *card, uint8_t sc);

/* ---- PINs ---------------------------------------------------------------- */

/** PIN states beyond the retry counter (a PIN with no tries is blocked). */
typedef enum sfc_pin_state {
    SFC_PIN_ACTIVE = 0,
    SFC_PIN_SUSPENDED,   /**< usable only after another authentication */
    SFC_PIN_DEACTIVATED  /**< not usable at all (6984) */
} sfc_pin_state;

/** A new PIN; `puk` may be NULL for none. */
typedef struct sfc_pin_spec {
    uint8_t ref;        /**< the P2 reference, e.g. 01, 80, 81 */
    const char *value;
    uint8_t min_len, max_len;
    uint8_t tries;      /**< 1..15 */
    const char *puk;
    uint8_t puk_tries;
} sfc_pin_spec;

/**
 * Add a PIN, card-wide (`app` NULL: a global reference) or specific to an
 * application (VERIFY with its reference reaches it only while that
 * application is current; its verification is lost when it is deselected).
 */
sfc_err sfc_pin_add(sfc_card *card, const sfc_app_def *app,
                    const sfc_pin_spec *spec, char *err, size_t errlen);
/**
 * Check a presented value against the PIN `ref` as seen from `app` (its
 * own PINs first, then the card's): 9000 (verified), 63Cx, 6983 blocked,
 * 6984 deactivated, 6985 suspended, 6A88 no such PIN. Trailing 00/FF
 * padding is ignored; the comparison is constant-time.
 */
uint16_t sfc_pin_verify(sfc_card *card, const sfc_app *app, uint8_t ref,
                        const uint8_t *value, size_t len);
/** True if the PIN is verified now. */
bool sfc_pin_verified(const sfc_card *card, const sfc_app *app, uint8_t ref);
/** Forget a verification (a PIN valid for one operation). */
void sfc_pin_unverify(sfc_card *card, const sfc_app *app, uint8_t ref);
/** Tries left, or -1 if there is no such PIN. */
int sfc_pin_tries_left(const sfc_card *card, const sfc_app *app, uint8_t ref);
sfc_err sfc_pin_set_state(sfc_card *card, const sfc_app *app, uint8_t ref,
                          sfc_pin_state state);
sfc_pin_state sfc_pin_get_state(const sfc_card *card, const sfc_app *app,
                                uint8_t ref);

/* ---- rights granted by protocols ----------------------------------------- */

enum sfc_right_flags {
    /** Lost when secure messaging ends (rights from PACE/TA, a CHAT). */
    SFC_RIGHT_UNTIL_SM_END = 1u << 0
};

/**
 * Grant rights (bits of the application's choosing: CHAT bits, "PW1 for
 * one signature", ...) to the card (`app` NULL) or an application. All
 * rights are lost at reset and power-off, an application's when it is
 * deselected, and those granted with SFC_RIGHT_UNTIL_SM_END also when
 * secure messaging ends.
 */
void sfc_right_grant(sfc_card *card, sfc_app *app, uint64_t rights,
                     unsigned flags);
void sfc_right_revoke(sfc_card *card, sfc_app *app, uint64_t rights);
/** True if every bit of `rights` is granted now. */
bool sfc_right_has(const sfc_card *card, const sfc_app *app,
                   uint64_t rights);

/* ---- keys and secure messaging -------------------------------------------- */

typedef enum sfc_key_kind {
    SFC_KEY_DES3, /**< 16 or 24 bytes */
    SFC_KEY_AES,  /**< 16, 24 or 32 bytes */
    SFC_KEY_RSA,
    SFC_KEY_EC
} sfc_key_kind;

/** A key by reference (MSE tags 83/84), or NULL. */
sfc_key *sfc_key_find(sfc_card *card, uint8_t ref);
/** Add or replace a symmetric key; `use_sc` is a security-condition byte. */
sfc_err sfc_key_put_symmetric(sfc_card *card, uint8_t ref, sfc_key_kind kind,
                              const uint8_t *secret, size_t len,
                              uint8_t use_sc);
/** Add or replace an asymmetric key (an OpenSSL EVP_PKEY, taken over). */
sfc_err sfc_key_put_pkey(sfc_card *card, uint8_t ref,
                         struct evp_pkey_st *pkey, uint8_t use_sc);
/** The OpenSSL key of an asymmetric key (owned by the card), or NULL. */
struct evp_pkey_st *sfc_key_pkey(const sfc_key *key);

typedef enum sfc_sm_profile {
    SFC_SM_3DES_RETAIL, /**< ICAO BAC: 3DES, retail MAC, 8-byte SSC */
    SFC_SM_AES_CMAC     /**< PACE/EAC: AES, CMAC, 16-byte SSC */
} sfc_sm_profile;

/**
 * Start secure messaging with session keys and an initial send sequence
 * counter (NULL: zeros). Started by a handler that runs under SM, the new
 * keys apply from the next command.
 */
sfc_err sfc_sm_start(sfc_card *card, sfc_sm_profile profile,
                     const uint8_t *kenc, size_t kenc_len,
                     const uint8_t *kmac, size_t kmac_len,
                     const uint8_t *ssc, size_t ssc_len);
/** True while the command being handled came under secure messaging. */
bool sfc_cmd_secured(const sfc_card *card);

#ifdef __cplusplus
}
#endif
#endif /* SOFTCARD_CARDTYPE_H */
