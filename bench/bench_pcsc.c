/* SPDX-License-Identifier: LGPL-2.1-or-later */
/**
 * @file bench_pcsc.c
 * @brief Connecting, transmitting and waiting for card events through
 *        libpcsclite, for the benchmark clients.
 *
 * The wait loops on SCardGetStatusChange with the remaining time as its
 * timeout (no sleeping), feeding back the event state each time, so it
 * returns as soon as pcscd publishes the change.
 */
#include "bench_pcsc.h"

#include <stdio.h>
#include <time.h>

#include "bench_util.h"

int bench_pcsc_fail(const char *name, const char *what, LONG rv)
{
    fprintf(stderr, "%s: %s: %s (0x%08lX)\n", name, what,
            pcsc_stringify_error(rv), (unsigned long)rv);
    return 1;
}

static bool state_matches(DWORD state, bool present)
{
    if (state & (SCARD_STATE_UNKNOWN | SCARD_STATE_UNAVAILABLE))
        return false;
    return present ? (state & SCARD_STATE_PRESENT) != 0
                   : (state & SCARD_STATE_EMPTY) != 0;
}

int bench_pcsc_wait(const char *name, SCARDCONTEXT ctx, const char *reader,
                    bool present, unsigned timeout_ms)
{
    SCARD_READERSTATE st = {.szReader = reader,
                            .dwCurrentState = SCARD_STATE_UNAWARE};
    double end = bench_now_us() + timeout_ms * 1e3;
    for (;;) {
        double left_ms = (end - bench_now_us()) / 1e3;
        LONG rv = SCardGetStatusChange(ctx, left_ms > 0 ? (DWORD)left_ms : 0,
                                       &st, 1);
        if (rv == SCARD_S_SUCCESS && state_matches(st.dwEventState, present))
            return 0;
        if (rv != SCARD_S_SUCCESS && rv != SCARD_E_TIMEOUT &&
            rv != SCARD_E_UNKNOWN_READER)
            return bench_pcsc_fail(name, "SCardGetStatusChange", rv);
        if (bench_now_us() >= end) {
            fprintf(stderr, "%s: \"%s\" still %s after %u ms\n", name,
                    reader, present ? "empty" : "holds a card", timeout_ms);
            return 1;
        }
        if (rv == SCARD_E_UNKNOWN_READER) { /* not there yet: no event */
            struct timespec ts = {0, 10 * 1000 * 1000};
            nanosleep(&ts, NULL);
        }
        st.dwCurrentState = rv == SCARD_S_SUCCESS ? st.dwEventState
                                                  : SCARD_STATE_UNAWARE;
    }
}

int bench_pcsc_open(bench_pcsc *p, const char *name, const char *reader,
                    unsigned wait_s)
{
    DWORD proto = 0;
    p->name = name;
    LONG rv = SCardEstablishContext(SCARD_SCOPE_USER, NULL, NULL, &p->ctx);
    if (rv != SCARD_S_SUCCESS)
        return bench_pcsc_fail(name, "SCardEstablishContext", rv);
    if (wait_s > 0 &&
        bench_pcsc_wait(name, p->ctx, reader, true, wait_s * 1000) != 0)
        return 1;
    rv = SCardConnect(p->ctx, reader, SCARD_SHARE_SHARED,
                      SCARD_PROTOCOL_T0 | SCARD_PROTOCOL_T1, &p->card,
                      &proto);
    if (rv != SCARD_S_SUCCESS)
        return bench_pcsc_fail(name, "SCardConnect", rv);
    p->connected = true;
    p->pci = proto == SCARD_PROTOCOL_T0 ? SCARD_PCI_T0 : SCARD_PCI_T1;
    return 0;
}

void bench_pcsc_close(bench_pcsc *p)
{
    if (p->connected)
        SCardDisconnect(p->card, SCARD_LEAVE_CARD);
    if (p->ctx)
        SCardReleaseContext(p->ctx);
    p->connected = false;
    p->ctx = 0;
}

int bench_pcsc_tx(void *ctx, const uint8_t *c, size_t clen, uint8_t *r,
                  size_t cap, size_t *rlen)
{
    bench_pcsc *p = ctx;
    DWORD len = (DWORD)cap;
    LONG rv = SCardTransmit(p->card, p->pci, c, (DWORD)clen, NULL, r, &len);
    if (rv != SCARD_S_SUCCESS)
        return bench_pcsc_fail(p->name, "SCardTransmit", rv);
    *rlen = len;
    return 0;
}
