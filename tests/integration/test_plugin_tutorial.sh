#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# docs/writing-a-card-type.md runs as written: its C blocks, in order, are
# all of examples/cardtype/mycard.c (the file integration.plugin_example
# builds and drives), and the files it links to exist. No pcscd is
# involved.
. "$(dirname "$0")/lib.sh"

doc=$SC_SRC/docs/writing-a-card-type.md
out=$("$SC_PY" "$SC_HERE/plugin_tutorial.py" "$doc" \
    "$SC_SRC/examples/cardtype/mycard.c") || sc_fail "$out"
sc_log "ok: $out"
# every relative link of the tutorial points at a file of the tree
links=$(grep -o '](\([^)#:]*\))' "$doc" | sed 's/^](//; s/)$//' | sort -u)
[ -n "$links" ] || sc_fail "no links found in the tutorial"
for link in $links; do
    [ -e "$SC_SRC/docs/$link" ] || sc_fail "broken link in the tutorial: $link"
done
sc_log "ok: the tutorial's links: ${links//$'\n'/ }"
