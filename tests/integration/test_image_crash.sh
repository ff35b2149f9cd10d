#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# Card images survive kill -9: a card runs from an image in reversed mode,
# a vpcd peer (image_peer.py) writes an increasing counter with UPDATE
# BINARY and records every acknowledged value, and the card is killed with
# SIGKILL at a random moment, 40 times. After every kill the image must
# parse, have mode 0600 and hold at least the last acknowledged value; the
# restarted card must serve it. No pcscd is involved.
. "$(dirname "$0")/lib.sh"
sc_enter_namespaces "$@"
img="$SC_TMP/card.json"
"$SC_BIN" --init iso7816 -f "$img" >>"$SC_TMP/softcard.log" 2>&1 ||
    sc_fail "softcard --init"
out=$("$SC_PY" "$SC_HERE/image_peer.py" crash "$SC_BIN" "$img" 35991 40 \
      "$SC_TMP/softcard.log") || sc_fail "crash test: $out"
sc_log "$out"
check=$("$SC_BIN" --check-image -f "$img" 2>&1) || sc_fail "check: $check"
sc_expect_match "image still loads" "$check" "card.json: ok: iso7816 card"
