/* SPDX-License-Identifier: LGPL-2.1-or-later */
/**
 * @file sm.h
 * @brief Secure messaging (ISO/IEC 7816-4 §10, ICAO Doc 9303-11 §9.8,
 *        BSI TR-03110-3 App. F) as a layer of the card OS: the session that
 *        protocols establish, and the unwrap/wrap steps dispatch.c runs around
 *        every protected command.
 *
 * A protocol that agrees on session keys (ICAO BAC, PACE, Chip
 * Authentication, or a test) calls sm_start(); from then on the card
 * expects every command protected. Two profiles exist:
 *
 * | profile        | cipher                    | MAC               | SSC, pad |
 * |----------------|---------------------------|-------------------|----------|
 * | SM_3DES_RETAIL | 3DES-CBC, IV 0            | ISO 9797-1 alg. 3 | 8 bytes  |
 * | SM_AES_CMAC    | AES-CBC, IV = E_Kenc(SSC) | AES-CMAC, 8 bytes | 16 bytes |
 *
 * The send sequence counter belongs to the session: it is incremented, at
 * full width, before the command MAC is checked and again before the
 * response MAC is computed. Any secure-messaging error (missing or wrong
 * MAC, malformed or unknown data objects, bad padding) ends the session and
 * wipes its keys; so do a plain command, reset and power-off (ICAO Doc
 * 9303-11 §9.8 and TR-03110: the chip aborts secure messaging when an SM
 * error occurs or a plain APDU is received, and deletes the session keys).
 * docs/secure-messaging.md describes the behaviour for users.
 */
#ifndef SFC_OS_SM_H
#define SFC_OS_SM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "os/card.h"
#include "core/apdu.h"

typedef enum sm_profile {
    SM_3DES_RETAIL, /**< ICAO BAC: Kenc 16 or 24 bytes, Kmac 16 bytes */
    SM_AES_CMAC     /**< PACE/EAC: Kenc and Kmac 16, 24 or 32 bytes */
} sm_profile;

/* ---- the session API for protocols -------------------------------------- */

/**
 * Start secure messaging with the given session keys and initial SSC
 * (`ssc` NULL and `ssc_len` 0 mean all zeros, as after PACE; otherwise
 * `ssc_len` must be 8 for SM_3DES_RETAIL and 16 for SM_AES_CMAC). The keys
 * are copied. An existing session is replaced. Called by a handler while
 * it runs under secure messaging (Chip Authentication), the new session
 * takes over after that command's response has been protected with the old
 * keys, as TR-03110 requires. SFC_E_INVAL for bad key or SSC lengths,
 * SFC_E_NOMEM.
 */
sfc_err sm_start(sfc_card *card, sm_profile profile, const uint8_t *kenc,
                size_t kenc_len, const uint8_t *kmac, size_t kmac_len,
                const uint8_t *ssc, size_t ssc_len);

/**
 * End secure messaging and wipe the keys (no-op without a session). Called
 * by a handler under secure messaging, the end takes effect after the
 * current response has been protected.
 */
void sm_end(sfc_card *card);

/** True while a session is established. */
bool sm_active(const sfc_card *card);

/** The profile of the session (meaningful only while sm_active()). */
sm_profile sm_session_profile(const sfc_card *card);

/** Copy the SSC to `out`; returns its length (8 or 16), 0 without a session. */
size_t sm_get_ssc(const sfc_card *card, uint8_t out[16]);

/**
 * Have `fn` called when the session ends for any reason but replacement
 * by sm_start() (SM error, plain command, sm_end, reset, power-off, card
 * freed), so that a protocol can drop the access rights it granted with the
 * session. Applies to the current session (or, inside a command, to the one
 * sm_start() just staged).
 */
void sm_on_end(sfc_card *card, void (*fn)(sfc_card *card, void *user),
               void *user);

/* ---- used by the dispatcher (dispatch.c) -------------------------------------- */

/** What the class byte says about secure messaging (interindustry classes,
 *  and a proprietary 100x yycc on a card that codes it as the first). */
typedef enum sm_cla_kind {
    SM_CLA_NONE,        /**< no SM indicated */
    SM_CLA_PROPRIETARY, /**< first interindustry b4b3 = 01: not supported */
    SM_CLA_PLAIN_HEADER,/**< b4b3 = 10, or further interindustry b6 = 1 */
    SM_CLA_AUTH_HEADER  /**< b4b3 = 11: the header is MACed as well */
} sm_cla_kind;

sm_cla_kind sm_cla_kind_of(uint8_t cla);

/** The class byte of the inner command: the SM indication cleared. */
uint8_t sm_inner_cla(uint8_t cla);

/**
 * Unwrap a protected command: SSC + 1, strict parse of the SM data field
 * (81, 85, 87, 97 in any order, each at most once, one of 81/85/87, then
 * 8E with 8 bytes last), MAC check in constant time, decryption with the
 * padding checked. On success `inner` holds the plain command (data in
 * session memory, valid until sm_command_done()). On failure the session
 * is left for the caller to end; the reason goes to the log.
 */
sfc_err sm_unwrap(sfc_card *card, const apdu *outer, apdu *inner);

/**
 * Protect a response: SSC + 1; DO87 (01 || E(pad(data))) if `len` > 0,
 * DO99 (SW), DO8E (MAC over SSC || pad(DO87 || DO99)). `*out` points into
 * session memory, valid until the next command.
 */
sfc_err sm_wrap(sfc_card *card, const uint8_t *data, size_t len, uint16_t sw,
               const uint8_t **out, size_t *out_len);

/** Mark the start of a protected command (defers sm_start/sm_end). */
void sm_command_begin(sfc_card *card);

/** End of a protected command: wipe its data, apply deferred start/end. */
void sm_command_done(sfc_card *card);

/**
 * Record whether the pending response data of `channel` are protected
 * response bytes (queued behind 61xx because they exceeded the outer Le).
 * A plain GET RESPONSE may fetch them without ending the session.
 */
void sm_set_pending_protected(sfc_card *card, uint8_t channel, bool on);
bool sm_pending_protected(const sfc_card *card, uint8_t channel);

#endif
