/* SPDX-License-Identifier: LGPL-2.1-or-later */
/**
 * @file npa_cam.c
 * @brief PACE with Chip Authentication Mapping (ICAO Doc 9303-11 §4.4.3.5,
 *        BSI TR-03110-2 §3.4), chip side: the object identifiers OpenPACE
 *        lacks, the PACEInfo lookup in EF.CardAccess, and the encrypted
 *        chip authentication data of the last GENERAL AUTHENTICATE.
 *
 * OpenPACE (libeac 1.1.2 and upstream) has no CAM, but CAM's mapping and
 * key agreement are exactly those of ECDH Generic Mapping, so the run is
 * an OpenPACE GM run (the id-PACE-ECDH-GM OID of the same cipher) and only
 * the chip authentication data is added here, from OpenSSL and OpenPACE
 * parts:
 *   CA_IC = SK_IC^-1 * SK_Map,IC mod n   (BN_mod_inverse, BN_mod_mul;
 *                                         SK_IC the chip's CA key 0x41,
 *                                         SK_Map,IC its GA2 mapping key)
 *   A_IC  = E(KS_enc, pad(CA_IC))        (OpenPACE's EAC_add_iso_pad and
 *                                         EAC_encrypt with the PACE keys
 *                                         and the SSC set to -1, so that
 *                                         IV = E(KS_enc, -1) as 9303-11
 *                                         §4.4.3.5.1 says)
 * CA_IC is encoded on the length of n. A terminal checks PK_Map,IC =
 * CA_IC * PK_IC with the CA public key of EF.CardSecurity. Only ECDH with
 * AES exists (no 3DES, no DH), and the CA key must be on the curve of the
 * PACEInfo (MSE:Set AT answers 6A80 otherwise).
 *
 * Invariants: the OIDs are registered with OpenSSL once per process (by
 * npa_eac_init()); OpenPACE ignores the CAM PACEInfo it does not know, so
 * EF.CardAccess is scanned for it here; CA_IC and the private scalars are
 * cleared after use.
 */
#include "cardtypes/npa.h"

#include <string.h>

#include <eac/eac.h>
#include <eac/objects.h>
#include <openssl/asn1.h>
#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/objects.h>

#include "core/tlv.h"
#include "os/fs.h"

/* id-PACE-ECDH-CAM (0.4.0.127.0.7.2.2.4.6) with the AES ciphers, and the
 * id-PACE-ECDH-GM OIDs whose run they extend. */
static const char *const cam_oids[] = {
    "0.4.0.127.0.7.2.2.4.6.2", "0.4.0.127.0.7.2.2.4.6.3",
    "0.4.0.127.0.7.2.2.4.6.4"};
static const char *const cam_names[] = {"id-PACE-ECDH-CAM-AES-CBC-CMAC-128",
                                        "id-PACE-ECDH-CAM-AES-CBC-CMAC-192",
                                        "id-PACE-ECDH-CAM-AES-CBC-CMAC-256"};
#define N_CAM 3
static int cam_nids[N_CAM];

void npa_cam_register(void)
{
    for (int i = 0; i < N_CAM; i++) {
        int nid = OBJ_txt2nid(cam_oids[i]);
        cam_nids[i] = nid != NID_undef
                          ? nid
                          : OBJ_create(cam_oids[i], cam_names[i], cam_names[i]);
    }
}

int npa_cam_gm_nid(int nid)
{
    const int gm[N_CAM] = {NID_id_PACE_ECDH_GM_AES_CBC_CMAC_128,
                           NID_id_PACE_ECDH_GM_AES_CBC_CMAC_192,
                           NID_id_PACE_ECDH_GM_AES_CBC_CMAC_256};
    for (int i = 0; i < N_CAM; i++)
        if (nid != NID_undef && nid == cam_nids[i])
            return gm[i];
    return NID_undef;
}

/* ---- EF.CardAccess ---------------------------------------------------------- */

int npa_oid_nid(const uint8_t *v, size_t n)
{
    uint8_t der[2 + 32];
    if (n == 0 || n > 32)
        return NID_undef;
    der[0] = 0x06;
    der[1] = (uint8_t)n;
    memcpy(der + 2, v, n);
    const unsigned char *p = der;
    ASN1_OBJECT *o = d2i_ASN1_OBJECT(NULL, &p, (long)(n + 2));
    int nid = o ? OBJ_obj2nid(o) : NID_undef;
    ASN1_OBJECT_free(o);
    return nid;
}

/* PACEInfo ::= SEQUENCE { protocol OID, version INTEGER, parameterId
 * INTEGER }: its OID's NID and parameter ID (-1: none or too big). */
