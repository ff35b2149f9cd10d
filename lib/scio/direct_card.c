/* SPDX-License-Identifier: LGPL-2.1-or-later */
/**
 * @file direct_card.c
 * @brief The direct backend's card handles: connect, reconnect,
 *        disconnect, status, transmit, control, attributes, transactions,
 *        with pcscd's semantics.
 *
 * What pcscd 1.9.9 with vpcd does, observed and reproduced here:
 *  - connect powers an unpowered card on (01, 04); SHARED fails on an
 *    exclusive card and EXCLUSIVE on a used one (SHARING_VIOLATION);
 *    DIRECT works without a card and has no protocol;
 *  - protocol choice: TA2 (specific mode) forces its protocol; otherwise
 *    T=1 if both the card and the caller allow it, else T=0; RAW if asked;
 *  - RESET (02, 04) and UNPOWER (00) act for every handle: the others get
 *    W_RESET_CARD on transmit, status and transactions until they
 *    reconnect; a handle of a card that was removed gets W_REMOVED_CARD;
 *  - LEAVE by the last handle arms the grace-period power-off;
 *  - transmit needs the active protocol (or RAW) and blocks while another
 *    handle holds a transaction;
 *  - the reader has no control features (UNSUPPORTED_FEATURE, as vpcd).
 */
#include "scio/direct.h"

#include <stdlib.h>
#include <string.h>

#include "core/atr.h"

#define PROTO_T0 1u
#define PROTO_T1 2u
#define PROTO_RAW 4u

static void lock(dsrv *s)
{
    pthread_mutex_lock(&s->lock);
}

static void unlock(dsrv *s)
{
    pthread_mutex_unlock(&s->lock);
}

/* The protocol pcscd would pick for this ATR and mask, 0 if none. */
static unsigned choose_protocol(const dslot *sl, unsigned wanted)
{
    atr_info info;
    if (wanted & PROTO_RAW)
        return PROTO_RAW;
    sfc_err e = atr_parse(sl->atr, sl->atr_len, &info);
    unsigned offered = (e == SFC_OK || e == SFC_E_CHECKSUM)
                           ? info.protocols & (PROTO_T0 | PROTO_T1)
                           : PROTO_T0;
    if (info.n_groups >= 2 && (info.group[1].present & ATR_TA))
        offered = (1u << (info.group[1].ta & 0x0F)) & (PROTO_T0 | PROTO_T1);
    unsigned both = offered & wanted;
    if (both & PROTO_T1)
        return PROTO_T1;
    return both & PROTO_T0;
}

/* W_REMOVED_CARD / W_RESET_CARD pending for this handle? */
static uint32_t handle_events(const be_card *k)
{
    const dslot *sl = k->slot;
    if (k->share == SCIO_SHARE_DIRECT)
        return RV_SUCCESS;
    if (!sl->present || k->gen != sl->gen)
        return RV_W_REMOVED_CARD;
    if (k->epoch != sl->epoch)
        return RV_W_RESET_CARD;
    return RV_SUCCESS;
}

static uint32_t share_check(const dslot *sl, unsigned share, unsigned others)
{
    if (sl->exclusive && others > 0)
        return RV_E_SHARING_VIOLATION;
    if (share == SCIO_SHARE_EXCLUSIVE && others > 0)
        return RV_E_SHARING_VIOLATION;
    return RV_SUCCESS;
}

/* Power the card if needed and pick the protocol: the first connect after
 * power-up negotiates it, later ones must accept it (or ask for RAW). */
static uint32_t ready_card(dsrv *s, dslot *sl, unsigned protocols,
                           unsigned *active)
{
    if (!sl->present)
        return RV_E_NO_SMARTCARD;
    if (!sl->powered) {
        uint32_t rv = slot_power_on(s, sl);
        if (rv != RV_SUCCESS)
            return rv;
    }
    if (protocols & PROTO_RAW)
        *active = PROTO_RAW;
    else if (sl->protocol)
        *active = protocols & sl->protocol;
    else
        *active = sl->protocol = choose_protocol(sl, protocols);
    return *active ? RV_SUCCESS : RV_E_PROTO_MISMATCH;
}

static uint32_t connect_locked(be_ctx *c, dslot *sl, unsigned share,
                               unsigned protocols, be_card *k)
{
    uint32_t rv = share_check(sl, share, sl->handles);
    if (rv != RV_SUCCESS)
        return rv;
    if (share != SCIO_SHARE_DIRECT) {
        if (!(protocols & (PROTO_T0 | PROTO_T1 | PROTO_RAW)))
            return RV_E_PROTO_MISMATCH;
        rv = ready_card(c->srv, sl, protocols, &k->protocol);
        if (rv == RV_SUCCESS)
            rv = share_check(sl, share, sl->handles); /* lock was dropped */
        if (rv != RV_SUCCESS)
            return rv;
    }
    if (share == SCIO_SHARE_DIRECT) /* pcscd: the card's current one */
        k->protocol = sl->present && sl->powered ? sl->protocol : 0;
    *k = (be_card){c, sl, share, k->protocol, sl->gen, sl->epoch};
    sl->handles++;
    sl->exclusive = share == SCIO_SHARE_EXCLUSIVE;
    sl->grace_at = 0;
    pthread_cond_broadcast(&c->srv->changed);
    return RV_SUCCESS;
}

