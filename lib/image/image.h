/* SPDX-License-Identifier: LGPL-2.1-or-later */
/**
 * @file image.h
 * @brief Card images: a whole card as versioned JSON, loaded, saved,
 *        optionally encrypted with a passphrase, and committed atomically
 *        while the card runs.
 *
 * An image holds everything that survives a power cycle: the card type and
 * its creation parameters, extended length, the file tree (data as hex,
 * records, one-time-write bitmaps, data objects, life-cycle states, the raw
 * security attributes), the PINs with their counters, the keys (symmetric
 * as hex, asymmetric as PEM), the card secret and the stored security
 * environments. The schema is documented in docs/card-image.md.
 *
 * Loading creates the card with sfc_card_new() from the stored type and
 * parameters and then replaces its state with the image's, checking every
 * value and the consistency of the tree; a refusal names the JSON path and
 * the reason ("$.mf.children[1].size: 16 bytes of data for a 8-byte file").
 * Functions that take a file name put it in front ("card.json: $...").
 *
 * A store (sfc_image_store) is one image file in use: it holds an exclusive
 * lock (IMAGE.lock, flock) so that no two processes write the same image,
 * and every save writes IMAGE.tmp in the same directory, fsyncs it, renames
 * it over IMAGE and fsyncs the directory, so the file is always either the
 * old or the new image. sfc_image_attach() installs the card's commit hook:
 * the card engine then saves before it answers any command that changed
 * persistent state, and answers 6581 if the save fails.
 *
 * Encrypted images are a JSON envelope: AES-256-GCM over the plain image,
 * the key derived from the passphrase with scrypt (or PBKDF2-SHA256) and,
 * per save, HKDF-SHA256 with a fresh random salt; a fresh random IV per
 * save; every envelope field is authenticated. A wrong passphrase and a
 * damaged file give the same error.
 *
 * No function prints; errors are values with a one-line reason in `err`.
 * Secrets (PINs, keys, passphrases, plain image text) are wiped after use.
 */
#ifndef SFC_IMAGE_IMAGE_H
#define SFC_IMAGE_IMAGE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "softcard.h"

/** "format" and "version" of a plain image. */
#define SFC_IMAGE_FORMAT "softcard-card-image"
#define SFC_IMAGE_VERSION 2
/** "format" and "version" of an encrypted image (the envelope). */
#define SFC_IMAGE_ENC_FORMAT "softcard-encrypted-card-image"
#define SFC_IMAGE_ENC_VERSION 1
/** Largest image file accepted. */
#define SFC_IMAGE_MAX_BYTES (64u * 1024u * 1024u)
/** A good size for error buffers. */
#define SFC_IMAGE_ERR_MAX 512

/* ---- JSON text <-> card ------------------------------------------------- */

/**
 * Serialise the card's persistent state as image JSON (pretty-printed,
 * NUL-terminated, malloc'd). Free with sfc_image_text_free(), which wipes.
 */
sfc_err sfc_image_save_text(const sfc_card *card, char **text, size_t *len,
                          char *err, size_t errlen);

/** Wipe and free text from this module (NULL allowed). */
void sfc_image_text_free(char *text, size_t len);

/**
 * Create a card from plain image text. `base` (may be NULL) gives the random
 * source and the log label; its params and extended_length must be unset:
 * the image decides them. On error `err` reads "<json path>: <reason>", or
 * "line L, column C: <reason>" for a syntax error.
 */
sfc_err sfc_image_load_text(const char *text, size_t len,
                          const sfc_card_options *base, sfc_card **out,
                          char *err, size_t errlen);

/* ---- encryption --------------------------------------------------------- */

typedef enum sfc_image_kdf_alg {
    SFC_IMAGE_KDF_SCRYPT = 0,  /**< the default */
    SFC_IMAGE_KDF_PBKDF2       /**< PBKDF2-HMAC-SHA256 */
} sfc_image_kdf_alg;

/** Key-derivation parameters; zero fields take the defaults. */
typedef struct sfc_image_kdf {
    sfc_image_kdf_alg alg;
    uint64_t n;          /**< scrypt N (power of two), default 32768 */
    uint32_t r, p;       /**< scrypt r and p, default 8 and 1 */
    uint32_t iterations; /**< PBKDF2, default 600000 */
} sfc_image_kdf;

/** A passphrase-derived master key with its KDF parameters and salt. */
typedef struct sfc_image_key sfc_image_key;

/**
 * Derive a new master key from a passphrase with a fresh random salt.
 * `kdf` NULL uses scrypt with the defaults.
 */
sfc_err sfc_image_key_new(const uint8_t *pass, size_t passlen,
                        const sfc_image_kdf *kdf, sfc_image_key **out,
                        char *err, size_t errlen);

/** Wipe and free a key (NULL allowed). */
void sfc_image_key_free(sfc_image_key *key);

/** True if the text is an encrypted image (an envelope), by its format. */
bool sfc_image_text_is_encrypted(const char *text, size_t len);

