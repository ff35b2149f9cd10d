/* SPDX-License-Identifier: LGPL-2.1-or-later */
/**
 * @file fuzz_driver.c
 * @brief libFuzzer target: the pcscd driver (driver/, the IFDH* entry
 *        points pcscd calls) against a card peer whose bytes are fuzzed.
 *
 * The driver runs in this process exactly as pcscd would call it, in normal
 * mode (it listens on a loopback port and the card connects). The harness
 * plays the card: a TCP connection to the driver served by a peer thread
 * (one for the process) that reads the driver's requests and answers each
 * one that expects an answer (GET ATR, an APDU) with the current record's bytes (frames, ATRs,
 * lengths, anything; nothing for an empty record), once. The answer must
 * come after the request: the driver ejects a card that has data waiting
 * before a request (a frame sent unasked), so bytes written ahead would
 * only ever reach that check. The driver's timeouts are 2 ms, so a missing
 * answer costs 2 ms, and a thread that is slow to be scheduled is rarely
 * taken for a silent card; an input does not always take exactly the same
 * path on a loaded machine.
 *
 * Input: records of an operation byte, a 2-byte big-endian length and that
 * many bytes, the card's answer to the operation's request (a length past
 * the end takes what is left). Operation (low 3 bits): 0 IFDHICCPresence
 * (accepts the card and asks its ATR), 1 power up, 2 reset, 3 power down,
 * 4 transmit a command of one of 8 lengths (0, 1, 2, 4, 5, 261, 65535,
 * 65536 bytes; bits 3-5) into a buffer of 65538 or 3 bytes (bit 6), 5 a
 * capability, control code or the event wait (bits 3-5), 6 the card ends
 * its output (EOF, after writing the bytes unasked), 7 the card closes
 * and a new one connects. Each input opens the channel afresh and closes
 * it at the end.
 *
 * Checks beyond the sanitizers: an ATR the driver hands out has 1..33
 * bytes; a response it hands out has 2 bytes at least and fits the
 * caller's buffer.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <ifdhandler.h>
#include <netinet/in.h>
#include <pthread.h>
#include <reader.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "core/log.h"

#include "fuzz_util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define LUN 0x00000000ul
#define BIG 65538u

static uint16_t port;
static uint8_t cmd[65536], resp[BIG];

static void die(const char *what)
{
    fprintf(stderr, "fuzz_driver: %s\n", what);
    abort();
}

static void quiet(void *user, sfc_log_level level, const char *msg)
{
    (void)user;
    (void)level;
    (void)msg;
}

/* A free loopback port, or die. */
static uint16_t pick_port(void)
{
    uint16_t free_port = fuzz_pick_port();
    if (free_port == 0)
        die("no free port");
    return free_port;
}

static void open_channel(void)
{
    char name[96];
    for (int tries = 0; tries < 20; tries++) {
        if (!port)
            port = pick_port();
        snprintf(name, sizeof(name),
                 "/dev/null:%u,slots=1,timeout=2,atr_timeout=2", port);
        if (IFDHCreateChannelByName(LUN, name) == IFD_SUCCESS)
            return;
        port = 0; /* taken meanwhile: another one */
    }
    die("cannot open the channel");
}

static int peer_connect(void)
{
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons(port)};
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
    if (fd < 0)
        die("socket");
    /* loopback: the handshake completes in connect() or at once after;
     * a driver whose backlog is full takes the card later, or never (then
     * the peer thread's first read fails) */
    if (connect(fd, (struct sockaddr *)&a, sizeof(a)) != 0 &&
        errno != EINPROGRESS)
        die("cannot connect to the driver");
    if (fcntl(fd, F_SETFL, 0) != 0) /* blocking reads for the peer thread */
        die("fcntl");
    return fd;
}

/* ---- the card peer -------------------------------------------------------- */

/* The connection the worker thread (fuzz_util.h) serves is handed over
 * under `lock`. */
typedef struct peer {
    pthread_mutex_t lock;
    pthread_cond_t cond;
    const uint8_t *reply; /* under lock: the answer of the current record */
    size_t reply_len;
    bool pending;         /* under lock: not used yet */
    int fd;               /* the card's connection */
    fuzz_worker worker;   /* busy: the thread reads fd */
} peer;

/* Answer the request just read with the current record's bytes, once. */
static void answer(peer *pe)
{
    pthread_mutex_lock(&pe->lock);
    if (pe->pending && pe->reply_len > 0)
        fuzz_write_all(pe->fd, pe->reply, pe->reply_len, MSG_DONTWAIT);
    pe->pending = false;
    pthread_mutex_unlock(&pe->lock);
}

/* Read the driver's frames until the connection ends; power off, on and
 * reset (one byte other than 04, GET ATR) expect no answer. */
static void serve(peer *pe, int fd)
{
    static uint8_t req[65536];
    uint8_t hdr[2];
    while (fuzz_read_all(fd, hdr, 2)) {
        size_t n = (size_t)hdr[0] << 8 | hdr[1];
        if (n == 0 || !fuzz_read_all(fd, req, n))
            break;
        if (n > 1 || req[0] == 0x04)
            answer(pe);
    }
}

static void peer_job(void *arg)
{
    peer *pe = arg;
    serve(pe, pe->fd);
}

