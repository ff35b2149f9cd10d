/* SPDX-License-Identifier: LGPL-2.1-or-later */
/**
 * @file dataobj.c
 * @brief GET DATA (CA/CB) and PUT DATA (DA/DB), ISO/IEC 7816-4 §11.4, and
 *        the per-file data object store behind them (dataobj.h).
 *
 * Which file. Even INS: the current DF of the channel. Odd INS: P1-P2
 * reference a file as for the other odd instructions (dataunit.h: 0000
 * current EF, 0001..001E SFI, 3FFF current DF, otherwise a child FID).
 * sfc_access() decides (SFC_AC_READ for GET, SFC_AC_UPDATE for PUT).
 *
 * Which objects - even INS, P1-P2 (ISO/IEC 7816-4 table "P1-P2 of data
 * object handling", gorferay.com; the reference's comments quote the same):
 *   0000       "used for dumping a file or for card-originated byte
 *              strings": not offered by this card, 6A81
 *   0040..00FE a one-byte BER-TLV tag in P2 (bytes that are not a complete
 *              one-byte tag, such as 5F or 7F, are 6A86)
 *   00FF       all BER-TLV objects (GET), or "the command data field is
 *              encoded in BER-TLV" (PUT: the objects to store; GET: a
 *              5C/5D list as for CB)
 *   0100..01FF proprietary: 6A81
 *   0201..02FE a SIMPLE-TLV tag in P2; 02FF all SIMPLE-TLV objects (GET) or
 *              SIMPLE-TLV objects in the data field (PUT)
 *   4000..FFFF a two-byte BER-TLV tag in P1-P2 (e.g. 5F2D, 7F68; values that
 *              are not a valid two-byte tag are 6A86)
 *   anything else (0001..003F, 0200, 0300..3FFF) is RFU: 6A86.
 * Odd INS, data field: one tag list (5C: the objects in list order), or
 * one header list (5D: tag/length pairs; each object is returned with its
 * value cut to at most that many bytes - the length is taken literally, so
 * 00 returns the bare header). The extended header list (4D) answers 6A81
 * "function not supported", as does a file reference DO (51), since P1-P2
 * already name the file. An empty data field asks for all BER-TLV objects.
 *
 * Answers. An object is returned whole (tag, length, value), as EMV and
 * GlobalPlatform cards answer GET DATA; "all" concatenates the objects in
 * creation order. A requested object that is absent is 6A88 ("referenced
 * data not found"), and a list fails as a whole. Two documented cases:
 * `00 CA 00 FF 00` on a DF without objects is 9000 with no data (all of
 * none; the reference's 6A81 claimed the function did not exist), and
 * `00 CA 7F 68 00` (Windows asks for the GIDS card capabilities, issue
 * #153) is 6A88: a valid tag this card has no object for, so the client
 * falls back cleanly.
 *
 * Storing. With a tag in P1-P2 the data field is the value (OpenSC's
 * sfc_put_data convention); an empty data field deletes the object. With
 * 00FF/02FF or odd INS the data field holds complete objects, each stored
 * (an empty one deletes). An existing object is replaced in place (the
 * reference crashed). A data field that is not exactly a sequence of
 * well-formed objects (00/FF padding allowed between BER-TLV objects), a
 * constructed object whose value is not BER-TLV, or the same tag twice in
 * one command is 6A80, and nothing is stored. The memory the command needs
 * is checked before anything changes (6A84).
 */
#include "os/dataobj.h"

#include <stdlib.h>
#include <string.h>

#include "os/access.h"
#include "os/dataunit.h"
#include "os/iso.h"
#include "core/sw.h"
#include "core/tlv.h"

#define BER_VALUE_MAX_DEPTH 16u
#define SIMPLE_TLV_MAX_LEN 0xFFFFu
#define TAG_TAG_LIST 0x5Cu
#define TAG_HEADER_LIST 0x5Du
#define TAG_EXTENDED_HEADER_LIST 0x4Du
#define TAG_FILE_REFERENCE 0x51u
#define P1_BER_ONE_BYTE 0x00u
#define P1_PROPRIETARY 0x01u
#define P1_SIMPLE 0x02u
#define P2_ALL 0xFFu
#define P1P2_TWO_BYTE_TAGS 0x4000u
#define P2_FIRST_ONE_BYTE_TAG 0x40u

/* ---- the store ------------------------------------------------------------ */

