/* SPDX-License-Identifier: LGPL-2.1-or-later */
/**
 * @file test_scio_transmit.c
 * @brief Transmit logic against a scripted fake backend (no reader):
 *        SW split and length checks, the opt-in T=0 handling (GET
 *        RESPONSE loop and its bound, the class byte it uses, 6Cxx resend
 *        for each APDU case, extended APDUs left alone), the error chain
 *        on the final result only and never on control data, and
 *        observers seeing every physical exchange.
 */
#include "testutil.h"

#include <stdio.h>
#include <string.h>

#include "scio/conn.h"

/* ---- the fake backend --------------------------------------------------- */

typedef struct fake {
    const char *responses[300]; /* hex, consumed in order; NULL = repeat last */
    size_t next, n;
    char sent[300][40];          /* commands seen, hex (first 16 bytes) */
    size_t n_sent;
    int dummy;
} fake;

static uint32_t f_ctx_new(void *backend, be_ctx **out)
{
    *out = backend;
    return RV_SUCCESS;
}

static void f_ctx_free(be_ctx *c)
{
    (void)c;
}

static uint32_t f_connect(be_ctx *c, const char *reader, unsigned share,
                          unsigned protocols, be_card **card, unsigned *active)
{
    (void)reader;
    (void)share;
    (void)protocols;
    *card = (be_card *)c;
    *active = SCIO_PROTO_T0;
    return RV_SUCCESS;
}

static uint32_t f_disconnect(be_card *k, unsigned d)
{
    (void)k;
    (void)d;
    return RV_SUCCESS;
}

static uint32_t f_transmit(be_card *k, unsigned protocol, const uint8_t *send,
                           size_t send_len, uint8_t *recv, size_t *recv_len)
{
    fake *f = (fake *)k;
    (void)protocol;
    scio_hex_encode(send, send_len < 16 ? send_len : 16, SCIO_HEX_UPPER,
                    f->sent[f->n_sent++ % 300], 40);
    const char *r = f->responses[f->next < f->n ? f->next : f->n - 1];
    f->next++;
    size_t n = 0;
    assert_int_equal(scio_hex_decode(r, recv, *recv_len, &n), SCIO_OK);
    *recv_len = n;
    return RV_SUCCESS;
}

static uint32_t f_control(be_card *k, uint32_t code, const uint8_t *in,
                          size_t in_len, uint8_t *out, size_t *out_len)
{
    (void)k;
    (void)code;
    (void)in;
    (void)in_len;
    out[0] = 0x6A; /* looks like an error status word: must not be checked */
    out[1] = 0x82;
    *out_len = 2;
    return RV_SUCCESS;
}

static const be_ops fake_ops = {
    .name = "fake", .ctx_new = f_ctx_new, .ctx_free = f_ctx_free,
    .connect = f_connect, .disconnect = f_disconnect,
    .transmit = f_transmit, .control = f_control,
};

typedef struct rig {
    scio_context ctx;
    fake f;
    scio_connection *conn;
    unsigned commands, responses;
} rig;

static void count(scio_connection *c, const scio_event *ev, void *user)
{
    rig *r = user;
    (void)c;
    r->commands += ev->type == SCIO_EV_COMMAND;
    r->responses += ev->type == SCIO_EV_RESPONSE;
}

static rig *rig_new(void)
{
    rig *r = test_calloc(1, sizeof(*r));
    r->ctx.ops = &fake_ops;
    r->ctx.backend = &r->f;
    assert_int_equal(scio_connection_new(&r->ctx, "Fake 00 00", &r->conn),
                     SCIO_OK);
    assert_int_equal(scio_connect(r->conn, SCIO_PROTO_ANY, SCIO_SHARE_SHARED,
                                  SCIO_LEAVE), SCIO_OK);
    assert_int_equal(scio_add_observer(r->conn, count, r, NULL), SCIO_OK);
    return r;
}