/**
 * Encrypt plain image text into an envelope (malloc'd, NUL-terminated),
 * with a fresh HKDF salt and IV.
 */
sfc_err sfc_image_encrypt(const sfc_image_key *key, const char *plain,
                        size_t len, char **out, size_t *outlen, char *err,
                        size_t errlen);

/**
 * Decrypt an envelope with a passphrase. On success `*plain` is the plain
 * image text (free with sfc_image_text_free) and, if `key_out` is given, the
 * derived master key for later saves. A wrong passphrase or any change to
 * the envelope is SFC_E_CHECKSUM, "wrong passphrase or damaged image".
 */
sfc_err sfc_image_decrypt(const uint8_t *pass, size_t passlen, const char *env,
                        size_t len, sfc_image_key **key_out, char **plain,
                        size_t *plainlen, char *err, size_t errlen);

/* ---- files -------------------------------------------------------------- */

/** One image file in use, locked against other processes. */
typedef struct sfc_image_store sfc_image_store;

/**
 * Open the image at `path` for use: take the lock (SFC_E_STATE, "in use by
 * another process", if held) and remove a temporary file left by a crash.
 * The image itself need not exist yet.
 */
sfc_err sfc_image_store_open(const char *path, sfc_image_store **out, char *err,
                           size_t errlen);

/** Release the lock and free the store (wipes its key). NULL allowed. */
void sfc_image_store_free(sfc_image_store *s);

/** The path given to sfc_image_store_open(). */
const char *sfc_image_store_path(const sfc_image_store *s);

/**
 * Read and load the store's image. An encrypted image needs the passphrase
 * (`pass` NULL: SFC_E_STATE, "encrypted image: a passphrase is needed"); its
 * key is kept, so saves stay encrypted. A passphrase given for a plain
 * image is not used (sfc_image_store_encrypted() tells).
 */
sfc_err sfc_image_store_load(sfc_image_store *s, const uint8_t *pass,
                           size_t passlen, const sfc_card_options *base,
                           sfc_card **out, char *err, size_t errlen);

/** True if the store saves encrypted images (it has a key). */
bool sfc_image_store_encrypted(const sfc_image_store *s);

/** Make later saves encrypted with `key` (the store takes it over). */
void sfc_image_store_set_key(sfc_image_store *s, sfc_image_key *key);

/** Save the card atomically (temporary file, fsync, rename, fsync dir). */
sfc_err sfc_image_store_save(sfc_image_store *s, const sfc_card *card, char *err,
                           size_t errlen);

/**
 * Save a new image: like sfc_image_store_save(), but if an image already
 * exists at the path it is kept and SFC_E_STATE returned unless `overwrite`
 * (the check and the creation are one atomic step).
 */
sfc_err sfc_image_store_create(sfc_image_store *s, const sfc_card *card,
                             bool overwrite, char *err, size_t errlen);

/**
 * Install the card's commit hook: from now on every persistent change is
 * saved to the store before the card answers. The store must outlive the
 * card. A failed save is logged (sfc_log, with the reason) and the card
 * answers 6581; sfc_image_store_error() keeps the last reason.
 */
void sfc_image_attach(sfc_card *card, sfc_image_store *s);

/** Reason of the last failed save, "" if none. */
const char *sfc_image_store_error(const sfc_image_store *s);

/**
 * Read and load an image without locking it (checking an image; a running
 * card's image is always whole, so reading it is safe).
 */
sfc_err sfc_image_load_file(const char *path, const uint8_t *pass,
                          size_t passlen, const sfc_card_options *base,
                          sfc_card **out, char *err, size_t errlen);

/**
 * Read a whole file (at most SFC_IMAGE_MAX_BYTES) into malloc'd,
 * NUL-terminated memory; free with sfc_image_text_free().
 */
sfc_err sfc_image_read_file(const char *path, char **text, size_t *len,
                          char *err, size_t errlen);

/* ---- generator configuration ------------------------------------------- */

/** What a new image is made of: a card type and its creation options. */
typedef struct sfc_image_config {
    char *type;
    bool extended_length;
    sfc_param *params;   /**< owned copies */
    size_t n_params;
} sfc_image_config;

/**
 * Read a generator configuration file: JSON
 * {"type": "iso7816", "extended_length": false, "params": {"pin": "1234"}}
 * ("format": "softcard-card-config" and "version": 1 optional). Errors
 * name the file, the JSON path and the reason.
 */
sfc_err sfc_image_config_load(const char *path, sfc_image_config *cfg,
                            char *err, size_t errlen);

/**
 * Set parameter `key` to `value` (replacing an earlier value), e.g. from
 * --pin on the command line.
 */
sfc_err sfc_image_config_set(sfc_image_config *cfg, const char *key,
                           const char *value);

/** Free (and wipe) a configuration; the struct is zeroed. */
void sfc_image_config_free(sfc_image_config *cfg);

#endif
