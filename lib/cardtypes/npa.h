/* SPDX-License-Identifier: LGPL-2.1-or-later */
/**
 * @file npa.h
 * @brief The parts of the nPA card type (the German eID card, BSI TR-03110
 *        and TR-03127), shared by its source files and its unit tests.
 *
 * Split by subject: npa.c holds the card type (parameters, the file system
 * built by create(), the applications and instruction tables attached by
 * attach()); npa_data.c turns a vicc dataset file (Name=Value lines) into
 * the eID data groups DG1..DG21; npa_pki.c makes the chip's keys, the
 * default EF.CardAccess, and EF.CardSecurity (CMS SignedData by a Document
 * Signer of a test CSCA generated at personalisation); npa_pace.c is the
 * chip side of PACE (MSE:Set AT, GENERAL AUTHENTICATE) with the password
 * life cycle and RESET RETRY COUNTER, on OpenPACE (libeac), with
 * npa_cam.c adding Chip Authentication Mapping to it; npa_rand.c lets
 * OpenPACE draw the chip's secrets from the card's injectable RNG.
 *
 * Invariants: nothing here keeps pointers into the file tree or key store
 * between commands (a card image replaces both without create()); the
 * passwords (MRZ, CAN, PIN, PUK) live in the card's PIN store and the eID
 * application's saved state, so their counters persist in images; the
 * OpenPACE context of a PACE run is volatile and dies with power-off.
 */
#ifndef SFC_CARDTYPES_NPA_H
#define SFC_CARDTYPES_NPA_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "core/bytes.h"
#include "os/card.h"

/* ---- file system -------------------------------------------------------- */

#define NPA_FID_CARDACCESS 0x011Cu
#define NPA_SFI_CARDACCESS 0x1Cu
#define NPA_FID_CARDSECURITY 0x011Du
#define NPA_SFI_CARDSECURITY 0x1Du
#define NPA_FID_CHIPSECURITY 0x011Bu
#define NPA_SFI_CHIPSECURITY 0x1Bu
#define NPA_FID_DIR 0x2F00u
#define NPA_SFI_DIR 0x1Eu
#define NPA_FID_EID 0xFFFCu /* vicc: FFFF, which ISO 7816-4 reserves */
#define NPA_FID_CIA 0xFFFEu
#define NPA_FID_ESIGN 0xFFFDu
#define NPA_FID_DG(n) ((uint16_t)(0x0100u + (n)))
#define NPA_MAX_DG 21
#define NPA_EF_MAX 65535u

/** DF names (AIDs) of the eID, eSign and CIA applications. */
#define NPA_AID_EID_BYTES 0xE8, 0x07, 0x04, 0x00, 0x7F, 0x00, 0x07, 0x03, 0x02
#define NPA_AID_ESIGN_BYTES \
    0xA0, 0x00, 0x00, 0x01, 0x67, 0x45, 0x53, 0x49, 0x47, 0x4E
#define NPA_AID_CIA_BYTES                                                   \
    0xE8, 0x28, 0xBD, 0x08, 0x0F, 0xA0, 0x00, 0x00, 0x01, 0x67, 0x45, 0x53, \
        0x49, 0x47, 0x4E

/* ---- passwords (PACE password references, MSE:Set AT tag 83) ------------ */

#define NPA_PWD_MRZ 0x01u
#define NPA_PWD_CAN 0x02u
#define NPA_PWD_PIN 0x03u
#define NPA_PWD_PUK 0x04u
#define NPA_PIN_TRIES 3u
#define NPA_PUK_USES 10u
#define NPA_MRZ_MAX 90

/** An internal EF of the MF (no access mode allowed, so never readable)
 * holds the MRZ as printed, lines joined: PACE with the MRZ needs it, and a
 * card image keeps it with the file tree. The PUK is the PIN's resetting
 * code in the card's PIN store; its remaining uses are its retry counter. */
#define NPA_FID_MRZ 0x0F01u
/** Internal EF (no access): vicc's raw --ca-key as given (DH CA keys). */
#define NPA_FID_CA_RAW 0x0F03u

/** The MRZ of the card (NUL-terminated in `out`), false if none. */
bool npa_mrz(sfc_card *card, char out[NPA_MRZ_MAX + 1]);

