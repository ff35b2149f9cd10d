/* SPDX-License-Identifier: LGPL-2.1-or-later */
/**
 * @file scio_itest.c
 * @brief libscio integration-test driver: main, helpers, and the
 *        connection scenarios that run unchanged against both backends.
 *
 * Usage: scio_itest [--backend pcsc|direct] [--card-log FILE]
 *                   [--control SOCKET] [--flags DIR] SCENARIO
 * The calling script starts pcscd (or not, for the direct backend) and
 * the softcard cards: card 0 iso7816 on slot 0, card 1 on slot 1. The
 * request and monitor scenarios live in scio_itest_request.c.
 */
#include "scio_itest.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

static const uint8_t iso_atr[] = {0x3B, 0x95, 0x13, 0x81, 0x01, 0x80,
                                  0x73, 0xFF, 0x01, 0x00, 0x0B};

/* ---- helpers ------------------------------------------------------------ */

void it_fail(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    printf("FAIL: ");
    vprintf(fmt, ap);
    printf("\n");
    va_end(ap);
    fflush(stdout);
    _exit(1);
}

void it_ok(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    printf("ok: ");
    vprintf(fmt, ap);
    printf("\n");
    va_end(ap);
    fflush(stdout);
}

void it_status(scio_status got, scio_status want, const char *what)
{
    if (got != want)
        it_fail("%s: got '%s', expected '%s'", what, scio_strerror(got),
                scio_strerror(want));
    it_ok("%s", what);
}

uint64_t it_now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

void it_sleep_ms(unsigned ms)
{
    struct timespec ts = {ms / 1000u, (long)(ms % 1000u) * 1000000L};
    while (nanosleep(&ts, &ts) != 0 && errno == EINTR) {
    }
}

void it_control(const itest *t, const char *line)
{
    struct sockaddr_un sa = {.sun_family = AF_UNIX};
    char reply[256] = {0};
    size_t got = 0;
    int fd = socket(AF_UNIX, SOCK_STREAM, 0);
    if (!t->control)
        it_fail("no --control socket given");
    snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", t->control);
    if (fd < 0 || connect(fd, (struct sockaddr *)&sa, sizeof(sa)) != 0)
        it_fail("control socket %s: %s", t->control, strerror(errno));
    if (write(fd, line, strlen(line)) < 0 || write(fd, "\n", 1) < 0)
        it_fail("control write: %s", strerror(errno));
    shutdown(fd, SHUT_WR);
    for (ssize_t n; (n = read(fd, reply + got, sizeof(reply) - 1 - got)) > 0;)
        got += (size_t)n;
    close(fd);
    if (strncmp(reply, "ok", 2) != 0)
        it_fail("control '%s': %s", line, reply);
}

unsigned it_log_count(const itest *t, const char *text)
{
    char line[1024];
    unsigned n = 0;
    FILE *f = fopen(t->card_log, "r");
    if (!f)
        it_fail("card log %s: %s", t->card_log ? t->card_log : "(none)",
                strerror(errno));
    while (fgets(line, sizeof(line), f))
        n += strstr(line, text) != NULL;
    fclose(f);
    return n;
}

void it_log_wait(const itest *t, const char *text, unsigned n, unsigned ms)
{
    uint64_t end = it_now_ms() + ms;
    while (it_log_count(t, text) < n) {
        if (it_now_ms() > end)
            it_fail("card log: '%s' seen %u times, expected %u",
                    text, it_log_count(t, text), n);
        it_sleep_ms(20);
    }
}

static bool card_present(const itest *t, const char *reader)
{
    const char *readers[] = {reader};
    scio_card_request_opts o = {.readers = readers, .n_readers = 1};
    scio_card_request *req = NULL;
    scio_card card;
    if (scio_card_request_new(t->ctx, &o, &req) != SCIO_OK)
        it_fail("card request for %s", reader);
    scio_status st = scio_card_request_wait_card(req, 0, &card);
    scio_card_request_free(req);
    return st == SCIO_OK;
}

