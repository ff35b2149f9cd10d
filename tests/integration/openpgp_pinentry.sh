#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
# A pinentry stand-in for the OpenPGP integration tests: it speaks just
# enough Assuan for gpg-agent and answers every GETPIN from files in the
# directory $OPENPGP_PIN_DIR names (default: the directory of this script):
# "rc" when the last description or prompt mentioned the Reset Code, "pw3"
# when it mentioned the Admin PIN, else "pw1".
dir=${OPENPGP_PIN_DIR:-$(dirname "$0")}
echo "OK Pleased to meet you"
which=pw1
while read -r cmd rest; do
    case "$cmd" in
    SETDESC | SETPROMPT)
        case "$rest" in
        *Reset*) which=rc ;;
        *Admin* | *admin*) [ "$which" = rc ] || which=pw3 ;;
        esac
        echo OK ;;
    GETPIN)
        echo "D $(cat "$dir/$which")"
        echo OK
        which=pw1 ;;
    BYE)
        echo OK
        exit 0 ;;
    *) echo OK ;;
    esac
done
