/* SPDX-License-Identifier: LGPL-2.1-or-later */
/**
 * @file wait_and_send.c
 * @brief The README's libscio example: wait up to ten seconds for a card
 *        in any reader, connect, select the master file, print the status.
 *
 * Kept as short as the README shows it (docs/scio.md has the same text):
 * each call runs only if the previous ones succeeded. Build with
 * `cc wait_and_send.c -lscio`; the project's CMake builds it as
 * scio_example_wait_and_send and tests/integration/test_scio_cli.sh runs it.
 */
#include <scio.h>
#include <stdio.h>

int main(void)
{
    static const uint8_t select_mf[] = {0x00, 0xA4, 0x00, 0x0C, 0x02, 0x3F, 0x00};
    scio_context *ctx = NULL; scio_card_request *req = NULL;
    scio_connection *conn = NULL; scio_card card = {0};
    uint8_t resp[256]; size_t len = sizeof(resp); uint16_t sw = 0;

    scio_status st = scio_context_new(NULL, &ctx);                 /* pcscd */
    if (!st) st = scio_card_request_new(ctx, NULL, &req);          /* any card */
    if (!st) st = scio_card_request_wait_card(req, 10000, &card);  /* 10 s */
    if (!st) st = scio_card_connect(ctx, &card, SCIO_PROTO_ANY, SCIO_SHARE_SHARED,
                                    SCIO_LEAVE, &conn);
    if (!st) st = scio_transmit(conn, select_mf, sizeof(select_mf), resp, &len, &sw);
    printf("%s: %s, SW %04X\n", card.reader, scio_strerror(st), sw);
    scio_connection_free(conn); scio_card_request_free(req); scio_context_free(ctx);
    return st == SCIO_OK ? 0 : 1;
}