void it_wait_presence(const itest *t, const char *reader, bool present,
                      unsigned ms)
{
    uint64_t end = it_now_ms() + ms;
    while (card_present(t, reader) != present) {
        if (it_now_ms() > end)
            it_fail("%s did not become %s", reader,
                    present ? "present" : "empty");
        it_sleep_ms(30);
    }
}

scio_connection *it_connect(const itest *t, const char *reader)
{
    scio_connection *c = NULL;
    scio_status st = scio_connection_new(t->ctx, reader, &c);
    if (st == SCIO_OK)
        st = scio_connect(c, SCIO_PROTO_ANY, SCIO_SHARE_SHARED, SCIO_LEAVE);
    if (st != SCIO_OK)
        it_fail("connect %s: %s", reader, scio_strerror(st));
    return c;
}

size_t it_apdu(scio_connection *c, const char *hex, uint16_t want_sw,
               uint8_t *data, size_t cap)
{
    uint8_t cmd[300], local[300];
    size_t len = 0, rlen = data ? cap : sizeof(local);
    uint16_t sw = 0;
    if (scio_hex_decode(hex, cmd, sizeof(cmd), &len) != SCIO_OK)
        it_fail("bad hex %s", hex);
    scio_status st = scio_transmit(c, cmd, len, data ? data : local, &rlen, &sw);
    if (st != SCIO_OK)
        it_fail("%s: %s", hex, scio_strerror(st));
    if (sw != want_sw)
        it_fail("%s: SW %04X, expected %04X", hex, sw, want_sw);
    return rlen;
}

/* ---- connection --------------------------------------------------------- */

typedef struct counts {
    unsigned before[8], after[8];
    char last_cmd[64];
} counts;

static void counting_observer(scio_connection *c, const scio_event *ev,
                              void *user)
{
    counts *n = user;
    (void)c;
    if (ev->after)
        n->after[ev->type]++;
    else
        n->before[ev->type]++;
    if (ev->type == SCIO_EV_COMMAND)
        scio_hex_encode(ev->data, ev->len < 20 ? ev->len : 20, SCIO_HEX_UPPER,
                        n->last_cmd, sizeof(n->last_cmd));
}

static void check_readers(itest *t)
{
    scio_reader_list *l = NULL;
    char name[SCIO_READER_NAME_MAX + 1];
    IT_OK(scio_list_readers(t->ctx, &l), "list readers");
    if (scio_reader_list_count(l) != 2 || !scio_reader_list_contains(l, R0) ||
        !scio_reader_list_contains(l, R1))
        it_fail("readers: expected '%s' and '%s'", R0, R1);
    scio_reader_list_free(l);
    IT_OK(scio_list_reader_groups(t->ctx, &l), "list groups");
    if (!scio_reader_list_contains(l, "SCard$DefaultReaders"))
        it_fail("no default reader group");
    scio_reader_list_free(l);
    IT_OK(scio_find_reader(t->ctx, "1", name), "find reader by index");
    if (strcmp(name, R1))
        it_fail("reader 1 is '%s'", name);
    it_status(scio_find_reader(t->ctx, "Virtual", name),
              SCIO_E_UNKNOWN_READER, "ambiguous reader name refused");
}

static void check_refusals(itest *t, scio_connection *c)
{
    uint8_t r[8];
    size_t n = sizeof(r);
    const uint8_t select[] = {0x00, 0xA4, 0x00, 0x0C, 0x02, 0x3F, 0x00};
    it_status(scio_transmit(c, select, sizeof(select), r, &n, NULL),
              SCIO_E_NOT_CONNECTED, "transmit before connect refused");
    it_status(scio_connect(c, SCIO_PROTO_T0, SCIO_SHARE_SHARED, SCIO_LEAVE),
              SCIO_E_PROTO_MISMATCH, "T=0 refused by a T=1 card");
    scio_connection *u = NULL;
    IT_OK(scio_connection_new(t->ctx, "No Such Reader 00 00", &u), "new");
    it_status(scio_connect(u, SCIO_PROTO_ANY, SCIO_SHARE_SHARED, SCIO_LEAVE),
              SCIO_E_UNKNOWN_READER, "unknown reader refused");
    scio_connection_free(u);
}

