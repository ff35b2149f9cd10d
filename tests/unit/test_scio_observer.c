/* SPDX-License-Identifier: LGPL-2.1-or-later */
/**
 * @file test_scio_observer.c
 * @brief The observer registry: ids, duplicates, unknown ids, observers
 *        that remove themselves or others (or add new ones) while a
 *        notification runs; and the one-line event formatter.
 */
#include "testutil.h"

#include <string.h>

#include "scio/observer.h"

typedef struct probe {
    obs_registry *reg;
    unsigned calls;
    unsigned remove_id;   /* id to remove when called (0: none) */
    bool add_other;       /* register `other` when called */
    struct probe *other;
} probe;

static void observe(scio_connection *conn, const scio_event *ev, void *user)
{
    probe *p = user;
    (void)conn;
    (void)ev;
    p->calls++;
    if (p->remove_id)
        obs_remove(p->reg, p->remove_id);
    if (p->add_other)
        obs_add(p->reg, observe, p->other, NULL);
}

static void other_fn(scio_connection *conn, const scio_event *ev, void *user)
{
    observe(conn, ev, user);
}

static void test_ids(void **state)
{
    obs_registry r = {0};
    probe a = {&r, 0, 0, false, NULL}, b = a;
    unsigned ia = 0, ib = 0, again = 0;
    (void)state;
    assert_int_equal(obs_add(&r, observe, &a, &ia), SCIO_OK);
    assert_int_equal(obs_add(&r, observe, &b, &ib), SCIO_OK);
    assert_int_not_equal(ia, ib);
    assert_int_equal(obs_add(&r, observe, &a, &again), SCIO_OK);
    assert_int_equal(again, ia); /* duplicate: same registration */
    assert_int_equal(obs_add(&r, other_fn, &a, NULL), SCIO_OK); /* other fn */
    assert_int_equal(r.n, 3);
    assert_int_equal(obs_add(&r, NULL, &a, NULL), SCIO_E_INVALID_ARG);
    assert_int_equal(obs_remove(&r, ia), SCIO_OK);
    assert_int_equal(obs_remove(&r, ia), SCIO_E_NOT_FOUND);
    assert_int_equal(obs_remove(&r, 12345), SCIO_E_NOT_FOUND);
    assert_int_equal(obs_add(&r, observe, &a, &again), SCIO_OK);
    assert_true(again != ia && again != ib); /* ids are not reused */
    scio_event ev = {.type = SCIO_EV_COMMAND};
    obs_notify(&r, NULL, &ev);
    assert_int_equal(a.calls, 2); /* observe/a and other_fn/a */
    assert_int_equal(b.calls, 1);
    obs_free(&r);
}

static void test_remove_during_notify(void **state)
{
    obs_registry r = {0};
    probe first = {&r, 0, 0, false, NULL}, second = first, third = first;
    unsigned i1, i2, i3;
    scio_event ev = {.type = SCIO_EV_RESPONSE, .after = true};
    (void)state;
    obs_add(&r, observe, &first, &i1);
    obs_add(&r, observe, &second, &i2);
    obs_add(&r, observe, &third, &i3);
    first.remove_id = i2;  /* first removes second before its turn */
    third.remove_id = i3;  /* third removes itself */
    obs_notify(&r, NULL, &ev);
    assert_int_equal(first.calls, 1);
    assert_int_equal(second.calls, 0);
    assert_int_equal(third.calls, 1);
    assert_int_equal(r.n, 1);
    first.remove_id = 0;
    obs_notify(&r, NULL, &ev);
    assert_int_equal(first.calls, 2);
    assert_int_equal(third.calls, 1);
    obs_free(&r);
}

static void test_add_during_notify(void **state)
{
    obs_registry r = {0};
    probe late = {&r, 0, 0, false, NULL};
    probe adder = {&r, 0, 0, true, &late};
    scio_event ev = {.type = SCIO_EV_CONNECT};
    (void)state;
    obs_add(&r, observe, &adder, NULL);
    obs_notify(&r, NULL, &ev);
    assert_int_equal(adder.calls, 1);
    assert_int_equal(late.calls, 0); /* first called for the next event */
    adder.add_other = false;
    obs_notify(&r, NULL, &ev);
    assert_int_equal(late.calls, 1);
    obs_free(&r);
}

static void test_many(void **state)
{
    obs_registry r = {0};
    probe p[40];
    unsigned ids[40];
    scio_event ev = {.type = SCIO_EV_COMMAND};
    (void)state;
    for (int i = 0; i < 40; i++) {
        p[i] = (probe){&r, 0, 0, false, NULL};
        assert_int_equal(obs_add(&r, observe, &p[i], &ids[i]), SCIO_OK);
    }
    p[0].remove_id = ids[39]; /* beyond the on-stack snapshot size */
    obs_notify(&r, NULL, &ev);
    for (int i = 0; i < 39; i++)
        assert_int_equal(p[i].calls, 1);
    assert_int_equal(p[39].calls, 0);
    obs_free(&r);
}

static void expect_format(const scio_event *ev, const char *want)
{
    char line[256];
    size_t n = scio_event_format(ev, line, sizeof(line));
    assert_string_equal(line, want);
    assert_int_equal(n, strlen(want));
}

static void test_format(void **state)
{
    const uint8_t cmd[] = {0x00, 0xA4, 0x00, 0x0C, 0x02, 0x3F, 0x00};
    uint8_t big[100] = {0};
    char small[8];
    (void)state;
    expect_format(&(scio_event){.type = SCIO_EV_CONNECT}, "connect begin");
    expect_format(&(scio_event){.type = SCIO_EV_CONNECT, .after = true,
                                .protocol = SCIO_PROTO_T1},
                  "connect done T=1");
    expect_format(&(scio_event){.type = SCIO_EV_CONNECT, .after = true,
                                .result = SCIO_E_NO_CARD},
                  "connect done (no card in the reader)");
    expect_format(&(scio_event){.type = SCIO_EV_COMMAND, .data = cmd,
                                .len = sizeof(cmd)},
                  "> 00 A4 00 0C 02 3F 00");
    expect_format(&(scio_event){.type = SCIO_EV_RESPONSE, .after = true,
                                .sw = 0x9000},
                  "< [] 90 00");
    expect_format(&(scio_event){.type = SCIO_EV_DISCONNECT, .after = true,
                                .disposition = SCIO_UNPOWER},
                  "disconnect done (unpower)");
    expect_format(&(scio_event){.type = SCIO_EV_RECONNECT,
                                .disposition = SCIO_RESET},
                  "reconnect begin (reset)");
    expect_format(&(scio_event){.type = SCIO_EV_CONTROL_RESPONSE, .after = true,
                                .control_code = 0x42000D48,
                                .result = SCIO_E_UNSUPPORTED},
                  "control 42000D48 < [] (not supported)");
    scio_event ev = {.type = SCIO_EV_COMMAND, .data = big, .len = sizeof(big)};
    char line[512];
    scio_event_format(&ev, line, sizeof(line));
    assert_non_null(strstr(line, " ..."));
    assert_int_equal(scio_event_format(&ev, small, sizeof(small)), 7);
    assert_int_equal(strlen(small), 7);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_ids),
        cmocka_unit_test(test_remove_during_notify),
        cmocka_unit_test(test_add_during_notify),
        cmocka_unit_test(test_many),
        cmocka_unit_test(test_format),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
