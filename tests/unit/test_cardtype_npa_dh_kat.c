/* SPDX-License-Identifier: LGPL-2.1-or-later */
/**
 * @file test_cardtype_npa_dh_kat.c
 * @brief PACE over DH (Generic Mapping, parameter ID 0: the 1024-bit MODP
 *        group with a 160-bit subgroup, AES-128), card side, byte for byte
 *        as the BSI EAC worked example §6.4 prints it (PIN 123456).
 *
 * The nonce s comes from the card's scripted RNG, as in the ECDH known
 * answers of test_cardtype_npa.c. The chip's two DH private keys of the
 * example have 1024 bits, while OpenSSL draws DH exponents below the
 * 160-bit q, so no scripted random bytes can make them. This test instead
 * hands the example's private keys to OpenPACE's key generation: after
 * MSE:Set AT it replaces the two generation functions of the card's PACE
 * context (OpenPACE's public PACE_CTX/KA_CTX members) by ones that set the
 * given private key and let OpenSSL compute the public value. Everything
 * else (the encrypted nonce, the generator mapping, the shared secret, the
 * session keys, both tokens) is the card's own OpenPACE run: the card must
 * answer z, PK_Map,PICC, PK_PICC and T_PICC as printed, and accept T_PCD.
 * The values are those of the BSI document (also embedded in OpenPACE's
 * eactest.c).
 */
/* OpenPACE's DH keys are OpenSSL's legacy DH objects. */
#define OPENSSL_SUPPRESS_DEPRECATED 1

#include "cardtest.h"

#include <openssl/bn.h>
#include <openssl/dh.h>
#include <openssl/evp.h>

#include <eac/eac.h>

#include "cardtypes/npa.h"
#include "core/rng.h"
#include "os/card.h"

#define BSI_DH_S \
    "FA5B7E3E49753A0DB9178B7B9BD898C8"
#define BSI_DH_Z \
    "9ABB8864CA0FF1551E620D1EF4E13510"
#define BSI_DH_PK_MAP_PCD \
    "23FB3749EA030D2A25B278D2A562047ADE3F01B74F17A15402CB7352CA7D2B3E" \
    "B71C343DB13D1DEBCE9A3666DBCFC920B49174A602CB47965CAA73DC702489A4" \
    "4D41DB914DE9613DC5E98C94160551C0DF86274B9359BC0490D01B03AD54022D" \
    "CB4F57FAD6322497D7A1E28D46710F461AFE710FBBBC5F8BA166F4311975EC6C"
#define BSI_DH_SK_MAP_PICC \
    "4EC025E40C6D10B2AAF6FCAC98C4244F57481A4961F3ADC372A95E40E0CC3555" \
    "F73CCFC65E9DB956DD61B143E0C7DC519E7DD8EDD8E3E46A094CF2264FD193D0" \
    "BC4BC05CDE6CA44319C2439FD04A46443C8D0494487F6F2FE9AC8BE9B9EE16A3" \
    "D242668CBA4FFD42EEAC36509E16B4D1E6E8EE0025FF8244B190F57D441EC328"
#define BSI_DH_PK_MAP_PICC \
    "78879F57225AA8080D52ED0FC890A4B25336F699AA89A2D3A189654AF70729E6" \
    "23EA5738B26381E4DA19E004706FACE7B235C2DBF2F38748312F3C98C2DD4882" \
    "A41947B324AA1259AC22579DB93F7085655AF30889DBB845D9E6783FE42C9F24" \
    "49400306254C8AE8EE9DD812A804C0B66E8CAFC14F84D8258950A91B44126EE6"
#define BSI_DH_PK_PCD \
    "907D89E2D425A178AA81AF4A7774EC8E388C115CAE67031E85EECE520BD91155" \
    "1B9AE4D04369F29A02626C86FBC6747CC7BC352645B6161A2A42D44EDA80A08F" \
    "A8D61B76D3A154AD8A5A51786B0BC07147057871A922212C5F67F43173172236" \
    "B7747D1671E6D692A3C7D40A0C3C5CE397545D015C175EB5130551EDBC2EE5D4"
#define BSI_DH_SK_PICC \
    "020F018C7284B047FA7721A337EFB7ACB1440BB30C5252BD41C97C30C994BB78" \
    "E9F0C5B32744D84017D21FFA6878396A6469CA283EF5C000DAF7D261A39AB886" \
    "0ED4610AB5343390897AAB5A7787E4FAEFA0649C6A94FDF82D991E8E3FC332F5" \
    "142729E7040A3F7D5A4D3CD75CBEE1F043C1CAD2DD484FEB4ED22B597D36688E"
#define BSI_DH_PK_PICC \
    "075693D9AE941877573E634B6E644F8E60AF17A0076B8B123D9201074D36152B" \
    "D8B3A213F53820C42ADC79AB5D0AEEC3AEFB91394DA476BD97B9B14D0A65C1FC" \
    "71A0E019CB08AF55E1F729005FBA7E3FA5DC41899238A250767A6D46DB974064" \
    "386CD456743585F8E5D90CC8B4004B1F6D866C79CE0584E49687FF61BC29AEA1"
