/* SPDX-License-Identifier: LGPL-2.1-or-later */
/**
 * @file record.c
 * @brief Record commands on record EFs (ISO/IEC 7816-4 §11.3): READ
 *        RECORD(S) (B2/B3), UPDATE RECORD (DC/DD), WRITE RECORD (D2), APPEND
 *        RECORD (E2) and ERASE RECORD(S) (0C).
 *
 * Addressing. P1 is a record number or a record identifier (FF is RFU:
 * 6A86). P2 b8-b4 is a short EF identifier (00000 the current EF, 11111
 * 6A86); the EF becomes current and, if it changes, its record pointer
 * (per logical channel, ch->rec_ptr) is reset. P2 b3-b1: 100 record P1
 * (P1 = 00: the current record, 6A83 if there is none), 101 records P1 to
 * last, 110 records last down to P1 (reads and 101 for erase), 000/001/
 * 010/011 first/last/next/previous occurrence of identifier P1. Anything
 * but a record EF is 6981 (the reference crashed on transparent EFs);
 * a missing record is 6A83. Record k is f->records[k - 1]; in a cyclic EF
 * record 1 is the most recently appended one.
 *
 * Identifiers. In a SIMPLE-TLV record EF (odd FDB) a record's identifier
 * is its tag, the first byte (the reference tested the wrong FDB bits); in other record EFs every record matches, as in the reference.
 * Identifier 00 matches every record: ISO/IEC 7816-4:1995 Annex C (record
 * pointer management, cardwerk.com) gives "Next (id=00) -> CP+1", "First
 * (id=00) -> First", and the later editions keep P1 = 00 "reserved for
 * special purposes". Next/previous without a current record start from the
 * first/last record (Annex C, case 1); next after the last record is 6A83
 * (no wrap-around, also in cyclic EFs: ISO does not define one).
 *
 * Record pointer. Set to the record a single-record command accessed; left
 * unchanged by commands on several records (Annex C: "P1='00',
 * P2='xxxx x101' ... CP unchanged") and by failing commands.
 *
 * Decisions (with sources):
 * - READ RECORD (one record) answers the record as one unit: a shorter Le
 *   gives 6Cxx (via the OS, SFC_LE_EXACT), a longer Le (not the maximum)
 *   the record and 6282. B2 without Le is 6700, as READ BINARY.
 * - READ RECORDS (101/110, "Read all records from P1 up to the last" /
 *   "from the last up to P1", ISO/IEC 7816-4 table "P2 of READ RECORD"):
 *   B2 answers the records concatenated in that order (SIMPLE-TLV records
 *   delimit themselves; fixed-size ones by their size), B3 answers one 53
 *   object per record, each holding the record from the 54 offset, as the
 *   reference does and as the odd-INS convention ("data shall be
 *   encapsulated in a discretionary data object with tag 53",
 *   gorferay.com, ISO/IEC 7816-4 §7.3.1) implies. Data beyond Ne waits
 *   behind 61xx; 6282 if the records end before Ne (Le not the maximum).
 *   A sequence larger than one response buffer (64 KiB) stops at the last
 *   whole record that fits.
 * - B3/DD: "an offset shall reference each byte inside a record ... tag
 *   54"; an offset beyond the record is 6B00.
 * - UPDATE RECORD replaces: linear fixed and cyclic records must keep
 *   their size (other lengths 6700), variable ones at most the maximum
 *   record size (6700). A record size of 0 in the file means "not
 *   declared" and removes the limit. DD: P2 b3-b1 100 replaces the bytes at
 *   the offset (a variable record may grow up to its maximum), 101/110/111
 *   AND/OR/XOR them into the record (the reference's coding of the
 *   odd UPDATE RECORD); writes past the record end are 6A84; the
 *   identifier modes are 6A86 there.
 * - WRITE RECORD follows the DCB: OR/AND/XOR (data of the record's exact
 *   length, else 6700); one-time write only onto a record in the erased
 *   state (all bytes 00), else 6985 - records carry no written-bitmap, so
 *   "still erased" is the observable meaning of "not yet written".
 * - APPEND RECORD: P1 = 00 and P2 b3-b1 = 000, else 6A86. Linear: the new
 *   last record (6A84 when the EF holds its maximum number of records, 254
 *   at most since P1 FF is RFU); cyclic: the new record 1, the oldest record
 *   dropped when full (gorferay.com, "APPEND RECORD command"). The record
 *   pointer moves to the new record. The reference prepended zero bytes to
 *   fixed-size records: the record is stored exactly as given.
 * - ERASE RECORD(S): "Erased records shall not be deleted, and may still be
 *   accessible by WRITE RECORD and UPDATE RECORD commands" (gorferay.com,
 *   "ERASE RECORD (S) command", ISO/IEC 7816-4:2005 §7.3.8). So the record
 *   keeps its number and length and its bytes take the erased state (FF in
 *   AND files, 00 otherwise); the reference emptied it (length 0), which
 *   broke fixed-size files. P2 b3-b1 100 erases record P1, 101 from
 *   P1 to the last; anything else 6A86.
 * - SIMPLE-TLV record EFs accept only contents that are exactly one SIMPLE-
 *   TLV object (6A80), checked on the resulting record for every write.
 * - Every byte allocated or freed for records goes through sfc_mem_charge
 *   (refused with 6A84), matching fs_footprint().
 */
