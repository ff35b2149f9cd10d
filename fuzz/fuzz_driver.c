/* SPDX-License-Identifier: LGPL-2.1-or-later */
/**
 * @file fuzz_driver.c
 * @brief libFuzzer target: the pcscd driver (driver/, the IFDH* entry
 *        points pcscd calls) against a card peer whose bytes are fuzzed.
 *
 * The driver runs in this process exactly as pcscd would call it, in normal
 * mode (it listens on a loopback port and the card connects). The harness
 * plays the card: a TCP connection to the driver on which it writes the
 * fuzzed bytes (frames, ATRs, lengths, anything) and then, in the same
 * thread, calls one IFDH* entry point. Everything the peer sends is already
 * in the driver's socket when the entry point runs, so no thread and no
 * timing is involved; the driver's timeouts are 1 ms, so a missing answer
 * costs a millisecond, not seconds.
 *
 * Input: records of an operation byte, a 2-byte big-endian length and that
 * many bytes the card sends first (a length past the end takes what is
 * left). Operation (low 3 bits): 0 IFDHICCPresence (accepts the card and
 * asks its ATR), 1 power up, 2 reset, 3 power down, 4 transmit a command of
 * one of 8 lengths (0, 1, 2, 4, 5, 261, 65535, 65536 bytes; bits 3-5) into
 * a buffer of 65538 or 3 bytes (bit 6), 5 a capability, control code or
 * the event wait (bits 3-5), 6 the card ends its output (EOF after the
 * bytes), 7 the card closes and a new one connects. Each input opens the
 * channel afresh and closes it at the end.
 *
 * Checks beyond the sanitizers: an ATR the driver hands out has 1..33
 * bytes; a response it hands out has 2 bytes at least and fits the
 * caller's buffer.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <ifdhandler.h>
#include <netinet/in.h>
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
                 "/dev/null:%u,slots=1,timeout=1,atr_timeout=1", port);
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
    /* loopback: the handshake completes in connect() or at once after */
    if (connect(fd, (struct sockaddr *)&a, sizeof(a)) != 0 &&
        errno != EINPROGRESS)
        die("cannot connect to the driver");
    return fd;
}

/* Read and drop what the driver sent, so its sends never block. */
static void drain(int fd)
{
    static uint8_t sink[65536];
    while (fd >= 0 && recv(fd, sink, sizeof(sink), MSG_DONTWAIT) > 0)
        ;
}

static void peer_send(int fd, const uint8_t *p, size_t n)
{
    while (fd >= 0 && n > 0) {
        ssize_t w = send(fd, p, n, MSG_NOSIGNAL | MSG_DONTWAIT);
        if (w <= 0)
            return; /* full or closed: the rest is lost, as on a wire */
        p += w;
        n -= (size_t)w;
    }
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

static int run(int fd, uint8_t op)
{
    switch (op & 7) {
    case 0: (void)IFDHICCPresence(LUN); break;
    case 1: power(IFD_POWER_UP, op & 0x40); break;
    case 2: power(IFD_RESET, op & 0x40); break;
    case 3: power(IFD_POWER_DOWN, false); break;
    case 4: transmit(op); break;
    case 5: ask(op); break;
    case 6: if (fd >= 0) shutdown(fd, SHUT_WR); break;
    default:
        if (fd >= 0)
            close(fd);
        fd = peer_connect();
        break;
    }
    drain(fd);
    return fd;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static bool first = true;
    open_channel();
    if (first && !getenv("FUZZ_DRIVER_LOG")) /* after the driver's setup */
        sfc_log_set(quiet, NULL, SFC_LOG_ERROR);
    first = false;
    int fd = peer_connect();
    size_t off = 0;
    while (off + 3 <= size) {
        uint8_t op = data[off];
        size_t n = (size_t)data[off + 1] << 8 | data[off + 2];
        off += 3;
        if (n > size - off)
            n = size - off;
        peer_send(fd, data + off, n);
        off += n;
        fd = run(fd, op);
    }
    if (fd >= 0)
        close(fd);
    if (IFDHCloseChannel(LUN) != IFD_SUCCESS)
        die("close channel");
    return 0;
}
