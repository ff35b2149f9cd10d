# SPDX-License-Identifier: LGPL-2.1-or-later
# shellcheck shell=sh
# Debian packages the project needs, and a function that installs the missing
# ones. Sourced by ./check, ./demo, bench/run and fuzz/run; plain POSIX sh so
# that it runs on a fresh Debian 12 before anything else is installed.

# To build the project. ./check builds it with both gcc and clang.
SC_BUILD_PACKAGES="gcc clang make cmake pkg-config libc6-dev libssl-dev \
libpcsclite-dev libqrencode-dev libjson-c-dev libjpeg-dev libeac-dev"
# To build the libFuzzer targets (fuzz/run), on top of SC_BUILD_PACKAGES:
# clang's sanitizer and libFuzzer runtimes, only recommended by clang.
SC_FUZZ_PACKAGES="libclang-rt-dev llvm"
# To run its tests (unit tests, private pcscd, independent clients;
# dpkg-dev, debhelper and lintian build and check the Debian packages in
# tests/integration/test_debs.sh; yubico-piv-tool, scdaemon and gnupg drive
# the PIV and OpenPGP cards; openpace has cvc-create for CV certificates;
# autoconf, automake, libtool and patch build npa-tool from Debian's opensc
# source, which Debian does not ship as a binary).
SC_TEST_PACKAGES="libcmocka-dev pcscd vsmartcard-vpcd pcsc-tools opensc \
python3 python3-pyscard iproute2 util-linux procps openssl \
vsmartcard-vpicc python3-virtualsmartcard python3-pycryptodome \
cardpeek cardpeek-data man-db groff-base dpkg-dev debhelper lintian \
yubico-piv-tool scdaemon gnupg gpg-agent openpace openssh-client \
autoconf automake libtool patch"
# To run the demo.
SC_DEMO_PACKAGES="pcscd vsmartcard-vpcd pcsc-tools opensc python3 \
python3-pyscard iproute2 util-linux procps openssl cardpeek cardpeek-data \
yubico-piv-tool openssh-client openpace autoconf automake libtool patch"

sc_missing_packages() {
    for p in "$@"; do
        if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null |
                grep -q "install ok installed"; then
            printf '%s ' "$p"
        fi
    done
}

# sc_ensure_packages PKG...: install what is missing (as root), or print the
# exact command to run and fail (as another user). Idempotent.
sc_ensure_packages() {
    missing=$(sc_missing_packages "$@")
    if [ -z "$missing" ]; then
        return 0
    fi
    if [ "$(id -u)" -ne 0 ]; then
        echo "Missing Debian packages. Run as root:" >&2
        echo "  apt-get install -y --no-install-recommends $missing" >&2
        return 1
    fi
    echo "Installing Debian packages: $missing"
    export DEBIAN_FRONTEND=noninteractive
    # shellcheck disable=SC2086
    if ! apt-get install -y --no-install-recommends $missing; then
        apt-get update
        # shellcheck disable=SC2086
        apt-get install -y --no-install-recommends $missing
    fi
}