#include "os/iso.h"

#include <stdlib.h>
#include <string.h>

#include "os/access.h"
#include "os/dataunit.h"
#include "os/fs.h"
#include "core/sw.h"
#include "core/tlv.h"

/* P2 b3-b1 */
#define REF_FIRST 0u
#define REF_LAST 1u
#define REF_NEXT 2u
#define REF_PREVIOUS 3u
#define REF_NUMBER 4u
#define REF_P1_TO_LAST 5u
#define REF_LAST_TO_P1 6u
#define REF_RFU 7u
#define P2_REF_MASK 0x07u
/* DD: P2 b3-b1 = 100..111 choose the operation on record P1 */
#define DD_REPLACE 4u
#define DD_AND 5u
#define DD_OR 6u
#define DD_XOR 7u

#define P1_RFU 0xFFu
#define SFI_RFU 0x1Fu
#define MAX_RECORDS 254u

/** A record command after its header has been decoded. */
typedef struct rec_cmd {
    sfc_channel *ch;
    sfc_file *ef;
    uint8_t p1;  /**< record number or identifier */
    uint8_t ref; /**< P2 b3-b1 */
} rec_cmd;

static bool is_odd(const sfc_cmd *cmd)
{
    return (cmd->ins & 1u) != 0;
}

/* ---- addressing ----------------------------------------------------------- */

/** Resolve the record EF of P2 b8-b4 and ask whether `op` is allowed. */
static uint16_t address_record_ef(sfc_card *card, const sfc_cmd *cmd,
                                  sfc_access_op op, rec_cmd *rc)
{
    uint8_t sfi = cmd->p2 >> 3;
    if (cmd->p1 == P1_RFU || sfi == SFI_RFU)
        return SW_WRONG_P1P2;
    rc->ch = sfc_channel_of(card, cmd);
    rc->p1 = cmd->p1;
    rc->ref = cmd->p2 & P2_REF_MASK;
    uint16_t sw = sfc_resolve_ef(card, rc->ch, sfi, &rc->ef);
    if (sw != SW_OK)
        return sw;
    if (rc->ef->kind != SFC_FILE_EF_RECORD)
        return SW_INCOMPATIBLE_FILE;
    return sfc_access(card, rc->ef, op);
}

/** The current record as a 1-based number (0: none), within the file. */
static size_t current_record(const rec_cmd *rc)
{
    size_t p = rc->ch->rec_ptr;
    return p > rc->ef->n_records ? rc->ef->n_records : p;
}