static void check_card_state(scio_connection *c)
{
    uint8_t atr[SCIO_ATR_MAX];
    size_t n = 0;
    scio_card_status cs;
    if (scio_get_active_protocol(c) != SCIO_PROTO_T1 ||
        scio_get_preferred_protocols(c) != SCIO_PROTO_ANY)
        it_fail("protocols: active %u preferred %u",
                scio_get_active_protocol(c), scio_get_preferred_protocols(c));
    it_ok("active protocol T=1, preferred T=0|T=1");
    IT_OK(scio_get_atr(c, atr, &n), "get ATR");
    if (n != sizeof(iso_atr) || memcmp(atr, iso_atr, n))
        it_fail("ATR differs");
    IT_OK(scio_get_status(c, &cs), "get status");
    if (!cs.present || !cs.powered || cs.protocol != SCIO_PROTO_T1)
        it_fail("status: present %d powered %d protocol %u", cs.present,
                cs.powered, cs.protocol);
}

static void check_lengths(scio_connection *c)
{
    uint8_t r[300];
    size_t n = 4;
    uint16_t sw = 0;
    const uint8_t challenge[] = {0x00, 0x84, 0x00, 0x00, 0x08};
    if (it_apdu(c, "00A4000C023F00", 0x9000, NULL, 0) != 0)
        it_fail("SELECT returned data");
    if (it_apdu(c, "0084000008", 0x9000, r, sizeof(r)) != 8)
        it_fail("GET CHALLENGE length");
    it_ok("transmit: data and SW split");
    it_status(scio_transmit(c, challenge, sizeof(challenge), r, &n, &sw),
              SCIO_E_BUFFER_TOO_SMALL, "short buffer reported");
    if (n != 8 || sw != 0x9000)
        it_fail("needed size %zu, SW %04X", n, sw);
    n = sizeof(r);
    IT_OK(scio_transmit_raw(c, challenge, sizeof(challenge), r, &n), "raw");
    if (n != 10 || r[8] != 0x90 || r[9] != 0x00)
        it_fail("raw response has %zu bytes", n);
}

static void check_error_chain(scio_connection *c)
{
    scio_error_chain *chain = NULL;
    scio_sw_error e;
    uint8_t r[64];
    size_t n = sizeof(r);
    uint16_t sw = 0;
    const uint8_t bad[] = {0x00, 0xA4, 0x00, 0x0C, 0x02, 0x3F, 0x42};
    IT_OK(scio_error_chain_new(&chain), "chain");
    IT_OK(scio_error_chain_append(chain, scio_checker_iso7816_4()), "append");
    scio_set_error_chain(c, chain);
    it_status(scio_transmit(c, bad, sizeof(bad), r, &n, &sw), SCIO_E_SW,
              "error chain rejects 6A82");
    IT_OK(scio_last_sw_error(c, &e), "last SW error");
    if (sw != 0x6A82 || e.cls != SCIO_SW_CHECKING || e.sw1 != 0x6A)
        it_fail("SW error: sw %04X class %d", sw, e.cls);
    scio_error_chain_filter(chain, SCIO_SW_CHECKING);
    n = sizeof(r);
    IT_OK(scio_transmit(c, bad, sizeof(bad), r, &n, &sw), "filtered class");
    it_apdu(c, "00A4000C023F00", 0x9000, NULL, 0);
    scio_set_error_chain(c, NULL);
    scio_error_chain_free(chain);
}

static scio_status in_txn(scio_connection *c, void *user)
{
    (void)user;
    it_apdu(c, "00A4000C023F00", 0x9000, NULL, 0);
    return SCIO_OK;
}

static void check_reader_calls(scio_connection *c)
{
    uint8_t buf[300];
    size_t n = sizeof(buf), nf = 0;
    scio_feature f[4];
    it_status(scio_control(c, scio_ctl_code(3400), NULL, 0, buf, &n),
              SCIO_E_UNSUPPORTED, "control: no features (as vpcd)");
    it_status(scio_get_features(c, f, 4, &nf), SCIO_E_UNSUPPORTED,
              "feature request unsupported");
    n = sizeof(buf);
    it_status(scio_get_attrib(c, SCIO_ATTR_VENDOR_NAME, buf, &n),
              SCIO_E_UNSUPPORTED, "vendor name attribute unsupported");
    IT_OK(scio_with_transaction(c, in_txn, NULL, SCIO_LEAVE), "transaction");
}

