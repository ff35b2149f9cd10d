/* SPDX-License-Identifier: LGPL-2.1-or-later */
/**
 * @file epass_face.c
 * @brief DG2 of the ePass card type: the encoded face (ICAO Doc 9303-10
 *        §4.7.2) as an ISO/IEC 19794-5:2005 facial record around a JPEG or
 *        JPEG 2000 image, or around a generated placeholder portrait.
 *
 * DG2 = 75 { 7F61 { 02 01 01 (one instance),
 *                   7F60 { A1 { 80 0101 ICAO header version,
 *                                81 02 facial features,
 *                                87 0101 format owner ISO/IEC JTC 1/SC 37,
 *                                88 0008 format type face image },
 *                          5F2E { facial record } } } }
 *
 * The facial record: a 14-byte header ("FAC\0", "010\0", record length,
 * one image), a 20-byte facial information block (block length, no feature
 * points, gender from the MRZ, the rest unspecified), a 12-byte image
 * information block (full frontal; data type 00 JPEG or 01 JPEG 2000; width,
 * height and colour space from the image) and the image. The reference
 * emulator left out the outer tag 75; inspection software looks for
 * it.
 *
 * No image codec is written here: libjpeg (libjpeg-turbo) reads a JPEG
 * header and encodes the placeholder, from memory, with its error handler
 * turned into a longjmp so that a broken image is an error value, never an
 * exit(). JPEG 2000 images are only probed for their size: the JP2 image
 * header box (ihdr) or the codestream's SIZ marker segment.
 */
#include "core/errtext.h"
#include "cardtypes/epass.h"

#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jpeglib.h>

#include "core/tlv.h"

#define PLACEHOLDER_WIDTH 240
#define PLACEHOLDER_HEIGHT 320
#define PLACEHOLDER_QUALITY 80

/* ISO/IEC 19794-5 codes */
#define FAC_IMAGE_JPEG 0x00
#define FAC_IMAGE_JPEG2000 0x01
#define FAC_FULL_FRONTAL 0x01
#define FAC_CS_UNSPECIFIED 0x00
#define FAC_CS_RGB24 0x01
#define FAC_CS_GREY8 0x03
#define FAC_CS_OTHER 0x04

typedef struct image_info {
    uint8_t type;        /* FAC_IMAGE_* */
    unsigned width, height;
    uint8_t colour_space;
} image_info;

/* ---- libjpeg with errors as values --------------------------------------- */

typedef struct jpeg_guard {
    struct jpeg_error_mgr mgr;
    jmp_buf jump;
} jpeg_guard;

static void guard_exit(j_common_ptr c)
{
    longjmp(((jpeg_guard *)c->err)->jump, 1);
}

static void guard_silent(j_common_ptr c)
{
    (void)c; /* libjpeg would print warnings to stderr */
}

static void guard_init(jpeg_guard *g)
{
    jpeg_std_error(&g->mgr);
    g->mgr.error_exit = guard_exit;
    g->mgr.output_message = guard_silent;
}

/* Everything the decoder touches after setjmp lives here (not in locals). */
typedef struct jpeg_probe {
    jpeg_guard guard;
    struct jpeg_decompress_struct d;
    image_info *info;
    sfc_err rv;
} jpeg_probe;

static sfc_err probe_jpeg(const uint8_t *img, size_t len, image_info *info)
{
    jpeg_probe *p = calloc(1, sizeof(*p));
    if (!p)
        return SFC_E_NOMEM;
    p->info = info;
    guard_init(&p->guard);
    p->d.err = &p->guard.mgr;
    p->rv = SFC_E_FORMAT;
    if (setjmp(p->guard.jump) == 0) {
        jpeg_create_decompress(&p->d);
        jpeg_mem_src(&p->d, img, (unsigned long)len);
        jpeg_read_header(&p->d, TRUE);
        p->info->type = FAC_IMAGE_JPEG;
        p->info->width = p->d.image_width;
        p->info->height = p->d.image_height;
        p->info->colour_space = p->d.num_components == 1 ? FAC_CS_GREY8
                                : p->d.num_components == 3 ? FAC_CS_RGB24
                                : FAC_CS_OTHER;
        p->rv = SFC_OK;
    }
    jpeg_destroy_decompress(&p->d);
    sfc_err rv = p->rv;
    free(p);
    return rv;
}

