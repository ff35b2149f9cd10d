#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# The tutorial's card type (docs/writing-a-card-type.md), built as a user
# would: `cmake --install --component dev` into a private prefix (and with
# DESTDIR), examples/cardtype built out of the tree against it through
# pkg-config (its CMakeLists.txt, and the tutorial's cc line with gcc and
# clang, warnings as errors), then `softcard -t ./mycard.so` in a private
# pcscd with Debian's vpcd, driven by opensc-tool (SELECT by AID, GET
# GREETING, INCREMENT, an unknown AID answering 6A82 with the application
# still current) and by scriptor, which shows the raw answers: after a
# command that leaves the application current, data come at once (its
# format hook), elsewhere they wait behind 61xx. The tutorial's own
# opensc-tool and scriptor sessions, run as the page shows them on a fresh
# card, print what the page shows. Finally a card image:
# --plugin with --init, the image run, the counter kept across a restart.
. "$(dirname "$0")/lib.sh"
sc_enter_namespaces "$@"
cd "$SC_TMP"

AID=F0534F465443415244
GREETING=48656C6C6F2066726F6D206D796361726421 # "Hello from mycard!"
WARNINGS=(-std=c17 -Wall -Wextra -Werror -Wformat=2 -Wshadow
          -Wstrict-prototypes -Wmissing-prototypes -Wvla)

# ---- the installed dev files -----------------------------------------------
DESTDIR="$SC_TMP/stage" cmake --install "${SOFTCARD_BUILD_DIR:?}" \
    --prefix /opt/softcard --component dev >>install.log 2>&1 ||
    sc_fail "cmake --install with DESTDIR"
[ -f stage/opt/softcard/include/softcard-cardtype.h ] ||
    sc_fail "DESTDIR: no softcard-cardtype.h"
pc=$(find stage -name softcard-cardtype.pc)
sc_expect_match "DESTDIR: the .pc names the prefix" "$(cat "$pc")" \
    "^prefix=/opt/softcard$"
cmake --install "$SOFTCARD_BUILD_DIR" --prefix "$SC_TMP/root" \
    --component dev >>install.log 2>&1 || sc_fail "cmake --install"
