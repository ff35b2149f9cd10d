/* SPDX-License-Identifier: LGPL-2.1-or-later */
/**
 * @file sw_tables.c
 * @brief The built-in status-word checkers as data: one table per
 *        standard, each row "SW1, SW2 range, class, text".
 *
 * The rows reproduce pyscard's checkers (ISO 7816-4, its SW1-only
 * variant, ISO 7816-8, ISO 7816-9, Open Platform 2.1), whose unit tests
 * sweep every SW1/SW2 pair; ours do the same. What a checker does not
 * list it does not object to: 9000, 61xx and (except for the SW1-only
 * checker) 6Cxx pass, since they are not errors for a careful caller.
 */
#include "scio/errcheck.h"

#define W SCIO_SW_WARNING
#define E SCIO_SW_EXECUTION
#define S SCIO_SW_SECURITY
#define C SCIO_SW_CHECKING

static const sw_rule iso7816_4_rules[] = {
    {0x62, 0x00, 0x00, W, "Response padded"},
    {0x62, 0x81, 0x81, W, "Part of returned data may be corrupted"},
    {0x62, 0x82, 0x82, W, "End of file or record reached before reading Le bytes"},
    {0x62, 0x83, 0x83, W, "Selected file invalidated"},
    {0x62, 0x84, 0x84, W, "FCI not formatted according to ISO 7816-4"},
    {0x62, 0xFF, 0xFF, W, "Correct execution, response padded"},
    {0x63, 0x00, 0x00, W, "Authentication failed"},
    {0x63, 0x81, 0x81, W, "File filled up by the last write"},
    {0x63, 0xC0, 0xCF, W, "Counter: X tries left (SW2 low nibble)"},
    {0x64, 0x00, 0x00, E, "Integrity error detected in EEPROM"},
    {0x67, 0x00, 0x00, C, "Wrong length"},
    {0x68, 0x81, 0x81, C, "Logical channel not supported"},
    {0x68, 0x82, 0x82, C, "Secure messaging not supported"},
    {0x69, 0x81, 0x81, C, "Command incompatible with file structure"},
    {0x69, 0x82, 0x82, C, "Security status not satisfied"},
    {0x69, 0x83, 0x83, C, "Authentication method blocked"},
    {0x69, 0x84, 0x84, C, "Referenced data invalidated"},
    {0x69, 0x85, 0x85, C, "Conditions of use not satisfied"},
    {0x69, 0x86, 0x86, C, "Command not allowed (no current EF)"},
    {0x69, 0x87, 0x87, C, "Expected secure messaging data objects missing"},
    {0x69, 0x88, 0x88, C, "Secure messaging data objects incorrect"},
    {0x6A, 0x80, 0x80, C, "Incorrect parameters in the data field"},
    {0x6A, 0x81, 0x81, C, "Function not supported"},
    {0x6A, 0x82, 0x82, C, "File not found"},
    {0x6A, 0x83, 0x83, C, "Record not found"},
    {0x6A, 0x84, 0x84, C, "Not enough memory space in the file"},
    {0x6A, 0x85, 0x85, C, "Lc inconsistent with TLV structure"},
    {0x6A, 0x86, 0x86, C, "Incorrect parameters P1-P2"},
    {0x6A, 0x87, 0x87, C, "Lc inconsistent with P1-P2"},
    {0x6A, 0x88, 0x88, C, "Referenced data not found"},
    {0x6B, 0x00, 0x00, C, "Incorrect parameters P1-P2"},
    {0x6D, 0x00, 0x00, C, "Instruction (INS) not supported"},
    {0x6E, 0x00, 0x00, C, "Class (CLA) not supported"},
    {0x6F, 0x00, 0x00, C, "Fatal error"},
};

static const sw_rule iso7816_4_sw1_rules[] = {
    {0x62, 0x00, 0xFF, W, "State of non-volatile memory unchanged"},
    {0x63, 0x00, 0xFF, W, "State of non-volatile memory changed"},
    {0x64, 0x00, 0xFF, E, "State of non-volatile memory unchanged"},
    {0x65, 0x00, 0xFF, E, "State of non-volatile memory changed"},
    {0x66, 0x00, 0xFF, S, "Security-related issue"},
    {0x67, 0x00, 0xFF, C, "Wrong length"},
    {0x68, 0x00, 0xFF, C, "Functions in CLA not supported"},
    {0x69, 0x00, 0xFF, C, "Command not allowed"},
    {0x6A, 0x00, 0xFF, C, "Wrong parameters P1-P2"},
    {0x6B, 0x00, 0xFF, C, "Wrong parameters P1-P2"},
    {0x6C, 0x00, 0xFF, C, "Wrong length Le (SW2 = exact length)"},
    {0x6D, 0x00, 0xFF, C, "Instruction code not supported or invalid"},
    {0x6E, 0x00, 0xFF, C, "Class not supported"},
    {0x6F, 0x00, 0xFF, C, "No precise diagnosis"},
};

