#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# The piv card type through a private pcscd with yubico-piv-tool 2.2 and
# OpenSC: opensc-tool -n names a PIV card; yubico-piv-tool -a status shows
# the version, serial, CHUID, CCC and PIN tries; for 9A (RSA2048), 9C
# (P-256), 9D (P-256) and 9E (RSA2048): -a generate, a certificate for the
# public key (openssl: Debian's 2.2 cannot -a selfsign-certificate with
# OpenSSL 3), -a import-certificate, then -a status shows them;
# attestation of a generated key verifies against the F9 certificate;
# test-signature and test-decipher; wrong PINs count down, the PUK
# unblocks, change-pin and set-mgm-key work and the old management key is
# refused; import-key, set-chuid, set-ccc, read-object, read-certificate,
# delete-certificate and pin-retries work; blocked PIN and PUK allow
# -a reset; and the card image keeps it all across a restart of softcard.
. "$(dirname "$0")/lib.sh"
sc_enter_namespaces "$@"
cd "$SC_TMP"
export HOME=$SC_TMP

R='Virtual PCD'
"$SC_BIN" --init piv -f card.json --serial 01020304 \
    >>"$SC_TMP/softcard.log" 2>&1 || sc_fail "--init piv"
sc_start_pcscd
sc_start_card -vv -f card.json
sc_wait_card "Virtual PCD 00 00" present

# run WHAT CMD...: must exit 0 (stdin closed unless redirected); output in $out
run() {
    local what=$1
    shift
    out=$("$@" 2>&1) || { echo "$out"; sc_fail "$what"; }
    sc_log "ok: $what"
}
# fails WHAT CMD...: must exit non-zero
fails() {
    local what=$1
    shift
    if out=$("$@" 2>&1); then
        echo "$out"
        sc_fail "$what succeeded"
    fi
    sc_log "ok: $what fails"
}
yk() { yubico-piv-tool -r "$R" "$@"; }

sc_expect_match "opensc-tool -n" "$(opensc-tool -r 0 -n 2>&1)" \
    "^Personal Identity Verification Card$"

run "status of a fresh card" yk -a status </dev/null
sc_expect_match "version" "$out" "Version:[[:space:]]+5\.4\.3"
sc_expect_match "serial" "$out" "Serial Number:[[:space:]]+16909060"
sc_expect_match "CHUID" "$out" "CHUID:[[:space:]]+3019d4e739da"
sc_expect_match "CCC" "$out" "CCC:[[:space:]]+f015a000000116ff02"
sc_expect_match "PIN tries" "$out" "PIN tries left:[[:space:]]+3"

# Debian 12's yubico-piv-tool 2.2 cannot -a selfsign-certificate with
# OpenSSL 3 (it fails before sending a command: Yubico/yubico-piv-tool#388),
# so a test CA issues the certificates for the public keys the card made.
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
    -keyout ca.key -out ca.pem -subj /CN=test-ca -days 30 >/dev/null 2>&1 ||
    sc_fail "test CA"
