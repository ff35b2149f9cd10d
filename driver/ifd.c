/* SPDX-License-Identifier: LGPL-2.1-or-later */
/**
 * @file ifd.c
 * @brief The IFD handler entry points (IFDH*) that pcscd calls.
 *
 * Each entry point finds the slot of its Lun, takes the slot's lock, does
 * its work through presence.c / xfer.c / caps.c and maps the result to an IFD
 * response code. Nothing here keeps state of its own. pcscd already
 * serialises the calls of one slot with a mutex of its own; the slot lock
 * additionally orders them against the polling thread (events.c), which
 * pcscd calls without its mutex.
 *
 * The shared object exports these functions and nothing else (see
 * exports.map), and uses no symbol of pcscd, so test harnesses such as
 * pcsc-lite's HandlerTest can dlopen it too.
 */
#include <ifdhandler.h>
#include <reader.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "caps.h"
#include "presence.h"
#include "devname.h"
#include "drvlog.h"
#include "features.h"
#include "slot.h"

static RESPONSECODE open_channel(DWORD Lun, const drv_config *cfg)
{
    drv_log_setup(cfg);
    if (Lun > UINT32_MAX || (Lun & 0xFFFFu) >= cfg->slots) {
        sfc_log(SFC_LOG_ERROR, "Lun 0x%lX: slot %lu of a reader with %u "
               "slot(s)", (unsigned long)Lun, (unsigned long)(Lun & 0xFFFFu),
               cfg->slots);
        return IFD_COMMUNICATION_ERROR;
    }
    return drv_slot_open((uint32_t)Lun, cfg) == SFC_OK
               ? IFD_SUCCESS : IFD_COMMUNICATION_ERROR;
}

RESPONSECODE IFDHCreateChannelByName(DWORD Lun, LPSTR DeviceName)
{
    drv_config cfg;
    char why[320];
    drv_log_setup(NULL);
    if (drv_config_parse(DeviceName, &cfg, why, sizeof(why)) != SFC_OK) {
        sfc_log(SFC_LOG_ERROR, "DEVICENAME %s: %s",
               DeviceName ? DeviceName : "(none)", why);
        return IFD_COMMUNICATION_ERROR;
    }
    drv_log_setup(&cfg);
    if ((Lun & 0xFFFFu) == 0)
        sfc_log(SFC_LOG_INFO, "reader %02lX: DEVICENAME %s",
               (unsigned long)(Lun >> 16) & 0xFF, DeviceName);
    return open_channel(Lun, &cfg);
}

RESPONSECODE IFDHCreateChannel(DWORD Lun, DWORD Channel)
{
    drv_config cfg;
    char why[160];
    drv_log_setup(NULL);
    if (drv_config_channel(Channel, &cfg, why, sizeof(why)) != SFC_OK) {
        sfc_log(SFC_LOG_ERROR, "%s", why);
        return IFD_COMMUNICATION_ERROR;
    }
    return open_channel(Lun, &cfg);
}

RESPONSECODE IFDHCloseChannel(DWORD Lun)
{
    return drv_slot_close((uint32_t)Lun) == SFC_OK ? IFD_SUCCESS
                                                  : IFD_COMMUNICATION_ERROR;
}

RESPONSECODE IFDHGetCapabilities(DWORD Lun, DWORD Tag, PDWORD Length,
                                 PUCHAR Value)
{
    if (!Length || (!Value && *Length > 0))
        return IFD_COMMUNICATION_ERROR;
    drv_slot *s = drv_slot_get((uint32_t)Lun);
    if (!s)
        return IFD_COMMUNICATION_ERROR;
    drv_slot_lock(s);
    RESPONSECODE rc = drv_get_capability(s, Tag, Length, Value);
    drv_slot_unlock(s);
    drv_slot_put(s);
    return rc;
}

RESPONSECODE IFDHSetCapabilities(DWORD Lun, DWORD Tag, DWORD Length,
                                 PUCHAR Value)
{
    (void)Lun;
    (void)Tag;
    (void)Length;
    (void)Value;
    return IFD_NOT_SUPPORTED;
}

RESPONSECODE IFDHSetProtocolParameters(DWORD Lun, DWORD Protocol, UCHAR Flags,
                                       UCHAR PTS1, UCHAR PTS2, UCHAR PTS3)
{
    (void)Flags; /* there is no PPS on a virtual wire */
    (void)PTS1;
    (void)PTS2;
    (void)PTS3;
    if (Protocol != SCARD_PROTOCOL_T0 && Protocol != SCARD_PROTOCOL_T1)
        return IFD_PROTOCOL_NOT_SUPPORTED;
    drv_slot *s = drv_slot_get((uint32_t)Lun);
    if (!s)
        return IFD_COMMUNICATION_ERROR;
    drv_slot_lock(s);
    s->protocol = Protocol;
    drv_slot_unlock(s);
    drv_slot_put(s);
    return IFD_SUCCESS;
}

