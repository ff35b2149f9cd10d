# SPDX-License-Identifier: LGPL-2.1-or-later
# shellcheck shell=bash
# What the demo's scripts share (sourced): a scratch directory and the
# processes to stop on exit, the step and command printers, and waiting
# until pcscd sees a reader's slot full or empty.

# demo_begin NAME: TMP is a fresh /tmp/softcard-NAME.XXXXXX; every PID added
# to PIDS is stopped, and TMP removed, when the script exits.
demo_begin() {
    TMP=$(mktemp -d "/tmp/softcard-$1.XXXXXX")
    PIDS=()
    trap demo_cleanup EXIT
}
demo_cleanup() {
    for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done
    for p in "${PIDS[@]}"; do wait "$p" 2>/dev/null || true; done
    rm -rf "$TMP"
}
step() { printf '\n\033[1m== %s\033[0m\n' "$*"; }
run() { printf '\033[2m$ %s\033[0m\n' "$*"; "$@"; }

# demo_wait_reader Yes|No READER: until opensc-tool lists the reader with a
# card (Yes) or without one (No), for at most 5 s.
demo_wait_reader() {
    for _ in $(seq 100); do
        opensc-tool -l 2>/dev/null | grep -q "$1 .*$2" && break
        sleep 0.05
    done
}
