/* SPDX-License-Identifier: LGPL-2.1-or-later */
/**
 * @file direct_io.c
 * @brief The direct backend talking to a card: vpcd frames on a slot's
 *        socket, power sequences, APDU exchange, insertion and removal.
 *
 * These are the reader's half of the vpcd protocol (docs/protocol.md):
 * control bytes 00/01/02 get no answer, 04 (GET ATR) and APDUs get one
 * frame back. Frames are encoded in one sendmsg() call (header and payload
 * as two iovecs) and decoded with the shared frame codec, reading exactly
 * the bytes the decoder still needs so nothing beyond one frame is ever
 * consumed. A card that closes the connection, answers with an empty frame
 * or does not answer within the I/O timeout is treated as removed, as vpcd
 * does; so is a card that stops reading (sends wait for room with the same
 * deadline, they never block) and one that sent a frame nobody asked for
 * (found waiting before a request: it would be taken for the answer).
 *
 * Exchanges run on the caller's thread. The slot's `busy` flag is the
 * per-slot lock: one exchange at a time per slot, any number of slots at
 * once, and the I/O thread is not woken by an exchange (it watches idle
 * card sockets for hang-ups only) unless it had to stop watching the slot.
 *
 * A new card's ATR is the exception: slot_attach() sends GET ATR without
 * waiting and the I/O thread feeds the answer to the slot's decoder as it
 * arrives (slot_attach_read(), never blocking, never reading past the ATR
 * frame), so the attach of one card holds up no other slot (see
 * "Attaching" in direct.h).
 *
 * Every function here is called with the server lock held; slot_io()
 * drops it for the socket work while the slot is marked busy.
 */
#include "scio/direct.h"

#include <errno.h>
#include <poll.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <unistd.h>

/** What one busy period does on the socket. */
typedef struct io_job {
    const uint8_t *ctrl; /**< control bytes sent first, one frame each */
    size_t n_ctrl;
    const uint8_t *msg;  /**< then this frame (NULL: none) */
    size_t msg_len;
    bool want_reply;     /**< and read one frame back */
    int timeout_ms;      /**< for the whole job; 0 = the I/O timeout */
    uint8_t *out;
    size_t cap;
    size_t got;          /**< reply length (even when > cap) */
} io_job;

/** Milliseconds left until `deadline` for poll(); -1 without a deadline. */
static int poll_left(uint64_t deadline)
{
    if (deadline == 0)
        return -1;
    uint64_t now = direct_now_ms();
    return now >= deadline ? 0 : (int)(deadline - now);
}

/** Wait until fd is ready for `ev` (or hung up); false on timeout. */
static bool wait_ready(int fd, short ev, uint64_t deadline)
{
    for (;;) {
        struct pollfd p = {.fd = fd, .events = ev};
        int r = poll(&p, 1, poll_left(deadline));
        if (r < 0 && errno == EINTR)
            continue;
        return r > 0;
    }
}

/* One frame, header and payload in one sendmsg() where the kernel takes it
 * whole; never blocks past `deadline` (a card that stops reading). */
static bool send_frame(int fd, const uint8_t *payload, size_t len,
                       uint64_t deadline)
{
    uint8_t hdr[VPCD_HEADER_SIZE] = {(uint8_t)(len >> 8), (uint8_t)len};
    struct iovec iov[2] = {{hdr, sizeof(hdr)}, {(void *)payload, len}};
    size_t total = sizeof(hdr) + len;

    if (len == 0 || len > VPCD_MAX_PAYLOAD)
        return false;
    while (total > 0) {
        struct msghdr m = {.msg_iov = iov, .msg_iovlen = 2};
        ssize_t n = sendmsg(fd, &m, MSG_NOSIGNAL | MSG_DONTWAIT);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK) &&
            wait_ready(fd, POLLOUT, deadline))
            continue;
        if (n <= 0)
            return false; /* error, or no room before the deadline */
        total -= (size_t)n;
        for (int i = 0; i < 2 && n > 0; i++) { /* skip what was sent */
            size_t k = (size_t)n < iov[i].iov_len ? (size_t)n : iov[i].iov_len;
            iov[i].iov_base = (uint8_t *)iov[i].iov_base + k;
            iov[i].iov_len -= k;
            n -= (ssize_t)k;
        }
    }
    return true;
}

/* Before a request nothing may be waiting: data means a frame the card
 * sent unasked (or a closed connection). */
static bool stream_quiet(int fd)
{
    uint8_t b;
    ssize_t n = recv(fd, &b, 1, MSG_PEEK | MSG_DONTWAIT);
    return n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK);
}

