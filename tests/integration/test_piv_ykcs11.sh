#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# The piv card in a reader whose name contains "Yubico YubiKey", as
# Yubico's own clients expect: yubico-piv-tool finds it without -r, and
# Yubico's PKCS#11 module (ykcs11, Debian's libykcs11 2.2) shows the token
# with the card's serial number, lists the certificates and signs with the
# 9A (RSA PKCS#1 v1.5) and 9C (ECDSA, PIN always) keys, signatures that
# openssl verifies.
. "$(dirname "$0")/lib.sh"
sc_enter_namespaces "$@"
cd "$SC_TMP"
export HOME=$SC_TMP
Y=/usr/lib/x86_64-linux-gnu/libykcs11.so
[ -e "$Y" ] || Y=/usr/lib/x86_64-linux-gnu/libykcs11.so.2
READER="Yubico YubiKey softcard"

openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
    -keyout ca.key -out ca.pem -subj /CN=test-ca -days 30 >/dev/null 2>&1 ||
    sc_fail "test CA"
openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out 9a.key 2>/dev/null
openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out 9c.key 2>/dev/null
for s in 9a 9c; do
    openssl req -new -key "$s.key" -subj "/CN=ykcs11 $s" 2>/dev/null |
        openssl x509 -req -CA ca.pem -CAkey ca.key -days 30 -out "$s.pem" \
            2>/dev/null || sc_fail "certificate $s"
    openssl pkey -in "$s.key" -pubout -out "$s.pub"
done
"$SC_BIN" --init piv -f card.json --serial 00BC614E --key-9a 9a.key \
    --cert-9a 9a.pem --key-9c 9c.key --cert-9c 9c.pem \
    >>"$SC_TMP/softcard.log" 2>&1 || sc_fail "--init piv"

cat > "$SC_TMP/reader.conf.d/vpcd" <<CONF
FRIENDLYNAME "$READER"
DEVICENAME   /dev/null:0x8C7B
LIBPATH      $SC_VPCD_LIB
CONF
sc_start_pcscd
sc_start_card -vv -f card.json
sc_wait_card "$READER 00 00" present

sc_run "yubico-piv-tool without -r" yubico-piv-tool -a status
sc_expect_match "its serial" "$out" "Serial Number:[[:space:]]+12345678"
sc_expect_match "its 9a" "$out" "Subject DN:[[:space:]]+CN=ykcs11 9a"

sc_run "ykcs11 -L" pkcs11-tool --module "$Y" -L
sc_expect_match "ykcs11 token" "$out" "token label +: YubiKey PIV #12345678"
sc_run "ykcs11 -O" pkcs11-tool --module "$Y" -l -p 123456 -O
sc_expect_match "ykcs11 9a certificate" "$out" "label: +X.509 Certificate for PIV Authentication"

head -c 500 /dev/urandom >data
sc_run "ykcs11 RSA signature" pkcs11-tool --module "$Y" -l -p 123456 --sign \
    --id 01 -m SHA256-RSA-PKCS -i data -o sig.9a
sc_run "it verifies" openssl dgst -sha256 -verify 9a.pub -signature sig.9a data
sc_run "ykcs11 ECDSA signature (PIN always)" pkcs11-tool --module "$Y" -l \
    -p 123456 --sign --id 02 -m ECDSA-SHA256 --signature-format openssl \
    -i data -o sig.9c
sc_run "it verifies" openssl dgst -sha256 -verify 9c.pub -signature sig.9c data
