/* SPDX-License-Identifier: LGPL-2.1-or-later */
/**
 * @file dispatch.c
 * @brief The ISO/IEC 7816-4 command dispatcher: class byte, logical
 *        channels, command chaining, the instruction table, Le rules and
 *        GET RESPONSE.
 *
 * Everything about transport-level semantics happens here, once, so that
 * handlers stay plain: a handler returns its data and status word, and this
 * file decides what goes on the wire.
 *
 * Order of checks for a command: length < 4 (6700), class byte (6E00),
 * instruction (6D00), length fields (6700), logical channel open (6881),
 * command chain consistency (6883/6884), then the handler.
 *
 * Secure messaging (sm.h) wraps that path. A protected command is checked
 * first for the class (proprietary SM: 6882), the channel (6881), a session
 * (none: 6988), its length fields (6700) and then unwrapped (any SM error:
 * 6988); those answers are plain and end the session. The inner command
 * then takes the path above with card->sec.cmd_secured set, and whatever it
 * answers, errors included, is protected (DO87, DO99, DO8E) under the inner
 * SW. The inner Ne limits the inner data; the outer Le applies the 61xx
 * rules below to the protected bytes, which a plain GET RESPONSE may fetch.
 * Any other plain command ends the session and runs plain.
 *
 * Le rules: response data longer than Ne (or any data without Le) is kept
 * per channel and announced with 61xx; GET RESPONSE hands it out and ends
 * with the handler's original status word (the T=0 behaviour clients such
 * as OpenSC rely on). A handler that returns one indivisible unit asks for
 * 6Cxx instead (SFC_LE_EXACT). Error status words carry no data.
 */
#include "os/card.h"

#include <stdio.h>
#include <string.h>

#include "os/fs.h"
#include "os/iso.h"
#include "os/sm.h"
#include "core/apdu.h"
#include "core/log.h"
#include "core/sw.h"

void os_iso_table(sfc_ins_entry t[256])
{
    memset(t, 0, 256 * sizeof(*t));
#define ISO(ins, fn, flags, name) t[ins] = (sfc_ins_entry){fn, flags, name}
    ISO(0x04, iso_deactivate_file, SFC_INS_MUTATES, "DEACTIVATE FILE");
    ISO(0x0C, iso_erase_record, SFC_INS_MUTATES, "ERASE RECORD");
    ISO(0x0E, iso_erase_binary, SFC_INS_MUTATES, "ERASE BINARY");
    ISO(0x0F, iso_erase_binary, SFC_INS_MUTATES, "ERASE BINARY");
    ISO(0x20, iso_verify, SFC_INS_SECRET_DATA | SFC_INS_MUTATES, "VERIFY");
    ISO(0x22, iso_manage_security_environment, SFC_INS_MUTATES, "MANAGE SECURITY ENVIRONMENT");
    ISO(0x24, iso_change_reference_data, SFC_INS_SECRET_DATA | SFC_INS_MUTATES, "CHANGE REFERENCE DATA");
    ISO(0x2A, iso_perform_security_operation, 0, "PERFORM SECURITY OPERATION");
    ISO(0x2C, iso_reset_retry_counter, SFC_INS_SECRET_DATA | SFC_INS_MUTATES, "RESET RETRY COUNTER");
    ISO(0x44, iso_activate_file, SFC_INS_MUTATES, "ACTIVATE FILE");
    ISO(0x46, iso_generate_key_pair, SFC_INS_MUTATES, "GENERATE ASYMMETRIC KEY PAIR");
    ISO(0x70, iso_manage_channel, SFC_INS_NO_CHAIN, "MANAGE CHANNEL");
    ISO(0x82, iso_external_authenticate, 0, "EXTERNAL AUTHENTICATE");
    ISO(0x84, iso_get_challenge, SFC_INS_NO_CHAIN, "GET CHALLENGE");
    ISO(0x88, iso_internal_authenticate, 0, "INTERNAL AUTHENTICATE");
    ISO(0xA0, iso_search_binary, 0, "SEARCH BINARY");
    ISO(0xA1, iso_search_binary, 0, "SEARCH BINARY");
    ISO(0xA4, iso_select, 0, "SELECT");
    ISO(0xB0, iso_read_binary, 0, "READ BINARY");
    ISO(0xB1, iso_read_binary, 0, "READ BINARY");
    ISO(0xB2, iso_read_record, 0, "READ RECORD");
    ISO(0xB3, iso_read_record, 0, "READ RECORD");
    ISO(0xC0, os_get_response, SFC_INS_NO_CHAIN | SFC_INS_KEEPS_PENDING, "GET RESPONSE");
    ISO(0xCA, iso_get_data, 0, "GET DATA");
    ISO(0xCB, iso_get_data, 0, "GET DATA");
    ISO(0xD0, iso_write_binary, SFC_INS_MUTATES, "WRITE BINARY");
    ISO(0xD1, iso_write_binary, SFC_INS_MUTATES, "WRITE BINARY");
    ISO(0xD2, iso_write_record, SFC_INS_MUTATES, "WRITE RECORD");
    ISO(0xD6, iso_update_binary, SFC_INS_MUTATES, "UPDATE BINARY");
    ISO(0xD7, iso_update_binary, SFC_INS_MUTATES, "UPDATE BINARY");
    ISO(0xDA, iso_put_data, SFC_INS_SECRET_DATA | SFC_INS_MUTATES, "PUT DATA");
    ISO(0xDB, iso_put_data, SFC_INS_SECRET_DATA | SFC_INS_MUTATES, "PUT DATA");
    ISO(0xDC, iso_update_record, SFC_INS_MUTATES, "UPDATE RECORD");
    ISO(0xDD, iso_update_record, SFC_INS_MUTATES, "UPDATE RECORD");
    ISO(0xE0, iso_create_file, SFC_INS_MUTATES, "CREATE FILE");
    ISO(0xE2, iso_append_record, SFC_INS_MUTATES, "APPEND RECORD");
    ISO(0xE4, iso_delete_file, SFC_INS_MUTATES, "DELETE FILE");
    ISO(0xE6, iso_terminate_df, SFC_INS_MUTATES, "TERMINATE DF");
    ISO(0xE8, iso_terminate_ef, SFC_INS_MUTATES, "TERMINATE EF");
#undef ISO
}

