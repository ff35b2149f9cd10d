/* SPDX-License-Identifier: LGPL-2.1-or-later */
/**
 * @file access.h
 * @brief The one place that decides whether a command may touch a file or
 *        use a key.
 *
 * Handlers describe what they are about to do (an operation on a file) and
 * ask sfc_access(); they never look at PINs, SM status or life-cycle bytes
 * themselves. The rules (life cycle, compact and expanded security
 * attributes, security-condition bytes) are described in access.c.
 */
#ifndef SFC_OS_ACCESS_H
#define SFC_OS_ACCESS_H

#include <stdint.h>

#include "os/card.h"
#include "os/fs.h"

/** 9000 if `op` on `file` is allowed now, else the status word to return. */
uint16_t sfc_access(const sfc_card *card, const sfc_file *file, sfc_access_op op);

/** 9000 if the key's use condition (sfc_key.use_sc) is met now, else 6982
 *  (6A88 for a NULL key). */
uint16_t sfc_access_key(const sfc_card *card, const sfc_key *key);

/** 9000 if a security-condition byte (ISO/IEC 7816-4 table 22) is met now,
 *  else 6982; for operations that are not about one file or key. */
uint16_t sfc_access_condition(const sfc_card *card, uint8_t sc);

#endif
