/* SPDX-License-Identifier: LGPL-2.1-or-later */
/**
 * @file scio.c
 * @brief main() of the scio command: parse, make the context of the chosen
 *        backend, run the command.
 *
 * Parsing lives in scio_cli.c and the commands in scio_cmds.c,
 * scio_script.c and scio_watch.c; this file only routes between them.
 */
#include <stdio.h>

#include "scio_cli.h"

static int run(const scio_opts *o)
{
    scio_context_opts co = {.backend = o->backend, .slots = o->slots,
                            .n_slots = o->n_slots};
    scio_context *ctx = NULL;
    scio_status st = scio_context_new(&co, &ctx);
    if (st != SCIO_OK)
        return scio_fail(st, o->backend == SCIO_BACKEND_DIRECT
                                 ? "direct backend (are the ports free?)"
                                 : "cannot reach pcscd");
    int rc;
    switch (o->cmd) {
    case SCIO_CMD_LIST: rc = scio_cmd_list(ctx, o); break;
    case SCIO_CMD_WAIT: rc = scio_cmd_wait(ctx, o); break;
    case SCIO_CMD_ATR: rc = scio_cmd_atr(ctx, o); break;
    case SCIO_CMD_SEND: rc = scio_cmd_send(ctx, o); break;
    case SCIO_CMD_SCRIPT: rc = scio_cmd_script(ctx, o); break;
    case SCIO_CMD_WATCH: rc = scio_cmd_watch(ctx, o); break;
    default: rc = SCIO_EXIT_USAGE; break;
    }
    scio_context_free(ctx);
    return rc;
}

int main(int argc, char **argv)
{
    scio_opts o;
    char err[512];
    int rc = scio_parse(argc, argv, &o, err, sizeof(err));
    if (rc != SCIO_EXIT_OK) {
        fprintf(stderr, "%s\n", err);
        return rc;
    }
    if (o.help) {
        scio_print_help(stdout);
        return SCIO_EXIT_OK;
    }
    if (o.version) {
        printf("scio %s\n", SOFTCARD_VERSION);
        return SCIO_EXIT_OK;
    }
    return run(&o);
}
