#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# The reference Python vicc (Debian's vsmartcard-vpicc 0.8, started with
# the two run-time workarounds of driver_vicc.py) works with softcard's
# reader driver: it connects, its ATR is read, and APDUs go through pcscd.
# It crashes on any SELECT that returns an FCI, so the checks use SELECT MF
# without response data and GET CHALLENGE.
#
# If vsmartcard-vpicc is not installed the test says so and passes (there
# is nothing to check); if it is installed, failing to start it is a
# failure.
. "$(dirname "$0")/driver_lib.sh"
sc_enter_namespaces "$@"
drv_require
. "$SC_SRC/scripts/deps.sh"
missing=$(sc_missing_packages vsmartcard-vpicc python3-virtualsmartcard \
          python3-pycryptodome)
missing=${missing% }
if [ -n "$missing" ]; then
    sc_log "SKIPPED: the reference vicc was not tried: missing Debian" \
        "packages: $missing (apt-get install $missing)"
    exit 0
fi
drv_conf vpcd /dev/null:0x8C7B
drv_start_pcscd
"$SC_PY" "$SC_HERE/driver_vicc.py" -t iso7816 -v >>"$SC_TMP/vicc.log" 2>&1 &
vicc_pid=$!
SC_PIDS+=("$vicc_pid")
for i in $(seq 100); do
    kill -0 "$vicc_pid" 2>/dev/null && break
    sleep 0.05
done
if ! "$SC_PY" "$SC_HERE/pcsc_wait.py" "Virtual PCD 00 00" present 10; then
    cat "$SC_TMP/vicc.log"
    kill -0 "$vicc_pid" 2>/dev/null ||
        sc_fail "the reference vicc did not start (see vicc.log above)"
    sc_fail "the reference vicc runs but its card did not appear"
fi
sc_log "ok: the reference vicc's card is in Virtual PCD 00 00"
drv_check apdu "Virtual PCD 00 00" 00A4000C023F00 9000
drv_check apdu "Virtual PCD 00 00" 0084000008 9000
"$SC_PY" - <<'PY' || sc_fail "GET CHALLENGE through pyscard"
from smartcard.System import readers
conn = readers()[0].createConnection()
conn.connect()
data, sw1, sw2 = conn.transmit([0x00, 0x84, 0x00, 0x00, 0x08])
assert (len(data), sw1, sw2) == (8, 0x90, 0x00), (data, sw1, sw2)
print("ok: vicc challenge", bytes(data).hex())
PY
drv_check_pcscd_log
