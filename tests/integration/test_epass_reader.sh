#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# ePass cards read through a private pcscd and Debian's vpcd by the
# project's BAC reader (epass_read: the OpenSSL-only test terminal of
# tests/unit/epass_terminal*.c with a PC/SC main).
#
# Card 0: made with the image generator from a configuration file (ICAO
# specimen MRZ, a CSCA made here with the openssl command, DG11 from a file,
# ECDSA Active Authentication, extended length), then run from its image.
# Card 1: `softcard -t ePass --mrz ... --param ...` with a TD1 MRZ, RSA
# Active Authentication and a generated RSA CSCA written out with
# csca-cert-out. The generator is also run with command-line options.
# Checks: plain reads refused before BAC, BAC, every file by FID and by
# SFI with short and extended APDUs, EF.SOD verified against the CSCA with
# CMS_verify, Active Authentication, a wrong MRZ refused (6300).
. "$(dirname "$0")/lib.sh"
sc_enter_namespaces "$@"

READ=${SOFTCARD_BUILD_DIR:?}/tests/epass_read
[ -x "$READ" ] || sc_fail "epass_read was not built (libpcsclite-dev missing?)"
SPECIMEN='P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<L898902C<3UTO6908061F9406236ZE184226B<<<<<14'
TD1_LINES='I<UTOD23145890<7349<<<<<<<<<<<3407127M9507122UTO<<<<<<<<<<<2MUSTERMANN<<ERIKA<<<<<<<<<<<<<'

# A CSCA of our own, made with the openssl command.
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
    -keyout "$SC_TMP/csca.key" -out "$SC_TMP/csca.pem" -days 30 \
    -subj "/C=UT/O=integration test/CN=integration CSCA" \
    -addext "basicConstraints=critical,CA:TRUE" \
    -addext "keyUsage=critical,keyCertSign,cRLSign" 2>>"$SC_TMP/openssl.log" ||
    sc_fail "openssl could not make a CSCA"
printf '\x6B\x0F\x5C\x02\x5F\x0E\x5F\x0E\x08ERIKSSON' >"$SC_TMP/dg11.bin"

cat >"$SC_TMP/card0.conf" <<CONF
{"type": "ePass", "extended_length": true,
 "params": {"mrz": "$SPECIMEN", "csca-key": "$SC_TMP/csca.key",
            "csca-cert": "$SC_TMP/csca.pem", "dg11": "$SC_TMP/dg11.bin"}}
CONF
"$SC_BIN" --init-config "$SC_TMP/card0.conf" -f "$SC_TMP/card0.json" \
    >>"$SC_TMP/softcard.log" 2>&1 || sc_fail "--init-config card 0"
# The generator with command-line options instead of a file.
"$SC_BIN" --init ePass -f "$SC_TMP/cli.json" --mrz "$TD1_LINES" \
    --csca-key "$SC_TMP/csca.key" --csca-cert "$SC_TMP/csca.pem" \
    --param dg11="$SC_TMP/dg11.bin" --param aa-algorithm=none \
    >>"$SC_TMP/softcard.log" 2>&1 || sc_fail "--init ePass with options"
out=$("$SC_BIN" --check-image -f "$SC_TMP/cli.json" 2>&1)
sc_expect_match "--init ePass --mrz ...: MF, DF and 5 EFs, no key" "$out" \
    "ePass card, 7 file\(s\).*0 key"
# The images must not remember file names or key material given as params.
if grep -q 'csca-key\|dg11\|csca-cert-out' "$SC_TMP/card0.json" "$SC_TMP/cli.json"; then
    sc_fail "an image kept a consumed parameter"
fi
sc_log "ok: ePass images made with --init-config and with --init options"

sc_start_pcscd
sc_start_card -f "$SC_TMP/card0.json" -vv
# Card 1 straight from the command line (no image).
sc_start_card -t ePass -P 35964 --mrz "$TD1_LINES" --param aa-algorithm=rsa \
    --param pki-algorithm=rsa --param csca-cert-out="$SC_TMP/csca1.pem" -vv
sc_wait_card "Virtual PCD 00 00" present
sc_wait_card "Virtual PCD 00 01" present
[ -s "$SC_TMP/csca1.pem" ] || sc_fail "csca-cert-out wrote nothing"

read_ok() { # WHAT ARGS...: run epass_read, which must succeed
    local what=$1
    shift
    out=$("$READ" "$@" 2>&1) || sc_fail "$what: $out"
    printf '%s\n' "$out" >>"$SC_TMP/epass_read.log"
    sc_log "ok: $what"
}

read_ok "card 0: plain reads refused, BAC, by FID, short, SOD, AA" \
    -r "Virtual PCD 00 00" --mrz "$SPECIMEN" --csca "$SC_TMP/csca.pem" \
    --check-plain --aa
printf '%s\n' "$out" | sed 's/^/    | /'
sc_expect_match "card 0: the MRZ of DG1" "$out" "L898902C<3UTO6908061F9406236ZE184226B<<<<<14"
sc_expect_match "card 0: refused before BAC" "$out" "READ BINARY 6982, READ DG1 by SFI 6982"
sc_expect_match "card 0: DG11 read" "$out" "EF.DG11 010B: 17 bytes"
sc_expect_match "card 0: EF.SOD verified" "$out" "EF.SOD: signature, certificate chain"
read_ok "card 0: by SFI, short, MRZ line 2 only (as cardpeek asks)" \
    -r "Virtual PCD 00 00" --mrz "L898902C<3UTO6908061F9406236ZE184226B<<<<<14" \
    --csca "$SC_TMP/csca.pem" --sfi --chunk 128
read_ok "card 0: by FID, extended length" -r "Virtual PCD 00 00" \
    --mrz "$SPECIMEN" --csca "$SC_TMP/csca.pem" --extended --chunk 4096 --aa
read_ok "card 0: by SFI, extended length" -r "Virtual PCD 00 00" \
    --mrz "$SPECIMEN" --csca "$SC_TMP/csca.pem" --extended --sfi --chunk 60000
read_ok "card 1: TD1, RSA AA (ISO/IEC 9796-2), generated RSA CSCA" \
    -r "Virtual PCD 00 01" --mrz "$TD1_LINES" --csca "$SC_TMP/csca1.pem" \
    --sfi --aa --check-plain
sc_expect_match "card 1: the TD1 MRZ" "$out" "MUSTERMANN<<ERIKA"

if out=$("$READ" -r "Virtual PCD 00 00" --mrz "L898902C<3UTO6908061F9406237ZE184226B<<<<<14" 2>&1); then
    sc_fail "a wrong MRZ was accepted: $out"
fi
sc_expect_match "card 0: wrong MRZ refused" "$out" "EXTERNAL AUTHENTICATE: 6300"
sc_log "PASS"