/* DIRECT gets the card's current protocol: T=1 while `c` uses the card,
 * none once it is powered off. */
static void check_direct_share(itest *t, scio_connection *c)
{
    scio_connection *d = NULL;
    uint8_t r[8];
    size_t n = sizeof(r);
    const uint8_t select[] = {0x00, 0xA4, 0x00, 0x0C, 0x02, 0x3F, 0x00};
    IT_OK(scio_connection_new(t->ctx, R0, &d), "new");
    IT_OK(scio_connect(d, 0, SCIO_SHARE_DIRECT, SCIO_LEAVE), "share DIRECT");
    if (scio_get_active_protocol(d) != SCIO_PROTO_T1)
        it_fail("DIRECT next to a T=1 handle: protocol %u",
                scio_get_active_protocol(d));
    IT_OK(scio_disconnect(d), "disconnect DIRECT");
    IT_OK(scio_disconnect_with(c, SCIO_UNPOWER), "power the card off");
    IT_OK(scio_connect(d, 0, SCIO_SHARE_DIRECT, SCIO_LEAVE), "DIRECT again");
    if (scio_get_active_protocol(d) != SCIO_PROTO_UNDEFINED)
        it_fail("DIRECT to an unpowered card has a protocol");
    it_status(scio_transmit(d, select, sizeof(select), r, &n, NULL),
              SCIO_E_PROTO_MISMATCH, "no APDUs without a protocol");
    scio_connection_free(d);
}

static bool iso_supports(const scio_card *card, void *user)
{
    (void)user;
    return card->atr_len == sizeof(iso_atr);
}

static void check_services(itest *t, const scio_card *card)
{
    static const scio_service_class iso = {"iso", iso_supports, NULL, NULL};
    scio_card_type *type = NULL;
    scio_service_registry *reg = NULL;
    scio_service *svc = NULL;
    uint8_t r[8];
    size_t n = sizeof(r);
    uint16_t sw = 0;
    const uint8_t select[] = {0x00, 0xA4, 0x00, 0x0C, 0x02, 0x3F, 0x00};
    IT_OK(scio_card_type_atr(iso_atr, sizeof(iso_atr), NULL, 0, &type), "type");
    IT_OK(scio_service_registry_new(&reg), "registry");
    IT_OK(scio_service_registry_add(reg, type, &iso, NULL), "add iso");
    IT_OK(scio_service_registry_add(reg, NULL, scio_passthru_service(), NULL),
          "add passthru");
    IT_OK(scio_service_registry_open(reg, t->ctx, card, SCIO_PROTO_ANY,
                                     SCIO_SHARE_SHARED, SCIO_LEAVE, &svc),
          "open the service claiming the card");
    if (strcmp(scio_service_name(svc), "iso"))
        it_fail("service %s", scio_service_name(svc));
    IT_OK(scio_service_transmit(svc, select, sizeof(select), r, &n, &sw),
          "service transmit");
    scio_service_free(svc);
    scio_service_registry_free(reg);
    scio_card_type_free(type);
}

