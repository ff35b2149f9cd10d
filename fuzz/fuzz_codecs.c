/* SPDX-License-Identifier: LGPL-2.1-or-later */
/**
 * @file fuzz_codecs.c
 * @brief libFuzzer target for the codecs: APDU, BER-TLV (validate, iterate,
 *        find), SIMPLE-TLV, COMPACT-TLV, ATR, hex, and the vpcd frame
 *        decoder fed in random-sized pieces.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/apdu.h"
#include "core/atr.h"
#include "core/bytes.h"
#include "core/tlv.h"
#include "vpcd/frame.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void tlv(const uint8_t *data, size_t size)
{
    ber_validate(data, size, true, 16);
    ber_iter it;
    ber_tlv t;
    ber_iter_init(&it, data, size, true);
    while (ber_iter_next(&it, &t) == SFC_OK)
        ber_find(t.value, t.len, 0x83, &t);
    size_t off = 0;
    simple_tlv s;
    while (simple_tlv_next(data, size, &off, &s) == SFC_OK)
        ;
    off = 0;
    compact_tlv c;
    while (compact_tlv_next(data, size, &off, &c) == SFC_OK)
        ;
}

static void frames(const uint8_t *data, size_t size)
{
    vpcd_decoder d;
    if (vpcd_decoder_init(&d) != SFC_OK)
        abort();
    size_t off = 0, piece = size ? data[0] % 7 + 1 : 1;
    while (off < size) {
        size_t n = size - off < piece ? size - off : piece;
        while (n > 0) {
            const uint8_t *f;
            size_t fl;
            bool done = false;
            size_t used = vpcd_decoder_feed(&d, data + off, n, &f, &fl, &done);
            if (used > n || (done && fl > VPCD_MAX_PAYLOAD))
                abort();
            off += used;
            n -= used;
            if (!done && used == 0)
                abort();
        }
    }
    vpcd_decoder_free(&d);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    apdu a;
    if (apdu_parse(data, size, &a) == SFC_OK) {
        uint8_t out[70000];
        size_t n;
        if (apdu_encode(&a, out, sizeof(out), &n) != SFC_OK || n != size ||
            memcmp(out, data, n) != 0)
            abort(); /* every valid APDU re-encodes to itself */
    }
    atr_info info;
    if (atr_parse(data, size, &info) == SFC_OK) {
        uint8_t out[SFC_ATR_MAX];
        size_t n;
        if (atr_build(&info, out, sizeof(out), &n) != SFC_OK)
            abort();
    }
    tlv(data, size);
    frames(data, size);
    char text[512];
    size_t tn = size < sizeof(text) - 1 ? size : sizeof(text) - 1;
    memcpy(text, data, tn);
    text[tn] = '\0';
    uint8_t bytes[256];
    size_t bn;
    hex_decode(text, bytes, sizeof(bytes), &bn);
    return 0;
}
