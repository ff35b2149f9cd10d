/* SPDX-License-Identifier: LGPL-2.1-or-later */
/**
 * @file test_image_util.h
 * @brief Helpers shared by the card-image tests: save and load with
 *        failures reported through cmocka, temporary directories, files.
 *
 * Header-only (static inline) so that each test_image_*.c stays one
 * executable linked with sfc_image.
 */
#ifndef SFC_TEST_IMAGE_UTIL_H
#define SFC_TEST_IMAGE_UTIL_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cardtest.h"

#include "os/card.h"
#include "os/fs.h"
#include "image/image.h"

/** Serialise a card; fails the test on error. Free with free(). */
static inline char *it_save(const sfc_card *card)
{
    char *text = NULL, err[SFC_IMAGE_ERR_MAX] = "";
    size_t len = 0;
    if (sfc_image_save_text(card, &text, &len, err, sizeof(err)) != SFC_OK)
        fail_msg("save: %s", err);
    assert_int_equal(strlen(text), len);
    return text;
}

/** Load image text; fails the test on error. */
static inline sfc_card *it_load(const char *text)
{
    sfc_card *card = NULL;
    char err[SFC_IMAGE_ERR_MAX] = "";
    if (sfc_image_load_text(text, strlen(text), NULL, &card, err,
                           sizeof(err)) != SFC_OK)
        fail_msg("load: %s\n%s", err, text);
    return card;
}

/** Load image text that must fail; returns the error text (static). */
static inline const char *it_load_error(const char *text, sfc_err *rv_out)
{
    static char err[SFC_IMAGE_ERR_MAX];
    sfc_card *card = NULL;
    err[0] = '\0';
    sfc_err rv = sfc_image_load_text(text, strlen(text), NULL, &card, err,
                                   sizeof(err));
    if (rv == SFC_OK) {
        sfc_card_free(card);
        fail_msg("loaded, expected an error:\n%s", text);
    }
    assert_null(card);
    if (rv_out)
        *rv_out = rv;
    return err;
}

/** A fresh temporary directory (static buffer). */
static inline const char *it_tmpdir(void)
{
    static char dir[64];
    snprintf(dir, sizeof(dir), "/tmp/softcard-image-test.XXXXXX");
    assert_non_null(mkdtemp(dir));
    return dir;
}

/** Remove a directory and the files directly in it. */
static inline void it_rmdir(const char *dir)
{
    char cmd[200];
    snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
    assert_int_equal(system(cmd), 0);
}

static inline void it_write_file(const char *path, const char *text)
{
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fputs(text, f);
    assert_int_equal(fclose(f), 0);
}

/** Whole file as a malloc'd string. */
static inline char *it_read_file(const char *path)
{
    char *text = NULL, err[SFC_IMAGE_ERR_MAX];
    size_t len = 0;
    if (sfc_image_read_file(path, &text, &len, err, sizeof(err)) != SFC_OK)
        fail_msg("%s", err);
    return text;
}

#endif