static const sw_rule iso7816_8_rules[] = {
    {0x63, 0x00, 0x00, W, "No information given (verification failed)"},
    {0x63, 0xC0, 0xCF, W, "Counter: X tries left (SW2 low nibble)"},
    {0x65, 0x81, 0x81, E, "Memory failure"},
    {0x66, 0x00, 0x00, S, "Environment cannot be set or modified"},
    {0x66, 0x87, 0x87, S, "Expected secure messaging data object missing"},
    {0x66, 0x88, 0x88, S, "Secure messaging data object incorrect"},
    {0x67, 0x00, 0x00, C, "Wrong length"},
    {0x68, 0x83, 0x83, C, "Final command expected"},
    {0x68, 0x84, 0x84, C, "Command chaining not supported"},
    {0x69, 0x82, 0x82, C, "Security status not satisfied"},
    {0x69, 0x83, 0x83, C, "Authentication method blocked"},
    {0x69, 0x84, 0x84, C, "Referenced data invalidated"},
    {0x69, 0x85, 0x85, C, "Conditions of use not satisfied"},
    {0x6A, 0x81, 0x81, C, "Function not supported"},
    {0x6A, 0x82, 0x82, C, "File not found"},
    {0x6A, 0x86, 0x86, C, "Incorrect parameters P1-P2"},
    {0x6A, 0x88, 0x88, C, "Referenced data not found"},
};

static const sw_rule iso7816_9_rules[] = {
    {0x62, 0x82, 0x82, W, "End of file reached before reading Le bytes"},
    {0x64, 0x00, 0x00, E, "Execution error, no precise diagnosis"},
    {0x69, 0x82, 0x82, C, "Security status not satisfied"},
    {0x6A, 0x80, 0x80, C, "Incorrect parameters in the data field"},
    {0x6A, 0x84, 0x84, C, "Not enough memory space"},
    {0x6A, 0x89, 0x89, C, "File already exists"},
    {0x6A, 0x8A, 0x8A, C, "DF name already exists"},
};

static const sw_rule op21_rules[] = {
    {0x62, 0x83, 0x83, W, "Card life cycle state is CARD_LOCKED"},
    {0x63, 0x00, 0x00, W, "Authentication of host cryptogram failed"},
    {0x64, 0x00, 0x00, E, "Execution error, no specific diagnosis"},
    {0x65, 0x81, 0x81, E, "Memory failure"},
    {0x67, 0x00, 0x00, C, "Wrong length in Lc"},
    {0x69, 0x82, 0x82, C, "Security status not satisfied"},
    {0x69, 0x85, 0x85, C, "Conditions of use not satisfied"},
    {0x6A, 0x80, 0x80, C, "Incorrect values in command data"},
    {0x6A, 0x81, 0x81, C, "Function not supported"},
    {0x6A, 0x82, 0x82, C, "Application not found"},
    {0x6A, 0x84, 0x84, C, "Not enough memory space"},
    {0x6A, 0x86, 0x86, C, "Incorrect parameters P1-P2"},
    {0x6A, 0x88, 0x88, C, "Referenced data not found"},
    {0x6D, 0x00, 0x00, C, "Instruction not supported or invalid"},
    {0x6E, 0x00, 0x00, C, "Class not supported"},
    {0x94, 0x84, 0x84, C, "Algorithm not supported"},
    {0x94, 0x85, 0x85, C, "Invalid key check value"},
};

#define TABLE(name, rules) {name, rules, sizeof(rules) / sizeof(rules[0])}

static const scio_sw_checker checker_iso7816_4 =
    TABLE("ISO7816-4", iso7816_4_rules);
static const scio_sw_checker checker_iso7816_4_sw1 =
    TABLE("ISO7816-4 SW1", iso7816_4_sw1_rules);
static const scio_sw_checker checker_iso7816_8 =
    TABLE("ISO7816-8", iso7816_8_rules);
static const scio_sw_checker checker_iso7816_9 =
    TABLE("ISO7816-9", iso7816_9_rules);
static const scio_sw_checker checker_op21 =
    TABLE("OP 2.1", op21_rules);

const scio_sw_checker *scio_checker_iso7816_4(void)
{
    return &checker_iso7816_4;
}

const scio_sw_checker *scio_checker_iso7816_4_sw1(void)
{
    return &checker_iso7816_4_sw1;
}

const scio_sw_checker *scio_checker_iso7816_8(void)
{
    return &checker_iso7816_8;
}

const scio_sw_checker *scio_checker_iso7816_9(void)
{
    return &checker_iso7816_9;
}

const scio_sw_checker *scio_checker_op21(void)
{
    return &checker_op21;
}
