/* SPDX-License-Identifier: LGPL-2.1-or-later */
/**
 * @file err.c
 * @brief Texts for the library's error values (sfc_err).
 */
#include "softcard.h"

const char *sfc_strerror(sfc_err err)
{
    switch (err) {
    case SFC_OK: return "success";
    case SFC_E_INVAL: return "invalid argument";
    case SFC_E_NOMEM: return "out of memory";
    case SFC_E_RANGE: return "value out of range";
    case SFC_E_FORMAT: return "malformed data";
    case SFC_E_CHECKSUM: return "checksum mismatch";
    case SFC_E_NOT_FOUND: return "not found";
    case SFC_E_END: return "no more elements";
    case SFC_E_UNSUPPORTED: return "not supported";
    case SFC_E_STATE: return "not allowed in the current state";
    case SFC_E_IO: return "input/output error";
    case SFC_E_CLOSED: return "connection closed by peer";
    case SFC_E_AGAIN: return "operation would block";
    case SFC_E_REMOVED: return "card removed";
    case SFC_E_RNG: return "random number generator failed";
    }
    return "unknown error";
}