/* ---- the placeholder ------------------------------------------------------ */

typedef struct rgb {
    uint8_t r, g, b;
} rgb;

static bool in_ellipse(long x, long y, long cx, long cy, long rx, long ry)
{
    long dx = x - cx, dy = y - cy;
    return dx * dx * ry * ry + dy * dy * rx * rx <= rx * rx * ry * ry;
}

/* A neutral head-and-shoulders silhouette, scaled to any size. */
static rgb placeholder_pixel(long x, long y, long w, long h)
{
    long X = x * PLACEHOLDER_WIDTH / w, Y = y * PLACEHOLDER_HEIGHT / h;
    rgb px = {220, 226, 232};                      /* background */
    if (in_ellipse(X, Y, 120, 345, 118, 100))
        px = (rgb){64, 74, 96};                    /* shoulders */
    if (X >= 98 && X <= 142 && Y >= 190 && Y <= 262)
        px = (rgb){214, 178, 150};                 /* neck */
    if (in_ellipse(X, Y, 120, 140, 60, 78))
        px = (rgb){226, 192, 164};                 /* face */
    if (Y < 118 && in_ellipse(X, Y, 120, 112, 66, 62))
        px = (rgb){84, 62, 44};                    /* hair */
    if (in_ellipse(X, Y, 97, 140, 8, 5) || in_ellipse(X, Y, 143, 140, 8, 5))
        px = (rgb){52, 52, 60};                    /* eyes */
    if (in_ellipse(X, Y, 120, 186, 17, 4))
        px = (rgb){166, 92, 92};                   /* mouth */
    return px;
}

typedef struct jpeg_writer {
    jpeg_guard guard;
    struct jpeg_compress_struct c;
    unsigned char *mem;
    unsigned long size;
    uint8_t *row;
    sfc_err rv;
} jpeg_writer;

static void encode_rows(jpeg_writer *wr, unsigned width, unsigned height)
{
    jpeg_start_compress(&wr->c, TRUE);
    for (unsigned y = 0; y < height; y++) {
        for (unsigned x = 0; x < width; x++) {
            rgb px = placeholder_pixel(x, y, width, height);
            wr->row[3 * x] = px.r;
            wr->row[3 * x + 1] = px.g;
            wr->row[3 * x + 2] = px.b;
        }
        JSAMPROW rows[1] = {wr->row};
        jpeg_write_scanlines(&wr->c, rows, 1);
    }
    jpeg_finish_compress(&wr->c);
}

sfc_err epass_face_placeholder(unsigned width, unsigned height, sfc_buf *out)
{
    if (width == 0 || height == 0 || width > 4096 || height > 4096)
        return SFC_E_RANGE;
    jpeg_writer *wr = calloc(1, sizeof(*wr));
    if (!wr || !(wr->row = malloc(3u * width))) {
        free(wr);
        return SFC_E_NOMEM;
    }
    guard_init(&wr->guard);
    wr->c.err = &wr->guard.mgr;
    wr->rv = SFC_E_IO;
    if (setjmp(wr->guard.jump) == 0) {
        jpeg_create_compress(&wr->c);
        jpeg_mem_dest(&wr->c, &wr->mem, &wr->size);
        wr->c.image_width = width;
        wr->c.image_height = height;
        wr->c.input_components = 3;
        wr->c.in_color_space = JCS_RGB;
        jpeg_set_defaults(&wr->c);
        jpeg_set_quality(&wr->c, PLACEHOLDER_QUALITY, TRUE);
        encode_rows(wr, width, height);
        wr->rv = buf_put(out, wr->mem, wr->size) ? SFC_OK : SFC_E_NOMEM;
    }
    jpeg_destroy_compress(&wr->c);
    sfc_err rv = wr->rv;
    free(wr->mem);
    free(wr->row);
    free(wr);
    return rv;
}

