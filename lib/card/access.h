/**
 * @file access.h
 * @brief The one place that decides whether a command may touch a file.
 *
 * Handlers describe what they are about to do (an operation on a file) and
 * ask sc_access(); they never look at PINs or life-cycle bytes themselves.
 * Today the decision covers the life cycle (ISO/IEC 7816-9): files in the
 * creation or initialisation state allow everything, a deactivated file or
 * one below a deactivated DF allows only selection, activation, termination
 * and deletion, a terminated one only selection and deletion. The security
 * attributes stored with each file (8C, 8B, AB, A1) are kept and echoed in
 * the FCP; evaluating them against the security status is the next step of
 * this function (card security issue), not of the handlers.
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

#endif
