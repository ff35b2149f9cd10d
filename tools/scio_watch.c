/* SPDX-License-Identifier: LGPL-2.1-or-later */
/**
 * @file scio_watch.c
 * @brief `scio watch`: print reader and card events as they happen.
 *
 * Two monitors (readers, cards), both with an initial snapshot, print one
 * line per event from their threads, serialised and flushed line by line:
 *   reader + NAME / reader - NAME
 *   card + READER: ATR / card - READER: ATR
 *   error: TEXT (CODE) / service back
 * The command ends on SIGINT/SIGTERM (exit 0) or after -c N event lines.
 */
#include "scio_cli.h"

#include <pthread.h>
#include <stdlib.h>

typedef struct watch_state {
    pthread_mutex_t lock;
    pthread_cond_t cond;
    long events;
    long limit;     /**< 0 = no limit */
    bool done;
} watch_state;

static void finish(watch_state *w)
{
    w->done = true;
    pthread_cond_broadcast(&w->cond);
}

/* Count one printed event; lock held. */
static void counted(watch_state *w)
{
    w->events++;
    if (w->limit && w->events >= w->limit)
        finish(w);
}

static void print_atr_line(const char *sign, const scio_card *c)
{
    char hex[3 * SCIO_ATR_MAX + 1];
    scio_hex_encode(c->atr, c->atr_len, SCIO_HEX_UPPER | SCIO_HEX_SPACED, hex,
                    sizeof(hex));
    printf("card %s %s: %s\n", sign, c->reader, hex);
}

static void on_cards(const scio_card_event *ev, size_t n, void *user)
{
    watch_state *w = user;
    pthread_mutex_lock(&w->lock);
    for (size_t i = 0; i < n && !w->done; i++) {
        print_atr_line(ev[i].kind == SCIO_CARD_INSERTED ? "+" : "-",
                       &ev[i].card);
        counted(w);
    }
    fflush(stdout);
    pthread_mutex_unlock(&w->lock);
}

static void on_readers(const char *const *added, size_t n_added,
                       const char *const *removed, size_t n_removed,
                       void *user)
{
    watch_state *w = user;
    pthread_mutex_lock(&w->lock);
    for (size_t i = 0; i < n_removed && !w->done; i++, counted(w))
        printf("reader - %s\n", removed[i]);
    for (size_t i = 0; i < n_added && !w->done; i++, counted(w))
        printf("reader + %s\n", added[i]);
    fflush(stdout);
    pthread_mutex_unlock(&w->lock);
}

static void on_error(scio_status st, uint32_t code, void *user)
{
    watch_state *w = user;
    const char *name = scio_pcsc_code_name(code);
    pthread_mutex_lock(&w->lock);
    if (st == SCIO_OK)
        printf("service back\n");
    else
        printf("error: %s (%s)\n", scio_strerror(st), name ? name : "?");
    fflush(stdout);
    pthread_mutex_unlock(&w->lock);
}

static void on_signal(void *user)
{
    watch_state *w = user;
    pthread_mutex_lock(&w->lock);
    finish(w);
    pthread_mutex_unlock(&w->lock);
}

static int start_monitors(scio_context *ctx, watch_state *w,
                          scio_reader_monitor **rm, scio_card_monitor **cm)
{
    scio_reader_monitor_opts ro = {.initial_snapshot = true,
                                   .on_change = on_readers,
                                   .on_error = on_error, .user = w};
    scio_card_monitor_opts co = {.initial_snapshot = true,
                                 .on_events = on_cards, .on_error = on_error,
                                 .user = w};
    scio_status st = scio_reader_monitor_new(ctx, &ro, rm);
    if (st == SCIO_OK)
        st = scio_reader_monitor_start(*rm);
    if (st == SCIO_OK)
        st = scio_card_monitor_new(ctx, &co, cm);
    if (st == SCIO_OK)
        st = scio_card_monitor_start(*cm);
    return st == SCIO_OK ? SCIO_EXIT_OK : scio_fail(st, "starting monitors");
}

int scio_cmd_watch(scio_context *ctx, const scio_opts *o)
{
    watch_state w = {PTHREAD_MUTEX_INITIALIZER, PTHREAD_COND_INITIALIZER, 0,
                     o->count, false};
    scio_reader_monitor *rm = NULL;
    scio_card_monitor *cm = NULL;
    if (!scio_catch_signals(on_signal, &w))
        return scio_fail(SCIO_E_NO_MEMORY, "signal handling");
    int rc = start_monitors(ctx, &w, &rm, &cm);
    pthread_mutex_lock(&w.lock);
    while (rc == SCIO_EXIT_OK && !w.done)
        pthread_cond_wait(&w.cond, &w.lock);
    pthread_mutex_unlock(&w.lock);
    scio_card_monitor_free(cm);
    scio_reader_monitor_free(rm);
    scio_catch_signals(NULL, NULL);
    return rc;
}
