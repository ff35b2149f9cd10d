/**
 * @file access.h
 * @brief The one place that decides whether a command may touch a file or
 *        use a key.
 *
 * Handlers describe what they are about to do (an operation on a file) and
 * ask sc_access(); they never look at PINs, SM status or life-cycle bytes
 * themselves. The rules (life cycle, compact and expanded security
 * attributes, security-condition bytes) are described in access.c.
 */
#ifndef SC_CARD_ACCESS_H
#define SC_CARD_ACCESS_H

#include <stdint.h>

#include "card/card.h"
#include "card/fs.h"

typedef enum sc_access_op {
    SC_AC_READ,        /**< READ BINARY/RECORD, SEARCH BINARY/RECORD, GET DATA */
    SC_AC_UPDATE,      /**< UPDATE BINARY/RECORD, ERASE BINARY/RECORD, PUT DATA */
    SC_AC_WRITE,       /**< WRITE BINARY/RECORD, APPEND RECORD */
    SC_AC_CREATE_EF,   /**< CREATE FILE of an EF in this DF */
    SC_AC_CREATE_DF,   /**< CREATE FILE of a DF in this DF */
    SC_AC_DELETE,      /**< DELETE FILE of this file */
    SC_AC_ACTIVATE,
    SC_AC_DEACTIVATE,
    SC_AC_TERMINATE
} sc_access_op;

/** 9000 if `op` on `file` is allowed now, else the status word to return. */
uint16_t sc_access(const sc_card *card, const sc_file *file, sc_access_op op);

/** 9000 if the key's use condition (sc_key.use_sc) is met now, else 6982
 *  (6A88 for a NULL key). */
uint16_t sc_access_key(const sc_card *card, const sc_key *key);

/** 9000 if a security-condition byte (ISO/IEC 7816-4 table 22) is met now,
 *  else 6982; for operations that are not about one file or key. */
uint16_t sc_access_condition(const sc_card *card, uint8_t sc);

#endif