static size_t dobj_cost(size_t len)
{
    return sizeof(sfc_dobj) + len;
}

static sfc_dobj **dobj_link(sfc_file *f, uint32_t tag, bool simple)
{
    sfc_dobj **link = &f->dobjs;
    while (*link && ((*link)->tag != tag || (*link)->simple != simple))
        link = &(*link)->next;
    return link;
}

const sfc_dobj *sfc_dobj_find(const sfc_file *f, uint32_t tag, bool simple)
{
    for (const sfc_dobj *d = f->dobjs; d; d = d->next)
        if (d->tag == tag && d->simple == simple)
            return d;
    return NULL;
}

static size_t dobj_count(const sfc_file *f)
{
    size_t n = 0;
    for (const sfc_dobj *d = f->dobjs; d; d = d->next)
        n++;
    return n;
}

static bool tag_is_valid(uint32_t tag, bool simple)
{
    if (simple)
        return tag >= 0x01 && tag <= 0xFE;
    return ber_tag_valid(tag);
}

static uint16_t check_object(uint32_t tag, bool simple, const uint8_t *value,
                             size_t len)
{
    if (!tag_is_valid(tag, simple) || (len && !value))
        return SW_WRONG_DATA;
    if (simple && len > SIMPLE_TLV_MAX_LEN)
        return SW_WRONG_DATA;
    if (!simple && ber_tag_constructed(tag) &&
        ber_validate(value, len, true, BER_VALUE_MAX_DEPTH) != SFC_OK)
        return SW_WRONG_DATA;
    return SW_OK;
}

static void free_value(sfc_dobj *d)
{
    if (d->value)
        sfc_wipe(d->value, d->len);
    free(d->value);
}

static uint8_t *copy_value(const uint8_t *value, size_t len)
{
    uint8_t *c = malloc(len);
    if (c)
        memcpy(c, value, len);
    return c;
}

static void delete_object(sfc_card *card, sfc_dobj **link)
{
    sfc_dobj *d = *link;
    *link = d->next;
    sfc_mem_charge(card, -(long)dobj_cost(d->len));
    free_value(d);
    free(d);
}

static uint16_t replace_value(sfc_card *card, sfc_dobj *d, const uint8_t *value,
                              size_t len)
{
    long delta = (long)len - (long)d->len;
    if (delta > 0 && !sfc_mem_charge(card, delta))
        return SW_NOT_ENOUGH_MEMORY;
    uint8_t *c = copy_value(value, len);
    if (!c) {
        if (delta > 0)
            sfc_mem_charge(card, -delta);
        return SW_MEMORY_FAILURE;
    }
    free_value(d);
    d->value = c;
    d->len = len;
    if (delta < 0)
        sfc_mem_charge(card, delta);
    return SW_OK;
}

static uint16_t create_object(sfc_card *card, sfc_dobj **tail, uint32_t tag,
                              bool simple, const uint8_t *value, size_t len)
{
    long cost = (long)dobj_cost(len);
    if (!sfc_mem_charge(card, cost))
        return SW_NOT_ENOUGH_MEMORY;
    sfc_dobj *d = calloc(1, sizeof(*d));
    uint8_t *c = d ? copy_value(value, len) : NULL;
    if (!c) {
        free(d);
        sfc_mem_charge(card, -cost);
        return SW_MEMORY_FAILURE;
    }
    *d = (sfc_dobj){tag, simple, c, len, NULL};
    *tail = d;
    return SW_OK;
}

uint16_t sfc_dobj_put(sfc_card *card, sfc_file *f, uint32_t tag, bool simple,
                     const uint8_t *value, size_t len)
{
    uint16_t sw = check_object(tag, simple, value, len);
    if (sw != SW_OK)
        return sw;
    sfc_dobj **link = dobj_link(f, tag, simple);
    if (len == 0) {
        if (*link)
            delete_object(card, link);
        return SW_OK;
    }
    if (*link)
        return replace_value(card, *link, value, len);
    if (dobj_count(f) >= SFC_DOBJ_MAX_PER_FILE)
        return SW_NOT_ENOUGH_MEMORY;
    return create_object(card, link, tag, simple, value, len);
}

bool sfc_dobj_encode(const sfc_dobj *d, sfc_buf *out)
{
    if (d->simple)
        return simple_tlv_put(out, (uint8_t)d->tag, d->value, d->len);
    return ber_put(out, d->tag, d->value, d->len);
}

/* ---- P1-P2 of the even instructions --------------------------------------- */

