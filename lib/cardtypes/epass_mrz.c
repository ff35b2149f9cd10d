/* SPDX-License-Identifier: LGPL-2.1-or-later */
/**
 * @file epass_mrz.c
 * @brief The machine readable zone of the ePass card type: the TD1, TD2
 *        and TD3 layouts, check digits, composing an MRZ from fields, and
 *        the BAC keys ICAO derives from it.
 *
 * Layouts (ICAO Doc 9303-4 TD3, -5 TD1, -6 TD2), offsets into the MRZ with
 * its lines concatenated:
 *
 * | field              | TD1      | TD2       | TD3       |
 * |--------------------|----------|-----------|-----------|
 * | document number    | 5..13    | 36..44    | 44..52    |
 * | its check digit    | 14       | 45        | 53        |
 * | optional data      | 15..29   | 64..70    | 72..85 (personal number, check digit 86) |
 * | date of birth + cd | 30..36   | 49..55    | 57..63    |
 * | sex                | 37       | 56        | 64        |
 * | date of expiry + cd| 38..44   | 57..63    | 65..71    |
 * | composite cd       | 59       | 71        | 87        |
 *
 * A TD1 or TD2 document number longer than nine characters puts '<' in the
 * check-digit position and continues at the start of the optional data,
 * ending with its check digit (Doc 9303-5 §4.2.2 note j); the BAC key seed
 * then uses the whole number (test vector: D23145890734, digit 9).
 *
 * Key derivation (Doc 9303-11 §9.7.1): Kseed = SHA-1(MRZ information)
 * truncated to 16 bytes, K = SHA-1(Kseed || counter)[0..15] with the DES
 * parity bits set (the reference emulator skipped the parity adjustment,
 * harmless to DES, but its keys differed from ICAO's printed ones).
 * Hashes go through OpenSSL (crypto/sym.h); key material is wiped.
 */
#include "core/errtext.h"
#include "cardtypes/epass.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include "core/tlv.h"
#include "crypto/sym.h"

/* ---- layouts ---------------------------------------------------------------- */

typedef struct mrz_layout {
    size_t len;
    size_t doc, doc_cd;     /* document number (9 chars) and its digit */
    size_t opt, opt_len;    /* optional data (long document numbers) */
    size_t dob, doe, sex;   /* dates (6 chars, digit follows) and sex */
    size_t composite;       /* composite check digit */
    size_t name, name_len;  /* name field */
    size_t state;           /* issuing state (3 chars) */
} mrz_layout;

static const mrz_layout td1 = {90, 5, 14, 15, 15, 30, 38, 37, 59, 60, 30, 2};
static const mrz_layout td2 = {72, 36, 45, 64, 7, 49, 57, 56, 71, 5, 31, 2};
static const mrz_layout td3 = {88, 44, 53, 72, 14, 57, 65, 64, 87, 5, 39, 2};

static const mrz_layout *layout_of(epass_td td)
{
    return td == EPASS_TD1 ? &td1 : td == EPASS_TD2 ? &td2 : &td3;
}

/* The spans the composite check digit covers, as [start, end) pairs. */
static size_t composite_spans(epass_td td, size_t spans[4][2])
{
    static const size_t s1[4][2] = {{5, 30}, {30, 37}, {38, 45}, {48, 59}};
    static const size_t s2[3][2] = {{36, 46}, {49, 56}, {57, 71}};
    static const size_t s3[3][2] = {{44, 54}, {57, 64}, {65, 87}};
    size_t n = td == EPASS_TD1 ? 4 : 3;
    memcpy(spans, td == EPASS_TD1 ? s1 : td == EPASS_TD2 ? s2 : s3,
           n * sizeof(spans[0]));
    return n;
}

static int char_value(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'A' && c <= 'Z')
        return c - 'A' + 10;
    return 0; /* '<' */
}

char epass_check_digit(const char *s, size_t n)
{
    static const int weights[3] = {7, 3, 1};
    int sum = 0;
    for (size_t i = 0; i < n; i++)
        sum += char_value(s[i]) * weights[i % 3];
    return (char)('0' + sum % 10);
}

