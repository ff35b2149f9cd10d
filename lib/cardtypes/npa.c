/* SPDX-License-Identifier: LGPL-2.1-or-later */
/**
 * @file npa.c
 * @brief The nPA card type: the German eID card (neuer Personalausweis)
 *        with vicc's file system, defaults and options, PACE on OpenPACE
 *        and access control on every file.
 *
 * File system (BSI TR-03110-3, TR-03127; vicc's FIDs):
 *   MF
 *   ├─ EF.CardAccess 011C (SFI 1C)      read always
 *   ├─ EF.CardSecurity 011D (SFI 1D)    read under secure messaging (PACE)
 *   ├─ EF.ChipSecurity 011B (SFI 1B)    needs Terminal Authentication (not
 *   │                                   implemented: never readable yet)
 *   ├─ EF.DIR 2F00 (SFI 1E)             read always; the 94 bytes OpenSC's
 *   │                                   npa driver compares byte for byte
 *   ├─ internal EF 0F01                 the MRZ for PACE, no access at all
 *   ├─ DF.eID FFFC (vicc: FFFF, RFU in ISO), E8 07 04 00 7F 00 07 03 02: DG1..DG21 0101..0115
 *   │    (SFI 01..15) as present; reading DGn needs the CHAT's read right
 *   │    for DGn, writing DG17..DG21 its write right (granted by Terminal
 *   │    Authentication, npa_eac.c), both under secure messaging
 *   ├─ DF.CIA FFFE, E8 28 BD 08 0F A0 00 00 01 67 45 53 49 47 4E:
 *   │    EF.CIAInfo 5032 (SFI 12), read always
 *   └─ DF.eSign FFFD, A0 00 00 01 67 45 53 49 47 4E: EF C000 (CA
 *        certificate) and C001 (holder certificate), given or made by a
 *        test eSign CA at personalisation, read under secure messaging;
 *        the QES PIN 81 (npa_esign.c)
 * Every EF refuses every write except the DG17..DG21 rule above.
 *
 * Passwords (vicc's): MRZ of Erika Mustermann (TD1), CAN 222222, eID PIN
 * 111111 (3 tries), PUK 3333333333 (10 uses). The PIN and CAN are card-wide
 * entries of the PIN store (references 03 and 02), the PUK is the PIN's
 * resetting code, the MRZ lives in the internal EF; so a card image keeps
 * values and counters. VERIFY, CHANGE REFERENCE DATA and the card OS's
 * RESET RETRY COUNTER are replaced (npa_pace.c), so that no password can be
 * presented outside PACE.
 *
 * Options (vicc's): --ef-cardaccess and --ef-cardsecurity replace the
 * built-in files (npa_pki.c); --ca-key gives the chip's CA private key in
 * vicc's raw form; --cvca must be a CV certificate and is kept in the
 * internal EF 0F02 for Terminal Authentication; --disable-ta-checks is
 * recorded there too; -d/--datasetfile gives the data groups
 * (npa_data.c); --esign-cert and --esign-ca-cert fill DF.eSign.
 */
#include "cardtypes/cardtypes.h"
#include "cardtypes/npa.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/errtext.h"
#include "core/tlv.h"
#include "core/sw.h"
#include "os/fs.h"
#include "os/iso.h"

#define NPA_FID_TA_ANCHOR 0x0F02u
#define NPA_FID_CIAINFO 0x5032u
#define NPA_SFI_CIAINFO 0x12u
#define NPA_FID_ESIGN_CA 0xC000u
#define NPA_FID_ESIGN_CERT 0xC001u
#define FILE_MAX (64u * 1024u)

#define DEFAULT_MRZ                  \
    "IDD<<T220001293<<<<<<<<<<<<<<<" \
    "6408125<2010315D<<<<<<<<<<<<<4" \
    "MUSTERMANN<<ERIKA<<<<<<<<<<<<<"
#define DEFAULT_CAN "222222"
#define DEFAULT_PIN "111111"
#define DEFAULT_PUK "3333333333"
#define DEFAULT_QES_PIN "123456"

static const uint8_t aid_eid[] = {NPA_AID_EID_BYTES};
static const uint8_t aid_esign[] = {NPA_AID_ESIGN_BYTES};
static const uint8_t aid_cia[] = {NPA_AID_CIA_BYTES};

