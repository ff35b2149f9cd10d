/* SPDX-License-Identifier: LGPL-2.1-or-later */
/**
 * @file link_io.c
 * @brief The frame half of a vpcd link: read, decode, dispatch, reply.
 *
 * Input arrives in chunks of any size and goes through the frame decoder;
 * every complete frame is dispatched as docs/protocol.md ("Messages")
 * says: GET ATR is answered with the ATR, power off/on/reset reach the card
 * and get no reply, an APDU gets exactly one response frame, and a
 * zero-length frame or an unknown control byte is logged and ignored. An
 * answer is never empty (6F00 instead). Replies are queued as whole frames
 * and each is handed to the kernel with one send() call; TCP_QUICKACK is
 * re-armed before every recv() (the socket rules of docs/protocol.md).
 *
 * A peer that writes and never reads must not make the queue grow without
 * bound: above LINK_OUT_HIGH queued bytes no frame is dispatched and nothing
 * is read; the received bytes not yet decoded stay in rbuf (nothing is
 * dropped) and are dispatched as the peer reads. On disconnect the queue
 * shrinks back to LINK_OUT_INITIAL.
 */
#include "vpcd/link_impl.h"

#include <errno.h>
#include <netinet/in.h>
#include <stdarg.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "core/log.h"

/** Sent instead of an empty ATR or R-APDU, which vpcd reads as removal. */
static const uint8_t sw_no_info[2] = {0x6F, 0x00};

sfc_err link_io_init(vpcd_link *link)
{
    sfc_err err = vpcd_decoder_init(&link->dec);
    if (err != SFC_OK)
        return err;
    link->rbuf = malloc(LINK_READ_CHUNK);
    link->ocap = LINK_OUT_INITIAL;
    link->obuf = malloc(link->ocap);
    return (link->rbuf && link->obuf) ? SFC_OK : SFC_E_NOMEM;
}

void link_io_free(vpcd_link *link)
{
    vpcd_decoder_free(&link->dec);
    free(link->rbuf);
    free(link->obuf);
    link->rbuf = link->obuf = NULL;
}

/* Give back what a flood made the output queue grow to (keep it if
 * shrinking fails: it still works, only larger). */
static void out_shrink(vpcd_link *link)
{
    uint8_t *p;

    if (link->ocap <= LINK_OUT_INITIAL)
        return;
    p = realloc(link->obuf, LINK_OUT_INITIAL);
    if (!p)
        return;
    link->obuf = p;
    link->ocap = LINK_OUT_INITIAL;
}

void link_warn_once(vpcd_link *link, bool *logged, const char *fmt, ...)
{
    char msg[400];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    if (*logged) {
        sfc_log(SFC_LOG_DEBUG, "%s: %s", link->name, msg);
        return;
    }
    *logged = true;
    sfc_log(SFC_LOG_WARN, "%s: %s (logged once per connection; the rest at "
           "debug level)", link->name, msg);
}

void link_io_reset(vpcd_link *link)
{
    link->peer_warned = false;
    vpcd_decoder_reset(&link->dec);
    link->olen = link->ooff = 0;
    link->ipos = link->ilen = 0;
    out_shrink(link);
}

bool link_io_pending(const vpcd_link *link)
{
    return link->olen > link->ooff;
}

bool link_io_full(const vpcd_link *link)
{
    return link->olen - link->ooff > LINK_OUT_HIGH;
}

bool link_io_backlog(const vpcd_link *link)
{
    return link->ipos < link->ilen;
}

sfc_err link_io_flush(vpcd_link *link)
{
    while (link->ooff < link->olen) {
        ssize_t n = send(link->conn_fd, link->obuf + link->ooff,
                         link->olen - link->ooff, MSG_NOSIGNAL);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
            return SFC_OK; /* the rest goes out on POLLOUT */
        if (n < 0) {
            link->last_errno = errno;
            return SFC_E_IO;
        }
        link->ooff += (size_t)n;
    }
    link->olen = link->ooff = 0;
    return SFC_OK;
}

/* Make room for `need` more bytes at the end of the output queue. */
static sfc_err out_reserve(vpcd_link *link, size_t need)
{
    if (link->ooff > 0 && link->ooff == link->olen)
        link->olen = link->ooff = 0;
    if (link->ocap - link->olen >= need)
        return SFC_OK;
    if (link->ooff > 0) {
        memmove(link->obuf, link->obuf + link->ooff, link->olen - link->ooff);
        link->olen -= link->ooff;
        link->ooff = 0;
        if (link->ocap - link->olen >= need)
            return SFC_OK;
    }
    size_t cap = link->olen + need;
    uint8_t *p = realloc(link->obuf, cap);
    if (!p)
        return SFC_E_NOMEM;
    link->obuf = p;
    link->ocap = cap;
    return SFC_OK;
}

