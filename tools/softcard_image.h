/* SPDX-License-Identifier: LGPL-2.1-or-later */
/**
 * @file softcard_image.h
 * @brief The card-image side of the softcard command: the headless
 *        generator (--init, --init-config), --check-image, opening the -f
 *        images of running cards, and reading the passphrase.
 */
#ifndef SOFTCARD_IMAGE_H
#define SOFTCARD_IMAGE_H

#include <stddef.h>

#include "softcard.h"
#include "softcard_cli.h"
#include "image/image.h"

/** Environment variable read for the passphrase without --passphrase-file. */
#define SOFTCARD_PASSPHRASE_ENV "SOFTCARD_PASSPHRASE"

/** A passphrase in memory (wiped by softcard_pass_free). */
typedef struct softcard_pass {
    char *text; /**< NULL: none given */
    size_t len;
} softcard_pass;

/**
 * The passphrase from --passphrase-file (its first line; a trailing
 * newline is not part of it) or else SOFTCARD_PASSPHRASE; none is fine.
 * Returns an exit status, with a one-line message in `err` on failure.
 */
int softcard_pass_read(const softcard_opts *o, softcard_pass *p, char *err,
                       size_t errlen);
void softcard_pass_free(softcard_pass *p);

/** --init / --init-config: create the image, print a line, exit status. */
int softcard_image_init(const softcard_opts *o);

/** --check-image: load every -f image and print one line for each. */
int softcard_image_check(const softcard_opts *o);

/**
 * Open the -f images of running cards: lock each, load its card (checking
 * a -t), install the commit hook. `cards` and `stores` receive one entry
 * per image (free the cards before the stores). Returns an exit status,
 * with "<image>: <reason>" in `err` on failure.
 */
int softcard_image_open_all(const softcard_opts *o, sfc_card **cards,
                            sfc_image_store **stores, char *err,
                            size_t errlen);

#endif
