/* SPDX-License-Identifier: LGPL-2.1-or-later */
/**
 * @file epass.h
 * @brief The parts of the ePass card type (an ICAO Doc 9303 eMRTD with
 *        BAC, 3DES secure messaging and Active Authentication), shared by
 *        its source files and its unit tests.
 *
 * The card type is split by subject: epass.c builds the card from its
 * parameters (the LDS1 application with EF.COM, the data groups and
 * EF.SOD) and holds the instruction table; epass_mrz.c knows the machine
 * readable zone (the three formats, check digits, the BAC key seed and
 * ICAO's key derivation); epass_bac.c is the chip side of Basic Access
 * Control; epass_aa.c is Active Authentication (DG14, DG15, INTERNAL
 * AUTHENTICATE); epass_face.c builds DG2 (an ISO/IEC 19794-5 facial record
 * around a JPEG or JPEG 2000 image, or a placeholder encoded with libjpeg);
 * epass_pki.c the test PKI (CSCA and Document Signer certificates) and the
 * CMS SignedData of EF.SOD. docs/epass.md describes the card for users.
 *
 * Nothing here keeps pointers into the card's file tree or key store: a
 * card image loads both without running create(), so BAC reads the MRZ from EF.DG1
 * and Active Authentication takes its key from the key store at the moment
 * they run.
 */
#ifndef SFC_CARDTYPES_EPASS_H
#define SFC_CARDTYPES_EPASS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "os/card.h"
#include "core/bytes.h"

/* ---- the LDS1 application (ICAO Doc 9303-10 §4) --------------------------- */

/** DF name (AID) of the LDS1 eMRTD application. */
#define EPASS_AID_BYTES 0xA0, 0x00, 0x00, 0x02, 0x47, 0x10, 0x01
#define EPASS_AID_LEN 7
/** FID of the application DF (ICAO assigns none; the reference used 0004). */
#define EPASS_DF_FID 0x0004u
/** EF.COM 011E (SFI 1E), EF.SOD 011D (SFI 1D), DGn 0100+n (SFI n). */
#define EPASS_FID_COM 0x011Eu
#define EPASS_SFI_COM 0x1Eu
#define EPASS_FID_SOD 0x011Du
#define EPASS_SFI_SOD 0x1Du
#define EPASS_FID_DG(n) ((uint16_t)(0x0100u + (n)))
#define EPASS_MAX_DG 16
/** Key reference of the Active Authentication private key. */
#define EPASS_AA_KEY_REF 0x01u
/** Largest transparent EF (and so the largest data group). */
#define EPASS_EF_MAX 65535u

/** The one-byte tag that opens data group `n` (1..16), 0 if none. */
uint8_t epass_dg_tag(unsigned n);

/** The LDS1 application DF of the card, or NULL. */
sfc_file *epass_lds_df(sfc_card *card);

/* ---- the machine readable zone (ICAO Doc 9303-3, -4, -5, -6) ------------ */

typedef enum epass_td {
    EPASS_TD1 = 1, /**< 3 lines of 30 (ID cards) */
    EPASS_TD2 = 2, /**< 2 lines of 36 */
    EPASS_TD3 = 3  /**< 2 lines of 44 (passport booklets) */
} epass_td;

#define EPASS_MRZ_MAX 90

/** An MRZ as one string, the lines concatenated. */
typedef struct epass_mrz {
    epass_td format;
    char text[EPASS_MRZ_MAX + 1];
    size_t len;
} epass_mrz;

/** The check digit (ICAO Doc 9303-3 §4.9: weights 7 3 1) of `n` chars. */
char epass_check_digit(const char *s, size_t n);

/**
 * Take an MRZ: whitespace (line breaks) is ignored, the length decides the
 * format (90 TD1, 72 TD2, 88 TD3), only A-Z, 0-9 and '<' are allowed. With
 * `strict`, every check digit (document number, dates, composite, and the
 * TD3 personal number) must be right; the error names the field and the
 * expected digit.
 */
sfc_err epass_mrz_parse(const char *text, bool strict, epass_mrz *out,
                       char *err, size_t errlen);

/**
 * The MRZ information BAC keys come from: document number, date of birth
 * and date of expiry, each with its check digit (ICAO Doc 9303-11 §9.7.1;
 * a TD1/TD2 document number longer than 9 characters continues in the
 * optional data). Writes up to `cap` chars and a NUL; returns the length,
 * 0 if malformed.
 */
size_t epass_mrz_info(const epass_mrz *m, char *out, size_t cap);

/** The holder's sex as printed in the MRZ: 'M', 'F' or '<'. */
char epass_mrz_sex(const epass_mrz *m);

/** The issuing state as printed (three characters, '<' filled). */
void epass_mrz_state(const epass_mrz *m, char out[4]);

