#!/usr/bin/env python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""Write the hand-made seeds of fuzz/corpus/card/ (the inputs fuzz/run
merges into stay as they are). Input format (fuzz_card.c): one byte
choosing the card, then records of a 2-byte big-endian length and that many
APDU bytes; the length FFFF is a warm reset. Run from anywhere:
    fuzz/mkcorpus.py"""
import os

ISO, ISO_SM, HT, EPASS, CF = range(5)
RESET = object()
DIR = os.path.join(os.path.dirname(os.path.abspath(__file__)), "corpus", "card")


def h(s):
    return bytes.fromhex(s.replace(" ", ""))


def seq(card, *apdus):
    out = bytes([card])
    for a in apdus:
        if a is RESET:
            out += b"\xff\xff"
            continue
        b = h(a) if isinstance(a, str) else a
        out += len(b).to_bytes(2, "big") + b
    return out


SEL_MF = "00A4000C023F00"
FCP_EF = "00E000000E 620C 82020101 83021001 80020020"
SEEDS = {
    # iso7816: the ISO 7816-4 card OS
    "iso-select-mf": seq(ISO, "00A40000023F0000", "00A4000400"),
    "iso-select-name": seq(ISO, "00A4040C07A0000002471001", "00A4040000"),
    "iso-read-binary": seq(ISO, SEL_MF, "00A4020C021001", "00B0000000",
                           "00B0800000"),
    "iso-read-ext": seq(ISO, SEL_MF, "00A4020C021001", "00B00000000000"),
    "iso-verify": seq(ISO, "0020000104 31323334", "0020000100",
                      "002C000100"),
    "iso-change-ref": seq(ISO, "0024000108 3132333435363738"),
    "iso-create-update": seq(ISO, SEL_MF, FCP_EF, "00D6000004 01020304",
                             "00B0000004", "00E4000C021001"),
    "iso-create-df": seq(ISO, SEL_MF, "00E0000014 6212 820138 83024000"
                         " 8407 A0000000011234 8A0105",
                         "00A4040C07A0000000011234", "00440000", "0004000000"),
    "iso-records": seq(ISO, SEL_MF, "00E000000D 620B 8205024100080483021002", "00E2000008 0102030405060708",
                       "00B2010400", "00DC010408 1112131415161718",
                       "00B2000200", "00A2000102 1112"),
    "iso-channels": seq(ISO, "0070000001", "01A4000C023F00", "0070800100",
                        "0070000000", "4170000001", RESET, "0070800100"),
    "iso-chaining": seq(ISO, SEL_MF, FCP_EF, "10D6000002 0102",
                        "00D6000202 0304", "00B0000000"),
    "iso-ext-update": seq(ISO, SEL_MF, FCP_EF, "00D6000000000A"
                          + "AB" * 10, "00B00000000000"),
    "iso-challenge-auth": seq(ISO, "0084000008", "0088000008 0102030405060708",
                              "0084000008", "0082000010" + "00" * 16),
    "iso-mse-pso": seq(ISO, "002241B6 06 800191 840101",
                       "002A9E9A 20" + "11" * 32 + "00",
                       "00224 1B8 03 840101".replace(" ", ""),
                       "002A8086 09 00" + "22" * 8 + "00"),
    "iso-get-put-data": seq(ISO, "00CA010100", "00DA010104 01020304",
                            "00CB3FFF 04 5C 02 5F 01 00", "00CA9F7F00"),
    "iso-get-response": seq(ISO, SEL_MF, "00A40000023F00", "00C0000000",
                            "00C0000002", "00B0000001"),
    "iso-malformed": seq(ISO, "", "00", "00A4", "00A40000", "00A40000FF",
                         "00A400000000", "FFA4000000", "00B0000000000001"),
    "iso-search-erase": seq(ISO, SEL_MF, FCP_EF, "000E000000", "00A000000201 02",
                            "00B0000000"),
    "iso-activate": seq(ISO, SEL_MF, FCP_EF, "0004000000", "0044000000",
                        "00E6000000", "00B0000000"),
    # iso7816 under secure messaging (3DES, keys 01..10): commands without
    # a valid MAC end the session; the plain and protected paths run
    "sm-plain": seq(ISO_SM, "00A4000C023F00", "00B0000000"),
    "sm-wrapped": seq(ISO_SM, "0CA4000C15 870901" + "00" * 8
                      + " 8E08" + "00" * 8 + "00"),
    "sm-do97": seq(ISO_SM, "0CB000000D 970100 8E08" + "11" * 8 + "00"),
    # handler_test: pcsc-lite's HandlerTest applet, class 80
    "ht-select": seq(HT, "00A4040006A00000001850", "00A4040006A000000018FF"),
    "ht-case1": seq(HT, "8030000000", "803000000100"),
    "ht-case2": seq(HT, "8034000010", "803400FF00", "80C0000000"),
    "ht-case2-ext": seq(HT, "803401000000000100"),
    "ht-case3": seq(HT, "8032000005 0001020304", "8021000003 000102",
                    "803A000002 0101"),
    "ht-case4": seq(HT, "8036000404 00010203 04", "8023000302 0001 00",
                    "803E000000"),
    "ht-case4-ext": seq(HT, "803600010000000100" + bytes(range(256)).hex()
                        + "0100"),
    "ht-unbound": seq(HT, "803C0005 00".replace(" ", ""), "803C000000"),
    "ht-time": seq(HT, "8038000000"),
    "ht-verify": seq(HT, "8020000004 31323334", "8040000000",
                     "8020000004 00000000", "8040000000"),
    "ht-get-response": seq(HT, "8034000010", "80C0000008", "80C0000008",
                           "80C0000008"),
    "ht-chain": seq(HT, "9032000002 0001", "8032000002 0203"),
    "ht-other": seq(HT, "80FF000000", "00B0000000", RESET, "8030000000"),
    # ePass: an ICAO 9303 passport (BAC keeps the data groups closed)
    "epass-select-app": seq(EPASS, "00A4040C07A0000002471001",
                            "00A4020C02011E", "00B0000004"),
    "epass-cardaccess": seq(EPASS, "00A4020C02011C", "00B0000000"),
    "epass-sfi-read": seq(EPASS, "00A4040C07A0000002471001", "00B09E0000",
                          "00B0810000"),
    "epass-challenge": seq(EPASS, "00A4040C07A0000002471001", "0084000008"),
    "epass-mutual-auth": seq(EPASS, "00A4040C07A0000002471001", "0084000008",
                             "0082000028" + "55" * 40 + "28"),
    "epass-dg1": seq(EPASS, "00A4040C07A0000002471001", "00A4020C020101",
                     "00B0000000"),
    "epass-sod": seq(EPASS, "00A4040C07A0000002471001", "00A4020C02011D",
                     "00B000000000"),
    "epass-ext-read": seq(EPASS, "00A4040C07A0000002471001",
                          "00A4020C02011E", "00B00000000000"),
    "epass-select-mf": seq(EPASS, "00A4000C023F00", "00A40000023F0000"),
    "epass-sm-plain": seq(EPASS, "0CA4020C15 87090100000000000000 00"
                          " 8E080000000000000000 00".replace(" ", "")),
    "epass-int-auth": seq(EPASS, "00A4040C07A0000002471001",
                          "0088000008 0102030405060708 00"),
    "epass-mse": seq(EPASS, "00A4040C07A0000002471001",
                     "0022C1A4 0F 800A04007F00070202040201 830101"),
    "epass-reset": seq(EPASS, "00A4040C07A0000002471001", RESET,
                       "00A4020C02011E", "00B0000004"),
    # cryptoflex: Schlumberger Cryptoflex, class C0/F0
    "cf-select-mf": seq(CF, "C0A40000023F00", "C0C0000010"),
    "cf-serial": seq(CF, "C0A40000023F00", "C0A40000020002", "C0B0000008"),
    "cf-aut1": seq(CF, "C0A40000023F00", "F02A000108 2C15E526E93E8A19"),
    "cf-aut1-wrong": seq(CF, "C0A40000023F00", "F02A000108 0000000000000000",
                         "F02A000108 0000000000000000"),
    "cf-create-ef": seq(CF, "C0A40000023F00", "F02A000108 2C15E526E93E8A19",
                        "F0E0000010 FFFF 0010 2000 01FF 0000 0001 0300 0000",
                        "C0A40000022000", "C0D6000004 01020304",
                        "C0B0000004"),
    "cf-chv": seq(CF, "C0A40000023F00", "F02A000108 2C15E526E93E8A19",
                  "F0E0000010 FFFF 0017 0000 01FF F0F0 0001 0300 0000",
                  "C0D6000017 FFFFFF 3132333400000000 0303"
                  " 3536373800000000 0A0A",
                  "C020000108 3132333400000000", "F022000000"),
    "cf-create-df": seq(CF, "C0A40000023F00", "F02A000108 2C15E526E93E8A19",
                        "F0E0000010 FFFF 0BB8 3000 38FF 0000 0001 0300 0000",
                        "C0A40000023000", "C0C0000000"),
    "cf-list": seq(CF, "C0A40000023F00", "F0A8000000", "F0A8000000"),
    "cf-delete": seq(CF, "C0A40000023F00", "F02A000108 2C15E526E93E8A19",
                     "F0E0000010 FFFF 0010 2001 01FF 0000 0001 0300 0000",
                     "F0E4000002 2001"),
    "cf-keygen": seq(CF, "C0A40000023F00", "F02A000108 2C15E526E93E8A19",
                     "F0E0000010 FFFF 0BB8 3000 38FF 0000 0001 0300 0000",
                     "C0A40000023000",
                     "F0E0000010 FFFF 0146 0012 01FF F1F1 0001 0300 0000",
                     "F0E0000010 FFFF 014A 1012 01FF 0101 0001 0300 0000",
                     "F046004004 01000100"),
    "cf-rsa": seq(CF, "C0A40000023F00", "C088000040" + "01" * 64,
                  "C0C0000000"),
    "cf-iso-class": seq(CF, "00A4000C023F00", "00C0000000", "C0B0800000"),
    "cf-read-errors": seq(CF, "C0B0000000", "C0A4000002FFFF", "C0B0FFFF10"),
}

os.makedirs(DIR, exist_ok=True)
for name, data in SEEDS.items():
    with open(os.path.join(DIR, name), "wb") as f:
        f.write(data)
print(f"{len(SEEDS)} seeds written to {DIR}")
