/* SPDX-License-Identifier: LGPL-2.1-or-later */
/**
 * @file startup_bench.c
 * @brief Time from launching a card process to "card present" in pcscd.
 *
 * For each of K rounds: wait until the reader is empty, wait a random
 * 0..JITTER ms (so that launches fall at every phase of a driver's presence
 * polling instead of right after the poll that saw the last card go), fork
 * and exec the card command, and wait with SCardGetStatusChange until
 * pcscd reports the card present. The time between fork and that event is
 * what a user who starts a card and waits for it sees: process start-up,
 * card creation, the connection to the reader driver, the driver's
 * detection (event-driven, or at pcscd's next 400 ms poll) and pcscd's
 * event to the client. Then the card process is stopped with SIGTERM.
 *
 *   startup_bench -r READER [-k K] [--jitter MS] [--log FILE] -- CMD [ARG]...
 *
 * Prints one line: reader="..." launches=K median_ms=.. min_ms=.. max_ms=..
 * mean_ms=..
 */
#include <fcntl.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "bench_pcsc.h"
#include "bench_util.h"

#define NAME "startup_bench"
#define MAX_ROUNDS 1000

typedef struct su_opts {
    const char *reader;
    const char *log;
    unsigned rounds;
    unsigned jitter_ms;
    unsigned timeout_ms;
    char **cmd;
} su_opts;

static void usage(FILE *out)
{
    fprintf(out,
            "usage: startup_bench -r READER [OPTION]... -- CMD [ARG]...\n"
            "  -r, --reader NAME    the PC/SC reader the card will appear in\n"
            "  -k, --rounds K       launches (default 5)\n"
            "      --jitter MS      random wait before each launch, 0..MS\n"
            "                       (default 500)\n"
            "      --timeout MS     longest wait for the card (default 5000)\n"
            "      --log FILE       the card's stdout and stderr (default\n"
            "                       /dev/null)\n");
}

static int parse_args(int argc, char **argv, su_opts *o)
{
    static const struct option longs[] = {
        {"reader", required_argument, NULL, 'r'},
        {"rounds", required_argument, NULL, 'k'},
        {"jitter", required_argument, NULL, 'j'},
        {"timeout", required_argument, NULL, 't'},
        {"log", required_argument, NULL, 'l'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0}};
    int c;
    bool ok = true;
    while ((c = getopt_long(argc, argv, "+r:k:h", longs, NULL)) != -1) {
        switch (c) {
        case 'r': o->reader = optarg; break;
        case 'k': ok = ok && bench_parse_uint(optarg, &o->rounds); break;
        case 'j': ok = ok && bench_parse_uint(optarg, &o->jitter_ms); break;
        case 't': ok = ok && bench_parse_uint(optarg, &o->timeout_ms); break;
        case 'l': o->log = optarg; break;
        case 'h': usage(stdout); exit(0);
        default: ok = false;
        }
    }
    o->cmd = argv + optind;
    if (!ok || !o->reader || optind >= argc || o->rounds == 0 ||
        o->rounds > MAX_ROUNDS) {
        usage(stderr);
        return 2;
    }
    return 0;
}

static void sleep_ms(unsigned ms)
{
    struct timespec ts = {ms / 1000, (long)(ms % 1000) * 1000000L};
    nanosleep(&ts, NULL);
}

static pid_t launch(const su_opts *o)
{
    pid_t pid = fork();
    if (pid != 0)
        return pid;
    int fd = open(o->log, O_WRONLY | O_CREAT | O_APPEND, 0600);
    if (fd >= 0) {
        dup2(fd, STDOUT_FILENO);
        dup2(fd, STDERR_FILENO);
        close(fd);
    }
    execvp(o->cmd[0], o->cmd);
    _exit(127);
}

static void stop(pid_t pid)
{
    kill(pid, SIGTERM);
    waitpid(pid, NULL, 0);
}

/* One launch; its time in ms into *ms. */
static int one_round(SCARDCONTEXT ctx, const su_opts *o, double *ms)
{
    if (bench_pcsc_wait(NAME, ctx, o->reader, false, o->timeout_ms) != 0)
        return 1;
    if (o->jitter_ms)
        sleep_ms((unsigned)rand() % o->jitter_ms);
    double t0 = bench_now_us();
    pid_t pid = launch(o);
    if (pid < 0)
        return 1;
    int rc = bench_pcsc_wait(NAME, ctx, o->reader, true, o->timeout_ms);
    *ms = (bench_now_us() - t0) / 1e3;
    stop(pid);
    return rc;
}

static int compare_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static void report(const su_opts *o, double *ms)
{
    double sum = 0;
    for (unsigned i = 0; i < o->rounds; i++)
        sum += ms[i];
    qsort(ms, o->rounds, sizeof(ms[0]), compare_double);
    double med = o->rounds % 2 ? ms[o->rounds / 2]
                 : (ms[o->rounds / 2 - 1] + ms[o->rounds / 2]) / 2;
    printf("reader=\"%s\" launches=%u median_ms=%.1f min_ms=%.1f "
           "max_ms=%.1f mean_ms=%.1f\n", o->reader, o->rounds, med, ms[0],
           ms[o->rounds - 1], sum / o->rounds);
}

int main(int argc, char **argv)
{
    su_opts o = {.rounds = 5, .jitter_ms = 500, .timeout_ms = 5000,
                 .log = "/dev/null"};
    int rc = parse_args(argc, argv, &o);
    if (rc != 0)
        return rc;
    srand((unsigned)getpid());
    SCARDCONTEXT ctx;
    LONG rv = SCardEstablishContext(SCARD_SCOPE_USER, NULL, NULL, &ctx);
    if (rv != SCARD_S_SUCCESS)
        return bench_pcsc_fail(NAME, "SCardEstablishContext", rv);
    double ms[MAX_ROUNDS];
    for (unsigned i = 0; rc == 0 && i < o.rounds; i++)
        rc = one_round(ctx, &o, &ms[i]);
    if (rc == 0)
        report(&o, ms);
    SCardReleaseContext(ctx);
    return rc;
}
