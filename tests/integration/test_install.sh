#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# `cmake --install` as a packager and a user meet it (docs/install.md):
# every component into a DESTDIR under a prefix of its own; the file list
# (each expected file there, each file in exactly one component, nothing
# outside the four); libscio's SONAME and links; both pkg-config files
# naming the prefix; the README's libscio example and the plugin example
# compiled through pkg-config against the staged tree; every man page
# rendered by man without a warning, and every option of --help in the
# commands' pages; the bash completion; the systemd unit (systemd-analyze
# verify); and finally the staged driver, from its staged reader.conf.d
# entry, in a private pcscd with the staged softcard, scio and the compiled
# example talking to a card.
. "$(dirname "$0")/driver_lib.sh"
sc_enter_namespaces "$@"
drv_require
build=${SOFTCARD_BUILD_DIR:?SOFTCARD_BUILD_DIR must point at the build tree}
cd "$SC_TMP"

prefix=/opt/softcard
stage=$SC_TMP/stage
root=$stage$prefix

# cache NAME DEFAULT: a variable of the build's CMakeCache.txt, or DEFAULT
cache() {
    local v
    v=$(sed -n "s/^$1:[A-Z]*=//p" "$build/CMakeCache.txt")
    printf '%s\n' "${v:-$2}"
}
# under DIR: DIR relative to the prefix, or absolute, in the stage
under() {
    case $1 in
        /*) printf '%s\n' "$stage$1" ;;
        *) printf '%s\n' "$root/$1" ;;
    esac
}
version=$(cache CMAKE_PROJECT_VERSION "")
[ -n "$version" ] || sc_fail "no project version in the cache"
bindir=$(under "$(cache CMAKE_INSTALL_BINDIR bin)")
libdir_rel=$(cache CMAKE_INSTALL_LIBDIR lib)
libdir=$(under "$libdir_rel")
incdir=$(under "$(cache CMAKE_INSTALL_INCLUDEDIR include)")
mandir=$(under "$(cache CMAKE_INSTALL_MANDIR share/man)")
docdir=$(under "$(cache CMAKE_INSTALL_DOCDIR share/doc/softcard)")
exdir=$(under "$(cache SOFTCARD_EXAMPLES_DIR share/doc/softcard/examples)")
compdir=$(under "$(cache SOFTCARD_BASH_COMPLETION_DIR share/bash-completion/completions)")
unitdir=$(under "$(cache SOFTCARD_SYSTEMD_UNIT_DIR lib/systemd/system)")
drvdir=$(under "$(cache SOFTCARD_PCSC_DRIVER_DIR lib/pcsc/drivers/serial)")
confdir=$(under "$(cache SOFTCARD_READER_CONF_DIR /etc/reader.conf.d)")
confname=$(cache SOFTCARD_READER_CONF_NAME softcard-vpcd)

# ---- install, whole and by component ----------------------------------------
DESTDIR=$stage cmake --install "$build" --prefix "$prefix" >install.log 2>&1 ||
    sc_fail "cmake --install with DESTDIR"
sc_log "ok: cmake --install --prefix $prefix with DESTDIR"
all=$(cd "$stage" && find . ! -type d | sort)
: >components.txt
for c in emulator libscio dev driver Unspecified; do
    DESTDIR=$SC_TMP/c-$c cmake --install "$build" --prefix "$prefix" \
        --component "$c" >>install.log 2>&1 || sc_fail "component $c"
    mkdir -p "c-$c"
    (cd "c-$c" && find . ! -type d) >>components.txt
done
[ -z "$(cd c-Unspecified && find . ! -type d)" ] ||
    sc_fail "files without a component: $(cd c-Unspecified && find . ! -type d)"
sc_expect_eq "the four components together install everything, once each" \
    "$(sort components.txt)" "$all"

expect=(
    "$bindir/softcard" "$bindir/scio"
    "$libdir/libscio.so.$version" "$libdir/libscio.so.0" "$libdir/libscio.so"
    "$incdir/scio.h" "$incdir/softcard_mitm.h" "$incdir/softcard.h"
    "$incdir/softcard-cardtype.h"
    "$libdir/pkgconfig/libscio.pc" "$libdir/pkgconfig/softcard-cardtype.pc"
    "$mandir/man1/softcard.1" "$mandir/man1/scio.1"
    "$mandir/man5/softcard-image.5" "$mandir/man8/softcard-driver.8"
    "$compdir/softcard" "$compdir/scio" "$unitdir/softcard@.service"
    "$drvdir/libifdsoftcard.so" "$confdir/$confname"
    "$docdir/README.md" "$docdir/LICENSE"
    "$exdir/wait_and_send.c" "$exdir/cardtype/mycard.c"
    "$exdir/cardtype/CMakeLists.txt"
)
for f in "$SC_SRC"/docs/*.md; do expect+=("$docdir/docs/${f##*/}"); done
for f in "$SC_SRC"/examples/images/*.json; do expect+=("$exdir/images/${f##*/}"); done
for f in "${expect[@]}"; do
    [ -e "$f" ] || sc_fail "not installed: ${f#"$stage"}"
