#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# The card-image options of the softcard command: the generator (--init,
# --init-config, --force), --check-image (and the example images), bad
# images refused with file, JSON path and reason, -t checked against the
# image, the image lock, several images in one process, and encrypted
# images (passphrase from a file or SOFTCARD_PASSPHRASE, wrong passphrase,
# a card running from an encrypted image). No pcscd is involved.
. "$(dirname "$0")/lib.sh"
sc_enter_namespaces "$@"
cd "$SC_TMP"

# run WHAT EXPECTED_STATUS ARGS...: run softcard, check its exit status,
# leave its output in $out.
run() {
    local what=$1 want=$2 rc=0
    shift 2
    out=$("$SC_BIN" "$@" 2>&1) || rc=$?
    [ "$rc" = "$want" ] || sc_fail "$what: exit $rc, expected $want: $out"
}

# the generator
run "--init" 0 --init iso7816 -f a.json --pin 123456 --puk 87654321
sc_expect_eq "--init output" "$out" "a.json: new iso7816 card image"
sc_expect_eq "image mode" "$(stat -c %a a.json)" "600"
run "--init again" 1 --init iso7816 -f a.json
sc_expect_eq "no overwrite" "$out" \
    "softcard: a.json: already exists (use --force to replace it)"
run "--init --force" 0 --init iso7816 -f a.json --pin 123456 --force
run "--init unknown type" 2 --init nosuch -f x.json
sc_expect_match "unknown type" "$out" "unknown card type 'nosuch'"
[ ! -e x.json ] || sc_fail "an image was created for an unknown type"
run "--init bad PIN" 2 --init iso7816 -f x.json --pin 12
sc_expect_match "bad PIN" "$out" "PIN must have 4 to 16 characters"
run "--init without -f" 2 --init iso7816
sc_expect_match "--init needs -f" "$out" "needs exactly one -f IMAGE"
cat > cfg.json <<'CFG'
{"type": "iso7816", "extended_length": true, "params": {"puk": "11223344"}}
CFG
run "--init-config" 0 --init-config cfg.json -f b.json
grep -q '"extended_length": true' b.json || sc_fail "extended_length not kept"
echo '{"type": "iso7816", "colour": 1}' > bad-cfg.json
run "--init-config bad" 2 --init-config bad-cfg.json -f c.json
sc_expect_eq "bad config" "$out" "softcard: bad-cfg.json: \$.colour: unknown field"

# checking images, including the shipped examples
run "--check-image" 0 --check-image -f a.json \
    -f "$SC_SRC/examples/images/iso7816.json" \
    -f "$SC_SRC/examples/images/handler_test.json"
sc_expect_match "check a.json" "$out" "^a.json: ok: iso7816 card"
sc_expect_match "check example" "$out" "handler_test.json: ok: handler_test card"
"$SC_PY" - <<'PY' || sc_fail "making bad.json"
import json
img = json.load(open("a.json"))
img["mf"]["children"].append({"fid": "0102", "kind": "transparent",
                              "size": 8, "data": "00" * 16})
json.dump(img, open("bad.json", "w"))
PY
run "bad image" 1 --check-image -f bad.json
sc_expect_eq "bad image message" "$out" \
    "softcard: bad.json: \$.mf.children[1].size: 16 bytes of data for a 8-byte file"
run "running a bad image" 1 -R -P 35993 -f bad.json
sc_expect_eq "running a bad image" "$out" \
    "softcard: bad.json: \$.mf.children[1].size: 16 bytes of data for a 8-byte file"
run "missing image" 1 -R -P 35993 -f nosuch.json
sc_expect_match "missing image" "$out" "nosuch.json: No such file or directory"

# option combinations
run "-t mismatch" 2 -R -P 35993 -t handler_test -f a.json
sc_expect_match "-t mismatch" "$out" "a.json: holds a iso7816 card, not handler_test"
run "--pin with -f" 2 -R -P 35993 -f a.json --pin 1234
sc_expect_match "--pin with -f" "$out" "option --pin: the image decides"
run "--force alone" 2 --force
run "--check-image alone" 2 --check-image

# several images in one process, and the lock
"$SC_BIN" --init handler_test -f h.json >/dev/null || sc_fail "--init handler_test"
sc_start_card -R -P 35994 -t iso7816 -t handler_test -f a.json -f h.json
for i in $(seq 100); do
    grep -q "35995" "$SC_TMP/softcard.log" 2>/dev/null && break
    sleep 0.05
done
log=$(cat "$SC_TMP/softcard.log")
sc_expect_match "card 0 from a.json" "$log" "card 0 \(iso7816\): waiting for vpcd at vicc://127.0.0.1:35994"
sc_expect_match "card 1 from h.json" "$log" "card 1 \(handler_test\): waiting for vpcd at vicc://127.0.0.1:35995"
run "image in use" 1 -R -P 35996 -f a.json
sc_expect_match "image in use" "$out" "a.json: in use by another process"
run "--init over an image in use" 1 --init iso7816 -f a.json --force
sc_expect_match "--init over an image in use" "$out" "in use by another process"
kill "$SC_CARD_PID"
wait "$SC_CARD_PID" || true

# encrypted images
printf 'correct horse\n' > pass.txt
chmod 600 pass.txt
run "--init encrypted" 0 --init iso7816 -f e.json --passphrase-file pass.txt
sc_expect_eq "--init encrypted" "$out" "e.json: new iso7816 card image (encrypted)"
grep -q '"softcard-encrypted-card-image"' e.json || sc_fail "e.json is not encrypted"
grep -q '"1234"' e.json && sc_fail "the PIN is readable in e.json" # quoted: base64 may hold 1234
run "no passphrase" 1 --check-image -f e.json
sc_expect_match "no passphrase" "$out" "e.json: encrypted image: a passphrase is needed \(give --passphrase-file FILE or set SOFTCARD_PASSPHRASE\)"
out=$(SOFTCARD_PASSPHRASE='wrong horse' "$SC_BIN" --check-image -f e.json 2>&1) &&
    sc_fail "wrong passphrase accepted"
sc_expect_eq "wrong passphrase" "$out" "softcard: e.json: wrong passphrase or damaged image"
run "passphrase file" 0 --check-image -f e.json --passphrase-file pass.txt
: > empty.txt
run "empty passphrase file" 1 --check-image -f e.json --passphrase-file empty.txt
sc_expect_match "empty passphrase file" "$out" "passphrase file empty.txt: empty"
export SOFTCARD_PASSPHRASE='correct horse'
run "passphrase from the environment" 0 --check-image -f e.json
out=$("$SC_PY" "$SC_HERE/image_peer.py" pins "$SC_BIN" e.json 35997 \
      "$SC_TMP/softcard.log") || sc_fail "encrypted card: $out"
sc_log "encrypted image: $out"
grep -q '"softcard-encrypted-card-image"' e.json || sc_fail "e.json lost its encryption"
run "encrypted image after use" 0 --check-image -f e.json
