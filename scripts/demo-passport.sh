#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# The passport part of the demo: an ICAO 9303 ePass card, created headless
# from a configuration file, read through pcscd by Debian's cardpeek (an
# independent inspection program): BAC from MRZ line 2, 3DES secure
# messaging, EF.COM, the data groups and EF.SOD; the MRZ of DG1 is printed.
#
# Run inside the demo's private network and mount namespaces, like
# demo-inner.sh:  scripts/demo-passport.sh SOFTCARD_BINARY [PORT]
# PORT (default 35963, vpcd slot 0) must be free. If no pcscd runs in the
# namespace yet, the script starts one with Debian's vpcd driver.
set -euo pipefail
SOFTCARD=$1
PORT=${2:-35963}
SLOT=$((PORT - 35963))
READER="Virtual PCD 00 0$SLOT"
. "$(dirname "$0")/demo-lib.sh"
demo_begin passport

if [ ! -S /run/pcscd/pcscd.comm ]; then
    ip link set lo up
    mkdir -p /run/pcscd
    mountpoint -q /run/pcscd || mount -t tmpfs tmpfs /run/pcscd
    mkdir -p "$TMP/reader.conf.d"
    cat >"$TMP/reader.conf.d/vpcd" <<CONF
FRIENDLYNAME "Virtual PCD"
DEVICENAME   /dev/null:0x8C7B
LIBPATH      /usr/lib/pcsc/drivers/serial/libifdvpcd.so
CONF
    pcscd -f -c "$TMP/reader.conf.d" >"$TMP/pcscd.log" 2>&1 &
    PIDS+=($!)
    for _ in $(seq 100); do [ -S /run/pcscd/pcscd.comm ] && break; sleep 0.05; done
fi

step "An electronic passport, created headless (ICAO specimen holder, test CSCA)"
cat >"$TMP/passport.conf" <<CONF
{"type": "ePass",
 "params": {"surname": "Eriksson", "given-names": "Anna Maria",
            "document-number": "L898902C", "nationality": "UTO",
            "birth-date": "690806", "sex": "F", "expiry-date": "940623",
            "optional-data": "ZE184226B", "aa-algorithm": "ec",
            "csca-cert-out": "$TMP/csca.pem"}}
CONF
sed 's/^/  | /' "$TMP/passport.conf"
run "$SOFTCARD" --init-config "$TMP/passport.conf" -f "$TMP/passport.json"
run "$SOFTCARD" --check-image -f "$TMP/passport.json"
openssl x509 -in "$TMP/csca.pem" -noout -subject | sed 's/^/  CSCA /'

step "The passport in reader '$READER' (every read needs BAC: plain READ BINARY gets 6982)"
"$SOFTCARD" -f "$TMP/passport.json" -P "$PORT" -vv >"$TMP/softcard.log" 2>&1 &
PIDS+=($!)
demo_wait_reader Yes "$READER"
run opensc-tool -r "$SLOT" -s 00A4040C07A0000002471001 -s 00A4020C02011E \
    -s 00B0000004

step "cardpeek (Debian) reads it: BAC with MRZ line 2, secure messaging, all files"
export HOME="$TMP/home"
mkdir -p "$HOME"
# cardpeek's first start asks to create ~/.cardpeek: answer once.
printf '1\n1\n' | timeout 30 cardpeek -c -r "pcsc://$READER" -e 'os.exit(0)' 2>&1 |
    head -c 100000 >/dev/null || true
LINE2='L898902C<3UTO6908061F9406236ZE184226B<<<<<14'
printf '\033[2m$ echo %s | cardpeek -c -r "pcsc://%s" -e "dofile('"'"'e-passport.lua'"'"') ..."\033[0m\n' \
    "$LINE2" "$READER"
printf '%s\n' "$LINE2" |
    timeout 120 cardpeek -c -r "pcsc://$READER" \
        -e "dofile('e-passport.lua'); ui.save_view('$TMP/passport.xml'); os.exit(0)" 2>&1 |
    head -c 2000000 >"$TMP/cardpeek.log" || true
/usr/bin/python3 - "$TMP/passport.xml" <<'PY'
import re, sys, xml.etree.ElementTree as ET
text = open(sys.argv[1]).read()
root = ET.fromstring(re.sub(r"^<\?xml[^>]*>", "", text))  # cardpeek's header is not XML
def attrs(n):
    return {a.get("name"): (a.text or "") for a in n.findall("attr")}
for f in root.iter("node"):
    a = attrs(f)
    if a.get("classname") == "file":
        body = [attrs(c) for c in f.findall("node") if attrs(c).get("classname") == "body"]
        b = body[0] if body else {}
        print("  %-8s %s" % (a["label"], b.get("alt") or "%s bytes read" % b.get("size", "?")))
for n in root.iter("node"):
    a = attrs(n)
    if a.get("label") == "MRZ data elements":
        mrz = a.get("alt", "")
        print("\nMRZ read by cardpeek from DG1:")
        for i in range(0, len(mrz), 44):
            print("  " + mrz[i:i + 44])
PY

step "What the card logged"
grep -E "BAC|power" "$TMP/softcard.log" | tail -n 4
printf '\nPassport demo finished.\n'
