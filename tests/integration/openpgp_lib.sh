# SPDX-License-Identifier: LGPL-2.1-or-later
# shellcheck shell=bash
# Shared by the OpenPGP integration tests (after lib.sh and
# sc_enter_namespaces): a temporary GNUPGHOME whose scdaemon talks to the
# private pcscd through PC/SC (no CCID), whose gpg-agent asks the test's
# pinentry stand-in (openpgp_pinentry.sh, answers from $SC_TMP/pins), and
# a cleanup that stops the gpg-agent and scdaemon of that GNUPGHOME.

export GNUPGHOME=$SC_TMP/gnupg
mkdir -m 700 "$GNUPGHOME" "$SC_TMP/pins"
cat > "$GNUPGHOME/scdaemon.conf" <<CONF
disable-ccid
pcsc-driver /usr/lib/x86_64-linux-gnu/libpcsclite.so.1
log-file $SC_TMP/scdaemon.log
CONF
cat > "$SC_TMP/pinentry" <<PIN
#!/bin/sh
OPENPGP_PIN_DIR=$SC_TMP/pins exec $SC_HERE/openpgp_pinentry.sh
PIN
chmod +x "$SC_TMP/pinentry"
printf 'pinentry-program %s\n' "$SC_TMP/pinentry" > "$GNUPGHOME/gpg-agent.conf"

# pgp_pins PW1 PW3 [RC]: what the pinentry answers.
pgp_pins() {
    printf '%s' "$1" > "$SC_TMP/pins/pw1"
    printf '%s' "$2" > "$SC_TMP/pins/pw3"
    printf '%s' "${3:-}" > "$SC_TMP/pins/rc"
}
pgp_pins 123456 12345678

pgp_cleanup() {
    gpgconf --kill all >/dev/null 2>&1 || true
    sc_cleanup
}
trap pgp_cleanup EXIT

# pgp_status: gpg --card-status into $status (must succeed).
pgp_status() {
    status=$(gpg --card-status 2>&1) || { echo "$status"; sc_fail "gpg --card-status"; }
}

# pgp_field NAME: a field of the last pgp_status ("PIN retry counter").
pgp_field() {
    sed -n "s/^$1 *\.*: *//p" <<<"$status" | head -n 1
}

# pgp_card_edit CMD...: gpg --card-edit driven through --command-fd.
pgp_card_edit() {
    printf '%s\n' "$@" | gpg --no-tty --command-fd 0 --status-fd 2 \
        --card-edit >"$SC_TMP/card-edit.out" 2>&1 ||
        { cat "$SC_TMP/card-edit.out"; sc_fail "gpg --card-edit $*"; }
}

# pgp_scd COMMAND: one scdaemon command through gpg-agent; output in $out.
pgp_scd() {
    # shellcheck disable=SC2034 # the tests read $out
    out=$(gpg-connect-agent "SCD $1" /bye 2>&1)
}
