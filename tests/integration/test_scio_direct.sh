#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# The same libscio scenarios with the direct backend and no pcscd at all:
# scio_itest plays vpcd (listening on 35963/35964, as Debian's vpcd does)
# and the softcard cards connect to it. Reader names, the event counter,
# dispositions and the reset seen by a second handle must match pcscd's.
. "$(dirname "$0")/lib.sh"
sc_enter_namespaces "$@"
IT=${SOFTCARD_BUILD_DIR:?}/scio_itest
sc_start_card -vv -n 2 --control "$SC_TMP/ctl"
for scenario in connection t0 dispositions new-card cancel events monitors; do
    "$IT" --backend direct --card-log "$SC_TMP/softcard.log" \
        --control "$SC_TMP/ctl" "$scenario" >>"$SC_TMP/itest.log" 2>&1 ||
        sc_fail "scenario $scenario (direct backend)"
    sc_log "ok: scenario $scenario (direct backend)"
done
[ -e /run/pcscd/pcscd.comm ] && sc_fail "a pcscd socket exists here"
sc_log "ok: no pcscd was involved"
