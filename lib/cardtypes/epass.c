/* SPDX-License-Identifier: LGPL-2.1-or-later */
/**
 * @file epass.c
 * @brief The ePass card type: an ICAO Doc 9303 electronic passport (eMRTD)
 *        with the LDS1 application, Basic Access Control, 3DES secure
 *        messaging and Active Authentication, created headless from
 *        parameters.
 *
 * File system (ICAO Doc 9303-10 §4): MF { DF 0004 named A0 00 00 02 47 10 01
 * { EF.COM 011E (SFI 1E), EF.DG1..DG16 0101..0110 (SFI 01..10) as present,
 * EF.SOD 011D (SFI 1D) } }. ICAO assigns EF.SOD 011D; the reference emulator
 * used 010D, which is DG13's, and no SFIs at all.
 *
 * Every EF carries compact security attributes 8C 08 7F FF FF FF FF FF FF
 * 40: reading needs secure messaging (SC byte 40), every other access mode
 * is never allowed; the DF refuses every access mode but selection. So no
 * file is readable before BAC (6982), and the decision is sfc_access()'s,
 * as for any card: no handler here looks at the security state.
 *
 * The card's table keeps what an eMRTD answers: SELECT, READ BINARY (B0,
 * B1), GET RESPONSE and GET CHALLENGE from the card OS. The LDS1
 * application adds its EXTERNAL AUTHENTICATE (BAC, epass_bac.c) and
 * INTERNAL AUTHENTICATE (Active Authentication, epass_aa.c), so both
 * answer 6D00 until it is selected. Everything else answers 6D00.
 *
 * create() takes everything from parameters (docs/epass.md), so that the
 * command line and the image generator feed it alike: the MRZ whole or as
 * fields, a photo or DG2, DG3..DG16 from files, the Active Authentication
 * key and the CSCA/Document Signer. None is kept after creation (none is
 * SFC_PARAM_KEEP): what they produced is in the file tree and the key
 * store, which a card image saves, so an image loads without those files,
 * holds no CSCA key, and loading it generates and signs nothing. attach()
 * binds the LDS1 application and restricts the card's table.
 */
#include "core/errtext.h"
#include "cardtypes/cardtypes.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "os/fs.h"
#include "os/iso.h"
#include "cardtypes/epass.h"
#include "core/sw.h"
#include "core/tlv.h"

#define EPASS_FIRST_SFT 0xFF  /* every DF selection method, SFI */
#define EPASS_SECOND_SFT 0x01 /* data coding byte: 1-byte units */
#define PEM_MAX (64u * 1024u)

static const uint8_t epass_aid[EPASS_AID_LEN] = {EPASS_AID_BYTES};

/* Read: secure messaging; delete, terminate, (de)activate, write, update:
 * never. */
static const uint8_t ef_rules[] = {0x8C, 0x08, 0x7F, 0xFF, 0xFF, 0xFF,
                                   0xFF, 0xFF, 0xFF, 0x40};
static const uint8_t df_rules[] = {0x8C, 0x08, 0x7F, 0xFF, 0xFF, 0xFF,
                                   0xFF, 0xFF, 0xFF, 0xFF};

static const char *const mrz_field_params[] = {
    "mrz-format", "document-type", "issuing-state", "surname", "given-names",
    "document-number", "nationality", "birth-date", "sex", "expiry-date",
    "optional-data", NULL};

uint8_t epass_dg_tag(unsigned n)
{
    static const uint8_t tags[EPASS_MAX_DG + 1] = {
        0, 0x61, 0x75, 0x63, 0x76, 0x65, 0x66, 0x67, 0x68,
        0x69, 0x6A, 0x6B, 0x6C, 0x6D, 0x6E, 0x6F, 0x70};
    return n <= EPASS_MAX_DG ? tags[n] : 0;
}

sfc_file *epass_lds_df(sfc_card *card)
{
    sfc_file *df = NULL;
    if (fs_df_names_matching(card->mf, epass_aid, sizeof(epass_aid), &df,
                             1) == 0 || df->name_len != sizeof(epass_aid))
        return NULL;
    return df;
}