static bool mrz_char_ok(char c)
{
    return (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '<';
}

/* ---- parsing ---------------------------------------------------------------- */

/* Copy without whitespace; false if longer than an MRZ can be. */
static bool strip_whitespace(const char *text, epass_mrz *out)
{
    out->len = 0;
    for (const char *p = text; *p; p++) {
        if (isspace((unsigned char)*p))
            continue;
        if (out->len == EPASS_MRZ_MAX)
            return false;
        out->text[out->len++] = *p;
    }
    out->text[out->len] = '\0';
    return true;
}

static sfc_err check_shape(epass_mrz *m, char *err, size_t errlen)
{
    m->format = m->len == 90 ? EPASS_TD1 : m->len == 72 ? EPASS_TD2
                : m->len == 88 ? EPASS_TD3 : 0;
    if (!m->format) {
        sfc_errf(err, errlen, "MRZ: %zu characters; an MRZ has 88 (TD3, "
                 "passport), 72 (TD2) or 90 (TD1) without line breaks",
                 m->len);
        return SFC_E_FORMAT;
    }
    for (size_t i = 0; i < m->len; i++)
        if (!mrz_char_ok(m->text[i])) {
            sfc_errf(err, errlen, "MRZ: character %zu ('%c') is not one of "
                     "A-Z, 0-9 and '<'", i + 1, m->text[i]);
            return SFC_E_FORMAT;
        }
    return SFC_OK;
}

/*
 * The document number with its check digit: nine characters and the digit,
 * or for a long number (TD1/TD2, '<' in the digit's place) the nine, the
 * rest from the optional data and the digit that ends it there.
 */
static size_t doc_number(const epass_mrz *m, char *out, size_t cap)
{
    const mrz_layout *l = layout_of(m->format);
    const char *t = m->text;
    size_t n = 9;
    if (cap < 9 + l->opt_len + 1)
        return 0;
    memcpy(out, t + l->doc, 9);
    if (t[l->doc_cd] != '<' || m->format == EPASS_TD3) {
        out[n++] = t[l->doc_cd];
        return n;
    }
    size_t ext = 0;
    while (ext < l->opt_len && t[l->opt + ext] != '<')
        ext++;
    if (ext == 0)
        return 0; /* '<' as check digit, nothing following: malformed */
    memcpy(out + n, t + l->opt, ext);
    return n + ext;
}

static sfc_err check_digit_at(const char *what, const char *s, size_t n,
                             char got, char *err, size_t errlen)
{
    char want = epass_check_digit(s, n);
    if (got == want)
        return SFC_OK;
    sfc_errf(err, errlen, "MRZ: the check digit of the %s is '%c', "
             "expected '%c'", what, got, want);
    return SFC_E_CHECKSUM;
}

static sfc_err check_doc_number(const epass_mrz *m, char *err, size_t errlen)
{
    char doc[32];
    size_t n = doc_number(m, doc, sizeof(doc));
    if (n < 2) {
        sfc_errf(err, errlen, "MRZ: the document number's check digit is "
                 "'<' but no continuation follows in the optional data");
        return SFC_E_FORMAT;
    }
    return check_digit_at("document number", doc, n - 1, doc[n - 1], err,
                          errlen);
}

/* The characters the composite check digit covers, concatenated. */
static size_t composite_input(const epass_mrz *m, char buf[EPASS_MRZ_MAX])
{
    size_t spans[4][2], n = composite_spans(m->format, spans);
    size_t len = 0;
    for (size_t i = 0; i < n; i++) {
        memcpy(buf + len, m->text + spans[i][0], spans[i][1] - spans[i][0]);
        len += spans[i][1] - spans[i][0];
    }
    return len;
}

static sfc_err check_composite(const epass_mrz *m, char *err, size_t errlen)
{
    char buf[EPASS_MRZ_MAX];
    size_t len = composite_input(m, buf);
    const mrz_layout *l = layout_of(m->format);
    return check_digit_at("composite", buf, len, m->text[l->composite],
                          err, errlen);
}

/* TD3: the personal number's digit may be '<' when the number is empty. */
static sfc_err check_personal_number(const epass_mrz *m, char *err,
                                    size_t errlen)
{
    const char *pn = m->text + td3.opt;
    char got = pn[14];
    bool empty = strspn(pn, "<") >= 14;
    if (empty && (got == '<' || got == '0'))
        return SFC_OK;
    return check_digit_at("personal number", pn, 14, got, err, errlen);
}

static sfc_err check_digits(const epass_mrz *m, char *err, size_t errlen)
{
    const mrz_layout *l = layout_of(m->format);
    const char *t = m->text;
    sfc_err rv = check_doc_number(m, err, errlen);
    if (rv == SFC_OK)
        rv = check_digit_at("date of birth", t + l->dob, 6, t[l->dob + 6],
                            err, errlen);
    if (rv == SFC_OK)
        rv = check_digit_at("date of expiry", t + l->doe, 6,
                            t[l->doe + 6], err, errlen);
    if (rv == SFC_OK && m->format == EPASS_TD3)
        rv = check_personal_number(m, err, errlen);
    if (rv == SFC_OK)
        rv = check_composite(m, err, errlen);
    return rv;
}

sfc_err epass_mrz_parse(const char *text, bool strict, epass_mrz *out,
                       char *err, size_t errlen)
{
    memset(out, 0, sizeof(*out));
    if (!text || !strip_whitespace(text, out)) {
        sfc_errf(err, errlen, "MRZ: longer than 90 characters; an MRZ has "
                 "88 (TD3), 72 (TD2) or 90 (TD1)");
        return SFC_E_FORMAT;
    }
    sfc_err rv = check_shape(out, err, errlen);
    if (rv == SFC_OK && strict)
        rv = check_digits(out, err, errlen);
    return rv;
}

size_t epass_mrz_info(const epass_mrz *m, char *out, size_t cap)
{
    const mrz_layout *l = layout_of(m->format);
    char doc[32];
    size_t n = doc_number(m, doc, sizeof(doc));
    if (n < 2 || n + 14 + 1 > cap)
        return 0;
    memcpy(out, doc, n);
    memcpy(out + n, m->text + l->dob, 7);
    memcpy(out + n + 7, m->text + l->doe, 7);
    out[n + 14] = '\0';
    return n + 14;
}

char epass_mrz_sex(const epass_mrz *m)
{
    char c = m->text[layout_of(m->format)->sex];
    return c == 'M' || c == 'F' ? c : '<';
}

void epass_mrz_state(const epass_mrz *m, char out[4])
{
    memcpy(out, m->text + layout_of(m->format)->state, 3);
    out[3] = '\0';
}

sfc_err epass_dg1_mrz(const uint8_t *dg1, size_t len, epass_mrz *out)
{
    ber_tlv outer, mrz;
    char text[EPASS_MRZ_MAX + 1], why[8];
    if (ber_decode(dg1, len, &outer) != SFC_OK || outer.tag != 0x61 ||
        ber_find(outer.value, outer.len, 0x5F1F, &mrz) != SFC_OK ||
        mrz.len > EPASS_MRZ_MAX)
        return SFC_E_FORMAT;
    memcpy(text, mrz.value, mrz.len);
    text[mrz.len] = '\0';
    if (strlen(text) != mrz.len)
        return SFC_E_FORMAT; /* a NUL inside */
    return epass_mrz_parse(text, false, out, why, sizeof(why));
}

/* ---- composing -------------------------------------------------------------- */

/* Write `s` into a field of `width`, '<' filled; false if it does not fit. */
static bool put_field(char *dst, size_t width, const char *s)
{
    size_t n = strlen(s);
    if (n > width)
        return false;
    memset(dst, '<', width);
    for (size_t i = 0; i < n; i++) {
        char c = (char)toupper((unsigned char)s[i]);
        if (c == ' ')
            c = '<';
        if (!mrz_char_ok(c))
            return false;
        dst[i] = c;
    }
    return true;
}

/* Names: letters upper-cased, space and hyphen to '<', apostrophe dropped. */
static bool name_chars(const char *s, char *out, size_t cap, size_t *n)
{
    for (; *s; s++) {
        char c = (char)toupper((unsigned char)*s);
        if (c == '\'')
            continue;
        if (c == ' ' || c == '-')
            c = '<';
        if (!((c >= 'A' && c <= 'Z') || c == '<'))
            return false;
        if (*n < cap)
            out[(*n)++] = c;
    }
    return true;
}

static sfc_err put_name(const epass_mrz_fields *f, char *dst, size_t width,
                       char *err, size_t errlen)
{
    char buf[256];
    size_t n = 0;
    const char *surname = f->surname ? f->surname : "ERIKSSON";
    const char *given = f->given_names ? f->given_names : "ANNA MARIA";
    bool ok = name_chars(surname, buf, sizeof(buf), &n);
    if (ok && given[0]) {
        if (n + 2 <= sizeof(buf)) {
            buf[n++] = '<';
            buf[n++] = '<';
        }
        ok = name_chars(given, buf, sizeof(buf), &n);
    }
    if (!ok) {
        sfc_errf(err, errlen, "MRZ: names may only hold letters A-Z, spaces, "
                 "hyphens and apostrophes (transliterate others as ICAO "
                 "Doc 9303-3 §6 says)");
        return SFC_E_FORMAT;
    }
    memset(dst, '<', width);
    memcpy(dst, buf, n < width ? n : width); /* truncated to the field */
    return SFC_OK;
}

static sfc_err field_error(const char *what, const char *rule, char *err,
                          size_t errlen)
{
    sfc_errf(err, errlen, "MRZ: %s: %s", what, rule);
    return SFC_E_FORMAT;
}

static bool date_ok(const char *d)
{
    if (strlen(d) != 6)
        return false;
    for (size_t i = 0; i < 6; i++)
        if (!((d[i] >= '0' && d[i] <= '9') || d[i] == '<'))
            return false;
    return true;
}

/* Upper-case `n` characters of `s` into `dst`; false for other characters. */
static bool put_upper(char *dst, const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        dst[i] = (char)toupper((unsigned char)s[i]);
        if (!mrz_char_ok(dst[i]))
            return false;
    }
    return true;
}

