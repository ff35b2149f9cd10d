#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# Card requests and monitors through pcscd: timeout accuracy (also while
# another reader changes), timeout 0, absent readers without a busy loop,
# new-card-only with a card present, remove-and-reinsert between two waits
# (event counter), cancel from another thread (sticky, never lost), the
# insert/remove event stream, and monitors reporting every change once.
. "$(dirname "$0")/lib.sh"
sc_enter_namespaces "$@"
IT=${SOFTCARD_BUILD_DIR:?}/scio_itest
sc_start_pcscd
sc_start_card -vv -n 2 --control "$SC_TMP/ctl"
sc_wait_card "Virtual PCD 00 00" present
sc_wait_card "Virtual PCD 00 01" present
for scenario in timeouts new-card cancel events monitors; do
    "$IT" --card-log "$SC_TMP/softcard.log" --control "$SC_TMP/ctl" \
        "$scenario" >>"$SC_TMP/itest.log" 2>&1 || sc_fail "scenario $scenario"
    sc_log "ok: scenario $scenario"
done
