#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# Fault campaign: kill -9 of a card at random moments while it writes its
# image (kill9_peer.py): 0 acknowledged writes lost, 0 images that fail to
# load (softcard --check-image after every kill), PIN try counters never
# restored. Quick version (./check, label stress): 25 kills. Full version by
# hand, with the figures in docs/reliability.md:
#     SOFTCARD_BIN=build/check/softcard tests/stress/test_kill9_image.sh 1000
. "$(dirname "$0")/../integration/lib.sh"
sc_enter_namespaces "$@"
rounds=${1:-25}
img="$SC_TMP/card.json"
"$SC_BIN" --init iso7816 -f "$img" >>"$SC_TMP/softcard.log" 2>&1 ||
    sc_fail "softcard --init"
t0=$(date +%s)
out=$("$SC_PY" "$SC_SRC/tests/stress/kill9_peer.py" "$SC_BIN" "$img" 35991 \
      "$rounds" "$SC_TMP/softcard.log") || sc_fail "kill -9 campaign: $out"
sc_log "$out ($(($(date +%s) - t0)) s)"