typedef enum ref_kind {
    REF_ONE,           /**< one object: tag */
    REF_ALL,           /**< all objects / objects in the data field */
    REF_NOT_SUPPORTED, /**< defined by ISO, not offered: 6A81 */
    REF_INVALID        /**< RFU or not a tag: 6A86 */
} ref_kind;

typedef struct do_ref {
    ref_kind kind;
    uint32_t tag;
    bool simple;
} do_ref;

static do_ref ref_of(ref_kind kind, uint32_t tag, bool simple)
{
    return (do_ref){kind, tag, simple};
}

static do_ref decode_ber_one_byte(uint8_t p2)
{
    if (p2 == 0x00)
        return ref_of(REF_NOT_SUPPORTED, 0, false);
    if (p2 == P2_ALL)
        return ref_of(REF_ALL, 0, false);
    if (p2 < P2_FIRST_ONE_BYTE_TAG || ber_tag_size(p2) != 1)
        return ref_of(REF_INVALID, 0, false);
    return ref_of(REF_ONE, p2, false);
}

static do_ref decode_simple(uint8_t p2)
{
    if (p2 == 0x00)
        return ref_of(REF_INVALID, 0, true);
    return ref_of(p2 == P2_ALL ? REF_ALL : REF_ONE, p2, true);
}

static do_ref decode_p1p2(uint8_t p1, uint8_t p2)
{
    uint32_t v = (uint32_t)p1 << 8 | p2;
    if (p1 == P1_BER_ONE_BYTE)
        return decode_ber_one_byte(p2);
    if (p1 == P1_PROPRIETARY)
        return ref_of(REF_NOT_SUPPORTED, 0, false);
    if (p1 == P1_SIMPLE)
        return decode_simple(p2);
    if (v >= P1P2_TWO_BYTE_TAGS && ber_tag_size(v) == 2)
        return ref_of(REF_ONE, v, false);
    return ref_of(REF_INVALID, 0, false);
}

static uint16_t ref_error(ref_kind kind)
{
    return kind == REF_NOT_SUPPORTED ? SW_FUNC_NOT_SUPPORTED : SW_WRONG_P1P2;
}

static bool is_odd(const sfc_cmd *cmd)
{
    return (cmd->ins & 1u) != 0;
}

/** The file a command addresses, and whether `op` is allowed on it. */
static uint16_t target_file(sfc_card *card, const sfc_cmd *cmd, sfc_access_op op,
                            sfc_file **f)
{
    sfc_channel *ch = sfc_channel_of(card, cmd);
    uint16_t sw = SW_OK;
    if (is_odd(cmd))
        sw = du_resolve_odd_file(card, ch, cmd->p1, cmd->p2, f);
    else
        *f = ch->cur_df;
    return sw != SW_OK ? sw : sfc_access(card, *f, op);
}

/* ---- GET DATA ------------------------------------------------------------------ */

static uint16_t get_one(const sfc_file *f, const do_ref *r, sfc_resp *resp)
{
    const sfc_dobj *d = sfc_dobj_find(f, r->tag, r->simple);
    if (!d)
        return SW_REF_NOT_FOUND;
    sfc_dobj_encode(d, &resp->data);
    return SW_OK;
}

static uint16_t get_all(const sfc_file *f, bool simple, sfc_resp *resp)
{
    for (const sfc_dobj *d = f->dobjs; d; d = d->next)
        if (d->simple == simple)
            sfc_dobj_encode(d, &resp->data);
    return SW_OK;
}

/** Read one BER tag (1..3 bytes) from a tag or header list. */
static bool read_tag(const uint8_t *p, size_t len, size_t *pos, uint32_t *tag)
{
    uint32_t t = p[(*pos)++];
    if ((t & 0x1Fu) == 0x1Fu) {
        for (size_t n = 1;; n++) {
            if (*pos >= len || n >= 3)
                return false;
            uint8_t b = p[(*pos)++];
            t = t << 8 | b;
            if (!(b & 0x80u))
                break;
        }
    }
    *tag = t;
    return ber_tag_valid(t);
}

/** Read a BER length of a header list: short form, 81 xx or 82 xx xx. */
static bool read_length(const uint8_t *p, size_t len, size_t *pos,
                        size_t *out)
{
    if (*pos >= len)
        return false;
    uint8_t b = p[(*pos)++];
    if (b < 0x80u) {
        *out = b;
        return true;
    }
    size_t n = b & 0x7Fu;
    if (n == 0 || n > 2 || len - *pos < n)
        return false;
    size_t v = 0;
    for (size_t i = 0; i < n; i++)
        v = v << 8 | p[(*pos)++];
    *out = v;
    return true;
}