/* Everything creation builds before it becomes files. */
typedef struct epass_build {
    const sfc_card_options *opts;
    epass_mrz mrz;
    sfc_buf dg[EPASS_MAX_DG + 1];
    sfc_buf com, sod;
    char *err;
    size_t errlen;
} epass_build;

static void build_free(epass_build *b)
{
    for (size_t i = 0; i <= EPASS_MAX_DG; i++)
        buf_free(&b->dg[i]);
    buf_free(&b->com);
    buf_free(&b->sod);
    sfc_wipe(&b->mrz, sizeof(b->mrz));
}

static const char *param(const epass_build *b, const char *key)
{
    return sfc_param_get(b->opts, key);
}

static sfc_err fail(epass_build *b, sfc_err rv, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static sfc_err fail(epass_build *b, sfc_err rv, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    sfc_verrf(b->err, b->errlen, fmt, ap);
    va_end(ap);
    return rv;
}

/* ---- parameter contents ---------------------------------------------------- */

static sfc_err read_file(const char *what, const char *path, size_t max,
                        sfc_buf *out, char *err, size_t errlen)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        sfc_errf(err, errlen, "%s: cannot read %s: %s", what, path,
                 strerror(errno));
        return SFC_E_IO;
    }
    uint8_t chunk[4096];
    size_t n;
    while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0 && out->len <= max)
        buf_put(out, chunk, n);
    bool bad = ferror(f) != 0;
    fclose(f);
    if (bad || out->failed) {
        sfc_errf(err, errlen, "%s: cannot read %s", what, path);
        return SFC_E_IO;
    }
    if (out->len > max) {
        sfc_errf(err, errlen, "%s: %s is larger than %zu bytes", what, path,
                 max);
        return SFC_E_RANGE;
    }
    return SFC_OK;
}

sfc_err epass_param_content(const char *what, const char *value, size_t max,
                           bool allow_inline, sfc_buf *out, char *err,
                           size_t errlen)
{
    if (allow_inline && strncmp(value, "-----BEGIN", 10) == 0) {
        if (strlen(value) > max || !buf_put(out, value, strlen(value))) {
            sfc_errf(err, errlen, "%s: PEM text too long", what);
            return SFC_E_RANGE;
        }
        return SFC_OK;
    }
    if (!value[0]) {
        sfc_errf(err, errlen, "%s: empty file name", what);
        return SFC_E_INVAL;
    }
    return read_file(what, value, max, out, err, errlen);
}

/* ---- DG1: the MRZ ----------------------------------------------------------- */

static bool any_mrz_field(const epass_build *b)
{
    for (size_t i = 0; mrz_field_params[i]; i++)
        if (param(b, mrz_field_params[i]))
            return true;
    return false;
}

static sfc_err mrz_format(const char *v, epass_td *out)
{
    if (!v || strcmp(v, "td3") == 0 || strcmp(v, "TD3") == 0)
        *out = EPASS_TD3;
    else if (strcmp(v, "td2") == 0 || strcmp(v, "TD2") == 0)
        *out = EPASS_TD2;
    else if (strcmp(v, "td1") == 0 || strcmp(v, "TD1") == 0)
        *out = EPASS_TD1;
    else
        return SFC_E_INVAL;
    return SFC_OK;
}

static sfc_err mrz_from_fields(epass_build *b)
{
    epass_mrz_fields f = {
        .document_type = param(b, "document-type"),
        .issuing_state = param(b, "issuing-state"),
        .surname = param(b, "surname"),
        .given_names = param(b, "given-names"),
        .document_number = param(b, "document-number"),
        .nationality = param(b, "nationality"),
        .birth_date = param(b, "birth-date"),
        .sex = param(b, "sex"),
        .expiry_date = param(b, "expiry-date"),
        .optional_data = param(b, "optional-data"),
    };
    if (mrz_format(param(b, "mrz-format"), &f.format) != SFC_OK)
        return fail(b, SFC_E_INVAL, "mrz-format: '%s' (give td1, td2 or td3)",
                    param(b, "mrz-format"));
    return epass_mrz_build(&f, &b->mrz, b->err, b->errlen);
}

