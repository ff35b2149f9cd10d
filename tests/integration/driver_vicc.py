#!/usr/bin/python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""Start Debian's reference vicc (vsmartcard-vpicc 0.8) as installed.

usage: driver_vicc.py VICC-ARGS...

Debian's package does not start as installed; two run-time workarounds,
applied here without changing its code, make it run:
  1. its Python package lives in /usr/lib/python3/site-packages/
     virtualsmartcard, which is not on Debian Python's sys.path;
  2. it imports PyCrypto's "Crypto" namespace, while Debian ships
     pycryptodome as "Cryptodome": the name is aliased before vicc runs.
Exits 3 with the reason on stderr when vicc cannot be started at all.
"""
import os
import runpy
import sys

VICC = "/usr/bin/vicc"
PACKAGE_DIR = "/usr/lib/python3/site-packages/virtualsmartcard"


def cannot_start(reason):
    print("driver_vicc.py: cannot start the reference vicc: " + reason,
          file=sys.stderr, flush=True)
    return 3


def main():
    if not os.path.exists(VICC):
        return cannot_start(VICC + " is missing (package vsmartcard-vpicc)")
    if not os.path.isdir(os.path.join(PACKAGE_DIR, "virtualsmartcard")):
        return cannot_start(PACKAGE_DIR + " is missing "
                            "(package python3-virtualsmartcard)")
    sys.path.insert(0, PACKAGE_DIR)
    try:
        import Cryptodome
    except ImportError:
        return cannot_start("no Cryptodome module (package "
                            "python3-pycryptodome)")
    sys.modules["Crypto"] = Cryptodome
    sys.argv = [VICC] + sys.argv[1:]
    runpy.run_path(VICC, run_name="__main__")
    return 0


if __name__ == "__main__":
    sys.exit(main())
