#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# The demo proper, run by ./demo inside fresh network and mount namespaces.
set -euo pipefail
SOFTCARD=$1
PY=/usr/bin/python3
. "$(dirname "$0")/demo-lib.sh"
demo_begin demo

ip link set lo up
mkdir -p /run/pcscd && mount -t tmpfs tmpfs /run/pcscd
mkdir -p "$TMP/reader.conf.d"
cat >"$TMP/reader.conf.d/vpcd" <<CONF
FRIENDLYNAME "Virtual PCD"
DEVICENAME   /dev/null:0x8C7B
LIBPATH      /usr/lib/pcsc/drivers/serial/libifdvpcd.so
CONF

step "A private pcscd with Debian's vsmartcard-vpcd driver (slots on ports 35963, 35964)"
pcscd -f -c "$TMP/reader.conf.d" >"$TMP/pcscd.log" 2>&1 &
PIDS+=($!)
for _ in $(seq 100); do [ -S /run/pcscd/pcscd.comm ] && break; sleep 0.05; done
echo "pcscd is running"

step "softcard: an iso7816 card on slot 0 and a handler_test card on slot 1, one process"
run "$SOFTCARD" --version
"$SOFTCARD" -t iso7816 -t handler_test -vv --control "$TMP/ctl" >"$TMP/softcard.log" 2>&1 &
CARD=$!
PIDS+=("$CARD")
demo_wait_reader Yes "Virtual PCD 00 01"
run opensc-tool -l

step "opensc-tool: ATR and APDUs"
run opensc-tool -r 0 -a
run opensc-tool -r 0 -s 00A40000023F0000 -s 0084000008 -s 00200001 \
    -s 002000010439393939 -s 002000010431323334

step "opensc-explorer: create a DF and an EF, write, read back, delete"
cat >"$TMP/explorer" <<SCRIPT
mkdir 5000 256
cd 5000
create 5001 32
update_binary 5001 0 "hello from softcard"
cat 5001
info 5001
cd ..
rm 5000
quit
SCRIPT
printf '\033[2m$ opensc-explorer -r 0 < script\033[0m\n'
sed 's/^/  | /' "$TMP/explorer"
opensc-explorer -r 0 <"$TMP/explorer"

step "pyscard: the HandlerTest applet on slot 1, and 2000 APDUs timed on slot 0"
"$PY" - <<'PYEOF'
import time
from smartcard.System import readers
rs = readers()
ht = rs[1].createConnection(); ht.connect()
def tx(c, h):
    d, s1, s2 = c.transmit(list(bytes.fromhex(h)))
    return bytes(d).hex().upper(), "%02X%02X" % (s1, s2)
print("select applet         ", tx(ht, "00A4040006A000000018FF"))
print("case 4, no Le (T=0)   ", tx(ht, "803600040100"))
print("GET RESPONSE          ", tx(ht, "80C0000004"))
ht.disconnect()
c = rs[0].createConnection(); c.connect()
n = 2000
t = time.perf_counter()
for _ in range(n):
    c.transmit([0x00, 0xA4, 0x00, 0x0C, 0x02, 0x3F, 0x00])
dt = time.perf_counter() - t
print("%d SELECT MF through pcscd + Debian vpcd: %.3f ms per APDU, %d APDU/s"
      % (n, 1000 * dt / n, n / dt))
print("(the reference emulator needs about 49 ms per APDU on this path)")
c.disconnect()
PYEOF

step "Take the card in slot 1 out and put it back, at run time (control socket)"
ctl() { "$PY" -c 'import socket,sys; s=socket.socket(socket.AF_UNIX); s.connect(sys.argv[1]); s.sendall(sys.argv[2].encode()+b"\n"); s.shutdown(1); print(s.makefile().read().strip())' "$TMP/ctl" "$1"; }
echo "remove 1 -> $(ctl 'remove 1')"; sleep 1
run opensc-tool -l
echo "insert 1 -> $(ctl 'insert 1')"; sleep 1
run opensc-tool -l

step "What the card logged (-vv)"
tail -n 8 "$TMP/softcard.log"

# The passport needs slot 0: stop the two cards first.
kill "$CARD"
wait "$CARD" 2>/dev/null || true
for part in passport piv npa; do
    demo_wait_reader No "Virtual PCD 00 00" # pcscd has noticed slot 0 is free
    bash "$(dirname "$0")/demo-$part.sh" "$SOFTCARD"
done
printf '\nDemo finished. Run ./check for the full test suite.\n'
