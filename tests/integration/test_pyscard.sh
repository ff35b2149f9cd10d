#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# pyscard (the Python PC/SC framework) talks to two cards served by one
# softcard process on two vpcd slots: an iso7816 card and a handler_test card.
. "$(dirname "$0")/lib.sh"
sc_enter_namespaces "$@"
sc_start_pcscd
sc_start_card -t iso7816 -t handler_test -vv
sc_wait_card "Virtual PCD 00 00" present
sc_wait_card "Virtual PCD 00 01" present
"$SC_PY" "$SC_HERE/pyscard_checks.py" || sc_fail "pyscard checks"
sc_log "ok: pyscard checks"
sc_expect_match "disconnect with UNPOWER powers the card off" \
    "$(cat "$SC_TMP/softcard.log")" "card 0 \(iso7816\): power off"