static bool record_has_identifier(const sfc_file *ef, size_t idx, uint8_t id)
{
    if (id == 0 || !fs_is_tlv_records(ef))
        return true;
    const sfc_record *r = &ef->records[idx];
    return r->len > 0 && r->data[0] == id;
}

/** Index of record P1, or of the current record when P1 = 00. */
static uint16_t find_by_number(const rec_cmd *rc, size_t *idx)
{
    size_t number = rc->p1 ? rc->p1 : current_record(rc);
    if (number == 0 || number > rc->ef->n_records)
        return SW_RECORD_NOT_FOUND;
    *idx = number - 1;
    return SW_OK;
}

/** Where an occurrence search starts and in which direction it goes. */
static void occurrence_walk(const rec_cmd *rc, long *from, long *step)
{
    long n = (long)rc->ef->n_records;
    long cur = (long)current_record(rc); /* 1-based; its index is cur - 1 */
    bool forward = rc->ref == REF_FIRST || rc->ref == REF_NEXT;
    *step = forward ? 1 : -1;
    switch (rc->ref) {
    case REF_FIRST:
        *from = 0;
        break;
    case REF_LAST:
        *from = n - 1;
        break;
    case REF_NEXT:
        *from = cur; /* index cur is the record after record cur */
        break;
    default: /* REF_PREVIOUS: index cur - 2 is the record before cur */
        *from = cur ? cur - 2 : n - 1;
        break;
    }
}

static uint16_t find_by_identifier(const rec_cmd *rc, size_t *idx)
{
    long from, step;
    occurrence_walk(rc, &from, &step);
    for (long i = from; i >= 0 && i < (long)rc->ef->n_records; i += step) {
        if (record_has_identifier(rc->ef, (size_t)i, rc->p1)) {
            *idx = (size_t)i;
            return SW_OK;
        }
    }
    return SW_RECORD_NOT_FOUND;
}

/** The one record a command addresses (reference 000..100). */
static uint16_t find_record(const rec_cmd *rc, size_t *idx)
{
    return rc->ref == REF_NUMBER ? find_by_number(rc, idx)
                                 : find_by_identifier(rc, idx);
}

static void point_at(rec_cmd *rc, size_t idx)
{
    rc->ch->rec_ptr = idx + 1;
}

/* ---- record contents and memory ----------------------------------------- */

static bool has_fixed_size(const sfc_file *ef)
{
    return fs_is_linear_fixed(ef) || fs_is_cyclic(ef);
}

/** Is `len` a valid length for a whole record of this EF? */
static uint16_t check_record_length(const sfc_file *ef, size_t len)
{
    if (len == 0)
        return SW_WRONG_LENGTH;
    if (ef->rec_size == 0)
        return SW_OK; /* no record size declared */
    if (has_fixed_size(ef))
        return len == ef->rec_size ? SW_OK : SW_WRONG_LENGTH;
    return len <= ef->rec_size ? SW_OK : SW_WRONG_LENGTH;
}

/** SIMPLE-TLV EFs: the record must be exactly one SIMPLE-TLV object. */
static uint16_t check_record_content(const sfc_file *ef, const uint8_t *p,
                                     size_t len)
{
    if (!fs_is_tlv_records(ef))
        return SW_OK;
    simple_tlv t;
    return simple_tlv_decode(p, len, &t) == SFC_OK && t.size == len
               ? SW_OK
               : SW_WRONG_DATA;
}

static uint16_t check_whole_record(const sfc_file *ef, const uint8_t *p,
                                   size_t len)
{
    uint16_t sw = check_record_length(ef, len);
    return sw != SW_OK ? sw : check_record_content(ef, p, len);
}

static uint8_t *copy_bytes(const uint8_t *p, size_t len)
{
    uint8_t *c = malloc(len ? len : 1);
    if (c && len)
        memcpy(c, p, len);
    return c;
}

static void free_record_data(sfc_record *r)
{
    if (r->data)
        sfc_wipe(r->data, r->len);
    free(r->data);
    r->data = NULL;
}

