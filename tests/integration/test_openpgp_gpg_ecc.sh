#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# The openpgp card type's elliptic curves with GnuPG 2.2: gpg --card-edit
# key-attr switches the three slots to Ed25519/Cv25519/Ed25519, generates
# them on the card, and a signature verifies and a message encrypted to the
# card decrypts (EdDSA, X25519 ECDH); after a factory reset the same with
# NIST P-256 (ECDSA, ECDH) and brainpoolP256r1 for authentication.
. "$(dirname "$0")/lib.sh"
sc_enter_namespaces "$@"
cd "$SC_TMP"
. "$SC_HERE/openpgp_lib.sh"

sc_start_pcscd
sc_start_card -vv -t openpgp --serial 0A0B0C0E
sc_wait_card "Virtual PCD 00 00" present

# key_attr ANSWERS...: gpg --expert --card-edit admin key-attr ANSWERS quit
key_attr() {
    printf '%s\n' admin key-attr "$@" quit |
        gpg --expert --no-tty --command-fd 0 --status-fd 2 --card-edit \
            >"$SC_TMP/key-attr.out" 2>&1 ||
        { cat "$SC_TMP/key-attr.out"; sc_fail "key-attr $*"; }
}

# sign_and_decrypt UID: a signature verifies, an encrypted message decrypts
sign_and_decrypt() {
    echo "softcard $1" > msg
    gpg --batch --yes -u "$1" -o msg.sig --sign msg 2>>gpg.log ||
        sc_fail "gpg --sign ($1)"
    out=$(gpg --verify msg.sig 2>&1) || { echo "$out"; sc_fail "verify"; }
    sc_expect_match "$1: good signature" "$out" "Good signature"
    gpg --batch --yes --trust-model always -r "$1" -o msg.enc -e msg \
        2>>gpg.log || sc_fail "gpg --encrypt ($1)"
    out=$(gpg --batch -d msg.enc 2>>gpg.log) || sc_fail "gpg --decrypt ($1)"
    sc_expect_eq "$1: decrypted" "$out" "softcard $1"
}

key_attr 2 1 2 1 2 1   # ECC, Curve 25519 for all three
pgp_status
sc_expect_eq "25519 attributes" "$(pgp_field 'Key attributes')" \
    "ed25519 cv25519 ed25519"
pgp_card_edit admin generate n 0 "Curve User" c25519@example.org "" quit
sign_and_decrypt c25519@example.org

pgp_card_edit admin factory-reset y yes quit
pgp_status
sc_expect_eq "factory reset: RSA again" "$(pgp_field 'Key attributes')" \
    "rsa2048 rsa2048 rsa2048"
key_attr 2 3 2 3 2 6   # NIST P-256, NIST P-256, Brainpool P-256
pgp_status
sc_expect_eq "NIST and brainpool attributes" \
    "$(pgp_field 'Key attributes')" "nistp256 nistp256 brainpoolP256r1"
pgp_card_edit admin generate n 0 "Nist User" nist@example.org "" quit
sign_and_decrypt nist@example.org
sc_log "PASS"