bool os_ins_put(sfc_ins_entry iso[256], sfc_ins_entry prop[256],
                const sfc_ins_def *def)
{
    bool is_prop = def->flags & SFC_INS_PROPRIETARY;
    sfc_ins_entry *t = is_prop ? prop : iso;
    t[def->ins] = (sfc_ins_entry){def->fn, def->flags & ~SFC_INS_PROPRIETARY,
                                  def->name};
    return is_prop && def->fn;
}

size_t sfc_max_response(const sfc_cmd *cmd)
{
    if (!cmd->has_le)
        return 0;
    return cmd->ne < SFC_RDATA_MAX ? cmd->ne : SFC_RDATA_MAX;
}

bool sfc_le_is_max(const sfc_cmd *cmd)
{
    return cmd->has_le &&
           cmd->ne == (cmd->extended ? 65536u : 256u);
}

static void channel_clear(sfc_channel *ch)
{
    buf_reset(&ch->pending);
    ch->pending_off = 0;
    ch->pending_sw = SW_OK;
    buf_reset(&ch->chain);
    ch->chaining = false;
}

void os_reset(sfc_card *card)
{
    sm_end(card); /* reset and power-off end secure messaging */
    for (size_t i = 0; i < SFC_MAX_CHANNELS; i++) {
        sfc_channel *ch = &card->ch[i];
        channel_clear(ch);
        ch->open = (i == 0);
        ch->cur_df = i == 0 ? card->mf : NULL;
        ch->cur_ef = NULL;
        ch->rec_ptr = 0;
    }
    memset(&card->sec, 0, sizeof(card->sec));
    memset(&card->se, 0, sizeof(card->se));
    app_reset(card);
    sfc_wipe(card->last_hash, sizeof(card->last_hash));
    card->last_hash_len = 0;
    sfc_wipe(card->challenge, sizeof(card->challenge));
    card->challenge_len = 0;
}

/* ---- class byte -------------------------------------------------------- */

typedef struct cla_info {
    uint16_t sw;       /**< 9000 if the class is acceptable */
    uint8_t channel;
    bool proprietary;
    bool chained;
    bool sm;
} cla_info;

/* First interindustry: 000x yycc, x chaining, yy SM, cc channel. */
static void decode_first_interindustry(uint8_t cla, cla_info *c)
{
    c->channel = cla & 0x03;
    c->sm = (cla & 0x0C) != 0;
    c->chained = (cla & 0x10) != 0;
}

