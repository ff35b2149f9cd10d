#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# The cryptoflex card type through a private pcscd with OpenSC 0.23's flex
# driver (enabled by an OPENSC_CONF of this test): opensc-tool names it;
# pkcs15-init without the transport key fails (a wrong one is refused by the
# card, and the MF refuses CREATE FILE without it); pkcs15-init -C -T, -P,
# -G rsa/1024 and rsa/2048, --store-certificate succeed; pkcs15-tool -D
# lists the PIN, the keys and the certificate; opensc-explorer lists and
# reads files; a signature made with raw APDUs (C0 88, byte-reversed)
# verifies with openssl against the public key read from EF 1012; after a
# restart of softcard the image still has the keys.
. "$(dirname "$0")/lib.sh"
sc_enter_namespaces "$@"
cd "$SC_TMP"

cat > opensc.conf <<'CONF'
app default { card_drivers = old, internal; }
CONF
export OPENSC_CONF=$SC_TMP/opensc.conf
export HOME=$SC_TMP   # OpenSC's file cache stays in the test

"$SC_BIN" --init cryptoflex -f card.json --serial 0102030405060708 \
    >>"$SC_TMP/softcard.log" 2>&1 || sc_fail "--init cryptoflex"
sc_start_pcscd
sc_start_card -vvv -f card.json
sc_wait_card "Virtual PCD 00 00" present

sc_expect_match "opensc-tool -n, default drivers" \
    "$(OPENSC_CONF=/etc/opensc/opensc.conf opensc-tool -r 0 -n 2>&1)" \
    "Unsupported card"
sc_expect_match "opensc-tool -n, flex driver" "$(opensc-tool -r 0 -n 2>&1)" \
    "^Cryptoflex$"
sc_expect_eq "ATR" "$(opensc-tool -r 0 -a 2>&1)" "3b:e2:00:00:40:20:49:07"

# Without the transport key the MF refuses to create the application.
if out=$(pkcs15-init -r 0 -C --so-pin 87654321 --so-puk 12345678 \
         </dev/null 2>&1); then
    echo "$out"
    sc_fail "pkcs15-init -C without -T succeeded"
fi
sc_log "ok: pkcs15-init -C without -T fails"
# That one stops at the key prompt (the MF's access conditions ask for AUT1)
# when it reads the closed stdin. The card itself must refuse: a wrong key
# typed at the prompt (VERIFY KEY: 63 00), and CREATE FILE in the MF
# without AUT1 (69 82).
if out=$(printf '01:02:03:04:05:06:07:08\n' | pkcs15-init -r 0 -C \
         --so-pin 87654321 --so-puk 12345678 2>&1); then
    echo "$out"
    sc_fail "pkcs15-init -C with a wrong transport key succeeded"
fi
sc_expect_match "the card refuses a wrong transport key" \
    "$(grep -A1 'C-APDU (VERIFY KEY' "$SC_TMP/softcard.log" | tail -n 1)" \
    "R-APDU .*: 63 00$"
printf 'create 4444 16\n' > create.script
if out=$(opensc-explorer -r 0 -c flex create.script </dev/null 2>&1); then
    echo "$out"
    sc_fail "opensc-explorer created a file in the MF without AUT1"
fi
sc_expect_match "CREATE FILE in the MF without AUT1" "$out" \
    "Security status not satisfied"

sc_run "pkcs15-init -C -T" pkcs15-init -r 0 -C -T --so-pin 87654321 \
    --so-puk 12345678
sc_run "pkcs15-init -P" pkcs15-init -r 0 -T -P -a 01 --pin 1234 --puk 123456 \
    --label user --so-pin 87654321
sc_run "pkcs15-init -G rsa/1024" pkcs15-init -r 0 -T -G rsa/1024 -a 01 \
    --pin 1234 --so-pin 87654321 --id 45
sc_run "pkcs15-init -G rsa/2048" pkcs15-init -r 0 -T -G rsa/2048 -a 01 \
    --pin 1234 --so-pin 87654321 --id 46

openssl req -x509 -newkey rsa:2048 -nodes -keyout cert.key -out cert.pem \
    -subj /CN=softcard-cryptoflex -days 30 >/dev/null 2>&1 ||
    sc_fail "openssl req"
sc_run "--store-certificate" pkcs15-init -r 0 -T --store-certificate cert.pem \
    --id 45 --pin 1234 --so-pin 87654321

sc_run "pkcs15-tool -D" pkcs15-tool -r 0 -D
dump=$out
sc_expect_match "PIN listed" "$dump" "PIN \[user\]"
sc_expect_match "private key listed" "$dump" "Private RSA Key"
sc_expect_match "key path" "$dump" "Path +: 3f0050154b0130000012"
sc_expect_match "2048-bit key" "$dump" "ModLength +: 2048"
sc_expect_match "certificate listed" "$dump" "X.509 Certificate"
sc_expect_match "certificate ID" "$dump" "ID +: 45"

printf 'ls\n' > ls.script
printf 'cat 0002\n' > cat.script
sc_run "opensc-explorer ls" opensc-explorer -r 0 -c flex ls.script
sc_expect_match "ls lists 0002" "$out" "0002"
sc_expect_match "ls lists 5015" "$out" "5015"
sc_run "opensc-explorer cat" opensc-explorer -r 0 -c flex cat.script
sc_expect_match "cat 0002" "$out" "01 02 03 04 05 06 07 08"

