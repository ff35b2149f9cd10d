#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# Build softcard's Debian packages (debian/), check them with lintian,
# install them into a clean root and run what was installed.
#
#   scripts/build-debs.sh [OUTDIR]        (default OUTDIR: build/debs)
#
# Needs root (the last step uses network and mount namespaces) and the
# packages dpkg-dev, debhelper and lintian plus the project's build
# dependencies (scripts/deps.sh: SC_BUILD_PACKAGES, and pcscd from
# SC_TEST_PACKAGES for the last step); it says what is missing. fakeroot is
# not needed: the packaging declares Rules-Requires-Root: no.
#
# 1. Build. The working tree (tracked and untracked files that git does not
#    ignore; build directories never) is copied into a temporary directory
#    and built there with `dpkg-buildpackage -us -uc -b`, so the tree stays
#    clean. The .deb files go to OUTDIR (previous ones there are removed).
# 2. lintian on the .deb files: any error fails; warnings are printed.
# 3. Dependencies: `apt-get install --simulate` of the .deb files on this
#    machine shows that every dependency resolves from Debian 12 (nothing is
#    installed on the host).
# 4. Clean root: an empty directory with a fresh dpkg database (no package
#    at all, not even libc), into which `dpkg --root=ROOT --force-depends`
#    unpacks and configures every package: dpkg's own installation (file
#    lists, no file clash between the packages, conffiles) with nothing of
#    the host in the way. --force-depends is needed because libc, OpenSSL,
#    pcsc-lite, json-c... are not in that root; step 3 covers them. The
#    root has no shell, so the packages must not need maintainer scripts
#    that dpkg would have to run inside it: the script lists them and
#    fails if one appears (the systemd unit's deb-systemd-helper calls
#    would be one; see the packaging's rules).
# 5. Run the installed files. The dynamic loader, libc and the libraries
#    the packages depend on come from this machine (they are what step 3
#    resolved); everything of softcard comes from ROOT: ROOT/usr/bin/softcard
#    and ROOT/usr/bin/scio, libscio from ROOT (LD_LIBRARY_PATH), and pcscd
#    loads ROOT's driver through the packaged reader entry with its LIBPATH
#    rewritten to ROOT. pcscd runs privately (fresh network and mount
#    namespaces, tmpfs on /run/pcscd: tests/integration/lib.sh), so the
#    machine's pcscd and ports are never touched. Checked: scio list and
#    wait see the cards; scio send gets 9000 for SELECT MF; the README's
#    libscio example compiled against ROOT's libscio-dev (header and
#    libscio.so) reaches a card; the plugin example compiled with
#    pkg-config against ROOT's softcard-dev runs in the installed softcard
#    and answers its own command.
set -euo pipefail

SRC=$(cd "$(dirname "$0")/.." && pwd)