/** Replace a record's contents, charging the change in length. */
static uint16_t replace_record(sfc_card *card, sfc_record *r,
                               const uint8_t *p, size_t len)
{
    if (len == r->len) {
        memcpy(r->data, p, len);
        return SW_OK;
    }
    long delta = (long)len - (long)r->len;
    if (delta > 0 && !sfc_mem_charge(card, delta))
        return SW_NOT_ENOUGH_MEMORY;
    uint8_t *c = copy_bytes(p, len);
    if (!c) {
        if (delta > 0)
            sfc_mem_charge(card, -delta);
        return SW_MEMORY_FAILURE;
    }
    free_record_data(r);
    r->data = c;
    r->len = len;
    if (delta < 0)
        sfc_mem_charge(card, delta);
    return SW_OK;
}

/* ---- READ RECORD(S) --------------------------------------------------------- */

static bool ended_before_ne(const sfc_cmd *cmd, size_t sent)
{
    return cmd->has_le && !sfc_le_is_max(cmd) && sent < cmd->ne;
}

/** Append one record (B2) or its part from `offset` in a 53 DO (B3). */
static void put_record(const sfc_cmd *cmd, sfc_resp *resp, const sfc_record *r,
                       size_t offset)
{
    if (is_odd(cmd))
        ber_put(&resp->data, DU_TAG_DATA, r->data + offset, r->len - offset);
    else
        buf_put(&resp->data, r->data, r->len);
}

static size_t record_answer_size(const sfc_cmd *cmd, const sfc_record *r,
                                 size_t offset)
{
    size_t n = r->len - offset;
    return is_odd(cmd) ? 1 + ber_len_size(n) + n : n;
}

static uint16_t read_one(const sfc_cmd *cmd, sfc_resp *resp, rec_cmd *rc,
                         size_t offset)
{
    size_t idx;
    uint16_t sw = find_record(rc, &idx);
    if (sw != SW_OK)
        return sw;
    const sfc_record *r = &rc->ef->records[idx];
    if (offset > r->len)
        return SW_WRONG_P1P2_OFFSET;
    point_at(rc, idx);
    put_record(cmd, resp, r, offset);
    resp->le_mode = SFC_LE_EXACT;
    return ended_before_ne(cmd, resp->data.len) ? SW_WARN_EOF : SW_OK;
}

static bool offset_fits_all(const sfc_file *ef, size_t first, size_t offset)
{
    for (size_t i = first; i < ef->n_records; i++)
        if (offset > ef->records[i].len)
            return false;
    return true;
}

static uint16_t read_sequence(const sfc_cmd *cmd, sfc_resp *resp,
                              const rec_cmd *rc, size_t offset)
{
    size_t first; /* record P1, or the current record when P1 = 00 */
    uint16_t sw = find_by_number(rc, &first);
    if (sw != SW_OK)
        return sw;
    if (!offset_fits_all(rc->ef, first, offset))
        return SW_WRONG_P1P2_OFFSET;
    size_t n = rc->ef->n_records - first;
    for (size_t k = 0; k < n; k++) {
        size_t idx = rc->ref == REF_P1_TO_LAST ? first + k
                                                : rc->ef->n_records - 1 - k;
        const sfc_record *r = &rc->ef->records[idx];
        if (record_answer_size(cmd, r, offset) > SFC_RESP_MAX - resp->data.len)
            break; /* keep whole records only */
        put_record(cmd, resp, r, offset);
    }
    return ended_before_ne(cmd, resp->data.len) ? SW_WARN_EOF : SW_OK;
}

/** B3: at most one offset DO and no data DO. */
static uint16_t read_offset(const sfc_cmd *cmd, size_t *offset)
{
    *offset = 0;
    if (!is_odd(cmd))
        return SW_OK;
    du_fields f;
    uint16_t sw = du_parse_fields(cmd->data, cmd->nc, &f);
    if (sw != SW_OK)
        return sw;
    if (f.n_offsets > 1 || f.has_data)
        return SW_WRONG_DATA;
    *offset = f.offset[0];
    return SW_OK;
}

