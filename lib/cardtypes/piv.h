/* SPDX-License-Identifier: LGPL-2.1-or-later */
/**
 * @file piv.h
 * @brief The PIV card type (NIST SP 800-73-4 with Yubico's management
 *        extensions): what its files share.
 *
 * Files: piv.c (the card type, the application, SELECT, save/load),
 * piv_data.c (data objects: GET DATA, PUT DATA, defaults), piv_pin.c
 * (PIN and PUK: VERIFY, CHANGE REFERENCE DATA, RESET RETRY COUNTER, SET PIN
 * RETRIES, RESET), piv_auth.c (GENERAL AUTHENTICATE), piv_keys.c (GENERATE
 * ASYMMETRIC KEY PAIR, the key slots), piv_yk.c (GET VERSION,
 * GET SERIAL, SET MANAGEMENT KEY, ATTEST), piv_meta.c (GET METADATA),
 * piv_import.c (IMPORT KEY), piv_state.c (saved state), piv_init.c
 * (personalisation).
 *
 * Invariants: the PIN, the PUK, their counters, the management key and the
 * asymmetric keys live in the application's state (piv_state), which card
 * images keep through save/load; data objects are BER data objects of the
 * application's DF, which card images keep as well. What a session proved
 * (PIN verified, PIN verified for one "PIN always" operation, management key
 * authenticated) is held as application rights, so the card OS clears it at
 * reset, power-off and deselection; the select hook clears it too, as a
 * YubiKey does when the application is selected again.
 */
#ifndef SFC_CARDTYPES_PIV_H
#define SFC_CARDTYPES_PIV_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "os/card.h"

/* The PIV AID with its version (NIST SP 800-73-4 part 1 §2.2). */
#define PIV_AID_BYTES 0xA0, 0x00, 0x00, 0x03, 0x08, 0x00, 0x00, 0x10, \
                      0x00, 0x01, 0x00
#define PIV_AID_LEN 11
#define PIV_DF_FID 0xDF01

/* Algorithm identifiers (SP 800-78-4 table 6-2, Yubico's RSA 3072/4096). */
#define PIV_ALG_3DES 0x03
#define PIV_ALG_RSA3072 0x05
#define PIV_ALG_RSA1024 0x06
#define PIV_ALG_RSA2048 0x07
#define PIV_ALG_AES128 0x08
#define PIV_ALG_AES192 0x0A
#define PIV_ALG_AES256 0x0C
#define PIV_ALG_ECCP256 0x11
#define PIV_ALG_ECCP384 0x14
#define PIV_ALG_RSA4096 0x16

/* Key references. */
#define PIV_KEY_AUTH 0x9A
#define PIV_KEY_MGM 0x9B
#define PIV_KEY_SIGN 0x9C
#define PIV_KEY_KEYMGM 0x9D
#define PIV_KEY_CARDAUTH 0x9E
#define PIV_KEY_ATTEST 0xF9
#define PIV_NSLOTS 25 /* 9A 9C 9D 9E, 82..95, F9 */

/* PIN references. */
#define PIV_PIN_GLOBAL 0x00
#define PIV_PIN_APP 0x80
#define PIV_PIN_PUK 0x81

/* PIN policies (Yubico tag AA) and key origins. */
#define PIV_POLICY_DEFAULT 0x00
#define PIV_POLICY_NEVER 0x01
#define PIV_POLICY_ONCE 0x02
#define PIV_POLICY_ALWAYS 0x03
#define PIV_ORIGIN_GENERATED 0x01
#define PIV_ORIGIN_IMPORTED 0x02

/* Rights of the application (sfc_right_grant). */
#define PIV_RIGHT_PIN 0x1u        /* PIN verified */
#define PIV_RIGHT_PIN_ONCE 0x2u   /* PIN verified, not yet used by "always" */
#define PIV_RIGHT_MGM 0x4u        /* management key authenticated */
#define PIV_RIGHTS_ALL 0x7u

/* Defaults (what a YubiKey ships with). */
#define PIV_DEFAULT_PIN "123456"
#define PIV_DEFAULT_PUK "12345678"
#define PIV_DEFAULT_MGM "010203040506070801020304050607080102030405060708"
#define PIV_DEFAULT_TRIES 3
#define PIV_PIN_SIZE 8
/* The version GET VERSION reports. */
#define PIV_VERSION_MAJOR 5
#define PIV_VERSION_MINOR 4
#define PIV_VERSION_PATCH 3

/* Data object tags (the value of 5C). */
#define PIV_TAG_DISCOVERY 0x7Eu
#define PIV_TAG_CHUID 0x5FC102u
#define PIV_TAG_CCC 0x5FC107u
#define PIV_TAG_KEYHIST 0x5FC10Cu
#define PIV_TAG_ATTEST_CERT 0x5FFF01u

typedef struct piv_slot {
    struct evp_pkey_st *pkey; /* NULL: empty */
    uint8_t alg, pin_policy, touch_policy, origin;
} piv_slot;

