#!/usr/bin/python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""Check that a program exports the plugin interface to card-type plugins.

Usage: plugin_exports.py PROGRAM HEADER...

Every function declared in the HEADERs (softcard-cardtype.h, softcard.h)
must be a defined function in PROGRAM's dynamic symbol table (nm -D), or a
plugin calling it cannot be loaded; and no function of softcard's own code
outside the sfc_ prefix may be exported (the program exports sfc_* only,
not everything as -rdynamic would). Symbols of the C and sanitizer
runtimes (a leading underscore) are not softcard's and are ignored.
Prints what is wrong and exits 1, or prints a summary and exits 0.
"""
import re
import subprocess
import sys

# A declaration: an sfc_ name followed by its parameter list. Function
# pointers, "sfc_err (*create)(...)" and "(*sfc_ins_fn)(...)", do not
# match: the first has "(*" after the name, the second ")" before "(".
DECLARATION = re.compile(r"\b(sfc_\w+)\s*\((?!\s*\*)")
COMMENT = re.compile(r"/\*.*?\*/|//[^\n]*", re.S)


def declared_functions(path):
    with open(path, encoding="utf-8") as f:
        text = COMMENT.sub(" ", f.read())
    text = re.sub(r"^\s*#[^\n]*", " ", text, flags=re.M)
    return set(DECLARATION.findall(text))


def exported_functions(program):
    out = subprocess.run(["nm", "-D", "--defined-only", program], check=True,
                         capture_output=True, text=True).stdout
    names = set()
    for line in out.splitlines():
        fields = line.split()
        if len(fields) == 3 and fields[1] in "TtWi":
            names.add(fields[2].split("@")[0])
    return names


def main(argv):
    if len(argv) < 3:
        print(__doc__.strip().splitlines()[2], file=sys.stderr)
        return 2
    declared = set()
    for header in argv[2:]:
        found = declared_functions(header)
        if len(found) < 2:
            print(f"{header}: found no function declarations", file=sys.stderr)
            return 1
        declared |= found
    exported = exported_functions(argv[1])
    missing = sorted(declared - exported)
    foreign = sorted(n for n in exported
                     if not n.startswith(("sfc_", "_")))
    for name in missing:
        print(f"not exported: {name}")
    for name in foreign:
        print(f"exported, but not sfc_*: {name}")
    if missing or foreign:
        return 1
    print(f"{len(declared)} declared functions exported; "
          f"{len(exported)} functions exported in all")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