static void peer_start(peer *pe)
{
    if (!fuzz_worker_ready(&pe->worker))
        die("thread");
    int fd = peer_connect();
    pthread_mutex_lock(&pe->lock);
    pe->fd = fd;
    pe->pending = false;
    fuzz_worker_go(&pe->worker);
    pthread_mutex_unlock(&pe->lock);
}

/* The card leaves: its connection closes once the thread has stopped
 * reading it. */
static void peer_stop(peer *pe)
{
    shutdown(pe->fd, SHUT_RDWR);
    pthread_mutex_lock(&pe->lock);
    fuzz_worker_wait(&pe->worker);
    pthread_mutex_unlock(&pe->lock);
    close(pe->fd);
}

static void peer_set_reply(peer *pe, const uint8_t *p, size_t n)
{
    pthread_mutex_lock(&pe->lock);
    pe->reply = p;
    pe->reply_len = n;
    pe->pending = true;
    pthread_mutex_unlock(&pe->lock);
}

/* EOF from the card: its unused bytes go out unasked, then its output
 * ends (it still reads). */
static void peer_eof(peer *pe)
{
    answer(pe);
    shutdown(pe->fd, SHUT_WR);
}

static void power(DWORD action, bool small)
{
    UCHAR atr[MAX_ATR_SIZE];
    DWORD len = small ? 2 : sizeof(atr);
    if (IFDHPowerICC(LUN, action, atr, &len) == IFD_SUCCESS &&
        action != IFD_POWER_DOWN && (len == 0 || len > MAX_ATR_SIZE))
        die("power up: bad ATR length");
}

static void transmit(uint8_t op)
{
    static const DWORD lengths[] = {0, 1, 2, 4, 5, 261, 65535, 65536};
    DWORD clen = lengths[(op >> 3) & 7];
    DWORD cap = (op & 0x40) ? 3 : BIG, rlen = cap;
    SCARD_IO_HEADER send = {.Protocol = 1, .Length = 0}, recv = {0};
    if (clen >= 4)
        memcpy(cmd, "\x00\xA4\x04\x00", 4);
    if (IFDHTransmitToICC(LUN, send, cmd, clen, resp, &rlen, &recv) ==
            IFD_SUCCESS &&
        (rlen < 2 || rlen > cap))
        die("transmit: bad response length");
}

static void ask(uint8_t op)
{
    static const DWORD tags[] = {TAG_IFD_ATR, SCARD_ATTR_ATR_STRING,
                                 TAG_IFD_SLOTS_NUMBER, SCARD_ATTR_VENDOR_NAME};
    unsigned k = (op >> 3) & 7;
    UCHAR v[64];
    DWORD len = (op & 0x40) ? 1 : sizeof(v), got = 0;
    if (k < 4) {
        if (IFDHGetCapabilities(LUN, tags[k], &len, v) == IFD_SUCCESS &&
            len > ((op & 0x40) ? 1 : sizeof(v)))
            die("capability longer than the buffer");
    } else if (k == 4) {
        (void)IFDHControl(LUN, CM_IOCTL_GET_FEATURE_REQUEST, NULL, 0, v,
                          len, &got);
    } else if (k == 5) {
        (void)IFDHSetProtocolParameters(LUN, (op & 0x40) ? SCARD_PROTOCOL_T1
                                                         : SCARD_PROTOCOL_T0,
                                        0, 0, 0, 0);
    } else {
        RESPONSECODE (*wait)(DWORD, int) = NULL;
        len = sizeof(wait);
        if (IFDHGetCapabilities(LUN, TAG_IFD_POLLING_THREAD_WITH_TIMEOUT,
                                &len, (PUCHAR)&wait) == IFD_SUCCESS &&
            wait)
            (void)wait(LUN, 1);
    }
}

static void run(peer *pe, uint8_t op)
{
    switch (op & 7) {
    case 0: (void)IFDHICCPresence(LUN); break;
    case 1: power(IFD_POWER_UP, op & 0x40); break;
    case 2: power(IFD_RESET, op & 0x40); break;
    case 3: power(IFD_POWER_DOWN, false); break;
    case 4: transmit(op); break;
    case 5: ask(op); break;
    case 6: peer_eof(pe); break;
    default:
        peer_stop(pe);
        peer_start(pe);
        break;
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static bool first = true;
    static peer pe = {.lock = PTHREAD_MUTEX_INITIALIZER,
                      .cond = PTHREAD_COND_INITIALIZER,
                      .worker = {.lock = &pe.lock, .cond = &pe.cond,
                                 .job = peer_job, .arg = &pe}};
    open_channel();
    if (first && !getenv("FUZZ_DRIVER_LOG")) /* after the driver's setup */
        sfc_log_set(quiet, NULL, SFC_LOG_ERROR);
    first = false;
    peer_start(&pe);
    size_t off = 0;
    fuzz_record r;
    while (fuzz_next_record(data, size, &off, &r)) {
        peer_set_reply(&pe, r.data, r.len);
        run(&pe, r.op);
    }
    peer_stop(&pe);
    if (IFDHCloseChannel(LUN) != IFD_SUCCESS)
        die("close channel");
    return 0;
}