/* Queue one frame and try to send it right away, in one call. */
static sfc_err send_frame(vpcd_link *link, const uint8_t *payload, size_t len)
{
    size_t n = 0;
    sfc_err err;

    if (len == 0) { /* must not happen: vpcd reads it as "card removed" */
        sfc_log(SFC_LOG_ERROR, "%s: card produced an empty response; "
               "sending 6F00", link->name);
        payload = sw_no_info;
        len = sizeof(sw_no_info);
    }
    err = out_reserve(link, len + VPCD_HEADER_SIZE);
    if (err == SFC_OK)
        err = vpcd_frame_encode(payload, len, link->obuf + link->olen,
                                link->ocap - link->olen, &n);
    if (err != SFC_OK) {
        link->last_errno = ENOMEM;
        return SFC_E_IO;
    }
    link->olen += n;
    sfc_log(SFC_LOG_DEBUG, "%s: frame out: %zu bytes", link->name, len);
    return link_io_flush(link);
}

static sfc_err answer_atr(vpcd_link *link)
{
    uint8_t atr[SFC_ATR_MAX];
    size_t len = link->ops.get_atr(link->card, atr, sizeof(atr));
    if (len > sizeof(atr))
        len = 0;
    return send_frame(link, atr, len);
}

static sfc_err answer_apdu(vpcd_link *link, const uint8_t *apdu, size_t len)
{
    const uint8_t *rapdu = NULL;
    size_t rlen = 0;
    sfc_err err = link->ops.transmit(link->card, apdu, len, &rapdu, &rlen);

    if (err == SFC_E_REMOVED)
        return SFC_E_REMOVED;
    if (err != SFC_OK || rapdu == NULL || rlen > VPCD_MAX_PAYLOAD) {
        sfc_log(SFC_LOG_ERROR, "%s: card failed to answer an APDU (%s); "
               "sending 6F00", link->name, sfc_strerror(err));
        rapdu = sw_no_info;
        rlen = sizeof(sw_no_info);
    }
    return send_frame(link, rapdu, rlen);
}

static void log_frame_in(const vpcd_link *link, const uint8_t *p, size_t len)
{
    if (!sfc_log_enabled(SFC_LOG_DEBUG))
        return;
    if (len >= 4) /* the header only: the body may hold a PIN */
        sfc_log(SFC_LOG_DEBUG, "%s: frame in: %zu bytes, APDU %02X %02X %02X "
               "%02X ...", link->name, len, p[0], p[1], p[2], p[3]);
    else if (len >= 1) {
        char prefix[96];
        snprintf(prefix, sizeof(prefix), "%s: frame in: ", link->name);
        sfc_log_hex(SFC_LOG_DEBUG, prefix, p, len);
    }
}

static sfc_err dispatch(vpcd_link *link, const uint8_t *p, size_t len)
{
    log_frame_in(link, p, len);
    switch (vpcd_classify(p, len)) {
    case VPCD_MSG_GET_ATR:
        return answer_atr(link);
    case VPCD_MSG_POWER_OFF:
    case VPCD_MSG_POWER_ON:
    case VPCD_MSG_RESET:
        sfc_log(SFC_LOG_DEBUG, "%s: power %s", link->name,
               p[0] == VPCD_CTRL_OFF ? "off" :
               p[0] == VPCD_CTRL_ON ? "on" : "reset");
        link->ops.power(link->card, p[0]);
        return SFC_OK;
    case VPCD_MSG_APDU:
        return answer_apdu(link, p, len);
    case VPCD_MSG_UNKNOWN_CTRL:
        link_warn_once(link, &link->peer_warned, "unknown control byte %02X "
                       "from vpcd; ignored", p[0]);
        return SFC_OK;
    case VPCD_MSG_EMPTY:
        break;
    }
    link_warn_once(link, &link->peer_warned, "zero-length frame from vpcd; "
                   "ignored");
    return SFC_OK;
}

static void arm_quickack(int fd)
{
#ifdef TCP_QUICKACK
    int one = 1;
    (void)setsockopt(fd, IPPROTO_TCP, TCP_QUICKACK, &one, sizeof(one));
#else
    (void)fd;
#endif
}

/*
 * Decode the received bytes in rbuf, dispatching each frame, until they
 * are used up or the output queue is above the high-water mark: then the
 * rest stays in rbuf for link_io_resume() once the peer has read enough.
 */
sfc_err link_io_resume(vpcd_link *link)
{
    while (link->ipos < link->ilen && !link_io_full(link)) {
        const uint8_t *frame;
        size_t frame_len;
        bool complete;
        link->ipos += vpcd_decoder_feed(&link->dec, link->rbuf + link->ipos,
                                        link->ilen - link->ipos, &frame,
                                        &frame_len, &complete);
        if (complete) {
            sfc_err err = dispatch(link, frame, frame_len);
            if (err != SFC_OK)
                return err;
        }
    }
    if (link->ipos == link->ilen)
        link->ipos = link->ilen = 0;
    return SFC_OK;
}

sfc_err link_io_read(vpcd_link *link)
{
    ssize_t n;

    if (link_io_backlog(link)) /* read nothing new before that is done */
        return link_io_resume(link);
    arm_quickack(link->conn_fd);
    n = recv(link->conn_fd, link->rbuf, LINK_READ_CHUNK, 0);
    if (n == 0)
        return SFC_E_CLOSED;
    if (n < 0) {
        if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)
            return SFC_OK;
        link->last_errno = errno;
        return SFC_E_IO;
    }
    link->ipos = 0;
    link->ilen = (size_t)n;
    return link_io_resume(link);
}