# hex WORDS: the data bytes opensc-tool printed, as one hex string
hexdata() {
    awk '/^Received/ {n++; next}
         n == want && /^([0-9A-F][0-9A-F] )+/ {
             for (i = 1; i <= NF && i <= 16; i++)
                 if ($i ~ /^[0-9A-F][0-9A-F]$/) printf "%s", $i; else break }' \
        want="$1"
}
rev() { echo "$1" | fold -w2 | tac | tr -d '\n'; }

# The public key of the 1024-bit key (DF 3000 of 4B01): the modulus is
# little-endian at offset 3 of EF 1012.
key_apdus=(-s "C0 A4 00 00 02 3F 00" -s "C0 A4 00 00 02 50 15"
           -s "C0 A4 00 00 02 4B 01" -s "C0 A4 00 00 02 30 00")
read_out=$(opensc-tool -r 0 -c flex "${key_apdus[@]}" \
           -s "C0 A4 00 00 02 10 12" -s "C0 B0 00 03 80" 2>&1)
mod_le=$(hexdata 6 <<<"$read_out")
[ ${#mod_le} -eq 256 ] || { echo "$read_out"; sc_fail "modulus: '$mod_le'"; }
mod=$(rev "$mod_le")
cat > pub.cnf <<CNF
asn1=SEQUENCE:pubkey
[pubkey]
alg=SEQUENCE:alg
key=BITWRAP,SEQUENCE:rsa
[alg]
oid=OID:rsaEncryption
null=NULL
[rsa]
n=INTEGER:0x$mod
e=INTEGER:65537
CNF
openssl asn1parse -genconf pub.cnf -out pub.der >/dev/null ||
    sc_fail "public key DER"
openssl pkey -pubin -inform DER -in pub.der -out pub.pem ||
    sc_fail "public key PEM"

# A PKCS#1 v1.5 SHA-256 block for "softcard", byte-reversed, signed with
# C0 88 after VERIFY CHV1; the answer waits behind 61 80.
echo -n softcard > msg.txt
digest=$(openssl dgst -sha256 -binary msg.txt | od -An -tx1 | tr -d ' \n')
pad=$(printf 'ff%.0s' $(seq 1 $((128 - 3 - 19 - 32))))
block="0001${pad}003031300d060960864801650304020105000420${digest}"
[ ${#block} -eq 256 ] || sc_fail "block length ${#block}"
sign_out=$(opensc-tool -r 0 -c flex "${key_apdus[@]}" \
           -s "C0 20 00 01 08 31 32 33 34 00 00 00 00" \
           -s "C0 88 00 00 80 $(rev "$block") 80" 2>&1)
sc_expect_match "C0 88 then GET RESPONSE: 9000" "$sign_out" \
    "SW1=0x90, SW2=0x00"
sc_expect_match "C0 88 answered 61 80" "$(cat "$SC_TMP/softcard.log")" \
    "R-APDU .*: 61 80"
sc_expect_match "GET RESPONSE C0 C0 00 00 80" "$(cat "$SC_TMP/softcard.log")" \
    "C-APDU \(GET RESPONSE, channel 0\): C0 C0 00 00 80"
sig_le=$(hexdata 6 <<<"$sign_out")
[ ${#sig_le} -eq 256 ] || { echo "$sign_out"; sc_fail "signature: '$sig_le'"; }
rev "$sig_le" | xxd -r -p > sig.bin
sc_run "openssl verifies the card's signature" \
    openssl dgst -sha256 -verify pub.pem -signature sig.bin msg.txt

# OpenSC 0.23's flex driver refuses every signature before sending an
# APDU (card-flex.c: "Card supports only raw RSA."): documented, expected.
if out=$(pkcs11-tool --module /usr/lib/x86_64-linux-gnu/opensc-pkcs11.so \
         --sign -m RSA-PKCS --id 45 --pin 1234 -i msg.txt -o p11.sig \
         </dev/null 2>&1); then
    sc_fail "pkcs11-tool --sign succeeded (the OpenSC limitation is gone?)"
fi
sc_expect_match "pkcs11-tool --sign: OpenSC limitation" "$out" \
    "CKR_FUNCTION_NOT_SUPPORTED"

# The image survives a restart: the same key signs again.
kill "$SC_CARD_PID"
wait "$SC_CARD_PID" 2>/dev/null || true
sc_wait_card "Virtual PCD 00 00" absent
sc_start_card -vvv -f card.json
sc_wait_card "Virtual PCD 00 00" present
sign_out=$(opensc-tool -r 0 -c flex "${key_apdus[@]}" \
           -s "C0 20 00 01 08 31 32 33 34 00 00 00 00" \
           -s "C0 88 00 00 80 $(rev "$block") 80" 2>&1)
sig2_le=$(hexdata 6 <<<"$sign_out")
sc_expect_eq "signature after restart" "$sig2_le" "$sig_le"
sc_run "pkcs15-tool -D after restart" pkcs15-tool -r 0 -D
sc_expect_match "key after restart" "$out" "Path +: 3f0050154b0130000012"
sc_expect_match "certificate after restart" "$out" "X.509 Certificate"
