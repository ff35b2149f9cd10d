/* SPDX-License-Identifier: LGPL-2.1-or-later */
/**
 * @file backend_pcsc.c
 * @brief The pcsc backend: the be_ops of backend.h mapped onto libpcsclite.
 *
 * Each function is a thin translation: DWORD/LONG (8 bytes on Linux LP64)
 * become uint32_t codes, reader lists are fetched with SCARD_AUTOALLOCATE
 * and copied into malloc'ed memory, reader states are converted both ways
 * with the whole event state (counter included) kept intact, and the send
 * PCI is chosen from the protocol the caller names. No policy lives here.
 */
#include "scio/backend.h"

#include <stdlib.h>
#include <string.h>

#include <PCSC/winscard.h>
#include <PCSC/wintypes.h>

struct be_ctx {
    SCARDCONTEXT h;
};

struct be_card {
    SCARDHANDLE h;
};

static uint32_t rv32(LONG rv)
{
    return (uint32_t)rv;
}

static uint32_t pcsc_ctx_new(void *backend, be_ctx **out)
{
    (void)backend;
    be_ctx *c = calloc(1, sizeof(*c));
    if (!c)
        return RV_E_NO_MEMORY;
    LONG rv = SCardEstablishContext(SCARD_SCOPE_USER, NULL, NULL, &c->h);
    if (rv != SCARD_S_SUCCESS) {
        free(c);
        return rv32(rv);
    }
    *out = c;
    return RV_SUCCESS;
}

static void pcsc_ctx_free(be_ctx *c)
{
    if (!c)
        return;
    (void)SCardReleaseContext(c->h);
    free(c);
}

/* Copy an AUTOALLOCATE'd multi-string into malloc'ed memory. */
static uint32_t copy_multi(SCARDCONTEXT h, LPSTR src, DWORD n, char **multi,
                           size_t *len)
{
    char *copy = malloc(n + 2u);
    if (!copy) {
        SCardFreeMemory(h, src);
        return RV_E_NO_MEMORY;
    }
    memcpy(copy, src, n);
    copy[n] = copy[n + 1] = '\0'; /* never trust the terminator */
    SCardFreeMemory(h, src);
    *multi = copy;
    *len = n;
    return RV_SUCCESS;
}

static uint32_t pcsc_list_readers(be_ctx *c, char **multi, size_t *len)
{
    LPSTR names = NULL;
    DWORD n = SCARD_AUTOALLOCATE;
    LONG rv = SCardListReaders(c->h, NULL, (LPSTR)&names, &n);
    if (rv != SCARD_S_SUCCESS)
        return rv32(rv);
    return copy_multi(c->h, names, n, multi, len);
}

static uint32_t pcsc_list_groups(be_ctx *c, char **multi, size_t *len)
{
    LPSTR names = NULL;
    DWORD n = SCARD_AUTOALLOCATE;
    LONG rv = SCardListReaderGroups(c->h, (LPSTR)&names, &n);
    if (rv != SCARD_S_SUCCESS)
        return rv32(rv);
    return copy_multi(c->h, names, n, multi, len);
}

static uint32_t pcsc_get_status_change(be_ctx *c, uint32_t timeout_ms,
                                       be_reader_state *st, size_t n)
{
    SCARD_READERSTATE *rs = calloc(n ? n : 1, sizeof(*rs));
    if (!rs)
        return RV_E_NO_MEMORY;
    for (size_t i = 0; i < n; i++) {
        rs[i].szReader = st[i].reader;
        rs[i].dwCurrentState = st[i].current;
    }
    DWORD t = timeout_ms == BE_INFINITE ? INFINITE : (DWORD)timeout_ms;
    LONG rv = SCardGetStatusChange(c->h, t, rs, (DWORD)n);
    for (size_t i = 0; i < n && rv == SCARD_S_SUCCESS; i++) {
        st[i].event = (uint32_t)rs[i].dwEventState;
        st[i].atr_len = rs[i].cbAtr <= SCIO_ATR_MAX ? rs[i].cbAtr : 0;
        memcpy(st[i].atr, rs[i].rgbAtr, st[i].atr_len);
    }
    free(rs);
    return rv32(rv);
}

static uint32_t pcsc_cancel(be_ctx *c)
{
    return rv32(SCardCancel(c->h));
}

static uint32_t pcsc_connect(be_ctx *c, const char *reader, unsigned share,
                             unsigned protocols, be_card **out,
                             unsigned *active)
{
    be_card *k = calloc(1, sizeof(*k));
    DWORD proto = 0;
    if (!k)
        return RV_E_NO_MEMORY;
    LONG rv = SCardConnect(c->h, reader, share, protocols, &k->h, &proto);
    if (rv != SCARD_S_SUCCESS) {
        free(k);
        return rv32(rv);
    }
    *active = (unsigned)proto;
    *out = k;
    return RV_SUCCESS;
}