static void rig_free(rig *r)
{
    scio_connection_free(r->conn);
    test_free(r);
}

static void script(rig *r, const char *const *responses, size_t n)
{
    memset(&r->f, 0, sizeof(r->f));
    for (size_t i = 0; i < n; i++)
        r->f.responses[i] = responses[i];
    r->f.n = n;
    r->commands = r->responses = 0;
}

static scio_status send_hex(rig *r, const char *hex, uint8_t *resp,
                            size_t *len, uint16_t *sw)
{
    uint8_t cmd[300];
    size_t n = tu_hex(hex, cmd, sizeof(cmd));
    return scio_transmit(r->conn, cmd, n, resp, len, sw);
}

/* ---- tests -------------------------------------------------------------- */

static void test_split_and_lengths(void **state)
{
    rig *r = rig_new();
    uint8_t resp[8];
    size_t len = sizeof(resp);
    uint16_t sw = 0;
    (void)state;
    script(r, (const char *[]){"0102039000", "0102039000", "90", ""}, 4);
    assert_int_equal(send_hex(r, "00B0000003", resp, &len, &sw), SCIO_OK);
    tu_assert_hex(resp, len, "010203");
    assert_int_equal(sw, 0x9000);
    len = 2;
    assert_int_equal(send_hex(r, "00B0000003", resp, &len, &sw),
                     SCIO_E_BUFFER_TOO_SMALL);
    assert_int_equal(len, 3);
    len = sizeof(resp);
    assert_int_equal(send_hex(r, "00B0000003", resp, &len, &sw),
                     SCIO_E_INVALID_RESPONSE);
    len = sizeof(resp);
    assert_int_equal(send_hex(r, "00B0000003", resp, &len, &sw),
                     SCIO_E_INVALID_RESPONSE);
    assert_int_equal(r->commands, 4);
    assert_int_equal(r->responses, 4);
    rig_free(r);
}

static void test_get_response(void **state)
{
    rig *r = rig_new();
    uint8_t resp[600];
    size_t len = sizeof(resp);
    uint16_t sw = 0;
    (void)state;
    script(r, (const char *[]){"AABB6103", "CCDDEE6100", "FF9000"}, 3);
    assert_int_equal(send_hex(r, "00A40000023F00", resp, &len, &sw), SCIO_OK);
    assert_int_equal(sw, 0x6103); /* off by default */
    tu_assert_hex(resp, len, "AABB");
    scio_set_t0_handling(r->conn, SCIO_T0_GET_RESPONSE);
    script(r, (const char *[]){"AABB6103", "CCDDEE6100", "FF9000"}, 3);
    len = sizeof(resp);
    assert_int_equal(send_hex(r, "00A40000023F00", resp, &len, &sw), SCIO_OK);
    assert_int_equal(sw, 0x9000);
    tu_assert_hex(resp, len, "AABBCCDDEEFF");
    assert_string_equal(r->f.sent[1], "00C0000003");
    assert_string_equal(r->f.sent[2], "00C0000000"); /* 00 = 256 */
    assert_int_equal(r->commands, 3);
    assert_int_equal(r->responses, 3);
    rig_free(r);
}

static void test_get_response_class(void **state)
{
    static const struct {
        const char *cmd, *gr;
    } cases[] = {
        {"03A40000023F00", "03C0000001"}, /* channel 3 */
        {"0BA40000023F00", "03C0000001"}, /* SM bits cleared */
        {"13A40000023F00", "03C0000001"}, /* chaining bit cleared */
        {"45A40000023F00", "45C0000001"}, /* further class, channel 9 */
        {"6FA40000023F00", "4FC0000001"}, /* further, SM bit cleared */
        {"A0A40000023F00", "A0C0000001"}, /* SIM class kept */
        {"80CA9F7F00", "80C0000001"},     /* proprietary kept */
    };
    rig *r = rig_new();
    uint8_t resp[16];
    (void)state;
    scio_set_t0_handling(r->conn, SCIO_T0_ALL);
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        size_t len = sizeof(resp);
        uint16_t sw = 0;
        script(r, (const char *[]){"6101", "119000"}, 2);
        assert_int_equal(send_hex(r, cases[i].cmd, resp, &len, &sw), SCIO_OK);
        assert_string_equal(r->f.sent[1], cases[i].gr);
    }
    rig_free(r);
}