# ---------------------------------------------------------------------------
# Phase 2 (re-executed inside fresh namespaces): run the installed packages.
if [ "${1:-}" = "--run-installed" ]; then
    ROOT=$2
    LIBDIR=$ROOT/usr/lib/$(dpkg-architecture -qDEB_HOST_MULTIARCH)
    export SOFTCARD_BIN=$ROOT/usr/bin/softcard
    export SOFTCARD_SOURCE_DIR=$SRC
    export SOFTCARD_DRIVER=$ROOT/usr/lib/pcsc/drivers/serial/libifdsoftcard.so
    export LD_LIBRARY_PATH=$LIBDIR
    # shellcheck source=SCRIPTDIR/../tests/integration/driver_lib.sh
    . "$SRC/tests/integration/driver_lib.sh"
    sc_enter_namespaces "$@"
    drv_require
    SCIO=$ROOT/usr/bin/scio

    entry=$ROOT/usr/share/softcard-ifd/softcard-vpcd
    [ -f "$entry" ] || sc_fail "no packaged reader entry $entry"
    sed "s|^LIBPATH .*|LIBPATH      $SOFTCARD_DRIVER|" "$entry" \
        >"$SC_TMP/reader.conf.d/softcard-vpcd"
    drv_start_pcscd "$SC_TMP/reader.conf.d"

    # the plugin example, built against ROOT's softcard-dev with pkg-config
    cflags=$(PKG_CONFIG_SYSROOT_DIR=$ROOT \
             PKG_CONFIG_LIBDIR=$ROOT/usr/share/pkgconfig:$LIBDIR/pkgconfig \
             pkg-config --cflags softcard-cardtype) ||
        sc_fail "pkg-config softcard-cardtype in ROOT"
    sc_expect_match "softcard-cardtype.pc points into ROOT" "$cflags" "-I$ROOT/usr/include"
    # shellcheck disable=SC2086
    cc -shared -fPIC -Wall -Wextra -Werror $cflags \
        "$SRC/examples/cardtype/mycard.c" -o "$SC_TMP/mycard.so" ||
        sc_fail "compile the plugin example against ROOT"
    # the README's libscio example against ROOT's libscio-dev
    cc -Wall -Wextra -Werror -I"$ROOT/usr/include" "$SRC/examples/wait_and_send.c" \
        -L"$LIBDIR" -lscio -o "$SC_TMP/wait_and_send" ||
        sc_fail "compile the libscio example against ROOT"
    sc_expect_match "the example uses ROOT's libscio" \
        "$(ldd "$SC_TMP/wait_and_send")" "libscio.so.0 => $LIBDIR/libscio.so.0"

    sc_start_card -vv                                 # iso7816, 35963
    sc_start_card -P 35964 -t "$SC_TMP/mycard.so" -vv # the plugin, 35964
    "$SCIO" wait -t 10 -r "Virtual PCD 00 00" >/dev/null ||
        sc_fail "no card in Virtual PCD 00 00"
    "$SCIO" wait -t 10 -r "Virtual PCD 00 01" >/dev/null ||
        sc_fail "no card in Virtual PCD 00 01"
    grep -q "Attempting startup of Virtual PCD 00 00 using $SOFTCARD_DRIVER" \
        "$SC_TMP/pcscd.log" || sc_fail "pcscd did not load ROOT's driver"
    sc_log "ok: pcscd loaded ROOT's driver through the packaged entry"
    list=$("$SCIO" list) || sc_fail "scio list"
    printf '%s\n' "$list"
    sc_expect_match "scio list: the iso7816 card" "$list" "Virtual PCD 00 00.*3B ?95 ?13"
    sc_expect_match "scio list: the plugin card" "$list" "Virtual PCD 00 01"
    out=$("$SCIO" -r "Virtual PCD 00 00" send 00A4000C023F00) ||
        sc_fail "scio send SELECT MF: $out"
    printf '%s\n' "$out"
    sc_expect_match "scio send SELECT MF answers 9000" "$out" "^< 90 00"
    # SELECT the plugin's application by AID, then its GET GREETING
    out=$("$SCIO" -r "Virtual PCD 00 01" send 00A4040C09F0534F465443415244 \
          8001000000) || sc_fail "scio send to the plugin card: $out"
    printf '%s\n' "$out"
    greeting=$(printf 'Hello from mycard!' | od -An -tx1 | tr -d ' \n' |
               tr a-f A-F)
    sc_expect_match "the plugin answers GET GREETING" \
        "$(grep '^<' <<<"$out" | tr -d ' ' | tr a-f A-F)" "^<${greeting}9000"
    out=$("$SC_TMP/wait_and_send") || sc_fail "libscio example: $out"
    sc_expect_match "libscio example from ROOT" "$out" "Virtual PCD 00 0[01]: .*SW 9000"
    drv_check_pcscd_log
    sc_log "ok: the installed packages run"
    exit 0
fi

