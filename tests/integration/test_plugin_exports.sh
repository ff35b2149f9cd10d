#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# The softcard program exports the card-type plugin interface: every
# function declared in include/softcard-cardtype.h and include/softcard.h is
# in its dynamic symbol table (the engine is linked whole), and nothing of
# softcard's own code outside sfc_* is (a linker dynamic list, not
# -rdynamic). No pcscd is involved.
. "$(dirname "$0")/lib.sh"

out=$("$SC_PY" "$SC_HERE/plugin_exports.py" "$SC_BIN" \
    "$SC_SRC/include/softcard-cardtype.h" "$SC_SRC/include/softcard.h") ||
    sc_fail "exports: $out"
sc_log "ok: $out"
n=$(nm -D --defined-only "$SC_BIN" | grep -c ' T sfc_')
sc_log "nm -D: $n sfc_ functions"
