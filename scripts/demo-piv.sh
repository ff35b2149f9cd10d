#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# The PIV part of the demo: a PIV token, created headless, managed with
# Debian's yubico-piv-tool (status, on-card key generation, certificate
# import, attestation) and used as a PKCS#11 token through OpenSC
# (pkcs11-tool signs, openssl verifies; ssh-keygen reads the public key).
#
# Run inside the demo's private network and mount namespaces, with the
# demo's pcscd and Debian's vpcd already running and slot PORT free:
#   scripts/demo-piv.sh SOFTCARD_BINARY [PORT]      (PORT default 35963)
set -euo pipefail
SOFTCARD=$1
PORT=${2:-35963}
SLOT=$((PORT - 35963))
READER="Virtual PCD 00 0$SLOT"
P11=/usr/lib/x86_64-linux-gnu/opensc-pkcs11.so
. "$(dirname "$0")/demo-lib.sh"
demo_begin piv
cd "$TMP"
export HOME="$TMP"

step "A PIV token, created headless (PIN 123456, PUK 12345678, default 3DES management key)"
run "$SOFTCARD" --init piv -f piv.json --serial 00C0FFEE
"$SOFTCARD" -f piv.json -P "$PORT" -vv >softcard.log 2>&1 &
PIDS+=($!)
demo_wait_reader Yes "$READER"
run opensc-tool -r "$SLOT" -n

step "yubico-piv-tool (Debian): generate an EC P-256 key on the card in slot 9a, certify it, import the certificate"
Y=(yubico-piv-tool -r "$READER")
run "${Y[@]}" -s 9a -a generate -A ECCP256 -o 9a.pub </dev/null
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
    -keyout ca.key -out ca.pem -subj /CN=demo-ca -days 30 2>/dev/null
run openssl x509 -new -subj /CN=alice -force_pubkey 9a.pub -CA ca.pem \
    -CAkey ca.key -days 30 -out 9a.crt
run "${Y[@]}" -s 9a -a import-certificate -i 9a.crt </dev/null
run "${Y[@]}" -a status </dev/null
run "${Y[@]}" -s 9a -a attest -o 9a.att </dev/null
openssl x509 -in 9a.att -noout -subject -issuer | sed 's/^/  attestation /'

step "OpenSC's PKCS#11 module: the token, a signature that openssl verifies, the ssh key"
run pkcs11-tool --module "$P11" -L
run pkcs11-tool --module "$P11" -l -p 123456 -O --type cert
run pkcs11-tool --module "$P11" -l -p 123456 -O --type privkey
printf 'signed by a virtual PIV token\n' >data
run pkcs11-tool --module "$P11" -l -p 123456 --sign --id 01 -m ECDSA-SHA256 \
    --signature-format openssl -i data -o data.sig
openssl x509 -in 9a.crt -pubkey -noout >9a.pem
run openssl dgst -sha256 -verify 9a.pem -signature data.sig data
run ssh-keygen -D "$P11"

step "Three wrong PINs block it; the PUK unblocks"
for _ in 1 2 3; do
    "${Y[@]}" -a verify-pin -P 000000 </dev/null 2>&1 | tail -n 1 || true
done
run "${Y[@]}" -a unblock-pin -P 12345678 -N 123456 </dev/null
run "${Y[@]}" -a verify-pin -P 123456 </dev/null

step "What the card logged"
grep -v "reset$" softcard.log | tail -n 6
printf '\nPIV demo finished.\n'