/* OpenSC card-npa.c dir_content_ref: CIA, eSign, ePass, eID, eSign. */
static const uint8_t ef_dir[] = {
    0x61, 0x32, 0x4F, 0x0F, 0xE8, 0x28, 0xBD, 0x08, 0x0F, 0xA0, 0x00, 0x00,
    0x01, 0x67, 0x45, 0x53, 0x49, 0x47, 0x4E, 0x50, 0x0F, 0x43, 0x49, 0x41,
    0x20, 0x7A, 0x75, 0x20, 0x44, 0x46, 0x2E, 0x65, 0x53, 0x69, 0x67, 0x6E,
    0x51, 0x00, 0x73, 0x0C, 0x4F, 0x0A, 0xA0, 0x00, 0x00, 0x01, 0x67, 0x45,
    0x53, 0x49, 0x47, 0x4E, 0x61, 0x09, 0x4F, 0x07, 0xA0, 0x00, 0x00, 0x02,
    0x47, 0x10, 0x01, 0x61, 0x0B, 0x4F, 0x09, 0xE8, 0x07, 0x04, 0x00, 0x7F,
    0x00, 0x07, 0x03, 0x02, 0x61, 0x0C, 0x4F, 0x0A, 0xA0, 0x00, 0x00, 0x01,
    0x67, 0x45, 0x53, 0x49, 0x47, 0x4E,
};

/* CIAInfo (ISO/IEC 7816-15): version 1, label "eSign Application". */
static const uint8_t cia_info[] = {0x30, 0x16, 0x02, 0x01, 0x01, 0x80,
                                   0x11, 'e',  'S',  'i',  'g',  'n',
                                   ' ',  'A',  'p',  'p',  'l',  'i',
                                   'c',  'a',  't',  'i',  'o',  'n'};

/* 8C rules: AM 7F, SC for delete .. read (b7 .. b1). */
#define RULES(read)                                                \
    {                                                              \
        0x8C, 0x08, 0x7F, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, read \
    }
static const uint8_t rules_public[] = RULES(0x00);
static const uint8_t rules_sm[] = RULES(0x40);
static const uint8_t rules_never[] = RULES(0xFF);
static const uint8_t rules_df[] = {0x8C, 0x08, 0x7F, 0xFF, 0xFF,
                                   0xFF, 0xFF, 0xFF, 0xFF, 0xFF};

/* ---- parameters -------------------------------------------------------------- */

static sfc_err read_param_file(const sfc_card_options *opts, const char *key,
                               sfc_buf *out, char *err, size_t errlen)
{
    const char *path = sfc_param_get(opts, key);
    if (!path)
        return SFC_OK;
    FILE *f = path[0] ? fopen(path, "rb") : NULL;
    if (!f) {
        sfc_errf(err, errlen, "%s: cannot read '%s': %s", key, path,
                 strerror(errno));
        return SFC_E_IO;
    }
    uint8_t chunk[4096];
    size_t n;
    while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0 && out->len <= FILE_MAX)
        buf_put(out, chunk, n);
    bool bad = ferror(f) != 0 || out->failed;
    fclose(f);
    if (bad || out->len > FILE_MAX || out->len == 0) {
        sfc_errf(err, errlen,
                 "%s: '%s' is empty, unreadable or larger than "
                 "%u bytes",
                 key, path, FILE_MAX);
        return SFC_E_FORMAT;
    }
    return SFC_OK;
}

/* ---- what create() builds ------------------------------------------------------ */

/* The files the options name, in the order of in_keys. */
enum {
    IN_CARDACCESS,
    IN_CARDSECURITY,
    IN_CA_KEY,
    IN_CVCA,
    IN_DATASET,
    IN_ESIGN_CERT,
    IN_ESIGN_CA,
    IN_ESIGN_KEY,
    IN_COUNT
};
static const char *const in_keys[IN_COUNT] = {
    "ef-cardaccess", "ef-cardsecurity", "ca-key",        "cvca",
    "datasetfile",   "esign-cert",      "esign-ca-cert", "esign-key"};

typedef struct npa_build {
    const sfc_card_options *opts;
    npa_dgs dgs;
    sfc_buf in[IN_COUNT];
    char *err;
    size_t errlen;
} npa_build;

static const char *param_or(const npa_build *b, const char *key,
                            const char *def)
{
    const char *v = sfc_param_get(b->opts, key);
    return v ? v : def;
}

