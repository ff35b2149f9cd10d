/* SPDX-License-Identifier: LGPL-2.1-or-later */
/**
 * @file error.c
 * @brief libscio's one error space: status texts, PC/SC code names and
 *        texts, and the mapping from PC/SC codes to scio_status.
 *
 * The PC/SC table is the library's own copy of pcsc-lite's codes and
 * messages, so texts are thread-safe (pcsc_stringify_error uses a
 * thread-local buffer) and identical for both backends. The mapping decides
 * which codes are worth a distinct status (those an application reacts to
 * differently: timeout, cancelled, no card, reset, removed, sharing) and
 * sends the rest to SCIO_E_PCSC with the code kept by the object.
 */
#include "scio/backend.h"

#include <stddef.h>

static const char *const status_texts[] = {
    [SCIO_OK] = "success",
    [SCIO_E_TIMEOUT] = "timed out",
    [SCIO_E_CANCELLED] = "cancelled",
    [SCIO_E_NO_SERVICE] =
        "smart card service not available (is pcscd running?)",
    [SCIO_E_NO_READERS] = "no smart card reader",
    [SCIO_E_UNKNOWN_READER] = "unknown reader",
    [SCIO_E_NO_CARD] = "no card in the reader",
    [SCIO_E_CARD_REMOVED] = "the card was removed",
    [SCIO_E_CARD_RESET] = "the card was reset (reconnect)",
    [SCIO_E_SHARING_VIOLATION] = "the card is in exclusive use",
    [SCIO_E_PROTO_MISMATCH] = "protocol mismatch",
    [SCIO_E_NOT_CONNECTED] = "not connected",
    [SCIO_E_RELEASED] = "connection released",
    [SCIO_E_INVALID_ARG] = "invalid argument",
    [SCIO_E_BUFFER_TOO_SMALL] = "buffer too small",
    [SCIO_E_NO_MEMORY] = "out of memory",
    [SCIO_E_INVALID_ATR] = "invalid ATR",
    [SCIO_E_INVALID_RESPONSE] = "invalid response from the card",
    [SCIO_E_SW] = "status word rejected by the error chain",
    [SCIO_E_ACCESS_DENIED] = "access denied",
    [SCIO_E_UNSUPPORTED] = "not supported",
    [SCIO_E_NOT_FOUND] = "not found",
    [SCIO_E_STATE] = "not allowed in the current state",
    [SCIO_E_PCSC] = "PC/SC error",
};

const char *scio_strerror(scio_status status)
{
    size_t i = (size_t)status;
    if (i < sizeof(status_texts) / sizeof(status_texts[0]) && status_texts[i])
        return status_texts[i];
    return "unknown status";
}

typedef struct pcsc_code {
    uint32_t code;
    const char *name;
    const char *text;
    scio_status status;
} pcsc_code;