/* DG1 from a file: one 61 object with a valid MRZ in 5F1F. */
static sfc_err dg1_from_file(epass_build *b, const char *path)
{
    sfc_err rv = epass_param_content("dg1", path, EPASS_EF_MAX, false,
                                    &b->dg[1], b->err, b->errlen);
    if (rv != SFC_OK)
        return rv;
    ber_tlv t;
    if (ber_decode(b->dg[1].data, b->dg[1].len, &t) != SFC_OK ||
        t.size != b->dg[1].len ||
        epass_dg1_mrz(b->dg[1].data, b->dg[1].len, &b->mrz) != SFC_OK)
        return fail(b, SFC_E_FORMAT, "dg1: %s is not 61 {5F1F MRZ} with one "
                    "MRZ of 88, 72 or 90 characters", path);
    char text[EPASS_MRZ_MAX + 1];
    memcpy(text, b->mrz.text, sizeof(text));
    rv = epass_mrz_parse(text, true, &b->mrz, b->err, b->errlen);
    sfc_wipe(text, sizeof(text));
    return rv;
}

static sfc_err build_dg1(epass_build *b)
{
    const char *mrz = param(b, "mrz"), *file = param(b, "dg1");
    if ((mrz != NULL) + (file != NULL) + any_mrz_field(b) > 1)
        return fail(b, SFC_E_INVAL, "%s", "give the MRZ one way: mrz, the "
                    "MRZ fields (surname, document-number, ...) or dg1");
    if (file)
        return dg1_from_file(b, file);
    sfc_err rv = mrz ? epass_mrz_parse(mrz, true, &b->mrz, b->err, b->errlen)
                    : mrz_from_fields(b);
    if (rv != SFC_OK)
        return rv;
    size_t dg = ber_begin(&b->dg[1], 0x61);
    ber_put(&b->dg[1], 0x5F1F, (const uint8_t *)b->mrz.text, b->mrz.len);
    return ber_end(&b->dg[1], dg) ? SFC_OK : SFC_E_NOMEM;
}

/* ---- DG2 to DG16 ------------------------------------------------------------ */

static sfc_err build_dg2(epass_build *b)
{
    const char *photo = param(b, "photo"), *file = param(b, "dg2");
    sfc_buf img;
    if (photo && file)
        return fail(b, SFC_E_INVAL, "%s", "give photo or dg2, not both");
    if (file)
        return SFC_OK; /* read with the other data-group files */
    buf_init(&img);
    sfc_err rv = SFC_OK;
    if (photo)
        rv = epass_param_content("photo", photo, EPASS_EF_MAX, false, &img,
                                 b->err, b->errlen);
    if (rv == SFC_OK && photo && img.len == 0)
        rv = fail(b, SFC_E_FORMAT, "photo: %s is empty", photo);
    if (rv == SFC_OK)
        rv = epass_face_dg2(photo ? img.data : NULL, img.len,
                            epass_mrz_sex(&b->mrz), &b->dg[2], b->err,
                            b->errlen);
    buf_free(&img);
    return rv;
}

/* A data group from a file: exactly one BER-TLV object with the DG's tag. */
static sfc_err dg_from_file(epass_build *b, unsigned n, const char *path)
{
    char what[8];
    snprintf(what, sizeof(what), "dg%u", n);
    sfc_err rv = epass_param_content(what, path, EPASS_EF_MAX, false,
                                    &b->dg[n], b->err, b->errlen);
    ber_tlv t;
    if (rv == SFC_OK && (ber_decode(b->dg[n].data, b->dg[n].len, &t) != SFC_OK
                        || t.size != b->dg[n].len ||
                        t.tag != epass_dg_tag(n))) {
        sfc_errf(b->err, b->errlen, "%s: %s must hold one BER-TLV object with "
                 "tag %02X (ICAO Doc 9303-10 §4.7)", what, path,
                 epass_dg_tag(n));
        rv = SFC_E_FORMAT;
    }
    return rv;
}

static sfc_err build_dg_files(epass_build *b)
{
    for (unsigned n = 2; n <= EPASS_MAX_DG; n++) {
        char key[8];
        snprintf(key, sizeof(key), "dg%u", n);
        const char *path = param(b, key);
        if (!path)
            continue;
        if (n == 15)
            return fail(b, SFC_E_INVAL, "%s", "dg15: DG15 is made from the "
                        "Active Authentication key (give aa-key instead)");
        sfc_err rv = dg_from_file(b, n, path);
        if (rv != SFC_OK)
            return rv;
    }
    return SFC_OK;
}

