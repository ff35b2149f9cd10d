/* SPDX-License-Identifier: LGPL-2.1-or-later */
/**
 * @file openpgp.h
 * @brief The OpenPGP card application (OpenPGP smart card specification
 *        3.4) shared between its files: openpgp.c (type, application,
 *        state, images), openpgp_do.c (GET/PUT DATA and the data objects),
 *        openpgp_pw.c (PW1, PW3, resetting code), openpgp_key.c (keys:
 *        generation, import, algorithm attributes), openpgp_ops.c (PSO,
 *        INTERNAL AUTHENTICATE, GET CHALLENGE, MSE, TERMINATE/ACTIVATE)
 *        and openpgp_alg.c (the algorithms through OpenSSL 3 EVP).
 *
 * Everything persistent lives in the application state (pgp_state), which
 * card images keep through the save/load hooks: passwords with their retry
 * counters, the data objects, the signature counter and the three private
 * keys (DER PKCS#8). Verification state is volatile: rights granted to the
 * application, lost at reset, power-off and deselection.
 */
#ifndef SFC_CARDTYPES_OPENPGP_H
#define SFC_CARDTYPES_OPENPGP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "softcard-cardtype.h"
#include "core/bytes.h"

/* Rights (bits granted to the application by VERIFY). */
#define PGP_RIGHT_PW1_81 (1u << 0) /* signing */
#define PGP_RIGHT_PW1_82 (1u << 1) /* everything else of the user */
#define PGP_RIGHT_PW3 (1u << 2)    /* administration */

/* Password slots. */
enum { PGP_PW1 = 0, PGP_RC = 1, PGP_PW3 = 2, PGP_N_PW = 3 };
/* Key slots: signature, decryption, authentication. */
enum { PGP_SIG = 0, PGP_DEC = 1, PGP_AUT = 2, PGP_N_KEYS = 3 };

#define PGP_PW_MAX 127
#define PGP_TRIES 3
#define PGP_SPECIAL_DO_MAX 254 /* URL, login data, private DOs */
#define PGP_CERT_MAX 2048
#define PGP_NAME_MAX 39
#define PGP_LANG_MAX 8
#define PGP_ATTR_MAX 16
#define PGP_CHALLENGE_MAX 255

typedef struct pgp_pw {
    uint8_t len; /* 0: not set (the resetting code) */
    uint8_t value[PGP_PW_MAX];
    uint8_t tries;
} pgp_pw;

/* A variable-length data object. */
typedef struct pgp_blob {
    uint8_t *data;
    size_t len;
} pgp_blob;

typedef struct pgp_key {
    uint8_t attr[PGP_ATTR_MAX]; /* algorithm attributes C1/C2/C3 */
    uint8_t attr_len;
    struct evp_pkey_st *pkey;   /* NULL: no key */
    uint8_t fpr[20], ca_fpr[20], time[4];
    uint8_t origin;             /* DE: 00 none, 01 generated, 02 imported */
} pgp_key;

typedef struct pgp_state {
    pgp_pw pw[PGP_N_PW];
    uint8_t pw1_multi;     /* C4 byte 1: 00 one signature, 01 several */
    uint8_t serial[4];     /* in the AID */
    uint8_t name[PGP_NAME_MAX], name_len;
    uint8_t lang[PGP_LANG_MAX], lang_len;
    uint8_t sex;           /* 5F35 ISO 5218: 30 31 32 39 */
    pgp_blob url, login, priv[4];
    pgp_blob cert[3];      /* 7F21 by occurrence: 0 AUT, 1 DEC, 2 SIG */
    uint8_t cert_sel;      /* SELECT DATA's occurrence (reset at power) */
    uint32_t sig_count;    /* 24 bits */
    pgp_key key[PGP_N_KEYS];
    bool terminated;
    uint8_t dec_ref, aut_ref; /* MSE key swapping: 2 or 3 */
} pgp_state;

extern const sfc_app_def pgp_app;
/** D2 76 00 01 24 01: the DF name (RID and application). */
extern const uint8_t pgp_rid[6];

pgp_state *pgp_st(sfc_card *card, const sfc_cmd *cmd);
sfc_app *pgp_app_of(sfc_card *card, const sfc_cmd *cmd);
bool pgp_has(sfc_card *card, const sfc_cmd *cmd, uint64_t right);
/** The 16-byte AID of this card. */
void pgp_aid(const pgp_state *st, uint8_t aid[16]);
/** Factory defaults (everything but the serial number). */
void pgp_defaults(pgp_state *st);
void pgp_state_clear(pgp_state *st);
/** Set a blob (copied); false if out of memory. */
bool pgp_blob_set(pgp_blob *b, const uint8_t *data, size_t len);

/* openpgp_state.c: the saved state (card images) */
size_t pgp_state_serialise(const pgp_state *st, sfc_buf *b);
size_t pgp_save(const sfc_card *card, const sfc_app *app, uint8_t *out,
                size_t cap);
sfc_err pgp_load(sfc_card *card, sfc_app *app, const uint8_t *data,
                 size_t len, char *err, size_t errlen);

/* openpgp_type.c */
/** The historical bytes (ATR and 5F52). */
const uint8_t *pgp_historical(size_t *len);

/* openpgp_do.c */
uint16_t pgp_get_data(sfc_card *card, const sfc_cmd *cmd, sfc_resp *resp);
uint16_t pgp_get_next_data(sfc_card *card, const sfc_cmd *cmd,
                           sfc_resp *resp);
