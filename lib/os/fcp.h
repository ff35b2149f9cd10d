/* SPDX-License-Identifier: LGPL-2.1-or-later */
/**
 * @file fcp.h
 * @brief File control parameters: encoding (SELECT responses) and parsing
 *        (CREATE FILE), ISO/IEC 7816-4 §7.4.
 *
 * Encoding keeps the reference emulator's layout, which clients rely on:
 * 83 FID, 8A LCS, proprietary data, then for an EF 88 SFI, 80 size, 81 size,
 * 82 FDB DCB [max record size, number of records]; for a DF 82 FDB and 84 DF
 * name; finally the security attributes as they were given at creation. The
 * MF's FCI is therefore 6F 0A 83 02 3F 00 8A 01 05 82 01 38.
 */
#ifndef SFC_OS_FCP_H
#define SFC_OS_FCP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/bytes.h"
#include "os/fs.h"

/** Append the FCP template (tag 62) of `f`. */
bool fcp_encode(const sfc_file *f, sfc_buf *out);
/** Append the FCI template (tag 6F): FCP contents followed by FMD ones. */
bool fci_encode(const sfc_file *f, sfc_buf *out);
/** Append the FMD template (tag 64). */
bool fmd_encode(const sfc_file *f, sfc_buf *out);

/** What CREATE FILE takes from an FCP. Pointers borrow the command data. */
typedef struct fcp_info {
    bool has_fid, has_fdb, has_size, has_sfi, has_lcs, has_name;
    uint16_t fid;
    uint8_t fdb, dcb;
    bool has_dcb;
    size_t rec_size;          /**< 82 bytes 3-4 */
    bool has_rec_size;
    size_t n_records;         /**< 82 byte 5 or bytes 5-6 */
    bool has_n_records;
    size_t size;              /**< 80 (or 81 if 80 absent) */
    uint8_t sfi;              /**< 0 = none (88 00) */
    uint8_t lcs;
    const uint8_t *name;
    size_t name_len;
    const uint8_t *sec_attr;  /**< concatenated raw TLVs, see fcp_parse */
    size_t sec_attr_len;
    const uint8_t *prop;
    size_t prop_len;
} fcp_info;

/**
 * Parse the data field of CREATE FILE: one 62 (or 6F) template. Security
 * attribute TLVs (86, 8B, 8C, 8D, A0, A1, AB) and proprietary ones (85, A5)
 * are collected into `sec_buf` / `prop_buf` (caller-owned buffers) and
 * pointed to by info. Returns 9000, 6A80 for a malformed or inconsistent
 * template, 6A81... never anything else.
 */
uint16_t fcp_parse(const uint8_t *data, size_t len, fcp_info *info,
                   sfc_buf *sec_buf, sfc_buf *prop_buf);

#endif