/* ---- data groups (npa_data.c) --------------------------------------------- */

/** The data groups DG1..DG21 (index 0 unused); empty = absent. */
typedef struct npa_dgs {
    sfc_buf dg[NPA_MAX_DG + 1];
} npa_dgs;

void npa_dgs_init(npa_dgs *d);
void npa_dgs_free(npa_dgs *d);

/**
 * Encode the data groups from a vicc dataset (`text`, `len` bytes of UTF-8
 * Name=Value lines; NULL for the defaults, Erika Mustermann). Unknown names
 * and malformed values are refused with a reason.
 */
sfc_err npa_dgs_build(const char *text, size_t len, npa_dgs *out, char *err,
                      size_t errlen);

/* ---- keys and security objects (npa_pki.c) -------------------------------- */

/** Key references of the chip's static keys in the key store. */
#define NPA_KEY_CA 0x41u
#define NPA_KEY_RI 0x42u
/** The eSign signature key (MSE:Set DST 41 B6 {84 84}). */
#define NPA_KEY_ESIGN 0x84u

/** The PACEInfos of the built-in EF.CardAccess (--pace-mapping,
 * --pace-dh-first). */
typedef enum npa_pace_offer {
    NPA_OFFER_GM,          /**< ECDH-GM (brainpoolP256r1), then DH-GM */
    NPA_OFFER_GM_DH_FIRST, /**< DH-GM, then ECDH-GM */
    NPA_OFFER_DH_IM,       /**< DH-IM (parameter ID 0) only */
    NPA_OFFER_ECDH_CAM     /**< ECDH-CAM (brainpoolP256r1) only */
} npa_pace_offer;

/** The built-in EF.CardAccess: the PACEInfos of `offer`, TA, CA 0x41. */
void npa_default_cardaccess(sfc_buf *out, npa_pace_offer offer);

/**
 * Personalise the chip's CA and RI keys (brainpoolP256r1; the CA key from
 * `ca_key_der`, a DER or PEM private key, when given) into the key store,
 * and build EF.CardSecurity: CMS SignedData (id-SecurityObject) over the
 * infos of `cardaccess` plus the CA and RI public keys, signed by a
 * Document Signer of a test CSCA made here. `csca_out`, if not NULL,
 * receives the CSCA certificate (PEM).
 */
sfc_err npa_pki_build(sfc_card *card, const sfc_buf *cardaccess,
                      const sfc_buf *ca_key, sfc_buf *cardsecurity,
                      sfc_buf *csca_out, char *err, size_t errlen);

/**
 * Personalise eSign: the signature key (EC, from `key_in` in PEM or DER
 * when given, else a new P-256 key) into the key store as NPA_KEY_ESIGN;
 * an empty `cert` or `ca_cert` receives (DER) the holder certificate or
 * the CA certificate of a test eSign CA made here. A given certificate of
 * a given key must match it.
 */
sfc_err npa_esign_build(sfc_card *card, const sfc_buf *key_in, sfc_buf *cert,
                        sfc_buf *ca_cert, char *err, size_t errlen);

/**
 * Make a test terminal PKI (CVCA, DV, authentication terminal with every
 * right, npa_cvc.c) and write it with npa-tool's options and a README into
 * `dir`; the CVCA (DER) is appended to `cvca` for the card's trust anchor.
 */
sfc_err npa_terminal_pki(const char *dir, sfc_buf *cvca, char *err,
                         size_t errlen);

/** `t` (UTC) as a CV certificate date: YYMMDD, one digit per byte. */
bool npa_date_digits(time_t t, uint8_t d[6]);

/** Internal EF (no access) of Terminal Authentication's persistent state:
 * the card's current date (6 bytes, YYMMDD digits), the length (2 bytes)
 * and DER of a trust anchor that replaced --cvca by a link certificate
 * (0: none), in NPA_TA_STATE_SIZE bytes. */
#define NPA_FID_TA_STATE 0x0F04u
#define NPA_TA_ANCHOR_MAX 1024u
#define NPA_TA_STATE_SIZE (8u + NPA_TA_ANCHOR_MAX)
/** The EF 0F04, created (dated today, UTC) if missing; NULL on failure. */
struct sfc_file *npa_ta_state(sfc_card *card);

