#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# Headless personalisation of the openpgp card type with key files: gpg
# makes a key (RSA 2048, then Ed25519 with a Cv25519 subkey) at a fixed
# creation time, its secret parts become PEM files, and
# `softcard --init openpgp --sig-key --dec-key --key-time` puts them on a
# card. gpg --card-status then shows the fingerprints gpg computed itself
# (so the card's v4 fingerprints are right), and with the software secret
# keys deleted gpg signs and decrypts through the card.
. "$(dirname "$0")/lib.sh"
sc_enter_namespaces "$@"
cd "$SC_TMP"
. "$SC_HERE/openpgp_lib.sh"
sc_start_pcscd

# fpr N UID: the Nth fingerprint (1 primary, 2 subkey) of UID, as gpg has it
fpr() {
    gpg --with-colons --list-keys "$2" 2>/dev/null | awk -F: -v n="$1" \
        '/^fpr/ { if (++i == n) { print $10; exit } }'
}

# spaced FPR: as --card-status prints it
spaced() {
    sed -E 's/(.{4})/\1 /g; s/ $//; s/^((.{4} ){4}.{4}) /\1  /' <<<"$1"
}

# from_files SERIAL UID KEYTYPE: one round
from_files() {
    local serial=$1 uid=$2
    shift 2
    cat > keyparams <<EOF
%no-protection
$(printf '%s\n' "$@")
Name-Real: File User
Name-Email: $uid
Expire-Date: 0
Creation-Date: 20240102T030405
%commit
EOF
    gpg --batch --gen-key keyparams 2>>gpg.log || sc_fail "gen-key $uid"
    rm -f key0.pem key1.pem
    gpg --batch --export-secret-keys "$uid" | "$SC_PY" \
        "$SC_HERE/openpgp_seckey.py" . || sc_fail "secret keys to PEM"
    local time
    time=$(gpg --with-colons --list-keys "$uid" 2>/dev/null |
        awk -F: '/^pub/{print $6}')
    "$SC_BIN" --init openpgp -f "card-$serial.json" --serial "$serial" \
        --sig-key key0.pem --dec-key key1.pem --key-time "$time" \
        >>softcard.log 2>&1 || sc_fail "--init with key files"
    rm -f key0.pem key1.pem
    gpg --batch --yes --delete-secret-keys "$(fpr 1 "$uid")" 2>>gpg.log ||
        sc_fail "delete the software secret keys"
    sc_start_card -vv -f "card-$serial.json"
    sc_wait_card "Virtual PCD 00 00" present
    pgp_status
    sc_expect_eq "$uid: signature key fingerprint" \
        "$(pgp_field 'Signature key')" "$(spaced "$(fpr 1 "$uid")")"
    sc_expect_eq "$uid: encryption key fingerprint" \
        "$(pgp_field 'Encryption key')" "$(spaced "$(fpr 2 "$uid")")"
    echo "from a file $uid" > msg
    gpg --batch --yes -u "$uid" -o msg.sig --sign msg 2>>gpg.log ||
        sc_fail "sign through the card ($uid)"
    out=$(gpg --verify msg.sig 2>&1) || { echo "$out"; sc_fail "verify"; }
    sc_expect_match "$uid: signed by the card" "$out" "Good signature"
    gpg --batch --yes --trust-model always -r "$uid" -o msg.enc -e msg \
        2>>gpg.log || sc_fail "encrypt to $uid"
    out=$(gpg --batch -d msg.enc 2>>gpg.log) || sc_fail "decrypt ($uid)"
    sc_expect_eq "$uid: decrypted by the card" "$out" "from a file $uid"
    gpgconf --kill all
    kill "$SC_CARD_PID"
    wait "$SC_CARD_PID" 2>/dev/null || true
    sc_wait_card "Virtual PCD 00 00" absent
}

from_files 0A0B0C20 rsa@example.org "Key-Type: RSA" "Key-Length: 2048" \
    "Key-Usage: sign" "Subkey-Type: RSA" "Subkey-Length: 2048" \
    "Subkey-Usage: encrypt"
from_files 0A0B0C21 curve@example.org "Key-Type: EDDSA" \
    "Key-Curve: ed25519" "Key-Usage: sign" "Subkey-Type: ECDH" \
    "Subkey-Curve: cv25519" "Subkey-Usage: encrypt"
sc_log "PASS"