uint32_t direct_connect(be_ctx *c, const char *reader, unsigned share,
                        unsigned protocols, be_card **out, unsigned *active)
{
    dsrv *s = c->srv;
    if (share < SCIO_SHARE_EXCLUSIVE || share > SCIO_SHARE_DIRECT)
        return RV_E_INVALID_VALUE;
    be_card *k = calloc(1, sizeof(*k));
    if (!k)
        return RV_E_NO_MEMORY;
    lock(s);
    dslot *sl = direct_find_slot(s, reader);
    uint32_t rv = sl ? connect_locked(c, sl, share, protocols, k)
                     : RV_E_UNKNOWN_READER;
    unlock(s);
    if (rv != RV_SUCCESS) {
        free(k);
        return rv;
    }
    *active = k->protocol;
    *out = k;
    return RV_SUCCESS;
}

/* Apply a disposition for handle `k` (reset or power off for everyone). */
static uint32_t dispose(dsrv *s, be_card *k, unsigned disposition)
{
    dslot *sl = k->slot;
    uint32_t rv = RV_SUCCESS;
    if (disposition == SCIO_LEAVE || !sl->present)
        return RV_SUCCESS;
    if (disposition == SCIO_RESET)
        rv = slot_reset(s, sl);
    else if (disposition == SCIO_UNPOWER || disposition == SCIO_EJECT)
        rv = slot_power_off(s, sl);
    else
        return RV_E_INVALID_VALUE;
    sl->epoch++;
    k->epoch = sl->epoch;
    return rv;
}

static uint32_t reconnect_locked(dsrv *s, be_card *k, unsigned share,
                                 unsigned protocols, unsigned init)
{
    dslot *sl = k->slot;
    uint32_t rv = share_check(sl, share, sl->handles - 1);
    if (rv != RV_SUCCESS || share == SCIO_SHARE_DIRECT)
        return rv;
    if (!sl->present)
        return RV_E_NO_SMARTCARD;
    k->gen = sl->gen;
    if (init == SCIO_UNPOWER || init == SCIO_EJECT) {
        rv = slot_power_off(s, sl);
        sl->epoch++;
    } else if (init == SCIO_RESET && sl->powered) {
        rv = slot_reset(s, sl);
        sl->epoch++;
    }
    if (rv == RV_SUCCESS)
        rv = ready_card(s, sl, protocols, &k->protocol);
    k->epoch = sl->epoch;
    return rv;
}

uint32_t direct_reconnect(be_card *k, unsigned share, unsigned protocols,
                          unsigned init, unsigned *active)
{
    dsrv *s = k->ctx->srv;
    if (share < SCIO_SHARE_EXCLUSIVE || share > SCIO_SHARE_DIRECT ||
        init > SCIO_EJECT)
        return RV_E_INVALID_VALUE;
    if (share != SCIO_SHARE_DIRECT &&
        !(protocols & (PROTO_T0 | PROTO_T1 | PROTO_RAW)))
        return RV_E_PROTO_MISMATCH;
    lock(s);
    uint32_t rv = reconnect_locked(s, k, share, protocols, init);
    if (rv == RV_SUCCESS) {
        k->share = share;
        k->slot->exclusive = share == SCIO_SHARE_EXCLUSIVE;
        pthread_cond_broadcast(&s->changed);
    }
    unlock(s);
    *active = rv == RV_SUCCESS ? k->protocol : 0;
    return rv;
}

static void release_handle(dsrv *s, be_card *k)
{
    dslot *sl = k->slot;
    sl->handles--;
    if (k->share == SCIO_SHARE_EXCLUSIVE)
        sl->exclusive = false;
    if (sl->txn_owner == k) {
        sl->txn_owner = NULL;
        pthread_cond_broadcast(&s->idle);
    }
    if (sl->handles == 0 && sl->powered && s->grace_ms >= 0) {
        sl->grace_at = direct_now_ms() + (uint64_t)s->grace_ms;
        direct_wake(s);
    }
    pthread_cond_broadcast(&s->changed);
}

uint32_t direct_disconnect(be_card *k, unsigned disposition)
{
    dsrv *s = k->ctx->srv;
    uint32_t rv = RV_SUCCESS;
    lock(s);
    if (disposition > SCIO_EJECT)
        rv = RV_E_INVALID_VALUE;
    else if (k->share != SCIO_SHARE_DIRECT && handle_events(k) == RV_SUCCESS)
        rv = dispose(s, k, disposition);
    release_handle(s, k);
    unlock(s);
    free(k);
    return rv;
}

