/* SPDX-License-Identifier: LGPL-2.1-or-later */
/**
 * @file scio_cmds.c
 * @brief The scio commands list, wait, atr and send, and what they share:
 *        finding the card, connecting, printing APDUs, signals.
 *
 * A command that needs a card waits for one (-t, default 10 s) in the
 * chosen reader or in any reader, connects with the options' protocol,
 * share mode and disposition, and leaves it with that disposition (LEAVE
 * unless -d says otherwise). SIGINT/SIGTERM cancel a wait from a signal
 * thread (scio_card_request_cancel), so an interrupted wait ends with
 * exit status 8 instead of a killed process.
 */
#include "scio_cli.h"

#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>

#define HEX_LINE_MAX (3 * SCIO_RESPONSE_MAX + 1)

/* ---- signals ------------------------------------------------------------ */

static struct {
    pthread_mutex_t lock;
    bool started;
    void (*fn)(void *user);
    void *user;
} sig = {PTHREAD_MUTEX_INITIALIZER, false, NULL, NULL};

static void *signal_thread(void *arg)
{
    sigset_t *set = arg;
    for (;;) {
        int s = 0;
        if (sigwait(set, &s) != 0)
            continue;
        pthread_mutex_lock(&sig.lock); /* the target stays alive meanwhile */
        if (sig.fn)
            sig.fn(sig.user);
        pthread_mutex_unlock(&sig.lock);
    }
    return NULL;
}

bool scio_catch_signals(void (*on_signal)(void *user), void *user)
{
    static sigset_t set;
    pthread_t t;
    pthread_mutex_lock(&sig.lock);
    sig.fn = on_signal;
    sig.user = user;
    bool ok = sig.started;
    if (!ok) {
        sigemptyset(&set);
        sigaddset(&set, SIGINT);
        sigaddset(&set, SIGTERM);
        ok = pthread_sigmask(SIG_BLOCK, &set, NULL) == 0 &&
             pthread_create(&t, NULL, signal_thread, &set) == 0;
        if (ok)
            pthread_detach(t);
        sig.started = ok;
    }
    pthread_mutex_unlock(&sig.lock);
    return ok;
}

static void cancel_request(void *user)
{
    scio_card_request_cancel(user);
}

/* ---- printing ----------------------------------------------------------- */

static void print_hex(const char *prefix, const uint8_t *p, size_t n,
                      const char *suffix)
{
    char *hex = malloc(HEX_LINE_MAX);
    if (!hex)
        return;
    scio_hex_encode(p, n, SCIO_HEX_UPPER | SCIO_HEX_SPACED, hex, HEX_LINE_MAX);
    printf("%s%s%s", prefix, hex, suffix);
    free(hex);
}

void scio_print_command(const uint8_t *apdu, size_t len)
{
    print_hex("> ", apdu, len, "\n");
}

void scio_print_response(const uint8_t *data, size_t len, uint16_t sw)
{
    print_hex("< ", data, len, len ? " " : "");
    printf("%02X %02X : %s\n", sw >> 8, sw & 0xFF, scio_sw_text(sw));
}

static void print_card(const scio_card *card)
{
    printf("%s: ", card->reader);
    print_hex("", card->atr, card->atr_len, "\n");
}

static void verbose_observer(scio_connection *conn, const scio_event *ev,
                             void *user)
{
    char line[512];
    (void)conn;
    (void)user;
    scio_event_format(ev, line, sizeof(line));
    fprintf(stderr, "scio: %s\n", line);
}

/* ---- finding and opening the card --------------------------------------- */

static int wait_for_card(scio_context *ctx, const scio_opts *o,
                         scio_card *card)
{
    char name[SCIO_READER_NAME_MAX + 1];
    const char *readers[1] = {name};
    scio_card_request_opts ro = {.new_card_only = o->new_card};
    scio_card_request *req = NULL;
    scio_status st = SCIO_OK;
    if (o->reader) {
        st = scio_find_reader(ctx, o->reader, name);
        if (st != SCIO_OK)
            return scio_fail(st, o->reader);
        ro.readers = readers;
        ro.n_readers = 1;
    }
    st = scio_card_request_new(ctx, &ro, &req);
    if (st != SCIO_OK)
        return scio_fail(st, "card request");
    scio_catch_signals(cancel_request, req);
    st = scio_card_request_wait_card(req, o->timeout_ms, card);
    scio_catch_signals(NULL, NULL);
    scio_card_request_free(req);
    if (st == SCIO_E_TIMEOUT)
        return scio_fail(SCIO_E_NO_CARD, o->reader ? o->reader : "any reader");
    return st == SCIO_OK ? SCIO_EXIT_OK : scio_fail(st, "waiting for a card");
}