done
sc_log "ok: all ${#expect[@]} expected files installed"
for f in "$bindir/softcard" "$bindir/scio"; do
    [ -x "$f" ] || sc_fail "${f#"$stage"} is not executable"
done

# ---- libscio: SONAME, links, pkg-config ---------------------------------------
sc_expect_match "libscio SONAME" \
    "$(readelf -d "$libdir/libscio.so.$version" | grep SONAME)" \
    "Library soname: \[libscio\.so\.0\]"
sc_expect_eq "libscio.so.0 link" "$(readlink "$libdir/libscio.so.0")" \
    "libscio.so.$version"
sc_expect_eq "libscio.so link" "$(readlink "$libdir/libscio.so")" \
    "libscio.so.0"
if [ -L "$libdir/libscio.so.$version" ]; then
    sc_fail "libscio.so.$version must be the file, the others links"
fi
export PKG_CONFIG_PATH=$libdir/pkgconfig PKG_CONFIG_SYSROOT_DIR=$stage
for pc in libscio softcard-cardtype; do
    sc_expect_match "$pc.pc names the prefix" \
        "$(cat "$libdir/pkgconfig/$pc.pc")" "^prefix=$prefix$"
    sc_expect_eq "$pc version" "$(pkg-config --modversion "$pc")" "$version"
done
sc_expect_match "pkg-config --cflags --libs libscio" \
    "$(pkg-config --cflags --libs libscio)" \
    "^-I${incdir} -L${libdir} -lscio *$"

