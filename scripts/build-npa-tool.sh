#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# Build OpenSC's npa-tool (not packaged by Debian) from the upstream tarball
# of Debian trixie's opensc source package, once, and print its path.
#
# Why trixie's 0.26.1: bookworm's OpenSC 0.23.0 builds but its EAC code
# fails under OpenSSL 3 at the first MSE:Set AT (fixed upstream in 0.24);
# 0.26.1 builds on Debian 12 against bookworm's libeac 1.1.2 and OpenSSL 3.
# Only the upstream tarball is fetched (`apt-get source --tar-only`), with a
# private apt state passed through -o options, so nothing under /etc/apt,
# /var/lib/apt or /var/cache/apt changes; apt still checks the tarball
# against the signed Sources index.
#
# The binary is cached in ${XDG_CACHE_HOME:-$HOME/.cache}/softcard/npa-tool
# (outside the source tree) and rebuilt only when it is missing; set
# NPA_TOOL_REBUILD=1 to force a rebuild. No patch is applied: softcard's
# own pcscd driver (driver/) reports dwMaxAPDUDataSize through the PC/SC
# part 10 properties, which avoids npa-tool's short-APDU limit behind
# Debian's vpcd; the second known defect (auxiliary data wrapped twice in
# MSE:Set AT for --older-than/--verify-validity) is left as upstream has it.
#
# Build requirements: gcc libc6-dev make autoconf automake libtool
# pkg-config patch libeac-dev libssl-dev libpcsclite-dev (scripts/deps.sh).
# Usage: scripts/build-npa-tool.sh   (prints the path of npa-tool)
set -euo pipefail

CACHE=${XDG_CACHE_HOME:-$HOME/.cache}/softcard
OUT=$CACHE/npa-tool
if [ -x "$OUT" ] && [ -z "${NPA_TOOL_REBUILD:-}" ]; then
    echo "$OUT"
    exit 0
fi
mkdir -p "$CACHE"

C=$(mktemp -d "$CACHE/npa-tool-build.XXXXXX")
trap 'rm -rf "$C"' EXIT
mkdir -p "$C/lists/partial" "$C/cache/archives/partial"
uri=$(awk '/^URIs:/{print $2; exit}' /etc/apt/sources.list.d/debian.sources 2>/dev/null || true)
uri=${uri:-http://deb.debian.org/debian}
echo "deb-src [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] $uri trixie main" \
    >"$C/sources.list"
O=(-o "Dir::Etc::SourceList=$C/sources.list" -o "Dir::Etc::SourceParts=/dev/null"
   -o "Dir::State::Lists=$C/lists" -o "Dir::Cache=$C/cache"
   -o "APT::Sandbox::User=root")
{
    apt-get "${O[@]}" update
    (cd "$C" && apt-get "${O[@]}" source --tar-only opensc)
} >"$C/apt.log" 2>&1 || { cat "$C/apt.log" >&2; echo "build-npa-tool: cannot fetch opensc's source" >&2; exit 1; }
tar -C "$C" -xf "$C"/opensc_*.orig.tar.gz
cd "$C"/OpenSC-*
{
    autoreconf -fi
    ./configure --enable-openpace --disable-strict --disable-shared --enable-static \
        --disable-doc --disable-man --disable-notify --disable-zlib --disable-readline \
        --disable-cmocka --disable-dnie-ui
    for d in common scconf ui pkcs15init sm libopensc; do make -j2 -C "src/$d"; done
    make -j2 -C src/tools npa-tool
} >"$C/build.log" 2>&1 || { tail -50 "$C/build.log" >&2; echo "build-npa-tool: build failed" >&2; exit 1; }
install -m 0755 src/tools/npa-tool "$OUT.tmp"
mv -f "$OUT.tmp" "$OUT"
echo "$OUT"
