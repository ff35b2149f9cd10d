#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# The openpgp card type with GnuPG 2.2 (Debian's scdaemon over a private
# pcscd, a temporary GNUPGHOME, a pinentry stand-in): gpg --card-status
# shows version 3.4, the serial number and the retry counters; gpg
# --card-edit generates all three keys on the card; a signature verifies
# and the signature counter increments by one; a message encrypted to the
# card's key decrypts; three wrong PW1 block it, the resetting code and
# then PW3 unblock it; after a restart of softcard the image still has the
# keys, the counters and the PINs; factory-reset returns the defaults.
. "$(dirname "$0")/lib.sh"
sc_enter_namespaces "$@"
cd "$SC_TMP"
. "$SC_HERE/openpgp_lib.sh"

"$SC_BIN" --init openpgp -f card.json --serial 0A0B0C0D \
    --cardholder-name 'User<<Test' >>"$SC_TMP/softcard.log" 2>&1 ||
    sc_fail "--init openpgp"
sc_start_pcscd
sc_start_card -vv -f card.json
sc_wait_card "Virtual PCD 00 00" present

pgp_status
sc_expect_eq "version" "$(pgp_field Version)" "3.4"
sc_expect_eq "serial number" "$(pgp_field 'Serial number')" "0A0B0C0D"
sc_expect_match "AID" "$status" "D276000124010304FFFF0A0B0C0D0000"
sc_expect_eq "retry counters" "$(pgp_field 'PIN retry counter')" "3 0 3"
sc_expect_eq "no signature key" "$(pgp_field 'Signature key')" "[none]"
sc_expect_eq "cardholder" "$(pgp_field 'Name of cardholder')" "Test User"

# Key generation on the card, all three keys.
pgp_card_edit admin generate n 0 "Test User" test@example.org "" quit
pgp_status
for k in Signature Encryption Authentication; do
    sc_expect_match "$k key generated" "$(pgp_field "$k key")" \
        "^[0-9A-F]{4}( +[0-9A-F]{4}){9}$"
done
before=$(pgp_field 'Signature counter')

# A signature that gpg --verify accepts; the counter increments by one.
echo "softcard openpgp" > msg
gpg --batch --yes -u test@example.org -o msg.sig --sign msg 2>>gpg.log ||
    sc_fail "gpg --sign"
out=$(gpg --verify msg.sig 2>&1) || { echo "$out"; sc_fail "gpg --verify"; }
sc_expect_match "good signature" "$out" "Good signature"
pgp_status
sc_expect_eq "signature counter +1" "$(pgp_field 'Signature counter')" \
    "$((before + 1))"

# A message encrypted to the card's key decrypts.
gpg --batch --yes --trust-model always -r test@example.org -o msg.enc \
    -e msg 2>>gpg.log || sc_fail "gpg --encrypt"
out=$(gpg --batch -d msg.enc 2>>gpg.log) || sc_fail "gpg --decrypt"
sc_expect_eq "decrypted" "$out" "softcard openpgp"

# Three wrong PW1 block it (a fresh gpg-agent and scdaemon: no verification cached).
gpgconf --kill all
pgp_pins 000000 12345678
for _ in 1 2 3; do
    pgp_scd "CHECKPIN D276000124010304FFFF0A0B0C0D0000" || true
done
pgp_status
sc_expect_eq "PW1 blocked" "$(pgp_field 'PIN retry counter')" "0 0 3"

# The resetting code (set with PW3) unblocks it with a new PW1.
pgp_pins 111111 12345678 87654321
pgp_scd "PASSWD --reset 2"
sc_expect_match "reset code set" "$out" "^OK"
pgp_status
sc_expect_eq "reset code counter" "$(pgp_field 'PIN retry counter')" "0 3 3"
pgp_scd "PASSWD 2"
sc_expect_match "unblocked with the reset code" "$out" "^OK"
pgp_status
sc_expect_eq "PW1 unblocked" "$(pgp_field 'PIN retry counter')" "3 3 3"
gpg --batch --yes -u test@example.org -o msg2.sig --sign msg 2>>gpg.log ||
    sc_fail "sign with the new PW1"
sc_log "ok: new PW1 signs"

# Blocked again, PW3 unblocks it.
gpgconf --kill all
pgp_pins 000000 12345678
for _ in 1 2 3; do
    pgp_scd "CHECKPIN D276000124010304FFFF0A0B0C0D0000" || true
done
pgp_pins 123456 12345678
pgp_scd "PASSWD --reset 1"
sc_expect_match "unblocked with PW3" "$out" "^OK"
pgp_status
sc_expect_eq "PW1 unblocked by PW3" "$(pgp_field 'PIN retry counter')" \
    "3 3 3"
counter=$(pgp_field 'Signature counter')

# The image keeps keys, counters and PINs across a restart.
gpgconf --kill all
kill "$SC_CARD_PID"
wait "$SC_CARD_PID" 2>/dev/null || true
sc_wait_card "Virtual PCD 00 00" absent
sc_start_card -vv -f card.json
sc_wait_card "Virtual PCD 00 00" present
pgp_status
sc_expect_eq "counter kept" "$(pgp_field 'Signature counter')" "$counter"
sc_expect_eq "retry counters kept" "$(pgp_field 'PIN retry counter')" "3 3 3"
gpg --batch --yes -u test@example.org -o msg3.sig --sign msg 2>>gpg.log ||
    sc_fail "sign after the restart"
out=$(gpg --verify msg3.sig 2>&1) || { echo "$out"; sc_fail "verify"; }
sc_log "ok: signature after the restart verifies"

# factory-reset: TERMINATE DF and ACTIVATE FILE return the defaults.
pgp_card_edit admin factory-reset y yes quit
pgp_status
sc_expect_eq "defaults: counters" "$(pgp_field 'PIN retry counter')" "3 0 3"
sc_expect_eq "defaults: no key" "$(pgp_field 'Signature key')" "[none]"
sc_expect_eq "defaults: counter" "$(pgp_field 'Signature counter')" "0"
sc_expect_eq "defaults: name" "$(pgp_field 'Name of cardholder')" "[not set]"
sc_expect_eq "serial kept" "$(pgp_field 'Serial number')" "0A0B0C0D"
pgp_scd "CHECKPIN D276000124010304FFFF0A0B0C0D0000"
sc_expect_match "default PW1 after the reset" "$out" "^OK"
sc_log "PASS"
