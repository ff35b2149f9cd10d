/* SPDX-License-Identifier: LGPL-2.1-or-later */
/**
 * @file softcard_secrets.c
 * @brief Secret parameters from files and the environment; no core dumps.
 *
 * A value given on the command line (--pin 123456) is visible to every
 * local user in /proc/PID/cmdline and ps for as long as the process runs.
 * A file (--pin-file F, --param-file NAME=F) or an environment variable
 * (SOFTCARD_PARAM_PIN; /proc/PID/environ is readable by the owner only)
 * is not. Values are read once, at most SOFTCARD_SECRET_MAX - 1 bytes, the
 * first line only, as the passphrase file is. The process makes itself
 * non-dumpable before anything secret is read.
 */
#include "softcard_secrets.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/errtext.h"
#include "softcard_cli.h"

static int secret_error(char *err, size_t errlen, const char *opt,
                        const char *path, const char *why)
{
    sfc_errf(err, errlen, "softcard: option --%s: %s: %s", opt, path, why);
    return SOFTCARD_EXIT_USAGE;
}

/* Up to cap bytes of fd; -1 on a read error. */
static ssize_t read_some(int fd, char *out, size_t cap)
{
    size_t got = 0;
    while (got < cap) {
        ssize_t n = read(fd, out + got, cap - got);
        if (n < 0)
            return -1;
        if (n == 0)
            break;
        got += (size_t)n;
    }
    return (ssize_t)got;
}

/* Cut at the first line end; false if the value is empty or holds a NUL. */
static bool first_line(char *buf, size_t len)
{
    if (memchr(buf, '\0', len))
        return false;
    size_t n = strcspn(buf, "\r\n");
    if (n == 0)
        return false;
    memset(buf + n, 0, len - n);
    return true;
}

int softcard_secret_file(const char *opt, const char *path, char *out,
                         char *err, size_t errlen)
{
    struct stat st;
    int fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
    if (fd < 0 || fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
        if (fd >= 0)
            close(fd);
        return secret_error(err, errlen, opt, path, fd < 0 ?
                            strerror(errno) : "not a regular file");
    }
    char buf[SOFTCARD_SECRET_MAX + 1] = {0};
    ssize_t n = read_some(fd, buf, SOFTCARD_SECRET_MAX);
    close(fd);
    const char *why = n < 0 ? "cannot read it" : NULL;
    size_t line = n > 0 ? strcspn(buf, "\r\n") : 0;
    if (!why && line >= SOFTCARD_SECRET_MAX)
        why = "the value is longer than 1023 bytes";
    if (!why && !first_line(buf, (size_t)n))
        why = "empty, or a NUL byte in the value";
    if (!why && (st.st_mode & 077))
        fprintf(stderr, "softcard: warning: %s can be read by other users "
                "(chmod 600 it)\n", path);
    if (!why)
        memcpy(out, buf, line + 1);
    explicit_bzero(buf, sizeof(buf));
    return why ? secret_error(err, errlen, opt, path, why) : SOFTCARD_EXIT_OK;
}

void softcard_secret_env_name(const char *name, char *out, size_t cap)
{
    int n = snprintf(out, cap, "SOFTCARD_PARAM_%s", name);
    for (size_t i = 15; n > 0 && i < cap && out[i]; i++)
        out[i] = out[i] == '-' ? '_' : (char)toupper((unsigned char)out[i]);
}

bool softcard_protect_process(void)
{
    struct rlimit none = {0, 0};
    bool ok = setrlimit(RLIMIT_CORE, &none) == 0;
    return prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) == 0 && ok;
}
