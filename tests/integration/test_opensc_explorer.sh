#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# opensc-explorer (OpenSC) walks the file system, creates a DF and an EF
# (OpenSC creates EFs with data coding byte 01, which crashes the reference),
# writes data, reads it back, verifies the PIN and deletes what it made.
. "$(dirname "$0")/lib.sh"
sc_enter_namespaces "$@"
sc_start_pcscd
sc_start_card
sc_wait_card "Virtual PCD 00 00" present
cat >"$SC_TMP/script" <<SCRIPT
info
mkdir 5000 256
cd 5000
create 5001 32
update_binary 5001 0 "hello softcard"
cat 5001
info 5001
get 5001 $SC_TMP/read.bin
random 8
verify CHV1 31323334
rm 5001
cd ..
rm 5000
cat 5000
quit
SCRIPT
out=$(opensc-explorer -r 0 <"$SC_TMP/script" 2>&1) || sc_fail "opensc-explorer failed: $out"
printf '%s\n' "$out" >"$SC_TMP/explorer.log"
sc_expect_match "MF info" "$out" "Dedicated File +ID 3F00"
sc_expect_match "data read back" "$out" "68 65 6C 6C 6F 20 73 6F 66 74 63 61 72 64 00 00 hello softcard"
sc_expect_match "EF info" "$out" "Working Elementary File +ID 5001"
sc_expect_match "EF size" "$out" "File size: +32 bytes"
sc_expect_match "written" "$out" "Total of 14 bytes written to 5001"
sc_expect_match "random" "$out" "00000000: ([0-9A-F]{2} ){8}"
sc_expect_match "PIN" "$out" "Code correct"
sc_expect_match "deleted" "$out" "unable to select file: File not found"
cmp -s "$SC_TMP/read.bin" <(printf 'hello softcard'; head -c 18 /dev/zero) ||
    sc_fail "get wrote unexpected bytes"
sc_log "ok: file written by get matches"
if grep -Eq "Failed|error|Error" <<<"$out"; then
    sc_fail "opensc-explorer reported an error"
fi
kill -0 "$SC_CARD_PID" || sc_fail "softcard died"
