/* SPDX-License-Identifier: LGPL-2.1-or-later */
/**
 * @file dataunit.h
 * @brief Helpers shared by the data-unit commands (binary.c), the record
 *        commands (record.c) and the odd-INS data object commands
 *        (dataobj.c): data coding byte semantics, odd-INS file references
 *        and the offset / discretionary data objects of odd-INS data fields.
 *
 * ISO/IEC 7816-4 gives every "odd" instruction (B1, D7, D1, 0F, A1, B3, DD,
 * CB, DB) the same two conventions: P1-P2 reference a file (0000 current EF,
 * 0001..001E a short EF identifier, 3FFF the current DF, anything else a
 * file identifier), and the data field is BER-TLV, with offsets in tag 54
 * and data in tag 53 (or 73 when the data is itself BER-TLV). Keeping both
 * here means each command file only decides what its own command means.
 */
#ifndef SFC_OS_DATAUNIT_H
#define SFC_OS_DATAUNIT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "os/card.h"
#include "os/fs.h"
#include "core/bytes.h"

#define DU_TAG_OFFSET 0x54u
#define DU_TAG_DATA 0x53u
#define DU_TAG_DATA_CONSTRUCTED 0x73u
/** At most two offset DOs (ERASE BINARY 0F: first erased, first kept). */
#define DU_MAX_OFFSETS 2

/** The decoded data field of an odd-INS data-unit or record command. */
typedef struct du_fields {
    uint32_t offset[DU_MAX_OFFSETS]; /**< values of the 54 DOs, in order */
    size_t n_offsets;
    const uint8_t *data;             /**< value of the 53/73 DO */
    size_t data_len;
    bool has_data;
} du_fields;

/**
 * Decode an odd-INS data field: any number of 00/FF padding bytes, at most
 * DU_MAX_OFFSETS offset DOs (54, 1..4 value bytes) and at most one data DO
 * (53 or 73). Anything else - another tag, a truncated object, a third
 * offset, a second data DO, an empty or over-long offset - is 6A80.
 */
uint16_t du_parse_fields(const uint8_t *p, size_t len, du_fields *out);

/**
 * Resolve the file an odd instruction's P1-P2 reference: 0000 the current
 * EF (6986 if none), P1 = 00 with P2 01..1E a short EF identifier in the
 * current DF (6A82 if absent), 3FFF the current DF, otherwise a file
 * identifier among the current DF's children (6A82 if absent). An EF found
 * this way becomes the current EF; a DF is returned without changing the
 * selection (a data object read must not move the current DF).
 */
uint16_t du_resolve_odd_file(sfc_card *card, sfc_channel *ch, uint8_t p1,
                             uint8_t p2, sfc_file **out);

/**
 * Bytes per data unit of an EF, from the low nibble n of its data coding
 * byte: 2^n quartets, so n = 1 is one byte and n = 2..15 is 2^(n-1) bytes;
 * n = 0 (half a byte) is not representable and counts as one byte.
 */
size_t du_unit_size(const sfc_file *f);

/** The write behaviour of an EF: DCB_WRITE_ONCE, _XOR, _OR or _AND. */
uint8_t du_write_mode(const sfc_file *f);

/**
 * The value of an erased byte: FF for files written by logical AND (so that
 * a later AND can still clear any bit), 00 for every other file.
 */
uint8_t du_erased_byte(const sfc_file *f);

/** True if all `n` bytes at `p` are in the file's erased state. */
bool du_is_erased(const sfc_file *f, const uint8_t *p, size_t n);

/**
 * Combine `n` new bytes into `dst` according to `mode`: XOR, OR or AND, and
 * a plain copy for one-time write (the caller has checked that the target
 * was not written before).
 */
void du_combine(uint8_t mode, uint8_t *dst, const uint8_t *src, size_t n);

/** Append an offset as big-endian bytes, minimal but at least one byte. */
bool du_put_offset(sfc_buf *b, uint64_t value);

#endif