int it_connection(itest *t)
{
    const char *readers[] = {R0};
    scio_card_request_opts ro = {.readers = readers, .n_readers = 1};
    scio_card_request *req = NULL;
    scio_card card;
    counts seen = {0};
    scio_connection *c = NULL;

    check_readers(t);
    IT_OK(scio_card_request_new(t->ctx, &ro, &req), "request");
    IT_OK(scio_card_request_wait_card(req, 5000, &card), "card in reader 0");
    scio_card_request_free(req);
    IT_OK(scio_connection_new(t->ctx, R0, &c), "connection");
    IT_OK(scio_add_observer(c, counting_observer, &seen, NULL), "observer");
    check_refusals(t, c);
    IT_OK(scio_connect(c, SCIO_PROTO_ANY, SCIO_SHARE_SHARED, SCIO_LEAVE),
          "connect");
    it_status(scio_connect(c, SCIO_PROTO_ANY, SCIO_SHARE_SHARED, SCIO_LEAVE),
              SCIO_E_STATE, "second connect refused");
    check_card_state(c);
    check_lengths(c);
    check_error_chain(c);
    check_reader_calls(c);
    if (seen.before[SCIO_EV_COMMAND] != seen.after[SCIO_EV_RESPONSE] ||
        seen.before[SCIO_EV_COMMAND] < 6 || seen.before[SCIO_EV_CONNECT] != 2 ||
        seen.after[SCIO_EV_CONNECT] != 2 || seen.before[SCIO_EV_CONTROL] != 2)
        it_fail("observer counts: commands %u responses %u connects %u/%u",
                seen.before[SCIO_EV_COMMAND], seen.after[SCIO_EV_RESPONSE],
                seen.before[SCIO_EV_CONNECT], seen.after[SCIO_EV_CONNECT]);
    it_ok("observers saw every exchange before and after");
    check_direct_share(t, c);
    IT_OK(scio_connect(c, SCIO_PROTO_ANY, SCIO_SHARE_SHARED, SCIO_LEAVE),
          "connect again");
    IT_OK(scio_disconnect(c), "disconnect");
    IT_OK(scio_disconnect(c), "disconnect again (no-op)");
    scio_release(c);
    it_status(scio_connect(c, SCIO_PROTO_ANY, SCIO_SHARE_SHARED, SCIO_LEAVE),
              SCIO_E_RELEASED, "released connection refuses");
    scio_connection_free(c);
    check_services(t, &card);
    return 0;
}

/* ---- T=0 response handling ---------------------------------------------- */

static void check_get_response(scio_connection *c, counts *seen)
{
    uint8_t r[300];
    scio_set_t0_handling(c, 0);
    if (it_apdu(c, "00A40000023F00", 0x610C, r, sizeof(r)) != 0)
        it_fail("61xx with data");
    it_ok("61xx returned as is without T=0 handling");
    scio_set_t0_handling(c, SCIO_T0_ALL);
    size_t n = it_apdu(c, "00A40000023F00", 0x9000, r, sizeof(r));
    if (n != 12 || r[0] != 0x6F || strcmp(seen->last_cmd, "00C000000C"))
        it_fail("GET RESPONSE: %zu bytes, last command %s", n, seen->last_cmd);
    it_ok("61xx followed by GET RESPONSE, data assembled");
}

static void check_resend(scio_connection *c, counts *seen)
{
    uint8_t r[300];
    scio_set_t0_handling(c, 0);
    it_apdu(c, "00A4000C023F00", 0x9000, NULL, 0);
    uint16_t sw = 0x9000;
    uint8_t cmd[] = {0x00, 0xE0, 0x00, 0x00, 0x09, 0x62, 0x07, 0x82, 0x01,
                     0x04, 0x83, 0x02, 0x12, 0x35};
    size_t n = sizeof(r);
    IT_OK(scio_transmit(c, cmd, sizeof(cmd), r, &n, &sw), "create record EF");
    if (sw == 0x9000)
        it_apdu(c, "00E2000004AABBCCDD", 0x9000, NULL, 0);
    else if (sw != 0x6A89)
        it_fail("CREATE FILE: %04X", sw);
    it_apdu(c, "00A4000C021235", 0x9000, NULL, 0);
    it_apdu(c, "00B2010402", 0x6C04, r, sizeof(r));
    it_ok("6Cxx returned as is without T=0 handling");
    scio_set_t0_handling(c, SCIO_T0_RESEND);
    n = it_apdu(c, "00B2010402", 0x9000, r, sizeof(r));
    if (n != 4 || r[0] != 0xAA || strcmp(seen->last_cmd, "00B2010404"))
        it_fail("resend: %zu bytes, last command %s", n, seen->last_cmd);
    it_ok("6Cxx answered by a resend with Le = SW2");
}

