/* SPDX-License-Identifier: LGPL-2.1-or-later */
/**
 * @file fuzz_control.c
 * @brief libFuzzer target: the control socket's command parser. The input
 *        is split into lines as the socket splits what a client writes
 *        (at LF, a trailing CR dropped, at most LOOP_LINE_MAX - 1 bytes
 *        per line) and each line goes to vpcd_loop_command() of a loop
 *        with three reversed-mode links (an insert listens on an ephemeral
 *        port of 127.0.0.1). Every reply must be empty (blank line) or end
 *        in a newline within its buffer. After each input all cards are
 *        removed again, so inputs do not depend on each other.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "vpcd/loop.h"
#include "vpcd/loop_impl.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static size_t stub_atr(void *card, uint8_t *atr, size_t cap)
{
    (void)card;
    (void)cap;
    atr[0] = 0x3B;
    atr[1] = 0x00;
    return 2;
}

static void stub_power(void *card, int ctrl)
{
    (void)card;
    (void)ctrl;
}

static sfc_err stub_transmit(void *card, const uint8_t *capdu, size_t len,
                             const uint8_t **rapdu, size_t *rlen)
{
    static const uint8_t ok[2] = {0x90, 0x00};
    (void)card;
    (void)capdu;
    (void)len;
    *rapdu = ok;
    *rlen = 2;
    return SFC_OK;
}

static const vpcd_card_ops stub_ops = {stub_atr, stub_power, stub_transmit};

static vpcd_loop *make_loop(void)
{
    vpcd_loop *loop = NULL;
    if (vpcd_loop_new(NULL, &loop) != SFC_OK)
        abort();
    static const char *const labels[] = {"iso7816", "ePass", "cryptoflex"};
    for (size_t i = 0; i < 3; i++) {
        vpcd_link_config cfg = {.mode = VPCD_LINK_REVERSED, .port = 0};
        vpcd_link *link = NULL;
        if (vpcd_link_new(&cfg, &stub_ops, NULL, &link) != SFC_OK ||
            vpcd_loop_add(loop, link, labels[i]) != SFC_OK)
            abort();
    }
    return loop;
}

static void run_line(vpcd_loop *loop, const char *line)
{
    static char reply[16384];
    memset(reply, 0x55, sizeof(reply));
    vpcd_loop_command(loop, line, reply, sizeof(reply));
    size_t n = strnlen(reply, sizeof(reply));
    if (n == sizeof(reply) || (n > 0 && reply[n - 1] != '\n'))
        abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static vpcd_loop *loop;
    if (!loop)
        loop = make_loop();
    char line[LOOP_LINE_MAX];
    size_t len = 0;
    for (size_t i = 0; i < size; i++) {
        if (data[i] != '\n') {
            if (len == sizeof(line) - 1)
                break; /* the socket closes a client with a longer line */
            line[len++] = (char)data[i];
            continue;
        }
        if (len > 0 && line[len - 1] == '\r')
            len--;
        line[len] = '\0';
        run_line(loop, line);
        len = 0;
    }
    vpcd_loop_remove_all(loop);
    return 0;
}