#define BSI_DH_T_PCD \
    "B46DD9BD4D98381F"
#define BSI_DH_T_PICC \
    "917F37B5C0E6D8D1"

/* id-PACE-DH-GM-AES-CBC-CMAC-128 with the PIN */
#define MSE_PACE_DH_PIN "0022C1A40F800A04007F00070202040102830103"

/* Set private key `priv_hex` in `key` (domain parameters already there),
 * let OpenSSL compute the public value, return it as OpenPACE does. */
static BUF_MEM *fixed_dh_key(EVP_PKEY *key, const char *priv_hex)
{
    static uint8_t priv[256];
    size_t n = tu_hex(priv_hex, priv, sizeof(priv));
    DH *dh = EVP_PKEY_get1_DH(key);
    BIGNUM *x = BN_bin2bn(priv, (int)n, NULL);
    BUF_MEM *pub = NULL;
    if (dh && x && DH_set0_key(dh, NULL, x)) {
        x = NULL; /* owned by dh */
        const BIGNUM *y = NULL;
        if (DH_generate_key(dh) && EVP_PKEY_set1_DH(key, dh)) {
            DH_get0_key(dh, &y, NULL);
            pub = BUF_MEM_new();
        }
        if (pub && BUF_MEM_grow(pub, (size_t)BN_num_bytes(y)))
            BN_bn2bin(y, (unsigned char *)pub->data);
    }
    BN_free(x);
    DH_free(dh);
    return pub;
}

static BUF_MEM *map_key(const PACE_CTX *ctx, BN_CTX *bn_ctx)
{
    (void)bn_ctx;
    return fixed_dh_key(ctx->static_key, BSI_DH_SK_MAP_PICC);
}

static BUF_MEM *eph_key(EVP_PKEY *key, BN_CTX *bn_ctx)
{
    (void)bn_ctx;
    return fixed_dh_key(key, BSI_DH_SK_PICC);
}

static sfc_rng_script script;
static sfc_rng rng;

static sfc_card *bsi_dh_card(void)
{
    static uint8_t s[16];
    tu_hex(BSI_DH_S, s, sizeof(s));
    rng = sfc_rng_script_make(&script, s, sizeof(s));
    static const sfc_param p[] = {{"pin", "123456"}, {"pace-dh-first", ""}};
    sfc_card_options o = {.params = p, .n_params = 2, .rng = &rng};
    return ct_card_ex("nPA", &o);
}

/* After MSE:Set AT made the card's PACE context: the example's keys. */
static void use_example_keys(sfc_card *card)
{
    npa_session *s = npa_session_get(card);
    assert_non_null(s);
    assert_non_null(s->eac);
    EAC_CTX *ctx = s->eac;
    assert_non_null(ctx->pace_ctx);
    assert_non_null(ctx->pace_ctx->ka_ctx);
    ctx->pace_ctx->map_generate_key = map_key;
    ctx->pace_ctx->ka_ctx->generate_key = eph_key;
}

/* Lengths: 7C 81 83 {8x 81 80 <128 bytes>}, Lc 86. */
#define GA_DH(tag, value) "10860000867C8183" tag "8180" value "00"
#define GA_DH_ANSWER(tag, value) "7C8183" tag "8180" value "9000"

/* MSE:Set AT and GA1-GA3 of the example: z, PK_Map,PICC, PK_PICC as
 * printed. Returns the card, waiting for the terminal's token. */
static sfc_card *run_to_token(void)
{
    sfc_card *card = bsi_dh_card();
    ct_expect(card, MSE_PACE_DH_PIN, "9000");
    use_example_keys(card);
    static const ct_step steps[] = {
        {"10860000027C0000", "7C128010" BSI_DH_Z "9000"},
        {GA_DH("81", BSI_DH_PK_MAP_PCD), GA_DH_ANSWER("82", BSI_DH_PK_MAP_PICC)},
        {GA_DH("83", BSI_DH_PK_PCD), GA_DH_ANSWER("84", BSI_DH_PK_PICC)},
    };
    CT_RUN(card, steps);
    return card;
}

static void test_bsi_dh(void **state)
{
    (void)state;
    sfc_card *card = run_to_token();
    ct_expect(card, "008600000C7C0A8508" BSI_DH_T_PCD "00",
              "7C0A8608" BSI_DH_T_PICC "9000");
    assert_true(npa_pace_done(card));
    sfc_card_free(card);
}

/* The same run with a wrong terminal token: refused, PACE not done. */
static void test_bsi_dh_wrong_token(void **state)
{
    (void)state;
    sfc_card *card = run_to_token();
    ct_expect(card, "008600000C7C0A85080000000000000000" "00", "6300");
    assert_false(npa_pace_done(card));
    sfc_card_free(card);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_bsi_dh),
        cmocka_unit_test(test_bsi_dh_wrong_token),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
