/* SPDX-License-Identifier: LGPL-2.1-or-later */
/**
 * @file npa_data.c
 * @brief The eID data groups DG1..DG21 (BSI TR-03127 encodings) from a
 *        vicc dataset file, with vicc's defaults (Erika Mustermann).
 *
 * Dataset format (as vicc's CardGenerator reads it): UTF-8 lines
 * `Name=Value`; `#` comments and blank lines are skipped; the value runs to
 * the end of the line, leading and trailing spaces included (only CR/LF are
 * stripped); " =" counts as "="; the value `<NotOnChip>` leaves the data
 * group out (reading it answers 6A82). `PlaceOfResidence=<NotOnChip>`
 * leaves out DG17. Names not listed below are refused, so that a typo does
 * not silently give the default.
 *
 * Encodings (TR-03127, EXPLICIT tags): DG1 61{13 DocumentType}, DG2
 * 62{13 IssuingState}, DG3 63{12 DateOfExpiry}, DG4 64{0C GivenNames},
 * DG5 65{0C FamilyNames}, DG6 66{0C ReligiousArtisticName}, DG7
 * 67{0C AcademicTitle}, DG8 68{12 DateOfBirth}, DG9 69{A1{0C
 * PlaceOfBirth}}, DG10 6A{13 Nationality}, DG11 6B{13 Sex}, DG13 6D{0C
 * BirthName}, DG17 71{30{AA{0C Street} AB{0C City} AD{13 Country} AE{13
 * ZIP}}}, DG18 72{04 CommunityID (hex)}, DG19 73{A1{0C ResidencePermit1}},
 * DG20 74{A1{0C ResidencePermit2}}. DG12, DG14..DG16 and DG21 are given
 * raw (dg12=..., as vicc) and stored as the text given.
 */
#include "cardtypes/npa.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/errtext.h"
#include "core/tlv.h"

#define NOT_ON_CHIP "<NotOnChip>"
#define VALUE_MAX 4096u

/* The dataset names and their defaults (vicc's). */
enum {
    F_DOCTYPE,
    F_STATE,
    F_EXPIRY,
    F_GIVEN,
    F_FAMILY,
    F_ARTISTIC,
    F_TITLE,
    F_BIRTH,
    F_PLACE_BIRTH,
    F_NATIONALITY,
    F_SEX,
    F_BIRTH_NAME,
    F_COUNTRY,
    F_CITY,
    F_ZIP,
    F_STREET,
    F_COMMUNITY,
    F_PERMIT1,
    F_PERMIT2,
    F_RESIDENCE,
    F_DG12,
    F_DG14,
    F_DG15,
    F_DG16,
    F_DG21,
    F_COUNT
};

static const struct {
    const char *name, *def;
} fields[F_COUNT] = {
    {"DocumentType", "ID"},
    {"IssuingState", "D"},
    {"DateOfExpiry", "20201031"},
    {"GivenNames", "ERIKA"},
    {"FamilyNames", "MUSTERMANN"},
    {"ReligiousArtisticName", ""},
    {"AcademicTitle", ""},
    {"DateOfBirth", "19640812"},
    {"PlaceOfBirth", "BERLIN"},
    {"Nationality", "DE"},
    {"Sex", "F"},
    {"BirthName", "Mein Geburtsname"},
    {"Country", "D"},
    {"City", "KOLN"},
    {"ZIP", "51147"},
    {"Street", "HEIDESTRASSE 17"},
    {"CommunityID", "02760378900276"},
    {"ResidencePermit1", "ResidencePermit1 field up to 750 characters"},
    {"ResidencePermit2", "ResidencePermit2 field up to 250 characters"},
    {"PlaceOfResidence", ""},
    {"dg12", NULL},
    {"dg14", NULL},
    {"dg15", NULL},
    {"dg16", NULL},
    {"dg21", NULL},
};

typedef struct dataset {
    char value[F_COUNT][VALUE_MAX];
    bool set[F_COUNT];
} dataset;

void npa_dgs_init(npa_dgs *d)
{
    for (size_t i = 0; i <= NPA_MAX_DG; i++)
        buf_init(&d->dg[i]);
}