static void test_get_response_bound(void **state)
{
    rig *r = rig_new();
    static uint8_t resp[SCIO_RESPONSE_MAX];
    size_t len = sizeof(resp);
    uint16_t sw = 0;
    (void)state;
    scio_set_t0_handling(r->conn, SCIO_T0_GET_RESPONSE);
    script(r, (const char *[]){"6101", "AA6101"}, 2); /* never ends */
    assert_int_equal(send_hex(r, "00A40000023F00", resp, &len, &sw), SCIO_OK);
    assert_int_equal(r->commands, 257);
    assert_int_equal(len, 256);
    assert_int_equal(sw, 0x6101);
    rig_free(r);
}

static void test_resend(void **state)
{
    static const struct {
        const char *cmd, *again;
    } cases[] = {
        {"00B2010404", "00B2010408"},             /* case 2: Le replaced */
        {"00B20104", "00B2010408"},               /* case 1: Le added */
        {"00CA0000020102", "00CA000002010208"},   /* case 3: Le added */
        {"00CA000002010204", "00CA000002010208"}, /* case 4: Le replaced */
    };
    rig *r = rig_new();
    uint8_t resp[300];
    size_t len;
    uint16_t sw;
    (void)state;
    scio_set_t0_handling(r->conn, SCIO_T0_RESEND);
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        script(r, (const char *[]){"6C08", "01020304050607089000"}, 2);
        len = sizeof(resp);
        assert_int_equal(send_hex(r, cases[i].cmd, resp, &len, &sw), SCIO_OK);
        assert_string_equal(r->f.sent[1], cases[i].again);
        assert_int_equal(len, 8);
        assert_int_equal(sw, 0x9000);
    }
    script(r, (const char *[]){"6C08", "6C09"}, 2); /* only once */
    len = sizeof(resp);
    assert_int_equal(send_hex(r, "00B2010404", resp, &len, &sw), SCIO_OK);
    assert_int_equal(sw, 0x6C09);
    assert_int_equal(r->commands, 2);
    script(r, (const char *[]){"6C08"}, 1); /* extended: left alone */
    len = sizeof(resp);
    assert_int_equal(send_hex(r, "00B20104000004", resp, &len, &sw), SCIO_OK);
    assert_int_equal(sw, 0x6C08);
    assert_int_equal(r->commands, 1);
    script(r, (const char *[]){"6C00", "9000"}, 2); /* 6C00: Le = 256 */
    len = sizeof(resp);
    assert_int_equal(send_hex(r, "00B2010404", resp, &len, &sw), SCIO_OK);
    assert_string_equal(r->f.sent[1], "00B2010400");
    rig_free(r);
}

static void test_resend_then_get_response(void **state)
{
    rig *r = rig_new();
    uint8_t resp[300];
    size_t len = sizeof(resp);
    uint16_t sw = 0;
    (void)state;
    scio_set_t0_handling(r->conn, SCIO_T0_ALL);
    script(r, (const char *[]){"6C04", "AABB6102", "CCDD9000"}, 3);
    assert_int_equal(send_hex(r, "00B0000002", resp, &len, &sw), SCIO_OK);
    tu_assert_hex(resp, len, "AABBCCDD");
    assert_int_equal(sw, 0x9000);
    rig_free(r);
}