static void check_channel(scio_connection *c, counts *seen)
{
    uint8_t r[300];
    scio_set_t0_handling(c, 0);
    if (it_apdu(c, "0070000001", 0x9000, r, sizeof(r)) != 1 || r[0] != 1)
        it_fail("MANAGE CHANNEL did not open channel 1");
    scio_set_t0_handling(c, SCIO_T0_GET_RESPONSE);
    if (it_apdu(c, "01A40000023F00", 0x9000, r, sizeof(r)) != 12 ||
        strcmp(seen->last_cmd, "01C000000C"))
        it_fail("GET RESPONSE on channel 1 sent as %s", seen->last_cmd);
    it_ok("GET RESPONSE keeps the logical channel of the class byte");
    it_apdu(c, "0070800100", 0x9000, NULL, 0);
}

int it_t0(itest *t)
{
    counts seen = {0};
    scio_connection *c = it_connect(t, R0);
    IT_OK(scio_add_observer(c, counting_observer, &seen, NULL), "observer");
    check_get_response(c, &seen);
    check_resend(c, &seen);
    check_channel(c, &seen);
    scio_connection_free(c);
    return 0;
}

/* ---- dispositions ------------------------------------------------------- */

#define LOG_OFF "card 0 (iso7816): power off"
#define LOG_RESET "card 0 (iso7816): reset"

static void expect_quiet(const itest *t, unsigned off, unsigned reset,
                         const char *what)
{
    it_sleep_ms(250);
    if (it_log_count(t, LOG_OFF) != off || it_log_count(t, LOG_RESET) != reset)
        it_fail("%s: the card saw a power event", what);
    it_ok("%s: the card saw nothing", what);
}

static void check_leave_unpower_reset(itest *t)
{
    unsigned off = it_log_count(t, LOG_OFF), reset = it_log_count(t, LOG_RESET);
    scio_connection *c = it_connect(t, R0);
    it_apdu(c, "00A4000C023F00", 0x9000, NULL, 0);
    IT_OK(scio_disconnect(c), "disconnect with LEAVE");
    expect_quiet(t, off, reset, "LEAVE");
    IT_OK(scio_connect(c, SCIO_PROTO_ANY, SCIO_SHARE_SHARED, SCIO_UNPOWER),
          "connect, UNPOWER at disconnect");
    IT_OK(scio_disconnect(c), "disconnect with the stored UNPOWER");
    it_log_wait(t, LOG_OFF, ++off, 3000);
    it_ok("card saw power off");
    IT_OK(scio_connect(c, SCIO_PROTO_ANY, SCIO_SHARE_SHARED, SCIO_LEAVE), "connect");
    IT_OK(scio_disconnect_with(c, SCIO_RESET), "disconnect with RESET");
    it_log_wait(t, LOG_RESET, ++reset, 3000);
    it_ok("card saw reset");
    scio_connection_free(c);
}

static void check_reconnect(itest *t)
{
    unsigned off = it_log_count(t, LOG_OFF), reset = it_log_count(t, LOG_RESET);
    scio_connection *c = it_connect(t, R0);
    IT_OK(scio_reconnect(c, SCIO_PROTO_ANY, SCIO_SHARE_SHARED, SCIO_RESET),
          "reconnect with RESET");
    it_log_wait(t, LOG_RESET, ++reset, 3000);
    it_apdu(c, "00A4000C023F00", 0x9000, NULL, 0);
    IT_OK(scio_reconnect(c, SCIO_PROTO_ANY, SCIO_SHARE_SHARED, SCIO_UNPOWER),
          "reconnect with UNPOWER");
    it_log_wait(t, LOG_OFF, ++off, 3000);
    it_apdu(c, "00A4000C023F00", 0x9000, NULL, 0);
    it_ok("card power-cycled and answering");
    IT_OK(scio_reconnect(c, SCIO_PROTO_ANY, SCIO_SHARE_SHARED, SCIO_LEAVE),
          "reconnect with LEAVE");
    IT_OK(scio_disconnect(c), "disconnect keeps the connect disposition");
    expect_quiet(t, off, reset, "reconnect LEAVE + disconnect");
    scio_connection_free(c);
}