static const pcsc_code pcsc_codes[] = {
    {0x00000000u, "SCARD_S_SUCCESS", "Command successful.", SCIO_OK},
    {0x80100001u, "SCARD_F_INTERNAL_ERROR", "Internal error.", SCIO_E_PCSC},
    {0x80100002u, "SCARD_E_CANCELLED", "Command cancelled.",
     SCIO_E_CANCELLED},
    {0x80100003u, "SCARD_E_INVALID_HANDLE", "Invalid handle.",
     SCIO_E_INVALID_ARG},
    {0x80100004u, "SCARD_E_INVALID_PARAMETER", "Invalid parameter given.",
     SCIO_E_INVALID_ARG},
    {0x80100005u, "SCARD_E_INVALID_TARGET", "Invalid target given.",
     SCIO_E_PCSC},
    {0x80100006u, "SCARD_E_NO_MEMORY", "Not enough memory.",
     SCIO_E_NO_MEMORY},
    {0x80100007u, "SCARD_F_WAITED_TOO_LONG", "Waited too long.",
     SCIO_E_PCSC},
    {0x80100008u, "SCARD_E_INSUFFICIENT_BUFFER", "Insufficient buffer.",
     SCIO_E_BUFFER_TOO_SMALL},
    {0x80100009u, "SCARD_E_UNKNOWN_READER", "Unknown reader specified.",
     SCIO_E_UNKNOWN_READER},
    {0x8010000Au, "SCARD_E_TIMEOUT", "Command timeout.", SCIO_E_TIMEOUT},
    {0x8010000Bu, "SCARD_E_SHARING_VIOLATION", "Sharing violation.",
     SCIO_E_SHARING_VIOLATION},
    {0x8010000Cu, "SCARD_E_NO_SMARTCARD", "No smart card inserted.",
     SCIO_E_NO_CARD},
    {0x8010000Du, "SCARD_E_UNKNOWN_CARD", "Unknown card.", SCIO_E_PCSC},
    {0x8010000Eu, "SCARD_E_CANT_DISPOSE", "Cannot dispose handle.",
     SCIO_E_PCSC},
    {0x8010000Fu, "SCARD_E_PROTO_MISMATCH", "Card protocol mismatch.",
     SCIO_E_PROTO_MISMATCH},
    {0x80100010u, "SCARD_E_NOT_READY", "Subsystem not ready.", SCIO_E_PCSC},
    {0x80100011u, "SCARD_E_INVALID_VALUE", "Invalid value given.",
     SCIO_E_INVALID_ARG},
    {0x80100012u, "SCARD_E_SYSTEM_CANCELLED", "System cancelled.",
     SCIO_E_NO_SERVICE},
    {0x80100013u, "SCARD_F_COMM_ERROR", "RPC transport error.",
     SCIO_E_NO_SERVICE},
    {0x80100014u, "SCARD_F_UNKNOWN_ERROR", "Unknown error.", SCIO_E_PCSC},
    {0x80100015u, "SCARD_E_INVALID_ATR", "Invalid ATR.", SCIO_E_INVALID_ATR},
    {0x80100016u, "SCARD_E_NOT_TRANSACTED", "Transaction failed.",
     SCIO_E_PCSC},
    {0x80100017u, "SCARD_E_READER_UNAVAILABLE", "Reader is unavailable.",
     SCIO_E_UNKNOWN_READER},
    {0x80100018u, "SCARD_P_SHUTDOWN", "PCSC shutdown.", SCIO_E_NO_SERVICE},
    {0x80100019u, "SCARD_E_PCI_TOO_SMALL", "PCI struct too small.",
     SCIO_E_PCSC},
    {0x8010001Au, "SCARD_E_READER_UNSUPPORTED", "Reader is unsupported.",
     SCIO_E_UNSUPPORTED},
    {0x8010001Bu, "SCARD_E_DUPLICATE_READER", "Reader already exists.",
     SCIO_E_PCSC},
    {0x8010001Cu, "SCARD_E_CARD_UNSUPPORTED", "Card is unsupported.",
     SCIO_E_UNSUPPORTED},
    {0x8010001Du, "SCARD_E_NO_SERVICE", "Service not available.",
     SCIO_E_NO_SERVICE},
    {0x8010001Eu, "SCARD_E_SERVICE_STOPPED", "Service was stopped.",
     SCIO_E_NO_SERVICE},
    {0x8010001Fu, "SCARD_E_UNSUPPORTED_FEATURE", "Feature not supported.",
     SCIO_E_UNSUPPORTED},
    {0x80100020u, "SCARD_E_ICC_INSTALLATION", "ICC installation failed.",
     SCIO_E_PCSC},
    {0x80100021u, "SCARD_E_ICC_CREATEORDER", "ICC create order failed.",
     SCIO_E_PCSC},
    {0x80100023u, "SCARD_E_DIR_NOT_FOUND", "Directory not found.",
     SCIO_E_PCSC},
    {0x80100024u, "SCARD_E_FILE_NOT_FOUND", "File not found.", SCIO_E_PCSC},
    {0x80100025u, "SCARD_E_NO_DIR", "No directory.", SCIO_E_PCSC},
    {0x80100026u, "SCARD_E_NO_FILE", "No file.", SCIO_E_PCSC},
    {0x80100027u, "SCARD_E_NO_ACCESS", "No access.", SCIO_E_ACCESS_DENIED},
    {0x80100028u, "SCARD_E_WRITE_TOO_MANY", "Write too many.", SCIO_E_PCSC},
    {0x80100029u, "SCARD_E_BAD_SEEK", "Bad seek.", SCIO_E_PCSC},
    {0x8010002Au, "SCARD_E_INVALID_CHV", "Invalid CHV.", SCIO_E_PCSC},
    {0x8010002Bu, "SCARD_E_UNKNOWN_RES_MSG", "Unknown response message.",
     SCIO_E_PCSC},
    {0x8010002Cu, "SCARD_E_NO_SUCH_CERTIFICATE", "No such certificate.",
     SCIO_E_PCSC},
    {0x8010002Du, "SCARD_E_CERTIFICATE_UNAVAILABLE",
     "Certificate unavailable.", SCIO_E_PCSC},
    {0x8010002Eu, "SCARD_E_NO_READERS_AVAILABLE",
     "Cannot find a smart card reader.", SCIO_E_NO_READERS},
    {0x8010002Fu, "SCARD_E_COMM_DATA_LOST", "Communication data lost.",
     SCIO_E_PCSC},
    {0x80100030u, "SCARD_E_NO_KEY_CONTAINER", "No key container.",
     SCIO_E_PCSC},
    {0x80100031u, "SCARD_E_SERVER_TOO_BUSY", "Server too busy.",
     SCIO_E_PCSC},
    {0x80100065u, "SCARD_W_UNSUPPORTED_CARD", "Card is not supported.",
     SCIO_E_UNSUPPORTED},
    {0x80100066u, "SCARD_W_UNRESPONSIVE_CARD", "Card is unresponsive.",
     SCIO_E_NO_CARD},
    {0x80100067u, "SCARD_W_UNPOWERED_CARD", "Card is unpowered.",
     SCIO_E_NO_CARD},
    {0x80100068u, "SCARD_W_RESET_CARD", "Card was reset.",
     SCIO_E_CARD_RESET},
    {0x80100069u, "SCARD_W_REMOVED_CARD", "Card was removed.",
     SCIO_E_CARD_REMOVED},
    {0x8010006Au, "SCARD_W_SECURITY_VIOLATION", "Access denied.",
     SCIO_E_ACCESS_DENIED},
    {0x8010006Bu, "SCARD_W_WRONG_CHV", "Wrong CHV.", SCIO_E_PCSC},
    {0x8010006Cu, "SCARD_W_CHV_BLOCKED", "CHV blocked.", SCIO_E_PCSC},
    {0x8010006Du, "SCARD_W_EOF", "End of file.", SCIO_E_PCSC},
    {0x8010006Eu, "SCARD_W_CANCELLED_BY_USER", "Cancelled by user.",
     SCIO_E_CANCELLED},
    {0x8010006Fu, "SCARD_W_CARD_NOT_AUTHENTICATED",
     "Card not authenticated.", SCIO_E_PCSC},
};

static const pcsc_code *find_code(uint32_t code)
{
    for (size_t i = 0; i < sizeof(pcsc_codes) / sizeof(pcsc_codes[0]); i++)
        if (pcsc_codes[i].code == code)
            return &pcsc_codes[i];
    return NULL;
}

const char *scio_pcsc_strerror(uint32_t code)
{
    const pcsc_code *c = find_code(code);
    return c ? c->text : "Unknown error.";
}

const char *scio_pcsc_code_name(uint32_t code)
{
    const pcsc_code *c = find_code(code);
    return c ? c->name : NULL;
}

scio_status scio_status_from_pcsc(uint32_t code)
{
    const pcsc_code *c = find_code(code);
    return c ? c->status : SCIO_E_PCSC;
}

bool be_service_lost(uint32_t rv)
{
    return rv == RV_E_NO_SERVICE || rv == RV_E_SERVICE_STOPPED ||
           rv == RV_F_COMM_ERROR || rv == RV_E_INVALID_HANDLE ||
           rv == RV_E_SYSTEM_CANCELLED || rv == 0x80100018u;
}
