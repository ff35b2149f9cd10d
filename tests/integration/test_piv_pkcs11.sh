#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# A PIV card personalised headless with a test PKI (--init piv with
# --key-9a/--cert-9a ... PEM files, a chosen PIN, PUK and AES management
# key), used through a private pcscd by OpenSC's PKCS#11 module: pkcs11-tool
# lists the four certificates and private keys; RSA PKCS#1 v1.5, RSA-PSS
# and ECDSA signatures verify with openssl (9E without a PIN); RSA decryption returns what
# openssl encrypted; ECDH derives the secret openssl derives;
# `pkcs11-tool --test --login` ends without errors; ssh-keygen -D prints
# the public keys; OpenSC flags the 9C key "always authenticate".
. "$(dirname "$0")/lib.sh"
sc_enter_namespaces "$@"
cd "$SC_TMP"
export HOME=$SC_TMP
P=/usr/lib/x86_64-linux-gnu/opensc-pkcs11.so
PIN=24681357

# the test PKI: a CA and four end-entity keys and certificates
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
    -keyout ca.key -out ca.pem -subj /CN=test-ca -days 30 >/dev/null 2>&1 ||
    sc_fail "test CA"
for sk in 9a:rsa:2048 9c:ec:P-256 9d:ec:P-256 9e:rsa:2048; do
    IFS=: read -r s kind bits <<<"$sk"
    if [ "$kind" = rsa ]; then
        openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:"$bits" \
            -out "$s.key" 2>/dev/null
    else
        openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:"$bits" \
            -out "$s.key" 2>/dev/null
    fi
    openssl req -new -key "$s.key" -subj "/CN=slot $s" 2>/dev/null |
        openssl x509 -req -CA ca.pem -CAkey ca.key -days 30 -out "$s.pem" \
            2>/dev/null || sc_fail "certificate $s"
    openssl pkey -in "$s.key" -pubout -out "$s.pub"
done

"$SC_BIN" --init piv -f card.json --pin "$PIN" --puk 11223344 \
    --mgm-key-algorithm aes128 --mgm-key 00112233445566778899AABBCCDDEEFF \
    --key-9a 9a.key --cert-9a 9a.pem --key-9c 9c.key --cert-9c 9c.pem \
    --key-9d 9d.key --cert-9d 9d.pem --key-9e 9e.key --cert-9e 9e.pem \
    >>"$SC_TMP/softcard.log" 2>&1 || sc_fail "--init piv with a PKI"
if "$SC_BIN" --init piv -f bad.json --key-9a 9a.key --cert-9a 9c.pem \
    >bad.log 2>&1; then
    sc_fail "a certificate of another key was accepted"
fi
sc_expect_match "mismatched certificate refused" "$(cat bad.log)" \
    "cert-9a: its public key is not the slot's key"
sc_start_pcscd
sc_start_card -vv -f card.json
sc_wait_card "Virtual PCD 00 00" present

sc_expect_match "opensc-tool -n" "$(opensc-tool -r 0 -n 2>&1)" \
    "^Personal Identity Verification Card$"

sc_run "list objects" pkcs11-tool --module "$P" -l -p "$PIN" -O
sc_expect_eq "four certificates" "$(grep -c '^Certificate Object' <<<"$out")" 4
sc_expect_eq "four private keys" "$(grep -c '^Private Key Object' <<<"$out")" 4
sc_expect_match "9c needs the PIN always" "$out" "always authenticate"

head -c 1000 /dev/urandom >data
# sign ID MECH OUT [more options]
sign() {
    local id=$1 mech=$2 sig=$3
    shift 3
    sc_run "sign $id $mech" pkcs11-tool --module "$P" -l -p "$PIN" --sign \
        --id "$id" -m "$mech" -i data -o "$sig" "$@"
}
sign 01 SHA256-RSA-PKCS sig.pkcs1
sc_run "PKCS#1 v1.5 verifies" openssl dgst -sha256 -verify 9a.pub \
    -signature sig.pkcs1 data
sign 01 SHA256-RSA-PKCS-PSS sig.pss --salt-len 32
sc_run "PSS verifies" openssl dgst -sha256 -sigopt rsa_padding_mode:pss \
    -sigopt rsa_pss_saltlen:32 -verify 9a.pub -signature sig.pss data
sign 02 ECDSA-SHA256 sig.9c --signature-format openssl
sc_run "ECDSA 9c verifies" openssl dgst -sha256 -verify 9c.pub -signature sig.9c data
sign 04 SHA384-RSA-PKCS sig.9e
sc_run "9e (no PIN policy) verifies" openssl dgst -sha384 -verify 9e.pub \
    -signature sig.9e data

printf 'a secret for the card' >plain
openssl pkeyutl -encrypt -pubin -inkey 9a.pub -in plain -out enc
sc_run "RSA decrypt" pkcs11-tool --module "$P" -l -p "$PIN" --decrypt --id 01 \
    -m RSA-PKCS -i enc -o dec
sc_expect_eq "decrypted" "$(cat dec)" "a secret for the card"

# ECDH with 9d: the card and openssl derive the same secret
openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out peer.key
openssl pkey -in peer.key -pubout -outform DER -out peer.der
sc_run "ECDH derive" pkcs11-tool --module "$P" -l -p "$PIN" --derive --id 03 \
    -m ECDH1-DERIVE -i peer.der -o card.secret
openssl pkeyutl -derive -inkey peer.key -peerkey 9d.pub -out ossl.secret
sc_expect_eq "ECDH secret" "$(od -An -tx1 card.secret)" "$(od -An -tx1 ossl.secret)"

sc_run "pkcs11-tool --test --login" pkcs11-tool --module "$P" --test --login -p "$PIN"
sc_expect_match "no errors" "$out" "No errors"

sc_run "ssh-keygen -D" ssh-keygen -D "$P"
sc_expect_match "ssh RSA key" "$out" "^ssh-rsa AAAA"
sc_expect_match "ssh ECDSA key" "$out" "^ecdsa-sha2-nistp256 AAAA"
key9a=$(ssh-keygen -i -m PKCS8 -f 9a.pub | cut -d' ' -f2)
grep -qF -- "$key9a" <<<"$out" || sc_fail "ssh-keygen -D lacks the 9a key"
sc_log "ok: the 9a key"

# the same kind of card from an --init-config file
cat > piv-config.json <<JSON
{"type": "piv", "params": {"pin": "$PIN", "key-9a": "9a.key", "cert-9a": "9a.pem"}}
JSON
sc_run "--init-config piv" "$SC_BIN" --init-config piv-config.json -f cfg.json
sc_expect_match "image of the config" "$(cat cfg.json)" '"type": "piv"'

