/* SPDX-License-Identifier: LGPL-2.1-or-later */
/**
 * @file test_image_store.c
 * @brief Image files: creating without overwriting, permissions, the lock,
 *        the commit hook (state changes reach the file before the answer,
 *        a failed save answers 6581 and keeps the old file), encrypted
 *        stores, file errors, generator configurations and the example
 *        images shipped in examples/images.
 */
#include "test_image_util.h"

#include <dirent.h>
#include <errno.h>

typedef struct fixture {
    char dir[64];
    char path[128];
} fixture;

static int setup(void **state)
{
    fixture *fx = calloc(1, sizeof(*fx));
    snprintf(fx->dir, sizeof(fx->dir), "%s", it_tmpdir());
    snprintf(fx->path, sizeof(fx->path), "%s/card.json", fx->dir);
    *state = fx;
    return 0;
}

static int teardown(void **state)
{
    fixture *fx = *state;
    it_rmdir(fx->dir);
    free(fx);
    return 0;
}

static sfc_image_store *open_store(const char *path)
{
    sfc_image_store *s = NULL;
    char err[SFC_IMAGE_ERR_MAX];
    if (sfc_image_store_open(path, &s, err, sizeof(err)) != SFC_OK)
        fail_msg("%s", err);
    return s;
}

static void create_image(const char *path, const char *type)
{
    sfc_image_store *s = open_store(path);
    sfc_card *card = ct_card(type);
    char err[SFC_IMAGE_ERR_MAX];
    if (sfc_image_store_create(s, card, false, err, sizeof(err)) != SFC_OK)
        fail_msg("%s", err);
    sfc_card_free(card);
    sfc_image_store_free(s);
}

static sfc_card *load_store(sfc_image_store *s, const char *passphrase)
{
    sfc_card *card = NULL;
    char err[SFC_IMAGE_ERR_MAX];
    size_t n = passphrase ? strlen(passphrase) : 0;
    if (sfc_image_store_load(s, (const uint8_t *)passphrase, n, NULL, &card,
                            err, sizeof(err)) != SFC_OK)
        fail_msg("%s", err);
    return card;
}

static bool exists(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0;
}

static void test_create_no_overwrite(void **state)
{
    fixture *fx = *state;
    char err[SFC_IMAGE_ERR_MAX], tmp[160];
    struct stat st;
    create_image(fx->path, "iso7816");
    assert_int_equal(stat(fx->path, &st), 0);
    assert_int_equal(st.st_mode & 0777, 0600);
    snprintf(tmp, sizeof(tmp), "%s.tmp", fx->path);
    assert_false(exists(tmp));

    sfc_image_store *s = open_store(fx->path);
    sfc_card *card = ct_card("handler_test");
    assert_int_equal(sfc_image_store_create(s, card, false, err, sizeof(err)),
                     SFC_E_STATE);
    assert_non_null(strstr(err, "card.json: already exists"));
    char *text = it_read_file(fx->path);
    assert_non_null(strstr(text, "\"iso7816\"")); /* untouched */
    free(text);
    assert_false(exists(tmp));
    assert_int_equal(sfc_image_store_create(s, card, true, err, sizeof(err)),
                     SFC_OK);
    text = it_read_file(fx->path);
    assert_non_null(strstr(text, "\"handler_test\""));
    free(text);
    sfc_card_free(card);
    sfc_image_store_free(s);
}

static void test_lock(void **state)
{
    fixture *fx = *state;
    char err[SFC_IMAGE_ERR_MAX];
    sfc_image_store *a = open_store(fx->path), *b = NULL;
    assert_int_equal(sfc_image_store_open(fx->path, &b, err, sizeof(err)),
                     SFC_E_STATE);
    assert_null(b);
    assert_non_null(strstr(err, "card.json: in use by another process"));
    sfc_image_store_free(a);
    b = open_store(fx->path);
    sfc_image_store_free(b);
}

/* Deleting IMAGE.lock does not let a second process in: the image's own
 * inode is locked too, and the lock moves with every save. */
