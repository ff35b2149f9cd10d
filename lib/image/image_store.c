/* SPDX-License-Identifier: LGPL-2.1-or-later */
/**
 * @file image_store.c
 * @brief Image files: reading, the atomic and durable save, the lock, and
 *        the card's commit hook.
 *
 * A save never modifies the image in place. It writes IMAGE.tmp in the
 * image's directory (created with mode 0600, O_EXCL after removing any
 * leftover), fsyncs it, renames it over IMAGE (rename(2) replaces the
 * directory entry atomically) and fsyncs the directory so the rename itself
 * is durable. Killed at any instant, the directory holds the old image or
 * the new one, each complete; when the save returns, the new one is on
 * disk. Creating a new image uses link(2) instead of rename(2), which fails
 * if the image already exists, so "do not overwrite" has no race.
 *
 * One process at a time may use an image: the store holds an exclusive
 * flock(2) on IMAGE.lock for its lifetime, and one on the image itself (its
 * inode: each save locks the new file before renaming it into place, then
 * lets go of the old one), so deleting IMAGE.lock does not let a second
 * process in. A process that locked an inode checks that it is still the
 * image (a save may have replaced it meanwhile) and tries again if not.
 * The kernel drops the locks when the process dies, so a kill -9 leaves no
 * stale lock behind.
 *
 * A symbolic link at the image path is resolved once (realpath) when the
 * store opens: the temporary file, the lock and the rename are in the
 * target's directory, so a save replaces the target and the link stays.
 * Files are opened with O_NONBLOCK, so a FIFO at the image path is refused
 * as "not a regular file" instead of blocking the process.
 */
#include "core/errtext.h"
#include "image/image.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "os/card.h"
#include "core/bytes.h"
#include "core/log.h"

struct sfc_image_store {
    char *path;    /**< as given, for messages */
    char *file;    /**< the image itself: symbolic links resolved */
    char *tmp;
    char *lock;
    int lock_fd;
    int image_fd;  /**< holds the flock on the image's current inode */
    int dir_fd;
    sfc_image_key *key;
    char error[SFC_IMAGE_ERR_MAX];
};

