/* SPDX-License-Identifier: LGPL-2.1-or-later */
/**
 * @file softcard_run.c
 * @brief What the softcard command does once its options are parsed.
 *
 * It installs the log sink (stderr or --log-file, one timestamped line per
 * message), creates the cards with sfc_card_new() or loads them from their
 * -f images (softcard_image.c, which also serves --init and --check-image
 * before any of this), binds each card to a vpcd link through
 * softcard_card_ops, puts the links in one event loop with
 * signals and the optional control socket, inserts the cards, prints the
 * vicc:// URL and QR code in reversed mode, and runs until a signal stops
 * it or a link fails for good. Only this layer prints; errors are one line
 * "softcard: <what>: <cause> (<hint>)".
 */
#include "softcard_run.h"
#include "vpcd/sockaddr.h"

/** Room for "unix:" + a socket path + ".N". */
#define SOFTCARD_HOST_MAX 160

#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "softcard.h"
#include "softcard_image.h"
#include "cardtypes/cardtypes.h"
#include "core/errtext.h"
#include "vpcd/addr.h"
#include "vpcd/loop.h"
#include "vpcd/qr.h"

/* ---- card binding ------------------------------------------------------ */

static size_t card_get_atr(void *card, uint8_t *atr, size_t cap)
{
    uint8_t buf[SFC_ATR_MAX];
    size_t n = sfc_card_atr(card, buf);
    if (n > cap)
        n = cap;
    memcpy(atr, buf, n);
    return n;
}

static void card_power(void *card, int ctrl)
{
    sfc_card_power(card, (sfc_power_event)ctrl);
}

static sfc_err card_transmit(void *card, const uint8_t *capdu, size_t len,
                            const uint8_t **rapdu, size_t *rlen)
{
    return sfc_card_transmit(card, capdu, len, rapdu, rlen);
}

const vpcd_card_ops softcard_card_ops = {card_get_atr, card_power,
                                         card_transmit};

/* ---- logging ----------------------------------------------------------- */

static const char *level_name(sfc_log_level level)
{
    switch (level) {
    case SFC_LOG_ERROR: return "ERROR";
    case SFC_LOG_WARN: return "WARN";
    case SFC_LOG_INFO: return "INFO";
    case SFC_LOG_APDU: return "APDU";
    case SFC_LOG_DEBUG: return "DEBUG";
    }
    return "?";
}

void softcard_format_log(char *out, size_t cap, sfc_log_level level,
                         const char *msg)
{
    struct timespec ts;
    struct tm tm;
    char stamp[32];

    clock_gettime(CLOCK_REALTIME, &ts);
    localtime_r(&ts.tv_sec, &tm);
    strftime(stamp, sizeof(stamp), "%Y-%m-%d %H:%M:%S", &tm);
    snprintf(out, cap, "%s.%03ld [%s] %s\n", stamp, ts.tv_nsec / 1000000L,
             level_name(level), msg);
}

static void log_sink(void *user, sfc_log_level level, const char *msg)
{
    char line[1200];
    softcard_format_log(line, sizeof(line), level, msg);
    fputs(line, user);
    fflush(user);
}

/* ---- run state ----------------------------------------------------------- */

typedef struct run_state {
    const softcard_opts *o;
    FILE *log;
    sfc_card *cards[SOFTCARD_MAX_CARDS];
    sfc_image_store *stores[SOFTCARD_MAX_CARDS]; /**< -f: the cards' images */
    vpcd_loop *loop;
} run_state;

