/* SPDX-License-Identifier: LGPL-2.1-or-later */
/**
 * @file slot.c
 * @brief The Lun registry: creating, finding, referencing and freeing slots.
 *
 * One list of drv_slot, guarded by one mutex that is held only for list
 * operations and reference counts. drv_slot_close() unlinks the slot first
 * (no new users), then raises its closing flag and wakes its event wait, and
 * finally waits until every reference is returned before closing sockets
 * and freeing memory. Locks are taken in one order only: registry, then
 * nothing; slot, then nothing.
 */
#define _GNU_SOURCE /* pipe2 */
#include "slot.h"
#include "vpcd/sockaddr.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "presence.h"
#include "core/errtext.h"
#include "core/log.h"
#include "net.h"
#include "vpcd/addr.h"

static pthread_mutex_t registry_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t registry_idle = PTHREAD_COND_INITIALIZER;
static drv_slot *registry;

static drv_slot *find(uint32_t lun)
{
    for (drv_slot *s = registry; s; s = s->next)
        if (s->lun == lun)
            return s;
    return NULL;
}

drv_slot *drv_slot_get(uint32_t lun)
{
    pthread_mutex_lock(&registry_lock);
    drv_slot *s = find(lun);
    if (s)
        s->refs++;
    pthread_mutex_unlock(&registry_lock);
    return s;
}

void drv_slot_put(drv_slot *s)
{
    pthread_mutex_lock(&registry_lock);
    if (--s->refs == 0)
        pthread_cond_broadcast(&registry_idle);
    pthread_mutex_unlock(&registry_lock);
}

void drv_slot_lock(drv_slot *s)
{
    pthread_mutex_lock(&s->lock);
}

void drv_slot_unlock(drv_slot *s)
{
    pthread_mutex_unlock(&s->lock);
}

void drv_slot_wake(drv_slot *s)
{
    const uint8_t b = 1;
    ssize_t n = write(s->wake[1], &b, 1); /* full pipe: a wake is pending */
    (void)n;
}

void drv_slot_drain(drv_slot *s)
{
    uint8_t buf[64];
    while (read(s->wake[0], buf, sizeof(buf)) > 0)
        ;
}

static void slot_free(drv_slot *s)
{
    net_close(&s->listen_fd);
    net_close(&s->conn_fd);
    drv_dial_reset(s);
    net_close(&s->wake[0]);
    net_close(&s->wake[1]);
    vpcd_decoder_free(&s->dec);
    free(s->io);
    pthread_mutex_destroy(&s->lock);
    free(s);
}

static drv_slot *slot_new(uint32_t lun, const drv_config *cfg)
{
    drv_slot *s = calloc(1, sizeof(*s));
    if (!s)
        return NULL;
    s->lun = lun;
    s->index = lun & 0xFFFFu;
    s->port = (uint16_t)(cfg->port + s->index);
    s->cfg = *cfg;
    if (vpcd_sock_is_unix(cfg->host)) /* checked to fit by devname.c */
        vpcd_sock_slot_path(cfg->host, s->index, s->cfg.host,
                            sizeof(s->cfg.host));
    s->listen_fd = s->conn_fd = s->dial.fd = -1;
    s->wake[0] = s->wake[1] = -1;
    atomic_init(&s->interrupt, false);
    atomic_init(&s->closing, false);
    pthread_mutex_init(&s->lock, NULL);
    char where[DRV_HOST_MAX + 16];
    if (vpcd_sock_is_unix(s->cfg.host))
        snprintf(where, sizeof(where), "%s", s->cfg.host);
    else
        vpcd_hostport(cfg->host, s->port, where, sizeof(where));
    snprintf(s->name, sizeof(s->name), "%02X:%02X %s%s", (lun >> 16) & 0xFF,
             s->index, cfg->mode == DRV_LISTEN ? "listen " : "card ", where);
    s->io = malloc(DRV_IO_SIZE);
    if (!s->io || vpcd_decoder_init(&s->dec) != SFC_OK ||
        pipe2(s->wake, O_NONBLOCK | O_CLOEXEC) < 0) {
        slot_free(s);
        return NULL;
    }
    return s;
}

static sfc_err start_listening(drv_slot *s)
{
    int err = 0;
    s->listen_fd = net_listen(s->cfg.host, s->port, &err);
    if (s->listen_fd >= 0) {
        sfc_log(SFC_LOG_INFO, "%s: waiting for cards", s->name);
        return SFC_OK;
    }
    char text[96];
    sfc_log(SFC_LOG_ERROR, "%s: cannot listen: %s (%s)", s->name,
           sfc_errno_text(err, text, sizeof(text)),
           err == EADDRINUSE ? "is another vpcd driver, e.g. Debian's "
                               "/etc/reader.conf.d/vpcd, using the port?"
                             : "check bind= and the port");
    return SFC_E_IO;
}

static bool is_open(uint32_t lun)
{
    pthread_mutex_lock(&registry_lock);
    bool open = find(lun) != NULL;
    pthread_mutex_unlock(&registry_lock);
    if (open)
        sfc_log(SFC_LOG_ERROR, "Lun 0x%08X is open already", (unsigned)lun);
    return open;
}

sfc_err drv_slot_open(uint32_t lun, const drv_config *cfg)
{
    if (is_open(lun))
        return SFC_E_STATE;
    drv_slot *s = slot_new(lun, cfg);
    if (!s)
        return SFC_E_NOMEM;
    if (cfg->mode == DRV_LISTEN && start_listening(s) != SFC_OK) {
        slot_free(s);
        return SFC_E_IO;
    }
    if (cfg->mode == DRV_CONNECT)
        sfc_log(SFC_LOG_INFO, "%s: will connect to the card", s->name);
    pthread_mutex_lock(&registry_lock);
    sfc_err err = find(lun) ? SFC_E_STATE : SFC_OK;
    if (err == SFC_OK) {
        s->next = registry;
        registry = s;
    }
    pthread_mutex_unlock(&registry_lock);
    if (err != SFC_OK) {
        sfc_log(SFC_LOG_ERROR, "Lun 0x%08X is open already", (unsigned)lun);
        slot_free(s);
    }
    return err;
}

static drv_slot *unlink_slot(uint32_t lun)
{
    for (drv_slot **p = &registry; *p; p = &(*p)->next) {
        if ((*p)->lun == lun) {
            drv_slot *s = *p;
            *p = s->next;
            return s;
        }
    }
    return NULL;
}

sfc_err drv_slot_close(uint32_t lun)
{
    pthread_mutex_lock(&registry_lock);
    drv_slot *s = unlink_slot(lun);
    if (s) {
        atomic_store(&s->closing, true);
        drv_slot_wake(s);
        while (s->refs > 0)
            pthread_cond_wait(&registry_idle, &registry_lock);
    }
    pthread_mutex_unlock(&registry_lock);
    if (!s)
        return SFC_E_NOT_FOUND;
    sfc_log(SFC_LOG_INFO, "%s: closed", s->name);
    slot_free(s);
    return SFC_OK;
}
