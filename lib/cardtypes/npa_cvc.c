/* SPDX-License-Identifier: LGPL-2.1-or-later */
/**
 * @file npa_cvc.c
 * @brief The test terminal PKI the nPA's personalisation writes for users
 *        (--terminal-dir): a CVCA (the card's trust anchor), a domestic
 *        Document Verifier and an authentication terminal with every right,
 *        as CV certificates (BSI TR-03110-3 C.1) made with OpenPACE's CVC
 *        structures and signed with OpenSSL (ECDSA-SHA-256 over
 *        brainpoolP256r1, plain r || s as TR-03111 wants).
 *
 * Files written into the directory (created if missing, mode 0700):
 *   cvca.cvcert           the CVCA, CHR ZZSOFTCVCA00001, self-signed
 *   cvc/ZZSOFTCVCA00001   the same, for npa-tool's --cvc-dir
 *   dv.cvcert             the DV, ZZSOFTDVCA00001, signed by the CVCA
 *   at.cvcert, at.pkcs8   the terminal ZZSOFTTERM00001 and its key (DER
 *                         PKCS#8), signed by the DV
 *   npa-tool.args         npa-tool's options for a full EAC run
 *   README.txt            what the files are, and the two commands
 * The CVCA's and the DV's private keys are forgotten. Validity: from the
 * personalisation day (UTC), 3 years (CVCA), 2 (DV), 1 (terminal).
 */
#include "cardtypes/npa.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <eac/cv_cert.h>
#include <eac/objects.h>
#include <openssl/bn.h>
#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/x509.h>

#include "core/errtext.h"
#include "crypto/pkey.h"

#define DAY 86400L

/* One CV certificate to make. */
typedef struct cvc_spec {
    const char *car, *chr;
    EVP_PKEY *subject, *signer;
    unsigned role; /* enum cvc_terminal_role */
    long days;
} cvc_spec;

static ASN1_UTF8STRING *text(const char *s)
{
    ASN1_UTF8STRING *a = ASN1_UTF8STRING_new();
    if (a && ASN1_STRING_set(a, s, (int)strlen(s)) == 1)
        return a;
    ASN1_UTF8STRING_free(a);
    return NULL;
}

bool npa_date_digits(time_t t, uint8_t d[6])
{
    struct tm tm;
    if (!gmtime_r(&t, &tm))
        return false;
    const int v[3] = {tm.tm_year % 100, tm.tm_mon + 1, tm.tm_mday};
    for (int i = 0; i < 3; i++) {
        d[2 * i] = (uint8_t)(v[i] / 10);
        d[2 * i + 1] = (uint8_t)(v[i] % 10);
    }
    return true;
}

/* YYMMDD as six bytes of one decimal digit each (TR-03110-3 D.2.1.3). */
static ASN1_OCTET_STRING *date_digits(time_t t)
{
    uint8_t d[6];
    ASN1_OCTET_STRING *a = ASN1_OCTET_STRING_new();
    if (a && npa_date_digits(t, d) && ASN1_OCTET_STRING_set(a, d, 6) == 1)
        return a;
    ASN1_OCTET_STRING_free(a);
    return NULL;
}

/* An authentication terminal's CHAT: the role in b39..b38, all rights. */
static CVC_CHAT *chat_all(unsigned role)
{
    uint8_t ra[5] = {0x3F, 0xFF, 0xFF, 0xFF, 0xFF};
    ra[0] |= (uint8_t)(role << 6);
    CVC_CHAT *c = CVC_CHAT_new();
    if (c) { /* drop what CVC_CHAT_new() may pre-allocate */
        ASN1_OBJECT_free(c->terminal_type);
        ASN1_OCTET_STRING_free(c->relative_authorization);
        c->terminal_type = NULL;
        c->relative_authorization = NULL;
    }
    if (c && (c->terminal_type = OBJ_nid2obj(NID_id_AT)) != NULL &&
        (c->relative_authorization = ASN1_OCTET_STRING_new()) != NULL &&
        ASN1_OCTET_STRING_set(c->relative_authorization, ra, 5) == 1)
        return c;
    CVC_CHAT_free(c);
    return NULL;
}

/* CVC_CERT_new() may pre-allocate the required fields: start empty. */
static void body_clear(CVC_CERT_BODY *b)
{
    ASN1_INTEGER_free(b->certificate_profile_identifier);
    ASN1_UTF8STRING_free(b->certificate_authority_reference);
    CVC_PUBKEY_free(b->public_key);
    ASN1_UTF8STRING_free(b->certificate_holder_reference);
    CVC_CHAT_free(b->chat);
    ASN1_OCTET_STRING_free(b->certificate_effective_date);
    ASN1_OCTET_STRING_free(b->certificate_expiration_date);
    b->certificate_profile_identifier = NULL;
    b->certificate_authority_reference = NULL;
    b->public_key = NULL;
    b->certificate_holder_reference = NULL;
    b->chat = NULL;
    b->certificate_effective_date = b->certificate_expiration_date = NULL;
}

