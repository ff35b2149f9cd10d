/* SPDX-License-Identifier: LGPL-2.1-or-later */
/**
 * @file softcard_cli.c
 * @brief Option parsing and help text of the softcard command.
 *
 * The options follow the reference vicc (-t, -H, -P, -R, -v, --version) and
 * add what a long-running emulator needs: several cards per process (-n,
 * repeated -t), a bind address, a log file, a control socket, reconnect
 * control and card parameters. vicc options that softcard does not
 * implement yet are recognised and refused with a clear message instead of
 * "unknown option", so that scripts written for vicc fail understandably.
 * Every error is one line "softcard: <what>: <cause> (<hint>)".
 */
#include "softcard_cli.h"

#include <errno.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "softcard.h"
#include "vpcd/frame.h"

enum long_only {
    OPT_BIND = 256,
    OPT_LOG_FILE,
    OPT_CONTROL,
    OPT_NO_RECONNECT,
    OPT_EXTENDED,
    OPT_PIN,
    OPT_PUK,
    OPT_INIT,
    OPT_INIT_CONFIG,
    OPT_PASSPHRASE_FILE,
    OPT_FORCE,
    OPT_CHECK_IMAGE,
    OPT_RELAY_READER,
    OPT_MITM,
    OPT_MRZ,
    OPT_PHOTO,
    OPT_AA_KEY,
    OPT_CSCA_KEY,
    OPT_CSCA_CERT,
    OPT_PARAM,
    OPT_VERSION,
    OPT_UNIMPLEMENTED /* + index into unimplemented[] */
};

/** vicc options we accept but refuse, with what they belong to. */
static const struct {
    const char *name;
    int has_arg;
    int short_opt;
    const char *why;
} unimplemented[] = {
    {"datasetfile", required_argument, 'd', "it feeds the nPA card type"},
    {"ef-cardaccess", required_argument, 0, "it configures the nPA card type"},
    {"ef-cardsecurity", required_argument, 0,
     "it configures the nPA card type"},
    {"cvca", required_argument, 0, "it configures the nPA card type"},
    {"disable-ta-checks", no_argument, 0, "it configures the nPA card type"},
    {"ca-key", required_argument, 0, "it configures the nPA card type"},
    {"esign-cert", required_argument, 0, "it configures the nPA card type"},
    {"esign-ca-cert", required_argument, 0, "it configures the nPA card type"},
};
#define N_UNIMPLEMENTED (sizeof(unimplemented) / sizeof(unimplemented[0]))

static const struct option base_options[] = {
    {"type", required_argument, NULL, 't'},
    {"cards", required_argument, NULL, 'n'},
    {"hostname", required_argument, NULL, 'H'},
    {"port", required_argument, NULL, 'P'},
    {"reversed", no_argument, NULL, 'R'},
    {"bind", required_argument, NULL, OPT_BIND},
    {"verbose", no_argument, NULL, 'v'},
    {"log-file", required_argument, NULL, OPT_LOG_FILE},
    {"control", required_argument, NULL, OPT_CONTROL},
    {"no-reconnect", no_argument, NULL, OPT_NO_RECONNECT},
    {"extended-length", no_argument, NULL, OPT_EXTENDED},
    {"pin", required_argument, NULL, OPT_PIN},
    {"puk", required_argument, NULL, OPT_PUK},
    {"file", required_argument, NULL, 'f'},
    {"init", required_argument, NULL, OPT_INIT},
    {"init-config", required_argument, NULL, OPT_INIT_CONFIG},
    {"passphrase-file", required_argument, NULL, OPT_PASSPHRASE_FILE},
    {"force", no_argument, NULL, OPT_FORCE},
    {"check-image", no_argument, NULL, OPT_CHECK_IMAGE},
    {"reader", required_argument, NULL, OPT_RELAY_READER},
    {"mitm", required_argument, NULL, OPT_MITM},
    {"mrz", required_argument, NULL, OPT_MRZ},
    {"photo", required_argument, NULL, OPT_PHOTO},
    {"aa-key", required_argument, NULL, OPT_AA_KEY},
    {"csca-key", required_argument, NULL, OPT_CSCA_KEY},
    {"csca-cert", required_argument, NULL, OPT_CSCA_CERT},
    {"param", required_argument, NULL, OPT_PARAM},
    {"version", no_argument, NULL, OPT_VERSION},
    {"help", no_argument, NULL, 'h'},
};
#define N_BASE (sizeof(base_options) / sizeof(base_options[0]))