static void check_second_handle(itest *t)
{
    uint8_t r[8];
    size_t n = sizeof(r);
    scio_card_status cs;
    const uint8_t select[] = {0x00, 0xA4, 0x00, 0x0C, 0x02, 0x3F, 0x00};
    scio_connection *a = it_connect(t, R0), *b = it_connect(t, R0);
    IT_OK(scio_disconnect_with(a, SCIO_RESET), "first handle resets");
    for (int i = 0; i < 2; i++) {
        n = sizeof(r);
        it_status(scio_transmit(b, select, sizeof(select), r, &n, NULL),
                  SCIO_E_CARD_RESET, "second handle sees the reset");
    }
    it_status(scio_get_status(b, &cs), SCIO_E_CARD_RESET, "status too");
    IT_OK(scio_reconnect(b, SCIO_PROTO_ANY, SCIO_SHARE_SHARED, SCIO_LEAVE),
          "second handle reconnects");
    it_apdu(b, "00A4000C023F00", 0x9000, NULL, 0);
    it_status(scio_connect(a, SCIO_PROTO_ANY, SCIO_SHARE_EXCLUSIVE, SCIO_LEAVE),
              SCIO_E_SHARING_VIOLATION, "exclusive connect refused while shared");
    IT_OK(scio_disconnect(b), "disconnect");
    IT_OK(scio_connect(a, SCIO_PROTO_ANY, SCIO_SHARE_EXCLUSIVE, SCIO_LEAVE),
          "exclusive connect");
    it_status(scio_connect(b, SCIO_PROTO_ANY, SCIO_SHARE_SHARED, SCIO_LEAVE),
              SCIO_E_SHARING_VIOLATION, "shared connect refused while exclusive");
    scio_connection_free(a);
    scio_connection_free(b);
}

int it_dispositions(itest *t)
{
    check_leave_unpower_reset(t);
    check_reconnect(t);
    check_second_handle(t);
    return 0;
}

/* ---- main --------------------------------------------------------------- */

static const struct {
    const char *name;
    int (*fn)(itest *t);
} scenarios[] = {
    {"connection", it_connection}, {"t0", it_t0},
    {"dispositions", it_dispositions}, {"timeouts", it_timeouts},
    {"new-card", it_new_card}, {"cancel", it_cancel},
    {"events", it_events}, {"monitors", it_monitors},
    {"restart", it_restart},
};

static int run(itest *t, const char *name)
{
    for (size_t i = 0; i < sizeof(scenarios) / sizeof(scenarios[0]); i++)
        if (!strcmp(scenarios[i].name, name))
            return scenarios[i].fn(t);
    fprintf(stderr, "unknown scenario %s\n", name);
    return 2;
}

int main(int argc, char **argv)
{
    itest t = {0};
    int i = 1;
    for (; i + 1 < argc && !strncmp(argv[i], "--", 2); i += 2) {
        if (!strcmp(argv[i], "--backend"))
            t.backend = strcmp(argv[i + 1], "direct") ? SCIO_BACKEND_PCSC
                                                      : SCIO_BACKEND_DIRECT;
        else if (!strcmp(argv[i], "--card-log"))
            t.card_log = argv[i + 1];
        else if (!strcmp(argv[i], "--control"))
            t.control = argv[i + 1];
        else if (!strcmp(argv[i], "--flags"))
            t.flag_dir = argv[i + 1];
    }
    if (i != argc - 1) {
        fprintf(stderr, "usage: scio_itest [--backend B] [--card-log F] "
                "[--control S] [--flags DIR] SCENARIO\n");
        return 2;
    }
    setvbuf(stdout, NULL, _IOLBF, 0);
    scio_context_opts co = {.backend = t.backend};
    IT_OK(scio_context_new(&co, &t.ctx), t.backend == SCIO_BACKEND_DIRECT
                                             ? "direct context" : "pcsc context");
    if (t.backend == SCIO_BACKEND_DIRECT) { /* the cards connect to us */
        it_wait_presence(&t, R0, true, 5000);
        it_wait_presence(&t, R1, true, 5000);
    }
    int rc = run(&t, argv[argc - 1]);
    scio_context_free(t.ctx);
    if (rc == 0)
        printf("PASS %s\n", argv[argc - 1]);
    return rc;
}
