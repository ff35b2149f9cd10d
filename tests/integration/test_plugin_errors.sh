#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# Card-type plugins that softcard refuses, each with exit status 1 and one
# line on stderr: a plugin built for another ABI, a shared object without
# the softcard_card_type symbol, a plugin calling a function softcard does
# not export (the loader's "undefined symbol" reason, at load time), a
# missing file, and a plugin whose create() fails (its own reason; no image
# is left behind by --init). The plugins (tests/integration/plugins/) are
# built with cc against the installed dev files. No pcscd is involved.
. "$(dirname "$0")/lib.sh"
sc_enter_namespaces "$@"
cd "$SC_TMP"

cmake --install "${SOFTCARD_BUILD_DIR:?}" --prefix "$SC_TMP/root" \
    --component dev >install.log 2>&1 ||
    sc_fail "cmake --install --component dev"
pc=$(find "$SC_TMP/root" -name softcard-cardtype.pc)
[ -n "$pc" ] || sc_fail "softcard-cardtype.pc not installed"
export PKG_CONFIG_PATH=${pc%/*}
cflags=$(pkg-config --cflags softcard-cardtype) || sc_fail "pkg-config"
for p in abi2 nosymbol undefined createfail; do
    # shellcheck disable=SC2086 # cflags holds several words
    cc -std=c17 -Wall -Wextra -Werror -shared -fPIC $cflags \
        "$SC_HERE/plugins/$p.c" -o "$p.so" >>build.log 2>&1 ||
        sc_fail "building $p.so"
done

# refused WHAT REGEX ARGS...: softcard exits 1, prints exactly one line on
# stderr, matching REGEX, and nothing on stdout.
refused() {
    local what=$1 want=$2 rc=0 lines
    shift 2
    "$SC_BIN" "$@" >stdout.txt 2>stderr.txt || rc=$?
    local err
    err=$(cat stderr.txt)
    [ "$rc" = 1 ] || sc_fail "$what: exit $rc, expected 1: $err"
    lines=$(awk 'END { print NR }' stderr.txt)
    [ "$lines" = 1 ] || sc_fail "$what: $lines lines on stderr: $err"
    [ ! -s stdout.txt ] || sc_fail "$what: output on stdout: $(cat stdout.txt)"
    sc_expect_match "$what" "$err" "$want"
}

refused "ABI 2" "abi2\.so: built for card-type ABI 2, this softcard has ABI 1" \
    -t ./abi2.so
refused "ABI 2 (--plugin, --init)" "built for card-type ABI 2" \
    --plugin ./abi2.so --init abi2 -f abi2.json
[ ! -e abi2.json ] || sc_fail "an image was created from a refused plugin"
refused "no entry symbol" "nosymbol\.so: no symbol 'softcard_card_type'" \
    -t ./nosymbol.so
refused "undefined function" \
    "undefined\.so: undefined symbol: sfc_no_such_function" -t ./undefined.so
refused "missing plugin" "nosuch\.so: cannot open shared object file" \
    -t ./nosuch.so
refused "create() fails" "createfail: no card today \(as planned\)" \
    -t ./createfail.so
refused "create() fails (--plugin, --init)" \
    "createfail: no card today \(as planned\)" \
    --plugin ./createfail.so --init createfail -f createfail.json
[ ! -e createfail.json ] || sc_fail "--init left an image of a failed create()"