uint16_t iso_read_record(sfc_card *card, const sfc_cmd *cmd, sfc_resp *resp)
{
    if (!is_odd(cmd) && (cmd->nc > 0 || !cmd->has_le))
        return SW_WRONG_LENGTH;
    if ((cmd->p2 & P2_REF_MASK) == REF_RFU)
        return SW_WRONG_P1P2;
    size_t offset;
    uint16_t sw = read_offset(cmd, &offset);
    if (sw != SW_OK)
        return sw;
    rec_cmd rc;
    if ((sw = address_record_ef(card, cmd, SFC_AC_READ, &rc)) != SW_OK)
        return sw;
    if (rc.ref == REF_P1_TO_LAST || rc.ref == REF_LAST_TO_P1)
        return read_sequence(cmd, resp, &rc, offset);
    return read_one(cmd, resp, &rc, offset);
}

/* ---- UPDATE RECORD ----------------------------------------------------------- */

static uint16_t update_whole(sfc_card *card, const sfc_cmd *cmd, rec_cmd *rc)
{
    size_t idx;
    uint16_t sw = find_record(rc, &idx);
    if (sw == SW_OK)
        sw = check_whole_record(rc->ef, cmd->data, cmd->nc);
    if (sw == SW_OK)
        sw = replace_record(card, &rc->ef->records[idx], cmd->data, cmd->nc);
    if (sw == SW_OK)
        point_at(rc, idx);
    return sw;
}

/** Length of record `r` after writing `len` bytes at `offset` (DD). */
static uint16_t partial_length(const sfc_file *ef, const sfc_record *r,
                               uint8_t op, size_t offset, size_t len,
                               size_t *out)
{
    if (offset > r->len)
        return SW_WRONG_P1P2_OFFSET;
    size_t end = offset + len;
    if (end <= r->len) {
        *out = r->len;
        return SW_OK;
    }
    bool may_grow = op == DD_REPLACE && !has_fixed_size(ef) &&
                    (ef->rec_size == 0 || end <= ef->rec_size);
    if (!may_grow)
        return SW_NOT_ENOUGH_MEMORY;
    *out = end;
    return SW_OK;
}

static uint8_t dd_mode(uint8_t op)
{
    switch (op) {
    case DD_AND:
        return DCB_WRITE_AND;
    case DD_OR:
        return DCB_WRITE_OR;
    case DD_XOR:
        return DCB_WRITE_XOR;
    default:
        return DCB_WRITE_ONCE; /* plain copy */
    }
}

/** Build the new record in a scratch copy, check it, then store it. */
static uint16_t write_partial(sfc_card *card, sfc_file *ef, sfc_record *r,
                              uint8_t op, size_t offset, const du_fields *f)
{
    size_t new_len;
    uint16_t sw = partial_length(ef, r, op, offset, f->data_len, &new_len);
    if (sw != SW_OK)
        return sw;
    uint8_t *scratch = calloc(1, new_len ? new_len : 1);
    if (!scratch)
        return SW_MEMORY_FAILURE;
    memcpy(scratch, r->data, r->len);
    du_combine(dd_mode(op), scratch + offset, f->data, f->data_len);
    sw = check_record_content(ef, scratch, new_len);
    if (sw == SW_OK)
        sw = replace_record(card, r, scratch, new_len);
    sfc_wipe(scratch, new_len);
    free(scratch);
    return sw;
}

static uint16_t update_partial(sfc_card *card, const sfc_cmd *cmd, rec_cmd *rc)
{
    du_fields f;
    uint16_t sw = du_parse_fields(cmd->data, cmd->nc, &f);
    if (sw != SW_OK)
        return sw;
    if (f.n_offsets > 1 || !f.has_data)
        return SW_WRONG_DATA;
    if (f.data_len == 0)
        return SW_WRONG_LENGTH;
    size_t idx;
    uint8_t op = rc->ref;
    rc->ref = REF_NUMBER; /* DD always addresses record P1 */
    if ((sw = find_record(rc, &idx)) != SW_OK)
        return sw;
    sw = write_partial(card, rc->ef, &rc->ef->records[idx], op, f.offset[0],
                       &f);
    if (sw == SW_OK)
        point_at(rc, idx);
    return sw;
}

