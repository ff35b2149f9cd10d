/* SPDX-License-Identifier: LGPL-2.1-or-later */
/**
 * @file test_scio_request.c
 * @brief Card-request logic against a fake backend that keeps reader
 *        states the way pcsc-lite reports them (presence, ATR, event
 *        counter, CHANGED rules): the event stream (initial snapshot,
 *        remove + reinsert seen only through the counter, ATR swap,
 *        readers appearing and vanishing), new-card-only, card types,
 *        and recovery when the service goes away (counters of the new
 *        daemon are not compared with the old ones).
 */
#include "testutil.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "scio/request.h"

typedef struct fake_reader {
    char name[32];
    bool present;
    uint8_t atr;       /* one-byte stand-in, sent as 3B xx */
    uint16_t counter;
} fake_reader;

typedef struct fake {
    fake_reader r[4];
    size_t n;
    unsigned lose_service; /* next get_status_change calls fail */
    unsigned contexts;
} fake;

static uint32_t f_ctx_new(void *backend, be_ctx **out)
{
    fake *f = backend;
    f->contexts++;
    *out = backend;
    return RV_SUCCESS;
}

static void f_ctx_free(be_ctx *c)
{
    (void)c;
}

static uint32_t f_list(be_ctx *c, char **multi, size_t *len)
{
    fake *f = (fake *)c;
    size_t at = 0;
    if (!f->n)
        return RV_E_NO_READERS_AVAILABLE;
    char *m = calloc(1, 256); /* freed by the library with free() */
    assert_non_null(m);
    for (size_t i = 0; i < f->n; i++) {
        strcpy(m + at, f->r[i].name);
        at += strlen(f->r[i].name) + 1;
    }
    *multi = m;
    *len = at + 1;
    return RV_SUCCESS;
}

static const fake_reader *find(const fake *f, const char *name)
{
    for (size_t i = 0; i < f->n; i++)
        if (!strcmp(f->r[i].name, name))
            return &f->r[i];
    return NULL;
}

/* pcsc-lite's rules, as the direct backend implements them. */
static bool scan(const fake *f, be_reader_state *e)
{
    const fake_reader *r = find(f, e->reader);
    if (!r) {
        e->event = 0; /* the PnP entry: the tests change readers by hand */
        return false;
    }
    uint32_t now = (r->present ? ST_PRESENT : ST_EMPTY) |
                   (uint32_t)r->counter << 16;
    uint16_t cc = ST_COUNTER(e->current);
    bool changed = (e->current & 0xFFFF) == 0 ||
                   ((e->current ^ now) & (ST_PRESENT | ST_EMPTY)) ||
                   (cc && cc != r->counter);
    e->event = now | (changed ? ST_CHANGED : 0);
    e->atr_len = r->present ? 2 : 0;
    e->atr[0] = 0x3B;
    e->atr[1] = r->atr;
    return changed;
}

static uint32_t f_gsc(be_ctx *c, uint32_t timeout, be_reader_state *st,
                      size_t n)
{
    fake *f = (fake *)c;
    bool any = false;
    (void)timeout;
    if (f->lose_service) {
        f->lose_service--;
        return RV_E_NO_SERVICE;
    }
    for (size_t i = 0; i < n; i++)
        any = scan(f, &st[i]) || any;
    return any ? RV_SUCCESS : RV_E_TIMEOUT; /* never blocks */
}

static uint32_t f_cancel(be_ctx *c)
{
    (void)c;
    return RV_SUCCESS;
}

static const be_ops fake_ops = {
    .name = "fake", .ctx_new = f_ctx_new, .ctx_free = f_ctx_free,
    .list_readers = f_list, .get_status_change = f_gsc, .cancel = f_cancel,
};

typedef struct rig {
    scio_context ctx;
    fake f;
    scio_card_request *req;
} rig;

static rig *rig_new(bool new_only, const scio_card_type *type)
{
    rig *r = test_calloc(1, sizeof(*r));
    scio_card_request_opts o = {.new_card_only = new_only, .type = type};
    r->ctx.ops = &fake_ops;
    r->ctx.backend = &r->f;
    r->f.n = 2;
    r->f.r[0] = (fake_reader){"R 00 00", true, 0x01, 1};
    r->f.r[1] = (fake_reader){"R 00 01", true, 0x02, 1};
    assert_int_equal(scio_card_request_new(&r->ctx, &o, &r->req), SCIO_OK);
    return r;
}

static void rig_free(rig *r)
{
    scio_card_request_free(r->req);
    test_free(r);
}

/* The events of one wait_event call (timeout `ms`) as "+0 -1 ...". */
static const char *events(rig *r, int ms)
{
    static char text[128];
    scio_card_event ev[8];
    size_t n = 0;
    text[0] = '\0';
    scio_status st = scio_card_request_wait_event(r->req, ms, ev, 8, &n);
    if (st == SCIO_E_TIMEOUT)
        return "timeout";
    assert_int_equal(st, SCIO_OK);
    for (size_t i = 0; i < n; i++)
        snprintf(text + strlen(text), sizeof(text) - strlen(text), "%s%c%s",
                 i ? " " : "", ev[i].kind == SCIO_CARD_INSERTED ? '+' : '-',
                 ev[i].card.reader + strlen(ev[i].card.reader) - 1);
    return text;
}

