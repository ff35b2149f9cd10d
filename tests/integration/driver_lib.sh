# SPDX-License-Identifier: LGPL-2.1-or-later
# shellcheck shell=bash
# Helpers for the integration tests of softcard's own reader driver
# (test_driver_*.sh), on top of lib.sh: reader.conf entries that load the
# driver from the build tree, a pcscd that can load a sanitizer-built
# driver, the fake cards and the PC/SC client checks.
#
# The driver comes from SOFTCARD_DRIVER (set by CTest to the built
# libifdsoftcard.so). When the build uses AddressSanitizer the driver needs
# the ASan runtime loaded first, so pcscd (and only pcscd) is started with
# it preloaded and with leak detection off: the leaks it would report are
# pcscd's own, and the driver's are covered by its unit tests.
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

DRV_LIB=${SOFTCARD_DRIVER:-}

drv_require() {
    if [ -z "$DRV_LIB" ] || [ ! -f "$DRV_LIB" ]; then
        echo "SOFTCARD_DRIVER must point at the built libifdsoftcard.so" >&2
        exit 1
    fi
}

# drv_conf NAME DEVICENAME: a reader.conf entry "Virtual PCD" for our driver.
drv_conf() {
    sc_reader_conf "$1" "$2" "$DRV_LIB"
}

# drv_start_pcscd [CONFDIR]: pcscd with only the given reader.conf
# directory (default: the test's own; unlike lib.sh's sc_start_pcscd no
# Debian vpcd entry is added), with the ASan runtime preloaded when the
# driver needs it. Sets SC_PCSCD_PID; waits for the socket.
drv_start_pcscd() {
    local dir=${1:-$SC_TMP/reader.conf.d} asan i
    local -a env=(SOFTCARD_DRIVER_LOG="${SOFTCARD_DRIVER_LOG:-info}")
    asan=$(ldd "$DRV_LIB" 2>/dev/null | awk '/libasan/ {print $3; exit}')
    if [ -n "$asan" ]; then
        env+=(LD_PRELOAD="$asan" ASAN_OPTIONS=detect_leaks=0:abort_on_error=1)
    fi
    rm -f /run/pcscd/pcscd.comm
    env "${env[@]}" pcscd -f -a -d -c "$dir" >>"$SC_TMP/pcscd.log" 2>&1 &
    SC_PCSCD_PID=$!
    SC_PIDS+=("$SC_PCSCD_PID")
    for i in $(seq 100); do
        [ -S /run/pcscd/pcscd.comm ] && return 0
        kill -0 "$SC_PCSCD_PID" 2>/dev/null || sc_fail "pcscd exited"
        sleep 0.05
    done
    sc_fail "pcscd did not create its socket"
}

# drv_fake MODE PORT [--listen] [--host H]: start a misbehaving card
# (driver_fake_card.py) in the background; sets DRV_FAKE_PID.
drv_fake() {
    "$SC_PY" "$SC_HERE/driver_fake_card.py" "$@" >>"$SC_TMP/fake.log" 2>&1 &
    DRV_FAKE_PID=$!
    SC_PIDS+=("$DRV_FAKE_PID")
}

# drv_check CHECK ARGS...: driver_client.py; fails the test if it fails.
drv_check() {
    "$SC_PY" "$SC_HERE/driver_client.py" "$@" || sc_fail "check $1 ${2:-}"
    sc_log "ok: $1 ${2:-}"
}

# drv_kill PID: stop a process this test started, and wait for it.
drv_kill() {
    kill "$1" 2>/dev/null || true
    wait "$1" 2>/dev/null || true
}

# The pcscd log must show no sanitizer report and no crash of the driver.
drv_check_pcscd_log() {
    if grep -Eq "ERROR: AddressSanitizer|runtime error:|SUMMARY: " \
            "$SC_TMP/pcscd.log"; then
        sc_fail "sanitizer report in the pcscd log"
    fi
    kill -0 "$SC_PCSCD_PID" 2>/dev/null || sc_fail "pcscd is not running"
}

DRV_ISO_ATR="3B95138101807 3FF01000B"
DRV_ISO_ATR=${DRV_ISO_ATR// /}
DRV_HT_ATR=3BD6180080B1806D1F038051006110309E

# drv_find ATR COUNT [SECONDS]: wait until exactly COUNT readers hold a card
# with this ATR; their names go to DRV_FOUND (sorted). pcscd numbers
# reader.conf entries in the order it happens to read them, so tests with
# several entries find their readers by the cards' ATRs.
drv_find() {
    local atr=$1 count=$2 tries=$((${3:-10} * 20)) i out
    for ((i = 0; i < tries; i++)); do
        out=$("$SC_PY" "$SC_HERE/driver_client.py" find "$atr" 2>/dev/null) || true
        mapfile -t DRV_FOUND <<<"$out"
        [ -z "$out" ] && DRV_FOUND=()
        [ "${#DRV_FOUND[@]}" -eq "$count" ] && return 0
        sleep 0.05
    done
    sc_fail "expected $count reader(s) with ATR $atr, found: ${DRV_FOUND[*]:-none}"
}

# npa-tool for the nPA tests, built (once, cached) by
# scripts/build-npa-tool.sh outside the namespaces, before
# sc_enter_namespaces: sets and exports NPA_TOOL.
drv_npa_tool() {
    [ -z "${SC_IN_NAMESPACE:-}" ] || return 0
    NPA_TOOL=$("$SC_SRC/scripts/build-npa-tool.sh") ||
        sc_fail "npa-tool could not be built (scripts/build-npa-tool.sh needs the Debian archive)"
    export NPA_TOOL
}