static void build_free(npa_build *b)
{
    for (size_t i = 0; i < IN_COUNT; i++)
        buf_free(&b->in[i]);
    npa_dgs_free(&b->dgs);
}

static sfc_err read_inputs(npa_build *b)
{
    for (size_t i = 0; i < IN_COUNT; i++) {
        sfc_err rv =
            read_param_file(b->opts, in_keys[i], &b->in[i], b->err, b->errlen);
        if (rv != SFC_OK)
            return rv;
    }
    return SFC_OK;
}

/* A CV certificate: one 7F21 object. OpenPACE parses it at Terminal
 * Authentication (it cannot parse every CVCA at creation: vicc's DH example
 * CVCA has a public key OpenPACE's parser refuses on its own). */
static sfc_err check_cvca(npa_build *b)
{
    ber_tlv t;
    if (!b->in[IN_CVCA].len)
        return SFC_OK;
    if (ber_decode(b->in[IN_CVCA].data, b->in[IN_CVCA].len, &t) != SFC_OK ||
        t.tag != 0x7F21 || t.size != b->in[IN_CVCA].len ||
        ber_validate(t.value, t.len, false, 4) != SFC_OK) {
        sfc_errf(b->err, b->errlen,
                 "cvca: not a CV certificate (BSI "
                 "TR-03110-3 C.1)");
        return SFC_E_FORMAT;
    }
    return SFC_OK;
}

/* --terminal-dir: a test PKI whose CVCA becomes the trust anchor. */
static sfc_err terminal_pki(npa_build *b)
{
    const char *dir = sfc_param_get(b->opts, "terminal-dir");
    if (!dir)
        return SFC_OK;
    if (b->in[IN_CVCA].len || !dir[0]) {
        sfc_errf(b->err, b->errlen, "terminal-dir: %s",
                 dir[0] ? "makes the CVCA; do not give "
                          "--cvca too"
                        : "empty directory name");
        return SFC_E_INVAL;
    }
    return npa_terminal_pki(dir, &b->in[IN_CVCA], b->err, b->errlen);
}

/* --pace-mapping (gm, the default, im or cam) and --pace-dh-first. */
static sfc_err pace_offer(npa_build *b, npa_pace_offer *offer)
{
    const char *m = sfc_param_get(b->opts, "pace-mapping");
    bool dh_first = sfc_param_get(b->opts, "pace-dh-first") != NULL;
    *offer = dh_first ? NPA_OFFER_GM_DH_FIRST : NPA_OFFER_GM;
    if (!m || strcmp(m, "gm") == 0)
        return SFC_OK;
    if (strcmp(m, "im") == 0 && !dh_first) {
        *offer = NPA_OFFER_DH_IM;
        return SFC_OK;
    }
    if (strcmp(m, "cam") == 0 && !dh_first) {
        *offer = NPA_OFFER_ECDH_CAM;
        return SFC_OK;
    }
    sfc_errf(b->err, b->errlen, "pace-mapping: %s",
             dh_first ? "--pace-dh-first is for gm" : "gm, im or cam");
    return SFC_E_INVAL;
}

static sfc_err build_security(sfc_card *card, npa_build *b)
{
    npa_pace_offer offer;
    sfc_err rv = pace_offer(b, &offer);
    if (rv != SFC_OK)
        return rv;
    if (!b->in[IN_CARDACCESS].len)
        npa_default_cardaccess(&b->in[IN_CARDACCESS], offer);
    if (b->in[IN_CARDACCESS].failed)
        return SFC_E_NOMEM;
    ber_tlv t;
    if (ber_decode(b->in[IN_CARDACCESS].data, b->in[IN_CARDACCESS].len, &t) !=
            SFC_OK ||
        t.tag != 0x31) {
        sfc_errf(b->err, b->errlen,
                 "ef-cardaccess: not a SET of "
                 "SecurityInfos");
        return SFC_E_FORMAT;
    }
    bool given = b->in[IN_CARDSECURITY].len != 0;
    return npa_pki_build(card, &b->in[IN_CARDACCESS], &b->in[IN_CA_KEY],
                         given ? NULL : &b->in[IN_CARDSECURITY], NULL, b->err,
                         b->errlen);
}

/* ---- files ---------------------------------------------------------------------- */

