#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# PIN try counters are part of the card image: wrong VERIFYs survive kill -9
# and clean restarts, so restarting the card never grants extra tries; a
# blocked PIN stays blocked until the PUK resets it. No pcscd is involved.
. "$(dirname "$0")/lib.sh"
sc_enter_namespaces "$@"
img="$SC_TMP/card.json"
"$SC_BIN" --init iso7816 -f "$img" >>"$SC_TMP/softcard.log" 2>&1 ||
    sc_fail "softcard --init"
out=$("$SC_PY" "$SC_HERE/image_peer.py" pins "$SC_BIN" "$img" 35992 \
      "$SC_TMP/softcard.log") || sc_fail "$out"
sc_log "$out"
