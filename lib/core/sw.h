/* SPDX-License-Identifier: LGPL-2.1-or-later */
/**
 * @file sw.h
 * @brief Status words (ISO/IEC 7816-4 §5.6) with their texts.
 *
 * Handlers return one of these 16-bit values (SW1 << 8 | SW2). sw_text()
 * knows every interindustry value plus the parameterised families 61xx,
 * 63Cx, 6Cxx.
 */
#ifndef SFC_CORE_SW_H
#define SFC_CORE_SW_H

#include <stdbool.h>
#include <stdint.h>

#define SW_OK 0x9000u
#define SW_BYTES_REMAINING(n) ((uint16_t)(0x6100u | ((n) & 0xFFu)))
#define SW_WARN_NO_INFO 0x6200u
#define SW_WARN_CORRUPTED 0x6281u
#define SW_WARN_EOF 0x6282u            /* end of file/record before Ne bytes */
#define SW_WARN_DEACTIVATED 0x6283u    /* selected file deactivated */
#define SW_WARN_FCI_FORMAT 0x6284u
#define SW_WARN_TERMINATED 0x6285u     /* selected file in termination state */
#define SW_WARN_CHANGED 0x6300u        /* verification failed (no counter) */
#define SW_COUNTER(n) ((uint16_t)(0x63C0u | ((n) & 0x0Fu)))
#define SW_EXEC_ERROR 0x6400u
#define SW_MEMORY_FAILURE 0x6581u
#define SW_WRONG_LENGTH 0x6700u
#define SW_CLA_FUNCTION_NOT_SUPPORTED 0x6800u
#define SW_CHANNEL_NOT_SUPPORTED 0x6881u
#define SW_SM_NOT_SUPPORTED 0x6882u
#define SW_LAST_COMMAND_EXPECTED 0x6883u
#define SW_CHAINING_NOT_SUPPORTED 0x6884u
#define SW_COMMAND_NOT_ALLOWED 0x6900u
#define SW_INCOMPATIBLE_FILE 0x6981u   /* command incompatible with file structure */
#define SW_SECURITY_STATUS 0x6982u     /* security status not satisfied */
#define SW_AUTH_BLOCKED 0x6983u        /* authentication method blocked */
#define SW_REF_DATA_UNUSABLE 0x6984u
#define SW_CONDITIONS 0x6985u          /* conditions of use not satisfied */
#define SW_NO_CURRENT_EF 0x6986u
#define SW_SM_MISSING 0x6987u
#define SW_SM_INCORRECT 0x6988u
#define SW_WRONG_DATA 0x6A80u
#define SW_FUNC_NOT_SUPPORTED 0x6A81u
#define SW_FILE_NOT_FOUND 0x6A82u
#define SW_RECORD_NOT_FOUND 0x6A83u
#define SW_NOT_ENOUGH_MEMORY 0x6A84u
#define SW_NC_P1P2_INCONSISTENT 0x6A85u
#define SW_WRONG_P1P2 0x6A86u
#define SW_NC_INCONSISTENT 0x6A87u
#define SW_REF_NOT_FOUND 0x6A88u
#define SW_FILE_EXISTS 0x6A89u
#define SW_DF_NAME_EXISTS 0x6A8Au
#define SW_WRONG_P1P2_OFFSET 0x6B00u   /* wrong parameters (offset outside EF) */
#define SW_WRONG_LE(n) ((uint16_t)(0x6C00u | ((n) & 0xFFu)))
#define SW_INS_NOT_SUPPORTED 0x6D00u
#define SW_CLA_NOT_SUPPORTED 0x6E00u
#define SW_UNKNOWN 0x6F00u

/** Text for a status word; never NULL ("unknown status word" otherwise). */
const char *sw_text(uint16_t sw);

/** 9000 or 61xx. */
bool sw_is_success(uint16_t sw);
/** 62xx or 63xx. */
bool sw_is_warning(uint16_t sw);

#endif