uint16_t pgp_put_data(sfc_card *card, const sfc_cmd *cmd, sfc_resp *resp);
uint16_t pgp_put_data_odd(sfc_card *card, const sfc_cmd *cmd,
                          sfc_resp *resp);
/** Append the DO `tag` (TLV if `tlv`, else its value) to `b`; 6A88 if
 *  there is none, 6982 if not readable now. */
uint16_t pgp_do_put(sfc_card *card, const sfc_cmd *cmd, uint16_t tag,
                    bool tlv, sfc_buf *b);

/* openpgp_pw.c */
uint16_t pgp_verify(sfc_card *card, const sfc_cmd *cmd, sfc_resp *resp);
uint16_t pgp_change_ref(sfc_card *card, const sfc_cmd *cmd, sfc_resp *resp);
uint16_t pgp_reset_retry(sfc_card *card, const sfc_cmd *cmd,
                         sfc_resp *resp);
/** PW1/PW3 new value from a parameter (6..127 / 8..127 characters). */
bool pgp_pw_set(pgp_pw *pw, const char *value, size_t min);

/* openpgp_key.c */
uint16_t pgp_generate(sfc_card *card, const sfc_cmd *cmd, sfc_resp *resp);
/** Import from an extended header list (4D, PUT DATA odd 3FFF). */
uint16_t pgp_import(sfc_card *card, const sfc_cmd *cmd, const uint8_t *p,
                    size_t len);
/** Algorithm attributes C1..C3 as PUT DATA sets them: 9000 or 6A80. */
uint16_t pgp_set_attr(pgp_state *st, int slot, const uint8_t *p, size_t len);
/** Install a private key into a slot, matching attributes set from it. */
bool pgp_key_install(pgp_state *st, int slot, struct evp_pkey_st *pkey,
                     uint8_t origin);
/** Default algorithm attributes: RSA 2048. */
void pgp_attr_default(pgp_key *k);

/* openpgp_ops.c */
uint16_t pgp_pso(sfc_card *card, const sfc_cmd *cmd, sfc_resp *resp);
uint16_t pgp_internal_auth(sfc_card *card, const sfc_cmd *cmd,
                           sfc_resp *resp);
uint16_t pgp_get_challenge(sfc_card *card, const sfc_cmd *cmd,
                           sfc_resp *resp);
uint16_t pgp_mse(sfc_card *card, const sfc_cmd *cmd, sfc_resp *resp);
uint16_t pgp_select_data(sfc_card *card, const sfc_cmd *cmd,
                         sfc_resp *resp);
uint16_t pgp_terminate(sfc_card *card, const sfc_cmd *cmd, sfc_resp *resp);
uint16_t pgp_activate(sfc_card *card, const sfc_cmd *cmd, sfc_resp *resp);

/* openpgp_fpr.c */
/** The OpenPGP v4 fingerprint of the key in `slot` created at `t`. */
bool pgp_fingerprint(const struct evp_pkey_st *k, int slot, uint32_t t,
                     uint8_t fpr[20]);

/* openpgp_alg.c: the algorithms of the attributes, through EVP. */
typedef enum pgp_alg {
    PGP_ALG_NONE,
    PGP_ALG_RSA,
    PGP_ALG_ECDSA,
    PGP_ALG_ECDH,
    PGP_ALG_EDDSA,
    PGP_ALG_X25519
} pgp_alg;

/** The algorithm of attributes, the RSA size or the curve's name. */
pgp_alg pgp_attr_alg(const uint8_t *attr, size_t len, unsigned *rsa_bits,
                     const char **group);
/** A new key for the attributes (OpenSSL's generator). */
struct evp_pkey_st *pgp_alg_generate(const uint8_t *attr, size_t len);
/** True if the key suits the attributes. */
bool pgp_alg_matches(const uint8_t *attr, size_t len,
                     const struct evp_pkey_st *k);
/** Attributes describing a key; 0 if the algorithm is not supported. */
size_t pgp_alg_attr_of(const struct evp_pkey_st *k, int slot,
                       uint8_t out[PGP_ATTR_MAX]);
/** Append the public key template 7F49 {81, 82} or {86}. */
bool pgp_alg_put_public(const struct evp_pkey_st *k, sfc_buf *out);
/** Sign: RSA PKCS#1 v1.5 of a DigestInfo, ECDSA r||s, EdDSA (data). */
bool pgp_alg_sign(const struct evp_pkey_st *k, const uint8_t *in, size_t len,
                  sfc_buf *out);
/** RSA PKCS#1 v1.5 decryption. */
bool pgp_alg_decrypt(const struct evp_pkey_st *k, const uint8_t *in,
                     size_t len, sfc_buf *out);
/** ECDH (NIST, brainpool, X25519): the shared secret with a point. */
bool pgp_alg_ecdh(const struct evp_pkey_st *k, const uint8_t *point,
                  size_t len, sfc_buf *out);
/** Append the algorithm information FA: every attribute each slot takes. */
bool pgp_alg_put_info(sfc_buf *out);
/** A private key from import components (7F48 tags 91..99 values). */
struct evp_pkey_st *pgp_alg_import(const uint8_t *attr, size_t attr_len,
                                   const pgp_blob comp[9]);

#endif