/* The document number, a long one continuing in the optional data. */
static sfc_err put_doc_number(const mrz_layout *l, epass_td td, char *t,
                             const char *doc, const char *opt, char *err,
                             size_t errlen)
{
    size_t n = strlen(doc);
    size_t max = td == EPASS_TD3 ? 9 : 9 + l->opt_len - 1;
    char up[32], rest[64];
    if (n == 0 || n > max)
        return field_error("document-number", td == EPASS_TD3 ?
                           "1 to 9 characters in a TD3 MRZ" :
                           "too long for this MRZ format", err, errlen);
    if (!put_upper(up, doc, n))
        return field_error("document-number", "only A-Z, 0-9 and '<'", err,
                           errlen);
    up[n] = '\0';
    if (n <= 9) {
        put_field(t + l->doc, 9, up);
        t[l->doc_cd] = epass_check_digit(t + l->doc, 9);
        snprintf(rest, sizeof(rest), "%s", opt);
    } else {
        memcpy(t + l->doc, up, 9);
        t[l->doc_cd] = '<';
        snprintf(rest, sizeof(rest), "%s%c%s%s", up + 9,
                 epass_check_digit(up, n), opt[0] ? "<" : "", opt);
    }
    if (strlen(opt) >= sizeof(rest) || !put_field(t + l->opt, l->opt_len,
                                                  rest))
        return field_error("optional-data", "only A-Z, 0-9 and '<', within "
                           "the field (with a long document number's end)",
                           err, errlen);
    return SFC_OK;
}

