/* SPDX-License-Identifier: LGPL-2.1-or-later */
/**
 * @file scio_itest_request.c
 * @brief libscio integration-test driver: card requests (timeouts,
 *        new-card-only, remove-and-reinsert, cancel, events), monitors and
 *        recovery after a pcscd restart.
 *
 * Cards are removed and inserted through the softcard control socket
 * (--control). Timing checks are functional bounds (a timeout of T ms
 * must end within [T, T + 100)), not benchmarks.
 */
#include "scio_itest.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>

static const uint8_t no_such_atr[] = {0x3B, 0x00};

/* How late a plain sleep of `ms` wakes up now: the machine's own delay. */
static uint64_t machine_lateness(unsigned ms)
{
    uint64_t start = it_now_ms();
    it_sleep_ms(ms);
    uint64_t took = it_now_ms() - start;
    return took > ms ? took - ms : 0;
}

/*
 * A timeout of `want` ms must end within [want, want + 100). On a loaded
 * machine (sanitizers, parallel tests) a wait can end late for reasons
 * that are not the library's: a late end passes only if a plain sleep of
 * the same length, measured right after, is at least as late beyond the
 * 100 ms.
 */
static void check_elapsed(uint64_t start, unsigned want, const char *what)
{
    uint64_t took = it_now_ms() - start;
    if (took < want)
        it_fail("%s: took %llu ms, less than %u", what,
                (unsigned long long)took, want);
    if (took >= want + 100) {
        uint64_t late = machine_lateness(want ? want : 1);
        if (took >= want + 100 + late)
            it_fail("%s: took %llu ms, expected %u..%u (a plain sleep is "
                    "%llu ms late)", what, (unsigned long long)took, want,
                    want + 99, (unsigned long long)late);
        it_ok("%s: %llu ms for %u, the machine is %llu ms late", what,
              (unsigned long long)took, want, (unsigned long long)late);
        return;
    }
    it_ok("%s: %llu ms for %u", what, (unsigned long long)took, want);
}

static scio_card_request *request(itest *t, const char *reader, bool new_only,
                                  const scio_card_type *type)
{
    const char *readers[] = {reader};
    scio_card_request_opts o = {.readers = reader ? readers : NULL,
                                .n_readers = reader ? 1 : 0,
                                .new_card_only = new_only, .type = type};
    scio_card_request *req = NULL;
    if (scio_card_request_new(t->ctx, &o, &req) != SCIO_OK)
        it_fail("card request");
    return req;
}

/* ---- timeouts ----------------------------------------------------------- */

typedef struct churn {
    itest *t;
    _Atomic bool stop;
    _Atomic unsigned rounds;
} churn;

static void *churn_thread(void *arg)
{
    churn *c = arg;
    while (!c->stop) {
        it_control(c->t, "remove 0");
        it_sleep_ms(150);
        it_control(c->t, "insert 0");
        it_sleep_ms(150);
        c->rounds++;
    }
    return NULL;
}