static sfc_err fail(char *err, size_t errlen, sfc_err rv, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static sfc_err fail(char *err, size_t errlen, sfc_err rv, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    sfc_verrf(err, errlen, fmt, ap);
    va_end(ap);
    return rv;
}

/* "<path>: <what the inner call wrote>" */
static void prefix_path(const char *path, char *err, size_t errlen)
{
    if (!err || !errlen)
        return;
    char inner[SFC_IMAGE_ERR_MAX];
    snprintf(inner, sizeof(inner), "%s", err);
    sfc_errf(err, errlen, "%s: %s", path, inner);
}

static char *join(const char *a, const char *b)
{
    size_t n = strlen(a) + strlen(b) + 1;
    char *s = malloc(n);
    if (s)
        snprintf(s, n, "%s%s", a, b);
    return s;
}

/* ---- reading ------------------------------------------------------------- */

static sfc_err read_all(int fd, char *buf, size_t len)
{
    size_t got = 0;
    while (got < len) {
        ssize_t n = read(fd, buf + got, len - got);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return SFC_E_IO;
        got += (size_t)n;
    }
    return SFC_OK;
}

/* Read `path`; messages name it `name` (the path as the user gave it). */
static sfc_err read_file_named(const char *path, const char *name,
                              char **text, size_t *len, char *err,
                              size_t errlen);

sfc_err sfc_image_read_file(const char *path, char **text, size_t *len,
                          char *err, size_t errlen)
{
    return read_file_named(path, path, text, len, err, errlen);
}

static sfc_err read_file_named(const char *path, const char *name,
                              char **text, size_t *len, char *err,
                              size_t errlen)
{
    struct stat st;
    memset(&st, 0, sizeof(st));
    *text = NULL;
    *len = 0;
    /* O_NONBLOCK: a FIFO must not block; refused below */
    int fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
    if (fd < 0)
        return fail(err, errlen, SFC_E_IO, "%s: %s", name, strerror(errno));
    sfc_err rv = fstat(fd, &st) == 0 ? SFC_OK : SFC_E_IO;
    if (rv == SFC_OK && !S_ISREG(st.st_mode))
        rv = fail(err, errlen, SFC_E_IO, "%s: not a regular file", name);
    else if (rv == SFC_OK && (uint64_t)st.st_size > SFC_IMAGE_MAX_BYTES)
        rv = fail(err, errlen, SFC_E_RANGE, "%s: larger than %u bytes", name,
                  SFC_IMAGE_MAX_BYTES);
    else if (rv == SFC_OK && !(*text = malloc((size_t)st.st_size + 1)))
        rv = fail(err, errlen, SFC_E_NOMEM, "%s: out of memory", name);
    else if (rv == SFC_OK && read_all(fd, *text, (size_t)st.st_size) != SFC_OK)
        rv = fail(err, errlen, SFC_E_IO, "%s: read error: %s", name,
                  strerror(errno ? errno : EIO));
    else if (rv != SFC_OK)
        fail(err, errlen, rv, "%s: %s", name, strerror(errno));
    close(fd);
    if (rv != SFC_OK) {
        sfc_image_text_free(*text, (size_t)st.st_size);
        *text = NULL;
        return rv;
    }
    (*text)[st.st_size] = '\0';
    *len = (size_t)st.st_size;
    return SFC_OK;
}

/* Decrypt if needed, then load; errors without the path. */
static sfc_err load_from_text(const char *text, size_t len, const uint8_t *pass,
                             size_t passlen, const sfc_card_options *base,
                             sfc_card **out, sfc_image_key **key, char *err,
                             size_t errlen)
{
    if (!sfc_image_text_is_encrypted(text, len))
        return sfc_image_load_text(text, len, base, out, err, errlen);
    if (!pass)
        return fail(err, errlen, SFC_E_STATE,
                    "encrypted image: a passphrase is needed");
    char *plain = NULL;
    size_t plen = 0;
    sfc_err rv = sfc_image_decrypt(pass, passlen, text, len, key, &plain, &plen,
                                 err, errlen);
    if (rv == SFC_OK)
        rv = sfc_image_load_text(plain, plen, base, out, err, errlen);
    sfc_image_text_free(plain, plen);
    if (rv != SFC_OK && key) {
        sfc_image_key_free(*key);
        *key = NULL;
    }
    return rv;
}

static sfc_err load_path(const char *path, const char *name,
                        const uint8_t *pass, size_t passlen,
                        const sfc_card_options *base, sfc_card **out,
                        sfc_image_key **key, char *err, size_t errlen)
{
    char *text = NULL;
    size_t len = 0;
    *out = NULL;
    sfc_err rv = read_file_named(path, name, &text, &len, err, errlen);
    if (rv != SFC_OK)
        return rv;
    rv = load_from_text(text, len, pass, passlen, base, out, key, err,
                        errlen);
    if (rv != SFC_OK)
        prefix_path(name, err, errlen);
    sfc_image_text_free(text, len);
    return rv;
}

sfc_err sfc_image_load_file(const char *path, const uint8_t *pass,
                          size_t passlen, const sfc_card_options *base,
                          sfc_card **out, char *err, size_t errlen)
{
    return load_path(path, path, pass, passlen, base, out, NULL, err,
                     errlen);
}

/* ---- the store ------------------------------------------------------------- */

static int open_dir_of(const char *path)
{
    const char *slash = strrchr(path, '/');
    if (!slash)
        return open(".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    size_t n = slash == path ? 1 : (size_t)(slash - path);
    char *dir = strndup(path, n);
    if (!dir)
        return -1;
    int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    free(dir);
    return fd;
}

static sfc_err take_lock(sfc_image_store *s, char *err, size_t errlen)
{
    s->lock_fd = open(s->lock, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW,
                      0600);
    if (s->lock_fd < 0)
        return fail(err, errlen, SFC_E_IO, "%s: cannot open %s: %s", s->path,
                    s->lock, strerror(errno));
    if (flock(s->lock_fd, LOCK_EX | LOCK_NB) != 0)
        return fail(err, errlen, SFC_E_STATE, "%s: in use by another process "
                    "(it holds %s)", s->path, s->lock);
    return SFC_OK;
}

/* The image path with symbolic links resolved (as given if it does not
 * exist yet: it will be created there). */
static char *resolve(const char *path)
{
    char *real = realpath(path, NULL);
    return real ? real : strdup(path);
}

static bool same_inode(int fd, const char *path)
{
    struct stat a, b;
    return fstat(fd, &a) == 0 && stat(path, &b) == 0 &&
           a.st_dev == b.st_dev && a.st_ino == b.st_ino;
}

/* Lock the image file's inode (absent: nothing to lock yet). */
static sfc_err lock_image(sfc_image_store *s, char *err, size_t errlen)
{
    struct stat st;
    for (int tries = 0; tries < 16; tries++) {
        int fd = open(s->file, O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOFOLLOW);
        if (fd < 0 && errno == ENOENT)
            return SFC_OK;
        if (fd < 0)
            return fail(err, errlen, SFC_E_IO, "%s: %s", s->path,
                        strerror(errno));
        bool regular = fstat(fd, &st) == 0 && S_ISREG(st.st_mode);
        bool locked = regular && flock(fd, LOCK_EX | LOCK_NB) == 0;
        if (locked && same_inode(fd, s->file)) {
            s->image_fd = fd;
            return SFC_OK;
        }
        close(fd);
        if (!regular)
            return fail(err, errlen, SFC_E_IO, "%s: not a regular file",
                        s->path);
        if (!locked)
            return fail(err, errlen, SFC_E_STATE, "%s: in use by another "
                        "process (it holds a lock on the image)", s->path);
    }
    return fail(err, errlen, SFC_E_STATE, "%s: in use by another process "
                "(the image keeps being replaced)", s->path);
}

sfc_err sfc_image_store_open(const char *path, sfc_image_store **out, char *err,
                           size_t errlen)
{
    *out = NULL;
    if (!path || !path[0])
        return fail(err, errlen, SFC_E_INVAL, "empty image path");
    sfc_image_store *s = calloc(1, sizeof(*s));
    if (!s)
        return fail(err, errlen, SFC_E_NOMEM, "out of memory");
    s->lock_fd = s->dir_fd = s->image_fd = -1;
    s->path = strdup(path);
    s->file = resolve(path);
    s->tmp = s->file ? join(s->file, ".tmp") : NULL;
    s->lock = s->file ? join(s->file, ".lock") : NULL;
    sfc_err rv = s->path && s->tmp && s->lock
                    ? SFC_OK
                    : fail(err, errlen, SFC_E_NOMEM, "out of memory");
    if (rv == SFC_OK && (s->dir_fd = open_dir_of(s->file)) < 0)
        rv = fail(err, errlen, SFC_E_IO, "%s: cannot open its directory: %s",
                  path, strerror(errno));
    if (rv == SFC_OK)
        rv = take_lock(s, err, errlen);
    if (rv == SFC_OK)
        rv = lock_image(s, err, errlen);
    if (rv == SFC_OK && unlink(s->tmp) != 0 && errno != ENOENT)
        rv = fail(err, errlen, SFC_E_IO, "%s: cannot remove %s: %s", path,
                  s->tmp, strerror(errno));
    if (rv != SFC_OK) {
        sfc_image_store_free(s);
        return rv;
    }
    *out = s;
    return SFC_OK;
}

void sfc_image_store_free(sfc_image_store *s)
{
    if (!s)
        return;
    if (s->lock_fd >= 0)
        close(s->lock_fd); /* releases the flock */
    if (s->image_fd >= 0)
        close(s->image_fd);
    if (s->dir_fd >= 0)
        close(s->dir_fd);
    sfc_image_key_free(s->key);
    free(s->path);
    free(s->file);
    free(s->tmp);
    free(s->lock);
    free(s);
}

const char *sfc_image_store_path(const sfc_image_store *s)
{
    return s->path;
}

const char *sfc_image_store_error(const sfc_image_store *s)
{
    return s->error;
}

bool sfc_image_store_encrypted(const sfc_image_store *s)
{
    return s->key != NULL;
}

void sfc_image_store_set_key(sfc_image_store *s, sfc_image_key *key)
{
    sfc_image_key_free(s->key);
    s->key = key;
}

sfc_err sfc_image_store_load(sfc_image_store *s, const uint8_t *pass,
                           size_t passlen, const sfc_card_options *base,
                           sfc_card **out, char *err, size_t errlen)
{
    sfc_image_key *key = NULL;
    sfc_err rv = load_path(s->file, s->path, pass, passlen, base, out, &key,
                          err, errlen);
    if (rv == SFC_OK && key)
        sfc_image_store_set_key(s, key);
    return rv;
}

/* ---- saving ---------------------------------------------------------------- */

static sfc_err write_all(int fd, const char *p, size_t len)
{
    while (len) {
        ssize_t n = write(fd, p, len);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return SFC_E_IO;
        p += n;
        len -= (size_t)n;
    }
    return SFC_OK;
}

/* Write and fsync the temporary file. */
static sfc_err write_tmp(sfc_image_store *s, const char *text, size_t len,
                        char *err, size_t errlen)
{
    if (unlink(s->tmp) != 0 && errno != ENOENT)
        return fail(err, errlen, SFC_E_IO, "%s: cannot remove %s: %s",
                    s->path, s->tmp, strerror(errno));
    int fd = open(s->tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW,
                  0600);
    if (fd < 0)
        return fail(err, errlen, SFC_E_IO, "%s: cannot create %s: %s", s->path,
                    s->tmp, strerror(errno));
    const char *step = "write";
    sfc_err rv = fchmod(fd, 0600) == 0 ? SFC_OK : SFC_E_IO;
    if (rv == SFC_OK && (rv = write_all(fd, text, len)) == SFC_OK) {
        step = "fsync";
        rv = fsync(fd) == 0 ? SFC_OK : SFC_E_IO;
    }
    int saved = errno;
    if (close(fd) != 0 && rv == SFC_OK) {
        step = "close";
        saved = errno;
        rv = SFC_E_IO;
    }
    if (rv != SFC_OK)
        return fail(err, errlen, rv, "%s: cannot %s %s: %s", s->path, step,
                    s->tmp, strerror(saved ? saved : EIO));
    return SFC_OK;
}

/* Lock the temporary file's inode before it becomes the image, so the
 * image is never without the lock. */
static int lock_tmp(const sfc_image_store *s)
{
    int fd = open(s->tmp, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
    if (fd >= 0 && flock(fd, LOCK_EX | LOCK_NB) != 0) {
        close(fd);
        fd = -1;
    }
    return fd;
}

/* The new image is in place: hold its lock, let go of the old inode. */
static void keep_lock(sfc_image_store *s, int fd)
{
    if (s->image_fd >= 0)
        close(s->image_fd);
    s->image_fd = fd;
}

/* Put the temporary file in place (replacing, or only if absent). */
static sfc_err install_tmp(sfc_image_store *s, bool overwrite, char *err,
                          size_t errlen)
{
    int fd = lock_tmp(s);
    if (fd < 0)
        return fail(err, errlen, SFC_E_IO, "%s: cannot lock %s: %s", s->path,
                    s->tmp, strerror(errno));
    if (overwrite && rename(s->tmp, s->file) != 0) {
        close(fd);
        return fail(err, errlen, SFC_E_IO, "cannot rename %s to %s: %s",
                    s->tmp, s->file, strerror(errno));
    }
    if (!overwrite && link(s->tmp, s->file) != 0) {
        int e = errno;
        close(fd);
        return fail(err, errlen, e == EEXIST ? SFC_E_STATE : SFC_E_IO,
                    "%s: %s", s->path,
                    e == EEXIST ? "already exists" : strerror(e));
    }
    keep_lock(s, fd);
    if (!overwrite)
        unlink(s->tmp);
    if (fsync(s->dir_fd) != 0)
        return fail(err, errlen, SFC_E_IO, "%s: cannot fsync its directory: %s",
                    s->path, strerror(errno));
    return SFC_OK;
}

static sfc_err write_image(sfc_image_store *s, const char *text, size_t len,
                          bool overwrite, char *err, size_t errlen)
{
    sfc_err rv = write_tmp(s, text, len, err, errlen);
    if (rv == SFC_OK)
        rv = install_tmp(s, overwrite, err, errlen);
    if (rv != SFC_OK)
        unlink(s->tmp);
    return rv;
}

static sfc_err save(sfc_image_store *s, const sfc_card *card, bool overwrite,
                   char *err, size_t errlen)
{
    char *plain = NULL, *env = NULL;
    size_t plen = 0, elen = 0;
    sfc_err rv = sfc_image_save_text(card, &plain, &plen, err, errlen);
    if (rv == SFC_OK && s->key)
        rv = sfc_image_encrypt(s->key, plain, plen, &env, &elen, err, errlen);
    if (rv != SFC_OK)
        prefix_path(s->path, err, errlen);
    else if (env)
        rv = write_image(s, env, elen, overwrite, err, errlen);
    else
        rv = write_image(s, plain, plen, overwrite, err, errlen);
    sfc_image_text_free(plain, plen);
    sfc_image_text_free(env, elen);
    return rv;
}

sfc_err sfc_image_store_save(sfc_image_store *s, const sfc_card *card, char *err,
                           size_t errlen)
{
    return save(s, card, true, err, errlen);
}

sfc_err sfc_image_store_create(sfc_image_store *s, const sfc_card *card,
                             bool overwrite, char *err, size_t errlen)
{
    return save(s, card, overwrite, err, errlen);
}

/* ---- the commit hook -------------------------------------------------------- */

static sfc_err commit(sfc_card *card, void *user)
{
    sfc_image_store *s = user;
    sfc_err rv = sfc_image_store_save(s, card, s->error, sizeof(s->error));
    if (rv != SFC_OK)
        sfc_log(SFC_LOG_ERROR, "%s: %s", card->label, s->error);
    else
        s->error[0] = '\0';
    return rv;
}

void sfc_image_attach(sfc_card *card, sfc_image_store *s)
{
    card->commit = commit;
    card->commit_user = s;
}
