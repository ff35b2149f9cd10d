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
#include "cardtypes/cardtypes.h"
#include "core/errtext.h"
#include "vpcd/frame.h"

enum long_only {
    OPT_BIND = 256,
    OPT_LOG_FILE,
    OPT_CONTROL,
    OPT_NO_RECONNECT,
    OPT_EXTENDED,
    OPT_INIT,
    OPT_INIT_CONFIG,
    OPT_PASSPHRASE_FILE,
    OPT_FORCE,
    OPT_CHECK_IMAGE,
    OPT_PLUGIN,
    OPT_PARAM,
    OPT_PARAM_FILE,
    OPT_PIN_FILE,
    OPT_PUK_FILE,
    OPT_VERSION,
    OPT_TYPE_PARAM /* + index into param_options[] */
};

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
    {"file", required_argument, NULL, 'f'},
    {"init", required_argument, NULL, OPT_INIT},
    {"init-config", required_argument, NULL, OPT_INIT_CONFIG},
    {"passphrase-file", required_argument, NULL, OPT_PASSPHRASE_FILE},
    {"force", no_argument, NULL, OPT_FORCE},
    {"check-image", no_argument, NULL, OPT_CHECK_IMAGE},
    {"plugin", required_argument, NULL, OPT_PLUGIN},
    {"param", required_argument, NULL, OPT_PARAM},
    {"param-file", required_argument, NULL, OPT_PARAM_FILE},
    {"pin-file", required_argument, NULL, OPT_PIN_FILE},
    {"puk-file", required_argument, NULL, OPT_PUK_FILE},
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
        sfc_verrf(err + n, errlen - (size_t)n, fmt, ap);
    va_end(ap);
    return SOFTCARD_EXIT_USAGE;
}

/* ---- options from the card types' declared parameters ------------------- */

/* Every parameter some known card type declares is also an option --NAME
 * (the first declaration decides whether it takes a value); one table for
 * all types, so the command line has no per-type special cases. */
#define MAX_PARAM_OPTIONS 128
static const sfc_param_def *param_options[MAX_PARAM_OPTIONS];
static size_t n_param_options;

static bool is_base_option(const char *name)
{
    for (size_t i = 0; i < N_BASE; i++)
        if (strcmp(base_options[i].name, name) == 0)
            return true;
    return false;
}

static bool listed(const char *name)
{
    for (size_t i = 0; i < n_param_options; i++)
        if (strcmp(param_options[i]->name, name) == 0)
            return true;
    return false;
}

static void collect_param_options(void)
{
    const sfc_card_type *const *types = sfc_card_type_list();
    n_param_options = 0;
    for (size_t t = 0; types[t]; t++)
        for (const sfc_param_def *d = types[t]->params; d && d->name; d++)
            if (!is_base_option(d->name) && !listed(d->name) &&
                n_param_options < MAX_PARAM_OPTIONS)
                param_options[n_param_options++] = d;
}

/* A declared parameter without a value name is a flag (--disable-ta-checks). */
static bool is_flag(const sfc_param_def *d)
{
    return !d->value_name || !d->value_name[0];
}

static void build_options(struct option *all)
{
    collect_param_options();
    memcpy(all, base_options, sizeof(base_options));
    for (size_t i = 0; i < n_param_options; i++)
        all[N_BASE + i] = (struct option){
            param_options[i]->name,
            is_flag(param_options[i]) ? no_argument : required_argument, NULL,
            OPT_TYPE_PARAM + (int)i};
    all[N_BASE + n_param_options] = (struct option){NULL, 0, NULL, 0};
}

/* ---- plugins ---------------------------------------------------------------- */

/* A -t argument naming a shared object rather than a built-in type. */
static bool names_plugin(const char *arg)
{
    size_t n = strlen(arg);
    return strchr(arg, '/') || (n > 3 && strcmp(arg + n - 3, ".so") == 0);
}

#define MAX_PLUGINS 16
static struct {
    const char *path;
    const char *type;
} plugins[MAX_PLUGINS];
static size_t n_plugins;

static const char *plugin_type(const char *path)
{
    for (size_t i = 0; i < n_plugins; i++)
        if (strcmp(plugins[i].path, path) == 0)
            return plugins[i].type;
    return NULL;
}