uint16_t iso_update_record(sfc_card *card, const sfc_cmd *cmd, sfc_resp *resp)
{
    (void)resp;
    uint8_t ref = cmd->p2 & P2_REF_MASK;
    bool ref_ok = is_odd(cmd) ? ref >= DD_REPLACE : ref <= REF_NUMBER;
    if (!ref_ok)
        return SW_WRONG_P1P2;
    if (cmd->nc == 0)
        return SW_WRONG_LENGTH;
    rec_cmd rc;
    uint16_t sw = address_record_ef(card, cmd, SFC_AC_UPDATE, &rc);
    if (sw != SW_OK)
        return sw;
    return is_odd(cmd) ? update_partial(card, cmd, &rc)
                       : update_whole(card, cmd, &rc);
}

/* ---- WRITE RECORD ------------------------------------------------------------ */

static uint16_t write_combined(sfc_file *ef, sfc_record *r, uint8_t mode,
                               const uint8_t *p, size_t len)
{
    if (len != r->len)
        return SW_WRONG_LENGTH;
    uint8_t *scratch = copy_bytes(r->data, r->len);
    if (!scratch)
        return SW_MEMORY_FAILURE;
    du_combine(mode, scratch, p, len);
    uint16_t sw = check_record_content(ef, scratch, len);
    if (sw == SW_OK)
        memcpy(r->data, scratch, len);
    sfc_wipe(scratch, len);
    free(scratch);
    return sw;
}

static uint16_t write_once(sfc_card *card, sfc_file *ef, sfc_record *r,
                           const uint8_t *p, size_t len)
{
    if (!du_is_erased(ef, r->data, r->len))
        return SW_CONDITIONS;
    uint16_t sw = check_whole_record(ef, p, len);
    return sw != SW_OK ? sw : replace_record(card, r, p, len);
}

uint16_t iso_write_record(sfc_card *card, const sfc_cmd *cmd, sfc_resp *resp)
{
    (void)resp;
    if ((cmd->p2 & P2_REF_MASK) > REF_NUMBER)
        return SW_WRONG_P1P2;
    if (cmd->nc == 0)
        return SW_WRONG_LENGTH;
    rec_cmd rc;
    size_t idx;
    uint16_t sw = address_record_ef(card, cmd, SFC_AC_WRITE, &rc);
    if (sw == SW_OK)
        sw = find_record(&rc, &idx);
    if (sw != SW_OK)
        return sw;
    sfc_record *r = &rc.ef->records[idx];
    uint8_t mode = du_write_mode(rc.ef);
    sw = mode == DCB_WRITE_ONCE
             ? write_once(card, rc.ef, r, cmd->data, cmd->nc)
             : write_combined(rc.ef, r, mode, cmd->data, cmd->nc);
    if (sw == SW_OK)
        point_at(&rc, idx);
    return sw;
}

/* ---- APPEND RECORD ----------------------------------------------------------- */

static size_t record_limit(const sfc_file *ef)
{
    size_t m = ef->max_records;
    return m == 0 || m > MAX_RECORDS ? MAX_RECORDS : m;
}

/** A new record's bytes, charged as fs_footprint() counts a record. */
static uint16_t new_record(sfc_card *card, const uint8_t *p, size_t len,
                           sfc_record *out)
{
    long cost = (long)(sizeof(sfc_record) + len);
    if (!sfc_mem_charge(card, cost))
        return SW_NOT_ENOUGH_MEMORY;
    out->data = copy_bytes(p, len);
    out->len = len;
    if (!out->data) {
        sfc_mem_charge(card, -cost);
        return SW_MEMORY_FAILURE;
    }
    return SW_OK;
}

