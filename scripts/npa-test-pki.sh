#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# Make a test PKI for the nPA's Terminal Authentication with OpenPACE's
# cvc-create: a CVCA (brainpoolP256r1, ECDSA-SHA-256), a domestic DV and an
# authentication terminal, and write into DIR:
#   cvca.cvcert, cvca.pkcs8   the trust anchor (give cvca.cvcert to softcard
#                             as --cvca) and its key
#   dv.cvcert, dv.pkcs8       the Document Verifier
#   at.cvcert, at.pkcs8       the terminal (npa-tool's --private-key and
#                             --cv-certificate=DIR/dv.cvcert,DIR/at.cvcert)
#   cvc/<CHR>                 the CVCA under its holder reference
#                             (npa-tool's --cvc-dir)
# The terminal gets every right of an authentication terminal (all data
# groups read, DG17-DG21 write, age, community, RI, PIN management) unless
# rights are given after DIR as cvc-create options (e.g. --read-dg1).
# Usage: scripts/npa-test-pki.sh DIR [cvc-create rights...]
set -euo pipefail
DIR=${1:?usage: npa-test-pki.sh DIR [rights...]}
shift
command -v cvc-create >/dev/null || { echo "npa-test-pki: cvc-create (Debian package openpace) is missing" >&2; exit 1; }
ALL=(--verify-age --verify-community --rid --privileged --can-allowed
     --pin-management --install-cert --install-qual-cert)
for n in $(seq 1 21); do ALL+=("--read-dg$n"); done
for n in $(seq 17 21); do ALL+=("--write-dg$n"); done
TERM_RIGHTS=("${ALL[@]}")
[ $# -gt 0 ] && TERM_RIGHTS=("$@")
mkdir -p "$DIR/cvc"
cd "$DIR"
days() { date -d "+$1 days" +%y%m%d; }
openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:brainpoolP256r1 \
    -outform DER -out cvca.pkcs8 2>/dev/null
q() { "$@" >/dev/null; }
q cvc-create --role=cvca --type=at --chr=ZZSOFTCVCA00001 --expires="$(days 1825)" \
    --sign-with=cvca.pkcs8 --scheme=ECDSA_SHA_256 "${ALL[@]}" --out-cert=cvca.cvcert
q cvc-create --role=dv_domestic --chr=ZZSOFTDVCA00001 --expires="$(days 1095)" \
    --sign-with=cvca.pkcs8 --sign-as=cvca.cvcert --scheme=ECDSA_SHA_256 "${ALL[@]}" \
    --out-cert=dv.cvcert --out-key=dv.pkcs8
q cvc-create --role=terminal --chr=ZZSOFTTERM00001 --expires="$(days 365)" \
    --sign-with=dv.pkcs8 --sign-as=dv.cvcert --scheme=ECDSA_SHA_256 "${TERM_RIGHTS[@]}" \
    --out-cert=at.cvcert --out-key=at.pkcs8
cp cvca.cvcert cvc/ZZSOFTCVCA00001
