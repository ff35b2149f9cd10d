/* SPDX-License-Identifier: LGPL-2.1-or-later */
/**
 * @file access.c
 * @brief The access decision: may this operation touch this file (or use
 *        this key) now?
 *
 * Three layers, all applied here and nowhere else:
 *
 * 1. Life cycle (ISO/IEC 7816-9), for the file and every DF above it: a
 *    terminated file allows only deletion; a deactivated one also
 *    activation, deactivation and termination. Files in the creation or
 *    initialisation state skip the security attributes (ISO: "no security
 *    condition applies before operational use").
 *
 * 2. The access hook of the application whose DF holds the file, if it
 *    has one: it may allow, refuse (its status word), or leave the
 *    decision to the attributes (rights granted by a protocol, such as a
 *    CHAT after Terminal Authentication, are tested there).
 *
 * 3. Security attributes stored with the file (ISO/IEC 7816-4 §5.4.3):
 *    - compact format 8C: an access-mode byte (b8 = 0; b7..b1 as tables 20/21:
 *      EF: delete, terminate, activate, deactivate, write, update, read;
 *      DF: delete self, terminate, activate, deactivate, create DF, create EF,
 *      delete child) followed by one security-condition byte per bit set,
 *      from b7 down;
 *    - expanded format AB (and A1, taken in the same format): pairs of an
 *      access-mode DO (80 AM byte, or 84 INS) and security-condition DOs
 *      (90 always, 97 never, 9E SC byte, A4 authentication template with 83
 *      key/PIN reference or 95 usage qualifier, B4/B6/B8 secure messaging,
 *      A0 one-of, AF all-of); several SC DOs after one AM DO are
 *      alternatives;
 *    - 86 (proprietary) defines no rules on this card; 8B (references to
 *      EF.ARR) is not supported and denies everything, rather than grant
 *      access the card cannot check.
 *    An operation the attributes do not describe is allowed; malformed
 *    attributes deny. A security-condition byte (table 22) is 00 always,
 *    FF never, otherwise b7 SM, b6 external authentication, b5 user
 *    authentication, b8 "all of" (else "one of"), b4..b1 the SE whose AT names
 *    the PIN (83) or key; SE 0 or an SE without AT means the first PIN
 *    (the current application's, else the card's) and the card secret.
 *    PIN references resolve in the current application first (pin.h).
 *
 * Every refusal is 6982 (security status not satisfied), or 6985 for the
 * life cycle.
 */
#include "os/access.h"

#include <string.h>

#include "core/sw.h"
#include "core/tlv.h"
#include "os/pin.h"

/* ---- security status ------------------------------------------------------ */

static const sfc_crt *se_at(const sfc_card *card, unsigned se)
{
    if (se == 0 || se > SFC_MAX_SE || !card->stored_se_set[se] ||
        !card->stored_se[se].at.set)
        return NULL;
    return &card->stored_se[se].at;
}

static bool pin_ref_verified(const sfc_card *card, uint8_t ref)
{
    int i = sfc_pin_index(card, ref);
    return i >= 0 && card->sec.pin_verified[i];
}

static bool first_pin_verified(const sfc_card *card)
{
    int i = sfc_pin_first(card);
    return i >= 0 && card->sec.pin_verified[i];
}

static bool user_authenticated(const sfc_card *card, unsigned se)
{
    const sfc_crt *at = se_at(card, se);
    if (at && at->has_key)
        return pin_ref_verified(card, at->key_ref);
    return first_pin_verified(card);
}

static bool externally_authenticated(const sfc_card *card, unsigned se)
{
    const sfc_crt *at = se_at(card, se);
    uint8_t ref = at && at->has_key ? at->key_ref : 0;
    return card->sec.external_auth && card->sec.external_auth_ref == ref;
}

/* Table 22: the security condition byte. */
static bool sfc_byte_ok(const sfc_card *card, uint8_t sc)
{
    if (sc == 0x00)
        return true;
    if (sc == 0xFF || (sc & 0x70) == 0)
        return false; /* never, or no condition named */
    unsigned se = sc & 0x0F;
    bool need_sm = sc & 0x40, need_ext = sc & 0x20, need_user = sc & 0x10;
    bool sm = card->sec.cmd_secured;
    bool ext = externally_authenticated(card, se);
    bool user = user_authenticated(card, se);
    if (sc & 0x80)
        return (!need_sm || sm) && (!need_ext || ext) && (!need_user || user);
    return (need_sm && sm) || (need_ext && ext) || (need_user && user);
}

/* ---- operations and access-mode bits --------------------------------------- */

