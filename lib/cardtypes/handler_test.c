/* SPDX-License-Identifier: LGPL-2.1-or-later */
/**
 * @file handler_test.c
 * @brief The applet of pcsc-lite's reader-driver tester (HandlerTest).
 *
 * HandlerTest sends APDUs of every ISO case through a reader driver and
 * checks the answers byte for byte. This card type answers them the way the
 * project's JavaCard test applet does, class 80:
 *   30  case 1: no data (6700 if data is sent)
 *   32  case 3: data in, must be 00 01 02 ... (else 6A00 + index); also 21, 3A
 *   34  case 2: P1P2 bytes out (00 01 02 ...), Le must equal P1P2; also 22
 *   36  case 4: data in as for 32, P1P2 bytes out; also 23, and 3E without
 *       the non-empty check
 *   3C  case 2 without the Le check
 *   38  time request (answers at once: vpcd has no waiting-time extension)
 *   20  VERIFY PIN: data must be 31 32 33 ...; the command is remembered
 *   40  returns the last VERIFY PIN command
 *   C0  GET RESPONSE
 * and SELECT of the applet AIDs A0 00 00 00 18 50 / A0 00 00 00 18 FF.
 * Nothing else: other instructions answer 6D00. Without Le, response data
 * waits behind 61xx for GET RESPONSE (the T=0 behaviour HandlerTest's TPDU
 * mode expects); that rule is the card OS's, not this file's.
 */
#include "cardtypes/cards.h"

#include <stdlib.h>
#include <string.h>

#include "os/iso.h"
#include "core/sw.h"

#define HT_MEMORY 260

typedef struct ht_state {
    uint8_t memory[HT_MEMORY]; /* last VERIFY PIN command */
    size_t memory_len;
} ht_state;

static const uint8_t ht_aid_50[] = {0xA0, 0x00, 0x00, 0x00, 0x18, 0x50};
static const uint8_t ht_aid_ff[] = {0xA0, 0x00, 0x00, 0x00, 0x18, 0xFF};

static uint16_t ht_select(sfc_card *card, const sfc_cmd *cmd, sfc_resp *resp)
{
    (void)card;
    (void)resp;
    if (cmd->p1 != 0x04)
        return SW_FILE_NOT_FOUND;
    if (cmd->nc == sizeof(ht_aid_50) &&
        (memcmp(cmd->data, ht_aid_50, cmd->nc) == 0 ||
         memcmp(cmd->data, ht_aid_ff, cmd->nc) == 0))
        return SW_OK;
    return SW_FILE_NOT_FOUND;
}

/* Incoming data must count 00 01 02 ...; the applet reports the index. */
static uint16_t check_counting(const sfc_cmd *cmd, uint8_t first)
{
    for (size_t i = 0; i < cmd->nc; i++)
        if (cmd->data[i] != (uint8_t)(first + i))
            return (uint16_t)(0x6A00u + (i & 0xFFu));
    return SW_OK;
}

static void put_counting(sfc_resp *resp, size_t n)
{
    for (size_t i = 0; i < n; i++)
        buf_put_u8(&resp->data, (uint8_t)i);
}

static size_t p1p2(const sfc_cmd *cmd)
{
    return (size_t)cmd->p1 << 8 | cmd->p2;
}

static uint16_t ht_case1(sfc_card *card, const sfc_cmd *cmd, sfc_resp *resp)
{
    (void)card;
    (void)resp;
    return cmd->nc ? SW_WRONG_LENGTH : SW_OK;
}

static uint16_t ht_data_in(sfc_card *card, const sfc_cmd *cmd, sfc_resp *resp)
{
    (void)card;
    (void)resp;
    if (cmd->nc == 0)
        return SW_WRONG_LENGTH;
    return check_counting(cmd, 0);
}

static uint16_t ht_data_out(sfc_card *card, const sfc_cmd *cmd, sfc_resp *resp)
{
    (void)card;
    if (!cmd->has_le || cmd->ne != p1p2(cmd))
        return SW_WRONG_LENGTH;
    put_counting(resp, p1p2(cmd));
    return SW_OK;
}

static uint16_t ht_data_out_unbound(sfc_card *card, const sfc_cmd *cmd,
                                    sfc_resp *resp)
{
    (void)card;
    put_counting(resp, p1p2(cmd));
    return SW_OK;
}