static cla_info decode_cla(const sfc_card *card, uint8_t cla)
{
    cla_info c = {SW_OK, 0, false, false, false};
    if (cla == 0xFF) {
        c.sw = SW_CLA_NOT_SUPPORTED;
    } else if (cla & 0x80) {
        /* Proprietary class: chaining, channels and SM are the card's own
         * business (channel 0), unless it codes 100x yycc as ISO does. */
        c.proprietary = true;
        if (card->prop_cla_iso && (cla & 0xE0) == 0x80)
            decode_first_interindustry(cla, &c);
        const sfc_app *app = app_of_channel(card, c.channel);
        if (!card->accept_proprietary && !(app && app->has_prop))
            c.sw = SW_CLA_NOT_SUPPORTED;
    } else if ((cla & 0xE0) == 0x00) {
        decode_first_interindustry(cla, &c);
    } else if ((cla & 0xC0) == 0x40) {
        /* Further interindustry: 01yx cccc, channel 4 + cccc. */
        c.channel = (uint8_t)(4 + (cla & 0x0F));
        c.sm = (cla & 0x20) != 0;
        c.chained = (cla & 0x10) != 0;
    } else {
        c.sw = SW_CLA_NOT_SUPPORTED; /* 001x xxxx is reserved */
    }
    return c;
}

/* ---- logging ------------------------------------------------------------ */

/*
 * Command data are masked unless the instruction is known and not marked
 * SFC_INS_SECRET_DATA: an unknown instruction (a proprietary VERIFY the
 * card type lacks, an odd-INS variant) may carry a PIN as well as a known
 * one, and so may a malformed VERIFY, whose data the parser could not even
 * delimit. The header alone identifies the command.
 */
static bool masks_data(const sfc_ins_entry *e)
{
    return !e || (e->flags & SFC_INS_SECRET_DATA);
}

static void log_command(const uint8_t *capdu, size_t len,
                        const sfc_ins_entry *e, const apdu *a, uint8_t channel)
{
    if (!sfc_log_enabled(SFC_LOG_APDU))
        return;
    const char *name = e && e->name ? e->name : "unknown instruction";
    if (masks_data(e) && a && a->nc) {
        sfc_log(SFC_LOG_APDU,
               "C-APDU (%s, channel %u): %02X %02X %02X %02X, %zu data bytes "
               "masked, Ne %zu",
               name, channel, a->cla, a->ins, a->p1, a->p2, a->nc, a->ne);
        return;
    }
    if (masks_data(e) && !a && len > 4) {
        sfc_log(SFC_LOG_APDU,
               "C-APDU (%s, channel %u): %02X %02X %02X %02X, %zu more bytes "
               "masked%s", name, channel, capdu[0], capdu[1], capdu[2],
               capdu[3], len - 4, e ? " (malformed)" : "");
        return;
    }
    char prefix[96];
    snprintf(prefix, sizeof(prefix), "C-APDU (%s, channel %u): ", name,
             channel);
    sfc_log_hex(SFC_LOG_APDU, prefix, capdu, len);
}

static void log_response(const uint8_t *rapdu, size_t len)
{
    if (!sfc_log_enabled(SFC_LOG_APDU))
        return;
    uint16_t sw = (uint16_t)(rapdu[len - 2] << 8 | rapdu[len - 1]);
    char prefix[96];
    snprintf(prefix, sizeof(prefix), "R-APDU (%s): ", sw_text(sw));
    sfc_log_hex(SFC_LOG_APDU, prefix, rapdu, len);
}

/* ---- response assembly -------------------------------------------------- */

static size_t put_sw(sfc_card *card, size_t at, uint16_t sw)
{
    card->rapdu[at] = (uint8_t)(sw >> 8);
    card->rapdu[at + 1] = (uint8_t)sw;
    return at + 2;
}

static bool sw_carries_data(uint16_t sw)
{
    return sw_is_success(sw) || sw_is_warning(sw);
}

/* Without Le, SFC_LE_DIRECT still sends what one response can carry. */
static size_t response_limit(const sfc_cmd *cmd, sfc_le_mode mode)
{
    if (cmd->has_le || mode != SFC_LE_DIRECT)
        return sfc_max_response(cmd);
    return cmd->extended ? SFC_RDATA_MAX : 256;
}

static uint16_t bytes_remaining_sw(size_t rest)
{
    return SW_BYTES_REMAINING(rest >= 256 ? 0 : rest);
}

/*
 * Send what Ne allows of `n` bytes with `sw` and keep the rest for GET
 * RESPONSE behind 61xx. Also used for protected responses, which carry
 * data whatever their status word.
 */
