#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# `cmake --install` puts the driver and its reader.conf.d entry in place and
# pcscd uses them as installed: the module goes under the prefix
# (lib/pcsc/drivers/serial), the entry into pcscd's reader.conf.d with a
# LIBPATH pointing at the installed module. The module exports the IFDH*
# entry points and nothing else, and loads outside pcscd (dlopen with
# RTLD_NOW, as HandlerTest does): it needs no symbol of pcscd. The install
# prefix is private to the test, and reader.conf.d is a tmpfs inside the
# test's own mount namespace, so nothing of the machine's configuration is
# touched.
. "$(dirname "$0")/driver_lib.sh"
sc_enter_namespaces "$@"
drv_require
build=${SOFTCARD_BUILD_DIR:?SOFTCARD_BUILD_DIR must point at the build tree}
conf_dir=$(sed -n 's/^SOFTCARD_READER_CONF_DIR:[A-Z]*=//p' "$build/CMakeCache.txt")
conf_name=$(sed -n 's/^SOFTCARD_READER_CONF_NAME:[A-Z]*=//p' "$build/CMakeCache.txt")
case "$conf_dir" in
    /*) ;;
    *) conf_dir="$SC_TMP/prefix/$conf_dir" ;;
esac
mkdir -p "$conf_dir"
mount -t tmpfs tmpfs "$conf_dir"
cmake --install "$build" --component driver --prefix "$SC_TMP/prefix" \
    >"$SC_TMP/install.log" 2>&1 || { cat "$SC_TMP/install.log"; sc_fail "cmake --install"; }
cat "$SC_TMP/install.log"

module=$(find "$SC_TMP/prefix" -name libifdsoftcard.so)
sc_expect_match "module installed under the prefix" "$module" \
    "^$SC_TMP/prefix/lib/pcsc/drivers/serial/libifdsoftcard.so$"
entry="$conf_dir/$conf_name"
[ -f "$entry" ] || sc_fail "no $entry"
sc_expect_match "entry's LIBPATH" "$(grep LIBPATH "$entry")" "LIBPATH +$module$"
sc_expect_match "entry's DEVICENAME" "$(grep ^DEVICENAME "$entry")" \
    "DEVICENAME +/dev/null:0x8C7B$"
manifest=$(cat "$build/install_manifest_driver.txt")
sc_expect_match "install manifest lists the entry" "$manifest" "$entry"

exports=$(nm -D --defined-only "$module" | awk '{print $3}' | sort | tr '\n' ' ')
sc_expect_eq "exported symbols" "$exports" "IFDHCloseChannel IFDHControl \
IFDHCreateChannel IFDHCreateChannelByName IFDHGetCapabilities IFDHICCPresence \
IFDHPowerICC IFDHSetCapabilities IFDHSetProtocolParameters IFDHTransmitToICC "
asan=$(ldd "$module" | awk '/libasan/ {print $3; exit}')
LD_PRELOAD=$asan ASAN_OPTIONS=detect_leaks=0 "$SC_PY" - "$module" <<'PY' ||
import ctypes, os, sys
lib = ctypes.CDLL(sys.argv[1], mode=os.RTLD_NOW)
open_channel = lib.IFDHCreateChannelByName
open_channel.argtypes = [ctypes.c_ulong, ctypes.c_char_p]
assert open_channel(0, b"/dev/null:40123,slots=1") == 0
assert lib.IFDHICCPresence(ctypes.c_ulong(0)) == 616  # IFD_ICC_NOT_PRESENT
assert lib.IFDHCloseChannel(ctypes.c_ulong(0)) == 0
PY
    sc_fail "dlopen outside pcscd"
sc_log "ok: the module loads and runs outside pcscd"

# pcscd with the installed configuration only
DRV_LIB=$module
drv_start_pcscd "$conf_dir"
sc_start_card -n 2 -vv
sc_wait_card "Virtual PCD 00 00" present
sc_wait_card "Virtual PCD 00 01" present
drv_check list "Virtual PCD 00 00" "Virtual PCD 00 01"
drv_check apdu "Virtual PCD 00 01" 00A4000C023F00 9000
grep -q "Attempting startup of Virtual PCD 00 00 using $module" \
    "$SC_TMP/pcscd.log" || sc_fail "pcscd did not load the installed module"
sc_log "ok: pcscd loaded the installed module"
drv_check_pcscd_log