static uint16_t ht_data_in_out(sfc_card *card, const sfc_cmd *cmd,
                               sfc_resp *resp)
{
    (void)card;
    if (cmd->nc == 0 && cmd->ins != 0x3E)
        return SW_WRONG_LENGTH;
    uint16_t sw = check_counting(cmd, 0);
    if (sw != SW_OK)
        return sw;
    put_counting(resp, p1p2(cmd));
    return SW_OK;
}

static uint16_t ht_time_request(sfc_card *card, const sfc_cmd *cmd,
                                sfc_resp *resp)
{
    (void)card;
    (void)cmd;
    (void)resp;
    return SW_OK;
}

static uint16_t ht_verify_pin(sfc_card *card, const sfc_cmd *cmd, sfc_resp *resp)
{
    (void)resp;
    ht_state *st = card->type_state;
    if (cmd->nc == 0)
        return SW_WRONG_LENGTH;
    uint8_t header[5] = {cmd->cla, cmd->ins, cmd->p1, cmd->p2,
                         (uint8_t)cmd->nc};
    size_t n = cmd->nc < HT_MEMORY - 5 ? cmd->nc : HT_MEMORY - 5;
    memcpy(st->memory, header, 5);
    memcpy(st->memory + 5, cmd->data, n);
    st->memory_len = 5 + n;
    return check_counting(cmd, 0x31);
}

static uint16_t ht_verify_pin_dump(sfc_card *card, const sfc_cmd *cmd,
                                   sfc_resp *resp)
{
    (void)cmd;
    ht_state *st = card->type_state;
    buf_put(&resp->data, st->memory, st->memory_len);
    return SW_OK;
}

static sfc_err ht_init(sfc_card *card, const sfc_card_options *opts, char *err,
                      size_t errlen)
{
    sfc_err rv = sfc_params_check(opts, "handler_test", NULL, err, errlen);
    if (rv != SFC_OK)
        return rv;
    ht_state *st = calloc(1, sizeof(*st));
    if (!st)
        return SFC_E_NOMEM;
    card->type_state = st;
    static const uint8_t atr[] = {0x3B, 0xD6, 0x18, 0x00, 0x80, 0xB1,
                                  0x80, 0x6D, 0x1F, 0x03, 0x80, 0x51,
                                  0x00, 0x61, 0x10, 0x30, 0x9E};
    memset(card->iso, 0, sizeof(card->iso));
    card->iso[0xA4] = (sfc_ins_entry){ht_select, 0, "SELECT applet"};
    card->accept_proprietary = true;
    sfc_ins_entry *t = card->prop;
    t[0x30] = (sfc_ins_entry){ht_case1, 0, "case 1"};
    t[0x32] = (sfc_ins_entry){ht_data_in, 0, "case 3"};
    t[0x21] = t[0x32];
    t[0x3A] = t[0x32];
    t[0x34] = (sfc_ins_entry){ht_data_out, 0, "case 2"};
    t[0x22] = t[0x34];
    t[0x3C] = (sfc_ins_entry){ht_data_out_unbound, 0, "case 2 unbound"};
    t[0x36] = (sfc_ins_entry){ht_data_in_out, 0, "case 4"};
    t[0x23] = t[0x36];
    t[0x3E] = (sfc_ins_entry){ht_data_in_out, 0, "case 4 unbound"};
    t[0x38] = (sfc_ins_entry){ht_time_request, 0, "time request"};
    t[0x20] = (sfc_ins_entry){ht_verify_pin, SFC_INS_SECRET_DATA, "VERIFY PIN"};
    t[0x40] = (sfc_ins_entry){ht_verify_pin_dump, 0, "VERIFY PIN dump"};
    t[0xC0] = (sfc_ins_entry){os_get_response,
                             SFC_INS_NO_CHAIN | SFC_INS_KEEPS_PENDING,
                             "GET RESPONSE"};
    return sfc_card_set_atr(card, atr, sizeof(atr));
}

static void ht_fini(sfc_card *card)
{
    free(card->type_state);
    card->type_state = NULL;
}

const sfc_card_type sfc_type_handler_test = {
    "handler_test",
    "the applet of pcsc-lite's HandlerTest reader-driver tester",
    ht_init, ht_fini, NULL, NULL,
};