/** 5C or 5D: each listed object, whole or cut to the listed length. */
static uint16_t get_listed(const sfc_file *f, const ber_tlv *list,
                           sfc_resp *resp)
{
    bool header_list = list->tag == TAG_HEADER_LIST;
    size_t pos = 0;
    while (pos < list->len) {
        uint32_t tag;
        size_t max = SIZE_MAX;
        if (!read_tag(list->value, list->len, &pos, &tag) ||
            (header_list && !read_length(list->value, list->len, &pos, &max)))
            return SW_WRONG_DATA;
        const sfc_dobj *d = sfc_dobj_find(f, tag, false);
        if (!d)
            return SW_REF_NOT_FOUND;
        ber_put(&resp->data, d->tag, d->value, d->len < max ? d->len : max);
    }
    return SW_OK;
}

/** The data field of CB (or CA 00FF): exactly one selection list. */
static uint16_t get_selected(const sfc_file *f, const uint8_t *data,
                             size_t len, sfc_resp *resp)
{
    ber_iter it;
    ber_tlv list, extra;
    ber_iter_init(&it, data, len, true);
    if (ber_iter_next(&it, &list) != SFC_OK ||
        ber_iter_next(&it, &extra) != SFC_E_END)
        return SW_WRONG_DATA;
    switch (list.tag) {
    case TAG_TAG_LIST:
    case TAG_HEADER_LIST:
        return get_listed(f, &list, resp);
    case TAG_EXTENDED_HEADER_LIST:
    case TAG_FILE_REFERENCE:
        return SW_FUNC_NOT_SUPPORTED;
    default:
        return SW_WRONG_DATA;
    }
}

static uint16_t get_data_even(sfc_card *card, const sfc_cmd *cmd,
                              sfc_resp *resp)
{
    do_ref r = decode_p1p2(cmd->p1, cmd->p2);
    if (r.kind == REF_NOT_SUPPORTED || r.kind == REF_INVALID)
        return ref_error(r.kind);
    bool takes_list = r.kind == REF_ALL && !r.simple;
    if (cmd->nc > 0 && !takes_list)
        return SW_WRONG_LENGTH;
    sfc_file *f;
    uint16_t sw = target_file(card, cmd, SFC_AC_READ, &f);
    if (sw != SW_OK)
        return sw;
    if (cmd->nc > 0)
        return get_selected(f, cmd->data, cmd->nc, resp);
    return r.kind == REF_ONE ? get_one(f, &r, resp)
                             : get_all(f, r.simple, resp);
}

uint16_t iso_get_data(sfc_card *card, const sfc_cmd *cmd, sfc_resp *resp)
{
    if (!is_odd(cmd))
        return get_data_even(card, cmd, resp);
    sfc_file *f;
    uint16_t sw = target_file(card, cmd, SFC_AC_READ, &f);
    if (sw != SW_OK)
        return sw;
    if (cmd->nc == 0)
        return get_all(f, false, resp);
    return get_selected(f, cmd->data, cmd->nc, resp);
}

/* ---- PUT DATA ------------------------------------------------------------------- */

/** One object of a PUT DATA data field, with its effect on memory. */
typedef struct new_object {
    uint32_t tag;
    const uint8_t *value;
    size_t len;
    long delta;   /**< change of card memory when stored */
    bool creates; /**< adds an object to the file */
} new_object;

typedef struct object_batch {
    new_object *obj;
    size_t n;
    bool simple;
} object_batch;

static sfc_err next_object(const uint8_t *p, size_t len, bool simple,
                          ber_iter *it, size_t *pos, new_object *o)
{
    if (simple) {
        simple_tlv t = {0};
        sfc_err err = simple_tlv_next(p, len, pos, &t);
        *o = (new_object){t.tag, t.value, t.len, 0, false};
        return err;
    }
    ber_tlv t = {0};
    sfc_err err = ber_iter_next(it, &t);
    *o = (new_object){t.tag, t.value, t.len, 0, false};
    return err;
}

static bool tag_seen(const object_batch *b, uint32_t tag)
{
    for (size_t i = 0; i < b->n; i++)
        if (b->obj[i].tag == tag)
            return true;
    return false;
}