static sfc_err add_ef(sfc_card *card, sfc_file *df, uint16_t fid, uint8_t sfi,
                      const void *data, size_t len, const uint8_t *rules)
{
    sfc_file *ef = NULL;
    sfc_err rv = sfc_ef_add(card, df, fid, sfi, data, len, &ef);
    if (rv == SFC_OK)
        rv = sfc_file_set_rules(card, ef, rules, sizeof(rules_public));
    return rv;
}

static sfc_err add_df(sfc_card *card, uint16_t fid, const uint8_t *aid,
                      size_t aid_len, sfc_file **df)
{
    sfc_err rv = sfc_df_add(card, sfc_card_mf(card), fid, aid, aid_len, df);
    if (rv == SFC_OK)
        rv = sfc_file_set_rules(card, *df, rules_df, sizeof(rules_df));
    return rv;
}

/* The internal EF 0F02: 01 {1 byte: TA checks disabled} || the CVCA. */
static sfc_err add_ta_anchor(sfc_card *card, npa_build *b)
{
    sfc_buf v;
    buf_init(&v);
    buf_put_u8(&v, sfc_param_get(b->opts, "disable-ta-checks") ? 1 : 0);
    buf_put(&v, b->in[IN_CVCA].data, b->in[IN_CVCA].len);
    sfc_err rv = v.failed ? SFC_E_NOMEM
                          : add_ef(card, sfc_card_mf(card), NPA_FID_TA_ANCHOR,
                                   0, v.data, v.len, rules_never);
    buf_free(&v);
    return rv;
}

static sfc_err mf_files(sfc_card *card, npa_build *b)
{
    sfc_file *mf = sfc_card_mf(card);
    const char *mrz = param_or(b, "mrz", DEFAULT_MRZ);
    sfc_err rv = add_ef(card, mf, NPA_FID_CARDACCESS, NPA_SFI_CARDACCESS,
                        b->in[IN_CARDACCESS].data, b->in[IN_CARDACCESS].len,
                        rules_public);
    if (rv == SFC_OK)
        rv = add_ef(card, mf, NPA_FID_CARDSECURITY, NPA_SFI_CARDSECURITY,
                    b->in[IN_CARDSECURITY].data, b->in[IN_CARDSECURITY].len,
                    rules_sm);
    if (rv == SFC_OK)
        rv = add_ef(card, mf, NPA_FID_CHIPSECURITY, NPA_SFI_CHIPSECURITY,
                    b->in[IN_CARDSECURITY].data, b->in[IN_CARDSECURITY].len,
                    rules_never);
    if (rv == SFC_OK)
        rv = add_ef(card, mf, NPA_FID_DIR, NPA_SFI_DIR, ef_dir, sizeof(ef_dir),
                    rules_public);
    if (rv == SFC_OK)
        rv = add_ef(card, mf, NPA_FID_MRZ, 0, mrz, strlen(mrz), rules_never);
    if (rv == SFC_OK)
        rv = add_ta_anchor(card, b);
    if (rv == SFC_OK && b->in[IN_CA_KEY].len)
        rv = add_ef(card, mf, NPA_FID_CA_RAW, 0, b->in[IN_CA_KEY].data,
                    b->in[IN_CA_KEY].len, rules_never);
    return rv;
}

static sfc_err app_files(sfc_card *card, npa_build *b)
{
    sfc_file *eid = NULL, *cia = NULL, *esign = NULL;
    sfc_err rv = add_df(card, NPA_FID_EID, aid_eid, sizeof(aid_eid), &eid);
    for (unsigned i = 1; rv == SFC_OK && i <= NPA_MAX_DG; i++)
        if (b->dgs.dg[i].len)
            rv = add_ef(card, eid, NPA_FID_DG(i), (uint8_t)i, b->dgs.dg[i].data,
                        b->dgs.dg[i].len, rules_never);
    if (rv == SFC_OK)
        rv = add_df(card, NPA_FID_CIA, aid_cia, sizeof(aid_cia), &cia);
    if (rv == SFC_OK)
        rv = add_ef(card, cia, NPA_FID_CIAINFO, NPA_SFI_CIAINFO, cia_info,
                    sizeof(cia_info), rules_public);
    if (rv == SFC_OK)
        rv = add_df(card, NPA_FID_ESIGN, aid_esign, sizeof(aid_esign), &esign);
    if (rv == SFC_OK)
        rv = add_ef(card, esign, NPA_FID_ESIGN_CA, 0, b->in[IN_ESIGN_CA].data,
                    b->in[IN_ESIGN_CA].len, rules_sm);
    if (rv == SFC_OK)
        rv = add_ef(card, esign, NPA_FID_ESIGN_CERT, 0,
                    b->in[IN_ESIGN_CERT].data, b->in[IN_ESIGN_CERT].len,
                    rules_sm);
    return rv;
}