static RESPONSECODE power_up(drv_slot *s, uint8_t ctrl, PUCHAR Atr,
                             PDWORD AtrLength)
{
    if (!Atr || !AtrLength)
        return IFD_COMMUNICATION_ERROR;
    DWORD cap = *AtrLength;
    *AtrLength = 0;
    if (drv_power(s, ctrl) != SFC_OK)
        return IFD_ERROR_POWER_ACTION;
    if (cap < s->atr_len)
        return IFD_ERROR_INSUFFICIENT_BUFFER;
    memcpy(Atr, s->atr, s->atr_len);
    *AtrLength = (DWORD)s->atr_len;
    return IFD_SUCCESS;
}

static RESPONSECODE power(drv_slot *s, DWORD Action, PUCHAR Atr,
                          PDWORD AtrLength)
{
    switch (Action) {
    case IFD_POWER_DOWN:
        (void)drv_power(s, VPCD_CTRL_OFF); /* no card: nothing to power */
        if (AtrLength)
            *AtrLength = 0;
        return IFD_SUCCESS;
    case IFD_POWER_UP:
        return power_up(s, VPCD_CTRL_ON, Atr, AtrLength);
    case IFD_RESET:
        return power_up(s, VPCD_CTRL_RESET, Atr, AtrLength);
    default:
        return IFD_NOT_SUPPORTED;
    }
}

RESPONSECODE IFDHPowerICC(DWORD Lun, DWORD Action, PUCHAR Atr,
                          PDWORD AtrLength)
{
    drv_slot *s = drv_slot_get((uint32_t)Lun);
    if (!s)
        return IFD_COMMUNICATION_ERROR;
    drv_slot_lock(s);
    RESPONSECODE rc = power(s, Action, Atr, AtrLength);
    drv_slot_unlock(s);
    drv_slot_put(s);
    return rc;
}

/* IFD numbering: 0 = T=0, 1 = T=1 (SCARD_PROTOCOL_* minus one). */
static DWORD ifd_protocol(unsigned long negotiated, DWORD requested)
{
    if (negotiated == SCARD_PROTOCOL_T0)
        return 0;
    if (negotiated == SCARD_PROTOCOL_T1)
        return 1;
    return requested;
}

static RESPONSECODE transmit_result(sfc_err err)
{
    switch (err) {
    case SFC_OK: return IFD_SUCCESS;
    case SFC_E_STATE:
    case SFC_E_REMOVED: return IFD_ICC_NOT_PRESENT;
    case SFC_E_AGAIN: return IFD_RESPONSE_TIMEOUT;
    case SFC_E_RANGE: return IFD_ERROR_INSUFFICIENT_BUFFER;
    default: return IFD_COMMUNICATION_ERROR;
    }
}

RESPONSECODE IFDHTransmitToICC(DWORD Lun, SCARD_IO_HEADER SendPci,
                               PUCHAR TxBuffer, DWORD TxLength,
                               PUCHAR RxBuffer, PDWORD RxLength,
                               PSCARD_IO_HEADER RecvPci)
{
    if (!RxLength)
        return IFD_COMMUNICATION_ERROR;
    size_t rlen = *RxLength;
    *RxLength = 0;
    if (!TxBuffer || !RxBuffer)
        return IFD_COMMUNICATION_ERROR;
    drv_slot *s = drv_slot_get((uint32_t)Lun);
    if (!s)
        return IFD_COMMUNICATION_ERROR;
    drv_slot_lock(s);
    sfc_err err = drv_transmit(s, TxBuffer, TxLength, RxBuffer, &rlen);
    unsigned long negotiated = s->protocol;
    drv_slot_unlock(s);
    drv_slot_put(s);
    if (err == SFC_OK) {
        *RxLength = (DWORD)rlen;
        if (RecvPci)
            RecvPci->Protocol = ifd_protocol(negotiated, SendPci.Protocol);
    }
    return transmit_result(err);
}

RESPONSECODE IFDHControl(DWORD Lun, DWORD dwControlCode, PUCHAR TxBuffer,
                         DWORD TxLength, PUCHAR RxBuffer, DWORD RxLength,
                         LPDWORD pdwBytesReturned)
{
    size_t returned = 0;
    (void)TxBuffer;
    (void)TxLength;
    if (pdwBytesReturned)
        *pdwBytesReturned = 0;
    drv_slot *s = drv_slot_get((uint32_t)Lun);
    if (!s)
        return IFD_COMMUNICATION_ERROR;
    drv_slot_put(s);
    if (dwControlCode > UINT32_MAX)
        return IFD_ERROR_NOT_SUPPORTED;
    switch (drv_control((uint32_t)dwControlCode, RxBuffer, RxLength,
                        &returned)) {
    case DRV_CONTROL_OK:
        if (pdwBytesReturned)
            *pdwBytesReturned = (DWORD)returned;
        return IFD_SUCCESS;
    case DRV_CONTROL_SHORT_BUFFER:
        return IFD_ERROR_INSUFFICIENT_BUFFER;
    default:
        return IFD_ERROR_NOT_SUPPORTED;
    }
}

RESPONSECODE IFDHICCPresence(DWORD Lun)
{
    drv_slot *s = drv_slot_get((uint32_t)Lun);
    if (!s)
        return IFD_COMMUNICATION_ERROR;
    drv_slot_lock(s);
    drv_refresh(s, false);
    bool present = drv_report_presence(s);
    drv_slot_unlock(s);
    drv_slot_put(s);
    return present ? IFD_ICC_PRESENT : IFD_ICC_NOT_PRESENT;
}