/* ---- JPEG 2000 headers ---------------------------------------------------- */

static uint32_t be32(const uint8_t *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 |
           p[3];
}

/* Find box `type` among the boxes in [p, p+len); its contents in *c. */
static bool jp2_box(const uint8_t *p, size_t len, const char *type,
                    const uint8_t **c, size_t *clen)
{
    while (len >= 8) {
        uint64_t size = be32(p);
        size_t hdr = 8;
        if (size == 1) {
            if (len < 16)
                return false;
            size = (uint64_t)be32(p + 8) << 32 | be32(p + 12);
            hdr = 16;
        } else if (size == 0) {
            size = len; /* the last box runs to the end */
        }
        if (size < hdr || size > len)
            return false;
        if (memcmp(p + 4, type, 4) == 0) {
            *c = p + hdr;
            *clen = (size_t)size - hdr;
            return true;
        }
        p += size;
        len -= (size_t)size;
    }
    return false;
}

static uint8_t components_space(unsigned n)
{
    return n == 1 ? FAC_CS_GREY8 : n == 3 ? FAC_CS_RGB24 : FAC_CS_OTHER;
}

/* JP2 file: jp2h { ihdr { HEIGHT WIDTH NC BPC C UnkC IPR } }. */
static sfc_err probe_jp2(const uint8_t *img, size_t len, image_info *info)
{
    const uint8_t *h, *ihdr;
    size_t hlen, ilen;
    if (!jp2_box(img, len, "jp2h", &h, &hlen) ||
        !jp2_box(h, hlen, "ihdr", &ihdr, &ilen) || ilen < 14)
        return SFC_E_FORMAT;
    info->type = FAC_IMAGE_JPEG2000;
    info->height = be32(ihdr);
    info->width = be32(ihdr + 4);
    info->colour_space = components_space(sfc_get_u16be(ihdr + 8));
    return SFC_OK;
}

/* Raw codestream: SOC FF4F, SIZ FF51 {Lsiz Rsiz Xsiz Ysiz XOsiz YOsiz ...}. */
static sfc_err probe_j2k(const uint8_t *img, size_t len, image_info *info)
{
    if (len < 4 + 38)
        return SFC_E_FORMAT;
    const uint8_t *siz = img + 4;
    uint32_t x = be32(siz + 4), y = be32(siz + 8);
    uint32_t x0 = be32(siz + 12), y0 = be32(siz + 16);
    if (x <= x0 || y <= y0)
        return SFC_E_FORMAT;
    info->type = FAC_IMAGE_JPEG2000;
    info->width = x - x0;
    info->height = y - y0;
    info->colour_space = components_space(sfc_get_u16be(siz + 36));
    return SFC_OK;
}

static sfc_err probe_image(const uint8_t *img, size_t len, image_info *info)
{
    static const uint8_t jp2_sig[] = {0x00, 0x00, 0x00, 0x0C, 0x6A, 0x50,
                                      0x20, 0x20, 0x0D, 0x0A, 0x87, 0x0A};
    static const uint8_t j2k_sig[] = {0xFF, 0x4F, 0xFF, 0x51};
    static const uint8_t jpeg_sig[] = {0xFF, 0xD8, 0xFF};
    sfc_err rv = SFC_E_FORMAT;
    if (len > sizeof(jpeg_sig) && memcmp(img, jpeg_sig, 3) == 0)
        rv = probe_jpeg(img, len, info);
    else if (len > sizeof(jp2_sig) && memcmp(img, jp2_sig, 12) == 0)
        rv = probe_jp2(img, len, info);
    else if (len > sizeof(j2k_sig) && memcmp(img, j2k_sig, 4) == 0)
        rv = probe_j2k(img, len, info);
    if (rv == SFC_OK && (info->width == 0 || info->height == 0 ||
                        info->width > 0xFFFF || info->height > 0xFFFF))
        rv = SFC_E_FORMAT;
    return rv;
}

