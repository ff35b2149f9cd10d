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
 * used 010D, which is DG13's, and no SFIs at all (D39).
 *
 * Every EF carries compact security attributes 8C 08 7F FF FF FF FF FF FF
 * 40: reading needs secure messaging (SC byte 40), every other access mode
 * is never allowed; the DF refuses every access mode but selection. So no
 * file is readable before BAC (6982), and the decision is sfc_access()'s,
 * as for any card: no handler here looks at the security state.
 *
 * The instruction table keeps what an eMRTD answers: SELECT, READ BINARY
 * (B0, B1), GET RESPONSE and GET CHALLENGE from the card OS, and its own
 * EXTERNAL AUTHENTICATE (BAC, epass_bac.c) and INTERNAL AUTHENTICATE
 * (Active Authentication, epass_aa.c). Everything else answers 6D00.
 *
 * Creation takes everything from parameters (docs/epass.md), so that the
 * command line and the image generator feed it alike: the MRZ whole or as
 * fields, a photo or DG2, DG3..DG16 from files, the Active Authentication
 * key and the CSCA/Document Signer. Parameters naming files or carrying
 * key material are dropped from the card's parameter list once used: what
 * they produced is in the file tree and the key store, which a card image
 * saves, and an image must load later without those files and must not
 * hold a CSCA private key in its parameters.
 */
#include "cardtypes/cards.h"

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

static const char *const epass_params[] = {
    "mrz", "mrz-format", "document-type", "issuing-state", "surname",
    "given-names", "document-number", "nationality", "birth-date", "sex",
    "expiry-date", "optional-data", "photo", "dg1", "dg2", "dg3", "dg4",
    "dg5", "dg6", "dg7", "dg8", "dg9", "dg10", "dg11", "dg12", "dg13",
    "dg14", "dg15", "dg16", "aa-algorithm", "aa-key", "pki-algorithm",
    "csca-key", "csca-cert", "ds-key", "ds-cert", "csca-cert-out",
    "lds-version", "unicode-version", NULL};

/* Parameters dropped after creation (files, key material; see above). */
static const char *const consumed_params[] = {
    "photo", "dg1", "dg2", "dg3", "dg4", "dg5", "dg6", "dg7", "dg8", "dg9",
    "dg10", "dg11", "dg12", "dg13", "dg14", "dg16", "aa-key", "csca-key",
    "csca-cert", "ds-key", "ds-cert", "csca-cert-out", NULL};

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
    vsnprintf(b->err, b->errlen, fmt, ap);
    va_end(ap);
    return rv;
}

/* ---- parameter contents ---------------------------------------------------- */