static void test_lock_without_lock_file(void **state)
{
    fixture *fx = *state;
    char err[SFC_IMAGE_ERR_MAX], lock[160];
    snprintf(lock, sizeof(lock), "%s.lock", fx->path);
    create_image(fx->path, "iso7816");
    sfc_image_store *a = open_store(fx->path), *b = NULL;
    sfc_card *card = load_store(a, NULL);
    sfc_image_attach(card, a);
    assert_int_equal(unlink(lock), 0);
    assert_int_equal(sfc_image_store_open(fx->path, &b, err, sizeof(err)),
                     SFC_E_STATE);
    assert_non_null(strstr(err, "card.json: in use by another process"));
    ct_expect(card, "0020000104 39393939", "63C2"); /* saved: a new inode */
    assert_int_equal(unlink(lock), 0);
    assert_int_equal(sfc_image_store_open(fx->path, &b, err, sizeof(err)),
                     SFC_E_STATE);
    assert_null(b);
    sfc_card_free(card);
    sfc_image_store_free(a);
    b = open_store(fx->path);
    sfc_image_store_free(b);
}

/* A FIFO at the image path is refused at once, never waited on. */
static void test_fifo_refused(void **state)
{
    fixture *fx = *state;
    char err[SFC_IMAGE_ERR_MAX];
    sfc_card *card = NULL;
    sfc_image_store *s = NULL;
    assert_int_equal(mkfifo(fx->path, 0600), 0);
    alarm(20); /* a hang fails the test instead of stalling it */
    assert_int_equal(sfc_image_load_file(fx->path, NULL, 0, NULL, &card, err,
                                        sizeof(err)), SFC_E_IO);
    assert_non_null(strstr(err, "not a regular file"));
    assert_int_equal(sfc_image_store_open(fx->path, &s, err, sizeof(err)),
                     SFC_E_IO);
    assert_non_null(strstr(err, "card.json: not a regular file"));
    assert_null(strchr(err, '\n'));
    alarm(0);
}

/* Saving through a symbolic link replaces the target; the link stays. */
static void test_symlink_target_saved(void **state)
{
    fixture *fx = *state;
    char link_path[160];
    struct stat st;
    snprintf(link_path, sizeof(link_path), "%s/link.json", fx->dir);
    create_image(fx->path, "iso7816");
    assert_int_equal(symlink("card.json", link_path), 0);
    sfc_image_store *s = open_store(link_path);
    sfc_card *card = load_store(s, NULL);
    sfc_image_attach(card, s);
    ct_expect(card, "0020000104 39393939", "63C2");
    assert_int_equal(lstat(link_path, &st), 0);
    assert_true(S_ISLNK(st.st_mode));
    char *text = it_read_file(fx->path);
    assert_non_null(strstr(text, "\"tries_left\": 2"));
    free(text);
    sfc_card_free(card);
    sfc_image_store_free(s);
}

/* A leftover temporary file from a crash is removed on open. */
static void test_stale_tmp(void **state)
{
    fixture *fx = *state;
    char tmp[160];
    snprintf(tmp, sizeof(tmp), "%s.tmp", fx->path);
    it_write_file(tmp, "{\"half\": ");
    sfc_image_store *s = open_store(fx->path);
    assert_false(exists(tmp));
    sfc_image_store_free(s);
}

static const char create_ef[] = "00E000000C 620A 820101 83020102 800108";

static void test_commit_hook(void **state)
{
    fixture *fx = *state;
    create_image(fx->path, "iso7816");
    sfc_image_store *s = open_store(fx->path);
    sfc_card *card = load_store(s, NULL);
    sfc_image_attach(card, s);
    ct_expect(card, create_ef, "9000");
    ct_expect(card, "00D6000004 DEADBEEF", "9000");
    sfc_card *copy = NULL;
    char err[SFC_IMAGE_ERR_MAX];
    assert_int_equal(sfc_image_load_file(fx->path, NULL, 0, NULL, &copy, err,
                                        sizeof(err)), SFC_OK);
    ct_expect(copy, "00A4020C020102", "9000");
    ct_expect(copy, "00B0000000", "DEADBEEF000000009000");
    sfc_card_free(copy);
    /* a command that changes nothing does not write */
    assert_int_equal(unlink(fx->path), 0);
    ct_expect(card, "00A4020C020102", "9000");
    ct_expect(card, "00B0000000", "DEADBEEF000000009000");
    assert_false(exists(fx->path));
    /* a wrong VERIFY changes a counter: written */
    ct_expect(card, "0020000104 39393939", "63C2");
    assert_true(exists(fx->path));
    sfc_card_free(card);
    sfc_image_store_free(s);
}

