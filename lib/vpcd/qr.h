/* SPDX-License-Identifier: LGPL-2.1-or-later */
/**
 * @file qr.h
 * @brief QR codes for the terminal, used to show the vicc:// URL in
 *        reversed mode so that a phone app (ACardEmulator) can scan it.
 */
#ifndef SFC_VPCD_QR_H
#define SFC_VPCD_QR_H

#include "softcard.h"

enum vpcd_qr_flags {
    /** Set colours explicitly (white modules on black) with ANSI escapes,
     *  so the code scans on dark and light terminals alike. Without it,
     *  dark modules are drawn as blocks (for a light background). */
    VPCD_QR_ANSI = 1
};

/** Quiet zone around the symbol, in modules (ISO/IEC 18004 asks for 4). */
#define VPCD_QR_QUIET 4

/**
 * Render `text` as a QR code (error correction level L) in Unicode half
 * blocks: each text line holds two module rows, every line ends in '\n'.
 * On success `*out` is a NUL-terminated string to free(). SFC_E_RANGE if
 * the text is too long for a QR code, SFC_E_NOMEM on allocation failure.
 */
sfc_err vpcd_qr_render(const char *text, unsigned flags, char **out);

#endif