static size_t send_or_queue(sfc_card *card, sfc_channel *ch, const sfc_cmd *cmd,
                            const uint8_t *data, size_t n, uint16_t sw,
                            sfc_le_mode mode)
{
    size_t limit = response_limit(cmd, mode);
    size_t out = n <= limit ? n : limit;
    memcpy(card->rapdu, data, out);
    if (out < n) {
        buf_reset(&ch->pending);
        if (!buf_put(&ch->pending, data + out, n - out)) {
            buf_reset(&ch->pending);
            return put_sw(card, 0, SW_MEMORY_FAILURE);
        }
        ch->pending_off = 0;
        ch->pending_sw = sw;
        sw = bytes_remaining_sw(n - out);
    }
    return put_sw(card, out, sw);
}

/*
 * Turn handler output into the R-APDU: drop data on errors, 6Cxx for exact
 * units, otherwise send what Ne allows and keep the rest for GET RESPONSE.
 */
static size_t finish(sfc_card *card, sfc_channel *ch, const sfc_cmd *cmd,
                     sfc_resp *resp, uint16_t sw)
{
    size_t n = resp->data.len;
    if (resp->data.failed) {
        sfc_log(SFC_LOG_ERROR, "handler output exceeded %u bytes",
               SFC_RESP_MAX);
        n = 0;
        sw = SW_UNKNOWN;
    }
    if (!sw_carries_data(sw) || n == 0)
        return put_sw(card, 0, sw);
    if (resp->le_mode == SFC_LE_EXACT && cmd->has_le && !sfc_le_is_max(cmd) &&
        cmd->ne < n && n <= 256)
        return put_sw(card, 0, SW_WRONG_LE(n == 256 ? 0 : n));
    return send_or_queue(card, ch, cmd, resp->data.data, n, sw, resp->le_mode);
}

/* ---- command chaining --------------------------------------------------- */

typedef enum chain_step { CHAIN_NONE, CHAIN_STORED, CHAIN_FINAL, CHAIN_ERROR } chain_step;

static bool chain_matches(const sfc_channel *ch, const apdu *a)
{
    return ch->chain_ins == a->ins && ch->chain_p1 == a->p1 &&
           ch->chain_p2 == a->p2 && ch->chain_cla == (a->cla & (uint8_t)~0x10u);
}

/*
 * Handle the chaining bit for handlers that do not take pieces themselves.
 * Returns what to do next and, for CHAIN_ERROR, the status word in *sw.
 */
static chain_step chain_command(sfc_channel *ch, const sfc_ins_entry *e,
                                const apdu *a, bool chained, uint16_t *sw)
{
    if (ch->chaining && !chain_matches(ch, a)) {
        buf_reset(&ch->chain);
        ch->chaining = false;
        *sw = SW_LAST_COMMAND_EXPECTED;
        return CHAIN_ERROR;
    }
    if (!chained)
        return ch->chaining ? CHAIN_FINAL : CHAIN_NONE;
    if (e->flags & SFC_INS_NO_CHAIN) {
        *sw = SW_CHAINING_NOT_SUPPORTED;
        return CHAIN_ERROR;
    }
    if (a->nc > SFC_CHAIN_MAX - ch->chain.len ||
        !buf_put(&ch->chain, a->data, a->nc)) {
        buf_reset(&ch->chain);
        ch->chaining = false;
        *sw = SW_WRONG_LENGTH;
        return CHAIN_ERROR;
    }
    ch->chaining = true;
    ch->chain_cla = a->cla & (uint8_t)~0x10u;
    ch->chain_ins = a->ins;
    ch->chain_p1 = a->p1;
    ch->chain_p2 = a->p2;
    return CHAIN_STORED;
}

/* ---- dispatch ----------------------------------------------------------- */

static bool ins_is_invalid(uint8_t ins)
{
    /* 6X and 9X are T=0 procedure bytes and never instructions. */
    return (ins & 0xF0) == 0x60 || (ins & 0xF0) == 0x90;
}

/* A handler's cmd->data is never NULL: without data it points at no bytes,
 * so memcpy(dst, cmd->data, cmd->nc) is defined for Nc = 0 too (C17
 * 7.24.1: a null pointer is invalid even for a length of 0). */
static const uint8_t *data_or_empty(const uint8_t *data)
{
    static const uint8_t none[1];
    return data ? data : none;
}