/* A save that fails answers 6581 and leaves the old image whole. */
static void test_failed_commit(void **state)
{
    fixture *fx = *state;
    char tmp[160];
    create_image(fx->path, "iso7816");
    sfc_image_store *s = open_store(fx->path);
    sfc_card *card = load_store(s, NULL);
    sfc_image_attach(card, s);
    ct_expect(card, create_ef, "9000");
    char *before = it_read_file(fx->path);
    snprintf(tmp, sizeof(tmp), "%s.tmp", fx->path);
    assert_int_equal(mkdir(tmp, 0700), 0); /* the save cannot replace it */
    ct_expect(card, "00D6000004 DEADBEEF", "6581");
    assert_non_null(strstr(sfc_image_store_error(s), "card.json"));
    char *after = it_read_file(fx->path);
    assert_string_equal(before, after);
    free(after);
    assert_int_equal(rmdir(tmp), 0);
    /* still dirty: the next command saves, even a read */
    ct_expect(card, "00B0000004", "DEADBEEF9000");
    assert_string_equal(sfc_image_store_error(s), "");
    after = it_read_file(fx->path);
    assert_string_not_equal(before, after);
    free(after);
    free(before);
    sfc_card_free(card);
    sfc_image_store_free(s);
}

static void test_encrypted_store(void **state)
{
    fixture *fx = *state;
    char err[SFC_IMAGE_ERR_MAX];
    sfc_image_kdf kdf = {.n = 1024};
    sfc_image_key *key = NULL;
    assert_int_equal(sfc_image_key_new((const uint8_t *)"pw", 2, &kdf, &key,
                                      err, sizeof(err)), SFC_OK);
    sfc_image_store *s = open_store(fx->path);
    sfc_image_store_set_key(s, key);
    sfc_card *card = ct_card("iso7816");
    assert_int_equal(sfc_image_store_create(s, card, false, err, sizeof(err)),
                     SFC_OK);
    sfc_card_free(card);
    sfc_image_store_free(s);
    char *text = it_read_file(fx->path);
    assert_true(sfc_image_text_is_encrypted(text, strlen(text)));
    free(text);

    s = open_store(fx->path);
    assert_int_equal(sfc_image_store_load(s, NULL, 0, NULL, &card, err,
                                         sizeof(err)), SFC_E_STATE);
    assert_non_null(strstr(err, "card.json: encrypted image: a passphrase is "
                           "needed"));
    assert_int_equal(sfc_image_store_load(s, (const uint8_t *)"pW", 2, NULL,
                                         &card, err, sizeof(err)),
                     SFC_E_CHECKSUM);
    assert_non_null(strstr(err, "card.json: wrong passphrase or damaged "
                           "image"));
    assert_false(sfc_image_store_encrypted(s));
    card = load_store(s, "pw");
    assert_true(sfc_image_store_encrypted(s));
    sfc_image_attach(card, s);
    ct_expect(card, "0020000104 39393939", "63C2");
    sfc_card_free(card);
    sfc_image_store_free(s);
    text = it_read_file(fx->path);
    assert_true(sfc_image_text_is_encrypted(text, strlen(text)));
    free(text);
    assert_int_equal(sfc_image_load_file(fx->path, (const uint8_t *)"pw", 2,
                                        NULL, &card, err, sizeof(err)), SFC_OK);
    ct_expect(card, "0020000100", "63C2");
    sfc_card_free(card);
}