static int fail(run_state *rs, int status, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Print "softcard: ..." to stderr (and to the log file, if there is one). */
static int fail(run_state *rs, int status, const char *fmt, ...)
{
    char msg[600];
    va_list ap;

    va_start(ap, fmt);
    sfc_verrf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    fprintf(stderr, "softcard: %s\n", msg);
    if (rs->log && rs->log != stderr)
        sfc_log(SFC_LOG_ERROR, "%s", msg);
    return status;
}

static int open_log(run_state *rs)
{
    rs->log = stderr;
    if (rs->o->log_file) {
        FILE *f = fopen(rs->o->log_file, "a");
        if (!f)
            return fail(rs, SOFTCARD_EXIT_FAILURE, "cannot open log file %s: "
                        "%s (check the path and permissions)",
                        rs->o->log_file, strerror(errno));
        setvbuf(f, NULL, _IOLBF, 0);
        rs->log = f;
    }
    sfc_log_set(log_sink, rs->log, softcard_log_level(rs->o->verbose));
    return SOFTCARD_EXIT_OK;
}

/* -f: the cards come from their images, which they keep up to date. */
static int open_images(run_state *rs)
{
    char why[2 * SFC_IMAGE_ERR_MAX] = "";
    int status = softcard_image_open_all(rs->o, rs->cards, rs->stores, why,
                                         sizeof(why));
    return status == SOFTCARD_EXIT_OK ? status : fail(rs, status, "%s", why);
}

/* The parameters of one card: those of the options that its type declares.
 * Returns how many. */
static size_t card_params(const softcard_opts *o, const char *type,
                          sfc_param params[SOFTCARD_MAX_PARAMS])
{
    const sfc_card_type *t = sfc_card_type_find(type);
    size_t n = 0;
    for (size_t i = 0; i < o->n_params; i++)
        if (!t || sfc_param_def_of(t, o->params[i].key))
            params[n++] = o->params[i];
    return n;
}

/* A card that could not be made: running out of memory, a relay's far
 * card (the message says why) or a plugin failing is a failure (1); the
 * rest concerns the options given (2). */
static int refuse_card(run_state *rs, size_t i, const char *type, sfc_err err,
                       const char *why)
{
    const char *text = why[0] ? why : sfc_strerror(err);
    if (err == SFC_E_NOMEM)
        return fail(rs, SOFTCARD_EXIT_FAILURE, "card %zu: %s (out of "
                    "memory)", i, text);
    if (err == SFC_E_IO || sfc_card_type_is_plugin(sfc_card_type_find(type)))
        return fail(rs, SOFTCARD_EXIT_FAILURE, "card %zu: %s", i, text);
    return fail(rs, SOFTCARD_EXIT_USAGE, "card %zu: %s (softcard --help "
                "lists the card types)", i, text);
}

static int create_cards(run_state *rs)
{
    const softcard_opts *o = rs->o;
    sfc_param params[SOFTCARD_MAX_PARAMS];
    sfc_card_options copts = {.extended_length = o->extended_length,
                             .params = params};
    char why[256];

    for (size_t i = 0; i < o->n_cards; i++) {
        char label[48];
        const char *type = softcard_type_of_card(o, i);
        snprintf(label, sizeof(label), "card %zu (%s)", i, type);
        copts.label = label;
        copts.n_params = card_params(o, type, params);
        why[0] = '\0';
        sfc_err err = sfc_card_new(type, &copts, &rs->cards[i], why,
                                 sizeof(why));
        if (err != SFC_OK)
            return refuse_card(rs, i, type, err, why);
    }
    return SOFTCARD_EXIT_OK;
}

static int create_links(run_state *rs)
{
    const softcard_opts *o = rs->o;

    if (vpcd_loop_new(NULL, &rs->loop) != SFC_OK)
        return fail(rs, SOFTCARD_EXIT_FAILURE, "setup: out of memory");
    for (size_t i = 0; i < o->n_cards; i++) {
        char name[32], path[SOFTCARD_HOST_MAX];
        vpcd_link *link = NULL;
        const char *host = o->reversed ? o->bind : o->hostname;
        if (vpcd_sock_is_unix(host) && /* card i: slot i's socket */
            !vpcd_sock_slot_path(host, (unsigned)i, path, sizeof(path)))
            return fail(rs, SOFTCARD_EXIT_USAGE, "%s: the socket path is too "
                        "long (at most 107 bytes with the slot number)",
                        host);
        vpcd_link_config cfg = {
            .mode = o->reversed ? VPCD_LINK_REVERSED : VPCD_LINK_NORMAL,
            .host = vpcd_sock_is_unix(host) ? path : host,
            .port = o->port ? (uint16_t)(o->port + i) : 0,
            .reconnect = o->reconnect,
            .name = name};
        snprintf(name, sizeof(name), "card %zu", i);
        if (vpcd_link_new(&cfg, &softcard_card_ops, rs->cards[i], &link) !=
                SFC_OK ||
            vpcd_loop_add(rs->loop, link, sfc_card_get_type(rs->cards[i])) !=
                SFC_OK) {
            vpcd_link_free(link);
            return fail(rs, SOFTCARD_EXIT_FAILURE, "setup: out of memory");
        }
    }
    return SOFTCARD_EXIT_OK;
}

static int start(run_state *rs)
{
    if (vpcd_loop_catch_signals(rs->loop) != SFC_OK)
        return fail(rs, SOFTCARD_EXIT_FAILURE, "setup: cannot install "
                    "signal handlers (%s)", strerror(errno));
    if (rs->o->control &&
        vpcd_loop_listen_control(rs->loop, rs->o->control) != SFC_OK)
        return fail(rs, SOFTCARD_EXIT_FAILURE, "%s",
                    vpcd_loop_error(rs->loop));
    if (vpcd_loop_insert_all(rs->loop) != SFC_OK)
        return fail(rs, SOFTCARD_EXIT_FAILURE, "%s",
                    vpcd_loop_error(rs->loop));
    return SOFTCARD_EXIT_OK;
}

/* ---- reversed mode announcement ------------------------------------------ */

static void announce_card(const run_state *rs, size_t i)
{
    const vpcd_link *link = vpcd_loop_link(rs->loop, i);
    const char *bound = vpcd_link_bound_host(link);
    if (vpcd_sock_is_unix(rs->o->bind)) { /* no URL: a local socket */
        char path[SOFTCARD_HOST_MAX];
        vpcd_sock_slot_path(rs->o->bind, (unsigned)i, path, sizeof(path));
        printf("card %zu (%s): waiting for vpcd at %s\n", i,
               sfc_card_get_type(rs->cards[i]), path);
        return;
    }
    char host[VPCD_ADDR_TEXT_MAX], url[VPCD_ADDR_TEXT_MAX + 16];
    char *qr = NULL;
    bool wildcard = !strcmp(bound, "0.0.0.0") || !strcmp(bound, "::");
    uint16_t port = vpcd_link_port(link);

    if (wildcard)
        vpcd_local_address(host, sizeof(host));
    else
        snprintf(host, sizeof(host), "%s", bound);
    vpcd_url("vicc", host, port, url, sizeof(url));
    printf("card %zu (%s): waiting for vpcd at %s\n", i,
           sfc_card_get_type(rs->cards[i]), url);
    printf("VICC hostname: %s\nVICC port: %u\n", host, (unsigned)port);
    if (!strcmp(bound, "127.0.0.1") || !strcmp(bound, "::1"))
        printf("(listening on %s only: use --bind 0.0.0.0 to let a phone on "
               "the network connect)\n", bound);
    if (vpcd_qr_render(url, isatty(STDOUT_FILENO) ? VPCD_QR_ANSI : 0, &qr) ==
        SFC_OK)
        fputs(qr, stdout);
    free(qr);
}

static void announce(const run_state *rs)
{
    for (size_t i = 0; i < rs->o->n_cards; i++)
        announce_card(rs, i);
    fflush(stdout);
}

/* ---- main sequence ------------------------------------------------------- */

static void cleanup(run_state *rs)
{
    vpcd_loop_free(rs->loop); /* closes connections: cards see power-off */
    for (size_t i = 0; i < SOFTCARD_MAX_CARDS; i++)
        sfc_card_free(rs->cards[i]);
    for (size_t i = 0; i < SOFTCARD_MAX_CARDS; i++)
        sfc_image_store_free(rs->stores[i]); /* after the cards that use them */
    sfc_log_set(NULL, NULL, SFC_LOG_ERROR);
    if (rs->log && rs->log != stderr)
        fclose(rs->log);
}

static void log_start(const softcard_opts *o)
{
    char where[VPCD_ADDR_TEXT_MAX + 256];

    vpcd_hostport(o->reversed ? (o->bind ? o->bind : "127.0.0.1")
                              : o->hostname,
                  o->port, where, sizeof(where));
    sfc_log(SFC_LOG_INFO, "softcard %s: %u card(s), %s %s", SOFTCARD_VERSION,
           o->n_cards, o->reversed ? "listening for vpcd on" :
           "connecting to vpcd at", where);
}

int softcard_run(const softcard_opts *o)
{
    run_state rs = {.o = o};
    if (o->init_type || o->init_config)
        return softcard_image_init(o);
    if (o->check_image)
        return softcard_image_check(o);
    int status = open_log(&rs);

    if (status == SOFTCARD_EXIT_OK) {
        log_start(o);
        status = o->n_files ? open_images(&rs) : create_cards(&rs);
    }
    if (status == SOFTCARD_EXIT_OK)
        status = create_links(&rs);
    if (status == SOFTCARD_EXIT_OK)
        status = start(&rs);
    if (status == SOFTCARD_EXIT_OK && o->reversed)
        announce(&rs);
    if (status == SOFTCARD_EXIT_OK && vpcd_loop_run(rs.loop) != SFC_OK)
        status = fail(&rs, SOFTCARD_EXIT_FAILURE, "%s",
                      vpcd_loop_error(rs.loop));
    if (status == SOFTCARD_EXIT_OK)
        sfc_log(SFC_LOG_INFO, "stopped");
    cleanup(&rs);
    return status;
}