static void cmd_from_apdu(sfc_cmd *cmd, const apdu *a, const cla_info *c)
{
    memset(cmd, 0, sizeof(*cmd));
    cmd->cla = a->cla;
    cmd->ins = a->ins;
    cmd->p1 = a->p1;
    cmd->p2 = a->p2;
    cmd->data = data_or_empty(a->data);
    cmd->nc = a->nc;
    cmd->ne = a->ne;
    cmd->has_le = a->has_le;
    cmd->extended = a->extended;
    cmd->channel = c->channel;
    cmd->proprietary = c->proprietary;
    cmd->chain_more = c->chained;
}

static size_t reject(sfc_card *card, uint16_t sw)
{
    return put_sw(card, 0, sw);
}

/* SELECT, MANAGE CHANNEL and GET RESPONSE manage the card, not one
 * application: they reach the card's table from any application. */
static bool card_level(const cla_info *c, uint8_t ins)
{
    return !c->proprietary && (ins == 0xA4 || ins == 0x70 || ins == 0xC0);
}

/*
 * The handler entry for an instruction, or NULL (6D00): the current
 * application's own entry, else the card's table if the application falls
 * back to it (or the instruction manages the card).
 */
static const sfc_ins_entry *entry_of(sfc_card *card, const cla_info *c,
                                    uint8_t ins)
{
    if (ins_is_invalid(ins))
        return NULL;
    const sfc_app *app = app_of_channel(card, c->channel);
    if (app) {
        const sfc_ins_entry *e = c->proprietary ? &app->prop[ins]
                                                : &app->iso[ins];
        if (e->fn)
            return e;
        if (!(app->def->flags & SFC_APP_ISO_FALLBACK) && !card_level(c, ins))
            return NULL;
    }
    const sfc_ins_entry *e = c->proprietary ? &card->prop[ins] : &card->iso[ins];
    return e->fn ? e : NULL;
}

static void start_response(sfc_card *card, const apdu *a, const cla_info *c,
                           sfc_cmd *cmd, sfc_resp *resp)
{
    buf_init_fixed(&resp->data, card->resp_mem, SFC_RESP_MAX);
    resp->le_mode = SFC_LE_CHAIN;
    cmd_from_apdu(cmd, a, c);
}

/*
 * Run a handler in the context of the channel's application: PIN
 * references resolve in it; the format hook of the application current
 * when the answer leaves (the one a SELECT just chose) sees the result;
 * and if the command moved the channel to another application, the one it
 * left is deselected (app.c).
 */
static uint16_t run_handler(sfc_card *card, const sfc_ins_entry *e,
                            uint8_t channel, sfc_cmd *cmd, sfc_resp *resp)
{
    sfc_app *app = app_of_channel(card, channel);
    card->cmd_app = app;
    uint16_t sw = e->fn(card, cmd, resp);
    card->cmd_app = NULL;
    sfc_app *now = app_of_channel(card, channel);
    app_now_current(now);
    if (now && now->def->format)
        sw = now->def->format(card, now, cmd, resp, sw);
    if (now != app)
        app_track(card, app);
    return sw;
}

/*
 * Everything after the instruction is known and the APDU parsed, for plain
 * and unwrapped protected commands alike: channel open, pending data,
 * command chaining, the handler. Returns the status word; data in resp.
 */
static uint16_t execute(sfc_card *card, const sfc_ins_entry *e, const apdu *a,
                        const cla_info *c, sfc_cmd *cmd, sfc_resp *resp)
{
    start_response(card, a, c, cmd, resp);
    sfc_channel *ch = &card->ch[c->channel];
    if (!ch->open)
        return SW_CHANNEL_NOT_SUPPORTED;
    if (!(e->flags & SFC_INS_KEEPS_PENDING)) {
        buf_reset(&ch->pending);
        ch->pending_off = 0;
    }
    if (!(e->flags & SFC_INS_CHAIN_RAW) && !c->proprietary) {
        uint16_t sw = SW_OK;
        switch (chain_command(ch, e, a, c->chained, &sw)) {
        case CHAIN_ERROR:
            return sw;
        case CHAIN_STORED:
            return SW_OK;
        case CHAIN_FINAL:
            if (!buf_put(&ch->chain, a->data, a->nc) ||
                ch->chain.len > SFC_CHAIN_MAX) {
                channel_clear(ch);
                return SW_WRONG_LENGTH;
            }
            cmd->data = data_or_empty(ch->chain.data);
            cmd->nc = ch->chain.len;
            ch->chaining = false;
            break;
        case CHAIN_NONE:
            break;
        }
        cmd->chain_more = false;
    }
    uint16_t sw = run_handler(card, e, c->channel, cmd, resp);
    if (e->flags & SFC_INS_MUTATES)
        card->dirty = true;
    buf_reset(&ch->chain);
    return sw;
}