uint32_t direct_status(be_card *k, uint32_t *state, unsigned *protocol,
                       uint8_t *atr, size_t *atr_len)
{
    dsrv *s = k->ctx->srv;
    dslot *sl = k->slot;
    lock(s);
    uint32_t rv = handle_events(k);
    if (rv == RV_SUCCESS) {
        *state = sl->present ? CS_PRESENT : CS_ABSENT;
        if (sl->powered)
            *state |= CS_POWERED | CS_NEGOTIABLE;
        *state |= (uint32_t)sl->counter << 16;
        *protocol = k->protocol;
        *atr_len = sl->present ? sl->atr_len : 0;
        memcpy(atr, sl->atr, *atr_len);
    }
    unlock(s);
    return rv;
}

/* Wait while another handle holds a transaction; lock held. */
static uint32_t wait_txn(dsrv *s, be_card *k)
{
    while (k->slot->txn_owner && k->slot->txn_owner != k) {
        pthread_cond_wait(&s->idle, &s->lock);
        uint32_t rv = handle_events(k);
        if (rv != RV_SUCCESS)
            return rv;
    }
    return RV_SUCCESS;
}

static uint32_t transmit_locked(dsrv *s, be_card *k, unsigned protocol,
                                const uint8_t *send, size_t send_len,
                                uint8_t *recv, size_t *recv_len)
{
    uint32_t rv = handle_events(k);
    if (rv != RV_SUCCESS)
        return rv;
    if (k->protocol == 0 || (protocol != PROTO_RAW && protocol != k->protocol))
        return RV_E_PROTO_MISMATCH;
    if (send_len < 2) /* vpcd would read it as a control byte */
        return RV_E_INVALID_PARAMETER;
    if (send_len > VPCD_MAX_PAYLOAD)
        return RV_E_INSUFFICIENT_BUFFER;
    rv = wait_txn(s, k);
    if (rv == RV_SUCCESS && !k->slot->powered)
        rv = slot_power_on(s, k->slot);
    if (rv != RV_SUCCESS)
        return rv == RV_E_NO_SMARTCARD ? RV_W_REMOVED_CARD : rv;
    return slot_apdu(s, k->slot, send, send_len, recv, recv_len);
}

uint32_t direct_transmit(be_card *k, unsigned protocol, const uint8_t *send,
                         size_t send_len, uint8_t *recv, size_t *recv_len)
{
    dsrv *s = k->ctx->srv;
    lock(s);
    uint32_t rv = transmit_locked(s, k, protocol, send, send_len, recv,
                                  recv_len);
    unlock(s);
    if (rv != RV_SUCCESS && rv != RV_E_INSUFFICIENT_BUFFER)
        *recv_len = 0;
    return rv;
}

uint32_t direct_control(be_card *k, uint32_t code, const uint8_t *in,
                        size_t in_len, uint8_t *out, size_t *out_len)
{
    (void)k;
    (void)code;
    (void)in;
    (void)in_len;
    (void)out;
    *out_len = 0;
    return RV_E_UNSUPPORTED_FEATURE;
}

/* The attributes vpcd 0.9 answers: ATR string and friendly name. */
static uint32_t copy_attr(const void *v, size_t n, uint8_t *buf, size_t *len)
{
    size_t cap = *len;
    *len = n;
    if (buf && n > cap)
        return RV_E_INSUFFICIENT_BUFFER;
    if (buf)
        memcpy(buf, v, n);
    return RV_SUCCESS;
}

uint32_t direct_get_attrib(be_card *k, uint32_t id, uint8_t *buf,
                           size_t *len)
{
    dsrv *s = k->ctx->srv;
    dslot *sl = k->slot;
    uint32_t rv = RV_E_UNSUPPORTED_FEATURE;
    lock(s);
    if (id == SCIO_ATTR_ATR_STRING && sl->present)
        rv = copy_attr(sl->atr, sl->atr_len, buf, len);
    else if (id == SCIO_ATTR_DEVICE_FRIENDLY_NAME)
        rv = copy_attr(sl->name, strlen(sl->name) + 1, buf, len);
    else
        *len = 0;
    unlock(s);
    return rv;
}

uint32_t direct_set_attrib(be_card *k, uint32_t id, const uint8_t *buf,
                           size_t len)
{
    (void)k;
    (void)id;
    (void)buf;
    (void)len;
    return RV_E_UNSUPPORTED_FEATURE;
}

uint32_t direct_begin(be_card *k)
{
    dsrv *s = k->ctx->srv;
    lock(s);
    uint32_t rv = handle_events(k);
    if (rv == RV_SUCCESS)
        rv = wait_txn(s, k);
    if (rv == RV_SUCCESS)
        k->slot->txn_owner = k;
    unlock(s);
    return rv;
}

uint32_t direct_end(be_card *k, unsigned disposition)
{
    dsrv *s = k->ctx->srv;
    lock(s);
    uint32_t rv = k->slot->txn_owner == k ? handle_events(k)
                                           : RV_E_NOT_TRANSACTED;
    if (k->slot->txn_owner == k) {
        k->slot->txn_owner = NULL;
        pthread_cond_broadcast(&s->idle);
    }
    if (rv == RV_SUCCESS)
        rv = disposition > SCIO_EJECT ? RV_E_INVALID_VALUE
                                      : dispose(s, k, disposition);
    unlock(s);
    return rv;
}
