#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# The nPA part of the demo: a German eID card (PACE, Terminal and Chip
# Authentication on OpenPACE) read through pcscd by npa-tool, which Debian
# does not ship: scripts/build-npa-tool.sh builds it once from Debian's
# OpenSC source and caches it. A test PKI (CVCA, DV, terminal) is made with
# OpenPACE's cvc-create; npa-tool runs PACE with the PIN, TA and CA and reads
# the data groups of Erika Mustermann; then the PIN life cycle: two wrong
# PINs suspend it (the right PIN alone no longer works), the CAN resumes
# it.
#
# Run inside the demo's private network and mount namespaces, with the
# demo's pcscd and a vpcd driver already running and slot PORT free:
#   scripts/demo-npa.sh SOFTCARD_BINARY [PORT]      (PORT default 35963)
set -euo pipefail
SOFTCARD=$1
PORT=${2:-35963}
SLOT=$((PORT - 35963))
READER="Virtual PCD 00 0$SLOT"
SRC=$(cd "$(dirname "$0")/.." && pwd)
. "$(dirname "$0")/demo-lib.sh"
demo_begin npa

step "npa-tool, built from Debian's OpenSC source (the first time takes about two minutes)"
NPA=$("$SRC/scripts/build-npa-tool.sh")
echo "  $NPA"

step "A test PKI for Terminal Authentication (OpenPACE's cvc-create), and an nPA that trusts its CVCA"
run "$SRC/scripts/npa-test-pki.sh" "$TMP/pki" >/dev/null
(cd "$TMP/pki" && echo " " *)
"$SOFTCARD" -t nPA --cvca "$TMP/pki/cvca.cvcert" -P "$PORT" -vv \
    >"$TMP/softcard.log" 2>&1 &
PIDS+=($!)
demo_wait_reader Yes "$READER"
run opensc-tool -r "$SLOT" -n

step "Without PACE the data groups stay closed: READ BINARY of DG1 gets 6982"
run opensc-tool -r "$SLOT" -s 00A4040C09E80704007F00070302 -s 00B0810000 \
    -s 00A4000C023F00

step "npa-tool: PACE with the PIN, Terminal and Chip Authentication, then the data groups"
N=(timeout 120 "$NPA" -r "$SLOT")
printf '\033[2m$ npa-tool --pin=111111 --private-key=pki/at.pkcs8 --cv-certificate=pki/dv.cvcert,pki/at.cvcert --cvc-dir=pki/cvc --disable-ca-checks --read-dg1 ... --read-dg8\033[0m\n'
"${N[@]}" -vvv --pin=111111 --private-key="$TMP/pki/at.pkcs8" \
    --cv-certificate="$TMP/pki/dv.cvcert,$TMP/pki/at.cvcert" \
    --cvc-dir="$TMP/pki/cvc" --disable-ca-checks --read-dg1 --read-dg2 \
    --read-dg3 --read-dg4 --read-dg5 --read-dg6 --read-dg7 --read-dg8 \
    >"$TMP/npa.log" 2>&1
grep -E "^(Established|Performed)" "$TMP/npa.log" | sed 's/^/  /'
# npa-tool prints each data group as "Read <hex> <ascii>": show its text
/usr/bin/python3 - "$TMP/npa.log" <<'PY'
import re, sys
names = ["document type", "issuing state", "date of expiry", "given names",
         "family names", "artistic name", "academic title", "date of birth"]
reads = [re.match(r"Read ((?:[0-9A-F]{2} )+)", l) for l in open(sys.argv[1])]
reads = [bytes.fromhex(m.group(1)) for m in reads if m]
for name, d in zip(names, reads):
    # the data group's string: a UTF8/Printable/Numeric string at its end
    text = next((d[i + 2:] for i in range(2, len(d) - 1)
                 if d[i] in (0x0C, 0x12, 0x13) and i + 2 + d[i + 1] == len(d)),
                b"")
    print("  DG%-2d %-15s %s" % (reads.index(d) + 1, name,
                                 text.decode("utf-8", "replace") or "(empty)"))
PY

step "Two wrong PINs: PACE fails (6300) and MSE:Set AT reports the tries left (63C2, then 63C1: suspended); PACE with the CAN resumes it"
for pin in 000000 000001 111111; do
    printf '\033[2m$ npa-tool --pin=%s\033[0m\n' "$pin"
    "${N[@]}" -vvv --pin=$pin >"$TMP/pin$pin.log" 2>&1 || true
    sws=$(grep -A1 "Incoming APDU (2 bytes)" "$TMP/pin$pin.log" |
        grep -Eo "^63 [0-9A-F]{2}" | tr -d ' ' | tr '\n' ' ' || true)
    echo "  status words 63xx: ${sws:-none}"
done
run "${N[@]}" --resume --can=222222 --pin=111111

step "What the card logged"
grep -Ev "reset$" "$TMP/softcard.log" | tail -n 6
printf '\nnPA demo finished.\n'