static sfc_err build_aa(sfc_card *card, epass_build *b)
{
    const char *key = param(b, "aa-key");
    sfc_buf pem, dg14;
    buf_init(&pem);
    buf_init(&dg14);
    sfc_err rv = key ? epass_param_content("aa-key", key, PEM_MAX, true, &pem,
                                          b->err, b->errlen)
                    : SFC_OK;
    if (rv == SFC_OK)
        rv = epass_aa_setup(card, param(b, "aa-algorithm"),
                            key ? (const char *)pem.data : NULL, pem.len,
                            &dg14, &b->dg[15], b->err, b->errlen);
    if (rv == SFC_OK && dg14.len && b->dg[14].len)
        rv = fail(b, SFC_E_INVAL, "%s", "dg14: an ECDSA Active "
                  "Authentication key needs the card's own DG14 (leave out "
                  "dg14, or use aa-algorithm rsa or none)");
    else if (rv == SFC_OK && dg14.len) {
        b->dg[14] = dg14; /* handed over */
        buf_init(&dg14);
    }
    buf_free(&pem);
    buf_free(&dg14);
    return rv;
}

/* ---- EF.COM and EF.SOD ---------------------------------------------------- */

static bool digits(const char *s, size_t n)
{
    if (strlen(s) != n)
        return false;
    for (size_t i = 0; i < n; i++)
        if (s[i] < '0' || s[i] > '9')
            return false;
    return true;
}

/* 60 {5F01 LDS version, 5F36 Unicode version, 5C tag list}. */
static sfc_err build_com(epass_build *b)
{
    const char *lds = param(b, "lds-version");
    const char *uni = param(b, "unicode-version");
    lds = lds ? lds : "0107";
    uni = uni ? uni : "040000";
    if (!digits(lds, 4))
        return fail(b, SFC_E_INVAL, "lds-version: '%s' (4 digits, e.g. 0107 "
                    "for LDS 1.7)", lds);
    if (!digits(uni, 6))
        return fail(b, SFC_E_INVAL, "unicode-version: '%s' (6 digits, e.g. "
                    "040000)", uni);
    uint8_t tags[EPASS_MAX_DG];
    size_t n = 0;
    for (unsigned i = 1; i <= EPASS_MAX_DG; i++)
        if (b->dg[i].len)
            tags[n++] = epass_dg_tag(i);
    size_t com = ber_begin(&b->com, 0x60);
    ber_put(&b->com, 0x5F01, (const uint8_t *)lds, 4);
    ber_put(&b->com, 0x5F36, (const uint8_t *)uni, 6);
    ber_put(&b->com, 0x5C, tags, n);
    return ber_end(&b->com, com) ? SFC_OK : SFC_E_NOMEM;
}

static sfc_err pem_param(epass_build *b, const char *key, sfc_buf *out)
{
    const char *v = param(b, key);
    return v ? epass_param_content(key, v, PEM_MAX, true, out, b->err,
                                   b->errlen)
             : SFC_OK;
}

static sfc_err build_sod(epass_build *b)
{
    char state[4];
    epass_dg dgs[EPASS_MAX_DG];
    size_t n = 0;
    for (unsigned i = 1; i <= EPASS_MAX_DG; i++)
        if (b->dg[i].len)
            dgs[n++] = (epass_dg){i, b->dg[i].data, b->dg[i].len};
    epass_mrz_state(&b->mrz, state);
    epass_pki_params p = {.algorithm = param(b, "pki-algorithm"),
                          .state = state,
                          .csca_cert_out = param(b, "csca-cert-out")};
    buf_init(&p.csca_key);
    buf_init(&p.csca_cert);
    buf_init(&p.ds_key);
    buf_init(&p.ds_cert);
    sfc_err rv = SFC_OK;
    if (p.algorithm && strcmp(p.algorithm, "ec") != 0 &&
        strcmp(p.algorithm, "rsa") != 0)
        rv = fail(b, SFC_E_INVAL, "pki-algorithm: '%s' (give ec or rsa)",
                  p.algorithm);
    if (rv == SFC_OK && (rv = pem_param(b, "csca-key", &p.csca_key)) == SFC_OK &&
        (rv = pem_param(b, "csca-cert", &p.csca_cert)) == SFC_OK &&
        (rv = pem_param(b, "ds-key", &p.ds_key)) == SFC_OK &&
        (rv = pem_param(b, "ds-cert", &p.ds_cert)) == SFC_OK)
        rv = epass_sod_build(dgs, n, &p, &b->sod, b->err, b->errlen);
    buf_free(&p.csca_key);
    buf_free(&p.csca_cert);
    buf_free(&p.ds_key);
    buf_free(&p.ds_cert);
    return rv;
}

