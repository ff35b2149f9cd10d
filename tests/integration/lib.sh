# SPDX-License-Identifier: LGPL-2.1-or-later
# shellcheck shell=bash
# Shared harness for the integration tests.
#
# Every test runs in its own network and mount namespace (re-executing itself
# under `unshare --mount --net --fork`): loopback comes up, a tmpfs covers
# /run/pcscd, and pcscd runs privately with a reader.conf directory of the
# test's own, so nothing touches the machine's pcscd, its readers or port
# 35963. Processes are started in the background, remembered by PID and
# stopped by PID when the test ends. On failure the logs are printed.
set -euo pipefail

SC_BIN=${SOFTCARD_BIN:?SOFTCARD_BIN must point at the softcard binary}
SC_SRC=${SOFTCARD_SOURCE_DIR:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}
SC_PY=/usr/bin/python3   # Debian's Python, which has python3-pyscard
SC_HERE="$SC_SRC/tests/integration"
SC_VPCD_LIB=/usr/lib/pcsc/drivers/serial/libifdvpcd.so
SC_PIDS=()

sc_log() { printf '[%s] %s\n' "$(basename "$0" .sh)" "$*"; }

sc_dump_logs() {
    local f
    for f in "$SC_TMP"/*.log; do
        [ -e "$f" ] || continue
        echo "----- $(basename "$f") (last 60 lines) -----"
        tail -n 60 "$f"
    done
}

sc_cleanup() {
    local rc=$?
    local pid
    for pid in "${SC_PIDS[@]}"; do
        kill "$pid" 2>/dev/null || true
    done
    for pid in "${SC_PIDS[@]}"; do
        wait "$pid" 2>/dev/null || true
    done
    if [ "$rc" -ne 0 ]; then
        sc_log "FAILED (exit $rc)"
        sc_dump_logs
    fi
    rm -rf "$SC_TMP"
    exit "$rc"
}

sc_fail() {
    sc_log "FAIL: $*"
    exit 1
}

# Enter fresh namespaces (re-executing the test) and prepare them.
sc_enter_namespaces() {
    if [ -z "${SC_IN_NAMESPACE:-}" ]; then
        if [ "$(id -u)" -ne 0 ]; then
            echo "integration tests need root (unshare of network and mount namespaces)" >&2
            exit 1
        fi
        export SC_IN_NAMESPACE=1
        exec unshare --mount --net --fork -- "$0" "$@"
    fi
    ip link set lo up
    mkdir -p /run/pcscd
    mount -t tmpfs tmpfs /run/pcscd
    SC_TMP=$(mktemp -d /tmp/softcard-it.XXXXXX)
    mkdir -p "$SC_TMP/reader.conf.d"
    trap sc_cleanup EXIT
}

# sc_reader_conf NAME DEVICENAME [LIBPATH]: one reader.conf entry.
sc_reader_conf() {
    local name=$1 device=$2 lib=${3:-$SC_VPCD_LIB}
    cat > "$SC_TMP/reader.conf.d/$name" <<CONF
FRIENDLYNAME "Virtual PCD"
DEVICENAME   $device
LIBPATH      $lib
CONF
}

# Start pcscd with our reader.conf directory; waits for its socket.
sc_start_pcscd() {
    [ -e "$SC_TMP/reader.conf.d/vpcd" ] || sc_reader_conf vpcd /dev/null:0x8C7B
    rm -f /run/pcscd/pcscd.comm
    pcscd -f -a -d -c "$SC_TMP/reader.conf.d" >>"$SC_TMP/pcscd.log" 2>&1 &
    SC_PCSCD_PID=$!
    SC_PIDS+=("$SC_PCSCD_PID")
    local i
    for i in $(seq 100); do
        [ -S /run/pcscd/pcscd.comm ] && return 0
        kill -0 "$SC_PCSCD_PID" 2>/dev/null || sc_fail "pcscd exited"
        sleep 0.05
    done
    sc_fail "pcscd did not create its socket"
}

sc_stop_pcscd() {
    kill "$SC_PCSCD_PID"
    wait "$SC_PCSCD_PID" 2>/dev/null || true
}

# sc_start_card ARGS...: start softcard in the background; sets SC_CARD_PID.
sc_start_card() {
    "$SC_BIN" "$@" >>"$SC_TMP/softcard.log" 2>&1 &
    SC_CARD_PID=$!
    SC_PIDS+=("$SC_CARD_PID")
}

# sc_wait_card READER present|absent [SECONDS]: wait for the reader's state.
sc_wait_card() {
    "$SC_PY" "$SC_HERE/pcsc_wait.py" "$1" "$2" "${3:-10}" ||
        sc_fail "reader '$1' did not become $2"
}

# sc_expect_eq WHAT GOT WANT
sc_expect_eq() {
    [ "$2" = "$3" ] || sc_fail "$1: got '$2', expected '$3'"
    sc_log "ok: $1"
}

# sc_run WHAT CMD...: CMD must exit 0 (stdin closed); its output (stdout and
# stderr) is left in $out and printed if it fails.
sc_run() {
    local what=$1
    shift
    out=$("$@" </dev/null 2>&1) || { echo "$out"; sc_fail "$what"; }
    sc_log "ok: $what"
}

# sc_expect_match WHAT TEXT REGEX (grep -E)
sc_expect_match() {
    # a here-string, not a pipe: grep -q may exit before reading everything,
    # which pipefail would count as a failure
    grep -Eq -- "$3" <<<"$2" ||
        sc_fail "$1: '$3' not found in: $2"
    sc_log "ok: $1"
}

# sc_apdus APDU...: send APDUs in one opensc-tool session to reader 0
# (OpenSC selects the MF when it connects, so state does not survive between
# sessions) and print one line "SW DATA" per APDU, data as uppercase hex;
# opensc-tool's hex dump lines carry up to 16 bytes before the ASCII column.
sc_apdus() {
    local args=() a
    for a in "$@"; do args+=(-s "$a"); done
    opensc-tool -r 0 "${args[@]}" 2>&1 | awk '
        function flush() { if (sw != "") print sw, data; sw = ""; data = "" }
        /^Sending/ { flush(); next }
        /^Received/ { s = $0; sub(/.*SW1=0x/, "", s); sw = toupper(substr(s, 1, 2)) toupper(substr(s, 11, 2)); next }
        /^([0-9A-F][0-9A-F] )+/ { for (i = 1; i <= NF && i <= 16; i++) if ($i ~ /^[0-9A-F][0-9A-F]$/) data = data $i; else break }
        END { flush() }'
}
