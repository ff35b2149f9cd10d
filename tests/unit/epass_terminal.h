/* SPDX-License-Identifier: LGPL-2.1-or-later */
/**
 * @file epass_terminal.h
 * @brief A terminal (inspection system) for ICAO Doc 9303 eMRTDs, written
 *        for the tests from OpenSSL alone: BAC, 3DES secure messaging,
 *        reading files by FID or SFI with short or extended lengths,
 *        verifying EF.SOD against a CSCA certificate and checking Active
 *        Authentication.
 *
 * It shares no code with the card (only OpenSSL), so that the card is
 * checked against a second, independent implementation of ICAO Doc 9303-11.
 * It talks through a transmit callback: the unit tests pass
 * sfc_card_transmit() of an in-process card, tests/integration/epass_read.c
 * passes PC/SC (pcscd and a vpcd reader). 61xx answers are fetched with
 * GET RESPONSE, as a T=0 reader would.
 */
#ifndef EPASS_TERMINAL_H
#define EPASS_TERMINAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/** Send one C-APDU; write the R-APDU (data + SW) to `r` and its length to
 *  `*rlen` (at most `cap`). Returns 0, or -1 if the transport failed. */
typedef int (*et_transmit_fn)(void *ctx, const uint8_t *c, size_t clen,
                              uint8_t *r, size_t cap, size_t *rlen);

typedef struct et_term {
    et_transmit_fn tx;
    void *ctx;
    bool extended;      /**< extended-length APDUs (protected Lc/Le, DO97) */
    size_t chunk;       /**< bytes asked per READ BINARY */
    bool sm;            /**< a BAC session is running */
    uint8_t ksenc[16], ksmac[16], ssc[8];
    unsigned apdus;     /**< C-APDUs sent */
    char err[256];      /**< the last failure */
} et_term;

/** A file read from the chip. */
typedef struct et_file {
    uint16_t fid;
    uint8_t *data; /**< malloc'd */
    size_t len;
} et_file;

void et_init(et_term *t, et_transmit_fn tx, void *ctx);

/**
 * The MRZ information for BAC (document number, birth and expiry dates with
 * check digits) from a whole MRZ (TD1 90, TD2 72, TD3 88 characters, line
 * breaks ignored), the second line of a TD2/TD3 MRZ (36/44), as cardpeek
 * takes it, or the MRZ information itself. Returns 0 or -1.
 */
int et_mrz_info(const char *mrz, char *out, size_t cap);

/** SELECT the LDS1 application (plain, as before BAC). SW in *sw. */
int et_select_app(et_term *t, uint16_t *sw);

/**
 * BAC (ICAO Doc 9303-11 §9.7): GET CHALLENGE, EXTERNAL AUTHENTICATE, check
 * of the chip's answer, session keys and SSC. `rnd_ifd` (8) and `k_ifd`
 * (16) may be NULL for random values. Returns 0 once the session runs.
 */
int et_bac(et_term *t, const char *mrz_info, const uint8_t *rnd_ifd,
           const uint8_t *k_ifd);

/**
 * One protected command: CLA 0C, DO87 (even INS) or DO85 (odd INS) for the
 * data, DO97 for `ne` (0 = no Le), DO8E; the response's MAC and DO99 are
 * checked and DO87 deciphered. Returns 0 with the inner SW in *sw and the
 * data in `out`, or -1 on a transport or secure-messaging failure (the
 * session then ends). `corrupt_mac` flips a bit of the command MAC.
 */
int et_sm_command(et_term *t, uint8_t ins, uint8_t p1, uint8_t p2,
                  const uint8_t *data, size_t nc, size_t ne, uint8_t *out,
                  size_t cap, size_t *out_len, uint16_t *sw, bool corrupt_mac);

/** SELECT an EF of the application by FID under SM (P2 0C). */
int et_select_ef(et_term *t, uint16_t fid, uint16_t *sw);

/**
 * Read a whole transparent EF under SM: by `sfi` (1..30) if not 0, else
 * the current EF; first 4 bytes for the length, then t->chunk bytes per
 * command (B0 up to offset 32767, B1 with an offset DO beyond). Returns 0
 * with the contents in `f` (f->fid is left alone), or -1 with *sw set.
 */
int et_read_ef(et_term *t, uint8_t sfi, et_file *f, uint16_t *sw);

/** SELECT by FID and read. */
int et_read_fid(et_term *t, uint16_t fid, et_file *f, uint16_t *sw);

/** Read EF.COM, then every data group it lists and EF.SOD (by FID or SFI). */
int et_read_all(et_term *t, bool by_sfi, et_file *files, size_t cap,
                size_t *n);

void et_files_free(et_file *files, size_t n);

/** The file with `fid` among `files`, or NULL. */
const et_file *et_find(const et_file *files, size_t n, uint16_t fid);

/** The MRZ of DG1 (61 {5F1F}) as a NUL-terminated string; 0 or -1. */
int et_dg1_mrz(const et_file *dg1, char *out, size_t cap);

/**
 * Verify EF.SOD: the CMS SignedData (OpenSSL CMS_verify) against the CSCA
 * certificate in PEM `csca_pem` (chain and signature), eContentType
 * 2.23.136.1.1.1, signed attributes contentType and messageDigest, and the
 * LDSSecurityObject's hash of every data group among `files` (each one
 * read must be listed, each one listed must have been read). 0 or -1 with
 * the reason in `err`.
 */
int et_verify_sod(const et_file *files, size_t n, const char *csca_pem,
                  size_t pem_len, char *err, size_t errlen);

/**
 * Active Authentication: INTERNAL AUTHENTICATE with a random challenge
 * under SM and the check of the answer with DG15's key: RSA per ISO/IEC
 * 9796-2 scheme 1 (SHA-1), ECDSA (r || s) with the hash DG14 names.
 * 0 or -1 with the reason in t->err.
 */
int et_active_auth(et_term *t, const et_file *files, size_t n);

#endif
