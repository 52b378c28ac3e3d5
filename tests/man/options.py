#!/usr/bin/python3
"""The options a man page documents against those a program's --help shows.

usage: options.py BIN_DIR PROGRAM

Reads man/PROGRAM.8 (or $OROUBOROS_MAN/PROGRAM.8) and the sections of man/orouboros.conf.5 that belong to
PROGRAM, runs BIN_DIR/PROGRAM --help, and prints one line per disagreement
(nothing when they agree; exit status 1 when they do not):

- every long option of --help is an item of the page's option list
  (.It Fl -NAME), and every such item names an option of --help;
- every default --help shows, "(=VALUE)" or "(default VALUE)" in its text,
  is stated in the item: "Default: VALUE." or "VALUE (the default)";
- every default an item states (in the page or in orouboros.conf(5)) is the
  one --help shows; a number stated for an option --help shows none for is
  wrong too;
- every key of the program's sections of orouboros.conf(5) is an option of
  --help.

The convention for a default in a page: a sentence "Default: VALUE." in the
option's item (VALUE may be a word such as "none", "off", or "the host name"
where --help shows the machine's name), or "VALUE (the default)" in a list of
choices.
"""
import os
import re
import socket
import subprocess
import sys

MACRO = re.compile(r"^[A-Z][a-z]{1,2}$")


def help_options(bin_dir, prog):
    """{long option: default or None} from PROG --help."""
    out = subprocess.run([os.path.join(bin_dir, prog), "--help"], capture_output=True, text=True,
                         timeout=10, check=False).stdout
    options = {}
    name = None
    for line in out.splitlines():
        m = re.match(r"^  (?:-\w \[ )?--([a-z0-9-]+)(?: \])?(?: arg)?(?: \(=([^)]*)\))?(.*)$", line)
        if m:
            name, default, text = m.group(1), m.group(2), m.group(3)
            options[name] = default
        elif name and re.match(r"^ {10,}\S", line):
            text = line  # a wrapped description
        else:
            name = None
            continue
        # a default in the text counts when it is a value, not a description
        said = re.search(r"\(default:? ([A-Za-z0-9][A-Za-z0-9./_-]*)[,)]", text)
        if said and options[name] is None:
            options[name] = said.group(1).strip()
    return options


def plain(line):
    """One mdoc source line as text: macros dropped, .Pq as parentheses."""
    line = line.replace("\\&", "").replace("\\e", "\\").replace("\\(em", "-")
    if not line.startswith("."):
        return line
    words = line[1:].split()
    pq = bool(words) and words[0] == "Pq"
    kept = []
    for i, w in enumerate(words):
        if MACRO.match(w):
            continue
        kept.append("-" + w if i > 0 and words[i - 1] == "Fl" else w)
    if not pq:
        return " ".join(kept)
    tail = []
    while kept and re.fullmatch(r"[.,;:]", kept[-1]):
        tail.insert(0, kept.pop())
    return "(" + " ".join(kept) + ")" + " ".join(tail)


def items(path):
    """(tag line, body text, section) of each .It of the page, outside EXAMPLES.

    A nested list's items belong to the body of the item around them."""
    found = []
    depth, item_depth, section, subsection = 0, None, "", ""
    with open(path, encoding="utf-8") as f:
        for line in f.read().splitlines():
            if line.startswith(".Sh "):
                section, subsection, item_depth = line[4:].strip('"'), "", None
            elif line.startswith(".Ss "):
                subsection, item_depth = line[4:].strip().strip('"'), None
            if section == "EXAMPLES":
                continue
            if line.startswith(".Bl"):
                depth += 1
            elif line.startswith(".El"):
                if item_depth == depth:
                    item_depth = None
                depth -= 1
            elif line.startswith(".It") and (item_depth is None or item_depth == depth):
                item_depth = depth
                found.append([line, "", subsection or section])
                continue
            if item_depth is not None and found:
                found[-1][1] += " " + plain(line)
    return [(tag, re.sub(r" ([.,;:])(?= |$)", r"\1", " ".join(body.split())), sub) for tag, body, sub in found]