/* `v` has min..max characters, each from `set`. */
static sfc_err check_chars(npa_build *b, const char *key, const char *v,
                           size_t min, size_t max, const char *set)
{
    size_t n = strlen(v);
    if (n >= min && n <= max && strspn(v, set) == n)
        return SFC_OK;
    sfc_errf(b->err, b->errlen, "%s: %zu to %zu characters of [%s] expected",
             key, min, max, set);
    return SFC_E_INVAL;
}

#define DIGITS "0123456789"
#define MRZ_CHARS "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789<"

static sfc_err check_passwords(npa_build *b)
{
    sfc_err rv =
        check_chars(b, "pin", param_or(b, "pin", DEFAULT_PIN), 5, 6, DIGITS);
    if (rv == SFC_OK)
        rv = check_chars(b, "can", param_or(b, "can", DEFAULT_CAN), 6, 6,
                         DIGITS);
    if (rv == SFC_OK)
        rv = check_chars(b, "puk", param_or(b, "puk", DEFAULT_PUK), 10, 10,
                         DIGITS);
    if (rv == SFC_OK)
        rv = check_chars(b, "mrz", param_or(b, "mrz", DEFAULT_MRZ), 90, 90,
                         MRZ_CHARS);
    if (rv == SFC_OK)
        rv = check_chars(b, "esign-pin",
                         param_or(b, "esign-pin", DEFAULT_QES_PIN), 6, 8,
                         DIGITS);
    return rv;
}

static sfc_err passwords(sfc_card *card, npa_build *b)
{
    const sfc_pin_spec pin = {.ref = NPA_PWD_PIN,
                              .value = param_or(b, "pin", DEFAULT_PIN),
                              .min_len = 5,
                              .max_len = 6,
                              .tries = NPA_PIN_TRIES,
                              .puk = param_or(b, "puk", DEFAULT_PUK),
                              .puk_tries = NPA_PUK_USES};
    const sfc_pin_spec can = {.ref = NPA_PWD_CAN,
                              .value = param_or(b, "can", DEFAULT_CAN),
                              .min_len = 6,
                              .max_len = 6,
                              .tries = 15};
    const sfc_pin_spec qes = {.ref = NPA_PWD_QES,
                              .value =
                                  param_or(b, "esign-pin", DEFAULT_QES_PIN),
                              .min_len = 6,
                              .max_len = 8,
                              .tries = NPA_QES_TRIES};
    sfc_err rv = sfc_pin_add(card, NULL, &pin, b->err, b->errlen);
    if (rv == SFC_OK)
        rv = sfc_pin_add(card, NULL, &can, b->err, b->errlen);
    if (rv == SFC_OK)
        rv = sfc_pin_add(card, &npa_esign_app, &qes, b->err, b->errlen);
    return rv;
}

static sfc_err build(sfc_card *card, npa_build *b)
{
    sfc_err rv = check_passwords(b);
    if (rv == SFC_OK)
        rv = read_inputs(b);
    if (rv == SFC_OK)
        rv = terminal_pki(b);
    if (rv == SFC_OK)
        rv = check_cvca(b);
    if (rv == SFC_OK)
        rv = npa_dgs_build(b->in[IN_DATASET].len
                               ? (const char *)b->in[IN_DATASET].data
                               : NULL,
                           b->in[IN_DATASET].len, &b->dgs, b->err, b->errlen);
    if (rv == SFC_OK)
        rv = build_security(card, b);
    if (rv == SFC_OK)
        rv = npa_esign_build(card, &b->in[IN_ESIGN_KEY], &b->in[IN_ESIGN_CERT],
                             &b->in[IN_ESIGN_CA], b->err, b->errlen);
    if (rv == SFC_OK && (rv = mf_files(card, b)) == SFC_OK &&
        (rv = app_files(card, b)) != SFC_OK)
        sfc_errf(b->err, b->errlen,
                 "the nPA's files do not fit the card's "
                 "memory");
    if (rv == SFC_OK)
        rv = passwords(card, b);
    if (rv == SFC_OK && !npa_ta_state(card)) /* the card's date: today */
        rv = SFC_E_RANGE;
    return rv;
}

