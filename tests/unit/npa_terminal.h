/* SPDX-License-Identifier: LGPL-2.1-or-later */
/**
 * @file npa_terminal.h
 * @brief The project's nPA test terminal on OpenPACE's terminal-side
 *        functions: reads EF.CardAccess, runs PACE (MRZ, CAN, PIN, PUK;
 *        ECDH or DH Generic Mapping, DH Integrated Mapping, ECDH Chip
 *        Authentication Mapping) and exchanges commands under the AES
 *        secure messaging PACE establishes.
 *
 * Independent of the card engine: it talks to a card through a transmit
 * callback, so the unit tests drive an sfc_card and a PC/SC program can
 * drive a reader with the same code. Secure messaging is built from
 * OpenPACE's EAC_encrypt/EAC_decrypt/EAC_authenticate (BSI TR-03110-3
 * App. F): DO87 (padding indicator 01), DO97, DO8E over SSC || pad(header)
 * || pad(DOs); responses DO87, DO99, DO8E checked before decryption.
 */
#ifndef SFC_TEST_NPA_TERMINAL_H
#define SFC_TEST_NPA_TERMINAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/** Send `n` bytes, receive up to *rn bytes (data and SW); 0 on success. */
typedef int (*npa_term_xfer)(void *user, const uint8_t *capdu, size_t n,
                             uint8_t *rapdu, size_t *rn);

typedef struct npa_term {
    npa_term_xfer xfer;
    void *user;
    struct eac_ctx *ctx;       /**< OpenPACE context of the established PACE */
    bool sm;                   /**< secure messaging is on */
    uint16_t mse_sw;           /**< status word of the last MSE:Set AT */
    struct buf_mem_st *id_icc; /**< Comp(PICC's PACE key), signed in TA */
    struct buf_mem_st *ta_eph; /**< the ephemeral key TA announced for CA */
    struct buf_mem_st *aux;    /**< 67 object TA sends and signs (or NULL) */
    struct buf_mem_st *cam_ca; /**< CAM: CA_IC decrypted from the chip's 8A */
    struct buf_mem_st *cam_map; /**< CAM: the chip's mapping key PK_Map,IC */
} npa_term;

/** Mappings the terminal can ask for. */
typedef enum npa_term_mapping {
    NPA_TERM_ECDH_GM, /**< id-PACE-ECDH-GM-AES-CBC-CMAC-128, brainpoolP256r1 */
    NPA_TERM_DH_GM,   /**< id-PACE-DH-GM-AES-CBC-CMAC-128, parameter ID 0 */
    NPA_TERM_DH_IM,   /**< id-PACE-DH-IM-AES-CBC-CMAC-128, parameter ID 0:
                           the terminal's nonce t in 81, an empty 82 back */
    NPA_TERM_ECDH_CAM /**< id-PACE-ECDH-CAM-AES-CBC-CMAC-128,
                           brainpoolP256r1: GM plus 8A in GA4 (cam_ca) */
} npa_term_mapping;

void npa_term_init(npa_term *t, npa_term_xfer xfer, void *user);
void npa_term_free(npa_term *t);

/**
 * Send a plain APDU, or under secure messaging when it is on (wrapped and
 * unwrapped here). Response data go to `out` (up to *outlen); returns the
 * status word, or 0 when the exchange or the SM check failed (then the
 * session is off).
 */
uint16_t npa_term_send(npa_term *t, const uint8_t *apdu, size_t n, uint8_t *out,
                       size_t *outlen);
/** npa_term_send() for a hex APDU. */
uint16_t npa_term_sendx(npa_term *t, const char *hex, uint8_t *out,
                        size_t *outlen);

/**
 * Run PACE with password reference `pwd` (1 MRZ, 2 CAN, 3 PIN, 4 PUK) and
 * its `secret` text. Checks first that EF.CardAccess offers the mapping.
 * Returns 9000 when the card's token verified and SM is on; otherwise the
 * status word of the step that failed (0 for a terminal-side failure).
 * t->mse_sw keeps MSE:Set AT's word (63Cx: the PIN's counter).
 */
uint16_t npa_term_pace(npa_term *t, uint8_t pwd, const char *secret,
                       npa_term_mapping mapping);

/**
 * Terminal Authentication v2 after PACE: for each certificate (DER CV
 * certificates, 7F21..., the DV's then the terminal's) MSE:Set DST with its
 * CAR and PSO:VERIFY CERTIFICATE; then MSE:Set AT with the terminal's CHR
 * and the compressed ephemeral CA key, GET CHALLENGE and EXTERNAL
 * AUTHENTICATE signed with `key` (the terminal's PKCS#8 DER key). Returns
 * the first status word that is not 9000 (0: terminal-side failure).
 */
uint16_t npa_term_ta(npa_term *t, const uint8_t *const *certs,
                     const size_t *lens, size_t n, const uint8_t *key,
                     size_t keylen);

/**
 * Chip Authentication v2 after TA: reads EF.CardSecurity for the chip's
 * public key (no passive authentication: the test CSCA is not known here),
 * MSE:Set AT and GENERAL AUTHENTICATE with the key TA announced, checks the
 * card's token, and switches secure messaging to the new keys.
 */
uint16_t npa_term_ca(npa_term *t);

/**
 * After PACE with CAM: read EF.CardSecurity under secure messaging, take
 * the chip's CA public key PK_IC from it (OpenPACE's CA_get_pubkey, no
 * passive authentication) and check PK_Map,IC = CA_IC * PK_IC (ICAO
 * 9303-11 §4.4.3.5.2). 9000 if the chip is authenticated, 6300 if the
 * check fails, another status word from the read, 0 on a terminal error.
 */
uint16_t npa_term_cam_check(npa_term *t);

/** Read a whole EF by SFI (in short-Le pieces); returns the status word. */
uint16_t npa_term_read_sfi(npa_term *t, uint8_t sfi, uint8_t *out, size_t *len);

#endif
