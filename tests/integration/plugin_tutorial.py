#!/usr/bin/python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""Check that a tutorial's C code is its example file, piece by piece.

Usage: plugin_tutorial.py TUTORIAL.md SOURCE.c

The ```c blocks of TUTORIAL.md, in order, must be the whole of SOURCE.c:
each block is the text that follows the previous one in the file, with
nothing but blank lines between two blocks or at either end. So the
tutorial quotes all of the example, in the example's order, and a reader
who copies the blocks gets the file the tests build. Prints the first
difference and exits 1, or prints a summary and exits 0.
"""
import re
import sys

BLOCK = re.compile(r"^```c\n(.*?)^```$", re.S | re.M)


def first_difference(block, text):
    """The first line of `block` that is not the matching line of `text`."""
    for n, (want, got) in enumerate(zip(block.splitlines(),
                                        text.splitlines()), 1):
        if want != got:
            return n, want, got
    return None


def check(blocks, source):
    at = 0
    for i, block in enumerate(blocks, 1):
        gap = len(source[at:]) - len(source[at:].lstrip("\n"))
        at += gap
        if not source.startswith(block, at):
            line = source.count("\n", 0, at) + 1
            diff = first_difference(block, source[at:])
            where = (f"its line {diff[0]}: tutorial '{diff[1]}', "
                     f"file '{diff[2]}'" if diff else "it is longer")
            return (f"C block {i} is not the file's text from line {line}; "
                    f"{where}")
        at += len(block)
    if source[at:].strip("\n"):
        line = source.count("\n", 0, at) + 1
        return f"the file goes on after the last C block, at line {line}"
    return None


def main(argv):
    if len(argv) != 3:
        print(__doc__.strip().splitlines()[2], file=sys.stderr)
        return 2
    with open(argv[1], encoding="utf-8") as f:
        blocks = [b.rstrip("\n") for b in BLOCK.findall(f.read())]
    with open(argv[2], encoding="utf-8") as f:
        source = f.read()
    if not blocks:
        print(f"{argv[1]}: no C blocks")
        return 1
    problem = check(blocks, source)
    if problem:
        print(f"{argv[1]} vs {argv[2]}: {problem}")
        return 1
    print(f"{len(blocks)} C blocks are all of {argv[2]}, in order")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