static sfc_err npa_create(sfc_card *card, const sfc_card_options *opts,
                          char *err, size_t errlen)
{
    npa_build b = {.opts = opts, .err = err, .errlen = errlen};
    for (size_t i = 0; i < IN_COUNT; i++)
        buf_init(&b.in[i]);
    npa_dgs_init(&b.dgs);
    sfc_err rv = build(card, &b);
    build_free(&b);
    return rv;
}

bool npa_mrz(sfc_card *card, char out[NPA_MRZ_MAX + 1])
{
    sfc_file *ef = sfc_file_child(sfc_card_mf(card), NPA_FID_MRZ);
    size_t len = 0;
    const uint8_t *d =
        ef && sfc_file_is_transparent(ef) ? sfc_file_data(ef, &len) : NULL;
    if (!d || len == 0 || len > NPA_MRZ_MAX)
        return false;
    memcpy(out, d, len);
    out[len] = '\0';
    return true;
}

/* ---- applications ------------------------------------------------------------- */

/* DGn needs the read right for n (and secure messaging), DG17..DG21 the
 * write right to be updated; nothing else is allowed in DF.eID. */
static uint16_t eid_access(const sfc_card *card, const sfc_app *app,
                           const sfc_file *file, sfc_access_op op)
{
    unsigned dg =
        file->fid > 0x0100u && file->fid <= 0x0115u ? file->fid - 0x0100u : 0;
    if (!dg || !card->sec.cmd_secured)
        return SFC_SW_SECURITY_STATUS;
    (void)app; /* TA grants card-wide rights, lost when SM ends */
    if (op == SFC_AC_READ && sfc_right_has(card, NULL, NPA_RIGHT_READ_DG(dg)))
        return SFC_SW_OK;
    if (op == SFC_AC_UPDATE && dg >= 17 &&
        sfc_right_has(card, NULL, NPA_RIGHT_WRITE_DG(dg)))
        return SFC_SW_OK;
    return SFC_SW_SECURITY_STATUS;
}

static const sfc_app_def eid_app = {
    .name = "nPA eID",
    .aid = aid_eid,
    .aid_len = sizeof(aid_eid),
    .flags = SFC_APP_ISO_FALLBACK,
    .access = eid_access,
};

const sfc_app_def npa_esign_app = {
    .name = "nPA eSign",
    .aid = aid_esign,
    .aid_len = sizeof(aid_esign),
    .flags = SFC_APP_ISO_FALLBACK,
};

static const sfc_app_def cia_app = {
    .name = "nPA CIA",
    .aid = aid_cia,
    .aid_len = sizeof(aid_cia),
    .flags = SFC_APP_ISO_FALLBACK,
};

/* What an nPA answers from the card OS's table. */
static const uint8_t card_ins[] = {0xA4, 0xB0, 0xB1, 0xC0, 0xD6};

static const sfc_ins_def npa_ins[] = {
    /* npa-tool writes DG17..DG21 with WRITE BINARY: it replaces bytes here,
     * as UPDATE BINARY does (vicc's data coding 00) */
    {0xD0, iso_update_binary, SFC_INS_MUTATES, "WRITE BINARY"},
    {0x22, npa_mse, SFC_INS_NO_CHAIN, "MANAGE SECURITY ENVIRONMENT"},
    {0x86, npa_general_authenticate, SFC_INS_CHAIN_RAW | SFC_INS_MUTATES,
     "GENERAL AUTHENTICATE"},
    {0x2C, npa_reset_retry_counter,
     SFC_INS_NO_CHAIN | SFC_INS_SECRET_DATA | SFC_INS_MUTATES,
     "RESET RETRY COUNTER"},
    {0x20, npa_verify, SFC_INS_NO_CHAIN | SFC_INS_SECRET_DATA,
     "VERIFY (QES PIN)"},
    {0x20, npa_verify_aux, SFC_INS_NO_CHAIN | SFC_INS_PROPRIETARY,
     "VERIFY (auxiliary data)"},
    {0x2A, npa_verify_certificate, 0, "PERFORM SECURITY OPERATION"},
    {0x84, npa_get_challenge, SFC_INS_NO_CHAIN, "GET CHALLENGE"},
    {0x82, npa_external_authenticate, SFC_INS_NO_CHAIN,
     "EXTERNAL AUTHENTICATE"},
};

