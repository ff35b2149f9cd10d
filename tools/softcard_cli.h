/* SPDX-License-Identifier: LGPL-2.1-or-later */
/**
 * @file softcard_cli.h
 * @brief The softcard command line: options parsed into a struct, help and
 *        version texts. Kept apart from main() so that tests can drive it.
 */
#ifndef SOFTCARD_CLI_H
#define SOFTCARD_CLI_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "softcard.h"
#include "core/log.h"
#include "softcard_secrets.h"

/** Most cards one process serves. */
#define SOFTCARD_MAX_CARDS 256
/** Most card-type parameters (--mrz, --param, ...) and the longest key. */
#define SOFTCARD_MAX_PARAMS 32
#define SOFTCARD_PARAM_KEY_MAX 32
/** Exit statuses. */
enum { SOFTCARD_EXIT_OK = 0, SOFTCARD_EXIT_FAILURE = 1, SOFTCARD_EXIT_USAGE = 2 };

typedef struct softcard_opts {
    const char *types[SOFTCARD_MAX_CARDS]; /**< one per -t, in order */
    size_t n_types;
    unsigned n_cards;     /**< cards to run (from -n, -t or 1) */
    const char *hostname; /**< vpcd host, normal mode */
    uint16_t port;        /**< port of card 0; card i uses port + i */
    bool reversed;
    const char *bind;     /**< listen address, reversed mode */
    int verbose;          /**< number of -v */
    const char *log_file;
    const char *control;  /**< control socket path */
    bool reconnect;
    bool extended_length;
    /* card images (docs/card-image.md) */
    const char *files[SOFTCARD_MAX_CARDS]; /**< one per -f, in order */
    size_t n_files;
    const char *init_type;       /**< --init TYPE: create the -f image */
    const char *init_config;     /**< --init-config FILE: the same */
    const char *passphrase_file; /**< else SOFTCARD_PASSPHRASE, if set */
    bool force;                  /**< --init: replace an existing image */
    bool check_image;            /**< --check-image: load the -f images */
    /* card-type parameters: --NAME VALUE for any parameter a card type
     * declares, and --param NAME=VALUE */
    sfc_param params[SOFTCARD_MAX_PARAMS];
    size_t n_params;
    char param_keys[SOFTCARD_MAX_PARAMS][SOFTCARD_PARAM_KEY_MAX];
    /** values read from --pin-file, --param-file, SOFTCARD_PARAM_* */
    char param_vals[SOFTCARD_MAX_PARAMS][SOFTCARD_SECRET_MAX];
    bool help;
    bool version;
} softcard_opts;

/**
 * Parse argv. First loads the plugins it names (--plugin PATH, -t PATH.so),
 * whose card types may declare options. Returns SOFTCARD_EXIT_OK with `o`
 * filled (check o->help and o->version first), SOFTCARD_EXIT_FAILURE when
 * a plugin cannot be loaded, or SOFTCARD_EXIT_USAGE; errors are one line
 * "softcard: <what>: <cause> (<hint>)" in `err`. Strings in `o` point into
 * argv. Resets getopt, so it may be called repeatedly.
 */
int softcard_parse(int argc, char **argv, softcard_opts *o, char *err,
                   size_t errlen);

/** Card type of card `i` (the -t for it, the single -t, or "iso7816"). */
const char *softcard_type_of_card(const softcard_opts *o, size_t i);

/** Log level for a -v count: 0 errors, 1 warnings, ... 4+ debug. */
sfc_log_level softcard_log_level(int verbose);

void softcard_print_help(FILE *f);

#endif
