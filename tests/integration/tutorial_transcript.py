#!/usr/bin/python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""Run a tutorial's terminal transcripts and compare them with the page.

Usage: tutorial_transcript.py TUTORIAL.md

A transcript is a ``` block without a language whose first line starts
with "$ ": commands ("$ " lines, continued by lines that end in a
backslash), each followed by the output the page shows. Every command runs
in /bin/sh in the current directory, in page order. A command whose shown
output has lines starting with "> " (an interactive client such as
scriptor) gets those lines, without the "> ", on its standard input, and
its output is compared from its first "> " line on (what comes before is
the client's banner). Otherwise its standard output is compared whole.
Trailing blanks are ignored. Prints the first difference and exits 1, or
a summary and exits 0.
"""
import re
import subprocess
import sys

BLOCK = re.compile(r"^```\n(\$ .*?)^```$", re.S | re.M)


def commands(block):
    """(command, shown output lines) pairs of one transcript."""
    out, lines = [], block.splitlines()
    i = 0
    while i < len(lines):
        cmd = lines[i][2:]
        while cmd.endswith("\\") and i + 1 < len(lines):
            i += 1
            cmd = cmd[:-1] + " " + lines[i].strip()
        i += 1
        shown = []
        while i < len(lines) and not lines[i].startswith("$ "):
            shown.append(lines[i].rstrip())
            i += 1
        out.append((cmd, shown))
    return out


def run(cmd, shown):
    """The first difference between what cmd prints and `shown`, or None."""
    typed = [l[2:] for l in shown if l.startswith("> ")]
    stdin = "".join(t + "\n" for t in typed) if typed else None
    res = subprocess.run(["/bin/sh", "-c", cmd], input=stdin, text=True,
                         capture_output=True, timeout=60, check=False)
    got = [l.rstrip() for l in res.stdout.splitlines()]
    if typed:
        first = next((n for n, l in enumerate(got) if l.startswith("> ")),
                     len(got))
        got = got[first:]
    for n, (want, have) in enumerate(zip(shown, got), 1):
        if want != have:
            return f"output line {n}: page '{want}', got '{have}'"
    if len(shown) != len(got):
        return (f"{len(shown)} output lines on the page, {len(got)} printed"
                f" (stderr: {res.stderr.strip()[:200]})")
    return None


def main(argv):
    if len(argv) != 2:
        print(__doc__.strip().splitlines()[2], file=sys.stderr)
        return 2
    with open(argv[1], encoding="utf-8") as f:
        blocks = BLOCK.findall(f.read())
    if not blocks:
        print(f"{argv[1]}: no transcripts")
        return 1
    n = 0
    for block in blocks:
        for cmd, shown in commands(block):
            problem = run(cmd, shown)
            if problem:
                print(f"{argv[1]}: `{cmd}`: {problem}")
                return 1
            n += 1
    print(f"{n} commands of {len(blocks)} transcripts print what the page "
          "shows")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
