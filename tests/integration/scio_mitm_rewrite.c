/* SPDX-License-Identifier: LGPL-2.1-or-later */
/**
 * @file scio_mitm_rewrite.c
 * @brief A man-in-the-middle plugin for the relay card type, used by
 *        test_relay.sh (ABI in include/softcard_mitm.h).
 *
 * It exercises the three things a plugin can do:
 *  - rewrite a command: GET CHALLENGE for 8 bytes (00 84 00 00 08) goes to
 *    the far card asking for 4;
 *  - answer a command itself: INS EE (00 EE ...) gets CA FE 90 00 without
 *    reaching the far card;
 *  - rewrite a response: whatever the far card answers to GET DATA (INS
 *    CA) becomes BE EF 90 00.
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "softcard_mitm.h"

const unsigned softcard_mitm_abi = SOFTCARD_MITM_ABI;

void *softcard_mitm_open(const char *far_reader);
void softcard_mitm_close(void *state);
int softcard_mitm_handle_command(void *state, uint8_t *apdu, size_t *len,
                                 size_t cap);
int softcard_mitm_handle_response(void *state, const uint8_t *command,
                                  size_t command_len, uint8_t *response,
                                  size_t *len, size_t cap);

static int opened; /* a plugin may keep state; this one counts opens */

void *softcard_mitm_open(const char *far_reader)
{
    (void)far_reader;
    opened++;
    return &opened;
}

void softcard_mitm_close(void *state)
{
    (void)state;
}

int softcard_mitm_handle_command(void *state, uint8_t *apdu, size_t *len,
                                 size_t cap)
{
    static const uint8_t challenge8[] = {0x00, 0x84, 0x00, 0x00, 0x08};
    static const uint8_t cafe[] = {0xCA, 0xFE, 0x90, 0x00};
    if (state != &opened || cap < sizeof(cafe))
        return -1;
    if (*len == sizeof(challenge8) && !memcmp(apdu, challenge8, *len)) {
        apdu[4] = 0x04;
        return SOFTCARD_MITM_FORWARD;
    }
    if (*len >= 4 && apdu[1] == 0xEE) {
        memcpy(apdu, cafe, sizeof(cafe));
        *len = sizeof(cafe);
        return SOFTCARD_MITM_REPLY;
    }
    return SOFTCARD_MITM_FORWARD;
}

int softcard_mitm_handle_response(void *state, const uint8_t *command,
                                  size_t command_len, uint8_t *response,
                                  size_t *len, size_t cap)
{
    static const uint8_t beef[] = {0xBE, 0xEF, 0x90, 0x00};
    (void)state;
    if (command_len >= 4 && command[1] == 0xCA && cap >= sizeof(beef)) {
        memcpy(response, beef, sizeof(beef));
        *len = sizeof(beef);
    }
    return SOFTCARD_MITM_FORWARD;
}
