#!/usr/bin/env python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""Write the hand-made seeds of fuzz/corpus/card/, sm/, driver/ and scio/
(the inputs fuzz/run merges into stay as they are; the encrypted-image seeds
come from mkimage_seeds.c). Input format (fuzz_card.c): one byte
choosing the card, then records of a 2-byte big-endian length and that many
APDU bytes; the length FFFF is a warm reset. Run from anywhere:
    fuzz/mkcorpus.py"""
import os

ISO, ISO_SM, HT, EPASS, CF, PIV, PGP, NPA, NPA_IM, NPA_CAM = range(10)
RESET = object()
DIR = os.path.join(os.path.dirname(os.path.abspath(__file__)), "corpus", "card")


def h(s):
    return bytes.fromhex(s.replace(" ", ""))


def lc(header, data):
    """A short command APDU: header, Lc computed, data."""
    d = h(data)
    return header + "%02X" % len(d) + d.hex()


def create(fcp_body):
    """CREATE FILE with the FCP template 62 built around `fcp_body`."""
    b = h(fcp_body)
    return lc("00E00000", "62%02X" % len(b) + b.hex())


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
VERIFY_OK = "0020000104 31323334"
GEN_EC = "00460082 05 B6038001 98 00"
# MSE:Set AT for PACE, id-PACE-ECDH-GM-AES-CBC-CMAC-128, password 03 (PIN)
NPA_MSE_PIN = "0022C1A4 0F 800A04007F00070202040202 830103"
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
    # PSO and GENERATE ASYMMETRIC KEY PAIR (EC P-256: fast enough to fuzz)
    "iso-pso-ec": seq(ISO, VERIFY_OK, GEN_EC, "00468082 00",
                      "002241B6 06 800132 840182", "002A9E9A 20" + "11" * 32
                      + " 00", "002241A6 03 840182",
                      "002A8086 42 00 04" + "22" * 64 + " 00"),
    "iso-pso-hash": seq(ISO, VERIFY_OK, "002A9080 05 68656C6C6F 00",
                        "002241AA 03 800170", "002A90A0 07 8005 68656C6C6F 00",
                        "002A90A0 02 8100", "002241AA 03 800177",
                        "002A9080 05 68656C6C6F 00"),
    "iso-pso-errors": seq(ISO, "002A9E9A 20" + "11" * 32 + " 00",
                          VERIFY_OK, "002241B6 06 800132 8401FF",
                          "002A9E9A 00", "00460000 00", "002281B6 03 830191",
                          "002A8E80 08 0102030405060708 00"),
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
    # security attributes (lib/os/access.c): compact 8C, expanded AB with
    # 90/97/9E/A4/B6/A0/AF, 8B and 86, and the life cycle
    "iso-access-compact": seq(ISO, SEL_MF, create("82020101 83021011 80020020 8A0105 8C0303FF10"),
                              "00A4020C021011", "00D6000002 0102",
                              "00B0000002", VERIFY_OK, "00D6000002 0102",
                              "00B0000002", "0004000000", "00B0000002",
                              "0044000000", "00E6000000", "00B0000002",
                              "00E4000000"),
    "iso-access-expanded": seq(ISO, SEL_MF, create("82020101 83021012 80020010 8A0105 AB29 800101 9000"
                               " 800102 A406 830101 950108 8401D6 9700"
                               " 800140 9E01FF 800104 A004 9000 9700"
                               " 800108 AF04 9000 B600"),
                               "00A4020C021012", "00B0000004",
                               "00D6000002 0102", VERIFY_OK,
                               "00D6000002 0102", "0004000000",
                               "0044000000", "00E4000000"),
    "iso-access-arr": seq(ISO, SEL_MF, create("82020101 83021013 80020010 8A0105 8B03 6F0101"), "00A4020C021013",
                          "00B0000004", SEL_MF, create("82020101 83021014 80020010 8A0105 8603 000000"),
                          "00A4020C021014", "00B0000004",
                          create("82020101 83021015 80020010 8A0105 8C0201 40"), "00A4020C021015", "00B0000001"),
    "iso-access-df": seq(ISO, SEL_MF, create("820138 83024100 8407A0000000019999 8A0105 8C0245FF"),
                         "00A4040C07A0000000019999", FCP_EF,
                         "00A4000C023F00", "00E4000C024100",
                         VERIFY_OK, "00A4000C023F00", "00E4000C024100"),
    # records (lib/os/record.c): linear fixed, linear variable and cyclic;
    # every READ RECORD mode, SFI references, SEARCH, ERASE, WRITE, DD ops
    "iso-records-modes": seq(ISO, SEL_MF, create("8205 02410008 04 83021020 8801 18"),
                             "00E2000008 0102030405060708",
                             "00E2000008 090A0B0C0D0E0F10",
                             "00E2000008 1112131415161718", "00B2010400",
                             "00B2010500", "00B2030600", "00B2000000",
                             "00B2000100", "00B2000200", "00B2000300",
                             "00B2001C00", "00B2011C00", "00B2050400",
                             "00B2000700", "00B2FF0400"),
    "iso-records-variable": seq(ISO, SEL_MF, create("8202 0400 83021021 80020040"), "00E2000003 010203",
                                "00E2000001 FF", "00B2010400", "00B2020400",
                                "00DC010404 11223344", "00DC020000",
                                "00D2010402 AABB", "000C010400",
                                "000C010500", "00B2010400"),
    # odd-INS record commands: UPDATE RECORD (DD) replacing, ANDing,
    # ORing, XORing at an offset (DO 54, data DO 53), growing a variable
    # record, and READ RECORD (B3) from an offset; malformed data fields
    "iso-records-odd": seq(ISO, SEL_MF, create("8202 0400 83021023 80020040"),
                           "00E2000004 F0F0F0F0", "00E2000002 0102",
                           "00DD0104 07 540101 5302AABB",
                           "00DD0105 07 540100 53020F0F",
                           "00DD0106 07 540102 53028080",
                           "00DD0107 06 540100 5301FF",
                           "00DD0204 08 540101 5303112233",
                           "00DD0204 08 540109 5303112233",
                           "00DD0104 0A 540100 540101 53020102",
                           "00DD0104 03 540100", "00DD0104 05 540100 5300",
                           "00DD0103 05 5300 5301 00",
                           "00B30104 03 540102 00", "00B30204 03 540100 00",
                           "00B30104 03 540109 00", "00B30104 00",
                           "00B20104 00", "00B20204 00"),
    "iso-records-cyclic": seq(ISO, SEL_MF, create("8205 06410004 03 83021022"), "00E2000004 01010101",
                              "00E2000004 02020202", "00E2000004 03030303",
                              "00E2000004 04040404", "00B2010400",
                              "00B2000100", "00B2000200", "00B2000300",
                              "00DC000300 05050505", "00B2030400"),
    "iso-records-search": seq(ISO, SEL_MF, create("8205 02410008 04 83021023"), "00E2000008 4142434441424344",
                              "00E2000008 4546474845464748", "00A2010402 4546",
                              "00A2010502 4546", "00A2010602 4142",
                              "00A2000702 4142", "00A2011C02 4546",
                              "00A20104 00", "00B2010C00",
                              "00DC010408 9999999999999999", "00DC0104 00",
                              "00DC010408 0102030405060708", "00DC010400", "00DC011C08 0102030405060708"),
    # PSO (lib/os/pso.c): hashing, signature verification, encipherment
    # and decipherment, certificates, and their errors
    "iso-pso-verify": seq(ISO, VERIFY_OK, GEN_EC, "002281B6 06 800132 830182",
                          "002A00A8 4A 9020" + "11" * 32 + " 9E26 3024"
                          "0210" + "01" * 16 + "0210" + "02" * 16,
                          "002A00A8 05 8003010203", "002A00A8 00",
                          "002A00BE 05 7F21020000", "002281B6 03 830100",
                          "002A00A8 22 9020" + "11" * 32),
    "iso-pso-cipher": seq(ISO, VERIFY_OK, GEN_EC, "002241B8 06 800131 840182",
                          "002A8086 08 00" + "33" * 7 + " 00",
                          "002A8084 08 0102030405060708 00",
                          "002281B8 03 830182", "002A8480 04 01020304 00",
                          "002A8680 04 00010203 00", "002A8E80 00"),
    # COMPUTE DIGITAL SIGNATURE over data objects (P2 AC: a hash DO 90 or
    # values to hash) and over the last PSO HASH (P2 BC), with other
    # algorithm references; COMPUTE CRYPTOGRAPHIC CHECKSUM under a CCT
    "iso-pso-sign-dos": seq(ISO, VERIFY_OK, GEN_EC,
                            "002241B6 06 800132 840182",
                            "002A9EAC 22 9020" + "11" * 32 + " 00",
                            "002A9EAC 0A 8003616263 8103646566 00",
                            "002A9EAC 03 8001 00",
                            "002A9080 05 68656C6C6F 00", "002A9EBC 00",
                            "002241B6 06 800142 840182",
                            "002A9EAC 05 8003616263 00",
                            "002241B6 06 800102 840182",
                            "002A9E9A 20" + "11" * 32 + " 00",
                            "002241B6 06 800112 840182",
                            "002A9E9A 20" + "11" * 32 + " 00",
                            "002241B4 06 800132 830101",
                            "002A8E80 08 0102030405060708 00",
                            "002241B4 03 830101",
                            "002A8E80 08 0102030405060708 00",
                            "002241B4 06 8001FF 830101",
                            "002A8E80 03 010203 00"),
    "iso-pso-hash-chain": seq(ISO, "002241AA 03 800101", "102A9080 03 616263",
                              "002A9080 03 646566 00", "002241AA 03 800140",
                              "002A9080 03 616263 00", "002A90A0 0B 9009"
                              "0102030405060708 09 00", "002A90A0 04 8002"
                              "6162 00", "002A90A0 04 AA020000 00"),
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
    # piv: SP 800-73-4 with Yubico's management commands
    "piv-select": seq(PIV, "00A4040009A00000030800001000", "00A4040005"
                      "A000000308", "00FD000000", "00F8000000"),
    "piv-get-data": seq(PIV, "00CB3FFF055C035FC102 00",
                        "00CB3FFF055C035FC107 00", "00CB3FFF037E0000"),
    "piv-verify": seq(PIV, "0020008000", "0020008008 313233343536FFFF",
                      "0020008008 303030303030FFFF", "0020FF8000"),
    "piv-change": seq(PIV, "0024008010 313233343536FFFF 363534333231FFFF",
                      "002C008010 3132333435363738 313233343536FFFF"),
    "piv-mgm-witness": seq(PIV, "0087039B04 7C028000",
                           "0087039B16 7C14 8008 0000000000000000"
                           " 8108 0102030405060708"),
    "piv-sign-9e": seq(PIV, "0087119E26 7C24 8200 8120" + "11" * 32),
    "piv-metadata": seq(PIV, "00F7008000", "00F7008100", "00F7009B00",
                        "00F7009A00"),
    # management key authentication (the card's challenge under the fixed
    # random source, answered with the default 3DES key), then Yubico's
    # IMPORT KEY: P-256 into 9A with PIN and touch policies, P-384 into 9C,
    # RSA-2048 into 9D (a key made once with openssl genrsa; chained
    # commands), a zero scalar
    # and a truncated key; a signature with the imported 9A key
    "piv-mgm-import": seq(PIV, "00F7009B00", "0087039B047C028100",
                          "0087039B0C7C0A8208 7041C8308BAF2605",
                          lc("00FE119A", "0620" + "11" * 32 + " AA0102 AB0101"),
                          lc("00FE149C", "0630" + "22" * 48),
                          lc("10FE079D",
                             "018180D1D15EBB60A7FE8BA245CA984936F670AAD8A590A45D3DE56B"
                             "AC51B39B3939581FE0EDCC956B67025312E5046F248B9A0D54931878"
                             "DBA286339184A4C5E5E10F1583279B74466EECF07EA102ABCC394C62"
                             "22BF35A370534C97A7B2032D516B307800CCF0ACB4B0A16FAC6C9539"
                             "B3122336365D1A4D696F8541DFD61BBDE8DB11028180C32F3434C274"
                             "E1E41647246C21F48273769FD7D6B221EA386AE5DC06748A9AF79A36"
                             "406D26CE64CBAE435423AFCF2AE84213159865FDAAE1FB3A789486B9"
                             "B82E100DE6BDED7F346ADAC2F86D1B3D99AC6DF1CE2497B551C095FF"
                             "6CA57935B66B3380EC2649263FFBAF53"),
                          lc("10FE079D",
                             "CF73C11A5B30935AD62601948283003B3D5ADF2944C10381806FC992"
                             "245922085F92EC863D4EBCC6DE4E583115F84C695EE358230B834720"
                             "C34FF0C221BEF643229CEA33348296C0FE29DE06A502375AC70F9097"
                             "5046D3EC6DE1F347D5EE445C7346CAE0B4109E3564F9E03369BB936B"
                             "FE21CAC9F0216400AD0932BBFDFAB626694C9B5C1AC16C23DCB8D48C"
                             "14286C656B652681E7B3EDED510481802C25761264D518EE84D76C76"
                             "84AB9001DB97C5B2CAB17F0F69A639C0C005458DB1348A17E60A12A4"
                             "3AF30189DCCEE7AE869B586C12CD702412B5A3E63C1EAF78C3AAD140"
                             "AE01F27224AEAA8FCAF480D88E397DDD"),
                          lc("00FE079D",
                             "AAEE98E20D4B2B60B5EC9F28DA0A53DF48F63CCC89585478A2F97A1C"
                             "9F87911E21875C8992B8D364C54AC9410581802D609FBA1D20C35E4F"
                             "D692B87F348B828C5ADA1DA6E068FCD4B805F1143376B0EF164F9456"
                             "6CD0D5CEAED33559E3B1ACEEEA65428618062D408A94D05AA5A86CC2"
                             "E15AC6CAB399A633D8EB33A74F7C768759EDB719D8B2A1510A77B4E3"
                             "EF103836E81864AA97AEB4987C8337A51DE6322EDF9339DF1891873C"
                             "0E1E1A906DE67E"),
                          lc("00FE119E", "0620" + "00" * 32),
                          lc("00FE1182", "0610" + "11" * 16),
                          lc("00FE0782", "0101"), "00F7009A00",
                          "0020008008 313233343536FFFF",
                          "0087119A26 7C24 8200 8120" + "33" * 32 + " 00"),
    "piv-chain": seq(PIV, "10DB3FFF08 5C035FC105 530100", "00DB3FFF02 0000"),
    # openpgp: OpenPGP card 3.4
    "pgp-select": seq(PGP, "00A4040006D27600012401", "00CA006E00",
                      "00CA006500", "00CA00C400", "00CA7F2100"),
    "pgp-verify": seq(PGP, "0020008100", "0020008206 313233343536",
                      "0020008308 3132333435363738", "0020008306 000000000000"),
    "pgp-put-data": seq(PGP, "0020008308 3132333435363738",
                        "00DA005B04 54657374", "00DA010103 010203",
                        "00CA010100", "00CA005B00"),
    "pgp-genkey-read": seq(PGP, "0047810002B600 00", "0084000008"),
    "pgp-genkey-ec": seq(PGP, "0020008308 3132333435363738",
                         "00DA00C109 132A8648CE3D030107",
                         "0047800002B600 00",
                         "0020008106 313233343536", "002A9E9A20" + "22" * 32
                         + " 00", "00CA009300"),
    # algorithm attributes (C1 sign, C2 decrypt, C3 auth) for the other
    # curves, each followed by a key generation (EC only: RSA generation
    # would cost seconds per input under ASan)
    "pgp-alg-curves": seq(PGP, "0020008308 3132333435363738",
                          lc("00DA00C1", "13 2B81040022"),
                          "0047800002B600 00",
                          lc("00DA00C2", "12 2B060104019755010501"),
                          "0047800002B800 00",
                          lc("00DA00C3", "16 2B06010401DA470F01"),
                          "0047800002A400 00",
                          lc("00DA00C1", "13 2B2403030208010107"),
                          "0047800002B600 00",
                          lc("00DA00C1", "13 2B81040023"),
                          lc("00DA00C1", "01 0800 0020 00"),
                          lc("00DA00C1", "01 0400 0011 03"),
                          lc("00DA00C1", "99 0102"), "00CA006E00"),
    # key import (PUT DATA odd, 4D extended header list): P-256 scalar,
    # Ed25519 and X25519 secrets, then a signature with the imported key
    "pgp-import-ec": seq(PGP, "0020008308 3132333435363738",
                         lc("00DA00C1", "13 2A8648CE3D030107"),
                         lc("00DB3FFF", "4D 2A B600 7F48 02 9220 5F48 20"
                            + "22" * 32),
                         "0020008106 313233343536",
                         "002A9E9A20" + "33" * 32 + " 00"),
    "pgp-import-25519": seq(PGP, "0020008308 3132333435363738",
                            lc("00DA00C3", "16 2B06010401DA470F01"),
                            lc("00DB3FFF", "4D 2A A400 7F48 02 9220 5F48 20"
                               + "44" * 32),
                            lc("00DA00C2", "12 2B060104019755010501"),
                            lc("00DB3FFF", "4D 2A B800 7F48 02 9220 5F48 20"
                               + "55" * 32),
                            lc("00DB3FFF", "4D 08 B600 7F48 02 9200 5F48 00"),
                            lc("00DB3FFF", "4D 05 B600 7F48 00"),
                            "0020008206 313233343536",
                            "0088000020" + "66" * 32 + " 00"),
    # passwords: change PW1 and PW3, set a resetting code (D3), reset PW1
    # with it and by the admin, PW status bytes (C4); the other DOs of PUT
    # DATA (language, sex, URL, login data, certificate)
    "pgp-pw": seq(PGP, lc("00240081", "313233343536 363534333231"),
                  lc("00240083", "3132333435363738 3837363534333231"),
                  "0020008308 3837363534333231",
                  lc("00DA00D3", "3131313131313131"),
                  lc("002C0081", "3131313131313131 313233343536"),
                  lc("002C0281", "373737373737"),
                  lc("002C0281", "3737"), lc("00DA00C4", "01"),
                  lc("00DA00C4", "0120"), "00CA00C400",
                  lc("00240081", "3737373737 3838383838383838"),
                  "0020008106 000000000000", "0020008106 000000000000",
                  "0020008106 000000000000", "0020008106 373737373737",
                  "0020FF8100", "0020008100"),
    "pgp-put-dos": seq(PGP, "0020008308 3132333435363738",
                       lc("00DA5F2D", "6465656E"), lc("00DA5F35", "31"),
                       lc("00DA5F35", "3939"),
                       lc("00DA5F50", "68747470733A2F2F6578"),
                       lc("00DA005E", "6A646F65"),
                       lc("00DA7F21", "3082010A0282010100"),
                       "00CA7F2100", "00CA005E00", "00CA5F5000",
                       "00CA006500", lc("00DA00D3", ""),
                       lc("00DA0101", "00" * 200), "00CA010100"),
    "pgp-reset": seq(PGP, "0020008308 3132333435363738", "00E60000",
                     "00440000", "00CA006E00"),
    # nPA before PACE: EF.CardAccess and EF.DIR are free, the rest needs
    # PACE (MSE:Set AT with the PACE OID and a password reference, then the
    # four GENERAL AUTHENTICATE steps)
    "npa-cardaccess": seq(NPA, SEL_MF, "00A4020C02011C", "00B0000000",
                          "00B09C0000", "00B09C0004"),
    "npa-ef-dir": seq(NPA, SEL_MF, "00A4020C022F00", "00B0000000",
                      "00B0810000", "00A4000400"),
    "npa-mse-set-at": seq(NPA, NPA_MSE_PIN, "10860000 02 7C00 00",
                          "10860000 45 7C43 8141 04" + "11" * 64 + " 00"),
    "npa-mse-can": seq(NPA, NPA_MSE_PIN[:-2] + "02", "10860000 02 7C00 00",
                       "00860000 0C 7C0A 8508 0102030405060708 00"),
    "npa-mse-bad": seq(NPA, "0022C1A4 03 830103", "0022C1A4 0F 800A"
                       "04007F00070202040299 830103",
                       "0022C1A4 0F 800A04007F00070202040202 830109",
                       "0022C1A4 0A 800A04007F0007020204",
                       "00860000 02 7C00 00"),
    # nPA with --pace-mapping im (DH-IM: GA2 carries the terminal's
    # 16-byte nonce t) and cam (ECDH-CAM: GM's steps, 8A in the last answer)
    "npa-im-pace": seq(NPA_IM, SEL_MF, "00B09C0000",
                       "0022C1A4 12 800A04007F00070202040302 830103 840100",
                       "10860000 02 7C00 00",
                       "10860000 14 7C12 8110" + "11" * 16 + " 00",
                       "10860000 05 7C03 830101 00"),
    "npa-im-bad-nonce": seq(NPA_IM,
                            "0022C1A4 0F 800A04007F00070202040302 830102",
                            "10860000 02 7C00 00",
                            "10860000 0C 7C0A 8108 0102030405060708 00",
                            "0022C1A4 0F 800A04007F00070202040402 830102"),
    "npa-cam-pace": seq(NPA_CAM, SEL_MF, "00B09C0000",
                        "0022C1A4 12 800A04007F00070202040602 830103 84010D",
                        "10860000 02 7C00 00",
                        "10860000 45 7C43 8141 04" + "11" * 64 + " 00",
                        "0022C1A4 0F 800A04007F00070202040202 830103"),
    "npa-ga-no-mse": seq(NPA, "10860000 02 7C00 00", "0086000000",
                         "00860000 03 7C0100 00"),
    "npa-select-apps": seq(NPA, "00A4040C09E80704007F00070302",
                           "00B0810000", "00A4040C0AA000000167455349474E",
                           "00A4040C0FE828BD080FA000000167455349474E",
                           "00B0000000"),
    "npa-protected-plain": seq(NPA, "00A4040C09E80704007F00070302",
                               "00B0810000", "0084000008",
                               "002C0203 06 313233343536",
                               "8020800000"),
    "npa-challenge": seq(NPA, "0084000008", "0084000010", RESET,
                         "00B09D0000"),
}

# ---- fuzz_sm: card byte (0 iso7816 + sm_start, 1 ePass + BAC, 2 ePass
# extended, 3 nPA after PACE with the PIN), then records of a mode byte (1 bad MAC, 2 plain, 4 reset
# first), a 2-byte length and a plain command APDU the harness wraps.
SM_ISO, SM_EPASS, SM_EPASS_EXT, SM_NPA = range(4)


def sm(card, *cmds):
    out = bytes([card])
    for c in cmds:
        mode, a = c if isinstance(c, tuple) else (0, c)
        b = h(a)
        out += bytes([mode]) + len(b).to_bytes(2, "big") + b
    return out


SEL_COM = "00A4020C02011E"
NPA_SEL_EID = "00A4040C09E80704007F00070302"

SM_SEEDS = {
    "sm-iso-select-read": sm(SM_ISO, SEL_MF, "00A4020C021001",
                             "00B0000000", "00B0000004"),
    "sm-iso-verify": sm(SM_ISO, "0020000104 31323334", "0020000100",
                        "002C000100", "0024000108 3132333435363738"),
    "sm-iso-create": sm(SM_ISO, SEL_MF, FCP_EF, "00D6000004 01020304",
                        "00B0000004", "00E4000C021001"),
    "sm-iso-challenge": sm(SM_ISO, "0084000008", "00C0000000",
                           (1, "00B0000000"), "00A4000C023F00"),
    "sm-iso-plain-then-sm": sm(SM_ISO, (2, "00A4000C023F00"),
                               "00A4000C023F00", (4, "00B0000000")),
    "sm-iso-records": sm(SM_ISO, SEL_MF, "00E000000D 620B 8205024100080483021002",
                         "00E2000008 0102030405060708", "00B2010400",
                         "00DC010408 1112131415161718", "00B2000200"),
    "sm-iso-pso-ec": sm(SM_ISO, VERIFY_OK, GEN_EC,
                        "002241B6 06 800132 840182",
                        "002A9E9A 20" + "11" * 32 + " 00",
                        "002A9080 05 68656C6C6F 00"),
    "sm-epass-com": sm(SM_EPASS, SEL_COM, "00B0000004", "00B0000000"),
    "sm-epass-sfi": sm(SM_EPASS, "00B09E0000", "00B0810000",
                       "00B08F0000"),
    "sm-epass-dg1": sm(SM_EPASS, "00A4020C020101", "00B0000010",
                       "00B1000004 54020000 00"),
    "sm-epass-aa": sm(SM_EPASS, "0088000008 0102030405060708 00",
                      "0084000008"),
    "sm-epass-sod": sm(SM_EPASS, "00A4020C02011D", "00B0000004",
                       "00B00004DF", (1, "00B0000004"), "00B0000004"),
    "sm-epass-errors": sm(SM_EPASS, "00A4020C02FFFF", "00B07FFF10",
                          "00CA000000", "00A4040C07A0000002471001"),
    "sm-epass-ext": sm(SM_EPASS_EXT, SEL_COM, "00B000000000",
                       "00A4020C02011D", "00B00000000100"),
    # nPA after PACE (AES SM): data groups, TA (MSE:Set DST, PSO:VERIFY
    # CERTIFICATE, MSE:Set AT, GET CHALLENGE, EXTERNAL AUTHENTICATE), CA
    # (MSE:Set AT, GENERAL AUTHENTICATE), RI, auxiliary data, PIN management
    "sm-npa-read-dgs": sm(SM_NPA, NPA_SEL_EID, "00B0810000", "00B0820000",
                          "00B0840010", "00A4020C020101", "00B0000000",
                          "00B09D0000", "00B09D00DF"),
    "sm-npa-ta": sm(SM_NPA, "002281B6 0F 830D 4445435643416549443030313032",
                    lc("002A00BE", "7F4E 2A 5F2901 00 420D 44454356434165"
                       "49443030313032 7F49 03 060100 5F20 0D 444554455354"
                       "65494430303030 3032"),
                    lc("002281A4", "800A04007F00070202020203 830D 44455445"
                       "53546549443030303032"), "0084000008",
                    "00820000 40" + "33" * 64),
    "sm-npa-ca": sm(SM_NPA, "002241A4 0F 800A04007F00070202030202 840101",
                    "00860000 45 7C43 8041 04" + "44" * 64 + " 00",
                    "00860000 02 7C00 00"),
    "sm-npa-ri": sm(SM_NPA, "002241A4 0F 800A04007F00070202050203 840101",
                    "00860000 47 7C45 A043 0641 04" + "55" * 64 + " 00"),
    "sm-npa-aux": sm(SM_NPA, "002281A4 1C 67 1A 7315 060904007F0007030104"
                     "01 5308 3139393030313031 00",
                     "80208000 0B 060904007F00070301040 1".replace(" ", ""),
                     "8020800000"),
    "sm-npa-pin": sm(SM_NPA, (1, "00B0810000"), "00B0810000",
                     "002C0303 00", "002C0303", "002C0202 06 323232323232",
                     "002C0203 06 313233343536"),
    "sm-npa-mse-bad": sm(SM_NPA, "002281B6 03 830100", "002281A4 02 7F4C",
                         "002241A4 05 800304007F", "00860000 03 7C0100 00",
                         "002A00BE 03 7F4E00", "0088000000"),
    "sm-npa-esign": sm(SM_NPA, "00A4040C0AA000000167455349474E",
                       "0022 41B6 03 840101".replace(" ", ""),
                       "002A9E9A 20" + "66" * 32 + " 00",
                       "00A4040C0FE828BD080FA000000167455349474E",
                       "00B0000000"),
    "sm-npa-reset-plain": sm(SM_NPA, "00B0810000", (4, "00B0810000"),
                             (2, "00B0810000"), "0084000008"),
}

# ---- fuzz_driver and fuzz_scio: records of an operation byte, a 2-byte
# length and the bytes the card peer sends before the operation runs.
ATR = "3B95138101 8073FF01000B"


def frame(hexdata):
    b = h(hexdata)
    return len(b).to_bytes(2, "big") + b


def io(*steps):
    out = b""
    for op, peer in steps:
        out += bytes([op]) + len(peer).to_bytes(2, "big") + peer
    return out


NONE = b""
# fuzz_driver ops: 0 presence, 1 power up, 2 reset, 3 power down, 4 transmit
# (bits 3-5: length 0 1 2 4 5 261 65535 65536; bit 6: 3-byte buffer),
# 5 capability/control/event wait (bits 3-5), 6 EOF, 7 new card.
D_TX4, D_TX5, D_TX261 = 0x1C, 0x24, 0x2C
DRIVER_SEEDS = {
    "drv-normal": io((0, frame(ATR)), (1, frame(ATR)), (D_TX4, frame("9000")),
                     (0x05, NONE), (D_TX5, frame("0102 9000")), (3, NONE),
                     (0, NONE)),
    "drv-reset": io((0, frame(ATR)), (2, frame(ATR)), (D_TX261,
                     frame("6A82")), (0x0D, NONE), (0x15, NONE)),
    "drv-empty-atr": io((0, frame("")), (0, frame(ATR)), (1, frame(""))),
    "drv-long-atr": io((0, frame("3B" + "00" * 33)), (0, NONE)),
    "drv-unasked": io((0, frame(ATR) + frame("9000")), (0, NONE),
                      (D_TX4, frame("9000"))),
    "drv-double": io((0, frame(ATR)), (D_TX4, frame("9000") + frame("9000")),
                     (D_TX4, frame("9000"))),
    "drv-truncated": io((0, frame(ATR)), (D_TX4, h("0010 9000")), (0, NONE)),
    "drv-eof-after-atr": io((0, frame(ATR)), (6, NONE), (D_TX4, NONE),
                            (0, NONE)),
    "drv-one-byte": io((0, frame(ATR)), (D_TX4, frame("90")),
                       (D_TX4, frame(""))),
    "drv-small-buffer": io((0, frame(ATR)), (D_TX4 | 0x40,
                           frame("0102030405 9000")), (1 | 0x40, frame(ATR))),
    "drv-bad-commands": io((0, frame(ATR)), (0x04, NONE), (0x0C, NONE),
                           (0x34, frame("9000")), (0x3C, frame("9000"))),
    "drv-new-card": io((0, frame(ATR)), (7, NONE), (0, frame(ATR)),
                       (0x35, NONE), (0x25, NONE), (0x2D, NONE)),
    "drv-big-frame": io((0, frame(ATR)), (D_TX4, h("0FFF") + bytes(4000))),
}
# fuzz_scio: the peer answers each request (GET ATR, APDU) with the next
# reply queued; every record queues its bytes as one reply, then runs its
# operation: 0 connect, 1 transmit (bits 3-5: length 0 1 4 5 6 261 65535
# 65536; bit 6: 2-byte buffer), 2 raw transmit, 3 reconnect (bit 3:
# unpower), 4 status, 5 disconnect/transaction (bits 3-4), 6 EOF, 7 new
# card; bit 7: only queue. A connect takes two ATRs: the reader asks one
# when the card arrives, and again after powering it on.
S_TX5, S_RAW5, Q = 0x19, 0x1A, 0x80
CONNECT = ((Q, frame(ATR)), (0, frame(ATR)))
SCIO_SEEDS = {
    "scio-normal": io(*CONNECT, (S_TX5, frame("0102 9000")),
                      (S_RAW5, frame("6A82")), (4, NONE), (5, NONE)),
    "scio-61xx": io(*CONNECT, (Q, frame("6110")),
                    (S_TX5, frame("00" * 16 + "9000")),
                    (S_TX5, frame("6108"))),
    "scio-6cxx": io(*CONNECT, (Q, frame("6C08")),
                    (S_TX5, frame("00" * 8 + "9000"))),
    "scio-reconnect": io(*CONNECT, (3, frame(ATR)), (0x0B, frame(ATR)),
                         (4, NONE), (Q, frame(ATR)), (0x0D, NONE),
                         (0x15, NONE)),
    "scio-transaction": io(*CONNECT, (0x1D, NONE),
                           (S_TX5, frame("9000")), (0x05, NONE)),
    "scio-empty-atr": io((0, frame("")), (0, NONE)),
    "scio-long-atr": io((Q, frame("3B" + "00" * 40)), (0, NONE)),
    "scio-truncated": io(*CONNECT, (S_TX5, h("0010 90")), (4, NONE)),
    "scio-eof": io(*CONNECT, (6, NONE), (S_TX5, NONE), (4, NONE)),
    "scio-small-buffer": io(*CONNECT, (S_TX5 | 0x40,
                            frame("01020304 9000")), (S_RAW5 | 0x40,
                            frame("0102 9000"))),
    "scio-new-card": io(*CONNECT, (7, NONE), *CONNECT, (4, NONE)),
    "scio-two-frames": io(*CONNECT, (S_TX5, frame("9000") + frame("9000")),
                          (S_TX5, frame("9000"))),
    "scio-big": io(*CONNECT, (0x31, frame("00" * 3000 + "9000"))),
}


def write(sub, seeds):
    d = os.path.join(os.path.dirname(DIR), sub)
    os.makedirs(d, exist_ok=True)
    for name, data in seeds.items():
        with open(os.path.join(d, name), "wb") as f:
            f.write(data)
    print(f"{len(seeds)} seeds written to {d}")


write("card", SEEDS)
write("sm", SM_SEEDS)
write("driver", DRIVER_SEEDS)
write("scio", SCIO_SEEDS)
