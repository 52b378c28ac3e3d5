#!/usr/bin/python3
"""The unit text a man page shows against the units that are installed.

usage: units.py PAGE...

A literal block (.Bd -literal ... .Ed) with a line "[Unit]", "[Socket]",
"[Service]", "[Timer]" or "[Install]" shows a systemd unit.  It names its
file: by a comment line "# NAME.socket" inside the block (one block may
show several units, each after its own such line), or else by the last
NAME.socket, NAME.service or NAME.timer in the text just before the block.
The file is looked up in units/ (@SBINDIR@ read as /usr/sbin) and in the
folders of contrib/.  Every line the page shows (continuation lines joined,
blank lines and comments left out) must be a line of that file, in the
file's order, so each one sits in the file's section: the page may leave
lines out, but never shows a name, user, socket or option the file does
not have.  A drop-in, named NAME.d/FILE.conf, is not a unit and is left
alone.  Prints one line per disagreement; exit status 1 when there is one.
"""
import os
import re
import sys

REPO = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..")
UNIT_NAME = re.compile(r"([A-Za-z0-9@_.-]+\.(?:socket|service|timer))\b")
SECTION = re.compile(r"^\[(Unit|Socket|Service|Timer|Install)\]$")


def text_line(line):
    """One line of a literal block as printed: mdoc's escapes undone."""
    return line.replace("\\&", "").replace("\\e", "\\")


def unit_lines(lines):
    """The settings and section headers, continuations joined."""
    out, joined = [], ""
    for line in lines:
        line = line.rstrip()
        if joined:
            line = joined + " " + line.strip()
            joined = ""
        if line.endswith("\\"):
            joined = line[:-1].rstrip()
            continue
        if line and not line.lstrip().startswith(("#", ";")):
            out.append(line.strip())
    return out


def installed(name):
    for folder in ["units"] + sorted("contrib/" + d for d in os.listdir(os.path.join(REPO, "contrib"))):
        path = os.path.join(REPO, folder, name)
        if os.path.isfile(path):
            with open(path, encoding="utf-8") as f:
                return folder + "/" + name, unit_lines(f.read().replace("@SBINDIR@", "/usr/sbin").splitlines())
    return None, None


def shown_units(page):
    """(name, lines shown, line number) of each unit a page shows."""
    with open(page, encoding="utf-8") as f:
        source = f.read().splitlines()
    found, before, block, start = [], [], None, 0
    for number, line in enumerate(source, 1):
        if block is None:
            if line.startswith(".Bd -literal"):
                block, start = [], number
            else:
                before = (before + [line])[-6:]
            continue
        if not line.startswith(".Ed"):
            block.append(text_line(line))
            continue
        if any(SECTION.match(b.strip()) for b in block):
            found += split_block(block, before, start)
        block, before = None, []
    return found


def split_block(block, before, start):
    named = [m for m in UNIT_NAME.findall(" ".join(before))]
    current = named[-1] if named else None
    if re.search(r"\.d/[^ ]*\.conf\b", " ".join(before)):
        return []  # a drop-in
    units, lines, at = [], [], start
    for i, line in enumerate(block):
        m = re.match(r"^#\s*(\S+\.(?:socket|service|timer))\s*$", line.strip())
        if m:
            if lines:
                units.append((current, lines, at))
            current, lines, at = m.group(1), [], start + i + 1
            continue
        lines.append(line)
    if lines:
        units.append((current, lines, at))
    return [(os.path.basename(n) if n else None, unit_lines(ls), at) for n, ls, at in units]


def problems_of(page):
    problems = []
    for name, shown, at in shown_units(page):
        where = f"{os.path.basename(page)}:{at}"
        if not name:
            problems.append(f"{where}: a unit that names no file")
            continue
        path, lines = installed(name)
        if not path:
            problems.append(f"{where}: {name} is no file of units/ or contrib/")
            continue
        i = 0
        for line in shown:
            while i < len(lines) and lines[i] != line:
                i += 1
            if i == len(lines):
                problems.append(f"{where}: {name} shows {line!r}, which {path} does not have there")
                i = 0
            else:
                i += 1
    return problems


def main():
    problems = [p for page in sys.argv[1:] for p in problems_of(page)]
    for p in problems:
        print(p)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