# ---------------------------------------------------------------------------
# Phase 1: build, lintian, dependencies, clean root.
OUT=${1:-$SRC/build/debs}
case "$OUT" in /*) ;; *) OUT=$PWD/$OUT ;; esac
log() { printf '[build-debs] %s\n' "$*"; }
die() { printf '[build-debs] FAIL: %s\n' "$*" >&2; exit 1; }

if [ "$(id -u)" -ne 0 ]; then
    die "needs root (the installed packages run in private namespaces)"
fi
# shellcheck source=SCRIPTDIR/deps.sh
. "$SRC/scripts/deps.sh"
# shellcheck disable=SC2086
missing=$(sc_missing_packages dpkg-dev debhelper lintian pcscd \
          $SC_BUILD_PACKAGES)
missing=${missing% }
if [ -n "$missing" ]; then
    die "missing Debian packages: apt-get install -y --no-install-recommends $missing"
fi

start=$(date +%s)
WORK=$(mktemp -d "${TMPDIR:-/tmp}/softcard-debs.XXXXXX")
cleanup() { rm -rf "$WORK"; }
trap cleanup EXIT

version=$(dpkg-parsechangelog -l "$SRC/debian/changelog" -S Version)
upstream=${version%-*}
tree=$WORK/softcard-$upstream
mkdir -p "$tree"
if git -C "$SRC" rev-parse --is-inside-work-tree >/dev/null 2>&1; then
    # tracked and untracked files that git does not ignore (build/ is)
    (cd "$SRC" && git ls-files -z --cached --others --exclude-standard |
        while IFS= read -r -d '' f; do [ -e "$f" ] && printf '%s\0' "$f"; done |
        xargs -0 cp --parents -t "$tree")
else
    tar -C "$SRC" --exclude='./build*' --exclude=./.git -cf - . |
        tar -C "$tree" -xf -
fi
log "building softcard $version in $tree"
(cd "$tree" &&
    DEB_BUILD_OPTIONS="noautodbgsym parallel=$(nproc)" \
    dpkg-buildpackage -us -uc -b >"$WORK/build.log" 2>&1) || {
    tail -n 60 "$WORK/build.log"
    die "dpkg-buildpackage failed (last lines above)"
}
mkdir -p "$OUT"
rm -f "$OUT"/*.deb
cp "$WORK"/*.deb "$OUT"/
mapfile -t DEBS < <(ls "$OUT"/*.deb)
log "built in $(($(date +%s) - start)) s: ${DEBS[*]##*/}"
for deb in "${DEBS[@]}"; do
    log "$(dpkg-deb -f "$deb" Package): $(dpkg-deb -c "$deb" |
        awk '$6 !~ /\/$/ && $6 !~ /^\.\/usr\/share\/doc\// {sub(/^\./, "", $6); printf "%s ", $6}')"
done

log "lintian"
lintian_out=$(lintian --fail-on error "${DEBS[@]}" 2>&1) || {
    printf '%s\n' "$lintian_out"
    die "lintian reports errors"
}
printf '%s\n' "$lintian_out"
log "ok: lintian: no errors ($(grep -c '^W:' <<<"$lintian_out" || true) warnings)"

log "dependencies on this machine: apt-get install --simulate"
sim=$(apt-get install --simulate --no-install-recommends "${DEBS[@]}" 2>&1) || {
    printf '%s\n' "$sim"
    die "the packages' dependencies do not resolve"
}
grep -E '^(Inst|Conf) ' <<<"$sim" || true
log "ok: dependencies resolve"

ROOT=$WORK/root
mkdir -p "$ROOT/var/lib/dpkg/info" "$ROOT/var/lib/dpkg/updates" \
         "$ROOT/var/lib/dpkg/triggers"
: >"$ROOT/var/lib/dpkg/status"
: >"$ROOT/var/lib/dpkg/available"
scripts=
for deb in "${DEBS[@]}"; do
    for s in $(dpkg-deb --ctrl-tarfile "$deb" | tar -t |
               grep -E '(pre|post)(inst|rm)$' || true); do
        scripts="$scripts $(dpkg-deb -f "$deb" Package):${s#./}"
    done
done
[ -z "$scripts" ] ||
    die "maintainer scripts that a root without a shell cannot run:$scripts"
log "clean root $ROOT: dpkg --root --force-depends -i"
dpkg --root="$ROOT" --force-depends -i "${DEBS[@]}" >"$WORK/dpkg.log" 2>&1 || {
    cat "$WORK/dpkg.log"
    die "dpkg -i into the clean root"
}
state=$(dpkg --root="$ROOT" -l | awk '/^[a-z][a-z] / {print $1, $2}')
printf '%s\n' "$state"
[ "$(grep -vc '^ii ' <<<"$state" || true)" -eq 0 ] ||
    die "not every package is installed in the clean root"
[ "$(wc -l <<<"$state")" -eq "${#DEBS[@]}" ] ||
    die "expected ${#DEBS[@]} packages in the clean root"
log "ok: ${#DEBS[@]} packages installed in the clean root"

log "running the installed packages in a private pcscd"
"$0" --run-installed "$ROOT"
log "ok: all done in $(($(date +%s) - start)) s; packages in $OUT"
