#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# softcard resolves the vpcd host name once per insertion and reconnects
# with the addresses it has: one event loop serves every card, and a
# resolver that stalls on every reconnect would stall them all. The host
# name comes from a private /etc/hosts (bind-mounted in the test's mount
# namespace) and is taken away between two vpcd sessions (scio's direct
# backend plays vpcd): the card must come back all the same.
. "$(dirname "$0")/lib.sh"
sc_enter_namespaces "$@"
SCIO=${SCIO_BIN:?SCIO_BIN must point at the scio binary}

cp /etc/hosts "$SC_TMP/hosts"
echo "127.0.0.1 vpcd-host.invalid" >>"$SC_TMP/hosts"
mount --bind "$SC_TMP/hosts" /etc/hosts
sc_start_card -vv -H vpcd-host.invalid -P 36201
out=$("$SCIO" -b direct --slot 127.0.0.1:36201 -t 10 -r 0 send 00A4000C023F00)
sc_expect_match "first session through the resolved name" "$out" "^< 90 00 : "

grep -v vpcd-host.invalid "$SC_TMP/hosts" >"$SC_TMP/hosts.new"
cat "$SC_TMP/hosts.new" >"$SC_TMP/hosts" # the mounted inode: name gone
getent hosts vpcd-host.invalid >/dev/null && sc_fail "the name still resolves"
out=$("$SCIO" -b direct --slot 127.0.0.1:36201 -t 10 -r 0 send 00A4000C023F00)
sc_expect_match "reconnected without resolving again" "$out" "^< 90 00 : "