/* vicc's nPA ATR: T=0 and T=1, historical bytes with extended length. */
static const uint8_t npa_atr[] = {0x3B, 0x8A, 0x80, 0x01, 0x80,
                                  0x31, 0xF8, 0x73, 0xF7, 0x41,
                                  0xE0, 0x82, 0x90, 0x00, 0x75};

static sfc_err npa_attach(sfc_card *card, const sfc_card_options *opts,
                          char *err, size_t errlen)
{
    (void)opts;
    const sfc_app_def *apps[] = {&eid_app, &npa_esign_app, &cia_app};
    for (size_t i = 0; i < sizeof(apps) / sizeof(apps[0]); i++) {
        sfc_err rv = sfc_app_attach(card, apps[i], NULL, err, errlen);
        if (rv != SFC_OK)
            return rv;
    }
    sfc_card_keep_ins(card, card_ins, sizeof(card_ins));
    for (size_t i = 0; i < sizeof(npa_ins) / sizeof(npa_ins[0]); i++)
        sfc_card_set_ins(card, &npa_ins[i]);
    sfc_card_code_prop_cla_as_iso(card); /* 8C: VERIFY under SM */
    card->extended_length = true;
    return sfc_card_set_atr(card, npa_atr, sizeof(npa_atr));
}

static void npa_detach(sfc_card *card)
{
    npa_session_free(card);
}

static void npa_on_power(sfc_card *card, sfc_power_event ev)
{
    (void)ev;
    npa_session_free(card);
}

static const sfc_param_def npa_params[] = {
    {"datasetfile", "FILE", "the eID data groups, Name=Value lines", 0},
    {"ef-cardaccess", "FILE", "EF.CardAccess contents", 0},
    {"ef-cardsecurity", "FILE", "EF.CardSecurity contents", 0},
    {"cvca", "FILE", "the trust anchor for Terminal Authentication", 0},
    {"disable-ta-checks", "", "skip the checks of Terminal Authentication", 0},
    {"pace-dh-first", "",
     "list PACE over DH first in the built-in EF.CardAccess", 0},
    {"pace-mapping", "MAPPING",
     "the PACE mapping the built-in EF.CardAccess offers: gm (Generic, ECDH "
     "and DH; default), im (Integrated, DH) or cam (Chip Authentication "
     "Mapping, ECDH)",
     0},
    {"terminal-dir", "DIR",
     "write a test terminal PKI (CVCA as trust anchor, DV, terminal) and "
     "npa-tool's options into DIR",
     0},
    {"ca-key", "FILE", "the Chip Authentication private key", SFC_PARAM_SECRET},
    {"esign-cert", "FILE", "the eSign certificate", 0},
    {"esign-ca-cert", "FILE", "the eSign CA certificate", 0},
    {"esign-key", "FILE", "the eSign EC private key (PEM or DER)",
     SFC_PARAM_SECRET},
    {"esign-pin", "PIN", "the nPA's QES PIN (6 to 8 digits, default 123456)",
     SFC_PARAM_SECRET},
    {"mrz", "MRZ", "the nPA's MRZ (TD1, 90 characters, lines joined)",
     SFC_PARAM_SECRET},
    {"can", "CAN", "the nPA's card access number (6 digits, default 222222)",
     SFC_PARAM_SECRET},
    {"pin", "PIN", "the nPA's eID PIN (5 or 6 digits, default 111111)",
     SFC_PARAM_SECRET},
    {"puk", "PUK", "the nPA's PUK (10 digits, default 3333333333)",
     SFC_PARAM_SECRET},
    {NULL, NULL, NULL, 0}};

const sfc_card_type sfc_type_npa = {
    .abi = SFC_CARD_TYPE_ABI,
    .name = "nPA",
    .description = "German eID card: PACE (MRZ, CAN, PIN, PUK), TA, CA, "
                   "RI, CHAT access, eSign (QES PIN, ECDSA)",
    .params = npa_params,
    .create = npa_create,
    .attach = npa_attach,
    .detach = npa_detach,
    .on_power = npa_on_power,
};