static uint32_t pcsc_reconnect(be_card *k, unsigned share, unsigned protocols,
                               unsigned init, unsigned *active)
{
    DWORD proto = 0;
    LONG rv = SCardReconnect(k->h, share, protocols, init, &proto);
    *active = (unsigned)proto;
    return rv32(rv);
}

static uint32_t pcsc_disconnect(be_card *k, unsigned disposition)
{
    LONG rv = SCardDisconnect(k->h, disposition);
    free(k);
    return rv32(rv);
}

static uint32_t pcsc_status(be_card *k, uint32_t *state, unsigned *protocol,
                            uint8_t *atr, size_t *atr_len)
{
    char name[SCIO_READER_NAME_MAX + 2];
    DWORD name_len = sizeof(name), st = 0, proto = 0;
    BYTE buf[MAX_ATR_SIZE];
    DWORD n = sizeof(buf);
    LONG rv = SCardStatus(k->h, name, &name_len, &st, &proto, buf, &n);
    if (rv != SCARD_S_SUCCESS)
        return rv32(rv);
    *state = (uint32_t)st;
    *protocol = (unsigned)proto;
    *atr_len = n <= SCIO_ATR_MAX ? n : SCIO_ATR_MAX;
    memcpy(atr, buf, *atr_len);
    return RV_SUCCESS;
}

static const SCARD_IO_REQUEST *pci_for(unsigned protocol)
{
    switch (protocol) {
    case SCARD_PROTOCOL_T0: return SCARD_PCI_T0;
    case SCARD_PROTOCOL_T1: return SCARD_PCI_T1;
    case SCARD_PROTOCOL_RAW: return SCARD_PCI_RAW;
    default: return NULL;
    }
}

static uint32_t pcsc_transmit(be_card *k, unsigned protocol,
                              const uint8_t *send, size_t send_len,
                              uint8_t *recv, size_t *recv_len)
{
    const SCARD_IO_REQUEST *pci = pci_for(protocol);
    DWORD n = (DWORD)*recv_len;
    if (!pci)
        return RV_E_PROTO_MISMATCH;
    LONG rv = SCardTransmit(k->h, pci, send, (DWORD)send_len, NULL, recv,
                            &n);
    *recv_len = rv == SCARD_S_SUCCESS ? n : 0;
    return rv32(rv);
}

static uint32_t pcsc_control(be_card *k, uint32_t code, const uint8_t *in,
                             size_t in_len, uint8_t *out, size_t *out_len)
{
    DWORD n = 0;
    LONG rv = SCardControl(k->h, code, in, (DWORD)in_len, out,
                           (DWORD)*out_len, &n);
    *out_len = rv == SCARD_S_SUCCESS ? n : 0;
    return rv32(rv);
}

static uint32_t pcsc_get_attrib(be_card *k, uint32_t id, uint8_t *buf,
                                size_t *len)
{
    /* pcsc-lite refuses buffers above MAX_BUFFER_SIZE (its IPC limit). */
    DWORD n = (DWORD)(*len > MAX_BUFFER_SIZE ? MAX_BUFFER_SIZE : *len);
    LONG rv = SCardGetAttrib(k->h, id, buf, &n);
    *len = n;
    return rv32(rv);
}

static uint32_t pcsc_set_attrib(be_card *k, uint32_t id, const uint8_t *buf,
                                size_t len)
{
    return rv32(SCardSetAttrib(k->h, id, buf, (DWORD)len));
}

static uint32_t pcsc_begin(be_card *k)
{
    return rv32(SCardBeginTransaction(k->h));
}

static uint32_t pcsc_end(be_card *k, unsigned disposition)
{
    return rv32(SCardEndTransaction(k->h, disposition));
}

const be_ops scio_pcsc_ops = {
    .name = "pcsc",
    .ctx_new = pcsc_ctx_new,
    .ctx_free = pcsc_ctx_free,
    .list_readers = pcsc_list_readers,
    .list_groups = pcsc_list_groups,
    .get_status_change = pcsc_get_status_change,
    .cancel = pcsc_cancel,
    .connect = pcsc_connect,
    .reconnect = pcsc_reconnect,
    .disconnect = pcsc_disconnect,
    .status = pcsc_status,
    .transmit = pcsc_transmit,
    .control = pcsc_control,
    .get_attrib = pcsc_get_attrib,
    .set_attrib = pcsc_set_attrib,
    .begin_transaction = pcsc_begin,
    .end_transaction = pcsc_end,
};
