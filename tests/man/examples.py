#!/usr/bin/python3
"""The examples of README.md, contrib/README.md and the man pages' EXAMPLES,
against tests/man/examples.list.

usage: examples.py list          print each example: FILE<TAB>its first line
       examples.py check         print each example missing from the list,
                                 each entry that names no example, and each
                                 test an entry names that no bats file has

An example is a code block: in the README files a block indented by four
spaces, in a man page a literal block (.Bd -literal) of EXAMPLES.  Its key
is its first line (a "$ " prompt dropped).  Each line of the list is
FILE<TAB>first line<TAB>what covers it: "test: NAME" (a @test of tests/ that
runs it as printed), "text: WHY" (no command: a configuration file, a
unit, a dialogue typed by hand, ...) or "not run: WHY" (it needs what a
test cannot have: systemd as PID 1, the internet, a terminal).  A new
example fails the check until its line is added.
"""
import glob
from collections import Counter
import os
import re
import sys

REPO = os.path.normpath(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))
LIST = os.path.join(REPO, "tests", "man", "examples.list")


def markdown_blocks(path):
    blocks, block = [], []
    with open(os.path.join(REPO, path), encoding="utf-8") as f:
        for line in f.read().splitlines() + [""]:
            if line.startswith("    ") and (block or not line.startswith("     ")):
                block.append(line[4:])
            elif block and line == "":
                block.append("")
            elif block:
                blocks.append(block)
                block = []
    blocks += [block] if block else []
    return [[l for l in b if l] for b in blocks if any(b)]


def man_blocks(path):
    blocks, block, section = [], None, ""
    with open(os.path.join(REPO, path), encoding="utf-8") as f:
        for line in f.read().splitlines():
            if line.startswith(".Sh "):
                section = line[4:]
            elif section != "EXAMPLES":
                continue
            elif line.startswith(".Bd -literal"):
                block = []
            elif line.startswith(".Ed"):
                blocks.append([l.replace("\\e", "\\").replace("\\&", "") for l in block if l])
                block = None
            elif block is not None:
                block.append(line)
    return blocks


def examples():
    found = []
    for path in ["README.md", "contrib/README.md"]:
        found += [(path, b[0]) for b in markdown_blocks(path)]
    for page in sorted(glob.glob(os.path.join(REPO, "man", "*.[0-9]"))):
        path = os.path.relpath(page, REPO)
        found += [(path, re.sub(r"^\$ ", "", b[0])) for b in man_blocks(path) if b]
    return found


def listed():
    entries = []
    with open(LIST, encoding="utf-8") as f:
        for number, line in enumerate(f.read().splitlines(), 1):
            if not line or line.startswith("#"):
                continue
            fields = line.split("\t")
            if len(fields) != 3 or not re.match(r"^(test|text|not run): \S", fields[2]):
                entries.append((number, None, None, None))
            else:
                entries.append((number, fields[0], fields[1], fields[2]))
    return entries


def test_names():
    names = set()
    for bats in glob.glob(os.path.join(REPO, "tests", "**", "*.bats"), recursive=True):
        with open(bats, encoding="utf-8") as f:
            names.update(re.findall(r'^@test "(.*)" \{$', f.read(), re.M))
    return names


def check():
    problems, found, entries, names = [], examples(), listed(), test_names()
    # two examples with the same first line need two lines of the list
    missing = Counter(found) - Counter((path, first) for _, path, first, _ in entries if path)
    for path, first in missing.elements():
        problems.append(f"{path}: example not in tests/man/examples.list: {first}")
    for number, path, first, what in entries:
        if path is None:
            problems.append(f"examples.list:{number}: not FILE<TAB>FIRST LINE<TAB>test: NAME, text: WHY or not run: WHY")
        elif (path, first) not in found:
            problems.append(f"examples.list:{number}: no such example in {path}: {first}")
        elif what.startswith("test: ") and what[6:] not in names:
            problems.append(f"examples.list:{number}: no @test \"{what[6:]}\"")
    return problems


def main():
    if sys.argv[1:] == ["list"]:
        for path, first in examples():
            print(f"{path}\t{first}")
        return 0
    problems = check()
    for p in problems:
        print(p)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