static size_t dispatch_plain(sfc_card *card, const uint8_t *capdu, size_t len,
                             const cla_info *c)
{
    const sfc_ins_entry *e = entry_of(card, c, capdu[1]);
    if (!e) {
        log_command(capdu, len, NULL, NULL, c->channel);
        return reject(card, SW_INS_NOT_SUPPORTED);
    }
    apdu a;
    bool parsed = apdu_parse(capdu, len, &a) == SFC_OK;
    log_command(capdu, len, e, parsed ? &a : NULL, c->channel);
    if (!parsed)
        return reject(card, SW_WRONG_LENGTH);
    sfc_cmd cmd;
    sfc_resp resp;
    uint16_t sw = execute(card, e, &a, c, &cmd, &resp);
    return finish(card, &card->ch[c->channel], &cmd, &resp, sw);
}

/* ---- secure messaging ----------------------------------------------------- */

static void end_sm(sfc_card *card, const char *why)
{
    sfc_log(SFC_LOG_INFO, "%s: %s ends secure messaging", card->label, why);
    sm_end(card);
}

/*
 * A protected command the layer cannot unwrap is answered plainly and ends
 * the session (ICAO 9303-11 §9.8): the terminal's SSC is out of step anyway.
 */
static size_t reject_sm(sfc_card *card, uint16_t sw, const char *why)
{
    if (card->sm)
        end_sm(card, why);
    return reject(card, sw);
}

static void log_inner(const sfc_ins_entry *e, const apdu *a, uint8_t channel)
{
    if (!sfc_log_enabled(SFC_LOG_APDU))
        return;
    char prefix[128];
    snprintf(prefix, sizeof(prefix),
             "inner C-APDU (%s, channel %u): %02X %02X %02X %02X, Ne %zu, "
             "data:", e && e->name ? e->name : "?", channel, a->cla, a->ins,
             a->p1, a->p2, a->ne);
    if (masks_data(e) && a->nc)
        sfc_log(SFC_LOG_APDU, "%s %zu bytes masked", prefix, a->nc);
    else
        sfc_log_hex(SFC_LOG_APDU, prefix, a->data, a->nc);
}

/*
 * Inner-level Le rules: the data that go into DO87. Errors carry none; an
 * indivisible unit longer than a short inner Ne gives 6Cxx (inside DO99);
 * data beyond the inner Ne are not returned, so there is no inner 61xx: a
 * protected response is one unit, and only its outer bytes may be fetched
 * with GET RESPONSE.
 */
static size_t inner_data(const sfc_cmd *cmd, const sfc_resp *resp, uint16_t *sw)
{
    size_t n = resp->data.len;
    if (resp->data.failed) {
        sfc_log(SFC_LOG_ERROR, "handler output exceeded %u bytes", SFC_RESP_MAX);
        *sw = SW_UNKNOWN;
        return 0;
    }
    if (!sw_carries_data(*sw) || n == 0)
        return 0;
    if (resp->le_mode == SFC_LE_EXACT && cmd->has_le && !sfc_le_is_max(cmd) &&
        cmd->ne < n && n <= 256) {
        *sw = SW_WRONG_LE(n == 256 ? 0 : n);
        return 0;
    }
    size_t limit = cmd->has_le ? cmd->ne : response_limit(cmd, resp->le_mode);
    return n < limit ? n : limit;
}

/* Run the unwrapped command with the "came under SM" bit set. */
static uint16_t run_inner(sfc_card *card, const apdu *inner, const cla_info *c,
                          sfc_cmd *cmd, sfc_resp *resp)
{
    const sfc_ins_entry *e = entry_of(card, c, inner->ins);
    log_inner(e, inner, c->channel);
    if (!e) {
        start_response(card, inner, c, cmd, resp);
        return SW_INS_NOT_SUPPORTED;
    }
    card->sec.cmd_secured = true;
    uint16_t sw = execute(card, e, inner, c, cmd, resp);
    card->sec.cmd_secured = false;
    return sw;
}