/* ---- files ------------------------------------------------------------------ */

static sfc_err add_ef(sfc_card *card, sfc_file *df, uint16_t fid, uint8_t sfi,
                      const sfc_buf *content)
{
    sfc_file *ef = NULL;
    sfc_err rv = sfc_ef_add(card, df, fid, sfi, content->data, content->len,
                            &ef);
    if (rv == SFC_OK)
        rv = sfc_file_set_rules(card, ef, ef_rules, sizeof(ef_rules));
    return rv;
}

static sfc_err build_files(sfc_card *card, epass_build *b)
{
    sfc_file *df = NULL;
    sfc_err rv = sfc_df_add(card, sfc_card_mf(card), EPASS_DF_FID, epass_aid,
                            sizeof(epass_aid), &df);
    if (rv == SFC_OK)
        rv = sfc_file_set_rules(card, df, df_rules, sizeof(df_rules));
    if (rv == SFC_OK)
        rv = add_ef(card, df, EPASS_FID_COM, EPASS_SFI_COM, &b->com);
    for (unsigned i = 1; rv == SFC_OK && i <= EPASS_MAX_DG; i++)
        if (b->dg[i].len)
            rv = add_ef(card, df, EPASS_FID_DG(i), (uint8_t)i, &b->dg[i]);
    if (rv == SFC_OK)
        rv = add_ef(card, df, EPASS_FID_SOD, EPASS_SFI_SOD, &b->sod);
    if (rv != SFC_OK)
        sfc_errf(b->err, b->errlen, "the data groups do not fit the card's "
                 "memory (%zu KiB in all)", card->mem_limit / 1024);
    return rv;
}

/* ---- the card type ------------------------------------------------------- */

static sfc_err build(sfc_card *card, epass_build *b)
{
    sfc_err rv = build_dg1(b);
    if (rv == SFC_OK)
        rv = build_dg2(b);
    if (rv == SFC_OK)
        rv = build_dg_files(b);
    if (rv == SFC_OK)
        rv = build_aa(card, b);
    if (rv == SFC_OK)
        rv = build_com(b);
    if (rv == SFC_OK)
        rv = build_sod(b);
    if (rv == SFC_OK)
        rv = build_files(card, b);
    return rv;
}

/* Personalisation: the data groups, EF.COM, EF.SOD and the AA key. */
static sfc_err epass_create(sfc_card *card, const sfc_card_options *opts,
                            char *err, size_t errlen)
{
    epass_build b = {.opts = opts, .err = err, .errlen = errlen};
    for (size_t i = 0; i <= EPASS_MAX_DG; i++)
        buf_init(&b.dg[i]);
    buf_init(&b.com);
    buf_init(&b.sod);
    sfc_err rv = build(card, &b);
    build_free(&b);
    return rv;
}

/* What an eMRTD answers besides the LDS1 application's own instructions. */
static const uint8_t card_ins[] = {0xA4, 0xB0, 0xB1, 0xC0, 0x84};

/* E_IFD || M_IFD allow an offline search for the MRZ: not logged. */
static const sfc_ins_def lds_ins[] = {
    {0x82, epass_external_authenticate,
     SFC_INS_NO_CHAIN | SFC_INS_SECRET_DATA, "EXTERNAL AUTHENTICATE (BAC)"},
    {0x88, epass_internal_authenticate, SFC_INS_NO_CHAIN,
     "INTERNAL AUTHENTICATE (AA)"},
};

static const sfc_app_def lds_app = {
    .name = "LDS1 eMRTD",
    .aid = epass_aid,
    .aid_len = sizeof(epass_aid),
    .ins = lds_ins,
    .n_ins = sizeof(lds_ins) / sizeof(lds_ins[0]),
    .flags = SFC_APP_ISO_FALLBACK,
};

