/* SPDX-License-Identifier: LGPL-2.1-or-later */
/**
 * @file binary.c
 * @brief Data-unit commands on transparent EFs (ISO/IEC 7816-4 §11.2):
 *        READ BINARY (B0/B1), UPDATE BINARY (D6/D7), WRITE BINARY (D0/D1),
 *        ERASE BINARY (0E/0F) and SEARCH BINARY (A0/A1).
 *
 * Addressing. Even INS: P1 b8 = 1 gives a short EF identifier in P1 b5-b1
 * (b7-b6 must be 00; SFI 0 and 31 are 6A86) and an offset in P2, and that
 * EF becomes current; otherwise P1 b7-b1 and P2 form a 15-bit offset in the
 * current EF (6986 if none). Odd INS: P1-P2 reference the file (see
 * dataunit.h) and the data field carries offset DOs (54) and the data DO
 * (53 or 73). Offsets count data units (DCB low nibble); data lengths and
 * Ne count bytes. The addressed file must be a transparent EF (6981
 * otherwise, DFs included), and sfc_access() decides before any byte is
 * touched. Files never grow or shrink: writes past the end are 6A84, an
 * offset past the end is 6B00.
 *
 * Decisions (with sources):
 * - READ BINARY: B0 without Le is 6700 (there is nothing to read into;
 *   the reference crashed). 6282 only when the end of the file came
 *   before Ne bytes and Le was not the maximum (the reference's 6282 for
 *   Le = 00 was a defect). B1 answers `53 L data`; without Le it
 *   returns everything from the offset (the OS hands it out with 61xx),
 *   with Le the 53 object is sized to fit Ne.
 * - Writes never answer 6282; an Le on them is ignored.
 * - WRITE BINARY follows the DCB: one-time write (DCB 00 and OpenSC's 01,
 *   which crashed the reference) refuses, with 6985 and no change, to
 *   write a byte already written since creation or the last erase; UPDATE
 *   BINARY replaces and neither checks nor sets that bitmap, because ISO
 *   defines UPDATE as "replace" whatever the file's write behaviour.
 * - ERASE BINARY writes the erased state (FF for AND files, 00 otherwise)
 *   and clears the written bits; the file keeps its size (the reference
 *   shrank it). 0E: the data field, if present, is the offset of the
 *   first data unit NOT erased, 1 or 2 bytes (other lengths 6700), which
 *   ISO/IEC 7816-4 says "shall be higher" than the P1-P2 offset, so an end
 *   at or before the start is 6A80. 0F: zero, one or two 54 objects.
 * - SEARCH BINARY (gorferay.com, ISO/IEC 7816-4:2005 §7.2.5 text): "the
 *   response data field gives the offset of a data unit: the byte string at
 *   the returned offset shall have the same value as the search string ...
 *   absent either because the Le field is absent, or because no match is
 *   found. If the search string is absent, then the response data field
 *   gives the offset of the first data unit in a logically erased state."
 *   Hence: the EF (never the MF) is searched from the given offset at
 *   data-unit boundaries; A0 answers the offset in data units as a minimal
 *   big-endian number (ISO: "binary encoded on the minimum number of
 *   bytes"), A1 answers it in an offset DO (54); without Le the answer is
 *   the status word alone; no match is 6282, "end of file reached before
 *   ..." (the SW table of ISO/IEC 7816-4:2013 adds "or unsuccessful search"
 *   to 6282; quoted from memory, no public excerpt found).
 */
#include "os/iso.h"

#include <stdlib.h>
#include <string.h>

#include "os/access.h"
#include "os/dataunit.h"
#include "os/fs.h"
#include "core/sw.h"
#include "core/tlv.h"

#define P1_SFI_FLAG 0x80u
#define P1_SFI_RFU 0x60u
#define P1_SFI_MASK 0x1Fu
#define P1_OFFSET_MASK 0x7Fu
#define SFI_RFU 0x1Fu

/** What an odd-INS data field may carry for a given command. */
typedef enum data_rule { DATA_NONE, DATA_OPTIONAL, DATA_REQUIRED } data_rule;

typedef struct field_rule {
    size_t max_offsets;
    data_rule data;
} field_rule;

/** The addressed EF and the decoded request (offsets in data units). */
typedef struct du_request {
    sfc_file *ef;
    du_fields f;
} du_request;

static bool is_odd(const sfc_cmd *cmd)
{
    return (cmd->ins & 1u) != 0;
}

/* ---- addressing ----------------------------------------------------------- */