/* Protect the inner answer and send it under the outer Le. */
static size_t answer_protected(sfc_card *card, const apdu *outer,
                               const cla_info *c, const sfc_cmd *cmd,
                               const sfc_resp *resp, uint16_t sw)
{
    size_t n = inner_data(cmd, resp, &sw);
    const uint8_t *out = NULL;
    size_t out_len = 0;
    if (sm_wrap(card, resp->data.data, n, sw, &out, &out_len) != SFC_OK) {
        sm_command_done(card);
        return reject_sm(card, SW_UNKNOWN, "failing to protect a response");
    }
    sfc_cmd outer_cmd;
    cmd_from_apdu(&outer_cmd, outer, c);
    size_t r = send_or_queue(card, &card->ch[c->channel], &outer_cmd, out,
                             out_len, sw, SFC_LE_CHAIN);
    sm_set_pending_protected(card, c->channel, r - 2 < out_len);
    sm_command_done(card);
    return r;
}

static size_t dispatch_sm(sfc_card *card, const uint8_t *capdu, size_t len,
                          const cla_info *c)
{
    apdu outer;
    bool parsed = apdu_parse(capdu, len, &outer) == SFC_OK;
    /* The outer INS is the inner one: mask the log as the handler asks
     * (DO81 would carry a PIN in clear). */
    log_command(capdu, len, entry_of(card, c, capdu[1]), parsed ? &outer : NULL,
                c->channel);
    if (sm_cla_kind_of(capdu[0]) == SM_CLA_PROPRIETARY)
        return reject_sm(card, SW_SM_NOT_SUPPORTED, "proprietary SM");
    if (!card->ch[c->channel].open)
        return reject_sm(card, SW_CHANNEL_NOT_SUPPORTED, "a closed channel");
    if (!card->sm)
        return reject(card, SW_SM_INCORRECT);
    if (!parsed)
        return reject_sm(card, SW_WRONG_LENGTH, "a malformed command");
    apdu inner;
    if (sm_unwrap(card, &outer, &inner) != SFC_OK)
        return reject_sm(card, SW_SM_INCORRECT, "a secure messaging error");
    sm_command_begin(card);
    sfc_channel *ch = &card->ch[c->channel];
    if (sm_pending_protected(card, c->channel)) {
        /* A new command abandons protected bytes nobody fetched. */
        buf_reset(&ch->pending);
        ch->pending_off = 0;
        sm_set_pending_protected(card, c->channel, false);
    }
    sfc_cmd cmd;
    sfc_resp resp;
    uint16_t sw = run_inner(card, &inner, c, &cmd, &resp);
    return answer_protected(card, &outer, c, &cmd, &resp, sw);
}

/* A plain GET RESPONSE for protected bytes queued behind 61xx. */
static bool fetches_protected(sfc_card *card, const uint8_t *capdu, size_t len,
                              const cla_info *c, apdu *a)
{
    const sfc_channel *ch = &card->ch[c->channel];
    return !c->proprietary && !c->chained && capdu[1] == 0xC0 &&
           sm_pending_protected(card, c->channel) &&
           ch->pending.len > ch->pending_off &&
           apdu_parse(capdu, len, a) == SFC_OK && a->p1 == 0 && a->p2 == 0 &&
           a->nc == 0;
}

/*
 * Hand out protected response bytes. They are already protected, so this
 * is transport (as GET RESPONSE under T=0 is), not a plain command: the
 * session goes on, and the final status word is the inner one even for an
 * error, because the bytes carry DO99 and DO8E.
 */
static size_t get_protected_response(sfc_card *card, const uint8_t *capdu,
                                     size_t len, const cla_info *c,
                                     const apdu *a)
{
    log_command(capdu, len, &card->iso[0xC0], a, c->channel);
    sfc_channel *ch = &card->ch[c->channel];
    size_t rest = ch->pending.len - ch->pending_off;
    /* Copy out first: send_or_queue() refills ch->pending. */
    memcpy(card->resp_mem, ch->pending.data + ch->pending_off, rest);
    uint16_t sw = ch->pending_sw;
    buf_reset(&ch->pending);
    ch->pending_off = 0;
    sfc_cmd cmd;
    cmd_from_apdu(&cmd, a, c);
    size_t r = send_or_queue(card, ch, &cmd, card->resp_mem, rest, sw,
                             SFC_LE_CHAIN);
    sm_set_pending_protected(card, c->channel, r - 2 < rest);
    return r;
}

static size_t dispatch(sfc_card *card, const uint8_t *capdu, size_t len)
{
    cla_info c = {SW_WRONG_LENGTH, 0, false, false, false};
    if (len >= 4)
        c = decode_cla(card, capdu[0]);
    if (c.sw == SW_OK && c.sm)
        return dispatch_sm(card, capdu, len, &c);
    if (card->sm) {
        apdu a;
        if (c.sw == SW_OK && fetches_protected(card, capdu, len, &c, &a))
            return get_protected_response(card, capdu, len, &c, &a);
        /* ICAO 9303-11 §9.8: a plain APDU terminates secure messaging. */
        end_sm(card, "a plain command");
    }
    if (c.sw != SW_OK)
        return reject(card, c.sw);
    return dispatch_plain(card, capdu, len, &c);
}