/* ---- the facial record and DG2 ------------------------------------------- */

static void put_u32(sfc_buf *b, uint32_t v)
{
    buf_put_u16be(b, (uint16_t)(v >> 16));
    buf_put_u16be(b, (uint16_t)v);
}

static uint8_t gender_of(char sex)
{
    return sex == 'M' ? 0x01 : sex == 'F' ? 0x02 : 0x00;
}

/* ISO/IEC 19794-5:2005 facial record with one image, no feature points. */
static void put_facial_record(sfc_buf *b, const image_info *info, char sex,
                              const uint8_t *img, size_t len)
{
    static const uint8_t zeros[16] = {0};
    uint32_t block = (uint32_t)(20 + 12 + len);
    buf_put(b, "FAC\0" "010\0", 8);
    put_u32(b, 14 + block);
    buf_put_u16be(b, 1);             /* number of facial images */
    put_u32(b, block);               /* facial information */
    buf_put_u16be(b, 0);             /* feature points */
    buf_put_u8(b, gender_of(sex));
    buf_put(b, zeros, 1 + 1 + 3 + 2 + 3 + 3); /* eyes, hair, mask,
                                                 expression, pose */
    buf_put_u8(b, FAC_FULL_FRONTAL); /* image information */
    buf_put_u8(b, info->type);
    buf_put_u16be(b, (uint16_t)info->width);
    buf_put_u16be(b, (uint16_t)info->height);
    buf_put_u8(b, info->colour_space);
    buf_put(b, zeros, 1 + 2 + 2);    /* source, device, quality: unspecified */
    buf_put(b, img, len);
}

static bool put_dg2(sfc_buf *out, const image_info *info, char sex,
                    const uint8_t *img, size_t len)
{
    static const uint8_t bht[] = {0x80, 0x02, 0x01, 0x01, 0x81, 0x01, 0x02,
                                  0x87, 0x02, 0x01, 0x01, 0x88, 0x02, 0x00,
                                  0x08};
    size_t dg = ber_begin(out, 0x75);
    size_t group = ber_begin(out, 0x7F61);
    ber_put_u8(out, 0x02, 1);
    size_t bit = ber_begin(out, 0x7F60);
    ber_put(out, 0xA1, bht, sizeof(bht));
    size_t bdb = ber_begin(out, 0x5F2E);
    put_facial_record(out, info, sex, img, len);
    return ber_end(out, bdb) && ber_end(out, bit) && ber_end(out, group) &&
           ber_end(out, dg) && !out->failed;
}

sfc_err epass_face_dg2(const uint8_t *image, size_t image_len, char sex,
                      sfc_buf *out, char *err, size_t errlen)
{
    sfc_buf gen;
    image_info info = {FAC_IMAGE_JPEG, PLACEHOLDER_WIDTH, PLACEHOLDER_HEIGHT,
                       FAC_CS_RGB24};
    buf_init(&gen);
    sfc_err rv = SFC_OK;
    if (!image) {
        rv = epass_face_placeholder(PLACEHOLDER_WIDTH, PLACEHOLDER_HEIGHT,
                                    &gen);
        image = gen.data;
        image_len = gen.len;
    } else if ((rv = probe_image(image, image_len, &info)) != SFC_OK) {
        sfc_errf(err, errlen, "photo: not a readable JPEG or JPEG 2000 "
                 "image (JPEG, JP2 file or J2K codestream)");
        return rv;
    }
    if (rv == SFC_OK && !put_dg2(out, &info, sex, image, image_len))
        rv = SFC_E_NOMEM;
    if (rv == SFC_OK && out->len > EPASS_EF_MAX) {
        sfc_errf(err, errlen, "photo: %zu bytes; DG2 must fit a %u-byte "
                 "file (use a smaller image)", image_len, EPASS_EF_MAX);
        rv = SFC_E_RANGE;
    } else if (rv != SFC_OK && rv != SFC_E_RANGE) {
        sfc_errf(err, errlen, "DG2: %s", sfc_strerror(rv));
    }
    buf_free(&gen);
    return rv;
}