static uint16_t address_by_p1p2(sfc_card *card, const sfc_cmd *cmd,
                                du_request *r)
{
    uint8_t sfi = 0;
    if (cmd->p1 & P1_SFI_FLAG) {
        sfi = cmd->p1 & P1_SFI_MASK;
        if ((cmd->p1 & P1_SFI_RFU) || sfi == 0 || sfi == SFI_RFU)
            return SW_WRONG_P1P2;
        r->f.offset[0] = cmd->p2;
    } else {
        r->f.offset[0] = (uint32_t)(cmd->p1 & P1_OFFSET_MASK) << 8 | cmd->p2;
    }
    r->f.n_offsets = 1;
    r->f.data = cmd->data;
    r->f.data_len = cmd->nc;
    r->f.has_data = cmd->nc > 0;
    return sfc_resolve_ef(card, sfc_channel_of(card, cmd), sfi, &r->ef);
}

static bool fields_follow(const du_fields *f, field_rule rule)
{
    if (f->n_offsets > rule.max_offsets)
        return false;
    if (rule.data == DATA_NONE && f->has_data)
        return false;
    return rule.data != DATA_REQUIRED || f->has_data;
}

static uint16_t address_by_data_objects(sfc_card *card, const sfc_cmd *cmd,
                                        field_rule rule, du_request *r)
{
    uint16_t sw = du_parse_fields(cmd->data, cmd->nc, &r->f);
    if (sw != SW_OK)
        return sw;
    if (!fields_follow(&r->f, rule))
        return SW_WRONG_DATA;
    return du_resolve_odd_file(card, sfc_channel_of(card, cmd), cmd->p1,
                               cmd->p2, &r->ef);
}

/**
 * Find the transparent EF a command addresses and ask whether `op` is
 * allowed on it. `rule` constrains the odd-INS data field.
 */
static uint16_t address_transparent_ef(sfc_card *card, const sfc_cmd *cmd,
                                       sfc_access_op op, field_rule rule,
                                       du_request *r)
{
    memset(r, 0, sizeof(*r));
    uint16_t sw = is_odd(cmd) ? address_by_data_objects(card, cmd, rule, r)
                              : address_by_p1p2(card, cmd, r);
    if (sw != SW_OK)
        return sw;
    if (r->ef->kind != SFC_FILE_EF_BINARY)
        return SW_INCOMPATIBLE_FILE;
    return sfc_access(card, r->ef, op);
}

/** Byte position of a data-unit offset; false if it lies beyond the EF. */
static bool byte_offset(const sfc_file *ef, uint64_t units, size_t *out)
{
    uint64_t bytes = units * du_unit_size(ef); /* < 2^32 * 2^14: no overflow */
    if (bytes > ef->size)
        return false;
    *out = (size_t)bytes;
    return true;
}

/** The EF's bytes from `start`; NULL for an empty EF (no data buffer). */
static uint8_t *bytes_at(const sfc_file *ef, size_t start)
{
    return ef->data ? ef->data + start : NULL;
}

/* ---- READ BINARY ------------------------------------------------------------ */

static bool reached_end_before_ne(const sfc_cmd *cmd, size_t sent)
{
    return cmd->has_le && !sfc_le_is_max(cmd) && sent < cmd->ne;
}

static uint16_t answer_plain(const sfc_cmd *cmd, sfc_resp *resp,
                             const uint8_t *p, size_t avail)
{
    size_t cap = sfc_max_response(cmd);
    size_t n = avail < cap ? avail : cap;
    buf_put(&resp->data, p, n);
    return n == avail && reached_end_before_ne(cmd, n) ? SW_WARN_EOF : SW_OK;
}

static size_t wrapped_size(size_t n)
{
    return 1 + ber_len_size(n) + n;
}

/** The most data bytes whose 53 object fits in `cap` bytes. */
static size_t fit_wrapped(size_t avail, size_t cap)
{
    size_t n = avail < cap ? avail : cap;
    while (n > 0 && wrapped_size(n) > cap)
        n--;
    return n;
}

static uint16_t answer_wrapped(const sfc_cmd *cmd, sfc_resp *resp,
                               const uint8_t *p, size_t avail)
{
    size_t cap = cmd->has_le ? sfc_max_response(cmd) : SFC_RESP_MAX;
    size_t n = fit_wrapped(avail, cap);
    ber_put(&resp->data, DU_TAG_DATA, p, n);
    return n == avail && reached_end_before_ne(cmd, wrapped_size(n))
               ? SW_WARN_EOF
               : SW_OK;
}