static uint8_t am_bit(const sfc_file *f, sfc_access_op op)
{
    bool df = fs_is_df(f);
    switch (op) {
    case SFC_AC_READ: return df ? 0 : 0x01;
    case SFC_AC_UPDATE: return df ? 0 : 0x02;
    case SFC_AC_WRITE: return df ? 0 : 0x04;
    case SFC_AC_CREATE_EF: return df ? 0x02 : 0;
    case SFC_AC_CREATE_DF: return df ? 0x04 : 0;
    case SFC_AC_DEACTIVATE: return 0x08;
    case SFC_AC_ACTIVATE: return 0x10;
    case SFC_AC_TERMINATE: return 0x20;
    case SFC_AC_DELETE: return 0x40;
    }
    return 0;
}

/* Instructions an "84 INS" access-mode DO may name for each operation. */
static bool ins_matches(sfc_access_op op, uint8_t ins)
{
    static const uint8_t read[] = {0xB0, 0xB1, 0xB2, 0xB3, 0xA0, 0xA1, 0xA2,
                                   0xCA, 0xCB};
    static const uint8_t update[] = {0xD6, 0xD7, 0xDC, 0xDD, 0x0E, 0x0F,
                                     0x0C, 0xDA, 0xDB};
    static const uint8_t write[] = {0xD0, 0xD1, 0xD2, 0xE2};
    const uint8_t *set = NULL;
    size_t n = 0;
    switch (op) {
    case SFC_AC_READ: set = read; n = sizeof(read); break;
    case SFC_AC_UPDATE: set = update; n = sizeof(update); break;
    case SFC_AC_WRITE: set = write; n = sizeof(write); break;
    case SFC_AC_CREATE_EF: case SFC_AC_CREATE_DF: return ins == 0xE0;
    case SFC_AC_DELETE: return ins == 0xE4;
    case SFC_AC_ACTIVATE: return ins == 0x44;
    case SFC_AC_DEACTIVATE: return ins == 0x04;
    case SFC_AC_TERMINATE: return ins == 0xE6 || ins == 0xE8;
    }
    for (size_t i = 0; i < n; i++)
        if (set[i] == ins)
            return true;
    return false;
}

/* ---- compact format -------------------------------------------------------- */

typedef enum verdict { NOT_DESCRIBED, GRANTED, DENIED } verdict;

static verdict compact_rule(const sfc_card *card, const uint8_t *v,
                            size_t len, uint8_t bit)
{
    if (len == 0 || (v[0] & 0x80))
        return DENIED; /* empty, or a command-description AM byte */
    uint8_t am = v[0];
    size_t n_sc = 0, index = 0;
    for (uint8_t b = 0x40; b; b >>= 1) {
        if (!(am & b))
            continue;
        if (b == bit)
            index = n_sc;
        n_sc++;
    }
    if (len != 1 + n_sc)
        return DENIED;
    if (!bit || !(am & bit))
        return NOT_DESCRIBED;
    return sfc_byte_ok(card, v[1 + index]) ? GRANTED : DENIED;
}

/* ---- expanded format ------------------------------------------------------- */

static bool sfc_do_ok(const sfc_card *card, const ber_tlv *t, unsigned depth);

static bool template_ok(const sfc_card *card, const ber_tlv *t, bool all,
                        unsigned depth)
{
    ber_iter it;
    ber_tlv c;
    ber_iter_init(&it, t->value, t->len, false);
    bool any = false, every = true, seen = false;
    sfc_err rv;
    while ((rv = ber_iter_next(&it, &c)) == SFC_OK) {
        bool ok = sfc_do_ok(card, &c, depth + 1);
        any = any || ok;
        every = every && ok;
        seen = true;
    }
    if (rv != SFC_E_END || !seen)
        return false;
    return all ? every : any;
}

/* An authentication template: 83 names a PIN (user) or a key (external). */
static bool at_ok(const sfc_card *card, const ber_tlv *t)
{
    ber_tlv ref, usage;
    bool has_ref = ber_find(t->value, t->len, 0x83, &ref) == SFC_OK &&
                   ref.len == 1;
    bool has_usage = ber_find(t->value, t->len, 0x95, &usage) == SFC_OK &&
                     usage.len == 1;
    if (has_ref) {
        if (sfc_pin_index(card, ref.value[0]) >= 0 && ref.value[0] != 0)
            return pin_ref_verified(card, ref.value[0]);
        return card->sec.external_auth &&
               card->sec.external_auth_ref == ref.value[0];
    }
    if (has_usage && (usage.value[0] & 0x08))
        return first_pin_verified(card);
    if (has_usage && (usage.value[0] & 0x80))
        return externally_authenticated(card, 0);
    return false;
}

static bool sfc_do_ok(const sfc_card *card, const ber_tlv *t, unsigned depth)
{
    if (depth > 4)
        return false;
    switch (t->tag) {
    case 0x90: return true;
    case 0x97: return false;
    case 0x9E: return t->len == 1 && sfc_byte_ok(card, t->value[0]);
    case 0xA4: return at_ok(card, t);
    case 0xB4: case 0xB6: case 0xB8: return card->sec.cmd_secured;
    case 0xA0: return template_ok(card, t, false, depth);
    case 0xAF: return template_ok(card, t, true, depth);
    default: return false;
    }
}