static const char short_options[] = ":t:n:H:P:Rvhf:d:";

static int usage_error(char *err, size_t errlen, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static int usage_error(char *err, size_t errlen, const char *fmt, ...)
{
    va_list ap;
    int n = snprintf(err, errlen, "softcard: ");
    va_start(ap, fmt);
    if (n > 0 && (size_t)n < errlen)
        vsnprintf(err + n, errlen - (size_t)n, fmt, ap);
    va_end(ap);
    return SOFTCARD_EXIT_USAGE;
}

static void build_options(struct option *all)
{
    memcpy(all, base_options, sizeof(base_options));
    for (size_t i = 0; i < N_UNIMPLEMENTED; i++)
        all[N_BASE + i] = (struct option){unimplemented[i].name,
                                          unimplemented[i].has_arg, NULL,
                                          OPT_UNIMPLEMENTED + (int)i};
    all[N_BASE + N_UNIMPLEMENTED] = (struct option){NULL, 0, NULL, 0};
}

/* Parse an unsigned number (decimal or 0x hex, as vpcd parses ports). */
static bool parse_number(const char *s, unsigned long max, unsigned long *out)
{
    char *end;
    if (!s[0] || s[0] == '-' || s[0] == '+')
        return false;
    errno = 0;
    *out = strtoul(s, &end, 0);
    return !errno && !*end && *out <= max;
}

static int refuse_unimplemented(size_t i, char *err, size_t errlen)
{
    return usage_error(err, errlen, "option --%s: not implemented yet (%s; "
                       "run without it)", unimplemented[i].name,
                       unimplemented[i].why);
}

/* The option getopt complained about, for messages: "-t" or "--port". */
static const char *bad_option_text(char **argv, int c, char *buf, size_t cap)
{
    const char *arg = argv[optind - 1];
    bool long_opt = (c == ':' || optopt == 0) && strncmp(arg, "--", 2) == 0;

    if (long_opt) {
        snprintf(buf, cap, "%.*s", (int)strcspn(arg, "="), arg);
        return buf;
    }
    snprintf(buf, cap, "-%c", optopt > 32 && optopt < 127 ? optopt : '?');
    return buf;
}

static int take_type(softcard_opts *o, const char *type, char *err,
                     size_t errlen)
{
    if (o->n_types == SOFTCARD_MAX_CARDS)
        return usage_error(err, errlen, "option -t: more than %d cards "
                           "(run several softcard processes)",
                           SOFTCARD_MAX_CARDS);
    o->types[o->n_types++] = type;
    return SOFTCARD_EXIT_OK;
}

static int take_file(softcard_opts *o, const char *path, char *err,
                     size_t errlen)
{
    if (o->n_files == SOFTCARD_MAX_CARDS)
        return usage_error(err, errlen, "option -f: more than %d images "
                           "(run several softcard processes)",
                           SOFTCARD_MAX_CARDS);
    o->files[o->n_files++] = path;
    return SOFTCARD_EXIT_OK;
}

static int take_cards(softcard_opts *o, const char *arg, char *err,
                      size_t errlen)
{
    unsigned long n;
    if (!parse_number(arg, SOFTCARD_MAX_CARDS, &n) || n == 0)
        return usage_error(err, errlen, "option -n: '%s' is not a number "
                           "of cards (give 1 to %d)", arg,
                           SOFTCARD_MAX_CARDS);
    o->n_cards = (unsigned)n;
    return SOFTCARD_EXIT_OK;
}

static int take_port(softcard_opts *o, const char *arg, char *err,
                     size_t errlen)
{
    unsigned long p;
    if (!parse_number(arg, 65535, &p))
        return usage_error(err, errlen, "option -P: '%s' is not a port "
                           "(give 0 to 65535, e.g. 35963 or 0x8C7B)", arg);
    o->port = (uint16_t)p;
    return SOFTCARD_EXIT_OK;
}

/* A card-type parameter; a key given again replaces the earlier value. */
static int take_param(softcard_opts *o, const char *key, size_t key_len,
                      const char *value, char *err, size_t errlen)
{
    size_t i = 0;
    if (key_len == 0 || key_len >= SOFTCARD_PARAM_KEY_MAX)
        return usage_error(err, errlen, "option --param: '%.*s' is not a "
                           "parameter name (give KEY=VALUE)", (int)key_len,
                           key);
    while (i < o->n_params && (strlen(o->param_keys[i]) != key_len ||
                               strncmp(o->param_keys[i], key, key_len) != 0))
        i++;
    if (i == SOFTCARD_MAX_PARAMS)
        return usage_error(err, errlen, "option --param: more than %d card "
                           "parameters (use a configuration file)",
                           SOFTCARD_MAX_PARAMS);
    memcpy(o->param_keys[i], key, key_len);
    o->param_keys[i][key_len] = '\0';
    o->params[i] = (sfc_param){o->param_keys[i], value};
    if (i == o->n_params)
        o->n_params++;
    return SOFTCARD_EXIT_OK;
}

/* --param KEY=VALUE */
static int take_param_arg(softcard_opts *o, const char *arg, char *err,
                          size_t errlen)
{
    const char *eq = strchr(arg, '=');
    if (!eq)
        return usage_error(err, errlen, "option --param: '%s' has no '=' "
                           "(give KEY=VALUE, e.g. --param surname=DOE)", arg);
    return take_param(o, arg, (size_t)(eq - arg), eq + 1, err, errlen);
}

/* A parameter option such as --mrz: its name is the parameter's. */
static int take_named_param(softcard_opts *o, const char *name,
                            char *err, size_t errlen)
{
    return take_param(o, name, strlen(name), optarg, err, errlen);
}

/* Handle one option returned by getopt_long. */
static int take_option(softcard_opts *o, int c, char **argv, char *err,
                       size_t errlen)
{
    char buf[64];

    switch (c) {
    case 't': return take_type(o, optarg, err, errlen);
    case 'n': return take_cards(o, optarg, err, errlen);
    case 'P': return take_port(o, optarg, err, errlen);
    case 'H': o->hostname = optarg; break;
    case 'R': o->reversed = true; break;
    case 'v': o->verbose++; break;
    case 'h': o->help = true; break;
    case OPT_VERSION: o->version = true; break;
    case OPT_BIND: o->bind = optarg; break;
    case OPT_LOG_FILE: o->log_file = optarg; break;
    case OPT_CONTROL: o->control = optarg; break;
    case OPT_NO_RECONNECT: o->reconnect = false; break;
    case OPT_EXTENDED: o->extended_length = true; break;
    case OPT_PIN: o->pin = optarg; break;
    case OPT_PUK: o->puk = optarg; break;
    case 'f': return take_file(o, optarg, err, errlen);
    case OPT_INIT: o->init_type = optarg; break;
    case OPT_INIT_CONFIG: o->init_config = optarg; break;
    case OPT_PASSPHRASE_FILE: o->passphrase_file = optarg; break;
    case OPT_FORCE: o->force = true; break;
    case OPT_CHECK_IMAGE: o->check_image = true; break;
    case OPT_RELAY_READER: o->relay_reader = optarg; break;
    case OPT_MITM: o->mitm = optarg; break;
    case OPT_MRZ: return take_named_param(o, "mrz", err, errlen);
    case OPT_PHOTO: return take_named_param(o, "photo", err, errlen);
    case OPT_AA_KEY: return take_named_param(o, "aa-key", err, errlen);
    case OPT_CSCA_KEY: return take_named_param(o, "csca-key", err, errlen);
    case OPT_CSCA_CERT: return take_named_param(o, "csca-cert", err, errlen);
    case OPT_PARAM: return take_param_arg(o, optarg, err, errlen);
    case 'd': return refuse_unimplemented(0, err, errlen);
    case ':':
        return usage_error(err, errlen, "option %s: needs an argument (see "
                           "softcard --help)",
                           bad_option_text(argv, c, buf, sizeof(buf)));
    case '?':
        return usage_error(err, errlen, "option %s: unknown (see softcard "
                           "--help)", bad_option_text(argv, c, buf, sizeof(buf)));
    default:
        if (c >= OPT_UNIMPLEMENTED &&
            c < OPT_UNIMPLEMENTED + (int)N_UNIMPLEMENTED)
            return refuse_unimplemented((size_t)(c - OPT_UNIMPLEMENTED), err,
                                        errlen);
        return usage_error(err, errlen, "option parsing failed (internal)");
    }
    return SOFTCARD_EXIT_OK;
}

/* --init / --init-config: one image to create from options or a file. */
static int check_init(const softcard_opts *o, bool n_given, char *err,
                      size_t errlen)
{
    const char *opt = o->init_type ? "--init" : "--init-config";
    if (o->init_type && o->init_config)
        return usage_error(err, errlen, "options --init and --init-config: "
                           "give one of them");
    if (o->n_files != 1)
        return usage_error(err, errlen, "option %s: needs exactly one -f "
                           "IMAGE (the image to create)", opt);
    if (o->n_types || n_given || o->check_image)
        return usage_error(err, errlen, "option %s: creates one image and "
                           "exits (leave out %s)", opt,
                           o->n_types ? "-t; the type is the --init argument"
                           : n_given ? "-n" : "--check-image");
    return SOFTCARD_EXIT_OK;
}

/* -f without --init: run (or check) the cards the images hold. */
static int check_images(softcard_opts *o, bool n_given, char *err,
                        size_t errlen)
{
    const char *opt = o->pin ? "--pin" : o->puk ? "--puk"
                      : o->extended_length ? "--extended-length"
                      : o->n_params ? "--param (or --mrz, --photo, ...)" : NULL;
    if (opt)
        return usage_error(err, errlen, "option %s: the image decides (set "
                           "it when creating the image with --init)", opt);
    if (n_given && o->n_cards != o->n_files)
        return usage_error(err, errlen, "option -n %u: does not match the "
                           "%zu images given with -f", o->n_cards,
                           o->n_files);
    if (o->n_types > 1 && o->n_types != o->n_files)
        return usage_error(err, errlen, "option -t: %zu types for %zu images "
                           "(give one -t for all images, one per -f, or "
                           "none)", o->n_types, o->n_files);
    return SOFTCARD_EXIT_OK;
}

/* The image options, before the checks of the running cards. */
static int check_image_options(softcard_opts *o, bool n_given, char *err,
                               size_t errlen)
{
    bool init = o->init_type || o->init_config;
    if (o->force && !init)
        return usage_error(err, errlen, "option --force: only used with "
                           "--init or --init-config");
    if (o->passphrase_file && !o->n_files)
        return usage_error(err, errlen, "option --passphrase-file: only used "
                           "with -f IMAGE");
    if (o->check_image && !o->n_files)
        return usage_error(err, errlen, "option --check-image: give the "
                           "images with -f IMAGE");
    if (init)
        return check_init(o, n_given, err, errlen);
    return o->n_files ? check_images(o, n_given, err, errlen)
                      : SOFTCARD_EXIT_OK;
}

/* --reader and --mitm configure relay cards; without one they are a slip. */
static int check_relay(const softcard_opts *o, char *err, size_t errlen)
{
    const char *opt = o->relay_reader ? "--reader" : o->mitm ? "--mitm" : NULL;
    bool relay = false;
    for (size_t i = 0; i < o->n_types; i++)
        relay = relay || strcmp(o->types[i], "relay") == 0;
    if (opt && !relay)
        return usage_error(err, errlen, "option %s: only used by the relay "
                           "card type (add -t relay)", opt);
    return SOFTCARD_EXIT_OK;
}

/* Checks that need all options: card count, port range, mode options. */
static int check_combination(softcard_opts *o, bool n_given, char *err,
                             size_t errlen)
{
    int rc = check_image_options(o, n_given, err, errlen);
    if (rc != SOFTCARD_EXIT_OK)
        return rc;
    if (o->n_files) {
        n_given = true; /* the images give the number of cards */
        o->n_cards = (unsigned)o->n_files;
    }
    if (n_given && o->n_types > 1 && o->n_cards != o->n_types)
        return usage_error(err, errlen, "option -n %u: does not match the "
                           "%zu card types given with -t (give one -t for N "
                           "cards of one type, or one -t per card)",
                           o->n_cards, o->n_types);
    if (!n_given)
        o->n_cards = o->n_types > 0 ? (unsigned)o->n_types : 1;
    if (o->port == 0 && !o->reversed)
        return usage_error(err, errlen, "option -P 0: vpcd has no port 0 "
                           "(port 0 picks a free port in reversed mode only)");
    if (o->port != 0 && (unsigned long)o->port + o->n_cards - 1 > 65535)
        return usage_error(err, errlen, "ports %u..%lu: beyond 65535 (choose "
                           "a lower -P or fewer cards)", (unsigned)o->port,
                           (unsigned long)o->port + o->n_cards - 1);
    if (o->bind && !o->reversed)
        return usage_error(err, errlen, "option --bind: only used in reversed "
                           "mode (add -R, or give the vpcd host with -H)");
    return check_relay(o, err, errlen);
}

static void set_defaults(softcard_opts *o)
{
    memset(o, 0, sizeof(*o));
    o->hostname = "localhost";
    o->port = VPCD_DEFAULT_PORT;
    o->reconnect = true;
}

int softcard_parse(int argc, char **argv, softcard_opts *o, char *err,
                   size_t errlen)
{
    struct option all[N_BASE + N_UNIMPLEMENTED + 1];
    bool n_given = false;
    int c;

    set_defaults(o);
    err[0] = '\0';
    build_options(all);
    optind = 0; /* full re-initialisation (glibc) */
    opterr = 0;
    while ((c = getopt_long(argc, argv, short_options, all, NULL)) != -1) {
        int rc = take_option(o, c, argv, err, errlen);
        if (rc != SOFTCARD_EXIT_OK)
            return rc;
        n_given |= c == 'n';
    }
    if (o->help || o->version)
        return SOFTCARD_EXIT_OK;
    if (optind < argc)
        return usage_error(err, errlen, "argument '%s': unexpected (options "
                           "only; see softcard --help)", argv[optind]);
    return check_combination(o, n_given, err, errlen);
}

const char *softcard_card_type(const softcard_opts *o, size_t i)
{
    if (o->n_types == 0)
        return "iso7816";
    if (o->n_types == 1)
        return o->types[0];
    return i < o->n_types ? o->types[i] : o->types[o->n_types - 1];
}

sfc_log_level softcard_log_level(int verbose)
{
    static const sfc_log_level levels[] = {SFC_LOG_ERROR, SFC_LOG_WARN,
                                          SFC_LOG_INFO, SFC_LOG_APDU,
                                          SFC_LOG_DEBUG};
    if (verbose < 0)
        verbose = 0;
    if (verbose > 4)
        verbose = 4;
    return levels[verbose];
}

static const char help_text[] =
    "Usage: softcard [OPTION]...\n"
    "Run virtual smart cards for vsmartcard's vpcd reader driver (pcscd).\n"
    "\n"
    "Cards:\n"
    "  -t, --type TYPE       card type (default iso7816); repeat for one\n"
    "                        card per -t, on consecutive ports\n"
    "  -n, --cards N         run N cards (with one -t: all of that type)\n"
    "      --pin PIN         card PIN (card types that have one)\n"
    "      --puk PUK         card PUK / reset code\n"
    "      --extended-length allow extended-length APDUs\n"
    "      --reader R        relay: the far reader (index, name or unique\n"
    "                        part of it; default 0)\n"
    "      --mitm PLUGIN.so  relay: man-in-the-middle plugin that sees and\n"
    "                        may rewrite every APDU (softcard_mitm.h)\n"
    "      --mrz MRZ         ePass: the machine readable zone, lines joined\n"
    "      --photo FILE      ePass: JPEG or JPEG 2000 face image (DG2)\n"
    "      --aa-key FILE     ePass: Active Authentication key (PEM)\n"
    "      --csca-key FILE, --csca-cert FILE\n"
    "                        ePass: the test CSCA that signs (PEM)\n"
    "      --param KEY=VALUE any card-type parameter, repeatable (e.g.\n"
    "                        surname=DOE; docs/epass.md lists ePass's)\n"
    "\n"
    "Card images (persistent cards, see docs/card-image.md):\n"
    "  -f, --file IMAGE      run the card saved in IMAGE; every change is\n"
    "                        saved before the card answers; repeat for\n"
    "                        several cards (-t, if given, must match)\n"
    "      --init TYPE       create a new image -f IMAGE of TYPE (with\n"
    "                        --pin, --puk, --extended-length, --param) and\n"
    "                        exit\n"
    "      --init-config F   the same from a JSON file {\"type\", \"params\"}\n"
    "      --force           let --init replace an existing image\n"
    "      --passphrase-file F  encrypt (--init) or open an encrypted image\n"
    "                        with the passphrase in F (else the environment\n"
    "                        variable SOFTCARD_PASSPHRASE, if set)\n"
    "      --check-image     load the -f images, report, and exit\n"
    "\n"
    "Connection (card i uses PORT+i = reader slot i):\n"
    "  -H, --hostname HOST   vpcd host in normal mode (default localhost)\n"
    "  -P, --port PORT       port of card 0 (default 35963)\n"
    "  -R, --reversed        listen for vpcd instead of connecting to it,\n"
    "                        print a vicc:// URL and QR code\n"
    "      --bind ADDR       reversed mode listen address (default\n"
    "                        127.0.0.1; 0.0.0.0 or :: for all interfaces)\n"
    "      --no-reconnect    exit with status 1 when vpcd is absent or gone\n"
    "                        (default: retry with back-off up to 1 s)\n"
    "\n"
    "Control and logging:\n"
    "      --control PATH    unix socket taking 'status', 'insert N|all',\n"
    "                        'remove N|all'\n"
    "  -v, --verbose         -v warnings, -vv connections and power,\n"
    "                        -vvv APDUs (PINs masked), -vvvv frames\n"
    "      --log-file FILE   log there instead of stderr\n"
    "  -h, --help            show this help and exit\n"
    "      --version         show the version and exit\n"
    "\n"
    "Signals: SIGINT/SIGTERM stop, SIGUSR1 removes all cards, SIGUSR2\n"
    "inserts them again. Exit status: 0 stopped, 1 failure, 2 usage error.\n"
    "\n"
    "Card types:\n";

void softcard_print_help(FILE *f)
{
    const char *const *names = sfc_card_type_names();

    fputs(help_text, f);
    for (size_t i = 0; names && names[i]; i++) {
        const char *d = sfc_card_type_description(names[i]);
        fprintf(f, "  %-14s %s\n", names[i], d ? d : "");
    }
}
