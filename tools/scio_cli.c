/* SPDX-License-Identifier: LGPL-2.1-or-later */
/**
 * @file scio_cli.c
 * @brief Command-line parsing, help text and exit codes of scio.
 *
 * `scio [OPTION]... COMMAND [ARG]...`: options may come before or after
 * the command. Every error is one line "scio: <what>: <cause> (<hint>)"
 * and exit status 2. The exit codes say what failed (scio_cli.h), so
 * scripts can tell "no pcscd" from "no card" from "wrong status word".
 */
#include "scio_cli.h"

#include <errno.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/errtext.h"

/** Longest usage error before the "scio: " prefix. */
#define USAGE_MAX 512u

enum long_only { OPT_SLOT = 256, OPT_VERSION };

static const struct option options[] = {
    {"backend", required_argument, NULL, 'b'},
    {"slot", required_argument, NULL, OPT_SLOT},
    {"reader", required_argument, NULL, 'r'},
    {"timeout", required_argument, NULL, 't'},
    {"new", no_argument, NULL, 'n'},
    {"protocol", required_argument, NULL, 'p'},
    {"exclusive", no_argument, NULL, 'x'},
    {"disposition", required_argument, NULL, 'd'},
    {"t0", no_argument, NULL, 'T'},
    {"verbose", no_argument, NULL, 'v'},
    {"count", required_argument, NULL, 'c'},
    {"help", no_argument, NULL, 'h'},
    {"version", no_argument, NULL, OPT_VERSION},
    {NULL, 0, NULL, 0},
};