static void put_composite(epass_mrz *m)
{
    char buf[EPASS_MRZ_MAX];
    size_t len = composite_input(m, buf);
    m->text[layout_of(m->format)->composite] = epass_check_digit(buf, len);
}

static const char *or_default(const char *v, const char *def)
{
    return v ? v : def;
}

/* Type, state, nationality, sex and dates: the short fixed fields. */
static sfc_err put_fixed_fields(const epass_mrz_fields *f, const mrz_layout *l,
                               char *t, char *err, size_t errlen)
{
    const char *type = or_default(f->document_type,
                                  f->format == EPASS_TD3 ? "P" : "I");
    const char *sex = or_default(f->sex, "F");
    const char *dob = or_default(f->birth_date, "690806");
    const char *doe = or_default(f->expiry_date, "940623");
    size_t nat = f->format == EPASS_TD1 ? 45 : l->doc + 10;
    if (!type[0] || !put_field(t, 2, type))
        return field_error("document-type", "1 or 2 characters A-Z", err,
                           errlen);
    if (!put_field(t + 2, 3, or_default(f->issuing_state, "UTO")) ||
        !put_field(t + nat, 3, or_default(f->nationality, "UTO")))
        return field_error("issuing-state or nationality", "1 to 3 "
                           "characters A-Z (ICAO Doc 9303-3 §5 codes)", err,
                           errlen);
    if (strlen(sex) > 1 || !strchr("MFX<", sex[0] ? sex[0] : '<'))
        return field_error("sex", "M, F, X or < (unspecified)", err, errlen);
    t[l->sex] = sex[0] == 'M' || sex[0] == 'F' ? sex[0] : '<';
    if (!date_ok(dob) || !date_ok(doe))
        return field_error("birth-date or expiry-date", "YYMMDD (6 digits; "
                           "'<' for an unknown part)", err, errlen);
    memcpy(t + l->dob, dob, 6);
    t[l->dob + 6] = epass_check_digit(dob, 6);
    memcpy(t + l->doe, doe, 6);
    t[l->doe + 6] = epass_check_digit(doe, 6);
    return SFC_OK;
}