static bool body_fill(CVC_CERT_BODY *b, const cvc_spec *s)
{
    time_t now = time(NULL);
    body_clear(b);
    return (b->certificate_profile_identifier = ASN1_INTEGER_new()) &&
           ASN1_INTEGER_set(b->certificate_profile_identifier, 0) == 1 &&
           (b->certificate_authority_reference = text(s->car)) &&
           (b->public_key =
                CVC_pkey2pubkey(s->role == CVC_CVCA, NID_id_TA_ECDSA_SHA_256,
                                s->subject, NULL, NULL)) &&
           (b->certificate_holder_reference = text(s->chr)) &&
           (b->chat = chat_all(s->role)) &&
           (b->certificate_effective_date = date_digits(now)) &&
           (b->certificate_expiration_date = date_digits(now + s->days * DAY));
}

/* ECDSA-SHA-256 over `data` as plain r || s. */
static ASN1_OCTET_STRING *sign_plain(EVP_PKEY *k, const uint8_t *data,
                                     size_t len)
{
    EVP_MD_CTX *md = EVP_MD_CTX_new();
    uint8_t der[160], plain[132];
    size_t n = sizeof(der);
    int half = (EVP_PKEY_get_bits(k) + 7) / 8;
    const unsigned char *p = der;
    ECDSA_SIG *sig = NULL;
    ASN1_OCTET_STRING *out = NULL;
    if (md && half * 2 <= (int)sizeof(plain) &&
        EVP_DigestSignInit(md, NULL, EVP_sha256(), NULL, k) == 1 &&
        EVP_DigestSign(md, der, &n, data, len) == 1 &&
        (sig = d2i_ECDSA_SIG(NULL, &p, (long)n)) != NULL &&
        BN_bn2binpad(ECDSA_SIG_get0_r(sig), plain, half) == half &&
        BN_bn2binpad(ECDSA_SIG_get0_s(sig), plain + half, half) == half &&
        (out = ASN1_OCTET_STRING_new()) != NULL &&
        ASN1_OCTET_STRING_set(out, plain, half * 2) != 1) {
        ASN1_OCTET_STRING_free(out);
        out = NULL;
    }
    ECDSA_SIG_free(sig);
    EVP_MD_CTX_free(md);
    return out;
}

/* The DER certificate of `s` into `out`. */
static bool make_cvc(const cvc_spec *s, sfc_buf *out)
{
    CVC_CERT *c = CVC_CERT_new();
    unsigned char *body = NULL, *der = NULL;
    int blen = -1, n = -1;
    bool ok = c && body_fill(c->body, s) &&
              (blen = i2d_CVC_CERT_BODY(c->body, &body)) > 0 &&
              (ASN1_OCTET_STRING_free(c->signature), 1) &&
              (c->signature = sign_plain(s->signer, body, (size_t)blen)) &&
              (n = i2d_CVC_CERT(c, &der)) > 0 && buf_put(out, der, (size_t)n);
    OPENSSL_free(body);
    OPENSSL_free(der);
    CVC_CERT_free(c);
    return ok;
}

/* ---- files ---------------------------------------------------------------- */

/* Write DIR/NAME afresh, created with `mode` (so a key file is never
 * readable by others, not even for a moment). */
static bool write_file_mode(const char *dir, const char *name, const void *d,
                            size_t n, mode_t mode)
{
    char path[PATH_MAX];
    if (snprintf(path, sizeof(path), "%s/%s", dir, name) >= (int)sizeof(path))
        return false;
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode);
    FILE *f = fd >= 0 ? fdopen(fd, "wb") : NULL;
    if (fd >= 0 && !f)
        close(fd);
    bool ok = f && fchmod(fd, mode) == 0 && fwrite(d, 1, n, f) == n;
    if (f && fclose(f) != 0)
        ok = false;
    return ok;
}

static bool write_file(const char *dir, const char *name, const void *d,
                       size_t n)
{
    return write_file_mode(dir, name, d, n, 0644);
}

static bool write_pkcs8(const char *dir, EVP_PKEY *k)
{
    PKCS8_PRIV_KEY_INFO *p8 = EVP_PKEY2PKCS8(k);
    unsigned char *der = NULL;
    int n = p8 ? i2d_PKCS8_PRIV_KEY_INFO(p8, &der) : -1;
    bool ok = n > 0 && write_file_mode(dir, "at.pkcs8", der, (size_t)n, 0600);
    OPENSSL_clear_free(der, n > 0 ? (size_t)n : 0);
    PKCS8_PRIV_KEY_INFO_free(p8);
    return ok;
}