/* ---- the volatile EAC state of a card (type state) ------------------------ */

struct eac_ctx;
struct buf_mem_st;

enum npa_pace_step { STEP_NONE, STEP_NONCE, STEP_MAP, STEP_KEY, STEP_TOKEN };
enum npa_mse_kind { MSE_NONE, MSE_TA, MSE_CA, MSE_RI };

typedef struct npa_session {
    struct eac_ctx *eac;        /**< the run in progress, or the established */
    enum npa_pace_step step;    /**< the GA step expected next */
    uint8_t pwd;                /**< the password of the run */
    bool im;                    /**< the run uses Integrated Mapping (DH) */
    bool cam;                   /**< Chip Authentication Mapping (ECDH) */
    struct buf_mem_st *pcd_key; /**< PK_PCD of GA3, for T_PICC */
    bool done;                  /**< PACE established (with pace_pwd) */
    uint8_t pace_pwd;
    uint8_t chat[64]; /**< 7F4C of PACE's MSE:Set AT (0: none) */
    size_t chat_len;
    /* Terminal and Chip Authentication (npa_eac.c) */
    bool ta_ready; /**< the trust anchor is in eac */
    bool ta_done, ca_done;
    enum npa_mse_kind mse;     /**< what the last EAC MSE:Set AT chose */
    struct buf_mem_st *ta_eph; /**< 91: the PCD's compressed key */
    struct buf_mem_st *aux;    /**< 67: auxiliary data, as sent */
    bool nonce_out;            /**< TA's challenge sent, not yet used */
} npa_session;

/** The card's session (created on first use), or NULL without memory. */
npa_session *npa_session_get(sfc_card *card);
/** OpenPACE's object identifiers (once per process). */
void npa_eac_init(void);

/* ---- PACE and password management (npa_pace.c) ---------------------------- */

uint16_t npa_mse(sfc_card *card, const sfc_cmd *cmd, sfc_resp *resp);
uint16_t npa_general_authenticate(sfc_card *card, const sfc_cmd *cmd,
                                  sfc_resp *resp);
uint16_t npa_reset_retry_counter(sfc_card *card, const sfc_cmd *cmd,
                                 sfc_resp *resp);
/** Instructions of EAC that are not implemented answer this, and log it. */
uint16_t npa_not_implemented(sfc_card *card, const sfc_cmd *cmd,
                             sfc_resp *resp);

/** Free the volatile PACE state (type state; detach and power events). */
void npa_session_free(sfc_card *card);

/** True after PACE with a password, in this secure messaging session. */
bool npa_pace_done(const sfc_card *card);

/* ---- Chip Authentication Mapping (npa_cam.c) ------------------------------ */

/** The NID of an OID's contents (`n` bytes, no tag), or NID_undef. */
int npa_oid_nid(const uint8_t *v, size_t n);
/** Register the id-PACE-ECDH-CAM OIDs with OpenSSL (npa_eac_init()). */
void npa_cam_register(void);
/** The id-PACE-ECDH-GM NID whose run a CAM NID extends, or NID_undef. */
int npa_cam_gm_nid(int nid);
/** The parameter ID of EF.CardAccess's PACEInfo with `nid` (and
 * `param_id` unless negative), or -1. */
int npa_cam_param(sfc_card *card, int nid, int param_id);
/** Is the chip's CA key on the curve of the run's PACE domain parameters? */
bool npa_cam_key_fits(sfc_card *card, const struct eac_ctx *eac);
/** A_IC, the encrypted chip authentication data (after GA4's token), or
 * NULL. */
struct buf_mem_st *npa_cam_data(sfc_card *card, struct eac_ctx *eac);

/* ---- Terminal and Chip Authentication (npa_eac.c) ---------------------- */

/** Rights of an authentication terminal's CHAT (TR-03110-4 C.4.2.1): bit i
 * of the 5-byte relative authorization, counted from the last byte's b1. */