static int usage(char *err, size_t errlen, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static int usage(char *err, size_t errlen, const char *fmt, ...)
{
    char msg[USAGE_MAX];
    va_list ap;
    va_start(ap, fmt);
    sfc_verrf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    sfc_errf(err, errlen, "scio: %s", msg);
    return SCIO_EXIT_USAGE;
}

static int take_backend(scio_opts *o, const char *arg, char *err, size_t len)
{
    if (!strcmp(arg, "pcsc"))
        o->backend = SCIO_BACKEND_PCSC;
    else if (!strcmp(arg, "direct"))
        o->backend = SCIO_BACKEND_DIRECT;
    else
        return usage(err, len, "option -b: unknown backend '%s' (give pcsc "
                     "or direct)", arg);
    return SCIO_EXIT_OK;
}

/* "[reversed:]unix:PATH": a Unix-domain socket (no port). */
static int take_unix_slot(scio_opts *o, scio_direct_slot *s, const char *spec,
                          const char *arg, char *err, size_t len)
{
    char *host = o->slot_hosts[o->n_slots];
    if (strlen(spec) < 6 || strlen(spec) > 5 + 107)
        return usage(err, len, "option --slot: '%s': the socket path is "
                     "empty or longer than 107 bytes", arg);
    snprintf(host, 256, "%s", spec);
    s->host = host;
    o->n_slots++;
    return SCIO_EXIT_OK;
}

/* "[reversed:]HOST:PORT", "[reversed:]PORT" or "[reversed:]unix:PATH". */
static int take_slot(scio_opts *o, const char *arg, char *err, size_t len)
{
    scio_direct_slot *s = &o->slots[o->n_slots];
    char *host = o->slot_hosts[o->n_slots];
    const char *spec = arg, *colon;
    char *end;
    if (o->n_slots == SCIO_MAX_SLOTS)
        return usage(err, len, "option --slot: more than %d slots",
                     SCIO_MAX_SLOTS);
    memset(s, 0, sizeof(*s));
    if (!strncmp(spec, "reversed:", 9)) {
        s->reversed = true;
        spec += 9;
    }
    if (!strncmp(spec, "unix:", 5))
        return take_unix_slot(o, s, spec, arg, err, len);
    colon = strrchr(spec, ':');
    errno = 0;
    unsigned long port = strtoul(colon ? colon + 1 : spec, &end, 0);
    if (errno || *end || port == 0 || port > 65535 ||
        (colon && (size_t)(colon - spec) >= 256))
        return usage(err, len, "option --slot: '%s' is not "
                     "[reversed:][HOST:]PORT (e.g. 127.0.0.1:35963)", arg);
    if (colon) {
        memcpy(host, spec, (size_t)(colon - spec));
        host[colon - spec] = '\0';
        s->host = host;
    }
    s->port = (uint16_t)port;
    o->n_slots++;
    return SCIO_EXIT_OK;
}

static int take_timeout(scio_opts *o, const char *arg, char *err, size_t len)
{
    char *end;
    if (!strcmp(arg, "inf") || !strcmp(arg, "infinite")) {
        o->timeout_ms = SCIO_TIMEOUT_INFINITE;
        return SCIO_EXIT_OK;
    }
    errno = 0;
    double s = strtod(arg, &end);
    if (errno || *end || end == arg || s < 0 || s > 2000000)
        return usage(err, len, "option -t: '%s' is not a number of seconds "
                     "(e.g. 2.5, 0 to look once, inf to wait for ever)", arg);
    o->timeout_ms = (int)(s * 1000.0 + 0.5);
    return SCIO_EXIT_OK;
}

static int take_protocol(scio_opts *o, const char *arg, char *err, size_t len)
{
    if (!strcasecmp(arg, "T0") || !strcasecmp(arg, "T=0"))
        o->protocols = SCIO_PROTO_T0;
    else if (!strcasecmp(arg, "T1") || !strcasecmp(arg, "T=1"))
        o->protocols = SCIO_PROTO_T1;
    else if (!strcasecmp(arg, "any"))
        o->protocols = SCIO_PROTO_ANY;
    else if (!strcasecmp(arg, "raw"))
        o->protocols = SCIO_PROTO_RAW;
    else
        return usage(err, len, "option -p: unknown protocol '%s' (give T0, "
                     "T1, any or raw)", arg);
    return SCIO_EXIT_OK;
}

static int take_disposition(scio_opts *o, const char *arg, char *err,
                            size_t len)
{
    static const char *const names[] = {"leave", "reset", "unpower", "eject"};
    for (size_t i = 0; i < 4; i++)
        if (!strcasecmp(arg, names[i])) {
            o->disposition = (scio_disposition)i;
            return SCIO_EXIT_OK;
        }
    return usage(err, len, "option -d: unknown disposition '%s' (give leave, "
                 "reset, unpower or eject)", arg);
}

static int take_count(scio_opts *o, const char *arg, char *err, size_t len)
{
    char *end;
    errno = 0;
    long n = strtol(arg, &end, 10);
    if (errno || *end || n <= 0)
        return usage(err, len, "option -c: '%s' is not a positive number",
                     arg);
    o->count = n;
    return SCIO_EXIT_OK;
}

static int take_option(scio_opts *o, int c, char *err, size_t len)
{
    switch (c) {
    case 'b': return take_backend(o, optarg, err, len);
    case OPT_SLOT: return take_slot(o, optarg, err, len);
    case 'r': o->reader = optarg; return SCIO_EXIT_OK;
    case 't': return take_timeout(o, optarg, err, len);
    case 'n': o->new_card = true; return SCIO_EXIT_OK;
    case 'p': return take_protocol(o, optarg, err, len);
    case 'x': o->share = SCIO_SHARE_EXCLUSIVE; return SCIO_EXIT_OK;
    case 'd': return take_disposition(o, optarg, err, len);
    case 'T': o->t0 = true; return SCIO_EXIT_OK;
    case 'v': o->verbose = true; return SCIO_EXIT_OK;
    case 'c': return take_count(o, optarg, err, len);
    case 'h': o->help = true; return SCIO_EXIT_OK;
    case OPT_VERSION: o->version = true; return SCIO_EXIT_OK;
    case ':':
        return usage(err, len, "option %s: needs an argument (see scio "
                     "--help)", optopt ? (char[]){'-', (char)optopt, 0}
                                       : "(long)");
    default:
        return usage(err, len, "unknown option (see scio --help)");
    }
}

static const struct {
    const char *name;
    scio_command cmd;
    size_t min_args, max_args;
} commands[] = {
    {"list", SCIO_CMD_LIST, 0, 0},     {"wait", SCIO_CMD_WAIT, 0, 0},
    {"atr", SCIO_CMD_ATR, 0, 0},       {"send", SCIO_CMD_SEND, 1, SCIO_MAX_ARGS},
    {"script", SCIO_CMD_SCRIPT, 1, 1}, {"watch", SCIO_CMD_WATCH, 0, 0},
};

static int take_command(scio_opts *o, int argc, char **argv, char *err,
                        size_t len)
{
    if (optind >= argc)
        return usage(err, len, "no command (give list, wait, atr, send, "
                     "script or watch; see scio --help)");
    const char *name = argv[optind++];
    size_t n = (size_t)(argc - optind);
    for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++) {
        if (strcmp(name, commands[i].name) != 0)
            continue;
        if (n < commands[i].min_args || n > commands[i].max_args)
            return usage(err, len, "command %s: wrong number of arguments "
                         "(see scio --help)", name);
        o->cmd = commands[i].cmd;
        for (size_t k = 0; k < n; k++)
            o->args[o->n_args++] = argv[optind + (int)k];
        return SCIO_EXIT_OK;
    }
    return usage(err, len, "unknown command '%s' (see scio --help)", name);
}