static void test_event_stream(void **state)
{
    rig *r = rig_new(false, NULL);
    (void)state;
    assert_string_equal(events(r, 0), "+0 +1");
    assert_string_equal(events(r, 0), "timeout");
    r->f.r[1].counter += 2; /* removed and reinserted between two looks */
    assert_string_equal(events(r, 0), "-1 +1");
    r->f.r[0].present = false;
    r->f.r[0].counter++;
    assert_string_equal(events(r, 0), "-0");
    r->f.r[0].present = true;
    r->f.r[0].atr = 0x07;
    r->f.r[0].counter++;
    assert_string_equal(events(r, 0), "+0");
    r->f.r[2] = (fake_reader){"R 00 02", true, 0x03, 1};
    r->f.n = 3;
    r->req->w.relist = true; /* what a PnP notification does */
    assert_string_equal(events(r, 0), "+2");
    r->f.n = 2; /* reader 2 unplugged with its card */
    r->req->w.relist = true;
    assert_string_equal(events(r, 0), "-2");
    rig_free(r);
}

static void test_capacity(void **state)
{
    rig *r = rig_new(false, NULL);
    scio_card_event ev[1];
    size_t n = 0;
    (void)state;
    assert_int_equal(scio_card_request_wait_event(r->req, 0, ev, 1, &n), SCIO_OK);
    assert_int_equal(n, 1);
    assert_string_equal(ev[0].card.reader, "R 00 00");
    assert_int_equal(scio_card_request_wait_event(r->req, 0, ev, 1, &n), SCIO_OK);
    assert_string_equal(ev[0].card.reader, "R 00 01");
    assert_string_equal(events(r, 0), "timeout");
    assert_int_equal(scio_card_request_wait_event(r->req, 0, ev, 0, &n),
                     SCIO_E_INVALID_ARG);
    rig_free(r);
}

static void test_type_filter(void **state)
{
    const uint8_t two[] = {0x3B, 0x02};
    scio_card_type *t = NULL;
    scio_card card;
    assert_int_equal(scio_card_type_atr(two, 2, NULL, 0, &t), SCIO_OK);
    rig *r = rig_new(false, t);
    (void)state;
    assert_string_equal(events(r, 0), "+1");
    r->f.r[1].atr = 0x05; /* swapped for an unwanted card */
    r->f.r[1].counter += 2;
    assert_string_equal(events(r, 0), "-1");
    r->f.r[0].atr = 0x02; /* reader 0 now holds a wanted card */
    r->f.r[0].counter += 2;
    assert_string_equal(events(r, 0), "+0");
    assert_int_equal(scio_card_request_wait_card(r->req, 0, &card), SCIO_OK);
    assert_string_equal(card.reader, "R 00 00");
    rig_free(r);
    scio_card_type_free(t);
}

static void test_new_card_only(void **state)
{
    rig *r = rig_new(true, NULL);
    scio_card card;
    (void)state;
    assert_int_equal(scio_card_request_wait_card(r->req, 0, &card),
                     SCIO_E_TIMEOUT);
    r->f.r[1].counter += 2;
    assert_int_equal(scio_card_request_wait_card(r->req, 0, &card), SCIO_OK);
    assert_string_equal(card.reader, "R 00 01");
    assert_int_equal(scio_card_request_wait_card(r->req, 0, &card),
                     SCIO_E_TIMEOUT);
    r->f.r[0].counter += 2; /* two new cards at once: both come out */
    r->f.r[1].counter += 2;
    assert_int_equal(scio_card_request_wait_card(r->req, 0, &card), SCIO_OK);
    assert_string_equal(card.reader, "R 00 00");
    assert_int_equal(scio_card_request_wait_card(r->req, 0, &card), SCIO_OK);
    assert_string_equal(card.reader, "R 00 01");
    assert_int_equal(scio_card_request_wait_card(r->req, 0, &card),
                     SCIO_E_TIMEOUT);
    rig_free(r);
}

static unsigned losses, recoveries;

static void on_service(scio_status st, uint32_t code, void *user)
{
    (void)code;
    (void)user;
    if (st == SCIO_OK)
        recoveries++;
    else
        losses++;
}

static void test_service_loss(void **state)
{
    rig *r = rig_new(false, NULL);
    (void)state;
    losses = recoveries = 0;
    r->req->w.on_service = on_service;
    assert_string_equal(events(r, 0), "+0 +1");
    r->f.lose_service = 1;
    r->f.r[0].counter = 7; /* a new daemon counts differently */
    r->f.r[1].counter = 9;
    assert_string_equal(events(r, 300), "timeout"); /* same cards: no news */
    assert_int_equal(losses, 1);
    assert_int_equal(recoveries, 1);
    assert_int_equal(r->f.contexts, 2);
    r->f.r[1].counter += 2; /* counters compare again within the new one */
    assert_string_equal(events(r, 0), "-1 +1");
    r->f.lose_service = 1;
    r->f.r[0].present = false; /* gone while the service was down */
    assert_string_equal(events(r, 300), "-0");
    rig_free(r);
}

static void test_cancel_sticky(void **state)
{
    rig *r = rig_new(false, NULL);
    scio_card card;
    (void)state;
    scio_card_request_cancel(r->req);
    assert_int_equal(scio_card_request_wait_card(r->req, SCIO_TIMEOUT_INFINITE,
                                                 &card), SCIO_E_CANCELLED);
    scio_card_event ev[2];
    size_t n = 0;
    assert_int_equal(scio_card_request_wait_event(r->req, 0, ev, 2, &n),
                     SCIO_E_CANCELLED);
    scio_card_request_reset_cancel(r->req);
    assert_int_equal(scio_card_request_wait_card(r->req, 0, &card), SCIO_OK);
    rig_free(r);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_event_stream),
        cmocka_unit_test(test_capacity),
        cmocka_unit_test(test_type_filter),
        cmocka_unit_test(test_new_card_only),
        cmocka_unit_test(test_service_loss),
        cmocka_unit_test(test_cancel_sticky),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
