#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# softcard's nPA through a private pcscd and softcard's own reader driver,
# used by OpenSC: `opensc-tool -n` names a German ID card (OpenSC's npa
# driver matches EF.DIR byte for byte), and npa-tool (OpenSC 0.26.1 built
# with OpenPACE by scripts/build-npa-tool.sh, cached outside the tree) runs
# PACE with the PIN, the CAN, the PUK and the MRZ, changes the PIN, and
# walks the PIN life cycle: two wrong PINs suspend it (63C1), --resume with
# the CAN brings it back, a third wrong PIN blocks it (63C0), --unblock with
# the PUK unblocks it.
#
# npa-tool exits 0 for some failures, so every step also reads its -vvv log
# (status words of MSE:Set AT, "Established PACE channel").
#
# softcard's driver (not Debian's vpcd) is used because it reports
# dwMaxAPDUDataSize (PC/SC part 10), so npa-tool's default card driver does
# not limit itself to short APDUs (docs/driver.md, dwMaxAPDUDataSize).
. "$(dirname "$0")/driver_lib.sh"

# Build (or find) npa-tool before the network namespace takes the network.
drv_npa_tool
sc_enter_namespaces "$@"
drv_require
command -v opensc-tool >/dev/null || sc_fail "opensc-tool is not installed"

MRZ='IDD<<T220001293<<<<<<<<<<<<<<<6408125<2010315D<<<<<<<<<<<<<4MUSTERMANN<<ERIKA<<<<<<<<<<<<<'

drv_conf vpcd /dev/null:0x8C7B
drv_start_pcscd
sc_start_card -t nPA -vv
sc_wait_card "Virtual PCD 00 00" present

name=$(opensc-tool -r 0 -n 2>&1 || true)
sc_expect_eq "opensc-tool -n" "$name" "German ID card (neuer Personalausweis, nPA)"

# npa NAME ARGS...: run npa-tool with -vvv, log to $SC_TMP/npa-NAME.log;
# prints its exit status.
npa() {
    local name=$1 rc=0
    shift
    timeout 60 "$NPA_TOOL" -r 0 -vvv "$@" >"$SC_TMP/npa-$name.log" 2>&1 || rc=$?
    echo "$rc"
}

# pace_ok NAME ARGS...: npa-tool must establish PACE.
pace_ok() {
    local name=$1 rc
    shift
    rc=$(npa "$name" "$@")
    grep -q "Established PACE channel" "$SC_TMP/npa-$name.log" ||
        sc_fail "$name: no PACE channel (exit $rc; see npa-$name.log)"
    sc_expect_eq "$name: exit status" "$rc" 0
}

# pace_fails NAME ARGS...: npa-tool must not establish PACE.
pace_fails() {
    local name=$1
    shift
    npa "$name" "$@" >/dev/null
    if grep -q "Established PACE channel" "$SC_TMP/npa-$name.log"; then
        sc_fail "$name: PACE was established"
    fi
    sc_log "ok: $name: no PACE"
}

pace_ok pin --pin=111111
pace_ok can --can=222222
pace_ok puk --puk=3333333333
pace_ok mrz --mrz="$MRZ"

# PIN change, then PACE with the new PIN only
pace_ok new-pin --pin=111111 --new-pin=222223
pace_ok pin-new --pin=222223
pace_fails pin-old --pin=111111

# the life cycle: the failure above was the first; one more suspends
pace_fails pin-wrong2 --pin=000000
pace_fails pin-suspended --pin=222223
grep -Eq "63 ?C1|suspended" "$SC_TMP/npa-pin-suspended.log" ||
    sc_fail "suspended PIN: no 63C1 in npa-pin-suspended.log"
sc_log "ok: the PIN is suspended (63C1)"
pace_ok resume --resume --can=222222 --pin=222223
pace_fails pin-wrong3 --pin=000000
pace_fails pin-wrong4 --pin=000000
npa pin-wrong5 --resume --can=222222 --pin=000000 >/dev/null
sc_expect_eq "resume with the CAN, then a wrong PIN: one PACE channel (the CAN's)" \
    "$(grep -c "Established PACE channel" "$SC_TMP/npa-pin-wrong5.log" || true)" 1
pace_fails pin-blocked --pin=222223
grep -Eq "63 ?C0|blocked" "$SC_TMP/npa-pin-blocked.log" ||
    sc_fail "blocked PIN: no 63C0 in npa-pin-blocked.log"
sc_log "ok: the PIN is blocked (63C0)"
pace_ok unblock --unblock --puk=3333333333
pace_ok pin-after-unblock --pin=222223

# the card side agrees: no password or secret in softcard's log
if grep -Eq "222223|3333333333" "$SC_TMP/softcard.log"; then
    sc_fail "a password appears in softcard's log"
fi
sc_log "ok: no password in softcard's log"