uint16_t iso_read_binary(sfc_card *card, const sfc_cmd *cmd, sfc_resp *resp)
{
    static const field_rule rule = {1, DATA_NONE};
    if (!is_odd(cmd) && (cmd->nc > 0 || !cmd->has_le))
        return SW_WRONG_LENGTH;
    du_request r;
    uint16_t sw = address_transparent_ef(card, cmd, SFC_AC_READ, rule, &r);
    if (sw != SW_OK)
        return sw;
    size_t start;
    if (!byte_offset(r.ef, r.f.offset[0], &start))
        return SW_WRONG_P1P2_OFFSET;
    const uint8_t *p = bytes_at(r.ef, start);
    size_t avail = r.ef->size - start;
    return is_odd(cmd) ? answer_wrapped(cmd, resp, p, avail)
                       : answer_plain(cmd, resp, p, avail);
}

/* ---- UPDATE BINARY and WRITE BINARY ------------------------------------- */

/**
 * Address a write: the EF, the byte range [*start, *start + r->f.data_len)
 * inside it, checked against the file's size.
 */
static uint16_t address_write(sfc_card *card, const sfc_cmd *cmd,
                              sfc_access_op op, du_request *r, size_t *start)
{
    static const field_rule rule = {1, DATA_REQUIRED};
    if (cmd->nc == 0)
        return SW_WRONG_LENGTH;
    uint16_t sw = address_transparent_ef(card, cmd, op, rule, r);
    if (sw != SW_OK)
        return sw;
    if (r->f.data_len == 0)
        return SW_WRONG_LENGTH;
    if (!byte_offset(r->ef, r->f.offset[0], start))
        return SW_WRONG_P1P2_OFFSET;
    if (r->f.data_len > r->ef->size - *start)
        return SW_NOT_ENOUGH_MEMORY;
    return SW_OK;
}

uint16_t iso_update_binary(sfc_card *card, const sfc_cmd *cmd, sfc_resp *resp)
{
    (void)resp;
    du_request r;
    size_t start;
    uint16_t sw = address_write(card, cmd, SFC_AC_UPDATE, &r, &start);
    if (sw != SW_OK)
        return sw;
    memcpy(r.ef->data + start, r.f.data, r.f.data_len);
    return SW_OK;
}

static bool byte_written(const sfc_file *ef, size_t i)
{
    return ef->written && (ef->written[i / 8] & (1u << (i % 8)));
}

static bool any_byte_written(const sfc_file *ef, size_t start, size_t n)
{
    for (size_t i = start; i < start + n; i++)
        if (byte_written(ef, i))
            return true;
    return false;
}

static size_t bitmap_size(const sfc_file *ef)
{
    return (ef->size + 7) / 8;
}

/** Allocate the one-time-write bitmap on first use, charged to the card. */
static uint16_t ensure_written_bitmap(sfc_card *card, sfc_file *ef)
{
    if (ef->written)
        return SW_OK;
    size_t n = bitmap_size(ef);
    if (!sfc_mem_charge(card, (long)n))
        return SW_NOT_ENOUGH_MEMORY;
    ef->written = calloc(1, n);
    if (!ef->written) {
        sfc_mem_charge(card, -(long)n);
        return SW_MEMORY_FAILURE;
    }
    return SW_OK;
}

static void set_written(sfc_file *ef, size_t start, size_t n, bool on)
{
    if (!ef->written)
        return;
    for (size_t i = start; i < start + n; i++) {
        uint8_t bit = (uint8_t)(1u << (i % 8));
        if (on)
            ef->written[i / 8] |= bit;
        else
            ef->written[i / 8] &= (uint8_t)~bit;
    }
}

static uint16_t write_once(sfc_card *card, sfc_file *ef, size_t start,
                           const uint8_t *src, size_t n)
{
    if (any_byte_written(ef, start, n))
        return SW_CONDITIONS;
    uint16_t sw = ensure_written_bitmap(card, ef);
    if (sw != SW_OK)
        return sw;
    memcpy(ef->data + start, src, n);
    set_written(ef, start, n, true);
    return SW_OK;
}

uint16_t iso_write_binary(sfc_card *card, const sfc_cmd *cmd, sfc_resp *resp)
{
    (void)resp;
    du_request r;
    size_t start;
    uint16_t sw = address_write(card, cmd, SFC_AC_WRITE, &r, &start);
    if (sw != SW_OK)
        return sw;
    uint8_t mode = du_write_mode(r.ef);
    if (mode == DCB_WRITE_ONCE)
        return write_once(card, r.ef, start, r.f.data, r.f.data_len);
    du_combine(mode, r.ef->data + start, r.f.data, r.f.data_len);
    return SW_OK;
}