/** How many bytes the decoder needs to finish the current frame. */
static size_t decoder_wants(const vpcd_decoder *d)
{
    if (d->header_got < VPCD_HEADER_SIZE)
        return VPCD_HEADER_SIZE - d->header_got;
    return d->need - d->got;
}

static bool recv_frame(int fd, vpcd_decoder *d, uint64_t deadline, io_job *job)
{
    uint8_t chunk[4096];

    vpcd_decoder_reset(d);
    for (;;) {
        struct pollfd p = {.fd = fd, .events = POLLIN};
        int r = poll(&p, 1, poll_left(deadline));
        if (r < 0 && errno == EINTR)
            continue;
        if (r <= 0)
            return false; /* error or the card is mute: removed */
        size_t want = decoder_wants(d);
        ssize_t n = recv(fd, chunk, want < sizeof(chunk) ? want : sizeof(chunk),
                         MSG_DONTWAIT);
        if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
            continue;
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return false;
        const uint8_t *frame = NULL;
        size_t frame_len = 0;
        bool complete = false;
        vpcd_decoder_feed(d, chunk, (size_t)n, &frame, &frame_len, &complete);
        if (!complete)
            continue;
        job->got = frame_len;
        if (frame_len <= job->cap)
            memcpy(job->out, frame, frame_len);
        return frame_len > 0; /* an empty frame means "card gone" */
    }
}

static bool run_job(int fd, vpcd_decoder *dec, int timeout_ms, io_job *job)
{
    uint64_t deadline = timeout_ms < 0 ? 0
                                       : direct_now_ms() + (uint64_t)timeout_ms;
    if (!stream_quiet(fd))
        return false;
    for (size_t i = 0; i < job->n_ctrl; i++)
        if (!send_frame(fd, &job->ctrl[i], 1, deadline))
            return false;
    if (job->msg && !send_frame(fd, job->msg, job->msg_len, deadline))
        return false;
    return !job->want_reply || recv_frame(fd, dec, deadline, job);
}

/**
 * Run `job` on the slot's socket with the lock dropped. On failure the card
 * is ejected. Returns false if there was no card or the I/O failed.
 */
static bool slot_io(dsrv *s, dslot *sl, io_job *job)
{
    while (sl->busy)
        pthread_cond_wait(&s->idle, &s->lock);
    if (sl->fd < 0)
        return false;
    int fd = sl->fd;
    int timeout = job->timeout_ms ? job->timeout_ms : s->io_timeout_ms;
    sl->busy = true;
    pthread_mutex_unlock(&s->lock);
    bool ok = run_job(fd, &sl->dec, timeout, job);
    pthread_mutex_lock(&s->lock);
    sl->busy = false;
    pthread_cond_broadcast(&s->idle);
    if (!ok && sl->fd == fd)
        slot_eject(s, sl);
    if (!ok || sl->unwatched) { /* the I/O thread must look again */
        sl->unwatched = false;
        direct_wake(s);
    }
    return ok;
}

void slot_eject(dsrv *s, dslot *sl)
{
    if (sl->fd >= 0)
        close(sl->fd);
    sl->fd = -1;
    if (sl->present)
        sl->counter++;
    sl->present = false;
    sl->powered = false;
    sl->protocol = 0;
    sl->atr_len = 0;
    sl->grace_at = 0;
    sl->attaching = false;
    sl->attach_at = 0;
    vpcd_decoder_reset(&sl->dec);
    pthread_cond_broadcast(&s->changed);
    pthread_cond_broadcast(&s->idle);
}

static void take_atr(dslot *sl, const io_job *job)
{
    sl->atr_len = job->got;
    memcpy(sl->atr, job->out, job->got);
}

bool slot_attach(dsrv *s, dslot *sl, int fd)
{
    static const uint8_t get_atr = VPCD_CTRL_ATR;

    sl->fd = fd;
    vpcd_decoder_reset(&sl->dec);
    /* a deadline of now: a fresh socket takes 3 bytes or the card is
     * broken; the I/O thread never waits for room */
    if (!stream_quiet(fd) || !send_frame(fd, &get_atr, 1, direct_now_ms())) {
        slot_eject(s, sl);
        return false;
    }
    sl->attaching = true;
    sl->attach_at = direct_now_ms() + (uint64_t)s->atr_timeout_ms;
    return true;
}

/* The ATR frame is whole: the card is inserted. */
static attach_result attach_done(dsrv *s, dslot *sl, const uint8_t *atr,
                                 size_t len)
{
    if (len == 0 || len > SCIO_ATR_MAX) { /* gone, or not a card we can
                                             present */
        slot_eject(s, sl);
        return ATTACH_FAILED;
    }
    memcpy(sl->atr, atr, len);
    sl->atr_len = len;
    sl->attaching = false;
    sl->attach_at = 0;
    sl->present = true;
    sl->powered = false;
    sl->counter++;
    sl->gen++;
    pthread_cond_broadcast(&s->changed);
    return ATTACH_DONE;
}