/** MRZ fields for epass_mrz_build(); NULL fields take the ICAO specimen's. */
typedef struct epass_mrz_fields {
    epass_td format;
    const char *document_type, *issuing_state, *surname, *given_names;
    const char *document_number, *nationality, *birth_date, *sex;
    const char *expiry_date, *optional_data;
} epass_mrz_fields;

/**
 * Compose an MRZ with its check digits. Names are upper-cased, spaces and
 * hyphens become '<', apostrophes are dropped, and the name field is
 * truncated to its width. All fields NULL gives the ICAO specimen
 * (P<UTOERIKSSON<<ANNA<MARIA...).
 */
sfc_err epass_mrz_build(const epass_mrz_fields *f, epass_mrz *out, char *err,
                       size_t errlen);

/** Read the MRZ (5F1F) out of DG1 contents `61 L {5F1F L MRZ}` (not strict). */
sfc_err epass_dg1_mrz(const uint8_t *dg1, size_t len, epass_mrz *out);

/* ---- BAC keys (ICAO Doc 9303-11 §9.7) ----------------------------------- */

/** Set odd parity in every byte (the DES key parity bit is b1). */
void epass_des_parity(uint8_t *key, size_t len);

/**
 * ICAO's key derivation for 3DES: SHA-1(seed || counter as 4 bytes), the
 * first 16 bytes, DES parity adjusted (counter 1: KEnc, 2: KMAC).
 */
sfc_err epass_kdf(const uint8_t seed[16], uint32_t counter, uint8_t out[16]);

/** KEnc and KMAC of an MRZ information string (Kseed = SHA-1(...)[0..15]). */
sfc_err epass_bac_keys(const char *mrz_info, size_t len, uint8_t kenc[16],
                      uint8_t kmac[16]);

/* ---- handlers ------------------------------------------------------------ */

/** EXTERNAL AUTHENTICATE (82) as BAC mutual authentication (epass_bac.c). */
uint16_t epass_external_authenticate(sfc_card *card, const sfc_cmd *cmd,
                                     sfc_resp *resp);

/** INTERNAL AUTHENTICATE (88) as Active Authentication (epass_aa.c). */
uint16_t epass_internal_authenticate(sfc_card *card, const sfc_cmd *cmd,
                                     sfc_resp *resp);

/* ---- creation helpers ---------------------------------------------------- */

/**
 * A parameter's content: PEM text given inline (it starts with
 * "-----BEGIN"), or else the name of a file to read (at most `max` bytes).
 */
sfc_err epass_param_content(const char *what, const char *value, size_t max,
                           bool allow_inline, sfc_buf *out, char *err,
                           size_t errlen);

/**
 * Set up Active Authentication: `alg` "none", "rsa" (2048 bits) or "ec"
 * (P-256), or the key given as PEM (`key_pem`, then `alg` may be NULL or
 * must match). Puts the key in the key store (use condition: secure
 * messaging) and writes DG15 (6F {SubjectPublicKeyInfo}) and, for ECDSA,
 * DG14 (6E {SET {ActiveAuthenticationInfo}}). With "none" both stay empty.
 */
sfc_err epass_aa_setup(sfc_card *card, const char *alg, const char *key_pem,
                      size_t key_len, sfc_buf *dg14, sfc_buf *dg15, char *err,
                      size_t errlen);

/**
 * DG2 contents: 75 {7F61 {02 01 01, 7F60 {A1 {...}, 5F2E {ISO/IEC 19794-5
 * facial record}}}} around `image` (JPEG or JPEG 2000; its size and colour
 * space are read from its header), or around a generated placeholder JPEG
 * when `image` is NULL. `sex` is the MRZ's ('M', 'F' or '<').
 */
sfc_err epass_face_dg2(const uint8_t *image, size_t image_len, char sex,
                      sfc_buf *out, char *err, size_t errlen);

/** Encode the placeholder portrait (width x height, RGB) as JPEG. */
sfc_err epass_face_placeholder(unsigned width, unsigned height, sfc_buf *out);

/** One data group for EF.SOD: its number and contents. */
typedef struct epass_dg {
    unsigned number;
    const uint8_t *data;
    size_t len;
} epass_dg;

/** Where the document signer comes from (all optional PEM, see docs). */
typedef struct epass_pki_params {
    const char *algorithm;      /**< "ec" (default) or "rsa" for new keys */
    const char *state;          /**< issuing state from the MRZ, 3 chars */
    sfc_buf csca_key, csca_cert; /**< given CSCA (both or none) */
    sfc_buf ds_key, ds_cert;     /**< given Document Signer (both or none) */
    const char *csca_cert_out;  /**< write the CSCA certificate here */
} epass_pki_params;

/**
 * EF.SOD contents: 77 {ContentInfo SignedData} over the LDSSecurityObject
 * (SHA-256 hashes of `dgs`), signed by the Document Signer; a CSCA and a
 * Document Signer are generated unless given.
 */
sfc_err epass_sod_build(const epass_dg *dgs, size_t n, epass_pki_params *p,
                       sfc_buf *out, char *err, size_t errlen);

#endif