static void test_file_errors(void **state)
{
    fixture *fx = *state;
    char err[SFC_IMAGE_ERR_MAX], want[300];
    sfc_card *card = NULL;
    assert_int_equal(sfc_image_load_file(fx->path, NULL, 0, NULL, &card, err,
                                        sizeof(err)), SFC_E_IO);
    snprintf(want, sizeof(want), "%s: %s", fx->path, strerror(ENOENT));
    assert_string_equal(err, want);
    assert_int_equal(sfc_image_load_file(fx->dir, NULL, 0, NULL, &card, err,
                                        sizeof(err)), SFC_E_IO);
    assert_non_null(strstr(err, "not a regular file"));
    it_write_file(fx->path, "{\"format\": \"softcard-card-image\",\n "
                            "\"version\": 1, \"type\": \"iso7816\",\n "
                            "\"pins\": [{\"ref\": \"01\", \"value\": \"1234\","
                            " \"tries\": 3, \"tries_left\": 9}]}\n");
    assert_int_equal(sfc_image_load_file(fx->path, NULL, 0, NULL, &card, err,
                                        sizeof(err)), SFC_E_RANGE);
    snprintf(want, sizeof(want), "%s: $.pins[0].tries_left: 9 is out of "
             "range (0..3)", fx->path);
    assert_string_equal(err, want);
    assert_null(card);
}

static void test_config(void **state)
{
    fixture *fx = *state;
    char err[SFC_IMAGE_ERR_MAX];
    sfc_image_config cfg;
    it_write_file(fx->path, "{\"type\": \"iso7816\", \"extended_length\": true,"
                            " \"params\": {\"pin\": \"123456\"}}");
    assert_int_equal(sfc_image_config_load(fx->path, &cfg, err, sizeof(err)),
                     SFC_OK);
    assert_string_equal(cfg.type, "iso7816");
    assert_true(cfg.extended_length);
    assert_int_equal(cfg.n_params, 1);
    assert_int_equal(sfc_image_config_set(&cfg, "pin", "654321"), SFC_OK);
    assert_int_equal(sfc_image_config_set(&cfg, "puk", "87654321"), SFC_OK);
    assert_int_equal(cfg.n_params, 2);
    assert_string_equal(cfg.params[0].value, "654321");
    sfc_image_config_free(&cfg);
    assert_null(cfg.type);
    it_write_file(fx->path, "{\"type\": \"iso7816\", \"params\": {\"pin\": 1}}");
    assert_int_equal(sfc_image_config_load(fx->path, &cfg, err, sizeof(err)),
                     SFC_E_FORMAT);
    assert_non_null(strstr(err, "card.json: $.params.pin: expected a string, "
                           "found an integer"));
    it_write_file(fx->path, "{\"kind\": \"iso7816\"}");
    assert_int_equal(sfc_image_config_load(fx->path, &cfg, err, sizeof(err)),
                     SFC_E_FORMAT);
    assert_non_null(strstr(err, "card.json: $.kind: unknown field"));
    it_write_file(fx->path, "{\"type\": ");
    assert_int_equal(sfc_image_config_load(fx->path, &cfg, err, sizeof(err)),
                     SFC_E_FORMAT);
    assert_non_null(strstr(err, "card.json: line 1, column 10: "));
}

/* Every example image loads, and there is one per implemented type. */
static void test_examples(void **state)
{
    (void)state;
    char dir[512], path[800], err[SFC_IMAGE_ERR_MAX];
    snprintf(dir, sizeof(dir), "%s", __FILE__);
    char *cut = strstr(dir, "tests/unit/");
    assert_non_null(cut);
    snprintf(cut, sizeof(dir) - (size_t)(cut - dir), "examples/images");
    DIR *d = opendir(dir);
    assert_non_null(d);
    bool seen_iso = false, seen_ht = false;
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        size_t n = strlen(e->d_name);
        if (n < 5 || strcmp(e->d_name + n - 5, ".json") != 0)
            continue;
        snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
        sfc_card *card = NULL;
        if (sfc_image_load_file(path, NULL, 0, NULL, &card, err,
                               sizeof(err)) != SFC_OK)
            fail_msg("%s", err);
        seen_iso |= strcmp(sfc_card_get_type(card), "iso7816") == 0;
        seen_ht |= strcmp(sfc_card_get_type(card), "handler_test") == 0;
        sfc_card_free(card);
    }
    closedir(d);
    assert_true(seen_iso && seen_ht);
}

int main(void)
{
#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)
    const struct CMUnitTest tests[] = {
        T(test_create_no_overwrite), T(test_lock), T(test_stale_tmp),
        T(test_commit_hook), T(test_failed_commit), T(test_encrypted_store),
        T(test_file_errors), T(test_config), T(test_examples),
        T(test_lock_without_lock_file), T(test_symlink_target_saved),
        T(test_fifo_refused),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