def stated_defaults(body):
    said = [m.group(1) for m in re.finditer(r"Default: (.+?)(?=[.;,:]\s|[.;,:]?$|\s\()", body)]
    said += [m.group(1) for m in re.finditer(r"(\S+) \(the default\)", body)]
    return said


def agrees(said, default):
    if said == default or said.startswith(default + " "):
        return True
    return said == "the host name" and default == socket.gethostname()


def listed_defaults(body, names):
    """"Defaults: A, B and C." in an item of several options: one each, in order."""
    m = re.search(r"Defaults: (.+?)\.(?: |$)", body)
    if not m:
        return []
    values = re.split(r", | and ", m.group(1))
    return list(zip(names, values)) if len(values) == len(names) else [(None, m.group(1))]


def check_item(where, names, body, options, require):
    """Problems of one item that documents the options `names`."""
    problems, said = [], stated_defaults(body)
    for n, s in listed_defaults(body, names):
        d = options.get(n)
        if n is None or d is None or not agrees(s, d):
            problems.append(f"{where}: states default {s!r} for --{n}, --help shows {d!r}")
        said.append(s)
    defaults = [options[n] for n in names if options.get(n) is not None]
    for s in stated_defaults(body):
        if defaults and not any(agrees(s, d) for d in defaults):
            problems.append(f"{where}: states default {s!r}, --help shows {' or '.join(map(repr, defaults))}")
        elif not defaults and re.match(r"^[0-9]", s):
            problems.append(f"{where}: states default {s!r}, --help shows none")
    if require:
        for n in names:
            d = options.get(n)
            if d is not None and not any(agrees(s, d) for s in said):
                problems.append(f"{where}: --help shows default {d!r}, the page does not say it "
                                f"('Default: {d}.' or '{d} (the default)')")
    return problems


def page_problems(page, prog, options):
    problems, documented = [], set()
    for tag, body, _ in items(page):
        names = re.findall(r"\bFl (-[-a-z0-9]+)", tag)
        longs = [n[1:] for n in names if n.startswith("-")]
        if not longs:
            continue
        where = f"{os.path.basename(page)}: --{longs[0]}"
        for n in longs:
            documented.add(n)
            if n not in options:
                problems.append(f"{os.path.basename(page)}: documents --{n}, which {prog} --help does not show")
        problems += check_item(where, longs, body, options, require=True)
    for n in sorted(options):
        if n not in documented:
            problems.append(f"{os.path.basename(page)}: {prog} --help shows --{n}, the page has no item for it")
    return problems


def conf_problems(conf, prog, options):
    problems = []
    for tag, body, sub in items(conf):
        m = re.match(r"^\[([^]]+)\].*: (?:(orouboros-[a-z-]+)|the listener)$", sub)
        if not m or (m.group(2) or "orouboros") != prog:
            continue
        keys = re.findall(r"\bCm ([a-z0-9-]+) No =", tag)
        for k in keys:
            if k not in options:
                problems.append(f"orouboros.conf.5 {sub.split(':')[0]}: key {k} is no option of {prog}")
        if keys:
            problems += check_item(f"orouboros.conf.5 {sub.split(':')[0]}: {keys[0]}", keys, body, options,
                                   require=False)
    return problems


def main():
    bin_dir, prog = sys.argv[1], sys.argv[2]
    here = os.path.dirname(os.path.abspath(__file__))
    man = os.environ.get("OROUBOROS_MAN", os.path.join(here, "..", "..", "man"))
    options = help_options(bin_dir, prog)
    if not options:
        print(f"{prog} --help shows no options")
        return 1
    problems = page_problems(os.path.join(man, prog + ".8"), prog, options)
    problems += conf_problems(os.path.join(man, "orouboros.conf.5"), prog, options)
    for p in problems:
        print(p)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
