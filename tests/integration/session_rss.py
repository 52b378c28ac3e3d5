#!/usr/bin/python3
"""Sends one message of SIZE bytes to 127.0.0.1:PORT and, once it has been
accepted and before QUIT, prints the peak resident set (VmHWM, kB) of every
session process under the given listeners: the processes two levels below
a listener (listener -> the program serving a socket -> the forked session).

usage: session_rss.py PORT SIZE RCPT LISTENER_PID...
Prints "COMM KB" lines, then "accepted".  Exits 1 if the message was not
accepted.  Bounded: every socket operation times out after 120 s.
"""
import os
import smtplib
import sys


def children(pid):
    out = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as f:
                stat = f.read()
        except OSError:
            continue
        fields = stat[stat.rfind(")") + 2:].split()
        if int(fields[1]) == pid:
            out.append(int(entry))
    return out


def status(pid):
    values = {}
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            key, _, value = line.partition(":")
            values[key] = value.strip()
    return values


def message(size):
    head = b"From: a@internet.example\r\nTo: b@example.com\r\nSubject: size %d\r\n\r\n" % size
    line = b"x" * 76 + b"\r\n"
    body = line * max(1, (size - len(head)) // len(line))
    return head + body


def main():
    port, size, rcpt = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3]
    listeners = [int(p) for p in sys.argv[4:]]
    with smtplib.SMTP("127.0.0.1", port, timeout=120) as smtp:
        smtp.ehlo("probe.example")
        refused = smtp.sendmail("a@internet.example", [rcpt], message(size))
        if refused:
            print("refused:", refused)
            return 1
        for listener in listeners:
            for program in children(listener):
                for session in children(program):
                    try:
                        st = status(session)
                    except OSError:
                        continue
                    print(st["Name"], st["VmHWM"].split()[0])
    print("accepted")
    return 0


if __name__ == "__main__":
    sys.exit(main())
