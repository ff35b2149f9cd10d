/* SPDX-License-Identifier: LGPL-2.1-or-later */
/**
 * @file sw.c
 * @brief Texts for the interindustry status words of ISO/IEC 7816-4.
 *
 * The texts are used in logs (-vvv shows every response with its meaning)
 * and by the client tools, so sw_text() must accept any 16-bit value and
 * never return NULL. Fixed values and small ranges (such as 6202..6280,
 * "triggering by the card") live in one data table; the three families that
 * carry a number in SW2 (61xx, 63Cx, 6Cxx) get a text with that number.
 *
 * Those numbered texts are formatted once, on first use, into static tables
 * (guarded by pthread_once), so that every returned pointer is stable for
 * the life of the process and two texts can be used in one printf.
 */
#include "core/sw.h"

#include <pthread.h>
#include <stddef.h>
#include <stdio.h>

/** A status word or an inclusive range of them with one meaning. */
typedef struct sw_entry {
    uint16_t first, last;
    const char *text;
} sw_entry;

#define SW_ONE(sw, text) {(sw), (sw), (text)}

static const sw_entry sw_table[] = {
    SW_ONE(0x9000, "success"),

    SW_ONE(0x6200, "warning: no information given (memory unchanged)"),
    {0x6202, 0x6280, "warning: triggering by the card (memory unchanged)"},
    SW_ONE(0x6281, "warning: part of returned data may be corrupted"),
    SW_ONE(0x6282, "warning: end of file or record reached before reading "
                   "Ne bytes"),
    SW_ONE(0x6283, "warning: selected file deactivated"),
    SW_ONE(0x6284, "warning: file control information not formatted "
                   "according to ISO 7816-4"),
    SW_ONE(0x6285, "warning: selected file in termination state"),
    SW_ONE(0x6286, "warning: no input data available from a sensor on the "
                   "card"),
    SW_ONE(0x6287, "warning: at least one of the referenced records is "
                   "deactivated"),

    SW_ONE(0x6300, "warning: no information given (memory changed)"),
    SW_ONE(0x6340, "warning: unsuccessful comparison"),
    SW_ONE(0x6381, "warning: file filled up by the last write"),

    SW_ONE(0x6400, "execution error: no information given (memory "
                   "unchanged)"),
    SW_ONE(0x6401, "execution error: immediate response required by the "
                   "card"),
    {0x6402, 0x6480, "execution error: triggering by the card"},
    SW_ONE(0x6500, "execution error: no information given (memory changed)"),
    SW_ONE(0x6581, "execution error: memory failure"),
    {0x6600, 0x66FF, "execution error: security-related issue"},

    SW_ONE(0x6700, "wrong length"),

    SW_ONE(0x6800, "functions in CLA not supported"),
    SW_ONE(0x6881, "logical channel not supported"),
    SW_ONE(0x6882, "secure messaging not supported"),
    SW_ONE(0x6883, "last command of the chain expected"),
    SW_ONE(0x6884, "command chaining not supported"),

    SW_ONE(0x6900, "command not allowed"),
    SW_ONE(0x6981, "command incompatible with file structure"),
    SW_ONE(0x6982, "security status not satisfied"),
    SW_ONE(0x6983, "authentication method blocked"),
    SW_ONE(0x6984, "reference data not usable"),
    SW_ONE(0x6985, "conditions of use not satisfied"),
    SW_ONE(0x6986, "command not allowed (no current EF)"),
    SW_ONE(0x6987, "expected secure messaging data objects missing"),
    SW_ONE(0x6988, "incorrect secure messaging data objects"),

    SW_ONE(0x6A00, "wrong parameters P1-P2"),
    SW_ONE(0x6A80, "incorrect parameters in the command data field"),
    SW_ONE(0x6A81, "function not supported"),
    SW_ONE(0x6A82, "file or application not found"),
    SW_ONE(0x6A83, "record not found"),
    SW_ONE(0x6A84, "not enough memory space in the file"),
    SW_ONE(0x6A85, "Nc inconsistent with TLV structure"),
    SW_ONE(0x6A86, "incorrect parameters P1-P2"),
    SW_ONE(0x6A87, "Nc inconsistent with parameters P1-P2"),
    SW_ONE(0x6A88, "referenced data or reference data not found"),
    SW_ONE(0x6A89, "file already exists"),
    SW_ONE(0x6A8A, "DF name already exists"),

    SW_ONE(0x6B00, "wrong parameters P1-P2 (e.g. offset outside the EF)"),
    SW_ONE(0x6D00, "instruction code not supported or invalid"),
    SW_ONE(0x6E00, "class not supported"),
    SW_ONE(0x6F00, "no precise diagnosis"),
};

static const char sw_unknown_text[] = "unknown status word";

/* ---- families with a number in SW2 ------------------------------------ */

/** Longest numbered text, with room to spare. */
#define SW_TEXT_MAX 64

static char bytes_available_text[256][SW_TEXT_MAX]; /* 61xx */
static char wrong_le_text[256][SW_TEXT_MAX];        /* 6Cxx */
static char counter_text[16][SW_TEXT_MAX];          /* 63Cx */
static pthread_once_t numbered_texts_once = PTHREAD_ONCE_INIT;

/** SW2 counts bytes; 00 stands for 256 as in a short Le. */
static unsigned sw2_byte_count(unsigned sw2)
{
    return sw2 == 0 ? 256 : sw2;
}

static const char *plural_s(unsigned n)
{
    return n == 1 ? "" : "s";
}

static void format_numbered_texts(void)
{
    for (unsigned sw2 = 0; sw2 < 256; sw2++) {
        unsigned n = sw2_byte_count(sw2);
        snprintf(bytes_available_text[sw2], SW_TEXT_MAX,
                 "%u%s byte%s still available", n,
                 sw2 == 0 ? " or more" : "", plural_s(n));
        snprintf(wrong_le_text[sw2], SW_TEXT_MAX,
                 "wrong Le field: %u byte%s available", n, plural_s(n));
    }
    for (unsigned x = 0; x < 16; x++)
        snprintf(counter_text[x], SW_TEXT_MAX,
                 "warning: counter is %u (e.g. tries left)", x);
}

/** The text of a numbered family member, or NULL if `sw` is in none. */
static const char *numbered_text(uint16_t sw)
{
    unsigned sw1 = sw >> 8, sw2 = sw & 0xFFu;
    bool numbered = sw1 == 0x61 || sw1 == 0x6C || (sw & 0xFFF0u) == 0x63C0u;
    if (!numbered)
        return NULL;
    pthread_once(&numbered_texts_once, format_numbered_texts);
    if (sw1 == 0x61)
        return bytes_available_text[sw2];
    if (sw1 == 0x6C)
        return wrong_le_text[sw2];
    return counter_text[sw2 & 0x0Fu];
}

/* ---- lookup ----------------------------------------------------------- */

const char *sw_text(uint16_t sw)
{
    const char *text = numbered_text(sw);
    if (text)
        return text;
    for (size_t i = 0; i < sizeof(sw_table) / sizeof(sw_table[0]); i++) {
        if (sw >= sw_table[i].first && sw <= sw_table[i].last)
            return sw_table[i].text;
    }
    return sw_unknown_text;
}

bool sw_is_success(uint16_t sw)
{
    return sw == SW_OK || (sw >> 8) == 0x61;
}

bool sw_is_warning(uint16_t sw)
{
    return (sw >> 8) == 0x62 || (sw >> 8) == 0x63;
}