static const char readme[] =
    "softcard nPA: the test terminal PKI made at personalisation\n"
    "\n"
    "cvca.cvcert  CVCA ZZSOFTCVCA00001, the card's Terminal Authentication\n"
    "             trust anchor (also cvc/ZZSOFTCVCA00001 for --cvc-dir)\n"
    "dv.cvcert    Document Verifier ZZSOFTDVCA00001 (domestic)\n"
    "at.cvcert    authentication terminal ZZSOFTTERM00001: every right\n"
    "             (read DG1-DG21, write DG17-DG21, age, community ID, RI,\n"
    "             PIN management)\n"
    "at.pkcs8     the terminal's private key (DER PKCS#8)\n"
    "npa-tool.args npa-tool's options for PACE, TA, CA and reading DG1-DG21\n"
    "\n"
    "The two commands (a pcscd with a vpcd reader, e.g. softcard's driver;\n"
    "npa-tool from scripts/build-npa-tool.sh):\n"
    "  softcard -t nPA --terminal-dir DIR &   (or an image made with it)\n"
    "  npa-tool $(cat DIR/npa-tool.args)\n"
    "The eID PIN in npa-tool.args is the default 111111; if the card has\n"
    "another (--pin), change it there. --disable-ca-checks: npa-tool is not\n"
    "given the card's test CSCA.\n";

static bool write_args(const char *dir)
{
    char args[PATH_MAX * 4 + 256];
    int n = snprintf(args, sizeof(args),
                     "--pin=111111 --private-key=%s/at.pkcs8 "
                     "--cv-certificate=%s/dv.cvcert,%s/at.cvcert "
                     "--cvc-dir=%s/cvc --disable-ca-checks",
                     dir, dir, dir, dir);
    if (n < 0 || n >= (int)sizeof(args) - 160)
        return false;
    for (int i = 1; i <= NPA_MAX_DG; i++)
        n += snprintf(args + n, sizeof(args) - (size_t)n, " --read-dg%d", i);
    args[n++] = '\n';
    return write_file(dir, "npa-tool.args", args, (size_t)n);
}

static bool make_dirs(const char *dir, char abs[PATH_MAX])
{
    char sub[PATH_MAX];
    if ((mkdir(dir, 0700) != 0 && errno != EEXIST) || !realpath(dir, abs) ||
        snprintf(sub, sizeof(sub), "%s/cvc", abs) >= (int)sizeof(sub))
        return false;
    return mkdir(sub, 0700) == 0 || errno == EEXIST;
}

typedef struct pki {
    EVP_PKEY *cvca, *dv, *at;
    sfc_buf cert[3];
} pki;

static bool pki_make(pki *p)
{
    const cvc_spec specs[3] = {
        {"ZZSOFTCVCA00001", "ZZSOFTCVCA00001", p->cvca, p->cvca, 3, 3 * 365},
        {"ZZSOFTCVCA00001", "ZZSOFTDVCA00001", p->dv, p->cvca, 2, 2 * 365},
        {"ZZSOFTDVCA00001", "ZZSOFTTERM00001", p->at, p->dv, 0, 365},
    };
    for (int i = 0; i < 3; i++)
        if (!make_cvc(&specs[i], &p->cert[i]) || p->cert[i].failed)
            return false;
    return true;
}

static bool pki_write(pki *p, const char *abs)
{
    return write_file(abs, "cvca.cvcert", p->cert[0].data, p->cert[0].len) &&
           write_file(abs, "cvc/ZZSOFTCVCA00001", p->cert[0].data,
                      p->cert[0].len) &&
           write_file(abs, "dv.cvcert", p->cert[1].data, p->cert[1].len) &&
           write_file(abs, "at.cvcert", p->cert[2].data, p->cert[2].len) &&
           write_pkcs8(abs, p->at) && write_args(abs) &&
           write_file(abs, "README.txt", readme, sizeof(readme) - 1);
}

sfc_err npa_terminal_pki(const char *dir, sfc_buf *cvca, char *err,
                         size_t errlen)
{
    pki p = {0};
    char abs[PATH_MAX];
    npa_eac_init(); /* OpenPACE's NIDs */
    for (int i = 0; i < 3; i++)
        buf_init(&p.cert[i]);
    bool made = sfc_pkey_generate_ec(SFC_CURVE_BP256R1, &p.cvca) == SFC_OK &&
                sfc_pkey_generate_ec(SFC_CURVE_BP256R1, &p.dv) == SFC_OK &&
                sfc_pkey_generate_ec(SFC_CURVE_BP256R1, &p.at) == SFC_OK &&
                pki_make(&p);
    bool written = made && make_dirs(dir, abs) && pki_write(&p, abs);
    if (written)
        buf_put(cvca, p.cert[0].data, p.cert[0].len);
    for (int i = 0; i < 3; i++)
        buf_free(&p.cert[i]);
    EVP_PKEY_free(p.cvca);
    EVP_PKEY_free(p.dv);
    EVP_PKEY_free(p.at);
    if (!made)
        sfc_errf(err, errlen,
                 "terminal-dir: cannot make the test CVCA, DV "
                 "and terminal certificates (OpenPACE)");
    else if (!written)
        sfc_errf(err, errlen, "terminal-dir: cannot write into '%s': %s", dir,
                 strerror(errno));
    return written ? (cvca->failed ? SFC_E_NOMEM : SFC_OK) : SFC_E_IO;
}