static int pace_info(const ber_tlv *info, int *param)
{
    ber_iter it;
    ber_tlv oid, ver, id;
    *param = -1;
    if (info->tag != 0x30)
        return NID_undef;
    ber_iter_init(&it, info->value, info->len, false);
    if (ber_iter_next(&it, &oid) != SFC_OK || oid.tag != 0x06 ||
        ber_iter_next(&it, &ver) != SFC_OK || ver.tag != 0x02)
        return NID_undef;
    if (ber_iter_next(&it, &id) == SFC_OK && id.tag == 0x02 && id.len == 1 &&
        id.value[0] < 0x80)
        *param = id.value[0];
    return npa_oid_nid(oid.value, oid.len);
}

int npa_cam_param(sfc_card *card, int nid, int param_id)
{
    sfc_file *ef = fs_child_by_fid(card->mf, NPA_FID_CARDACCESS);
    ber_tlv set, info;
    ber_iter it;
    if (!ef || ef->kind != SFC_FILE_EF_BINARY ||
        ber_decode(ef->data, ef->size, &set) != SFC_OK || set.tag != 0x31)
        return -1;
    ber_iter_init(&it, set.value, set.len, false);
    while (ber_iter_next(&it, &info) == SFC_OK) {
        int id;
        if (pace_info(&info, &id) == nid && id >= 0 &&
            (param_id < 0 || id == param_id))
            return id;
    }
    return -1;
}

/* ---- chip authentication data ---------------------------------------------- */

/* A private scalar, flagged for OpenSSL's constant-time paths. */
static BIGNUM *priv_of(const EVP_PKEY *k)
{
    BIGNUM *bn = NULL;
    if (!k || EVP_PKEY_get_bn_param(k, OSSL_PKEY_PARAM_PRIV_KEY, &bn) != 1)
        return NULL;
    BN_set_flags(bn, BN_FLG_CONSTTIME);
    return bn;
}

bool npa_cam_key_fits(sfc_card *card, const struct eac_ctx *eac)
{
    EVP_PKEY *ca = sfc_key_pkey(sfc_key_find(card, NPA_KEY_CA));
    return ca && eac && eac->pace_ctx && eac->pace_ctx->static_key &&
           EVP_PKEY_parameters_eq(ca, eac->pace_ctx->static_key) == 1;
}

/* The order of the curve of `k`, or NULL. */
static BIGNUM *order_of(const EVP_PKEY *k)
{
    char name[64];
    EC_GROUP *g = NULL;
    BIGNUM *n = NULL;
    if (EVP_PKEY_get_utf8_string_param(k, OSSL_PKEY_PARAM_GROUP_NAME, name,
                                       sizeof(name), NULL) == 1 &&
        (g = EC_GROUP_new_by_curve_name(OBJ_txt2nid(name))))
        n = BN_dup(EC_GROUP_get0_order(g));
    EC_GROUP_free(g);
    return n;
}

/* CA_IC on the length of the group order, into `out`. */
static bool ca_ic(sfc_card *card, const struct eac_ctx *eac, BUF_MEM *out)
{
    EVP_PKEY *ca = sfc_key_pkey(sfc_key_find(card, NPA_KEY_CA));
    BIGNUM *sk = priv_of(ca), *map = priv_of(eac->pace_ctx->static_key);
    BIGNUM *n = order_of(ca), *r = BN_secure_new();
    BN_CTX *bn = BN_CTX_secure_new();
    bool ok = sk && map && n && r && bn &&
              BN_mod_inverse(r, sk, n, bn) && BN_mod_mul(r, r, map, n, bn) &&
              BUF_MEM_grow_clean(out, (size_t)BN_num_bytes(n)) &&
              BN_bn2binpad(r, (unsigned char *)out->data, (int)out->length) > 0;
    BN_clear_free(sk);
    BN_clear_free(map);
    BN_clear_free(r);
    BN_free(n);
    BN_CTX_free(bn);
    return ok;
}

/* SSC := -1 (all ones on the cipher's block), for IV = E(KS_enc, -1). */
static bool ssc_minus_one(const struct eac_ctx *eac)
{
    BIGNUM *ssc = eac->ssc;
    return ssc && BN_set_word(ssc, 0) == 1 && BN_set_bit(ssc, 128) == 1 &&
           BN_sub_word(ssc, 1) == 1;
}

BUF_MEM *npa_cam_data(sfc_card *card, struct eac_ctx *eac)
{
    BUF_MEM *plain = BUF_MEM_new(), *padded = NULL, *enc = NULL;
    if (plain && ca_ic(card, eac, plain) &&
        EAC_CTX_set_encryption_ctx(eac, EAC_ID_PACE) && ssc_minus_one(eac) &&
        (padded = EAC_add_iso_pad(eac, plain)))
        enc = EAC_encrypt(eac, padded);
    EAC_reset_ssc(eac);
    BUF_MEM_clear_free(plain);
    BUF_MEM_clear_free(padded);
    return enc;
}