static sfc_err read_file(const char *what, const char *path, size_t max,
                        sfc_buf *out, char *err, size_t errlen)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        snprintf(err, errlen, "%s: cannot read %s: %s", what, path,
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
        snprintf(err, errlen, "%s: cannot read %s", what, path);
        return SFC_E_IO;
    }
    if (out->len > max) {
        snprintf(err, errlen, "%s: %s is larger than %zu bytes", what, path,
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
            snprintf(err, errlen, "%s: PEM text too long", what);
            return SFC_E_RANGE;
        }
        return SFC_OK;
    }
    if (!value[0]) {
        snprintf(err, errlen, "%s: empty file name", what);
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
        snprintf(b->err, b->errlen, "%s: %s must hold one BER-TLV object with "
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

static sfc_err attach_rules(sfc_file *f, const uint8_t *rules, size_t len)
{
    if (!(f->sec_attr = malloc(len)))
        return SFC_E_NOMEM;
    memcpy(f->sec_attr, rules, len);
    f->sec_attr_len = len;
    return SFC_OK;
}

static sfc_err link_file(sfc_card *card, sfc_file *parent, sfc_file *f)
{
    if (fs_link(parent, f) != SW_OK) {
        fs_free(f);
        return SFC_E_INVAL;
    }
    if (!sfc_mem_charge(card, (long)fs_footprint(f)))
        return SFC_E_RANGE; /* linked: freed with the tree */
    return SFC_OK;
}

static sfc_err add_ef(sfc_card *card, sfc_file *df, uint16_t fid, uint8_t sfi,
                     const sfc_buf *content)
{
    if (content->len > EPASS_EF_MAX)
        return SFC_E_RANGE;
    sfc_file *ef = fs_ef_binary_new(fid, content->len, sfi);
    if (!ef)
        return SFC_E_NOMEM;
    memcpy(ef->data, content->data, content->len);
    if (attach_rules(ef, ef_rules, sizeof(ef_rules)) != SFC_OK) {
        fs_free(ef);
        return SFC_E_NOMEM;
    }
    return link_file(card, df, ef);
}

static sfc_err build_files(sfc_card *card, epass_build *b)
{
    sfc_file *df = fs_df_new(EPASS_DF_FID, epass_aid, sizeof(epass_aid));
    if (!df || attach_rules(df, df_rules, sizeof(df_rules)) != SFC_OK) {
        fs_free(df);
        return SFC_E_NOMEM;
    }
    sfc_err rv = link_file(card, card->mf, df);
    if (rv == SFC_OK)
        rv = add_ef(card, df, EPASS_FID_COM, EPASS_SFI_COM, &b->com);
    for (unsigned i = 1; rv == SFC_OK && i <= EPASS_MAX_DG; i++)
        if (b->dg[i].len)
            rv = add_ef(card, df, EPASS_FID_DG(i), (uint8_t)i, &b->dg[i]);
    if (rv == SFC_OK)
        rv = add_ef(card, df, EPASS_FID_SOD, EPASS_SFI_SOD, &b->sod);
    if (rv != SFC_OK)
        snprintf(b->err, b->errlen, "the data groups do not fit the card's "
                 "memory (%zu KiB in all)", card->mem_limit / 1024);
    return rv;
}

/* ---- the card type ------------------------------------------------------- */

static void set_table(sfc_card *card)
{
    static const uint8_t kept[] = {0xA4, 0xB0, 0xB1, 0xC0, 0x84};
    sfc_ins_entry iso[256];
    memcpy(iso, card->iso, sizeof(iso));
    memset(card->iso, 0, sizeof(card->iso));
    for (size_t i = 0; i < sizeof(kept); i++)
        card->iso[kept[i]] = iso[kept[i]];
    /* E_IFD || M_IFD allow an offline search for the MRZ: not logged. */
    card->iso[0x82] = (sfc_ins_entry){epass_external_authenticate,
                                     SFC_INS_NO_CHAIN | SFC_INS_SECRET_DATA,
                                     "EXTERNAL AUTHENTICATE (BAC)"};
    card->iso[0x88] = (sfc_ins_entry){epass_internal_authenticate,
                                     SFC_INS_NO_CHAIN,
                                     "INTERNAL AUTHENTICATE (AA)"};
}

static bool is_consumed(const char *key)
{
    for (size_t i = 0; consumed_params[i]; i++)
        if (strcmp(consumed_params[i], key) == 0)
            return true;
    return false;
}

/* Drop file-name and key-material parameters from the card's own copy. */
static void forget_consumed_params(sfc_card *card)
{
    size_t kept = 0;
    for (size_t i = 0; i < card->n_params; i++) {
        sfc_param *p = &card->params[i];
        if (p->key && is_consumed(p->key)) {
            if (p->value)
                sfc_wipe((char *)p->value, strlen(p->value));
            free((char *)p->key);
            free((char *)p->value);
            continue;
        }
        card->params[kept++] = *p;
    }
    card->n_params = kept;
}

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

static sfc_err epass_init(sfc_card *card, const sfc_card_options *opts,
                         char *err, size_t errlen)
{
    sfc_err rv = sfc_params_check(opts, "ePass", epass_params, err, errlen);
    if (rv != SFC_OK)
        return rv;
    epass_build b = {.opts = opts, .err = err, .errlen = errlen};
    for (size_t i = 0; i <= EPASS_MAX_DG; i++)
        buf_init(&b.dg[i]);
    buf_init(&b.com);
    buf_init(&b.sod);
    rv = build(card, &b);
    build_free(&b);
    if (rv != SFC_OK)
        return rv;
    set_table(card);
    forget_consumed_params(card);
    return sfc_card_set_iso_atr(card, EPASS_FIRST_SFT, EPASS_SECOND_SFT);
}

const sfc_card_type sfc_type_epass = {
    "ePass",
    "ICAO 9303 electronic passport: LDS1, BAC, secure messaging, Active "
    "Authentication",
    epass_init, NULL, NULL, NULL,
};