/* Load a plugin once per process; failures are exit status 1. */
static int load_plugin(const char *path, char *err, size_t errlen)
{
    const char *name = NULL;
    char why[512];
    if (plugin_type(path))
        return SOFTCARD_EXIT_OK;
    if (n_plugins == MAX_PLUGINS) {
        usage_error(err, errlen, "%s: more than %d plugins", path,
                    MAX_PLUGINS);
        return SOFTCARD_EXIT_FAILURE;
    }
    if (sfc_card_type_load(path, &name, why, sizeof(why)) != SFC_OK) {
        usage_error(err, errlen, "%s", why);
        return SOFTCARD_EXIT_FAILURE;
    }
    plugins[n_plugins].path = path;
    plugins[n_plugins++].type = name;
    return SOFTCARD_EXIT_OK;
}

/* The value of option `opt` (short -X or long --NAME) at argv[*i], or NULL. */
static const char *option_value(int argc, char **argv, int *i, char short_opt,
                                const char *long_opt)
{
    const char *a = argv[*i];
    size_t n = strlen(long_opt);
    if ((a[0] == '-' && a[1] == short_opt && short_opt) ||
        (strncmp(a, "--", 2) == 0 && strncmp(a + 2, long_opt, n) == 0 &&
         (a[2 + n] == '=' || !a[2 + n]))) {
        const char *v = a[1] == '-' ? strchr(a, '=') : (a[2] ? a + 1 : NULL);
        if (v)
            return v + 1;
        return *i + 1 < argc ? argv[++*i] : NULL;
    }
    return NULL;
}

/* Before the options are parsed (plugins declare options of their own):
 * load every --plugin PATH and every -t PATH.so. */
static int load_plugins(int argc, char **argv, char *err, size_t errlen)
{
    for (int i = 1; i < argc && strcmp(argv[i], "--") != 0; i++) {
        const char *t = option_value(argc, argv, &i, 't', "type");
        if (!t)
            t = option_value(argc, argv, &i, 0, "init");
        const char *p = t ? NULL : option_value(argc, argv, &i, 0, "plugin");
        int rc = SOFTCARD_EXIT_OK;
        if (p || (t && names_plugin(t)))
            rc = load_plugin(p ? p : t, err, errlen);
        if (rc != SOFTCARD_EXIT_OK)
            return rc;
    }
    return SOFTCARD_EXIT_OK;
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
    const char *loaded = plugin_type(type);
    o->types[o->n_types++] = loaded ? loaded : type;
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

/* The slot of parameter `key` (a key given again replaces its value). */
static int param_slot(softcard_opts *o, const char *key, size_t key_len,
                      size_t *slot, char *err, size_t errlen)
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
    o->params[i].key = o->param_keys[i];
    if (i == o->n_params)
        o->n_params++;
    *slot = i;
    return SOFTCARD_EXIT_OK;
}

static int take_param(softcard_opts *o, const char *key, size_t key_len,
                      const char *value, char *err, size_t errlen)
{
    size_t i = 0;
    int rc = param_slot(o, key, key_len, &i, err, errlen);
    if (rc == SOFTCARD_EXIT_OK)
        o->params[i].value = value;
    return rc;
}

/* A parameter whose value is the first line of a file (a secret kept off
 * the command line, where /proc/PID/cmdline shows it to every user). */
static int take_param_file(softcard_opts *o, const char *opt, const char *key,
                           size_t key_len, const char *path, char *err,
                           size_t errlen)
{
    size_t i = 0;
    int rc = param_slot(o, key, key_len, &i, err, errlen);
    if (rc != SOFTCARD_EXIT_OK)
        return rc;
    o->params[i].value = o->param_vals[i];
    return softcard_secret_file(opt, path, o->param_vals[i], err, errlen);
}

