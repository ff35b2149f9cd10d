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
# (outside the source tree) and rebuilt only when it or the stamp of the
# patch below is missing; set NPA_TOOL_REBUILD=1 to force a rebuild.
#
# One small patch (npa-tool.c, right after it connects): the card gets
# extended-length APDUs and 1520-byte buffers, as OpenSC's own npa driver
# (card-npa.c) gives a German ID card. npa-tool forces OpenSC's default
# driver, which keeps 255/256-byte limits even when the reader reports
# dwMaxAPDUDataSize (softcard's driver does); under secure messaging it then
# reads EF.CardSecurity in 256-byte pieces that cannot fit a protected short
# response, so Chip Authentication fails on any card whose EF.CardSecurity
# exceeds 223 bytes.
#
# A second patch (sm-eac.c, encode_mse_cdata): npa-tool passes the whole
# auxiliary data object 67 {73 ...} of --older-than/--verify-validity/
# --verify-community, and the MSE:Set AT encoder wraps it in another 67
# (67 30 67 2E 73 ...), while Terminal Authentication signs the single
# object; a card that checks the signature over what it received refuses
# it. The patch gives the encoder the object's contents, so the card gets
# 67 {73 ...} once, as signed.
#
# Build requirements: gcc libc6-dev make autoconf automake libtool
# pkg-config patch libeac-dev libssl-dev libpcsclite-dev (scripts/deps.sh).
# Usage: scripts/build-npa-tool.sh   (prints the path of npa-tool)
set -euo pipefail

CACHE=${XDG_CACHE_HOME:-$HOME/.cache}/softcard
OUT=$CACHE/npa-tool
STAMP=$CACHE/npa-tool.patch-2
cached() { [ -x "$OUT" ] && [ -e "$STAMP" ] && [ -z "${NPA_TOOL_REBUILD:-}" ]; }
if cached; then
    echo "$OUT"
    exit 0
fi
mkdir -p "$CACHE"
# One build at a time (tests that need npa-tool run in parallel): wait for
# another run's build, then use its result.
exec 9>"$CACHE/npa-tool.lock"
flock 9
if cached; then
    echo "$OUT"
    exit 0
fi

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
anchor='r = util_connect_card_ex(ctx, &card, cmdline.reader_arg, 0, 0);'
grep -qF "$anchor" src/tools/npa-tool.c ||
    { echo "build-npa-tool: npa-tool.c changed, the patch does not apply" >&2; exit 1; }
awk -v a="$anchor" '
    { print }
    index($0, a) { n = NR + 2 }
    NR == n {
        print "\t/* softcard: as OpenSC'"'"'s npa driver, extended length, 1520-byte buffers */"
        print "\tcard->caps |= SC_CARD_CAP_APDU_EXT;"
        print "\tcard->max_recv_size = card->max_send_size = 1520;"
    }' src/tools/npa-tool.c >src/tools/npa-tool.c.new
mv src/tools/npa-tool.c.new src/tools/npa-tool.c
grep -q 'softcard: as OpenSC' src/tools/npa-tool.c ||
    { echo "build-npa-tool: patching npa-tool.c failed" >&2; exit 1; }
aux='sc_format_asn1_entry(capdu_eac_mse + 4, (unsigned char *) auxiliary_data, &auxiliary_data_len, auxiliary_data && auxiliary_data_len);'
grep -qF "$aux" src/sm/sm-eac.c ||
    { echo "build-npa-tool: sm-eac.c changed, the patch does not apply" >&2; exit 1; }
awk -v a="$aux" '
    index($0, a) {
        print "\t/* softcard: the entry adds the 67 tag; give it the contents of"
        print "\t * the 67 object npa-tool passes, not the object (sent once) */"
        print "\tif (auxiliary_data && auxiliary_data_len > 2 && auxiliary_data[0] == 0x67) {"
        print "\t\tsize_t hl = auxiliary_data[1] < 0x80 ? 2 : 2 + (auxiliary_data[1] & 0x7F);"
        print "\t\tif (hl < auxiliary_data_len) {"
        print "\t\t\tauxiliary_data += hl;"
        print "\t\t\tauxiliary_data_len -= hl;"
        print "\t\t}"
        print "\t}"
    }
    { print }' src/sm/sm-eac.c >src/sm/sm-eac.c.new
mv src/sm/sm-eac.c.new src/sm/sm-eac.c
grep -q 'softcard: the entry adds the 67 tag' src/sm/sm-eac.c ||
    { echo "build-npa-tool: patching sm-eac.c failed" >&2; exit 1; }
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
touch "$STAMP"
echo "$OUT"