void npa_dgs_free(npa_dgs *d)
{
    for (size_t i = 0; i <= NPA_MAX_DG; i++)
        buf_free(&d->dg[i]);
}

/* ---- parsing -------------------------------------------------------------- */

static int field_index(const char *name, size_t n)
{
    while (n > 0 && name[n - 1] == ' ') /* " =" counts as "=" */
        n--;
    for (int i = 0; i < F_COUNT; i++)
        if (strlen(fields[i].name) == n && memcmp(fields[i].name, name, n) == 0)
            return i;
    return -1;
}

static sfc_err parse_line(dataset *ds, const char *line, size_t n,
                          unsigned lineno, char *err, size_t errlen)
{
    const char *eq = memchr(line, '=', n);
    if (!eq) {
        sfc_errf(err, errlen, "datasetfile: line %u: no '=' (Name=Value)",
                 lineno);
        return SFC_E_FORMAT;
    }
    int f = field_index(line, (size_t)(eq - line));
    if (f < 0) {
        sfc_errf(err, errlen, "datasetfile: line %u: unknown name '%.*s'",
                 lineno, (int)(eq - line), line);
        return SFC_E_FORMAT;
    }
    size_t vlen = n - (size_t)(eq + 1 - line);
    if (vlen >= VALUE_MAX) {
        sfc_errf(err, errlen, "datasetfile: line %u: value too long", lineno);
        return SFC_E_RANGE;
    }
    memcpy(ds->value[f], eq + 1, vlen);
    ds->value[f][vlen] = '\0';
    ds->set[f] = true;
    return SFC_OK;
}

static sfc_err parse(dataset *ds, const char *text, size_t len, char *err,
                     size_t errlen)
{
    unsigned lineno = 0;
    for (size_t pos = 0; pos < len;) {
        const char *line = text + pos;
        const char *nl = memchr(line, '\n', len - pos);
        size_t n = nl ? (size_t)(nl - line) : len - pos;
        pos += n + (nl ? 1 : 0);
        lineno++;
        while (n > 0 && (line[n - 1] == '\r'))
            n--;
        size_t skip = 0;
        while (skip < n && (line[skip] == ' ' || line[skip] == '\t'))
            skip++;
        if (skip == n || line[skip] == '#')
            continue;
        sfc_err rv = parse_line(ds, line, n, lineno, err, errlen);
        if (rv != SFC_OK)
            return rv;
    }
    return SFC_OK;
}

/* ---- encoding ------------------------------------------------------------- */

static const char *val(const dataset *ds, int f)
{
    if (ds->set[f])
        return ds->value[f];
    return fields[f].def;
}

static bool absent(const dataset *ds, int f)
{
    const char *v = val(ds, f);
    return !v || strcmp(v, NOT_ON_CHIP) == 0;
}

/* tag { inner-tag value } */
static bool put_simple(sfc_buf *b, uint32_t tag, uint32_t inner, const char *v)
{
    size_t m = ber_begin(b, tag);
    ber_put(b, inner, (const uint8_t *)v, strlen(v));
    return ber_end(b, m);
}

/* tag { A1 { 0C value } } (GeneralPlace / free text) */
static bool put_freetext(sfc_buf *b, uint32_t tag, const char *v)
{
    size_t m = ber_begin(b, tag);
    size_t a = ber_begin(b, 0xA1);
    ber_put(b, 0x0C, (const uint8_t *)v, strlen(v));
    return ber_end(b, a) && ber_end(b, m);
}

static bool put_residence(sfc_buf *b, const dataset *ds)
{
    size_t m = ber_begin(b, 0x71);
    size_t s = ber_begin(b, 0x30);
    static const struct {
        int f;
        uint32_t tag, inner;
    } parts[] = {{F_STREET, 0xAA, 0x0C},
                 {F_CITY, 0xAB, 0x0C},
                 {F_COUNTRY, 0xAD, 0x13},
                 {F_ZIP, 0xAE, 0x13}};
    for (size_t i = 0; i < sizeof(parts) / sizeof(parts[0]); i++)
        if (!absent(ds, parts[i].f) && val(ds, parts[i].f)[0])
            put_simple(b, parts[i].tag, parts[i].inner, val(ds, parts[i].f));
    return ber_end(b, s) && ber_end(b, m);
}

