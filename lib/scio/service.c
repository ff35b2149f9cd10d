/* SPDX-License-Identifier: LGPL-2.1-or-later */
/**
 * @file service.c
 * @brief Card services: a class bound to a connection, the pass-through
 *        class, and a registry that finds the class claiming a card.
 *
 * Ownership is explicit: scio_service_new() borrows the connection,
 * scio_service_registry_open() makes one and hands it to the service,
 * which then frees it (why: docs/decisions.md).
 */
#include "scio/internal.h"

#include <stdlib.h>

struct scio_service {
    const scio_service_class *cls;
    void *class_user;
    scio_connection *conn;
    bool owns_conn;
    void *data;
};

static const scio_service_class passthru = {"passthru", NULL, NULL, NULL};

const scio_service_class *scio_passthru_service(void)
{
    return &passthru;
}

scio_status scio_service_new(const scio_service_class *cls,
                             void *class_user, scio_connection *conn,
                             scio_service **out)
{
    if (!cls || !conn || !out)
        return SCIO_E_INVALID_ARG;
    *out = NULL;
    scio_service *svc = calloc(1, sizeof(*svc));
    if (!svc)
        return SCIO_E_NO_MEMORY;
    *svc = (scio_service){cls, class_user, conn, false, NULL};
    scio_status st = cls->open ? cls->open(svc, class_user) : SCIO_OK;
    if (st != SCIO_OK) {
        free(svc);
        return st;
    }
    *out = svc;
    return SCIO_OK;
}

void scio_service_free(scio_service *svc)
{
    if (!svc)
        return;
    if (svc->cls->close)
        svc->cls->close(svc, svc->class_user);
    if (svc->owns_conn)
        scio_connection_free(svc->conn);
    free(svc);
}

scio_connection *scio_service_connection(const scio_service *svc)
{
    return svc ? svc->conn : NULL;
}

const char *scio_service_name(const scio_service *svc)
{
    return svc && svc->cls->name ? svc->cls->name : "";
}

void *scio_service_get_data(const scio_service *svc)
{
    return svc ? svc->data : NULL;
}

void scio_service_set_data(scio_service *svc, void *data)
{
    if (svc)
        svc->data = data;
}

scio_status scio_service_transmit(scio_service *svc, const uint8_t *cmd,
                                  size_t cmd_len, uint8_t *resp,
                                  size_t *resp_len, uint16_t *sw)
{
    if (!svc)
        return SCIO_E_INVALID_ARG;
    return scio_transmit(svc->conn, cmd, cmd_len, resp, resp_len, sw);
}

/* ---- registry ----------------------------------------------------------- */

typedef struct reg_entry {
    const scio_card_type *type;
    const scio_service_class *cls;
    void *class_user;
} reg_entry;

struct scio_service_registry {
    reg_entry *e;
    size_t n, cap;
};

scio_status scio_service_registry_new(scio_service_registry **out)
{
    if (!out)
        return SCIO_E_INVALID_ARG;
    *out = calloc(1, sizeof(**out));
    return *out ? SCIO_OK : SCIO_E_NO_MEMORY;
}

scio_status scio_service_registry_add(scio_service_registry *reg,
                                      const scio_card_type *type,
                                      const scio_service_class *cls,
                                      void *class_user)
{
    if (!reg || !cls)
        return SCIO_E_INVALID_ARG;
    if (reg->n == reg->cap) {
        size_t cap = reg->cap ? reg->cap * 2 : 4;
        reg_entry *e = realloc(reg->e, cap * sizeof(*e));
        if (!e)
            return SCIO_E_NO_MEMORY;
        reg->e = e;
        reg->cap = cap;
    }
    reg->e[reg->n++] = (reg_entry){type, cls, class_user};
    return SCIO_OK;
}

scio_status scio_service_registry_find(const scio_service_registry *reg,
                                       const scio_card *card,
                                       const scio_service_class **cls,
                                       void **class_user)
{
    if (!reg || !card || !cls)
        return SCIO_E_INVALID_ARG;
    for (size_t i = 0; i < reg->n; i++) {
        const reg_entry *e = &reg->e[i];
        if (!scio_card_type_matches(e->type, card->atr, card->atr_len,
                                    card->reader))
            continue;
        if (e->cls->supports && !e->cls->supports(card, e->class_user))
            continue;
        *cls = e->cls;
        if (class_user)
            *class_user = e->class_user;
        return SCIO_OK;
    }
    return SCIO_E_NOT_FOUND;
}

scio_status scio_service_registry_open(const scio_service_registry *reg,
                                       scio_context *ctx,
                                       const scio_card *card,
                                       unsigned protocols, scio_share share,
                                       scio_disposition disposition,
                                       scio_service **out)
{
    const scio_service_class *cls = NULL;
    void *user = NULL;
    scio_connection *conn = NULL;
    if (!out)
        return SCIO_E_INVALID_ARG;
    *out = NULL;
    scio_status st = scio_service_registry_find(reg, card, &cls, &user);
    if (st == SCIO_OK)
        st = scio_card_connect(ctx, card, protocols, share, disposition, &conn);
    if (st == SCIO_OK)
        st = scio_service_new(cls, user, conn, out);
    if (st != SCIO_OK) {
        scio_connection_free(conn);
        return st;
    }
    (*out)->owns_conn = true;
    return SCIO_OK;
}

void scio_service_registry_free(scio_service_registry *reg)
{
    if (!reg)
        return;
    free(reg->e);
    free(reg);
}