static bool am_do_applies(const ber_tlv *am, uint8_t bit, sfc_access_op op,
                          bool *malformed)
{
    if (am->tag == 0x80) {
        if (am->len != 1 || (am->value[0] & 0x80)) {
            *malformed = true;
            return false;
        }
        return bit && (am->value[0] & bit);
    }
    if (am->tag == 0x84)
        return am->len == 1 && ins_matches(op, am->value[0]);
    return false; /* other command descriptions (81..8F) are not used here */
}

static bool is_am_do(uint32_t tag)
{
    return tag >= 0x80 && tag <= 0x8F;
}

static verdict expanded_rule(const sfc_card *card, const uint8_t *v,
                             size_t len, uint8_t bit, sfc_access_op op)
{
    ber_iter it;
    ber_tlv t;
    ber_iter_init(&it, v, len, false);
    bool applies = false, described = false, granted = false, malformed = false;
    sfc_err rv;
    while ((rv = ber_iter_next(&it, &t)) == SFC_OK) {
        if (is_am_do(t.tag)) {
            applies = am_do_applies(&t, bit, op, &malformed);
            described = described || applies;
        } else if (applies && sfc_do_ok(card, &t, 0)) {
            granted = true;
        }
    }
    if (rv != SFC_E_END || malformed)
        return DENIED;
    if (!described)
        return NOT_DESCRIBED;
    return granted ? GRANTED : DENIED;
}

/* ---- the file's attributes -------------------------------------------------- */

/* The verdict of a file's attributes for access-mode bit `bit` (and, for
 * "84 INS" descriptions, the instructions of `op`). */
static verdict attributes_rule(const sfc_card *card, const sfc_file *f,
                               uint8_t bit, sfc_access_op op)
{
    ber_iter it;
    ber_tlv t;
    ber_iter_init(&it, f->sec_attr, f->sec_attr_len, false);
    verdict result = NOT_DESCRIBED;
    sfc_err rv;
    while ((rv = ber_iter_next(&it, &t)) == SFC_OK) {
        verdict v = NOT_DESCRIBED;
        if (t.tag == 0x8C)
            v = compact_rule(card, t.value, t.len, bit);
        else if (t.tag == 0xAB || t.tag == 0xA1)
            v = expanded_rule(card, t.value, t.len, bit, op);
        else if (t.tag == 0x8B)
            v = DENIED;
        if (v == DENIED)
            return DENIED;
        if (v == GRANTED)
            result = GRANTED;
    }
    return rv == SFC_E_END ? result : DENIED;
}

static bool lcs_skips_attributes(uint8_t lcs)
{
    return lcs == LCS_CREATION || lcs == LCS_INITIALISATION;
}

static bool allowed_when_terminated(sfc_access_op op)
{
    return op == SFC_AC_DELETE;
}

static bool allowed_when_deactivated(sfc_access_op op)
{
    return op == SFC_AC_DELETE || op == SFC_AC_ACTIVATE ||
           op == SFC_AC_TERMINATE || op == SFC_AC_DEACTIVATE;
}

static uint16_t lifecycle_check(const sfc_file *file, sfc_access_op op)
{
    for (const sfc_file *f = file; f; f = f->parent) {
        if (fs_lcs_terminated(f->lcs) && !allowed_when_terminated(op))
            return SW_CONDITIONS;
        if (fs_lcs_deactivated(f->lcs) && !allowed_when_deactivated(op))
            return SW_CONDITIONS;
    }
    return SW_OK;
}

uint16_t sfc_access(const sfc_card *card, const sfc_file *file, sfc_access_op op)
{
    if (!file)
        return SW_FILE_NOT_FOUND;
    uint16_t sw = lifecycle_check(file, op);
    if (sw != SW_OK || lcs_skips_attributes(file->lcs))
        return sw;
    const sfc_app *app = app_of_file(file);
    if (app && app->def->access &&
        (sw = app->def->access(card, app, file, op)) != SFC_ACCESS_BY_RULES)
        return sw;
    if (attributes_rule(card, file, am_bit(file, op), op) == DENIED)
        return SW_SECURITY_STATUS;
    /* Deleting also needs the parent's "delete child" (DF b1) permission. */
    const sfc_file *parent = file->parent;
    if (op == SFC_AC_DELETE && parent && !lcs_skips_attributes(parent->lcs) &&
        attributes_rule(card, parent, 0x01, op) == DENIED)
        return SW_SECURITY_STATUS;
    return SW_OK;
}

uint16_t sfc_access_key(const sfc_card *card, const sfc_key *key)
{
    if (!key)
        return SW_REF_NOT_FOUND;
    return sfc_byte_ok(card, key->use_sc) ? SW_OK : SW_SECURITY_STATUS;
}

uint16_t sfc_access_condition(const sfc_card *card, uint8_t sc)
{
    return sfc_byte_ok(card, sc) ? SW_OK : SW_SECURITY_STATUS;
}
