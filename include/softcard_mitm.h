/* SPDX-License-Identifier: LGPL-2.1-or-later */
/**
 * @file softcard_mitm.h
 * @brief The man-in-the-middle plugin ABI of softcard's relay card type.
 *
 * `softcard -t relay --reader R --mitm PATH` loads the shared object PATH
 * and lets it see (and change) every APDU the relay forwards: the command
 * on its way from the near reader to the far card, and the response on its
 * way back. It replaces the reference emulator's `--mitm` Python module
 * (handleInPDU / handleOutPDU).
 *
 * A plugin exports, with C linkage:
 *
 *     const unsigned softcard_mitm_abi = SOFTCARD_MITM_ABI;      (required)
 *     void *softcard_mitm_open(const char *far_reader);          (optional)
 *     void softcard_mitm_close(void *state);                     (optional)
 *     int softcard_mitm_handle_command(void *state, uint8_t *apdu,
 *                                      size_t *len, size_t cap); (optional)
 *     int softcard_mitm_handle_response(void *state,
 *                                       const uint8_t *command,
 *                                       size_t command_len,
 *                                       uint8_t *response,
 *                                       size_t *len, size_t cap); (optional)
 *
 * At least one of the two handle functions must exist. `open` is called
 * once when the card is created (its result is the `state` of the other
 * calls; NULL is a valid state), `close` when the card is destroyed.
 *
 * handle_command receives the command APDU in `apdu` (`*len` bytes, room
 * for `cap` = SOFTCARD_MITM_BUFFER bytes) and may rewrite it in place. It
 * returns SOFTCARD_MITM_FORWARD to send the (possibly changed) command to
 * the far card, or SOFTCARD_MITM_REPLY to answer it itself: the buffer
 * then holds the response APDU (data and SW1 SW2, at least 2 bytes) and
 * the far card is not contacted (handle_response is not called either).
 *
 * handle_response receives the command as sent and the far card's
 * response (`*len` bytes including SW1 SW2, room for `cap` bytes) and may
 * rewrite the response in place; it returns SOFTCARD_MITM_FORWARD.
 *
 * Any negative return value, or a response shorter than 2 bytes, makes
 * the relay answer 6F00 (no precise diagnosis) and log the plugin's
 * failure; the relay never crashes because of a plugin's answer (though
 * a plugin that crashes takes the process with it). Calls come from the
 * softcard event loop's thread, one at a time.
 */
#ifndef SOFTCARD_MITM_H
#define SOFTCARD_MITM_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/** Version of this ABI; a plugin with another value is refused. */
#define SOFTCARD_MITM_ABI 1u

/** Size of the buffers handed to the handle functions. */
#define SOFTCARD_MITM_BUFFER 65546u

enum softcard_mitm_result {
    SOFTCARD_MITM_FORWARD = 0, /**< go on (send the command / the response) */
    SOFTCARD_MITM_REPLY = 1    /**< handle_command answered by itself */
};

typedef void *(*softcard_mitm_open_fn)(const char *far_reader);
typedef void (*softcard_mitm_close_fn)(void *state);
typedef int (*softcard_mitm_command_fn)(void *state, uint8_t *apdu,
                                        size_t *len, size_t cap);
typedef int (*softcard_mitm_response_fn)(void *state, const uint8_t *command,
                                         size_t command_len,
                                         uint8_t *response, size_t *len,
                                         size_t cap);

#ifdef __cplusplus
}
#endif
#endif /* SOFTCARD_MITM_H */
