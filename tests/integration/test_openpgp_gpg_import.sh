#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# Key import into the openpgp card type with GnuPG 2.2 (PUT DATA DB 3FFF,
# the extended header list): gpg --edit-key keytocard moves a software
# encryption subkey to the card (RSA 2048, then Cv25519 on a fresh card),
# the software copy is gone, and a message encrypted to the subkey
# decrypts through the card; an Ed25519 primary key moved to the signature
# slot signs.
. "$(dirname "$0")/lib.sh"
sc_enter_namespaces "$@"
cd "$SC_TMP"
. "$SC_HERE/openpgp_lib.sh"
sc_start_pcscd

# import_and_use SERIAL UID PRIMARY SUBKEY
import_and_use() {
    local serial=$1 uid=$2 primary=$3 sub=$4 fpr
    sc_start_card -vv -t openpgp --serial "$serial"
    sc_wait_card "Virtual PCD 00 00" present
    gpg --batch --passphrase '' --quick-gen-key "Soft <$uid>" "$primary" \
        default never 2>>gpg.log || sc_fail "quick-gen-key $primary"
    fpr=$(gpg --list-keys --with-colons "$uid" | awk -F: '/^fpr/{print $10; exit}')
    gpg --batch --passphrase '' --quick-add-key "$fpr" "$sub" encr never \
        2>>gpg.log || sc_fail "quick-add-key $sub"
    # subkey 1 to the decryption slot (2), the primary to the signature
    # slot (1)
    printf '%s\n' "key 1" keytocard 2 "key 1" keytocard y 1 save |
        gpg --no-tty --command-fd 0 --status-fd 2 --edit-key "$uid" \
            >keytocard.out 2>&1 || { cat keytocard.out; sc_fail "keytocard"; }
    out=$(gpg -K "$uid" 2>/dev/null)
    sc_expect_match "$sub subkey on the card" "$out" "^ssb> +$sub"
    sc_expect_match "$primary primary key on the card" "$out" "^sec> +$primary"
    pgp_status
    sc_expect_eq "$sub: fingerprint on the card" "$(pgp_field 'Encryption key' |
        wc -w)" "10"
    echo "imported $sub" > msg
    gpg --batch --yes --trust-model always -r "$uid" -o msg.enc -e msg \
        2>>gpg.log || sc_fail "encrypt to $uid"
    out=$(gpg --batch -d msg.enc 2>>gpg.log) || sc_fail "decrypt ($sub)"
    sc_expect_eq "$sub: decrypted by the card" "$out" "imported $sub"
    gpg --batch --yes -u "$uid" -o msg.sig --sign msg 2>>gpg.log ||
        sc_fail "sign ($primary)"
    out=$(gpg --verify msg.sig 2>&1) || { echo "$out"; sc_fail "verify"; }
    sc_expect_match "$primary: signed by the card" "$out" "Good signature"
    gpgconf --kill all
    kill "$SC_CARD_PID"
    wait "$SC_CARD_PID" 2>/dev/null || true
    sc_wait_card "Virtual PCD 00 00" absent
}

import_and_use 0A0B0C10 rsa@example.org rsa2048 rsa2048
import_and_use 0A0B0C11 curve@example.org ed25519 cv25519
sc_log "PASS"
