#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# libscio through pcscd: readers, connect, transmit (data/SW split, length
# checks, error chain, observers), 61xx/6Cxx handling on and off, and the
# dispositions as the card sees them (softcard -vv logs "power off" and
# "reset"), a second handle seeing the reset, reconnect, exclusivity.
. "$(dirname "$0")/lib.sh"
sc_enter_namespaces "$@"
IT=${SOFTCARD_BUILD_DIR:?}/scio_itest
sc_start_pcscd
sc_start_card -vv -n 2 --control "$SC_TMP/ctl"
sc_wait_card "Virtual PCD 00 00" present
sc_wait_card "Virtual PCD 00 01" present
sleep 1 # pcscd powers an unused new card off after one poll; let that pass
for scenario in connection t0 dispositions; do
    "$IT" --card-log "$SC_TMP/softcard.log" --control "$SC_TMP/ctl" \
        "$scenario" >>"$SC_TMP/itest.log" 2>&1 || sc_fail "scenario $scenario"
    sc_log "ok: scenario $scenario"
done
