/* SPDX-License-Identifier: LGPL-2.1-or-later */
/**
 * @file context.c
 * @brief Contexts (the card system behind a backend) and reader lists.
 *
 * A scio_context chooses the backend and, for the direct backend, owns the
 * server that plays vpcd. It keeps one backend context of its own, behind
 * a mutex, for listing readers; every other object (request, connection,
 * monitor) opens its own with ctx_open(), because a PC/SC context
 * serialises all calls made on it. When pcscd restarted, the old PC/SC
 * context answers with a service error: listing re-establishes it once and
 * retries, so a long-lived context survives daemon restarts.
 */
#include "scio/internal.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "scio/direct.h"

/* ---- small shared helpers ----------------------------------------------- */

uint64_t scio_now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

int cond_init_monotonic(pthread_cond_t *cond)
{
    pthread_condattr_t ca;
    int rc = pthread_condattr_init(&ca);
    if (rc != 0)
        return rc;
    pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
    rc = pthread_cond_init(cond, &ca);
    pthread_condattr_destroy(&ca);
    return rc;
}

void cond_wait_until(pthread_cond_t *cond, pthread_mutex_t *m,
                     uint64_t deadline_ms)
{
    struct timespec ts = {.tv_sec = (time_t)(deadline_ms / 1000u),
                          .tv_nsec = (long)(deadline_ms % 1000u) * 1000000L};
    (void)pthread_cond_timedwait(cond, m, &ts);
}

bool copy_name(char *dst, size_t cap, const char *src)
{
    size_t n = strlen(src);
    if (n >= cap)
        return false;
    memcpy(dst, src, n + 1);
    return true;
}

/* ---- reader lists ------------------------------------------------------- */

scio_status reader_list_from_multi(const char *multi, size_t len,
                                   scio_reader_list **out)
{
    scio_reader_list *l = calloc(1, sizeof(*l));
    size_t count = 0;
    if (!l)
        return SCIO_E_NO_MEMORY;
    for (size_t at = 0; multi && at < len && multi[at]; at += strlen(multi + at) + 1)
        count++;
    l->names = calloc(count ? count : 1, sizeof(char *));
    for (size_t at = 0; l->names && l->n < count; at += strlen(multi + at) + 1) {
        if (!(l->names[l->n] = strdup(multi + at)))
            break;
        l->n++;
    }
    if (!l->names || l->n < count) {
        scio_reader_list_free(l);
        return SCIO_E_NO_MEMORY;
    }
    *out = l;
    return SCIO_OK;
}

size_t scio_reader_list_count(const scio_reader_list *list)
{
    return list ? list->n : 0;
}

const char *scio_reader_list_at(const scio_reader_list *list, size_t i)
{
    return list && i < list->n ? list->names[i] : NULL;
}

bool scio_reader_list_contains(const scio_reader_list *list, const char *name)
{
    for (size_t i = 0; list && name && i < list->n; i++)
        if (strcmp(list->names[i], name) == 0)
            return true;
    return false;
}

void scio_reader_list_free(scio_reader_list *list)
{
    if (!list)
        return;
    for (size_t i = 0; list->names && i < list->n; i++)
        free(list->names[i]);
    free(list->names);
    free(list);
}

/* ---- contexts ----------------------------------------------------------- */

uint32_t ctx_open(scio_context *ctx, be_ctx **out)
{
    return ctx->ops->ctx_new(ctx->backend, out);
}

scio_status scio_context_new(const scio_context_opts *opts,
                             scio_context **out)
{
    static const scio_context_opts defaults;
    const scio_context_opts *o = opts ? opts : &defaults;
    if (!out || (o->backend != SCIO_BACKEND_PCSC &&
                 o->backend != SCIO_BACKEND_DIRECT))
        return SCIO_E_INVALID_ARG;
    *out = NULL;
    scio_context *ctx = calloc(1, sizeof(*ctx));
    if (!ctx || pthread_mutex_init(&ctx->lock, NULL) != 0) {
        free(ctx);
        return SCIO_E_NO_MEMORY;
    }
    ctx->kind = o->backend;
    ctx->ops = o->backend == SCIO_BACKEND_PCSC ? &scio_pcsc_ops
                                               : &scio_direct_ops;
    scio_status st = SCIO_OK;
    if (o->backend == SCIO_BACKEND_DIRECT)
        st = direct_srv_new(o, (dsrv **)&ctx->backend);
    if (st == SCIO_OK)
        st = rv_status(ctx->code = ctx_open(ctx, &ctx->own));
    if (st != SCIO_OK) {
        scio_context_free(ctx);
        return st;
    }
    *out = ctx;
    return SCIO_OK;
}