int scio_parse(int argc, char **argv, scio_opts *o, char *err, size_t errlen)
{
    int c;
    memset(o, 0, sizeof(*o));
    o->timeout_ms = 10000;
    o->protocols = SCIO_PROTO_ANY;
    o->share = SCIO_SHARE_SHARED;
    o->disposition = SCIO_LEAVE;
    err[0] = '\0';
    optind = 0;
    opterr = 0;
    while ((c = getopt_long(argc, argv, ":b:r:t:np:xd:Tvc:h", options,
                            NULL)) != -1) {
        int rc = take_option(o, c, err, errlen);
        if (rc != SCIO_EXIT_OK)
            return rc;
    }
    if (o->help || o->version)
        return SCIO_EXIT_OK;
    if (o->n_slots && o->backend != SCIO_BACKEND_DIRECT)
        return usage(err, errlen, "option --slot: only for the direct "
                     "backend (add -b direct)");
    return take_command(o, argc, argv, err, errlen);
}

int scio_exit_code(scio_status st)
{
    switch (st) {
    case SCIO_OK: return SCIO_EXIT_OK;
    case SCIO_E_NO_SERVICE: return SCIO_EXIT_NO_SERVICE;
    case SCIO_E_NO_READERS:
    case SCIO_E_UNKNOWN_READER: return SCIO_EXIT_NO_READER;
    case SCIO_E_TIMEOUT:
    case SCIO_E_NO_CARD: return SCIO_EXIT_NO_CARD;
    case SCIO_E_CANCELLED: return SCIO_EXIT_CANCELLED;
    case SCIO_E_CARD_REMOVED:
    case SCIO_E_CARD_RESET:
    case SCIO_E_SHARING_VIOLATION:
    case SCIO_E_PROTO_MISMATCH:
    case SCIO_E_INVALID_RESPONSE:
    case SCIO_E_PCSC: return SCIO_EXIT_CARD;
    case SCIO_E_INVALID_ARG: return SCIO_EXIT_USAGE;
    default: return SCIO_EXIT_FAILURE;
    }
}

int scio_fail(scio_status st, const char *what)
{
    fprintf(stderr, "scio: %s: %s\n", what, scio_strerror(st));
    return scio_exit_code(st);
}

static const char help_text[] =
    "Usage: scio [OPTION]... COMMAND [ARG]...\n"
    "Talk to smart cards through pcscd, or directly to virtual cards.\n"
    "\n"
    "Commands:\n"
    "  list              list the readers and the card in each\n"
    "  wait              wait for a card; print its reader and ATR\n"
    "  atr               print the card's ATR and what it says\n"
    "  send APDU...      send APDUs given in hex, print the responses\n"
    "  script FILE       run an APDU script ('-' = standard input)\n"
    "  watch             print reader and card events until interrupted\n"
    "\n"
    "Options:\n"
    "  -b, --backend B   pcsc (default: through pcscd) or direct (play the\n"
    "                    vpcd reader: virtual cards connect to scio)\n"
    "      --slot SPEC   direct backend reader slot, repeatable:\n"
    "                    [HOST:]PORT to listen on (default 127.0.0.1:35963\n"
    "                    and :35964), reversed:HOST:PORT to connect to a\n"
    "                    card listening there; unix:PATH and\n"
    "                    reversed:unix:PATH for a Unix-domain socket\n"
    "  -r, --reader R    reader by index, name or unique part of the name\n"
    "                    (default: the first reader with a card)\n"
    "  -t, --timeout S   wait up to S seconds for a card (default 10;\n"
    "                    0 = look once; inf = for ever)\n"
    "  -n, --new         wait: only a card inserted from now on\n"
    "  -p, --protocol P  T0, T1, any (default) or raw\n"
    "  -x, --exclusive   connect exclusively\n"
    "  -d, --disposition D  leave (default), reset, unpower or eject at\n"
    "                    the end\n"
    "  -T, --t0          GET RESPONSE on 61xx, resend with Le on 6Cxx\n"
    "  -v, --verbose     show every APDU exchanged\n"
    "  -c, --count N     watch: stop after N events\n"
    "  -h, --help        this help;  --version  the version\n"
    "\n"
    "Scripts: one APDU in hex per line, optionally followed by '=' and the\n"
    "expected response: '= 9000', '= 61xx' (x: any nibble), '= * 9000'\n"
    "(any data), '= 0102 9000' (exact data); 'reset' resets the card,\n"
    "'exit' stops, '#' starts a comment.\n"
    "\n"
    "Exit status: 0 ok, 1 other failure, 2 usage or script syntax, 3 no\n"
    "service (pcscd not running), 4 no such reader, 5 no card (in time),\n"
    "6 card communication failed, 7 unexpected response in a script,\n"
    "8 interrupted.\n";

void scio_print_help(FILE *f)
{
    fputs(help_text, f);
}