sfc_err epass_mrz_build(const epass_mrz_fields *f, epass_mrz *out, char *err,
                       size_t errlen)
{
    epass_mrz_fields d = *f;
    if (!d.format)
        d.format = EPASS_TD3;
    const mrz_layout *l = layout_of(d.format);
    memset(out, 0, sizeof(*out));
    out->format = d.format;
    out->len = l->len;
    memset(out->text, '<', l->len);
    sfc_err rv = put_fixed_fields(&d, l, out->text, err, errlen);
    if (rv == SFC_OK)
        rv = put_name(&d, out->text + l->name,
                      l->name_len, err, errlen);
    if (rv == SFC_OK)
        rv = put_doc_number(l, d.format, out->text,
                            or_default(d.document_number, "L898902C"),
                            or_default(d.optional_data, d.format == EPASS_TD3
                                       ? "ZE184226B" : ""), err, errlen);
    if (rv != SFC_OK)
        return rv;
    if (d.format == EPASS_TD3) {
        bool empty = strspn(out->text + td3.opt, "<") >= 14;
        out->text[td3.opt + 14] = empty ? '<'
                                  : epass_check_digit(out->text + td3.opt, 14);
    }
    put_composite(out);
    return SFC_OK;
}

/* ---- BAC keys ------------------------------------------------------------- */

void epass_des_parity(uint8_t *key, size_t len)
{
    for (size_t i = 0; i < len; i++) {
        uint8_t b = key[i] & 0xFEu;
        unsigned ones = 0;
        for (uint8_t v = b; v; v &= (uint8_t)(v - 1))
            ones++;
        key[i] = (uint8_t)(b | ((ones & 1u) ? 0u : 1u));
    }
}

sfc_err epass_kdf(const uint8_t seed[16], uint32_t counter, uint8_t out[16])
{
    uint8_t d[20], h[20];
    memcpy(d, seed, 16);
    d[16] = (uint8_t)(counter >> 24);
    d[17] = (uint8_t)(counter >> 16);
    d[18] = (uint8_t)(counter >> 8);
    d[19] = (uint8_t)counter;
    sfc_err rv = sfc_hash(SFC_HASH_SHA1, d, sizeof(d), h);
    if (rv == SFC_OK) {
        memcpy(out, h, 16);
        epass_des_parity(out, 16);
    }
    sfc_wipe(d, sizeof(d));
    sfc_wipe(h, sizeof(h));
    return rv;
}

sfc_err epass_bac_keys(const char *mrz_info, size_t len, uint8_t kenc[16],
                      uint8_t kmac[16])
{
    uint8_t h[20];
    sfc_err rv = sfc_hash(SFC_HASH_SHA1, (const uint8_t *)mrz_info, len, h);
    if (rv == SFC_OK)
        rv = epass_kdf(h, 1, kenc);
    if (rv == SFC_OK)
        rv = epass_kdf(h, 2, kmac);
    sfc_wipe(h, sizeof(h));
    return rv;
}