/* ---- ERASE BINARY ---------------------------------------------------------- */

/** 0E: the data field, if any, is the first data unit not to be erased. */
static uint16_t end_from_plain_data(const du_fields *f, bool *has_end,
                                    uint64_t *end)
{
    *has_end = f->has_data;
    if (!f->has_data)
        return SW_OK;
    if (f->data_len > 2)
        return SW_WRONG_LENGTH;
    *end = f->data_len == 2 ? sfc_get_u16be(f->data) : f->data[0];
    return SW_OK;
}

/** 0F: one offset is the start, a second one the first unit kept. */
static void range_from_offsets(const du_fields *f, bool *has_end,
                               uint64_t *end)
{
    *has_end = f->n_offsets == 2;
    *end = f->offset[1];
}

static void erase_bytes(sfc_file *ef, size_t from, size_t to)
{
    if (to > from)
        memset(ef->data + from, du_erased_byte(ef), to - from);
    set_written(ef, from, to - from, false);
}

uint16_t iso_erase_binary(sfc_card *card, const sfc_cmd *cmd, sfc_resp *resp)
{
    (void)resp;
    static const field_rule rule = {2, DATA_NONE};
    du_request r;
    uint16_t sw = address_transparent_ef(card, cmd, SFC_AC_UPDATE, rule, &r);
    if (sw != SW_OK)
        return sw;
    bool has_end = false;
    uint64_t end_units = 0;
    if (is_odd(cmd))
        range_from_offsets(&r.f, &has_end, &end_units);
    else if ((sw = end_from_plain_data(&r.f, &has_end, &end_units)) != SW_OK)
        return sw;
    size_t from, to = r.ef->size;
    if (!byte_offset(r.ef, r.f.offset[0], &from))
        return SW_WRONG_P1P2_OFFSET;
    if (has_end && !byte_offset(r.ef, end_units, &to))
        return SW_WRONG_P1P2_OFFSET;
    if (has_end && to <= from)
        return SW_WRONG_DATA;
    erase_bytes(r.ef, from, to);
    return SW_OK;
}

/* ---- SEARCH BINARY ---------------------------------------------------------- */

/** Does the data unit (or the string) at `pos` match? */
static bool matches_at(const sfc_file *ef, size_t pos, const du_fields *f,
                       size_t unit)
{
    if (!f->has_data) {
        size_t n = ef->size - pos < unit ? ef->size - pos : unit;
        return du_is_erased(ef, ef->data + pos, n);
    }
    return f->data_len <= ef->size - pos &&
           memcmp(ef->data + pos, f->data, f->data_len) == 0;
}

/** Search from byte `start` at data-unit steps; the offset in units. */
static bool search_units(const sfc_file *ef, size_t start, const du_fields *f,
                         uint64_t *found)
{
    size_t unit = du_unit_size(ef);
    for (size_t pos = start; pos < ef->size; pos += unit) {
        if (matches_at(ef, pos, f, unit)) {
            *found = pos / unit;
            return true;
        }
    }
    return false;
}

static void answer_offset(const sfc_cmd *cmd, sfc_resp *resp, uint64_t units)
{
    if (!is_odd(cmd)) {
        du_put_offset(&resp->data, units);
        return;
    }
    uint8_t tmp[8];
    sfc_buf b;
    buf_init_fixed(&b, tmp, sizeof(tmp));
    du_put_offset(&b, units);
    ber_put(&resp->data, DU_TAG_OFFSET, b.data, b.len);
}

uint16_t iso_search_binary(sfc_card *card, const sfc_cmd *cmd, sfc_resp *resp)
{
    static const field_rule rule = {1, DATA_OPTIONAL};
    du_request r;
    uint16_t sw = address_transparent_ef(card, cmd, SFC_AC_READ, rule, &r);
    if (sw != SW_OK)
        return sw;
    size_t start;
    if (!byte_offset(r.ef, r.f.offset[0], &start))
        return SW_WRONG_P1P2_OFFSET;
    if (r.f.has_data && r.f.data_len == 0)
        r.f.has_data = false; /* an empty search string is an absent one */
    uint64_t found;
    if (!search_units(r.ef, start, &r.f, &found))
        return SW_WARN_EOF;
    if (cmd->has_le)
        answer_offset(cmd, resp, found);
    return SW_OK;
}