static double cpu_ms(void)
{
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    return (double)(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) * 1000.0 +
           (double)(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1000.0;
}

static void timeout_with_churn(itest *t, scio_card_type *none)
{
    scio_card_request *req = request(t, NULL, false, none);
    churn c = {t, false, 0};
    pthread_t th;
    scio_card card;
    pthread_create(&th, NULL, churn_thread, &c);
    uint64_t start = it_now_ms();
    it_status(scio_card_request_wait_card(req, 1500, &card), SCIO_E_TIMEOUT,
              "no matching card");
    check_elapsed(start, 1500, "timeout while another reader changes");
    c.stop = true;
    pthread_join(th, NULL);
    if (c.rounds < 3)
        it_fail("only %u remove/insert rounds happened", c.rounds);
    scio_card_request_free(req);
    it_wait_presence(t, R0, true, 5000);
}

int it_timeouts(itest *t)
{
    scio_card_type *none = NULL;
    scio_card card;
    IT_OK(scio_card_type_atr(no_such_atr, 2, NULL, 0, &none), "type");
    scio_card_request *req = request(t, NULL, false, none);
    uint64_t start = it_now_ms();
    it_status(scio_card_request_wait_card(req, 800, &card), SCIO_E_TIMEOUT,
              "no matching card");
    check_elapsed(start, 800, "timeout");
    start = it_now_ms();
    it_status(scio_card_request_wait_card(req, 0, &card), SCIO_E_TIMEOUT,
              "timeout 0 looks once");
    check_elapsed(start, 0, "timeout 0");
    scio_card_request_free(req);
    timeout_with_churn(t, none);
    req = request(t, "No Such Reader 00 00", false, NULL);
    double cpu = cpu_ms();
    start = it_now_ms();
    it_status(scio_card_request_wait_card(req, 500, &card), SCIO_E_TIMEOUT,
              "absent reader");
    check_elapsed(start, 500, "absent reader timeout");
    if (cpu_ms() - cpu > 100)
        it_fail("absent reader: %.0f ms of CPU in 500 ms (busy loop)",
                cpu_ms() - cpu);
    it_ok("absent reader: no busy loop (%.1f ms CPU)", cpu_ms() - cpu);
    scio_card_request_free(req);
    scio_card_type_free(none);
    return 0;
}

/* ---- new card only ------------------------------------------------------ */

typedef struct swap {
    itest *t;
    unsigned delay_ms;
} swap;

static void remove_insert(itest *t, const char *n, const char *reader)
{
    char line[32];
    snprintf(line, sizeof(line), "remove %s", n);
    it_control(t, line);
    it_wait_presence(t, reader, false, 5000);
    snprintf(line, sizeof(line), "insert %s", n);
    it_control(t, line);
    it_wait_presence(t, reader, true, 5000);
}

static void *swap_thread(void *arg)
{
    swap *s = arg;
    it_sleep_ms(s->delay_ms);
    remove_insert(s->t, "1", R1);
    return NULL;
}

int it_new_card(itest *t)
{
    scio_card card;
    scio_card_request *req = request(t, R1, true, NULL);
    it_status(scio_card_request_wait_card(req, 600, &card), SCIO_E_TIMEOUT,
              "new card only: the card already present does not count");
    remove_insert(t, "1", R1); /* nobody waits meanwhile */
    uint64_t start = it_now_ms();
    IT_OK(scio_card_request_wait_card(req, 3000, &card),
          "remove + reinsert between two waits detected");
    if (strcmp(card.reader, R1) || it_now_ms() - start > 100)
        it_fail("got %s after %llu ms", card.reader,
                (unsigned long long)(it_now_ms() - start));
    it_status(scio_card_request_wait_card(req, 300, &card), SCIO_E_TIMEOUT,
              "each insertion reported once");
    swap s = {t, 200};
    pthread_t th;
    pthread_create(&th, NULL, swap_thread, &s);
    IT_OK(scio_card_request_wait_card(req, 10000, &card),
          "insertion during the wait");
    pthread_join(th, NULL);
    scio_card_request_free(req);
    return 0;
}

/* ---- cancel ------------------------------------------------------------- */

typedef struct waiter {
    scio_card_request *req;
    scio_status st;
    _Atomic bool done;
} waiter;

static void *wait_thread(void *arg)
{
    waiter *w = arg;
    scio_card card;
    w->st = scio_card_request_wait_card(w->req, SCIO_TIMEOUT_INFINITE, &card);
    w->done = true;
    return NULL;
}

static void cancel_race(itest *t, scio_card_type *none, unsigned rounds)
{
    for (unsigned i = 0; i < rounds; i++) {
        waiter w = {request(t, NULL, false, none), SCIO_OK, false};
        pthread_t th;
        pthread_create(&th, NULL, wait_thread, &w);
        if (i % 3)
            it_sleep_ms(i % 5);
        scio_card_request_cancel(w.req);
        uint64_t end = it_now_ms() + 2000;
        while (!w.done && it_now_ms() < end)
            it_sleep_ms(1);
        if (!w.done)
            it_fail("round %u: cancel lost, the wait goes on", i);
        pthread_join(th, NULL);
        if (w.st != SCIO_E_CANCELLED)
            it_fail("round %u: %s", i, scio_strerror(w.st));
        scio_card_request_free(w.req);
    }
    it_ok("%u cancels racing the start of a wait: none lost", rounds);
}

int it_cancel(itest *t)
{
    scio_card_type *none = NULL;
    scio_card card;
    IT_OK(scio_card_type_atr(no_such_atr, 2, NULL, 0, &none), "type");
    waiter w = {request(t, NULL, false, none), SCIO_OK, false};
    pthread_t th;
    pthread_create(&th, NULL, wait_thread, &w);
    it_sleep_ms(200);
    uint64_t start = it_now_ms();
    scio_card_request_cancel(w.req);
    pthread_join(th, NULL);
    it_status(w.st, SCIO_E_CANCELLED, "cancel from another thread");
    if (it_now_ms() - start > 500)
        it_fail("cancel took %llu ms", (unsigned long long)(it_now_ms() - start));
    start = it_now_ms();
    it_status(scio_card_request_wait_card(w.req, SCIO_TIMEOUT_INFINITE, &card),
              SCIO_E_CANCELLED, "cancel is sticky");
    check_elapsed(start, 0, "sticky cancel returns at once");
    scio_card_request_reset_cancel(w.req);
    it_status(scio_card_request_wait_card(w.req, 100, &card), SCIO_E_TIMEOUT,
              "after reset_cancel the request waits again");
    scio_card_request_free(w.req);
    cancel_race(t, none, 30);
    scio_card_type_free(none);
    return 0;
}

/* ---- events ------------------------------------------------------------- */

static void expect_events(scio_card_request *req, const char *want)
{
    scio_card_event ev[8];
    size_t n = 0;
    char got[256] = "";
    IT_OK(scio_card_request_wait_event(req, 5000, ev, 8, &n), want);
    for (size_t i = 0; i < n; i++)
        snprintf(got + strlen(got), sizeof(got) - strlen(got), "%s%c%s",
                 i ? " " : "", ev[i].kind == SCIO_CARD_INSERTED ? '+' : '-',
                 ev[i].card.reader + strlen(ev[i].card.reader) - 1);
    if (strcmp(got, want))
        it_fail("events '%s', expected '%s'", got, want);
}

int it_events(itest *t)
{
    scio_card_event ev[2];
    size_t n = 0;
    scio_card_request *req = request(t, NULL, false, NULL);
    expect_events(req, "+0 +1");
    it_status(scio_card_request_wait_event(req, 300, ev, 2, &n),
              SCIO_E_TIMEOUT, "no change, no event");
    it_control(t, "remove 1");
    expect_events(req, "-1");
    it_control(t, "insert 1");
    expect_events(req, "+1");
    remove_insert(t, "1", R1);
    expect_events(req, "-1 +1");
    it_control(t, "remove all");
    it_wait_presence(t, R0, false, 5000);
    it_wait_presence(t, R1, false, 5000);
    IT_OK(scio_card_request_wait_event(req, 1000, ev, 1, &n), "capacity 1");
    IT_OK(scio_card_request_wait_event(req, 0, ev + 1, 1, &n),
          "the rest comes with the next call, at once");
    if (ev[0].kind != SCIO_CARD_REMOVED || ev[1].kind != SCIO_CARD_REMOVED ||
        !strcmp(ev[0].card.reader, ev[1].card.reader))
        it_fail("two removals expected");
    it_control(t, "insert all");
    it_wait_presence(t, R0, true, 5000);
    it_wait_presence(t, R1, true, 5000);
    expect_events(req, "+0 +1");
    scio_card_request_free(req);
    return 0;
}

/* ---- monitors ----------------------------------------------------------- */

typedef struct evlog {
    pthread_mutex_t lock;
    char text[1024];
    unsigned calls, events, errors, recoveries;
} evlog;

static void log_cards(const scio_card_event *ev, size_t n, void *user)
{
    evlog *l = user;
    pthread_mutex_lock(&l->lock);
    l->calls++;
    for (size_t i = 0; i < n; i++, l->events++)
        snprintf(l->text + strlen(l->text), sizeof(l->text) - strlen(l->text),
                 "%s%c%s", l->text[0] ? " " : "",
                 ev[i].kind == SCIO_CARD_INSERTED ? '+' : '-',
                 ev[i].card.reader + strlen(ev[i].card.reader) - 1);
    pthread_mutex_unlock(&l->lock);
}

static void log_readers(const char *const *added, size_t na,
                        const char *const *removed, size_t nr, void *user)
{
    evlog *l = user;
    pthread_mutex_lock(&l->lock);
    l->calls++;
    l->events += (unsigned)(na + nr);
    (void)added;
    (void)removed;
    pthread_mutex_unlock(&l->lock);
}

static void log_error(scio_status st, uint32_t code, void *user)
{
    evlog *l = user;
    (void)code;
    pthread_mutex_lock(&l->lock);
    if (st == SCIO_OK)
        l->recoveries++;
    else
        l->errors++;
    pthread_mutex_unlock(&l->lock);
}

static void wait_text(evlog *l, const char *want, unsigned ms)
{
    uint64_t end = it_now_ms() + ms;
    for (;;) {
        pthread_mutex_lock(&l->lock);
        bool ok = strcmp(l->text, want) == 0;
        bool over = strlen(l->text) > strlen(want);
        char copy[1024];
        snprintf(copy, sizeof(copy), "%s", l->text);
        pthread_mutex_unlock(&l->lock);
        if (ok)
            return;
        if (over || it_now_ms() > end)
            it_fail("monitor reported '%s', expected '%s'", copy, want);
        it_sleep_ms(20);
    }
}

static void snapshot_monitor(itest *t)
{
    evlog cards = {PTHREAD_MUTEX_INITIALIZER, "", 0, 0, 0, 0};
    evlog readers = {PTHREAD_MUTEX_INITIALIZER, "", 0, 0, 0, 0};
    scio_card_monitor_opts co = {.initial_snapshot = true,
                                 .on_events = log_cards, .user = &cards};
    scio_reader_monitor_opts ro = {.initial_snapshot = true,
                                   .on_change = log_readers, .user = &readers};
    scio_card_monitor *cm = NULL;
    scio_reader_monitor *rm = NULL;
    IT_OK(scio_card_monitor_new(t->ctx, &co, &cm), "card monitor");
    IT_OK(scio_reader_monitor_new(t->ctx, &ro, &rm), "reader monitor");
    IT_OK(scio_card_monitor_start(cm), "start");
    IT_OK(scio_reader_monitor_start(rm), "start");
    wait_text(&cards, "+0 +1", 3000);
    remove_insert(t, "0", R0);
    remove_insert(t, "1", R1);
    wait_text(&cards, "+0 +1 -0 +0 -1 +1", 5000);
    it_sleep_ms(500);
    wait_text(&cards, "+0 +1 -0 +0 -1 +1", 0);
    it_ok("card monitor: snapshot, then every change exactly once");
    scio_card_monitor_free(cm);
    scio_reader_monitor_free(rm);
    if (readers.calls != 1 || readers.events != 2)
        it_fail("reader monitor: %u calls, %u readers", readers.calls,
                readers.events);
    it_ok("reader monitor: one snapshot with both readers, nothing else");
}

static void quiet_monitor(itest *t)
{
    evlog cards = {PTHREAD_MUTEX_INITIALIZER, "", 0, 0, 0, 0};
    scio_card_monitor_opts co = {.on_events = log_cards, .user = &cards};
    scio_card_monitor *cm = NULL;
    IT_OK(scio_card_monitor_new(t->ctx, &co, &cm), "card monitor");
    for (int i = 0; i < 10; i++) {
        IT_OK(scio_card_monitor_start(cm), "start (no snapshot)");
        it_status(scio_card_monitor_start(cm), SCIO_E_STATE, "started twice");
        scio_card_monitor_stop(cm);
    }
    IT_OK(scio_card_monitor_start(cm), "start");
    it_sleep_ms(300);
    wait_text(&cards, "", 0);
    it_ok("no snapshot: present cards are not reported");
    remove_insert(t, "1", R1);
    wait_text(&cards, "-1 +1", 5000);
    scio_card_monitor_stop(cm);
    scio_card_monitor_free(cm);
}

int it_monitors(itest *t)
{
    snapshot_monitor(t);
    quiet_monitor(t);
    return 0;
}

/* ---- pcscd restart ------------------------------------------------------ */

static void flag(const itest *t, const char *name)
{
    char path[512];
    snprintf(path, sizeof(path), "%s/%s", t->flag_dir, name);
    FILE *f = fopen(path, "w");
    if (!f)
        it_fail("flag %s", path);
    fclose(f);
}

static void wait_recovery(evlog *l, unsigned ms)
{
    uint64_t end = it_now_ms() + ms;
    for (;;) {
        pthread_mutex_lock(&l->lock);
        bool ok = l->errors >= 1 && l->recoveries >= 1;
        pthread_mutex_unlock(&l->lock);
        if (ok)
            break;
        if (it_now_ms() > end)
            it_fail("monitor: %u errors, %u recoveries", l->errors,
                    l->recoveries);
        it_sleep_ms(50);
    }
    it_ok("monitor reported the service loss and its recovery");
}

int it_restart(itest *t)
{
    evlog cards = {PTHREAD_MUTEX_INITIALIZER, "", 0, 0, 0, 0};
    scio_card_monitor_opts co = {.on_events = log_cards, .on_error = log_error,
                                 .user = &cards};
    scio_card_monitor *cm = NULL;
    scio_reader_list *l = NULL;
    IT_OK(scio_card_monitor_new(t->ctx, &co, &cm), "card monitor");
    IT_OK(scio_card_monitor_start(cm), "start");
    flag(t, "ready");
    wait_recovery(&cards, 30000);
    it_wait_presence(t, R0, true, 15000);
    it_wait_presence(t, R1, true, 15000);
    IT_OK(scio_list_readers(t->ctx, &l), "the old context lists readers");
    scio_reader_list_free(l);
    it_sleep_ms(500);
    pthread_mutex_lock(&cards.lock);
    cards.text[0] = '\0';
    pthread_mutex_unlock(&cards.lock);
    it_control(t, "remove 1");
    wait_text(&cards, "-1", 5000);
    it_control(t, "insert 1");
    wait_text(&cards, "-1 +1", 5000);
    it_ok("the monitor works after the restart");
    scio_card_monitor_free(cm);
    return 0;
}
