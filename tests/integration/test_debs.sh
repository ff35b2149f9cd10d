#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# The Debian packages: scripts/build-debs.sh builds them from a copy of the
# source tree (dpkg-buildpackage, Release, no tests), checks them with
# lintian (no error), resolves their dependencies on this machine
# (apt-get --simulate), installs them into a clean root with
# `dpkg --root` and runs the installed softcard, scio, libscio and driver
# in a private pcscd. The .deb files go to the build tree's debs/
# directory, so that two build trees never share them.
#
# When the packaging tools are not installed (dpkg-dev, debhelper, lintian,
# and pcscd for the last step; scripts/deps.sh lists them in
# SC_TEST_PACKAGES, so ./check installs them), or without root, the test
# prints one "skipped: ..." line and passes.
set -euo pipefail
src=${SOFTCARD_SOURCE_DIR:-$(cd "$(dirname "$0")/../.." && pwd)}
build=${SOFTCARD_BUILD_DIR:?SOFTCARD_BUILD_DIR must point at the build tree}
# shellcheck source=SCRIPTDIR/../../scripts/deps.sh
. "$src/scripts/deps.sh"

if [ "$(id -u)" -ne 0 ]; then
    echo "skipped: the Debian package test needs root (private namespaces)"
    exit 0
fi
# shellcheck disable=SC2086
missing=$(sc_missing_packages dpkg-dev debhelper lintian pcscd $SC_BUILD_PACKAGES)
missing=${missing% }
if [ -n "$missing" ]; then
    echo "skipped: the Debian package test needs the packages: $missing"
    echo "  (apt-get install -y --no-install-recommends $missing)"
    exit 0
fi
exec "$src/scripts/build-debs.sh" "$build/debs"