static sfc_err epass_attach(sfc_card *card, const sfc_card_options *opts,
                            char *err, size_t errlen)
{
    (void)opts;
    sfc_err rv = sfc_app_attach(card, &lds_app, NULL, err, errlen);
    if (rv != SFC_OK)
        return rv;
    sfc_card_keep_ins(card, card_ins, sizeof(card_ins));
    return sfc_card_set_iso_atr(card, EPASS_FIRST_SFT, EPASS_SECOND_SFT);
}

static const sfc_param_def epass_params[] = {
    {"mrz", "MRZ", "the machine readable zone, lines joined (88, 72 or 90 "
     "characters)", SFC_PARAM_SECRET},
    {"mrz-format", "td1|td2|td3", "MRZ format when built from fields "
     "(default td3)", 0},
    {"document-type", "XX", "MRZ field (default P)", 0},
    {"issuing-state", "XXX", "MRZ field (default UTO)", 0},
    {"surname", "NAME", "MRZ field", 0},
    {"given-names", "NAMES", "MRZ field", 0},
    {"document-number", "NUMBER", "MRZ field", SFC_PARAM_SECRET},
    {"nationality", "XXX", "MRZ field", 0},
    {"birth-date", "YYMMDD", "MRZ field", SFC_PARAM_SECRET},
    {"sex", "M|F|<", "MRZ field", 0},
    {"expiry-date", "YYMMDD", "MRZ field", SFC_PARAM_SECRET},
    {"optional-data", "TEXT", "MRZ field", 0},
    {"photo", "FILE", "JPEG or JPEG 2000 face image for DG2", 0},
    {"dg1", "FILE", "DG1 contents (61 {5F1F MRZ}) instead of the MRZ", 0},
    {"dg2", "FILE", "DG2 contents instead of a photo", 0},
    {"dg3", "FILE", "DG3 contents", 0},
    {"dg4", "FILE", "DG4 contents", 0},
    {"dg5", "FILE", "DG5 contents", 0},
    {"dg6", "FILE", "DG6 contents", 0},
    {"dg7", "FILE", "DG7 contents", 0},
    {"dg8", "FILE", "DG8 contents", 0},
    {"dg9", "FILE", "DG9 contents", 0},
    {"dg10", "FILE", "DG10 contents", 0},
    {"dg11", "FILE", "DG11 contents", 0},
    {"dg12", "FILE", "DG12 contents", 0},
    {"dg13", "FILE", "DG13 contents", 0},
    {"dg14", "FILE", "DG14 contents", 0},
    {"dg15", "FILE", "refused: DG15 is made from the AA key", 0},
    {"dg16", "FILE", "DG16 contents", 0},
    {"aa-algorithm", "none|rsa|ec", "Active Authentication key to generate "
     "(default ec)", 0},
    {"aa-key", "FILE", "Active Authentication private key (PEM)",
     SFC_PARAM_SECRET},
    {"pki-algorithm", "ec|rsa", "keys of a generated CSCA and Document "
     "Signer (default ec)", 0},
    {"csca-key", "FILE", "the test CSCA that signs (PEM private key)",
     SFC_PARAM_SECRET},
    {"csca-cert", "FILE", "the test CSCA's certificate (PEM)", 0},
    {"ds-key", "FILE", "the Document Signer's private key (PEM)",
     SFC_PARAM_SECRET},
    {"ds-cert", "FILE", "the Document Signer's certificate (PEM)", 0},
    {"csca-cert-out", "FILE", "write the CSCA certificate here", 0},
    {"lds-version", "NNNN", "EF.COM LDS version (default 0107)", 0},
    {"unicode-version", "NNNNNN", "EF.COM Unicode version (default 040000)",
     0},
    {NULL, NULL, NULL, 0}};

const sfc_card_type sfc_type_epass = {
    .abi = SFC_CARD_TYPE_ABI,
    .name = "ePass",
    .description = "ICAO 9303 electronic passport: LDS1, BAC, secure "
                   "messaging, Active Authentication",
    .params = epass_params,
    .create = epass_create,
    .attach = epass_attach,
};