for sa in 9e:RSA2048 9a:RSA2048 9c:ECCP256 9d:ECCP256; do
    s=${sa%%:*} a=${sa##*:}
    run "generate $s $a" yk -s "$s" -a generate -A "$a" -o "$s.pub" </dev/null
    run "certificate for $s" openssl x509 -new -subj "/CN=bar/OU=test/O=example.com" \
        -force_pubkey "$s.pub" -CA ca.pem -CAkey ca.key -days 30 -out "$s.cert"
    run "import-certificate $s" yk -s "$s" -a import-certificate -i "$s.cert"
done

run "status with four slots" yk -a status </dev/null
# slot_alg SLOT: the algorithm -a status printed for a slot
slot_alg() { awk -v s="Slot $1:" '$0 ~ "^" s { getline; print $2 }' <<<"$out"; }
sc_expect_eq "9a RSA2048" "$(slot_alg 9a)" RSA2048
sc_expect_eq "9c ECCP256" "$(slot_alg 9c)" ECCP256
sc_expect_eq "9d ECCP256" "$(slot_alg 9d)" ECCP256
sc_expect_eq "9e RSA2048" "$(slot_alg 9e)" RSA2048
sc_expect_match "subject" "$out" "Subject DN:[[:space:]]+CN=bar, OU=test, O=example.com"

run "test-signature 9a" yk -P 123456 -s 9a -a verify-pin -a test-signature -i 9a.cert
run "test-signature 9c" yk -P 123456 -s 9c -a verify-pin -a test-signature -i 9c.cert
run "test-decipher 9d" yk -P 123456 -s 9d -a verify-pin -a test-decipher -i 9d.cert
run "test-decipher 9e" yk -s 9e -a test-decipher -i 9e.cert

# attestation: signed by the F9 key, whose certificate is in 5FFF01
run "attest 9a" yk -s 9a -a attest -o 9a.attest </dev/null
run "read attestation cert" yk -s f9 -a read-certificate -o f9.pem </dev/null
run "attestation verifies" openssl verify -partial_chain -CAfile f9.pem 9a.attest

# keys made by openssl, imported (IMPORT KEY), and the object commands
openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out imp.key 2>/dev/null
openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-384 -out imp384.key 2>/dev/null
openssl req -x509 -key imp.key -subj /CN=imported -days 3 -out imp.pem 2>/dev/null
run "import-key RSA 2048 into 9e" yk -s 9e -a import-key -i imp.key
run "import-certificate 9e" yk -s 9e -a import-certificate -i imp.pem
run "test-signature with the imported key" yk -s 9e -a test-signature -i imp.pem
run "import-key P-384 into 82" yk -s 82 -a import-key -i imp384.key --pin-policy=never
run "set-chuid" yk -a set-chuid </dev/null
run "set-ccc" yk -a set-ccc </dev/null
run "read-object CHUID" yk -a read-object --id 0x5fc102 -f hex </dev/null
sc_expect_match "CHUID read back" "$out" "^3019d4e739da"
run "read-certificate 9e" yk -s 9e -a read-certificate </dev/null
sc_expect_eq "certificate read back" "$out" "$(cat imp.pem)"
run "delete-certificate 9e" yk -s 9e -a delete-certificate </dev/null
fails "read-certificate after delete" yk -s 9e -a read-certificate </dev/null
run "import-certificate 9e again" yk -s 9e -a import-certificate -i imp.pem

# PIN counter, PUK, change-pin
run "verify-pin" yk -P 123456 -a verify-pin </dev/null
fails "wrong PIN 1" yk -P 000000 -a verify-pin </dev/null
sc_expect_match "2 tries left" "$out" "2 tries left"
fails "wrong PIN 2" yk -P 000000 -a verify-pin </dev/null
fails "wrong PIN 3" yk -P 000000 -a verify-pin </dev/null
fails "right PIN once blocked" yk -P 123456 -a verify-pin </dev/null
run "unblock-pin" yk -P 12345678 -N 654321 -a unblock-pin </dev/null
run "change-pin" yk -P 654321 -N 123456 -a change-pin </dev/null
run "verify the changed PIN" yk -P 123456 -a verify-pin </dev/null
run "change-puk" yk -P 12345678 -N 87654321 -a change-puk </dev/null

# management key
NEWKEY=080706050403020108070605040302010807060504030201
fails "wrong management key" yk --key=111111111111111111111111111111111111111111111111 \
    -s 82 -a generate -A ECCP256 </dev/null
sc_expect_match "auth failure" "$out" "Failed authentication with the application"
run "set-mgm-key" yk -a set-mgm-key -n "$NEWKEY" </dev/null
fails "old management key" yk -s 82 -a generate -A ECCP256 </dev/null
run "new management key" yk --key="$NEWKEY" -s 82 -a generate -A ECCP256 </dev/null

# the image keeps keys, objects and counters across a restart
fails "wrong PIN before restart" yk -P 000000 -a verify-pin </dev/null
kill "$SC_CARD_PID"
wait "$SC_CARD_PID" 2>/dev/null || true
sc_wait_card "Virtual PCD 00 00" absent
sc_start_card -vv -f card.json
sc_wait_card "Virtual PCD 00 00" present
run "status after restart" yk -a status </dev/null
sc_expect_match "PIN tries after restart" "$out" "PIN tries left:[[:space:]]+2"
sc_expect_match "9c after restart" "$out" "Slot 9c:"
run "signature after restart" yk -P 123456 -s 9a -a verify-pin -a test-signature -i 9a.cert
run "new management key after restart" yk --key="$NEWKEY" -s 83 -a generate -A ECCP256 </dev/null

# reset needs PIN and PUK blocked
fails "reset while the PIN works" yk -a reset </dev/null
for i in 1 2 3; do yk -P 000000 -a verify-pin </dev/null >/dev/null 2>&1 || true; done
for i in 1 2 3; do yk -P 00000000 -N 000000 -a unblock-pin </dev/null >/dev/null 2>&1 || true; done
run "reset" yk -a reset </dev/null
run "status after reset" yk -a status </dev/null
if grep -q "Slot 9a" <<<"$out"; then sc_fail "9a survived the reset"; fi
sc_log "ok: no slot after reset"
run "default management key after reset" yk -s 9a -a generate -A ECCP256 </dev/null
run "pin-retries 5 4" yk -P 123456 -a verify-pin -a pin-retries --pin-retries 5 \
    --puk-retries 4 </dev/null
run "status after pin-retries" yk -a status </dev/null
sc_expect_match "5 PIN tries" "$out" "PIN tries left:[[:space:]]+5"