size_t os_process(sfc_card *card, const uint8_t *capdu, size_t len)
{
    size_t n = dispatch(card, capdu, len);
    log_response(card->rapdu, n);
    return n;
}

/* ---- GET RESPONSE and MANAGE CHANNEL ------------------------------------ */

uint16_t os_get_response(sfc_card *card, const sfc_cmd *cmd, sfc_resp *resp)
{
    sfc_channel *ch = sfc_channel_of(card, cmd);
    if (cmd->p1 != 0 || cmd->p2 != 0)
        return SW_WRONG_P1P2;
    if (cmd->nc != 0)
        return SW_WRONG_LENGTH;
    size_t rest = ch->pending.len - ch->pending_off;
    if (rest == 0)
        return SW_CONDITIONS;
    /* Hand everything back to the OS; finish() re-queues what exceeds Ne. */
    buf_put(&resp->data, ch->pending.data + ch->pending_off, rest);
    uint16_t sw = ch->pending_sw;
    buf_reset(&ch->pending);
    ch->pending_off = 0;
    return sw;
}

static uint16_t open_channel(sfc_card *card, const sfc_cmd *cmd, sfc_resp *resp)
{
    uint8_t n = cmd->p2;
    if (n == 0) {
        for (n = 1; n < SFC_MAX_CHANNELS && card->ch[n].open; n++)
            ;
        if (n == SFC_MAX_CHANNELS)
            return SW_FUNC_NOT_SUPPORTED;
    } else if (n >= SFC_MAX_CHANNELS || card->ch[n].open) {
        return SW_WRONG_P1P2;
    }
    sfc_channel *from = sfc_channel_of(card, cmd);
    sfc_channel *to = &card->ch[n];
    channel_clear(to);
    to->open = true;
    /* From the basic channel the MF becomes current; from another channel
     * the new one inherits that channel's current DF and EF. */
    to->cur_df = cmd->channel == 0 ? card->mf : from->cur_df;
    to->cur_ef = cmd->channel == 0 ? NULL : from->cur_ef;
    to->rec_ptr = 0;
    if (cmd->p2 == 0)
        buf_put_u8(&resp->data, n);
    return SW_OK;
}

static uint16_t close_channel(sfc_card *card, const sfc_cmd *cmd)
{
    uint8_t n = cmd->p2 ? cmd->p2 : cmd->channel;
    if (n == 0 || n >= SFC_MAX_CHANNELS)
        return SW_WRONG_P1P2;
    if (!card->ch[n].open)
        return SW_CHANNEL_NOT_SUPPORTED;
    sfc_channel *ch = &card->ch[n];
    sfc_app *app = app_of_channel(card, n);
    channel_clear(ch);
    ch->open = false;
    ch->cur_df = NULL;
    ch->cur_ef = NULL;
    ch->rec_ptr = 0;
    app_track(card, app);
    return SW_OK;
}

uint16_t iso_manage_channel(sfc_card *card, const sfc_cmd *cmd, sfc_resp *resp)
{
    if (cmd->nc != 0)
        return SW_WRONG_LENGTH;
    if (cmd->p1 == 0x00)
        return open_channel(card, cmd, resp);
    if (cmd->p1 == 0x80)
        return close_channel(card, cmd);
    return SW_WRONG_P1P2;
}

/* ---- response helpers (softcard-cardtype.h) ------------------------------- */

bool sfc_resp_put(sfc_resp *resp, const void *data, size_t len)
{
    return buf_put(&resp->data, data, len);
}

bool sfc_resp_put_u8(sfc_resp *resp, uint8_t v)
{
    return buf_put_u8(&resp->data, v);
}

uint8_t *sfc_resp_data(sfc_resp *resp)
{
    return resp->data.data;
}

size_t sfc_resp_len(const sfc_resp *resp)
{
    return resp->data.len;
}

void sfc_resp_truncate(sfc_resp *resp, size_t len)
{
    if (len < resp->data.len)
        resp->data.len = len;
}

void sfc_resp_set_le_mode(sfc_resp *resp, sfc_le_mode mode)
{
    resp->le_mode = mode;
}

sfc_le_mode sfc_resp_le_mode(const sfc_resp *resp)
{
    return resp->le_mode;
}