#define NPA_RIGHT_AGE (1ull << 0)
#define NPA_RIGHT_COMMUNITY (1ull << 1)
#define NPA_RIGHT_RI (1ull << 2)
#define NPA_RIGHT_PIN_MANAGEMENT (1ull << 5)
#define NPA_RIGHT_READ_DG(n) (1ull << (7u + (n)))
#define NPA_RIGHT_WRITE_DG(n) (1ull << (54u - (n)))
/** A signature terminal's CHAT (one byte: b0 electronic signature, b1
 * qualified electronic signature), kept above the AT's 40 bits. */
#define NPA_RIGHT_ST_SHIFT 56u
#define NPA_RIGHT_ST_SIG (1ull << NPA_RIGHT_ST_SHIFT)
#define NPA_RIGHT_ST_QES (1ull << (NPA_RIGHT_ST_SHIFT + 1u))

uint16_t npa_mse_set_dst(sfc_card *card, const sfc_cmd *cmd);
uint16_t npa_mse_ta(sfc_card *card, const sfc_cmd *cmd);
uint16_t npa_mse_ca(sfc_card *card, const sfc_cmd *cmd);
uint16_t npa_verify_certificate(sfc_card *card, const sfc_cmd *cmd,
                                sfc_resp *resp);
uint16_t npa_get_challenge(sfc_card *card, const sfc_cmd *cmd, sfc_resp *resp);
uint16_t npa_external_authenticate(sfc_card *card, const sfc_cmd *cmd,
                                   sfc_resp *resp);
/** VERIFY 00 81 in DF.eSign: the QES PIN (npa_esign.c); VERIFY 00 xx else
 * 6A88 (no PACE password outside PACE); VERIFY 80 00 {06 OID}: age, document validity or community ID against
 * TA's auxiliary data; 9000 verified, 6300 not, 6982 without the right. */
uint16_t npa_verify(sfc_card *card, const sfc_cmd *cmd, sfc_resp *resp);
/* VERIFY of auxiliary data, CLA 80 (8C under SM). */
uint16_t npa_verify_aux(sfc_card *card, const sfc_cmd *cmd, sfc_resp *resp);
/** GENERAL AUTHENTICATE after PACE: Chip Authentication or RI. */
uint16_t npa_ga_eac(sfc_card *card, const sfc_cmd *cmd, sfc_resp *resp);
/** The holder reference of the card's CVCA (up to *len bytes), or false. */
bool npa_cvca_chr(sfc_card *card, uint8_t *out, size_t *len);
/** Forget TA/CA state (a new PACE run, power-off). */
void npa_eac_reset(npa_session *s);

/* ---- eSign (npa_esign.c) ------------------------------------------------- */

/** The QES PIN's reference (VERIFY 00 20 00 81 in DF.eSign). */
#define NPA_PWD_QES 0x81u
#define NPA_QES_TRIES 3u

/** VERIFY 00 20 00 81 {QES PIN} (empty: its counter) in DF.eSign. */
uint16_t npa_verify_qes(sfc_card *card, const sfc_cmd *cmd);
/** MSE:Set DST 41 B6 {84 key}: the eSign key only. */
uint16_t npa_mse_set_dst_sign(sfc_card *card, const sfc_cmd *cmd);
/** PSO:COMPUTE DIGITAL SIGNATURE 00 2A 9E 9A {hash}: ECDSA, plain r||s. */
uint16_t npa_compute_signature(sfc_card *card, const sfc_cmd *cmd,
                               sfc_resp *resp);
/** The definition of the eSign application (npa.c). */
extern const sfc_app_def npa_esign_app;

/* ---- OpenPACE randomness (npa_rand.c) -------------------------------------- */

/**
 * Run OpenPACE's next random draw from the card's RNG: the first request
 * of OpenSSL's random source until npa_rand_end() comes from `card`'s RNG
 * (the chip's nonce or ephemeral private key), later ones (blinding) from
 * OpenSSL's DRBG. With the system RNG nothing is redirected: OpenSSL's
 * DRBG serves everything. Not reentrant; the card engine is single-threaded
 * per process when a test injects an RNG.
 */
void npa_rand_begin(sfc_card *card);
/** Restore OpenSSL's random source; false if the card's RNG failed. */
bool npa_rand_end(void);

#endif
