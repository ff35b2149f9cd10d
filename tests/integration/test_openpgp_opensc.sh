#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# The openpgp card type with OpenSC 0.23 after GnuPG: scdaemon reads the
# card (and holds the reader exclusively) until `gpgconf --kill scdaemon`;
# then opensc-tool names the card "OpenPGP card v3.4", openpgp-tool reads
# it and generates keys on it, pkcs15-init regenerates one and pkcs11-tool
# --test passes (OpenSC's CI sequence), and pkcs11-tool with OpenSC's
# PKCS#11 module signs with a signature that openssl verifies against the
# public key read through PKCS#11. OpenSC's pcsc reader driver is told that the reader
# takes extended APDUs (vpcd passes them), as the card announces them.
. "$(dirname "$0")/lib.sh"
sc_enter_namespaces "$@"
cd "$SC_TMP"
. "$SC_HERE/openpgp_lib.sh"

cat > opensc.conf <<'CONF'
app default {
    reader_driver pcsc {
        max_send_size = 65535;
        max_recv_size = 65536;
    }
}
CONF
export OPENSC_CONF=$SC_TMP/opensc.conf
export HOME=$SC_TMP   # OpenSC's file cache stays in the test
P=/usr/lib/x86_64-linux-gnu/opensc-pkcs11.so

sc_start_pcscd
sc_start_card -vv -t openpgp --serial 0A0B0C0D
sc_wait_card "Virtual PCD 00 00" present

pgp_status
sc_expect_eq "scdaemon reads the card" "$(pgp_field Version)" "3.4"
gpgconf --kill scdaemon

sc_run "opensc-tool -n" opensc-tool -r 0 -n
sc_expect_match "card name" "$out" "^OpenPGP card v3\.4"
sc_run "openpgp-tool -C -K" openpgp-tool -r 0 -C -K
echo "$out" > openpgp-tool.out
sc_expect_match "openpgp-tool: AID" "$out" "[Dd]2:?76:?00:?01:?24:?01:?03:?04"
sc_expect_match "openpgp-tool: serial" "$out" "0[Aa]:?0[Bb]:?0[Cc]:?0[Dd]"
for k in 1 2 3; do
    sc_run "openpgp-tool --gen-key $k" openpgp-tool -r 0 --verify CHV3 \
        --pin 12345678 --gen-key "$k"
done
# OpenSC's own CI sequence (.github/test-openpgp.sh): pkcs15-init
# regenerates the decryption key, pkcs11-tool's self test signs, verifies
# and decrypts with every key (the authentication key through MSE)
sc_run "pkcs15-init --generate-key rsa/2048" pkcs15-init --verify --auth-id 3 \
    --pin 12345678 --delete-objects privkey,pubkey --id 2 \
    --generate-key rsa/2048
sc_run "pkcs11-tool --test" pkcs11-tool --module "$P" -l -t -p 123456
sc_expect_match "pkcs11-tool --test: no errors" "$out" "^No errors"
sc_expect_match "decryption tested" "$out" "Decryption"
sc_run "pkcs11-tool -L" pkcs11-tool --module "$P" -L
sc_expect_match "PKCS#11 token" "$out" "OpenPGP card \(User PIN \(sig\)\)"
sc_run "pkcs11-tool -O" pkcs11-tool --module "$P" --slot-index 1 -O
sc_expect_match "signature key listed" "$out" "Public Key Object; RSA 2048 bits"

echo "softcard openpgp via PKCS#11" > data
sc_run "pkcs11-tool --sign" pkcs11-tool --module "$P" --slot-index 1 -l \
    -p 123456 --sign -m SHA256-RSA-PKCS --id 01 -i data -o sig
sc_run "pkcs11-tool --read-object" pkcs11-tool --module "$P" --slot-index 1 \
    --read-object --type pubkey --id 01 -o pub.der
sc_run "openssl verifies" openssl dgst -sha256 -verify pub.der -keyform DER \
    -signature sig data
sc_expect_match "signature verified" "$out" "Verified OK"

# a wrong signature does not verify
printf 'other' > other
if openssl dgst -sha256 -verify pub.der -keyform DER -signature sig other \
    >/dev/null 2>&1; then
    sc_fail "a signature of other data verified"
fi
sc_log "ok: other data does not verify"

# the signature counter counted the PKCS#11 signature
sc_run "opensc-tool: GET DATA 7A" opensc-tool -r 0 -s 00A4040006D27600012401 \
    -s 00CA007A00
sc_expect_match "signature counter 1" "$out" "7A 05 93 03 00 00 01"
sc_log "PASS"