/** One card's PIV state; everything but the last block is saved. */
typedef struct piv_state {
    uint8_t pin[PIV_PIN_SIZE], puk[PIV_PIN_SIZE]; /* FF-padded */
    uint8_t pin_tries, pin_max, puk_tries, puk_max;
    uint8_t mgm_alg;
    uint8_t mgm_key[32];
    uint8_t mgm_len;
    uint8_t serial[4];
    piv_slot slots[PIV_NSLOTS];
    /* volatile: the management-key exchange in progress */
    uint8_t witness[16], challenge[16];
    uint8_t witness_len, challenge_len;
} piv_state;

/* piv.c */
extern const sfc_app_def piv_app_def;
piv_state *piv_state_of(sfc_card *card, const sfc_cmd *cmd);
sfc_app *piv_app_of(sfc_card *card, const sfc_cmd *cmd);
size_t piv_save(const sfc_card *card, const sfc_app *app, uint8_t *out,
                size_t cap);
sfc_err piv_load(sfc_card *card, sfc_app *app, const uint8_t *data,
                 size_t len, char *err, size_t errlen);
void piv_state_free(sfc_card *card, sfc_app *app);
/** Status word for a command that needs the management key. */
uint16_t piv_need_mgm(const sfc_card *card, const sfc_cmd *cmd);

/* piv_data.c */
uint16_t piv_get_data(sfc_card *card, const sfc_cmd *cmd, sfc_resp *resp);
uint16_t piv_put_data(sfc_card *card, const sfc_cmd *cmd, sfc_resp *resp);
/** Tag of the certificate object of a key slot (0 if none). */
uint32_t piv_cert_tag(uint8_t slot);
/** Store or replace an object (value without the 53 wrapper). */
uint16_t piv_object_put(sfc_card *card, sfc_file *df, uint32_t tag,
                        const uint8_t *value, size_t len);
/** Write the CHUID, CCC and discovery object of a fresh or reset card. */
sfc_err piv_default_objects(sfc_card *card, sfc_file *df);
/** Remove every data object (RESET). */
void piv_clear_objects(sfc_card *card, sfc_file *df);

/* piv_pin.c */
uint16_t piv_verify(sfc_card *card, const sfc_cmd *cmd, sfc_resp *resp);
uint16_t piv_change_ref(sfc_card *card, const sfc_cmd *cmd, sfc_resp *resp);
uint16_t piv_reset_retry(sfc_card *card, const sfc_cmd *cmd, sfc_resp *resp);
uint16_t piv_set_pin_retries(sfc_card *card, const sfc_cmd *cmd,
                             sfc_resp *resp);
uint16_t piv_reset(sfc_card *card, const sfc_cmd *cmd, sfc_resp *resp);
/** Set a PIN or PUK value (6..8 bytes); false if the length is wrong. */
bool piv_set_secret(uint8_t dst[PIV_PIN_SIZE], const uint8_t *v, size_t len);
/** Factory PIN, PUK, counters and management key. */
void piv_factory_secrets(piv_state *st);

/* piv_auth.c */
uint16_t piv_general_auth(sfc_card *card, const sfc_cmd *cmd,
                          sfc_resp *resp);
/** Management-key algorithm P1 and its key length (0 if not one). */
size_t piv_mgm_key_len(uint8_t alg);

/* piv_keys.c, piv_import.c */
uint16_t piv_generate(sfc_card *card, const sfc_cmd *cmd, sfc_resp *resp);
uint16_t piv_import_key(sfc_card *card, const sfc_cmd *cmd, sfc_resp *resp);
/** The slot of a key reference, or NULL. */
piv_slot *piv_slot_of(piv_state *st, uint8_t ref);
uint8_t piv_slot_ref(size_t index);
/** The PIV algorithm of a key (0 if PIV has none for it). */
uint8_t piv_alg_of_pkey(const struct evp_pkey_st *pkey);
/** Put a key into a slot (taking it over), replacing what was there. */
void piv_slot_set(piv_slot *slot, struct evp_pkey_st *pkey, uint8_t alg,
                  uint8_t pin_policy, uint8_t touch_policy, uint8_t origin);
void piv_slot_clear(piv_slot *slot);
/** The PIN policy that applies: the key's own, else 9E and F9 never, 9C
 *  always, the others once. */
uint8_t piv_effective_policy(const piv_slot *s, uint8_t ref);

/* piv_meta.c */
uint16_t piv_get_metadata(sfc_card *card, const sfc_cmd *cmd,
                          sfc_resp *resp);

/* piv_yk.c */
uint16_t piv_get_version(sfc_card *card, const sfc_cmd *cmd, sfc_resp *resp);
uint16_t piv_get_serial(sfc_card *card, const sfc_cmd *cmd, sfc_resp *resp);
uint16_t piv_set_mgm(sfc_card *card, const sfc_cmd *cmd, sfc_resp *resp);
uint16_t piv_attest(sfc_card *card, const sfc_cmd *cmd, sfc_resp *resp);
/** A fresh attestation key in F9 and its self-signed certificate. */
sfc_err piv_make_attestation(sfc_card *card, piv_state *st, sfc_file *df);

/* piv_init.c */
extern const sfc_param_def piv_params[];
sfc_err piv_personalise(sfc_card *card, sfc_app *app,
                        const sfc_card_options *opts, char *err,
                        size_t errlen);

#endif