[ -f root/include/softcard.h ] || sc_fail "softcard.h not installed"
pc=$(find root -name softcard-cardtype.pc)
export PKG_CONFIG_PATH=${pc%/*}
cflags=$(pkg-config --cflags softcard-cardtype) || sc_fail "pkg-config --cflags"
sc_expect_match "pkg-config --cflags" "$cflags" "^-I$SC_TMP/root/include *$"
sc_expect_match "pkg-config --libs (none)" \
    "$(pkg-config --libs softcard-cardtype)" "^ *$"

# ---- building the example --------------------------------------------------
cmake -S "$SC_SRC/examples/cardtype" -B mycard-build -DCMAKE_C_FLAGS=-Werror \
    >>build.log 2>&1 || sc_fail "configuring examples/cardtype"
cmake --build mycard-build >>build.log 2>&1 ||
    sc_fail "building examples/cardtype with its CMakeLists.txt"
cp mycard-build/mycard.so mycard.so
for compiler in gcc clang; do
    command -v "$compiler" >/dev/null || continue
    # shellcheck disable=SC2046 # pkg-config prints several words
    "$compiler" "${WARNINGS[@]}" -shared -fPIC \
        $(pkg-config --cflags softcard-cardtype) \
        "$SC_SRC/examples/cardtype/mycard.c" -o "mycard-$compiler.so" \
        >>build.log 2>&1 || sc_fail "$compiler: mycard.c does not build"
    sc_log "ok: $compiler builds mycard.c without a warning"
done

# ---- helpers ---------------------------------------------------------------
# raw APDU...: one scriptor session (pcsc-tools), which shows the answers
# as the card sent them (no GET RESPONSE): one line "DATA SW1 SW2" in hex.
raw() {
    printf '%s\n' "$@" | scriptor -r "Virtual PCD 00 00" 2>&1 | awk '
        /^< / { r = substr($0, 3); on = 1 }
        on && !/^< / { r = r " " $0 }
        on && / : / { sub(/ : .*/, "", r); gsub(/ /, "", r); print r; on = 0 }'
}
# check CLIENT APDU EXPECTED APDU EXPECTED ...: one session of CLIENT
# (sc_apdus or raw), each answer checked.
check() {
    local client=$1 cmds=() wants=() i=0 line
    shift
    while [ $# -ge 2 ]; do cmds+=("$1"); wants+=("$2"); shift 2; done
    while IFS= read -r line; do
        sc_expect_eq "$client ${cmds[$i]} -> ${wants[$i]}" "$line" \
            "${wants[$i]}"
        i=$((i + 1))
    done < <("$client" "${cmds[@]}")
    [ "$i" -eq "${#cmds[@]}" ] || sc_fail "only $i of ${#cmds[@]} answers"
}
stop_card() {
    kill "$SC_CARD_PID"
    wait "$SC_CARD_PID" 2>/dev/null || true
    sc_wait_card "Virtual PCD 00 00" absent
}

# ---- softcard -t ./mycard.so -----------------------------------------------
sc_start_pcscd
sc_start_card -vvv -t ./mycard.so
sc_wait_card "Virtual PCD 00 00" present
sc_expect_eq "ATR" "$(opensc-tool -r 0 -a 2>&1)" \
    "3b:86:80:01:6d:79:63:61:72:64:07"
check sc_apdus 80010000 "6E00 " \
    00A4040C09"$AID" "9000 " \
    8001000000 "9000 $GREETING" \
    80020000 "9000 00000001" \
    800200000105 "9000 00000006" \
    00A4040005A000000001 "6A82 " \
    8001000000 "9000 $GREETING" \
    800200000101 "9000 00000007" \
    80030000 "6D00 " \
    00B0000000 "6986 " \
    00B0810000 "9000 $GREETING"
# the format hook, seen raw: outside the application data without Le wait
# behind 61xx (SELECT of the MF with FCI); the SELECT that makes it current
# and the commands inside it answer at once (FCI, INCREMENT); with Le the
# OS's rules stay (5 bytes, then 61 0D); leaving it, 61xx again
check raw 00A4000C023F00 "9000" \
    00A40000023F00 "610C" \
    00A4040009"$AID" "6F158302DF018A01058201388409${AID}9000" \
    00A40200020001 "6F16830200018A01058801088002001281020012820201019000" \
    800200000102 "000000099000" \
    8001000005 "48656C6C6F610D" \
    00A40000023F00 "610C"
kill -0 "$SC_CARD_PID" || sc_fail "softcard died"
stop_card

# ---- the tutorial's transcripts, run as written ------------------------------
# a fresh card, and the opensc-tool and scriptor sessions of
# docs/writing-a-card-type.md section 5, each command run and its output
# compared with the page line by line
sc_start_card -t ./mycard.so
sc_wait_card "Virtual PCD 00 00" present
out=$("$SC_PY" "$SC_HERE/tutorial_transcript.py" \
    "$SC_SRC/docs/writing-a-card-type.md") || sc_fail "$out"
sc_log "ok: $out"
stop_card

# ---- a card image ----------------------------------------------------------
out=$("$SC_BIN" --plugin ./mycard.so --init mycard -f card.json \
    --greeting "Hi from an image" 2>&1) || sc_fail "--init mycard: $out"
sc_expect_eq "--init mycard" "$out" "card.json: new mycard card image"
out=$("$SC_BIN" --plugin ./mycard.so --check-image -f card.json 2>&1) ||
    sc_fail "--check-image: $out"
sc_expect_match "--check-image" "$out" "ok: mycard card"
rc=0
out=$("$SC_BIN" --check-image -f card.json 2>&1) || rc=$?
[ "$rc" != 0 ] || sc_fail "an image of a plugin's type loaded without it"
sc_expect_match "without --plugin" "$out" "mycard"
hi=$(printf 'Hi from an image' | od -An -tx1 | tr -d ' \n' | tr a-f A-F)
sc_start_card -vvv --plugin ./mycard.so -f card.json
sc_wait_card "Virtual PCD 00 00" present
check sc_apdus 00A4040C09"$AID" "9000 " \
    8001000000 "9000 $hi" \
    80020000 "9000 00000001" \
    80020000012A "9000 0000002B"
state() {
    "$SC_PY" -c 'import json, sys
print(" ".join(a["name"] + "=" + a["state"].upper()
               for a in json.load(open(sys.argv[1]))["applications"]))' "$1"
}
sc_expect_eq "counter in the image" "$(state card.json)" "mycard=0000002B"
stop_card
sc_start_card -vvv --plugin ./mycard.so -f card.json
sc_wait_card "Virtual PCD 00 00" present
check sc_apdus 00A4040C09"$AID" "9000 " \
    80020000 "9000 0000002C" \
    8001000000 "9000 $hi"
sc_expect_eq "counter after the restart" "$(state card.json)" "mycard=0000002C"
