/* SPDX-License-Identifier: LGPL-2.1-or-later */
/**
 * @file softcard_secrets.h
 * @brief Secrets in the softcard process: card-type parameters read from a
 *        file or the environment instead of the command line (which every
 *        local user can read in /proc/PID/cmdline), and no core dumps.
 */
#ifndef SOFTCARD_SECRETS_H
#define SOFTCARD_SECRETS_H

#include <stdbool.h>
#include <stddef.h>

/** Longest secret parameter value from a file or the environment, + NUL. */
#define SOFTCARD_SECRET_MAX 1024

/**
 * Read the first line of `path` (one trailing "\n" or "\r\n" dropped) into
 * `out` (SOFTCARD_SECRET_MAX bytes). SOFTCARD_EXIT_OK, or
 * SOFTCARD_EXIT_USAGE with one line "softcard: option --OPT: ..." in `err`
 * (unreadable, empty, longer than 1023 bytes, a NUL byte). Warns on stderr
 * when other users can read the file.
 */
int softcard_secret_file(const char *opt, const char *path, char *out,
                         char *err, size_t errlen);

/** The environment variable of parameter `name`: SOFTCARD_PARAM_<NAME>,
 *  upper case, '-' as '_' ("ds-key" -> SOFTCARD_PARAM_DS_KEY). */
void softcard_secret_env_name(const char *name, char *out, size_t cap);

/**
 * Keep secrets in memory out of reach: no core file (RLIMIT_CORE 0) and
 * not dumpable (PR_SET_DUMPABLE 0: no core either, and other processes of
 * the same user can neither ptrace it nor read /proc/PID/mem or environ).
 * Returns false if the kernel refused either (the caller may warn).
 */
bool softcard_protect_process(void);

#endif