# ---- the examples, built against the staged tree ------------------------------
# The README's libscio example is the installed wait_and_send.c: the code
# block of its "libscio in ten lines" is in that file (white space aside).
squeeze() { tr -s ' \n' '  '; }
snippet=$(awk '/^### libscio in ten lines/ {s = 1} s && /^```c$/ {c = 1; next}
               c && /^```$/ {exit} c' "$docdir/README.md" | squeeze)
[ "$(wc -w <<<"$snippet")" -gt 50 ] || sc_fail "no libscio example in the README"
[[ $(squeeze <"$exdir/wait_and_send.c") == *"$snippet"* ]] ||
    sc_fail "the README's libscio example is not examples/wait_and_send.c"
sc_log "ok: the README's libscio example is the installed wait_and_send.c"
WARNINGS=(-std=c17 -Wall -Wextra -Werror -Wformat=2 -Wshadow
          -Wstrict-prototypes -Wmissing-prototypes -Wvla)
# a sanitizer build's libscio needs the sanitizer runtimes in the program
san=()
# (ldd's output is captured first: `ldd | grep -q` under pipefail fails
# whenever grep exits before ldd has written everything)
if [[ $(ldd "$libdir/libscio.so.$version") == *libasan* ]]; then
    # shellcheck disable=SC2054 # one option with commas
    san=(-fsanitize=address,undefined)
fi
# shellcheck disable=SC2046 # pkg-config prints several words
gcc "${WARNINGS[@]}" "${san[@]}" $(pkg-config --cflags libscio) \
    "$exdir/wait_and_send.c" $(pkg-config --libs libscio) -o wait_and_send \
    >>build.log 2>&1 || sc_fail "wait_and_send.c does not build with pkg-config libscio"
sc_log "ok: wait_and_send.c builds with pkg-config libscio"
sc_expect_match "wait_and_send needs libscio.so.0" \
    "$(readelf -d wait_and_send | grep NEEDED)" "\[libscio\.so\.0\]"
# shellcheck disable=SC2046
gcc "${WARNINGS[@]}" -shared -fPIC $(pkg-config --cflags softcard-cardtype) \
    "$exdir/cardtype/mycard.c" -o mycard.so >>build.log 2>&1 ||
    sc_fail "mycard.c does not build with pkg-config softcard-cardtype"
sc_log "ok: mycard.c builds with pkg-config softcard-cardtype"
out=$("$bindir/softcard" --plugin ./mycard.so --init mycard -f mycard.json 2>&1) ||
    sc_fail "the staged softcard refuses the plugin: $out"
sc_expect_eq "the staged softcard runs the plugin's creation" "$out" \
    "mycard.json: new mycard card image"

# ---- man pages ------------------------------------------------------------------
pages=$(find "$mandir" -type f | sort)
sc_expect_eq "man pages" "$(printf '%s\n' "$pages" | wc -l)" 4
for page in $pages; do
    err=$(MANWIDTH=80 man --warnings -l "$page" 2>&1 >/dev/null) ||
        sc_fail "man -l ${page##*/} failed: $err"
    [ -z "$err" ] || sc_fail "man -l ${page##*/} warns: $err"
    [ -n "$(MANWIDTH=80 man -l "$page" 2>/dev/null)" ] ||
        sc_fail "${page##*/} renders empty"
done
sc_log "ok: every man page renders without a warning"
# every long option --help prints (for softcard: the card types' too) is
# in the page; the page's source with \- as - and without font changes
options_in() {
    sed 's/\\-/-/g; s/\\f[BIPR]//g' "$1"
}
for cmd in softcard scio; do
    src=$(options_in "$mandir/man1/$cmd.1")
    opts=$("$bindir/$cmd" --help | grep -oE -- '--[a-z][-a-z0-9]*' | sort -u)
    [ "$(wc -l <<<"$opts")" -gt 10 ] || sc_fail "$cmd --help: too few options"
    for opt in $opts; do
        grep -qE -- "(^|[^-a-z0-9])$opt([^-a-z0-9]|$)" <<<"$src" ||
            sc_fail "$cmd.1 lacks $opt"
    done
    sc_log "ok: $cmd.1 has all $(wc -l <<<"$opts") long options of $cmd --help"
    # and the other way: every long option the page documents (the tags of
    # its .TP items) is one --help prints; --dgN stands for --dg1, --dg2...
    tagged=$(awk 'p == ".TP" {print} {p = $0}' "$mandir/man1/$cmd.1" |
             options_in /dev/stdin | grep -oE -- '--[a-z][-a-z0-9]*N?' | sort -u)
    [ "$(wc -l <<<"$tagged")" -gt 10 ] || sc_fail "$cmd.1: too few option items"
    for opt in $tagged; do
        case $opt in
            *N) grep -qE -- "^${opt%N}[0-9]+$" <<<"$opts" ;;
            *) grep -qxF -- "$opt" <<<"$opts" ;;
        esac || sc_fail "$cmd.1 documents $opt, which $cmd --help lacks"
    done
    sc_log "ok: $cmd --help has all $(wc -l <<<"$tagged") long options of $cmd.1"
done

# ---- bash completion ----------------------------------------------------------
for f in "$compdir"/softcard "$compdir"/scio; do
    bash -n "$f" || sc_fail "bash -n ${f##*/}"
done
# complete WORD... : the completions of the last word, in a fresh bash
complete_words() {
    PATH=$bindir:$PATH bash -c '
        . "$1/softcard"; . "$1/scio"; shift
        COMP_WORDS=("$@"); COMP_CWORD=$((${#COMP_WORDS[@]} - 1))
        fn=$(complete -p "$1" | sed -n "s/.* -F \([^ ]*\) .*/\1/p")
        "$fn"
        printf "%s\n" "${COMPREPLY[@]}" | sort | tr "\n" " "' _ "$compdir" "$@"
}
sc_expect_eq "complete softcard --ty" "$(complete_words softcard --ty)" "--type "
sc_expect_eq "complete softcard -t i" "$(complete_words softcard -t i)" "iso7816 "
sc_expect_eq "complete softcard --mrz-format t" \
    "$(complete_words softcard --mrz-format t)" "td1 td2 td3 "
sc_expect_eq "complete scio --ti" "$(complete_words scio --ti)" "--timeout "
sc_expect_eq "complete scio -b direct w" "$(complete_words scio -b direct w)" \
    "wait watch "

# ---- systemd unit ---------------------------------------------------------------
unit=$unitdir/softcard@.service
sc_expect_match "unit ExecStart" "$(grep ^ExecStart= "$unit")" \
    "^ExecStart=$prefix/bin/softcard -f /var/lib/softcard/%i.json "
sc_expect_match "unit after pcscd.socket" "$(grep ^After= "$unit")" "pcscd\.socket"
sc_expect_eq "unit restart" "$(grep ^Restart= "$unit")" "Restart=on-failure"
if command -v systemd-analyze >/dev/null; then
    # the staged copy, its ExecStart pointing into the stage
    mkdir -p units
    sed "s|^ExecStart=$prefix/|ExecStart=$root/|" "$unit" >units/softcard@.service
    out=$(MANPATH=$mandir systemd-analyze verify "$SC_TMP/units/softcard@.service" 2>&1) ||
        sc_fail "systemd-analyze verify: $out"
    [ -z "$out" ] || sc_fail "systemd-analyze verify: $out"
    sc_log "ok: systemd-analyze verify softcard@.service"
else
    sc_log "skipped: systemd-analyze verify (systemd-analyze is not installed)"
fi

# ---- the staged driver, softcard, scio and example through pcscd -------------
entry=$confdir/$confname
sc_expect_match "entry's LIBPATH names the installed module" \
    "$(grep LIBPATH "$entry")" \
    "LIBPATH +${drvdir#"$stage"}/libifdsoftcard\.so$"
mkdir -p conf
sed "s|^\(LIBPATH *\)${drvdir#"$stage"}/|\1$drvdir/|" "$entry" >conf/"$confname"
DRV_LIB=$drvdir/libifdsoftcard.so
drv_start_pcscd "$SC_TMP/conf"
# shellcheck disable=SC2034 # lib.sh's sc_start_card runs it
SC_BIN=$bindir/softcard
sc_start_card -vv -n 2
sc_wait_card "Virtual PCD 00 00" present
sc_wait_card "Virtual PCD 00 01" present
grep -q "Attempting startup of Virtual PCD 00 00 using $DRV_LIB" pcscd.log ||
    sc_fail "pcscd did not load the staged driver"
sc_log "ok: pcscd loaded the staged driver from its entry"
out=$(LD_LIBRARY_PATH=$libdir ./wait_and_send 2>&1) ||
    sc_fail "wait_and_send: $out"
sc_expect_match "wait_and_send selects the MF" "$out" \
    "^Virtual PCD 00 0[01]: .*, SW 9000$"
sc_expect_match "scio list" "$("$bindir/scio" list 2>&1)" "Virtual PCD 00 01"
sc_expect_match "scio send" \
    "$("$bindir/scio" -r "Virtual PCD 00 01" send 00A4000C023F00 2>&1)" \
    "90 00"
printf '00 A4 00 0C 02 3F 00 = 9000\n00 84 00 00 08 = * 9000\n' >script.apdu
"$bindir/scio" -r "Virtual PCD 00 00" script script.apdu >scio.log 2>&1 ||
    sc_fail "scio script"
sc_log "ok: scio script"
drv_check_pcscd_log
