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
 * Nothing else: other instructions answer 6D00. The applet is the card's
 * default application (a DF named A0 00 00 00 18 50 under the MF), current
 * from power-on, with its own SELECT, so the card never leaves it. Without Le, response data
 * waits behind 61xx for GET RESPONSE (the T=0 behaviour HandlerTest's TPDU
 * mode expects); that rule is the card OS's, not this file's.
 */
#include "cardtypes/cardtypes.h"

#include <stdlib.h>
#include <string.h>

#include "os/iso.h"
#include "core/errtext.h"
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
    ht_state *st = sfc_app_state(sfc_app_current(card, cmd));
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
    ht_state *st = sfc_app_state(sfc_app_current(card, cmd));
    buf_put(&resp->data, st->memory, st->memory_len);
    return SW_OK;
}

static const sfc_ins_def ht_ins[] = {
    {0xA4, ht_select, 0, "SELECT applet"},
    {0x30, ht_case1, SFC_INS_PROPRIETARY, "case 1"},
    {0x32, ht_data_in, SFC_INS_PROPRIETARY, "case 3"},
    {0x21, ht_data_in, SFC_INS_PROPRIETARY, "case 3"},
    {0x3A, ht_data_in, SFC_INS_PROPRIETARY, "case 3"},
    {0x34, ht_data_out, SFC_INS_PROPRIETARY, "case 2"},
    {0x22, ht_data_out, SFC_INS_PROPRIETARY, "case 2"},
    {0x3C, ht_data_out_unbound, SFC_INS_PROPRIETARY, "case 2 unbound"},
    {0x36, ht_data_in_out, SFC_INS_PROPRIETARY, "case 4"},
    {0x23, ht_data_in_out, SFC_INS_PROPRIETARY, "case 4"},
    {0x3E, ht_data_in_out, SFC_INS_PROPRIETARY, "case 4 unbound"},
    {0x38, ht_time_request, SFC_INS_PROPRIETARY, "time request"},
    {0x20, ht_verify_pin, SFC_INS_PROPRIETARY | SFC_INS_SECRET_DATA,
     "VERIFY PIN"},
    {0x40, ht_verify_pin_dump, SFC_INS_PROPRIETARY, "VERIFY PIN dump"},
    {0xC0, os_get_response,
     SFC_INS_PROPRIETARY | SFC_INS_NO_CHAIN | SFC_INS_KEEPS_PENDING,
     "GET RESPONSE"},
};

/* The applet: the card's default application, nothing of ISO besides its
 * own SELECT. */
static const sfc_app_def ht_app = {
    .name = "HandlerTest applet",
    .aid = ht_aid_50,
    .aid_len = sizeof(ht_aid_50),
    .ins = ht_ins,
    .n_ins = sizeof(ht_ins) / sizeof(ht_ins[0]),
    .flags = SFC_APP_DEFAULT,
    .state_size = sizeof(ht_state),
};

/* The applet's DF under the MF; it holds no files. */
static sfc_err ht_create(sfc_card *card, const sfc_card_options *opts,
                         char *err, size_t errlen)
{
    (void)opts;
    sfc_err rv = sfc_df_add(card, sfc_card_mf(card), 0x1850, ht_aid_50,
                            sizeof(ht_aid_50), NULL);
    if (rv != SFC_OK)
        sfc_errf(err, errlen, "cannot create the applet's DF");
    return rv;
}

static sfc_err ht_attach(sfc_card *card, const sfc_card_options *opts,
                         char *err, size_t errlen)
{
    (void)opts;
    static const uint8_t atr[] = {0x3B, 0xD6, 0x18, 0x00, 0x80, 0xB1,
                                  0x80, 0x6D, 0x1F, 0x03, 0x80, 0x51,
                                  0x00, 0x61, 0x10, 0x30, 0x9E};
    sfc_err rv = sfc_app_attach(card, &ht_app, NULL, err, errlen);
    if (rv != SFC_OK)
        return rv;
    sfc_card_keep_ins(card, NULL, 0); /* nothing but the applet answers */
    return sfc_card_set_atr(card, atr, sizeof(atr));
}

const sfc_card_type sfc_type_handler_test = {
    .abi = SFC_CARD_TYPE_ABI,
    .name = "handler_test",
    .description = "the applet of pcsc-lite's HandlerTest reader-driver "
                   "tester",
    .create = ht_create,
    .attach = ht_attach,
};
