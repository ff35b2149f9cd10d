#!/usr/bin/python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""Turn unprotected OpenPGP secret keys into PEM files.

Reads the output of `gpg --export-secret-keys` (keys without a passphrase)
on stdin and writes, for the primary key and each subkey in order,
DIR/key0.pem, DIR/key1.pem, ...: RSA as PKCS#1, Ed25519 and X25519 as
PKCS#8. Only what the OpenPGP card tests need: the packet framing of RFC
4880 §4.2, the public-key algorithms 1 (RSA), 18 (ECDH on Cv25519) and 22
(EdDSA on Ed25519), secret-key usage 0 (not protected).
"""
import base64
import sys


def packets(data):
    i = 0
    while i < len(data):
        b = data[i]
        i += 1
        if b & 0x40:  # new format
            tag = b & 0x3F
            l0 = data[i]
            if l0 < 192:
                n, i = l0, i + 1
            elif l0 < 224:
                n, i = ((l0 - 192) << 8) + data[i + 1] + 192, i + 2
            else:
                n, i = int.from_bytes(data[i + 1:i + 5], "big"), i + 5
        else:
            tag, lt = (b >> 2) & 0x0F, b & 3
            size = {0: 1, 1: 2, 2: 4}[lt]
            n, i = int.from_bytes(data[i:i + size], "big"), i + size
        yield tag, data[i:i + n]
        i += n


def mpi(body, i):
    bits = int.from_bytes(body[i:i + 2], "big")
    n = (bits + 7) // 8
    return body[i + 2:i + 2 + n], i + 2 + n


def der_len(n):
    if n < 128:
        return bytes([n])
    b = n.to_bytes((n.bit_length() + 7) // 8, "big")
    return bytes([0x80 | len(b)]) + b


def der_int(v):
    b = v.to_bytes(v.bit_length() // 8 + 1, "big")
    return b"\x02" + der_len(len(b)) + b


def rsa_pem(n, e, d, p, q):
    ints = [0, n, e, d, p, q, d % (p - 1), d % (q - 1), pow(q, -1, p)]
    body = b"".join(der_int(v) for v in ints)
    return pem("RSA PRIVATE KEY", b"\x30" + der_len(len(body)) + body)


def raw_pem(oid, secret):
    head = bytes.fromhex("302e020100300506032b65") + bytes([oid])
    return pem("PRIVATE KEY", head + bytes.fromhex("04220420") + secret)


def pem(label, der):
    b64 = base64.encodebytes(der).decode().replace("\n", "")
    lines = [b64[i:i + 64] for i in range(0, len(b64), 64)]
    return "-----BEGIN %s-----\n%s\n-----END %s-----\n" % (
        label, "\n".join(lines), label)


def key_pem(body):
    algo, i = body[5], 6
    if algo == 1:
        n, i = mpi(body, i)
        e, i = mpi(body, i)
    else:
        i += 1 + body[i]          # the curve OID
        _, i = mpi(body, i)       # the public point
        if algo == 18:
            i += 1 + body[i]      # KDF parameters
    if body[i] != 0:
        sys.exit("protected secret key: export it without a passphrase")
    i += 1
    if algo == 1:
        d, i = mpi(body, i)
        p, i = mpi(body, i)
        q, i = mpi(body, i)
        big = [int.from_bytes(x, "big") for x in (n, e, d, p, q)]
        return rsa_pem(*big)
    s, i = mpi(body, i)
    s = s.rjust(32, b"\0")
    if algo == 22:
        return raw_pem(0x70, s)
    if algo == 18:
        return raw_pem(0x6E, s[::-1])  # native X25519 is little-endian
    sys.exit("unsupported algorithm %d" % algo)


def main():
    out = sys.argv[1]
    keys = [b for t, b in packets(sys.stdin.buffer.read()) if t in (5, 7)]
    for k, body in enumerate(keys):
        with open("%s/key%d.pem" % (out, k), "w") as f:
            f.write(key_pem(body))


main()
