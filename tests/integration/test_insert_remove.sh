#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# Cards can be removed and inserted at run time through the control socket
# (one card at a time) without restarting softcard, and pcscd sees it.
. "$(dirname "$0")/lib.sh"
sc_enter_namespaces "$@"
sc_start_pcscd
sc_start_card -n 2 --control "$SC_TMP/ctl" -vv
sc_wait_card "Virtual PCD 00 00" present
sc_wait_card "Virtual PCD 00 01" present
ctl() { "$SC_PY" - "$SC_TMP/ctl" "$1" <<'PY'
import socket, sys
s = socket.socket(socket.AF_UNIX)
s.connect(sys.argv[1])
s.sendall(sys.argv[2].encode() + b"\n")
s.shutdown(socket.SHUT_WR)
out = b""
while True:
    b = s.recv(4096)
    if not b:
        break
    out += b
print(out.decode().strip())
PY
}
sc_expect_eq "remove 1" "$(ctl "remove 1")" "ok"
sc_wait_card "Virtual PCD 00 01" absent
sc_wait_card "Virtual PCD 00 00" present 1
status=$(ctl status)
sc_expect_match "status lists card 1 removed" "$status" "^1 .*removed"
sc_expect_eq "insert 1" "$(ctl "insert 1")" "ok"
sc_wait_card "Virtual PCD 00 01" present
out=$(opensc-tool -r 1 -s 00A4000C023F00 2>&1)
sc_expect_match "inserted card answers" "$out" "SW1=0x90, SW2=0x00"
sc_expect_match "bad command refused" "$(ctl "remove 7")" "^error"
sc_expect_eq "remove all" "$(ctl "remove all")" "ok"
sc_wait_card "Virtual PCD 00 00" absent
sc_wait_card "Virtual PCD 00 01" absent
sc_expect_eq "insert all" "$(ctl "insert all")" "ok"
sc_wait_card "Virtual PCD 00 00" present
sc_wait_card "Virtual PCD 00 01" present