static sfc_err put_community(sfc_buf *b, const char *hex, char *err,
                             size_t errlen)
{
    uint8_t bin[64];
    size_t n = strlen(hex);
    if (n == 0 || n % 2 || n / 2 > sizeof(bin)) {
        sfc_errf(err, errlen,
                 "datasetfile: CommunityID '%s' is not an even "
                 "number of hex digits",
                 hex);
        return SFC_E_FORMAT;
    }
    size_t got = 0; /* digits only: hex_decode would also take separators */
    if (strspn(hex, "0123456789abcdefABCDEF") != n ||
        hex_decode(hex, bin, sizeof(bin), &got) != SFC_OK) {
        sfc_errf(err, errlen, "datasetfile: CommunityID '%s' is not hex",
                 hex);
        return SFC_E_FORMAT;
    }
    size_t m = ber_begin(b, 0x72);
    ber_put(b, 0x04, bin, n / 2);
    return ber_end(b, m) ? SFC_OK : SFC_E_NOMEM;
}

static void put_raw(sfc_buf *b, const char *v)
{
    buf_put(b, v, strlen(v));
}

/* DG number, dataset field, outer tag, inner tag (0: free text). */
static const struct {
    unsigned dg;
    int f;
    uint32_t tag, inner;
} simple_dgs[] = {
    {1, F_DOCTYPE, 0x61, 0x13},  {2, F_STATE, 0x62, 0x13},
    {3, F_EXPIRY, 0x63, 0x12},   {4, F_GIVEN, 0x64, 0x0C},
    {5, F_FAMILY, 0x65, 0x0C},   {6, F_ARTISTIC, 0x66, 0x0C},
    {7, F_TITLE, 0x67, 0x0C},    {8, F_BIRTH, 0x68, 0x12},
    {9, F_PLACE_BIRTH, 0x69, 0}, {10, F_NATIONALITY, 0x6A, 0x13},
    {11, F_SEX, 0x6B, 0x13},     {13, F_BIRTH_NAME, 0x6D, 0x0C},
    {19, F_PERMIT1, 0x73, 0},    {20, F_PERMIT2, 0x74, 0},
};

static sfc_err encode(const dataset *ds, npa_dgs *out, char *err, size_t errlen)
{
    for (size_t i = 0; i < sizeof(simple_dgs) / sizeof(simple_dgs[0]); i++) {
        if (absent(ds, simple_dgs[i].f))
            continue;
        sfc_buf *b = &out->dg[simple_dgs[i].dg];
        const char *v = val(ds, simple_dgs[i].f);
        if (simple_dgs[i].inner)
            put_simple(b, simple_dgs[i].tag, simple_dgs[i].inner, v);
        else
            put_freetext(b, simple_dgs[i].tag, v);
    }
    if (!absent(ds, F_RESIDENCE))
        put_residence(&out->dg[17], ds);
    if (!absent(ds, F_COMMUNITY)) {
        sfc_err rv =
            put_community(&out->dg[18], val(ds, F_COMMUNITY), err, errlen);
        if (rv != SFC_OK)
            return rv;
    }
    static const struct {
        unsigned dg;
        int f;
    } raw[] = {
        {12, F_DG12}, {14, F_DG14}, {15, F_DG15}, {16, F_DG16}, {21, F_DG21}};
    for (size_t i = 0; i < sizeof(raw) / sizeof(raw[0]); i++)
        if (!absent(ds, raw[i].f))
            put_raw(&out->dg[raw[i].dg], val(ds, raw[i].f));
    for (size_t i = 1; i <= NPA_MAX_DG; i++)
        if (out->dg[i].failed)
            return SFC_E_NOMEM;
    return SFC_OK;
}

sfc_err npa_dgs_build(const char *text, size_t len, npa_dgs *out, char *err,
                      size_t errlen)
{
    dataset *ds = calloc(1, sizeof(*ds));
    if (!ds)
        return SFC_E_NOMEM;
    sfc_err rv = text ? parse(ds, text, len, err, errlen) : SFC_OK;
    if (rv == SFC_OK)
        rv = encode(ds, out, err, errlen);
    free(ds);
    return rv;
}
