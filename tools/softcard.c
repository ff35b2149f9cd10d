/* SPDX-License-Identifier: LGPL-2.1-or-later */
/**
 * @file softcard.c
 * @brief main() of the softcard command: virtual smart cards for vpcd.
 *
 * Parsing lives in softcard_cli.c and the work in softcard_run.c, so that
 * both can be tested without a process; this file only routes between
 * them and prints --help and --version. The process makes itself
 * non-dumpable (no core file) before it reads anything secret.
 */
#include <stdio.h>
#include <string.h>

#include "softcard_cli.h"
#include "softcard_run.h"

int main(int argc, char **argv)
{
    static softcard_opts o;
    char err[512];
    if (!softcard_protect_process()) /* before any secret is read */
        fprintf(stderr, "softcard: warning: cannot disable core dumps\n");
    int status = softcard_parse(argc, argv, &o, err, sizeof(err));

    if (status != SOFTCARD_EXIT_OK) {
        fprintf(stderr, "%s\n", err);
        return status;
    }
    if (o.help) {
        softcard_print_help(stdout);
        return SOFTCARD_EXIT_OK;
    }
    if (o.version) {
        printf("softcard %s\n", SOFTCARD_VERSION);
        return SOFTCARD_EXIT_OK;
    }
    status = softcard_run(&o);
    explicit_bzero(&o, sizeof(o)); /* secret parameters read from files */
    return status;
}
