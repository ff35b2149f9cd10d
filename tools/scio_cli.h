/* SPDX-License-Identifier: LGPL-2.1-or-later */
/**
 * @file scio_cli.h
 * @brief The scio command: options, exit codes and the command functions.
 *
 * scio_cli.c parses the command line into scio_opts; scio.c makes the
 * context and dispatches; scio_cmds.c (list, wait, atr, send),
 * scio_script.c (script) and scio_watch.c (watch) do the work and print.
 */
#ifndef SCIO_CLI_H
#define SCIO_CLI_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "scio.h"

/** Exit codes: what failed. */
enum scio_exit {
    SCIO_EXIT_OK = 0,
    SCIO_EXIT_FAILURE = 1,   /**< anything else */
    SCIO_EXIT_USAGE = 2,     /**< bad command line or script syntax */
    SCIO_EXIT_NO_SERVICE = 3,/**< pcscd not running / ports in use */
    SCIO_EXIT_NO_READER = 4, /**< no such reader, or no reader at all */
    SCIO_EXIT_NO_CARD = 5,   /**< no card (in time) */
    SCIO_EXIT_CARD = 6,      /**< talking to the card failed */
    SCIO_EXIT_MISMATCH = 7,  /**< script: unexpected response */
    SCIO_EXIT_CANCELLED = 8  /**< interrupted (SIGINT/SIGTERM) */
};

#define SCIO_MAX_SLOTS 16
#define SCIO_MAX_ARGS 64

typedef enum scio_command {
    SCIO_CMD_NONE,
    SCIO_CMD_LIST,
    SCIO_CMD_WAIT,
    SCIO_CMD_ATR,
    SCIO_CMD_SEND,
    SCIO_CMD_SCRIPT,
    SCIO_CMD_WATCH
} scio_command;

typedef struct scio_opts {
    scio_command cmd;
    const char *args[SCIO_MAX_ARGS]; /**< APDUs (send) or the file (script) */
    size_t n_args;
    scio_backend backend;
    scio_direct_slot slots[SCIO_MAX_SLOTS];
    char slot_hosts[SCIO_MAX_SLOTS][256];
    size_t n_slots;
    const char *reader;      /**< -r: name, substring or index */
    int timeout_ms;          /**< -t; SCIO_TIMEOUT_INFINITE for "inf" */
    bool new_card;           /**< -n */
    unsigned protocols;      /**< -p */
    scio_share share;        /**< -x: exclusive */
    scio_disposition disposition; /**< -d */
    bool t0;                 /**< -T */
    bool verbose;            /**< -v */
    long count;              /**< watch -c: stop after this many events */
    bool help;
    bool version;
} scio_opts;

/**
 * Parse argv into `o`. Returns SCIO_EXIT_OK or SCIO_EXIT_USAGE with a one
 * line "scio: <what>: <cause> (<hint>)" in `err`.
 */
int scio_parse(int argc, char **argv, scio_opts *o, char *err, size_t errlen);

void scio_print_help(FILE *f);

/** Exit code for a library status. */
int scio_exit_code(scio_status st);

/** Print "scio: <what>: <reason>" to stderr and return the exit code. */
int scio_fail(scio_status st, const char *what);

/* ---- commands (each returns an exit code) ------------------------------- */

int scio_cmd_list(scio_context *ctx, const scio_opts *o);
int scio_cmd_wait(scio_context *ctx, const scio_opts *o);
int scio_cmd_atr(scio_context *ctx, const scio_opts *o);
int scio_cmd_send(scio_context *ctx, const scio_opts *o);
int scio_cmd_script(scio_context *ctx, const scio_opts *o);
int scio_cmd_watch(scio_context *ctx, const scio_opts *o);

/* ---- shared helpers (scio_cmds.c) --------------------------------------- */

/**
 * Wait (o->timeout_ms) for a card in o->reader or any reader and connect
 * to it as the options say; prints the failure and returns its exit code.
 */
int scio_open_card(scio_context *ctx, const scio_opts *o,
                   scio_connection **conn, scio_card *card);

/** Print "< DATA SW1 SW2 : text" for a response. */
void scio_print_response(const uint8_t *data, size_t len, uint16_t sw);

/** Print "> APDU". */
void scio_print_command(const uint8_t *apdu, size_t len);

/**
 * Block SIGINT and SIGTERM in the calling thread (and the threads it
 * creates later) and start a thread that, on one of them, calls
 * `on_signal(user)`. Returns false if that is impossible.
 */
bool scio_catch_signals(void (*on_signal)(void *user), void *user);

#endif
