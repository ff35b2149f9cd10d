#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# Fault campaign: a soak at full speed through pcscd and softcard's driver
# (soak_peer.py): an iso7816 card gets a mix of commands back to back,
# failing ones included, while epass_read reads an ePass under BAC secure
# messaging again and again; the RSS of both cards and of pcscd is sampled
# every second and printed (after the warm-up, its maximum, at the end).
# Quick version (./check, label stress): 15 s, RSS reported only (the
# sanitizer build's quarantine grows by itself). Full version by hand, on a
# build without sanitizers, 10 minutes, RSS must stay flat after warm-up:
#     SOFTCARD_BIN=build/rel/softcard \
#     SOFTCARD_DRIVER=build/rel/driver/libifdsoftcard.so \
#     SOFTCARD_BUILD_DIR=build/rel tests/stress/test_soak.sh 600 --flat
. "$(dirname "$0")/../integration/driver_lib.sh"
sc_enter_namespaces "$@"
drv_require
seconds=${1:-15}
flat=${2:-}
READ=${SOFTCARD_BUILD_DIR:?}/tests/epass_read
[ -x "$READ" ] || sc_fail "epass_read was not built (libpcsclite-dev missing?)"
SPECIMEN="P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<L898902C<3UTO6908061F9406236ZE184226B<<<<<14"
drv_conf vpcd '"/dev/null:0x8C7B"'
SOFTCARD_DRIVER_LOG=error drv_start_pcscd
sc_start_card -t iso7816 -P 35963
iso_pid=$SC_CARD_PID
sc_start_card -t ePass -P 35964 --mrz "$SPECIMEN"
epass_pid=$SC_CARD_PID
sc_wait_card "Virtual PCD 00 00" present
sc_wait_card "Virtual PCD 00 01" present
out=$("$SC_PY" "$SC_SRC/tests/stress/soak_peer.py" "$seconds" \
      "Virtual PCD 00 00" "Virtual PCD 00 01" "$READ" "$SPECIMEN" ${flat:+"$flat"} \
      "softcard-iso7816=$iso_pid" "softcard-ePass=$epass_pid" \
      "pcscd=$SC_PCSCD_PID") || { printf '%s\n' "$out"; sc_fail "soak"; }
while IFS= read -r line; do sc_log "$line"; done <<<"$out"
drv_check_pcscd_log
