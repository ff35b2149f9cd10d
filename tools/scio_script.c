/* SPDX-License-Identifier: LGPL-2.1-or-later */
/**
 * @file scio_script.c
 * @brief `scio script FILE`: run APDUs from a file and check the answers.
 *
 * The format extends scriptor's (pcsc-tools): one command APDU in hex per
 * line, "reset" to reset the card (reconnect with RESET), "exit" to stop,
 * "#" to end a line's useful part. A command may be followed by "=" and
 * the expected response, written as hex with "x" for any nibble:
 * "= 9000", "= 61xx", "= 0102 9000" (exact data), "= * 9000" (any data).
 * Output is scriptor's: "> command", "< data SW1 SW2 : text". The first
 * unexpected response stops the script with exit status 7; a line that
 * is not understood stops it with status 2 before anything is sent
 * from that line.
 */
#include "scio_cli.h"

#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#define LINE_MAX_LEN (2 * SCIO_COMMAND_MAX + 4096)

/** An expected response: data nibbles (or any), SW nibbles. */
typedef struct expect {
    bool present;
    bool any_data;
    char data[2 * 1024 + 1]; /**< nibble pattern, NUL-terminated */
    char sw[5];
} expect;

static char *trim(char *s)
{
    while (isspace((unsigned char)*s))
        s++;
    size_t n = strlen(s);
    while (n > 0 && isspace((unsigned char)s[n - 1]))
        s[--n] = '\0';
    return s;
}

static bool is_nibble(char c)
{
    return isxdigit((unsigned char)c) || c == 'x' || c == 'X';
}

/* Parse "9000", "61xx", "0102 9000", "* 9000" (spaces ignored). */
static bool parse_expect(const char *text, expect *e)
{
    char pat[sizeof(e->data) + 8];
    size_t n = 0;
    memset(e, 0, sizeof(*e));
    e->present = true;
    for (const char *s = text; *s; s++) {
        if (isspace((unsigned char)*s))
            continue;
        if (*s == '*' && n == 0 && !e->any_data) {
            e->any_data = true;
            continue;
        }
        if (!is_nibble(*s) || n + 1 >= sizeof(pat))
            return false;
        pat[n++] = (char)toupper((unsigned char)*s);
    }
    if (n < 4 || n % 2 || (e->any_data && n != 4))
        return false;
    memcpy(e->sw, pat + n - 4, 4);
    memcpy(e->data, pat, n - 4);
    return true;
}

static bool nibbles_match(const char *pattern, const uint8_t *b, size_t n)
{
    static const char hex[] = "0123456789ABCDEF";
    for (size_t i = 0; i < 2 * n; i++) {
        uint8_t v = i % 2 ? b[i / 2] & 0x0F : b[i / 2] >> 4;
        if (pattern[i] != 'X' && pattern[i] != hex[v])
            return false;
    }
    return true;
}

static bool response_matches(const expect *e, const uint8_t *data,
                             size_t len, uint16_t sw)
{
    uint8_t swb[2] = {(uint8_t)(sw >> 8), (uint8_t)sw};
    if (!nibbles_match(e->sw, swb, 2))
        return false;
    if (e->any_data)
        return true;
    return strlen(e->data) == 2 * len && nibbles_match(e->data, data, len);
}

typedef struct script_run {
    const scio_opts *o;
    scio_connection *conn;
    uint8_t *resp;
    const char *file;
    unsigned line;
} script_run;

static int syntax(const script_run *r, const char *what)
{
    fprintf(stderr, "scio: %s:%u: %s\n", r->file, r->line, what);
    return SCIO_EXIT_USAGE;
}

static int run_apdu(script_run *r, char *text)
{
    uint8_t cmd[SCIO_COMMAND_MAX];
    size_t len = 0, rlen = SCIO_RESPONSE_MAX;
    uint16_t sw = 0;
    expect e = {0};
    char *eq = strchr(text, '=');
    if (eq) {
        *eq = '\0';
        if (!parse_expect(eq + 1, &e))
            return syntax(r, "bad expected response (e.g. '= 9000', "
                             "'= 61xx', '= * 9000')");
    }
    if (scio_hex_decode(text, cmd, sizeof(cmd), &len) != SCIO_OK || len < 4)
        return syntax(r, "not an APDU in hex, 'reset' or 'exit'");
    scio_print_command(cmd, len);
    scio_status st = scio_transmit(r->conn, cmd, len, r->resp, &rlen, &sw);
    if (st != SCIO_OK)
        return scio_fail(st, "transmit");
    scio_print_response(r->resp, rlen, sw);
    if (e.present && !response_matches(&e, r->resp, rlen, sw)) {
        fprintf(stderr, "scio: %s:%u: unexpected response (expected %s%s%s)\n",
                r->file, r->line, e.any_data ? "* " : e.data,
                e.data[0] ? " " : "", e.sw);
        return SCIO_EXIT_MISMATCH;
    }
    return SCIO_EXIT_OK;
}

/* One line; *stop set by "exit". */
static int run_line(script_run *r, char *line, bool *stop)
{
    char *hash = strchr(line, '#');
    if (hash)
        *hash = '\0';
    char *s = trim(line);
    if (!*s)
        return SCIO_EXIT_OK;
    if (!strcmp(s, "exit") || !strcmp(s, "quit")) {
        *stop = true;
        return SCIO_EXIT_OK;
    }
    if (!strcmp(s, "reset")) {
        printf("reset\n");
        scio_status st = scio_reconnect(r->conn, r->o->protocols,
                                        r->o->share, SCIO_RESET);
        return st == SCIO_OK ? SCIO_EXIT_OK : scio_fail(st, "reset");
    }
    return run_apdu(r, s);
}

static int run_file(script_run *r, FILE *f)
{
    char *line = malloc(LINE_MAX_LEN);
    bool stop = false;
    int rc = line ? SCIO_EXIT_OK : SCIO_EXIT_FAILURE;
    while (rc == SCIO_EXIT_OK && !stop && fgets(line, LINE_MAX_LEN, f)) {
        r->line++;
        if (!strchr(line, '\n') && !feof(f))
            rc = syntax(r, "line too long");
        else
            rc = run_line(r, line, &stop);
    }
    free(line);
    return rc;
}

int scio_cmd_script(scio_context *ctx, const scio_opts *o)
{
    script_run r = {.o = o, .file = o->args[0]};
    scio_card card;
    bool is_stdin = !strcmp(r.file, "-");
    FILE *f = is_stdin ? stdin : fopen(r.file, "r");
    if (!f) {
        fprintf(stderr, "scio: %s: %s\n", r.file, strerror(errno));
        return SCIO_EXIT_USAGE;
    }
    int rc = scio_open_card(ctx, o, &r.conn, &card);
    if (rc == SCIO_EXIT_OK && !(r.resp = malloc(SCIO_RESPONSE_MAX)))
        rc = SCIO_EXIT_FAILURE;
    if (rc == SCIO_EXIT_OK)
        rc = run_file(&r, f);
    free(r.resp);
    scio_connection_free(r.conn);
    if (!is_stdin)
        fclose(f);
    return rc;
}