/** Validate one object and work out what storing it costs. */
static uint16_t admit_object(const sfc_file *f, object_batch *b,
                             new_object *o)
{
    uint16_t sw = check_object(o->tag, b->simple, o->value, o->len);
    if (sw != SW_OK)
        return sw;
    if (tag_seen(b, o->tag))
        return SW_WRONG_DATA;
    if (b->n == SFC_DOBJ_MAX_PER_FILE)
        return SW_NOT_ENOUGH_MEMORY;
    const sfc_dobj *old = sfc_dobj_find(f, o->tag, b->simple);
    long now = old ? (long)dobj_cost(old->len) : 0;
    long then = o->len ? (long)dobj_cost(o->len) : 0;
    o->delta = then - now;
    o->creates = !old && o->len > 0;
    b->obj[b->n++] = *o;
    return SW_OK;
}

static uint16_t parse_objects(const sfc_file *f, const uint8_t *p, size_t len,
                              object_batch *b)
{
    ber_iter it;
    size_t pos = 0;
    new_object o;
    sfc_err err;
    ber_iter_init(&it, p, len, true);
    while ((err = next_object(p, len, b->simple, &it, &pos, &o)) == SFC_OK) {
        uint16_t sw = admit_object(f, b, &o);
        if (sw != SW_OK)
            return sw;
    }
    return err == SFC_E_END ? SW_OK : SW_WRONG_DATA;
}

/** Will the whole batch fit, in memory and in the per-file limit? */
static uint16_t batch_fits(const sfc_card *card, const sfc_file *f,
                           const object_batch *b)
{
    long net = 0;
    size_t count = dobj_count(f);
    for (size_t i = 0; i < b->n; i++) {
        net += b->obj[i].delta;
        if (b->obj[i].creates)
            count++;
        else if (b->obj[i].len == 0 && sfc_dobj_find(f, b->obj[i].tag, b->simple))
            count--;
    }
    size_t free_mem =
        card->mem_used < card->mem_limit ? card->mem_limit - card->mem_used : 0;
    if (count > SFC_DOBJ_MAX_PER_FILE || (net > 0 && (size_t)net > free_mem))
        return SW_NOT_ENOUGH_MEMORY;
    return SW_OK;
}

/*
 * Store the batch: first every object that frees memory or keeps it the
 * same, then the growing ones, so that no intermediate state needs more
 * memory (or more objects) than the final one, which batch_fits checked.
 */
static uint16_t store_batch(sfc_card *card, sfc_file *f, const object_batch *b)
{
    for (int growing = 0; growing <= 1; growing++) {
        for (size_t i = 0; i < b->n; i++) {
            const new_object *o = &b->obj[i];
            if ((o->delta > 0) != (growing != 0))
                continue;
            uint16_t sw =
                sfc_dobj_put(card, f, o->tag, b->simple, o->value, o->len);
            if (sw != SW_OK)
                return sw;
        }
    }
    return SW_OK;
}

static uint16_t put_objects(sfc_card *card, sfc_file *f, bool simple,
                            const uint8_t *data, size_t len)
{
    if (len == 0)
        return SW_WRONG_LENGTH;
    object_batch b = {calloc(SFC_DOBJ_MAX_PER_FILE, sizeof(new_object)), 0,
                      simple};
    if (!b.obj)
        return SW_MEMORY_FAILURE;
    uint16_t sw = parse_objects(f, data, len, &b);
    if (sw == SW_OK)
        sw = batch_fits(card, f, &b);
    if (sw == SW_OK)
        sw = store_batch(card, f, &b);
    free(b.obj);
    return sw;
}

uint16_t iso_put_data(sfc_card *card, const sfc_cmd *cmd, sfc_resp *resp)
{
    (void)resp;
    do_ref r = ref_of(REF_ALL, 0, false);
    if (!is_odd(cmd)) {
        r = decode_p1p2(cmd->p1, cmd->p2);
        if (r.kind == REF_NOT_SUPPORTED || r.kind == REF_INVALID)
            return ref_error(r.kind);
    }
    sfc_file *f;
    uint16_t sw = target_file(card, cmd, SFC_AC_UPDATE, &f);
    if (sw != SW_OK)
        return sw;
    if (r.kind == REF_ONE)
        return sfc_dobj_put(card, f, r.tag, r.simple, cmd->data, cmd->nc);
    return put_objects(card, f, r.simple, cmd->data, cmd->nc);
}