/* --param-file KEY=FILE */
static int take_param_file_arg(softcard_opts *o, const char *arg, char *err,
                               size_t errlen)
{
    const char *eq = strchr(arg, '=');
    if (!eq)
        return usage_error(err, errlen, "option --param-file: '%s' has no "
                           "'=' (give NAME=FILE, e.g. --param-file "
                           "secret=card.key)", arg);
    return take_param_file(o, "param-file", arg, (size_t)(eq - arg), eq + 1,
                           err, errlen);
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
static int take_named_param(softcard_opts *o, const sfc_param_def *d,
                            char *err, size_t errlen)
{
    const char *value = is_flag(d) ? "yes" : optarg;
    return take_param(o, d->name, strlen(d->name), value, err, errlen);
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
    case OPT_PLUGIN: break; /* loaded before parsing */
    case 'f': return take_file(o, optarg, err, errlen);
    case OPT_INIT:
        o->init_type = plugin_type(optarg) ? plugin_type(optarg) : optarg;
        break;
    case OPT_INIT_CONFIG: o->init_config = optarg; break;
    case OPT_PASSPHRASE_FILE: o->passphrase_file = optarg; break;
    case OPT_FORCE: o->force = true; break;
    case OPT_CHECK_IMAGE: o->check_image = true; break;
    case OPT_PARAM: return take_param_arg(o, optarg, err, errlen);
    case OPT_PARAM_FILE: return take_param_file_arg(o, optarg, err, errlen);
    case OPT_PIN_FILE:
        return take_param_file(o, "pin-file", "pin", 3, optarg, err, errlen);
    case OPT_PUK_FILE:
        return take_param_file(o, "puk-file", "puk", 3, optarg, err, errlen);
    case 'd': /* vicc's short option for the nPA's --datasetfile */
        return take_param(o, "datasetfile", 11, optarg, err, errlen);
    case ':':
        return usage_error(err, errlen, "option %s: needs an argument (see "
                           "softcard --help)",
                           bad_option_text(argv, c, buf, sizeof(buf)));
    case '?':
        return usage_error(err, errlen, "option %s: unknown (see softcard "
                           "--help)", bad_option_text(argv, c, buf, sizeof(buf)));
    default:
        if (c >= OPT_TYPE_PARAM &&
            c < OPT_TYPE_PARAM + (int)n_param_options)
            return take_named_param(o, param_options[c - OPT_TYPE_PARAM],
                                    err, errlen);
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
    if (o->extended_length || o->n_params)
        return usage_error(err, errlen, "option --%s: the image decides (set "
                           "it when creating the image with --init)",
                           o->extended_length ? "extended-length"
                                              : o->params[0].key);
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

/* The card types the options are for: -t, --init, or the default. */
static bool declared_by_a_type(const softcard_opts *o, const char *key)
{
    const char *init = o->init_type;
    if (o->init_config) /* the file names the type; the card checks */
        return true;
    if (init || o->n_types == 0) {
        const sfc_card_type *t = sfc_card_type_find(init ? init : "iso7816");
        return !t || sfc_param_def_of(t, key); /* unknown: said later */
    }
    for (size_t i = 0; i < o->n_types; i++) {
        const sfc_card_type *t = sfc_card_type_find(o->types[i]);
        if (!t || sfc_param_def_of(t, key))
            return true;
    }
    return false;
}

/* The first known type that declares `key`, for the hint. */
static const char *type_declaring(const char *key)
{
    const sfc_card_type *const *types = sfc_card_type_list();
    for (size_t i = 0; types[i]; i++)
        if (sfc_param_def_of(types[i], key))
            return types[i]->name;
    return NULL;
}

/* Every card-type parameter must be one that a card given takes. */
static int check_params(const softcard_opts *o, char *err, size_t errlen)
{
    for (size_t i = 0; i < o->n_params; i++) {
        const char *key = o->params[i].key;
        if (declared_by_a_type(o, key))
            continue;
        const char *owner = type_declaring(key);
        return usage_error(err, errlen, "option --%s: no card type given "
                           "takes it (%s%s; softcard --help lists the "
                           "parameters of each type)", key,
                           owner ? owner : "none does",
                           owner ? " does" : "");
    }
    return SOFTCARD_EXIT_OK;
}

static bool given(const softcard_opts *o, const char *key)
{
    for (size_t i = 0; i < o->n_params; i++)
        if (strcmp(o->params[i].key, key) == 0)
            return true;
    return false;
}

/* One secret parameter from SOFTCARD_PARAM_<NAME>, if set. */
static int take_param_env(softcard_opts *o, const char *key, char *err,
                          size_t errlen)
{
    char var[SOFTCARD_PARAM_KEY_MAX + 16];
    size_t i = 0;
    softcard_secret_env_name(key, var, sizeof(var));
    const char *v = getenv(var);
    if (!v || !v[0] || given(o, key) || !declared_by_a_type(o, key))
        return SOFTCARD_EXIT_OK;
    if (strlen(v) >= SOFTCARD_SECRET_MAX)
        return usage_error(err, errlen, "%s: longer than %d bytes", var,
                           SOFTCARD_SECRET_MAX - 1);
    int rc = param_slot(o, key, strlen(key), &i, err, errlen);
    if (rc == SOFTCARD_EXIT_OK) {
        memcpy(o->param_vals[i], v, strlen(v) + 1);
        o->params[i].value = o->param_vals[i];
    }
    return rc;
}

/* Secret parameters not on the command line, from the environment; only
 * for new cards (an image keeps its own). */
static int take_env_params(softcard_opts *o, char *err, size_t errlen)
{
    if ((o->n_files && !o->init_type) || o->init_config)
        return SOFTCARD_EXIT_OK;
    for (size_t i = 0; i < n_param_options; i++) {
        const sfc_param_def *d = param_options[i];
        int rc = (d->flags & SFC_PARAM_SECRET) && !is_flag(d)
                     ? take_param_env(o, d->name, err, errlen)
                     : SOFTCARD_EXIT_OK;
        if (rc != SOFTCARD_EXIT_OK)
            return rc;
    }
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
    return check_params(o, err, errlen);
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
    struct option all[N_BASE + MAX_PARAM_OPTIONS + 1];
    bool n_given = false;
    int c;

    set_defaults(o);
    err[0] = '\0';
    int rc = load_plugins(argc, argv, err, errlen);
    if (rc != SOFTCARD_EXIT_OK)
        return rc;
    build_options(all);
    optind = 0; /* full re-initialisation (glibc) */
    opterr = 0;
    while ((c = getopt_long(argc, argv, short_options, all, NULL)) != -1) {
        rc = take_option(o, c, argv, err, errlen);
        if (rc != SOFTCARD_EXIT_OK)
            return rc;
        n_given |= c == 'n';
    }
    if (o->help || o->version)
        return SOFTCARD_EXIT_OK;
    if (optind < argc)
        return usage_error(err, errlen, "argument '%s': unexpected (options "
                           "only; see softcard --help)", argv[optind]);
    rc = take_env_params(o, err, errlen);
    if (rc != SOFTCARD_EXIT_OK)
        return rc;
    return check_combination(o, n_given, err, errlen);
}

const char *softcard_type_of_card(const softcard_opts *o, size_t i)
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
    "  -t, --type PATH.so    a card type from a plugin (built against\n"
    "                        softcard-cardtype.h; docs/writing-a-card-type.md)\n"
    "      --plugin PATH.so  load a plugin's card type (for -f and --init)\n"
    "  -n, --cards N         run N cards (with one -t: all of that type)\n"
    "      --extended-length allow extended-length APDUs\n"
    "      --NAME VALUE      a parameter of the card type (listed below,\n"
    "                        e.g. --pin 123456); each card gets those of\n"
    "                        its type\n"
    "      --param NAME=VALUE  the same, repeatable\n"
    "      --param-file NAME=F  the same, the value being the first line of\n"
    "                        F: secrets on the command line are visible to\n"
    "                        every local user (/proc/PID/cmdline); the\n"
    "                        environment variable SOFTCARD_PARAM_NAME (upper\n"
    "                        case, - as _) gives a secret parameter too\n"
    "      --pin-file F      the same as --param-file pin=F\n"
    "      --puk-file F      the same as --param-file puk=F\n"
    "\n"
    "Card images (persistent cards, see docs/card-image.md):\n"
    "  -f, --file IMAGE      run the card saved in IMAGE; every change is\n"
    "                        saved before the card answers; repeat for\n"
    "                        several cards (-t, if given, must match)\n"
    "      --init TYPE       create a new image -f IMAGE of TYPE (with its\n"
    "                        parameters and --extended-length) and exit\n"
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
    "Card types and their parameters:\n";

static void print_param(FILE *f, const sfc_param_def *d)
{
    char opt[64];
    snprintf(opt, sizeof(opt), "--%s%s%s", d->name, is_flag(d) ? "" : " ",
             is_flag(d) ? "" : d->value_name);
    const char *help = d->help ? d->help : "";
    const char *secret = (d->flags & SFC_PARAM_SECRET) ? " (secret)" : "";
    if (strlen(opt) > 22)
        fprintf(f, "      %s\n      %-22s %s%s\n", opt, "", help, secret);
    else
        fprintf(f, "      %-22s %s%s\n", opt, help, secret);
}

void softcard_print_help(FILE *f)
{
    const sfc_card_type *const *types = sfc_card_type_list();

    fputs(help_text, f);
    for (size_t i = 0; types[i]; i++) {
        fprintf(f, "  %-14s %s\n", types[i]->name,
                types[i]->description ? types[i]->description : "");
        for (const sfc_param_def *d = types[i]->params; d && d->name; d++)
            print_param(f, d);
    }
}
