/* SPDX-License-Identifier: LGPL-2.1-or-later */
/**
 * @file test_tool_secrets.c
 * @brief Secret card parameters kept off the command line (--pin-file,
 *        --puk-file, --param-file, SOFTCARD_PARAM_*) and the process made
 *        non-dumpable (tools/softcard_secrets.c, softcard_cli.c).
 */
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "softcard_cli.h"
#include "testutil.h"

static char dir[64];
static char path[256];

static int setup(void **state)
{
    (void)state;
    snprintf(dir, sizeof(dir), "/tmp/sfc-secrets-XXXXXX");
    assert_non_null(mkdtemp(dir));
    unsetenv("SOFTCARD_PARAM_PIN");
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    char cmd[300];
    snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
    assert_int_equal(system(cmd), 0);
    unsetenv("SOFTCARD_PARAM_PIN");
    return 0;
}

static const char *write_file(const char *name, const char *text)
{
    snprintf(path, sizeof(path), "%s/%s", dir, name);
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fputs(text, f);
    fclose(f);
    chmod(path, 0600);
    return path;
}

static softcard_opts o;
static char err[512];

static int parse(const char *a1, const char *a2, const char *a3,
                 const char *a4)
{
    char *argv[6] = {"softcard", (char *)a1, (char *)a2, (char *)a3,
                     (char *)a4, NULL};
    int argc = 1;
    while (argv[argc])
        argc++;
    return softcard_parse(argc, argv, &o, err, sizeof(err));
}

static const char *param(const char *key)
{
    for (size_t i = 0; i < o.n_params; i++)
        if (strcmp(o.params[i].key, key) == 0)
            return o.params[i].value;
    return NULL;
}

static void test_pin_and_puk_files(void **state)
{
    (void)state;
    char pin[300];
    snprintf(pin, sizeof(pin), "%s", write_file("pin", "654321\n"));
    const char *puk = write_file("puk", "87654321\r\nsecond line\n");
    assert_int_equal(parse("--pin-file", pin, "--puk-file", puk), 0);
    assert_string_equal(param("pin"), "654321");
    assert_string_equal(param("puk"), "87654321");
}

static void test_param_file(void **state)
{
    (void)state;
    char arg[300];
    snprintf(arg, sizeof(arg), "secret=%s",
             write_file("s", "0123456789ABCDEFFEDCBA9876543210"));
    assert_int_equal(parse("--param-file", arg, NULL, NULL), 0);
    assert_string_equal(param("secret"), "0123456789ABCDEFFEDCBA9876543210");
    assert_int_equal(parse("--param-file", "secret", NULL, NULL), 2);
    assert_non_null(strstr(err, "NAME=FILE"));
}

static void test_bad_files(void **state)
{
    (void)state;
    assert_int_equal(parse("--pin-file", write_file("e", ""), NULL, NULL), 2);
    assert_non_null(strstr(err, "empty"));
    assert_int_equal(parse("--pin-file", write_file("n", "\n1234"), NULL,
                           NULL), 2);
    char big[1100];
    memset(big, '1', sizeof(big) - 1);
    big[sizeof(big) - 1] = '\0';
    assert_int_equal(parse("--pin-file", write_file("b", big), NULL, NULL), 2);
    assert_non_null(strstr(err, "longer than 1023"));
    snprintf(path, sizeof(path), "%s/missing", dir);
    assert_int_equal(parse("--pin-file", path, NULL, NULL), 2);
    assert_true(strncmp(err, "softcard: option --pin-file: ", 29) == 0);
    assert_null(strchr(err, '\n'));
    /* a file name with a newline still makes one line (core/errtext.h) */
    snprintf(path, sizeof(path), "%s/two\nlines", dir);
    assert_int_equal(parse("--pin-file", path, NULL, NULL), 2);
    assert_non_null(strstr(err, "two?lines"));
    assert_null(strchr(err, '\n'));
    snprintf(path, sizeof(path), "%s/fifo", dir);
    assert_int_equal(mkfifo(path, 0600), 0);
    assert_int_equal(parse("--pin-file", path, NULL, NULL), 2); /* no hang */
    assert_non_null(strstr(err, "not a regular file"));
}

static void test_environment(void **state)
{
    (void)state;
    char name[64];
    softcard_secret_env_name("ds-key", name, sizeof(name));
    assert_string_equal(name, "SOFTCARD_PARAM_DS_KEY");
    setenv("SOFTCARD_PARAM_PIN", "246810", 1);
    assert_int_equal(parse("-n", "1", NULL, NULL), 0);
    assert_string_equal(param("pin"), "246810");
    /* the command line wins */
    assert_int_equal(parse("--pin", "135791", NULL, NULL), 0);
    assert_string_equal(param("pin"), "135791");
    /* a type without a PIN parameter does not take it; images keep theirs */
    assert_int_equal(parse("-t", "handler_test", NULL, NULL), 0);
    assert_null(param("pin"));
    assert_int_equal(parse("-f", write_file("img", "{}"), NULL, NULL), 0);
    assert_null(param("pin"));
}

static void test_not_dumpable(void **state)
{
    (void)state;
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        struct rlimit rl;
        bool ok = softcard_protect_process() &&
                  prctl(PR_GET_DUMPABLE, 0, 0, 0, 0) == 0 &&
                  getrlimit(RLIMIT_CORE, &rl) == 0 && rl.rlim_cur == 0 &&
                  rl.rlim_max == 0;
        _exit(ok ? 0 : 1);
    }
    int st = 0;
    assert_int_equal(waitpid(pid, &st, 0), pid);
    assert_true(WIFEXITED(st));
    assert_int_equal(WEXITSTATUS(st), 0);
}

int main(void)
{
#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)
    const struct CMUnitTest tests[] = {
        T(test_pin_and_puk_files),
        T(test_param_file),
        T(test_bad_files),
        T(test_environment),
        T(test_not_dumpable),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
