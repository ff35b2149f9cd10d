/* SPDX-License-Identifier: LGPL-2.1-or-later */
/**
 * @file cardtype.c
 * @brief Card types (which cards a request or monitor wants) and the card
 *        value helpers.
 *
 * A type is immutable once made, so it may be shared by threads. The ATR
 * type follows pyscard's ATRCardType with its edge cases made explicit: a
 * mask must be as long as the ATR (checked at creation, not at match
 * time), and an ATR of another length never matches.
 */
#include "scio/internal.h"

#include <stdlib.h>
#include <string.h>

typedef enum type_kind { TYPE_ANY, TYPE_ATR, TYPE_CUSTOM } type_kind;

struct scio_card_type {
    type_kind kind;
    uint8_t atr[SCIO_ATR_MAX];
    uint8_t mask[SCIO_ATR_MAX];
    size_t len;
    scio_card_match_fn fn;
    void *user;
    void (*free_user)(void *user);
};

static scio_status type_alloc(type_kind kind, scio_card_type **out)
{
    if (!out)
        return SCIO_E_INVALID_ARG;
    *out = calloc(1, sizeof(**out));
    if (!*out)
        return SCIO_E_NO_MEMORY;
    (*out)->kind = kind;
    return SCIO_OK;
}

scio_status scio_card_type_any(scio_card_type **out)
{
    return type_alloc(TYPE_ANY, out);
}

scio_status scio_card_type_atr(const uint8_t *atr, size_t atr_len,
                               const uint8_t *mask, size_t mask_len,
                               scio_card_type **out)
{
    if (out)
        *out = NULL;
    if (!atr || atr_len == 0 || atr_len > SCIO_ATR_MAX ||
        (mask && mask_len != atr_len))
        return SCIO_E_INVALID_ARG;
    scio_status st = type_alloc(TYPE_ATR, out);
    if (st != SCIO_OK)
        return st;
    scio_card_type *t = *out;
    t->len = atr_len;
    memcpy(t->atr, atr, atr_len);
    if (mask)
        memcpy(t->mask, mask, atr_len);
    else
        memset(t->mask, 0xFF, atr_len);
    return SCIO_OK;
}

scio_status scio_card_type_custom(scio_card_match_fn fn, void *user,
                                  void (*free_user)(void *user),
                                  scio_card_type **out)
{
    if (out)
        *out = NULL;
    if (!fn)
        return SCIO_E_INVALID_ARG;
    scio_status st = type_alloc(TYPE_CUSTOM, out);
    if (st != SCIO_OK)
        return st;
    (*out)->fn = fn;
    (*out)->user = user;
    (*out)->free_user = free_user;
    return SCIO_OK;
}

static bool atr_matches(const scio_card_type *t, const uint8_t *atr,
                        size_t len)
{
    if (len != t->len || !atr)
        return false;
    for (size_t i = 0; i < len; i++)
        if ((atr[i] & t->mask[i]) != (t->atr[i] & t->mask[i]))
            return false;
    return true;
}

bool scio_card_type_matches(const scio_card_type *type, const uint8_t *atr,
                            size_t atr_len, const char *reader)
{
    if (!type)
        return true;
    switch (type->kind) {
    case TYPE_ANY: return true;
    case TYPE_ATR: return atr_matches(type, atr, atr_len);
    case TYPE_CUSTOM: return type->fn(atr, atr_len, reader, type->user);
    }
    return false;
}

void scio_card_type_free(scio_card_type *type)
{
    if (!type)
        return;
    if (type->free_user)
        type->free_user(type->user);
    free(type);
}

bool scio_card_equal(const scio_card *a, const scio_card *b)
{
    return a && b && strcmp(a->reader, b->reader) == 0 &&
           a->atr_len == b->atr_len &&
           memcmp(a->atr, b->atr, a->atr_len) == 0;
}
