#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# An independent inspection program reads softcard's ePass through a private
# pcscd and Debian's vpcd: cardpeek 0.8.4 (Debian's cardpeek and
# cardpeek-data) runs its e-passport.lua script in console mode, derives
# the BAC keys from MRZ line 2 given on stdin, performs BAC and reads
# EF.COM, DG1..DG16 and EF.SOD with 3DES secure messaging, and saves the
# parsed card tree as XML. The test checks that the tree holds EF.COM (tag
# 60 with the LDS version and the tag list) and DG1 with the MRZ.
#
# cardpeek needs no X display in console mode (-c). Its first start asks
# whether to create ~/.cardpeek; that is answered once with a throw-away
# HOME, so that the real run is not interactive. Leaving the console takes
# os.exit(0) (at end of input the prompt would spin).
. "$(dirname "$0")/lib.sh"
sc_enter_namespaces "$@"

command -v cardpeek >/dev/null ||
    sc_fail "cardpeek is not installed (apt-get install cardpeek cardpeek-data)"
LINE2='L898902C<3UTO6908061F9406236ZE184226B<<<<<14'
READER='pcsc://Virtual PCD 00 00'
export HOME="$SC_TMP/home"
mkdir -p "$HOME"

sc_start_pcscd
sc_start_card -t ePass -vvv
sc_wait_card "Virtual PCD 00 00" present

# First start: create ~/.cardpeek (answer 1 = yes, then 1 = ok).
printf '1\n1\n' | timeout 30 cardpeek -c -r "$READER" -e 'os.exit(0)' 2>&1 |
    head -c 200000 >"$SC_TMP/cardpeek-setup.log" || true
[ -d "$HOME/.cardpeek/scripts" ] || sc_fail "cardpeek did not set up ~/.cardpeek"
sc_log "ok: cardpeek set up in a throw-away HOME"

XML="$SC_TMP/passport.xml"
printf '%s\n' "$LINE2" |
    timeout 120 cardpeek -c -r "$READER" \
        -e "dofile('e-passport.lua'); ui.save_view('$XML'); os.exit(0)" 2>&1 |
    head -c 2000000 >"$SC_TMP/cardpeek.log" || true
[ -s "$XML" ] || sc_fail "cardpeek saved no card tree"
sc_log "cardpeek's view of the passport (from its saved tree):"
"$SC_PY" - "$XML" <<'PY' | sed 's/^/    | /'
import re, sys, xml.etree.ElementTree as ET
# cardpeek writes <?xml version="1.0" type="UTF-8"?>, which is not XML
root = ET.fromstring(re.sub(r"^<\?xml[^>]*>", "", open(sys.argv[1]).read()))
def attrs(n):
    return {a.get("name"): (a.text or "") for a in n.findall("attr")}
for f in root.iter("node"):
    a = attrs(f)
    if a.get("classname") != "file":
        continue
    body = [attrs(c) for c in f.findall("node") if attrs(c).get("classname") == "body"]
    b = body[0] if body else {}
    print("%-8s %s" % (a.get("label"), b.get("alt") or "%s bytes" % b.get("size", "?")))
for n in root.iter("node"):
    a = attrs(n)
    if a.get("label") in ("LDS Version Number", "MRZ data elements"):
        print("%s: %s" % (a["label"], a.get("alt")))
PY

if grep -q "Could not create session keys\|Perhaps you didn't enter" "$SC_TMP/cardpeek.log"; then
    sc_fail "cardpeek could not perform BAC"
fi
# grep the file itself: sc_expect_match pipes its text into grep -q, which
# can end the pipe early (SIGPIPE under pipefail) on a file this large.
xml_has() { # WHAT REGEX
    grep -Eq -- "$2" "$XML" || sc_fail "$1: '$2' not in cardpeek's tree"
    sc_log "ok: $1"
}
xml_has "cardpeek: EF.COM" 'label">EF\.COM<'
xml_has "cardpeek: EF.COM's LDS version 01.07" 'alt">01\.07<'
xml_has "cardpeek: EF.DG1" 'label">EF\.DG1<'
xml_has "cardpeek: the MRZ in DG1 (5F1F)" \
    'alt">P&lt;UTOERIKSSON&lt;&lt;ANNA&lt;MARIA&lt;'
xml_has "cardpeek: MRZ line 2 in DG1" \
    'L898902C&lt;3UTO6908061F9406236ZE184226B&lt;&lt;&lt;&lt;&lt;14<'
xml_has "cardpeek: DG2's facial record parsed" 'Facial Record Header'
xml_has "cardpeek: EF.SOD read" 'label">EF\.SOD<'
if grep -q "Failed to verify MAC\|Expected tag" "$SC_TMP/cardpeek.log"; then
    sc_fail "cardpeek found a secure-messaging response it could not verify"
fi
sc_log "PASS"
