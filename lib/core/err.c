/**
 * @file err.c
 * @brief Texts for the library's error values (sc_err).
 */
#include "softcard.h"

const char *sc_strerror(sc_err err)
{
    switch (err) {
    case SC_OK: return "success";
    case SC_E_INVAL: return "invalid argument";
    case SC_E_NOMEM: return "out of memory";
    case SC_E_RANGE: return "value out of range";
    case SC_E_FORMAT: return "malformed data";
    case SC_E_CHECKSUM: return "checksum mismatch";
    case SC_E_NOT_FOUND: return "not found";
    case SC_E_END: return "no more elements";
    case SC_E_UNSUPPORTED: return "not supported";
    case SC_E_STATE: return "not allowed in the current state";
    case SC_E_IO: return "input/output error";
    case SC_E_CLOSED: return "connection closed by peer";
    case SC_E_AGAIN: return "operation would block";
    case SC_E_REMOVED: return "card removed";
    case SC_E_RNG: return "random number generator failed";
    }
    return "unknown error";
}