void scio_context_free(scio_context *ctx)
{
    if (!ctx)
        return;
    if (ctx->own)
        ctx->ops->ctx_free(ctx->own);
    if (ctx->kind == SCIO_BACKEND_DIRECT)
        direct_srv_free(ctx->backend);
    pthread_mutex_destroy(&ctx->lock);
    free(ctx);
}

scio_backend scio_context_backend(const scio_context *ctx)
{
    return ctx->kind;
}

uint32_t scio_context_pcsc_code(const scio_context *ctx)
{
    scio_context *c = (scio_context *)ctx;
    pthread_mutex_lock(&c->lock);
    uint32_t code = c->code;
    pthread_mutex_unlock(&c->lock);
    return code;
}

typedef uint32_t (*list_fn)(be_ctx *, char **, size_t *);

/* Call `fn` on the context's own backend context, re-establishing it once
 * if the service went away. Lock held. */
static uint32_t list_with_retry(scio_context *ctx, list_fn fn, char **multi,
                                size_t *len)
{
    uint32_t rv = ctx->own ? fn(ctx->own, multi, len) : RV_E_NO_SERVICE;
    if (!be_service_lost(rv))
        return rv;
    if (ctx->own)
        ctx->ops->ctx_free(ctx->own);
    ctx->own = NULL;
    rv = ctx_open(ctx, &ctx->own);
    return rv == RV_SUCCESS ? fn(ctx->own, multi, len) : rv;
}

static scio_status list_names(scio_context *ctx, list_fn fn,
                              scio_reader_list **out)
{
    char *multi = NULL;
    size_t len = 0;
    if (!ctx || !out)
        return SCIO_E_INVALID_ARG;
    *out = NULL;
    pthread_mutex_lock(&ctx->lock);
    uint32_t rv = list_with_retry(ctx, fn, &multi, &len);
    ctx->code = rv;
    pthread_mutex_unlock(&ctx->lock);
    if (rv == RV_E_NO_READERS_AVAILABLE)
        return reader_list_from_multi(NULL, 0, out);
    if (rv != RV_SUCCESS)
        return rv_status(rv);
    scio_status st = reader_list_from_multi(multi, len, out);
    free(multi);
    return st;
}

scio_status scio_list_readers(scio_context *ctx, scio_reader_list **out)
{
    return list_names(ctx, ctx ? ctx->ops->list_readers : NULL, out);
}

scio_status scio_list_reader_groups(scio_context *ctx, scio_reader_list **out)
{
    return list_names(ctx, ctx ? ctx->ops->list_groups : NULL, out);
}

static bool all_digits(const char *s)
{
    if (!*s)
        return false;
    for (; *s; s++)
        if (*s < '0' || *s > '9')
            return false;
    return true;
}

/* Index, exact name, or unique substring. */
static const char *pick_reader(const scio_reader_list *l, const char *spec)
{
    const char *found = NULL;
    if (all_digits(spec)) {
        errno = 0;
        unsigned long i = strtoul(spec, NULL, 10);
        return errno || i >= l->n ? NULL : l->names[i];
    }
    if (scio_reader_list_contains(l, spec))
        return spec;
    for (size_t i = 0; i < l->n; i++) {
        if (!strstr(l->names[i], spec))
            continue;
        if (found)
            return NULL; /* ambiguous */
        found = l->names[i];
    }
    return found;
}

scio_status scio_find_reader(scio_context *ctx, const char *spec,
                             char name[SCIO_READER_NAME_MAX + 1])
{
    scio_reader_list *l = NULL;
    if (!spec || !name)
        return SCIO_E_INVALID_ARG;
    scio_status st = scio_list_readers(ctx, &l);
    if (st != SCIO_OK)
        return st;
    const char *r = pick_reader(l, spec);
    st = r && copy_name(name, SCIO_READER_NAME_MAX + 1, r)
             ? SCIO_OK : SCIO_E_UNKNOWN_READER;
    scio_reader_list_free(l);
    return st;
}