int scio_open_card(scio_context *ctx, const scio_opts *o,
                   scio_connection **conn, scio_card *card)
{
    int rc = wait_for_card(ctx, o, card);
    if (rc != SCIO_EXIT_OK)
        return rc;
    scio_status st = scio_connection_new(ctx, card->reader, conn);
    if (st != SCIO_OK)
        return scio_fail(st, card->reader);
    if (o->verbose)
        scio_add_observer(*conn, verbose_observer, NULL, NULL);
    scio_set_t0_handling(*conn, o->t0 ? SCIO_T0_ALL : 0);
    st = scio_connect(*conn, o->protocols, o->share, o->disposition);
    if (st != SCIO_OK) {
        scio_connection_free(*conn);
        *conn = NULL;
        return scio_fail(st, card->reader);
    }
    return SCIO_EXIT_OK;
}

/* ---- list --------------------------------------------------------------- */

/* The card in `reader`, from a snapshot of events (first call = present). */
static const scio_card *card_in(const scio_card_event *ev, size_t n,
                                const char *reader)
{
    for (size_t i = 0; i < n; i++)
        if (ev[i].kind == SCIO_CARD_INSERTED &&
            !strcmp(ev[i].card.reader, reader))
            return &ev[i].card;
    return NULL;
}

int scio_cmd_list(scio_context *ctx, const scio_opts *o)
{
    scio_reader_list *l = NULL;
    scio_card_request *req = NULL;
    scio_card_event ev[32];
    size_t n = 0;
    (void)o;
    scio_status st = scio_list_readers(ctx, &l);
    if (st != SCIO_OK)
        return scio_fail(st, "listing readers");
    if (scio_card_request_new(ctx, NULL, &req) != SCIO_OK ||
        scio_card_request_wait_event(req, 0, ev, 32, &n) != SCIO_OK)
        n = 0;
    for (size_t i = 0; i < scio_reader_list_count(l); i++) {
        const char *name = scio_reader_list_at(l, i);
        const scio_card *c = card_in(ev, n, name);
        printf("%zu: %s: ", i, name);
        if (c)
            print_hex("", c->atr, c->atr_len, "\n");
        else
            printf("no card\n");
    }
    if (scio_reader_list_count(l) == 0)
        printf("no readers\n");
    scio_card_request_free(req);
    scio_reader_list_free(l);
    return SCIO_EXIT_OK;
}

/* ---- wait, atr ---------------------------------------------------------- */

int scio_cmd_wait(scio_context *ctx, const scio_opts *o)
{
    scio_card card;
    int rc = wait_for_card(ctx, o, &card);
    if (rc == SCIO_EXIT_OK)
        print_card(&card);
    return rc;
}

int scio_cmd_atr(scio_context *ctx, const scio_opts *o)
{
    scio_card card;
    scio_atr atr;
    char text[2048];
    int rc = wait_for_card(ctx, o, &card);
    if (rc != SCIO_EXIT_OK)
        return rc;
    print_card(&card);
    scio_status st = scio_atr_parse(card.atr, card.atr_len, &atr);
    if (st != SCIO_OK)
        return scio_fail(st, "parsing the ATR");
    scio_atr_describe(&atr, text, sizeof(text));
    fputs(text, stdout);
    return SCIO_EXIT_OK;
}

/* ---- send --------------------------------------------------------------- */

static int send_one(scio_connection *conn, const char *hex, uint8_t *buf)
{
    uint8_t cmd[SCIO_COMMAND_MAX];
    size_t len = 0, rlen = SCIO_RESPONSE_MAX;
    uint16_t sw = 0;
    scio_status st = scio_hex_decode(hex, cmd, sizeof(cmd), &len);
    if (st != SCIO_OK || len < 4) {
        fprintf(stderr, "scio: APDU '%s': not an APDU in hex (e.g. "
                "00A4000C023F00)\n", hex);
        return SCIO_EXIT_USAGE;
    }
    scio_print_command(cmd, len);
    st = scio_transmit(conn, cmd, len, buf, &rlen, &sw);
    if (st != SCIO_OK)
        return scio_fail(st, "transmit");
    scio_print_response(buf, rlen, sw);
    return SCIO_EXIT_OK;
}

int scio_cmd_send(scio_context *ctx, const scio_opts *o)
{
    scio_connection *conn = NULL;
    scio_card card;
    int rc = scio_open_card(ctx, o, &conn, &card);
    uint8_t *buf = malloc(SCIO_RESPONSE_MAX);
    if (rc == SCIO_EXIT_OK && !buf)
        rc = SCIO_EXIT_FAILURE;
    for (size_t i = 0; rc == SCIO_EXIT_OK && i < o->n_args; i++)
        rc = send_one(conn, o->args[i], buf);
    free(buf);
    scio_connection_free(conn);
    return rc;
}
