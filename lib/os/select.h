/* SPDX-License-Identifier: LGPL-2.1-or-later */
/**
 * @file select.h
 * @brief File addressing as SELECT defines it, shared by the file-management
 *        commands (DELETE FILE, ACTIVATE, DEACTIVATE, TERMINATE).
 */
#ifndef SFC_OS_SELECT_H
#define SFC_OS_SELECT_H

#include <stddef.h>
#include <stdint.h>

#include "os/card.h"
#include "os/fs.h"

/**
 * Find the file that P1 (addressing method), the occurrence bits of P2 and
 * the data field designate, relative to channel `ch`, without changing any
 * selection. Returns 9000 and *out, or 6A82 (not found), 6700 (bad data
 * length), 6A86 (bad P1 or occurrence), 6581 (out of memory).
 */
uint16_t sfc_locate(sfc_card *card, const sfc_channel *ch, uint8_t p1,
                   uint8_t occurrence, const uint8_t *data, size_t len,
                   sfc_file **out);

/** 6283 for a deactivated file, 6285 for a terminated one, else 9000. */
uint16_t sfc_selection_warning(const sfc_file *f);

#endif