static void test_error_chain(void **state)
{
    rig *r = rig_new();
    scio_error_chain *chain = NULL;
    scio_sw_error e;
    uint8_t resp[64];
    size_t len = sizeof(resp);
    uint16_t sw = 0;
    (void)state;
    assert_int_equal(scio_error_chain_new(&chain), SCIO_OK);
    scio_error_chain_append(chain, scio_checker_iso7816_4_sw1());
    scio_set_error_chain(r->conn, chain);
    scio_set_t0_handling(r->conn, SCIO_T0_ALL);
    script(r, (const char *[]){"6C02", "AA6101", "BB6A82"}, 3);
    assert_int_equal(send_hex(r, "00B0000001", resp, &len, &sw), SCIO_E_SW);
    tu_assert_hex(resp, len, "AABB"); /* delivered anyway */
    assert_int_equal(sw, 0x6A82);
    assert_int_equal(scio_last_sw(r->conn), 0x6A82);
    assert_int_equal(scio_last_sw_error(r->conn, &e), SCIO_OK);
    assert_int_equal(e.sw2, 0x82);
    script(r, (const char *[]){"9000"}, 1);
    len = sizeof(resp);
    assert_int_equal(send_hex(r, "00B0000001", resp, &len, &sw), SCIO_OK);
    assert_int_equal(scio_last_sw_error(r->conn, &e), SCIO_E_NOT_FOUND);
    script(r, (const char *[]){"6A82"}, 1);
    len = sizeof(resp);
    scio_transmit_opts o = {.no_error_check = true};
    uint8_t cmd[] = {0x00, 0xB0, 0x00, 0x00, 0x01};
    assert_int_equal(scio_transmit_ex(r->conn, &o, cmd, 5, resp, &len, &sw),
                     SCIO_OK);
    len = sizeof(resp);
    assert_int_equal(scio_control(r->conn, scio_ctl_code(1), NULL, 0, resp,
                                  &len), SCIO_OK); /* control: never checked */
    tu_assert_hex(resp, len, "6A82");
    scio_set_error_chain(r->conn, NULL);
    scio_error_chain_free(chain);
    rig_free(r);
}

static void test_states(void **state)
{
    rig *r = rig_new();
    uint8_t resp[8];
    size_t len = sizeof(resp);
    (void)state;
    assert_int_equal(scio_get_active_protocol(r->conn), SCIO_PROTO_T0);
    assert_int_equal(scio_connect(r->conn, SCIO_PROTO_ANY, SCIO_SHARE_SHARED,
                                  SCIO_LEAVE), SCIO_E_STATE);
    assert_int_equal(scio_disconnect(r->conn), SCIO_OK);
    assert_int_equal(scio_connect(r->conn, SCIO_PROTO_ANY, (scio_share)9,
                                  SCIO_LEAVE), SCIO_E_INVALID_ARG);
    assert_int_equal(scio_connect(r->conn, SCIO_PROTO_ANY, SCIO_SHARE_SHARED,
                                  (scio_disposition)7), SCIO_E_INVALID_ARG);
    assert_false(scio_is_connected(r->conn));
    assert_int_equal(send_hex(r, "00B0000001", resp, &len, NULL),
                     SCIO_E_NOT_CONNECTED);
    assert_int_equal(scio_reconnect(r->conn, 0, SCIO_SHARE_SHARED, SCIO_RESET),
                     SCIO_E_NOT_CONNECTED);
    scio_release(r->conn);
    scio_release(r->conn);
    assert_int_equal(send_hex(r, "00B0000001", resp, &len, NULL),
                     SCIO_E_RELEASED);
    rig_free(r);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_split_and_lengths),
        cmocka_unit_test(test_get_response),
        cmocka_unit_test(test_get_response_class),
        cmocka_unit_test(test_get_response_bound),
        cmocka_unit_test(test_resend),
        cmocka_unit_test(test_resend_then_get_response),
        cmocka_unit_test(test_error_chain),
        cmocka_unit_test(test_states),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