/* Feed `n` received bytes to the decoder (they never go beyond the frame). */
static attach_result attach_feed(dsrv *s, dslot *sl, const uint8_t *in,
                                 size_t n)
{
    const uint8_t *frame = NULL;
    size_t frame_len = 0;
    bool complete = false;

    vpcd_decoder_feed(&sl->dec, in, n, &frame, &frame_len, &complete);
    if (complete)
        return attach_done(s, sl, frame, frame_len);
    if (sl->dec.header_got == VPCD_HEADER_SIZE && sl->dec.need > SCIO_ATR_MAX) {
        slot_eject(s, sl); /* announced too long: no need to read it */
        return ATTACH_FAILED;
    }
    return ATTACH_PENDING;
}

/* Up to `cap` bytes without waiting: > 0 read, 0 none yet, -1 closed or
 * failed. */
static ssize_t recv_now(int fd, uint8_t *buf, size_t cap)
{
    for (;;) {
        ssize_t n = recv(fd, buf, cap, MSG_DONTWAIT);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
            return 0;
        return n > 0 ? n : -1;
    }
}

attach_result slot_attach_read(dsrv *s, dslot *sl)
{
    uint8_t chunk[SCIO_ATR_MAX + VPCD_HEADER_SIZE];
    attach_result r = ATTACH_PENDING;

    while (r == ATTACH_PENDING) {
        size_t want = decoder_wants(&sl->dec);
        ssize_t n = recv_now(sl->fd, chunk,
                             want < sizeof(chunk) ? want : sizeof(chunk));
        if (n == 0)
            return ATTACH_PENDING; /* the rest later */
        if (n < 0) {
            slot_eject(s, sl); /* closed or failed before its ATR */
            return ATTACH_FAILED;
        }
        r = attach_feed(s, sl, chunk, (size_t)n);
    }
    return r;
}

/** Send control bytes, then GET ATR, and take the new ATR. */
static uint32_t power_sequence(dsrv *s, dslot *sl, const uint8_t *ctrl,
                               size_t n_ctrl)
{
    static const uint8_t get_atr = VPCD_CTRL_ATR;
    uint8_t atr[SCIO_ATR_MAX];
    io_job job = {.ctrl = ctrl, .n_ctrl = n_ctrl, .msg = &get_atr,
                  .msg_len = 1, .want_reply = true, .out = atr,
                  .cap = sizeof(atr)};

    if (!sl->present || !slot_io(s, sl, &job))
        return RV_E_NO_SMARTCARD;
    if (job.got > SCIO_ATR_MAX) {
        slot_eject(s, sl);
        return RV_E_NO_SMARTCARD;
    }
    take_atr(sl, &job);
    sl->powered = true;
    sl->protocol = 0; /* negotiated again by the next connect */
    sl->grace_at = 0;
    return RV_SUCCESS;
}

uint32_t slot_power_on(dsrv *s, dslot *sl)
{
    static const uint8_t on = VPCD_CTRL_ON;
    return power_sequence(s, sl, &on, 1);
}

uint32_t slot_reset(dsrv *s, dslot *sl)
{
    static const uint8_t reset = VPCD_CTRL_RESET;
    return power_sequence(s, sl, &reset, 1);
}

uint32_t slot_power_off(dsrv *s, dslot *sl)
{
    static const uint8_t off = VPCD_CTRL_OFF;
    io_job job = {.ctrl = &off, .n_ctrl = 1};

    if (!sl->present || !slot_io(s, sl, &job))
        return RV_E_NO_SMARTCARD;
    sl->powered = false;
    sl->protocol = 0;
    sl->grace_at = 0;
    return RV_SUCCESS;
}

uint32_t slot_apdu(dsrv *s, dslot *sl, const uint8_t *cmd, size_t len,
                   uint8_t *resp, size_t *resp_len)
{
    io_job job = {.msg = cmd, .msg_len = len, .want_reply = true,
                  .out = resp, .cap = *resp_len};

    if (!sl->present || !slot_io(s, sl, &job))
        return RV_W_REMOVED_CARD;
    *resp_len = job.got;
    return job.got > job.cap ? RV_E_INSUFFICIENT_BUFFER : RV_SUCCESS;
}

uint32_t slot_reader_state(const dslot *sl)
{
    uint32_t st = sl->present ? ST_PRESENT : ST_EMPTY;
    if (sl->handles > 0)
        st |= ST_INUSE;
    if (sl->exclusive)
        st |= ST_EXCLUSIVE;
    return st | (uint32_t)sl->counter << 16;
}