static void drop_new_record(sfc_card *card, sfc_record *r)
{
    sfc_mem_charge(card, -(long)(sizeof(sfc_record) + r->len));
    free_record_data(r);
}

/** Make room for one more record at position `at` (0 or n_records). */
static uint16_t insert_record(sfc_card *card, sfc_file *ef, size_t at,
                              sfc_record *r)
{
    sfc_record *grown =
        realloc(ef->records, (ef->n_records + 1) * sizeof(*grown));
    if (!grown) {
        drop_new_record(card, r);
        return SW_MEMORY_FAILURE;
    }
    ef->records = grown;
    memmove(&grown[at + 1], &grown[at],
            (ef->n_records - at) * sizeof(*grown));
    grown[at] = *r;
    ef->n_records++;
    return SW_OK;
}

/** Cyclic and full: the oldest (last) record gives its place to the new. */
static uint16_t replace_oldest(sfc_card *card, sfc_file *ef, const uint8_t *p,
                               size_t len)
{
    sfc_record *oldest = &ef->records[ef->n_records - 1];
    uint16_t sw = replace_record(card, oldest, p, len);
    if (sw != SW_OK)
        return sw;
    sfc_record fresh = *oldest;
    memmove(&ef->records[1], &ef->records[0],
            (ef->n_records - 1) * sizeof(sfc_record));
    ef->records[0] = fresh;
    return SW_OK;
}

static uint16_t append_to(sfc_card *card, sfc_file *ef, const uint8_t *p,
                          size_t len, size_t *idx)
{
    bool full = ef->n_records >= record_limit(ef);
    bool cyclic = fs_is_cyclic(ef);
    *idx = cyclic ? 0 : ef->n_records;
    if (full && !cyclic)
        return SW_NOT_ENOUGH_MEMORY;
    if (full)
        return replace_oldest(card, ef, p, len);
    sfc_record r;
    uint16_t sw = new_record(card, p, len, &r);
    return sw != SW_OK ? sw : insert_record(card, ef, *idx, &r);
}

uint16_t iso_append_record(sfc_card *card, const sfc_cmd *cmd, sfc_resp *resp)
{
    (void)resp;
    if (cmd->p1 != 0 || (cmd->p2 & P2_REF_MASK) != 0)
        return SW_WRONG_P1P2;
    if (cmd->nc == 0)
        return SW_WRONG_LENGTH;
    rec_cmd rc;
    uint16_t sw = address_record_ef(card, cmd, SFC_AC_WRITE, &rc);
    if (sw == SW_OK)
        sw = check_whole_record(rc.ef, cmd->data, cmd->nc);
    size_t idx;
    if (sw == SW_OK)
        sw = append_to(card, rc.ef, cmd->data, cmd->nc, &idx);
    if (sw == SW_OK)
        point_at(&rc, idx);
    return sw;
}

/* ---- ERASE RECORD(S) --------------------------------------------------------- */

static void erase_record(const sfc_file *ef, sfc_record *r)
{
    if (r->len)
        memset(r->data, du_erased_byte(ef), r->len);
}

uint16_t iso_erase_record(sfc_card *card, const sfc_cmd *cmd, sfc_resp *resp)
{
    (void)resp;
    uint8_t ref = cmd->p2 & P2_REF_MASK;
    if (ref != REF_NUMBER && ref != REF_P1_TO_LAST)
        return SW_WRONG_P1P2;
    if (cmd->nc > 0)
        return SW_WRONG_LENGTH;
    rec_cmd rc;
    size_t first;
    uint16_t sw = address_record_ef(card, cmd, SFC_AC_UPDATE, &rc);
    if (sw == SW_OK)
        sw = find_by_number(&rc, &first);
    if (sw != SW_OK)
        return sw;
    if (ref == REF_NUMBER) {
        erase_record(rc.ef, &rc.ef->records[first]);
        point_at(&rc, first);
        return SW_OK;
    }
    for (size_t i = first; i < rc.ef->n_records; i++)
        erase_record(rc.ef, &rc.ef->records[i]);
    return SW_OK;
}
